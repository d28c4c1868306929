"""Stock-and-flow diagrams generated from the model: stocks with their flows, an arrow per dependency."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from runners import cli
from runners.core.paths import MODEL_FILE
from runners.mdl import sketch
from runners.mdl import views as mdl_views
from runners.mdl.parse import normalise, parse_mdl
from runners.report import diagram


@pytest.fixture(scope="module")
def views():
    return diagram.diagrams()


@pytest.fixture(scope="module")
def elements():
    return {el.name: el for el in parse_mdl(MODEL_FILE).sections[0].elements}


def names_read(node, elements) -> set[str]:
    """Model names an expression reads (found by walking pysd's tree independently)."""
    known = {normalise(n): n for n in elements} | {"time": "Time"}
    found = set()

    def walk(n):
        if isinstance(n, list | tuple):
            for a in n:
                walk(a)
        elif hasattr(n, "__dataclass_fields__"):
            ref = getattr(n, "reference", None)
            if isinstance(ref, str) and ref in known:
                found.add(known[ref])
            for f in n.__dataclass_fields__:
                walk(getattr(n, f))

    walk(node)
    return found


def shown(d: diagram.Diagram, name: str) -> str:
    return name if name in d.nodes else f"<{name}>"


@pytest.mark.slow
def test_every_equation_is_in_one_view(views, elements):
    placed = [
        n
        for d in views
        for n, k in d.nodes.items()
        if k not in ("shadow", "shadow flow", "cloud") and n not in d.labels  # not unnamed valves
    ]
    control = {"FINAL TIME", "INITIAL TIME", "SAVEPER", "TIME STEP"}
    assert sorted(placed) == sorted(set(elements) - control)
    assert [d.view for d in views][:2] == ["Debt and rollover", "Yields"] and len(views) == 8


@pytest.mark.slow
def test_worked_example_of_a_maturity_bucket(views):
    # Debt 3 to 5y = INTEG(five year issuance + aging 5 to 7y - aging 3 to 5y, ...): issuance from
    # outside the model (a cloud), aging in from the 5-7y bucket and out to the 2-3y bucket
    d = views[0]
    pipes = {(a, v, b) for a, v, b in d.pipes if "Debt 3 to 5y" in (a, b)}
    issued = next(p for p in pipes if p[1] == "five year issuance")
    assert d.nodes[issued[0]] == "cloud" and issued[2] == "Debt 3 to 5y"
    assert ("Debt 5 to 7y", "aging 5 to 7y", "Debt 3 to 5y") in pipes
    assert ("Debt 3 to 5y", "aging 3 to 5y", "Debt 2 to 3y") in pipes
    assert len(pipes) == 3


@pytest.mark.slow
def test_every_stock_has_its_flows_in_its_view(views, elements):
    checked = 0
    for d in views:
        for stock in [n for n, k in d.nodes.items() if k == "stock"]:
            valves = {v for a, v, b in d.pipes if stock in (a, b)}
            carried = {v.strip("<>") for v in valves} | {a.strip("<>") for a, v, _ in d.arrows if v in valves}
            flow = elements[stock].components[0].ast.flow
            missing = names_read(flow, elements) - carried
            assert not missing, f"{d.view}: {stock} lacks flows {missing}"
            assert valves, stock
            checked += 1
    assert checked == sum(
        1 for el in elements.values() if type(el.components[0].ast).__name__ == "IntegStructure"
    )


def test_every_dependency_in_a_view_has_an_arrow(views, elements):
    for d in views:
        arrows = {(a, b) for a, b, _ in d.arrows}
        for name, kind in d.nodes.items():
            if kind not in ("aux", "flow", "constant", "stock") or name in d.labels:
                continue
            ast = elements[name].components[0].ast
            if kind == "stock":
                needed = {(shown(d, r), name) for r in names_read(ast.initial, elements)}
            else:
                needed = {(shown(d, r), name) for r in names_read(ast, elements)}
            assert needed <= arrows, f"{d.view}: {name} lacks arrows {needed - arrows}"
        # shadows stand for names from other views only
        for node, kind in d.nodes.items():
            if kind.startswith("shadow"):
                assert node.strip("<>") not in d.nodes


@pytest.mark.slow
def test_dot_files_one_per_view(tmp_path, views):
    out = tmp_path / "diagrams"
    assert cli.main(["diagram", "--format", "dot", "--out", str(out)]) == 0
    files = sorted(p.name for p in out.iterdir() if p.name != ".snowball-output")  # the output marker
    assert files == sorted(
        [f"{i}-{diagram.slug(d.view)}.dot" for i, d in enumerate(views, 1)] + ["manifest.json"]
    )
    text = (out / "5-confidence.dot").read_text()
    assert '"Market confidence" [shape=box' in text and '"<total premium>" [shape=plaintext' in text


@pytest.mark.slow
def test_png_needs_no_graphviz(tmp_path, monkeypatch, capsys):
    # the PNGs are drawn from the .mdl's sketch with matplotlib; only the DOT sources are Graphviz's
    monkeypatch.setattr(shutil, "which", lambda name: None)  # as if graphviz were not installed
    out = tmp_path / "diagrams"
    assert cli.main(["diagram", "--out", str(out)]) == 0
    # the message names every kind of file written (it said "(png)" beside the .dot sources)
    written = {p.suffix for p in out.iterdir() if p.name not in (".snowball-output", "manifest.json")}
    said = capsys.readouterr().out
    assert written == {".png", ".dot"}
    assert all(f"{kind}" in said for kind in written), said
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == sorted(f"{i}-{diagram.slug(d.view)}.png" for i, d in enumerate(diagram.diagrams(), 1))
    data = (out / "5-confidence.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    view = sketch.read()[4]
    assert diagram.render_sketch(view, tmp_path / "again.png").read_bytes() == data  # byte-stable
    # one sketch pixel is one PNG pixel: the canvas reaches 60 px past the rightmost object
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == max(it.x + it.w for it in view.items) + 60
    assert height == max(it.y + it.h for it in view.items) + 60


# --- the .mdl's own sketch (Vensim's format), read back from the file -------------------------


@pytest.fixture(scope="module")
def drawn():
    return sketch.read()


def signed_terms(node) -> list[tuple[int, object]]:
    """A stock's net flow as signed terms, split independently of runners.report.diagram."""
    from pysd.translators.structures import abstract_expressions as ae

    if isinstance(node, ae.ArithmeticStructure) and node.operators and set(node.operators) <= {"+", "-"}:
        out = signed_terms(node.arguments[0])
        for op, arg in zip(node.operators, node.arguments[1:], strict=True):
            out += [(s if op == "+" else -s, t) for s, t in signed_terms(arg)]
        return out
    if isinstance(node, ae.ArithmeticStructure) and list(node.operators) == ["negative"]:
        return [(-s, t) for s, t in signed_terms(node.arguments[0])]
    return [(1, node)]


def stocks_of(elements) -> dict[str, object]:
    return {n: el for n, el in elements.items() if type(el.components[0].ast).__name__ == "IntegStructure"}


def defined(view) -> dict[str, sketch.Item]:
    """The objects a view defines (stocks, variables, valves by their flow's name), by name."""
    out = {}
    for it in view.items:
        if it.kind in ("stock", "aux") and not it.shadow:
            out[it.name] = it
        elif it.kind == "valve":
            flow = next(o for o in view.items if o.kind == "flow" and o.name == it.name)
            if not flow.shadow:
                out[it.name] = it
    return out


@pytest.mark.slow
def test_sketch_is_what_the_generator_writes_today():
    # regenerating from the equations gives the file's sketch byte for byte, so it cannot go stale
    text = MODEL_FILE.read_text(encoding="utf-8")
    assert sketch.split(text)[1] == sketch.generate()
    assert cli.main(["model", "--check"]) == 0


@pytest.mark.slow
def test_generation_does_not_depend_on_hash_order(tmp_path):
    # a second interpreter with another string-hash seed writes the same bytes
    code = "import sys; from runners.mdl import sketch; sys.stdout.write(sketch.generate())"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert other.stdout == sketch.generate()


def test_stale_sketch_is_found_and_rewritten(tmp_path, capsys):
    mdl = tmp_path / "snowball.mdl"
    text = MODEL_FILE.read_text(encoding="utf-8")
    head, section, tail = sketch.split(text)
    # move the stock of view 5 (the name's first record) by 10 px: --check names the view,
    # --write-sketch puts it back
    pattern = r"(?m)^(10,\d+,Market confidence,)(\d+)"
    moved = re.sub(pattern, lambda m: m.group(1) + str(int(m.group(2)) + 10), section, count=1)
    assert moved != section
    mdl.write_text(head + moved + tail, encoding="utf-8")
    assert sketch.sketch_command(write=False, mdl=mdl) == 1
    assert "views '5 Confidence')" in capsys.readouterr().err
    assert sketch.write_sketch(mdl) is True
    new = mdl.read_text(encoding="utf-8")
    assert new == text and new.startswith(head)  # the equations are untouched
    assert sketch.write_sketch(mdl) is False
    assert sketch.sketch_command(write=False, mdl=mdl) == 0


@pytest.mark.slow
def test_pysd_reads_the_sketch_and_places_every_equation_in_its_view():
    # pysd's own sketch grammar parses every record; its views hold exactly the equation groups
    from pysd.translators.vensim.vensim_file import VensimFile

    vf = VensimFile(MODEL_FILE)
    vf.parse()
    vf.parse_sketch([])
    got = {view: set(names) for view, names in vf.sections[0].views_dict.items()}
    want = {
        "_" + re.sub(r"[^a-z0-9]+", "_", view.lower()): {
            normalise(n) for n in names if normalise(n) not in mdl_views.CLOCK
        }
        for view, names in mdl_views.view_groups().items()
    }
    assert got == want


@pytest.mark.slow
def test_records_are_well_formed(drawn):
    assert [v.title for v in drawn] == [f"{i} {d.view}" for i, d in enumerate(diagram.diagrams(), 1)]
    for view in drawn:
        ids = [it.id for it in view.items] + [ln.id for ln in view.links]
        assert len(ids) == len(set(ids)), view.title
        items = view.by_id()
        for ln in view.links:
            assert ln.src in items and ln.dst in items
            if ln.pipe:
                assert items[ln.src].kind == "valve" and items[ln.dst].kind in ("stock", "cloud")
            else:  # arrows never go into a shadow (Vensim's rule) nor into a cloud
                assert items[ln.dst].kind in ("stock", "valve", "aux") and not items[ln.dst].shadow
        for k, it in enumerate(view.items):
            if it.kind == "valve":  # a valve: its variable next, one pipe in and one out
                assert view.items[k + 1].kind == "flow" and view.items[k + 1].name == it.name
                pipes = [ln for ln in view.links if ln.pipe and ln.src == it.id]
                assert sorted(ln.head for ln in pipes) == [False, True], (view.title, it.name)
            if it.kind == "cloud":
                assert sum(1 for ln in view.links if ln.pipe and ln.dst == it.id) == 1
        # nothing drawn on top of anything else: names stay legible
        objs = view.items
        for i, a in enumerate(objs):
            for b in objs[i + 1 :]:
                clash = abs(a.x - b.x) < a.w + b.w and abs(a.y - b.y) < a.h + b.h
                assert not clash, (view.title, a.name or a.kind, b.name or b.kind)


def test_every_stock_has_its_flows_as_valves_on_pipes(drawn, elements):
    stocks = stocks_of(elements)
    known = {normalise(n): n for n in elements}
    seen = set()
    for view in drawn:
        items = view.by_id()
        for box in [it for it in view.items if it.kind == "stock"]:
            seen.add(box.name)
            pipes = {(items[ln.src].name, ln.head) for ln in view.links if ln.pipe and ln.dst == box.id}
            into = {items[ln.src].name for ln in view.links if not ln.pipe and ln.dst == box.id}
            for sign, term in signed_terms(stocks[box.name].components[0].ast.flow):
                ref = getattr(term, "reference", None)
                flow = known.get(ref)
                if flow is None or flow in stocks:  # an expression: arrows from all it reads
                    assert names_read(term, elements) - {box.name} <= into, (view.title, box.name)
                    continue
                # a valve on a pipe: into the stock (arrowhead) for an inflow, out of it for an outflow
                if (flow, sign > 0) not in pipes:
                    # a valve has one pipe each way: a second stock it fills reads it with an arrow
                    other = [ln for ln in view.links if ln.pipe and items[ln.src].name == flow]
                    assert len(other) == 2 and flow in into, (view.title, box.name, flow, sign)
    assert seen == set(stocks)


def test_worked_example_of_a_maturity_bucket_in_the_sketch(drawn):
    # Debt 3 to 5y = INTEG(five year issuance + aging 5 to 7y - aging 3 to 5y, ...): issuance from a
    # cloud, aging in from the 5-7y bucket, aging out to the 2-3y bucket
    view = drawn[0]
    items = view.by_id()

    def ends(flow):
        valve = next(it for it in view.items if it.kind == "valve" and it.name == flow)
        out = {ln.head: items[ln.dst] for ln in view.links if ln.pipe and ln.src == valve.id}
        return (out[False].kind, out[False].name), (out[True].kind, out[True].name)

    assert ends("five year issuance") == (("cloud", ""), ("stock", "Debt 3 to 5y"))
    assert ends("aging 5 to 7y") == (("stock", "Debt 5 to 7y"), ("stock", "Debt 3 to 5y"))
    assert ends("aging 3 to 5y") == (("stock", "Debt 3 to 5y"), ("stock", "Debt 2 to 3y"))


@pytest.mark.slow
def test_every_dependency_has_an_arrow_and_every_arrow_a_dependency(drawn, elements):
    stocks = stocks_of(elements)
    checked = 0
    for view in drawn:
        items = view.by_id()
        here = defined(view)
        arrows = {
            (items[ln.src].name, items[ln.src].shadow, items[ln.dst].name) for ln in view.links if not ln.pipe
        }
        for name in here:
            ast = elements[name].components[0].ast
            if name in stocks:  # a stock's initial value, and what its flows read that is not a valve
                valves = {v.name for v in view.items if v.kind == "valve"}
                needs = names_read(ast.initial, elements)
                for _, term in signed_terms(ast.flow):
                    read = names_read(term, elements)
                    if not (read <= valves and getattr(term, "reference", None)):
                        needs |= read
                needs.discard(name)
            else:
                needs = names_read(ast, elements)
            for cause in needs:
                if cause in here:  # drawn in this view: an arrow from it (or from a shadow of it nearby)
                    ok = (cause, False, name) in arrows or (cause, True, name) in arrows
                else:  # from another view: a shadow variable and its arrow
                    ok = (cause, True, name) in arrows
                assert ok, f"{view.title}: {cause} -> {name} has no arrow"
                checked += 1
        for cause, _, effect in arrows:  # and no arrow without an equation that reads its cause
            ast = elements[effect].components[0].ast
            reads = names_read([ast.initial, ast.flow] if effect in stocks else ast, elements)
            assert cause in reads, f"{view.title}: arrow {cause} -> {effect} but {effect} does not read it"
    assert checked > 600


def test_sketch_figure_draws_what_the_sketch_holds(drawn):
    import matplotlib.patches as mpatches

    view = drawn[4]  # Confidence
    fig = diagram.sketch_figure(view)
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, mpatches.Rectangle)]
    assert len(boxes) == sum(1 for it in view.items if it.kind == "stock") == 2
    texts = {t.get_text().replace("\n", " "): t.get_color() for t in ax.texts}
    assert texts["<total premium>"] == "#808080"  # shadows in grey, in angle brackets
    assert texts["Market confidence"] == "black" and texts["confidence premium"] == "black"
    arrows = sum(1 for ln in view.links if not ln.pipe)
    assert len(ax.lines) == arrows + 2 * sum(1 for ln in view.links if ln.pipe)  # pipes are double lines


@pytest.mark.slow
def test_drawn_names_are_legible(drawn):
    # every name drawn fits the box its sketch record gives it (1 px of slack), so no two overlap
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    for view in drawn:
        fig = diagram.sketch_figure(view)
        renderer = FigureCanvasAgg(fig).get_renderer()
        texts = fig.axes[0].texts[1:]  # after the view's title
        named = [it for it in view.items if it.kind in ("stock", "aux", "flow")]
        assert len(texts) == len(named)
        boxes = []
        for text, it in zip(texts, named, strict=True):
            assert text.get_text().replace("\n", " ") == (f"<{it.name}>" if it.shadow else it.name)
            box = text.get_window_extent(renderer)
            assert box.width / 2 <= it.w + 1 and box.height / 2 <= it.h + 1, (view.title, it.name)
            boxes.append(box)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not a.overlaps(b), view.title
