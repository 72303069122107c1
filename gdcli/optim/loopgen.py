"""The one code generator for iterations: a method's lines (methods.py) expanded over the
coordinates of a problem into the Python source of a loop, compiled once per run.

The loop runs iterations k0 … stop_k − 1 and returns
``(status, k, x, calm, ps2, pk, x before the last step, state)`` (ps2 and pk: the size² and
iteration of the last small step, for --xtol's consecutive steps); status is one of
"gradient", "xtol", "fixed" (a step that no longer moves x), "escape" (x left the box
±xrun or stopped being finite), "nonfinite", "error" (a math error) and "limit".
Only code built from validated trees and from the registry's lines is compiled; helper
names are bound as default arguments (local lookups are the cheapest Python has).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..expr import functions as fn
from ..expr.codegen import Emitter, build, local_names
from ..expr.nodes import Call, Node, Num, Pow
from .methods import METHODS, Method
from .records import Settings

if TYPE_CHECKING:  # pragma: no cover
    from .problem import Problem

#: The Armijo condition's constant: f(x + t·d) ≤ f(x) + C·t·∇f·d.
ARMIJO = 1e-4
#: Halvings tried before a line search gives up (t = lr·2⁻⁶⁰).
HALVINGS = 60


def restricted(node: Node) -> bool:
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


def expand(line: str, method: Method, i: int | None, names: dict[str, str]) -> str:
    """A registry line with its placeholders replaced: for coordinate ``i`` (None: a scalar
    line). ``names`` gives the shared ones (lr, t); state, scalars and hyperparameters get
    their generated names here."""
    table = dict(names)
    for h in method.hypers:
        table[h.name] = f"h_{h.name}"
    for sc in _scalars(method):
        table[sc] = f"c_{sc}"
    if i is not None:
        table.update({st: f"a_{st}{i}" for st in method.state})
        table["g"], table["s"] = f"g{i}", f"s{i}"
    return line.format(**table)


def _scalars(method: Method) -> list[str]:
    return [m.group(1) for line in method.scalar for m in [re.match(r"\{(\w+)\} =", line)] if m]


def state_names(method: Method, n: int) -> list[str]:
    """The loop's state variables, method state major: a_m0, a_m1, a_v0, a_v1."""
    return [f"a_{st}{i}" for st in method.state for i in range(n)]


def schedule_line(st: Settings) -> str | None:
    """``lrk = …``: the learning rate of step k under --schedule (None: constant)."""
    if st.schedule == "step":
        return "lrk = lr * gamma ** (k // step_size)"
    if st.schedule == "exp":
        return "lrk = lr * gamma ** k"
    if st.schedule == "cosine":
        return "lrk = lr_min + (lr - lr_min) * (1.0 + _cos(_PI * k / t_max)) / 2.0"
    if st.schedule == "inverse":
        return "lrk = lr / (1.0 + gamma * k)"
    return None


def loop_source(problem: Problem, st: Settings, rows: bool, with_f: bool = False) -> str:
    """Python source of the loop for ``problem`` under ``st`` (``rows``: yield a row per
    step). Without rows f is still evaluated each step when it has a restricted domain, so
    a step out of the domain of f is caught even where the gradient is defined."""
    method = METHODS[st.method]
    n = problem.dim
    names = local_names(problem.variables)
    with_f = with_f or rows or restricted(problem.node) or st.line_search
    hess = [(i, j, problem.hessian_nodes[i][j]) for i in range(n) for j in range(i, n)] \
        if method.hessian else []
    em = Emitter(names, [*problem.grad_nodes, *([problem.node] if with_f else []),
                         *(h for _, _, h in hess)])
    g_lines = [f"g{i} = {em.expr(g)}" for i, g in enumerate(problem.grad_nodes)]
    f_line = [f"fx = {em.expr(problem.node)}"] if with_f else []
    h_lines = [f"h{i}_{j} = {em.expr(h)}" for i, j, h in hess]
    v = [f"v{i}" for i in range(n)]
    g = [f"g{i}" for i in range(n)]
    s = [f"s{i}" for i in range(n)]
    nx = [f"n{i}" for i in range(n)]
    sts = state_names(method, n)
    vs, gs, ss = ", ".join(v), ", ".join(g), ", ".join(s)
    state_t = f"({', '.join(sts)},)" if sts else "()"
    extra = st.extra

    def squares(xs: list[str]) -> str:
        return " + ".join(f"{x}*{x}" for x in xs)

    state = f"k, ({vs},), calm, ps2, pk, ({vs},), {state_t}"
    tail = ", None, None" if extra else ""
    final = [f"yield (k, fx, {vs}, {gs}{', None' * n}{tail})"] if rows else []
    compute = [*em.lines, *g_lines, *f_line, f"gn2 = {squares(g)}"]
    if with_f:
        # never yield a row of inf or nan: a non-finite f or gradient ends the run here
        finite = " and ".join(f"-_INF < {x} < _INF" for x in ["fx", *g])
        compute += [f"if not ({finite}):", f"    return 'nonfinite', {state}"]
    lr_name = "lr"
    step: list[str] = []
    sched = schedule_line(st)
    if sched is not None or st.line_search or method.hessian:
        step.append(sched or "lrk = lr")
        lr_name = "lrk"
    if method.hessian:
        # Newton: the direction H⁻¹g, or g where H is not positive definite (noted)
        ups = [f"h{min(i, j)}_{max(i, j)}" for i in range(n) for j in range(n)]
        step += [*h_lines, f"dirs, note = _newton(({', '.join(ups)},), ({gs},))",
                 f"{', '.join(f'p{i}' for i in range(n))}, = dirs"]
        directions = [f"p{i}" for i in range(n)]
    else:
        if extra:
            step.append("note = None")
        directions = g
    if st.line_search:
        slope = " + ".join(f"{gi} * {pi}" for gi, pi in zip(g, directions, strict=True))
        step += [f"lrk = _armijo(_f, ({vs},), ({', '.join(directions)},), fx, {slope}, lrk)"]
    if method.hessian or st.line_search:
        step += [f"{si} = lrk * {pi}" for si, pi in zip(s, directions, strict=True)]
    else:
        shared = {"lr": lr_name, "t": "it"}
        if any("{t}" in line for line in (*method.scalar, *method.update)):
            step.append("it = k + 1")
        step += [expand(line, method, None, shared) for line in method.scalar]
        for i in range(n):
            step += [expand(line, method, i, shared) for line in method.update]
    # The hot path is the update and two cheap tests: the gradient test, and whether the
    # step is small or x has left a box around where it was. Only then (rarely) are the
    # small-step tests (fixed point, --xtol) and the escape test done, and the box moved.
    # For plain gd the small-step pre-test reads the gradient (|s|² = lr²·|g|²).
    plain = st.method == "gd" and sched is None and not st.line_search
    pre = "gn2 <= glim2" if plain else "ss2 <= glim2"
    box = " and ".join(f"lo{i} < {x} < hi{i}" for i, x in enumerate(nx))
    row = ([f"yield (k, fx, {vs}, {gs}, {ss}{', ' + lr_name + ', note' if extra else ''})"]
           if rows else [])
    slow = [
        *([f"ss2 = {squares(s)}"] if plain else []),
        f"sx2 = 1.0 + {squares(v)}",
        # only a step this small can be within --xtol of the limit, or fail to move x
        # (|step| < ulp(x) <= 2.3e-16·|x|)
        "if ss2 <= small2 * sx2:",
        f"    if {' and '.join(f'{a} == {b}' for a, b in zip(nx, v, strict=True))}:",
        *(f"        {line}" for line in final),
        f"        return 'fixed', {state}",
        "    if pk == k - 1 and ss2 < ps2:",
        # consecutive small steps shrinking by r: the limit is about |step|/(1 - r) away
        "        r = 1.0 - _sqrt(ss2 / ps2)",
        "        if ss2 <= xtol2 * sx2 * r * r:",
        "            calm += 1",
        "            if calm >= patience:",
        *(f"                {line}" for line in final),
        f"                return 'xtol', {state}",
        "        else:",
        "            calm = 0",
        "    else:",
        "        calm = 0",
        "    ps2 = ss2",
        "    pk = k",
        *row,
        f"if not ({' and '.join(f'-xrun < {x} < xrun' for x in nx)}):",
        f"    return 'escape', k + 1, ({', '.join(nx)},), calm, ps2, pk, ({vs},), {state_t}",
        *_rebox(nx, plain),
    ]
    body = [
        *compute,
        "if gn2 <= gtol2:",
        *(f"    {line}" for line in final),
        f"    return 'gradient', {state}",
        *step,
        *([] if plain else [f"ss2 = {squares(s)}"]),
        *(f"{ni} = {vi} - {si}" for ni, vi, si in zip(nx, v, s, strict=True)),
        f"if {pre} or not ({box}):",
        *(f"    {line}" for line in slow),
        *(["else:", *(f"    {line}" for line in row)] if rows else []),
        *(f"{vi} = {ni}" for vi, ni in zip(v, nx, strict=True)),
    ]
    text = "\n".join(body)
    helpers = sorted(set(re.findall(r"\b_(?:f_\w+|pow|sqrt|INF|cos|PI|newton|armijo|f)\b",
                                    text)))
    defaults = "".join(f", {h}={h}" for h in helpers)
    hypers = "".join(f", h_{h.name}" for h in method.hypers)
    sched_args = ", gamma, step_size, lr_min, t_max" if sched is not None else ""
    lines = [
        f"def _loop(k0, {vs}, {''.join(x + ', ' for x in sts)}calm, ps2, pk, lr, stop_k, gtol2, "
        f"xtol2, small2, patience, xrun{hypers}{sched_args}{defaults}):",
        "    k = k0",
        *(f"    {line}" for line in (["ilr2 = 1.0 / (lr * lr)"] if plain else [])),
        *(f"    {line}" for line in _rebox(v, plain)),
        "    try:",
        "        for k in range(k0, stop_k):",
        *(f"            {line}" for line in body),
        f"        return 'limit', stop_k, ({vs},), calm, ps2, pk, ({vs},), {state_t}",
        "    except (ValueError, ZeroDivisionError, OverflowError):",
        f"        return 'error', {state}",
    ]
    return "\n".join(lines) + "\n"


def _rebox(xs: list[str], plain: bool) -> list[str]:
    """Lines that set the box lo_i < x_i < hi_i around ``xs`` (within ±xrun) and the
    small-step bound valid inside it: small2·(1 + max |x|² in the box), on |g|² for plain
    gd (divided by lr²), else on |s|²."""
    out = []
    for i, x in enumerate(xs):
        out += [f"w = 0.5 + 0.5 * ({x} if {x} > 0.0 else -{x})",
                f"lo{i} = {x} - w", f"hi{i} = {x} + w",
                f"if lo{i} < -xrun: lo{i} = -xrun", f"if hi{i} > xrun: hi{i} = xrun"]
    far = " + ".join(f"(lo{i} * lo{i} if lo{i} * lo{i} > hi{i} * hi{i} else hi{i} * hi{i})"
                     for i in range(len(xs)))
    out.append(f"glim2 = small2 * (1.0 + {far})" + (" * ilr2" if plain else ""))
    return out


def compile_loop(problem: Problem, st: Settings, rows: bool, with_f: bool = False) -> Any:
    """The compiled loop, with the helpers it may call (Newton's solve, the line search).
    ``loop.trials`` counts the line search's evaluations of f (reset it before a run)."""
    trials = [0]

    def counted_armijo(*args: Any) -> float:
        return armijo(*args, trials=trials)

    extra: dict[str, Any] = {"_cos": math.cos, "_PI": math.pi, "_newton": newton_direction,
                             "_armijo": counted_armijo, "_f": problem.f}
    loop = build(loop_source(problem, st, rows, with_f), "_loop", extra)
    loop.trials = trials  # type: ignore[attr-defined]
    return loop


def loop_args(st: Settings) -> tuple[Any, ...]:
    """The loop's arguments after xrun: hyperparameters, then the schedule's."""
    method = METHODS[st.method]
    hyper = dict(st.hypers)
    out: list[Any] = [hyper[h.name] for h in method.hypers]
    if schedule_line(st) is not None:
        out += [st.gamma if st.gamma is not None else 0.0, st.step_size or 1, st.lr_min,
                float(st.max_iter)]
    return tuple(out)


# --- helpers the generated loop calls ---
def newton_direction(h: Sequence[float], g: Sequence[float]) -> tuple[tuple[float, ...], Any]:
    """H⁻¹g by Cholesky for the n×n Hessian ``h`` (row-major), with the note None; where H
    is not positive definite, (g, "not_pd"), and where it is singular (a pivot within
    1e-12 of H's scale of 0), (g, "singular"): the documented fallback is a gradient step."""
    n = len(g)
    scale = max((abs(v) for v in h), default=0.0)
    if n == 1:
        a = h[0]
        if abs(a) <= 1e-12 * scale or a == 0.0:
            return tuple(g), "singular"
        return ((g[0] / a,), None) if a > 0 else (tuple(g), "not_pd")
    low = [[0.0] * n for _ in range(n)]
    for j in range(n):
        d = h[j * n + j] - sum(low[j][k] * low[j][k] for k in range(j))
        if abs(d) <= 1e-12 * scale:
            return tuple(g), "singular"
        if d < 0:
            return tuple(g), "not_pd"
        low[j][j] = math.sqrt(d)
        for i in range(j + 1, n):
            low[i][j] = (h[i * n + j] - sum(low[i][k] * low[j][k] for k in range(j))) / low[j][j]
    y = [0.0] * n
    for i in range(n):  # L y = g
        y[i] = (g[i] - sum(low[i][k] * y[k] for k in range(i))) / low[i][i]
    x = [0.0] * n
    for i in reversed(range(n)):  # Lᵀ x = y
        x[i] = (y[i] - sum(low[k][i] * x[k] for k in range(i + 1, n))) / low[i][i]
    return tuple(x), None


def armijo(
    f: Callable[..., float], x: Sequence[float], p: Sequence[float], fx: float, slope: float,
    t: float, trials: list[int] | None = None,
) -> float:
    """Backtracking along −p from x (p the method's direction: g, or H⁻¹g): the first t in
    lr, lr/2, lr/4 … with f(x − t·p) ≤ f(x) − 1e-4·t·∇f·p; 0.0 if none in 60 halvings (or
    −p is not a descent direction)."""
    if not slope > 0:
        return 0.0
    for _ in range(HALVINGS + 1):
        if trials is not None:
            trials[0] += 1
        try:
            ft = f(*(a - t * b for a, b in zip(x, p, strict=True)))
        except (ValueError, ZeroDivisionError, OverflowError):
            ft = math.inf
        if ft <= fx - ARMIJO * t * slope:
            return t
        t *= 0.5
    return 0.0
