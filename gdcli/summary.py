"""Text a person reads beside the table: the explained first steps and the summary."""

from __future__ import annotations

from .evaluate import fmt
from .records import Row

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .render import Context


def explain_lines(ctx: Context, pairs: list[tuple[Row, Row]]) -> list[str]:
    """The first steps as a textbook writes them: x1 = 8 - 0.1*(2*8 - 4) = 6.8."""
    from .printer import substitute, to_str

    prob, lay = ctx.problem, ctx.layout
    lr = fmt(ctx.settings.lr)
    one = prob.dim == 1
    lines = []
    for a, b in pairs:
        k = a[0]
        texts = {v: fmt(x) for v, x in zip(prob.variables, a[lay.x], strict=True)}
        for i, v in enumerate(prob.variables):
            g = to_str(substitute(prob.grad_nodes[i], texts))
            name = f"{v}{k + 1}" if one else f"{v}_{k + 1}"
            old = texts[v] if not texts[v].startswith("-") else f"({texts[v]})"
            lines.append(f"{name} = {old} - {lr}*({g}) = {fmt(b[lay.x][i])}")
    return lines


def summary_lines(ctx: Context) -> list[str]:
    o = ctx.outcome
    assert o is not None
    prob = ctx.problem
    lines = [o.message]
    point = ", ".join(f"{v} = {fmt(x)}" for v, x in zip(prob.variables, o.x, strict=True))
    fx = "—" if o.f is None else fmt(o.f)
    gn = "—" if o.grad is None else f"{sum(g * g for g in o.grad) ** 0.5:.3g}"
    lines.append(f"  final point {point};  f = {fx};  |gradient| = {gn}")
    lines.extend(f"  {note}" for note in ctx.notes)
    return lines


