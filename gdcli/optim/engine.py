"""The gradient-descent engine: yields one record per iteration, never prints.

Each run compiles one loop for its problem (codegen.py): the gradient inlined, plain
float arithmetic, the stopping tests in the loop. ``iterate`` yields a row per
iteration; ``run_quiet`` runs the same loop without rows or history, so memory stays
flat however many steps. Whatever ends the fast loop is judged here in Python, and
why the run ended is put in words by diagnosis.py.

Stopping rules (README.md, "How a run ends"):

* ``--tol``: the gradient test. ‖∇f(x_k)‖ ≤ tol ends the run at x_k. The point is then
  checked: an underflowed gradient, a function with no stationary point at all, or a flat
  region with no stationary point nearby is not convergence.
* ``--xtol``: the step test. Where successive steps shrink by a ratio r < 1, the iterates
  are at most about ‖step‖/(1 − r) from their limit; when that is ≤ xtol·√(1 + ‖x_k‖²)
  for ``patience`` consecutive iterations the run has converged. (A step that is merely
  small, because the learning rate is small, is not convergence: then r ≈ 1.)
* machine precision: a step that no longer changes x in float64 (x_{k+1} == x_k) at a
  point where the gradient changes sign within a few units in the last place.
* divergence: a non-finite x, f or ∇f, a math error (overflow, leaving the domain), or
  iterates running away (‖x‖ beyond 1e6·max(1, ‖x0‖) with f above f(x0)).
* the iteration limit: the last ``WINDOW`` iterations are kept and say what the run was
  doing (oscillating, descending slowly …).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import replace
from typing import Any

from ..errors import InputError
from .loopgen import compile_loop, loop_args
from .methods import METHODS
from .problem import Problem
from .records import Outcome, Row, Settings

#: An iterate this many times farther out than the start (and with f worse) has run away.
RUNAWAY = 1e6
#: The last iterations of a run kept for the diagnosis when it reaches the limit.
WINDOW = 64
#: The quiet loop returns to Python this often, so that Ctrl-C is answered promptly.
CHUNK = 1 << 14


# --- the compiled loops ---
class _Loops:
    """Compiled loops, cached per problem and settings: with rows, quiet, and quiet but
    watching f (loopgen.py writes them)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._cache: dict[tuple[str, Settings], Any] = {}

    def get(self, kind: str, st: Settings) -> Any:
        key = (kind, st)
        if key not in self._cache:
            self._cache[key] = compile_loop(self.problem, st, rows=kind == "rows",
                                            with_f=kind == "quiet+f")
        return self._cache[key]


def loop_source(problem: Problem, rows: bool, with_f: bool = False,
                settings: Settings | None = None) -> str:
    """The source of a run's loop (for tests and for reading): see loopgen.py."""
    from .loopgen import loop_source as source

    return source(problem, settings or Settings(), rows, with_f)


def _loops(problem: Problem) -> _Loops:
    cached = getattr(problem, "_gd_loops", None)
    if cached is None:
        cached = _Loops(problem)
        problem._gd_loops = cached  # type: ignore[attr-defined]
    return cached


# --- running ---
def iterate(
    problem: Problem,
    x0: Sequence[float],
    settings: Settings,
    stop: Callable[[], bool] | None = None,
    tick: Callable[[int], None] | None = None,
) -> Generator[Row, None, Outcome]:
    """Yield one row per iteration (see records.py); return the Outcome. ``stop`` is
    polled between rows: when it answers True the run ends as interrupted. ``tick(k)`` is
    called now and then with the iteration reached (a progress bar)."""
    return _drive(problem, tuple(map(float, x0)), settings, rows=True, stop=stop, tick=tick)


def run_quiet(
    problem: Problem,
    x0: Sequence[float],
    settings: Settings,
    stop: Callable[[], bool] | None = None,
    tick: Callable[[int], None] | None = None,
) -> Outcome:
    """The same run without rows or history: only the Outcome."""
    gen = _drive(problem, tuple(map(float, x0)), settings, rows=False, stop=stop, tick=tick)
    try:
        while True:
            next(gen)
    except StopIteration as done:
        return done.value


def _tee(
    gen: Generator[Row, None, Any], window: deque[Row], emit: bool,
    stop: Callable[[], bool] | None, n: int, tick: Callable[[int], None] | None = None,
) -> Generator[Row, None, Any]:
    """Pass a loop's rows on (if ``emit``), keeping the last ones; its return value."""
    last: Row | None = None
    while True:
        try:
            row = next(gen)
        except StopIteration as done:
            return done.value
        window.append(row)
        if emit:
            yield row
        last = row
        if tick is not None and not row[0] & 4095:
            tick(row[0])
        if stop is not None and stop():
            gen.close()
            xs = tuple(last[2 : 2 + n])
            return "interrupted", last[0], xs, 0, 0.0, -2, xs, ()


def _drive(
    problem: Problem,
    x0: tuple[float, ...],
    st: Settings,
    rows: bool,
    stop: Callable[[], bool] | None = None,
    tick: Callable[[int], None] | None = None,
) -> Generator[Row, None, Outcome]:
    if not (math.isfinite(st.lr) and st.lr > 0):
        raise InputError(f"--lr must be a positive finite number, got {st.lr}")
    problem.check_start(x0)
    loops = _loops(problem)
    quiet = loops.get("quiet", st)
    used = {quiet, loops.get("rows", st)}
    for loop in used:
        loop.trials[0] = 0
    method = METHODS[st.method]
    n = problem.dim
    f0 = problem.f(*x0)
    xrun = RUNAWAY * max(1.0, *(abs(v) for v in x0))
    k, xs, calm, ps2, pk = 0, x0, 0, 0.0, -2
    state: tuple[float, ...] = (0.0,) * (len(method.state) * n)
    window: deque[Row] = deque(maxlen=WINDOW)
    record_from = max(0, st.max_iter - WINDOW)  # the last iterations are kept for the diagnosis
    # --xtol only where shrinking steps mean nearing the limit: not with momentum or
    # per-coordinate scaling, and not when a schedule shrinks the learning rate itself
    xtol2 = st.xtol**2 if method.xtol and st.schedule == "constant" else 0.0
    # the pre-test for small steps: --xtol's bound, or one that catches every step that
    # no longer moves x in float64 (|step| < ulp(x) <= 2**-52·|x|)
    args = (st.gtol**2, xtol2, max(xtol2, 16 * 2.0**-104), st.patience)
    more = loop_args(st)
    falling = False  # f was below f(x0) far out: an overflow then means unbounded below
    before = x0
    while True:
        if stop is not None and stop():
            status = "interrupted"
            break
        if tick is not None:
            tick(k)
        if rows or k >= record_from:
            stop_k = st.max_iter if k >= record_from else record_from
            gen = loops.get("rows", st)(k, *xs, *state, calm, ps2, pk, st.lr, stop_k, *args,
                                        xrun, *more)
            got = yield from _tee(gen, window, rows, stop, n, tick)
        else:
            stop_k = min(record_from, k + CHUNK)
            got = quiet(k, *xs, *state, calm, ps2, pk, st.lr, stop_k, *args, xrun, *more)
        status, k, xs, calm, ps2, pk, before, state = got
        if status == "limit":
            if k >= st.max_iter:
                status = yield from _last_state(problem, k, xs, st, window, rows)
                break
            continue
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
            fb = _safe(problem.f, before)
            # f fell below f(x0) on the way out, then overflowed: it is unbounded below
            down = falling or (fx is not None and fx < f0) or (fb is not None and fb < f0)
            status = "unbounded" if down else "nonfinite"
            if _finite_at(problem, before):
                k, xs = k - 1, before  # report the last point where f is still a number
            break
        if fx <= f0:
            xrun *= 1e3  # far out but still descending: a distant minimum, keep going
            if not falling:
                falling = True
                # from here watch f as the recorded run does, so that both stop at the
                # same iteration if f falls off the bottom of float64
                quiet = loops.get("quiet+f", st)
            continue
        status = "runaway"
        grad = _safe(problem.grad, xs)
        if grad is not None and all(map(math.isfinite, grad)):
            # the runaway iterate, finite
            row = (k, fx, *xs, *grad, *(None,) * problem.dim, *((None, None) if st.extra else ()))
            window.append(row)
            if rows:
                yield row
        break
    if status in ("error", "nonfinite", "step") and not falling:
        # f fell below f(x0) as the iterates went out, and then overflowed: unbounded below
        fb = _safe(problem.f, before)
        falling = fb is not None and fb < f0 and math.hypot(*xs) > math.hypot(*before) and (
            status != "error" or _safe(problem.f, xs) is None)
    if falling and status in ("error", "nonfinite", "step"):
        status = "unbounded"  # f was falling far out when it overflowed
    from .diagnosis import outcome

    result = outcome(problem, status, k, xs, x0, f0, st, list(window))
    trials = sum(loop.trials[0] for loop in {*used, loops.get("quiet+f", st)})
    evaluations = {
        # f where the method itself needs it: the line search, which also compares with f(x_k)
        "f": trials + (result.iterations if st.line_search else 0),
        "grad": result.iterations + 1,
        "hessian": result.iterations if method.hessian else 0,
    }
    return replace(result, evaluations=tuple(evaluations.items()))


def _last_state(
    problem: Problem, k: int, xs: tuple[float, ...], st: Settings, window: deque[Row], rows: bool
) -> Iterator[Row]:
    """The state the limit leaves: shown, tested for convergence, not stepped from."""
    fx = _safe(problem.f, xs)
    grad = _safe(problem.grad, xs)
    if fx is None or grad is None:
        return "error"
    if not (math.isfinite(fx) and all(map(math.isfinite, grad))):
        return "nonfinite"
    row = (k, fx, *xs, *grad, *(None,) * problem.dim, *((None, None) if st.extra else ()))
    window.append(row)
    if rows:
        yield row
    return "gradient" if math.fsum(g * g for g in grad) <= st.gtol**2 else "max_iter"


def _finite_at(problem: Problem, xs: Sequence[float]) -> bool:
    fx, grad = _safe(problem.f, xs), _safe(problem.grad, xs)
    return fx is not None and grad is not None and math.isfinite(fx) and all(
        map(math.isfinite, grad))


def _safe(func: Callable[..., Any], xs: Sequence[float]) -> Any:
    try:
        return func(*xs)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
