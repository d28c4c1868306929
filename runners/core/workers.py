"""Worker processes that die with the process that started them: a sweep's, and the charts' writers.

Where the platform has it they are forked from a fork server that has imported the engine once
(``runners.core.workerenv``, then ``runners.sweep.work``); elsewhere (Windows) they are spawned.
"""

from __future__ import annotations

import os
import sys
import time

PARENT_CHECK_SECONDS = 1.0


def watch_parent(sweep: int) -> None:
    """In a worker: exit as soon as the sweep's process (pid ``sweep``) dies, even by SIGKILL.

    A worker forked by the fork server (Linux, macOS) first lets go of the server's "alive" pipe,
    which it inherited, so that the server sees the sweep's death and exits; on Linux the kernel
    then sends the worker SIGKILL (prctl PR_SET_PDEATHSIG, bound to the process that started it).
    Everywhere, a daemon thread checks once a second that the process that started it and the
    sweep's process are still there, and exits if not.
    """
    import threading

    try:  # a fork-server worker holds the write end of the server's alive pipe: close it
        from multiprocessing import forkserver

        server = forkserver._forkserver
        if getattr(server, "_forkserver_alive_fd", None) is not None:
            os.close(server._forkserver_alive_fd)
            server._forkserver_alive_fd = None
    except (ImportError, AttributeError, OSError):  # pragma: no cover - another Python's layout
        pass
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the thread still watches
            pass
    parent = os.getppid()  # the sweep's process, or the fork server

    def gone() -> bool:
        if os.getppid() != parent:
            return True
        try:
            os.kill(sweep, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # pragma: no cover - there, but not ours to signal
            return False
        return False

    def watch() -> None:
        while True:
            if gone():
                os._exit(1)
            time.sleep(PARENT_CHECK_SECONDS)

    if parent == 1 or gone():  # the sweep died before we started
        os._exit(1)
    threading.Thread(target=watch, name="snowball-parent-watch", daemon=True).start()


def share_main_path() -> None:
    """Tell the fork server (``runners.core.workerenv``) the path multiprocessing would import
    into each worker as its ``__main__`` (the parent's script; none from a notebook, the REPL or
    ``python -m``), so that no worker runs the script again: ``api.sweep`` then works from a
    plain script without an ``if __name__ == "__main__":`` guard."""
    from multiprocessing import spawn

    path = spawn.get_preparation_data("snowball-worker").get("init_main_from_path")
    if path:
        os.environ["SNOWBALL_PARENT_MAIN"] = path
    else:
        os.environ.pop("SNOWBALL_PARENT_MAIN", None)


def worker_processes(workers: int):
    """A ProcessPoolExecutor of ``workers`` processes that die with this one (:func:`watch_parent`).

    Where the platform has it, they are forked from the fork server, which has imported the engine
    (``runners.core.workerenv``, then ``runners.sweep.work``: named, not imported here) once;
    elsewhere (Windows) they are spawned.
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    if "forkserver" in mp.get_all_start_methods():
        share_main_path()
        context = mp.get_context("forkserver")
        context.set_forkserver_preload(["runners.core.workerenv", "runners.sweep.work"])
    else:  # pragma: no cover - Windows
        context = mp.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=watch_parent, initargs=(os.getpid(),)
    )
