"""The minimize table: the engine's rows in the worked example's terms, fitted to the
width without ever cutting a number or a header. A renderer: it formats, it never computes.

A table is a ``k`` column and a list of :class:`Column` s. When it is wider than the
width, in this order until it fits:

1. fewer significant digits, from ``--precision`` down to :data:`MIN_DIGITS`;
2. derived columns left out (ones the others determine: lr·f'(x_k) is lr times
   f'(x_k); x_{k+1} is the next row's x_k; with several variables the gradient is
   (x_k - x_{k+1})/lr), a rank at a time, each time trying the digits again;
3. one record per block: ``k = 3`` and then ``name = value`` items flowed to the width,
   every column at full precision (an item wider than a line puts its value on the next).

The caption says what was left out. The width is the terminal's (``COLUMNS`` overrides
it); output that is not a terminal (a pipe, a file) gets ``COLUMNS`` or else 80 columns,
so that a saved table looks the same wherever it was made.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from ..expr.evaluate import fmt
from ..optim.records import Layout, Row
from .summary import explain_lines, summary_lines

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from .context import Context

#: Fewer significant digits than this are not worth a table: the rows go into blocks.
MIN_DIGITS = 4
#: The width of output that is not a terminal, unless COLUMNS says otherwise.
PIPE_WIDTH = 80
GAP = "⋮"
Pair = tuple[Row, Row]


@dataclass(frozen=True, eq=False)
class Column:
    """A table column: its header, one value per shown row (None is shown as —), and
    whether the other columns determine it. ``derived`` 0 (or False): always shown;
    n > 0 (or True, 1): left out to save width, with the other columns of rank n, before
    those of rank n + 1."""

    header: str
    values: Sequence[float | None]
    derived: int = 0


def num(v: float | None, digits: int) -> str:
    """``v`` to ``digits`` significant digits, correctly rounded; never ``-0``."""
    if v is None:
        return "—"
    if v == 0:
        return "0"  # -0.0 too: the sign of a zero says nothing to the reader
    return f"{v:.{digits}g}"


# --- which rows a table shows ---
@dataclass(frozen=True)
class Shown:
    """The pairs a table shows, where iterations are left out, and how many ran."""

    pairs: list[Pair]
    gap: int | None  # index into pairs before which a run of iterations is left out
    total: int  # iterations run (pairs seen)
    every: int | None


class _Picker:
    """Keeps the first rows and a bounded tail of the rows a table will show."""

    def __init__(self, every: int | None) -> None:
        self.every = every
        self.step = every or 1
        self.head_n, self.tail_n = (10, 10) if every is None else (100, 100)
        self.head: list[Pair] = []
        self.tail: deque[Pair] = deque(maxlen=self.tail_n)
        self.dropped = False
        self.total = 0
        self.last: Pair | None = None

    def add(self, pair: Pair) -> None:
        self.total += 1
        self.last = pair
        if pair[0][0] % self.step:
            return
        if len(self.head) < self.head_n:
            self.head.append(pair)
            return
        if len(self.tail) == self.tail_n:
            self.dropped = True
        self.tail.append(pair)

    def shown(self) -> Shown:
        pairs = [*self.head, *self.tail]
        if self.last is not None and (not pairs or pairs[-1] is not self.last):
            pairs.append(self.last)  # the final step is always shown
        gap = len(self.head) if self.dropped else None
        return Shown(pairs, gap, self.total, self.every)


def hidden_caption(shown: Shown) -> str | None:
    """How many iterations the table leaves out, and which: counted in iterations, not
    rows (with --every 10, a row stands for one iteration and hides nine)."""
    hidden = shown.total - len(shown.pairs)
    if hidden <= 0:
        return None
    span = ""
    if shown.gap is not None:
        lo, hi = shown.pairs[shown.gap - 1][0][0] + 1, shown.pairs[shown.gap][0][0] - 1
        span = f"{lo}–{hi}" if hi > lo else str(lo)
    head = f"{hidden} of {shown.total} iterations not shown"
    step = shown.every or 1
    if step == 1:
        how = "--every N" if shown.every is None else "a larger --every"
        return f"{head} ({span}): {how}, or --format csv for all"
    which = f"every {_ordinal(step)} shown" + (f", none of {span}" if span else "")
    how = "a larger --every, or --format csv for all" if span else "--format csv for all"
    return f"{head} ({which}): {how}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- the columns of gradient descent ---
def gd_columns(variables: Sequence[str], pairs: Sequence[Pair]) -> list[Column]:
    """The columns after ``k``: for one variable the worked example's x_k, f'(x_k),
    lr·f'(x_k), x_{k+1}, f(x_{k+1}); for several, x_k, f(x_k) and the gradient."""
    lay = Layout(tuple(variables))
    a = [p[0] for p in pairs]
    if len(variables) == 1:
        v = variables[0]
        b = [p[1] for p in pairs]
        return [
            Column(f"{v}_k", [r[2] for r in a]),
            Column(f"f'({v}_k)", [r[3] for r in a]),
            Column(f"lr·f'({v}_k)", [r[4] for r in a], derived=1),  # lr times the last
            Column(f"{v}_{{k+1}}", [r[2] for r in b], derived=2),  # the next row's x_k
            Column(f"f({v}_{{k+1}})", [r[1] for r in b]),
        ]
    xs = [r[lay.x] for r in a]
    gs = [r[lay.grad] for r in a]
    return [
        *(Column(v, [x[i] for x in xs]) for i, v in enumerate(variables)),
        Column("f", [r[1] for r in a]),
        # (x_k - x_{k+1})/lr: kept before any digit of x is given up for it
        *(Column(f"∂f/∂{v}", [g[i] for g in gs], derived=1) for i, v in enumerate(variables)),
    ]


def step_columns(variables: Sequence[str], pairs: Sequence[Pair], extra: bool) -> list[Column]:
    """The columns for a method other than plain constant-lr gd: its step is not lr·f', so
    the table shows the step itself (x_k − x_{k+1}), and the step's lr where it varies."""
    lay = Layout(tuple(variables), extra)
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    lr = [Column("lr", [r[lay.lr] for r in a])] if extra else []
    if len(variables) == 1:
        v = variables[0]
        return [
            Column(f"{v}_k", [r[2] for r in a]),
            Column(f"f'({v}_k)", [r[3] for r in a]),
            *lr,
            Column("step", [r[4] for r in a], derived=1),  # x_k - x_{k+1}
            Column(f"{v}_{{k+1}}", [r[2] for r in b], derived=2),  # the next row's x_k
            Column(f"f({v}_{{k+1}})", [r[1] for r in b]),
        ]
    xs = [r[lay.x] for r in a]
    gs = [r[lay.grad] for r in a]
    return [
        *(Column(v, [x[i] for x in xs]) for i, v in enumerate(variables)),
        Column("f", [r[1] for r in a]),
        *lr,
        *(Column(f"∂f/∂{v}", [g[i] for g in gs]) for i, v in enumerate(variables)),
    ]


# --- fitting ---
def table_width(ks: Sequence[int], columns: Sequence[Column], digits: int,
                key: str = "k") -> int:
    """The width rich draws the table at: cells, one space of padding each side, and a
    rule before, between and after the columns (the default heavy-head box)."""
    from rich.cells import cell_len

    widths = [max(len(key), *(len(str(k)) for k in ks))]
    for c in columns:
        widths.append(max(cell_len(c.header), cell_len(GAP),
                          *(cell_len(num(v, digits)) for v in c.values)))
    return sum(widths) + 3 * len(widths) + 1


def fit(
    ks: Sequence[int], columns: Sequence[Column], width: int, precision: int, key: str = "k"
) -> tuple[list[Column], int] | None:
    """The columns and digits of the fullest table no wider than ``width``; None when
    only blocks fit."""
    least = min(precision, MIN_DIGITS)
    ranks = sorted({int(c.derived) for c in columns if c.derived})
    for top in [0, *ranks]:
        kept = [c for c in columns if not 0 < c.derived <= top]
        for digits in range(precision, least - 1, -1):
            if table_width(ks, kept, digits, key) <= width:
                return kept, digits
    return None


def block_lines(
    ks: Sequence[int], columns: Sequence[Column], gap: int | None, width: int, digits: int,
    key: str = "k",
) -> list[str]:
    """One record per block: ``k = 3``, then ``name = value`` items flowed to the width."""
    from rich.cells import cell_len

    lines: list[str] = []
    for i, k in enumerate(ks):
        if i == gap:
            lines.append(GAP)
        lines.append(f"{key} = {k}")
        line: list[str] = []
        for c in columns:
            item = f"{c.header} = {num(c.values[i], digits)}"
            if line and cell_len("  " + "   ".join([*line, item])) > width:
                lines.append("  " + "   ".join(line))
                line = []
            if cell_len("  " + item) > width:  # alone too wide: the value on a line of its own
                lines += [f"  {c.header} =", f"    {num(c.values[i], digits)}"]
            else:
                line.append(item)
        if line:
            lines.append("  " + "   ".join(line))
    return lines


def print_rows(
    console: Console,
    ks: Sequence[int],
    columns: Sequence[Column],
    gap: int | None,
    precision: int,
    key: str = "k",
) -> str | None:
    """Print the rows as the fullest table that fits the console, else as blocks; return
    what fitting cost (for the caption), or None. ``key`` heads the first column."""
    from rich.table import Table
    from rich.text import Text

    width = console.width
    fitted = fit(ks, columns, width, precision, key)
    if fitted is None:
        for line in block_lines(ks, columns, gap, width, precision, key):
            console.print(Text(line), soft_wrap=True)
        return f"to fit {width} columns: one record per block"
    kept, digits = fitted
    table = Table()
    table.add_column(Text(key), no_wrap=True)
    for c in kept:
        table.add_column(Text(c.header), justify="right", no_wrap=True)
    for i, k in enumerate(ks):
        if i == gap:
            table.add_row(*[GAP] * (len(kept) + 1))
        table.add_row(Text(str(k)), *(Text(num(c.values[i], digits)) for c in kept))
    console.print(table)
    costs = [f"{digits} significant digits"] if digits < precision else []
    gone = [c.header for c in columns if not any(c is g for g in kept)]
    if gone:
        costs.append(f"{', '.join(gone)} not shown")
    return f"to fit {width} columns: {'; '.join(costs)}" if costs else None


# --- the whole output ---
def make_console(out: TextIO, width: int | None = None) -> Console:
    """A console for ``out``: ``width``, else the terminal's, else COLUMNS or 80; no
    colour or style at all under NO_COLOR (rich alone would still print bold)."""
    from rich.console import Console

    if width is None:
        try:
            tty = out.isatty()
        except (AttributeError, ValueError):
            tty = False
        columns = os.environ.get("COLUMNS", "")
        if not tty:
            width = int(columns) if columns.isdigit() and int(columns) > 0 else PIPE_WIDTH
    return Console(file=out, width=width, highlight=False, emoji=False, markup=False,
                   color_system=None if os.environ.get("NO_COLOR") else "auto")


def pick(rows: Iterable[Row], every: int | None, explain: int = 0) -> tuple[Shown, list[Pair]]:
    """Consume the rows: the pairs the table shows, and the first ``explain`` pairs."""
    picker = _Picker(every)
    explained: list[Pair] = []
    prev: Row | None = None
    for row in rows:
        if prev is not None:
            pair = (prev, row)
            picker.add(pair)
            if len(explained) < explain:
                explained.append(pair)
        prev = row
    return picker.shown(), explained


def print_history(
    console: Console,
    shown: Shown,
    variables: Sequence[str],
    precision: int,
    columns: Callable[[Sequence[str], Sequence[Pair]], list[Column]] = gd_columns,
) -> None:
    """The rows (as a table or blocks) and the caption: what is not shown, and why.
    ``columns`` makes the columns after ``k`` from the shown pairs (a method with more
    to show, such as a scheduled lr, passes its own)."""
    from rich.text import Text

    if not shown.pairs:
        return
    ks = [a[0] for a, _ in shown.pairs]
    cost = print_rows(console, ks, columns(variables, shown.pairs), shown.gap, precision)
    for note in (hidden_caption(shown), cost):
        if note:
            console.print(Text(note))  # wrapped to the width, like the title


def render_table(rows: Iterable[Row], ctx: Context, out: TextIO) -> None:
    """Write the table for a run: explained steps, the title, the rows (first and
    last), the caption, the summary."""
    from rich.text import Text

    shown, explained = pick(rows, ctx.every, ctx.explain)
    console = make_console(out)
    # rendered whole, then written with every line's end stripped: rich pads wrapped
    # and captioned lines with spaces to the table's width
    with console.capture() as captured:
        if ctx.explain:
            for line in explain_lines(ctx, explained):
                console.print(Text(line), soft_wrap=True)
            console.print()
        console.print(Text(title(ctx)))  # its own paragraph, wrapped to the width
        if ctx.settings.method == "gd" and not ctx.settings.extra:
            print_history(console, shown, ctx.layout.variables, ctx.precision)
        else:
            extra = ctx.settings.extra
            print_history(console, shown, ctx.layout.variables, ctx.precision,
                          lambda vs, ps: step_columns(vs, ps, extra))
        for line in summary_lines(ctx):
            console.print(Text(line), soft_wrap=True)
    out.write("\n".join(line.rstrip() for line in captured.get().split("\n")))


def title(ctx: Context) -> str:
    prob = ctx.problem
    grads = prob.gradient_text()
    from ..optim.methods import METHODS

    st = ctx.settings
    method = METHODS[st.method]
    how = "gradient ascent" if prob.maximize else "gradient descent"
    if st.method != "gd":
        how = method.title + (" (ascent)" if prob.maximize else "")
    params = [f"{k} = {fmt(v)}" for k, v in st.hypers]
    if st.schedule != "constant":
        params.append(f"{st.schedule} schedule")
    if st.line_search:
        params.append("Armijo line search")
    held = f" with {prob.fixed_text()}" if prob.fixed else ""
    lr = f"lr = {fmt(ctx.settings.lr)}" + (f" ({', '.join(params)})" if params else "")
    if prob.dim == 1:
        v = prob.variables[0]
        return f"{how} on f({v}) = {prob.text}{held}, f'({v}) = {grads[0]}, {lr}"
    parts = ", ".join(f"∂f/∂{v} = {g}" for v, g in zip(prob.variables, grads, strict=True))
    return f"{how} on f = {prob.text}{held}, {parts}, {lr}"
