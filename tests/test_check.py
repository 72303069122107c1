"""`derive --check` never calls a correct derivative a bug (issue 7, items 3 and 7): the
derivative is always printed, a check that cannot decide says "inconclusive" on stderr
(and in JSON) with exit 0, and only a disagreement at trustworthy points is exit 1."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdcli.errors import InputError
from gdcli.expr.diff import derivative
from gdcli.expr.numeric import check, forward, partial
from gdcli.expr.parser import parse

from .test_parser_fuzz import expressions

#: The fuzzing campaign's false alarms and the issue's examples.
FALSE_ALARMS = [
    ("abs(x)+1e16", "x"),  # central differences lose every digit beside 1e16
    ("relu(sec(y^e))", "y"),  # near poles
    ("acos(x/x)", "x"),  # at the edge of acos' domain, constant where defined
    ("cos(y**23)", "y"),  # fast oscillation: y**23 loses the phase for y > 2
    ("exp(x)*1e300", "x"),  # values overflow at the sample points
    ("((acos(y))**30)**30", "y"),  # underflow to subnormals
    ("sqrt(x-100)", "x"),  # no point in the usual ranges
    ("sin(1e8*x)", "x"),
    ("relu(x)*1e20 + 1e16", "x"),
    ("log(y, y)", "y"),  # 1 where defined: the derivative cancels to 0
    ("x/x", "x"),
    ("heaviside(x - y)", "x"),
    ("(0)**(-y)", "y"),
    ("tan(x)**30", "x"),
    ("1/(x - 1e-9)", "x"),
]


@pytest.mark.parametrize(("expr", "var"), FALSE_ALARMS)
def test_no_false_alarm(expr, var):
    f = parse(expr)
    result = check(f, derivative(f, var), var)
    assert result.status != "failed", result


@pytest.mark.parametrize("expr", ["abs(x)+1e16", "sqrt(x-100)", "relu(sec(y^e))", "acos(x/x)",
                                  "cos(y**23)"])
def test_cli_prints_the_derivative_and_exits_0(cli, expr):
    r = cli("derive", expr, "--check")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0] == cli("derive", expr).stdout.strip()
    assert "bug" not in r.stderr


def test_sqrt_far_out_finds_its_points(cli):
    r = cli("derive", "sqrt(x-100)", "--check")
    assert r.stdout.splitlines()[1].startswith("check: max relative error")


def test_inconclusive_is_said_on_stderr_and_in_json(cli):
    r = cli("derive", "sqrt(x-1e15)", "--check")
    assert r.exit_code == 0
    assert r.stdout == "1/(2*sqrt(x - 1000000000000000))\n"
    assert r.stderr.startswith("check: inconclusive: no sample point")
    doc = json.loads(cli("derive", "sqrt(x-1e15)", "--check", "--format", "json").stdout)
    assert doc["check"]["status"] == "inconclusive" and doc["check"]["ok"] is None
    assert doc["check"]["points"] == 0 and "reason" in doc["check"]


def test_inconclusive_in_a_batch_keeps_the_line(cli):
    r = cli("derive", "-", "--check", input="sqrt(x-1e15)\nx**2\n")
    lines = r.stdout.splitlines()
    assert lines[0] == "1/(2*sqrt(x - 1000000000000000))"
    assert lines[1].startswith("2*x; check: max relative error")
    assert r.stderr.startswith("line 1: check: inconclusive")
    assert r.exit_code == 0


def test_check_json_ok(cli):
    doc = json.loads(cli("derive", "x**x*sin(x)", "--check", "--format", "json").stdout)
    c = doc["check"]
    assert c["status"] == "ok" and c["ok"] is True and c["points"] == 8
    assert c["max_error"] < 1e-12 and c["method"] == "complex step"


def test_check_at_a_kink_uses_other_points(cli):
    r = cli("derive", "abs(x)", "--at", "x=0", "--check")
    assert r.exit_code == 0
    assert r.stdout.splitlines() == ["sign(x) = 0 at x = 0", r.stdout.splitlines()[1]]
    assert "Ridders" in r.stdout.splitlines()[1]


def test_check_of_mixed_partials_and_higher_orders(cli):
    for argv in (["x**2*sin(y)", "--wrt", "x", "--wrt", "y"], ["tan(x)", "--order", "4"],
                 ["x*exp(y)", "--hessian"]):
        r = cli("derive", *argv, "--check")
        assert r.exit_code == 0 and "check: max relative error" in r.stdout, argv


# ---------------------------------------------------------------- wrong derivatives are caught


@pytest.mark.parametrize(
    ("expr", "wrong", "var"),
    [
        ("sin(x)", "-cos(x)", "x"),
        ("abs(x) + 1e16", "2*sign(x)", "x"),  # caught beside the large constant too
        ("x**3", "3*x**2 + 1e-6", "x"),
        ("relu(x)*y", "y", "x"),  # wrong for x < 0 only
        ("log(x, y)", "1/(x*log(x))", "x"),
        ("1e-20*x**2", "4e-20*x", "x"),  # tiny values are judged relatively
    ],
)
def test_a_wrong_derivative_fails(expr, wrong, var):
    result = check(parse(expr), parse(wrong), var)
    assert result.status == "failed", result
    assert "differs from the numeric derivative" in result.reason


def test_a_failed_check_prints_the_derivative_and_exits_1(cli, monkeypatch):
    from gdcli.commands import derive as cmd_derive

    def wrong(node, var, order=1, steps=None):
        return parse("-cos(x)")

    monkeypatch.setattr(cmd_derive, "derivative", wrong)
    r = cli("derive", "sin(x)", "--check")
    assert r.exit_code == 1
    assert r.stdout.splitlines()[0] == "-cos(x)"
    assert "please report this as a gdcli bug" in r.stderr
    doc = json.loads(cli("derive", "sin(x)", "--check", "--format", "json").stdout)
    assert doc["check"]["status"] == "failed" and doc["check"]["ok"] is False
    r = cli("derive", "-", "--check", input="sin(x)\nsinn(x)\n")
    assert r.stdout.splitlines()[0] == "-cos(x)" and r.stdout.count("\n") == 2
    assert "line 1: error: --check" in r.stderr
    assert r.exit_code == 2  # an input error on line 2 outranks the failed check
    r = cli("derive", "-", "--check", input="sin(x)\n")
    assert r.exit_code == 1


# ---------------------------------------------------------------- the numeric oracle


def test_forward_mode_beside_a_large_constant():
    (v, d, e, ed, _, _), ridders = forward(parse("abs(x) + 1e16"), "x", {"x": -0.5})
    assert abs(d + 1) < 1e-12 and ed < 1e-12 and ridders


def test_forward_mode_bounds_an_ill_conditioned_value():
    (_, d, _, ed, _, _), _ = forward(parse("cos(y**23)"), "y", {"y": 8.0})
    assert ed > 1e-6 * abs(d)  # the bound says what the digits are worth


def test_partial_is_the_oracle_for_every_row():
    import math

    est = partial(parse("sin(x)*exp(x)"), "x", {"x": 0.3})
    want = math.exp(0.3) * (math.sin(0.3) + math.cos(0.3))
    assert est.method == "complex step" and abs(est.value - want) <= est.error + 1e-15
    with pytest.raises(InputError):
        partial(parse("log(x)"), "x", {"x": -1.0})


def test_the_check_has_a_work_budget():
    """A huge derivative is checked within a bounded amount of work (node evaluations),
    not for minutes: the check ends inconclusive or with fewer points."""
    import gdcli.expr.numeric as numeric

    f = parse("tan(x)")
    d = derivative(f, "x", 12)
    before = derivative(f, "x", 11)
    calls = 0
    real_forward = numeric.forward

    def counting(node, var, point, budget=None):
        nonlocal calls
        calls += 1
        return real_forward(node, var, point, budget)

    try:
        numeric.forward = counting
        result = check(before, d, "x")
    finally:
        numeric.forward = real_forward
    assert result.status in ("ok", "inconclusive")
    assert calls <= 2 * (numeric._TRIES + 20)


# ---------------------------------------------------------------- property: never a false alarm

WRAPS = ["({})", "({}) + 1e16", "1e16*({})", "({})*1e300", "({})*1e-300", "cos(({})**23)",
         "relu(sec({}))", "acos(({})/({}))", "abs({}) + 1e16", "exp(exp({}))", "tan({})",
         "({})**e", "sqrt({} - 100)", "log({})", "1/({})", "({})**30", "sin(1e8*({}))",
         "({}) - ({})", "atan(1e10*({}))"]


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(expressions(("x", "y"), max_leaves=6), st.sampled_from(["x", "y"]),
       st.lists(st.sampled_from(WRAPS), max_size=2), st.integers(1, 2))
def test_check_never_calls_a_right_derivative_wrong(e, var, wraps, order):
    text = e.text
    for w in wraps:
        text = w.replace("{}", text)
    try:
        f = parse(text)
        before = derivative(f, var, order - 1) if order > 1 else f
        d = derivative(before, var)
    except InputError:
        return
    result = check(before, d, var)
    assert result.status != "failed", (text, var, order, result)
