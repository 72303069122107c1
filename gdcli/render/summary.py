"""Text a person reads beside the table: the explained first steps and the summary."""

from __future__ import annotations

from ..expr.evaluate import fmt
from ..optim.records import Row

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context


def step_name(var: str, k: int) -> str:
    """x1, y1 — and w1_1 for a name that ends in a digit (w11 would read as w11)."""
    return f"{var}_{k}" if var[-1].isdigit() else f"{var}{k}"


def explain_lines(ctx: Context, pairs: list[tuple[Row, Row]]) -> list[str]:
    """The first steps as a textbook writes them: x1 = 8 - 0.1*(2*8 - 4) = 6.8, numbers
    to --precision significant digits (the worked example's are shorter than that)."""
    from ..expr.printer import substitute, to_str

    prob, lay = ctx.problem, ctx.layout
    p = ctx.precision
    lr = _num(ctx.settings.lr, p)
    op = "+" if prob.maximize else "-"
    grads = [-g for g in prob.grad_nodes] if prob.maximize else list(prob.grad_nodes)
    st = ctx.settings
    lines = []
    for a, b in pairs:
        k = a[0]
        texts = {v: _num(x, p) for v, x in zip(prob.variables, a[lay.x], strict=True)}
        for i, v in enumerate(prob.variables):
            g = to_str(substitute(grads[i], texts))
            old = texts[v] if not texts[v].startswith("-") else f"({texts[v]})"
            new = _num(b[lay.x][i], p)
            if st.method == "gd":
                # the step's own lr under a schedule or a line search
                lr_k = lr if not lay.extra or a[lay.lr] is None else _num(a[lay.lr], p)
                lines.append(f"{step_name(v, k + 1)} = {old} {op} {lr_k}*({g}) = {new}")
                continue
            # another method's step is not lr·gradient: its value, and what it was made from
            s = a[lay.step][i]
            shown = _num(s, p)
            shown = f"({shown})" if shown.startswith("-") else shown
            gname = f"f'({texts[v]})" if prob.dim == 1 else f"∂f/∂{v}"
            lines.append(f"{step_name(v, k + 1)} = {old} {op} {shown} = {new}   "
                         f"({_method_title(st)} step from {gname} = {g} = "
                         f"{_num(a[lay.grad][i], p)})")
        if b[1] is None and ctx.outcome is not None:
            lines[-1] += ("   (outside the domain of f)" if ctx.outcome.reason == "domain" else
                          "   (f is no longer a finite number there)")
    return lines


def _method_title(st: object) -> str:
    from ..optim.methods import METHODS

    return METHODS[st.method].title  # type: ignore[attr-defined]


def _num(v: float, digits: int) -> str:
    """``v`` to ``digits`` significant digits, as gdcli syntax (never -0)."""
    s = f"{v:.{digits}g}"
    if "e" in s:
        mant, exp = s.split("e")
        s = f"{mant}e{int(exp)}"
    return "0" if s in ("-0", "0") else s


def summary_lines(ctx: Context) -> list[str]:
    """The outcome in words, the final point, and what the analysis says."""
    import math

    o = ctx.outcome
    assert o is not None
    prob = ctx.problem
    lines = [o.message]
    point = ", ".join(f"{v} = {fmt(x)}" for v, x in zip(prob.variables, o.x, strict=True))
    fx = "—" if o.f is None else fmt(o.f)
    gn = "—" if o.grad is None else f"{math.hypot(*o.grad):.3g}"
    held = f" (with {prob.fixed_text()} held fixed)" if prob.fixed else ""
    lines.append(f"  final point {point}{held};  f = {fx};  |gradient| = {gn}")
    lines.extend(f"  {note}" for note in ctx.notes)
    return lines
