"""Exact stationary points of one-variable polynomials: the roots of f', exact where
they are rational, with their kind from the first non-zero higher derivative."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple

from ..expr.evaluate import fmt
from ..expr.nodes import Add, Mul, Node, Num, Pow, Var
from ..expr.printer import number

if TYPE_CHECKING:  # pragma: no cover
    from .problem import Problem


class Stationary(NamedTuple):
    x: float
    text: str  # exact where possible: "2", "1/3", "-0.5"
    kind: str  # "minimum", "maximum", "inflection"


#: Polynomials of higher degree are not expanded for exact stationary points.
MAX_DEGREE = 64


def poly_coeffs(node: Node, var: str) -> dict[int, Fraction] | None:
    """Coefficients of ``node`` as a polynomial in ``var`` with rational coefficients
    (products and integer powers expanded), or None if it is not one."""
    t = type(node)
    if t is Num:
        return {0: node.value} if node.value else {}
    if t is Var:
        return {1: Fraction(1)} if node.name == var else None
    if t is Add or t is Mul:
        parts = [poly_coeffs(a, var) for a in node.args]
        if any(p is None for p in parts):
            return None
        acc: dict[int, Fraction] = {} if t is Add else {0: Fraction(1)}
        for p in parts:
            acc = _padd(acc, p) if t is Add else _pmul(acc, p)
            if acc and max(acc) > MAX_DEGREE:
                return None
        return acc
    if t is Pow and type(node.args[1]) is Num:
        e = node.args[1].value
        base = poly_coeffs(node.args[0], var)
        if base is None or e.denominator != 1 or e < 0 or (base and max(base) * e > MAX_DEGREE):
            return None
        acc = {0: Fraction(1)}
        for _ in range(int(e)):
            acc = _pmul(acc, base)
        return acc
    return None


def _padd(a: dict[int, Fraction], b: dict[int, Fraction]) -> dict[int, Fraction]:
    out = dict(a)
    for d, v in b.items():
        out[d] = out.get(d, Fraction(0)) + v
    return {d: v for d, v in out.items() if v != 0}


def _pmul(a: dict[int, Fraction], b: dict[int, Fraction]) -> dict[int, Fraction]:
    out: dict[int, Fraction] = {}
    for d1, v1 in a.items():
        for d2, v2 in b.items():
            out[d1 + d2] = out.get(d1 + d2, Fraction(0)) + v1 * v2
    return {d: v for d, v in out.items() if v != 0}


def _horner(coeffs: dict[int, Fraction], x: Fraction | float) -> Fraction | float:
    if isinstance(x, Fraction):
        return sum((c * x**d for d, c in coeffs.items()), Fraction(0))
    try:
        return math.fsum(float(c) * x**d for d, c in coeffs.items())
    except OverflowError:  # a root far beyond float64's range (tiny leading coefficients)
        return math.nan


def _deriv(coeffs: dict[int, Fraction]) -> dict[int, Fraction]:
    return {d - 1: c * d for d, c in coeffs.items() if d > 0}


def _kind(dcoeffs: dict[int, Fraction], x: Fraction | float) -> str:
    """First-nonzero-derivative test at a root of f' (dcoeffs are f' coefficients)."""
    order, cur = 2, _deriv(dcoeffs)
    while cur:
        v = _horner(cur, x)
        scale = max(1.0, *(abs(float(c)) for c in cur.values()))
        exact = isinstance(v, Fraction)
        if (exact and v != 0) or (not exact and abs(v) > 1e-9 * scale):
            if order % 2:
                return "inflection"
            return "minimum" if v > 0 else "maximum"
        order, cur = order + 1, _deriv(cur)
    return "inflection"


def _rational_sqrt(q: Fraction) -> Fraction | None:
    n, d = math.isqrt(q.numerator), math.isqrt(q.denominator)
    return Fraction(n, d) if n * n == q.numerator and d * d == q.denominator else None


def stationary_points(problem: Problem) -> list[Stationary] | None:
    """Roots of f' with their kind, for a one-variable polynomial f; None otherwise."""
    if problem.dim != 1:
        return None
    var = problem.variables[0]
    c = poly_coeffs(problem.grad_nodes[0], var)
    if c is None or not c or max(c) == 0:
        return None
    try:
        roots = _roots(c)
    except _NoRoots:
        return None
    out = []
    for r in roots:
        exact = isinstance(r, Fraction) and r.denominator < 10**6
        text = number(r) if exact else fmt(float(r))
        out.append(Stationary(float(r), text, _kind(c, r)))
    return out


def _roots(c: dict[int, Fraction]) -> list[Fraction | float]:
    """Real roots, exact where they are rational (or quadratic surds as floats)."""
    exact: list[Fraction] = []
    low = min(c)
    if low > 0:  # x**low divides: 0 is a root
        exact.append(Fraction(0))
        c = {d - low: v for d, v in c.items()}
    c, found = _rational_roots(c)
    exact += found
    deg = max(c)
    rest: list[Fraction | float] = []
    if deg == 1:
        rest = [-c.get(0, Fraction(0)) / c[1]]
    elif deg == 2:
        a, b, k = c[2], c.get(1, Fraction(0)), c.get(0, Fraction(0))
        disc = b * b - 4 * a * k
        if disc >= 0:
            r = _rational_sqrt(disc)
            sq: Fraction | float = r if r is not None else math.sqrt(disc)
            rest = [(-b - sq) / (2 * a), (-b + sq) / (2 * a)]
    elif deg > 2:
        rest = list(_numeric_roots(c))
    merged: list[Fraction | float] = []
    for r in sorted([*exact, *rest], key=float):
        if not merged or abs(float(r) - float(merged[-1])) > 1e-12 * max(1.0, abs(float(r))):
            merged.append(r)
    return merged


def _divisors(n: int) -> list[int]:
    n = abs(n)
    if n == 0 or n > 10**6:
        return []
    return [d for d in range(1, n + 1) if n % d == 0]


def _rational_roots(c: dict[int, Fraction]) -> tuple[dict[int, Fraction], list[Fraction]]:
    """Deflate by the rational roots p/q (p | a0, q | an) of a polynomial with c[0] != 0."""
    found: list[Fraction] = []
    while max(c) > 2:
        scale = math.lcm(*(v.denominator for v in c.values()))
        ints = {d: int(v * scale) for d, v in c.items()}
        cands = {Fraction(s * p, q) for p in _divisors(ints.get(0, 0))
                 for q in _divisors(ints[max(ints)]) for s in (1, -1)}
        root = next((r for r in sorted(cands) if _horner(c, r) == 0), None)
        if root is None:
            break
        found.append(root)
        c = _deflate(c, root)
    return c, found


def _deflate(c: dict[int, Fraction], r: Fraction) -> dict[int, Fraction]:
    """Synthetic division of the polynomial by (x - r)."""
    deg = max(c)
    out: dict[int, Fraction] = {}
    acc = Fraction(0)
    for d in range(deg, 0, -1):
        acc = acc * r + c.get(d, Fraction(0))
        out[d - 1] = acc
    return {d: v for d, v in out.items() if v != 0} or {0: Fraction(0)}


class _NoRoots(Exception):
    """The real roots could not be found numerically."""


def _numeric_roots(c: dict[int, Fraction]) -> list[float]:
    import numpy as np

    deg = max(c)
    poly = [float(c.get(d, 0)) for d in range(deg, -1, -1)]
    found: list[float] = []
    try:
        with np.errstate(all="ignore"):
            zs = np.roots(poly)
    except (np.linalg.LinAlgError, ValueError):
        # coefficients of wildly different sizes (1e-309 beside 1): the roots are not
        # found numerically, and no list of them is claimed
        raise _NoRoots from None
    for z in zs:
        if abs(z.imag) > 1e-7 * max(1.0, abs(z.real)):
            continue
        x = float(z.real)
        dc = _deriv(c)
        for _ in range(20):  # polish by Newton on f'
            fx, dfx = float(_horner(c, x)), float(_horner(dc, x))
            if dfx == 0:
                break
            step = fx / dfx
            x -= step
            if abs(step) <= 1e-15 * max(1.0, abs(x)):
                break
        if all(abs(x - y) > 1e-9 * max(1.0, abs(x)) for y in found):
            found.append(x)
    return sorted(found)




# --- the whole function, beyond one stationary point ---
def unbounded_toward(problem: Problem) -> str | None:
    """For a one-variable polynomial f with no lower bound, where it falls without bound:
    "x → -∞", "x → +∞" or "x → ±∞"; None if it is bounded below or not a polynomial."""
    if problem.dim != 1:
        return None
    from ..expr.simplify import simplify

    var = problem.variables[0]
    c = poly_coeffs(simplify(problem.node), var)  # the canonical tree: no Neg or Div
    if not c or max(c) == 0:
        return None
    deg, lead = max(c), c[max(c)]
    if deg % 2 == 0 and lead > 0:
        return None
    if deg % 2 == 0:
        return f"{var} → ±∞"
    return f"{var} → {'-' if lead > 0 else '+'}∞"


def lower_minimum(problem: Problem, x: float, fx: float) -> Stationary | None:
    """Another exact local minimum of a one-variable polynomial where f is lower than fx."""
    points = stationary_points(problem) or []
    best = None
    for p in points:
        if p.kind != "minimum" or abs(p.x - x) <= 1e-6 * (1.0 + abs(x)):
            continue
        fp = problem.f(p.x)
        if fp < fx - 1e-9 * (1.0 + abs(fx)) and (best is None or fp < problem.f(best.x)):
            best = p
    return best


def has_no_minimum(problem: Problem) -> bool:
    """A one-variable polynomial without a lower bound and without a local minimum."""
    if unbounded_toward(problem) is None:
        return False
    points = stationary_points(problem)
    return points is not None and not any(p.kind == "minimum" for p in points)
