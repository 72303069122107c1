"""Many learning rates at once: the sweep engine, vectorised over the rates with numpy.

One loop is generated per problem (:func:`sweep_source`), in the way loopgen.py writes the
float loop: the gradient comes from the same Emitter, with the function registry's numpy
evaluators bound to its names, and the method's lines come from the registry through
``loopgen.expand``. Every name holds an array with one entry per rate, so a step of all the
rates costs a few dozen numpy operations, not a Python loop per rate.

Each rate follows the stopping rules of ``minimize`` (engine.py) as its quiet run would:
the gradient test, the fixed point, --xtol's consecutive shrinking steps, divergence (a
math error, a non-finite value, running away beyond 1e6·max(1, |x0|) with f above f(x0))
and the iteration limit. The hot path tests only a superset of them (three comparisons);
where it fires, the exact tests run as masks, and whatever needs f at a single point (an
escape from the box, the state at the limit) is judged per rate in Python floats, exactly
as the engine judges it. A rate that stops is taken out of the arrays (its row freezes);
the run ends when every rate has stopped. Converged rates are then checked by
diagnosis.py like any run (a plateau or a stall is not convergence).

One difference from the float loop is deliberate: numpy computes ``x**2`` as ``x*x`` and
``x**-1`` as ``1/x`` (correctly rounded), where Python's float ``**`` calls libm's pow, which
is 1 ulp off in about 0.08% of squares. Calling pow here (an array exponent) costs more
than the rest of a Rosenbrock step, so a rate may differ from minimize in the last bit of
a step now and then; the tests hold the statuses and iteration counts of every method to
minimize's exactly, and the points to 1e-12. (numpy's exp, sin … are not libm's either.)

Python's float operations raise where numpy's return inf or nan (``x**2`` overflowing,
``log(0)``, ``1/0``). A non-finite value that reaches the gradient stops the rate either
way; one that a later function absorbs (``sigmoid(x**3)`` at x = 1e110 is 1 in numpy)
would not, so the values that could raise in such places are tested (``bad``): only where
an absorbing operation consumes them, so that ordinary gradients pay nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..expr import functions as fn
from ..expr.codegen import Emitter, build, local_names
from ..expr.nodes import Add, Call, Const, Div, Mul, Neg, Node, Num, Pow
from .engine import RUNAWAY, WINDOW
from .loopgen import expand, restricted, schedule_line
from .methods import METHODS
from .records import Settings

if TYPE_CHECKING:  # pragma: no cover
    from .problem import Problem

#: At most this many rates in one sweep: every rate's state is held in memory at once
#: (about 40 float64 arrays of COUNT entries for two variables), and a million rates would
#: be more than any table or plot can show.
MAX_RATES = 100_000
#: The loop returns to Python after at most this many rate-steps, and 255 steps (a progress
#: bar, Ctrl-C; the reversals of a call are counted in uint8): 255 steps of 1,000 rates, 2
#: steps of 100,000.
CHUNK = 256_000
#: A rate oscillates when its steps reversed direction (s_k·s_{k-1} < 0) this many times.
REVERSALS = 2
#: How a rate stopped -> its status, where no diagnosis is needed.
DIVERGED = ("error", "nonfinite", "step", "runaway", "unbounded")


# --- the generated loop ---
def _closure(roots: Sequence[Node]) -> set[Node]:
    seen: set[Node] = set()
    stack = list(roots)
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(n.args)
    return seen


def _guarded(roots: Sequence[Node]) -> tuple[set[Node], set[Node]]:
    """The nodes to test: (values that could raise in Python — a power or a function —
    found under an absorbing operation, denominators of divisions found there). A
    non-finite value anywhere else reaches the gradient or f, which are tested anyway."""
    raising: set[Node] = set()
    dens: set[Node] = set()

    def mark(top: Node) -> None:
        for m in _closure([top]):
            if not m.free:
                continue  # a constant: the same value at every rate, never raising here
            if type(m) in (Pow, Call):
                raising.add(m)
            elif type(m) is Div and type(m.args[1]) not in (Num, Const):
                dens.add(m.args[1])

    for n in _closure(roots):
        t = type(n)
        if t is Call:
            for a in n.args:  # exp(-inf) = 0, sigmoid(inf) = 1, relu(-inf) = 0 …
                mark(a)
        elif t is Div:
            mark(n.args[1])  # x/inf = 0
        elif t is Pow:
            e = n.args[1]
            if not (type(e) is Num and (e.value == 0.5 or (e.value.denominator == 1
                                                           and e.value > 0))):
                mark(n.args[0])  # inf**-2 = 0
                mark(e)
    return raising, dens


#: How far a rate's |x|² may grow before the hot path's bounds are set again (the box
#: 1 + |x|² < BOX·(1 + |x_k|²) where they were set; see :func:`sweep_source`).
BOX = 2.0
#: Slack on the hot path's bounds, far above any rounding of the sums they bound.
_SLACK = 2.0**-20


class _VecEmitter(Emitter):
    """The float loop's Emitter over arrays. It names the values :func:`_guarded` picks
    and tests them as they are computed (``badg`` for values the gradient uses, ``badf``
    for f's own), and it writes what numpy does fastest: numbers as 0-d arrays bound once
    (``_k0``: an array operand costs numpy less than a Python float), ``x**2`` as ``x*x``
    and ``x**-1`` as ``1/x``, ``a + (-b)`` and ``a + (-1)·b`` as ``a - b`` (exactly the
    same values). A constant subtree (pi**2, exp(2)) is computed as the float loop
    computes it."""

    def __init__(self, names: dict[str, str], roots: Sequence[Node],
                 grad_roots: Sequence[Node]) -> None:
        super().__init__(names, roots)
        self.raising, self.dens = _guarded(roots)
        self.in_g = _closure(grad_roots)
        self.used: set[str] = set()
        self.consts: dict[str, str] = {}  # float literal -> its 0-d array's name
        self._inner = 0  # > 0: inside a constant subtree

    def const(self, literal: str) -> str:
        name = self.consts.get(literal)
        if name is None:
            name = self.consts[literal] = f"_k{len(self.consts)}"
        return name

    def _named(self, n: Node) -> str:
        code = self.expr(n)
        if code.isidentifier():
            return code
        name = f"t{len(self.temps)}"
        self.lines.append(f"{name} = {code}")
        self.temps[n] = name
        return name

    def _inline(self, n: Node) -> bool:
        return (n not in self.temps and n not in self.shared and n not in self.raising
                and n not in self.dens)

    def _code(self, n: Node) -> str:
        t = type(n)
        if self._inner or not n.free:
            if t is Num and not self._inner:
                return self.const(super()._code(n))
            self._inner += 1
            try:
                return super()._code(n)
            finally:
                self._inner -= 1
        if t is Pow:
            b, e = n.args
            if type(e) is Num and e.value in (2, -1):
                # numpy's own square and reciprocal, where Python's float ** calls libm's
                # pow: the two differ in the last bit in about 0.08% of cases
                x = self._named(b)
                return f"({x} * {x})" if e.value == 2 else f"({self.const('1.0')} / {x})"
        if t is Add:
            terms: list[tuple[str, str]] = []
            for a in n.args:
                if self._inline(a) and type(a) is Neg:
                    terms.append(("-", self.expr(a.args[0])))
                elif (self._inline(a) and type(a) is Mul and type(a.args[0]) is Num
                      and a.args[0].value == -1):
                    rest = a.args[1:]
                    terms.append(("-", self.expr(rest[0]) if len(rest) == 1 else
                                  "(" + " * ".join(self.expr(r) for r in rest) + ")"))
                else:
                    terms.append(("+", self.expr(a)))
            if terms[0][0] == "-" and terms[1][0] == "+":
                terms[0], terms[1] = terms[1], terms[0]  # (-a) + b is b - a
            head = terms[0][1] if terms[0][0] == "+" else f"(-{terms[0][1]})"
            return "(" + head + "".join(f" {op} {c}" for op, c in terms[1:]) + ")"
        return super()._code(n)

    def expr(self, n: Node) -> str:
        got = self.temps.get(n)
        if got is not None:
            return got
        code = self._code(n)
        if self._inner or (n not in self.shared and n not in self.raising
                           and n not in self.dens):
            return code
        name = f"t{len(self.temps)}"
        self.lines.append(f"{name} = {code}")
        self.temps[n] = name
        bad = "badg" if n in self.in_g else "badf"
        if n in self.raising:
            self.lines.append(f"{bad} = {bad} | ~_isfin({name})")
            self.used.add(bad)
        if n in self.dens:  # Python raises ZeroDivisionError; numpy gives inf or nan
            self.lines.append(f"{bad} = {bad} | ({name} == 0.0)")
            self.used.add(bad)
        return name


def sweep_source(problem: Problem, st: Settings, with_f: bool) -> str:
    """Python source of the vectorised loop for ``problem`` under ``st`` (``with_f``: f is
    computed each step and, for the rates that watch it, must stay finite).

    ``_sweep(k0, stop_k, *state, *per_rate, *constants)`` runs steps k0 … stop_k − 1 and
    returns ``(k, codes, (x_k, reversals), state)``: at the first step where some rate
    stops or leaves the runaway box, the stop codes of all the rates (0: goes on; 1 error,
    2 gradient, 3 fixed, 4 xtol; 5 left the box, judged by the caller), x_k and the
    reversals before the step, and the state after the step; else ``(stop_k, None, …,
    state)``. The state is x, the method's arrays, the reversals so far, the last step,
    the x and |step|² before it, then arrays the loop updates in place: calm (--xtol's
    count) and the step it was set at, and the bounds of :func:`_rebox` (qb, lim, hard,
    x2b).

    A step of the hot path costs the update and two comparisons, each a superset of some
    stopping rules: |step|² > lim (no step small enough to stop by the gradient test (plain
    gd: |s|² = lr²·|g|²), a fixed point or --xtol) and |x|² < qb (x is still in the box
    where lim holds, which is inside the runaway box). Where either fails
    the loop looks closer at those rates only: the box is set again around a rate that
    moved, and only a rate whose step passes a finer test (the candidates) is put through
    the exact stopping rules, as engine.py states them."""
    method = METHODS[st.method]
    n = problem.dim
    names = local_names(problem.variables)
    em = _VecEmitter(names, [*problem.grad_nodes, *([problem.node] if with_f else [])],
                     problem.grad_nodes)
    g_lines = [f"g{i} = {em.expr(g)}" for i, g in enumerate(problem.grad_nodes)]
    f_line = [f"fx = {em.expr(problem.node)}"] if with_f else []
    one, zero = em.const("1.0"), em.const("0.0")
    v = [f"v{i}" for i in range(n)]
    g = [f"g{i}" for i in range(n)]
    s = [f"s{i}" for i in range(n)]
    nx = [f"n{i}" for i in range(n)]
    u = [f"u{i}" for i in range(n)]
    pv = [f"p{i}" for i in range(n)]
    sts = [f"a_{name}{i}" for name in method.state for i in range(n)]

    def squares(xs: list[str]) -> str:
        return " + ".join(f"{x} * {x}" for x in xs)

    def dot(a: list[str], b: list[str]) -> str:
        return " + ".join(f"{x} * {y}" for x, y in zip(a, b, strict=True))

    def at(xs: list[str], w: str) -> list[str]:
        return [f"{x}[{w}]" for x in xs]

    step: list[str] = []
    sched = schedule_line(st)
    shared = {"lr": "lr" if sched is None else "lrk", "t": "it"}
    if any("{t}" in line for line in (*method.scalar, *method.update)):
        step.append("it = k + 1")
    step += [expand(line, method, None, shared) for line in method.scalar]
    for i in range(n):
        step += [expand(line, method, i, shared) for line in method.update]
    bad = sorted(em.used)
    # plain gd: |s|² = lr²·|g|², so the gradient test folds into lim
    plain = method.name == "gd" and sched is None
    xtol = _xtol2(st) > 0.0
    ok = ["(ss2 > lim)", *([] if plain else ["(gn2 > gt)"])]
    if with_f:
        ok.append("_isfin(fx)")
    ok += [f"~{b}" for b in bad]
    # the exact tests, on the rates e
    err = ["badg[e]"] if "badg" in bad else []
    if with_f:
        finite = " & ".join(f"_isfin({x}[e])" for x in ["fx", *g])
        watched = " | ".join([*(["badf[e]"] if "badf" in bad else []), f"~({finite})"])
        err.append(f"(watch[e] & ({watched}))")
    ve = [f"{x}e" for x in v]
    exact = [
        "ss2e = ss2[e]",
        *(f"{a} = {b}[e]" for a, b in zip(ve, v, strict=True)),
        f"vve = {one} + {squares(ve)}",
        "sme = ss2e <= small2 * vve",
        "ce = _where(sme & " + " & ".join(f"({a} == {b})" for a, b in
                                           zip(at(nx, "e"), ve, strict=True)) + ", 3, 0)",
    ]
    if xtol:
        # --xtol: consecutive small steps shrinking by r put the limit |step|/(1 - r) away
        exact += [
            "ps2e = ps2[e]",
            f"psme = ps2e <= small2 * ({one} + {squares(at(pv, 'e'))})",
            "r = 1.0 - _sqrt(ss2e / ps2e)",
            "tight = sme & psme & (ss2e < ps2e) & (ss2e <= xtol2 * vve * r * r)",
            "calme = _where(tight, _where(ck[e] == k - 1, calm[e], 0) + 1, 0)",
            "calm[e] = calme",
            "ck[e] = k",
            "ce = _where(tight & (calme >= patience) & (ce == 0), 4, ce)",
        ]
    exact += [
        f"ce = _where({squares(at(g, 'e')) if plain else 'gn2[e]'} <= gtol2, 2, ce)",
        *([f"ce = _where({' | '.join(err)}, 1, ce)"] if err else []),
        "if _nz(ce):",
        "    hit = ce != 0",
        "    eh = e[hit]",
        "    ch = ce[hit]",
        # stopped by a test of the gradient or of the steps: the row is written here and
        # the rate frozen (no step, never flagged) until the caller drops it
        "    if code is None and not _nz(ch == 1):",
        "        ii = idx[eh]",
        "        o_how[ii] = ch",
        "        o_k[ii] = k",
        *(f"        o_x{i}[ii] = {x}[eh]" for i, x in enumerate(v)),
        "        o_rev[ii] = rev[eh] + r8[eh]",
        "        live[eh] = False",
        "        lr[eh] = 0.0",
        "        lim[eh] = -1.0",
        "        qb[eh] = _INF",
        *([] if plain else ["        gt[eh] = -1.0"]),
        "        dead += eh.shape[0]",
        "        if dead * 4 > m:  # a quarter of the arrays frozen: the caller drops them",
        "            code = _zeros64(m)",
        "    else:",
        "        if code is None:",
        "            code = _zeros64(m)",
        "        code[eh] = ch",
    ]
    # the candidates among the rates w the hot path let through: a superset of the rates
    # the exact tests can stop (hard: plain gd's gradient test and the fixed point, whose
    # step is below an ulp of x; --xtol's test with r <= 1 - ss2/ps2, a little more)
    cand = ["cand = ss2w <= hard[w]"]
    if xtol:
        cand += [f"t = {em.const(repr(1.0 + 2.0**-50))} - ss2w / ps2[w]",
                 "cand = cand | (ss2w <= x2b[w] * (t * t))"]
    if not plain:
        cand.append("cand = cand | (gn2[w] <= gtol2)")
    if err:
        cand.append(f"cand = cand | {' | '.join(e.replace('[e]', '[w]') for e in err)}")
    state = [*v, *sts, "rev", *u, *pv, "ps2", "calm", "ck", "qb", "lim", "hard", "x2b"]
    flip = f"(({dot(s, u)}) < {zero})"
    state_new = [*nx, *sts, f"rev + r8 + {flip}", *s, *v, "ss2", "calm", "ck", "qb", "lim",
                 "hard", "x2b"]
    body = [
        *([sched] if sched is not None else []),
        *(f"{b} = False" for b in bad),
        *em.lines, *g_lines, *f_line,
        *([] if plain else [f"gn2 = {squares(g)}"]),
        *step,
        f"ss2 = {squares(s)}",
        *(f"{a} = {b} - {c}" for a, b, c in zip(nx, v, s, strict=True)),
        f"q = {squares(nx)}",
        f"ok = {' & '.join(ok)}",
        "inb = q < qb",
        "if _nz(ok) != m or _nz(inb) != m:",
        "    code = None",
        "    if _nz(inb) != m:",
        # moved far: out of the runaway box (or not finite: 5, judged by the caller), or
        # the bounds are set again around where it is
        "        wb = (~inb).nonzero()[0]",
        f"        out = ~({one} + {squares(at(nx, 'wb'))} < xrun2[wb]) & live[wb]",
        "        if _nz(out):",
        "            code = _zeros64(m)",
        "            code[wb[out]] = 5",
        "        _rebox(wb, q[wb], qb, lim, hard, x2b, xrun2, glim, small2, xtol2)",
        "    if _nz(ok) != m:",
        "        w = (~ok).nonzero()[0]",
        "        ss2w = ss2[w]",
        *(f"        {line}" for line in cand),
        "        if _nz(cand):",
        "            e = w[cand]",
        "            e = e[live[e]]",
        *(f"            {line}" for line in exact),
        "    if code is not None:",
        f"        return k, code, ({', '.join(v)}, rev + r8), ({', '.join(state_new)},)",
        f"r8 += {flip}",
        *(f"{a} = {b}" for a, b in zip(u, s, strict=True)),
        *(f"{a} = {b}" for a, b in zip(pv, v, strict=True)),
        "ps2 = ss2",
        *(f"{a} = {b}" for a, b in zip(v, nx, strict=True)),
    ]
    hypers = "".join(f", h_{h.name}" for h in method.hypers)
    sched_args = ", gamma, step_size, lr_min, t_max" if sched is not None else ""
    text = "\n".join(body)
    helpers = sorted({h for h in ("_sqrt", "_isfin", "_where", "_cos", "_PI", "_pow", "_INF",
                                  "_nz", "_rebox", "_zeros64")
                      if h in text} | {"_zeros8"}
                     | {f"_f_{c}" for c in fn.FUNCTIONS if f"_f_{c}(" in text})
    defaults = "".join(f", {h}={h}" for h in helpers)
    consts = "".join(f", {name}=_arr({lit})" for lit, name in em.consts.items())
    lines = [
        f"def _sweep(k0, stop_k, {', '.join(state)}, lr, xrun2, glim, watch, live, gt, idx, "
        f"o_how, o_k, o_rev, {''.join(f'o_x{i}, ' for i in range(n))}gtol2, xtol2, small2, "
        f"patience{hypers}{sched_args}{defaults}{consts}):",
        "    m = lr.shape[0]",
        "    dead = 0",
        "    r8 = _zeros8(m)  # the reversals of this call (at most 255 steps)",
        "    for k in range(k0, stop_k):",
        *(f"        {line}" for line in body),
        "    rev = rev + r8",
        f"    return stop_k, None, ({', '.join(v)}, rev), ({', '.join(state)},)",
    ]
    return "\n".join(lines) + "\n"


def _xtol2(st: Settings) -> float:
    """--xtol² where the method's steps shrinking says the iterates approach their limit
    (0: the test is off)."""
    return st.xtol**2 if METHODS[st.method].xtol and st.schedule == "constant" else 0.0


def _count_nonzero() -> Callable[[Any], int]:
    """numpy's count_nonzero without its Python wrapper (a third of the time on 1,000
    booleans), where numpy has it."""
    import numpy as np

    try:
        from numpy._core._multiarray_umath import count_nonzero  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - another numpy layout
        return np.count_nonzero
    return count_nonzero


def _rebox(w: Any, q: Any, qb: Any, lim: Any, hard: Any, x2b: Any, xrun2: Any, glim: Any,
           small2: float, xtol2: float) -> None:
    """Set the hot path's bounds of the rates ``w`` (in place), whose |x|² is ``q``: the box
    |x|² < qb = BOX·(1 + |x|²), inside the runaway box 1 + |x|² < xrun² with room for the
    roundings, and the bounds on |step|² that hold anywhere in it (where 1 + |x|² < 1 +
    qb): hard = max(glim, 2⁻¹⁰⁰·(1 + qb)) (plain gd's gradient test; a step that leaves x
    where it is is below 2⁻⁵³·|x|), x2b = xtol²·(1 + qb) (--xtol's test) and lim, the
    larger of the two."""
    import numpy as np

    qbw = np.minimum((xrun2[w] - 1.0) * (1.0 - _SLACK), BOX * (1.0 + q))
    qb[w] = qbw
    vb = (1.0 + np.maximum(qbw, q)) * (1.0 + _SLACK)
    h = np.maximum(glim[w], 2.0**-100 * vb)
    hard[w] = h
    x2b[w] = xtol2 * vb
    lim[w] = np.maximum(h, xtol2 * vb)


def compile_sweep(problem: Problem, st: Settings, with_f: bool) -> Callable[..., Any]:
    """The compiled loop, its names bound to numpy: the registry's numpy evaluators for
    the functions, np.sqrt for the methods' ``_sqrt``."""
    import numpy as np

    extra: dict[str, Any] = {f"_f_{name}": row.vec for name, row in fn.FUNCTIONS.items()}
    extra.update(_sqrt=np.sqrt, _pow=np.power, _isfin=np.isfinite, _where=np.where,
                 _nz=_count_nonzero(), _cos=math.cos, _PI=math.pi, _arr=np.array,
                 _rebox=_rebox, _zeros8=lambda m: np.zeros(m, dtype=np.uint8),
                 _zeros64=lambda m: np.zeros(m, dtype=np.int64))
    return build(sweep_source(problem, st, with_f), "_sweep", extra)


# --- running ---
@dataclass(frozen=True)
class Sweep:
    """One row per rate, in the order of ``rates`` (ascending)."""

    rates: tuple[float, ...]
    status: tuple[str, ...]  # converged, diverged or max_iter (SPEC §4)
    how: tuple[str, ...]  # how the rate stopped: gradient, xtol, fixed, max_iter, error …
    iterations: tuple[int, ...]
    x: tuple[tuple[float, ...], ...]
    f: tuple[float | None, ...]  # the user's f at x (None where it is not a number)
    grad_norm: tuple[float | None, ...]  # |∇f| at x
    reversals: tuple[int, ...]  # steps that reversed the previous one's direction

    def oscillates(self, i: int) -> bool:
        return self.reversals[i] >= REVERSALS


def run_sweep(
    problem: Problem,
    x0: Sequence[float],
    st: Settings,
    rates: Sequence[float],
    tick: Callable[[int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Sweep:
    """Run ``problem`` from ``x0`` under ``st`` at every learning rate in ``rates`` at once
    (``st.lr`` is not used); ``tick(k)`` is called between chunks (a progress bar), and
    when ``stop()`` answers True there the rates still running end where they are
    ("interrupted")."""
    import numpy as np

    method = METHODS[st.method]
    if method.hessian or st.line_search:
        raise InputError(_NO_SWEEP.format(what="newton" if method.hessian else "--line-search"))
    x0 = tuple(map(float, x0))
    n = problem.dim
    count = len(rates)
    f0 = problem.f(*x0)
    xrun0 = RUNAWAY * max(1.0, *(abs(v) for v in x0))
    record_from = max(0, st.max_iter - WINDOW)
    always = restricted(problem.node)
    xtol2 = _xtol2(st)
    small2 = max(xtol2, 16 * 2.0**-104)
    consts = (st.gtol**2, xtol2, small2, st.patience,
              *(st.hyper(h.name) for h in method.hypers), *_schedule_args(st))
    loops: dict[bool, Any] = {}
    plain = method.name == "gd" and schedule_line(st) is None

    def loop(with_f: bool) -> Any:
        if with_f not in loops:
            loops[with_f] = compile_sweep(problem, st, with_f)
        return loops[with_f]

    # the rates still running: their index in ``rates``, and per-rate arrays
    idx = np.arange(count)
    lr = np.asarray(rates, dtype=float)
    xrun = np.full(count, xrun0)
    xrun2 = xrun * xrun
    # plain gd's gradient test on |s|² = lr²·|g|²: generous by 2⁻²⁰ for the roundings
    glim = lr * lr * (st.gtol**2 * (1.0 + 2.0**-20)) if plain else np.zeros(count)
    falling = np.zeros(count, dtype=bool)
    live = np.ones(count, dtype=bool)  # False: stopped inside the loop, frozen there
    gt = np.full(count, st.gtol**2)  # the hot path's gradient test (-1: frozen)
    state: list[Any] = [*(np.full(count, c) for c in x0),
                        *(np.zeros(count) for _ in range(len(method.state) * n)),
                        np.zeros(count, dtype=np.int64), *(np.zeros(count) for _ in range(2 * n)),
                        np.full(count, math.inf), np.zeros(count, dtype=np.int64),
                        np.full(count, -2, dtype=np.int64),
                        *(np.empty(count) for _ in range(4))]
    at_rev = n + len(method.state) * n  # where the reversals are in the state
    # the rows: how each rate stopped (an index into _HOW), at which iteration, where
    out_how = np.zeros(count, dtype=np.int64)
    out_k = np.zeros(count, dtype=np.int64)
    out_x = [np.empty(count) for _ in range(n)]
    out_rev = np.zeros(count, dtype=np.int64)

    def record(j: Any, how: Any, k: Any, xs: Sequence[Any], rev: Any) -> None:
        i = idx[j]
        out_how[i], out_k[i], out_rev[i] = how, k, rev
        for a, c in zip(out_x, xs, strict=True):
            a[i] = c

    k = 0
    chunk_end = 0
    with np.errstate(all="ignore"):
        interrupted = False
        while len(idx) and k < st.max_iter:
            if k >= chunk_end:  # a new chunk: a progress bar, Ctrl-C, the bounds set again
                if stop is not None and stop():
                    interrupted = True
                    break
                if tick is not None:
                    tick(k)
                steps = max(1, min(255, CHUNK // len(idx)))
                chunk_end = min(st.max_iter, k + steps,
                                record_from if k < record_from else st.max_iter)
                q = state[0] * state[0]
                for c in state[1:n]:
                    q = q + c * c
                _rebox(slice(None), q, *state[-4:], xrun2, glim, small2, xtol2)
            watch_all = always or k >= record_from
            with_f = watch_all or bool(falling.any())
            watch = np.ones(len(idx), dtype=bool) if watch_all else falling
            k, codes, old, new = loop(with_f)(k, chunk_end, *state, lr, xrun2, glim, watch,
                                              live, gt, idx, out_how, out_k, out_rev, *out_x,
                                              *consts)
            if codes is None:
                state = list(new)
                if not live.all():
                    state = [a[live] for a in state]
                    idx, lr, xrun, xrun2, glim, falling, gt = (
                        idx[live], lr[live], xrun[live], xrun2[live], glim[live],
                        falling[live], gt[live])
                    live = np.ones(len(idx), dtype=bool)
                continue
            keep = live.copy()
            js = codes.nonzero()[0]
            cs = codes[js]
            out = cs == 5
            done = js[~out]
            record(done, cs[~out], k, [a[done] for a in old[:n]], old[n][done])
            keep[done] = False
            rev_new = new[at_rev]
            for j in js[out].tolist():
                before = tuple(float(a[j]) for a in old[:n])
                after = tuple(float(a[j]) for a in new[:n])
                ended = _escape(problem, before, after, k, float(xrun[j]), f0,
                                bool(falling[j]))
                if ended == "falling":  # far out but f still below f(x0): a distant minimum
                    xrun[j] *= 1e3
                    xrun2[j] = xrun[j] * xrun[j]
                    falling[j] = True
                elif ended is not None:  # (None: inside the box after all)
                    how, kk, xs = ended
                    record(j, _HOW.index(how), kk, xs, int(rev_new[j]))
                    keep[j] = False
                if ended is None or ended == "falling":
                    # the bounds of a rate that goes on from far out, for the rest of the chunk
                    q = new[0][j:j + 1] * new[0][j:j + 1]
                    for c in new[1:n]:
                        q = q + c[j:j + 1] * c[j:j + 1]
                    _rebox(np.array([j]), q, *new[-4:], xrun2, glim, small2, xtol2)
            state = [a[keep] for a in new]
            idx, lr, xrun, xrun2, glim, falling, gt = (idx[keep], lr[keep], xrun[keep],
                                                       xrun2[keep], glim[keep], falling[keep],
                                                       gt[keep])
            live = np.ones(len(idx), dtype=bool)
            k += 1
        if tick is not None:
            tick(k)
    revs = state[at_rev]
    seen: dict[tuple[float, ...], tuple[Any, Any]] = {}
    if interrupted:
        record(slice(None), _HOW.index("interrupted"), k, state[:n], revs)
    else:
        ends = [_HOW.index(_last_state(problem, xs, st, seen))
                for xs in zip(*(a.tolist() for a in state[:n]), strict=True)]
        record(slice(None), ends, st.max_iter, state[:n], revs)
    xs_out = list(zip(*(a.tolist() for a in out_x), strict=True))
    return _finish(problem, x0, f0, st, tuple(map(float, rates)),
                   [_HOW[h] for h in out_how.tolist()], out_k.tolist(), xs_out,
                   out_rev.tolist(), seen)


#: How a rate ended: the loop's stop codes (1 … 4) first, then the caller's judgements.
_HOW = ("", "error", "gradient", "fixed", "xtol", "", "step", "nonfinite", "runaway",
        "max_iter", "interrupted")


_NO_SWEEP = ("sweep does not run {what}: its steps need a Hessian solve or a line search per "
             "rate, which the vectorised sweep does not do; run gdcli minimize at a few rates, "
             "or gdcli compare")


def _schedule_args(st: Settings) -> tuple[Any, ...]:
    if schedule_line(st) is None:
        return ()
    return (st.gamma if st.gamma is not None else 0.0, st.step_size or 1, st.lr_min,
            float(st.max_iter))


def _safe(func: Callable[..., Any], xs: Sequence[float]) -> Any:
    try:
        return func(*xs)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None


def _finite(values: Any) -> bool:
    return values is not None and all(map(math.isfinite, values))


def _escape(
    problem: Problem, before: tuple[float, ...], after: tuple[float, ...], k: int, xrun: float,
    f0: float, falling: bool,
) -> tuple[str, int, tuple[float, ...]] | str | None:
    """A step from x_k (``before``) to ``after`` that may have left the box ±xrun, judged
    as engine._drive judges it: None (it did not), "falling" (far out, f below f(x0): go
    on with a larger box), or how the rate ended, at which iteration and point."""
    if not all(map(math.isfinite, after)):
        if _finite(_safe(problem.grad, before)):
            return "step", k + 1, before  # a finite gradient times lr overflowed
        return "nonfinite", k, before
    if all(-xrun < c < xrun for c in after):
        return None
    fx = _safe(problem.f, after)
    if fx is None or not math.isfinite(fx):
        fb = _safe(problem.f, before)
        if fb is not None and math.isfinite(fb) and _finite(_safe(problem.grad, before)):
            return "nonfinite", k, before
        return "nonfinite", k + 1, after
    if fx <= f0:
        return "falling"
    return "runaway", k + 1, after


def _values(problem: Problem, xs: tuple[float, ...]) -> tuple[Any, Any]:
    """f and ∇f at ``xs`` as the float loop computes them (None where Python raises)."""
    try:
        fx = problem.f(*xs)
    except (ValueError, ZeroDivisionError, OverflowError):
        fx = None
    try:
        grad = problem.grad(*xs)
    except (ValueError, ZeroDivisionError, OverflowError):
        grad = None
    return fx, grad


def _last_state(problem: Problem, xs: tuple[float, ...], st: Settings,
                seen: dict[tuple[float, ...], tuple[Any, Any]]) -> str:
    """How a rate that reached the iteration limit stands (engine._last_state); f and ∇f
    are kept in ``seen`` for the rows."""
    fx, grad = seen[xs] = _values(problem, xs)
    if fx is None or grad is None:
        return "error"
    if not (math.isfinite(fx) and _finite(grad)):
        return "nonfinite"
    return "gradient" if math.fsum(g * g for g in grad) <= st.gtol**2 else "max_iter"


def _finish(
    problem: Problem, x0: tuple[float, ...], f0: float, st: Settings, rates: tuple[float, ...],
    how: list[str], iterations: list[int], xs: list[tuple[float, ...]], revs: list[int],
    seen: dict[tuple[float, ...], tuple[Any, Any]],
) -> Sweep:
    """Statuses, f and |∇f| per rate. A rate stopped by a convergence test is judged by
    diagnosis.py, as a run of minimize is; points that agree to 9 significant digits (the
    same minimum reached at many rates) share one judgement, except a fixed point, which
    is judged at its own exact position (whether the gradient changes sign there is a
    matter of ulps)."""
    from .diagnosis import outcome

    judged: dict[tuple[Any, ...], str] = {}
    status: list[str] = []
    fs: list[float | None] = []
    gns: list[float | None] = []
    sign, isfinite, hypot = problem.sign, math.isfinite, math.hypot
    for h, k, x in zip(how, iterations, xs, strict=True):
        got = seen.get(x)
        fx, grad = got if got is not None else _values(problem, x)
        fs.append(sign * fx if fx is not None and isfinite(fx) else None)
        gns.append(hypot(*grad) if grad is not None and all(map(isfinite, grad)) else None)
        if h in DIVERGED:
            status.append("diverged")
        elif h == "max_iter" or h == "interrupted":
            status.append("max_iter")
        else:
            key = (h, x) if h == "fixed" else (h, *(float(f"{c:.9g}") for c in x))
            if key not in judged:
                judged[key] = outcome(problem, h, k, x, x0, f0, st, []).status
            status.append(judged[key])
    return Sweep(rates, tuple(status), tuple(how), tuple(iterations), tuple(xs), tuple(fs),
                 tuple(gns), tuple(revs))


# --- what the rows say ---
@dataclass(frozen=True)
class Boundary:
    """The smallest swept rate that oscillates (or diverges), and the swept rate below it
    (None: the first rate of the sweep already does)."""

    lr: float
    after: float | None


def fastest(sw: Sweep) -> int | None:
    """The index of the rate that converged in the fewest iterations; among equals, the
    one that ended with the smallest gradient (the one converging fastest in the end)."""
    best: tuple[int, float, int] | None = None
    for i, st in enumerate(sw.status):
        if st != "converged":
            continue
        key = (sw.iterations[i], sw.grad_norm[i] if sw.grad_norm[i] is not None else math.inf, i)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


def boundaries(sw: Sweep) -> dict[str, Boundary | None]:
    """Where, going up the rates, the iterates first oscillate (reverse direction
    repeatedly, converging or not) and where a rate first diverges."""
    out: dict[str, Boundary | None] = {"oscillation": None, "divergence": None}
    for name, test in (("oscillation", sw.oscillates),
                       ("divergence", lambda i: sw.status[i] == "diverged")):
        for i in range(len(sw.rates)):
            if test(i):
                out[name] = Boundary(sw.rates[i], sw.rates[i - 1] if i else None)
                break
    return out


@dataclass(frozen=True)
class Theory:
    """Rates that linear theory predicts for a quadratic (a constant Hessian H): ``fastest``
    (the best asymptotic rate), ``oscillation`` (above it the stiffest direction overshoots:
    the iterates reverse) and ``limit`` (above it they diverge), each with its formula;
    None where the theory gives no such rate."""

    curvature: tuple[float, ...]  # eigenvalues of H, ascending (f'' for one variable)
    fastest: float | None
    oscillation: float | None
    limit: float | None
    formulas: dict[str, str]


def theory(problem: Problem, x0: Sequence[float], st: Settings) -> Theory | None:
    """The theory for gd, momentum and nesterov at a constant learning rate on a quadratic
    whose Hessian has a positive eigenvalue; None otherwise (adaptive methods scale each
    step by past gradients: no rate of theirs follows from the curvature alone).

    Per eigenvalue λ and h = lr·λ: gd multiplies the error by 1 − h (overshoots for h > 1,
    diverges for h > 2; the best worst case over [λmin, λmax] is h = 2λ/(λmin + λmax)).
    Heavy ball (momentum μ): z² − (1 + μ − h)z + μ = 0 is stable for h < 2(1 + μ) and has
    complex roots (oscillates) for h > (1 − √μ)²; every h in [(1 − √μ)², (1 + √μ)²] gives
    the same rate √μ, so there is no single fastest rate. Nesterov (torch's form):
    z² − (1 + μ)(1 − h)z + μ(1 − h) = 0 is stable for h < 2(1 + μ)/(1 + 2μ), oscillates for
    h > ((1 − μ)/(1 + μ))², and both roots are 0 at h = 1 (one variable: exact in two
    steps)."""
    from .analysis import hessian_eigenvalues

    method = METHODS[st.method]
    if st.schedule != "constant" or method.adaptive or method.name not in _THEORY:
        return None
    if not all(type(h) is Num for row in problem.hessian_nodes for h in row):
        return None
    eig = hessian_eigenvalues(problem, x0)
    if not eig or not eig[-1] > 0:
        return None
    lo, hi = eig[0], eig[-1]
    one = problem.dim == 1
    lam = "f''" if one else "λmax"
    mu = dict(st.hypers).get("momentum", 0.0)
    if method.name == "gd":
        fast, fast_text = ((1 / hi, f"1/{lam}") if one else
                           (2 / (lo + hi), "2/(λmin + λmax)")) if lo > 0 else (None, "")
        values = (fast, 1 / hi, 2 / hi)
        texts = (fast_text, f"1/{lam}", f"2/{lam}")
    elif method.name == "momentum":
        values = (None, (1 - math.sqrt(mu)) ** 2 / hi, 2 * (1 + mu) / hi)
        texts = ("", f"(1 - √μ)²/{lam}", f"2(1 + μ)/{lam}")
    else:
        values = (1 / hi if one else None, ((1 - mu) / (1 + mu)) ** 2 / hi,
                  2 * (1 + mu) / ((1 + 2 * mu) * hi))
        texts = (f"1/{lam}" if one else "", f"((1 - μ)/(1 + μ))²/{lam}",
                 f"2(1 + μ)/((1 + 2μ)·{lam})")
    formulas = {k: t for k, t, val in zip(("fastest", "oscillation", "limit"), texts, values,
                                          strict=True) if val is not None}
    return Theory(tuple(eig), *values, formulas)


#: The methods with a linear theory of their learning rate (see :func:`theory`).
_THEORY = ("gd", "momentum", "nesterov")
