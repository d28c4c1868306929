"""The default vintage's data written into the .mdl, so the model runs on its own in pysd or Vensim.

``snowball model --write-data`` (``make model-data``) writes into ``models/snowball.mdl``: every
constant and table that runners set from ``data/`` (the default vintage's values), ``INITIAL TIME``
(the vintage's initial state) and the baseline paths the premia are measured against (monthly
tables from the vintage's own baseline run, with ``baseline path on`` = 1). Only those values
change; every other byte of the file stays as it is. ``snowball model --check`` (and a test) says
whether the file and ``data/`` agree.

Runs never depend on these values: each run sets the constants and tables of its own vintage. For
the default vintage the baseline paths are read from the file instead of being recomputed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from runners.core.errors import SnowballError
from runners.core.model_time import step_times
from runners.core.paths import MODEL_FILE

PATH_VARIABLES = {
    "baseline debt to GDP path": "debt to GDP",
    "baseline interest to revenue path": "interest to revenue",
    "baseline ten year yield path": "ten year yield",
    "baseline GDP path": "nominal GDP",
}
SWITCH = "baseline path on"
POINTS_PER_LINE = 6  # a lookup's points per line (Vensim's line continuation '\' between lines)


def number(value: float) -> str:
    """The shortest text that reads back as exactly ``value`` ('2025' for 2025.0)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _range(series: pd.Series, old: tuple[float, float, float, float] | None) -> str:
    xs, ys = series.index.to_numpy(dtype=float), series.to_numpy(dtype=float)
    lo_x, lo_y, hi_x, hi_y = float(xs.min()), min(0.0, float(ys.min())), float(xs.max()), float(ys.max())
    if old is not None:
        lo_x, lo_y, hi_x, hi_y = min(lo_x, old[0]), min(lo_y, old[1]), max(hi_x, old[2]), max(hi_y, old[3])
    return f"[({number(lo_x)},{number(lo_y)})-({number(hi_x)},{number(hi_y)})]"


def lookup_text(series: pd.Series, old: tuple[float, float, float, float] | None = None) -> str:
    """A Vensim lookup body: ``[(xmin,ymin)-(xmax,ymax)],(x,y),...)`` wrapped over lines."""
    pairs = [f"({number(x)},{number(y)})" for x, y in series.sort_index().items()]
    lines = [",".join(pairs[i : i + POINTS_PER_LINE]) for i in range(0, len(pairs), POINTS_PER_LINE)]
    return _range(series, old) + "," + ",\\\n\t\t".join(lines) + ")"


def _block(text: str, name: str) -> re.Match:
    """The equation of ``name``: the name at a line start, '=' or '(', the body up to the units."""
    body = text.split("\\\\\\---///", 1)[0]
    pattern = rf"(?m)^(?P<name>{re.escape(name)})[ ]*(?P<sep>=|\()(?P<body>.*?)(?=\n\t~)"
    found = [m for m in re.finditer(pattern, body, flags=re.S)]
    if len(found) != 1:
        raise SnowballError(f"{MODEL_FILE.name}: expected one equation named '{name}', found {len(found)}")
    return found[0]


def _old_range(body: str) -> tuple[float, float, float, float] | None:
    m = re.search(r"\[\(([^,]+),([^)]+)\)-\(([^,]+),([^)]+)\)\]", body)
    return tuple(float(g) for g in m.groups()) if m else None  # type: ignore[return-value]


def write_values(text: str, values: dict[str, object]) -> str:
    """``text`` with each named constant's or table's value replaced; nothing else changes."""
    for name, value in values.items():
        m = _block(text, name)
        if isinstance(value, pd.Series):
            if m["sep"] != "(":
                raise SnowballError(f"{MODEL_FILE.name}: '{name}' is not a lookup table")
            new = "\n\t" + lookup_text(value, _old_range(m["body"]))
        else:
            if m["sep"] != "=":
                raise SnowballError(f"{MODEL_FILE.name}: '{name}' is not a constant")
            new = "\n\t" + number(float(value))  # type: ignore[arg-type]
            if not m["body"].startswith("\n"):
                new = " " + number(float(value))  # the 'INITIAL TIME  = 2024' form
        text = text[: m.start("body")] + new + text[m.end("body") :]
    return text


def read_values(text: str, names: list[str]) -> dict[str, object]:
    """The values the .mdl text holds for ``names`` (constants as floats, tables as Series)."""
    out: dict[str, object] = {}
    for name in names:
        m = _block(text, name)
        body = m["body"].replace("\\\n", "")
        if m["sep"] == "(":
            body = body.split("]", 1)[1]
            pairs = re.findall(r"\(([^,()]+),([^,()]+)\)", body)
            xs = np.array([float(x) for x, _ in pairs])
            out[name] = pd.Series([float(y) for _, y in pairs], index=xs)
        else:
            out[name] = float(body.strip())
    return out


def model_step_times(m, first_year: int, until: int) -> np.ndarray:
    """The pysd model ``m``'s own step times from ``first_year`` to ``until`` (its TIME STEP)."""
    return step_times(float(m.components.time_step()), first_year, until)


def computed_paths(inputs) -> dict[str, pd.Series]:
    """Monthly baseline paths from ``inputs``' own baseline run (``baseline path on`` = 0)."""
    import contextlib
    import io

    from runners.inputs.vintage import LAST_YEAR
    from runners.mdl import model

    m = model.load_model()
    times = model_step_times(m, inputs.first_year, LAST_YEAR)
    with contextlib.redirect_stdout(io.StringIO()):
        m.set_components(dict(inputs.constants) | dict(inputs.tables) | {SWITCH: 0})
        raw = m.run(
            initial_condition=(inputs.first_year, {}),
            final_time=LAST_YEAR,
            return_timestamps=list(times),
            return_columns=list(PATH_VARIABLES.values()),
            progress=False,
        )
    if len(raw) != len(times):
        raise SnowballError(f"baseline path run returned {len(raw)} steps, expected {len(times)}")
    return {table: pd.Series(raw[var].to_numpy(), index=times) for table, var in PATH_VARIABLES.items()}


def data_values(vintage: str | None = None) -> dict[str, object]:
    """Everything ``--write-data`` writes, from ``data/``: the vintage's constants and tables,
    ``INITIAL TIME``, the baseline paths of its own run and ``baseline path on`` = 1."""
    from runners.inputs.vintage import DEFAULT_VINTAGE, load_inputs

    inputs = load_inputs(vintage or DEFAULT_VINTAGE)
    values: dict[str, object] = {"INITIAL TIME": float(inputs.first_year), SWITCH: 1.0}
    values.update({k: float(v) for k, v in inputs.constants.items()})
    values.update(inputs.tables)
    values.update(computed_paths(inputs))
    return values


def same(a: object, b: object) -> bool:
    """Exactly equal values: two numbers, or two tables with the same points (in any order)."""
    if isinstance(a, pd.Series) or isinstance(b, pd.Series):
        if not (isinstance(a, pd.Series) and isinstance(b, pd.Series)):
            return False
        a, b = a.sort_index(), b.sort_index()
        xa, xb = a.index.to_numpy(dtype=float), b.index.to_numpy(dtype=float)
        return np.array_equal(xa, xb) and np.array_equal(a.to_numpy(dtype=float), b.to_numpy(dtype=float))
    return a is not None and b is not None and float(a) == float(b)  # type: ignore[arg-type]


def differences(
    mdl: Path = MODEL_FILE, vintage: str | None = None, wanted: dict[str, object] | None = None
) -> list[str]:
    """Names whose value in ``mdl`` differs from what ``--write-data`` would write (empty: agree)."""
    from runners.mdl.model import read_mdl

    wanted = data_values(vintage) if wanted is None else wanted
    held = read_values(read_mdl(mdl), list(wanted))
    return [name for name, value in wanted.items() if not same(held[name], value)]


def write_data(mdl: Path = MODEL_FILE, vintage: str | None = None) -> list[str]:
    """Write the data values into ``mdl`` (atomically); return the names whose value changed."""
    import os
    import tempfile

    wanted = data_values(vintage)
    changed = differences(mdl, vintage, wanted)
    if not changed:
        return []
    from runners.mdl.model import read_mdl

    new = write_values(read_mdl(mdl), wanted)
    fd, tmp = tempfile.mkstemp(prefix=f".{mdl.name}.", dir=mdl.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(new)
    os.chmod(tmp, mdl.stat().st_mode & 0o777)
    os.replace(tmp, mdl)
    return changed


def model_command(write: bool, mdl: Path = MODEL_FILE) -> int:
    """``snowball model --write-data`` (write, exit 0) or ``--check`` (exit 1 when they disagree)."""
    from runners.core.paths import INSTALLED
    from runners.inputs.vintage import DEFAULT_VINTAGE

    if write:
        if INSTALLED:
            raise SnowballError(
                f"{mdl}: --write-data rewrites the model in a clone, not an installed package"
            )
        changed = write_data(mdl)
        if changed:
            names = ", ".join(changed)
            print(f"wrote {len(changed)} values from data/ ({DEFAULT_VINTAGE}) into {mdl.name}: {names}")
        else:
            print(f"{mdl.name} already holds data/'s values ({DEFAULT_VINTAGE}); nothing written")
        return 0
    diffs = differences(mdl)
    if diffs:
        print(
            f"snowball: {mdl.name} disagrees with data/ ({DEFAULT_VINTAGE}) on {len(diffs)} values: "
            f"{', '.join(diffs)}; run 'snowball model --write-data' (make model-data)",
            file=sys.stderr,
        )
        return 1
    print(f"{mdl.name} holds data/'s values ({DEFAULT_VINTAGE}) and its own baseline paths")
    return 0
