"""`gdcli derive`, `gdcli eval` and `gdcli rules` as users run them (SPEC §2, §3, §5)."""

import json

import pytest

from .conftest import run_gdcli


@pytest.mark.parametrize(
    ("expr", "out"),
    [
        ("tan(x)", "sec(x)**2\n"),
        ("x**2-4*x+6", "2*x - 4\n"),
        ("sigmoid(x)", "sigmoid(x)*(1 - sigmoid(x))\n"),
        ("-x**2", "-2*x\n"),
        ("-2*x + 1", "-2\n"),
    ],
)
def test_derive_prints_the_simplified_derivative(cli, expr, out):
    r = cli("derive", expr)
    assert r.exit_code == 0, r.output
    assert r.stdout == out


def test_leading_minus_expression_before_options(cli):
    r = cli("derive", "-x**3", "--order", "2")
    assert r.stdout == "-6*x\n"
    r = cli("derive", "--order", "2", "-x**3")
    assert r.stdout == "-6*x\n"


def test_output_feeds_back_into_gdcli(cli):
    first = cli("derive", "tan(x)").stdout.strip()
    assert cli("derive", first).stdout == "2*sec(x)**2*tan(x)\n"


def test_all_partials_with_several_variables(cli):
    r = cli("derive", "x**2*y + sin(y)")
    assert r.stdout == "d/dx: 2*x*y\nd/dy: x**2 + cos(y)\n"
    assert cli("derive", "x**2*y", "--wrt", "y").stdout == "x**2\n"


def test_order(cli):
    assert cli("derive", "x**4", "--order", "3").stdout == "24*x\n"
    r = cli("derive", "tan(x)", "--order", "50")
    assert r.exit_code == 2
    assert "--order must be between 1 and" in r.stderr


def test_at_prints_the_value(cli):
    r = cli("derive", "x**2-4*x+6", "--at", "x=8")
    assert r.stdout == "2*x - 4 = 12 at x = 8\n"
    r = cli("derive", "sin(x)", "--at", "x=pi/2", "--format", "json")
    assert json.loads(r.stdout)["value"] == pytest.approx(0, abs=1e-15)


def test_at_needs_every_variable(cli):
    r = cli("derive", "x*y", "--wrt", "x", "--at", "x=1")
    assert r.exit_code == 2
    assert "no value for y" in r.stderr


def test_json_contract(cli):
    r = cli("derive", "tan(x)", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc == {
        "expr": "tan(x)",
        "wrt": "x",
        "order": 1,
        "derivative": "sec(x)**2",
        "latex": "\\sec^{2}\\left(x\\right)",
    }
    doc = json.loads(cli("derive", "x**2", "--format", "json", "--steps", "--at", "x=3").stdout)
    assert doc["value"] == 6
    assert doc["steps"][0]["rule"] == "power rule"


def test_latex(cli):
    assert cli("derive", "log(x, 2)", "--format", "latex").stdout == (
        "\\frac{1}{x \\log\\left(2\\right)}\n"
    )


def test_steps_name_the_rules(cli):
    out = cli("derive", "sin(x**2)", "--steps").stdout.splitlines()
    assert out[0].startswith("chain rule: d/dx sin(x**2) = 2*x*cos(x**2)")
    assert "u = x**2" in out[0] and "u' = 2*x" in out[0] and "sin'(u) = cos(u)" in out[0]
    assert out[1].strip().startswith("power rule: d/dx x**2 = 2*x")
    assert out[-1] == "2*x*cos(x**2)"
    quotient = cli("derive", "x/(x+1)", "--steps").stdout
    assert "quotient rule" in quotient
    product = cli("derive", "x*sin(x)", "--steps").stdout
    assert "product rule" in product and "sin rule" in product


def test_check_reports_the_largest_error(cli):
    r = cli("derive", "x**x*sin(x)", "--check")
    assert r.exit_code == 0
    line = r.stdout.splitlines()[-1]
    assert line.startswith("check: max relative error") and "complex step" in line
    r = cli("derive", "abs(x)*x", "--check")  # not analytic: Ridders' extrapolation
    assert "Ridders" in r.stdout


def test_stdin_batch(cli):
    r = cli("derive", "-", input="tan(x)\nsinn(x)\n\nx**2\n")
    assert r.stdout == "sec(x)**2\n\n\n2*x\n"
    assert r.exit_code == 2
    assert r.stderr.startswith("line 2: error: unknown function 'sinn'")


def test_errors_have_a_caret_and_exit_2(cli):
    r = cli("derive", "sin(x")
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert lines[0] == "error: unclosed '('"
    assert lines[1] == "  sin(x"
    assert lines[2] == "     ^"
    assert r.stdout == ""


def test_wrt_must_be_a_name(cli):
    r = cli("derive", "x**2", "--wrt", "sin")
    assert r.exit_code == 2


def test_eval(cli):
    assert cli("eval", "x**2-4*x+6", "--at", "x=8").stdout == "38\n"
    assert cli("eval", "-x**2", "--at", "x=3").stdout == "-9\n"
    assert cli("eval", "1/3").stdout == "0.3333333333333333\n"
    doc = json.loads(cli("eval", "x*y", "--at", "x=2", "--at", "y=3", "--format", "json").stdout)
    assert doc == {"expr": "x*y", "at": {"x": 2.0, "y": 3.0}, "value": 6.0}


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        ("log(-1)", "log(-1) is undefined: log needs x > 0"),
        ("asin(2)", "asin(2) is undefined"),
        ("1/0", "division by zero"),
        ("sqrt(-1)", "sqrt(-1) is undefined"),
        ("exp(1000)", "overflows"),
        ("(-8)**(1/3)", "negative base"),
    ],
)
def test_eval_outside_the_domain_is_an_input_error(cli, expr, words):
    r = cli("eval", expr)
    assert r.exit_code == 2
    assert words in r.stderr
    assert "nan" not in r.stdout and r.stdout == ""


def test_eval_batch(cli):
    r = cli("eval", "-", "--at", "x=2", input="x**2\nlog(-x)\nx+1\n")
    assert r.stdout == "4\n\n3\n"
    assert r.exit_code == 2 and "line 2:" in r.stderr


def test_rules(cli):
    r = cli("rules", "--format", "json")
    doc = json.loads(r.stdout)
    names = {f["function"] for f in doc["functions"]}
    assert {"tan(x)", "sigmoid(x)", "log(x)", "relu(x)"} <= names
    md = cli("rules", "--format", "markdown").stdout
    assert "| `tan(x)` | `sec(x)**2` |" in md
    assert "tan(x)" in cli("rules").stdout


def test_readme_rule_table_is_the_generated_one(cli):
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert cli("rules", "--format", "markdown").stdout.strip() in readme


def test_subprocess_streams_and_no_ansi():
    r = run_gdcli("derive", "sinn(x)")
    assert r.returncode == 2
    assert b"\x1b[" not in r.stderr and b"Traceback" not in r.stderr
    assert r.stdout == b""
    r = run_gdcli("derive", "tan(x)")
    assert r.returncode == 0 and r.stdout == b"sec(x)**2\n"


def test_usage_errors_exit_2():
    r = run_gdcli("derive", "x", "--order", "two")
    assert r.returncode == 2
    r = run_gdcli("derive", "x", "--bogus")
    assert r.returncode == 2


def test_version():
    r = run_gdcli("--version")
    assert r.returncode == 0 and r.stdout.startswith(b"gdcli ")


def test_hostile_stdin_is_answered_line_by_line():
    """1 MB on one line, invalid UTF-8 and a NUL byte: exit 2, a message per bad line with
    its number, the good lines still answered, no traceback, and promptly."""
    import time

    data = b"x" * (1 << 20) + b"\n\xff\xfe\nsin(x\x00)\nx**2\n"
    t = time.perf_counter()
    r = run_gdcli("derive", "-", input=data)
    # a generous bound (it takes well under a second): a hang, not a slow machine, fails it
    assert time.perf_counter() - t < 30
    assert r.returncode == 2
    assert r.stdout == b"\n\n\n2*x\n"
    err = r.stderr.decode()
    assert "line 1: error: expression too long" in err
    assert "line 2: error: invalid UTF-8" in err
    assert "line 3: error: unsupported character U+0000" in err
    assert "Traceback" not in err and "\x00" not in err


@pytest.mark.parametrize(
    "expr",
    ["__import__('os').system('touch gdcli-pwned')", "().__class__.__bases__", "lambda: 1",
     "[x for x in y]", "f'{x}'", "9**9**9**9", "(" * 10000 + "x" + ")" * 10000, "ｘ**2"],
)
def test_hostile_expressions_on_the_command_line(expr, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run_gdcli("derive", expr)
    assert r.returncode == 2
    assert r.stdout == b"" and not (tmp_path / "gdcli-pwned").exists()
    assert r.stderr.startswith(b"error: ") and b"^" in r.stderr and b"Traceback" not in r.stderr
