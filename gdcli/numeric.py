"""Numeric derivatives near machine precision: the oracle for ``--check`` and the tests.

Complex step, f'(x) ≈ Im f(x + ih)/h, has no subtraction and so no cancellation: it is
exact to rounding for analytic expressions. Where the expression is not analytic
(abs, relu, …) Ridders' extrapolation of central differences is used instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import NamedTuple

from .errors import InputError
from .evaluate import NotAnalytic, evaluate, evaluate_complex
from .nodes import Node

_STEP = 1e-100  # complex step: any tiny h works, there is no cancellation


class Estimate(NamedTuple):
    value: float
    error: float  # estimated absolute error
    method: str  # "complex step" or "Ridders"


def ridders(f: Callable[[float], float], x: float, h: float = 0.1) -> tuple[float, float]:
    """Ridders' method (Numerical Recipes dfridr): Richardson extrapolation of central
    differences with shrinking h. Returns (derivative, error estimate)."""
    con, con2, ntab, safe = 1.4, 1.96, 12, 2.0
    a = [[0.0] * ntab for _ in range(ntab)]
    a[0][0] = (f(x + h) - f(x - h)) / (2 * h)
    best, err = a[0][0], math.inf
    for i in range(1, ntab):
        h /= con
        a[0][i] = (f(x + h) - f(x - h)) / (2 * h)
        fac = con2
        for j in range(1, i + 1):
            a[j][i] = (a[j - 1][i] * fac - a[j - 1][i - 1]) / (fac - 1)
            fac *= con2
            e = max(abs(a[j][i] - a[j - 1][i]), abs(a[j][i] - a[j - 1][i - 1]))
            if e <= err:
                err, best = e, a[j][i]
        if abs(a[i][i] - a[i - 1][i - 1]) >= safe * err:
            break
    return best, err


def partial(node: Node, var: str, point: Mapping[str, float]) -> Estimate:
    """∂node/∂var at ``point``, by complex step if possible, else Ridders."""
    x0 = point[var]
    evaluate(node, point)  # the real function must be defined here (complex log(-1) is not)
    try:
        env: dict[str, complex] = {k: complex(v) for k, v in point.items()}
        env[var] = complex(x0, _STEP)
        v = evaluate_complex(node, env).imag / _STEP
        if math.isfinite(v):
            return Estimate(v, abs(v) * 1e-15, "complex step")
    except (NotAnalytic, ZeroDivisionError, OverflowError, ValueError):
        pass

    def f(t: float) -> float:
        return evaluate(node, {**point, var: t})

    h = 0.01 * max(1.0, abs(x0))
    for _ in range(30):  # shrink h until x ± h stays inside the domain
        try:
            value, err = ridders(f, x0, h)
            return Estimate(value, err, "Ridders")
        except InputError:
            h /= 4
    raise InputError(f"cannot differentiate numerically at {var} = {x0}: outside the domain")


class Check(NamedTuple):
    max_error: float  # largest |symbolic - numeric| / max(1, |symbolic|)
    points: int
    method: str
    ok: bool


#: Sampling ranges tried in turn, so that log, sqrt, asin and the like find valid points.
_RANGES = ((-3.0, 3.0), (0.05, 0.95), (1.0, 10.0), (-0.95, -0.05))


def check(
    f: Node, df: Node, var: str, at: Mapping[str, float] | None = None, n: int = 8, seed: int = 1
) -> Check:
    """Compare the symbolic derivative ``df`` of ``f`` with numeric ones at sample points."""
    import random

    names = sorted(f.free | df.free | {var})
    rng = random.Random(seed)
    candidates: list[dict[str, float]] = []
    if at is not None and all(v in at for v in names):
        candidates.append({v: at[v] for v in names})
    worst, methods, used = 0.0, set(), 0
    for tries in range(400):
        if used >= n:
            break
        if candidates:
            p = candidates.pop()
        else:
            lo, hi = _RANGES[tries % len(_RANGES)]
            p = {v: rng.uniform(lo, hi) for v in names}
        try:
            sym = evaluate(df, p)
            est = partial(f, var, p)
        except InputError:
            continue
        if not math.isfinite(est.value) or est.error > 1e-7 * max(1.0, abs(est.value)):
            continue  # no reliable numeric value here (a kink of abs or relu within reach)
        worst = max(worst, abs(sym - est.value) / max(1.0, abs(sym)))
        methods.add(est.method)
        used += 1
    if not used:
        raise InputError("--check: found no point where the function and derivative are defined")
    tol = 1e-9 if methods == {"complex step"} else 1e-6
    return Check(worst, used, " and ".join(sorted(methods)), worst <= tol)
