"""``gdcli eval``: the value of an expression at a point."""

from __future__ import annotations

from ..errors import EXIT_OK, InputError
from ..expr.evaluate import evaluate, fmt, plain
from ..expr.parser import parse
from ..options import Reply, expression_arg, missing, point, run_batch, unknown

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TextIO


def run(expr: str, at: Sequence[str], fmt_name: str, out: TextIO, err: TextIO) -> int:
    notes: list[str] = []
    try:
        where = point(at, notes=notes)
    finally:
        _say(notes, err)
    if expr == "-":
        # one point for many expressions: a line need not use every --at variable
        return run_batch(lambda text: _reply(text, where, fmt_name), out, err,
                         json_errors=fmt_name == "json")
    notes = []
    try:
        line = answer(expression_arg(expr), where, fmt_name, notes, strict=True)
    finally:
        _say(notes, err)
    out.write(line + "\n")
    return EXIT_OK


def _say(notes: list[str], err: TextIO) -> None:
    for n in notes:
        err.write(f"note: {n}\n")
    notes.clear()


def _reply(text: str, where: dict[str, float], fmt_name: str) -> Reply:
    notes: list[str] = []
    try:
        line = answer(text, where, fmt_name, notes, strict=False)
    except InputError as e:
        e.notes = [f"note: {n}" for n in notes]  # type: ignore[attr-defined]
        raise
    return Reply(line, [f"note: {n}" for n in notes])


def answer(
    text: str, where: dict[str, float], fmt_name: str, notes: list[str] | None = None,
    strict: bool = True,
) -> str:
    """The output line for one expression. ``strict``: an --at variable the expression
    does not have is an error (a typo); a batch shares one point between its lines."""
    node = parse(text, notes)
    if strict:
        unknown(where, node.free, "--at")
    missing(node.free, where)
    value = plain(evaluate(node, where, text))
    if fmt_name == "json":
        import json  # only for this format: start-up time

        used = {k: v for k, v in where.items() if k in node.free}
        return json.dumps({"expr": text, "at": used, "value": value})
    return fmt(value)
