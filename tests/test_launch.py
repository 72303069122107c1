"""The fast path (derive/eval without importing typer) must behave exactly like the
typer app: same options, same outputs, same exit codes."""

import os
import subprocess
import sys

import pytest
from typer.main import get_command

from gdcli.cli import app
from gdcli.launch import FAST, parse_fast


def _typer_options(name):
    cmd = get_command(app).commands[name]
    out = {}
    for p in cmd.params:
        if p.param_type_name != "option":
            continue
        kind = "flag" if p.is_flag else "multi" if p.multiple else "value"
        choices = getattr(p.type, "choices", None)
        if choices:
            kind = tuple(str(getattr(c, "value", c)) for c in choices)
        elif p.type.name in ("int", "integer"):
            kind = "int"
        out[p.opts[0]] = kind
    return out


@pytest.mark.parametrize("name", list(FAST))
def test_fast_options_match_the_typer_command(name):
    assert FAST[name] == _typer_options(name)


def test_parse_fast_takes_only_plain_forms():
    assert parse_fast(["derive", "tan(x)"]) == ("derive", "tan(x)", {})
    assert parse_fast(["derive", "-x**2", "--order=2"]) == ("derive", "-x**2", {"--order": 2})
    assert parse_fast(["derive", "--at", "x=1", "x", "--at", "y=2"]) == (
        "derive", "x", {"--at": ["x=1", "y=2"]})
    # --wrt is repeatable (the mixed partial), --hessian a flag
    assert parse_fast(["derive", "x*y", "--wrt", "x", "--wrt=y", "--hessian"]) == (
        "derive", "x*y", {"--wrt": ["x", "y"], "--hessian": True})
    for argv in (["derive", "--help"], ["derive", "x", "--bogus"], ["derive"], ["rules"],
                 ["derive", "x", "y"], ["derive", "x", "--order", "two"],
                 ["derive", "x", "--format", "yaml"], ["derive", "x", "--order"],
                 ["minimize", "x", "--x0", "1"], [],
                 ["sweep", "x", "--lr", "0.1:1:3", "--save-config", "c.toml"],
                 ["sweep", "x", "--lr", "0.1:1:3", "--tol", "1e"]):
        assert parse_fast(argv) is None, argv
    assert parse_fast(["sweep", "x", "--tol", "1e-3", "--lr", "0.1:1:3"]) == (
        "sweep", "x", {"--tol": 1e-3, "--lr": "0.1:1:3"})


CASES = [
    ["derive", "tan(x)"],
    ["derive", "-x**2"],
    ["derive", "x**2*y", "--wrt", "y"],
    ["derive", "x**2*y"],
    ["derive", "tan(x)", "--order", "3"],
    ["derive", "tan(x)", "--order", "50"],
    ["derive", "x**2-4*x+6", "--at", "x=8"],
    ["derive", "sin(x**2)", "--steps", "--format", "json"],
    ["derive", "log(x, 2)", "--format=latex"],
    ["derive", "x**x", "--check"],
    ["derive", "sinn(x)"],
    ["derive", "x", "--at", "x"],
    ["derive", "x", "--order", "two"],
    ["derive", "x", "--bogus"],
    ["eval", "x**2-4*x+6", "--at", "x=8"],
    ["eval", "log(-1)"],
    ["eval", "x*y", "--at", "x=2", "--at", "y=3", "--format", "json"],
    ["derive", "x**2*y", "--wrt", "x", "--wrt", "y"],
    ["derive", "x**2*y", "--hessian", "--format", "latex"],
    ["derive", "x**2*y", "--hessian", "--order", "2"],
    ["derive", "x**2", "--wrt", "z"],
    ["derive", "log(x)", "--at", "x=-1"],
    ["derive", "sqrt(x-1e15)", "--check"],
    ["derive", "x**2", "--steps", "--format", "latex"],
    ["derive", "sin^2(x)"],
    ["eval", "x**2", "--at", "y=2"],
    ["eval", "tan(pi/2)"],
    ["sweep", "x**2-4*x+6", "--x0", "8", "--lr", "0.1:1.1:11"],
    ["sweep", "x**2-4*x+6", "--x0", "8", "--lr", "0.1:1.1:11", "--format", "csv"],
    ["sweep", "(1-x)**2+100*(y-x**2)**2", "--x0=-1.5,2", "--lr", "1e-5:1e-2:50", "--log",
     "--max-iter", "200", "--format", "json"],
    ["sweep", "x**2", "--x0", "1", "--lr", "0.01:0.5:5", "--method", "adam", "--beta1", "0.8",
     "--schedule", "exp", "--gamma", "0.9"],
    ["sweep", "x**2", "--x0", "1", "--lr", "0.01:0.5:5", "--momentum", "1"],
    ["sweep", "x**2", "--x0", "1", "--lr", "0.01:0.5:5", "--beta1", "abc"],
    ["sweep", "x**2", "--x0", "1", "--lr", "0.01:0.5:5", "--format", "xml"],
    ["sweep", "x**2", "--x0", "1", "--lr", "1e-3:1:1000000000"],
    ["sweep", "x*y", "--x0", "x=1", "--at", "y=2", "--lr", "0.1:0.2:2", "--maximize"],
    ["sweep", "-x**2", "--x0", "1", "--lr", "0.1:0.2:2", "--max-iter", "-3"],
    ["sweep", "x**2", "--x0", "1", "--lr", "0.1:0.2:2", "--tol", "0.1", "--tol", "0.2"],
]


def _run(argv, fast, stdin=b""):
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80"}
    if not fast:
        env["GDCLI_NO_FASTPATH"] = "1"
    r = subprocess.run([sys.executable, "-m", "gdcli", *argv], input=stdin,
                       capture_output=True, env=env, timeout=30)
    return r.returncode, r.stdout, r.stderr


@pytest.mark.parametrize("argv", CASES, ids=" ".join)
def test_fast_path_is_indistinguishable(argv):
    assert _run(argv, fast=True) == _run(argv, fast=False)


@pytest.mark.parametrize("extra", [[], ["--format", "json"], ["--hessian"], ["--steps"]])
def test_fast_path_batch(extra):
    data = b"tan(x)\nsinn(x)\nx**3*y\nsin^2(x)\n"
    argv = ["derive", "-", *extra]
    assert _run(argv, True, data) == _run(argv, False, data)


def test_fast_path_does_not_import_typer():
    code = ("import sys; from gdcli.launch import main; main(['derive', 'tan(x)']); "
            "sys.stdout.write(' typer' if 'typer' in sys.modules else ' -')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out == "sec(x)**2\n -"
