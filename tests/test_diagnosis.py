"""Every diagnosis true, every piece of advice helpful (issue 7 §2, SPEC §4 `reason`).

Each case here was reported wrong: the message said something false or advised what
cannot help. The checks are on the JSON (status, reason, analysis.kind) and on the words.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from gdcli.optim.engine import Settings, iterate, run_quiet
from gdcli.optim.problem import Problem

#: Advice that can only help where a smaller learning rate or more iterations would help.
SMALLER = "smaller --lr"
MORE = "raise --max-iter"


def run_json(cli, expr, *args):
    r = cli("minimize", expr, *args, "--format", "json")
    assert r.exit_code in (0, 3, 4), r.output
    doc = json.loads(r.stdout)
    assert r.stderr.endswith(doc["message"] + "\n")  # after a stability warning, if any
    return r.exit_code, doc


# --- tolerances do what their names say ---
def test_small_lr_converging_steadily_is_not_called_too_large(cli):
    code, doc = run_json(cli, "x**2-4*x+6", "--x0", "8", "--lr", "0.001")
    assert (code, doc["status"], doc["reason"]) == (4, "max_iter", "slow_descent")
    msg = doc["message"]
    assert "too large" not in msg and SMALLER not in msg and not re.search(r"(?<![e\d])-0\b", msg)
    assert MORE in msg and "more iterations would reach --tol" in msg
    assert "next 63" not in msg and "probe" not in msg


def test_tol_alone_decides(cli):
    code, doc = run_json(cli, "x**2-4*x+6", "--x0", "8", "--tol", "10")
    assert (code, doc["status"], doc["reason"]) == (0, "converged", "gradient")
    assert doc["iterations"] == 1
    assert doc["x"]["x"] == 6.8


def test_tiny_xtol_does_not_stall_or_blame_tol(cli):
    code, doc = run_json(cli, "x**2-4*x+6", "--x0", "8", "--xtol", "1e-20")
    assert (code, doc["status"]) == (0, "converged")
    assert "--tol" in doc["message"] and "loosen" not in doc["message"]


def test_xtol_alone_decides():
    out = run_quiet(Problem("x**2-4*x+6"), [8], Settings(gtol=0, xtol=1e-6))
    assert out.status == "converged" and out.reason == "gradient" and "--xtol" in out.message
    assert abs(out.x[0] - 2) <= 1e-5 * 3  # within about xtol*(1 + |x|) of the limit


def test_machine_precision_is_convergence(cli):
    code, doc = run_json(cli, "x**2-4*x+6", "--x0", "8", "--tol", "0", "--xtol", "0")
    assert (code, doc["status"], doc["reason"]) == (0, "converged", "machine_precision")
    assert abs(doc["x"]["x"] - 2) < 1e-14


def test_a_step_below_float_resolution_far_from_a_minimum_is_not_convergence(cli):
    code, doc = run_json(cli, "x**2-4*x+6", "--x0", "8", "--lr", "1e-20")
    assert (code, doc["status"], doc["reason"]) == (4, "max_iter", "slow_descent")
    assert "raise --lr" in doc["message"] and doc["iterations"] == 0


# --- functions without a minimum ---
@pytest.mark.parametrize(
    ("expr", "x0", "extra", "status", "reason"),
    [
        ("-exp(x)", "0", [], "diverged", "unbounded_below"),
        ("log(x)", "1", [], "diverged", "domain"),
        ("x", "0", [], "max_iter", "no_minimum"),
        ("exp(-x)", "0", [], "max_iter", "no_minimum"),
        ("exp(-x)", "0", ["--lr", "1e6"], "max_iter", "vanishing_gradient"),  # f' underflows
        ("sqrt(x)", "1", [], "diverged", "domain"),
        ("-x**2", "1", [], "diverged", "unbounded_below"),
        ("-x**2", "-1", ["--max-iter", "5"], "max_iter", "no_minimum"),
        ("x**3", "1", [], "max_iter", "no_minimum"),
        ("2*x + 3*y", "1,1", [], "max_iter", "no_minimum"),
        ("3 - x", "0", ["--max-iter", "50"], "max_iter", "no_minimum"),
        ("exp(-x)", "0", ["--lr", "30"], "max_iter", "no_minimum"),  # |f'| below --tol
        ("(sigmoid(1.5*w + b) - 1)**2/2", "0,0", [], "max_iter", "no_minimum"),  # the ML case
    ],
)
def test_no_minimum_gets_the_truth_and_no_useless_advice(cli, expr, x0, extra, status, reason):
    _, doc = run_json(cli, expr, f"--x0={x0}", *extra)
    assert (doc["status"], doc["reason"]) == (status, reason), doc["message"]
    msg = doc["message"]
    assert SMALLER not in msg and MORE not in msg
    assert "no minimum" in msg or "without bound" in msg or "no stationary point" in msg


def test_kink_oscillation_is_explained_and_advice_is_honest(cli):
    code, doc = run_json(cli, "abs(x)", "--x0", "1", "--lr", "0.3")
    assert (code, doc["reason"]) == (4, "oscillation")
    msg = doc["message"]
    assert "kink" in msg and MORE not in msg and "overshooting the minimum" not in msg


# --- oscillation: its amplitude as it is, and what it straddles ---
@pytest.mark.parametrize(("lr", "trend"), [("1.00001", "growing"), ("0.9999", "shrinking"),
                                           ("1", "steady")])
def test_amplitude_trend_is_true(cli, lr, trend):
    _, doc = run_json(cli, "x**2", "--x0", "1", "--lr", lr)
    assert doc["reason"] == "oscillation"
    assert f"{trend} amplitude" in doc["message"]
    assert "next" not in doc["message"]  # no hidden probe beyond the run


def test_shrinking_oscillation_says_it_would_converge(cli):
    _, doc = run_json(cli, "x**2", "--x0", "1", "--lr", "0.9999")
    assert "would converge" in doc["message"] and MORE in doc["message"]


def test_two_cycle_across_a_maximum_is_not_called_overshooting_the_minimum(cli):
    _, doc = run_json(cli, "-x*sin(x)", "--x0", "6.5", "--lr", "2")
    assert doc["reason"] == "oscillation"
    assert "maximum" in doc["message"] and "overshooting the minimum" not in doc["message"]


# --- what kind of point the run ended at ---
def test_saddle_is_reported(cli):
    code, doc = run_json(cli, "x**2 - y**2", "--x0=1,0")
    assert (code, doc["status"], doc["analysis"]["kind"]) == (0, "converged", "saddle")
    assert "saddle" in doc["message"]
    r = cli("minimize", "x**2 - y**2", "--x0=1,0", "--quiet")
    assert "saddle" in r.stderr


def test_maximum_is_reported(cli):
    code, doc = run_json(cli, "-x**2", "--x0", "0")
    assert (code, doc["analysis"]["kind"]) == (0, "maximum")
    assert "maximum, not a minimum" in doc["message"]
    assert "maximum" in cli("minimize", "-x**2", "--x0", "0", "--quiet").stderr


def test_inflection_is_not_a_minimum():
    out = run_quiet(Problem("x**5"), [1], Settings(lr=0.1, max_iter=10**6))
    assert out.kind != "minimum"


def test_local_minimum_is_said_to_be_local(cli):
    r = cli("minimize", "x**4 - 2*x**2 + 0.5*x", "--x0", "1")
    assert r.exit_code == 0 and "local minimum only" in r.stdout
    r = cli("minimize", "x**4 - 2*x**2 + 0.5*x", "--x0", "-2", "--lr", "0.01")
    assert r.exit_code == 0 and "local minimum only" not in r.stdout  # the global one


def test_a_loose_tolerance_does_not_call_the_point_a_local_minimum(cli):
    r = cli("minimize", "x**2-4*x+6", "--x0", "8", "--tol", "10")
    assert "local minimum" not in r.stdout


def test_flat_tail_is_a_plateau_not_convergence(cli):
    code, doc = run_json(cli, "(x-3)**2*exp(x)", "--x0", "4", "--lr", "0.25")
    assert (code, doc["status"], doc["reason"]) == (4, "max_iter", "plateau")
    assert doc["analysis"]["kind"] == "flat"


def test_vanishing_gradient_is_named(cli):
    _, doc = run_json(cli, "sigmoid(x)", "--x0", "-800")
    assert (doc["status"], doc["reason"]) == ("max_iter", "vanishing_gradient")


# --- numbers in messages ---
def test_gradient_norm_does_not_overflow_when_squared(cli):
    r = cli("minimize", "-x**2", "--x0", "1")
    assert r.exit_code == 3 and "= inf" not in r.stdout and "|gradient| = 2.93e+154" in r.stdout


def test_huge_curvature_does_not_crash_the_eigenvalues(cli):
    r = cli("minimize", "1e155*x**2", "--x0", "1")
    assert r.exit_code == 3 and "internal error" not in r.stderr
    assert "stability limit" in r.stdout


def test_second_order_check_reads_as_math(cli):
    assert "f'' = 2 > 0" in cli("minimize", "x**2-4*x+6", "--x0", "8").stdout


def test_messages_use_shortest_numbers(cli):
    r = cli("minimize", "log(x)", "--x0", "-1")
    assert r.exit_code == 2 and "-1.0" not in r.stderr and "x = -1" in r.stderr


def test_explain_shows_a_first_step_out_of_the_domain(cli):
    r = cli("minimize", "log(x)", "--x0", "0.05", "--explain")
    assert r.exit_code == 3
    assert r.stdout.startswith("x1 = 0.05 - 0.1*(1/0.05) = -1.95")
    assert "outside the domain" in r.stdout.splitlines()[0]


# --- the JSON contract (SPEC §4) ---
def test_json_settings_and_analysis(cli):
    _, doc = run_json(cli, "x**2-4*x+6", "--x0", "8")
    assert doc["reason"] == "gradient"
    assert doc["settings"] == {"x0": {"x": 8.0}, "method": "gd", "lr": 0.1, "tol": 1e-8,
                               "xtol": 1e-10, "max_iter": 10000, "maximize": False, "fixed": {},
                               "schedule": "constant", "line_search": False}
    a = doc["analysis"]
    assert a["kind"] == "minimum" and a["stability_limit"] == 1.0
    assert a["stationary_points"] == [{"x": 2.0, "exact": "2", "kind": "minimum", "f": 2.0}]


def test_at_holds_variables_fixed(cli):
    expr = "(sigmoid(w*x+b)-y)**2/2"
    _, doc = run_json(cli, expr, "--x0", "w=0.5", "--x0", "b=0", "--at", "x=1.5", "--at", "y=1",
                      "--max-iter", "50")
    assert doc["variables"] == ["b", "w"] and doc["settings"]["fixed"] == {"x": 1.5, "y": 1.0}
    h = doc["history"]
    assert h[1]["f"] < h[0]["f"]
    # the first gradient by hand: (ŷ - y)·ŷ(1 - ŷ)·x for w, without x for b
    yhat = 1 / (1 + math.exp(-0.75))
    assert h[0]["grad"]["w"] == pytest.approx((yhat - 1) * yhat * (1 - yhat) * 1.5, rel=1e-12)
    assert h[0]["grad"]["b"] == pytest.approx((yhat - 1) * yhat * (1 - yhat), rel=1e-12)


@pytest.mark.parametrize(("args", "words"), [
    (["--at", "z=1"], "--at names z"),
    (["--at", "x=1", "--at", "x=2"], "twice"),
    (["--at", "x"], "VAR=VALUE"),
    (["--at", "y=2", "--x0", "x=1", "--x0", "y=1"], "--x0 names y"),
])
def test_at_errors(cli, args, words):
    r = cli("minimize", "x**2 + x*y", *(["--x0", "1"] if "--x0" not in args else []), *args)
    assert r.exit_code == 2 and words in r.stderr, r.stderr


def test_maximize_is_gradient_ascent(cli):
    code, doc = run_json(cli, "-(x-1)**2 + 3", "--x0", "3", "--maximize")
    assert (code, doc["status"], doc["analysis"]["kind"]) == (0, "converged", "maximum")
    h = doc["history"]
    assert [r["x"]["x"] for r in h[:3]] == [3, 2.6, 2.2800000000000002]
    assert h[0]["f"] == -1.0 and h[0]["grad"]["x"] == -4.0  # the user's f and f', not -f
    assert doc["f"] == pytest.approx(3)
    table = cli("minimize", "-(x-1)**2 + 3", "--x0", "3", "--maximize", "--explain").stdout
    assert table.startswith("x1 = 3 + 0.1*(2 - 2*3) = 2.6")
    assert "f'' = -2 < 0" in table


def test_maximize_without_a_maximum(cli):
    _, doc = run_json(cli, "x**2", "--x0", "1", "--maximize")
    assert doc["status"] == "diverged" and "increases without bound" in doc["message"]


# --- contradictory options ---
@pytest.mark.parametrize("args", [
    ["--quiet", "--explain"], ["--quiet", "--every", "2"], ["--quiet", "--format", "csv"],
    ["--quiet", "--precision", "3"], ["--format", "csv", "--every", "2"],
    ["--format", "json", "--explain"], ["--format", "ndjson", "--precision", "3"],
    ["--lr", "0.1", "--lr", "0.2"],
])
def test_contradictory_options_are_errors(cli, args):
    r = cli("minimize", "x**2", "--x0", "1", *args)
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_second_stdin_line_is_a_plain_error(cli):
    r = cli("minimize", "-", "--x0", "1", input="x**2\ny**2\n")
    assert r.exit_code == 2 and "reads one expression" in r.stderr
    assert "U+000A" not in r.stderr and "\ufffd" not in r.stderr


# --- the generated loop ---
def test_many_variables_step_independently():
    """Names in the generated loop cannot collide, whatever the number of variables."""
    n = 12
    text = " + ".join(f"(x{i} - {i})**2" for i in range(n))
    gen = iterate(Problem(text), [0.0] * n, Settings(lr=0.1, max_iter=3))
    rows = []
    try:
        while True:
            rows.append(next(gen))
    except StopIteration:
        pass
    names = sorted(f"x{i}" for i in range(n))
    for k, row in enumerate(rows):
        for j, name in enumerate(names):
            target = int(name[1:])
            assert row[2 + j] == pytest.approx(target * (1 - 0.8**k)), (k, name)


# --- Ctrl-C ---
def _wait_until_busy(proc: subprocess.Popen, cpu: float = 1.0, timeout: float = 60) -> None:
    """Wait until the child has used ``cpu`` seconds of CPU time (past its imports, in its
    loop, its Ctrl-C handler set): a fixed sleep is too short on a loaded machine."""
    stat = f"/proc/{proc.pid}/stat"
    if not os.path.exists(stat):  # pragma: no cover - not Linux
        time.sleep(3)
        return
    tick = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(stat) as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / tick >= cpu:
            return
        time.sleep(0.05)

@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("mode", [["--format", "csv"], [], ["--quiet"]])
def test_ctrl_c_prints_what_there_is_and_exits_130(mode):
    proc = subprocess.Popen(
        [sys.executable, "-m", "gdcli", "minimize", "x**2", "--x0", "1", "--lr", "1e-9",
         "--max-iter", "100000000", *mode],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"},
    )
    _wait_until_busy(proc)  # started and iterating (the run takes minutes)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    text = (out + err).decode()
    assert "interrupted at iteration" in text and "Traceback" not in text
    if mode == ["--format", "csv"]:
        assert out.decode().startswith("iter,x,f,grad_x\n0,1,1,2\n")
    if mode == []:
        assert "final point" in out.decode()


def test_kink_slopes_are_the_slopes(cli):
    """The slope on either side of the kink of abs is ±1 whatever the bounce width."""
    _, doc = run_json(cli, "abs(x)", "--x0", "1", "--lr", "0.3")
    assert "jumps from -1 to 1" in doc["message"] or "jumps from 1 to -1" in doc["message"]


@pytest.mark.parametrize("expr", ["tanh(x)", "-log(x)", "1/x", "softplus(x)"])
def test_bounded_functions_have_no_minimum(cli, expr):
    _, doc = run_json(cli, expr, "--x0", "1")
    assert doc["reason"] == "no_minimum", doc["message"]
