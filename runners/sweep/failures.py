"""The one-line errors of a sweep that lost a worker process, its Dask workers or its scheduler, each
saying which chunks were kept and the command that continues.
"""

from __future__ import annotations

import sys
from concurrent.futures import BrokenExecutor
from pathlib import Path

from runners.core.errors import SnowballError
from runners.sweep import dask_cluster
from runners.sweep.planning import Plan
from runners.sweep.spec import SweepSpec


def resume_hint(spec: SweepSpec, out: Path, default_out: Path, scheduler: str | None = None) -> str:
    """The command that continues an interrupted sweep from its kept chunks."""
    return (
        f"snowball sweep {spec.path} --resume"
        + (f" --out {out}" if out != default_out else "")
        + (f" --scheduler {scheduler}" if scheduler else "")
    )


def a_scheduler_lost(exc: BaseException, scheduler: str | None) -> bool:
    """True for what a sweep on a cluster gets when its scheduler goes away: its futures cancelled
    ("scheduler-connection-lost") or the connection closed."""
    from concurrent.futures import CancelledError

    distributed = sys.modules.get("distributed")
    if scheduler is None or distributed is None:
        return False
    from distributed.comm.core import CommClosedError

    return isinstance(exc, CancelledError | CommClosedError)


def what_was_kept(the_plan: Plan, folder: Path, kept: int, hint: str) -> str:
    """The end of a lost-worker or lost-cluster error: which chunks were kept and how to go on."""
    if kept:
        return f"{kept} of {len(the_plan.chunks)} chunks are kept in {folder}; continue with: {hint}"
    return "no chunk had finished, so nothing was kept"


def scheduler_lost_error(
    spec: SweepSpec, the_plan: Plan, folder: Path, kept: int, hint: str, scheduler: str | None
) -> SnowballError:
    """The one-line error for a Dask scheduler that went away during the sweep."""
    where = what_was_kept(the_plan, folder, kept, hint)
    return SnowballError(
        f"sweep {spec.name}: lost the connection to the Dask scheduler at {scheduler}; {where}"
    )


def no_live_worker_error(
    spec: SweepSpec, the_plan: Plan, folder: Path, kept: int, hint: str, scheduler: str | None
) -> SnowballError:
    """The one-line error for a Dask cluster left without a live worker (:class:`NoLiveWorker`)."""
    where = what_was_kept(the_plan, folder, kept, hint)
    return SnowballError(
        f"sweep {spec.name}: the Dask cluster at {scheduler} has had no live worker for "
        f"{dask_cluster.NO_WORKER_TIMEOUT:g} s (its workers were lost and none replaced them); {where}"
    )


def a_worker_died(exc: BaseException) -> bool:
    """True for the error a lost worker process gives: the process pool's, or a Dask cluster's
    after it retried the task on other workers (``distributed.scheduler.allowed-failures``)."""
    if isinstance(exc, BrokenExecutor):
        return True
    distributed = sys.modules.get("distributed")
    return distributed is not None and isinstance(exc, distributed.KilledWorker)


def why_it_died(exit_codes: list[int]) -> str:
    """How a worker process ended, from the pool's exit codes (negative: the signal; the pool
    sends SIGTERM to the others once one has died, so another code is the one that tells)."""
    import signal

    telling = [c for c in exit_codes if c != -signal.SIGTERM] or exit_codes
    if not telling:
        return "it ended without a word (killed by the system, e.g. for lack of memory)"
    code = telling[0]
    if code == -signal.SIGKILL:
        return "it was killed by signal 9 (SIGKILL, which the system's out-of-memory killer sends)"
    if code < 0:
        return f"it was killed by signal {-code} ({signal.Signals(-code).name})"
    return f"it exited with status {code} (an error in the worker process, before or between runs)"


def worker_died_error(
    spec: SweepSpec, the_plan: Plan, folder: Path, kept: int, hint: str, exit_codes: list[int] | None = None
) -> SnowballError:
    """The one-line error for a worker process that died, saying how (:func:`why_it_died`)."""
    where = what_was_kept(the_plan, folder, kept, hint)
    return SnowballError(
        f"sweep {spec.name}: a worker process died: {why_it_died(exit_codes or [])}; "
        f"{where} (fewer --workers use less memory)"
    )
