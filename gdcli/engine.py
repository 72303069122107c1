"""The gradient-descent engine: yields one record per iteration, never prints.

Each run compiles one loop for its problem (codegen.py): the gradient inlined, plain
float arithmetic, the convergence test in the loop. ``iterate`` yields a row per
iteration; ``run_quiet`` runs the same loop without rows or history, so memory stays
flat however many steps. Anything unusual (a non-finite or far-away iterate, a math
error) leaves the fast loop and is judged here in Python.

Stopping rules (documented in README.md):

* converged: ‖∇f(x_k)‖ ≤ gtol and ‖x_k − x_{k−1}‖ ≤ xtol·(1 + ‖x_k‖) for ``patience``
  consecutive iterations (a gradient that is exactly 0 needs no wait) — and the zero
  gradient did not come from an underflow (a vanishing gradient on a plateau);
* diverged: a non-finite x, f or ∇f, a math error (overflow, leaving the domain), or
  iterates running away (‖x‖ beyond 1e6·max(1, ‖x0‖) with f above f(x0));
* max_iter: the limit was reached; the message says whether the run oscillated,
  stalled or was still descending.
"""

from __future__ import annotations

import math
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

from . import functions as fn
from .codegen import Emitter, build, local_names
from .errors import EvalOverflow, InputError
from .evaluate import evaluate, fmt, underflows
from .nodes import Call, Node, Num, Pow
from .problem import Problem
from .records import Row

#: An iterate this many times farther out than the start (and with f worse) has run away.
RUNAWAY = 1e6
#: Iterations probed after the limit to tell oscillation from slow progress.
PROBE = 64


@dataclass(frozen=True)
class Settings:
    lr: float = 0.1
    max_iter: int = 10_000
    gtol: float = 1e-8
    xtol: float = 1e-10
    patience: int = 3


@dataclass(frozen=True)
class Outcome:
    status: str  # "converged" | "diverged" | "max_iter"
    reason: str  # "gradient", "nonfinite", "runaway", "domain", "oscillation", "stall", …
    message: str
    iterations: int
    x: tuple[float, ...]
    f: float | None
    grad: tuple[float, ...] | None


# --- the generated loop ---
def _restricted(node: Node) -> bool:
    """Whether f can leave its domain where its gradient does not (log(x) vs 1/x)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if type(n) is Call and fn.FUNCTIONS[n.name].restricted:
            return True
        if type(n) is Pow and not (type(n.args[1]) is Num and n.args[1].value.denominator == 1):
            return True
        stack.extend(n.args)
    return False


def loop_source(problem: Problem, rows: bool, with_f: bool = False) -> str:
    """Python source of the GD loop for ``problem`` (``rows``: yield one row per step).

    The loop returns ``(status, k, x, calm, last step, previous x)``. Without rows f is
    still evaluated each step when it has a restricted domain, so a step out of the
    domain of f is caught even where the gradient is defined. Helper names are bound as
    default arguments: local lookups are the cheapest Python has."""
    n = problem.dim
    names = local_names(problem.variables)
    with_f = with_f or rows or _restricted(problem.node)
    em = Emitter(names, [*problem.grad_nodes, *([problem.node] if with_f else [])])
    g_lines = [f"g{i} = {em.expr(g)}" for i, g in enumerate(problem.grad_nodes)]
    f_line = [f"fx = {em.expr(problem.node)}"] if with_f else []
    v = [f"v{i}" for i in range(n)]
    g = [f"g{i}" for i in range(n)]
    s = [f"s{i}" for i in range(n)]
    nx = [f"n{i}" for i in range(n)]
    vs, gs, ss = ", ".join(v), ", ".join(g), ", ".join(s)
    compute = [*em.lines, *g_lines, *f_line, f"gn2 = {' + '.join(f'{x}*{x}' for x in g)}"]
    if with_f:
        # never yield a row of inf or nan: a non-finite f or gradient ends the run here
        compute += ["if not (gn2 < _INF and -_INF < fx < _INF):",
                    f"    return 'nonfinite', k, ({vs},), calm, ({ss},), ({vs},)"]
    final = [f"yield (k, fx, {vs}, {gs}{', None' * n})"] if rows else []
    state = f"k, ({vs},), calm, ({ss},), ({vs},)"
    converge = [
        "if gn2 <= gtol2:",
        f"    if {' + '.join(f'{x}*{x}' for x in s)} <= xtol2 * "
        f"(1.0 + {' + '.join(f'{x}*{x}' for x in v)}):",
        "        calm += 1",
        "        if calm >= patience or gn2 == 0.0:",
        *(f"            {line}" for line in final),
        f"            return 'converged', {state}",
        "    else:",
        "        calm = 0",
        "elif calm:",
        "    calm = 0",
    ]
    step = [
        *(f"{si} = lr * {gi}" for si, gi in zip(s, g, strict=True)),
        *([f"yield (k, fx, {vs}, {gs}, {ss})"] if rows else []),
        *(f"{ni} = {vi} - {si}" for ni, vi, si in zip(nx, v, s, strict=True)),
        f"if not ({' and '.join(f'-xrun < {x} < xrun' for x in nx)}):",
        f"    return 'escape', k + 1, ({', '.join(nx)},), calm, ({ss},), ({vs},)",
        *(f"{vi} = {ni}" for vi, ni in zip(v, nx, strict=True)),
    ]
    body = [*compute, *converge]
    helpers = sorted(set(re.findall(r"\b_(?:f_\w+|pow|sqrt|INF)\b", "\n".join(body))) | {"_INF"})
    defaults = "".join(f", {h}={h}" for h in helpers)
    lines = [
        f"def _loop(k0, {vs}, calm, {ss}, lr, max_iter, gtol2, xtol2, patience, xrun{defaults}):",
        "    k = k0",
        "    try:",
        "        for k in range(k0, max_iter):",
        *(f"            {line}" for line in body + step),
        "        k = max_iter",  # the last state: tested, shown, not stepped from
        *(f"        {line}" for line in body + final),
        f"        return 'max_iter', {state}",
        "    except (ValueError, ZeroDivisionError, OverflowError):",
        f"        return 'error', {state}",
    ]
    return "\n".join(lines) + "\n"


class _Loops:
    """Compiled loops, cached per problem: with rows, quiet, and quiet but watching f."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._cache: dict[str, Any] = {}

    def get(self, kind: str) -> Any:
        if kind not in self._cache:
            src = loop_source(self.problem, rows=kind == "rows", with_f=kind == "quiet+f")
            self._cache[kind] = build(src, "_loop")
        return self._cache[kind]


def _loops(problem: Problem) -> _Loops:
    cached = getattr(problem, "_gd_loops", None)
    if cached is None:
        cached = _Loops(problem)
        problem._gd_loops = cached  # type: ignore[attr-defined]
    return cached


# --- running ---
def iterate(
    problem: Problem, x0: Sequence[float], settings: Settings
) -> Generator[Row, None, Outcome]:
    """Yield one row per iteration (see records.py); return the Outcome."""
    return _drive(problem, tuple(map(float, x0)), settings, rows=True)


def run_quiet(problem: Problem, x0: Sequence[float], settings: Settings) -> Outcome:
    """The same run without rows or history: only the Outcome."""
    gen = _drive(problem, tuple(map(float, x0)), settings, rows=False)
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        return stop.value


def _drive(
    problem: Problem, x0: tuple[float, ...], st: Settings, rows: bool
) -> Generator[Row, None, Outcome]:
    if not (math.isfinite(st.lr) and st.lr > 0):
        raise InputError(f"--lr must be a positive finite number, got {st.lr}")
    problem.check_start(x0)
    loops = _loops(problem)
    loop = loops.get("rows" if rows else "quiet")
    f0 = problem.f(*x0)
    xrun = RUNAWAY * max(1.0, *(abs(v) for v in x0))
    k, xs, calm, steps = 0, x0, 0, (0.0,) * len(x0)
    args = (st.lr, st.max_iter, st.gtol**2, st.xtol**2, st.patience)
    falling = False  # f was below f(x0) far out: an overflow then means unbounded below
    while True:
        if rows:
            status, k, xs, calm, steps, before = yield from loop(k, *xs, calm, *steps, *args, xrun)
        else:
            status, k, xs, calm, steps, before = loop(k, *xs, calm, *steps, *args, xrun)
        if status != "escape":
            break
        if not all(map(math.isfinite, xs)):
            grad = _safe(problem.grad, before)
            if grad is not None and all(map(math.isfinite, grad)):
                # a finite gradient times lr overflowed: report at the last finite point
                status, xs = "unbounded" if falling else "step", before
            else:
                # x_k had a non-finite gradient: report there, at the last finite point
                status, k, xs = "unbounded" if falling else "nonfinite", k - 1, before
            break
        fx = _safe(problem.f, xs)
        if fx is None or not math.isfinite(fx):
            status = "unbounded" if falling or (fx is not None and fx < f0) else "nonfinite"
            break
        if fx <= f0:
            xrun *= 1e3  # far out but still descending: a distant minimum, keep going
            falling = True
            if not rows:
                # from here watch f as the recorded run does, so that both stop at the
                # same iteration if f falls off the bottom of float64
                loop = loops.get("quiet+f")
            continue
        status = "runaway"
        grad = _safe(problem.grad, xs)
        if rows and grad is not None and all(map(math.isfinite, grad)):
            yield (k, fx, *xs, *grad, *(None,) * problem.dim)  # the runaway iterate, finite
        break
    if falling and status in ("error", "nonfinite"):
        status = "unbounded"  # f was falling far out when it overflowed
    return _outcome(problem, status, k, xs, x0, f0, st)


def _safe(fn, xs: tuple[float, ...]):  # noqa: ANN001, ANN202
    try:
        return fn(*xs)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None


def _norm(v: Sequence[float]) -> float:
    return math.sqrt(sum(c * c for c in v))


def _point(problem: Problem, xs: Sequence[float]) -> str:
    if problem.dim == 1:
        return f"{problem.variables[0]} = {fmt(xs[0])}"
    pairs = zip(problem.variables, xs, strict=True)
    return "(" + ", ".join(f"{v} = {fmt(c)}" for v, c in pairs) + ")"


def _outcome(
    problem: Problem,
    status: str,
    k: int,
    xs: tuple[float, ...],
    x0: tuple[float, ...],
    f0: float,
    st: Settings,
) -> Outcome:
    fx = _safe(problem.f, xs)
    grad = _safe(problem.grad, xs)
    gname = "|f'|" if problem.dim == 1 else "|∇f|"
    smaller = f"try a smaller --lr than {fmt(st.lr)}"
    if status == "converged":
        assert grad is not None and fx is not None
        if underflows(problem.grad_nodes, problem.env(xs)):
            return Outcome(
                "max_iter", "underflow",
                f"stalled at iteration {k}: the gradient underflowed to {fmt(_norm(grad))} at "
                f"{_point(problem, xs)}, where f is flat in float64 (a vanishing gradient, "
                "not a minimum)",
                k, xs, fx, grad,
            )
        return Outcome(
            "converged", "gradient",
            f"converged in {k} iterations: {gname} = {_norm(grad):.3g} ≤ {st.gtol:g}",
            k, xs, fx, grad,
        )
    if status in ("nonfinite", "unbounded", "step"):
        if status == "step":
            why = (f"the step lr·gradient from {_point(problem, xs)} overflowed float64; "
                   f"{smaller}")
        elif status == "unbounded":
            # f kept falling all the way out: there is no minimum to find that way
            why = f"f decreases without bound (still falling at {_point(problem, xs)})"
        else:
            why = f"f or its gradient overflowed (no longer a finite number); {smaller}"
        return Outcome(
            "diverged", status if status != "step" else "nonfinite",
            f"diverged at iteration {k}: {why}",
            k, xs, fx if fx is not None and math.isfinite(fx) else None,
            grad if grad is not None and all(map(math.isfinite, grad)) else None,
        )
    if status == "runaway":
        return Outcome(
            "diverged", "runaway",
            f"diverged at iteration {k}: the iterates are running away ({_point(problem, xs)}, "
            f"f grew from {f0:.6g} to {fx:.6g}); {smaller}",
            k, xs, fx, grad,
        )
    if status == "error":
        return Outcome(
            "diverged", "domain",
            f"diverged at iteration {k}: {_domain_reason(problem, xs)}; {smaller}",
            k, xs, fx, grad,
        )
    # the iteration limit: say what the run was doing
    from .analysis import at_limit

    return Outcome("max_iter", *at_limit(problem, xs, st, k), k, xs, fx, grad)


def _domain_reason(problem: Problem, xs: tuple[float, ...]) -> str:
    env = problem.env(xs)
    for node in (problem.node, *problem.grad_nodes):
        try:
            evaluate(node, env)
        except EvalOverflow as e:
            return f"a value overflowed at {_point(problem, xs)} ({e.message})"
        except InputError as e:
            return f"the step left the domain at {_point(problem, xs)} ({e.message})"
    return f"a value overflowed at {_point(problem, xs)}"

