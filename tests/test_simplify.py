"""The simplifier produces the forms a calculus book prints (exact strings)."""

import pytest

from gdcli import derivative, parse, simplify, to_str


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x*1+0", "x"),
        ("x**1", "x"),
        ("--x", "x"),
        ("-(-(x))", "x"),
        ("1*x*1", "x"),
        ("x + x", "2*x"),
        ("x*x", "x**2"),
        ("x*x**-1", "1"),
        ("2*(x - 2)", "2*x - 4"),
        ("-(x - 2)", "2 - x"),
        ("x**2 - 4*x + 6", "x**2 - 4*x + 6"),
        ("6 + x**2 - 4*x", "x**2 - 4*x + 6"),
        ("(x**2)**3", "x**6"),
        ("sqrt(x)**2", "x"),
        ("(2*x)**2", "4*x**2"),
        ("8**(2/3)", "4"),
        ("2**(1/2)*2**(1/2)", "2"),
        ("x/4 + x/4", "x/2"),
        ("0.1*x + 0.1*x", "0.2*x"),
        ("exp(log(x))", "x"),
        ("log(exp(x))", "x"),
        ("log(e)", "1"),
        ("log(1)", "0"),
        ("e**log(x)", "x"),
        ("sin(-x)", "-sin(x)"),
        ("cos(-x)", "cos(x)"),
        ("sin(0) + cos(0)", "1"),
        ("log(8, 2)", "log(8, 2)"),
        ("log(x, e)", "log(x)"),
        ("1/(x*log(2))", "1/(x*log(2))"),
        ("3*x**2/4", "3*x**2/4"),
        ("x**(-2/3)/3", "1/(3*x**(2/3))"),
        ("(x+1)*(x+1)", "(x + 1)**2"),
        ("(2 - 2*x)*(1 - x)", "2*(1 - x)**2"),
        # integer powers of sums take their content out, sign included
        ("(-x - 1)**2", "(x + 1)**2"),
        ("(-x - 1)**3", "-(x + 1)**3"),
        ("(2*x + 2)**-1", "1/(2*(x + 1))"),
        ("2*theta/(-z - 1)**2", "2*theta/(z + 1)**2"),
    ],
)
def test_canonical_forms(text, expected):
    assert to_str(simplify(parse(text))) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the forms the issue names, as a calculus book prints them
        ("tan(x)", "sec(x)**2"),
        ("cot(x)", "-csc(x)**2"),
        ("sec(x)", "sec(x)*tan(x)"),
        ("csc(x)", "-csc(x)*cot(x)"),
        ("asin(x)", "1/sqrt(1 - x**2)"),
        ("acos(x)", "-1/sqrt(1 - x**2)"),
        ("atan(x)", "1/(x**2 + 1)"),
        ("log(x, 2)", "1/(x*log(2))"),
        ("log2(x)", "1/(x*log(2))"),
        ("log10(x)", "1/(x*log(10))"),
        ("sigmoid(x)", "sigmoid(x)*(1 - sigmoid(x))"),
        ("x**2-4*x+6", "2*x - 4"),
        ("sin(x**2)", "2*x*cos(x**2)"),
        ("x**x", "x**x*(log(x) + 1)"),
        ("exp(x)", "exp(x)"),
        ("e**(3*x)", "3*e**(3*x)"),
        ("exp(2*x)", "2*exp(2*x)"),
        ("2**x", "2**x*log(2)"),
        ("ln(x)", "1/x"),
        ("sqrt(x)", "1/(2*sqrt(x))"),
        ("1/x", "-1/x**2"),
        ("x/(x + 1)", "1/(x + 1)**2"),
        ("tanh(x)", "1 - tanh(x)**2"),
        ("sinh(x)", "cosh(x)"),
        ("cosh(x)", "sinh(x)"),
        ("softplus(x)", "sigmoid(x)"),
        ("relu(x)", "heaviside(x)"),
        ("abs(x)", "sign(x)"),
        ("-x**2", "-2*x"),
        ("x*sin(x)", "x*cos(x) + sin(x)"),
        ("sigmoid(2*x)", "2*sigmoid(2*x)*(1 - sigmoid(2*x))"),
        ("0.5*x**2", "x"),
        ("0.1*x**2", "0.2*x"),
        ("x**(1/3)", "1/(3*x**(2/3))"),
        ("5", "0"),
        ("pi*x", "pi"),
    ],
)
def test_textbook_derivatives(text, expected):
    assert to_str(derivative(parse(text), "x")) == expected


def test_no_junk_in_results():
    """No 1*, +0, x**1 or double negation in any derivative of the issue's examples."""
    for text in ["tan(x)", "x**x", "sigmoid(x)", "x**2-4*x+6", "sin(x)*cos(x)", "x/(1+x**2)"]:
        out = to_str(derivative(parse(text), "x"))
        for junk in ("1*", "+ 0", "**1)", "--", "- -", "+ -"):
            assert junk not in out.replace("11*", ""), (text, out)


def test_higher_order_tan_is_a_polynomial_in_sec_and_tan():
    out = to_str(derivative(parse("tan(x)"), "x", 3))
    assert out == "2*sec(x)**4 + 4*sec(x)**2*tan(x)**2"
