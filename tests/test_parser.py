"""The expression language of SPEC §1: what parses, to what, and how errors point."""

import pytest

from gdcli import InputError, parse, simplify, to_str
from gdcli.expr.evaluate import evaluate
from gdcli.expr.parser import MAX_DEPTH, MAX_LENGTH


def value(text, **env):
    return evaluate(parse(text), env)


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("8", {}, 8.0),
        ("0.1", {}, 0.1),
        (".5", {}, 0.5),
        ("1e-3", {}, 1e-3),
        ("2.", {}, 2.0),
        ("pi", {}, 3.141592653589793),
        ("e", {}, 2.718281828459045),
        ("-x**2", {"x": 3}, -9.0),
        ("2**-1", {}, 0.5),
        ("2**3**2", {}, 512.0),
        ("2^3", {}, 8.0),
        ("x^2", {"x": 3}, 9.0),
        ("2x", {"x": 3}, 6.0),
        ("3(x+1)", {"x": 1}, 6.0),
        ("(x+1)(x-1)", {"x": 3}, 8.0),
        ("2 sin(x)", {"x": 0}, 0.0),
        ("2x**2", {"x": 3}, 18.0),
        ("x y", {"x": 2, "y": 5}, 10.0),
        ("x²", {"x": 3}, 9.0),
        ("x⁻¹", {"x": 4}, 0.25),
        ("2x³", {"x": 2}, 16.0),
        ("3 − 1", {}, 2.0),
        ("3 × 2", {}, 6.0),
        ("3 · 2", {}, 6.0),
        ("2π", {}, 6.283185307179586),
        ("ln(e)", {}, 1.0),
        ("log(8, 2)", {}, 3.0),
        ("arcsin(1)", {}, 1.5707963267948966),
        ("arctan(1)*4", {}, 3.141592653589793),
        ("+x", {"x": 2}, 2.0),
        ("10/2/5", {}, 1.0),
        ("2*3/4", {}, 1.5),
        ("w1 + theta", {"w1": 1, "theta": 2}, 3.0),
    ],
)
def test_values(text, env, expected):
    assert value(text, **env) == pytest.approx(expected, rel=1e-15)


def test_precedence_is_pythons():
    assert to_str(simplify(parse("-x**2"))) == "-x**2"
    assert to_str(simplify(parse("(-x)**2"))) == "x**2"


def test_variables_are_sorted():
    assert sorted(parse("y*x + theta").free) == ["theta", "x", "y"]


def error(text):
    with pytest.raises(InputError) as e:
        parse(text)
    return e.value


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("sinn(x)", 0, "unknown function 'sinn'"),
        ("x +", 3, "ends unexpectedly"),
        ("(x + 1", 0, "unclosed '('"),
        ("x + 1)", 5, "unmatched ')'"),
        ("x @ 2", 2, "unexpected character '@'"),
        ("x = 2", 2, "unexpected character '='"),
        ("sin x y", 0, "needs parentheses"),
        ("sin 2x", 0, "needs parentheses"),
        ("sin x**2", 0, "needs parentheses"),
        ("sin()", 4, "needs an argument"),
        ("sin(x, 2)", 0, "takes 1 argument"),
        ("pi(2)", 0, "constant, not a function"),
        ("x(x+1)", 0, "unknown function 'x'"),
        ("2 3", 2, "missing operator"),
        ("1/2x", 3, "ambiguous"),
        ("", 0, "empty expression"),
        ("()", 1, "empty parentheses"),
        ("x ＋ 1", 2, "U+FF0B"),
        ("𝑥 + 1", 0, "U+1D465"),
        ("х + 1", 0, "CYRILLIC"),  # a homoglyph of x
        ("x\x00", 1, "U+0000"),
        ("1e9999", 0, "too large"),
        ("9**9**9**9", 4, "constant power too large"),
    ],
)
def test_errors_point_at_the_problem(text, column, words):
    e = error(text)
    assert words in e.message, e.message
    assert e.column == column
    lines = e.render().splitlines()
    assert lines[0].startswith("error: ")
    assert lines[2].strip().startswith("^")


def test_suggestion_for_a_near_miss():
    assert error("sinn(x)").hint == "did you mean 'sin'?"
    assert error("sigmod(x)").hint == "did you mean 'sigmoid'?"


def test_fullwidth_letters_are_not_normalised():
    e = error("ｘ**2")
    assert "U+FF58" in e.message
    assert "'x'" in e.hint  # named as a hint, never silently accepted


def test_caret_sits_under_the_column():
    lines = error("x + sinn(x)").render().splitlines()
    assert lines[1].index("sinn") == lines[2].index("^")


def test_bounds():
    assert "too long" in error("x+" * MAX_LENGTH).message
    assert "nested too deeply" in error("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1)).message
    parse("(" * (MAX_DEPTH - 1) + "x" + ")" * (MAX_DEPTH - 1))


def test_never_evaluates(monkeypatch):
    import builtins

    def boom(*a, **k):
        raise AssertionError("user text reached eval/exec/compile")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, boom)
    for text in ["__import__('os').system('true')", "x.__class__", "lambda: 1"]:
        with pytest.raises(InputError):
            parse(text)


def calls(fn):
    """Python function calls made by fn(): a measure of work that a loaded machine does
    not change (a wall-clock bound fails on a busy 2-core runner)."""
    import sys

    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return count


def test_long_chains_stay_fast_and_flat():
    from gdcli import derivative

    for make, want in [
        (lambda n: "x" + "*x" * (n - 1), lambda n: f"{n}*x**{n - 1}"),
        (lambda n: "x" + "/x" * n, lambda n: f"-{n - 1}/x**{n}"),
        (lambda n: "x" + "-x" * n, lambda n: f"{1 - n}"),
    ]:
        work = {}
        for n in (1000, 2000):
            def run(n=n, make=make, want=want):
                assert to_str(derivative(parse(make(n)), "x")) == want(n)

            work[n] = calls(run)
        # linear: twice the length, about twice the work (quadratic would be 4 times)
        assert work[2000] < 2.5 * work[1000], work
        assert work[2000] < 150 * 2000, work


def test_division_chains_keep_python_semantics():
    assert value("a*b/c*d/f", a=2, b=3, c=4, d=5, f=6) == pytest.approx(1.25)
    assert value("10/2/5") == 1.0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1e" + "1" * 4301, "number too large"),  # the fuzzing crash: int() refuses > 4300 digits
        ("2.5E+" + "9" * 5000, "number too large"),
        ("1e-" + "1" * 4301, "number too small"),
        ("x**1e" + "7" * 4400, "number too large"),
        ("x" + "¹" * 4400, "significant digits"),
        ("1" * 4400, "significant digits"),
        ("0." + "0" * 4400 + "1", "number too small"),
    ],
)
def test_literals_of_thousands_of_digits_are_input_errors(text, words):
    e = error(text)
    assert words in e.message
    assert len(e.message) < 120


def test_zero_with_a_huge_exponent_is_zero():
    assert to_str(parse("0e" + "1" * 5000)) == "0"
    assert to_str(parse("0.000e-" + "9" * 5000)) == "0"


def test_huge_exponent_is_exit_2_with_a_caret():
    from tests.conftest import run_gdcli

    r = run_gdcli("derive", "x + 1e" + "1" * 4301)
    assert r.returncode == 2
    err = r.stderr.decode()
    assert "number too large" in err and "^" in err and "Traceback" not in err
    assert "internal error" not in err
