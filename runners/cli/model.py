"""The commands about the model itself: check (units), model (the data and sketch in the .mdl)
and diagram (a stock-and-flow drawing of every view)."""

from __future__ import annotations

import argparse
from pathlib import Path

from runners.cli import common
from runners.cli.common import add_force, out_folder


def cmd_check(args: argparse.Namespace) -> int:
    """snowball check [--model PATH]: dimensional analysis of every equation; 1 if units disagree."""
    from runners.core.paths import MODEL_FILE
    from runners.mdl.units import check_units, format_report

    report = check_units(Path(args.model) if args.model else MODEL_FILE)
    print(format_report(report))
    return 1 if report.mismatches else 0


def cmd_model(args: argparse.Namespace) -> int:
    """snowball model --write-data | --write-sketch | --check: the data and the sketch in the .mdl."""
    from runners.mdl import sketch
    from runners.mdl.model_data import model_command

    if args.write_sketch:
        return sketch.sketch_command(write=True)
    status = model_command(write=args.write_data)
    if args.check:
        status = max(status, sketch.sketch_command(write=False))
    return status


def cmd_diagram(args: argparse.Namespace) -> int:
    """snowball diagram [--out DIR] [--format png|dot]: a stock-and-flow diagram of every view."""
    from runners.report.diagram import write_diagrams

    out = Path(args.out) if args.out else common.REPORTS / "diagrams"
    n, drawn = write_diagrams(out, args.format, args.force, args.command_line)
    kinds = "the .png drawings and their Graphviz .dot sources" if drawn else "Graphviz .dot sources"
    print(f"wrote {n} view diagrams ({kinds}) and manifest.json to {out}")
    return 0


def add_check(sub) -> None:
    """``snowball check``."""
    p = sub.add_parser("check", help="check the units of every equation of the model (exit 1 on a mismatch)")
    p.add_argument("--model", help="a Vensim .mdl (default models/snowball.mdl)")
    p.set_defaults(func=cmd_check)


def add_model(sub) -> None:
    """``snowball model``."""
    p = sub.add_parser("model", help="write data/'s default-vintage values into the .mdl, or check them")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--write-data", action="store_true", help="write them (make model-data)")
    how.add_argument(
        "--write-sketch",
        action="store_true",
        help="write the views' stock-and-flow sketch (make model-sketch)",
    )
    how.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when the .mdl disagrees with data/ or its sketch is stale",
    )
    p.set_defaults(func=cmd_model)


def add_diagram(sub) -> None:
    """``snowball diagram``."""
    p = sub.add_parser("diagram", help="draw a stock-and-flow diagram of every view of the model")
    p.add_argument("--out", type=out_folder, help="output folder (default reports/diagrams/)")
    p.add_argument(
        "--format",
        choices=("png", "dot"),
        default="png",
        help="png (each view of the .mdl's sketch, drawn as Vensim draws it) or dot (Graphviz sources only)",
    )
    add_force(p)
    p.set_defaults(func=cmd_diagram)
