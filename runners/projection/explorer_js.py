"""What a page needs between the generated model and what ``snowball run`` shows, in JavaScript.

:data:`YEARS_JS` is :func:`runners.core.fiscal_years.fiscal_years` (stocks at the fiscal-year
end, flows and means as year-end differences of accumulators, the ratios, the average rate, the
bill share), :func:`runners.projection.run.check_results` (the same refusals, the same words),
:func:`runners.projection.milestones.milestones` with :func:`milestone_label` and the headline's
explosive-path flag (:mod:`runners.projection.headline`), and ``Snowball.run(overrides, options)``
over a preset scenario: arithmetic on results, not economics (the equations are the generated
``simulate``'s, from the .mdl). The column kinds, the ratios, the thresholds and the words' parts
come in as data (``SNOWBALL``, written by :mod:`runners.projection.explorer`), not retyped.
"""

YEARS_JS = r"""
// Snowball's fiscal years, checks and milestones (runners/core/fiscal_years.py,
// runners/projection/run.py check_results, runners/projection/milestones.py, headline.py)
function fiscalYears(raw, columns) {
  // raw: model variable -> year-end values from the initial state's year; -> column -> (T - 1)
  const base = {}, out = {};
  const at = (col) => {
    if (!(col in base)) {
      const c = SNOWBALL.column[col], v = raw[c.model_var];
      base[col] = c.kind === "stock" ? v.slice(1) : v.slice(1).map((x, i) => x - v[i]);
    }
    return base[col];
  };
  for (const col of columns) {
    if (col in SNOWBALL.ratios) {
      const [num, den] = SNOWBALL.ratios[col], a = at(num), b = at(den);
      out[col] = a.map((x, i) => x / b[i] * 100);
    } else if (col === "average_interest_rate") {
      const debt = raw[SNOWBALL.debt], interest = at("interest_on_debt");
      out[col] = interest.map((x, i) => x / ((debt[i] + debt[i + 1]) / 2) * 100);
    } else if (col === "bill_share") {
      const bills = raw.Bills, debt = raw[SNOWBALL.debt];
      out[col] = debt.slice(1).map((d, i) => bills[i + 1] / d * 100);
    } else {
      out[col] = at(col);
    }
  }
  return out;
}

function _comma1(x) {  // Python's f"{x:,.1f}"
  // (toFixed writes 1e21 and above in exponent form; those doubles are whole numbers, exact as BigInt)
  const a = Math.abs(x);
  const [whole, frac] = a >= 1e21 ? [BigInt(a).toString(), "0"] : a.toFixed(1).split(".");
  return (x < 0 ? "-" : "") + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + frac;
}

function checkResults(years, cols, where) {
  // run.check_results: a non-finite value, or a negative GDP, debt or holding, refused
  const names = SNOWBALL.columns.map((c) => c.name);
  for (let i = 0; i < years.length; i++) {
    for (const name of names) {
      if (!Number.isFinite(cols[name][i])) {
        throw new Error(where + ": " + name + " is not finite in FY" + years[i] +
          " (the run diverged); check the scenario's values");
      }
    }
  }
  for (let i = 0; i < years.length; i++) {
    for (const name of SNOWBALL.non_negative) {
      if (cols[name][i] < 0) {
        throw new Error(where + ": " + name + " is negative (" + _comma1(cols[name][i]) + ") in FY" +
          years[i] + ", which is impossible; check the scenario's values");
      }
    }
  }
}

function ratingLabel(notch) {
  const n = SNOWBALL.rating_labels.length;
  return SNOWBALL.rating_labels[Math.min(Math.max(_pyround(notch), 0), n - 1)];
}

function _spellStart(years, mask, first) {
  // milestones._spell_start: mask[i] true, false or null (no data); years ascending
  const known = [];
  years.forEach((y, i) => { if (mask[i] !== null) known.push([y, mask[i]]); });
  const later = known.filter(([y]) => y >= first);
  if (later.length && later[0][1] && later[0][0] === first) {
    let start = first;
    const before = known.filter(([y]) => y < first).reverse();
    for (const [y, hit] of before) {
      if (y !== start - 1 || !hit) break;
      start = y;
    }
    return start;
  }
  const hit = later.find(([, h]) => h);
  return hit ? hit[0] : null;
}

function milestones(years, cols) {
  // milestones.milestones: history (years before the projection) plus the projection
  const first = years[0], h = SNOWBALL.history;
  const past = h.fiscal_year.map((y, i) => [y, i]).filter(([y]) => y < first);
  const allYears = past.map(([y]) => y).concat(years);
  const num = (v) => (v === null ? NaN : v);
  const ni = past.map(([, i]) => num(h.net_interest[i])).concat(cols.net_interest);
  const out = {};
  const ratio = cols.debt_to_gdp, gdp = cols.gdp;
  const bad = years.findIndex((y, i) =>
    ratio[i] > SNOWBALL.explosive_debt || ratio[i] <= SNOWBALL.implosive_debt || !(gdp[i] > 0));
  out.debt_explodes = bad < 0 ? null : years[bad];
  for (const [key, col] of Object.entries(SNOWBALL.milestone_comparisons)) {
    const hist = col in h ? past.map(([, i]) => num(h[col][i])) : past.map(() => NaN);
    const other = hist.concat(cols[col]);
    const mask = other.map((o, i) => (o === o ? ni[i] > o : null));
    out[key] = _spellStart(allYears, mask, first);
  }
  const share = past.map(([, i]) => num(h.net_interest[i]) / num(h.outlays[i]) * 100)
    .concat(cols.net_interest_share_of_outlays);
  out.interest_over_20pct_of_outlays = _spellStart(allYears, share.map((s) => s > 20), first);
  return out;
}

function milestoneLabel(year, first, until) {
  // milestones.milestone_label: 'FY2024 (actual)', 'FY2031' or 'not by FY2055'
  if (year === null) return "not by FY" + until;
  return year < first ? "FY" + year + " (actual)" : "FY" + year;
}

function explosiveFlag(boom, years, cols) {
  // headline's 'Explosive debt path flag' row
  if (!boom) return "no";
  const ratio = cols.debt_to_gdp[years.indexOf(boom)];
  const above = ratio > SNOWBALL.explosive_debt;
  const limit = above ? SNOWBALL.explosive_debt : SNOWBALL.implosive_debt;
  return "YES from FY" + boom + " (debt " + (above ? "above" : "at or below") + " " + limit.toFixed(0) +
    "% of GDP)";
}

function _lever(name) {
  if (name in SNOWBALL.levers) return SNOWBALL.levers[name];
  const hit = Object.values(SNOWBALL.levers).find((l) => l.py_name === name);
  if (!hit) throw new Error("'" + name + "' is not a lever of the model (a constant with a range)");
  return hit;
}

function _g(x) {  // Python's f"{x:g}" of a finite number
  if (x === 0) return "0";
  const [mant, exp] = x.toExponential(5).split("e"), e = Number(exp);
  if (e < -4 || e >= 6) {
    return mant.replace(/\.?0+$/, "") + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
  }
  return String(Number(x.toPrecision(6)));
}

function _checkParams(P, where) {
  // scenarios.check_combination's holdings rule, then params.check_years, with their words
  const total = SNOWBALL.holdings.reduce((s, h) => s + P[h], 0);
  if (total >= P[SNOWBALL.initial_debt]) {
    const parts = SNOWBALL.holdings.map((h) =>
      h.replace(/^initial /, "").replace(/ holdings$/, "") + " " + _comma1(P[h])).join(", ");
    throw new Error(where + ": the starting holdings (" + parts + ") sum to " + _comma1(total) +
      " $bn, not below the '" + SNOWBALL.initial_debt + "' (" + _comma1(P[SNOWBALL.initial_debt]) +
      " $bn); domestic private holdings would be negative");
  }
  const first = SNOWBALL.first_year;
  for (const [key, after] of SNOWBALL.year_constants) {
    if (P[key] < first + after) {
      throw new Error(where + ": '" + key + "' = " + _g(P[key]) + " is before the vintage's first " +
        "projected year (FY" + (first + 1) + "; its initial state is the end of FY" + first +
        "); allowed " + (first + after) + " to " + SNOWBALL.last_year + " (fiscal years)");
    }
  }
}

const Snowball = {
  data: SNOWBALL,
  presets: () => Object.keys(SNOWBALL.presets),
  values(options) {
    // every lever's value in a preset under a supply-effect set (what a slider starts from)
    const o = options || {}, preset = SNOWBALL.presets[o.scenario || "baseline"];
    const all = Object.assign({}, PROGRAM.P, SNOWBALL.calibrations[o.calibration || SNOWBALL.calibration],
      preset.constants);
    return Object.fromEntries(Object.keys(SNOWBALL.levers).map((k) => [k, all[k]]));
  },
  run(overrides, options) {
    // one run of a preset scenario (default: baseline) with `overrides` (levers by Vensim or
    // Python name) and a supply-effect set (default: the bundle's): what api.run gives
    const o = options || {};
    const name = o.scenario || "baseline", cal = o.calibration || SNOWBALL.calibration;
    if (!(name in SNOWBALL.presets)) throw new Error("no preset scenario '" + name + "'");
    if (!(cal in SNOWBALL.calibrations)) throw new Error("no supply-effect set '" + cal + "'");
    const preset = SNOWBALL.presets[name], where = "scenario '" + name + "'";
    const set = {};
    for (const [key, value] of Object.entries(overrides || {})) {
      const lever = _lever(key);
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new Error("'" + lever.name + "' is not a finite number (" + value + ")");
      }
      if (!(value >= lever.min && value <= lever.max)) {  // scenarios.check_value's words
        throw new Error("'" + lever.name + "' = " + _g(value) + " is out of range; allowed " + _g(lever.min) +
          " to " + _g(lever.max) + " (" + lever.units + ")");
      }
      set[lever.name] = value;
    }
    const constants = Object.assign({}, SNOWBALL.calibrations[cal], preset.constants, set);
    _checkParams(Object.assign({}, PROGRAM.P, constants), where);
    let raw;
    try {
      raw = run(constants, preset.tables).values;
    } catch (e) {  // runners.projection.run's words for pysd's numerical failure
      if (!(e instanceof PythonArithmeticError)) throw e;
      throw new Error(where + ": the run failed numerically (" + e.kind + ": " + e.message +
        "); check the scenario's values");
    }
    const years = PROGRAM.times.slice(1).map(Math.round);
    const cols = fiscalYears(raw, SNOWBALL.columns.map((c) => c.name));
    checkResults(years, cols, where);
    cols.credit_rating = cols.credit_rating_notch.map(ratingLabel);
    const when = milestones(years, cols), until = years[years.length - 1], labels = {};
    for (const key of Object.keys(SNOWBALL.milestone_labels)) {
      labels[key] = milestoneLabel(when[key], years[0], until);
    }
    return {
      scenario: name, calibration: cal, overrides: set, fiscal_year: years, columns: cols,
      milestones: when, milestone_labels: labels,
      explosive_flag: explosiveFlag(when.debt_explodes, years, cols),
    };
  },
};
if (typeof module !== "undefined" && module.exports) module.exports = { Snowball, run, simulate, PROGRAM };
if (typeof globalThis !== "undefined") globalThis.Snowball = Snowball;
"""
