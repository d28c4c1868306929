"""Stock-and-flow diagrams generated from the model: stocks with their flows, an arrow per dependency."""

from __future__ import annotations

import shutil

import pytest

from runners import cli, diagram
from runners.engine import _parse
from runners.paths import MODEL_FILE


@pytest.fixture(scope="module")
def views():
    return diagram.diagrams()


@pytest.fixture(scope="module")
def elements():
    return {el.name: el for el in _parse(MODEL_FILE).sections[0].elements}


def names_read(node, elements) -> set[str]:
    """Model names an expression reads (found by walking pysd's tree independently)."""
    known = {diagram._ref(n): n for n in elements} | {"time": "Time"}
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


def test_dot_files_one_per_view(tmp_path, views):
    out = tmp_path / "diagrams"
    assert cli.main(["diagram", "--format", "dot", "--out", str(out)]) == 0
    files = sorted(p.name for p in out.iterdir() if p.name != ".snowball-output")  # the output marker
    assert files == sorted(f"{i}-{diagram.slug(d.view)}.dot" for i, d in enumerate(views, 1))
    text = (out / "5-confidence.dot").read_text()
    assert '"Market confidence" [shape=box' in text and '"<total premium>" [shape=plaintext' in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed")
def test_render_png(tmp_path, views):
    png = diagram.render(views[4], tmp_path / "confidence.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 600 and height > 300


def test_png_without_graphviz_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    out = tmp_path / "diagrams"
    assert cli.main(["diagram", "--out", str(out)]) == 2
    assert "needs graphviz's 'dot'" in capsys.readouterr().err
    assert not out.exists()  # nothing half-written
