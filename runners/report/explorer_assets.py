"""The explorer page's style and script (:mod:`runners.report.explorer_page` inlines them).

The script reads ``SNOWBALL`` (the bundle's data), ``PAGE`` (the form's levers, the history, the
table's columns) and ``Snowball.run``; it draws its charts as inline SVG itself (no library): lines,
a zero rule, stacked areas; each chart's svg carries the values it plots as ``data-values``.
"""

PAGE_CSS = r"""
:root { --ink: #1a1a1a; --muted: #555; --rule: #bbb; --accent: #1f4e79; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink);
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0.2rem 0 0.5rem; }
h2 { font-size: 1.15rem; margin: 0.6rem 0 0.4rem; }
.lede { color: var(--muted); margin-top: 0; }
.layout { display: grid; grid-template-columns: minmax(280px, 360px) minmax(0, 1fr); gap: 1.2rem;
  align-items: start; }
.output { min-width: 0; }
fieldset { border: 1px solid var(--rule); padding: 0.4rem 0.8rem; margin: 0.5rem 0; min-width: 0; }
legend { font-weight: 600; }
.lever { margin: 0.35rem 0; }
.lever label { display: block; font-weight: 500; }
.unit { color: var(--muted); font-weight: 400; font-size: 0.9em; }
.pair { display: flex; gap: 0.5rem; align-items: center; }
.pair input[type=range] { flex: 1; min-width: 0; }
.pair input[type=number] { width: 7.5em; }
.help { margin: 0.1rem 0 0; font-size: 0.82em; color: var(--muted); }
.switch { margin: 0.35rem 0; }
.switch label { font-weight: 500; margin-left: 0.3rem; }
select { max-width: 100%; }
button { padding: 0.4rem 0.8rem; margin: 0.3rem 0; }
input:focus-visible, select:focus-visible, button:focus-visible, a:focus-visible {
  outline: 3px solid #e69f00; outline-offset: 1px; }
#settings { font-weight: 500; margin: 0.2rem 0; }
#status { min-height: 1.4em; color: #8b0000; font-weight: 600; }
figure { margin: 0.6rem 0; }
figcaption { font-size: 0.85em; color: var(--muted); }
svg { max-width: 100%; height: auto; display: block; }
svg text { font: 11px system-ui, sans-serif; fill: var(--ink); }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 0.15rem 0.5rem; border-bottom: 1px solid #ddd; text-align: right; }
th { font-weight: 600; vertical-align: bottom; }
#milestones th { text-align: left; font-weight: 500; }
#milestones td { text-align: left; }
.scroll { overflow-x: auto; }
#results tbody th, #results thead th:first-child { position: sticky; left: 0; background: #fff; }
footer { max-width: 1100px; margin: 1rem auto; padding: 0.6rem 1rem; border-top: 1px solid var(--rule);
  font-size: 0.8em; color: var(--muted); overflow-wrap: anywhere; }
@media (max-width: 900px) {
  .layout { grid-template-columns: minmax(0, 1fr); }
}
@media (max-width: 600px) {
  main { padding: 0.6rem; }
  th, td { padding: 0.1rem 0.3rem; font-size: 0.85em; }
}
@media print {
  .controls, #csv, #status, .lede { display: none; }
  .layout { display: block; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  figure, #milestones { break-inside: avoid; }
  h2 { break-after: avoid; }
  #results { break-inside: auto; }  /* starts under its heading; the header row repeats */
  #results thead { display: table-header-group; }
  #results tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

PAGE_JS = r"""
(function () {
  "use strict";
  const D = SNOWBALL, $ = (id) => document.getElementById(id);
  const NS = "http" + "://www.w3.org/2000/svg";  // the SVG namespace: a name, never fetched
  const LEVERS = [];  // {name, py, range, num, kind}
  PAGE.groups.forEach((g) => g.levers.forEach((l) =>
    LEVERS.push({name: l.name, py: l.py_name, range: $("in-" + l.py_name), num: $("num-" + l.py_name),
      kind: "n"})));
  PAGE.switches.forEach((s) =>
    LEVERS.push({name: s.name, py: s.py_name, box: $("in-" + s.py_name), kind: "b"}));
  const byPy = Object.fromEntries(LEVERS.map((l) => [l.py, l]));
  let baseline = null, last = null;

  function fmt(x, d) {  // Python's f"{x:,.{d}f}"
    const [w, f] = Math.abs(x).toFixed(d).split(".");
    const s = w.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (f ? "." + f : "");
    return (x < 0 && Number(s.replace(/,/g, "")) !== 0 ? "-" : "") + s;
  }
  function setValue(l, v) {
    if (l.kind === "b") l.box.checked = v >= 0.5; else { l.range.value = v; l.num.value = v; }
  }
  function getValue(l) { return l.kind === "b" ? (l.box.checked ? 1 : 0) : Number(l.num.value); }
  function presetValues() {
    return Snowball.values({scenario: $("preset").value, calibration: $("calibration").value});
  }
  function loadPreset() { const v = presetValues(); LEVERS.forEach((l) => setValue(l, v[l.name])); }
  function overrides() {  // the levers that differ from the preset's values
    const v = presetValues(), out = {};
    LEVERS.forEach((l) => { const x = getValue(l); if (x !== v[l.name]) out[l.name] = x; });
    return out;
  }
  function writeFragment(over) {
    const parts = [];
    if ($("preset").value !== "baseline") parts.push("scenario=" + encodeURIComponent($("preset").value));
    if ($("calibration").value !== D.calibration) parts.push("calibration=" + $("calibration").value);
    LEVERS.forEach((l) => { if (l.name in over) parts.push(l.py + "=" + over[l.name]); });
    const frag = parts.length ? "#" + parts.join("&") : "";
    try { history.replaceState(null, "", frag || location.pathname + location.search); }
    catch (e) { location.hash = frag; }
  }
  function readFragment() {
    const pairs = location.hash.replace(/^#/, "").split("&").filter(Boolean).map((p) => {
      const i = p.indexOf("=");
      return [decodeURIComponent(p.slice(0, i)), decodeURIComponent(p.slice(i + 1))];
    });
    const get = Object.fromEntries(pairs);
    if (get.scenario && get.scenario in D.presets) $("preset").value = get.scenario;
    if (get.calibration && get.calibration in D.calibrations) $("calibration").value = get.calibration;
    loadPreset();
    const unknown = [];
    for (const [k, v] of pairs) {
      if (k === "scenario" || k === "calibration") continue;
      const l = byPy[k] || LEVERS.find((x) => x.name === k);
      if (l && v !== "" && Number.isFinite(Number(v))) setValue(l, Number(v)); else unknown.push(k);
    }
    return unknown;
  }

  function gOf(r) {  // nominal GDP growth, % (the first year's from the last actual GDP)
    const gdp = r.columns.gdp;
    return gdp.map((x, i) => (x / (i ? gdp[i - 1] : PAGE.last_gdp) - 1) * 100);
  }
  function fillResults(r) {
    const g = gOf(r), rows = [];
    const rg = r.columns.average_interest_rate.map((x, i) => x - g[i]);
    const cols = Object.assign({}, r.columns, {r_minus_g: rg});
    r.fiscal_year.forEach((y, i) => {
      rows.push("<tr><th scope=\"row\">" + y + "</th>" +
        PAGE.results.map(([c, , d]) => "<td>" + fmt(cols[c][i], d) + "</td>").join("") + "</tr>");
    });
    $("results").tBodies[0].innerHTML = rows.join("");
    const ms = Object.entries(D.milestone_labels).map(([k, label]) =>
      "<tr><th scope=\"row\">" + label + "</th><td>" + r.milestone_labels[k] + "</td></tr>");
    ms.push("<tr><th scope=\"row\">" + PAGE.explosive_flag + "</th><td>" + r.explosive_flag + "</td></tr>");
    $("milestones").tBodies[0].innerHTML = ms.join("");
    const names = ["fiscal_year"].concat(D.columns.map((c) => c.name), ["credit_rating"]);
    const lines = [names.join(",")];
    r.fiscal_year.forEach((y, i) => lines.push([y].concat(
      D.columns.map((c) => r.columns[c.name][i].toFixed(6)),
      ['"' + r.columns.credit_rating[i] + '"']).join(",")));
    $("csv").href = "data:text/csv;charset=utf-8," + encodeURIComponent(lines.join("\n") + "\n");
  }

  function el(name, attrs, text) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function ticks(lo, hi, n) {  // round steps from at or below lo to at or above hi
    const span = hi - lo || 1, raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
    const out = [];
    for (let t = Math.floor(lo / step + 1e-9) * step; ; t += step) {
      out.push(+t.toFixed(10));
      if (t >= hi - 1e-9) break;
    }
    return out;
  }
  function decimals(step) {  // the decimals a tick step needs
    let d = 0;
    while (d < 6 && Math.abs(step * Math.pow(10, d) - Math.round(step * Math.pow(10, d))) > 1e-7) d += 1;
    return d;
  }
  const round6 = (v) => (Number.isFinite(v) ? +v.toFixed(6) : null);
  // series: {label, x, y, dash, width, color}; opts.zero: a rule at 0; opts.stack: the series as
  // areas stacked in their order (the first at the bottom), the legend top first. The plotted
  // values (each series' own, not stacked) ride on the svg as data-values, to 6 decimals.
  function chart(id, series, yLabel, opts) {
    opts = opts || {};
    const box = $(id), W = Math.max(300, Math.min(900, box.clientWidth || 640)), R = 24, B = 40;
    let acc = series[0].y.map(() => 0);
    const tops = opts.stack ? series.map((s) => (acc = acc.map((a, i) => a + s.y[i])))
      : series.map((s) => s.y);
    const xs = series.flatMap((s) => s.x), ys = tops.flat().filter(Number.isFinite);
    const x0 = Math.min(...xs), x1 = Math.max(...xs);
    const lo = Math.min(0, ...ys), hi = Math.max(0, ...ys);  // the baseline's own change: all 0
    const yt = ticks(lo, hi > lo ? hi : lo + 1, 5), y0 = yt[0], y1 = yt[yt.length - 1];
    const dy = decimals(yt.length > 1 ? yt[1] - yt[0] : 1), yl = yt.map((t) => fmt(t, dy));
    // room for the widest tick label beside the rotated axis title (text stays 11 px)
    const L = 30 + Math.max(...yl.map((s) => s.length)) * 6.3;
    const order = opts.stack ? series.map((s, i) => i).reverse() : series.map((s, i) => i);
    const legend = [];
    let lx = L, row = 0;
    for (const i of order) {  // the legend wraps onto rows above the plot
      const w = 36 + series[i].label.length * 6.3;
      if (lx + w > W - R && lx > L) { lx = L; row += 1; }
      legend.push([i, lx, 14 + row * 16]);
      lx += w + 8;
    }
    const T = 30 + row * 16, H = T + (W < 500 ? 200 : 250) + B;
    const X = (x) => L + (x - x0) / (x1 - x0 || 1) * (W - L - R);
    const Y = (y) => T + (y1 - y) / (y1 - y0 || 1) * (H - T - B);
    const values = Object.fromEntries(series.map((s) => [s.label, {x: s.x, y: s.y.map(round6)}]));
    const svg = el("svg", {viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
      "aria-label": yLabel + " by fiscal year", "data-chart": id, "data-values": JSON.stringify(values)});
    yt.forEach((t, i) => {
      svg.appendChild(el("line", {x1: L, x2: W - R, y1: Y(t), y2: Y(t), stroke: "#ddd"}));
      svg.appendChild(el("text", {x: L - 5, y: Y(t) + 4, "text-anchor": "end"}, yl[i]));
    });
    for (const t of ticks(x0, x1, W < 500 ? 4 : 6).filter((t) => t >= x0 && t <= x1)) {
      svg.appendChild(el("line", {x1: X(t), x2: X(t), y1: H - B, y2: H - B + 4, stroke: "#333"}));
      svg.appendChild(el("text", {x: X(t), y: H - B + 16, "text-anchor": "middle"}, String(t)));
    }
    svg.appendChild(el("line", {x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#333"}));
    svg.appendChild(el("line", {x1: L, x2: L, y1: T, y2: H - B, stroke: "#333"}));
    if (opts.zero && y0 < 0) {
      svg.appendChild(el("line", {x1: L, x2: W - R, y1: Y(0), y2: Y(0), stroke: "#333", "stroke-width": 1.2,
        "data-series": "zero"}));
    }
    const mid = (T + H - B) / 2;
    const turn = "rotate(-90 14 " + mid + ")";
    svg.appendChild(el("text", {x: 14, y: mid, transform: turn, "text-anchor": "middle"}, yLabel));
    svg.appendChild(el("text", {x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle"}, "Fiscal year"));
    const pts = (x, y) => x.map((v, i) => [v, y[i]]).filter(([, v]) => Number.isFinite(v))
      .map(([a, b]) => X(a).toFixed(1) + "," + Y(b).toFixed(1));
    series.forEach((s, i) => {
      if (opts.stack) {
        const under = i ? tops[i - 1] : s.x.map(() => 0);
        svg.appendChild(el("polygon", {points: pts(s.x, tops[i]).concat(pts(s.x, under).reverse()).join(" "),
          fill: s.color, stroke: "#fff", "stroke-width": 0.8, "data-series": s.label}));
      } else {
        svg.appendChild(el("polyline", {points: pts(s.x, s.y).join(" "), fill: "none", stroke: s.color,
          "stroke-width": s.width, "stroke-dasharray": s.dash, "data-series": s.label}));
      }
    });
    for (const [i, x, y] of legend) {
      const s = series[i];
      svg.appendChild(opts.stack
        ? el("rect", {x: x + 6, y: y - 6, width: 16, height: 12, fill: s.color, stroke: "#333",
          "stroke-width": 0.6})
        : el("line", {x1: x, x2: x + 28, y1: y, y2: y, stroke: s.color, "stroke-width": s.width,
          "stroke-dasharray": s.dash}));
      svg.appendChild(el("text", {x: x + 32, y: y + 4}, s.label));
    }
    box.replaceChildren(svg);
  }
  const SOLID = "none", DASH = "7 4", DOT = "2 3", DASHDOT = "9 3 2 3", LONG = "14 4";
  // the holders, bottom of the stack first; fills from dark to light so the stack reads in grey-scale
  const HOLDERS = [
    ["holdings_japan", "Japan", "#08306b", SOLID, 2.5, "#000000"],
    ["holdings_china", "China", "#2166ac", DASH, 2, "#b35806"],
    ["holdings_other_foreign_official", "Other foreign official", "#4393c3", DOT, 2.5, "#2d7f3e"],
    ["holdings_foreign_private", "Foreign private", "#92c5de", DASHDOT, 2, "#6a3d9a"],
    ["holdings_fed", "Fed", "#c6dbef", LONG, 2, "#1f78b4"],
    ["holdings_domestic_private", "Domestic private", "#f0f4f8", SOLID, 1.2, "#666666"],
  ];
  function drawCharts(r) {
    const x = r.fiscal_year, h = PAGE.history, c = r.columns, b = baseline.columns;
    const hy = h.fiscal_year.filter((y) => y >= 1960), hd = h.debt_to_gdp.slice(h.fiscal_year.indexOf(hy[0]));
    chart("chart-debt", [
      {label: "History", x: hy, y: hd, dash: SOLID, width: 1.5, color: "#888888"},
      {label: "Baseline", x: x, y: b.debt_to_gdp, dash: DASH, width: 2, color: "#444444"},
      {label: "This run", x: x, y: c.debt_to_gdp, dash: SOLID, width: 2.5, color: "#1f4e79"},
    ], "Debt held by the public, % of GDP");
    chart("chart-spending", [
      {label: "Net interest", x: x, y: c.net_interest, dash: SOLID, width: 2.5, color: "#1f4e79"},
      {label: "Defense", x: x, y: c.defense, dash: DASH, width: 2, color: "#b35806"},
      {label: "Medicare", x: x, y: c.medicare, dash: DOT, width: 2, color: "#2d7f3e"},
      {label: "Social Security", x: x, y: c.social_security, dash: DASHDOT, width: 2, color: "#6a3d9a"},
    ], "$ billions a fiscal year");
    const so = "net_interest_share_of_outlays", sr = "net_interest_share_of_revenues";
    chart("chart-shares", [
      {label: "% of revenues, this run", x: x, y: c[sr], dash: SOLID, width: 2.5, color: "#e08214"},
      {label: "% of revenues, baseline", x: x, y: b[sr], dash: DASH, width: 1.5, color: "#e08214"},
      {label: "% of outlays, this run", x: x, y: c[so], dash: SOLID, width: 2.5, color: "#1f4e79"},
      {label: "% of outlays, baseline", x: x, y: b[so], dash: DASH, width: 1.5, color: "#1f4e79"},
    ], "Net interest, % of revenues or outlays");
    chart("chart-rates", [
      {label: "10-year yield", x: x, y: c.ten_year_yield, dash: SOLID, width: 2.5, color: "#1f4e79"},
      {label: "10-year yield, baseline", x: x, y: b.ten_year_yield, dash: DOT, width: 1.5, color: "#444444"},
      {label: "Average rate on the debt", x: x, y: c.average_interest_rate, dash: DASH, width: 2,
        color: "#b35806"},
    ], "% a year");
    const rg = (q) => { const g = gOf(q); return q.columns.average_interest_rate.map((v, i) => v - g[i]); };
    chart("chart-rg", [
      {label: "Baseline", x: x, y: rg(baseline), dash: DASH, width: 2, color: "#444444"},
      {label: "This run", x: x, y: rg(r), dash: SOLID, width: 2.5, color: "#1f4e79"},
    ], "r \u2212 g, percentage points", {zero: true});
    chart("chart-holders", HOLDERS.map(([k, label, fill]) => ({label: label, x: x, y: c[k], color: fill})),
      "$ billions, fiscal-year end", {stack: true});
    chart("chart-holders-change", HOLDERS.map(([k, label, , dash, width, color]) =>
      ({label: label, x: x, y: c[k].map((v, i) => v - b[k][i]), dash: dash, width: width, color: color})),
    "$ billions, this run \u2212 baseline", {zero: true});
  }

  function update(write) {
    const over = overrides();
    if (write) writeFragment(over);
    let r;
    try {
      r = Snowball.run(over, {scenario: $("preset").value, calibration: $("calibration").value});
    } catch (e) {
      $("status").textContent = "Not run: " + e.message;
      return;
    }
    $("status").textContent = "";
    const set = Object.entries(over).map(([k, v]) => k + " = " + v).join(", ");
    $("settings").textContent = "Scenario " + r.scenario + " (" + D.presets[r.scenario].title +
      "), supply-effect set " + r.calibration + (set ? "; set: " + set : "; no lever moved") + ".";
    fillResults(r);
    drawCharts(r);
    last = r;
  }
  LEVERS.forEach((l) => {
    if (l.kind === "b") { l.box.addEventListener("change", () => update(true)); return; }
    l.range.addEventListener("input", () => { l.num.value = l.range.value; update(true); });
    l.num.addEventListener("change", () => { l.range.value = l.num.value; update(true); });
  });
  $("preset").addEventListener("change", () => { loadPreset(); update(true); });
  $("calibration").addEventListener("change", () => { loadPreset(); update(true); });
  $("reset").addEventListener("click", () => {
    $("preset").value = "baseline"; $("calibration").value = D.calibration; loadPreset(); update(true);
  });
  window.addEventListener("resize", () => { if (last) drawCharts(last); });
  window.addEventListener("hashchange", () => { readFragment(); update(false); });
  baseline = Snowball.run({}, {scenario: "baseline", calibration: D.calibration});
  const unknown = readFragment();
  update(false);
  if (unknown.length) $("status").textContent = "Ignored in the address: " + unknown.join(", ");
})();
"""
