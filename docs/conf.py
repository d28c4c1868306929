"""Sphinx configuration of Snowball's documentation site (MyST Markdown; `make docs`)."""

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))  # the clone's own runners, not an installed copy
sys.path.insert(0, str(DOCS / "gen"))

project = "Snowball"
author = "Snowball contributors"
copyright = "Snowball contributors"
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "gen"]
myst_heading_anchors = 3
html_theme = "furo"
html_title = "Snowball"
html_static_path: list[str] = []
html_show_sourcelink = False
html_copy_source = False


def generate(app) -> None:
    """Write the reference pages generated from the code and data (docs/gen/reference.py)."""
    import reference

    reference.write_pages(DOCS / "reference" / "generated")


def setup(app):
    app.connect("builder-inited", generate)
    return {"parallel_read_safe": True}
