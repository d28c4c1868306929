"""Imported first by the sweep's fork server, before numpy: one BLAS thread per process, and the
parent's script adopted as the workers' ``__main__`` without running it.

Sweep workers are single-threaded by design (one per core). A fork server whose numpy had started
a pool of BLAS threads could not fork safely (and Python 3.12 warns about forking a threaded
process), so the server, and every worker forked from it, keeps BLAS to one thread.
"""

import os
import sys

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

# A worker started for a plain script (``python my_sweep.py`` with no ``if __name__ ==
# "__main__":`` guard) would run that script again before its first task (multiprocessing imports
# the parent's main file into each new process), so the script's own api.sweep call would start
# workers inside a worker and the pool would die. The workers need nothing from the script (they
# run Snowball's own functions), so the fork server takes the script's path as its ``__main__``'s
# file, as joblib's workers do not import it either: every worker forked from it then finds its
# main module already in place (multiprocessing.spawn skips a main whose file is the parent's).
_main_path = os.environ.get("SNOWBALL_PARENT_MAIN")
_main = sys.modules.get("__main__")
if _main_path and _main is not None and getattr(_main, "__file__", None) is None:
    _main.__file__ = _main_path
