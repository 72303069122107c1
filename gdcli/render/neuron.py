"""The neuron's renderers: the epochs as a table, csv/tsv, json or ndjson (SPEC §6).

A history row is ``(epoch, loss, accuracy, w_1 … w_d, b)``. csv, tsv and ndjson write
each row as it arrives; json collects the history; the table keeps the first and last
rows only. Renderers format; the engine (neuron/train.py) computed everything.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..expr.evaluate import fmt
from ..optim.methods import METHODS
from ..optim.records import Settings
from .formats import _Flusher

Row = tuple[Any, ...]
#: Epochs shown at each end of a long table.
HEAD = TAIL = 10


@dataclass
class Report:
    """What the renderers need besides the rows; ``outcome`` is set when training ends
    (before a renderer that collects rows writes its summary)."""

    source: str
    rows: int
    features: tuple[str, ...]
    target: str
    loss: str
    settings: Settings
    epochs: int
    batch_size: int | None
    standardized: bool
    precision: int = 7
    explain: list[str] = field(default_factory=list)
    outcome: Any = None  # neuron.train.Outcome

    def settings_json(self) -> dict[str, Any]:
        st = self.settings
        out: dict[str, Any] = {"lr": st.lr, "epochs": self.epochs,
                               "batch_size": self.batch_size, **dict(st.hypers)}
        if st.schedule != "constant":
            out["schedule"] = st.schedule
            for k in ("gamma", "step_size"):
                if getattr(st, k) is not None:
                    out[k] = getattr(st, k)
            if st.schedule == "cosine":
                out["lr_min"] = st.lr_min
        out["standardize"] = self.standardized
        return out


def _r(v: float) -> str:
    text = repr(float(v))
    return text[:-2] if text.endswith(".0") else text


def _delimited(sep: str) -> Callable[[Iterable[Row], Report, TextIO], None]:
    def render(rows: Iterable[Row], rep: Report, out: TextIO) -> None:
        head = ["epoch", "loss", "accuracy", *(f"w_{f}" for f in rep.features), "b"]
        out.write(sep.join(head) + "\n")
        flusher = _Flusher(out)
        for row in rows:
            out.write(sep.join([str(row[0]), *map(_r, row[1:])]) + "\n")
            flusher.tick()

    return render


def _row_json(row: Row, rep: Report) -> dict[str, Any]:
    d = len(rep.features)
    return {"epoch": row[0], "loss": row[1], "accuracy": row[2],
            "weights": dict(zip(rep.features, row[3:3 + d], strict=True)), "bias": row[3 + d]}


def _ndjson(rows: Iterable[Row], rep: Report, out: TextIO) -> None:
    flusher = _Flusher(out)
    for row in rows:
        out.write(json.dumps(_row_json(row, rep)) + "\n")
        flusher.tick()


def _json(rows: Iterable[Row], rep: Report, out: TextIO) -> None:
    history = [_row_json(row, rep) for row in rows]
    o = rep.outcome
    doc = {
        "data": rep.source, "target": rep.target, "features": list(rep.features),
        "loss_name": rep.loss, "method": rep.settings.method, "status": o.status,
        "message": o.message, "epochs": o.epochs, "loss": o.loss, "accuracy": o.accuracy,
        "weights": dict(zip(rep.features, o.w, strict=True)), "bias": o.b,
        "settings": rep.settings_json(), "history": history,
    }
    out.write(json.dumps(doc, ensure_ascii=False) + "\n")


def _table(rows: Iterable[Row], rep: Report, out: TextIO) -> None:
    from rich.text import Text

    from .table import Column, make_console, print_rows

    head: list[Row] = []
    tail: deque[Row] = deque(maxlen=TAIL)
    total = 0
    for row in rows:
        total += 1
        if len(head) < HEAD:
            head.append(row)
        else:
            tail.append(row)
    shown = [*head, *tail]
    gap = HEAD if total > HEAD + TAIL else None
    console = make_console(out)
    d = len(rep.features)
    with console.capture() as captured:
        for line in rep.explain:
            console.print(Text(line), soft_wrap=True)
        if rep.explain:
            console.print()
        console.print(Text(title(rep)))
        columns = [Column("loss", [r[1] for r in shown]),
                   Column("accuracy", [r[2] for r in shown]),
                   *(Column(f"w_{f}", [r[3 + i] for r in shown])
                     for i, f in enumerate(rep.features)),
                   Column("b", [r[3 + d] for r in shown])]
        cost = print_rows(console, [r[0] for r in shown], columns, gap, rep.precision, key="epoch")
        hidden = total - len(shown)
        if hidden > 0:
            lo, hi = head[-1][0] + 1, tail[0][0] - 1
            span = f"{lo}–{hi}" if hi > lo else str(lo)
            console.print(Text(f"{hidden} of {total - 1} epochs not shown ({span}): "
                               "--format csv for all"))
        if cost:
            console.print(Text(cost))
        for line in summary_lines(rep):
            console.print(Text(line), soft_wrap=True)
    out.write("\n".join(line.rstrip() for line in captured.get().split("\n")))


def title(rep: Report) -> str:
    st = rep.settings
    method = METHODS[st.method]
    how = "gradient descent" if st.method == "gd" else method.title
    params = [f"{k} = {fmt(v)}" for k, v in st.hypers]
    if st.schedule != "constant":
        params.append(f"{st.schedule} schedule per epoch")
    batch = (f"batches of {rep.batch_size:,} shuffled each epoch"
             if rep.batch_size and rep.batch_size < rep.rows else "full batch")
    std = ", standardized" if rep.standardized else ""
    lr = f"lr = {fmt(st.lr)}" + (f" ({', '.join(params)})" if params else "")
    return (f"one sigmoid neuron ŷ = σ(w·x + b) on {rep.source} ({rep.rows:,} rows; features "
            f"{', '.join(rep.features)}{std}; target {rep.target}), loss {rep.loss}, {how}, "
            f"{lr}, {batch}")


def model_text(rep: Report, digits: int) -> str:
    """ŷ = σ(w_1·x_1 + … + b) with the final weights."""
    o = rep.outcome
    terms = []
    for w, f in zip(o.w, rep.features, strict=True):
        v = f"{abs(w):.{digits}g}"
        sign = "−" if w < 0 else "+"
        terms.append(f"{sign} {v}·{f}" if terms else f"{'−' if w < 0 else ''}{v}·{f}")
    b = f"{abs(o.b):.{digits}g}"
    terms.append(f"{'−' if o.b < 0 else '+'} {b}" if terms else f"{'−' if o.b < 0 else ''}{b}")
    std = " (x the standardized features)" if rep.standardized else ""
    return f"model: ŷ = σ({' '.join(terms)}){std}"


def summary_lines(rep: Report) -> list[str]:
    o = rep.outcome
    lines = []
    if o.status != "diverged":
        lines.append(model_text(rep, rep.precision))
    lines.append(o.message)
    lines += [f"note: {n}" for n in o.notes]
    return lines


RENDERERS: dict[str, Callable[[Iterable[Row], Report, TextIO], None]] = {
    "table": _table,
    "csv": _delimited(","),
    "tsv": _delimited("\t"),
    "json": _json,
    "ndjson": _ndjson,
}
