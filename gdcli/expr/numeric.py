"""Numeric derivatives with error bounds: the oracle for ``--check`` and the tests.

The estimate is forward-mode differentiation in float64: every node is evaluated to a
value and a derivative, each with a first-order bound on its rounding error (a running
error analysis). The sum, product, quotient and power rules are written here
independently of diff.py; a registry function contributes only its *slope* at the
point, found numerically from its evaluators and never from its symbolic row: by
complex step, f'(a) = Im f(a + ih)/h (no subtraction, so exact to rounding) where the
row has a complex extension, else by Ridders' extrapolation of central differences of
that one function (abs, relu, …), after checking that its left and right slopes agree.

No difference of whole-expression values is ever taken, so ``abs(x) + 1e16`` is
differentiated as accurately as ``abs(x)``; and the bounds tell a trustworthy estimate
from one spoilt by a pole, a kink, an overflow or cancellation (``cos(y**23)`` at
y = 8). ``check`` calls a derivative wrong only where both are trustworthy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import NamedTuple

from ..errors import EvalOverflow, InputError
from . import functions as fn
from .evaluate import _Eval, evaluate, fmt
from .nodes import Add, Call, Const, Div, Mul, Neg, Node, Pow, Var

U = 2.0**-53  # unit roundoff of float64
#: Values beyond this are "near overflow": no estimate is trusted there.
_HUGE = 1e306
_ETA = 2.0**-1074  # the smallest subnormal: the rounding error of an underflowing result


class Unreliable(Exception):
    """No trustworthy estimate at this point: a kink, a pole, a domain edge, an overflow."""


class Estimate(NamedTuple):
    value: float
    error: float  # bound on the absolute error (first order)
    method: str  # "complex step", "complex step and Ridders" or "Ridders"


# ---------------------------------------------------------------- Ridders' method


def ridders(f: Callable[[float], float], x: float, h: float = 0.1) -> tuple[float, float]:
    """Ridders' method (Numerical Recipes dfridr): Richardson extrapolation of central
    differences with shrinking h. Returns (derivative, error estimate)."""
    best, err, _ = _ridders(f, x, h)
    return best, err


def _ridders(f: Callable[[float], float], x: float, h: float) -> tuple[float, float, float]:
    """(derivative, error estimate, the step h of the best entry)."""
    con, con2, ntab, safe = 1.4, 1.96, 12, 2.0
    a = [[0.0] * ntab for _ in range(ntab)]
    a[0][0] = (f(x + h) - f(x - h)) / (2 * h)
    best, err, hbest = a[0][0], math.inf, h
    for i in range(1, ntab):
        h /= con
        a[0][i] = (f(x + h) - f(x - h)) / (2 * h)
        fac = con2
        for j in range(1, i + 1):
            a[j][i] = (a[j - 1][i] * fac - a[j - 1][i - 1]) / (fac - 1)
            fac *= con2
            e = max(abs(a[j][i] - a[j - 1][i]), abs(a[j][i] - a[j - 1][i - 1]))
            if e <= err:
                err, best, hbest = e, a[j][i], h
        if abs(a[i][i] - a[i - 1][i - 1]) >= safe * err:
            break
    return best, err, hbest


# ---------------------------------------------------------------- slopes of one function


def _call_real(row: fn.Fn, vals: list[float]) -> float:
    try:
        v = float(row.real(*vals))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        raise Unreliable("outside the domain") from None
    if not math.isfinite(v):
        raise Unreliable("overflow")
    return v


def _slope(row: fn.Fn, vals: list[float], k: int) -> tuple[float, float, bool]:
    """(∂row/∂arg_k at vals, a bound on its error, True if by complex step)."""
    a = vals[k]
    if row.cplx is not None:
        h = max(abs(a), 1e-100) * 1e-60  # tiny beside a: the step's own error is h²
        z = [complex(v) for v in vals]
        z[k] = complex(a, h)
        try:
            w = complex(row.cplx(*z))
            s = w.imag / h
            real = _call_real(row, vals)
            if math.isfinite(s) and abs(w.real - real) <= 1e-9 * max(1.0, abs(real)):
                return s, 8 * U * abs(s), True
        except (ValueError, ZeroDivisionError, OverflowError):
            pass  # no usable complex extension here (an overflow of cexp): Ridders
    s, err = _ridders_slope(row, vals, k)
    return s, err, False


def _ridders_slope(row: fn.Fn, vals: list[float], k: int) -> tuple[float, float]:
    """The slope of one registry function by Ridders, refusing a kink (left and right
    slopes that differ, as abs and relu have at 0)."""

    def g(t: float) -> float:
        return _call_real(row, [*vals[:k], t, *vals[k + 1 :]])

    a = vals[k]
    scale = max(abs(a), 1e-3)
    fa = g(a)
    h1 = 1e-7 * scale
    fp, fm = g(a + h1), g(a - h1)
    right, left = (fp - fa) / h1, (fa - fm) / h1
    noise = 4 * U * max(abs(fa), abs(fp), abs(fm)) / h1
    if abs(right - left) > 1e-4 * max(abs(right), abs(left)) + 4 * noise:
        raise Unreliable("a kink")
    s, err, hbest = _ridders(g, a, 0.05 * scale)
    err += 8 * U * max(abs(fa), 1e-300) / hbest  # rounding, which Ridders cannot see
    if abs(s - (right + left) / 2) > 1e-4 * max(abs(s), abs(right), abs(left)) + 4 * noise:
        raise Unreliable("a kink")  # a kink between h1 and Ridders' steps
    return s, err


def _variation(slope: Callable[[float], float], a: float, s: float, reach: float) -> float:
    """How much a slope can change while its argument moves within ``reach`` (the
    argument's own error): max |slope(a + t) - s| over a few t up to 2.7·reach. Sampled,
    not linearised: when the reach spans many periods (sin(y**23) at y = 8) or a pole,
    a second derivative from a small step would say nothing of it."""
    r = max(reach, 2 * math.ulp(a))
    worst = 0.0
    for t in (r, -r, 2.7 * r, -2.7 * r):
        try:
            got = slope(a + t)
        except (Unreliable, ValueError, ZeroDivisionError, OverflowError):
            return math.inf  # a domain edge within reach
        if not math.isfinite(got):
            return math.inf
        worst = max(worst, abs(got - s))
    return worst


def _row_variation(row: fn.Fn, vals: list[float], k: int, j: int, s: float,
                   reach: float) -> float:
    """_variation of ∂row/∂arg_k as arg_j moves within its error."""

    def slope(t: float) -> float:
        moved = list(vals)
        moved[j] = t
        return _slope(row, moved, k)[0]

    return _variation(slope, vals[j], s, reach)


# ---------------------------------------------------------------- forward mode


#: (value, derivative, error bound of the value, error bound of the derivative,
#:  magnitude of the value, magnitude of the derivative): a magnitude is the same
#: computation on absolute values (Σ|terms|), the scale against which rounding is judged,
#:  so that a derivative that cancels to about 0 (x/x) is still judged by its terms.
Dual = tuple[float, float, float, float, float, float]


class _Forward:
    """Forward-mode evaluation with running error bounds; one instance per point."""

    def __init__(self, env: Mapping[str, float], var: str | None, budget: list[int]) -> None:
        self.env = env
        self.var = var
        self.memo: dict[int, Dual] = {}
        self.exact = _Eval(env, None)
        self.budget = budget
        self.ridders = False  # some slope came from Ridders (no complex extension)

    def run(self, n: Node) -> Dual:
        key = id(n)
        got = self.memo.get(key)
        if got is None:
            self.budget[0] -= 1
            if self.budget[0] < 0:
                raise Unreliable("the work budget is spent")
            got = self._node(n)
            if n.args:  # below float64's normal range rounding is absolute: up to _ETA
                v, d, e, ed, mv, md = got
                got = v, d, e + _ETA, ed + _ETA, mv, md
            if not all(map(math.isfinite, got)) or abs(got[0]) > _HUGE or abs(got[1]) > _HUGE:
                raise Unreliable("overflow")
            self.memo[key] = got
        return got

    def _node(self, n: Node) -> Dual:
        t = type(n)
        if t is Var:
            v = float(self.env[n.name])
            d = 1.0 if n.name == self.var else 0.0
            return v, d, 0.0, 0.0, abs(v), d
        if not n.free:
            q = self.exact.rational(n)
            if q is not None:
                try:
                    v = float(q)
                except OverflowError:
                    raise Unreliable("overflow") from None
                return v, 0.0, 0.0 if Fraction(v) == q else U * abs(v), 0.0, abs(v), 0.0
        if t is Const:
            v = fn.CONSTANTS[n.name]
            return v, 0.0, U * abs(v), 0.0, abs(v), 0.0
        if t is Neg:
            v, d, e, ed, mv, md = self.run(n.args[0])
            return -v, -d, e, ed, mv, md
        if t is Add:
            parts = [self.run(a) for a in n.args]
            k = len(parts) - 1
            mv = sum(p[4] for p in parts)
            md = sum(p[5] for p in parts)
            return (sum(p[0] for p in parts), sum(p[1] for p in parts),
                    sum(p[2] for p in parts) + k * U * mv, sum(p[3] for p in parts) + k * U * md,
                    mv, md)
        if t is Mul:
            acc = self.run(n.args[0])
            for a in n.args[1:]:
                acc = _mul(acc, self.run(a))
            return acc
        if t is Div:
            return _div(self.run(n.args[0]), self.run(n.args[1]))
        if t is Pow:
            return self._pow(n)
        if t is Call:
            return self._call(n)
        raise TypeError(t)  # pragma: no cover - Num is rational above

    def _pow(self, n: Node) -> Dual:
        b, x = n.args
        B = self.run(b)
        bv = B[0]
        if self.var is None or self.var not in x.free:
            c, _, ce, _, _, _ = self.run(x)
            if bv < 0 and (c != int(c) or ce):
                raise Unreliable("outside the domain")
            try:
                v = math.pow(bv, c)
                s = c * math.pow(bv, c - 1) if c else 0.0
            except (ValueError, ZeroDivisionError, OverflowError):
                raise Unreliable("a singular point") from None
            var = 0.0
            if B[2] and B[1] and c and c != 1:
                var = _variation(lambda t: c * math.pow(t, c - 1), bv, s, B[2])
            v, d, e, ed, mv, md = _unary(B, v, s, var, 8 * U * abs(s))
            if ce:  # an inexact exponent (pi, 1/3): its error moves the value too
                if bv <= 0:
                    raise Unreliable("outside the domain")
                lb = math.log(bv)
                e += abs(v * lb) * ce
                ed += abs(B[1] * math.pow(bv, c - 1) * (1 + c * lb)) * ce
            return v, d, e, ed, mv, md
        if bv == 0 and B[1:4] == (0.0, 0.0, 0.0):
            xv = self.run(x)
            if xv[0] - xv[2] > 0:
                return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0  # 0**u is 0 for every u > 0 nearby
        if bv <= 0:
            raise Unreliable("a base ≤ 0 under a varying exponent")
        lv = math.log(bv)
        var = _variation(lambda t: 1 / t, bv, 1 / bv, B[2]) if B[2] and B[1] else 0.0
        L = _unary(B, lv, 1 / bv, var, 4 * U / bv)
        M = _mul(self.run(x), L)
        try:
            ev = math.exp(M[0])
            var = ev * math.expm1(2.7 * max(M[2], 2 * math.ulp(M[0]))) if M[2] and M[1] else 0.0
        except OverflowError:
            raise Unreliable("overflow") from None
        return _unary(M, ev, ev, var, 4 * U * ev)

    def _call(self, n: Node) -> Dual:
        row = fn.FUNCTIONS[n.name]
        args = [self.run(a) for a in n.args]
        vals = [a[0] for a in args]
        v = _call_real(row, vals)
        d, e, ed, md, terms = 0.0, 4 * U * abs(v), 0.0, 0.0, 0.0
        for k, (_, dk, ek, edk, _, mdk) in enumerate(args):
            if not (dk or ek or edk or mdk):
                continue
            self.budget[0] -= 4
            s, serr, by_complex = _slope(row, vals, k)
            self.ridders |= not by_complex
            d += s * dk
            terms += abs(s * dk)
            md += abs(s) * mdk
            e += abs(s) * ek
            ed += abs(s) * edk + abs(dk) * serr
            if dk:
                for j, (_, _, ej, _, _, _) in enumerate(args):
                    if ej:
                        ed += abs(dk) * _row_variation(row, vals, k, j, s, ej)
        ed += U * (terms + abs(d)) * len(args)
        return v, d, e, ed, abs(v), md


def _unary(A: Dual, v: float, s: float, var: float, serr: float) -> Dual:
    """φ(A) for a function with value v and slope s, whose slope changes by up to ``var``
    within the reach of A's error (see _variation)."""
    a, da, ea, eda, _, mda = A
    d = s * da
    e = abs(s) * ea + 4 * U * abs(v)
    ed = abs(s) * eda + abs(da) * serr + U * abs(d) + abs(da) * var
    return v, d, e, ed, abs(v), abs(s) * mda


def _mul(A: Dual, B: Dual) -> Dual:
    a, da, ea, eda, ma, mda = A
    b, db, eb, edb, mb, mdb = B
    v = a * b
    d = a * db + da * b
    mv = ma * mb
    md = ma * mdb + mda * mb
    e = abs(b) * ea + abs(a) * eb + U * abs(v)
    ed = abs(a) * edb + abs(db) * ea + abs(b) * eda + abs(da) * eb + 2 * U * md
    return v, d, e, ed, mv, md


def _div(A: Dual, B: Dual) -> Dual:
    a, da, ea, eda, ma, mda = A
    b, db, eb, edb, _, mdb = B
    if b == 0:
        raise Unreliable("a division by zero")
    q = a / b
    mq = ma / abs(b)
    eq = (ea + abs(q) * eb) / abs(b) + U * abs(q)
    d = (da - q * db) / b
    md = (mda + mq * mdb) / abs(b)
    ed = (eda + abs(q) * edb + abs(db) * eq + abs(d) * eb) / abs(b) + 3 * U * md
    return q, d, eq, ed, mq, md


def forward(node: Node, var: str | None, point: Mapping[str, float],
            budget: list[int] | None = None) -> tuple[Dual, bool]:
    """(value, ∂/∂var, their error bounds) at ``point``, and whether Ridders was used.
    Raises Unreliable where no trustworthy value exists."""
    walker = _Forward(point, var, budget if budget is not None else [10**7])
    try:
        got = walker.run(node)
    except (OverflowError, ZeroDivisionError, ValueError):
        raise Unreliable("overflow") from None
    except RecursionError:
        raise Unreliable("too deep") from None
    return got, walker.ridders


def _method(ridders_used: bool) -> str:
    return "complex step and Ridders" if ridders_used else "complex step"


def partial(node: Node, var: str, point: Mapping[str, float]) -> Estimate:
    """∂node/∂var at ``point``: forward mode, else Ridders on the whole expression."""
    x0 = point[var]
    evaluate(node, point)  # the real function must be defined here
    try:
        (_, d, _, ed, _, _), used = forward(node, var, point)
        return Estimate(d, ed, _method(used))
    except Unreliable:
        pass
    got = _whole_ridders(node, var, point)
    if got is None:
        raise InputError(f"cannot differentiate numerically at {var} = {fmt(x0)}")
    return Estimate(got[0], got[1], "Ridders")


def _whole_ridders(node: Node, var: str, point: Mapping[str, float]) -> tuple[float, float] | None:
    """Ridders on the whole expression, with the rounding error it cannot see added
    (central differences beside a large constant lose every digit): independent of
    forward mode, used to confirm a disagreement."""
    x0 = point[var]
    try:
        f0 = abs(evaluate(node, point))
    except InputError:
        return None

    def g(t: float) -> float:
        return evaluate(node, {**point, var: t})

    h = 0.01 * max(1.0, abs(x0))
    for _ in range(30):  # shrink h until x ± h stays inside the domain
        try:
            value, err, hbest = _ridders(g, x0, h)
            if not math.isfinite(value):
                return None
            return value, err + 8 * U * max(f0, 1e-300) / hbest
        except InputError:
            h /= 4
        except (OverflowError, ZeroDivisionError, ValueError):
            return None
    return None


# ---------------------------------------------------------------- the check


class Check(NamedTuple):
    status: str  # "ok", "inconclusive" or "failed"
    max_error: float | None  # largest |symbolic - numeric| / scale at trustworthy points
    points: int  # trustworthy points compared
    method: str
    reason: str = ""  # why inconclusive or failed, in words

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "status": self.status,
            "ok": True if self.status == "ok" else False if self.status == "failed" else None,
            "max_error": self.max_error,
            "points": self.points,
            "method": self.method,
        }
        if self.reason:
            out["reason"] = self.reason
        return out


#: Sampling ranges; a variable takes one at random once the first rounds found too few
#: points (log, sqrt, asin find theirs in the first ones, sqrt(x - 100) in the wide ones).
_RANGES = ((-3.0, 3.0), (0.05, 0.95), (1.0, 10.0), (-0.95, -0.05))
_WIDE = (*_RANGES, (-10.0, -1.0), (10.0, 100.0), (-100.0, -10.0), (100.0, 1e3), (-1e3, -100.0),
         (1e3, 1e4), (-1e4, -1e3), (1e4, 1e6), (-1e6, -1e4), (1e-4, 1e-2), (-1e-2, -1e-4),
         (1e6, 1e9), (-1e9, -1e6), (1e9, 1e12), (-1e12, -1e9))
#: A point is trustworthy when the error bounds are at most this, relative to the values.
_RELIABLE = 1e-6
#: Tolerance on agreement beyond the error bounds.
_AGREE = 1e-7
_TRIES = 400
_BUDGET = 1_500_000  # node evaluations for one check: a bound on its time


def _candidates(names: list[str], at: Mapping[str, float] | None, rng: object,
                found: list[dict[str, float]], urgent: list[dict[str, float]]):
    """Sample points: the --at point and its neighbourhood, the ranges above, and the
    neighbourhoods of points already found good (a narrow domain fills up)."""
    import random

    assert isinstance(rng, random.Random)
    given = {k: v for k, v in (at or {}).items() if k in names}
    if given and len(given) == len(names):
        yield dict(given)
    for t in range(_TRIES):
        if urgent:
            yield urgent.pop()
            continue
        if given and t < 12:
            p = {v: given.get(v, rng.uniform(-3, 3)) for v in names}
            if t:  # then nearby: a trustworthy neighbour when the point itself is not
                p = {v: x + rng.gauss(0, 0.01 * max(1.0, abs(x))) for v, x in p.items()}
        elif found and t % 3 == 2:
            base = rng.choice(found)
            p = {v: x + rng.gauss(0, 0.1 * max(1e-3, abs(x))) for v, x in base.items()}
        elif t < 40:
            lo, hi = _RANGES[t % len(_RANGES)]
            p = {v: rng.uniform(lo, hi) for v in names}
        else:
            p = {}
            for v in names:
                lo, hi = rng.choice(_WIDE)
                p[v] = rng.uniform(lo, hi)
        yield p


def _near(p: Mapping[str, float], rng: object, k: int = 4) -> list[dict[str, float]]:
    import random

    assert isinstance(rng, random.Random)
    return [{v: x * (1 + rng.uniform(-1e-3, 1e-3)) + rng.uniform(-1e-6, 1e-6)
             for v, x in p.items()} for _ in range(k)]


def check(
    f: Node, df: Node, var: str, at: Mapping[str, float] | None = None, n: int = 8, seed: int = 1
) -> Check:
    """Compare the symbolic derivative ``df`` of ``f`` with numeric ones at sample points.

    "failed" needs a disagreement at two trustworthy points (or one confirmed by an
    independent Ridders estimate): well-conditioned values, error bounds small beside
    them, no kink or pole within reach; "inconclusive" when no such points exist."""
    import random

    names = sorted(f.free | df.free | {var})
    rng = random.Random(seed)
    budget = [_BUDGET]
    found: list[dict[str, float]] = []
    urgent: list[dict[str, float]] = []
    worst, used, tried, ridders_used = 0.0, 0, 0, False
    bad: list[tuple[float, dict[str, float]]] = []
    confirmed = 0
    why: dict[str, int] = {}
    for p in _candidates(names, at, rng, found, urgent):
        if (used >= n and not urgent) or budget[0] <= 0:
            break
        tried += 1
        try:
            evaluate(f, p)
        except EvalOverflow:
            why["overflow"] = why.get("overflow", 0) + 1
            continue
        except InputError:
            why["outside the domain"] = why.get("outside the domain", 0) + 1
            continue
        try:
            evaluate(df, p)
            (_, est, _, e_est, _, m_est), r1 = forward(f, var, p, budget)
            (sym, _, e_sym, _, m_sym, _), _ = forward(df, None, p, budget)
        except InputError:
            why["the derivative is undefined"] = why.get("the derivative is undefined", 0) + 1
            continue
        except Unreliable as u:
            reason = str(u) if str(u) != "outside the domain" else "a domain edge"
            why[reason] = why.get(reason, 0) + 1
            continue
        # judged against the size of the terms, so that a derivative cancelling to about
        # 0 (x/x, log(y, y)) is agreement within rounding, not an ill-conditioned point
        scale = max(abs(est), abs(sym), m_est, m_sym)
        noise = e_est + e_sym
        if noise > _RELIABLE * scale and not (est == 0 == sym):  # two exact zeros agree
            why["ill-conditioned"] = why.get("ill-conditioned", 0) + 1
            continue
        diff = abs(sym - est)
        rel = diff / scale if scale else 0.0
        if diff > _AGREE * scale + 32 * noise:
            other = _whole_ridders(f, var, p)
            if other is not None and other[1] <= _RELIABLE * scale:
                if abs(other[0] - sym) <= abs(other[0] - est):
                    # two independent estimates disagree: trust neither here
                    why["numeric estimates disagree"] = why.get("numeric estimates disagree", 0) + 1
                    continue
                confirmed += 1
            bad.append((rel, p))
            if len(bad) == 1:
                urgent.extend(_near(p, rng))  # a real error shows nearby too
        found.append(p)
        used += 1
        ridders_used |= r1
        worst = max(worst, rel)
    method = _method(ridders_used)
    if len(bad) >= 2 or (bad and confirmed):
        rel, p = max(bad, key=lambda b: b[0])
        at_text = ", ".join(f"{k} = {fmt(v)}" for k, v in p.items())
        return Check("failed", worst, used, method,
                     f"differs from the numeric derivative by {rel:.3g} (relative) at {at_text}")
    if bad:
        rel, p = bad[0]
        at_text = ", ".join(f"{k} = {fmt(v)}" for k, v in p.items())
        return Check("inconclusive", worst, used, method,
                     f"a difference of {rel:.3g} at {at_text} only, not seen at nearby points")
    if not used:
        return Check("inconclusive", None, 0, method, _no_point(tried, why, budget[0] <= 0))
    return Check("ok", worst, used, method)


def _no_point(tried: int, why: dict[str, int], spent: bool) -> str:
    causes = ", ".join(f"{k} ({v})" for k, v in sorted(why.items(), key=lambda kv: -kv[1]))
    head = "no sample point where the numeric derivative can be trusted"
    if spent:
        head += " within the work budget"
    return f"{head} ({tried} tried" + (f": {causes})" if causes else ")")

