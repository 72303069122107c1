"""The neuron's model and training (neuron/model.py, train.py, diagnosis.py): gradients
against high-precision numeric ones, the first epoch against a hand computation in exact
fractions, every registered method, and statuses that are true."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from gdcli.neuron import model
from gdcli.neuron.train import FirstStep, Training, step_source, train
from gdcli.optim.methods import METHODS
from gdcli.optim.setup import build_settings

AND = (np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float), np.array([0, 0, 0, 1.0]))
XOR = (AND[0], np.array([0, 1, 1, 0.0]))


def run(X, y, **kw):
    method = kw.pop("method", "gd")
    lr = kw.pop("lr", None)
    hypers = kw.pop("hypers", {})
    epochs = kw.get("epochs", 100)
    tr = Training(opt=build_settings(method, lr, hypers, max_iter=max(epochs, 1)), **kw)
    first: list[FirstStep] = []
    gen = train(X, y, tr, first)
    rows = []
    try:
        while True:
            rows.append(next(gen))
    except StopIteration as e:
        return rows, e.value, first


def noisy(n=60, d=3, seed=1):
    """Data that no hyperplane separates: labels flipped at random."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * np.array([1.0, 5.0, 0.2][:d])
    y = (X @ np.ones(d) + rng.normal(size=n) > 0).astype(float)
    y[:4] = 1 - y[:4]
    return X, y


# --- gradients: analytic = numeric (relative error ≤ 1e-8) ---
def _mp_loss(name, X, y, theta):
    total = mpmath.mpf(0)
    for xi, yi in zip(X.tolist(), y.tolist(), strict=True):
        z = sum(mpmath.mpf(a) * b for a, b in zip(xi, theta[:-1], strict=True)) + theta[-1]
        p = 1 / (1 + mpmath.exp(-z))
        if name == "mse":
            total += (p - yi) ** 2 / 2
        else:
            total -= yi * mpmath.log(p) + (1 - yi) * mpmath.log(1 - p)
    return total / len(y)


@pytest.mark.parametrize("name", model.LOSSES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_equals_the_numeric_one(name, seed):
    X, y = noisy(12, 3, seed)
    theta = np.random.default_rng(seed + 10).normal(size=4)
    gw, gb = model.gradient(name, X, y, theta[:3], float(theta[3]))
    mpmath.mp.dps = 40  # (mpmath.diff raises it further while it differentiates)
    mp_theta = [mpmath.mpf(v) for v in theta]
    for j, analytic in enumerate([*gw, gb]):
        def along(t, j=j):
            th = list(mp_theta)
            th[j] += t
            return _mp_loss(name, X, y, th)

        numeric = float(mpmath.diff(along, 0))
        assert abs(analytic - numeric) <= 1e-8 * max(abs(numeric), 1e-12), (j, analytic, numeric)
    # and the loss itself, computed stably from z
    z = model.forward(X, theta[:3], float(theta[3]))
    assert model.loss(name, z, y) == pytest.approx(float(_mp_loss(name, X, y, mp_theta)),
                                                   rel=1e-14)


def test_bce_is_finite_where_the_sigmoid_rounds_to_0_or_1():
    z = np.array([-800.0, 800.0, 40.0])
    y = np.array([1.0, 0.0, 1.0])
    c = model.loss("bce", z, y)
    assert math.isfinite(c) and c == pytest.approx((800 + 800 + math.log1p(math.exp(-40))) / 3)


# --- the first epoch by hand, in exact fractions ---
@pytest.mark.parametrize("name", model.LOSSES)
def test_first_epoch_from_zeros_equals_a_hand_computation(name):
    X, y = AND
    rows, _, _ = run(X, y, loss=name, lr=0.5, epochs=3)
    # from w = 0, b = 0: every ŷ = 1/2, so ∂C/∂z = (1/2 − y)·1/4 (mse) or 1/2 − y (bce)
    half = Fraction(1, 2)
    dz = [(half - int(t)) * (Fraction(1, 4) if name == "mse" else 1) for t in y]
    grad_w = [sum(d * int(x[j]) for d, x in zip(dz, X, strict=True)) / 4 for j in range(2)]
    grad_b = sum(dz) / 4
    lr = half
    expect = [float(-lr * g) for g in grad_w] + [float(-lr * grad_b)]
    assert list(rows[1][3:]) == expect  # exactly
    # epoch 2 by hand in floats, in the textbook's order
    w1, w2, b = expect
    dzs = []
    for (x1, x2), t in zip(X.tolist(), y.tolist(), strict=True):
        p = 1 / (1 + math.exp(-(x1 * w1 + x2 * w2 + b)))
        dzs.append((p - t) * (p * (1 - p)) if name == "mse" else p - t)
    gw = [sum(d * x[j] for d, x in zip(dzs, X.tolist(), strict=True)) / 4 for j in range(2)]
    gb = sum(dzs) / 4
    want = [w1 - 0.5 * gw[0], w2 - 0.5 * gw[1], b - 0.5 * gb]
    assert rows[2][3:] == pytest.approx(want, rel=1e-15, abs=1e-17)


# --- the registry's update lines over arrays ---
def test_the_step_is_the_registry_lines_over_arrays():
    src = step_source(build_settings("adam", 0.1))
    assert "a_m0 = a_m0 + (1.0 - h_beta1) * (g0 - a_m0)" in src


@pytest.mark.parametrize("method", [m for m in METHODS])
def test_every_method_trains_and_lowers_the_loss(method):
    X, y = noisy()
    lr = {"gd": 0.5, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.3, "rmsprop": 0.01,
          "adam": 0.05, "newton": 1.0}.get(method, 0.05)
    rows, o, first = run(X, y, loss="bce", method=method, lr=lr, epochs=50)
    assert o.status in ("completed", "converged"), o.message
    assert rows[-1][1] < rows[0][1] * 0.8
    assert first and np.array_equal(first[0].theta - first[0].step, np.array(rows[1][3:]))


def test_a_scalar_run_and_the_neuron_use_the_same_update():
    """One parameter, no data dependence: the neuron's step for momentum equals the
    registry rule written out by hand."""
    X, y = noisy()
    rows, _, first = run(X, y, loss="mse", method="momentum", lr=0.2, epochs=2)
    g = first[0].grad
    assert np.array_equal(first[0].step, 0.2 * g)  # b = 0·μ + g; s = lr·b


def test_minibatches_are_shuffled_by_the_seed():
    X, y = noisy(50)
    a, _, _ = run(X, y, batch_size=8, seed=3, epochs=3)
    b, _, _ = run(X, y, batch_size=8, seed=3, epochs=3)
    c, _, _ = run(X, y, batch_size=8, seed=4, epochs=3)
    assert a == b and a != c


# --- statuses that are true ---
def test_separable_data_are_not_called_converged():
    X, y = AND
    for loss in model.LOSSES:
        for method in ("gd", "adam", "newton"):
            _, o, _ = run(X, y, loss=loss, method=method, lr=1.0 if method != "adam" else 0.1,
                          epochs=200)
            assert o.status == "separable", (loss, method, o.message)
            assert "no minimum" in o.message and "grow without bound" in o.message


def test_xor_one_neuron_cannot_learn_it_and_says_so():
    X, y = XOR
    for loss in model.LOSSES:
        _, o, _ = run(X, y, loss=loss, epochs=50)
        assert o.accuracy < 1
        assert "no straight line" in o.message and "XOR" in o.message
    _, o, _ = run(X, y, loss="bce", init="random", seed=5, lr=1.0, epochs=300)
    assert o.status in ("converged", "completed") and "no straight line" in o.message


def test_linear_separability():
    assert model.linearly_separable(*AND) is True
    assert model.linearly_separable(*XOR) is False
    assert model.linearly_separable(*noisy()) is False


def test_a_learning_rate_far_too_large_diverges():
    X, y = noisy()
    _, o, _ = run(X, y, loss="bce", lr=1e4, epochs=50)
    assert o.status == "diverged" and "smaller --lr" in o.message


def test_converged_when_the_gradient_vanishes():
    X, y = noisy()
    _, o, _ = run(X, y, loss="bce", method="newton", lr=1.0, epochs=100, tol=1e-10)
    assert o.status == "converged" and o.epochs < 20
    assert "lowest loss one neuron can reach" in o.message


@pytest.mark.parametrize("name", model.LOSSES)
def test_the_fused_pass_equals_the_separate_formulas(name):
    """Training's one-pass loss, accuracy and gradient (one exp(−|z|) shared by σ and the
    softplus) against the textbook formulas, including |z| large enough that σ rounds."""
    X, y = noisy(40, 3, 4)
    X[0] *= 300.0  # |z| in the hundreds for this row
    fused = model.Fused(name, X, y)
    for seed in range(3):
        theta = np.random.default_rng(seed).normal(size=4)
        c, acc, g = fused(theta)
        z = model.forward(X, theta[:3], float(theta[3]))
        gw, gb = model.gradient(name, X, y, theta[:3], float(theta[3]))
        assert c == pytest.approx(model.loss(name, z, y), rel=1e-14)
        assert acc == model.accuracy(model.sigmoid(z), y)
        assert [*g] == pytest.approx([*gw, gb], rel=1e-13, abs=1e-300)
