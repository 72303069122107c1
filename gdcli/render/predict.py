"""``gdcli predict`` output: one row per scored data row, as a table, csv, tsv or json.
A renderer: it formats, it never computes (the command scored the rows and counted the
right ones).

csv/tsv: ``line,probability,class`` and the target's column (named as in the data) when
the data has it; floats as repr (the shortest that reads back), classes and targets as
0/1. The accuracy line goes to stderr for these (the command writes it), so that a pipe's
stdout is pure CSV. The table shows the first and last rows, fitted to the width as the
minimize table is (render/table.py), then the accuracy line. json: one object on one line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from ..errors import clip

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from .table import Column

#: Rows shown at each end of a long table.
HEAD = TAIL = 10


@dataclass(frozen=True, eq=False)
class Scores:
    """A scored data set: per row its file line, ŷ, class and (when the data has the
    target column) its 0/1 target; ``right`` counts the rows whose class is the target."""

    model: str  # the model file as given
    data: str  # the data file as given ('-': stdin)
    features: tuple[str, ...]
    target: str | None  # the target column scored against; None when the data has none
    lines: Sequence[int]
    probability: Sequence[float]
    classes: Sequence[int]
    truth: Sequence[int] | None
    right: int | None
    precision: int = 7

    @property
    def total(self) -> int:
        return len(self.lines)

    @property
    def accuracy(self) -> float | None:
        return None if self.right is None or not self.total else self.right / self.total


def accuracy_line(s: Scores) -> str | None:
    """``accuracy 0.9121 (519 of 569 rows right)``, or None without a target."""
    if s.right is None:
        return None
    return f"accuracy {_fraction(s.right, s.total)} ({s.right} of {s.total} " \
           f"row{'s' * (s.total != 1)} right)"


def _fraction(right: int, total: int) -> str:
    """right/total to four decimals, or more where four would round 999,999 right of a
    million to a perfect 1.0000 (or a few right to 0.0000)."""
    value = right / total
    for digits in range(4, 18):
        text = f"{value:.{digits}f}"
        if (right == total) == (text == f"{1:.{digits}f}") and \
                (right == 0) == (text == f"{0:.{digits}f}"):
            return text
    return repr(value)


# --- csv / tsv ---
def _delimited(sep: str) -> Callable[[Scores, TextIO], None]:
    def render(s: Scores, out: TextIO) -> None:
        header = ["line", "probability", "class"]
        if s.target is not None:
            header.append(s.target)
        # the header through csv (a name may hold a comma or a quote); the rows by hand
        csv.writer(out, delimiter=sep, lineterminator="\n").writerow(header)
        cells = [map(str, s.lines), map(repr, s.probability), map(str, s.classes)]
        if s.truth is not None:
            cells.append(map(str, s.truth))
        chunk: list[str] = []
        for row in zip(*cells, strict=True):
            chunk.append(sep.join(row))
            if len(chunk) == 4096:
                out.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            out.write("\n".join(chunk) + "\n")

    return render


# --- json ---
def render_json(s: Scores, out: TextIO) -> None:
    head = json.dumps({"model": s.model, "data": s.data, "features": list(s.features),
                       "target": s.target}, ensure_ascii=False)
    # the rows by hand: json.dumps per row would triple the time of a long file
    if s.truth is None:
        rows = (f'{{"line": {n}, "probability": {p!r}, "class": {c}}}'
                for n, p, c in zip(s.lines, s.probability, s.classes, strict=True))
    else:
        rows = (f'{{"line": {n}, "probability": {p!r}, "class": {c}, "target": {t}}}'
                for n, p, c, t in zip(s.lines, s.probability, s.classes, s.truth,
                                      strict=True))
    tail = json.dumps({"accuracy": s.accuracy, "right": s.right, "rows_total": s.total})
    out.write(f'{head[:-1]}, "rows": [{", ".join(rows)}], {tail[1:]}\n')


# --- table ---
def title(s: Scores) -> str:
    data = "stdin" if s.data == "-" else clip(s.data, 60)
    feats = ", ".join(clip(f, 24) for f in s.features[:8])
    if len(s.features) > 8:
        feats += f", … ({len(s.features)} features)"
    return (f"the neuron in {clip(s.model, 60)} (features {feats}) on {data}: "
            f"{s.total} row{'s' * (s.total != 1)}")


def render_table(s: Scores, out: TextIO) -> None:
    from rich.text import Text

    from .table import Column, make_console

    n = s.total
    shown = list(range(n)) if n <= HEAD + TAIL else [*range(HEAD), *range(n - TAIL, n)]
    gap = HEAD if len(shown) < n else None
    columns = [Column("probability", [s.probability[i] for i in shown]),
               Column("class", [float(s.classes[i]) for i in shown])]
    if s.truth is not None and s.target is not None:
        columns.append(Column(s.target, [float(s.truth[i]) for i in shown]))
    console = make_console(out)
    with console.capture() as captured:
        console.print(Text(title(s)))
        cost = _rows(console, [int(s.lines[i]) for i in shown], columns, gap, s.precision)
        if gap is not None:
            lo, hi = int(s.lines[HEAD - 1]) + 1, int(s.lines[n - TAIL]) - 1
            console.print(Text(f"{n - len(shown)} of {n} rows not shown (lines {lo}–{hi}): "
                               "--format csv for all"))
        if cost:
            console.print(Text(cost))
        line = accuracy_line(s)
        if line:
            console.print(Text(line))
    # rich pads wrapped lines to the width: every line's end stripped
    out.write("\n".join(t.rstrip() for t in captured.get().split("\n")))


def _rows(console: Console, lines: list[int], columns: list[Column], gap: int | None,
          precision: int) -> str | None:
    """The rows as the fullest table that fits (table.py's fitting, keyed by ``line``),
    else as blocks; what fitting cost, or None."""
    from rich.table import Table
    from rich.text import Text

    from .table import GAP, block_lines, fit, num

    width = console.width
    fitted = fit(lines, columns, width, precision, "line")
    if fitted is None:
        for text in block_lines(lines, columns, gap, width, precision, "line"):
            console.print(Text(text), soft_wrap=True)
        return f"to fit {width} columns: one row per block"
    kept, digits = fitted
    table = Table()
    table.add_column(Text("line"), justify="right", no_wrap=True)
    for c in kept:
        table.add_column(Text(c.header), justify="right", no_wrap=True)
    for i, k in enumerate(lines):
        if i == gap:
            table.add_row(*[GAP] * (len(kept) + 1))
        table.add_row(Text(str(k)), *(Text(num(c.values[i], digits)) for c in kept))
    console.print(table)
    return f"to fit {width} columns: {digits} significant digits" if digits < precision \
        else None


RENDERERS: dict[str, Callable[[Scores, TextIO], None]] = {
    "table": render_table,
    "csv": _delimited(","),
    "tsv": _delimited("\t"),
    "json": render_json,
}
