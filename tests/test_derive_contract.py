"""The promises of `gdcli derive` and `gdcli eval` (issue 7, item 3): one output line per
batch line, mixed partials and the Hessian, the domain of f at --at, no -0, LaTeX that
drops nothing, exact constants, poles at exact multiples of π, parser notes on stderr."""

import json

import pytest

from .conftest import run_gdcli

# ---------------------------------------------------------------- batch: one line per line


def test_batch_keeps_one_line_per_input_line(cli):
    r = cli("derive", "-", input="tan(x)\nx**2*y\nx**3\n")
    assert r.exit_code == 0
    assert r.stdout == "sec(x)**2\nd/dx: 2*x*y; d/dy: x**2\n3*x**2\n"


@pytest.mark.parametrize(
    "extra",
    [[], ["--format", "json"], ["--format", "latex"], ["--check"], ["--at", "x=2"],
     ["--hessian"], ["--order", "2"], ["--format", "json", "--steps"], ["--wrt", "x"],
     ["--format", "latex", "--check", "--at", "x=1"]],
)
def test_batch_line_count_holds_for_every_option(cli, extra):
    lines = ["tan(x)", "x**2*sin(x)", "sinn(x)", "", "log(x)", "x**3"]
    r = cli("derive", "-", *extra, input="\n".join(lines) + "\n")
    assert r.stdout.count("\n") == len(lines), r.stdout
    assert r.exit_code == 2  # sinn(x)
    if "json" in extra:
        records = [json.loads(line) for line in r.stdout.splitlines()]  # never an empty line
        assert records[3] is None  # the blank input line
        assert records[2]["line"] == 3 and "error" in records[2]


def test_batch_several_partials_share_their_line_in_every_format(cli):
    data = "x**2*y\n"
    assert cli("derive", "-", "--at", "x=1", "--at", "y=3", input=data).stdout == (
        "d/dx: 2*x*y = 6 at x = 1, y = 3; d/dy: x**2 = 1 at x = 1, y = 3\n"
    )
    doc = json.loads(cli("derive", "-", "--format", "json", input=data).stdout)
    assert doc == {"expr": "x**2*y", "partials": [
        {"wrt": "x", "order": 1, "derivative": "2*x*y", "latex": "2 x y"},
        {"wrt": "y", "order": 1, "derivative": "x**2", "latex": "x^{2}"},
    ]}
    latex = cli("derive", "-", "--format", "latex", input=data).stdout
    assert latex == (
        "\\frac{\\partial f}{\\partial x} = 2 x y, \\quad "
        "\\frac{\\partial f}{\\partial y} = x^{2}\n"
    )
    checked = cli("derive", "-", "--check", input=data).stdout.splitlines()
    assert len(checked) == 1 and checked[0].count("check: max relative error") == 2


def test_batch_json_bad_line_is_a_record(cli):
    r = cli("derive", "-", "--format", "json", input="tan(x)\nsinn(x)\nx**3\n")
    lines = r.stdout.splitlines()
    assert len(lines) == 3
    assert json.loads(lines[1]) == {
        "line": 2, "expr": "sinn(x)", "error": "unknown function 'sinn' — did you mean 'sin'?"}
    assert r.stderr.startswith("line 2: error: unknown function 'sinn'")
    assert r.exit_code == 2


def test_batch_json_bad_line_in_eval_and_invalid_utf8():
    r = run_gdcli("eval", "-", "--format", "json", input=b"1+1\nlog(-1)\nx\xff\n")
    lines = r.stdout.decode().splitlines()
    assert len(lines) == 3 and json.loads(lines[0])["value"] == 2
    assert json.loads(lines[1])["error"].startswith("log(-1) is undefined")
    assert json.loads(lines[2]) == {"line": 3, "expr": "x\N{REPLACEMENT CHARACTER}",
                                    "error": "invalid UTF-8 at byte 1"}
    assert r.returncode == 2


def test_batch_text_bad_line_stays_empty(cli):
    r = cli("derive", "-", "--format", "latex", input="sinn(x)\nx**2\n")
    assert r.stdout == "\n2 x\n"


def test_batch_steps_need_json(cli):
    r = cli("derive", "-", "--steps", input="x**2\n")
    assert r.exit_code == 2 and r.stdout == ""
    assert "--steps with a stdin batch needs --format json" in r.stderr
    doc = json.loads(cli("derive", "-", "--steps", "--format", "json", input="x**2\n").stdout)
    assert doc["steps"][0]["rule"] == "power rule"


def test_batch_shares_the_point_between_lines(cli):
    # a batch line need not use every --at variable; a single expression must
    r = cli("eval", "-", "--at", "x=2", "--at", "y=3", input="x*y\nx\n5\n")
    assert r.stdout == "6\n2\n5\n" and r.exit_code == 0


# ---------------------------------------------------------------- --wrt, --hessian


def test_repeated_wrt_is_the_mixed_partial(cli):
    assert cli("derive", "x**2*y**3", "--wrt", "x", "--wrt", "y").stdout == "6*x*y**2\n"
    assert cli("derive", "x**3*y", "--wrt", "x", "--wrt", "x", "--wrt", "y").stdout == "6*x\n"
    # the same variable twice is --order 2
    assert cli("derive", "x**4", "--wrt", "x", "--wrt", "x").stdout == "12*x**2\n"
    doc = json.loads(cli("derive", "x**2*y", "--wrt", "x", "--wrt", "y", "--format", "json",
                         "--at", "x=3", "--at", "y=1").stdout)
    assert doc["wrt"] == ["x", "y"] and doc["order"] == 2 and doc["value"] == 6
    assert cli("derive", "x**2*y", "--wrt", "x", "--wrt", "y", "--format", "latex").stdout == (
        "2 x\n")


def test_mixed_partial_steps_name_their_variable(cli):
    out = cli("derive", "x**2*y", "--wrt", "x", "--wrt", "y", "--steps").stdout.splitlines()
    assert out[0].startswith("constant multiple rule: d/dx x**2*y = 2*x*y")
    assert any(line.startswith("constant multiple rule: d/dy 2*x*y = 2*x") for line in out)
    assert out[-1] == "2*x"


def test_mixed_partial_refuses_order(cli):
    r = cli("derive", "x*y", "--wrt", "x", "--wrt", "y", "--order", "2")
    assert r.exit_code == 2 and "--order goes with one --wrt" in r.stderr


def test_hessian_text_latex_json(cli):
    expr = "x**2*y + sin(y)"
    assert cli("derive", expr, "--hessian").stdout == "[[2*y, 2*x],\n [2*x, -sin(y)]]\n"
    assert cli("derive", expr, "--hessian", "--format", "latex").stdout == (
        "\\begin{pmatrix} 2 y & 2 x \\\\ 2 x & -\\sin\\left(y\\right) \\end{pmatrix}\n"
    )
    doc = json.loads(cli("derive", expr, "--hessian", "--format", "json", "--at", "x=1",
                         "--at", "y=0").stdout)
    assert doc["variables"] == ["x", "y"]
    assert doc["hessian"] == [["2*y", "2*x"], ["2*x", "-sin(y)"]]
    assert doc["value"] == [[0, 2], [2, 0]]
    assert cli("derive", expr, "--hessian", "--at", "x=1", "--at", "y=0").stdout == (
        "[[2*y, 2*x],\n [2*x, -sin(y)]] = [[0, 2], [2, 0]] at x = 1, y = 0\n"
    )
    # in a batch the matrix is one line
    assert cli("derive", "-", "--hessian", input="x*y\n").stdout == "[[0, 1], [1, 0]]\n"


def test_hessian_in_chosen_variables_and_its_check(cli):
    r = cli("derive", "x**2*y*z", "--hessian", "--wrt", "z", "--wrt", "x", "--check")
    assert r.stdout.splitlines()[:2] == ["[[0, 2*x*y],", " [2*x*y, 2*y*z]]"]
    assert r.stdout.splitlines()[2].startswith("check: max relative error")
    assert r.exit_code == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--hessian", "--order", "2"], "--hessian is the matrix of second derivatives"),
        (["--hessian", "--steps"], "--steps shows the rules of one derivative"),
        (["--hessian", "--wrt", "x", "--wrt", "x"], "name each variable once"),
    ],
)
def test_hessian_refuses_what_it_cannot_show(cli, args, words):
    r = cli("derive", "x*y", *args)
    assert r.exit_code == 2 and words in r.stderr and r.stdout == ""


def test_hessian_of_a_constant(cli):
    r = cli("derive", "5", "--hessian")
    assert r.exit_code == 2 and "has no variables" in r.stderr


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["derive", "x**2", "--wrt", "z"], "--wrt names z, but the expression's variables are x"),
        (["derive", "5", "--wrt", "x"], "the expression has no variables"),
        (["derive", "x**2", "--at", "y=2"], "--at names y"),
        (["eval", "x**2", "--at", "y=2", "--at", "x=1"], "--at names y"),
        (["eval", "3", "--at", "x=1"], "--at names x"),
        (["derive", "x*y", "--wrt", "x", "--wrt", "z"], "--wrt names z"),
    ],
)
def test_a_variable_the_expression_lacks_is_an_input_error(cli, argv, words):
    r = cli(*argv)
    assert r.exit_code == 2 and words in r.stderr and r.stdout == ""


def test_wrt_missing_in_one_batch_line(cli):
    r = cli("derive", "-", "--wrt", "x", input="x**2\ny**2\n")
    assert r.stdout == "2*x\n\n" and r.exit_code == 2
    assert "line 2: error: --wrt names x" in r.stderr


# ---------------------------------------------------------------- --at: the domain of f


@pytest.mark.parametrize(
    ("expr", "at", "words"),
    [
        ("log(x)", "x=-1", "log(-1) is undefined: log needs x > 0"),
        ("sqrt(x)", "x=-4", "sqrt(-4) is undefined"),
        ("x/(x-1)", "x=1", "division by zero"),
        ("asin(x)", "x=2", "asin(2) is undefined"),
    ],
)
def test_at_outside_the_domain_of_f(cli, expr, at, words):
    r = cli("derive", expr, "--at", at)
    assert r.exit_code == 2 and words in r.stderr and r.stdout == ""
    # the same words as eval gives
    assert words in cli("eval", expr, "--at", at).stderr


def test_at_where_only_the_derivative_is_undefined(cli):
    r = cli("derive", "sqrt(x)", "--at", "x=0")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: d/dx of sqrt(x) is undefined at x = 0: division by zero")


def test_log_base_one_blames_the_base(cli):
    r = cli("eval", "log(x, y)", "--at", "x=2", "--at", "y=1")
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert "division by zero" not in lines[0] and "base" in lines[0]
    assert lines[1:] == ["  log(x, y)", "         ^"]
    r = cli("derive", "log(x, y)", "--wrt", "x", "--at", "x=2", "--at", "y=1")
    assert r.exit_code == 2 and r.stderr.splitlines()[2] == "         ^"


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "argv",
    [["eval", "-x", "--at", "x=0"], ["eval", "0*(-1)"], ["eval", "-0"],
     ["derive", "-x**3", "--at", "x=0"], ["derive", "x**2", "--at", "x=-0"],
     ["eval", "x", "--at", "x=-0", "--format", "json"],
     ["derive", "-x**3", "--at", "x=0", "--format", "json"],
     ["derive", "-x**3", "--at", "x=0", "--format", "latex"],
     ["derive", "x*y", "--hessian", "--at", "x=-0", "--at", "y=-0"]],
)
def test_minus_zero_is_never_printed(cli, argv):
    r = cli(*argv)
    assert r.exit_code == 0
    assert "-0 " not in r.stdout + " " and "-0.0" not in r.stdout and "-0\n" not in r.stdout
    assert "= -0" not in r.stdout and "x = -0" not in r.stdout and ": -0" not in r.stdout


def test_messages_print_shortest_numbers(cli):
    r = cli("derive", "sqrt(x)", "--at", "x=-1")
    assert "sqrt(-1)" in r.stderr and "-1.0" not in r.stderr
    r = cli("eval", "log(x, y)", "--at", "x=-1.0", "--at", "y=2.0")
    assert "log(-1, 2)" in r.stderr


@pytest.mark.parametrize(
    ("expr", "value"),
    [("1e400/1e399", "10"), ("1e200*1e200/1e399", "10"), ("1e-400", "0"), ("0.1+0.2", "0.3"),
     ("2**-1100", "0"), ("(1e-200)**2*1e400", "1"), ("1e400*1e-399", "10")],
)
def test_exact_constants_evaluate_exactly(cli, expr, value):
    r = cli("eval", expr)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == value + "\n"


def test_a_huge_constant_meets_a_variable_exactly(cli):
    assert cli("eval", "x/1e400", "--at", "x=1").stdout == "0\n"
    assert cli("eval", "x*1e400/1e399", "--at", "x=2").stdout == "20\n"
    r = cli("derive", "x/1e400", "--at", "x=1")
    assert r.exit_code == 0 and r.stdout.endswith(" = 0 at x = 1\n")
    # the printed derivative evaluates to what eval says of 1e-400
    printed = r.stdout.split(" = ")[0]
    assert cli("eval", printed).stdout == cli("eval", "1e-400").stdout == "0\n"
    r = cli("eval", "x*1e400", "--at", "x=1")
    assert r.exit_code == 2 and "overflows float64" in r.stderr


@pytest.mark.parametrize(
    "expr",
    ["tan(pi/2)", "csc(pi)", "cot(-pi)", "sec(3*pi/2)", "tan(pi/2 + pi)", "cot(0)",
     "csc(2*pi)", "tan(-pi/2)", "sec(pi/2)", "tan(5/2*pi)", "1 + tan(pi/2)"],
)
def test_poles_at_exact_multiples_of_pi(cli, expr):
    r = cli("eval", expr)
    assert r.exit_code == 2, r.stdout
    assert "is undefined" in r.stderr and "needs x ≠" in r.stderr


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["eval", "tan(x)", "--at", "x=pi/2"], "tan(x) = tan(pi/2) is undefined"),
        (["derive", "tan(x)", "--at", "x=pi/2"], "tan(x) = tan(pi/2) is undefined"),
        (["derive", "tan(2*x)", "--at", "x=-3*pi/4"], "tan(2*x) = tan(-3*pi/2) is undefined"),
        (["eval", "csc(x + y)", "--at", "x=pi/2", "--at", "y=pi/2"], "csc(pi) is undefined"),
    ],
)
def test_an_at_value_that_is_an_exact_multiple_of_pi_meets_the_pole(cli, argv, words):
    r = cli(*argv)
    assert r.exit_code == 2 and words in r.stderr and r.stdout == ""


def test_not_a_pole(cli):
    assert cli("eval", "tan(x)", "--at", "x=pi/4").exit_code == 0
    assert cli("eval", "tan(x)", "--at", "x=1.5707963267948966").exit_code == 0  # a float
    assert cli("eval", "tan(pi/4)").exit_code == 0
    assert cli("eval", "sec(pi)").stdout == "-1\n"
    assert cli("eval", "cot(pi/2)").exit_code == 0
    assert cli("eval", "tan(pi/2 + 0.001)").exit_code == 0


def test_poles_come_from_the_registry():
    """Every row whose domain is written "x ≠ kπ" or "x ≠ π/2 + kπ" is covered."""
    from gdcli.errors import DomainError
    from gdcli.expr import functions as fn
    from gdcli.expr.evaluate import evaluate
    from gdcli.expr.parser import parse

    rows = [r for r in fn.FUNCTIONS.values() if "kπ" in r.domain]
    assert {"tan", "sec", "cot", "csc"} <= {r.name for r in rows}
    for row in rows:
        at = "pi/2" if "π/2" in row.domain else "pi"
        with pytest.raises(DomainError):
            evaluate(parse(f"{row.name}({at})"), {})


# ---------------------------------------------------------------- LaTeX


def test_latex_renders_at(cli):
    assert cli("derive", "x**2-4*x+6", "--at", "x=8", "--format", "latex").stdout == (
        "\\left. 2 x - 4 \\right|_{x = 8} = 12\n"
    )
    out = cli("derive", "exp(x)", "--at", "x=-20", "--format", "latex").stdout
    assert out == "\\left. e^{x} \\right|_{x = -20} = 2.061153622438558 \\cdot 10^{-9}\n"
    out = cli("derive", "θ**2", "--at", "θ=1", "--format", "latex").stdout
    assert "\\right|_{\\theta = 1} = 2" in out


def test_latex_renders_steps(cli):
    r = cli("derive", "sin(x**2)", "--steps", "--format", "latex")
    assert r.exit_code == 0
    assert r.stdout.splitlines() == [
        "\\frac{d}{dx} \\sin\\left(x^{2}\\right) = 2 x \\cos\\left(x^{2}\\right) "
        "\\quad \\text{chain rule}",
        "\\quad \\frac{d}{dx} x^{2} = 2 x \\quad \\text{power rule}",
        "2 x \\cos\\left(x^{2}\\right)",
    ]
    out = cli("derive", "-x**2 + x", "--steps", "--format", "latex").stdout.splitlines()
    assert out[0].startswith("\\frac{d}{dx} \\left(x - x^{2}\\right) = ")
    r = cli("derive", "-", "--steps", "--format", "latex", input="x**2\n")
    assert r.exit_code == 2 and "needs --format json" in r.stderr


def test_latex_keeps_the_check_as_a_comment(cli):
    out = cli("derive", "sin(x)", "--check", "--format", "latex").stdout
    assert out.startswith("\\cos\\left(x\\right) % check: max relative error ")


# ---------------------------------------------------------------- notes


def test_notes_go_to_stderr(cli):
    r = cli("derive", "sin^2(x)")
    assert r.stdout == "2*sin(x)*cos(x)\n"
    assert r.stderr.startswith("note: ")
    r = cli("eval", "sinx", "--at", "sinx=2")
    assert r.stdout == "2\n" and r.stderr.startswith("note: ") and "sin(x)" in r.stderr


def test_notes_in_a_batch_carry_the_line_number(cli):
    r = cli("derive", "-", input="x**2\nsin^2(x)\nsinx(\n")
    assert r.stdout.count("\n") == 3
    assert "line 2: note: " in r.stderr
    assert "line 3: error: " in r.stderr


def test_notes_for_at_values(cli):
    r = cli("eval", "x", "--at", "x=sin^2(0)")
    assert r.stdout == "0\n" and "note: --at x: " in r.stderr
