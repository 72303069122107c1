"""Renderers: they consume the engine's rows and never compute (STYLE.md).

``RENDERERS[name](rows, ctx, out)`` writes one format. csv, tsv and ndjson write each
row as it arrives; json collects the history; the table keeps only the rows it will
show (the first and last ones), so a million-iteration run never draws a million rows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from .engine import Outcome, Settings
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
    analysis: dict[str, Any] = field(default_factory=dict)  # JSON "analysis" (SPEC §4)
    dangling: bool = False  # end with the point a failed last step led to (f undefined)

    def settings_json(self) -> dict[str, Any]:
        """What the run used (SPEC §4 "settings")."""
        st, prob = self.settings, self.problem
        return {
            "x0": dict(zip(prob.variables, self.x0, strict=True)),
            "method": self.method,
            "lr": st.lr,
            "tol": st.gtol,
            "xtol": st.xtol,
            "max_iter": st.max_iter,
            "maximize": prob.maximize,
            "fixed": {v: _value(n) for v, (_, n) in sorted(prob.fixed.items())},
        }

    @property
    def layout(self) -> Layout:
        return Layout(self.problem.variables)


class Recorder:
    """Iterates the engine's generator and keeps its return value (the Outcome). For
    gradient ascent the engine descends on −f: rows are turned back into the user's f,
    ∇f and steps (x_{k+1} = x_k + step) here, so that no renderer needs to know."""

    def __init__(self, gen: Iterator[Row], ctx: Context) -> None:
        self.gen = gen
        self.ctx = ctx

    def __iter__(self) -> Iterator[Row]:
        last: Row | None = None
        gen = _ascent(self.gen) if self.ctx.problem.maximize else self.gen
        while True:
            try:
                last = next(gen)  # type: ignore[call-overload]
            except StopIteration as done:
                self.ctx.outcome = done.value
                break
            yield last
        o = self.ctx.outcome
        n = self.ctx.problem.dim
        if self.ctx.dangling and o is not None and last is not None and (
            last[2 + 2 * n] is not None and tuple(last[2 : 2 + n]) != tuple(o.x)
        ):
            # the step from the last state led out (of the domain, of float64): the
            # table and --explain show where it went, with f and ∇f undefined there
            yield (last[0] + 1, None, *o.x, *(None,) * (2 * n))
        if self.ctx.on_done is not None:
            self.ctx.on_done(self.ctx)


def _ascent(gen: Generator[Row, None, Outcome]) -> Generator[Row, None, Outcome]:
    while True:
        try:
            row = next(gen)
        except StopIteration as done:
            return done.value
        n = (len(row) - 2) // 3
        # f, the gradient and the step change sign; 0.0 - v, not -v, so never a -0.0
        flipped = tuple(None if v is None else 0.0 - v for v in row[2 + n :])
        yield (row[0], 0.0 - row[1], *row[2 : 2 + n], *flipped)


def _value(node: Any) -> float:
    from .evaluate import evaluate

    return evaluate(node, {})


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
    from .table import render_table

    render_table(rows, ctx, out)


RENDERERS: dict[str, Callable[[Iterable[Row], Context, TextIO], None]] = {
    "table": _table,
    "csv": _delimited(","),
    "tsv": _delimited("\t"),
    "json": _json,
    "ndjson": _ndjson,
}
