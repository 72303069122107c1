"""``gdcli eval``: the value of an expression at a point."""

from __future__ import annotations

from .errors import EXIT_OK
from .evaluate import evaluate, fmt
from .options import expression_arg, missing, point, run_batch
from .parser import parse

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TextIO


def run(expr: str, at: Sequence[str], fmt_name: str, out: TextIO, err: TextIO) -> int:
    where = point(at)
    if expr == "-":
        return run_batch(lambda text: [answer(text, where, fmt_name)], out, err)
    out.write(answer(expression_arg(expr), where, fmt_name) + "\n")
    return EXIT_OK


def answer(text: str, where: dict[str, float], fmt_name: str) -> str:
    node = parse(text)
    missing(node.free, where)
    value = evaluate(node, where, text)
    if fmt_name == "json":
        import json  # only for this format: start-up time

        used = {k: v for k, v in where.items() if k in node.free}
        return json.dumps({"expr": text, "at": used, "value": value})
    return fmt(value)
