"""``gdcli rules``: the rule table, generated from the function registry."""

from __future__ import annotations

import json
from typing import TextIO

from .functions import FUNCTIONS
from .latex import to_latex
from .nodes import Call, Var
from .printer import to_str

#: Structural rules, written once in diff.py; listed here for the table's second part.
STRUCTURAL = [
    ("constant", "c' = 0"),
    ("sum", "(u + v)' = u' + v'"),
    ("constant multiple", "(c*u)' = c*u'"),
    ("product", "(u*v)' = u'*v + u*v'"),
    ("quotient", "(u/v)' = (u'*v - u*v')/v**2"),
    ("power", "(u**n)' = n*u**(n - 1)*u'"),
    ("exponential", "(a**u)' = a**u*log(a)*u'"),
    ("general power", "(u**v)' = u**v*(v'*log(u) + v*u'/u)"),
    ("log base", "log(u, b)' = u'/(u*log(b))"),
    ("chain", "f(u)' = f'(u)*u'"),
]


def rows() -> list[dict[str, str]]:
    """One row per registry function: name, aliases, derivative, domain, LaTeX."""
    x = Var("x")
    out = []
    for row in FUNCTIONS.values():
        f = Call(row.name, (x,))
        d = row.d(x)
        out.append(
            {
                "function": f"{row.name}(x)",
                "aliases": ", ".join(row.aliases),
                "derivative": to_str(d),
                "domain": row.domain,
                "latex": f"\\frac{{d}}{{dx}} {to_latex(f)} = {to_latex(d)}",
                "note": row.doc,
            }
        )
    return out


def markdown() -> str:
    lines = ["| function | derivative | domain | also written |", "|---|---|---|---|"]
    for r in rows():
        lines.append(f"| `{r['function']}` | `{r['derivative']}` | {r['domain']} | "
                     f"{r['aliases'] and '`' + r['aliases'] + '`'} |")
    lines += ["", "| rule | form |", "|---|---|"]
    lines += [f"| {name} | `{form}` |" for name, form in STRUCTURAL]
    return "\n".join(lines)


def run(fmt_name: str, out: TextIO) -> int:
    if fmt_name == "json":
        out.write(json.dumps({"functions": rows(), "rules": dict(STRUCTURAL)}, indent=2,
                             ensure_ascii=False) + "\n")
    elif fmt_name == "markdown":
        out.write(markdown() + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="derivative table (d/dx f(x))")
        for col in ("function", "derivative", "domain", "also written"):
            table.add_column(col)
        for r in rows():
            table.add_row(r["function"], r["derivative"], r["domain"], r["aliases"])
        rules = Table(title="structural rules (applied once each, with the chain rule)")
        rules.add_column("rule")
        rules.add_column("form")
        for name, form in STRUCTURAL:
            rules.add_row(name, form)
        console = Console(file=out)
        console.print(table)
        console.print(rules)
    return 0
