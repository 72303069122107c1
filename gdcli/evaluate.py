"""Evaluate a tree at a point: float64 with domain checks, and complex (for the
complex-step derivative). Both read the registry's evaluators; neither needs numpy."""

from __future__ import annotations

import math

from . import functions as fn
from .errors import DomainError, EvalOverflow, InputError
from .nodes import Add, Call, Const, Div, Mul, Neg, Node, Num, Pow, Var
from .printer import to_str

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Mapping


class NotAnalytic(Exception):
    """The expression uses a function without a complex extension (abs, relu, …)."""


def fmt(v: float) -> str:
    """Shortest round-trip repr of a float, without a trailing ``.0``: 12, 6.8, 1e-05."""
    r = repr(float(v))
    return r[:-2] if r.endswith(".0") else r


def evaluate(node: Node, env: Mapping[str, float], text: str | None = None) -> float:
    """The value of ``node`` with variables from ``env``.

    Raises DomainError at a point outside a function's domain and EvalOverflow when a
    value leaves float64, pointing into ``text`` (the parsed input) when given.
    """
    return _Eval(env, text).ev(node)


class _Eval:
    def __init__(self, env: Mapping[str, float], text: str | None) -> None:
        self.env = env
        self.text = text

    def fail(self, cls: type[InputError], message: str, n: Node) -> InputError:
        span = n.span if self.text is not None else None
        if span is None:
            return cls(message)
        return cls(message, self.text, span[0], width=span[1] - span[0])

    def ev(self, n: Node) -> float:
        v = self._ev(n)
        if v != v:
            raise self.fail(DomainError, f"{to_str(n)} is undefined here (not a number)", n)
        if v in (math.inf, -math.inf):
            raise self.fail(EvalOverflow, f"{to_str(n)} overflows float64 here", n)
        return v

    def _ev(self, n: Node) -> float:
        t = type(n)
        if t is Num:
            try:
                return float(n.value)
            except OverflowError:
                raise self.fail(EvalOverflow, "a constant overflows float64", n) from None
        if t is Var:
            try:
                return float(self.env[n.name])
            except KeyError:
                raise InputError(f"no value given for {n.name}") from None
        if t is Const:
            return fn.CONSTANTS[n.name]
        return self.apply(n, [self.ev(a) for a in n.args])

    def apply(self, n: Node, vals: list[float]) -> float:
        """The value of an operation or call ``n`` on its arguments' values."""
        t = type(n)
        if t is Add:
            return sum(vals)
        if t is Mul:
            out = 1.0
            for v in vals:
                out *= v
            return out
        if t is Neg:
            return -vals[0]
        if t is Div:
            if vals[1] == 0:
                raise self.fail(DomainError, f"division by zero in {to_str(n)}", n)
            return vals[0] / vals[1]
        if t is Pow:
            return self._pow(n, *vals)
        if t is Call:
            return self._call(n, vals)
        raise TypeError(t)  # pragma: no cover

    def _pow(self, n: Node, b: float, e: float) -> float:
        if b == 0 and e < 0:
            raise self.fail(DomainError, f"division by zero in {to_str(n)} (0 to a negative power)",
                            n)
        if b < 0 and e != int(e):
            raise self.fail(
                DomainError,
                f"{to_str(n)} is undefined for the negative base {fmt(b)} (non-integer power)",
                n,
            )
        try:
            return math.pow(b, e)
        except OverflowError:
            raise self.fail(EvalOverflow, f"{to_str(n)} overflows float64 here", n) from None

    def _call(self, n: Node, args: list[float]) -> float:
        row = fn.FUNCTIONS[n.name]
        try:
            return float(row.real(*args))
        except (ValueError, ZeroDivisionError):
            where = ", ".join(map(fmt, args))
            raise self.fail(
                DomainError, f"{n.name}({where}) is undefined: {n.name} needs {row.domain}", n
            ) from None
        except OverflowError:
            raise self.fail(EvalOverflow, f"{to_str(n)} overflows float64 here", n) from None


def evaluate_complex(node: Node, env: Mapping[str, complex]) -> complex:
    """Complex value (complex-step derivatives); NotAnalytic for abs, relu and the like."""
    t = type(node)
    if t is Num:
        return complex(float(node.value))
    if t is Var:
        return complex(env[node.name])
    if t is Const:
        return complex(fn.CONSTANTS[node.name])
    args = [evaluate_complex(a, env) for a in node.args]
    if t is Add:
        return sum(args, 0j)
    if t is Mul:
        out = 1 + 0j
        for a in args:
            out *= a
        return out
    if t is Neg:
        return -args[0]
    if t is Div:
        return args[0] / args[1]
    if t is Pow:
        b, e = args
        if e.imag == 0 and e.real == int(e.real) and abs(e.real) <= 64:
            return b ** int(e.real)  # repeated multiplication: analytic for any real base
        return b**e
    if t is Call:
        cplx = fn.FUNCTIONS[node.name].cplx
        if cplx is None:
            raise NotAnalytic(node.name)
        return complex(cplx(*args))
    raise TypeError(t)  # pragma: no cover


#: Functions whose value is never 0 mathematically: a 0.0 result is an underflow.
_NEVER_ZERO = {"exp", "sigmoid", "softplus", "cosh"}
_TINY = 2.2250738585072014e-308  # smallest normal float64


def underflows(nodes: list[Node] | tuple[Node, ...], env: Mapping[str, float]) -> bool:
    """True if evaluating any of ``nodes`` at ``env`` loses a nonzero value to underflow
    (a product, quotient, power or exp-like call of nonzero inputs giving 0 or a
    subnormal): then a zero gradient there is an artefact, not a stationary point."""
    seen: dict[int, float] = {}
    flag = False
    ev = _Eval(env, None)

    def walk(n: Node) -> float:
        nonlocal flag
        got = seen.get(id(n))
        if got is not None:
            return got
        vals = [walk(a) for a in n.args]
        v = ev._ev(n) if not n.args else ev.apply(n, vals)
        # inputs that must be nonzero for the result to be nonzero: every factor of a
        # product, the numerator of a quotient, the base of a power
        inputs = vals if type(n) is Mul else vals[:1] if type(n) in (Div, Pow) else None
        lost = (inputs is not None and all(a != 0 for a in inputs)) or (
            type(n) is Call and n.name in _NEVER_ZERO
        )
        if lost and abs(v) < _TINY:
            flag = True
        seen[id(n)] = v
        return v

    for node in nodes:
        try:
            walk(node)
        except (ArithmeticError, ValueError, InputError):
            return False
    return flag
