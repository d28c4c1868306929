"""``python -m runners.cli``: the ``snowball`` command without its console script."""

import sys

from runners.cli.main import main

sys.exit(main())
