"""Shared fixtures: one baseline run per session (runs are cheap, but the suite uses it a lot)."""

import dataclasses

import pytest

from runners import run, scenario


@pytest.fixture(scope="session")
def baseline():
    """The built-in baseline scenario."""
    return scenario.load_scenario("baseline")


@pytest.fixture(scope="session")
def baseline_result(baseline):
    """The baseline run to FY2055."""
    return run.run(baseline, until=2055)


def variant(base, name="variant", **constants):
    """A copy of ``base`` with extra constants (Vensim names, spaces as underscores)."""
    merged = dict(base.constants) | {k.replace("_", " "): v for k, v in constants.items()}
    return dataclasses.replace(base, name=name, constants=merged)
