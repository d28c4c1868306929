"""``snowball explore``: the model in one self-contained web page (``explorer.html``)."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from runners.cli import common
from runners.cli.common import add_calibration, add_force, out_folder

EXPLORER_FILE = "explorer.html"


def explore_manifest(html: bytes, vintage: str, calibration: str, command: list[str] | None) -> dict:
    """What produced the page: the vintage, the supply-effect set, the model's hash, Snowball's
    version, the page's sha256 and the command line."""
    from runners import __version__
    from runners.mdl import model
    from runners.projection.params import cached_inputs

    return {
        "data_files": cached_inputs(vintage).files,
        "command": command,
        "data_vintage": vintage,
        "calibration": calibration,
        "model_file": "models/snowball.mdl",
        "model_sha256": model.model_hash(),
        "snowball_version": __version__,
        "files": {EXPLORER_FILE: {"bytes": len(html), "sha256": hashlib.sha256(html).hexdigest()}},
    }


def cmd_explore(args: argparse.Namespace) -> int:
    """snowball explore [--baseline VINTAGE] [--calibration SET] [--out DIR]: write explorer.html
    (the model, its levers and charts in one file that runs offline) and manifest.json."""
    from runners.core.outputs import atomic_dir, check_target, write_json
    from runners.projection.explorer import DEFAULT_VINTAGE
    from runners.report.explorer_page import explorer_html

    vintage = args.baseline or DEFAULT_VINTAGE
    out = Path(args.out) if args.out else common.REPORTS / "explorer"
    check_target(out, args.force)
    html = explorer_html(vintage, args.calibration).encode("utf-8")
    with atomic_dir(out, args.force) as tmp:
        (tmp / EXPLORER_FILE).write_bytes(html)
        manifest = explore_manifest(html, vintage, args.calibration, args.command_line)
        write_json(manifest, tmp / "manifest.json")
    print(f"The model in one page for the {vintage} baseline ({len(html) / 1e6:.2f} MB)")
    print(common.wrote(out))
    print(f"open {out / EXPLORER_FILE} in a browser; add #yield_shift=1 (Python names) to set levers")
    return 0


def add_explore(sub) -> None:
    """``snowball explore``."""
    p = sub.add_parser("explore", help="write the model as one self-contained web page (explorer.html)")
    p.add_argument(
        "--baseline", metavar="VINTAGE", help="baseline vintage (default cbo-2026-02; 'snowball vintages')"
    )
    p.add_argument("--out", type=out_folder, help="output folder (default reports/explorer/)")
    add_force(p)
    add_calibration(p)
    p.set_defaults(func=cmd_explore)
