"""The neuron's training against torch.optim: the same epochs to 1e-12 (issue 9).

The references are torch's own full-batch training of one sigmoid neuron in float64 from
zero weights (autograd gradients of 0.5·mean((σ(z) − y)²) and of
binary_cross_entropy_with_logits, one optimizer.step() per epoch), recorded once by
tests/data/make_neuron_torch.py into tests/data/neuron_torch.json together with the data
sets it trained on; this test does not need torch. Each case runs gdcli's ``train`` with
the same data, loss, method and hyperparameters (those at gdcli's defaults left to gdcli,
so its defaults are checked against torch's too) and compares every epoch's loss, weights
and bias — and the accuracy, exactly.

Why 1e-12 (relative, absolute below 1): gdcli's gradient is a different but equal formula
(∂C/∂z = (ŷ − y)·ŷ(1 − ŷ) or ŷ − y, then Xᵀ·∂C/∂z/N in numpy) from torch's autograd
through its fused kernels, so the two round differently, an ulp or so per epoch. The script
reran every case with the gradient of yet another equal formula and kept only cases where
that moved no stored number by more than 1e-13 (each case's ``formula_sensitivity``, below
1e-15 in the data): learning rates where training overshoots, and a rounding grows to
1e-12 … 1e-4 within 30 epochs, were left out on purpose. The largest difference gdcli
showed when this was written is 6.5e-16 (adam on the AND gate, a weight), that is a few
ulps; ``test_largest_difference`` holds it below 1e-14. TOL is the bound the issue asks
for, kept loose enough for another numpy or BLAS (a different summation order in Xᵀ·d)
and tight enough to catch any formula or hyperparameter slip: eps 1e-7 for adam's 1e-8
moves the weights by 2e-6, momentum 0.9000001 by 2e-7, a learning rate off by 1e-8
relative by 7e-10.

Minibatches are not compared: gdcli shuffles with numpy's generator, torch with its own.
"""

from __future__ import annotations

import json
import math
import pathlib

import numpy as np
import pytest

from gdcli.neuron.train import Training, train
from gdcli.optim.setup import build_settings

DATA = pathlib.Path(__file__).parent / "data" / "neuron_torch.json"
REFERENCE = json.loads(DATA.read_text(encoding="utf-8"))
DATASETS: dict[str, dict] = REFERENCE["datasets"]
CASES: list[dict] = REFERENCE["cases"]
TOL = 1e-12


def difference(got: float, want: float) -> float:
    """|got − want| / max(1, |want|): ≤ TOL is the bound asked of every number."""
    return abs(got - want) / max(1.0, abs(want))


def run(case: dict) -> tuple[list[tuple], object]:
    """gdcli's history rows (epoch, loss, accuracy, w…, b) and outcome for ``case``."""
    ds = DATASETS[case["data"]]
    X, y = np.array(ds["X"], dtype=float), np.array(ds["y"], dtype=float)
    h = case["hyperparameters"]
    given = {k: v for k, v in h.items() if k != "lr" and k not in case["implicit"]}
    st = build_settings(case["method"], h["lr"], given, max_iter=case["epochs"])
    tr = Training(loss=case["loss"], epochs=case["epochs"], batch_size=None, seed=0,
                  init="zeros", tol=0.0, opt=st)
    gen = train(X, y, tr)
    rows = []
    while True:
        try:
            rows.append(next(gen))
        except StopIteration as stop:
            return rows, stop.value


def differences(case: dict, rows: list[tuple]) -> list[tuple[int, str, float, float]]:
    """(epoch, quantity, gdcli's, torch's) for every stored number, in order."""
    want = case["history"]
    d = len(DATASETS[case["data"]]["features"])
    out = []
    for k, row in enumerate(rows):
        out.append((k, "loss", row[1], want["loss"][k]))
        out += [(k, f"w_{i + 1}", row[3 + i], want["w"][k][i]) for i in range(d)]
        out.append((k, "b", row[3 + d], want["b"][k]))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_torch(case: dict) -> None:
    rows, outcome = run(case)
    epochs = case["epochs"]
    assert [r[0] for r in rows] == list(range(epochs + 1)), case["id"]
    assert outcome.epochs == epochs and outcome.status != "diverged", outcome
    # accuracy is a count of rows on the right side of z = 0: the same, exactly
    assert [r[2] for r in rows] == case["history"]["accuracy"], case["id"]
    bad = [(k, q, g, w) for k, q, g, w in differences(case, rows) if difference(g, w) > TOL]
    worst = max((difference(g, w) for _, _, g, w in bad), default=0.0)
    assert not bad, (
        f"{case['id']}: {len(bad)} numbers differ from torch's by more than {TOL} "
        f"(worst {worst:.2e}): "
        + "; ".join(f"epoch {k} {q} {g!r} vs {w!r}" for k, q, g, w in bad[:5])
    )


def test_largest_difference() -> None:
    """Over all cases gdcli stays within a few ulps of torch, far inside TOL: a drift
    toward 1e-12 would mean a formula changed, not rounding."""
    worst = {}
    for case in CASES:
        rows, _ = run(case)
        worst[case["id"]] = max(difference(g, w) for _, _, g, w in differences(case, rows))
    assert max(worst.values()) <= 1e-14, worst


def test_reference_data_is_what_the_docstring_says() -> None:
    methods = {c["method"] for c in CASES}
    assert {"gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"} <= methods
    assert {c["loss"] for c in CASES} == {"mse", "bce"}
    assert any(c["method"] == "adam" and c["hyperparameters"]["beta1"] == 0.8
               and c["hyperparameters"]["beta2"] == 0.99 for c in CASES)
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    for name, ds in DATASETS.items():
        X, y = np.array(ds["X"]), np.array(ds["y"])
        assert X.shape == (len(y), len(ds["features"])), name
        assert set(y.tolist()) == {0.0, 1.0}, name
    # the synthetic sets overlap (the loss has a finite minimum); the AND gate does not
    assert not DATASETS["overlap50x2"]["separable"] and not DATASETS["mixed40x3"]["separable"]
    assert DATASETS["and"]["separable"]
    assert DATASETS["and"]["X"] == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert DATASETS["and"]["y"] == [0.0, 0.0, 0.0, 1.0]
    for case in CASES:
        h = case["history"]
        n = case["epochs"] + 1
        assert len(h["loss"]) == len(h["accuracy"]) == len(h["w"]) == len(h["b"]) == n
        assert case["formula_sensitivity"] <= 1e-13, case["id"]
        assert all(math.isfinite(v) for v in h["loss"] + h["b"]), case["id"]
        # from zero weights: z = 0, ŷ = 1/2, so the loss starts at 1/8 (mse) or log 2 (bce)
        assert h["w"][0] == [0.0] * len(DATASETS[case["data"]]["features"]) and h["b"][0] == 0
        assert h["loss"][0] == pytest.approx(0.125 if case["loss"] == "mse" else math.log(2),
                                             rel=1e-15)
