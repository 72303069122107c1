"""`gdcli compare`: one problem under several methods (SPEC §5). Every run is the run
`minimize --method` makes (same engine, same start); the tests iterate the registry."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import signal
import subprocess
import sys
import time

import pytest
from rich.cells import cell_len

from gdcli.optim.methods import METHODS
from tests.conftest import run_gdcli

WORKED = ("x**2-4*x+6", "--x0", "8")
ROSEN = ("(1-x)**2+100*(y-x**2)**2", "--x0=-1.2,1")
RUN_KEYS = ["method", "settings", "status", "reason", "message", "iterations", "evaluations",
            "distance", "x", "f", "grad", "history"]


def compare_json(cli, *args: str) -> dict:
    r = cli("compare", *args, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def worked() -> dict:
    """Every registered method on the worked example, as JSON (the default --methods)."""
    r = run_gdcli("compare", *WORKED, "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_default_runs_every_method_in_registry_order(worked):
    assert list(worked) == ["expr", "variables", "runs"]
    assert worked["expr"] == "x**2-4*x+6" and worked["variables"] == ["x"]
    assert [r["method"] for r in worked["runs"]] == list(METHODS)
    for run in worked["runs"]:
        assert list(run) == RUN_KEYS
        assert run["settings"]["x0"] == {"x": 8}


@pytest.mark.parametrize("name", list(METHODS))
def test_each_run_is_the_minimize_run(cli, worked, name):
    run = next(r for r in worked["runs"] if r["method"] == name)
    alone = cli("minimize", *WORKED, "--method", name, "--format", "json")
    solo = json.loads(alone.stdout)
    for key in ("status", "reason", "message", "iterations", "x", "f", "grad", "settings",
                "history"):
        assert run[key] == solo[key], key


@pytest.mark.parametrize("name", list(METHODS))
def test_evaluations_and_distance(worked, name):
    run = next(r for r in worked["runs"] if r["method"] == name)
    k = run["iterations"]
    m = METHODS[name]
    assert run["evaluations"] == {"f": run["evaluations"]["f"], "grad": k + 1,
                                  "hessian": k if m.hessian else 0}
    assert run["evaluations"]["f"] == 0  # no line search
    xs = [h["x"]["x"] for h in run["history"]]
    assert run["distance"] == pytest.approx(math.fsum(abs(b - a) for a, b in zip(xs, xs[1:])),
                                            rel=1e-12)
    assert run["distance"] >= abs(run["x"]["x"] - 8) - 1e-9  # at least the straight line


def test_newton_one_step_and_marked_best(cli):
    r = cli("compare", *WORKED, "--methods", "gd,adam,newton")
    assert r.exit_code == 0
    out = r.stdout
    assert "newton ★" in out and "gd ★" not in out
    assert "★ newton: the fewest iterations among the runs that converged to a minimum" in out
    for name in ("gd", "adam", "newton"):
        assert f"\n{name}: converged in" in out  # each run's message under the table


def test_no_best_when_nothing_converges(cli):
    r = cli("compare", "exp(-x)", "--x0", "0", "--methods", "gd,adam", "--max-iter", "50")
    assert r.exit_code == 0
    assert "★" not in r.stdout and "no run converged to a minimum" in r.stdout


def test_a_saddle_is_not_best(cli):
    r = cli("compare", "x**2 - y**2", "--x0=1,0", "--methods", "gd,newton")
    assert r.exit_code == 0
    assert "converged (saddle)" in r.stdout and "★" not in r.stdout


def test_maximize_marks_the_maximum(cli):
    doc = compare_json(cli, "-(x-1)**2+3", "--x0", "3", "--maximize", "--methods", "gd,newton")
    assert [r["status"] for r in doc["runs"]] == ["converged", "converged"]
    assert all(r["f"] == pytest.approx(3) for r in doc["runs"])
    r = cli("compare", "-(x-1)**2+3", "--x0", "3", "--maximize", "--methods", "gd,newton")
    assert "newton ★" in r.stdout and "converged to a maximum" in r.stdout


def test_csv_and_tsv_one_row_per_run(cli):
    for fmt, sep in (("csv", ","), ("tsv", "\t")):
        r = cli("compare", *ROSEN, "--methods", "gd:lr=0.001,adam:lr=0.01,newton",
                "--format", fmt)
        assert r.exit_code == 0
        rows = list(csv.reader(io.StringIO(r.stdout), delimiter=sep))
        assert rows[0] == ["method", "lr", "status", "reason", "iterations", "evals_f",
                           "evals_grad", "evals_hessian", "distance", "x", "y", "f"]
        assert [row[0] for row in rows[1:]] == ["gd:lr=0.001", "adam:lr=0.01", "newton"]
        newton = dict(zip(rows[0], rows[-1], strict=True))
        assert newton["status"] == "converged" and newton["lr"] == "1"
        assert int(newton["evals_hessian"]) == int(newton["iterations"]) > 0
        assert float(newton["x"]) == pytest.approx(1) and float(newton["y"]) == pytest.approx(1)


def test_options_outside_apply_to_every_method_that_uses_them(cli):
    doc = compare_json(cli, *WORKED, "--lr", "0.05", "--momentum", "0.5", "--methods",
                       "gd,momentum,nesterov:momentum=0.8,newton,gd:lr=0.2")
    st = [r["settings"] for r in doc["runs"]]
    assert [s["lr"] for s in st] == [0.05, 0.05, 0.05, 0.05, 0.2]
    assert "momentum" not in st[0] and st[1]["momentum"] == 0.5 and st[2]["momentum"] == 0.8
    doc = compare_json(cli, *WORKED, "--line-search", "--methods", "gd,adam,newton:lr=2")
    assert [r["settings"]["line_search"] for r in doc["runs"]] == [True, False, True]
    doc = compare_json(cli, *WORKED, "--schedule", "exp", "--gamma", "0.9", "--max-iter", "50",
                       "--methods", "gd,adam:schedule=constant,gd:max_iter=20")
    st = [r["settings"] for r in doc["runs"]]
    assert [s["schedule"] for s in st] == ["exp", "constant", "exp"]
    assert st[0]["gamma"] == 0.9 and "gamma" not in st[1]
    assert [s["max_iter"] for s in st] == [50, 50, 20]


def test_item_settings(cli):
    doc = compare_json(cli, *WORKED, "--methods",
                       "adam:lr=0.3:beta1=0.8, gd:line_search=true:tol=1e-3 ,"
                       "rmsprop:decay=0.9:eps=1e-6:xtol=0,gd:schedule=step:step-size=5:gamma=0.5")
    st = [r["settings"] for r in doc["runs"]]
    assert (st[0]["lr"], st[0]["beta1"], st[0]["beta2"]) == (0.3, 0.8, 0.999)
    assert st[1]["line_search"] is True and st[1]["tol"] == 1e-3
    assert doc["runs"][1]["evaluations"]["f"] > 0  # the line search evaluates f
    assert (st[2]["decay"], st[2]["eps"], st[2]["xtol"]) == (0.9, 1e-6, 0)
    assert (st[3]["schedule"], st[3]["step_size"], st[3]["gamma"]) == ("step", 5, 0.5)


BAD = [
    ("", "--methods is empty"),
    (",", "item 1 of 2 is empty"),
    ("gd,,adam", "item 2 of 3 is empty"),
    ("gd,", "item 2 of 2 is empty"),
    ("adam:", "adam: an empty setting after ':'"),
    ("adam::lr=1", "adam: an empty setting after ':'"),
    ("adam:lr", "'lr' has no value"),
    ("adam:lr=", "lr= has no value"),
    ("adam:lr=x", "lr must be a number"),
    ("adam:lr=nan", "must be a finite number"),
    ("adam:lr=0", "--lr must be a positive finite number"),
    (":lr=1", "has no method before ':'"),
    ("adma", "unknown method 'adma' — did you mean 'adam'?"),
    ("gd,Newton", "did you mean 'newton'?"),
    ("adam:momentum=0.5", "momentum is not a hyperparameter of adam (its hyperparameters: "
                          "beta1, beta2, eps)"),
    ("gd:beta1=0.5", "beta1 is not a hyperparameter of gd (its hyperparameters: none)"),
    ("adam:bta1=0.5", "unknown setting 'bta1' — did you mean 'beta1'?"),
    ("adam:lr=0.1:lr=0.2", "lr is given twice"),
    ("adam,adam", "--methods lists adam twice"),
    ("adam,adam:beta1=0.9", "adam and adam:beta1=0.9 are the same run"),
    ("adam:beta1=1", "--beta1 must satisfy 0 ≤ beta1 < 1, got 1"),
    ("rmsprop:decay=0", "0 < decay < 1"),
    ("adam:eps=0", "0 < eps"),
    ("gd:max_iter=2.5", "max_iter must be a whole number"),
    ("gd:max_iter=0", "--max-iter must be at least 1"),
    ("gd:line_search=maybe", "line_search takes true or false"),
    ("adam:line_search=true", "--line-search goes with gd, newton, not adam"),
    ("gd:schedule=sometimes", "unknown schedule"),
    ("gd:gamma=0.5", "--gamma goes with --schedule"),
    (",".join(["gd"] * 65), "at most 64"),
]


@pytest.mark.parametrize(("methods", "said"), BAD, ids=[m[:30] for m, _ in BAD])
def test_malformed_methods_are_one_short_message(cli, methods, said):
    r = cli("compare", *WORKED, "--methods", methods)
    assert r.exit_code == 2
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert said in lines[0]


OUTSIDE = [
    (["--momentum", "0.5", "--methods", "gd,adam"], "--momentum is used by none of the listed "
     "methods (gd, adam); it goes with momentum, nesterov"),
    (["--line-search", "--methods", "adam,momentum"], "--line-search is used by none"),
    (["--gamma", "0.5", "--methods", "gd,adam"], "--gamma is used by none of the listed runs"),
    (["--step-size", "3", "--schedule", "exp"], "--step-size is used by none"),
    (["--beta1", "1"], "--beta1 must satisfy 0 ≤ beta1 < 1, got 1"),
    (["--lr", "-1"], "--lr must be a positive finite number"),
    (["--max-iter", "0"], "--max-iter must be at least 1"),
    (["--gamma", "-1", "--schedule", "exp"], "--gamma must be > 0"),
    (["--methods", "gd", "--x0", "y=1"], "--x0 names y"),
]


@pytest.mark.parametrize(("args", "said"), OUTSIDE, ids=[" ".join(a) for a, _ in OUTSIDE])
def test_options_outside_methods_are_checked(cli, args, said):
    r = cli("compare", "x**2-4*x+6", "--x0", "8", *args)
    assert r.exit_code == 2 and r.stdout == ""
    assert said in r.stderr and len(r.stderr.splitlines()) == 1


@pytest.mark.parametrize("methods", ["a" * 100_000, "gd:lr=" + "1" * 100_000,
                                     "gd:" + "k" * 100_000 + "=1", "gd:lr=1\x1b[31m",
                                     "adam:lr=0.1" + ",gd" * 30 + ",\n" * 3])
def test_hostile_methods_stay_short(methods):
    r = run_gdcli("compare", *WORKED, "--methods", methods)
    assert r.returncode == 2
    err = r.stderr.decode()
    assert err.startswith("error: ") and len(err) < 400 and len(err.splitlines()) <= 2
    assert "\x1b" not in err and "Traceback" not in err


@pytest.mark.parametrize("width", [40, 60, 80, 100, 160])
def test_table_fits_without_cutting(monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    r = run_gdcli("compare", *ROSEN, "--methods", "gd:lr=0.001,momentum:lr=0.001,adam,newton")
    assert r.returncode == 0
    out = r.stdout.decode()
    # the table (or its blocks) and the caption; the messages under it wrap as text
    body = out.split("\ngd:lr=0.001: ")[0].splitlines()
    assert max(cell_len(line) for line in body) <= width
    assert "…" not in out and all(line == line.rstrip() for line in out.splitlines())
    for label in ("gd:lr=0.001", "momentum:lr=0.001", "adam", "newton ★"):
        assert label in out


def test_stdin_expression_and_fixed_values():
    r = run_gdcli("compare", "-", "--x0", "w=0.5", "--x0", "b=0", "--at", "x=1.5", "--at", "y=1",
                  "--methods", "gd,adam", "--max-iter", "100", "--format", "json",
                  input="(sigmoid(w*x+b)-y)**2/2\n")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["variables"] == ["b", "w"]
    assert [r["settings"]["fixed"] for r in doc["runs"]] == [{"x": 1.5, "y": 1}] * 2


def test_machine_formats_are_finite_when_runs_diverge():
    r = run_gdcli("compare", *ROSEN, "--format", "json")
    assert r.returncode == 0
    doc = json.loads(r.stdout, parse_constant=lambda c: pytest.fail(f"non-finite {c}"))
    assert {run["status"] for run in doc["runs"]} >= {"diverged", "converged"}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_ends_the_current_run_and_prints_what_there_is():
    proc = subprocess.Popen(
        [sys.executable, "-m", "gdcli", "compare", "x**2", "--x0", "1", "--format", "csv",
         "--methods", "gd:lr=0.5,gd:lr=1e-9,adam", "--max-iter", "100000000", "--tol", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"},
    )
    time.sleep(2)  # in the second run (a generous bound: it takes minutes)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    rows = list(csv.reader(io.StringIO(out.decode())))
    assert [row[:4] for row in rows[1:]] == [["gd:lr=0.5", "0.5", "converged", "gradient"],
                                             ["gd:lr=1e-9", "1e-09", "max_iter", "interrupted"]]
    assert "not run: adam" in err.decode() and b"Traceback" not in err
