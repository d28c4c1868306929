"""``python -m runners.cli``: the ``snowball`` command without its console script."""

import sys

from runners.cli.commands import main

sys.exit(main())
