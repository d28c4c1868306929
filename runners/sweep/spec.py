"""Sweep specifications: TOML files in ``data/sweeps/``, validated before anything runs.

A spec names a base scenario, the inputs to vary (model constants, as grids or distributions),
path families added to input tables (rate paths: level shift, ramp, decaying spike, random walk),
the sampling method, the number of draws, the seed and what to keep. Every error names the file,
the field and the reason.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from runners.core.columns import BY_NAME
from runners.core.errors import SnowballError
from runners.core.paths import data_dir
from runners.inputs.vintage import vintage_meta
from runners.scenario.scenarios import TABLE_SHORTCUTS
from runners.sweep.work import PathSpec

if TYPE_CHECKING:
    from runners.scenario.scenarios import Scenario

METHODS = ("grid", "latin-hypercube", "monte-carlo", "sobol", "morris")
DISTRIBUTIONS = {
    "uniform": ("low", "high"),
    "normal": ("mean", "sd"),
    "triangular": ("low", "mode", "high"),
    "list": ("values",),
}
FAMILIES = {  # family -> {parameter: (required, rule)}; rule: "any" | "positive" | "unit" | "nonneg"
    "level-shift": {"shift": (True, "any"), "start": (False, "year")},
    "ramp": {"level": (True, "any"), "years": (True, "positive"), "start": (False, "year")},
    "spike": {"size": (True, "any"), "half_life": (True, "positive"), "start": (False, "year")},
    "random-walk": {"sd": (True, "nonneg"), "reversion": (False, "unit"), "start": (False, "year")},
}
DEFAULTS = {"reversion": 0.0}  # a path's "start" defaults to the first projected year
TOP = {
    "title",
    "description",
    "scenario",
    "until",
    "method",
    "draws",
    "seed",
    "chunk",
    "constants",
    "inputs",
    "paths",
    "keep",
    "sensitivity",
    "compare_with_cbo",
}
DEFAULT_KEEP = (
    "debt_to_gdp",
    "net_interest_share_of_outlays",
    "net_interest",
    "deficit",
    "average_interest_rate",
    "ten_year_yield",
)
MAX_RUNS = 2_000_000  # runs a sweep may have (checked before any sample or grid is built)


@dataclass(frozen=True)
class Distribution:
    """A distribution over one input; ``ppf`` maps uniform [0, 1) draws to values."""

    kind: str
    params: dict[str, float | tuple[float, ...]]
    points: int | None = None  # grid points for a uniform (grid method)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at quantiles ``u`` in [0, 1).

        scipy.stats' own formulas (``norm.ppf`` is ``ndtri(u) * sd + mean``, ``triang.ppf`` the
        two square-root branches), bit for bit, without importing scipy.stats (0.5 s, serial at
        the start of every sweep).
        """
        from scipy.special import ndtri

        p = self.params
        if self.kind == "uniform":
            return p["low"] + u * (p["high"] - p["low"])
        if self.kind == "normal":
            return ndtri(u) * p["sd"] + p["mean"]
        if self.kind == "triangular":
            width = p["high"] - p["low"]
            c = (p["mode"] - p["low"]) / width
            unit = np.where(u < c, np.sqrt(c * u), 1 - np.sqrt((1 - c) * (1 - u)))
            return unit * width + p["low"]
        values = np.asarray(p["values"], dtype=float)
        return values[np.minimum((u * len(values)).astype(int), len(values) - 1)]

    def size(self) -> int:
        """Number of grid points (grid method), known without building the grid."""
        if self.kind == "list":
            return len(self.params["values"])  # type: ignore[arg-type]
        return int(self.points or 0)

    def grid(self) -> np.ndarray:
        """Grid points (grid method): a list's values or ``points`` evenly spaced from low to high."""
        if self.kind == "list":
            return np.asarray(self.params["values"], dtype=float)
        return np.linspace(self.params["low"], self.params["high"], int(self.points or 0))

    def bounds(self) -> tuple[float, float] | None:
        """The smallest and largest value it can give (None when unbounded)."""
        p = self.params
        if self.kind == "normal":
            return None
        if self.kind == "list":
            return min(p["values"]), max(p["values"])
        return p["low"], p["high"]


@dataclass(frozen=True)
class Factor:
    """One varied input: a model constant (``constant``) or a path parameter (``path``)."""

    name: str  # column name in params.csv
    dist: Distribution
    constant: str | None = None  # Vensim name, for constants


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep specification."""

    name: str
    path: Path
    text: str
    title: str
    description: str
    scenario: object  # runners.scenario.scenarios.Scenario
    until: int
    method: str
    draws: int
    seed: int
    chunk: int
    constants: dict[str, float]
    factors: tuple[Factor, ...]
    paths: tuple[PathSpec, ...]
    keep_variables: tuple[str, ...]
    keep_years: tuple[int, ...]
    sensitivity_variables: tuple[str, ...]
    sensitivity_years: tuple[int, ...]
    compare_with_cbo: bool
    doc: dict = field(repr=False, default_factory=dict)
    calibration: str = "central"  # supply-effect set beneath the base scenario's constants
    # draws or seed set on the command line: {"draws": {"spec": 10000, "command_line": 1000}}
    overrides: dict = field(default_factory=dict)
    thresholds: tuple = ()  # runners.sweep.probability.Threshold: --threshold, probabilities.csv

    @property
    def sha256(self) -> str:
        """Hash of the spec file's text."""
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def columns(self) -> tuple[str, ...]:
        """Result columns computed: kept, sensitivity targets and the fan chart's."""
        want = [*self.keep_variables, *self.sensitivity_variables]
        want += ["debt_to_gdp", "net_interest_share_of_outlays"]
        return tuple(dict.fromkeys(want))

    @property
    def n_runs(self) -> int:
        """Number of runs the method gives."""
        k = len(self.factors)
        if self.method == "grid":
            return math.prod(f.dist.size() for f in self.factors) if k else 1
        if self.method == "sobol":
            return self.draws * (k + 2)
        if self.method == "morris":
            return self.draws * (k + 1)
        return self.draws

    def problem(self) -> dict:
        """SALib's problem on the unit hypercube (values come from each factor's ppf)."""
        k = len(self.factors)
        return {"num_vars": k, "names": [f.name for f in self.factors], "bounds": [[0.0, 1.0]] * k}


WORKERS_PER_CORE = 4  # --workers may oversubscribe the cores this much, no more


def check_workers(workers: int | None) -> int | None:
    """``--workers``: None (the default) or a whole number from 1 to WORKERS_PER_CORE x the cores
    this process may use (:func:`usable_cores`).

    Each worker is a process: a typo such as ``--workers 100000`` would otherwise start that many.
    """
    cores = usable_cores()
    limit = WORKERS_PER_CORE * cores
    if workers is None:
        return None
    workers = whole(workers)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise SnowballError(f"--workers must be at least 1, got {workers}")
    if workers > limit:
        raise SnowballError(
            f"--workers must be at most {limit} ({WORKERS_PER_CORE} x the {cores} cores this process "
            f"may use), got {workers}"
        )
    return workers


CGROUP = Path("/sys/fs/cgroup")  # where Linux shows this process's control group (a container's own)


def usable_cores() -> int:
    """The cores this process may use: the machine's, fewer when it may run on fewer (its CPU
    affinity: a container's cpuset, ``taskset``) or when its control group has a CPU quota
    (``docker --cpus 2``, a Kubernetes CPU limit, a JupyterHub server's limit), rounded up; at
    least 1. The default ``--workers``: a container limited to 2 CPUs on a 64-core host would
    otherwise start 64 worker processes, each with its own memory."""
    import os

    cores = os.cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        cores = min(cores, len(os.sched_getaffinity(0)) or cores)
    quotas = [cpu_quota(_read(CGROUP / group / "cpu.max")) for group in _cgroup_v2_groups()]
    quotas.append(
        cpu_quota(
            None, _read(CGROUP / "cpu" / "cpu.cfs_quota_us"), _read(CGROUP / "cpu" / "cpu.cfs_period_us")
        )
    )
    quota = min((q for q in quotas if q is not None), default=None)
    if quota is not None:
        cores = min(cores, math.ceil(quota))
    return max(1, cores)


def _cgroup_v2_groups(text: str | None = None) -> list[str]:
    """This process's cgroup v2 group and those above it, as paths under CGROUP ("0::/a/b" in
    /proc/self/cgroup, or ``text``: "a/b", "a" and "", the namespace's root, a container's own
    group): a CPU limit on any of them holds."""
    own = ""
    for line in (_read(Path("/proc/self/cgroup")) if text is None else text or "").splitlines():
        if line.startswith("0::"):
            own = line[3:].strip().strip("/")
    parts = own.split("/") if own else []
    return ["/".join(parts[:n]) for n in range(len(parts), -1, -1)]


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError):
        return None


def cpu_quota(v2: str | None, v1_quota: str | None = None, v1_period: str | None = None) -> float | None:
    """CPUs a control group's quota allows, or None for no quota: from cgroup v2's ``cpu.max``
    ("200000 100000": 200 ms of CPU per 100 ms, 2 CPUs; "max 100000": none), else cgroup v1's
    ``cpu.cfs_quota_us`` over ``cpu.cfs_period_us`` (-1: none)."""
    try:
        if v2 is not None:
            quota, period = v2.split()[:2]
            return None if quota == "max" else int(quota) / int(period)
        if v1_quota is not None and v1_period is not None:
            quota_us = int(v1_quota)
            return None if quota_us <= 0 else quota_us / int(v1_period)
    except (ValueError, ZeroDivisionError):
        return None
    return None


def sweeps_dir() -> Path:
    """Where the built-in sweep specs live."""
    return data_dir() / "sweeps"


def load_spec(
    ref: str | Path,
    baseline: str | None = None,
    calibration: str = "central",
    overrides: dict[str, int] | None = None,
) -> SweepSpec:
    """Load a sweep spec by path, or a built-in one by name (``data/sweeps/NAME.toml``);
    ``baseline`` names a vintage that replaces the base scenario's, ``calibration`` the
    supply-effect set (data/calibration/supply-effects.toml) beneath its constants, ``overrides``
    the spec's ``draws`` or ``seed`` (``snowball sweep --draws N --seed S``), checked as the
    file's own values are."""
    from runners.scenario.scenarios import is_builtin_name

    path = Path(ref)
    if not path.exists() or path.is_dir():  # a pipe or device is refused by parse_spec
        builtin = sweeps_dir() / f"{ref}.toml"
        if is_builtin_name(str(ref)) and builtin.is_file():
            path = builtin
        else:
            known = ", ".join(sorted(p.stem for p in sweeps_dir().glob("*.toml") if p.is_file())) or "none"
            raise SnowballError(f"{ref}: sweep spec not found (built-in specs: {known})")
    from runners.scenario.supply_effects import apply_to_spec

    return apply_to_spec(parse_spec(path, baseline, overrides), calibration)


OVERRIDES = ("draws", "seed", "scenario")  # the spec fields the command line may set


def whole(value: object) -> object:
    """A numpy integer (``np.int64(20)``, as a caller computing draws gets) as a Python int;
    anything else as it is, to be checked as given (True, 20.0 and '20' stay refused)."""
    if isinstance(value, np.integer):
        return int(value)
    return value


def spec_overrides(
    draws: int | None = None, seed: int | None = None, scenario: str | None = None
) -> dict[str, object]:
    """``--draws``, ``--seed`` and ``--scenario`` (a built-in name or a scenario file that
    replaces the spec's base scenario) as :func:`load_spec`'s ``overrides`` (those given)."""
    given = (("draws", draws), ("seed", seed), ("scenario", scenario))
    return {k: whole(v) for k, v in given if v is not None}


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


Fail = Callable[[str, str], SnowballError]  # (field, reason) -> the error naming file and field


def parse_spec(path: Path, baseline: str | None = None, overrides: dict[str, int] | None = None) -> SweepSpec:
    """Parse and validate a sweep spec; raise SnowballError naming file, field and reason.

    ``overrides``: values for the fields in OVERRIDES that replace the file's (an error in one
    names the option, e.g. ``--draws 1000``)."""
    from runners.mdl import model
    from runners.scenario.scenarios import parse_constants, parse_toml, read_input_file

    text = read_input_file(path, "sweep spec")
    doc = parse_toml(text, path)
    overrides = dict(overrides or {})
    replaced = _apply_overrides(doc, overrides, path)
    fail = _failure(path, overrides)
    title, description = _header(doc, fail)
    model.parameters()  # the model's own failure (its file, the cache) is not the spec's line
    scenario, first = _base_scenario(doc, baseline, fail)
    until = _until(doc, first, fail)
    method, seed, draws, chunk = _sampling(doc, fail)
    constants = parse_constants(
        doc.get("constants", {}),
        lambda: fail("constants", "must be a table of name = number"),
        lambda name, exc: fail(f"constants.{name}", str(exc)),
    )
    factors: list[Factor] = []
    fields: dict[str, str] = {}  # factor name -> its field in the spec (for messages)
    _inputs(doc, constants, method, factors, fields, fail)
    paths = _paths(doc, scenario, method, (first, until), factors, fields, fail)
    _check_method_inputs(method, factors, fail)
    keep_vars, keep_years = _keep(doc, first, until, fail)
    sens_vars, sens_years = _sensitivity(doc, first, until, fail)
    compare = doc.get("compare_with_cbo", False)
    if not isinstance(compare, bool):
        raise fail("compare_with_cbo", "true or false")
    spec = SweepSpec(
        name=path.stem,
        path=path.resolve(),
        text=text,
        title=title,
        description=description,
        scenario=scenario,
        until=until,
        method=method,
        draws=draws,
        seed=seed,
        chunk=chunk,
        constants=constants,
        factors=tuple(factors),
        paths=tuple(paths),
        keep_variables=keep_vars,
        keep_years=keep_years,
        sensitivity_variables=sens_vars,
        sensitivity_years=sens_years,
        compare_with_cbo=compare,
        doc=doc,
        overrides=replaced,
    )
    _check_size(spec, fields, fail)
    return spec


def _apply_overrides(doc: dict, overrides: dict[str, int], path: Path) -> dict[str, dict]:
    """Put the command line's ``overrides`` into ``doc``; returns what each replaced (manifest)."""
    if set(overrides) - set(OVERRIDES):  # pragma: no cover - a caller's mistake, not a user's
        raise ValueError(f"only {', '.join(OVERRIDES)} can be overridden, got {sorted(overrides)}")
    if "draws" in overrides and doc.get("method") == "grid":
        raise SnowballError(
            f"--draws {overrides['draws']}: {path} is a grid sweep, whose runs are its points; "
            "it takes no draws"
        )
    replaced = {k: {"spec": doc.get(k), "command_line": v} for k, v in overrides.items()}
    doc |= overrides
    return replaced


def _failure(path: Path, overrides: dict[str, int]) -> Fail:
    """The error for a bad field: naming the option when the command line gave it, else the file."""

    def fail(fld: str, reason: str) -> SnowballError:
        if fld in overrides:
            return SnowballError(f"--{fld} {overrides[fld]}: {reason} (sweep spec {path})")
        return SnowballError(f"{path}: field '{fld}': {reason}")

    return fail


def _header(doc: dict, fail: Fail) -> tuple[str, str]:
    """No unknown field; the title and description (stripped)."""
    unknown = sorted(set(doc) - TOP)
    if unknown:
        raise fail(unknown[0], f"unknown field; allowed: {', '.join(sorted(TOP))}")
    title = doc.get("title")
    if not isinstance(title, str) or not title.strip():
        raise fail("title", "required, a non-empty string")
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise fail("description", "must be a string")
    return title.strip(), description.strip()


def _base_scenario(doc: dict, baseline: str | None, fail: Fail) -> tuple[Scenario, int]:
    """The base scenario (on ``baseline``'s vintage, when given) and its vintage's first year."""
    from runners.scenario.scenarios import load_scenario, rebase

    try:
        scenario = load_scenario(str(doc.get("scenario", "baseline")))
        if baseline is not None:
            scenario = rebase(scenario, baseline)
        first = vintage_meta(scenario.baseline)["first_year"]
    except SnowballError as exc:
        raise fail("scenario", str(exc)) from None
    return scenario, first


def _until(doc: dict, first: int, fail: Fail) -> int:
    """The sweep's last fiscal year, checked as a run's is."""
    from runners.projection.run import check_until

    until = doc.get("until", 2055)
    try:
        check_until(until, first)
    except SnowballError as exc:
        raise fail("until", str(exc)) from None
    return until


def _sampling(doc: dict, fail: Fail) -> tuple[str, int, int, int]:
    """The method, seed, draws and chunk, each checked (draws against the method)."""
    method = doc.get("method")
    if method not in METHODS:
        raise fail("method", f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    seed = doc.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise fail("seed", "required, a whole number >= 0 (the same seed gives the same files)")
    draws = doc.get("draws", 0 if method == "grid" else None)
    if isinstance(draws, bool) or not isinstance(draws, int) or (method != "grid" and draws <= 0):
        raise fail("draws", f"must be a whole number > 0 for method '{method}', got {draws!r}")
    if method == "morris" and draws < 2:
        raise fail(
            "draws",
            f"the Morris method needs at least 2 trajectories (its spread is their variance), got {draws}",
        )
    if method == "sobol" and draws & (draws - 1):
        raise fail("draws", f"Sobol sampling needs a power of 2 (e.g. 1024), got {draws}")
    chunk = doc.get("chunk", 1000)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or not 1 <= chunk <= 20000:
        raise fail("chunk", f"must be a whole number from 1 to 20000, got {chunk!r}")
    return method, seed, draws, chunk


def _inputs(
    doc: dict,
    constants: dict[str, float],
    method: str,
    factors: list[Factor],
    fields: dict[str, str],
    fail: Fail,
) -> None:
    """The varied constants ([inputs]), appended to ``factors`` (their fields to ``fields``): each
    a constant of the model, not fixed in [constants], varied once, its distribution within the
    constant's range."""
    from runners.scenario.scenarios import check_value, resolve_parameter

    raw_inputs = doc.get("inputs", {})
    if not isinstance(raw_inputs, dict):
        raise fail("inputs", 'must hold one table per input, e.g. [inputs."yield shift"]')
    for name, body in raw_inputs.items():
        fld = f"inputs.{name}"
        try:
            param = resolve_parameter(name)
        except SnowballError as exc:
            raise fail(fld, str(exc)) from None
        if param.name in constants:
            raise fail(fld, f"'{param.name}' is also fixed in [constants]; give it in one place")
        if any(f.constant == param.name for f in factors):
            raise fail(fld, f"'{param.name}' is varied twice")
        dist = _distribution(body, fld, fail, method)
        bounds = dist.bounds()
        for bound in bounds or (dist.params["mean"],):
            try:
                check_value(param, bound)
            except SnowballError as exc:
                raise fail(fld, f"the distribution reaches outside the constant's range: {exc}") from None
        factors.append(Factor(param.name, dist, param.name))
        fields[param.name] = fld


def _paths(
    doc: dict,
    scenario: Scenario,
    method: str,
    years: tuple[int, int],
    factors: list[Factor],
    fields: dict[str, str],
    fail: Fail,
) -> list[PathSpec]:
    """The path families ([[paths]]) added to input tables; their varied parameters are appended
    to ``factors`` (their fields to ``fields``). ``years``: the sweep's first and last."""
    from runners.mdl import model
    from runners.projection.params import cached_inputs

    tables = set(model.tables())
    year_tables = sorted(cached_inputs(scenario.baseline).tables)
    paths: list[PathSpec] = []
    raw_paths = doc.get("paths", [])
    if not isinstance(raw_paths, list):
        raise fail("paths", "must be an array of tables: [[paths]]")
    names_seen: set[str] = set()
    for i, body in enumerate(raw_paths):
        fld = f"paths[{i + 1}]"
        if not isinstance(body, dict):
            raise fail(fld, "must be a table with 'family', 'tables' and the family's parameters")
        family = body.get("family")
        if family not in FAMILIES:
            raise fail(f"{fld}.family", f"unknown family {family!r}; allowed: {', '.join(FAMILIES)}")
        pname = body.get("name", family)
        if not isinstance(pname, str) or not pname.strip() or pname in names_seen:
            raise fail(f"{fld}.name", f"must be a unique non-empty string, got {pname!r}")
        names_seen.add(pname)
        if family == "random-walk" and method in ("sobol", "morris"):
            raise fail(
                f"{fld}.family",
                f"a random walk adds noise that is not an input; method '{method}' needs inputs only",
            )
        resolved = _path_tables(body.get("tables"), f"{fld}.tables", tables, year_tables, fail)
        fixed, varied = _path_parameters(body, fld, pname, method, years, factors, fields, fail)
        paths.append(PathSpec(pname, family, tuple(resolved), fixed, varied, i))
    return paths


def _path_tables(
    targets: object, fld: str, tables: set[str], year_tables: list[str], fail: Fail
) -> list[str]:
    """A path's input tables by their model names: annual tables of the vintage, each once."""
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
        raise fail(fld, 'a non-empty list of input tables, e.g. ["bill", "ten-year"]')
    resolved: list[str] = []
    for t in targets:
        real = TABLE_SHORTCUTS.get(t.lower(), t)
        match = next((k for k in tables if k.lower() == real.lower()), None)
        if match is None or match not in year_tables:
            allowed = ", ".join([*TABLE_SHORTCUTS, *year_tables])
            raise fail(fld, f"unknown or non-annual table '{t}'; allowed: {allowed}")
        if match in resolved:
            raise fail(fld, f"'{match}' is listed twice")
        resolved.append(match)
    return resolved


def _path_parameters(
    body: dict,
    fld: str,
    pname: str,
    method: str,
    years: tuple[int, int],
    factors: list[Factor],
    fields: dict[str, str],
    fail: Fail,
) -> tuple[dict[str, float], dict[str, str]]:
    """A path family's parameters: the fixed ones (given or defaults) and the varied ones (their
    factor names; the factors are appended to ``factors``), each checked against its rule."""
    first, until = years
    family = body["family"]
    allowed_params = FAMILIES[family]
    extra = sorted(set(body) - set(allowed_params) - {"family", "tables", "name"})
    if extra:
        allowed = ", ".join(allowed_params)
        raise fail(f"{fld}.{extra[0]}", f"unknown parameter for {family}; allowed: {allowed}")
    fixed: dict[str, float] = {}
    varied: dict[str, str] = {}
    for key, (required, rule) in allowed_params.items():
        pfld = f"{fld}.{key}"
        if key not in body:
            if required:
                raise fail(pfld, f"required for {family}")
            fixed[key] = DEFAULTS.get(key, float(first + 1))
            continue
        value = body[key]
        if rule == "year":  # after the sweep's last year the path would never act
            if isinstance(value, bool) or not isinstance(value, int) or not first < value <= until:
                years_allowed = f"{first + 1}-{until}"
                raise fail(pfld, f"a fiscal year {years_allowed} (the sweep's years; a number, not varied)")
            fixed[key] = float(value)
            continue
        if _is_number(value):
            _check_rule(float(value), float(value), rule, pfld, fail)
            fixed[key] = float(value)
            continue
        dist = _distribution(value, pfld, fail, method)
        bounds = dist.bounds()
        if bounds is None and rule != "any":
            raise fail(pfld, f"must stay {_RULES[rule]}: use a bounded distribution, not normal")
        if bounds is not None:
            _check_rule(bounds[0], bounds[1], rule, pfld, fail)
        fname = f"{pname}.{key}"
        varied[key] = fname
        factors.append(Factor(fname, dist))
        fields[fname] = pfld
    return fixed, varied


def _check_method_inputs(method: str, factors: list[Factor], fail: Fail) -> None:
    """Sobol and Morris need a varied input; a grid needs each input's values listed."""
    if method in ("sobol", "morris") and not factors:
        raise fail("inputs", f"method '{method}' needs at least one varied input")
    if method == "grid":
        for f in factors:
            if f.dist.kind not in ("list", "uniform") or (f.dist.kind == "uniform" and not f.dist.points):
                raise fail(
                    f"inputs.{f.name}", "the grid method needs a list of values or a uniform with 'points'"
                )


def _keep(doc: dict, first: int, until: int, fail: Fail) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """[keep]: the variables and fiscal years runs.parquet keeps."""
    keep = doc.get("keep", {})
    if not isinstance(keep, dict):
        raise fail("keep", "must be a table with 'variables' and 'years'")
    extra = sorted(set(keep) - {"variables", "years"})
    if extra:
        raise fail(f"keep.{extra[0]}", "unknown field; allowed: variables, years")
    keep_vars = _columns(keep.get("variables", list(DEFAULT_KEEP)), "keep.variables", fail)
    return keep_vars, _years(keep.get("years", "all"), first, until, "keep.years", fail)


def _sensitivity(doc: dict, first: int, until: int, fail: Fail) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """[sensitivity]: the targets' variables and fiscal years (default: debt/GDP in the last year)."""
    sens = doc.get("sensitivity", {})
    if not isinstance(sens, dict) or set(sens) - {"variables", "years"}:
        raise fail("sensitivity", "a table with 'variables' and 'years' only")
    sens_vars = _columns(sens.get("variables", ["debt_to_gdp"]), "sensitivity.variables", fail)
    return sens_vars, _years(sens.get("years", [until]), first, until, "sensitivity.years", fail)


def _check_size(spec: SweepSpec, fields: dict[str, str], fail: Fail) -> None:
    """No more than MAX_RUNS runs (a grid's error names its largest input)."""
    factors = spec.factors
    if spec.method == "grid" and spec.n_runs > MAX_RUNS:
        big = max(factors, key=lambda f: f.dist.size())
        sizes = " x ".join(f"{f.dist.size():,}" for f in factors)
        key = "values" if big.dist.kind == "list" else "points"
        raise fail(
            f"{fields[big.name]}.{key}",
            f"the grid has {spec.n_runs:,} runs ({sizes}), more than the {MAX_RUNS:,} a sweep may have",
        )
    if spec.n_runs > MAX_RUNS:
        raise fail("draws", f"{spec.n_runs:,} runs is more than the {MAX_RUNS:,} a sweep may have")


_RULES = {"positive": "above 0", "nonneg": "at or above 0", "unit": "between 0 and 1", "any": ""}


def _check_rule(low: float, high: float, rule: str, fld: str, fail) -> None:
    ok = {
        "any": True,
        "positive": low > 0,
        "nonneg": low >= 0,
        "unit": low >= 0 and high <= 1,
    }[rule]
    if not ok:
        raise fail(fld, f"must be {_RULES[rule]}, got values from {low:g} to {high:g}")


def _distribution(body: object, fld: str, fail, method: str) -> Distribution:
    if not isinstance(body, dict):
        raise fail(fld, 'a table such as {distribution = "uniform", low = 0, high = 1}')
    kind = body.get("distribution")
    if kind not in DISTRIBUTIONS:
        raise fail(
            f"{fld}.distribution", f"unknown distribution {kind!r}; allowed: {', '.join(DISTRIBUTIONS)}"
        )
    need = DISTRIBUTIONS[kind]
    allowed = {"distribution", *need} | ({"points"} if kind == "uniform" else set())
    extra = sorted(set(body) - allowed)
    if extra:
        raise fail(
            f"{fld}.{extra[0]}", f"unknown field for a {kind} distribution; allowed: {', '.join(need)}"
        )
    params: dict[str, float | tuple[float, ...]] = {}
    for key in need:
        if key not in body:
            raise fail(f"{fld}.{key}", f"required for a {kind} distribution")
        value = body[key]
        if key == "values":
            if not isinstance(value, list) or not value or not all(_is_number(v) for v in value):
                raise fail(f"{fld}.values", "a non-empty list of finite numbers")
            params[key] = tuple(float(v) for v in value)
        else:
            if not _is_number(value):
                raise fail(f"{fld}.{key}", f"must be a finite number, got {value!r}")
            params[key] = float(value)
    if kind == "uniform" and not params["low"] < params["high"]:
        raise fail(fld, f"uniform needs low < high, got low = {params['low']:g}, high = {params['high']:g}")
    if kind == "normal" and not params["sd"] > 0:
        raise fail(f"{fld}.sd", f"must be above 0, got {params['sd']:g}")
    if kind == "triangular" and not (
        params["low"] <= params["mode"] <= params["high"] and params["low"] < params["high"]
    ):
        raise fail(fld, "triangular needs low <= mode <= high and low < high")
    points = body.get("points")
    if points is not None and (isinstance(points, bool) or not isinstance(points, int) or points < 2):
        raise fail(f"{fld}.points", f"a whole number >= 2, got {points!r}")
    if points is not None and method != "grid":
        raise fail(f"{fld}.points", f"'points' is for the grid method, not '{method}'")
    return Distribution(kind, params, points)


def _columns(value: object, fld: str, fail) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise fail(fld, 'a non-empty list of results columns, e.g. ["debt_to_gdp"]')
    for v in value:
        if v not in BY_NAME or v == "credit_rating":
            from runners.scenario.scenarios import close_matches

            raise fail(fld, f"unknown results column '{v}'; close matches: {close_matches(v, list(BY_NAME))}")
    return tuple(dict.fromkeys(value))


def _years(value: object, first: int, until: int, fld: str, fail) -> tuple[int, ...]:
    if value == "all":
        return tuple(range(first + 1, until + 1))
    if not isinstance(value, list) or not value:
        raise fail(fld, '"all" or a non-empty list of fiscal years')
    for y in value:
        if isinstance(y, bool) or not isinstance(y, int) or not first < y <= until:
            raise fail(fld, f"fiscal years must be {first + 1}-{until}, got {y!r}")
    return tuple(sorted(set(value)))
