"""The briefing's explorer: ``explorer.html`` in the pack (``snowball explore``'s page for the
pack's vintage and supply-effect set) and, for each briefed scenario the page can show, the
address that opens it there.

A scenario opens in the page when it is a built-in scenario (a preset of the page) on the page's
vintage, with the built-in's own table points (no ``--path``, no file of the same name with other
tables), and every constant it sets away from the built-in's is a lever on the page's form; the
address is then ``explorer.html#scenario=NAME&py_name=value...``, as the page writes it. Any
other scenario is named as not in the page, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from runners.core.errors import SnowballError
from runners.mdl.model import parameters
from runners.report.explorer_page import LEVER_GROUPS, SWITCHES
from runners.scenario.scenarios import Scenario, builtin_names, load_scenario, rebase

PAGE = "explorer.html"


@dataclass(frozen=True)
class ExplorerLink:
    """One briefed scenario in the page: its address, or why it has none."""

    scenario: str
    address: str | None
    reason: str = ""


def form_levers() -> set[str]:
    """The constants the page's form shows (Vensim names): its levers and the loops' switches."""
    return {name for _, levers in LEVER_GROUPS for name, _ in levers} | set(SWITCHES)


def _value(v: float) -> str:
    """A lever's value as the page writes it in the address (JavaScript's shortest number)."""
    text = repr(float(v))
    return text[:-2] if text.endswith(".0") else text


def explorer_link(scenario: Scenario, vintage: str) -> ExplorerLink:
    """The address that opens ``scenario`` in the page built for ``vintage``, or the reason none does."""
    if scenario.name not in builtin_names():
        return ExplorerLink(scenario.name, None, "not a built-in scenario, so not a preset of the page")
    if scenario.baseline != vintage:
        return ExplorerLink(scenario.name, None, f"on the vintage {scenario.baseline}, the page on {vintage}")
    try:
        built_in = rebase(load_scenario(scenario.name), vintage)
    except SnowballError:
        return ExplorerLink(scenario.name, None, f"not runnable on the vintage {vintage}")
    if scenario.tables != built_in.tables:
        return ExplorerLink(scenario.name, None, "its input paths differ from the built-in's (--path)")
    moved = {k: v for k, v in scenario.constants.items() if built_in.constants.get(k) != v}
    off_form = sorted(set(moved) - form_levers())
    if off_form:
        return ExplorerLink(
            scenario.name, None, f"it sets {', '.join(off_form)}, which the page has no lever for"
        )
    params = parameters()
    parts = ([] if scenario.name == "baseline" else [f"scenario={scenario.name}"]) + [
        f"{params[k].py_name}={_value(v)}"
        for k, v in sorted(moved.items(), key=lambda kv: params[kv[0]].py_name)
    ]
    return ExplorerLink(scenario.name, PAGE + ("#" + "&".join(parts) if parts else ""))


def explorer_text(
    scenarios: list[Scenario], titles: dict[str, str], vintage: str, calibration: str
) -> list[str]:
    """The briefing's section: what the page (built for ``vintage``) is, then one line per
    scenario: its address as a Markdown link, or why the page cannot show it."""
    intro = (
        f"[{PAGE}]({PAGE}), in this folder, runs the whole model in a web browser, offline: the same "
        f"equations from the same .mdl, with the {vintage} data and the {calibration} supply-effect set. "
        "Move a lever and the projection, the milestones and the charts follow; the address keeps the "
        "settings, so a copied link shares the view. Each scenario of this briefing opens in it as follows."
    )
    lines = [intro]
    for link in (explorer_link(s, vintage) for s in scenarios):
        title = titles.get(link.scenario, link.scenario)
        if link.address is None:
            lines.append(f"**{title}:** not in the page ({link.reason}).")
        else:
            lines.append(f"**{title}:** [{link.address}]({link.address})")
    return lines
