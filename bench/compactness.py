"""How compact are gdcli's derivatives next to SymPy's?  Run: python bench/compactness.py

For every corpus expression (tests/derivative_corpus.py) and every variable in it, the
first derivative is measured with ``sympy.count_ops`` in two forms:

* ours:  ``to_str(derivative(parse(f), v))`` read by ``to_sympy(..., opaque=True)``, so
  sigmoid, softplus, relu, heaviside and sign count as one function each, as they print;
* SymPy: ``sympy.diff`` of ``to_sympy(f)``, the function written in SymPy's elementary
  functions (sigmoid(u) = 1/(1 + exp(-u)), relu(u) = Max(0, u), ...), as a SymPy user
  has to write it, with no ``simplify`` call.

Both forms go through SymPy's automatic evaluation (``parse_expr`` evaluates, as
``diff`` does), so neither gains from a layout the other cannot express.

The ratio is plain ours/SymPy (no +1 smoothing). Cases where SymPy's count is 0 (a
constant or a single symbol) have no ratio: they are left out of the statistics and
counted separately, with any of them where ours is not 0 listed. Cases SymPy cannot
differentiate (it returns an unevaluated Derivative) are also left out and listed.

The output depends only on the corpus (fixed seed), gdcli and SymPy: no clock, no git.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sympy  # noqa: E402

from gdcli.expr.diff import derivative  # noqa: E402
from gdcli.expr.parser import parse  # noqa: E402
from gdcli.expr.printer import to_str  # noqa: E402
from tests.derivative_corpus import CORPUS, symbol, to_sympy, variables  # noqa: E402

#: Ratio above which a case is listed as an outlier.
OUTLIER = 1.5


def measure() -> tuple[list[dict], list[dict], list[dict]]:
    rows, zero, unevaluated = [], [], []
    for text in CORPUS:
        for var in variables(text):
            ours_text = to_str(derivative(parse(text), var))
            ours_ops = int(sympy.count_ops(to_sympy(ours_text, opaque=True)))
            theirs = sympy.diff(to_sympy(text), symbol(var))
            row = {
                "f": text,
                "var": var,
                "ours": ours_text,
                "ours_ops": ours_ops,
                "sympy": sympy.sstr(theirs),
                "delta": theirs.has(sympy.DiracDelta),
            }
            if theirs.has(sympy.Derivative):
                unevaluated.append(row)
                continue
            row["sympy_ops"] = int(sympy.count_ops(theirs))
            if row["sympy_ops"] == 0:
                zero.append(row)
                continue
            row["ratio"] = ours_ops / row["sympy_ops"]
            rows.append(row)
    return rows, zero, unevaluated


def show(row: dict) -> str:
    return (
        f"  d/d{row['var']} {row['f']}\n"
        f"    ratio {row['ratio']:.2f}  (ours {row['ours_ops']} ops, SymPy "
        f"{row['sympy_ops']} ops)\n"
        f"    ours : {row['ours']}\n"
        f"    sympy: {row['sympy']}"
    )


def main() -> int:
    rows, zero, unevaluated = measure()
    ratios = [r["ratio"] for r in rows]
    worst = max(rows, key=lambda r: (r["ratio"], r["ours_ops"]))
    ours_total = sum(r["ours_ops"] for r in rows)
    sympy_total = sum(r["sympy_ops"] for r in rows)
    print("gdcli vs SymPy: sympy.count_ops of the first derivative (ratio = ours/SymPy)")
    print(f"  corpus expressions               {len(CORPUS)}")
    print(f"  (expression, variable) cases     {len(rows) + len(zero) + len(unevaluated)}")
    print(f"  cases with a ratio               {len(rows)}")
    print(
        f"  skipped, SymPy count 0           {len(zero)}"
        f"  (ours also 0 in {sum(r['ours_ops'] == 0 for r in zero)})"
    )
    print(f"  skipped, SymPy left Derivative   {len(unevaluated)}")
    print(f"  median ratio                     {statistics.median(ratios):.3f}")
    print(f"  mean ratio                       {statistics.fmean(ratios):.3f}")
    smooth = [r["ratio"] for r in rows if not r["delta"]]
    print(
        f"  SymPy form has DiracDelta        {len(rows) - len(smooth)}"
        "  (SymPy's derivative of sign/heaviside; gdcli's is 0 off the jump)"
    )
    print(
        f"  median / mean without those      {statistics.median(smooth):.3f}"
        f" / {statistics.fmean(smooth):.3f}"
    )
    print(
        f"  total ops, ours / SymPy          {ours_total} / {sympy_total}"
        f" = {ours_total / sympy_total:.3f}"
    )
    print(f"  fraction of cases <= 1.0         {sum(x <= 1.0 for x in ratios) / len(ratios):.3f}")
    print(f"  fraction of cases <  1.0         {sum(x < 1.0 for x in ratios) / len(ratios):.3f}")
    print(f"  cases > {OUTLIER}                       {sum(x > OUTLIER for x in ratios)}")
    print(
        f"  worst ratio                      {worst['ratio']:.3f}  d/d{worst['var']} {worst['f']}"
    )
    print()
    print("10 worst cases:")
    for row in sorted(rows, key=lambda r: (-r["ratio"], -r["ours_ops"]))[:10]:
        print(show(row))
    outliers = [r for r in rows if r["ratio"] > OUTLIER]
    print()
    print(f"all cases with ratio > {OUTLIER}: {len(outliers)}")
    for row in sorted(outliers, key=lambda r: -r["ratio"]):
        print(show(row))
    print()
    nonzero = [r for r in zero if r["ours_ops"] != 0]
    print(f"SymPy count 0 but ours not 0: {len(nonzero)}")
    for row in nonzero:
        print(f"  d/d{row['var']} {row['f']}\n    ours : {row['ours']}\n    sympy: {row['sympy']}")
    if unevaluated:
        print()
        print("SymPy returned an unevaluated Derivative (no comparison):")
        for row in unevaluated:
            print(f"  d/d{row['var']} {row['f']}\n    ours : {row['ours']} ({row['ours_ops']} ops)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
