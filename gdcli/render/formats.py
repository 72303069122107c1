"""Renderers: they consume the engine's rows and never compute (STYLE.md).

``RENDERERS[name](rows, ctx, out)`` writes one format. csv, tsv and ndjson write each
row as it arrives; json collects the history; the table keeps only the rows it will
show (the first and last ones), so a million-iteration run never draws a million rows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import TextIO

from ..optim.records import Layout, Row
from .context import Context


class _Flusher:
    """Flush about five times a second, so a pipe sees rows as the run goes without
    paying for a flush per row."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.last = time.monotonic()

    def tick(self) -> None:
        now = time.monotonic()
        if now - self.last > 0.2:
            self.out.flush()
            self.last = now


def _delimited(sep: str) -> Callable[[Iterable[Row], Context, TextIO], None]:
    def render(rows: Iterable[Row], ctx: Context, out: TextIO) -> None:
        lay = ctx.layout
        write = out.write
        # a schedule, a line search or Newton: each row also has the lr of its step
        write(sep.join([*lay.header(), *(["lr"] if lay.extra else [])]) + "\n")
        n = len(lay.variables)
        flusher = _Flusher(out)
        # repr is the shortest round-trip form; ".0," -> "," drops a zero fraction
        for i, row in enumerate(rows):
            cells = (row[0], *row[2 : 2 + n], row[1], *row[2 + n : 2 + 2 * n])
            line = sep.join(map(repr, cells))
            if lay.extra:
                line += sep + ("" if row[lay.lr] is None else repr(row[lay.lr]))
            write((line + sep).replace(".0" + sep, sep)[:-1] + "\n")
            if not i & 1023:
                flusher.tick()

    return render


def _ndjson(rows: Iterable[Row], ctx: Context, out: TextIO) -> None:
    lay = ctx.layout
    names = [json.dumps(v) for v in lay.variables]
    flusher = _Flusher(out)
    for i, row in enumerate(rows):
        out.write(_history_json(row, lay, names) + "\n")
        if not i & 1023:
            flusher.tick()


def _history_json(row: Row, lay: Layout, names: list[str]) -> str:
    # built by hand: json.dumps per row would triple the cost; values are finite floats
    x = ", ".join(f"{k}: {v!r}" for k, v in zip(names, row[lay.x], strict=True))
    g = ", ".join(f"{k}: {v!r}" for k, v in zip(names, row[lay.grad], strict=True))
    more = ""
    if lay.extra and row[lay.lr] is not None:
        # the step's learning rate (a schedule, a line search), and Newton's fallback
        more = f', "lr": {row[lay.lr]!r}'
        if row[lay.note] is not None:
            more += f', "note": {json.dumps(_NOTES[row[lay.note]])}'
    return f'{{"iter": {row[0]}, "x": {{{x}}}, "f": {row[1]!r}, "grad": {{{g}}}{more}}}'


#: Newton's notes in the history.
_NOTES = {
    "not_pd": "Hessian not positive definite: gradient step",
    "singular": "Hessian singular: gradient step",
}


def _json(rows: Iterable[Row], ctx: Context, out: TextIO) -> None:
    lay = ctx.layout
    names = [json.dumps(v) for v in lay.variables]
    history = [_history_json(row, lay, names) for row in rows]
    o = ctx.outcome
    assert o is not None
    head = {
        "expr": ctx.problem.text,
        "method": ctx.method,
        "variables": list(lay.variables),
        "status": o.status,
        "reason": o.reason,
        "message": o.message,
        "iterations": o.iterations,
        "x": dict(zip(lay.variables, o.x, strict=True)),
        "f": o.f,
        "grad": dict(zip(lay.variables, o.grad, strict=True)) if o.grad else None,
        "settings": ctx.settings_json(),
        "analysis": {**ctx.analysis, "kind": o.kind},
    }
    text = json.dumps(head, ensure_ascii=False)
    out.write(text[:-1] + ', "history": [' + ", ".join(history) + "]}\n")


def _table(rows: Iterable[Row], ctx: Context, out: TextIO) -> None:
    from .table import render_table  # rich: imported only when a table is drawn

    render_table(rows, ctx, out)


RENDERERS: dict[str, Callable[[Iterable[Row], Context, TextIO], None]] = {
    "table": _table,
    "csv": _delimited(","),
    "tsv": _delimited("\t"),
    "json": _json,
    "ndjson": _ndjson,
}
