"""Published optimization test functions through `gdcli minimize`, as users run it.

The table is ``tests/published_functions.py`` (shared with ``bench/test_functions.py``).
For every case:

* the reference minima are re-verified with SymPy at 50 digits, and the learning rates
  are checked against the stability limit 2/λmax of the Hessian;
* the stable lr converges (exit 0) to the listed minimum within ``Case.x_tol`` and
  ``Case.f_tol`` (derived in the table module), ``--quiet`` prints the same final point,
  and ``--format csv`` has ``iterations + 1`` rows under ``iter,<vars>,f,grad_<vars>``;
* the unstable lr is reported as diverged (exit 3) with the iteration in the message.

Every run is a subprocess (`python -m gdcli`), three at a time: 132 runs, about 27 s of
CPU; 15-20 s wall on an idle 2-core machine (no case takes over 5 s, so none is `slow`).
"""

from __future__ import annotations

import csv
import io
import json
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import pytest
import sympy

from .published_functions import CASES, Case, distance, run_cli, shortest

PREC = 50  # working digits for the SymPy checks


def _params(cases=CASES):
    return [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.slow else []) for c in cases]


# --- the table itself ---
def test_table_covers_the_required_functions():
    names = " ".join(c.name for c in CASES)
    for required in ("Rosenbrock", "Himmelblau", "Booth", "Beale", "Matyas",
                     "Three-hump camel", "Sphere"):
        assert required in names
    assert len({c.id for c in CASES}) == len(CASES)
    one_var = {c.expr for c in CASES if len(c.variables) == 1}
    assert len(one_var) >= 4
    himmelblau = [c for c in CASES if c.name.startswith("Himmelblau")]
    assert all(len(c.minima) == 4 for c in himmelblau)
    assert {c.expect for c in himmelblau} == {0, 1, 2, 3}  # the start decides which
    for c in CASES:
        assert c.source and c.lr_why and c.bad_why
        assert 0 < c.lr < c.bad_lr
        assert len(c.start) == len(c.variables) == len(c.target.x)


@cache
def _sym(expr: str):
    f = sympy.sympify(expr, rational=True, locals={"pi": sympy.pi})
    xs = sorted(f.free_symbols, key=lambda s: s.name)
    grad = [sympy.diff(f, v) for v in xs]
    hess = sympy.hessian(f, xs)
    return f, xs, grad, hess


def _at(expr: str, point) -> dict:
    _, xs, _, _ = _sym(expr)
    return {v: sympy.Float(p, PREC) for v, p in zip(xs, point, strict=True)}


def _eigenvalues(expr: str, point) -> list[float]:
    import numpy as np

    _, _, _, hess = _sym(expr)
    h = hess.subs(_at(expr, point)).evalf(PREC)
    return sorted(np.linalg.eigvalsh(np.array(h.tolist(), dtype=float)))


@pytest.mark.parametrize("case", _params())
def test_reference_minima_are_minima(case: Case):
    """Each listed minimum is a root of ∇f at 50 digits with a positive definite Hessian
    and the listed value; the recorded curvature is that of the expected minimum."""
    f, xs, grad, _ = _sym(case.expr)
    assert tuple(v.name for v in xs) == case.variables
    for m in case.minima:
        at = _at(case.expr, m.x)
        for g in grad:
            assert abs(g.subs(at).evalf(PREC)) < 1e-18, (m, g)
        assert abs(f.subs(at).evalf(PREC) - sympy.Float(m.f, PREC)) < 1e-18
        assert _eigenvalues(case.expr, m.x)[0] > 0
    lam = _eigenvalues(case.expr, case.target.x)
    assert lam[0] == pytest.approx(case.curvature[0], rel=1e-5)
    assert lam[-1] == pytest.approx(case.curvature[1], rel=1e-5)
    assert (case.target.kind == "local") == ("local" in case.id)


def _start_limit(case: Case) -> float | None:
    """2/λmax of the Hessian at the start; None where λmax <= 0 (gdcli gives no limit)."""
    lam = _eigenvalues(case.expr, case.start)[-1]
    return 2 / lam if lam > 0 else None


@pytest.mark.parametrize("case", _params())
def test_learning_rates_against_the_stability_limit(case: Case):
    at_min = 2 / case.curvature[1]
    at_start = _start_limit(case)
    # the stable rate is below the limit both at the minimum and at the start
    assert case.lr < at_min
    assert at_start is None or case.lr < at_start
    # the unstable rate is above one of them (for non-quadratics, usually well above)
    assert case.bad_lr > min(at_min, at_start or at_min)


# --- gdcli ---
def _runs(case: Case, lr: float, *formats: tuple[str, ...]):
    """The same run in several output formats, as concurrent subprocesses."""
    with ThreadPoolExecutor(len(formats)) as pool:
        return list(pool.map(lambda extra: run_cli(case, lr, *extra)[0], formats))


JSON, QUIET, CSV = ("--format", "json"), ("--quiet",), ("--format", "csv")


def _csv_rows(case: Case, text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    grads = [f"grad_{v}" for v in case.variables]
    assert rows[0] == ["iter", *case.variables, "f", *grads]
    return rows[1:]


@pytest.mark.parametrize("case", _params())
def test_stable_lr_converges_to_the_listed_minimum(case: Case):
    proc, quiet, table = _runs(case, case.lr, JSON, QUIET, CSV)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "converged", out["message"]
    assert out["variables"] == list(case.variables)
    assert out["iterations"] <= case.max_iter
    assert proc.stderr == out["message"] + "\n"  # no stability warning: lr is below it
    x = tuple(out["x"][v] for v in case.variables)
    # the start decides which minimum: the expected one, and it is the nearest listed one
    nearest = min(case.minima, key=lambda m: distance(x, m.point))
    assert nearest is case.target, (x, nearest)
    assert distance(x, case.target.point) <= case.x_tol, x
    assert abs(out["f"] - case.target.value) <= case.f_tol, out["f"]
    gn = sum(g * g for g in out["grad"].values()) ** 0.5
    assert gn <= 1e-8 or "(--xtol)" in out["message"], out["message"]
    history = out["history"]
    assert len(history) == out["iterations"] + 1
    assert [history[-1]["x"][v] for v in case.variables] == list(x)

    # --quiet: the same final point, space-separated shortest-repr floats, nothing on stderr
    assert quiet.returncode == 0
    assert quiet.stdout == " ".join(shortest(v) for v in x) + "\n"
    assert quiet.stderr == ""

    # --format csv: one row per state x_0 … x_k, the last one the final point
    assert table.returncode == 0
    rows = _csv_rows(case, table.stdout)
    assert len(rows) == out["iterations"] + 1
    assert [int(r[0]) for r in rows] == list(range(out["iterations"] + 1))
    assert [float(c) for c in rows[0][1 : 1 + len(x)]] == list(case.start)
    assert rows[-1][1 : 1 + len(x)] == [shortest(v) for v in x]
    assert table.stderr == out["message"] + "\n"


@pytest.mark.parametrize("case", _params())
def test_unstable_lr_diverges(case: Case):
    proc, quiet, table = _runs(case, case.bad_lr, JSON, QUIET, CSV)
    assert proc.returncode == 3, proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "diverged", out["message"]
    k = out["iterations"]
    assert 1 <= k <= case.max_iter
    assert f"diverged at iteration {k}:" in out["message"]
    # gdcli warns about the rate when it is at or above 2/λmax at the start
    at_start = _start_limit(case)
    should_warn = at_start is not None and case.bad_lr >= at_start
    assert ("warning: --lr" in proc.stderr) == should_warn, proc.stderr
    assert proc.stderr.endswith(out["message"] + "\n")

    # --quiet: the same point (the one the message names), the message on stderr
    assert quiet.returncode == 3
    assert quiet.stdout == " ".join(shortest(out["x"][v]) for v in case.variables) + "\n"
    assert quiet.stderr == out["message"] + "\n"

    # --format csv matches the JSON history. A runaway iterate is finite and is the last
    # row (iterations + 1 rows); an iterate outside the domain or with an overflowed f has
    # no finite row ("never a table of nan", SPEC §4), so the rows stop at x_{k-1}.
    assert table.returncode == 3
    rows = _csv_rows(case, table.stdout)
    assert len(rows) == len(out["history"])
    if "running away" in out["message"]:
        assert len(rows) == k + 1
        assert rows[-1][1 : 1 + len(case.variables)] == [
            shortest(out["x"][v]) for v in case.variables
        ]
    else:
        assert len(rows) == k
