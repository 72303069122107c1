"""The scripting contract around every command (SPEC §2): output errors, option values,
options given twice."""

from __future__ import annotations

import os

import pytest

from .conftest import run_gdcli


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [
    ["derive", "x**2"],
    ["eval", "2", "--format", "json"],
    ["minimize", "x**2", "--x0", "1", "--format", "csv"],
    ["minimize", "x**2", "--x0", "1"],
    ["rules"],
])
def test_a_full_disk_is_a_one_line_error(args):
    with open("/dev/full", "wb") as full:
        import subprocess
        import sys

        r = subprocess.run([sys.executable, "-m", "gdcli", *args], stdout=full,
                           stderr=subprocess.PIPE, timeout=60,
                           env={**os.environ, "NO_COLOR": "1"})
    err = r.stderr.decode()
    assert r.returncode == 1, err
    assert err == "error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "+Infinity"])
def test_non_finite_values_are_refused_by_name(cli, value):
    r = cli("minimize", "x**2", f"--x0={value}")
    assert r.exit_code == 2 and f"must be a finite number, not {value}" in r.stderr
    r = cli("eval", "x", "--at", f"x={value}")
    assert r.exit_code == 2 and "finite" in r.stderr


def test_a_huge_integer_option_is_an_input_error():
    r = run_gdcli("derive", "x**3", "--order", "9" * 5000)
    assert r.returncode == 2 and b"internal error" not in r.stderr


@pytest.mark.parametrize("args", [
    ["derive", "x**2", "--order", "1", "--order", "2"],
    ["derive", "x**2", "--format", "json", "--format=text"],
    ["eval", "x", "--at", "x=1", "--format", "json", "--format", "text"],
    ["minimize", "x**2", "--x0", "1", "--max-iter", "5", "--max-iter", "6"],
    ["minimize", "x**2", "--x0", "1", "-q", "--quiet"],
    ["rules", "--format", "json", "--format", "markdown"],
])
def test_an_option_given_twice_is_an_input_error(args):
    r = run_gdcli(*args)
    assert r.returncode == 2 and b"given twice" in r.stderr and b"Traceback" not in r.stderr


def test_repeatable_options_stay_repeatable(cli):
    assert cli("derive", "x**2*y", "--wrt", "x", "--wrt", "y").stdout == "2*x\n"
    assert cli("eval", "x*y", "--at", "x=2", "--at", "y=3").stdout == "6\n"
    assert cli("minimize", "x*x+y*y", "--x0", "x=1", "--x0", "y=1", "--quiet").exit_code == 0


@pytest.mark.parametrize("value", ["1,", "1,,2", ",1"])
def test_empty_start_values_are_refused(cli, value):
    r = cli("minimize", "x*y", f"--x0={value}")
    assert r.exit_code == 2 and "an empty value" in r.stderr


@pytest.mark.parametrize("item", ["=", "x=", "=1"])
def test_at_needs_a_name_and_a_value(cli, item):
    r = cli("eval", "x", "--at", item)
    assert r.exit_code == 2 and "takes VAR=VALUE" in r.stderr


def test_a_long_unknown_method_is_answered_at_once(cli):
    r = cli("minimize", "x**2", "--x0", "1", "--method", "q" * 100_000)
    assert r.exit_code == 2 and "unknown method" in r.stderr and len(r.stderr) < 400
