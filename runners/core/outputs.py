"""Write output folders atomically and safely: build in a temporary sibling, then move into place.

A failed run therefore never leaves a half-written folder, and a finished one is only replaced
once its successor is complete. Every folder Snowball writes carries a marker file
(:data:`MARKER`) listing the files it wrote, each with its size and sha256 as written, and the
folders; a folder is replaced only when it is new, empty, or holds nothing but what its marker
lists, and no file git tracks. One of its files edited since (its size or sha256 differs) is
replaced only with ``--force``, the one thing ``--force`` widens: a user's file, a folder Snowball
did not write or a repository's file is never deleted, and nothing ever replaces a file, the
current folder, ``/``, the home folder, the repository, ``data/``, ``models/``, anything inside
``data/`` or ``models/``, or a folder that holds one of them.

Replacements of one folder are serialised by a lock on its parent (checks take it shared, so a
check never sees a folder half-replaced), and each temporary folder is locked by the process
writing it: a killed run's temporary folder, whose lock died with it, is removed by the next
output written into the same parent.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import stat
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from runners.core.columns import BY_NAME, RATING_COLUMN
from runners.core.errors import SnowballError
from runners.core.paths import MODELS, REPO, data_dir

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux/macOS
    fcntl = None  # type: ignore[assignment]

MARKER = ".snowball-output"
MARKER_TEXT = "This folder was written by snowball; `--out` may replace it as a whole.\n"
# the list in markers written before they recorded hashes (their files are taken as unedited)
MARKER_LIST = "The files it wrote (any other file here is a user's, and keeps it from being replaced):\n"
MARKER_HASHES = (
    "The files it wrote, each as its sha256, size in bytes and path (one edited since is replaced "
    "only with --force; any other file here is a user's, and keeps it from being replaced), then "
    "its folders:\n"
)
HASHED = re.compile(r"^([0-9a-f]{64}) ([0-9]+) (.+)$")  # a file's line in MARKER_HASHES' list
# a hidden folder atomic_dir writes beside an output (tmp) or moves the previous output to (old)
DEBRIS = re.compile(r"^\..+\.(tmp|old)-[0-9a-f]{8}$")
BEING_WRITTEN = "Being written by process "  # the marker's second line while atomic_dir writes


def written_files(folder: Path) -> list[str]:
    """Every file in an output folder ('/'-separated paths, sorted) but the marker: what a
    manifest hashes and the marker lists (the marker itself is bookkeeping, rewritten last)."""
    files = (p.relative_to(folder).as_posix() for p in Path(folder).rglob("*") if p.is_file())
    return sorted(f for f in files if f != MARKER)


def written_folders(folder: Path) -> list[str]:
    """Every folder inside an output folder, each as 'path/' (sorted): listed in the marker too."""
    return sorted(p.relative_to(folder).as_posix() + "/" for p in Path(folder).rglob("*") if p.is_dir())


def _sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in blocks."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


# digests a writer already computed of the files in its temporary folder (note_digests), by folder
_NOTED: dict[Path, dict[str, tuple[tuple[int, int, int], str]]] = {}


def _identity(st: os.stat_result) -> tuple[int, int, int]:
    """What a noted digest is checked against: the file's inode, size and time of last write."""
    return st.st_ino, st.st_size, st.st_mtime_ns


def note_digests(folder: Path, digests: Mapping[str, str]) -> None:
    """Tell :func:`atomic_dir` the sha256 of files in its temporary ``folder`` (by path inside it)
    that the writer has computed already (for its manifest), so the marker does not read them
    again; a file changed since (its inode, size or time differs) is read after all."""
    noted = _NOTED.setdefault(Path(folder), {})
    for name, digest in digests.items():
        with contextlib.suppress(OSError):
            noted[name] = (_identity((Path(folder) / name).stat()), digest)


def marker_text(folder: Path) -> str:
    """The marker for an output folder: MARKER_TEXT, then every file in it as 'sha256 size path'
    and every folder as 'path/', one a line."""
    noted = _NOTED.get(Path(folder), {})
    lines = []
    for name in written_files(folder):
        st = (Path(folder) / name).stat()
        known = noted.get(name)
        digest = known[1] if known and known[0] == _identity(st) else _sha256(Path(folder) / name)
        lines.append(f"{digest} {st.st_size} {name}\n")
    lines += [f"{name}\n" for name in written_folders(folder)]
    return MARKER_TEXT + MARKER_HASHES + "".join(lines)


def output_name(name: str, fallback: str = "output") -> str:
    """A safe folder name from a file stem: no separator, never '', '.' or '..'.

    Characters other than letters, digits, '.', '_' and '-' become '-'; leading dots are dropped
    (an output never hides itself).
    """
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", name).lstrip(".").strip("-")
    return clean if clean and clean not in (".", "..") else fallback


def _protected() -> list[Path]:
    """Folders an output may never replace (nor any folder that holds one of them)."""
    places = [lambda: Path("/"), Path.home, Path.cwd, lambda: REPO, lambda: REPO / "data"]
    places += [lambda: MODELS, data_dir]
    resolved = []
    for place in places:
        with contextlib.suppress(OSError, RuntimeError, KeyError):
            resolved.append(place().resolve())
    return resolved


def _inside_protected() -> list[Path]:
    """Folders whose contents an output may never replace (the model and its data)."""
    out = []
    for place in (lambda: REPO / "data", lambda: MODELS, data_dir):
        with contextlib.suppress(OSError, RuntimeError):
            out.append(place().resolve())
    return out


# what a folder written before the marker existed may hold (run, compare, brief, sweep, bench)
LEGACY_FILES = {
    "results.csv", "columns.csv", "run.json", "compare.csv", "manifest.json", "params.csv",
    "runs.parquet", "summary.csv", "sensitivity.csv", "calibration.csv", "fan.png", "tornado.png",
    "briefing.html", "briefing.md", "charts", "tables", "bench.json",
}  # fmt: skip


def _marker_listing(folder: Path) -> dict[str, tuple[int, str] | None] | None:
    """What ``folder``'s marker lists (folders as 'path/'), each file with its size and sha256 as
    written (None in a marker from before markers recorded them); None for a marker written
    before markers listed their files; raises FileNotFoundError when there is no marker (or it is
    a link)."""
    marker = folder / MARKER
    if marker.is_symlink() or not marker.is_file():
        raise FileNotFoundError(errno.ENOENT, "no marker", str(marker))
    text = marker.read_text(encoding="utf-8", errors="replace")
    header = next((h for h in (MARKER_HASHES, MARKER_LIST) if h in text), None)
    if not text.startswith(MARKER_TEXT) or header is None:
        return None
    listing: dict[str, tuple[int, str] | None] = {}
    for line in text.split(header, 1)[1].splitlines():
        hashed = HASHED.match(line) if header == MARKER_HASHES else None
        if hashed:
            listing[hashed[3]] = (int(hashed[2]), hashed[1])
        else:
            listing[line] = None
    return listing


def _legacy(folder: Path) -> bool:
    """An output written before the marker existed: only Snowball's own file names, and a run.json
    or manifest.json that records a snowball_version."""
    try:
        names = {p.name for p in folder.iterdir()}
        if not names or not names <= LEGACY_FILES:
            return False
        for record in ("run.json", "manifest.json"):
            path = folder / record
            if path.is_file() and path.stat().st_size < 10_000_000:
                doc = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(doc, dict) and "snowball_version" in doc:
                    return True
    except (OSError, ValueError):
        return False
    return False


def _owned_by(listing: Mapping[str, object] | None) -> tuple[set[str], set[str], bool]:
    """The files and folders a marker vouches for, and whether it vouches by name alone (a marker
    that lists nothing, or none at all: Snowball's own top-level names, anything beneath them)."""
    if listing is None:
        return set(LEGACY_FILES), set(LEGACY_FILES), True
    files = {f for f in listing if f and not f.endswith("/")}
    folders = {f[:-1] for f in listing if f.endswith("/")}
    for path in list(files) + list(folders):
        parts = path.split("/")
        folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
    return files, folders, False


def not_snowballs(folder: Path) -> tuple[bool, list[str]]:
    """Whether ``folder`` carries Snowball's marker (or is a legacy output), and every entry in it
    Snowball did not write, sorted: a file or link its marker does not list, a folder it did not
    write that holds nothing else (as 'path/'). Raises OSError when the folder cannot be read."""
    try:
        listing = _marker_listing(folder)
        marked = True
    except FileNotFoundError:
        marked, listing = _legacy(folder), None
    files, folders, by_name = _owned_by(listing) if marked else (set(), set(), False)

    def owned(path: str, is_dir: bool) -> bool:
        if by_name:
            top = path.split("/", 1)[0]
            return top in LEGACY_FILES and (is_dir or "/" in path or top not in ("charts", "tables"))
        return path in (folders if is_dir else files)

    found: list[str] = []

    def walk(here: Path, prefix: str) -> bool:
        """Record what under ``here`` is not Snowball's; False when it holds nothing at all."""
        with os.scandir(here) as scan:
            entries = sorted(scan, key=lambda e: e.name)
        for entry in entries:
            path = prefix + entry.name
            if path == MARKER and marked and entry.is_file(follow_symlinks=False):
                continue
            if entry.is_dir(follow_symlinks=False):
                if not walk(Path(entry.path), path + "/") and not owned(path, True):
                    found.append(path + "/")
            elif entry.is_symlink() or not entry.is_file(follow_symlinks=False) or not owned(path, False):
                found.append(path)
        return bool(entries)

    walk(Path(folder), "")
    return marked, sorted(found)


# sha256 of files already read by a check in this process, by path and what a write changes
_CHECKED: dict[tuple[str, int, int, int, int, int], str] = {}
SETTLED_NS = 2_000_000_000  # a file changed this long ago: one changing now gets a new ctime


def _checked_sha256(path: Path, st: os.stat_result) -> str:
    """sha256 of ``path`` (whose lstat is ``st``), read once per process while it is unchanged: a
    write changes its ctime, which a file changed seconds ago cannot keep."""
    key = (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    if key in _CHECKED:
        return _CHECKED[key]
    digest = _sha256(path)
    if time.time_ns() - st.st_ctime_ns > SETTLED_NS:
        if len(_CHECKED) > 10_000:
            _CHECKED.clear()
        _CHECKED[key] = digest
    return digest


def edited_file(folder: Path) -> str | None:
    """The first file Snowball wrote in ``folder`` that has been edited since (its size or sha256
    differs from the marker's), or None: sizes are compared first, so a file is read only when
    every size matches, and only until one differs. A file removed since is not user work (None);
    a marker from before markers recorded hashes (or none) vouches that nothing was edited.
    Raises OSError when the folder cannot be read."""
    try:
        listing = _marker_listing(Path(folder)) or {}
    except FileNotFoundError:
        return None
    same_size = []
    for name, written in sorted(listing.items()):
        if written is None or name.startswith("/") or ".." in name.split("/"):
            continue  # nothing recorded, or not a path in the folder (a marker edited by hand)
        try:
            st = (Path(folder) / name).lstat()
        except (FileNotFoundError, NotADirectoryError):
            continue
        if not stat.S_ISREG(st.st_mode):
            continue  # a link or a folder in its place: not_snowballs names it
        if st.st_size != written[0]:
            return name
        same_size.append((name, st, written[1]))
    for name, st, digest in same_size:
        if _checked_sha256(Path(folder) / name, st) != digest:
            return name
    return None


def _in_work_tree(folder: Path) -> bool:
    """Whether ``folder`` lies in a git work tree (a .git in it or a folder above it)."""
    return any((p / ".git").exists() for p in (folder, *folder.parents))


def tracked_files(folder: Path) -> list[str] | None:
    """The files under ``folder`` that git tracks (relative, sorted); [] outside a work tree, None
    when git cannot tell (not installed, or failing): then only the marker vouches for the files."""
    folder = Path(folder).absolute()
    if not _in_work_tree(folder):
        return []
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")} | {"GIT_OPTIONAL_LOCKS": "0"}
    try:
        proc = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "-z", "--", "."],
            capture_output=True,
            env=env,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    paths = (os.fsdecode(p) for p in proc.stdout.split(b"\0") if p)
    return sorted(p for p in paths if os.path.lexists(folder / p))  # not those deleted already


def _check_path(target: Path) -> None:
    """Refuse the places an output may never be: protected folders, links, files."""
    try:
        real = target.resolve()
    except (OSError, RuntimeError) as exc:
        raise SnowballError(f"--out {target}: cannot use this path ({exc})") from None
    for p in _protected():
        if real == p or p.is_relative_to(real):
            holds = "is" if real == p else "holds"
            raise SnowballError(
                f"--out {target}: refusing to replace it: it {holds} {p} (the current folder, the home "
                "folder, the repository, data/, models/ and / are never replaced); choose another --out"
            )
    for p in _inside_protected():
        if real.is_relative_to(p):
            raise SnowballError(
                f"--out {target}: refusing to write inside {p} (the model and its data); choose another --out"
            )
    if target.is_symlink():
        raise SnowballError(f"--out {target}: is a link; choose another --out (a folder path)")
    if target.exists() and not target.is_dir():
        raise SnowballError(
            f"--out {target}: exists and is not a folder snowball wrote; choose another --out "
            "(--force never replaces a file)"
        )


def _check_contents(target: Path, force: bool = False) -> None:
    """Refuse a folder that holds anything Snowball did not write, or a file git tracks; and,
    unless ``force``, one holding a file Snowball wrote that has been edited since."""
    if not target.is_dir():
        return
    try:
        marked, foreign = not_snowballs(target)
    except OSError as exc:
        raise SnowballError(f"--out {target}: cannot read the folder ({exc.strerror or exc})") from None
    tracked = tracked_files(target) if marked or foreign else []
    if tracked:
        raise SnowballError(
            f"--out {target}: holds {tracked[0]}, a file tracked by git, which replacing the folder "
            "would delete from the repository; choose another --out (not even --force replaces it)"
        )
    if foreign and not marked:
        raise SnowballError(
            f"--out {target}: exists and was not written by snowball (it holds {foreign[0]}); "
            "choose another --out (--force replaces only what snowball wrote)"
        )
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise SnowballError(
            f"--out {target}: holds files snowball did not write ({shown}), which replacing the "
            "folder would delete; move them or choose another --out (not even --force replaces them)"
        )
    if force or not marked:
        return
    try:
        edited = edited_file(target)
    except OSError as exc:
        raise SnowballError(f"--out {target}: cannot read the folder ({exc.strerror or exc})") from None
    if edited:
        raise SnowballError(
            f"--out {target}: {edited} has been edited since snowball wrote it (its size or sha256 "
            "differs from the one the folder's marker records), and replacing the folder would lose "
            "the edit; --force replaces it, or move the file or choose another --out"
        )


def _absolute(target: Path) -> Path:
    target = Path(target)
    return target.absolute() if target.name in ("", ".", "..") else target


def check_target(target: Path, force: bool = False) -> Path:
    """Refuse an output path that would lose a user's files; return it (absolute for '.' or '..').

    Allowed: a path that does not exist, an empty folder, or a folder holding only what its marker
    lists and no file git tracks, each of those files as Snowball wrote it (size and sha256 as the
    marker records them; one removed is fine) or, with ``force`` (``--force``), edited since. The
    folder is read under a shared lock on its parent, so a replacement in progress is never seen
    half done.
    """
    target = _absolute(target)
    _check_path(target)
    with _parent_lock(target, shared=True):
        _check_contents(target, force)
    return target


def check_inputs_outside(target: Path, inputs: list[Path | None]) -> None:
    """Refuse an output folder that is or holds one of the run's own input files (a scenario or
    sweep spec kept in an earlier output folder): replacing the folder would delete the input
    that the new folder's manifest names. Checked with or without ``--force``."""
    try:
        real = Path(target).resolve()
    except (OSError, RuntimeError):
        return  # check_target gives the message
    for path in inputs:
        if path is not None and Path(path).resolve().is_relative_to(real):
            raise SnowballError(
                f"--out {target}: holds {path}, an input of this run, which replacing the folder "
                "would delete; choose another --out or move the file"
            )


def make_dir(path: Path) -> Path:
    """Create ``path`` and its parents (permissions from the umask); one-line error on failure."""
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SnowballError(f"cannot create the folder {path} ({exc.strerror or exc})") from None
    return Path(path)


@contextlib.contextmanager
def locked(folder: Path, busy: str | None = None) -> Iterator[None]:
    """An exclusive lock on ``folder``: wait for it, or, given ``busy``, raise SnowballError(busy)
    at once when another process holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux/macOS
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (fcntl.LOCK_NB if busy else 0))
        except BlockingIOError:
            raise SnowballError(busy) from None
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def _parent_lock(target: Path, shared: bool = False) -> Iterator[bool]:
    """Lock ``target``'s parent folder (shared or exclusive) while the block runs; yields whether
    it is locked (False where locks are not available, or the parent does not exist yet)."""
    try:
        fd = os.open(Path(target).parent, os.O_RDONLY)
    except OSError:
        yield False
        return
    try:
        try:
            if fcntl is None:
                raise OSError(errno.ENOSYS, "no locks")
            fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            got = True
        except OSError:
            got = False
        yield got
    finally:
        os.close(fd)


def _hold(folder: Path) -> int | None:
    """Open ``folder`` and lock it exclusively for as long as the descriptor stays open (a process's
    locks die with it: how a killed run's temporary folder is told from a live one's); None when
    another holds it or it cannot be locked."""
    if fcntl is None:  # pragma: no cover - not on Linux/macOS
        return None
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _remove_tree(folder: Path) -> None:
    """Delete an output folder, its marker last (a removal cut short stays recognisable)."""
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except OSError:
        return
    for entry in entries:
        if entry.name == MARKER:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
    with contextlib.suppress(OSError):
        os.unlink(folder / MARKER)
    with contextlib.suppress(OSError):
        os.rmdir(folder)


def _is_debris(path: Path) -> bool:
    """Whether ``path`` (named like atomic_dir's hidden folders) is one a killed snowball left: a
    temporary folder whose marker names a writer on this machine that no longer runs (or lists what
    it wrote), or a previous output moved aside holding only what its marker lists. The caller
    also takes the writer's lock (held while it runs, gone when it dies)."""
    try:
        marker = path / MARKER
        if marker.is_symlink() or not marker.is_file() or marker.stat().st_size > 10_000_000:
            return False
        text = marker.read_text(encoding="utf-8", errors="replace")
        if not text.startswith(MARKER_TEXT):
            return False
        if path.name.rsplit("-", 1)[0].endswith(".old"):  # a previous output moved aside
            return not not_snowballs(path)[1]
        if MARKER_HASHES in text or MARKER_LIST in text:  # complete, killed before the swap
            return True
        writer = re.match(re.escape(MARKER_TEXT + BEING_WRITTEN) + r"(\d+) on (\S+) ", text)
        # another machine's writer cannot be looked up here; a process by that number may be it
        return bool(writer) and writer[2] == socket.gethostname() and not _alive(int(writer[1]))
    except (OSError, ValueError):
        return False


def _alive(pid: int) -> bool:
    """Whether a process numbered ``pid`` runs on this machine (this one included)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # exists (another user's), or cannot tell
    return True


def clean_debris(parent: Path) -> list[Path]:
    """Remove what killed snowball runs left in ``parent`` (call with its lock held): hidden
    folders named as atomic_dir names them, carrying the marker, whose writer's lock is gone (a
    live run's is held). Returns what was removed; never anything else."""
    if fcntl is None:  # pragma: no cover - no locks: a live run cannot be told from a dead one
        return []
    removed = []
    try:
        with os.scandir(parent) as scan:
            candidates = [
                Path(e.path) for e in scan if DEBRIS.match(e.name) and e.is_dir(follow_symlinks=False)
            ]
    except OSError:
        return []
    for path in candidates:
        fd = _hold(path) if _is_debris(path) else None
        if fd is None:
            continue
        try:
            _remove_tree(path)
            removed.append(path)
        finally:
            os.close(fd)
    return removed


def _fresh_sibling(target: Path, suffix: str) -> tuple[Path, int | None]:
    """Create an empty hidden folder beside ``target`` (permissions from the umask), locked by this
    process; return it and the descriptor that holds the lock."""
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{suffix}-{secrets.token_hex(4)}")
        try:
            tmp.mkdir()
        except FileExistsError:
            continue
        return tmp, _hold(tmp)
    raise SnowballError(f"cannot create a temporary folder beside {target}")  # pragma: no cover


def _write_error(target: Path, exc: OSError) -> SnowballError:
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENAMETOOLONG:
        reason = "the name is too long"
    return SnowballError(f"cannot write {target}: {reason}")


@contextlib.contextmanager
def atomic_dir(target: Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` only if the block succeeds.

    ``target`` is checked first and again, under an exclusive lock on its parent, just before it
    is replaced (:func:`check_target`): a folder holding anything Snowball did not write is
    refused, ``force`` or not, and one holding a file Snowball wrote that has been edited since
    unless ``force``. Debris of killed runs in the parent is removed first (:func:`clean_debris`).
    The new folder carries the marker file listing what it holds, with each file's size and sha256
    (read from the files, or as the writer noted them: :func:`note_digests`). An
    OSError while writing (disk full, permissions) becomes a one-line SnowballError and the
    previous output is kept. Of concurrent replacements the last one wins, each complete.
    """
    target = check_target(Path(target), force)
    make_dir(target.parent)
    with _parent_lock(target) as got:
        if got:
            clean_debris(target.parent)
    try:
        tmp, fd = _fresh_sibling(target, "tmp")
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        writer = f"{BEING_WRITTEN}{os.getpid()} on {socket.gethostname()} (it holds a lock on this folder).\n"
        (tmp / MARKER).write_text(MARKER_TEXT + writer, encoding="utf-8")
        yield tmp
        (tmp / MARKER).write_text(marker_text(tmp), encoding="utf-8")  # what a later run may replace
        with _parent_lock(target):
            _check_path(target)  # unchanged while we were writing?
            _check_contents(target, force)
            if target.exists():
                old = target.with_name(f".{target.name}.old-{secrets.token_hex(4)}")
                target.rename(old)
                tmp.rename(target)
                _remove_tree(old)
            else:
                tmp.rename(target)
    except OSError as exc:
        _remove_tree(tmp)
        raise _write_error(target, exc) from None
    except BaseException:
        _remove_tree(tmp)
        raise
    finally:
        _NOTED.pop(tmp, None)
        if fd is not None:
            os.close(fd)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Byte-stable CSV: fixed float format and line endings."""
    frame.to_csv(path, float_format="%.6f", lineterminator="\n")


def write_json(obj: object, path: Path) -> None:
    """Byte-stable JSON: sorted keys, two-space indent, trailing newline."""
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")


# how each kind of column is reported (runners.core.columns.Column.kind): the project's conventions in words
REPORTED = {
    "stock": "at the fiscal-year end",
    "flow": "fiscal-year total",
    "mean": "fiscal-year average",
    "ratio": "ratio of the columns in its definition",
}


def column_table() -> pd.DataFrame:
    """The column registry as a table (written beside results), with how each column is reported:
    a stock at the fiscal-year end, a flow as the fiscal-year total, a price or yield as the
    fiscal-year average, or a ratio of other columns."""
    rows = []
    for c in BY_NAME.values():
        rows.append((c.name, c.label, c.unit, c.definition, REPORTED[c.kind]))
        if c.name == "credit_rating_notch":  # results.csv's label column follows it
            rows.append((*RATING_COLUMN, REPORTED["stock"]))
    columns = ["column", "label", "unit", "definition", "reported"]
    return pd.DataFrame(rows, columns=columns).set_index("column")
