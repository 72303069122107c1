"""'1e' is an exponent without digits, not 1·e (issue 8 item 8).

A number glued to a lone ``e`` or ``E`` — followed by nothing, a sign, an operator, a
parenthesis or a superscript — is refused with the caret under the exponent (and its
sign). Separated (``2 e``) or written out (``2*e``) it is the product with the constant e;
a longer name glued to a number stays a product (``2ex`` is 2·ex, with the note that
names like ``ex`` get; ``2exp(x)`` is 2·exp(x)); an exponent with digits is a number."""

from __future__ import annotations

import pytest

from gdcli.errors import InputError
from gdcli.expr.parser import parse
from gdcli.expr.printer import to_str

from .conftest import run_gdcli

# (text, column of the caret, width: the e and its sign)
REFUSED = [
    ("1e", 1, 1),
    ("1E", 1, 1),
    ("2.5e", 3, 1),
    ("1.e", 2, 1),
    (".5e", 2, 1),
    ("1e+", 1, 2),
    ("1E-", 1, 2),
    ("1e-x", 1, 2),  # not e - x
    ("1e+x", 1, 2),
    ("x + 2e", 5, 1),
    ("3*(1e)", 4, 1),
    ("1e*x", 1, 1),
    ("2e(x+1)", 1, 1),
    ("2e²", 1, 1),  # 2·e² or 2e2? either way, written out
    ("sin(2e)", 5, 1),
    ("1e1e", 3, 1),  # 10·e: a second exponent, surely a typo too
]


@pytest.mark.parametrize(("text", "column", "width"), REFUSED)
def test_an_exponent_without_digits_is_refused(text, column, width) -> None:
    with pytest.raises(InputError) as info:
        parse(text)
    e = info.value
    assert e.message == "exponent without digits"
    assert (e.column, e.width) == (column, width)
    lines = e.render().split("\n")
    assert lines[2] == "  " + " " * column + "^" * width


def test_the_hint_shows_both_readings() -> None:
    with pytest.raises(InputError) as info:
        parse("2.5e")
    assert info.value.hint == "write an exponent as in 2.5e-3, a product as 2.5*e"
    with pytest.raises(InputError) as info:
        parse("1e+")
    assert "1e+3" in info.value.hint and "1*e" in info.value.hint
    with pytest.raises(InputError) as info:
        parse("1e1e")
    assert info.value.hint == "write a product as 1e1*e"


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("2 e", "2*e"),
        ("2*e", "2*e"),
        ("e2", "e2"),  # a variable
        ("2exp(x)", "2*exp(x)"),
        ("2ex", "2*ex"),  # the variable ex
        ("2E3", "2000"),
        ("1e-3x", "0.001*x"),
        ("2.5e+2*x", "250*x"),
        ("x*1e0", "x"),
        ("2 e + 1", "2*e + 1"),
    ],
)
def test_products_and_exponents_with_digits_are_read(text, printed) -> None:
    assert to_str(parse(text)) == printed


def test_a_name_glued_to_a_number_keeps_its_note() -> None:
    notes: list[str] = []
    parse("2ex", notes)
    assert notes == ["read ex as the variable ex — did you mean e*x?"]


@pytest.mark.parametrize("env", [{}, {"GDCLI_NO_FASTPATH": "1"}], ids=["fast-path", "typer"])
def test_the_cli_refuses_it_everywhere(env, monkeypatch) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    r = run_gdcli("derive", "x + 1e")
    assert r.returncode == 2 and r.stdout == b""
    assert r.stderr.decode().startswith("error: exponent without digits")
    r = run_gdcli("eval", "x", "--at", "x=2.5E-")
    assert r.returncode == 2
    assert r.stderr.decode().startswith("error: --at x: exponent without digits")
    r = run_gdcli("derive", "2 e*x")
    assert r.returncode == 0 and r.stdout == b"2*e\n"


def test_minimize_refuses_it_in_the_start(cli) -> None:
    r = cli("minimize", "x**2", "--x0", "1e")
    assert r.exit_code == 2 and "--x0: exponent without digits" in r.output
