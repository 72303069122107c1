"""What can be said about a problem beyond its iterates: the learning-rate stability
limit, the exact stationary points of a one-variable polynomial, and why a run that
hit the iteration limit did not converge."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple

from .errors import InputError
from .evaluate import evaluate, fmt
from .nodes import Add, Mul, Node, Num, Pow, Var
from .printer import number

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Settings
    from .problem import Problem


# --- stability ---
class Stability(NamedTuple):
    limit: float  # learning rates above this make plain GD oscillate with growing amplitude
    exact: bool  # True for a quadratic (constant Hessian); else local, at the start
    curvature: float  # f'' (one variable) or the largest Hessian eigenvalue


def hessian_eigenvalues(problem: Problem, x: Sequence[float]) -> list[float] | None:
    """Eigenvalues of the Hessian at ``x`` (ascending), or None outside the domain."""
    env = problem.env(x)
    try:
        h = [[evaluate(e, env) for e in row] for row in problem.hessian_nodes]
    except InputError:
        return None
    return symmetric_eigenvalues(h)


def symmetric_eigenvalues(a: list[list[float]], sweeps: int = 50) -> list[float]:
    """Eigenvalues of a small symmetric matrix by cyclic Jacobi rotations: plain floats,
    so a stability limit for two variables does not cost numpy's import (~90 ms)."""
    n = len(a)
    a = [list(map(float, row)) for row in a]
    for _ in range(sweeps):
        off = sum(a[i][j] ** 2 for i in range(n) for j in range(n) if i != j)
        if off <= 1e-30 * max(1.0, sum(a[i][i] ** 2 for i in range(n))):
            break
        for p in range(n - 1):
            for q in range(p + 1, n):
                if a[p][q] == 0.0:
                    continue
                theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                t = math.copysign(1.0, theta) / (abs(theta) + math.hypot(theta, 1.0))
                c = 1.0 / math.hypot(t, 1.0)
                s = t * c
                for k in range(n):  # rotate columns p and q, then rows p and q
                    akp, akq = a[k][p], a[k][q]
                    a[k][p], a[k][q] = c * akp - s * akq, s * akp + c * akq
                for k in range(n):
                    apk, aqk = a[p][k], a[q][k]
                    a[p][k], a[q][k] = c * apk - s * aqk, s * apk + c * aqk
    return sorted(a[i][i] for i in range(n))


def stability(problem: Problem, x0: Sequence[float]) -> Stability | None:
    """2/f'' for a quadratic, else 2/λmax of the Hessian at ``x0``; None if not positive."""
    exact = all(type(h) is Num for row in problem.hessian_nodes for h in row)
    eig = hessian_eigenvalues(problem, x0)
    if not eig:
        return None
    lam = eig[-1]
    if not (math.isfinite(lam) and lam > 0):
        return None
    return Stability(2.0 / lam, exact, lam)


def second_order(problem: Problem, x: Sequence[float]) -> str | None:
    """What the Hessian says about a point where the gradient vanished."""
    eig = hessian_eigenvalues(problem, x)
    if not eig or not all(map(math.isfinite, eig)):
        return None
    scale = max(1.0, *(abs(e) for e in eig))
    lo, hi = eig[0], eig[-1]
    what = "f''" if problem.dim == 1 else "Hessian eigenvalues"
    vals = ", ".join(f"{e:.3g}" for e in eig)
    if lo > 1e-9 * scale:
        return f"second-order check: {what} {vals} > 0, a minimum"
    if hi < -1e-9 * scale:
        return f"second-order check: {what} {vals} < 0: a maximum, not a minimum"
    if lo < -1e-9 * scale:
        return f"second-order check: {what} {vals}: a saddle point, not a minimum"
    return (f"second-order check: {what} {vals}, about 0: a flat minimum or an inflection "
            "point; the second-order test cannot tell")


# --- stationary points of one-variable polynomials ---
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
    zero = Fraction(0) if isinstance(x, Fraction) else 0.0
    return sum((c * x**d for d, c in coeffs.items()), zero)


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
    roots = _roots(c)
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


def _numeric_roots(c: dict[int, Fraction]) -> list[float]:
    import numpy as np

    deg = max(c)
    poly = [float(c.get(d, 0)) for d in range(deg, -1, -1)]
    found: list[float] = []
    for z in np.roots(poly):
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


# --- why a run stopped at the limit ---
def at_limit(problem: Problem, xs: tuple[float, ...], st: Settings, k: int) -> tuple[str, str]:
    """(reason, message) for a run that reached --max-iter, from a short probe of the
    iterations that would follow: oscillating, stalled, or still descending."""
    from .engine import PROBE

    head = f"stopped at the iteration limit ({k}) without converging"
    x = list(xs)
    steps: list[list[float]] = []
    fs: list[float] = []
    try:
        for _ in range(PROBE):
            fx = problem.f(*x)
            if not math.isfinite(fx):
                break
            fs.append(fx)
            g = problem.grad(*x)
            s = [st.lr * gi for gi in g]
            steps.append(s)
            x = [a - b for a, b in zip(x, s, strict=True)]
    except (ValueError, ZeroDivisionError, OverflowError):
        pass
    norms = [math.sqrt(sum(v * v for v in s)) for s in steps]
    flips = sum(
        1 for a, b in zip(steps, steps[1:], strict=False)
        if sum(p * q for p, q in zip(a, b, strict=True)) < 0
    )
    if len(steps) >= 8 and flips >= 0.75 * (len(steps) - 1):
        half = len(norms) // 2
        first, last = max(norms[:half]), max(norms[half:])
        trend = ("growing" if last > 1.01 * first else
                 "slowly shrinking" if last < 0.99 * first else "steady")
        stab = stability(problem, xs)
        hint = f" (the stability limit here is about {stab.limit:.3g})" if stab else ""
        return "oscillation", (
            f"{head}: the iterates oscillate with {trend} amplitude, the step overshooting "
            f"the minimum; try a smaller --lr than {fmt(st.lr)}{hint}"
        )
    if steps and all(a == b for a, b in zip(xs, x, strict=True)):
        return "stall", (
            f"{head}: the steps no longer change x in float64 (lr·gradient is below the "
            "resolution of x); loosen --tol or raise --lr"
        )
    if len(steps) < PROBE:
        return "unstable", (
            f"{head}: the iterates blow up right after the limit (an overflow or a step out of "
            f"the domain within {len(steps)} steps); try a smaller --lr than {fmt(st.lr)}"
        )
    drop = fs[0] - fs[-1]
    if not drop > 0:
        return "wandering", (
            f"{head}: f is not decreasing (it changes by {-drop:+.3g} over the next "
            f"{len(fs) - 1} steps): the steps are too large for this region; try a smaller "
            f"--lr than {fmt(st.lr)}"
        )
    return "slow", (
        f"{head}: still descending (f fell by {drop:.3g} over the next {len(fs) - 1} steps); "
        "raise --max-iter or --lr"
    )
