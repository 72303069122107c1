"""`gdcli sweep` (SPEC §5): many learning rates at once, vectorised with numpy, each rate
under minimize's stopping rules; the rows, the fastest rate, the boundaries and the theory."""

import json
import math

import numpy as np
import pytest

from gdcli.commands.sweep import parse_rates, rates
from gdcli.errors import InputError
from gdcli.optim.engine import run_quiet
from gdcli.optim.methods import METHODS
from gdcli.optim.problem import Problem
from gdcli.optim.setup import build_settings
from gdcli.optim.sweep import MAX_RATES, run_sweep, sweep_source, theory

from .conftest import run_gdcli

WORKED = ("sweep", "x**2-4*x+6", "--x0", "8")


# --- the worked example: fastest 0.5 = 1/f'', limit 1.0 = 2/f'' ---
def test_worked_example_table(cli):
    r = cli(*WORKED, "--lr", "0.1:1.5:15")
    assert r.exit_code == 0
    out = r.stdout
    assert "fastest: lr = 0.5, converged in 1 iteration; theory: fastest 1/f'' = 0.5" in out
    assert "divergence from lr = 1.1 (lr = 1 does not diverge); theory: limit 2/f'' = 1" in out
    assert "oscillation from lr = 0.6 (lr = 0.5 does not oscillate)" in out
    assert "15 rates: 9 converged, 1 stopped at the iteration limit, 5 diverged" in out
    row = next(line for line in out.splitlines() if "fastest" in line and "│" in line)
    assert row.split("│")[1].strip() == "0.5"


def test_worked_example_json(cli):
    r = cli(*WORKED, "--lr", "0.1:1.5:15", "--format", "json")
    doc = json.loads(r.stdout)
    assert list(doc) == ["expr", "method", "variables", "rows", "fastest", "boundaries",
                         "theory"]
    assert doc["expr"] == "x**2-4*x+6" and doc["method"] == "gd" and doc["variables"] == ["x"]
    assert len(doc["rows"]) == 15
    assert all(list(row) == ["lr", "status", "iterations", "x", "f"] for row in doc["rows"])
    assert [row["lr"] for row in doc["rows"]][:5] == [0.1, 0.2, 0.3, 0.4, 0.5]
    assert doc["rows"][4] == {"lr": 0.5, "status": "converged", "iterations": 1,
                              "x": {"x": 2.0}, "f": 2.0}
    assert doc["fastest"] == {"lr": 0.5, "iterations": 1}
    assert doc["boundaries"] == {"oscillation": {"lr": 0.6, "after": 0.5},
                                 "divergence": {"lr": 1.1, "after": 1.0}}
    th = doc["theory"]
    assert th["fastest"] == 0.5 and th["limit"] == 1.0 and th["curvature"] == [2.0]
    assert th["formulas"] == {"fastest": "1/f''", "oscillation": "1/f''", "limit": "2/f''"}
    assert r.exit_code == 0


def test_csv_and_tsv_headers(cli):
    lines = cli(*WORKED, "--lr", "0.4:0.6:3", "--format", "csv").stdout.splitlines()
    assert lines == ["lr,status,iterations,x,f", "0.4,converged,13,2.0000000049152,2",
                     "0.5,converged,1,2,2", "0.6,converged,13,1.9999999950848,2"]
    r = cli("sweep", "(1-x)**2 + 100*(y-x**2)**2", "--x0=-1.2,1", "--lr", "1e-4:1e-3:2",
            "--format", "tsv")
    assert r.stdout.splitlines()[0] == "lr\tstatus\titerations\tx\ty\tf"
    assert r.exit_code == 0


def test_one_rate_and_log_spacing(cli):
    doc = json.loads(cli(*WORKED, "--lr", "0.5:0.5:1", "--format", "json").stdout)
    assert [row["lr"] for row in doc["rows"]] == [0.5]
    doc = json.loads(cli(*WORKED, "--lr", "1e-3:1:4", "--log", "--format", "json").stdout)
    assert [row["lr"] for row in doc["rows"]] == [0.001, 0.01, 0.1, 1.0]


def test_rates_are_the_nearest_floats_to_the_decimals():
    assert rates(*parse_rates("0.1:1.5:15"), log=False)[2] == 0.3  # not 0.30000000000000004
    assert rates(*parse_rates("0.1:1.5:15"), log=False) == [i / 10 for i in range(1, 16)]
    lin = rates(*parse_rates("1e-5:1e-2:1000"), log=False)
    assert lin[0] == 1e-5 and lin[-1] == 1e-2 and len(lin) == 1000
    assert all(a < b for a, b in zip(lin, lin[1:], strict=False))


# --- bad input: exit 2, one short message ---
@pytest.mark.parametrize(("lr", "words"), [
    ("0.1", "takes START:STOP:COUNT"),
    ("0.1:1", "takes START:STOP:COUNT"),
    ("0.1:1:5:7", "takes START:STOP:COUNT"),
    ("a:1:5", "START must be a number"),
    ("0.1:1e:5", "STOP must be a number"),
    ("0:1:5", "START must be a positive number"),
    ("-0.1:1:5", "START must be a positive number"),
    ("1e-400:1:5", "START must be a positive number"),
    ("0.1:1e400:5", "STOP must be a positive number"),
    ("1:0.5:5", "STOP must be greater than START"),
    ("0.5:0.5:5", "STOP must be greater than START"),
    ("0.1:1:1", "one rate but two ends"),
    ("0.1:1:0", "at least 1"),
    ("0.1:1:2.5", "whole number"),
    ("0.1:1:1e3", "whole number"),
    ("0.1:1:-3", "whole number"),
    ("1e-3:1:1000000000", "at most 100,000"),
    ("1e-3:1:" + "9" * 5000, "whole number"),
])
def test_malformed_rates(cli, lr, words):
    r = cli(*WORKED, "--lr", lr)
    assert r.exit_code == 2
    assert words in r.stderr
    assert len(r.stderr.splitlines()) == 1 and len(r.stderr) < 300
    assert r.stdout == ""


def test_count_bound_is_documented_constant():
    assert MAX_RATES == 100_000
    parse_rates(f"1e-3:1:{MAX_RATES}")
    with pytest.raises(InputError):
        parse_rates(f"1e-3:1:{MAX_RATES + 1}")


@pytest.mark.parametrize(("args", "words"), [
    ((), "give the learning rates"),
    (("--lr", "0.1:1:3", "--method", "newton"), "sweep does not run newton"),
    (("--lr", "0.1:1:3", "--method", "adamm"), "did you mean 'adam'"),
    (("--lr", "0.1:1:3", "--beta1", "0.5"), "not a hyperparameter of gd"),
    (("--lr", "0.1:1:3", "--method", "momentum", "--momentum", "1"), "momentum"),
    (("--lr", "0.1:1:3", "--max-iter", "0"), "--max-iter"),
    (("--lr", "0.1:1:3", "--schedule", "cosine", "--lr-min", "0.5"), "--lr-min"),
])
def test_bad_options(cli, args, words):
    r = cli(*WORKED, *args)
    assert r.exit_code == 2
    assert words in r.stderr
    assert len(r.stderr.splitlines()) <= 2


def test_as_users_run_it():
    r = run_gdcli(*WORKED, "--lr", "0.1:1.5:15", "--format", "csv")
    assert r.returncode == 0 and r.stdout.decode().startswith("lr,status,iterations,x,f\n")
    r = run_gdcli(*WORKED, "--lr", "1e-3:1:1000000000")
    assert r.returncode == 2 and b"Traceback" not in r.stderr
    assert r.stderr.decode().startswith("error: --lr COUNT must be at most 100,000")


# --- each rate is a run of minimize ---
PROBLEMS = [
    ("x**2-4*x+6", (8.0,)),
    ("(1-x)**2 + 100*(y-x**2)**2", (-1.2, 1.0)),
    ("(x**2+y-11)**2 + (x+y**2-7)**2", (0.0, 0.0)),
    ("(1.5-x+x*y)**2 + (2.25-x+x*y**2)**2 + (2.625-x+x*y**3)**2", (1.0, 1.0)),
    ("x - log(x)", (3.0,)),
    ("-x**2", (1.0,)),
]


def _same(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


@pytest.mark.parametrize("method", list(METHODS))
def test_every_rate_agrees_with_minimize(method):
    """Every method of the registry: each rate's status, iterations and final point are
    those of a plain minimize run at that rate (the same stopping rules, the same
    arithmetic). Newton is refused (its Hessian solve is not vectorised)."""
    rates_ = [1e-3, 0.02, 0.3, 1.2]
    for text, x0 in PROBLEMS:
        problem = Problem(text)
        st = build_settings(method, rates_[0], max_iter=300)
        if METHODS[method].hessian:
            with pytest.raises(InputError, match="does not run"):
                run_sweep(problem, x0, st, rates_)
            return
        sw = run_sweep(problem, x0, st, rates_)
        for i, lr in enumerate(rates_):
            o = run_quiet(problem, x0, build_settings(method, lr, max_iter=300))
            got = (sw.status[i], sw.iterations[i])
            assert got == (o.status, o.iterations), (text, method, lr)
            assert all(map(_same, sw.x[i], o.x)), (text, method, lr, sw.x[i], o.x)
            assert (sw.f[i] is None) == (o.f is None)


@pytest.mark.parametrize("schedule", ["step", "exp", "cosine", "inverse"])
def test_schedules_agree_with_minimize(schedule):
    problem = Problem("(x**2+y-11)**2 + (x+y**2-7)**2")
    x0, lrs = (0.0, 0.0), [1e-3, 0.01, 0.03]
    for method in ("gd", "adam"):
        st = build_settings(method, lrs[0], max_iter=400, schedule=schedule)
        sw = run_sweep(problem, x0, st, lrs)
        for i, lr in enumerate(lrs):
            o = run_quiet(problem, x0, build_settings(method, lr, max_iter=400,
                                                      schedule=schedule))
            assert (sw.status[i], sw.iterations[i]) == (o.status, o.iterations)
            assert all(map(_same, sw.x[i], o.x))


def test_a_value_numpy_would_absorb_still_stops_the_rate():
    """Python raises where x**3 overflows; numpy's inf would vanish in sigmoid(inf) = 1
    and leave a finite gradient. The sweep tests that value, as minimize stops there."""
    problem = Problem("sigmoid(x**3) - x")
    assert "badg" in sweep_source(problem, build_settings(), with_f=False)
    x0, lrs = (5e102,), [1e101, 1e102]
    sw = run_sweep(problem, x0, build_settings("gd", 1e101, max_iter=50), lrs)
    for i, lr in enumerate(lrs):
        o = run_quiet(problem, x0, build_settings("gd", lr, max_iter=50))
        assert (sw.status[i], sw.iterations[i], sw.x[i]) == (o.status, o.iterations, o.x)
    assert sw.status[1] == "diverged"


def test_plain_gradients_pay_for_no_tests():
    src = sweep_source(Problem("(1-x)**2 + 100*(y-x**2)**2"), build_settings(), False)
    assert "bad" not in src and "_isfin" not in src


def test_stopping_rules_per_rate(cli):
    """Runaway, a step out of the domain and no minimum, each rate on its own."""
    doc = json.loads(cli("sweep", "-x**2", "--x0", "1", "--lr", "0.1:0.5:2", "--format",
                         "json").stdout)
    # minimize says the same: far out and still falling at 0.1, overflow at 0.5
    assert [row["status"] for row in doc["rows"]] == ["max_iter", "diverged"]
    doc = json.loads(cli("sweep", "x - log(x)", "--x0", "3", "--lr", "0.5:5:2", "--format",
                         "json").stdout)
    assert [row["status"] for row in doc["rows"]] == ["converged", "diverged"]
    assert doc["rows"][1]["f"] is None or math.isfinite(doc["rows"][1]["f"])
    r = cli("sweep", "exp(-x)", "--x0", "0", "--lr", "0.5:1:2", "--format", "csv")
    assert r.exit_code == 0 and ",converged," not in r.stdout


def test_maximize_and_fixed_values(cli):
    doc = json.loads(cli("sweep", "a - (x-1)**2", "--x0", "3", "--at", "a=5", "--maximize",
                         "--lr", "0.25:0.75:3", "--format", "json").stdout)
    assert doc["fastest"] == {"lr": 0.5, "iterations": 1}
    assert doc["rows"][1]["f"] == 5.0 and doc["rows"][1]["x"] == {"x": 1.0}
    assert doc["theory"]["fastest"] == 0.5 and doc["theory"]["limit"] == 1.0


# --- theory beside the sweep ---
def test_theory_for_several_variables_and_momentum():
    p = Problem("x**2 + 10*y**2")  # Hessian eigenvalues 2 and 20
    th = theory(p, (1.0, 1.0), build_settings("gd"))
    assert th.curvature == (2.0, 20.0)
    assert th.limit == pytest.approx(0.1) and th.fastest == pytest.approx(2 / 22)
    mom = theory(p, (1.0, 1.0), build_settings("momentum"))
    assert mom.limit == pytest.approx(2 * 1.9 / 20) and mom.fastest is None
    assert theory(p, (1.0, 1.0), build_settings("adam")) is None
    assert theory(Problem("x**4"), (1.0,), build_settings("gd")) is None
    assert theory(p, (1.0, 1.0), build_settings("gd", schedule="exp")) is None


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
def test_theory_limit_is_where_the_sweep_diverges(method):
    """The linear theory's limit, checked by the engine: rates 2% below it do not
    diverge, rates 2% above it do."""
    p = Problem("3*x**2 + 2*x")
    st = build_settings(method, max_iter=3000)
    lim = theory(p, (1.0,), st).limit
    sw = run_sweep(p, (1.0,), st, [0.98 * lim, 1.02 * lim])
    assert sw.status == ("converged", "diverged")


def test_gd_fastest_rate_for_two_variables_is_near_theory(cli):
    doc = json.loads(cli("sweep", "x**2 + 10*y**2", "--x0", "1,1", "--lr", "0.05:0.099:50",
                         "--format", "json").stdout)
    assert abs(doc["fastest"]["lr"] - 2 / 22) <= 0.002
    assert doc["theory"]["formulas"]["fastest"] == "2/(λmin + λmax)"


# --- the table ---
def test_table_fits_the_width_and_never_cuts_a_number(cli, monkeypatch):
    args = ("sweep", "(1-x)**2 + 100*(y-x**2)**2", "--x0=-1.5,2", "--lr", "1e-4:1e-3:5",
            "--log", "--max-iter", "50")
    full = cli(*args, "--format", "csv").stdout.splitlines()[1:]
    monkeypatch.setenv("COLUMNS", "70")
    r = cli(*args)
    assert r.exit_code == 0
    rows = [line for line in r.stdout.splitlines() if "│" in line]
    assert rows and max(len(line) for line in rows) <= 70
    assert "to fit 70 columns" in r.stdout
    for line, csv in zip(rows, full, strict=True):  # every number whole, only rounded
        lr, x = line.split("│")[1].strip(), line.split("│")[4].strip()
        assert float(lr) == pytest.approx(float(csv.split(",")[0]), rel=1e-3)
        assert float(x) == pytest.approx(float(csv.split(",")[3]), rel=1e-3)
    monkeypatch.setenv("COLUMNS", "40")
    r = cli(*args)
    assert "one record per block" in r.stdout and "lr = 0.0001" in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()[:-6]) <= 40


def test_long_sweep_shows_the_rows_that_matter(cli):
    r = cli(*WORKED, "--lr", "0.01:1.5:150")
    out = r.stdout
    assert "of 150 rates not shown: --format csv for all" in out
    assert "⋮" in out and "fastest" in out
    assert len(out.splitlines()) < 60


def test_a_rate_that_cannot_be_evaluated_is_null_in_json(cli):
    r = cli("sweep", "sqrt(x)", "--x0", "1", "--lr", "1:10:2", "--format", "json")
    doc = json.loads(r.stdout)  # valid JSON: no NaN or Infinity
    assert doc["rows"][1]["status"] == "diverged"
    assert r.exit_code == 0


def test_rates_pass_through_numpy_unchanged():
    lrs = rates(*parse_rates("1e-5:1e-2:1000"), log=True)
    assert lrs == [float(v) for v in np.geomspace(1e-5, 1e-2, 1000)]


# --- on a terminal: a progress bar, and Ctrl-C ---
def test_progress_bar_then_ctrl_c_shows_the_rates_so_far():
    import re
    import signal
    import sys

    if sys.platform == "win32":  # pragma: no cover
        pytest.skip("POSIX ptys")
    from .test_progress import BAR, Pty

    t = Pty("sweep", "x**2", "--x0", "1", "--lr", "1e-9:1:3", "--tol", "0", "--max-iter",
            "100000000")
    assert t.read_until(re.compile(rb"sweep gd, 3 rates.*?[1-9]\d*/100000000", re.S))
    t.proc.send_signal(signal.SIGINT)
    assert t.finish() == 130
    text = t.output.decode(errors="replace")
    assert BAR.search(t.output) and "Traceback" not in text
    tail = text[text.index("gradient descent on f(x) = x**2"):]
    assert "interrupted (Ctrl-C) at iteration" in tail and "2 rates still running" in tail
    # lr 1e-9 crawls and lr = 1 bounces between ±1: both still running, shown as max_iter;
    # lr ≈ 0.5 has converged
    assert re.search(r"│\s+1 │ max_iter", tail) and "1 converged" in tail


def test_no_bar_in_pipes():
    r = run_gdcli(*WORKED, "--lr", "0.1:1.5:15")
    assert r.returncode == 0 and b"\x1b" not in r.stdout + r.stderr and r.stderr == b""


# --- the vectorised loop's shortcuts change no rate's outcome ---
@pytest.mark.parametrize("method", [m for m in METHODS if not METHODS[m].hessian])
def test_many_rates_agree_with_minimize(method):
    """Many rates at once, so that rates stop at many different steps (frozen in the
    loop, then dropped a quarter at a time) and some leave the box or run away: every
    rate's status and iteration count are minimize's, its point equal to 1e-12."""
    cases = [("x**2-4*x+6", (8.0,), 0.01, 1.05), ("(x**2+y-11)**2 + (x+y**2-7)**2", (0.0, 0.0),
                                                 1e-3, 0.04)]
    for text, x0, lo, hi in cases:
        problem = Problem(text)
        lrs = list(np.geomspace(lo, hi, 24))
        st = build_settings(method, lrs[0], max_iter=400)
        sw = run_sweep(problem, x0, st, lrs)
        for i, lr in enumerate(lrs):
            o = run_quiet(problem, x0, build_settings(method, float(lr), max_iter=400))
            assert (sw.status[i], sw.iterations[i]) == (o.status, o.iterations), (text, lr)
            assert all(map(_same, sw.x[i], o.x)), (text, method, lr, sw.x[i], o.x)


def test_xtol_and_fixed_point_stops_agree_with_minimize():
    """Steps that shrink (--xtol) and a step that no longer moves x (fixed): the hot path
    lets them through only as candidates; the exact tests are minimize's."""
    for text, x0, lrs, kw, hows in [
        ("x**2", (1.0,), [0.05, 0.1, 0.3, 0.7], {"xtol": 1e-6}, {"xtol"}),
        ("(x-2)**2 + 3", (8.0,), [0.05, 0.1, 0.3, 0.7], {"xtol": 0.0}, {"fixed", "gradient"}),
        ("(x-1)**2 + 10*(y+2)**2", (0.0, 0.0), [0.01, 0.03, 0.09], {"xtol": 1e-9}, {"xtol"}),
        ("(x-1)**2 + 10*(y+2)**2", (0.0, 0.0), [0.01, 0.03, 0.09], {"xtol": 0.0}, {"fixed"}),
    ]:
        problem = Problem(text)
        st = build_settings("gd", lrs[0], max_iter=5000, tol=0.0, **kw)
        sw = run_sweep(problem, x0, st, lrs)
        assert set(sw.how) == hows, (text, sw.how)
        for i, lr in enumerate(lrs):
            o = run_quiet(problem, x0, build_settings("gd", lr, max_iter=5000, tol=0.0, **kw))
            assert (sw.status[i], sw.iterations[i]) == (o.status, o.iterations), (text, lr)
            assert sw.x[i] == o.x, (text, lr)


def test_squares_are_numpy_products():
    """x**2 is x*x in the vectorised loop (numpy's square, correctly rounded), numbers
    are 0-d arrays bound once, and a + (-1)*b is a - b."""
    src = sweep_source(Problem("(1-x)**2 + 100*(y-x**2)**2"), build_settings(), False)
    assert "(v0 * v0)" in src and "**" not in src.split("\n", 1)[1]
    assert "(v1 - t0)" in src and "(-1.0)" not in src and "_arr(" in src
