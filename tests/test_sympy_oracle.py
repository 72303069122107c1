"""gdcli's derivatives against SymPy's, numerically, over the whole corpus.

For every corpus expression and every variable in it, ``derivative`` (printed with
``to_str`` and read back by the independent reader ``to_sympy``) must agree with
``sympy.diff`` of the same function at seeded random points of the function's domain.

Points: drawn from ``POINT_RANGES`` in turn, (0.1, 0.9) first, until ``N_POINTS`` valid
ones are found (at least ``MIN_POINTS`` are required). A point is valid when the
function and SymPy's derivative are finite and real there, and it is at least ``KINK``
away from a kink or jump of abs, relu, sign or heaviside (where gdcli and SymPy may use
different one-sided conventions). At a valid point gdcli's derivative must also be finite
and real: a form defined on a smaller domain than the derivative is reported as a failure.

Values are computed by SymPy's ``evalf`` with 30 significant digits, decimals in the text
taken as exact rationals (as gdcli does), so cancellation in either form costs far less
than the tolerance: ``|ours - sympy| <= RTOL * max(|ours|, |sympy|, ATOL/RTOL)``.
"""

from __future__ import annotations

import random
import re

import pytest
import sympy

from gdcli.expr.diff import derivative
from gdcli.expr.functions import FUNCTIONS
from gdcli.expr.parser import parse
from gdcli.expr.printer import to_str
from tests.derivative_corpus import (
    ALIASES,
    CORPUS,
    FUNCTION_NAMES,
    HANDWRITTEN,
    NEW_HANDWRITTEN,
    POINT_RANGES,
    symbol,
    to_sympy,
    variables,
)

N_POINTS = 5
MIN_POINTS = 3
ATTEMPTS = 240
RTOL = 1e-8
ATOL = 1e-15
KINK = 1e-6
DIGITS = 30

FIRST = [(text, var) for text in CORPUS for var in variables(text)]
#: Second derivatives: every 9th corpus entry (hand-written and generated), first variable.
SECOND = [(text, variables(text)[0]) for text in CORPUS[::9]][:60]
#: ... and every hand-written case of the rows added with issue 7.
SECOND += [(text, variables(text)[0]) for text in NEW_HANDWRITTEN]


def _exact(expr: sympy.Expr) -> sympy.Expr:
    """Decimals as exact rationals: 0.5 is 1/2 to gdcli's parser too."""
    floats = expr.atoms(sympy.Float)
    return expr.xreplace({f: sympy.Rational(str(f)) for f in floats}) if floats else expr


def _kinks(*exprs: sympy.Expr) -> list[sympy.Expr]:
    """Arguments of abs, relu (Max), sign and heaviside: the function is not smooth where
    one of them is 0."""
    out = []
    for e in exprs:
        for a in e.atoms(sympy.Abs, sympy.sign, sympy.Heaviside):
            out.append(a.args[0])
        for a in e.atoms(sympy.Max, sympy.Min):
            out.append(a.args[0] - a.args[1])
    return out


def _branches(expr: sympy.Expr) -> list[sympy.Expr]:
    """Subterms that leave the reals first: logs, asin/acos and non-integer powers. The
    point is in the real domain when all are real (abs(log(x)) is real at x < 0, but the
    point is not in the domain)."""
    out = list(expr.atoms(sympy.log, sympy.asin, sympy.acos))
    out += [p for p in expr.atoms(sympy.Pow) if not p.exp.is_integer]
    return out


def _value(expr: sympy.Expr, subs: dict) -> complex | None:
    """``expr`` at ``subs`` to DIGITS digits as a complex number; None if not finite."""
    try:
        v = expr.evalf(DIGITS, subs=subs)
    except (ZeroDivisionError, ValueError, TypeError, OverflowError):
        return None
    if not v.is_number or v.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
        return None
    try:
        c = complex(v)
    except (TypeError, ValueError, OverflowError):
        return None
    if c != c or abs(c) == float("inf"):
        return None
    return c


def _numeric_derivative(f: sympy.Expr, sym: sympy.Symbol, order: int, subs: dict) -> complex | None:
    """Central difference of ``f`` at 50 digits: the reference where ``sympy.diff`` leaves
    a ``Derivative`` unevaluated (sign(u) of a u SymPy cannot prove real)."""
    h = sympy.Rational(1, 10**12) if order == 1 else sympy.Rational(1, 10**9)
    x0 = subs[sym]
    values = []
    for k in (-1, 0, 1) if order == 2 else (-1, 1):
        try:
            v = f.evalf(50, subs={**subs, sym: sympy.Float(x0 + k * h, 60)})
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            return None
        if not v.is_number or v.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
            return None
        values.append(v)
    d = (
        (values[1] - values[0]) / (2 * h)
        if order == 1
        else (values[2] - 2 * values[1] + values[0]) / h**2
    )
    return _value(d, {})


def _real(c: complex | None) -> float | None:
    if c is None or abs(c.imag) > 1e-12 * max(1.0, abs(c.real)):
        return None
    return c.real


def _points(rng: random.Random, names: list[str]):
    """Candidate points: every variable from one range, then each from its own range."""
    for i in range(ATTEMPTS):
        if i < ATTEMPTS // 2:
            lo, hi = POINT_RANGES[i % len(POINT_RANGES)]
            yield {n: rng.uniform(lo, hi) for n in names}
        else:
            yield {n: rng.uniform(*rng.choice(POINT_RANGES)) for n in names}


def check(text: str, var: str, order: int) -> None:
    names = variables(text)
    f = _exact(to_sympy(text))
    expected = sympy.diff(f, symbol(var), order)
    numeric = expected.has(sympy.Derivative)  # SymPy could not differentiate it
    ours_text = to_str(derivative(parse(text), var, order))
    ours = _exact(to_sympy(ours_text))
    kinks = _kinks(f, ours) if numeric else _kinks(f, expected, ours)
    branches = _branches(f)
    rng = random.Random(f"{text}|{var}|{order}")
    good: list[tuple[dict, float, float]] = []
    for point in _points(rng, names):
        subs = {symbol(n): sympy.Float(v, DIGITS + 10) for n, v in point.items()}
        if any(_real(_value(b, subs)) is None for b in [f, *branches]):
            continue
        if any((k := _value(a, subs)) is None or abs(k) < KINK for a in kinks):
            continue
        if numeric:
            want = _real(_numeric_derivative(f, symbol(var), order, subs))
        else:
            want = _real(_value(expected, subs))
        if want is None:
            continue
        got = _real(_value(ours, subs))
        context = (
            f"\n  f        = {text}\n  d{order}/d{var}{'' if order == 1 else order}"
            f"\n  ours     = {ours_text}\n  sympy    = {sympy.sstr(expected)}"
            f"{' (unevaluated: compared with a central difference)' if numeric else ''}"
            f"\n  at {point}"
        )
        assert got is not None, (
            f"our derivative is not finite and real where SymPy's is ({want!r}){context}"
        )
        err = abs(got - want)
        assert err <= RTOL * max(abs(got), abs(want), ATOL / RTOL), (
            f"ours {got!r} != sympy {want!r} (difference {err:.3g}){context}"
        )
        good.append((point, got, want))
        if len(good) >= N_POINTS:
            break
    assert len(good) >= MIN_POINTS, (
        f"only {len(good)} valid points for {text} (d/d{var}, order {order}); ours = {ours_text}"
    )


@pytest.mark.parametrize(("text", "var"), FIRST, ids=[f"{t} d/d{v}" for t, v in FIRST])
def test_first_derivative_matches_sympy(text: str, var: str) -> None:
    check(text, var, 1)


@pytest.mark.parametrize(("text", "var"), SECOND, ids=[f"{t} d2/d{v}2" for t, v in SECOND])
def test_second_derivative_matches_sympy(text: str, var: str) -> None:
    check(text, var, 2)


# --- the corpus itself: large enough, deterministic, covering the function table ---


def test_corpus_size_and_mix() -> None:
    assert len(CORPUS) >= 350
    assert len(set(CORPUS)) == len(CORPUS)
    assert len([t for t in HANDWRITTEN if t in CORPUS]) >= 120
    assert len(SECOND) >= 55
    assert not any("^" in t for t in CORPUS)


def test_corpus_covers_every_function() -> None:
    assert set(FUNCTION_NAMES) == set(FUNCTIONS)
    for name in FUNCTION_NAMES:
        assert f"{name}(x)" in CORPUS, name
        assert f"{name}(3*x - 1)" in CORPUS, name
        called = re.compile(rf"\b{name}\(")
        nested = [t for t in CORPUS if called.search(t) and t.count("(") >= 2]
        assert len(nested) >= 2, name
    for alias in ALIASES:
        assert f"{alias}(x)" in CORPUS, alias


def test_corpus_variables_agree_with_parser() -> None:
    for text in CORPUS:
        assert sorted(parse(text).free) == variables(text), text
