"""``gdcli compare`` output: one row per run, in every format. A renderer: it formats,
it never computes (the distance and evaluations come with each Run).

The table is fitted to the width the way the minimize table is (table.py): never a
number or a header cut; when too wide, fewer significant digits (down to 4), then the lr
column left out, then one block per run. Under it each run's message, and which run was
best: the fewest iterations among the runs that converged to a minimum (a maximum with
--maximize), ties going to the lower f.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from ..expr.evaluate import fmt
from ..optim.problem import Problem
from ..optim.records import Outcome, Settings

#: The mark of the best run in the table.
BEST = "★"
#: Significant digits of the table's numbers, before fitting takes some away.
DIGITS = 7


@dataclass(frozen=True)
class Run:
    label: str  # the --methods item: adam:lr=0.3
    settings: Settings
    settings_json: dict[str, Any]  # what the run used (as minimize's JSON "settings")
    outcome: Outcome
    distance: float | None  # the sum of the step lengths; None if it overflowed
    history: list[str] | None = None  # JSON history records (--format json)

    def evaluations(self) -> dict[str, int]:
        counts = dict(self.outcome.evaluations)
        return {k: counts.get(k, 0) for k in ("f", "grad", "hessian")}


def best(problem: Problem, runs: Sequence[Run]) -> Run | None:
    """The run that converged in the fewest iterations to a minimum (with --maximize, a
    maximum; a point of unknown kind counts), ties going to the lower f; None if none did."""
    wrong = ("minimum" if problem.maximize else "maximum", "saddle", "flat")
    good = [r for r in runs if r.outcome.status == "converged" and r.outcome.kind not in wrong]
    if not good:
        return None
    sign = -1.0 if problem.maximize else 1.0
    return min(good, key=lambda r: (r.outcome.iterations, sign * (r.outcome.f or 0.0)))


def _status(o: Outcome, problem: Problem) -> str:
    """The status, with the kind of point where a converged run did not reach what was
    sought (a saddle, a maximum when minimizing)."""
    sought = "maximum" if problem.maximize else "minimum"
    if o.status == "converged" and o.kind not in (None, sought):
        return f"converged ({o.kind})"
    return "interrupted" if o.reason == "interrupted" else o.status


# --- table ---
@dataclass(frozen=True)
class _Col:
    header: str
    cells: Callable[[int], list[str]]  # digits -> one cell per run
    optional: bool = False  # left out to save width before the rows go into blocks
    right: bool = True


def _columns(problem: Problem, runs: Sequence[Run], top: Run | None) -> list[_Col]:
    from .table import num

    def numbers(values: list[float | None]) -> Callable[[int], list[str]]:
        return lambda d: [num(v, d) for v in values]

    def fixed(cells: list[str]) -> Callable[[int], list[str]]:
        return lambda d: cells

    evals = [r.evaluations() for r in runs]
    return [
        _Col("method", fixed([r.label + (f" {BEST}" if r is top else "") for r in runs]),
             right=False),
        _Col("lr", fixed([fmt(r.settings.lr) for r in runs]), optional=True),
        _Col("status", fixed([_status(r.outcome, problem) for r in runs]), right=False),
        _Col("iterations", fixed([str(r.outcome.iterations) for r in runs])),
        _Col("evals\nf/∇f/H", fixed([f"{e['f']}/{e['grad']}/{e['hessian']}" for e in evals])),
        *(_Col(v, numbers([r.outcome.x[i] for r in runs]))
          for i, v in enumerate(problem.variables)),
        _Col("f", numbers([r.outcome.f for r in runs])),
        _Col("distance", numbers([r.distance for r in runs])),
    ]


def _width(cols: Sequence[_Col], digits: int) -> int:
    """The width rich draws the table at (the default box: see table.table_width)."""
    from rich.cells import cell_len

    widths = [max(*map(cell_len, c.header.split("\n")), *map(cell_len, c.cells(digits)))
              for c in cols]
    return sum(widths) + 3 * len(widths) + 1


def _fit(cols: list[_Col], width: int) -> tuple[list[_Col], int] | None:
    from .table import MIN_DIGITS

    for kept in (cols, [c for c in cols if not c.optional]):
        for digits in range(DIGITS, MIN_DIGITS - 1, -1):
            if _width(kept, digits) <= width:
                return kept, digits
    return None


def _blocks(cols: Sequence[_Col], width: int) -> list[str]:
    """One run per block: its label, then ``name = value`` items flowed to the width."""
    from rich.cells import cell_len

    lines: list[str] = []
    cells = [c.cells(DIGITS) for c in cols]
    for i in range(len(cells[0])):
        lines.append(cells[0][i])
        line: list[str] = []
        for c, values in zip(cols[1:], cells[1:], strict=True):
            item = f"{c.header.replace(chr(10), ' ')} = {values[i]}"
            if line and cell_len("  " + "   ".join([*line, item])) > width:
                lines.append("  " + "   ".join(line))
                line = []
            line.append(item)
        if line:
            lines.append("  " + "   ".join(line))
    return lines


def title(problem: Problem, start: tuple[float, ...], runs: Sequence[Run]) -> str:
    what = "maximizing" if problem.maximize else "minimizing"
    f = f"f({problem.variables[0]})" if problem.dim == 1 else "f"
    held = f" with {problem.fixed_text()}" if problem.fixed else ""
    x0 = ", ".join(f"{v} = {fmt(x)}" for v, x in zip(problem.variables, start, strict=True))
    n = len(runs)
    return f"{what} {f} = {problem.text}{held} from {x0}: {n} run{'s' * (n != 1)}"


def render_table(problem: Problem, start: tuple[float, ...], runs: Sequence[Run],
                 out: TextIO) -> None:
    from rich.table import Table
    from rich.text import Text

    from .table import make_console

    console = make_console(out)
    top = best(problem, runs)
    cols = _columns(problem, runs, top)
    width = console.width
    with console.capture() as captured:
        console.print(Text(title(problem, start, runs)))
        fitted = _fit(cols, width) if runs else None
        if fitted is None:
            for line in _blocks(cols, width) if runs else []:
                console.print(Text(line), soft_wrap=True)
            if runs:
                console.print(Text(f"to fit {width} columns: one run per block"))
        else:
            kept, digits = fitted
            table = Table()
            for c in kept:
                table.add_column(Text(c.header), justify="right" if c.right else "left",
                                 no_wrap=True)
            for row in zip(*(c.cells(digits) for c in kept), strict=True):
                table.add_row(*map(Text, row))
            console.print(table)
            costs = [f"{digits} significant digits"] if digits < DIGITS else []
            costs += [f"{c.header.replace(chr(10), ' ')} not shown" for c in cols
                      if c not in kept]
            if costs:
                console.print(Text(f"to fit {width} columns: {'; '.join(costs)}"))
        for r in runs:
            console.print(Text(f"{r.label}: {r.outcome.message}"), soft_wrap=True)
        sought = "maximum" if problem.maximize else "minimum"
        if top is not None:
            console.print(Text(f"{BEST} {top.label}: the fewest iterations among the runs "
                               f"that converged to a {sought}"), soft_wrap=True)
        elif runs:
            console.print(Text(f"no run converged to a {sought}"))
    # rich pads lines to the table's width: no line ends in spaces
    out.write("\n".join(line.rstrip() for line in captured.get().split("\n")))


# --- machine formats ---
def header(problem: Problem) -> list[str]:
    """The CSV/TSV header: one row per run."""
    return ["method", "lr", "status", "reason", "iterations", "evals_f", "evals_grad",
            "evals_hessian", "distance", *problem.variables, "f"]


def _number(v: float | int | None) -> str:
    """Shortest round-trip repr, without a zero fraction (8, not 8.0); empty for None."""
    if v is None:
        return ""
    r = repr(v)
    return r[:-2] if r.endswith(".0") else r


def _delimited(sep: str) -> Callable[[Problem, tuple[float, ...], Sequence[Run], TextIO], None]:
    def render(problem: Problem, start: tuple[float, ...], runs: Sequence[Run],
               out: TextIO) -> None:
        writer = csv.writer(out, delimiter=sep, lineterminator="\n")
        writer.writerow(header(problem))
        for r in runs:
            o, e = r.outcome, r.evaluations()
            writer.writerow([
                r.label, _number(r.settings.lr), o.status, o.reason, o.iterations, e["f"],
                e["grad"], e["hessian"], _number(r.distance), *map(_number, o.x),
                _number(o.f),
            ])

    return render


def render_json(problem: Problem, start: tuple[float, ...], runs: Sequence[Run],
                out: TextIO) -> None:
    vs = problem.variables
    parts = []
    for r in runs:
        o = r.outcome
        record = {
            "method": r.settings.method,
            "settings": r.settings_json,
            "status": o.status,
            "reason": o.reason,
            "message": o.message,
            "iterations": o.iterations,
            "evaluations": r.evaluations(),
            "distance": r.distance,
            "x": dict(zip(vs, o.x, strict=True)),
            "f": o.f,
            "grad": dict(zip(vs, o.grad, strict=True)) if o.grad else None,
        }
        text = json.dumps(record, ensure_ascii=False)
        # the history records are already JSON (render/formats.py): spliced in, not re-read
        parts.append(text[:-1] + ', "history": [' + ", ".join(r.history or ()) + "]}")
    head = json.dumps({"expr": problem.text, "variables": list(vs)}, ensure_ascii=False)
    out.write(head[:-1] + ', "runs": [' + ", ".join(parts) + "]}\n")


RENDERERS: dict[str, Callable[[Problem, tuple[float, ...], Sequence[Run], TextIO], None]] = {
    "table": render_table,
    "csv": _delimited(","),
    "tsv": _delimited("\t"),
    "json": render_json,
}
