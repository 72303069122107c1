"""On the shipped data, the trained neuron's loss is within 1% of the optimum, found here by
an independent high-precision reference: Newton's method in mpmath (40 digits) on the same
loss, written out from its definition (not gdcli's code), started from the float solution
of a plain numpy Newton iteration."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import mpmath
import numpy as np
import pytest

from tests.conftest import run_gdcli

DATA = Path(__file__).parent.parent / "sample_configs" / "breast_cancer.csv"
TARGET = "malignant"


def _table():
    raw = np.loadtxt(DATA, delimiter=",", skiprows=1)
    X, y = raw[:, :-1], raw[:, -1]
    X = (X - X.mean(axis=0)) / X.std(axis=0)  # population std, as --standardize
    return X, y


def _mp_loss_grad_hess(name, X, y, theta):
    """The loss, gradient and Hessian in (w, b), in mpmath, from the definitions."""
    d = X.shape[1]
    n = len(y)
    c = mpmath.mpf(0)
    g = [mpmath.mpf(0)] * (d + 1)
    h = [[mpmath.mpf(0)] * (d + 1) for _ in range(d + 1)]
    for xi, yi in zip(X.tolist(), y.tolist(), strict=True):
        xs = [mpmath.mpf(v) for v in xi] + [mpmath.mpf(1)]
        z = mpmath.fsum(a * b for a, b in zip(xs, theta, strict=True))
        p = 1 / (1 + mpmath.exp(-z))
        s = p * (1 - p)
        if name == "bce":
            c -= yi * mpmath.log(p) + (1 - yi) * mpmath.log(1 - p)
            dz, d2 = p - yi, s
        else:
            c += (p - yi) ** 2 / 2
            dz, d2 = (p - yi) * s, s * (s + (p - yi) * (1 - 2 * p))
        for j in range(d + 1):
            g[j] += dz * xs[j]
            for k in range(d + 1):
                h[j][k] += d2 * xs[j] * xs[k]
    return c / n, [v / n for v in g], [[v / n for v in row] for row in h]


@functools.cache
def optimum(name: str) -> tuple[float, list[float]]:
    """The loss's minimum on the shipped data and where it is (a local minimum for mse:
    gradient ~0 and a positive definite Hessian, checked)."""
    X, y = _table()
    d = X.shape[1]
    theta = np.zeros(d + 1)
    xb = np.hstack([X, np.ones((len(y), 1))])
    for _ in range(200):  # float Newton with halving, from zero
        z = xb @ theta
        p = 1 / (1 + np.exp(-z))
        s = p * (1 - p)
        dz, d2 = (p - y, s) if name == "bce" else ((p - y) * s, s * (s + (p - y) * (1 - 2 * p)))
        g = xb.T @ dz / len(y)
        hm = (xb.T * d2) @ xb / len(y)
        lam = max(0.0, -np.linalg.eigvalsh(hm)[0]) * 1.1 + 1e-12
        step = np.linalg.solve(hm + lam * np.eye(d + 1), g)
        theta = theta - step
        if np.linalg.norm(g) < 1e-13:
            break
    mpmath.mp.dps = 40
    t = [mpmath.mpf(v) for v in theta]
    for _ in range(3):  # refine in 40 digits
        c, g, h = _mp_loss_grad_hess(name, X, y, t)
        step = mpmath.lu_solve(mpmath.matrix(h), mpmath.matrix(g))
        t = [a - step[i] for i, a in enumerate(t)]
    c, g, h = _mp_loss_grad_hess(name, X, y, t)
    assert max(abs(v) for v in g) < mpmath.mpf(10) ** -25
    assert min(mpmath.eigsy(mpmath.matrix(h))[0]) > 0  # a minimum
    return float(c), [float(v) for v in t]


@pytest.mark.parametrize(("loss", "args"), [
    ("bce", ["--method", "adam", "--lr", "0.1", "--epochs", "300"]),
    ("bce", ["--lr", "1", "--epochs", "1000"]),
    ("bce", ["--method", "newton"]),
    ("mse", ["--method", "adam", "--lr", "0.1", "--epochs", "300"]),
])
def test_trained_loss_is_within_one_percent_of_the_optimum(loss, args):
    best, _ = optimum(loss)
    r = run_gdcli("neuron", str(DATA), "--target", TARGET, "--loss", loss, "--standardize",
                  *args, "--format", "json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)["loss"]
    assert best <= got * (1 + 1e-12)  # nothing beats the optimum
    assert got <= best * 1.01, (got, best)


def test_newton_reaches_the_optimum_itself():
    best, where = optimum("bce")
    r = run_gdcli("neuron", str(DATA), "--target", TARGET, "--loss", "bce", "--standardize",
                  "--method", "newton", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["status"] == "converged"
    assert doc["loss"] == pytest.approx(best, rel=1e-12)
    got = [*doc["weights"].values(), doc["bias"]]
    assert got == pytest.approx(where, rel=1e-9, abs=1e-12)
