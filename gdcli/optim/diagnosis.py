"""Why a run ended, in words that are true and advice that helps (SPEC §4 ``reason``).

The engine hands over how its loop stopped and the last iterations it kept (the
window); this module decides the status and reason and writes the message. Advice is
given only where it can help: no smaller learning rate for a function without a
minimum, no "raise --max-iter" where more iterations cannot converge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import EvalOverflow, InputError
from ..expr.evaluate import evaluate, fmt, underflows
from .analysis import (
    curvature,
    gradient_root_nearby,
    hessian_eigenvalues,
    no_stationary_point,
    probe_descent,
    stability,
)
from .records import Outcome, Row

if TYPE_CHECKING:  # pragma: no cover
    from .problem import Problem
    from .records import Settings


def _g(v: float) -> str:
    """A derived number in a message: 3 significant digits, never '-0'."""
    s = f"{v:.3g}"
    return "0" if s in ("-0", "0") else s


class _Say:
    """Words and values as the user sees them (gradient ascent flips f and ∇f)."""

    def __init__(self, problem: Problem) -> None:
        self.p = problem
        self.sign = problem.sign
        self.up = problem.sign < 0
        self.best = "maximum" if self.up else "minimum"
        self.falls = "increases" if self.up else "decreases"
        self.falling = "increasing" if self.up else "decreasing"
        self.gname = "|f'|" if problem.dim == 1 else "|∇f|"

    def f(self, v: float | None) -> float | None:
        return None if v is None else self.sign * v

    def grad(self, g: Sequence[float] | None) -> tuple[float, ...] | None:
        return None if g is None else tuple(self.sign * c for c in g)

    def kind(self, kind: str | None) -> str | None:
        if self.up and kind in ("minimum", "maximum"):
            return "maximum" if kind == "minimum" else "minimum"
        return kind

    def point(self, xs: Sequence[float]) -> str:
        p = self.p
        if p.dim == 1:
            return f"{p.variables[0]} = {fmt(xs[0])}"
        pairs = zip(p.variables, xs, strict=True)
        return "(" + ", ".join(f"{v} = {fmt(c)}" for v, c in pairs) + ")"

    def way(self, x0: Sequence[float], xs: Sequence[float]) -> str:
        if self.p.dim == 1:
            v = self.p.variables[0]
            return f"as {v} {'grows' if xs[0] > x0[0] else 'decreases'}"
        return "along the way the iterates went"


def outcome(
    problem: Problem,
    status: str,
    k: int,
    xs: tuple[float, ...],
    x0: tuple[float, ...],
    f0: float,
    st: Settings,
    window: list[Row],
) -> Outcome:
    """The Outcome of a run that stopped in state ``status`` at iteration ``k``."""
    say = _Say(problem)
    fx = _safe(problem.f, xs)
    grad = _safe(problem.grad, xs)
    fx = fx if fx is not None and math.isfinite(fx) else None
    grad = grad if grad is not None and all(map(math.isfinite, grad)) else None

    def done(status: str, reason: str, message: str, kind: str | None = None,
             notes: Sequence[str] = ()) -> Outcome:
        return Outcome(status, reason, message, k, xs, say.f(fx), say.grad(grad),
                       say.kind(kind), tuple(notes))

    if status in ("gradient", "xtol", "fixed"):
        return done(*_settled(problem, say, status, k, xs, x0, f0, fx, grad, st))
    if status == "interrupted":
        return done("max_iter", "interrupted",
                    f"interrupted at iteration {k} (Ctrl-C), before converging; the rows so far "
                    "and the last state are shown")
    if status == "max_iter":
        return done("max_iter", *_at_limit(problem, say, k, xs, x0, f0, fx, grad, st, window))
    reason, message = _diverged(problem, say, status, k, xs, x0, f0, fx, st)
    if reason == "domain":
        grad = None  # outside the domain of f: its gradient there means nothing
    return done("diverged", reason, message)


# --- a small gradient, a small step, or a step that no longer moves x ---
def _settled(
    problem: Problem, say: _Say, how: str, k: int, xs: tuple[float, ...], x0: tuple[float, ...],
    f0: float, fx: float | None, grad: tuple[float, ...] | None, st: Settings,
) -> tuple[str, str, str, str | None, list[str]]:
    if grad is None:  # pragma: no cover - the loop only stops here at finite points
        return "max_iter", "plateau", f"stopped at iteration {k}", None, []
    gn = math.hypot(*grad)
    at = f"at iteration {k}"
    none = no_stationary_point(problem)
    if underflows(problem.grad_nodes, problem.env(xs)):
        why = "start where f is not saturated"
        if none is not None:
            why = (f"and f has no {say.best} anyway (∂f/∂{none[0]} = {none[1]} is never 0): no "
                   "start or learning rate changes this")
        return ("max_iter", "vanishing_gradient",
                f"stopped {at}: the gradient underflowed to {_g(gn)} at {say.point(xs)}, where f "
                f"is flat in float64 — a vanishing gradient, not a stationary point; {why}",
                "flat", [])
    if none is not None:
        var, text = none
        return ("max_iter", "no_minimum",
                f"stopped {at}: f has no {say.best} — ∂f/∂{var} = {text} is never 0, so there "
                f"is no stationary point to converge to; {say.gname} = {_g(gn)} is small only "
                f"because f flattens out {say.way(x0, xs)}. No learning rate or iteration "
                "limit changes this", None, [])
    if how == "fixed":
        stall = _stall(st, k, gn, say)
        if stall and not gradient_root_nearby(problem, xs):
            return "max_iter", "slow_descent", f"stopped {at}: {stall}", None, []
        if not gradient_root_nearby(problem, xs):
            res = max(math.ulp(x) for x in xs)
            if st.method == "gd" and st.schedule == "constant":
                what = f"the step lr·{say.gname} = {_g(math.hypot(*(st.lr * g for g in grad)))}"
            else:
                what = "the step"
            return ("max_iter", "slow_descent",
                    f"stopped {at}: x no longer moves in float64 — {what} is below the "
                    f"resolution of x ({_g(res)}) although {say.gname} = {_g(gn)} is not small; "
                    "raise --lr", None, [])
        head = (f"converged in {_its(k)} to machine precision: the steps no longer change "
                f"x in float64 and the gradient changes sign within a few units in the last "
                f"place ({say.gname} = {_g(gn)} cannot get smaller here)")
        reason = "machine_precision"
    else:
        probe = probe_descent(problem, xs, grad)
        if probe.verdict == "far":
            first = ""
            if len(x0) == len(xs) and problem.dim == 1:
                first = f" (it came from {fmt(x0[0])})"
            return ("max_iter", "plateau",
                    f"stopped {at}: {say.gname} = {_g(gn)} is below --tol, but this is a flat "
                    f"region, not a stationary point: f keeps {'rising' if say.up else 'falling'}"
                    f" {say.way(x0, xs) if problem.dim == 1 else 'downhill'} with no stationary "
                    f"point within {_g(probe.reach)} of {say.point(xs)}{first}; start closer to "
                    f"a {say.best}, or use a smaller --lr so that the steps do not jump onto "
                    "the flat part", "flat", [])
        if how == "gradient":
            head = f"converged in {_its(k)}: {say.gname} = {_g(gn)} ≤ {_g(st.gtol)} (--tol)"
        else:
            head = (f"converged in {_its(k)}: the steps shrink steadily and the iterates "
                    f"are within {_g(st.xtol)}·√(1 + |x|²) of their limit (--xtol)")
        reason = "gradient"
        if probe.verdict == "passed":
            return ("converged", reason,
                    f"{head}, but not at a {say.best}: f' nearly vanishes here without changing "
                    f"sign, and f keeps {say.falling} beyond it (an "
                    "inflection point)", "saddle", [])
    kind, notes = _kind_here(problem, say, xs, fx)
    head = _kind_words(head, say, kind)
    if how != "fixed" and probe.distance > 1e-3 * (1.0 + math.hypot(*xs)):
        notes.append(f"along the descent direction f turns back up only about "
                     f"{_g(probe.distance)} from here: the stationary point is that far away "
                     "at most; a smaller --tol gets closer")
    return "converged", reason, head, kind, notes


def _its(k: int) -> str:
    return f"{k:,} iteration{'' if k == 1 else 's'}"


def _kind_here(
    problem: Problem, say: _Say, xs: tuple[float, ...], fx: float | None
) -> tuple[str | None, list[str]]:
    """The kind of a converged point (of the objective) and the notes that go with it."""
    from .poly import lower_minimum, stationary_points, unbounded_toward

    notes: list[str] = []
    kind = None
    exact = stationary_points(problem)
    at_exact = False
    if exact:
        near = min(exact, key=lambda p: abs(p.x - xs[0]))
        if abs(near.x - xs[0]) <= 1e-3 * (1.0 + abs(xs[0])):
            kind = {"inflection": "saddle"}.get(near.kind, near.kind)
            at_exact = True
    c = curvature(problem, xs, say.sign)
    if c is not None:
        if kind is None:
            kind = c.kind
        notes.append(f"second-order check: {c.text}" + (
            "" if c.kind == "flat" else f": a {say.kind(c.kind)}"))
    if kind == "minimum" and at_exact and fx is not None:
        toward = unbounded_toward(problem)
        lower = lower_minimum(problem, xs[0], fx)
        if toward is not None:
            notes.append(f"a local {say.best} only: f {say.falls} without bound as {toward}")
        elif lower is not None:
            v = problem.variables[0]
            notes.append(f"a local {say.best} only: f is {'higher' if say.up else 'lower'} at "
                         f"{v} = {lower.text} (f = {fmt(say.sign * problem.f(lower.x))})")
    return kind, notes


def _kind_words(head: str, say: _Say, kind: str | None) -> str:
    if kind is None or kind == "minimum":
        return head
    if kind == "maximum":
        return f"{head}, but at a {say.kind('maximum')}, not a {say.best}"
    if kind == "saddle":
        return f"{head}, but at a saddle point, not a {say.best}"
    return (f"{head}; f is flat here in some direction (a Hessian eigenvalue is about 0): a "
            f"valley of equally good points, or a point that only higher derivatives can "
            "classify")


# --- the iteration limit ---
def _at_limit(
    problem: Problem, say: _Say, k: int, xs: tuple[float, ...], x0: tuple[float, ...], f0: float,
    fx: float | None, grad: tuple[float, ...] | None, st: Settings, window: list[Row],
) -> tuple[str, str, str | None, list[str]]:
    head = f"stopped at the iteration limit ({k}) without converging"
    n = problem.dim
    none = no_stationary_point(problem)
    if none is not None:
        var, text = none
        fell = "" if fx is None else f" (f went from {fmt(say.sign * f0)} to {fmt(say.sign * fx)})"
        return ("no_minimum",
                f"{head}: f has no {say.best} — ∂f/∂{var} = {text} is never 0, so f keeps "
                f"{say.falling} {say.way(x0, xs)}{fell}. No learning rate or "
                "iteration limit changes this", None, [])
    from .poly import has_no_minimum, stationary_points, unbounded_toward

    if has_no_minimum(problem):
        points = stationary_points(problem) or []
        listed = ", ".join(f"{problem.variables[0]} = {p.text} ({say.kind(p.kind)})"
                           for p in points)
        which = (f"; its only stationary point is {listed}" if len(points) == 1 else
                 f"; its stationary points are {listed}" if points else "")
        return ("no_minimum",
                f"{head}: f has no {say.best} — it {say.falls} without bound as "
                f"{unbounded_toward(problem)}{which}. No learning rate or iteration limit "
                f"gives a {say.best}", None, [])
    steps = [r[2 + 2 * n : 2 + 3 * n] for r in window if r[2 + 2 * n] is not None]
    xs_w = [r[2 : 2 + n] for r in window]
    gs_w = [math.hypot(*r[2 + n : 2 + 2 * n]) for r in window]
    fs_w = [r[1] for r in window]
    gn = gs_w[-1] if gs_w else math.inf
    stall = _stall(st, k, gn, say)
    if stall:
        return "slow_descent", f"{head}: {stall}", None, []
    flips = sum(1 for a, b in zip(steps, steps[1:], strict=False) if _dot(a, b) < 0)
    if len(steps) >= 8 and flips >= 0.75 * (len(steps) - 1):
        return ("oscillation", f"{head}: {_oscillation(problem, say, xs_w, steps, st)}", None, [])
    if len(gs_w) >= 2 and 0 < gn < gs_w[0]:
        per = (gn / gs_w[0]) ** (1.0 / (len(gs_w) - 1))
        lr_hint = _faster_lr(problem, xs, st)
        if per < 1 and st.gtol > 0:
            more = math.ceil(math.log(st.gtol / gn) / math.log(per))
            when = (f"; at that rate about {more:,} more iterations would reach --tol: raise "
                    "--max-iter")
        else:  # --tol 0: no count of iterations to a tolerance to give
            when = ("; with --tol 0 it runs until the steps no longer change x: raise "
                    "--max-iter, or give a --tol")
        return ("slow_descent",
                f"{head}: still converging slowly — {say.gname} fell to {_g(gn)} "
                f"(--tol {_g(st.gtol)}), shrinking by a factor {_ratio(per)} per iteration"
                f"{when}{lr_hint}", None, [])
    if len(fs_w) >= 2 and fs_w[-1] < fs_w[0]:
        return ("slow_descent",
                f"{head}: still descending — f went from {fmt(say.sign * fs_w[0])} to "
                f"{fmt(say.sign * fs_w[-1])} over the last {len(fs_w) - 1} iterations, but "
                f"{say.gname} = {_g(gn)} is not shrinking; raise --max-iter, or start closer to a "
                f"{say.best}", None, [])
    span = f"over the last {len(fs_w) - 1} iterations" if len(fs_w) > 1 else "at the end"
    f_first = fmt(say.sign * fs_w[0]) if fs_w else "?"
    f_last = fmt(say.sign * fs_w[-1]) if fs_w else "?"
    return ("oscillation",
            f"{head}: the iterates wander without {'rising' if say.up else 'descending'} (f went "
            f"from {f_first} to {f_last} {span}): the steps are too large for the curvature "
            f"here; try a smaller --lr than {fmt(st.lr)}", None, [])


def _stall(st: Settings, k: int, gn: float, say: _Say) -> str | None:
    """Steps that shrink by themselves — AdaGrad's, or a schedule's learning rate decayed
    to almost nothing — stall the iterates: not convergence, and more iterations barely
    help. The words for that, or None."""
    from .methods import METHODS
    from .setup import lr_at

    lr_k = lr_at(st, k)
    if st.schedule != "constant" and lr_k < 1e-3 * st.lr:
        return (f"the {st.schedule} schedule has decayed the learning rate to {_g(lr_k)} "
                f"(from {_g(st.lr)}), so the iterates stall with {say.gname} = {_g(gn)} "
                f"still above --tol — a stall, not convergence; decay more slowly "
                f"({'--lr-min' if st.schedule == 'cosine' else '--gamma'}) or raise --lr")
    if METHODS[st.method].decaying:
        return (f"AdaGrad's steps shrink as its sum of squared gradients grows, so the "
                f"iterates slow to a stall with {say.gname} = {_g(gn)} still above --tol — "
                "not convergence; raise --lr (or use rmsprop or adam, whose averages forget)")
    return None


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(p * q for p, q in zip(a, b, strict=True))


def _ratio(r: float) -> str:
    """A ratio near 1 with enough digits to show how far from 1 it is."""
    for digits in range(3, 17):
        s = f"{r:.{digits}g}"
        if float(s) != 1.0 or r == 1.0:
            return s
    return repr(r)


def _faster_lr(problem: Problem, xs: Sequence[float], st: Settings) -> str:
    """', or raise --lr toward …' where a larger learning rate is known to be faster and
    stable: for a quadratic, whose curvature is the same everywhere."""
    if st.method != "gd" or st.extra:
        return ""  # the theory is plain gradient descent's at a constant rate
    stab = stability(problem, xs)
    if stab is None or not stab.exact:
        return ""
    best = 1.0 / stab.curvature
    if st.lr < 0.5 * best:
        what = "1/f''" if problem.dim == 1 else "1/λmax of the Hessian"
        return f", or raise --lr toward {_g(best)} ({what}; stable below {_g(stab.limit)})"
    return ""


def _oscillation(
    problem: Problem, say: _Say, xs_w: list[Sequence[float]], steps: list[Sequence[float]],
    st: Settings,
) -> str:
    """Why the iterates bounce: a kink, a maximum between them, or a step too long."""
    a, b = xs_w[-1], xs_w[-2]
    mid = [(p + q) / 2 for p, q in zip(a, b, strict=True)]
    d = [p - q for p, q in zip(a, b, strict=True)]
    dd = _dot(d, d)
    where = _mid_point(problem, mid)
    curv = _along(problem, mid, d, dd)
    ga, gb = _safe(problem.grad, a), _safe(problem.grad, b)
    if ga is not None and gb is not None and dd > 0:
        secant = _dot([p - q for p, q in zip(ga, gb, strict=True)], d) / dd
        local = max((c for c in (curv, _along(problem, a, d, dd), _along(problem, b, d, dd))
                     if c is not None), default=0.0)
        if secant > 0 and local < 0.1 * secant:
            norm = math.sqrt(dd)
            before, after = _dot(gb, d) / norm, _dot(ga, d) / norm
            slope = "f'" if problem.dim == 1 else "the slope of f along the bounce"
            return (f"the iterates bounce across a kink of f near {where}, where f is not "
                    f"differentiable: {slope} jumps from {_g(say.sign * before)} to "
                    f"{_g(say.sign * after)} across it. With a constant learning rate gradient "
                    f"descent cannot settle at a kink. The bounce is {_g(norm)} wide; a "
                    f"smaller --lr narrows it, and the {say.best} is within it")
    if curv is not None and curv < 0:
        return (f"the iterates jump back and forth across a {say.kind('maximum')} of f near "
                f"{where} (the curvature there is {_g(say.sign * curv)}), each step overshooting"
                f" to the other side; try a smaller --lr than {fmt(st.lr)} so that they settle "
                f"into a {say.best} on one side")
    from .methods import METHODS

    method = METHODS[st.method]
    # what lies between the iterates: a minimum is claimed only where the curvature says so
    c_mid = curvature(problem, mid, say.sign)
    kind_mid = c_mid.kind if c_mid is not None else None
    if kind_mid == "saddle":
        point = f"a saddle point near {where} (not a {say.best}: f {say.falls} away from it in "
        point += "another direction)"
    elif kind_mid in ("minimum", None):
        point = f"the {say.best} near {where}"
    else:
        point = f"a point near {where}"
    fallback = ""
    if method.hessian and kind_mid not in ("minimum", None):
        fallback = (f"; the Hessian is not positive definite there, so {method.title} took "
                    "gradient steps (its fallback)")
    if method.adaptive:
        size = math.sqrt(_dot(steps[-1], steps[-1]))
        gm = _safe(problem.grad, mid)
        ends = max(math.hypot(*ga) if ga else 0.0, math.hypot(*gb) if gb else 0.0)
        if gm is not None and ends > 0 and math.hypot(*gm) <= 0.1 * ends:
            # the slope nearly vanishes between the two iterates: a stationary point there
            return (f"the iterates jitter around {point}: {method.title} "
                    f"divides each step by the root of the mean squared gradient, so near a "
                    f"{say.best} its steps stay about --lr long ({_g(size)} here) instead of "
                    f"shrinking; a smaller --lr or a decaying --schedule gets closer")
        return (f"the iterates zigzag near {where} without settling ({say.gname} = "
                f"{_g(math.hypot(*gm)) if gm else '?'} there): {method.title}'s steps stay "
                f"about --lr long ({_g(size)} here) across a narrow valley; a smaller --lr or "
                "a decaying --schedule")
    norms = [math.sqrt(_dot(s, s)) for s in steps]
    n0, n1 = norms[0], norms[-1]
    per = (n1 / n0) ** (1.0 / (len(norms) - 1)) if n0 > 0 and n1 > 0 else 1.0
    limit = ""
    if curv and curv > 0:
        limit = (f" 2/f'' ≈ {_g(2.0 / curv)}" if problem.dim == 1 else
                 f" along the bounce, about {_g(2.0 / curv)}")
    around = f"around {point}"
    if method.state and not method.adaptive:  # heavy ball, Nesterov
        if per < 1.0:
            gn = math.hypot(*_safe(problem.grad, xs_w[-1]) or (0.0,))
            more = math.ceil(math.log(st.gtol / gn) / math.log(per)) if gn > 0 and st.gtol > 0 \
                else 0
            return (f"the iterates oscillate {around} with shrinking amplitude (×{_ratio(per)} "
                    f"per iteration), as momentum does before it settles: they would converge "
                    f"in about {max(more, 1):,} more iterations — raise --max-iter, or lower "
                    "--momentum to damp the swings")
        return (f"the iterates oscillate {around} with {'growing' if per > 1 else 'steady'} "
                f"amplitude: momentum carries each step past the {say.best}; use a smaller --lr "
                "or --momentum")
    if per > 1.0:
        return (f"the iterates oscillate {around} with growing amplitude (×{_ratio(per)} per "
                f"iteration): --lr {fmt(st.lr)} is above the stability limit{limit}; use a "
                "smaller --lr" + fallback)
    if per == 1.0:
        return (f"the iterates oscillate {around} with steady amplitude: each step overshoots by "
                f"as much as it corrects — --lr {fmt(st.lr)} is at the stability limit{limit}; "
                "use a smaller --lr" + fallback)
    gn = math.hypot(*_safe(problem.grad, xs_w[-1]) or (0.0,))
    more = math.ceil(math.log(st.gtol / gn) / math.log(per)) if gn > 0 and st.gtol > 0 else 0
    return (f"the iterates oscillate {around} with shrinking amplitude (×{_ratio(per)} per "
            f"iteration): they would converge in about {max(more, 1):,} more iterations — raise "
            f"--max-iter, or use a smaller --lr: --lr {fmt(st.lr)} is just under the stability "
            f"limit{limit}, so every step overshoots")


def _mid_point(problem: Problem, mid: Sequence[float]) -> str:
    if problem.dim == 1:
        return f"{problem.variables[0]} ≈ {_g(mid[0])}"
    return "(" + ", ".join(f"{v} ≈ {_g(c)}" for v, c in zip(problem.variables, mid,
                                                              strict=True)) + ")"


def _along(problem: Problem, x: Sequence[float], d: Sequence[float], dd: float) -> float | None:
    """The curvature of f at x along d (dᵀHd/dᵀd), or None where it is not defined."""
    from .analysis import MAX_HESSIAN_DIM

    if dd <= 0 or problem.dim > MAX_HESSIAN_DIM:
        return None
    try:
        h = problem.hessian(*x)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    if not all(math.isfinite(v) for row in h for v in row):
        return None
    return sum(d[i] * h[i][j] * d[j] for i in range(len(d)) for j in range(len(d))) / dd


# --- divergence ---
def _diverged(
    problem: Problem, say: _Say, status: str, k: int, xs: tuple[float, ...],
    x0: tuple[float, ...], f0: float, fx: float | None, st: Settings,
) -> tuple[str, str]:
    head = f"diverged at iteration {k}"
    none = no_stationary_point(problem)
    no_min = ""
    if none is not None:
        var, text = none
        no_min = (f"; f has no {say.best} (∂f/∂{var} = {text} is never 0), so no learning rate "
                  "avoids this")
    smaller = no_min or f"; {_smaller_lr(problem, x0, st)}"
    if status == "unbounded":
        if say.up:
            return "unbounded_below", (
                f"{head}: f increases without bound (still rising at {say.point(xs)})"
                f"{no_min or '; there is no maximum that way'}")
        return "unbounded_below", (
            f"{head}: f {say.falls} without bound (still {'rising' if say.up else 'falling'} at "
            f"{say.point(xs)}){no_min or f'; there is no {say.best} that way'}")
    if status == "runaway":
        shown = "" if fx is None else f", f grew from {fmt(say.sign * f0)} to {fmt(say.sign * fx)}"
        if say.up and fx is not None:
            shown = f", f fell from {fmt(-f0)} to {fmt(-fx)}"
        where = say.point(xs)
        where = f"now at {where}" if where.startswith("(") else where
        return "runaway", f"{head}: the iterates are running away ({where}{shown}){smaller}"
    if status == "step":
        return "overflow", (f"{head}: the step lr·gradient from {say.point(xs)} overflowed "
                            f"float64{smaller}")
    if status == "nonfinite":
        return "overflow", (f"{head}: f or its gradient overflowed at {say.point(xs)} (no "
                            f"longer a finite number){smaller}")
    # "error": evaluating at x_k failed
    what, overflow = _domain_reason(problem, xs)
    if overflow:
        return "overflow", f"{head}: {what}{smaller}"
    if none is not None:
        var, text = none
        return "domain", (
            f"{head}: {what}. f has no stationary point (∂f/∂{var} = {text} is never 0), so no "
            f"{say.best} inside its domain: f keeps {say.falling} toward the edge of the domain, "
            "where gradient descent cannot settle — no learning rate avoids this")
    return "domain", f"{head}: {what}{smaller}"


def _smaller_lr(problem: Problem, x0: Sequence[float], st: Settings) -> str:
    # 2/λ is the limit of plain gradient descent with a constant lr, not of other methods
    gd = st.method == "gd" and st.schedule == "constant" and not st.line_search
    stab = stability(problem, x0) if gd else None
    if stab is None:
        return f"try a smaller --lr than {fmt(st.lr)}"
    what = "2/f''" if problem.dim == 1 else "2/λmax of the Hessian"
    where = "" if stab.exact else " at the start"
    return (f"try a smaller --lr than {fmt(st.lr)} (the stability limit {what}{where} is "
            f"{_g(stab.limit)})")


def _domain_reason(problem: Problem, xs: tuple[float, ...]) -> tuple[str, bool]:
    env = problem.env(xs)
    for node in (problem.node, *problem.grad_nodes):
        try:
            evaluate(node, env)
        except EvalOverflow as e:
            return f"a value overflowed at {_point_plain(problem, xs)} ({e.message})", True
        except InputError as e:
            return (f"the step left the domain of f at {_point_plain(problem, xs)} "
                    f"({e.message})"), False
    return f"a value overflowed at {_point_plain(problem, xs)}", True


def _point_plain(problem: Problem, xs: Sequence[float]) -> str:
    return _Say(problem).point(xs)


def _safe(func, xs):  # noqa: ANN001, ANN202
    try:
        return func(*xs)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None


__all__ = ["outcome", "hessian_eigenvalues"]
