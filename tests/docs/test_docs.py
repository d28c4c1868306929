"""The documentation site (issue 26): the README stays short and links to pages that exist, every
page is in the table of contents, the reference pages are generated from the code and data, and
the site builds with no warning (slow)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from pages import DOCS, README, generator, hand_written, page, section

from runners.cli import build_parser
from runners.core.paths import REPO
from runners.report.listings import parameter_table
from runners.scenario.scenarios import builtin_names


def slug(heading: str) -> str:
    """A heading's anchor as GitHub and MyST make it: lower case, punctuation dropped, spaces to -."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """The anchors of a page's headings (outside code blocks)."""
    out, code = set(), False
    for line in text.splitlines():
        if line.startswith("```"):
            code = not code
        elif not code and (m := re.match(r"#{1,6} (.*)", line)):
            out.add(slug(m.group(1)))
    return out


def toctree_entries() -> dict[str, list[str]]:
    """Each page's toctree entries, as paths relative to docs/ without the suffix."""
    entries = {}
    for path in hand_written():
        text = path.read_text(encoding="utf-8")
        for body in re.findall(r"```\{toctree\}\n(.*?)```", text, flags=re.S):
            names = [x.strip() for x in body.splitlines() if x.strip() and not x.startswith(":")]
            folder = path.parent.relative_to(DOCS)
            entries.setdefault(str(path.relative_to(DOCS)), []).extend(
                str((folder / n).as_posix()).removeprefix("./") for n in names
            )
    return entries


def test_readme_is_short():
    assert len(README.splitlines()) < 200


def test_readme_links_to_pages_and_headings_that_exist():
    links = re.findall(r"\]\((docs/[^)\s#]+)(?:#([^)\s]+))?\)", README)
    assert len({target for target, _ in links}) >= 12
    for target, anchor in links:
        assert (REPO / target).is_file(), target
        if anchor:
            assert anchor in anchors((REPO / target).read_text(encoding="utf-8")), f"{target}#{anchor}"


def test_scenario_format_is_one_click_from_the_readme():
    """The README links straight to the section that shows a scenario file, and that section shows
    one: a TOML block with a title, a vintage and [constants]."""
    assert "](docs/howto/scenario.md#writing-a-scenario)" in README
    text = section("howto/scenario", "## Writing a scenario")
    toml = re.search(r"```toml\n(.*?)```", text, flags=re.S).group(1)
    assert "title = " in toml and "baseline = " in toml and "[constants]" in toml


def test_every_page_is_in_the_table_of_contents():
    entries = toctree_entries()
    listed = {n for names in entries.values() for n in names}
    pages = {str(p.relative_to(DOCS).with_suffix("").as_posix()) for p in hand_written()}
    generated = {f"reference/generated/{name}" for name in generator().PAGES}
    assert pages - {"index"} <= listed, sorted(pages - {"index"} - listed)
    assert generated <= listed, sorted(generated - listed)
    assert listed <= pages | generated, sorted(listed - pages - generated)  # no entry without its page


def test_one_title_per_page_and_no_skipped_heading_levels():
    for path in hand_written():
        levels, code = [], False
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("```"):
                code = not code
            elif not code and (m := re.match(r"(#{1,6}) ", line)):
                levels.append(len(m.group(1)))
        assert levels[0] == 1 and levels.count(1) == 1, path.name
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), path.name


def test_reference_pages_are_generated_from_the_code_and_data():
    ref = generator()
    cli = ref.cli_page()
    parser = build_parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, sub in action.choices.items():
        assert f"\n## snowball {name}\n" in cli, name
        shown = (a for a in sub._actions if a.__class__.__name__ != "_HelpAction")
        for option in (o for a in shown for o in a.option_strings):
            assert f"`{option}`" in cli, (name, option)
    scenarios = ref.scenarios_page()
    for name in builtin_names():
        assert f"\n## {name}\n" in scenarios, name
    params = ref.parameters_page()
    for name in parameter_table()["name"]:
        assert f"| {name} |" in params, name
    for name, make in ref.PAGES.items():
        assert make().startswith("# "), name


def test_the_docs_tool_is_what_make_docs_installs():
    make = (REPO / "Makefile").read_text(encoding="utf-8")
    target = make[make.index("\ndocs: ") :].split("\n\n")[0]
    assert "sphinx -W" in target and "docs/_build/html" in target
    assert '".[test,docs]"' in make
    assert "make docs" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "Why Sphinx with MyST" in page("development")


def test_every_make_target_the_pages_name_exists():
    # the README and the pages send readers to make targets: each must be one the Makefile has
    make = (REPO / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", make, flags=re.M))
    assert {"test", "test-fast", "lint", "docs", "brief"} <= targets
    text = README + "".join(p.read_text(encoding="utf-8") for p in hand_written())
    named = set(re.findall(r"`make ([a-z][a-z-]*)", text))
    assert "test-fast" in named and named <= targets, named - targets


@pytest.mark.slow
def test_site_builds_without_warnings_and_the_same_twice(tmp_path):
    """`make docs`'s build (warnings as errors), twice: the pages come out byte for byte the same."""
    pytest.importorskip("sphinx", reason="the docs extra (make docs installs it)")
    pytest.importorskip("myst_parser", reason="the docs extra (make docs installs it)")
    outs = []
    for n in (1, 2):
        out, trees = tmp_path / f"html{n}", tmp_path / f"doctrees{n}"
        args = ["-W", "--keep-going", "-n", "-q", "-E", "-b", "html", "-d", str(trees), str(DOCS), str(out)]
        done = subprocess.run([sys.executable, "-m", "sphinx", *args], capture_output=True, text=True)
        assert done.returncode == 0 and not done.stderr.strip(), done.stderr[-2000:]
        outs.append(out)
    first = {p.relative_to(outs[0]): p.read_bytes() for p in outs[0].rglob("*.html")}
    second = {p.relative_to(outs[1]): p.read_bytes() for p in outs[1].rglob("*.html")}
    assert first.keys() == second.keys() and len(first) > 20
    assert [k for k in first if first[k] != second[k]] == []
