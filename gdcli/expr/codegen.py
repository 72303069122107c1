"""Trees -> Python source over floats, compiled once per run (the speed of a
hand-written loop, not of a tree walk per step).

Only code built from validated nodes is compiled: variables become ``v0``, ``v1``…,
numbers become float literals, functions are names bound to the registry's float
evaluators. No text the user typed can reach ``compile``; tests prove it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from . import functions as fn
from .nodes import Add, Call, Const, Div, Mul, Neg, Node, Num, Pow, Var

#: Integer powers up to this size compile to ``x**n`` (exact, and raises on overflow).
_INT_POW = 64


def namespace() -> dict[str, Any]:
    """The only names generated code can see."""
    ns: dict[str, Any] = {
        "__builtins__": {},
        "_pow": math.pow,
        "_sqrt": math.sqrt,
        "_INF": math.inf,
        "range": range,
        # the errors a float step can raise, caught by the generated loops
        "ValueError": ValueError,
        "ZeroDivisionError": ZeroDivisionError,
        "OverflowError": OverflowError,
    }
    for name, row in fn.FUNCTIONS.items():
        ns[f"_f_{name}"] = row.real
    return ns


def _float(v: Any) -> str:
    try:
        x = float(v)
    except OverflowError:
        return "_INF" if v > 0 else "(-_INF)"
    return repr(x) if x >= 0 else f"({x!r})"


class Emitter:
    """Turns trees into expressions over local names, sharing repeated subtrees (CSE)."""

    def __init__(self, names: dict[str, str], roots: Sequence[Node]) -> None:
        self.names = names
        self.lines: list[str] = []
        self.temps: dict[Node, str] = {}
        counts: Counter[Node] = Counter()
        for r in roots:
            self._count(r, counts)
        self.shared = {n for n, c in counts.items() if c > 1 and n.args}

    def _count(self, n: Node, counts: Counter[Node]) -> None:
        counts[n] += 1
        if counts[n] == 1:
            for a in n.args:
                self._count(a, counts)

    def expr(self, n: Node) -> str:
        got = self.temps.get(n)
        if got is not None:
            return got
        code = self._code(n)
        if n in self.shared:
            name = f"t{len(self.temps)}"
            self.lines.append(f"{name} = {code}")
            self.temps[n] = name
            return name
        return code

    def _code(self, n: Node) -> str:
        t = type(n)
        if t is Num:
            return _float(n.value)
        if t is Const:
            return repr(fn.CONSTANTS[n.name])
        if t is Var:
            return self.names[n.name]
        if t is Add:
            return "(" + " + ".join(self.expr(a) for a in n.args) + ")"
        if t is Mul:
            return "(" + " * ".join(self.expr(a) for a in n.args) + ")"
        if t is Neg:
            return f"(-{self.expr(n.args[0])})"
        if t is Div:
            return f"({self.expr(n.args[0])} / {self.expr(n.args[1])})"
        if t is Pow:
            b, e = n.args
            if type(e) is Num:
                v = e.value
                if v.denominator == 1 and abs(v) <= _INT_POW:
                    return f"({self.expr(b)} ** {int(v)})"
                if v == 0.5:
                    return f"_sqrt({self.expr(b)})"
            return f"_pow({self.expr(b)}, {self.expr(e)})"
        if t is Call:
            assert n.name in fn.FUNCTIONS  # names come from the registry, never from input
            return f"_f_{n.name}({', '.join(self.expr(a) for a in n.args)})"
        raise TypeError(t)  # pragma: no cover


def local_names(variables: Sequence[str]) -> dict[str, str]:
    """Variable -> generated local name (v0, v1, … in alphabetical variable order)."""
    return {v: f"v{i}" for i, v in enumerate(variables)}


def build(source: str, entry: str, extra: dict[str, Any] | None = None) -> Callable[..., Any]:
    """Compile generated source (never user text) and return its function ``entry``;
    ``extra`` adds helper functions the source may call (named with a leading _)."""
    ns = namespace()
    if extra:
        assert all(k.startswith("_") for k in extra)
        ns.update(extra)
    exec(compile(source, f"<gdcli:{entry}>", "exec"), ns)  # noqa: S102 - generated code only
    return ns[entry]


def compile_many(nodes: Sequence[Node], variables: Sequence[str]) -> Callable[..., tuple]:
    """A function of the variables (positional, alphabetical) returning all node values."""
    names = local_names(variables)
    em = Emitter(names, nodes)
    outs = [em.expr(n) for n in nodes]
    params = ", ".join(names.values())
    body = "".join(f"    {line}\n" for line in em.lines)
    src = f"def _values({params}):\n{body}    return ({', '.join(outs)},)\n"
    return build(src, "_values")


def compile_one(node: Node, variables: Sequence[str]) -> Callable[..., float]:
    """A function of the variables returning the value of one node."""
    many = compile_many([node], variables)
    return lambda *args: many(*args)[0]
