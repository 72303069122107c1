"""Evaluate a tree at a point: float64 with domain checks, and complex (for the
complex-step derivative). Both read the registry's evaluators; neither needs numpy."""

from __future__ import annotations

import math
from fractions import Fraction

from ..errors import DomainError, EvalOverflow, InputError
from . import functions as fn
from .nodes import Add, Call, Const, Div, Mul, Neg, Node, Num, Pow, Var
from .printer import to_str

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Mapping


class NotAnalytic(Exception):
    """The expression uses a function without a complex extension (abs, relu, …)."""


def fmt(v: float) -> str:
    """Shortest round-trip repr of a float, without a trailing ``.0``: 12, 6.8, 1e-05.
    Zero is ``0`` whatever its sign: ``-0`` means nothing to a reader."""
    v = float(v)
    if v == 0:
        return "0"
    r = repr(v)
    return r[:-2] if r.endswith(".0") else r


class PiFloat(float):
    """A value given as an exact multiple of π (``--at x=pi/2``): a float that remembers
    q, so that tan(x) at x = pi/2 is the pole it is, as tan(pi/2) is."""

    __slots__ = ("q",)

    def __new__(cls, value: float, q: Fraction) -> PiFloat:
        out = super().__new__(cls, value)
        out.q = q
        return out


def plain(v: float) -> float:
    """``v`` with -0.0 turned into 0.0 (for JSON, which would print ``-0.0``)."""
    return v + 0.0


def evaluate(node: Node, env: Mapping[str, float], text: str | None = None) -> float:
    """The value of ``node`` with variables from ``env``.

    Raises DomainError at a point outside a function's domain and EvalOverflow when a
    value leaves float64, pointing into ``text`` (the parsed input) when given.

    Constants are exact (README, Bounds): a constant subexpression made of numbers is
    folded exactly and rounded once (``1e400/1e399`` is 10, ``0.1 + 0.2`` is 0.3), and an
    exact constant beyond float64's range stays exact while it meets other values
    (``x/1e400`` at x = 1 is 1e-400, which rounds to 0 as ``1e-400`` does). A pole of a
    registry function at an exact multiple of π (``tan(pi/2)``, ``csc(pi)``) is a domain
    error, not the huge value float64's rounded π would give.
    """
    return _Eval(env, text).ev(node)


#: Largest exact intermediate kept (bits of numerator or denominator); beyond it float64.
_EXACT_BITS = 20_000
_MAX = 1.7976931348623157e308
_TINY = 2.2250738585072014e-308  # smallest normal float64


def _in_range(q: Fraction) -> bool:
    """True if ``q`` is a normal float64 (or 0): rounding it to float loses nothing big."""
    return q == 0 or _TINY <= abs(q) <= _MAX


def _too_big(q: Fraction) -> bool:
    return max(q.numerator.bit_length(), q.denominator.bit_length()) > _EXACT_BITS


class _Eval:
    def __init__(self, env: Mapping[str, float], text: str | None) -> None:
        self.env = env
        self.text = text
        self.exact: dict[int, Fraction | None] = {}
        # a variable given as an exact multiple of π can meet a pole (--at x=pi/2)
        self.pi_vars = any(type(v) is PiFloat for v in env.values())

    def fail(self, cls: type[InputError], message: str, n: Node) -> InputError:
        span = n.span if self.text is not None else None
        if span is None:
            return cls(message)
        return cls(message, self.text, span[0], width=span[1] - span[0])

    def ev(self, n: Node) -> float:
        v = self.val(n)
        return self.to_float(v, n) if type(v) is Fraction else v

    def val(self, n: Node) -> float | Fraction:
        """The value of ``n``: a float, or an exact Fraction outside float64's range."""
        v = self._ev(n)
        if type(v) is Fraction:
            return v
        if v != v:
            raise self.fail(DomainError, f"{to_str(n)} is undefined here (not a number)", n)
        if v in (math.inf, -math.inf):
            raise self.fail(EvalOverflow, f"{to_str(n)} overflows float64 here", n)
        return v

    def to_float(self, q: Fraction, n: Node) -> float:
        try:
            return float(q)  # correctly rounded; below float64's range it is 0
        except OverflowError:
            what = "the constant " if type(n) is Num else ""
            raise self.fail(EvalOverflow, f"{what}{to_str(n)} overflows float64", n) from None

    def _ev(self, n: Node) -> float | Fraction:
        t = type(n)
        if t is Num:
            q = n.value
            return float(q) if _in_range(q) else q
        if t is Var:
            try:
                return float(self.env[n.name])
            except KeyError:
                raise InputError(f"no value given for {n.name}") from None
        if t is Const:
            return fn.CONSTANTS[n.name]
        if not n.free:
            q = self.rational(n)
            if q is not None:
                return float(q) if _in_range(q) else q
        return self.apply(n, [self.val(a) for a in n.args])

    def rational(self, n: Node) -> Fraction | None:
        """The exact value of a constant made of numbers and + - * / and integer powers,
        else None (π, e, function calls, irrational powers, a huge power)."""
        key = id(n)
        if key in self.exact:
            return self.exact[key]
        t = type(n)
        out: Fraction | None = None
        if t is Num:
            out = n.value
        elif t in (Neg, Add, Mul, Div, Pow):
            vals = [self.rational(a) for a in n.args]
            if None not in vals:
                out = _exact_op(t, vals)  # type: ignore[arg-type]
        self.exact[key] = out
        return out

    def apply(self, n: Node, vals: list) -> float | Fraction:
        """The value of an operation or call ``n`` on its arguments' values."""
        t = type(n)
        if t is not Call and any(type(v) is Fraction for v in vals):
            # an exact constant beyond float64 meets other values: combine exactly
            exact = _exact_op(t, [v if type(v) is Fraction else Fraction(v) for v in vals])
            if exact is not None:
                return float(exact) if _in_range(exact) else exact
        vals = [self.to_float(v, a) if type(v) is Fraction else v
                for v, a in zip(vals, n.args, strict=True)]
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
        pole = self._pole(n, row)
        if pole is not None:
            shown = f"{n.name}({to_str(n.args[0])})"
            if n.args[0].free:  # --at x=pi/2: say which multiple of π it is
                shown += f" = {n.name}({_pi_text(self.pi_multiple(n.args[0]))})"
            raise self.fail(DomainError, f"{shown} is undefined: {n.name} needs {row.domain}", n)
        try:
            return float(row.real(*args))
        except (ValueError, ZeroDivisionError) as e:
            raise self._outside(n, row, args, e) from None
        except OverflowError:
            raise self.fail(EvalOverflow, f"{to_str(n)} overflows float64 here", n) from None

    def _outside(self, n: Node, row: fn.Fn, args: list[float], e: Exception) -> InputError:
        """The domain error for a call, blaming the argument that is at fault: in
        ``log(x, b)`` a base of 1 is the base's fault, not x's."""
        where = ", ".join(map(fmt, args))
        for i in range(1, len(args)):
            try:
                row.real(*args[:i])
            except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                break  # the earlier arguments already fail
            try:
                row.real(*args[: i + 1])
            except (ValueError, ZeroDivisionError, OverflowError):
                why = str(e) if isinstance(e, ValueError) and str(e) else (
                    f"argument {i + 1} is outside the domain"
                )
                return self.fail(DomainError, f"{n.name}({where}) is undefined: {why}",
                                 n.args[i])
        return self.fail(
            DomainError, f"{n.name}({where}) is undefined: {n.name} needs {row.domain}", n
        )

    def _pole(self, n: Node, row: fn.Fn) -> Fraction | None:
        """k if the argument is exactly k·π at a pole the row's domain excludes
        ("x ≠ kπ", "x ≠ π/2 + kπ"), else None."""
        if len(n.args) != 1 or (n.args[0].free and not self.pi_vars):
            return None
        poles = _poles(row.domain)
        if poles is None:
            return None
        q = self.pi_multiple(n.args[0])
        if q is None:
            return None
        offset, period = poles
        k = (q - offset) / period
        return k if k.denominator == 1 else None

    def pi_multiple(self, n: Node) -> Fraction | None:
        """q if ``n`` is exactly q·π with q rational (pi/2, 3*pi, -pi, pi/2 + pi), else None."""
        t = type(n)
        if t is Const:
            return Fraction(1) if n.name == "pi" else None
        if t is Var:
            v = self.env.get(n.name)
            return v.q if type(v) is PiFloat else None
        if t is Neg:
            q = self.pi_multiple(n.args[0])
            return None if q is None else -q
        if t is Add:
            total = Fraction(0)
            for a in n.args:
                q = self.pi_multiple(a)
                if q is None:
                    if self.rational(a) != 0:
                        return None
                    q = Fraction(0)
                total += q
            return total
        if t is Mul:
            qs, rest = None, Fraction(1)
            for a in n.args:
                r = self.rational(a)
                if r is not None:
                    rest *= r
                    continue
                if qs is not None:
                    return None  # π**2 and the like
                qs = self.pi_multiple(a)
                if qs is None:
                    return None
            return None if qs is None else qs * rest
        if t is Div:
            q, r = self.pi_multiple(n.args[0]), self.rational(n.args[1])
            return None if q is None or not r else q / r
        return None


def _pi_text(q: Fraction | None) -> str:
    """q·π in gdcli syntax: pi, -pi, pi/2, 3*pi/2."""
    assert q is not None
    sign = "-" if q < 0 else ""
    p, d = abs(q.numerator), q.denominator
    if p == 0:
        return "0"
    return sign + ("pi" if p == 1 else f"{p}*pi") + (f"/{d}" if d != 1 else "")


def _exact_op(t: type, vals: list[Fraction]) -> Fraction | None:
    """An arithmetic node's exact value on exact arguments, or None when it is not
    rational or would be too large to keep."""
    if t is Add:
        out = sum(vals, Fraction(0))
    elif t is Mul:
        out = Fraction(1)
        for v in vals:
            out *= v
            if _too_big(out):
                return None
    elif t is Neg:
        out = -vals[0]
    elif t is Div:
        if vals[1] == 0:
            return None  # the float path reports the division by zero
        out = vals[0] / vals[1]
    elif t is Pow:
        b, e = vals
        if e.denominator != 1 or (b == 0 and e < 0):
            return None
        bits = max(b.numerator.bit_length(), b.denominator.bit_length())
        if bits * abs(e.numerator) > _EXACT_BITS and abs(b) != 1:
            return None
        out = b ** int(e)
    else:
        return None
    return None if _too_big(out) else out


_POLES: dict[str, tuple[Fraction, Fraction] | None] = {}


def _poles(domain: str) -> tuple[Fraction, Fraction] | None:
    """(offset, period), as multiples of π, for a domain written "x ≠ kπ",
    "x ≠ π/2 + kπ" (the registry's wording), else None."""
    if domain not in _POLES:
        import re

        m = re.fullmatch(r"x ≠ (?:(\d*)π(?:/(\d+))? \+ )?(\d*)kπ", domain)
        if m is None:
            _POLES[domain] = None
        else:
            num, den, per = m.groups()
            offset = Fraction(int(num or 1), int(den or 1)) if "+" in domain else Fraction(0)
            _POLES[domain] = (offset, Fraction(int(per or 1)))
    return _POLES[domain]


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
