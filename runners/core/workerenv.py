"""Imported first by the sweep's fork server, before numpy: one BLAS thread per process.

Sweep workers are single-threaded by design (one per core). A fork server whose numpy had started
a pool of BLAS threads could not fork safely (and Python 3.12 warns about forking a threaded
process), so the server, and every worker forked from it, keeps BLAS to one thread.
"""

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"
