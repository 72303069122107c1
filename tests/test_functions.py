"""Every registry row, tested from the registry itself: a new row is tested with no new
test code (autograd's check_grads idea)."""

import math

import numpy as np
import pytest

from gdcli import derivative, parse, to_str
from gdcli.cmd_rules import rows
from gdcli.evaluate import evaluate
from gdcli.functions import FUNCTIONS, NAMES
from gdcli.latex import to_latex
from gdcli.nodes import Call, Var
from gdcli.numeric import partial

# points inside every domain (log, sqrt, asin, csc…): away from 0 and from ±1
POINTS = [0.3, 0.55, 0.8]


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_outer_derivative_matches_numeric(name):
    f = Call(name, (Var("x"),))
    d = derivative(f, "x")
    for x in POINTS:
        est = partial(f, "x", {"x": x})
        assert evaluate(d, {"x": x}) == pytest.approx(est.value, rel=1e-9, abs=1e-12), x


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_chain_rule_through_every_row(name):
    f = parse(f"{name}(x**2/2 + 0.2)")  # inside every domain for x in POINTS
    d = derivative(f, "x")
    for x in POINTS:
        est = partial(f, "x", {"x": x})
        assert evaluate(d, {"x": x}) == pytest.approx(est.value, rel=1e-8, abs=1e-12)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_numpy_evaluator_agrees_with_float(name):
    row = FUNCTIONS[name]
    xs = np.array(POINTS)
    got = row.vec(xs)
    want = [row.real(x) for x in POINTS]
    assert np.allclose(got, want, rtol=1e-14, atol=0)


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
    assert set(table) == {f"{n}(x)" for n in FUNCTIONS}
    assert table["tan(x)"] == "sec(x)**2"
    assert table["sigmoid(x)"] == "sigmoid(x)*(1 - sigmoid(x))"


def test_stable_activations():
    assert FUNCTIONS["sigmoid"].real(-800.0) == 0.0
    assert FUNCTIONS["sigmoid"].real(800.0) == 1.0
    assert FUNCTIONS["softplus"].real(800.0) == 800.0
    assert math.isclose(FUNCTIONS["softplus"].real(0.0), math.log(2))
