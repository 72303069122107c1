"""The minimize table: the engine's rows in the worked example's terms, fitted to the
terminal without ever cutting a number. A renderer: it formats, it never computes."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TextIO

from .evaluate import fmt
from .records import Row
from .render import Context
from .summary import explain_lines, summary_lines


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


def render_table(rows: Iterable[Row], ctx: Context, out: TextIO) -> None:
    """Write the table for a run: explained steps, the rows (first and last), the summary."""
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


