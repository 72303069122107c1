"""The sweep's renderers: one row per learning rate, then what the rows say (the fastest
rate, where oscillation and divergence begin, and the theory beside them). They format;
optim/sweep.py computes.

The table fits the width as the minimize table does (render/table.py), never cutting a
number: fewer significant digits (down to MIN_DIGITS), then without the f column (x
determines it), then one record per block. A long sweep shows its first and last rates
and the rows around the fastest rate and each boundary.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from ..expr.evaluate import fmt
from ..optim.methods import METHODS
from ..optim.problem import Problem
from ..optim.records import Settings
from ..optim.sweep import Boundary, Sweep, Theory

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

#: Sweeps up to this many rates show every row; longer ones the rows that matter.
ALL_ROWS = 30
#: Rows shown around the fastest rate and each boundary, and at each end.
AROUND, ENDS = 2, 3


@dataclass(frozen=True)
class Report:
    problem: Problem
    settings: Settings
    x0: tuple[float, ...]
    log: bool
    sweep: Sweep
    fastest: int | None
    boundaries: dict[str, Boundary | None]
    theory: Theory | None


def _cell(v: float) -> str:
    """A float as CSV writes it: the shortest round-trip form, without a final '.0'."""
    r = repr(v)
    return r[:-2] if r.endswith(".0") else r


# --- csv, tsv, json ---
def _delimited(sep: str) -> Callable[[Report, TextIO], None]:
    def render(rep: Report, out: TextIO) -> None:
        sw = rep.sweep
        out.write(sep.join(["lr", "status", "iterations", *rep.problem.variables, "f"]) + "\n")
        for i, lr in enumerate(sw.rates):
            f = sw.f[i]
            cells = [_cell(lr), sw.status[i], str(sw.iterations[i]), *map(_cell, sw.x[i]),
                     "" if f is None else _cell(f)]
            out.write(sep.join(cells) + "\n")

    return render


def report_json(rep: Report) -> dict[str, Any]:
    """SPEC §5: {"expr", "method", "variables", "rows", "fastest", "boundaries", "theory"}."""
    sw, variables = rep.sweep, rep.problem.variables
    rows = [{"lr": lr, "status": sw.status[i], "iterations": sw.iterations[i],
             "x": dict(zip(variables, sw.x[i], strict=True)), "f": sw.f[i]}
            for i, lr in enumerate(sw.rates)]
    best = rep.fastest
    th = rep.theory
    return {
        "expr": rep.problem.text,
        "method": rep.settings.method,
        "variables": list(variables),
        "rows": rows,
        "fastest": None if best is None else {"lr": sw.rates[best],
                                              "iterations": sw.iterations[best]},
        "boundaries": {k: None if b is None else {"lr": b.lr, "after": b.after}
                       for k, b in rep.boundaries.items()},
        "theory": None if th is None else {
            "curvature": list(th.curvature), "fastest": th.fastest,
            "oscillation": th.oscillation, "limit": th.limit, "formulas": th.formulas},
    }


def _json(rep: Report, out: TextIO) -> None:
    out.write(json.dumps(report_json(rep), ensure_ascii=False) + "\n")


# --- the table ---
def shown_rows(rep: Report) -> list[int]:
    """The rows a table shows: all of a short sweep; of a long one, the ends and the rows
    around the fastest rate and the first rate of each boundary."""
    count = len(rep.sweep.rates)
    if count <= ALL_ROWS:
        return list(range(count))
    keys = [i for i in range(ENDS)] + [count - 1 - i for i in range(ENDS)]
    index = {lr: i for i, lr in enumerate(rep.sweep.rates)}
    centres = [rep.fastest] + [index[b.lr] for b in rep.boundaries.values() if b is not None]
    for c in centres:
        if c is not None:
            keys += range(max(0, c - AROUND), min(count, c + AROUND + 1))
    return sorted(set(keys))


def _notes(rep: Report, i: int) -> str:
    words = []
    if i == rep.fastest:
        words.append("fastest")
    if rep.sweep.oscillates(i):
        words.append("oscillates")
    return ", ".join(words)


def _columns(
    rep: Report, rows: list[int], digits: int, with_f: bool
) -> list[tuple[str, list[str]]]:
    from .table import num

    sw = rep.sweep
    cols = [("lr", [num(sw.rates[i], digits) for i in rows]),
            ("status", [sw.status[i] for i in rows]),
            ("iterations", [str(sw.iterations[i]) for i in rows])]
    for j, v in enumerate(rep.problem.variables):
        cols.append((v, [num(sw.x[i][j], digits) for i in rows]))
    if with_f:
        cols.append(("f", [num(sw.f[i], digits) for i in rows]))
    cols.append(("", [_notes(rep, i) for i in rows]))
    return cols


def _width(cols: list[tuple[str, list[str]]]) -> int:
    """As render/table.py counts: cells, a space of padding each side, and rules."""
    from rich.cells import cell_len

    from .table import GAP

    widths = [max(cell_len(h), cell_len(GAP), *(cell_len(c) for c in cells)) for h, cells in cols]
    return sum(widths) + 3 * len(widths) + 1


def _print_rows(console: Console, rep: Report, rows: list[int]) -> str | None:
    """The rows as the fullest table that fits, else one record per block; what fitting
    cost, for the caption."""
    from rich.table import Table
    from rich.text import Text

    from .table import GAP, MIN_DIGITS

    width = console.width
    gaps = {k for k, (a, b) in enumerate(zip(rows, rows[1:], strict=False)) if b > a + 1}
    for with_f in (True, False):
        for digits in range(7, MIN_DIGITS - 1, -1):
            cols = _columns(rep, rows, digits, with_f)
            if _width(cols) > width:
                continue
            table = Table()
            for k, (head, _) in enumerate(cols):
                table.add_column(Text(head), justify="left" if k in (1, len(cols) - 1)
                                 else "right", no_wrap=True)
            for r in range(len(rows)):
                table.add_row(*(Text(cells[r]) for _, cells in cols))
                if r in gaps:
                    table.add_row(*(Text(GAP) for _ in cols))
            console.print(table)
            costs = [f"{digits} significant digits"] if digits < 7 else []
            if not with_f:
                costs.append("f not shown")
            return f"to fit {width} columns: {'; '.join(costs)}" if costs else None
    from rich.cells import cell_len

    cols = _columns(rep, rows, 7, True)
    for r in range(len(rows)):
        console.print(Text(f"lr = {cols[0][1][r]}"), soft_wrap=True)
        line: list[str] = []
        for head, cells in cols[1:]:
            if not cells[r]:
                continue
            item = f"{head or 'note'} = {cells[r]}"
            if line and cell_len("  " + "   ".join([*line, item])) > width:
                console.print(Text("  " + "   ".join(line)), soft_wrap=True)
                line = []
            line.append(item)  # an item wider than the line is printed whole
        if line:
            console.print(Text("  " + "   ".join(line)), soft_wrap=True)
        if r in gaps:
            console.print(Text(GAP))
    return f"to fit {width} columns: one record per block"


def title(rep: Report) -> str:
    prob, st, sw = rep.problem, rep.settings, rep.sweep
    method = METHODS[st.method]
    how = "gradient ascent" if prob.maximize else "gradient descent"
    if st.method != "gd":
        how = method.title + (" (ascent)" if prob.maximize else "")
    params = [f"{k} = {fmt(v)}" for k, v in st.hypers]
    if st.schedule != "constant":
        params.append(f"{st.schedule} schedule")
    held = f" with {prob.fixed_text()}" if prob.fixed else ""
    grads = prob.gradient_text()
    if prob.dim == 1:
        v = prob.variables[0]
        what = f"f({v}) = {prob.text}{held}, f'({v}) = {grads[0]}, from {v} = {fmt(rep.x0[0])}"
    else:
        parts = ", ".join(f"∂f/∂{v} = {g}" for v, g in zip(prob.variables, grads, strict=True))
        start = ", ".join(f"{v} = {fmt(c)}" for v, c in zip(prob.variables, rep.x0, strict=True))
        what = f"f = {prob.text}{held}, {parts}, from ({start})"
    n = len(sw.rates)
    spread = ("" if n == 1 else
              f" from {fmt(sw.rates[0])} to {fmt(sw.rates[-1])}"
              f" ({'log-spaced' if rep.log else 'evenly spaced'})")
    rates = f"{n:,} learning rate{'s' if n != 1 else ''}{spread}"
    return (f"{how} on {what}: {rates}{' (' + ', '.join(params) + ')' if params else ''}, "
            f"at most {st.max_iter:,} iterations each")


def _rate(v: float) -> str:
    """A rate in a sentence: as typed where short (0.5, 1e-05), else 7 digits (the CSV and
    JSON have every digit)."""
    text = fmt(v)
    return text if len(text) <= 10 else f"{v:.7g}"


def summary_lines(rep: Report) -> list[str]:
    """What the rows say: counts, the fastest rate, where oscillation and divergence
    begin, each beside the theory where there is one."""
    sw, th = rep.sweep, rep.theory
    n = len(sw.rates)
    counts = [(sw.status.count(s), w) for s, w in (
        ("converged", "converged"), ("max_iter", "stopped at the iteration limit"),
        ("diverged", "diverged"))]
    lines = [f"{n:,} rate{'s' if n != 1 else ''}: "
             + ", ".join(f"{c:,} {w}" for c, w in counts if c)]
    if "interrupted" in sw.how:
        lines.insert(0, interrupted_text(sw))

    def beside(key: str, words: str) -> str:
        if th is None or getattr(th, key) is None:
            return ""
        return f"; theory: {words} {th.formulas[key]} = {fmt(getattr(th, key))}"

    if rep.fastest is None:
        ran = (max(sw.iterations) if "interrupted" in sw.how and sw.iterations
               else rep.settings.max_iter)
        lines.append(f"no rate converged within {ran:,} iterations"
                     + beside("fastest", "fastest"))
    else:
        k = sw.iterations[rep.fastest]
        lines.append(f"fastest: lr = {_rate(sw.rates[rep.fastest])}, converged in {k:,} "
                     f"iteration{'' if k == 1 else 's'}" + beside("fastest", "fastest"))
    for key, verb, words in (("oscillation", "oscillate", "overshoots above"),
                             ("divergence", "diverge", "limit")):
        b = rep.boundaries[key]
        theory_key = "limit" if key == "divergence" else key
        if b is None:
            lines.append(f"no rate {verb}s" + beside(theory_key, words))
        elif b.after is None:
            said = (f"{key}: every rate from the first ({_rate(b.lr)}) on {verb}s"
                    if all(_is(sw, key, i) for i in range(n)) else
                    f"{key}: already at the first rate, lr = {_rate(b.lr)}")
            lines.append(said + beside(theory_key, words))
        else:
            lines.append(f"{key} from lr = {_rate(b.lr)} (lr = {_rate(b.after)} does not "
                         f"{verb})" + beside(theory_key, words))
    if th is not None:
        one = rep.problem.dim == 1
        curv = ", ".join(f"{c:.6g}" for c in th.curvature)
        what = "f''" if one else "the Hessian's eigenvalues"
        lines.append(f"theory for this quadratic ({what} = {curv}"
                     f"{', of -f' if rep.problem.maximize else ''}): linear analysis at a "
                     "constant learning rate")
    return lines


def interrupted_text(sw: Sweep) -> str:
    """The summary's line for a sweep that Ctrl-C ended."""
    running = sw.how.count("interrupted")
    k = max(sw.iterations[i] for i, h in enumerate(sw.how) if h == "interrupted")
    return (f"interrupted (Ctrl-C) at iteration {k:,}: {running:,} rate"
            f"{'s' if running != 1 else ''} still running shown where they were "
            "(status max_iter)")


def _is(sw: Sweep, key: str, i: int) -> bool:
    return sw.oscillates(i) if key == "oscillation" else sw.status[i] == "diverged"


def _table(rep: Report, out: TextIO) -> None:
    from rich.text import Text

    from .table import make_console

    console = make_console(out)
    rows = shown_rows(rep)
    with console.capture() as captured:
        console.print(Text(title(rep)))
        cost = _print_rows(console, rep, rows)
        hidden = len(rep.sweep.rates) - len(rows)
        for note in (f"{hidden:,} of {len(rep.sweep.rates):,} rates not shown: --format csv "
                     "for all" if hidden else None, cost):
            if note:
                console.print(Text(note))
        for line in summary_lines(rep):
            console.print(Text(line), soft_wrap=True)
    # rich pads wrapped and captioned lines to the table's width: strip every line's end
    out.write("\n".join(line.rstrip() for line in captured.get().split("\n")))


RENDERERS: dict[str, Callable[[Report, TextIO], None]] = {
    "table": _table,
    "csv": _delimited(","),
    "tsv": _delimited("\t"),
    "json": _json,
}
