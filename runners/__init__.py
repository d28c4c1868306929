"""Snowball's Python package (``runners`` is Snowball's import name; the command is ``snowball``).

It loads the Vensim model (``models/snowball.mdl``) through pysd, feeds it data and scenarios, runs
projections and sweeps, and writes results, charts and briefings. The subpackages are layers,
lowest first, each importing only those below it (docs/architecture.md, checked by ``make lint``):
``core`` < ``inputs`` < ``mdl`` < ``engine`` < ``scenario`` < ``projection`` < ``sweep`` <
``analysis`` < ``report`` < ``cli``, ``api``. The Python API is ``from runners import api``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("snowball")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"
