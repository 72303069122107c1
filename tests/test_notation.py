"""The notation of textbooks and of pasted documents (issue 7, item 4): powers and
inverses written on a function name, bare arguments, Greek variable names, σ(z), and
notes for names that look like typos. Every reading worth saying is one line in
``notes``; the CLI prints them on stderr."""

from __future__ import annotations

import pytest

from gdcli import derivative
from gdcli.errors import InputError
from gdcli.expr.evaluate import evaluate
from gdcli.expr.functions import FUNCTIONS, GREEK, INVERSES, NAMES
from gdcli.expr.latex import to_latex
from gdcli.expr.parser import is_name, parse
from gdcli.expr.printer import to_str
from gdcli.expr.simplify import simplify
from tests.conftest import run_gdcli


def read(text: str) -> tuple[str, list[str]]:
    notes: list[str] = []
    return to_str(parse(text, notes)), notes


def error(text: str) -> InputError:
    with pytest.raises(InputError) as e:
        parse(text)
    return e.value


# --- powers and inverses written on a function name ---

ONE_ARGUMENT = [n for n, row in FUNCTIONS.items() if n not in ("sign", "heaviside")]


@pytest.mark.parametrize("name", ONE_ARGUMENT)
@pytest.mark.parametrize("power", ["^2", "**2", "²", "^3", "³", "^0.5", "**10", "^(2)"])
def test_a_power_on_a_function_name_is_a_power_of_the_call(name, power):
    got, notes = read(f"{name}{power}(x + 2)")
    n = power.lstrip("^*").strip("()").translate(str.maketrans("²³", "23"))
    assert simplify(parse(got)) == simplify(parse(f"{name}(x + 2)**{n}"))
    assert notes == [f"read {name}{power}(x + 2) as {got}"]
    if n != "0.5":
        assert got == f"{name}(x + 2)**{n}"


@pytest.mark.parametrize("name", list(INVERSES))
@pytest.mark.parametrize("form", ["^-1", "**-1", "⁻¹", "^(-1)"])
def test_minus_one_on_a_function_name_is_the_inverse(name, form):
    got, notes = read(f"{name}{form}(x/3)")
    assert got == f"{INVERSES[name]}(x/3)"
    assert notes == [f"read {name}{form}(x/3) as {INVERSES[name]}(x/3)"]


def test_every_trigonometric_and_hyperbolic_function_has_its_inverse():
    assert set(INVERSES) == {"sin", "cos", "tan", "sec", "csc", "cot", "sinh", "cosh", "tanh"}
    assert all(inv in FUNCTIONS for inv in INVERSES.values())


def test_the_seeds_d_dx_sin_inverse_x():
    got, notes = read("sin⁻¹x")
    assert got == "asin(x)" and notes == ["read sin⁻¹x as asin(x)"]
    assert to_str(derivative(parse("sin⁻¹x"), "x")) == "1/sqrt(1 - x**2)"
    assert read("tan⁻¹ x")[0] == "atan(x)"
    assert read("cos^-1 x + 1")[0] == "acos(x) + 1"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("exp^-1(x)", "ambiguous"),
        ("log^-1(x)", "ambiguous"),
        ("sigmoid^-1(x)", "no inverse function"),
        ("relu⁻¹(x)", "no inverse function"),
        ("asin^-1(x)", "no inverse function"),
        ("sin^-2(x)", "ambiguous"),
        ("sin⁻²(x)", "ambiguous"),
        ("sin^n(x)", "must be a number"),
        ("sin^(n)(x)", "must be a number"),
        ("sin^(2+1)(x)", "must be a number"),
        ("sin^(-2)(x)", "ambiguous"),
        ("sin^x", "must be a number"),
        ("sin^", "must be a number"),
        ("sin^2", "needs parentheses"),
    ],
)
def test_unclear_powers_on_a_function_name_are_refused_with_a_hint(text, words):
    e = error(text)
    assert words in e.message, e.message
    assert e.column in (0, 4, 5) and e.hint


def test_inverse_hints_name_both_readings():
    assert "log(x)" in error("exp^-1(x)").hint and "exp(x)**-1" in error("exp^-1(x)").hint
    hint = error("sin^-2(x)").hint
    assert "sin(x)**-2" in hint and "asin(x)**2" in hint


def test_power_on_a_name_keeps_precedence():
    assert simplify(parse("2*sin^2(x)*3")) == simplify(parse("6*sin(x)**2"))
    assert read("-cos²(x)")[0] == "-cos(x)**2"
    assert read("sin^2(x)**3")[0] == "(sin(x)**2)**3"
    assert parse(read("e^sin^2(x)")[0]) == parse("e**(sin(x)**2)")
    value = evaluate(parse("sin^2(x) + cos^2(x)"), {"x": 0.7})
    assert value == pytest.approx(1.0)


def test_long_arguments_are_shortened_in_notes():
    arg = "+".join(f"x**{k}" for k in range(20))
    _, notes = read(f"sin^2({arg})")
    assert notes == ["read sin^2(…) as sin(…)**2"]


# --- bare arguments ---


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("sin x", "sin(x)"),
        ("sin x + cos x", "sin(x) + cos(x)"),
        ("sin x cos x", "sin(x)*cos(x)"),
        ("2 sin x", "2*sin(x)"),
        ("ln x - 1", "log(x) - 1"),
        ("log(sin x)", "log(sin(x))"),
        ("sin pi", "sin(pi)"),
        ("sin 2", "sin(2)"),
        ("exp θ", "exp(θ)"),
        ("sin²x", "sin(x)**2"),
    ],
)
def test_a_single_name_or_number_may_go_without_parentheses(text, want):
    got, notes = read(text)
    assert got == want
    assert notes and all(n.startswith("read ") for n in notes)


@pytest.mark.parametrize("text", ["sin x y", "sin 2x", "sin x^2", "sin x**2", "sin x*y",
                                  "sin x/2", "sin -x", "sin x(y)", "sin",
                                  "sin cos x", "sin x 2"])
def test_anything_more_needs_parentheses(text):
    e = error(text)
    assert "needs parentheses" in e.message and e.column == 0
    assert "parentheses" in e.hint


# --- Greek letters ---


@pytest.mark.parametrize("letter", [ch for ch in GREEK if ch != "σ"] + ["σ"])
def test_greek_letters_are_variables_that_print_and_parse_back(letter):
    for name in (letter, f"{letter}1", f"{letter}_0", f"x_{letter}", f"{letter}{letter}"):
        node = parse(f"3*{name}**2 + {name}")
        assert node.free == {name}
        text = to_str(derivative(node, name))
        assert text == f"6*{name} + 1"
        assert parse(text) == parse(f"6*{name} + 1")
        assert is_name(name)


def test_greek_letters_render_as_latex_commands():
    assert to_latex(parse("θ")) == "\\theta"
    assert to_latex(parse("θ1 + Δ_t")) == "\\theta_{1} + \\Delta_{t}"
    assert to_latex(parse("x_η")) == "x_{\\eta}"
    assert to_latex(parse("φ + ϕ + ε + ϵ")) == "\\varphi + \\phi + \\varepsilon + \\epsilon"
    assert to_latex(parse("θx")) == "\\mathrm{\\theta x}"
    assert to_latex(parse("αβ")) == "\\mathrm{\\alpha\\beta}"
    for letter, command in GREEK.items():
        assert to_latex(parse(letter)) == "\\" + command


def test_implicit_multiplication_with_greek():
    assert read("2θ")[0] == "2*θ"
    assert read("2πθ")[0] == "2*pi*θ"
    # like x(x + 1), a variable before '(' is refused, with the hint to multiply
    e = error("λ(x + 1)")
    assert "unknown function 'λ'" in e.message and "λ*(…)" in e.hint


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("Α + 1", 0, "U+0391"),  # capital alpha looks like A: pointed at, with the ASCII
        ("x + Ο", 4, "U+039F"),
        ("2*ο", 2, "OMICRON"),
        ("µ", 0, "MICRO SIGN"),
        ("ά", 0, "TONOS"),
        ("x + х", 4, "CYRILLIC"),
        ("ϐ", 0, "U+03D0"),
    ],
)
def test_other_non_ascii_letters_are_still_pointed_at(text, column, words):
    e = error(text)
    assert words in e.message and e.column == column


def test_lookalike_hints():
    assert error("Α").hint == "type the ASCII 'A' instead"
    assert error("µ").hint == "for the Greek letter type 'μ'"


def test_sigma_called_is_the_sigmoid_and_otherwise_a_variable():
    got, notes = read("σ(w*x + b)")
    assert got == "sigmoid(w*x + b)" and notes == ["read σ(w*x + b) as sigmoid(w*x + b)"]
    assert read("σ*(x + 1)") == ("σ*(x + 1)", [])
    assert read("(x - μ)/σ") == ("(x - μ)/σ", [])
    assert to_str(derivative(parse("σ(z)"), "z")) == "sigmoid(z)*(1 - sigmoid(z))"
    assert "σ" not in NAMES  # a variable σ is still allowed in --at σ=2


# --- names that look like typos ---


@pytest.mark.parametrize(
    ("name", "guess"),
    [
        ("sinx", "sin(x)"),
        ("lnx", "ln(x)"),
        ("sin2x", "sin(2x)"),
        ("cosx", "cos(x)"),
        ("expx", "exp(x)"),
        ("tanθ", "tan(θ)"),
        ("sinhx", "sinh(x)"),
        ("log10x", "log10(x)"),
        ("sqrtx2", "sqrt(x2)"),
        ("sinpi", "sin(pi)"),
        ("erfx", "erf(x)"),
        ("asecy", "asec(y)"),
        ("xe", "x*e"),
        ("ye", "y*e"),
        ("pix", "pi*x"),
        ("ex", "e*x"),
        ("θe", "θ*e"),
    ],
)
def test_glued_names_stay_variables_with_a_note(name, guess):
    got, notes = read(f"{name} + 1")
    assert got == f"{name} + 1"
    assert notes == [f"read {name} as the variable {name} — did you mean {guess}?"]


@pytest.mark.parametrize("name", ["x", "theta", "w1", "x_e", "exp_x", "eta", "xy", "rate",
                                  "sigmoidal", "lr", "beta2", "e1", "pi2", "θ", "signal"])
def test_ordinary_names_get_no_note(name):
    assert read(f"{name} + 2") == (f"{name} + 2", [])


def test_a_note_is_said_once():
    assert read("sinx + sinx*sinx")[1] == [
        "read sinx as the variable sinx — did you mean sin(x)?"
    ]


def test_parse_without_notes_is_unchanged():
    assert parse("sin^2(x)") == parse("sin(x)**2")
    assert parse("sinx") == parse("sinx")


# --- the CLI says how it read the input, on stderr ---


def test_cli_prints_notes_on_stderr():
    r = run_gdcli("derive", "sin⁻¹x")
    assert r.returncode == 0
    assert r.stdout.decode() == "1/sqrt(1 - x**2)\n"
    assert "read sin⁻¹x as asin(x)" in r.stderr.decode()
    r = run_gdcli("derive", "sinx")
    assert r.returncode == 0 and r.stdout.decode() == "1\n"
    assert "did you mean sin(x)?" in r.stderr.decode()


@pytest.mark.parametrize(
    ("expr", "want"),
    [
        ("sin^2(x)", "2*sin(x)*cos(x)"),
        ("θ**2*sin(θ)", "θ**2*cos(θ) + 2*θ*sin(θ)"),
        ("σ(z)", "sigmoid(z)*(1 - sigmoid(z))"),
        ("tanh⁻¹(x)", "1/(1 - x**2)"),
    ],
)
def test_cli_derives_textbook_notation(cli, expr, want):
    r = cli("derive", expr)
    assert r.exit_code == 0
    assert r.stdout.strip().splitlines()[-1] == want
    # and the printed derivative reads back
    assert to_str(parse(want)) == want


@pytest.mark.parametrize("text", ["sin^(-1)(x) + cos⁻¹x", "tanh**-1(x/2)*sin²x", "σ(θ1 + x_η)",
                                  "sin x cos x + ln x", "sinx + xe", "sin^(2)(x)**3"])
def test_every_prefix_and_suffix_parses_or_is_an_input_error(text):
    # the notation's look-ahead must never run past the end of the tokens
    for k in range(len(text) + 1):
        for piece in (text[:k], text[k:]):
            try:
                parse(piece)
            except InputError:
                pass
