"""The ``snowball`` command: one module per group of commands, and the benchmark. May import every
layer below; nothing imports it.
"""

from runners.cli.commands import build_parser, main

__all__ = ["build_parser", "main"]
