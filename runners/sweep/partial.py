"""The partial folder beside a sweep's output: the finished chunks kept there (checked against their
checksums) until the sweep completes, so that Ctrl-C loses nothing and ``--resume`` continues.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np

from runners.core.log import note as say
from runners.core.outputs import locked
from runners.sweep.planning import Plan
from runners.sweep.work import checksum_path, chunk_intact, chunk_path, load_chunk


def chunk_file(folder: Path, index: int) -> Path:
    """Where chunk ``index`` of the sweep waits in ``folder`` (a Path)."""
    return Path(chunk_path(str(folder), index))


def chunk_ok(path: Path, shape: tuple[int, ...]) -> bool:
    """True when ``path`` is a complete chunk of ``shape`` (runs, years, columns); a truncated or
    foreign file is not."""
    try:
        data = load_chunk(str(path), mmap=True)
        ok = data.shape == shape and data.dtype == np.float64
        del data
        return ok
    except (OSError, ValueError, EOFError):
        return False


def check_kept(the_plan: Plan, folder: Path) -> list[int]:
    """The chunks still to run: those not kept in ``folder``, and those kept but damaged (their
    checksum does not match, or a wrong shape), which are deleted. Says on stderr how many were
    kept and which were damaged."""
    todo: list[int] = []
    damaged: list[str] = []
    width = (len(the_plan.years), len(the_plan.columns))
    for i, (start, stop) in enumerate(the_plan.chunks):
        path = chunk_file(folder, i)
        side = Path(checksum_path(str(folder), i))
        if path.is_file():
            why = chunk_intact(str(folder), i)
            if why is None and not chunk_ok(path, (stop - start, *width)):
                why = "not of this sweep's shape"
            if why is None:
                continue
            damaged.append(f"{path.name} ({why})")
        for stale in (path, side):
            if stale.is_file() or stale.is_symlink():
                stale.unlink()
        todo.append(i)
    n = len(the_plan.chunks)
    if n - len(todo) or damaged:
        note = f"snowball: kept {n - len(todo)} of {n} chunks in {folder} (checksums verified)"
        if damaged:
            shown = ", ".join(damaged[:5]) + (", ..." if len(damaged) > 5 else "")
            note += f"; {len(damaged)} damaged, recomputed: {shown}"
        say(note)
    return todo


def kept_chunks(the_plan: Plan, folder: Path) -> int:
    """How many of the plan's chunks are saved in ``folder`` with their checksum (kept for
    --resume; the checksum is written last)."""
    return sum(
        1
        for i in range(len(the_plan.chunks))
        if chunk_file(folder, i).is_file() and Path(checksum_path(str(folder), i)).is_file()
    )


def partial_dir(out: Path) -> Path:
    """Where finished chunks wait (beside the output folder) until the sweep completes."""
    return out.parent / f".{out.name}.partial"


def prepare_partial(folder: Path, the_plan: Plan, resume: bool) -> Plan:
    """Keep the finished chunks for ``resume`` when the plan's key matches (and cut the runs into
    chunks as they were cut then); otherwise discard them (saying so). Returns the plan to run."""
    key_file = folder / "key.txt"
    lines = key_file.read_text().split() if key_file.is_file() else []
    # key.txt: the plan's key, then the runs per chunk (absent before work chunks were sized)
    same = 1 <= len(lines) <= 2 and lines[0] == the_plan.key and all(x.isdigit() for x in lines[1:])
    if resume and same:
        the_plan = dataclasses.replace(the_plan, chunk_runs=int(lines[1]) if len(lines) == 2 else 0)
    chunks = sorted(folder.glob("chunk-*.npy"))
    if not (resume and same):
        if chunks and resume:
            say(
                f"snowball: the spec, model or data changed since {folder} was started; "
                f"discarding its {len(chunks)} finished chunk(s) and starting afresh"
            )
        elif chunks:
            say(
                f"snowball: {folder} holds {len(chunks)} finished chunk(s) of an earlier sweep; "
                "discarding them (pass --resume to continue from them instead)"
            )
        for child in folder.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    key_file.write_text(f"{the_plan.key}\n{the_plan.chunk_runs or the_plan.spec.chunk}\n")
    return the_plan


def sweep_lock(folder: Path, out: Path):
    """Hold an exclusive lock on the partial folder: two sweeps never write one --out at once."""
    return locked(
        folder,
        busy=f"--out {out}: another sweep is writing there now (it holds {folder}); "
        "wait for it to finish or choose another --out",
    )
