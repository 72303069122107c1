"""``gdcli derive``: derivatives as text, LaTeX or JSON, with steps, values and checks.

One expression gives one derivative (``--wrt x``; ``--wrt x --wrt y`` is the mixed
partial ∂²f/∂x∂y), every partial (several variables, no ``--wrt``), or the Hessian
matrix (``--hessian``). In a stdin batch every input line gives exactly one output line.
"""

from __future__ import annotations

from ..errors import EXIT_OK, EXIT_OTHER, InputError
from ..expr.diff import MAX_NODES, MAX_ORDER, Budget, Step, derivative
from ..expr.evaluate import evaluate, fmt, plain
from ..expr.latex import to_latex
from ..expr.nodes import Node, Var, size
from ..expr.parser import parse
from ..expr.printer import to_str
from ..options import Reply, expression_arg, missing, point, run_batch, unknown, variable_name

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TextIO

    from ..expr.numeric import Check


class Options:
    """The options of one run, checked once (before a batch reads stdin)."""

    __slots__ = ("wrt", "order", "where", "steps", "fmt", "check", "hessian")

    def __init__(self, wrt: list[str], order: int, where: dict[str, float], steps: bool,
                 fmt_name: str, check: bool, hessian: bool) -> None:
        self.wrt, self.order, self.where, self.steps = wrt, order, where, steps
        self.fmt, self.check, self.hessian = fmt_name, check, hessian


def run(
    expr: str,
    wrt: Sequence[str] | str | None,
    order: int,
    at: Sequence[str],
    steps: bool,
    fmt_name: str,
    check: bool,
    out: TextIO,
    err: TextIO,
    hessian: bool = False,
) -> int:
    wrts = [wrt] if isinstance(wrt, str) else list(wrt or [])
    notes: list[str] = []
    try:
        where = point(at, notes=notes)
    finally:
        _say(notes, err)
    opts = Options([variable_name(w, "--wrt") for w in wrts], order, where, steps, fmt_name,
                   check, hessian)
    _refuse_combinations(opts, batch=expr == "-")
    if expr == "-":
        return run_batch(lambda text: _reply(text, opts), out, err,
                         json_errors=fmt_name == "json")
    notes = []
    try:
        lines, messages, code = answer(expression_arg(expr), opts, notes)
    finally:
        _say(notes, err)
    out.write("\n".join(lines) + "\n")
    out.flush()
    for m in messages:
        err.write(m + "\n")
    return code


def _refuse_combinations(o: Options, batch: bool) -> None:
    if not 1 <= o.order <= MAX_ORDER:
        raise InputError(f"--order must be between 1 and {MAX_ORDER}, got {o.order}")
    if len(o.wrt) > MAX_ORDER:
        raise InputError(f"--wrt is given {len(o.wrt)} times; the limit is {MAX_ORDER}")
    if o.hessian:
        if o.order != 1:
            raise InputError("--hessian is the matrix of second derivatives: it takes no --order")
        if o.steps:
            raise InputError("--steps shows the rules of one derivative, not of --hessian")
        if len(set(o.wrt)) != len(o.wrt):
            raise InputError("--hessian --wrt: name each variable once")
    elif len(o.wrt) > 1 and o.order != 1:
        raise InputError(
            "--order goes with one --wrt; for a higher mixed partial repeat --wrt "
            "(--wrt x --wrt x --wrt y is d3/dx2dy)"
        )
    if o.steps and batch and o.fmt != "json":
        raise InputError(
            "--steps with a stdin batch needs --format json (one output line per input line; "
            "each record holds its steps)"
        )


def _say(notes: list[str], err: TextIO) -> None:
    for n in notes:
        err.write(f"note: {n}\n")
    notes.clear()


def _reply(text: str, o: Options) -> Reply:
    notes: list[str] = []
    try:
        lines, messages, code = answer(text, o, notes, batch=True)
    except InputError as e:
        e.notes = [f"note: {n}" for n in notes]  # type: ignore[attr-defined]
        raise
    return Reply(lines[0], [f"note: {n}" for n in notes] + messages, code)


def answer(
    text: str, o: Options, notes: list[str] | None = None, batch: bool = False
) -> tuple[list[str], list[str], int]:
    """(stdout lines, stderr messages, exit code) for one expression; one line in a batch."""
    node = parse(text, notes)
    unknown(o.wrt, node.free, "--wrt")
    if not batch:  # a batch shares one point between lines with different variables
        unknown(o.where, node.free, "--at")
    if o.where and node.free <= o.where.keys():
        evaluate(node, o.where, text)  # a point outside the domain of f itself
    budget = Budget()  # what all the derivatives of this answer may print, in nodes
    if o.hessian:
        records = [_hessian(node, text, o, budget)]
    else:
        records = [_one(node, text, seq, o, budget) for seq in _jobs(node, o)]
    several = len(records) > 1
    messages: list[str] = []
    code = EXIT_OK
    for r in records:
        c = r.get("check")
        if c is None or c["status"] == "ok":
            continue
        name = "the Hessian" if "hessian" in r else _label(r)
        if c["status"] == "failed":
            code = EXIT_OTHER
            messages.append(f"error: --check: {name} of {_short(text)} {c['reason']}: "
                            "please report this as a gdcli bug")
        else:
            messages.append(f"check: {name + ': ' if several else ''}inconclusive: {c['reason']}")
    if o.fmt == "json":
        lines = _json(records, text, batch)
    elif o.fmt == "latex":
        lines = _latex(records, o.where, several, batch)
    else:
        lines = _text(records, o.where, several, batch)
    return lines, messages, code


def _short(text: str) -> str:
    """The input as messages echo it: one line at most, however long it is."""
    return text if len(text) <= 60 else text[:59] + "…"


def _jobs(node: Node, o: Options) -> list[tuple[str, ...]]:
    """Each derivative to print, as the sequence of variables to differentiate by."""
    if len(o.wrt) > 1:
        return [tuple(o.wrt)]
    if o.wrt:
        return [(o.wrt[0],) * o.order]
    return [(v,) * o.order for v in sorted(node.free) or ["x"]]


def _differentiate(node: Node, seq: tuple[str, ...], trail: list | None) -> tuple[Node, Node]:
    """(the derivative by each variable of ``seq`` in turn, the one before the last)."""
    cur = prev = node
    for k, var in enumerate(seq):
        if k and size(cur) > MAX_NODES:
            raise InputError(
                f"derivative of order {k} already has {size(cur)} terms and factors; "
                f"order {len(seq)} would be too large to print (try a lower --order)"
            )
        stage: list[Step] | None = [] if trail is not None else None
        prev, cur = cur, derivative(cur, var, 1, stage)
        if trail is not None and stage is not None:
            trail.extend((var, s) for s in stage)
    return cur, prev


def _one(node: Node, text: str, seq: tuple[str, ...], o: Options, budget: Budget) -> dict:
    trail: list[tuple[str, Step]] | None = [] if o.steps else None
    d, before = _differentiate(node, seq, trail)
    budget.spend(d)  # before printing: a gigabyte of partials is refused, not written
    mixed = len(set(seq)) > 1
    record: dict = {
        "expr": text,
        "wrt": list(seq) if mixed else seq[0],
        "order": len(seq),
        "derivative": to_str(d),
        # LaTeX only where it is shown: it costs as much as the derivative itself
        "latex": to_latex(d) if o.fmt != "text" else None,
    }
    if o.where:
        record["value"] = _value(d, o.where, f"{_label(record)} of {_short(text)}")
    if trail is not None:
        record["steps"] = [{**s.as_dict(), **({"wrt": v} if mixed else {})} for v, s in trail]
        record["_trail"] = trail
    if o.check:
        record["check"] = _check(before, d, seq[-1], o.where).as_dict()
    return record


def _hessian(node: Node, text: str, o: Options, budget: Budget) -> dict:
    names = list(o.wrt) or sorted(node.free)
    if not names:
        raise InputError(f"--hessian: {_short(text)} has no variables", text, 0)
    first = [derivative(node, v) for v in names]
    n = len(names)
    h: list[list[Node]] = [[first[0]] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            h[i][j] = h[j][i] = derivative(first[i], names[j])  # symmetric: computed once
            budget.spend(h[i][j])
    record: dict = {
        "expr": text,
        "variables": names,
        "hessian": [[to_str(e) for e in row] for row in h],
        "latex": (
            "\\begin{pmatrix} "
            + " \\\\ ".join(" & ".join(to_latex(e) for e in row) for row in h)
            + " \\end{pmatrix}"
        ) if o.fmt != "text" else None,
    }
    if o.where:
        record["value"] = [[_value(e, o.where, f"the Hessian of {_short(text)}") for e in row]
                           for row in h]
    if o.check:
        from ..expr.numeric import Check

        results = [_check(first[i], h[i][j], names[j], o.where)
                   for i in range(n) for j in range(i, n)]
        failed = [c for c in results if c.status == "failed"]
        unsure = [c for c in results if c.status == "inconclusive"]
        errors = [c.max_error for c in results if c.max_error is not None]
        status = "failed" if failed else "inconclusive" if unsure else "ok"
        reason = (failed or unsure)[0].reason if status != "ok" else ""
        record["check"] = Check(
            status, max(errors) if errors else None, min(c.points for c in results),
            " and ".join(sorted({c.method for c in results})), reason,
        ).as_dict()
    return record


def _check(before: Node, d: Node, var: str, where: dict[str, float]) -> Check:
    from ..expr.numeric import check as numeric_check

    return numeric_check(before, d, var, where or None)


def _value(d: Node, where: dict[str, float], what: str) -> float:
    missing(d.free, where)
    try:
        return plain(evaluate(d, where))
    except InputError as e:
        at = ", ".join(f"{k} = {fmt(v)}" for k, v in where.items())
        raise InputError(f"{what} is undefined at {at}: {e.message}") from None


# ---------------------------------------------------------------- labels


def _runs(seq: Sequence[str]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for v in seq:
        if out and out[-1][0] == v:
            out[-1] = (v, out[-1][1] + 1)
        else:
            out.append((v, 1))
    return out


def _seq(record: dict) -> list[str]:
    wrt = record["wrt"]
    return list(wrt) if isinstance(wrt, list) else [wrt] * record["order"]


def _label(record: dict) -> str:
    """d/dx, d2/dx2, d2/dxdy, d3/dx2dy."""
    seq = _seq(record)
    head = "d" if len(seq) == 1 else f"d{len(seq)}"
    return f"{head}/" + "".join(f"d{v}{k if k > 1 else ''}" for v, k in _runs(seq))


def _latex_label(record: dict) -> str:
    seq = _seq(record)
    top = "\\partial f" if len(seq) == 1 else f"\\partial^{{{len(seq)}}} f"
    bottom = " ".join(
        f"\\partial {to_latex(Var(v))}" + (f"^{{{k}}}" if k > 1 else "") for v, k in _runs(seq)
    )
    return f"\\frac{{{top}}}{{{bottom}}} = "


# ---------------------------------------------------------------- output formats


def _at_text(where: dict[str, float]) -> str:
    return ", ".join(f"{k} = {fmt(v)}" for k, v in where.items())


def _check_text(c: dict) -> str:
    return f"check: max relative error {c['max_error']:.2g} at {c['points']} points ({c['method']})"


def _text(records: list[dict], where: dict[str, float], several: bool, batch: bool) -> list[str]:
    lines: list[str] = []
    for r in records:
        if "hessian" in r:
            rows = [f"[{', '.join(row)}]" for row in r["hessian"]]
            block = [("[" if i == 0 else " ") + row + ("," if i < len(rows) - 1 else "]")
                     for i, row in enumerate(rows)]
            if "value" in r:
                values = ", ".join("[" + ", ".join(map(fmt, row)) + "]" for row in r["value"])
                block[-1] += f" = [{values}] at {_at_text(where)}"
            lines.append("".join(block) if batch else "\n".join(block))
        else:
            lines.extend(_step_line(s, v) for v, s in r.get("_trail", []))
            line = r["derivative"]
            if several:
                line = f"{_label(r)}: {line}"
            if "value" in r:
                line += f" = {fmt(r['value'])} at {_at_text(where)}"
            lines.append(line)
        c = r.get("check")
        if c is not None and c["status"] == "ok":
            lines.append(_check_text(c))
    return ["; ".join(lines)] if batch else "\n".join(lines).split("\n")


def _latex_number(v: float) -> str:
    s = fmt(v)
    if "e" in s:
        m, e = s.split("e")
        return f"{m} \\cdot 10^{{{int(e)}}}"
    return s


def _latex_matrix(rows: list[list[float]]) -> str:
    body = " \\\\ ".join(" & ".join(_latex_number(v) for v in row) for row in rows)
    return f"\\begin{{pmatrix}} {body} \\end{{pmatrix}}"


def _latex(records: list[dict], where: dict[str, float], several: bool, batch: bool) -> list[str]:
    """LaTeX; ``--at`` as an evaluation bar, \\left. f' \\right|_{x = 8} = 12, and the
    --check result as a LaTeX comment (which ends the line)."""
    bodies, comments, steps = [], [], []
    for r in records:
        steps.extend(_latex_step(s, v) for v, s in r.get("_trail", []))
        body = r["latex"]
        if "value" in r:
            at = ", ".join(f"{to_latex(Var(k))} = {_latex_number(v)}" for k, v in where.items())
            value = r["value"]
            shown = _latex_matrix(value) if isinstance(value, list) else _latex_number(value)
            body = f"\\left. {body} \\right|_{{{at}}} = {shown}"
        if several:
            body = _latex_label(r) + body
        c = r.get("check")
        comment = _check_text(c) if c is not None and c["status"] == "ok" else ""
        if several and comment:
            comment = f"{_label(r)} {comment}"
        bodies.append(body)
        comments.append(comment)
    if batch:
        said = "; ".join(c for c in comments if c)
        return [", \\quad ".join(bodies) + (f" % {said}" if said else "")]
    return steps + [b + (f" % {c}" if c else "") for b, c in zip(bodies, comments, strict=True)]


def _latex_step(s: Step, var: str) -> str:
    """One rule as a LaTeX line: \\frac{d}{dx} x^{2} = 2 x \\quad \\text{power rule}."""
    expr, result = _tex_of(s.expr, canonical=False), _tex_of(s.result)
    if expr.startswith("-") or (" + " in expr or " - " in expr) and not _one_group(expr):
        expr = f"\\left({expr}\\right)"  # d/dx (x + 1), not d/dx x + 1
    d = f"\\frac{{d}}{{d{to_latex(Var(var))}}}"
    indent = "\\quad " * s.depth
    return f"{indent}{d} {expr} = {result} \\quad \\text{{{s.rule}}}"


def _one_group(tex: str) -> bool:
    """True if every + and - of ``tex`` is inside brackets or braces (x^{2} (x + 1))."""
    depth = 0
    for i, ch in enumerate(tex):
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch in "+-" and depth == 0 and i and tex[i - 1] == " ":
            return False
    return True


def _tex_of(text: str, canonical: bool = True) -> str:
    """A printed form (it always parses back) as LaTeX; ``canonical=False`` keeps it as
    written (the expression a rule was applied to: -x**2 + x, not x - x**2)."""
    from ..expr.simplify import simplify

    try:
        node = parse(text)
        return to_latex(simplify(node) if canonical else node)
    except InputError:  # pragma: no cover - printed forms parse
        return f"\\text{{{text}}}"


def _json(records: list[dict], text: str, batch: bool) -> list[str]:
    import json  # only for this format: start-up time

    clean = [{k: v for k, v in r.items() if not k.startswith("_")} for r in records]
    if batch and len(clean) > 1:
        partials = [{k: v for k, v in r.items() if k != "expr"} for r in clean]
        return [json.dumps({"expr": text, "partials": partials}, ensure_ascii=False)]
    return [json.dumps(r, ensure_ascii=False) for r in clean]


def _step_line(s: Step, var: str) -> str:
    detail = dict(s.detail)
    form = detail.pop("form", "")
    extras = ", ".join(f"{k} = {v}" if k != "du" else f"u' = {v}" for k, v in detail.items())
    note = "; ".join(p for p in (form, extras) if p)
    head = f"{'  ' * s.depth}{s.rule}: d/d{var} {s.expr} = {s.result}"
    return head + (f"   [{note}]" if note else "")
