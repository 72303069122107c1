"""Published optimization test functions through `gdcli minimize`, as a table to read.

    python bench/test_functions.py            # every case in tests/published_functions.py
    python bench/test_functions.py beale      # only the cases whose id contains "beale"

Each case runs twice as a user would (``python -m gdcli minimize … --format json``):
with its stable learning rate, to see where plain gradient descent ends up and how far
that is from the published minimum, and with its unstable one, to see at which iteration
gdcli reports divergence. Times are wall clock per process (start-up included). The
script exits 1 if a stable run does not converge to the listed minimum or an unstable run
is not reported as diverged.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_table():  # noqa: ANN201 - the module is imported from the repository root
    sys.path.insert(0, str(ROOT))
    return importlib.import_module("tests.published_functions")


def point(values) -> str:  # noqa: ANN001
    return "(" + ", ".join(f"{v:.10g}" for v in values) + ")"


def render(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def main(argv: list[str]) -> int:
    pf = load_table()
    cases = [c for c in pf.CASES if not argv or any(a in c.id for a in argv)]
    if not cases:
        print(f"no case id contains any of {argv}", file=sys.stderr)
        return 2
    good_rows, bad_rows, failures = [], [], []
    total = 0.0
    for case in cases:
        proc, secs = pf.run_cli(case, case.lr, "--format", "json")
        total += secs
        out = json.loads(proc.stdout)
        x = tuple(out["x"][v] for v in case.variables)
        dx = pf.distance(x, case.target.point)
        df = out["f"] - case.target.value if out["f"] is not None else float("nan")
        ok = (
            proc.returncode == 0
            and out["status"] == "converged"
            and dx <= case.x_tol
            and abs(df) <= case.f_tol
        )
        if not ok:
            failures.append(f"{case.id} lr={case.lr}: {out['message']}")
        good_rows.append(
            [
                case.name,
                point(case.start),
                f"{case.lr:g}",
                out["status"],
                str(out["iterations"]),
                point(x),
                f"{dx:.1e}",
                f"{df:+.1e}",
                f"{secs:.2f}",
                "" if ok else "FAIL",
            ]
        )

        proc, secs = pf.run_cli(case, case.bad_lr, "--format", "json")
        total += secs
        out = json.loads(proc.stdout)
        ok = proc.returncode == 3 and out["status"] == "diverged"
        if not ok:
            failures.append(f"{case.id} lr={case.bad_lr}: {out['message']}")
        why = out["message"].split(": ", 1)[-1].split("; try")[0]
        if why.startswith("the iterates are running away"):
            why = "the iterates are running away"  # the far-out point itself is long
        bad_rows.append(
            [
                case.name,
                f"{case.bad_lr:g}",
                f"{2 / case.curvature[1]:.3g}",
                out["status"],
                str(out["iterations"]),
                why,
                f"{secs:.2f}",
                "" if ok else "FAIL",
            ]
        )

    print(
        f"gdcli minimize on {len(cases)} published test functions "
        f"(plain GD, --tol 1e-8; Python {platform.python_version()})\n"
    )
    print("Stable learning rate: where gradient descent ends up")
    print(
        render(
            [
                "function",
                "start",
                "lr",
                "status",
                "iters",
                "final point",
                "|x-x*|",
                "f-f*",
                "time s",
                "",
            ],
            good_rows,
            right={2, 4, 6, 7, 8},
        )
    )
    print(
        "\nUnstable learning rate: where gdcli reports divergence "
        "(2/λmax: the stability limit at the minimum)"
    )
    print(
        render(
            [
                "function",
                "lr",
                "2/λmax",
                "status",
                "at iter",
                "why (gdcli's message)",
                "time s",
                "",
            ],
            bad_rows,
            right={1, 2, 4, 6},
        )
    )
    print(f"\n{2 * len(cases)} runs, {total:.1f} s in total")
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
