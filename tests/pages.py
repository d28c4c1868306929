"""The README and the documentation pages as the tests read them: a page, a section by its heading."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from runners.core.paths import REPO

DOCS = REPO / "docs"
README = (REPO / "README.md").read_text(encoding="utf-8")


def generator():
    """docs/gen/reference.py, the module that writes the generated reference pages."""
    if str(DOCS / "gen") not in sys.path:
        sys.path.insert(0, str(DOCS / "gen"))
    import reference

    return reference


def hand_written() -> list[Path]:
    """Every Markdown page of docs/ that is committed (not the build, not the generated pages)."""
    return sorted(
        p for p in DOCS.rglob("*.md") if not {"_build", "generated"} & set(p.relative_to(DOCS).parts)
    )


def page(name: str) -> str:
    """The text of docs/NAME.md (``name`` without the suffix, e.g. ``howto/scenario``)."""
    return (DOCS / f"{name}.md").read_text(encoding="utf-8")


def all_pages() -> str:
    """Every hand-written page's text, one after the other."""
    return "\n".join(p.read_text(encoding="utf-8") for p in hand_written())


def section(name: str, heading: str) -> str:
    """The text under ``heading`` in docs/NAME.md (``README`` for the README), up to the next
    heading of the same or a higher level (outside code blocks)."""
    text = README if name == "README" else page(name)
    level = heading.split(" ", 1)[0]
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    out, code = [], False
    for line in lines[start + 1 :]:
        if line.startswith("```"):
            code = not code
        if not code and re.match(rf"#{{1,{len(level)}}} ", line):
            break
        out.append(line)
    return "".join(out)
