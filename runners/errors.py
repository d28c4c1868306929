"""One exception type for every user-facing failure, so the CLI prints one line and exits 2."""


class SnowballError(Exception):
    """A bad input or a failed run, with a message that names the file, the field and the fix."""
