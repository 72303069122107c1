"""``gdcli derive``: derivatives as text, LaTeX or JSON, with steps, values and checks."""

from __future__ import annotations

from .diff import Step, derivative
from .errors import EXIT_OK, GdcliError
from .evaluate import evaluate, fmt
from .latex import to_latex
from .nodes import Node
from .options import expression_arg, missing, point, run_batch, variable_name
from .parser import parse
from .printer import to_str

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TextIO


class CheckFailed(GdcliError):
    """The symbolic derivative disagrees with the numeric one: a bug in gdcli."""


def run(
    expr: str,
    wrt: str | None,
    order: int,
    at: Sequence[str],
    steps: bool,
    fmt_name: str,
    check: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    where = point(at)
    wrt = variable_name(wrt, "--wrt") if wrt is not None else None
    opts = dict(wrt=wrt, order=order, where=where, steps=steps, fmt_name=fmt_name, check=check)
    if expr == "-":
        return run_batch(lambda text: answer(text, **opts), out, err)
    out.write("\n".join(answer(expression_arg(expr), **opts)) + "\n")
    return EXIT_OK


def answer(
    text: str,
    wrt: str | None,
    order: int,
    where: dict[str, float],
    steps: bool,
    fmt_name: str,
    check: bool,
) -> list[str]:
    """The output lines for one expression."""
    node = parse(text)
    targets = [wrt] if wrt else sorted(node.free) or ["x"]
    several = len(targets) > 1
    lines: list[str] = []
    for var in targets:
        record, trail = _one(node, text, var, order, where, steps, check)
        if fmt_name == "json":
            import json  # only for this format: start-up time

            lines.append(json.dumps(record, ensure_ascii=False))
        elif fmt_name == "latex":
            lines.append((_latex_label(var, order) if several else "") + record["latex"])
        else:
            lines.extend(_text(record, trail, several, where))
    return lines


def _one(
    node: Node, text: str, var: str, order: int, where: dict[str, float], steps: bool, check: bool
) -> tuple[dict, list[Step]]:
    trail: list[Step] | None = [] if steps else None
    d = derivative(node, var, order, trail)
    record: dict = {
        "expr": text,
        "wrt": var,
        "order": order,
        "derivative": to_str(d),
        "latex": to_latex(d),
    }
    if where:
        missing(d.free, where)
        record["value"] = evaluate(d, where)
    if trail is not None:
        record["steps"] = [s.as_dict() for s in trail]
    if check:
        from .numeric import check as numeric_check

        before = derivative(node, var, order - 1) if order > 1 else node
        result = numeric_check(before, d, var, where or None)
        record["check"] = {
            "max_error": result.max_error,
            "points": result.points,
            "method": result.method,
            "ok": result.ok,
        }
        if not result.ok:
            raise CheckFailed(
                f"--check: d/d{var} of {text} differs from the numeric derivative by "
                f"{result.max_error:.3g} (relative): please report this as a gdcli bug"
            )
    return record, trail or []


def _label(var: str, order: int) -> str:
    return f"d/d{var}" if order == 1 else f"d{order}/d{var}{order}"


def _latex_label(var: str, order: int) -> str:
    if order == 1:
        return f"\\frac{{\\partial f}}{{\\partial {var}}} = "
    return f"\\frac{{\\partial^{{{order}}} f}}{{\\partial {var}^{{{order}}}}} = "


def _text(record: dict, trail: list[Step], several: bool, where: dict[str, float]) -> list[str]:
    lines = [_step_line(s, record["wrt"]) for s in trail]
    line = record["derivative"]
    if several:
        line = f"{_label(record['wrt'], record['order'])}: {line}"
    if "value" in record:
        at = ", ".join(f"{k} = {fmt(v)}" for k, v in where.items())
        line += f" = {fmt(record['value'])} at {at}"
    lines.append(line)
    if "check" in record:
        c = record["check"]
        lines.append(
            f"check: max relative error {c['max_error']:.2g} "
            f"at {c['points']} points ({c['method']})"
        )
    return lines


def _step_line(s: Step, var: str) -> str:
    detail = dict(s.detail)
    form = detail.pop("form", "")
    extras = ", ".join(f"{k} = {v}" if k != "du" else f"u' = {v}" for k, v in detail.items())
    note = "; ".join(p for p in (form, extras) if p)
    head = f"{'  ' * s.depth}{s.rule}: d/d{var} {s.expr} = {s.result}"
    return head + (f"   [{note}]" if note else "")
