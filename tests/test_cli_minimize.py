"""`gdcli minimize` as users run it (SPEC §2, §4)."""

import json

import pytest

from .conftest import run_gdcli

WORKED = ("minimize", "x**2-4*x+6", "--x0", "8", "--lr", "0.1")


def test_worked_example_table(cli):
    r = cli(*WORKED)
    assert r.exit_code == 0
    out = r.stdout
    for value in ("6.8", "5.84", "5.072", "4.4576"):
        assert f" {value} " in out
    assert "converged in" in out
    assert "f'(x) = 2*x - 4 = 0 at x = 2 (minimum)" in out
    assert "stability limit 2/f'' = 1 for this quadratic" in out
    assert "not shown" in out  # long runs show the first and last rows only


def test_worked_example_csv(cli):
    r = cli(*WORKED, "--format", "csv")
    lines = r.stdout.splitlines()
    assert lines[:5] == [
        "iter,x,f,grad_x",
        "0,8,38,12",
        "1,6.8,25.039999999999996,9.6",
        "2,5.84,16.745599999999996,7.68",
        "3,5.072,11.437184000000002,6.144",
    ]
    last = lines[-1].split(",")
    assert abs(float(last[1]) - 2) < 1e-8
    assert r.exit_code == 0
    assert r.stderr.startswith("converged in")


def test_worked_example_tsv(cli):
    lines = cli(*WORKED, "--format", "tsv").stdout.splitlines()
    assert lines[0] == "iter\tx\tf\tgrad_x"
    assert lines[2] == "1\t6.8\t25.039999999999996\t9.6"


def test_worked_example_json(cli):
    doc = json.loads(cli(*WORKED, "--format", "json").stdout)
    assert set(doc) == {"expr", "method", "variables", "status", "reason", "message",
                        "iterations", "x", "f", "grad", "settings", "analysis", "history"}
    assert doc["status"] == "converged" and doc["method"] == "gd"
    assert doc["variables"] == ["x"]
    assert [h["x"]["x"] for h in doc["history"][:4]] == [8, 6.8, 5.84, 5.072]
    assert doc["history"][0] == {"iter": 0, "x": {"x": 8.0}, "f": 38.0, "grad": {"x": 12.0}}
    assert len(doc["history"]) == doc["iterations"] + 1
    assert abs(doc["x"]["x"] - 2) < 1e-8


def test_worked_example_ndjson(cli):
    lines = cli(*WORKED, "--format", "ndjson").stdout.splitlines()
    recs = [json.loads(line) for line in lines]
    assert [r["x"]["x"] for r in recs[:3]] == [8, 6.8, 5.84]
    assert recs[-1]["iter"] == len(recs) - 1


def test_worked_example_quiet(cli):
    r = cli(*WORKED, "--quiet")
    assert r.exit_code == 0 and r.stderr == ""
    assert abs(float(r.stdout) - 2) < 1e-8 and len(r.stdout.split()) == 1


def test_explain(cli):
    out = cli(*WORKED, "--explain").stdout.splitlines()
    assert out[:3] == [
        "x1 = 8 - 0.1*(2*8 - 4) = 6.8",
        "x2 = 6.8 - 0.1*(2*6.8 - 4) = 5.84",
        "x3 = 5.84 - 0.1*(2*5.84 - 4) = 5.072",
    ]


def test_divergence_exit_3_with_reason(cli):
    r = cli("minimize", "x**2-4*x+6", "--x0", "8", "--lr", "1.1", "--format", "csv")
    assert r.exit_code == 3
    assert "diverged at iteration" in r.stderr and "smaller --lr" in r.stderr
    assert "above the stability limit" in r.stderr
    assert "nan" not in r.stdout and "inf" not in r.stdout


def test_oscillation_exit_4(cli):
    r = cli("minimize", "x**2", "--x0", "1", "--lr", "1", "--max-iter", "200")
    assert r.exit_code == 4
    assert "oscillate" in r.stdout


@pytest.mark.parametrize("x0", [["--x0", "x=1", "--x0", "y=2"], ["--x0=1,2"], ["--x0", "1,2"],
                                ["--x0", "y=2", "--x0", "x=1"]])
def test_several_variables(cli, x0):
    r = cli("minimize", "(x+2*y-7)**2 + (2*x+y-5)**2", *x0, "--lr", "0.05", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["variables"] == ["x", "y"]
    assert doc["history"][0]["x"] == {"x": 1.0, "y": 2.0}
    assert doc["x"]["x"] == pytest.approx(1, abs=1e-7)
    assert doc["x"]["y"] == pytest.approx(3, abs=1e-7)


def test_several_variables_table_and_csv(cli):
    args = ("minimize", "(x+2*y-7)**2 + (2*x+y-5)**2", "--x0=1,2", "--lr", "0.05")
    assert cli(*args, "--format", "csv").stdout.splitlines()[0] == "iter,x,y,f,grad_x,grad_y"
    table = cli(*args).stdout
    assert "∂f/∂x" in table and "∂f/∂y" in table
    assert cli(*args, "--quiet").stdout.count(" ") == 1


def test_bounded_table_rows(cli):
    r = cli("minimize", "x**2", "--x0", "1", "--lr", "1e-4", "--max-iter", "20000")
    assert r.exit_code == 4
    assert len(r.stdout.splitlines()) < 45
    r = cli("minimize", "x**2", "--x0", "1", "--lr", "1e-4", "--max-iter", "20000", "--every", "1")
    assert len(r.stdout.splitlines()) < 260


def test_every(cli):
    out = cli(*WORKED, "--every", "10").stdout
    assert "│ 10 " in out and "│ 20 " in out and "│ 11 " not in out


def test_expression_from_stdin(cli):
    r = cli("minimize", "-", "--x0", "8", "--quiet", input="x**2-4*x+6\n")
    assert abs(float(r.stdout) - 2) < 1e-8


def test_leading_minus_expression(cli):
    r = cli("minimize", "-cos(x)", "--x0", "1", "--quiet")
    assert r.exit_code == 0 and abs(float(r.stdout)) < 1e-7


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["x**2", "--x0", "y=1"], "--x0 names y"),
        (["x*y", "--x0", "x=1"], "no start value for y"),
        (["x*y", "--x0", "1,2,3"], "3 value(s) for 2 variable(s)"),
        (["x**2"], "give a start"),
        (["x**2", "--x0", "abc"], "not an expression in abc"),
        (["x**2", "--x0", "1e999"], "overflows float64"),
        (["x**2", "--x0", "1", "--lr", "0"], "--lr must be a positive"),
        (["x**2", "--x0", "1", "--lr", "-0.1"], "--lr must be a positive"),
        (["x**2", "--x0", "1", "--lr", "nan"], "--lr must be a positive"),
        (["x**2", "--x0", "1", "--lr", "inf"], "--lr must be a positive"),
        (["x**2", "--x0", "1", "--tol", "-1"], "--tol must be a finite number ≥ 0"),
        (["x**2", "--x0", "1", "--max-iter", "0"], "--max-iter must be at least 1"),
        (["log(x)", "--x0", "-1"], "outside the domain"),
        (["5", "--x0", "1"], "no variables"),
        (["sinn(x)", "--x0", "1"], "unknown function"),
    ],
)
def test_bad_input_exit_2(cli, args, words):
    r = cli("minimize", *args)
    assert r.exit_code == 2, r.output
    assert words in r.stderr
    assert "Traceback" not in r.stderr


def test_non_numeric_lr_is_a_usage_error():
    r = run_gdcli("minimize", "x**2", "--x0", "1", "--lr", "fast")
    assert r.returncode == 2 and b"Traceback" not in r.stderr


def test_subprocess_exit_codes():
    assert run_gdcli(*WORKED, "--quiet").returncode == 0
    assert run_gdcli("minimize", "x**2", "--x0", "8", "--lr", "1.1", "--quiet").returncode == 3
    r = run_gdcli("minimize", "x**2", "--x0", "8", "--lr", "1", "--quiet", "--max-iter", "50")
    assert r.returncode == 4 and b"oscillate" in r.stderr
