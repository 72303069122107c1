"""Every registry row, tested from the registry itself: a new row is tested with no new
test code (autograd's check_grads idea)."""

import math

import numpy as np
import pytest

from gdcli import derivative, parse, to_str
from gdcli.commands.rules import rows
from gdcli.expr.evaluate import evaluate
from gdcli.expr.functions import FUNCTIONS, NAMES
from gdcli.expr.latex import to_latex
from gdcli.expr.nodes import Call, Var
from gdcli.expr.numeric import partial

# points inside every domain (log, sqrt, asin, csc…): away from 0 and from ±1
POINTS = [0.3, 0.55, 0.8]
#: rows defined only for |x| >= 1 (acosh for x >= 1): points of their own, negative ones
#: where the domain has them
OUTSIDE_ONE = {"asec": [1.3, 2.5, -1.7], "acsc": [1.3, 2.5, -1.7], "acosh": [1.3, 2.5, 4.0]}
#: and negative points for rows whose evaluators take another branch there
NEGATIVE = {"cbrt": [-0.3, -8.0], "leaky_relu": [-0.3, -2.0], "gelu": [-0.3, -3.0],
            "acot": [-0.3, -2.0], "erf": [-0.3, -2.0], "asinh": [-0.7], "atanh": [-0.5]}


def points(name):
    return OUTSIDE_ONE.get(name, POINTS + NEGATIVE.get(name, []))


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_outer_derivative_matches_numeric(name):
    f = Call(name, (Var("x"),))
    d = derivative(f, "x")
    for x in points(name):
        est = partial(f, "x", {"x": x})
        assert evaluate(d, {"x": x}) == pytest.approx(est.value, rel=1e-9, abs=1e-12), x


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_chain_rule_through_every_row(name):
    # inside every domain for x in POINTS
    f = parse(f"{name}(x**2/2 + {1.2 if name in OUTSIDE_ONE else 0.2})")
    d = derivative(f, "x")
    for x in POINTS:
        est = partial(f, "x", {"x": x})
        assert evaluate(d, {"x": x}) == pytest.approx(est.value, rel=1e-8, abs=1e-12)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_numpy_evaluator_agrees_with_float(name):
    row = FUNCTIONS[name]
    xs = np.array(points(name))
    got = row.vec(xs)
    want = [row.real(x) for x in points(name)]
    assert np.allclose(got, want, rtol=1e-14, atol=0)


@pytest.mark.parametrize("name", [n for n in FUNCTIONS if FUNCTIONS[n].cplx is not None])
def test_complex_evaluator_extends_the_real_one(name):
    # the complex-step derivative relies on it: f(x + ih) = f(x) + i*h*f'(x) + O(h^2)
    row = FUNCTIONS[name]
    d = derivative(Call(name, (Var("x"),)), "x")
    for x in points(name):
        z = row.cplx(complex(x, 1e-30))
        assert z.real == pytest.approx(row.real(x), rel=1e-14, abs=1e-300)
        assert z.imag / 1e-30 == pytest.approx(evaluate(d, {"x": x}), rel=1e-12)


@pytest.mark.parametrize("name", [n for n in FUNCTIONS if FUNCTIONS[n].arity > 1])
def test_partials_of_several_arguments_match_numeric(name):
    # row.d(*args) is the partial w.r.t. the first argument, row.d_rest(*args) the others
    row = FUNCTIONS[name]
    u, b = Var("u"), Var("b")
    du, (db,) = row.d(u, b), row.d_rest(u, b)
    assert row.d_rest(u) == ()
    for pt in ({"u": 0.7, "b": 3.0}, {"u": 2.5, "b": 0.4}, {"u": -0.6, "b": 0.2}):
        if name == "log" and pt["u"] <= 0:
            continue
        for var, part in (("u", du), ("b", db)):
            f = Call(name, (u, b))
            est = partial(f, var, pt)
            assert evaluate(part, pt) == pytest.approx(est.value, rel=1e-8, abs=1e-12)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_prints_and_renders(name):
    f = Call(name, (Var("x"),))
    assert parse(to_str(f)) is not None
    assert to_latex(f).endswith(("}", "\\right)", "\\right|"))
    assert FUNCTIONS[name].domain


def test_every_alias_resolves():
    for alias, name in NAMES.items():
        assert parse(f"{alias}(0.5)") == parse(f"{name}(0.5)")


def test_rules_table_is_generated_from_the_registry():
    table = {r["function"]: r["derivative"] for r in rows()}
    assert {f"{n}(x)" for n in FUNCTIONS} <= set(table)
    assert {"log(x, b)", "leaky_relu(x, a)"} <= set(table)
    assert table["tan(x)"] == "sec(x)**2"
    assert table["sigmoid(x)"] == "sigmoid(x)*(1 - sigmoid(x))"
    assert table["leaky_relu(x, a)"] == "d/dx: a + heaviside(x)*(1 - a); d/da: -relu(-x)"


def test_new_rows_values():
    f = {name: row.real for name, row in FUNCTIONS.items()}
    assert f["cbrt"](-8.0) == -2.0 and f["cbrt"](27.0) == 3.0 and f["cbrt"](0.0) == 0.0
    assert all(f["cbrt"](float(n**3)) == n for n in range(-300, 300))
    assert f["asinh"](1.0) == math.asinh(1.0) and f["acosh"](1.0) == 0.0
    assert f["asec"](2.0) == pytest.approx(math.pi / 3) and f["asec"](-1.0) == pytest.approx(
        math.pi)
    assert f["acsc"](2.0) == pytest.approx(math.pi / 6) and f["acsc"](-2.0) == pytest.approx(
        -math.pi / 6)
    # acot: values in (0, pi), continuous at 0
    assert f["acot"](0.0) == pytest.approx(math.pi / 2)
    assert f["acot"](1.0) == pytest.approx(math.pi / 4)
    assert f["acot"](-1.0) == pytest.approx(3 * math.pi / 4)
    assert f["erf"](0.5) == math.erf(0.5)
    # leaky_relu as torch.nn.functional.leaky_relu: slope 0.01 by default
    assert f["leaky_relu"](-2.0) == -0.02 and f["leaky_relu"](3.0) == 3.0
    assert f["leaky_relu"](-2.0, 0.2) == pytest.approx(-0.4)
    # gelu: the exact x*Phi(x), with digits kept far in the negative tail
    assert f["gelu"](1.0) == pytest.approx(0.8413447460685429)
    assert f["gelu"](-1.0) == pytest.approx(-0.15865525393145707)
    assert f["gelu"](-10.0) == pytest.approx(-10 * 7.619853024160527e-24, rel=1e-12)


def test_leaky_relu_derivative_at_zero_is_torchs():
    # torch's backward: grad * (x > 0 ? 1 : negative_slope), so the slope at 0 is a
    d = derivative(parse("leaky_relu(x)"), "x")
    assert evaluate(d, {"x": 0.0}) == 0.01
    assert evaluate(d, {"x": 1e-300}) == 1.0 and evaluate(d, {"x": -5.0}) == 0.01
    assert to_str(d) == "0.99*heaviside(x) + 0.01"


def test_new_rows_domains_are_errors_outside():
    from gdcli.errors import DomainError

    for text in ("acosh(0.5)", "atanh(1)", "atanh(-2)", "asec(0.5)", "acsc(0)", "asec(0)"):
        with pytest.raises(DomainError):
            evaluate(parse(text), {})
    for text in ("cbrt(-8)", "asinh(-3)", "acot(0)", "erf(-9)", "gelu(-40)", "asec(-1)"):
        assert math.isfinite(evaluate(parse(text), {}))


def test_complex_erf_away_from_the_axis():
    import mpmath

    # the complex step needs it near the real axis only; farther out it stays usable
    for z, tol in ((0.3 + 0.2j, 1e-14), (-1.5 + 0.9j, 1e-14), (2 - 0.5j, 1e-14),
                   (0.5 + 2j, 1e-13), (-3 + 1.5j, 1e-12)):
        want = complex(mpmath.erf(z))
        assert abs(FUNCTIONS["erf"].cplx(z) - want) <= tol * max(1, abs(want)), z


def test_inverse_table_pairs_a_function_with_its_inverse():
    from gdcli.expr.functions import INVERSES

    for f, inv in INVERSES.items():
        for x in (0.3, 0.6):
            y = FUNCTIONS[f].real(x)
            if f in ("cosh", "sec", "csc"):
                x = abs(x)
            assert FUNCTIONS[inv].real(y) == pytest.approx(x), (f, inv)


def test_stable_activations():
    assert FUNCTIONS["sigmoid"].real(-800.0) == 0.0
    assert FUNCTIONS["sigmoid"].real(800.0) == 1.0
    assert FUNCTIONS["softplus"].real(800.0) == 800.0
    assert math.isclose(FUNCTIONS["softplus"].real(0.0), math.log(2))
