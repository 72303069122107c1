"""``gdcli methods``: the method registry as a table, markdown or JSON.

Everything printed is read from the registry (optim/methods.py), so a registered method
is listed the moment it exists; the README's copy of the markdown is kept identical by a
test (tests/test_methods.py)."""

from __future__ import annotations

import json
import re
from typing import Any, TextIO

from ..expr.evaluate import fmt
from ..optim.methods import METHODS

#: What an empty torch/Optax note is shown as.
NONE = "—"


def rows() -> list[dict[str, Any]]:
    """One record per registered method, in registration order."""
    return [
        {
            "name": m.name,
            "title": m.title,
            "rule": m.rule,
            "default_lr": m.default_lr,
            "hyperparameters": [
                {"name": h.name, "default": h.default, "range": h.range_text(), "help": h.help}
                for h in m.hypers
            ],
            "line_search": m.line_search,
            "hessian": m.hessian,
            "torch": m.torch,
            "optax": m.optax,
        }
        for m in METHODS.values()
    ]


#: The three tables, as (title, header, rows of cells): every format prints these.
def tables() -> list[tuple[str, list[str], list[list[str]]]]:
    ms = list(METHODS.values())
    return [
        ("optimization methods (--method)",
         ["method", "name", "update rule", "default lr", "line search"],
         [[m.name, m.title, m.rule, fmt(m.default_lr), "yes" if m.line_search else "no"]
          for m in ms]),
        ("hyperparameters (--NAME VALUE, or NAME=VALUE in compare --methods)",
         ["method", "hyperparameter", "default", "range", "what it is"],
         [[m.name, h.name, fmt(h.default), h.range_text(), h.help or NONE]
          for m in ms for h in m.hypers]),
        ("what each matches",
         ["method", "torch.optim", "where Optax differs"],
         [[m.name, m.torch or NONE, m.optax or NONE] for m in ms]),
    ]


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell."""
    return text.replace("|", "\\|")


def markdown() -> str:
    lines: list[str] = []
    for i, (_, header, body) in enumerate(tables()):
        if i:
            lines.append("")
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        for cells in body:
            shown = [f"`{cells[0]}`", *map(_cell, cells[1:])]
            lines.append("| " + " | ".join(shown) + " |")
    return "\n".join(lines)


def _table(out: TextIO) -> None:
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    from ..render.table import make_console

    console = make_console(out)
    width = console.width
    with console.capture() as captured:
        for title, header, body in tables():
            console.print(Text(title))
            # an update rule's parts (b ← …;  x ← …) one per line
            body = [[re.sub(r";? {2,}", "\n", c) for c in cells] for cells in body]
            # each column at least as wide as its longest word, so that text wraps at
            # spaces and nothing is cut; when even that is too wide, one block per row
            least = [max(cell_len(w) for c in [h, *(r[i] for r in body)] for w in c.split())
                     for i, h in enumerate(header)]
            if sum(least) + 3 * len(least) + 1 > width:
                for cells in body:
                    console.print(Text(f"{header[0]} {cells[0]}"))
                    for h, c in zip(header[1:], cells[1:], strict=True):
                        console.print(Text(f"  {h}: " + c.replace("\n", "; ")))
                continue
            table = Table()
            for col, w in zip(header, least, strict=True):
                table.add_column(col, overflow="fold", min_width=w)
            for cells in body:
                table.add_row(*map(Text, cells))
            console.print(table)
    # rich pads lines to the table's width: no line ends in spaces
    out.write("\n".join(line.rstrip() for line in captured.get().split("\n")))


def run(fmt_name: str, out: TextIO) -> int:
    if fmt_name == "json":
        out.write(json.dumps({"methods": rows()}, indent=2, ensure_ascii=False) + "\n")
    elif fmt_name == "markdown":
        out.write(markdown() + "\n")
    else:
        _table(out)
    return 0
