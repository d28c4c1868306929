"""A Dask cluster for a sweep: reaching its scheduler (checked to be one), and the chunks run there."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Protocol

from runners.core.errors import SnowballError
from runners.sweep.planning import Plan
from runners.sweep.work import Stored, load_chunk, on_parts, run_and_digest, take


class ClusterPool(Protocol):
    """What the cluster's work needs of ``runners.sweep.pool.Pool`` (declared here: the pool calls
    this module, not the other way round)."""

    client: object
    chunks: dict[int, object]

    @property
    def size(self) -> int: ...

    def wait_live(self, futures: list, every: bool = False) -> list: ...

    def result(self, future) -> object: ...


SCHEDULER = re.compile(r"^(tcp|tls|inproc|ucx|ws|wss)://\S+$|^[^/:\s]+:\d+$")  # a Dask address
SCHEDULER_TIMEOUT = "10s"  # how long to try to reach a Dask scheduler (its port accepting connections)
HANDSHAKE_TIMEOUT = 10.0  # seconds for what answers there to identify itself as a Dask scheduler
NO_WORKER_TIMEOUT = 30.0  # seconds a cluster may have no live worker before the sweep stops
CLUSTER_POLL = 1.0  # seconds between checks that the cluster has a live worker


class NoLiveWorker(Exception):
    """The Dask cluster has had no live worker for NO_WORKER_TIMEOUT seconds."""


def probe_scheduler(address: str) -> None:
    """Check that a Dask scheduler answers at ``address``: its port accepts a connection within
    SCHEDULER_TIMEOUT (tcp and tls addresses) and it identifies itself as a scheduler within
    HANDSHAKE_TIMEOUT, asked from a thread of its own (so a caller's event loop, such as
    Jupyter's, is left alone). distributed's own client waits for the handshake without limit:
    an HTTP server on the port held it for ever."""
    import asyncio
    import socket

    from dask.utils import parse_timedelta
    from distributed.comm import connect, parse_address
    from distributed.comm.addressing import parse_host_port
    from distributed.security import Security

    reach = float(parse_timedelta(SCHEDULER_TIMEOUT))
    scheme, location = parse_address(address)
    if scheme in ("tcp", "tls"):
        host, port = parse_host_port(location)
        deadline = time.monotonic() + reach
        while True:
            try:
                socket.create_connection((host, port), timeout=reach).close()
                break
            except OSError as exc:  # refused while a scheduler starts: try until the deadline
                if time.monotonic() >= deadline:
                    raise SnowballError(
                        f"--scheduler {address}: cannot reach the Dask scheduler ({exc.strerror or exc})"
                    ) from None
                time.sleep(0.2)
    answer: dict = {}

    security = Security().get_connection_args("client")  # TLS settings from dask's config, as Client

    async def ask() -> object:
        comm = await connect(address, timeout=reach, **security)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    def run() -> None:
        try:
            answer["reply"] = asyncio.run(asyncio.wait_for(ask(), HANDSHAKE_TIMEOUT))
        except BaseException as exc:  # reported by the caller below
            answer["error"] = exc

    thread = threading.Thread(target=run, name="snowball-scheduler-probe", daemon=True)
    thread.start()
    thread.join(HANDSHAKE_TIMEOUT + 2)
    error = answer.get("error")
    if "reply" not in answer and (thread.is_alive() or isinstance(error, TimeoutError)):
        raise SnowballError(
            f"--scheduler {address}: no Dask scheduler answered within {HANDSHAKE_TIMEOUT:g} s "
            "(something there accepts connections but does not speak Dask's protocol)"
        )
    if "reply" not in answer:
        raise SnowballError(f"--scheduler {address}: cannot reach the Dask scheduler ({error})")
    reply = answer["reply"]
    kind = reply.get("type") if isinstance(reply, dict) else None
    if kind != "Scheduler":
        what = f"a Dask {kind}" if isinstance(kind, str) else "not Dask"
        raise SnowballError(f"--scheduler {address}: what answers there is {what}, not a Dask scheduler")


def run_on_cluster(
    the_plan: Plan, todo: list[int], pool: ClusterPool, finished: Callable, where: tuple
) -> None:
    """The chunks on the cluster, a bounded number in flight; each chunk's full results stay on the
    cluster (``pool.chunks``) for the output tasks, and come back once to be saved for --resume.
    A cluster left with no live worker stops the sweep (:meth:`Pool.wait_live`)."""
    client = pool.client
    waiting = list(todo)
    limit = max(4, 2 * pool.size)
    index: dict[str, int] = {}
    pending: list = []

    def submit(i: int):
        fut = client.submit(run_and_digest, the_plan.job(i), *where, key=f"snowball-{the_plan.key[:12]}-{i}")
        index[fut.key] = i
        pending.append(fut)
        return fut

    try:
        for i in waiting[:limit]:
            submit(i)
        waiting = waiting[limit:]
        while pending:
            for fut in sorted(pool.wait_live(pending), key=lambda f: index[f.key]):
                i = index.pop(fut.key)
                finished(i, pool.result(fut))
                pool.chunks[i] = client.submit(_first, fut, key=f"snowball-{the_plan.key[:12]}-{i}-data")
                pending.remove(fut)
                if waiting:
                    submit(waiting.pop(0))
    finally:
        for fut in pending:
            fut.cancel()


def _first(pair: tuple) -> object:
    """The first item of a pair (a chunk's full results, kept on the cluster)."""
    return pair[0]


def connect(scheduler: str):
    """A client of the Dask scheduler at ``scheduler`` (:func:`probe_scheduler` first), once the
    cluster has a worker; none joining within NO_WORKER_TIMEOUT is a one-line error."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - the dask extra is not installed
        raise SnowballError("--scheduler needs the dask extra: pip install 'snowball[dask]'") from None
    try:
        probe_scheduler(scheduler)
        client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise SnowballError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})") from None
    try:
        client.wait_for_workers(1, timeout=NO_WORKER_TIMEOUT)
    except TimeoutError:
        client.close()
        raise SnowballError(
            f"--scheduler {scheduler}: the Dask scheduler has no worker, and none joined within "
            f"{NO_WORKER_TIMEOUT:g} s (start some with: dask worker {scheduler})"
        ) from None
    return client


def map_on_cluster(pool: ClusterPool, fn: Callable, chunks: Stored, tasks: list[tuple]) -> Callable[[], list]:
    """:meth:`Pool.submit_blocks` on the cluster: each block joined there from the chunks the cluster
    holds (``pool.chunks``; those kept from an interrupted run are sent from this machine's disk)."""
    client = pool.client
    missing = [i for i in range(len(chunks.chunks)) if i not in pool.chunks]
    for i in missing:  # kept from an interrupted run (--resume): sent from this machine's disk
        try:
            pool.chunks[i] = client.scatter(load_chunk(chunks.path(i)), timeout=NO_WORKER_TIMEOUT)
        except TimeoutError:
            raise NoLiveWorker() from None
    futures = []
    for years, column, *rest in tasks:
        parts = [
            client.submit(take, pool.chunks[i], years, column, pure=False) for i in range(len(chunks.chunks))
        ]
        futures.append(client.submit(on_parts, fn, parts, chunks.failed, *rest, pure=False))

    def results() -> list:
        pool.wait_live(futures, every=True)
        return [pool.result(f) for f in futures]

    return results


def wait_live(client, futures: list, every: bool = False) -> list:
    """Wait on the cluster for the first of ``futures`` to finish (all of them when ``every``)
    and return those finished (:func:`live`)."""
    from distributed import wait

    when = "ALL_COMPLETED" if every else "FIRST_COMPLETED"
    return live(client, lambda: list(wait(futures, timeout=CLUSTER_POLL, return_when=when).done))


def result(client, future) -> object:
    """A future's result, fetched from the cluster (:func:`live`: the worker that held it may be
    lost after it finished, and the task then waits to run again)."""
    return live(client, lambda: future.result(timeout=CLUSTER_POLL))


def live(client, attempt: Callable[[], object]) -> object:
    """``attempt()`` (a cluster call that raises TimeoutError after CLUSTER_POLL seconds) until it
    returns, checking between tries that the cluster has a live worker; raises NoLiveWorker when
    it has had none for NO_WORKER_TIMEOUT seconds (the only worker lost, none to replace it: the
    tasks would wait for ever)."""
    alone_since = None
    while True:
        try:
            return attempt()
        except TimeoutError:
            pass
        if client.nthreads():
            alone_since = None
            continue
        now = time.monotonic()
        alone_since = alone_since if alone_since is not None else now
        if now - alone_since >= NO_WORKER_TIMEOUT:
            raise NoLiveWorker()
