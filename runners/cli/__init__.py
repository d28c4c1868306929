"""The ``snowball`` command: one module per group of commands, and the benchmark. May import every
layer below; nothing imports it.

``main`` (the console script ``runners.cli:main``) and ``build_parser`` are in :mod:`runners.cli.main`
and :mod:`runners.cli.parser`.
"""

from runners.cli.main import main
from runners.cli.parser import build_parser

__all__ = ["build_parser", "main"]
