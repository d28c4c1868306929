"""The house's rules, checked on the source (issue 26): the layers import only those below them, no
module imports itself round a cycle, no module reaches into another's underscore names, no module is
over 800 lines and no function over 80 lines of code without a stated reason. `make lint` checks the
layers with import-linter too (pyproject.toml's [tool.importlinter]); this test also reads the imports
inside functions and runs import-linter on a copy with one upward import added, to show it fails."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runners.core.paths import REPO

PACKAGE = REPO / "runners"
# lowest first; cli and api sit side by side at the top and import neither each other
LAYERS = ["core", "inputs", "mdl", "engine", "scenario", "projection", "sweep", "analysis", "report"]
TOP = {"cli", "api"}
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(), str(path)) for name, path in MODULES.items()}


def layer(module: str) -> str | None:
    """The layer of ``runners.<layer>...`` (None for ``runners`` itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def rank(module: str) -> int:
    name = layer(module)
    return len(LAYERS) if name in TOP else LAYERS.index(name) if name in LAYERS else -1


def imports(module: str) -> list[tuple[int, str, str | None]]:
    """(line, imported module, imported name or None) for every ``runners`` import in ``module``,
    those inside functions and those for type checkers included; a ``from runners.x import y``
    names module ``runners.x.y`` when ``y`` is a module."""
    out = []
    for node in ast.walk(TREES[module]):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, None) for a in node.names if a.name.startswith("runners")]
        elif (
            isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("runners")
        ):
            for a in node.names:
                full = f"{node.module}.{a.name}"
                out.append(
                    (node.lineno, full, None) if full in MODULES else (node.lineno, node.module, a.name)
                )
    return out


def test_every_module_is_in_a_layer():
    stray = [m for m in MODULES if m != "runners" and layer(m) not in {*LAYERS, *TOP}]
    assert not stray, f"modules outside the layers: {stray}"


def test_each_layer_imports_only_those_below_it():
    upward = [
        f"{m}:{line} imports {target}"
        for m in MODULES
        if m != "runners"
        for line, target, _ in imports(m)
        if target != "runners"
        and rank(target) > rank(m)
        or (layer(m) in TOP and layer(target) in TOP - {layer(m)})
    ]
    assert not upward, "\n".join(upward)


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module (the import cycles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles_between_modules():
    graph = {m: {t for _, t, _ in imports(m) if t in MODULES and t != m} for m in MODULES}
    # a package's __init__ that re-exports its own modules is not a cycle with them
    for m in MODULES:
        graph[m] = {t for t in graph[m] if not (m == t.rsplit(".", 1)[0] or t == m.rsplit(".", 1)[0])}
    assert strongly_connected(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_uses_another_modules_underscore_names():
    found = []
    for m in MODULES:
        aliases = {}
        for line, target, name in imports(m):
            if name and name.startswith("_") and not name.startswith("__"):
                found.append(f"{m}:{line} imports {target}.{name}")
        for node in ast.walk(TREES[m]):
            if (
                isinstance(node, ast.ImportFrom)
                and node.level == 0
                and (node.module or "").startswith("runners")
            ):
                for a in node.names:
                    if f"{node.module}.{a.name}" in MODULES:
                        aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        for node in ast.walk(TREES[m]):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{m}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    assert not found, "\n".join(found)


def code_lines(source: str, node: ast.AST) -> int:
    """Lines of code of a function: its lines less blank ones, comments and its docstring."""
    lines = source.splitlines()[node.lineno - 1 : node.end_lineno]
    doc = 0
    body = getattr(node, "body", [])
    first = body[0] if body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        doc = first.end_lineno - first.lineno + 1
    blank_or_comment = sum(1 for s in lines if not s.strip() or s.strip().startswith("#"))
    return len(lines) - blank_or_comment - doc


def test_code_lines_counts_a_worked_example():
    source = (
        'def f():\n    """Doc,\n    two lines."""\n    # a comment\n\n    x = 1  # trailing\n    return x\n'
    )
    assert code_lines(source, ast.parse(source).body[0]) == 3  # def, x = 1, return


def test_no_module_over_800_lines():
    long = {m: len(p.read_text().splitlines()) for m, p in MODULES.items()}
    assert {m: n for m, n in long.items() if n > MAX_MODULE_LINES} == {}


def test_no_function_over_80_lines_of_code_without_a_reason():
    found = []
    for m, path in MODULES.items():
        source = path.read_text()
        lines = source.splitlines()
        for node in ast.walk(TREES[m]):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = code_lines(source, node)
                reason = "# long:" in lines[node.lineno - 1]
                if n > MAX_FUNCTION_LINES and not reason:
                    found.append(f"{m}.{node.name} (line {node.lineno}): {n} lines of code")
    assert not found, "\n".join(found)


def test_each_layer_says_what_it_holds_and_may_import():
    for name in [*LAYERS, "cli"]:
        doc = ast.get_docstring(TREES[f"runners.{name}"]) or ""
        assert len(doc) > 60 and ("import" in doc.lower()), f"runners/{name}/__init__.py: docstring"


@pytest.mark.slow
def test_import_linter_fails_on_an_upward_import(tmp_path):
    # make lint's contract is real: the repository passes it, and a copy with core importing the
    # report layer fails it, naming the import
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    ok = subprocess.run([str(lint)], cwd=REPO, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout[-2000:]
    copy = tmp_path / "repo"
    copy.mkdir()
    shutil.copy(REPO / "pyproject.toml", copy)
    shutil.copytree(PACKAGE, copy / "runners", ignore=shutil.ignore_patterns("__pycache__"))
    errors = copy / "runners" / "core" / "errors.py"
    errors.write_text(errors.read_text() + "\nfrom runners.report import charts  # noqa\n")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy)}
    bad = subprocess.run([str(lint)], cwd=copy, capture_output=True, text=True, env=env)
    assert bad.returncode != 0
    assert "runners.core.errors -> runners.report.charts" in bad.stdout
