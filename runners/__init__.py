"""Snowball runners: load the Vensim model through pysd, feed it data and scenarios, report."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("snowball")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"
