"""Dimensional analysis of a Vensim model from its own unit declarations (``snowball check``).

Each equation's units are inferred from pysd's parse of the ``.mdl`` (the syntax trees the sweep
engine compiles) and the declared units of the names it reads, then compared with its own
declaration. A unit string is a product of names with ``*``, ``/`` and ``^n`` (``billion USD/Year``,
``1/percent``, ``Dmnl``); names are compared case-insensitively and a trailing plural ``s`` is
dropped (``Years`` = ``Year``).

Rules (Vensim's, with one allowance for percentages):

* ``+``, ``-``, comparisons, MIN/MAX, IF THEN ELSE branches, XIDZ's fallback: both sides must
  have the same units; a bare number takes the units of the other side (``1 + x``).
* ``*`` and ``/`` multiply units; ``^`` with a number raises them to that power; LN/EXP/LOG need
  dimensionless arguments; a lookup returns its declared units; ``Time`` has TIME STEP's units.
* A stock's flow must have the stock's units per time unit and its initial value the stock's units.
* Scale units (``percent``, ``billion``) are dimensionless factors. Their exponents are checked
  like any unit's (``1/percent x percent`` is not ``percent``), except in a product with a bare
  number, which is read as the conversion (``x / 100`` turns percent into a fraction).
* Interest rates and ratios to GDP are annual, as in the budget: where money meets a percentage
  through such a conversion (``debt x rate / 100``, ``ZIDZ(debt, GDP) x 100``) the result may
  carry one power of Year more or less than its terms (``billion USD`` at ``percent`` a year is
  ``billion USD/Year``). Without money (a growth rate, say) Year is checked strictly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from runners.core.errors import SnowballError
from runners.core.paths import MODEL_FILE
from runners.mdl.parse import normalise, number, parse_mdl

SCALES = frozenset({"percent", "billion"})  # dimensionless factors, converted by bare numbers
MONEY, TIME = "usd", "year"


@dataclass(frozen=True)
class Units:
    """A product of unit names with exponents; ``loose``: scale exponents unknown (a number converted)."""

    dims: tuple[tuple[str, Fraction], ...] = ()
    loose: bool = False
    money: bool = False  # a product that involved money (USD) somewhere

    @staticmethod
    def of(d: dict[str, Fraction], loose: bool = False, money: bool = False) -> Units:
        money = money or any(k == MONEY for k in d)
        return Units(tuple(sorted((k, v) for k, v in d.items() if v != 0)), loose, money)

    @property
    def annual(self) -> bool:
        """Money converted by a number to or from a percentage: an annual rate is implied."""
        return self.loose and self.money

    def as_dict(self) -> dict[str, Fraction]:
        return dict(self.dims)

    def __mul__(self, other: Units) -> Units:
        d = self.as_dict()
        for k, v in other.dims:
            d[k] = d.get(k, Fraction(0)) + v
        return Units.of(d, self.loose or other.loose, self.money or other.money)

    def __truediv__(self, other: Units) -> Units:
        return self * other**-1

    def __pow__(self, power) -> Units:
        return Units.of({k: v * Fraction(power) for k, v in self.dims}, self.loose, self.money)

    def matches(self, other: Units) -> bool:
        a, b = self.as_dict(), other.as_dict()
        if self.loose or other.loose:
            a = {k: v for k, v in a.items() if k not in SCALES}
            b = {k: v for k, v in b.items() if k not in SCALES}
        if self.annual or other.annual:
            step = a.pop(TIME, Fraction(0)) - b.pop(TIME, Fraction(0))
            return a == b and abs(step) <= 1
        return a == b

    def __str__(self) -> str:
        if not self.dims:
            return "Dmnl"
        num = [_term(k, v) for k, v in self.dims if v > 0]
        den = [_term(k, -v) for k, v in self.dims if v < 0]
        text = "*".join(num) or "1"
        if den:
            text += "/" + "/".join(den)
        return text + (" (converted by a number)" if self.loose else "")


def _term(name: str, power: Fraction) -> str:
    return name if power == 1 else f"{name}^{power}"


DMNL = Units()
NUMBER = object()  # a bare number: takes the units the context needs
ANY = None  # units unknown (undeclared, or a function the checker does not know)


def _name(token: str) -> str:
    name = re.sub(r"\s+", " ", token.strip()).lower()
    if name.endswith("s") and len(name) > 3 and name not in ("dmnl",):
        name = name[:-1]
    return name


def parse_units(text: str) -> Units | None:
    """Units of a declaration such as ``billion USD/Year`` (None when empty)."""
    text = (text or "").strip()
    if not text:
        return None
    d: dict[str, Fraction] = {}
    sign = 1
    for part in re.split(r"([*/])", text):
        if part == "*":
            sign = 1
            continue
        if part == "/":
            sign = -1
            continue
        base, _, power = part.partition("^")
        try:
            p = Fraction(power.strip().strip("()")) if power else Fraction(1)
        except ValueError:
            raise SnowballError(f"units '{text}': cannot read the power '{power}'") from None
        for word in [base] if " " not in base.strip() else _words(base):
            name = _name(word)
            if name in ("", "1", "dmnl", "dimensionless"):
                continue
            d[name] = d.get(name, Fraction(0)) + sign * p
        sign = 1
    return Units.of(d)


def _words(base: str) -> list[str]:
    """``billion USD`` is the scale ``billion`` times ``USD``; other spaced names stay whole."""
    words = base.split()
    if _name(words[0]) in SCALES:
        return [words[0], " ".join(words[1:])]
    return [base]


@dataclass(frozen=True)
class Mismatch:
    """One unit inconsistency: the equation, what was declared, what its terms give."""

    name: str
    equation: str
    problem: str


class _Checker:
    def __init__(self, elements, expressions: dict[str, str], time_units: Units | None):
        self.units: dict[str, Units | None] = {}
        self.kind: dict[str, str] = {}
        for el in elements:
            ref = normalise(el.name)
            self.units[ref] = parse_units(el.units)
            self.kind[ref] = el.components[0].type if el.components else ""
        self.names = {normalise(el.name): el.name for el in elements}
        self.expressions = expressions
        self.time = time_units
        self.problems: list[str] = []

    def same(self, a, b, what: str):
        """The units of two things that must agree (a bare number adopts the other's)."""
        if a is NUMBER:
            return b
        if b is NUMBER or a is ANY:
            return a if b is ANY or b is NUMBER else b
        if b is ANY:
            return a
        if not a.matches(b):
            self.problems.append(f"{what}: {a} against {b}")
        return a if not a.loose else b

    def factor(self, u) -> Units | None:
        """Units of a factor in a product: a bare number is a dimensionless conversion."""
        if u is NUMBER:
            return Units(loose=True)
        return u

    def infer(self, node):  # noqa: C901 - one case per pysd structure
        from pysd.translators.structures import abstract_expressions as ae

        if isinstance(node, bool):
            return DMNL
        if isinstance(node, int | float) or type(node).__module__ == "numpy":
            return NUMBER
        if isinstance(node, ae.ReferenceStructure):
            if node.reference == "time":
                return self.time
            return self.units.get(node.reference)
        if isinstance(node, ae.ArithmeticStructure | ae.LogicStructure):
            return self.arithmetic(list(node.operators), list(node.arguments))
        if isinstance(node, ae.CallStructure):
            return self.call(node.function.reference, [self.infer(a) for a in node.arguments], node)
        if isinstance(node, ae.InitialStructure):
            return self.infer(node.initial)
        if isinstance(node, ae.GameStructure):
            return self.infer(node.expression)
        if isinstance(
            node, ae.SmoothStructure | ae.SmoothNStructure | ae.DelayStructure | ae.DelayNStructure
        ):
            time = node.smooth_time if hasattr(node, "smooth_time") else node.delay_time
            self.same(self.infer(time), self.time, "delay or smoothing time against the time unit")
            return self.same(self.infer(node.input), self.infer(node.initial), "input against initial value")
        if isinstance(node, ae.DelayFixedStructure):
            return self.same(self.infer(node.input), self.infer(node.initial), "input against initial value")
        if isinstance(node, ae.TrendStructure):
            return None if self.time is None else self.time**-1
        if isinstance(node, ae.ForecastStructure):
            return self.infer(node.input)
        if isinstance(node, ae.SampleIfTrueStructure):
            return self.same(self.infer(node.input), self.infer(node.initial), "input against initial value")
        return ANY

    def arithmetic(self, ops: list[str], args: list):
        if len(args) == 1:
            u = self.infer(args[0])
            return DMNL if ops[0] == ":NOT:" else u
        acc = self.infer(args[0])
        for op, arg in zip(ops, args[1:], strict=True):
            right = self.infer(arg)
            if op in ("+", "-"):
                acc = self.same(acc, right, f"'{op}' adds")
            elif op in ("=", "<>", "<", "<=", ">", ">="):
                self.same(acc, right, f"'{op}' compares")
                acc = DMNL
            elif op in (":AND:", ":OR:"):
                acc = DMNL
            elif op in ("*", "/"):
                acc = self.product(acc, right, op)
            elif op == "^":
                power = arg if isinstance(arg, int | float) else None
                if acc is NUMBER or acc is ANY:
                    pass
                elif power is not None:
                    acc = acc**power
                elif not acc.matches(DMNL):
                    self.problems.append(f"'^' raises {acc} to a power that is not a number")
                    acc = ANY
        return acc

    def call(self, fname: str, args: list, node):  # noqa: C901 - one case per function
        if self.kind.get(fname) == "Lookup":
            return self.units.get(fname)
        if fname in ("min", "max", "modulo") and len(args) == 2:
            return self.same(args[0], args[1], f"{fname.upper()} compares")
        if fname == "if_then_else":
            return self.same(args[1], args[2], "IF THEN ELSE's branches")
        if fname in ("abs", "integer", "active_initial"):
            return args[0]
        if fname == "zidz":
            return self.product(args[0], args[1], "/")
        if fname == "xidz":
            return self.same(
                self.product(args[0], args[1], "/"), args[2], "XIDZ's quotient against its fallback"
            )
        if fname in ("ln", "exp", "log"):
            for a in args:
                if isinstance(a, Units) and a.dims and not a.matches(DMNL):
                    self.problems.append(f"{fname.upper()} of {a}, not a dimensionless number")
            return DMNL
        if fname == "sqrt":
            return args[0] if args[0] is NUMBER or args[0] is ANY else args[0] ** Fraction(1, 2)
        if fname == "power":
            power = node.arguments[1]
            if args[0] is NUMBER or args[0] is ANY or not isinstance(power, int | float):
                return args[0] if isinstance(power, int | float) else ANY
            return args[0] ** power
        if fname == "step":
            return args[0]
        if fname == "ramp":
            return self.product(args[0], self.time, "*")
        if fname in ("pulse", "pulse_train"):
            return DMNL
        return ANY

    def product(self, a, b, op: str):
        a, b = self.factor(a), self.factor(b)
        if a is ANY or b is ANY:
            return ANY
        return a * b if op == "*" else a / b

    def check(self, el) -> list[Mismatch]:
        """Mismatches in one element (a constant, lookup or control has none to find)."""
        from pysd.translators.structures import abstract_expressions as ae

        ref = normalise(el.name)
        declared = self.units.get(ref)
        out: list[Mismatch] = []
        for comp in el.components:
            self.problems = []
            ast = comp.ast
            if comp.type in ("Lookup", "Data") or ref in (
                "saveper",
                "final_time",
                "initial_time",
                "time_step",
            ):
                continue
            if isinstance(ast, ae.IntegStructure):
                per_time = None if declared is None or self.time is None else declared / self.time
                self.same(self.infer(ast.flow), per_time, "the flow against the stock per time unit")
                self.same(self.infer(ast.initial), declared, "the initial value against the stock")
            else:
                got = self.infer(ast)
                if declared is not None and isinstance(got, Units):
                    self.same(got, declared, "its terms give")
            text = self.expressions.get(el.name, "")
            out += [Mismatch(el.name, text, p) for p in dict.fromkeys(self.problems)]
        return out


@dataclass(frozen=True)
class UnitReport:
    """The outcome of :func:`check_units`: how many equations were checked, what disagrees."""

    path: Path
    checked: int
    mismatches: list[Mismatch]


def check_units(path: Path = MODEL_FILE) -> UnitReport:
    """Every unit inconsistency in the model at ``path``, in file order."""
    import warnings

    path = Path(path)
    if not path.is_file():
        raise SnowballError(f"{path}: model file is missing")
    am = parse_mdl(path)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*chardet.*", category=DeprecationWarning)
        from pysd.translators.vensim.vensim_file import VensimFile

        vf = VensimFile(path)
        vf.parse()
    expressions = {}
    for el in vf.sections[0].elements:
        if hasattr(el, "expression"):  # not subscript ranges
            expressions.setdefault(el.name, re.sub(r"\s+", " ", str(el.expression)).strip())
    elements = am.sections[0].elements
    step = next((el for el in elements if normalise(el.name) == "time_step"), None)
    checker = _Checker(elements, expressions, parse_units(step.units) if step else None)
    out: list[Mismatch] = []
    checked = 0
    for el in elements:
        comp = el.components[0] if el.components else None
        checked += comp is not None and comp.type not in ("Lookup", "Data") and number(comp.ast) is None
        out += checker.check(el)
    return UnitReport(path, checked, out)


def format_report(report: UnitReport) -> str:
    """The report ``snowball check`` prints: each mismatch with its equation, then a summary."""
    lines = []
    for m in report.mismatches:
        lines += [f"{m.name}: {m.problem}", f"    {m.name} = {m.equation}"]
    n = len(report.mismatches)
    where = report.path.name
    if n:
        lines.append(
            f"{n} unit mismatch{'es' if n > 1 else ''} in {where} ({report.checked} equations checked)"
        )
    else:
        lines.append(f"{where}: units consistent in all {report.checked} equations")
    return "\n".join(lines)
