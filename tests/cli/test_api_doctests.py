"""Issue 27 item 7: every public function of runners.api has a docstring with an example, and the
examples that are not marked to skip (they write files or take seconds) give what they say."""

from __future__ import annotations

import doctest
import inspect

import pytest

from runners import api

PUBLIC = [n for n in api.__all__ if inspect.isfunction(getattr(api, n))]


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_function_has_an_example(name):
    assert ">>> " in (getattr(api, name).__doc__ or ""), name


def test_the_examples_run():
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = [t for n in PUBLIC for t in finder.find(getattr(api, n), n, globs={"api": api})]
    tests += finder.find(api.RunResult.plot, "RunResult.plot", globs={"api": api})
    for t in tests:
        runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.failed == 0 and result.attempted >= 8
