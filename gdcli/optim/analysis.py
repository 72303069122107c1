"""What can be said about a problem beyond its iterates: the learning-rate stability
limit, the second-order test, whether a small gradient is a stationary point (a probe
along the descent direction, a sign change within a few ulps), and functions that
provably have no stationary point. Nothing here prints."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from ..expr.nodes import Add, Call, Const, Mul, Node, Num, Pow

if TYPE_CHECKING:  # pragma: no cover
    from .problem import Problem


# --- stability ---
class Stability(NamedTuple):
    limit: float  # learning rates above this make plain GD oscillate with growing amplitude
    exact: bool  # True for a quadratic (constant Hessian); else local, at the start
    curvature: float  # f'' (one variable) or the largest Hessian eigenvalue


#: Above this many variables the Hessian is not formed for the analysis (its n² second
#: derivatives and the eigenvalues would cost more than the run itself).
MAX_HESSIAN_DIM = 16


def hessian_eigenvalues(problem: Problem, x: Sequence[float]) -> list[float] | None:
    """Eigenvalues of the Hessian at ``x`` (ascending), or None outside the domain (or for
    more than MAX_HESSIAN_DIM variables)."""
    if problem.dim > MAX_HESSIAN_DIM:
        return None
    try:
        h = problem.hessian(*x)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    if not all(math.isfinite(v) for row in h for v in row):
        return None
    return symmetric_eigenvalues(h)


def symmetric_eigenvalues(a: list[list[float]], sweeps: int = 50) -> list[float]:
    """Eigenvalues of a small symmetric matrix by cyclic Jacobi rotations: plain floats,
    so a stability limit for two variables does not cost numpy's import (~90 ms)."""
    n = len(a)
    # scale to entries of order 1 first: squaring 1e155 would overflow float64
    scale = max((abs(float(v)) for row in a for v in row), default=0.0)
    if scale == 0.0 or not math.isfinite(scale):
        return [0.0 if scale == 0.0 else math.nan] * n
    a = [[float(v) / scale for v in row] for row in a]
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
    return sorted(a[i][i] * scale for i in range(n))


def stability(problem: Problem, x0: Sequence[float]) -> Stability | None:
    """2/f'' for a quadratic, else 2/λmax of the Hessian at ``x0``; None if not positive."""
    eig = hessian_eigenvalues(problem, x0)
    if not eig:
        return None
    exact = all(type(h) is Num for row in problem.hessian_nodes for h in row)
    lam = eig[-1]
    if not (math.isfinite(lam) and lam > 0):
        return None
    return Stability(2.0 / lam, exact, lam)


class Curvature(NamedTuple):
    kind: str  # "minimum", "maximum", "saddle" or "flat"
    text: str  # "f'' = 2 > 0", "Hessian eigenvalues -2, 2"


def curvature(problem: Problem, x: Sequence[float], sign: float = 1.0) -> Curvature | None:
    """The second-order test at a point where the gradient (nearly) vanishes. ``kind`` is
    that of the objective; ``text`` shows the curvature of ``sign``·objective (the user's
    f when maximizing)."""
    eig = hessian_eigenvalues(problem, x)
    if not eig or not all(map(math.isfinite, eig)):
        return None
    scale = max(1.0, *(abs(e) for e in eig))
    lo, hi = eig[0], eig[-1]
    shown = sorted(sign * e for e in eig)
    vals = ", ".join(f"{e:.3g}" for e in shown)
    what = f"f'' = {vals}" if problem.dim == 1 else f"Hessian eigenvalues {vals}"
    pos = f"{what} > 0" if problem.dim == 1 else f"{what}, all > 0"
    neg = f"{what} < 0" if problem.dim == 1 else f"{what}, all < 0"
    if lo > 1e-9 * scale:
        return Curvature("minimum", pos if sign > 0 else neg)
    if hi < -1e-9 * scale:
        return Curvature("maximum", neg if sign > 0 else pos)
    if lo < -1e-9 * scale and hi > 1e-9 * scale:
        return Curvature("saddle", f"{what}, of both signs")
    return Curvature("flat", f"{what}, about 0")


def second_order(problem: Problem, x: Sequence[float]) -> str | None:
    """The second-order check in words, for the summary."""
    c = curvature(problem, x)
    if c is None:
        return None
    words = {
        "minimum": "a minimum",
        "maximum": "a maximum, not a minimum",
        "saddle": "a saddle point, not a minimum",
        "flat": "too flat for the second-order test to tell a minimum from an inflection",
    }
    return f"second-order check: {c.text}: {words[c.kind]}"


# --- is a small gradient a stationary point? ---
class Probe(NamedTuple):
    verdict: str  # "near": f turns back up within reach; "passed": f flattens, then falls
    # more steeply (an inflection); "far": f keeps falling and flattening (a plateau)
    distance: float  # how far along the descent direction f turned back up (near)
    reach: float  # how far was looked


def probe_descent(problem: Problem, x: Sequence[float], grad: Sequence[float]) -> Probe:
    """Look along −∇f from ``x`` at distances growing by 2 (from 1e-12 to 1e3 times
    1 + ‖x‖): does f turn back up (a stationary point nearby), or keep falling?"""
    gn = math.hypot(*grad)
    scale = 1.0 + math.hypot(*x)
    reach = 1e3 * scale
    if gn == 0.0:
        return Probe("near", 0.0, 0.0)
    u = [-g / gn for g in grad]
    fx = problem.f(*x)
    steepest = gn
    t = scale * 2.0**-40
    while t <= reach:
        p = [a + t * b for a, b in zip(x, u, strict=True)]
        try:
            fp, gp = problem.f(*p), problem.grad(*p)
        except (ValueError, ZeroDivisionError, OverflowError):
            break  # the domain ends first: no turn within it
        if not (math.isfinite(fp) and all(map(math.isfinite, gp))):
            break
        slope = sum(a * b for a, b in zip(gp, u, strict=True))
        if slope > 0 or fp > fx:
            return Probe("near", t, reach)
        steepest = max(steepest, -slope)
        t *= 2.0
    if steepest > 2.0 * gn:
        return Probe("passed", math.inf, t)
    return Probe("far", math.inf, t)


def gradient_root_nearby(problem: Problem, x: Sequence[float], ulps: int = 16) -> bool:
    """Whether the gradient vanishes to float64 precision here: along −∇f, the slope of f
    turns (or reaches 0) within ``ulps`` units in the last place of x. (Along the gradient,
    not coordinate by coordinate: in a narrow valley the coordinates are coupled.)"""
    try:
        grad = problem.grad(*x)
    except (ValueError, ZeroDivisionError, OverflowError):
        return False
    gn = math.hypot(*grad)
    if gn == 0.0:
        return True
    u = [-g / gn for g in grad]
    unit = max(math.ulp(v) for v in x) or math.ulp(1.0)
    for j in range(1, ulps + 1):
        p = [a + j * unit * b for a, b in zip(x, u, strict=True)]
        try:
            gp = problem.grad(*p)
        except (ValueError, ZeroDivisionError, OverflowError):
            return False
        if sum(a * b for a, b in zip(gp, u, strict=True)) >= 0:
            return True
    return False


# --- functions without a stationary point ---
#: Ranges of functions of any real argument: (low, low excluded, high, high excluded).
_RANGES: dict[str, tuple[float, bool, float, bool]] = {
    "exp": (0.0, True, math.inf, True),
    "sigmoid": (0.0, True, 1.0, True),
    "softplus": (0.0, True, math.inf, True),
    "cosh": (1.0, False, math.inf, True),
    "tanh": (-1.0, True, 1.0, True),
    "erf": (-1.0, True, 1.0, True),
    "atan": (-math.pi / 2, True, math.pi / 2, True),
}
Interval = tuple[float, bool, float, bool]


def value_range(n: Node) -> Interval | None:
    """An interval holding every value of ``n`` (None: unknown). Enough to see that
    sigmoid(u) - 1 or exp(u) + 2 is never 0."""
    t = type(n)
    if t is Num:
        v = float(n.value)
        return (v, False, v, False)
    if t is Call and len(n.args) == 1:
        return _RANGES.get(n.name)
    if t is Add:
        parts = [value_range(a) for a in n.args]
        if any(p is None for p in parts):
            return None
        lo = sum(p[0] for p in parts)  # type: ignore[index]
        hi = sum(p[2] for p in parts)  # type: ignore[index]
        return (lo, any(p[1] for p in parts), hi, any(p[3] for p in parts))  # type: ignore[index]
    if t is Pow and type(n.args[1]) is Num and n.args[1].value in (2, 4, 6, 8):
        inner = value_range(n.args[0])  # an even power of a bounded value: tanh(u)**2
        if inner is None:
            return None
        lo, lo_x, hi, hi_x = inner
        e = int(n.args[1].value)
        if lo >= 0:
            return (lo**e, lo_x, hi**e, hi_x)
        if hi <= 0:
            return (hi**e, hi_x, lo**e, lo_x)
        top, top_x = (hi**e, hi_x) if hi >= -lo else (lo**e, lo_x)
        return (0.0, False, top, top_x)
    if t is Mul and len(n.args) == 2 and type(n.args[0]) is Num:
        inner = value_range(n.args[1])
        c = float(n.args[0].value)
        if inner is None or c == 0:
            return None
        lo, lo_x, hi, hi_x = inner
        return (c * lo, lo_x, c * hi, hi_x) if c > 0 else (c * hi, hi_x, c * lo, lo_x)
    return None


def _excludes_zero(r: Interval | None) -> bool:
    if r is None or math.isnan(r[0]) or math.isnan(r[2]):
        return False
    lo, lo_x, hi, hi_x = r
    return lo > 0 or hi < 0 or (lo == 0 and lo_x) or (hi == 0 and hi_x)


_POSITIVE_CALLS = {"exp", "sigmoid", "softplus", "cosh"}


def never_zero(n: Node) -> bool:
    """Provably never 0 wherever it is defined (exp(u), 1/u, x**2 + 1, sigmoid(u) - 1)."""
    from ..expr.simplify import positive

    t = type(n)
    if t is Num:
        return n.value != 0
    if t is Const:
        return True
    if t is Call:
        return n.name in _POSITIVE_CALLS or _excludes_zero(value_range(n))
    if t is Pow:
        e = n.args[1]
        if type(e) is Num and e.value < 0:
            return True  # 1/u is never 0 where it is defined
        return never_zero(n.args[0])
    if t is Mul:
        return all(never_zero(a) for a in n.args)
    if t is Add:
        return positive(n) or positive(-n) or _excludes_zero(value_range(n))
    return False


def no_stationary_point(problem: Problem) -> tuple[str, str] | None:
    """(variable, ∂f/∂variable as text) for a partial derivative that is never 0: then f
    has no stationary point, so no minimum inside its domain."""
    for var, g in zip(problem.variables, problem.grad_nodes, strict=True):
        if never_zero(g):
            from ..expr.printer import to_str

            return var, to_str(g)
    return None
