"""Code generation: pysd's syntax trees as Python source (:class:`Builder`, spelled exactly as
pysd's own builder spells them) and the source of a whole program, ``simulate(P, L, t0, nsteps,
slot, out, n)`` (:func:`generate`)."""

from __future__ import annotations

from dataclasses import dataclass

from runners.core.errors import SnowballError
from runners.engine.equations import STATE, Equation, lookup_default, topological, unsupported
from runners.mdl.parse import number

# pysd's OperationBuilder templates: operator -> (template, order)
_OPERATORS = {
    "^": ("%(left)s**%(right)s", 1),
    "*": ("%(left)s*%(right)s", 2),
    "/": ("%(left)s/%(right)s", 2),
    "+": ("%(left)s + %(right)s", 3),
    "-": ("%(left)s - %(right)s", 3),
    "=": ("%(left)s == %(right)s", 4),
    "<>": ("%(left)s != %(right)s", 4),
    ">=": ("%(left)s >= %(right)s", 4),
    ">": ("%(left)s > %(right)s", 4),
    "<=": ("%(left)s <= %(right)s", 4),
    "<": ("%(left)s < %(right)s", 4),
    ":NOT:": ("np.logical_not(%s)", 0),
    ":AND:": ("np.logical_and(%(left)s, %(right)s)", 0),
    ":OR:": ("np.logical_or(%(left)s, %(right)s)", 0),
    "negative": ("-%s", 3),
    "positive": ("%s", 0),
}
# Vensim functions the engine evaluates (pysd's functionspace, vectorised): name -> template.
# ``_dt`` is TIME STEP and ``time`` the current time inside the generated function.
_FUNCTIONS = {
    "abs": "np.abs(%(0)s)",
    "min": "np.minimum(%(0)s, %(1)s)",
    "max": "np.maximum(%(0)s, %(1)s)",
    "exp": "np.exp(%(0)s)",
    "sqrt": "np.sqrt(%(0)s)",
    "ln": "np.log(%(0)s)",
    "log": "(np.log(%(0)s)/np.log(%(1)s))",
    "power": "np.power(%(0)s,%(1)s)",
    "sin": "np.sin(%(0)s)",
    "cos": "np.cos(%(0)s)",
    "tan": "np.tan(%(0)s)",
    "arcsin": "np.arcsin(%(0)s)",
    "arccos": "np.arccos(%(0)s)",
    "arctan": "np.arctan(%(0)s)",
    "sinh": "np.sinh(%(0)s)",
    "cosh": "np.cosh(%(0)s)",
    "tanh": "np.tanh(%(0)s)",
    "pi": "np.pi",
    "if_then_else": "_ite(%(0)s, %(1)s, %(2)s)",
    "integer": "_integer(%(0)s)",
    "xidz": "_xidz(%(0)s, %(1)s, %(2)s)",
    "zidz": "_zidz(%(0)s, %(1)s)",
    "modulo": "_modulo(%(0)s, %(1)s)",
    "quantum": "_quantum(%(0)s, %(1)s)",
    "step": "_step(time, _dt, %(0)s, %(1)s)",
    "ramp": "_ramp(time, %(0)s, %(1)s, %(2)s)",
    "pulse": "_pulse(time, _dt, %(0)s, 0, %(1)s, None)",
    "pulse_train": "_pulse(time, _dt, %(0)s, %(1)s, %(2)s, %(3)s)",
}
_ARITY = {"pi": (0,), "ramp": (2, 3), "log": (2,), "power": (2,), "min": (2,), "max": (2,)}
_ARITY |= {"xidz": (3,), "zidz": (2,), "if_then_else": (3,), "modulo": (2,), "quantum": (2,)}
_ARITY |= {"step": (2,), "pulse": (2,), "pulse_train": (4,)}
_CLOCKED = {"step", "ramp", "pulse", "pulse_train"}  # functions of time (dynamic)


@dataclass
class Built:
    expression: str
    order: int

    def lower_order(self, new_order: int) -> None:
        # pysd's BuildAST.lower_order: parenthesise when precedence would otherwise change
        if self.order >= new_order and self.order != 0 and new_order != 0:
            self.expression = f"({self.expression})"
            self.order = 0


class Builder:
    """Turns pysd's syntax trees into Python source, spelled as pysd's builder spells them.

    The spelling is data (the templates below and :meth:`literal`), so a subclass spells another
    language from the same trees (runners.engine.js: JavaScript)."""

    OPERATORS = _OPERATORS
    FUNCTIONS = _FUNCTIONS
    DIVIDE = "_div(%(left)s, %(right)s)"  # a division inside an IF THEN ELSE branch
    LOOKUP = "_lookup(%s, %s_x, %s_y, %s_f)"  # a table called at an argument
    NONE = "None"  # an absent optional argument (RAMP's finish, PULSE's end)

    def literal(self, value: float) -> str:
        """A number's source text."""
        return "np.nan" if value != value else repr(value)

    def __init__(self, equations: dict[str, Equation]):
        self.eq = equations
        self.branch = 0  # > 0 inside an IF THEN ELSE branch: divisions never raise

    def refs(self, node, phase: str = "run") -> set[str]:
        """References (pysd spelling) in a syntax tree; ``phase`` "init" reads ACTIVE INITIAL's value."""
        from pysd.translators.structures import abstract_expressions as ae

        out: set[str] = set()

        def walk(n):
            if isinstance(n, ae.ReferenceStructure):
                out.add(n.reference)
            elif isinstance(n, ae.CallStructure):
                fname = n.function.reference
                if fname in self.eq:
                    out.add(fname)
                if fname in _CLOCKED:
                    out.add("time")
                if fname == "active_initial" and len(n.arguments) == 2:
                    walk(n.arguments[1] if phase == "init" else n.arguments[0])
                    return
                for a in n.arguments:
                    walk(a)
            elif isinstance(n, ae.ArithmeticStructure | ae.LogicStructure):
                for a in n.arguments:
                    walk(a)

        walk(node)
        return out

    def build(self, node, name: str, phase: str = "run") -> Built:
        """Python source for one syntax tree of equation ``name``."""
        from pysd.translators.structures import abstract_expressions as ae

        value = number(node)
        if value is not None:
            return Built(self.literal(value), 0)
        if isinstance(node, ae.ReferenceStructure):
            if node.subscripts:
                raise unsupported(name, "a subscripted reference")
            if node.reference == "time":
                return Built("time", 0)
            target = self.eq.get(node.reference)
            if target is None:
                raise SnowballError(f"equation '{name}': unknown name '{node.reference}'")
            if target.kind == "lookup":
                raise unsupported(name, f"using the table '{target.name}' without an argument")
            return Built(target.local, 0)
        if isinstance(node, ae.ArithmeticStructure | ae.LogicStructure):
            ops = list(node.operators)
            operators = self.OPERATORS
            for op in ops:
                if op not in operators:
                    raise unsupported(name, f"the operator {op!r}")
            args = [self.build(a, name, phase) for a in node.arguments]
            order = operators[ops[-1]][1]
            args[-1].lower_order(2 if ops[-1] == "^" else order)
            if len(args) == 1:
                if ops[0] == "negative":
                    order = 1
                return Built(operators[ops[0]][0] % args[0].expression, order)
            right = args.pop().expression
            while args or ops:
                op = ops.pop()
                template = operators[op][0]
                left = args.pop()
                left.lower_order(order)
                if op == "/" and self.branch:  # the branch not taken may divide by zero
                    template = self.DIVIDE
                right = template % {"left": left.expression, "right": right}
            return Built(right, order)
        if isinstance(node, ae.CallStructure):
            fname = node.function.reference
            if fname == "active_initial" and len(node.arguments) == 2:
                return self.build(node.arguments[1 if phase == "init" else 0], name, phase)
            if fname == "if_then_else" and len(node.arguments) == 3:
                cond = self.build(node.arguments[0], name, phase)
                self.branch += 1
                try:
                    args = [cond, *(self.build(a, name, phase) for a in node.arguments[1:])]
                finally:
                    self.branch -= 1
            else:
                args = [self.build(a, name, phase) for a in node.arguments]
            target = self.eq.get(fname)
            if target is not None and target.kind == "lookup":
                if len(args) != 1:
                    raise unsupported(name, f"calling the table '{target.name}' with {len(args)} arguments")
                t = target.local
                return Built(self.LOOKUP % (args[0].expression, t, t, t), 0)
            if fname not in self.FUNCTIONS:
                raise unsupported(name, f"the function {fname.upper().replace('_', ' ')}")
            arity = _ARITY.get(fname, (1,))
            if len(args) not in arity:
                raise SnowballError(
                    f"equation '{name}': {fname.upper()} takes {arity[-1]} arguments, got {len(args)}"
                )
            if fname == "ramp" and len(args) == 2:
                args.append(Built(self.NONE, 0))
            return Built(self.FUNCTIONS[fname] % {str(i): a.expression for i, a in enumerate(args)}, 0)
        raise unsupported(name, type(node).__name__.replace("Structure", "").upper() or "this construct")


def _dependencies(eqs: dict[str, Equation]) -> None:
    """Fill each equation's run-time and initialisation dependencies (pysd spelling)."""
    b = Builder(eqs)
    for e in eqs.values():
        if e.kind in ("aux", "control"):
            e.deps = b.refs(e.ast)
            e.init_deps = b.refs(e.ast, "init")
        elif e.kind in STATE:
            e.deps = b.refs(e.ast)
            e.init_deps = b.refs(e.initial, "init") | (
                b.refs(e.delay, "init") if e.kind == "fixed" else set()
            )
        elif e.kind == "initial":
            e.init_deps = b.refs(e.initial, "init")
        for r in e.deps | e.init_deps:
            if r != "time" and r not in eqs:
                raise SnowballError(f"equation '{e.name}': unknown name '{r}'")


def _levels(eqs: dict[str, Equation], names) -> dict[str, int]:
    """Each auxiliary's level: 0 static (constants only, once), 1 fixed at initialisation (reads an
    INITIAL value), 2 dynamic (depends on time or on state, directly or through auxiliaries)."""
    level: dict[str, int] = {}

    def level_of(ref: str, seen: tuple = ()) -> int:
        if ref == "time":
            return 2
        e = eqs[ref]
        if e.kind in STATE:
            return 2
        if e.kind == "initial":
            return 1
        if e.kind != "aux":
            return 0
        if ref in level:
            return level[ref]
        if ref in seen:
            chain = " -> ".join(names(r) for r in (*seen[seen.index(ref) :], ref))
            raise SnowballError(f"algebraic loop with no stock in it: {chain}")
        lv = 2 if e.init_deps != e.deps else 0  # ACTIVE INITIAL: one value at t0, another after
        level[ref] = max([lv, *(level_of(d, (*seen, ref)) for d in e.deps)])
        return level[ref]

    for ref, e in eqs.items():
        if e.kind == "aux":
            level_of(ref)
    return level


class Generator:
    """The steps of :func:`generate`, each emitting its part of ``simulate``'s source in order."""

    builder = Builder
    END = ""  # a statement's end

    def __init__(self, eqs: dict[str, Equation], record: tuple[str, ...]):
        self.eqs, self.record = eqs, record
        self.b = self.builder(eqs)
        self.by_name = {e.name: e for e in eqs.values() if not e.hidden}
        unknown = [r for r in record if r not in self.by_name or self.by_name[r].kind == "lookup"]
        if unknown:
            raise SnowballError(f"unknown model variable(s) to record: {', '.join(unknown)}")
        _dependencies(eqs)
        self.level = _levels(eqs, self.names)
        self.needed = self.needed_by_record()
        self.stepped = eqs["time_step"].clock  # TIME STEP reads Time: D holds each step's value
        self.lines = [self.header()]
        self.emit = self.lines.append

    def header(self) -> str:
        return "def simulate(P, L, t0, nsteps, slot, out, n" + (", D):" if self.stepped else "):")

    def assign(self, target: str, expression: str, indent: str = "    ") -> None:
        self.emit(f"{indent}{target} = {expression}{self.END}")

    def pipe(self, local: str, delay: str) -> None:
        """A DELAY FIXED pipe of ``_fixed_order(delay, _dt)`` slots, each holding the initial value."""
        self.emit(f"    {local}_pipe = [{local}] * _fixed_order({delay}, _dt)")
        self.emit(f"    {local}_at = 0")

    @staticmethod
    def text(value: str) -> str:
        """A string literal."""
        return repr(value)

    def names(self, ref: str) -> str:
        return self.eqs[ref].name if ref in self.eqs else ref

    def needed_by_record(self) -> set[str]:
        """What the recorded variables need, directly or through stocks and initial values (a
        program with nothing to record, the build's check, keeps every equation)."""
        eqs = self.eqs
        needed: set[str] = set(eqs) if not self.record else set()
        todo = [self.by_name[n].ref for n in self.record]
        while todo:
            r = todo.pop()
            if r != "time" and r not in needed:
                needed.add(r)
                todo.extend(eqs[r].deps | eqs[r].init_deps)
        return needed

    def inputs(self) -> None:
        """Constants and controls from ``P``, tables from ``L`` (hidden ones written in), TIME STEP."""
        eqs, emit = self.eqs, self.emit
        for e in eqs.values():
            if e.kind in ("constant", "control"):
                emit(f"    {e.local} = P[{e.name!r}]")
            elif e.kind == "lookup" and e.hidden:
                xs, ys = lookup_default(e.ast)
                emit(f"    {e.local}_x, {e.local}_y = np.array({list(xs)!r}), np.array({list(ys)!r})")
                emit(f"    {e.local}_f = _scalar_table({e.local}_x, {e.local}_y)")
            elif e.kind == "lookup":
                emit(f"    {e.local}_x, {e.local}_y = L[{e.name!r}]")
                emit(f"    {e.local}_f = _scalar_table({e.local}_x, {e.local}_y)")
        emit("    _dt = D[0]" if self.stepped else f"    _dt = {eqs['time_step'].local}")

    def statics(self) -> None:
        """Static auxiliaries (no time, no state), computed once."""
        eqs, b, level = self.eqs, self.b, self.level
        static = [r for r, e in eqs.items() if e.kind == "aux" and level[r] == 0 and r in self.needed]
        sdeps = {r: {d for d in eqs[r].deps if d in static} for r in static}
        for r in topological(static, sdeps, "algebraic loop with no stock in it", self.names):
            self.assign(eqs[r].local, b.build(eqs[r].ast, eqs[r].name).expression)

    def initialisation(self) -> None:
        """At t0: state, INITIAL values and what they read, in dependency order."""
        eqs, b, level, emit = self.eqs, self.b, self.level, self.emit
        self.assign("time", "t0")
        init_nodes: dict[str, set[str]] = {}
        for r, e in eqs.items():
            if e.kind in (*STATE, "initial") or (e.kind == "aux" and level[r] > 0):
                init_nodes[r] = {d for d in e.init_deps if d != "time"}
        roots = [
            r
            for r, e in eqs.items()
            if r in self.needed and (e.kind in (*STATE, "initial") or (e.kind == "aux" and level[r] == 1))
        ]
        for r in topological(roots, init_nodes, "initial values depend on each other in a loop", self.names):
            e = eqs[r]
            if e.kind == "aux":
                self.assign(e.local, b.build(e.ast, e.name, "init").expression)
                continue
            self.assign(e.local, b.build(e.initial, e.name, "init").expression)
            if e.kind == "stock" and e.delay is not None:
                delay = b.build(e.delay[0], e.name, "init").expression
                emit(f"    _order_check({delay}, {e.delay[1]}, _dt, {self.text(e.name)}){self.END}")
            if e.kind == "fixed":
                self.pipe(e.local, b.build(e.delay, e.name, "init").expression)

    def dynamic_order(self, states: list[str]) -> list[str]:
        """The dynamic auxiliaries the state and the recorded variables need, in dependency order."""
        eqs, level = self.eqs, self.level
        wanted = set()
        todo = [d for s in states for d in eqs[s].deps] + [self.by_name[n].ref for n in self.record]
        while todo:
            r = todo.pop()
            if r == "time" or r in wanted or eqs[r].kind != "aux" or level[r] != 2:
                continue
            wanted.add(r)
            todo.extend(eqs[r].deps)
        ddeps = {r: {d for d in eqs[r].deps if d in wanted} for r in wanted}
        return topological(sorted(wanted), ddeps, "algebraic loop with no stock in it", self.names)

    def time_loop(self) -> None:
        """Each step: the dynamic auxiliaries, the recorded values, then the state's update."""
        eqs, b, emit = self.eqs, self.b, self.emit
        states = [r for r, e in eqs.items() if e.kind in STATE and r in self.needed]
        order = self.dynamic_order(states)
        emit("    t = t0")
        emit("    for i in range(nsteps + 1):")
        emit("        time = t")
        if self.stepped:
            emit("        _dt = D[i]")
        for r in order:
            emit(f"        {eqs[r].local} = {b.build(eqs[r].ast, eqs[r].name).expression}")
        if self.record:
            emit("        k = slot[i]")
            emit("        if k >= 0:")
            emit("            o = out[k]")
            for j, name in enumerate(self.record):
                emit(f"            o[{j}] = {self.by_name[name].local}")
        emit("        if i == nsteps:")
        emit("            break")
        for r in states:
            emit(f"        d_{eqs[r].local} = {b.build(eqs[r].ast, eqs[r].name).expression}")
        emit("        dt = _dt")
        for r in states:
            self.update(eqs[r])
        emit("        t = t + dt")
        emit("    return None")

    def update(self, e: Equation) -> None:
        """One state's new value from its change ``d_``: held, piped or integrated (Euler)."""
        emit = self.emit
        if e.kind == "discrete":
            emit(f"        {e.local} = d_{e.local}")
        elif e.kind == "fixed":
            emit(f"        {e.local}_pipe[{e.local}_at] = d_{e.local}")
            emit(f"        {e.local}_at = ({e.local}_at + 1) % len({e.local}_pipe)")
            emit(f"        {e.local} = {e.local}_pipe[{e.local}_at]")
        else:
            new = f"{e.local} + d_{e.local}*dt"
            emit(f"        {e.local} = " + (f"np.maximum({new}, 0)" if e.non_negative else new))


def generate(eqs: dict[str, Equation], record: tuple[str, ...]) -> str:
    """Source of ``simulate(P, L, t0, nsteps, slot, out, n)`` for the model ``eqs``.

    When TIME STEP reads Time, ``simulate`` takes each step's TIME STEP as a last argument ``D``
    (see :meth:`Program.steps`) and the control variables are auxiliaries computed every step.
    """
    g = Generator(eqs, record)
    g.inputs()
    g.statics()
    g.initialisation()
    g.time_loop()
    return "\n".join(g.lines) + "\n"
