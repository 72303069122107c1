"""Renderers: they consume the engine's rows and never compute (STYLE.md).

``RENDERERS[name](rows, ctx, out)`` writes one format. csv, tsv and ndjson write each
row as it arrives; json collects the history; the table keeps only the rows it will
show (the first and last ones), so a million-iteration run never draws a million rows.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from .engine import Outcome, Settings
from .evaluate import fmt
from .problem import Problem
from .records import Layout, Row


@dataclass
class Context:
    problem: Problem
    settings: Settings
    x0: tuple[float, ...]
    method: str = "gd"
    precision: int = 7
    every: int | None = None
    explain: int = 0
    outcome: Outcome | None = None  # set once the rows are exhausted
    notes: list[str] = field(default_factory=list)  # analysis lines for the summary
    on_done: Callable[[Context], None] | None = None  # adds notes once the outcome is known

    @property
    def layout(self) -> Layout:
        return Layout(self.problem.variables)


class Recorder:
    """Iterates the engine's generator and keeps its return value (the Outcome)."""

    def __init__(self, gen: Iterator[Row], ctx: Context) -> None:
        self.gen = gen
        self.ctx = ctx

    def __iter__(self) -> Iterator[Row]:
        self.ctx.outcome = yield from self.gen  # type: ignore[misc]
        if self.ctx.on_done is not None:
            self.ctx.on_done(self.ctx)


# --- streamed text formats ---
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
        write(sep.join(lay.header()) + "\n")
        n = len(lay.variables)
        flusher = _Flusher(out)
        # repr is the shortest round-trip form; ".0," -> "," drops a zero fraction
        for i, row in enumerate(rows):
            cells = (row[0], *row[2 : 2 + n], row[1], *row[2 + n : 2 + 2 * n])
            write((sep.join(map(repr, cells)) + sep).replace(".0" + sep, sep)[:-1] + "\n")
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
    return f'{{"iter": {row[0]}, "x": {{{x}}}, "f": {row[1]!r}, "grad": {{{g}}}}}'


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
        "message": o.message,
        "iterations": o.iterations,
        "x": dict(zip(lay.variables, o.x, strict=True)),
        "f": o.f,
        "grad": dict(zip(lay.variables, o.grad, strict=True)) if o.grad else None,
    }
    text = json.dumps(head, ensure_ascii=False)
    out.write(text[:-1] + ', "history": [' + ", ".join(history) + "]}\n")


# --- the table ---
def _num(v: float | None, p: int) -> str:
    return "—" if v is None else f"{v:.{p}g}"


class _Picker:
    """Keeps the first rows and a bounded tail of the rows a table will show."""

    def __init__(self, every: int | None) -> None:
        self.every = every or 1
        self.head_n, self.tail_n = (10, 10) if every is None else (100, 100)
        self.head: list[tuple[Row, Row]] = []
        self.tail: deque[tuple[Row, Row]] = deque(maxlen=self.tail_n)
        self.skipped = 0
        self.last: tuple[Row, Row] | None = None

    def add(self, pair: tuple[Row, Row]) -> None:
        self.last = pair
        if pair[0][0] % self.every:
            return
        if len(self.head) < self.head_n:
            self.head.append(pair)
            return
        if len(self.tail) == self.tail_n:
            self.skipped += 1
        self.tail.append(pair)

    def rows(self) -> tuple[list[tuple[Row, Row]], int, list[tuple[Row, Row]]]:
        tail = list(self.tail)
        if self.last is not None and (not tail or tail[-1] is not self.last) and (
            not self.head or self.head[-1] is not self.last
        ):
            tail.append(self.last)  # the final step is always shown
        return self.head, self.skipped, tail


def _table(rows: Iterable[Row], ctx: Context, out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    lay, p = ctx.layout, ctx.precision
    one = len(lay.variables) == 1
    picker = _Picker(ctx.every)
    explained: list[tuple[Row, Row]] = []
    prev: Row | None = None
    for row in rows:
        if prev is not None:
            pair = (prev, row)
            picker.add(pair)
            if len(explained) < ctx.explain:
                explained.append(pair)
        prev = row
    console = Console(file=out, highlight=False)
    if ctx.explain:
        for line in explain_lines(ctx, explained):
            console.print(line, markup=False, soft_wrap=True)
        console.print()
    if one:
        v = lay.variables[0]
        cols = ["k", f"{v}_k", f"f'({v}_k)", f"lr·f'({v}_k)", f"{v}_k+1", f"f({v}_k+1)"]
    else:
        cols = ["k", *lay.variables, "f", *(f"∂f/∂{v}" for v in lay.variables)]
    table = Table(*cols, title=_title(ctx), title_justify="left")
    for c in table.columns:
        c.no_wrap = True
    for c in table.columns[1:]:
        c.justify = "right"

    def add(pair: tuple[Row, Row]) -> None:
        a, b = pair
        if one:
            table.add_row(str(a[0]), _num(a[2], p), _num(a[3], p), _num(a[4], p),
                          _num(b[2], p), _num(b[1], p))
        else:
            table.add_row(str(a[0]), *(_num(x, p) for x in a[lay.x]), _num(a[1], p),
                          *(_num(g, p) for g in a[lay.grad]))

    head, skipped, tail = picker.rows()
    for pair in head:
        add(pair)
    if skipped:
        how = "--every N" if ctx.every is None else "a larger --every"
        table.add_row(*["⋮"] * len(cols))
        table.caption = f"{skipped} steps not shown: {how}, or --format csv for all"
        table.caption_justify = "left"
    for pair in tail:
        add(pair)
    if head or tail:
        console.print(table)
    else:
        console.print(_title(ctx), markup=False, soft_wrap=True)
    for line in summary_lines(ctx):
        console.print(line, markup=False, soft_wrap=True)


def _title(ctx: Context) -> str:
    grads = ctx.problem.gradient_text()
    if ctx.problem.dim == 1:
        v = ctx.problem.variables[0]
        return (f"gradient descent on f({v}) = {ctx.problem.text}, f'({v}) = {grads[0]}, "
                f"lr = {fmt(ctx.settings.lr)}")
    parts = ", ".join(f"∂f/∂{v} = {g}" for v, g in zip(ctx.problem.variables, grads, strict=True))
    return f"gradient descent on f = {ctx.problem.text}, {parts}, lr = {fmt(ctx.settings.lr)}"


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


RENDERERS: dict[str, Callable[[Iterable[Row], Context, TextIO], None]] = {
    "table": _table,
    "csv": _delimited(","),
    "tsv": _delimited("\t"),
    "json": _json,
    "ndjson": _ndjson,
}
