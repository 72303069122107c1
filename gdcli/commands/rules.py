"""``gdcli rules``: the rule table, generated from the function registry."""

from __future__ import annotations

import json
from typing import TextIO

from ..expr.functions import FUNCTIONS
from ..expr.latex import to_latex
from ..expr.nodes import Call, Var
from ..expr.printer import to_str

#: The structural rules, by the names ``--steps`` prints (each written once in diff.py).
#: A registry function f adds "f rule" (its row below); tests check that every rule name
#: ``--steps`` prints is listed by ``gdcli rules``.
STRUCTURAL = [
    ("constant rule", "c' = 0"),
    ("variable rule", "x' = 1"),
    ("sum rule", "(u + v)' = u' + v'"),
    ("constant multiple rule", "(c*u)' = c*u'"),
    ("product rule", "(u*v)' = u'*v + u*v'"),
    ("collect equal factors", "u*u*…*u = u**n first, then the power rule"),
    ("quotient rule", "(u/v)' = (u'*v - u*v')/v**2"),
    ("reciprocal rule", "(c/v)' = -c*v'/v**2"),
    ("power rule", "(x**n)' = n*x**(n - 1)"),
    ("power rule with chain rule", "(u**n)' = n*u**(n - 1)*u'"),
    ("exponential rule", "(a**u)' = a**u*log(a)*u'"),
    ("general power rule", "(u**v)' = u**v*(v'*log(u) + v*u'/u)"),
    ("log-base rule", "log(u, b)' = u'/(u*log(b))"),
    ("change of base", "log(u, b) = log(u)/log(b) when the base varies"),
    ("chain rule", "f(u)' = f'(u)*u'"),
    ("multivariable chain rule",
     "f(u1, u2)' = f_1*u1' + f_2*u2', f_i the partial w.r.t. argument i"),
]

#: Names of the extra arguments of several-argument functions, for their rows.
_EXTRA = {"log": ("b",), "leaky_relu": ("a",)}


def rule_names() -> list[str]:
    """Every rule name ``--steps`` may print: the structural rules and one per function."""
    return [name for name, _ in STRUCTURAL] + [f"{name} rule" for name in FUNCTIONS]


def rows() -> list[dict[str, str]]:
    """One row per registry function (and one more for each form with several
    arguments): name, aliases, derivative, domain, LaTeX, the rule's name."""
    x = Var("x")
    out = []
    for row in FUNCTIONS.values():
        forms = [(x,)]
        if row.arity > 1:
            forms.append((x, *map(Var, _EXTRA.get(row.name, ("b",))[: row.arity - 1])))
        for args in forms:
            f = Call(row.name, args)
            d = row.d(*args)
            shown = to_str(d)
            latex = f"\\frac{{\\partial}}{{\\partial x}} {to_latex(f)} = {to_latex(d)}"
            rest = row.d_rest(*args) if len(args) > 1 and row.d_rest else ()
            if rest:
                # partials w.r.t. the other arguments, as d/dx: …; d/da: …
                shown = "; ".join(
                    [f"d/dx: {shown}"]
                    + [f"d/d{a.name}: {to_str(p)}" for a, p in zip(args[1:], rest, strict=True)]
                )
                latex += "".join(
                    f", \\quad \\frac{{\\partial}}{{\\partial {a.name}}} {to_latex(f)} = "
                    f"{to_latex(p)}" for a, p in zip(args[1:], rest, strict=True)
                )
            out.append(
                {
                    "function": to_str(f),
                    "rule": "log-base rule" if row.name == "log" and len(args) > 1 else
                    f"{row.name} rule",
                    "aliases": ", ".join(row.aliases),
                    "derivative": shown,
                    "domain": row.domain,
                    "latex": latex,
                    "note": row.doc,
                }
            )
    return out


def markdown() -> str:
    lines = ["| function | derivative | domain | also written | rule |", "|---|---|---|---|---|"]
    for r in rows():
        lines.append(f"| `{r['function']}` | `{r['derivative']}` | {r['domain']} | "
                     f"{r['aliases'] and '`' + r['aliases'] + '`'} | {r['rule']} |")
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
        for col in ("function", "derivative", "domain", "also written", "rule"):
            table.add_column(col, overflow="fold")  # formulas wrap, never cut with an ellipsis
        for r in rows():
            table.add_row(r["function"], r["derivative"], r["domain"], r["aliases"], r["rule"])
        rules = Table(title="structural rules (applied once each, with the chain rule)")
        rules.add_column("rule", overflow="fold")
        rules.add_column("form", overflow="fold")
        for name, form in STRUCTURAL:
            rules.add_row(name, form)
        console = Console(file=out)
        console.print(table)
        console.print(rules)
    return 0
