"""What a sweep will do, checked before anything runs: the runs' sampled inputs, the shared inputs of
every chunk's job, the chunks' sizes and the key that says whether kept chunks are this sweep's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

import numpy as np

from runners import __version__
from runners.core.errors import SnowballError
from runners.core.fiscal_years import model_vars_for
from runners.engine.program import FOLD_MIN_RUNS, Engine, Program, cached_program
from runners.sweep.sampling import check_path_ranges, sample
from runners.sweep.scenario_inputs import BaseInputs, annual, scenario_inputs
from runners.sweep.spec import SweepSpec
from runners.sweep.work import ChunkJob


@dataclass(frozen=True)
class Plan:
    """What a sweep will do: the runs' factor values, the jobs' shared inputs and a cache key."""

    spec: SweepSpec
    values: np.ndarray  # (n_runs, k)
    program: Program
    base: BaseInputs
    tables: dict[str, tuple[np.ndarray, np.ndarray]]  # with path targets on the annual grid
    columns: tuple[str, ...]
    years: tuple[int, ...]
    key: str
    chunk_runs: int = 0  # runs per chunk file (0: the spec's chunk); see chunk_size

    @property
    def n_runs(self) -> int:
        """Number of runs."""
        return len(self.values)

    @property
    def chunks(self) -> list[tuple[int, int]]:
        """(start, stop) run ranges of the work chunks, in order."""
        step = self.chunk_runs or self.spec.chunk
        return [(s, min(s + step, self.n_runs)) for s in range(0, self.n_runs, step)]

    @property
    def row_groups(self) -> int:
        """runs.parquet's row groups: one per ``chunk`` runs of the spec, whatever the work chunks."""
        return -(-self.n_runs // self.spec.chunk)

    def for_workers(self, workers: int) -> Plan:
        """The same plan cut into chunks sized for ``workers`` (see :func:`chunk_size`)."""
        return dataclasses.replace(self, chunk_runs=chunk_size(self.n_runs, workers, self.spec.chunk))

    def job(self, index: int) -> ChunkJob:
        """The job for chunk ``index`` (plain data)."""
        start, stop = self.chunks[index]
        block = self.values[start:stop]
        varied, factors = {}, {}
        for i, f in enumerate(self.spec.factors):
            if f.constant:
                varied[f.constant] = np.ascontiguousarray(block[:, i])
            else:
                factors[f.name] = np.ascontiguousarray(block[:, i])
        constants = self.base.constants | self.spec.constants
        return ChunkJob(
            index=index,
            program=self.program,
            until=self.spec.until,
            constants=constants,
            tables=self.tables,
            varied=varied,
            factors=factors,
            paths=self.spec.paths,
            run_ids=np.arange(start, stop),
            seed=self.spec.seed,
            columns=self.columns,
            years=self.years,
            params=np.ascontiguousarray(block),
            fold=self.n_runs >= FOLD_MIN_RUNS,  # the same for every chunk, so bytes do not depend on them
        )


MIN_CHUNK = 500  # runs: below this the engine's per-step Python cost dominates (see make bench)
MIN_ROUNDS = 3  # with several workers: rounds of chunks at least (see chunk_size)


def chunk_size(runs: int, workers: int, largest: int) -> int:
    """Runs per work chunk: equal chunks in whole rounds of ``workers``, so that no round leaves
    workers idle. The fewest rounds that keep a chunk within the spec's ``chunk`` (memory per
    chunk and the resume unit), and with several workers at least MIN_ROUNDS: a worker held up
    by other work then delays the end by a third of its share, not all of it, and the writer
    thread encodes the earlier rounds while the later ones run. Each chunk costs a fixed ~40 ms
    of per-step Python (2-core machine, ``make bench``), so one worker takes the largest chunks,
    and no chunk is smaller than MIN_CHUNK."""
    workers = max(workers, 1)
    rounds = -(-runs // (workers * largest))
    if workers > 1:
        rounds = max(rounds, MIN_ROUNDS)
    return max(1, min(largest, max(MIN_CHUNK, -(-runs // (rounds * workers)))))


def plan(spec: SweepSpec, engine: Engine | None = None) -> Plan:
    """Sample the runs and assemble the shared inputs; check everything before anything runs."""
    from runners.scenario.scenarios import check_value, resolve_parameter

    values = sample(spec)
    for i, f in enumerate(spec.factors):
        col = values[:, i]
        if not np.all(np.isfinite(col)):
            raise SnowballError(f"{spec.path}: field 'inputs.{f.name}': the draws are not all finite")
        if f.constant:
            param = resolve_parameter(f.constant)
            for v in (col.min(), col.max()):
                try:
                    check_value(param, float(v))
                except SnowballError as exc:
                    raise SnowballError(
                        f"{spec.path}: field 'inputs.{f.name}': a draw is out of range ({exc}); "
                        "narrow the distribution"
                    ) from None
    columns = spec.columns
    record = model_vars_for(columns)
    # the cached program (no pysd) unless an engine is given; its constants and tables are the .mdl's
    source = engine or cached_program(record)
    base = scenario_inputs(source, spec.scenario)
    check_holdings(spec, values, base.constants | spec.constants)
    tables = dict(base.tables)
    for p in spec.paths:
        for name in p.tables:
            tables[name] = annual(*tables[name], base.inputs.first_year)
    first = base.inputs.first_year
    check_path_ranges(spec, values, tables, first)  # as a scenario's tables are checked
    program = engine.program(record, first) if engine else dataclasses.replace(source, initial_time=first)
    years = tuple(range(base.inputs.first_year + 1, spec.until + 1))
    key_parts = {
        "spec": spec.sha256,
        "scenario_constants": spec.scenario.constants,
        "scenario_tables": spec.scenario.table_points(),  # a base scenario's points change results
        "model": program.model_sha256,
        "data": base.inputs.files,
        "chunk": spec.chunk,
        "snowball": __version__,
        "source": hashlib.sha256(program.source.encode()).hexdigest(),
    } | ({"overrides": spec.overrides} if spec.overrides else {})
    key = hashlib.sha256(json.dumps(key_parts, sort_keys=True).encode()).hexdigest()
    return Plan(spec, values, program, base, tables, columns, years, key)


def check_holdings(spec: SweepSpec, values: np.ndarray, constants: dict[str, float]) -> None:
    """Every run's starting holdings stay below its debt (as scenario.check_combination checks)."""
    from runners.scenario.scenarios import DEBT, HOLDINGS

    names = [DEBT, *HOLDINGS]
    if not any(f.constant in names for f in spec.factors):
        return
    cols = {n: np.full(len(values), float(constants[n])) for n in names}
    for i, f in enumerate(spec.factors):
        if f.constant in cols:
            cols[f.constant] = values[:, i]
    bad = np.flatnonzero(sum(cols[h] for h in HOLDINGS) >= cols[DEBT])
    if len(bad):
        raise SnowballError(
            f"{spec.path}: field 'inputs': in {len(bad):,} of {len(values):,} runs (first: run "
            f"{bad[0]}) the starting holdings sum to at least the '{DEBT}'; domestic private "
            "holdings would be negative; narrow the distributions"
        )


def keep_index(the_plan: Plan) -> tuple[list[int], list[int]]:
    """The rows (fiscal years) and columns of a chunk's results that runs.parquet keeps."""
    spec = the_plan.spec
    return [the_plan.years.index(y) for y in spec.keep_years], [
        the_plan.columns.index(v) for v in spec.keep_variables
    ]
