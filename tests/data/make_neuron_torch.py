"""Record one sigmoid neuron's training by torch.optim as test data for tests/test_neuron_torch.py.

torch is a test oracle only: gdcli never imports it and the test suite does not need it.
This script ran once, in a throwaway virtual environment outside the repository; anyone
with torch can rerun it (the file it writes should not change but for the torch version):

    python3 -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchenv/bin/python tests/data/make_neuron_torch.py

It writes tests/data/neuron_torch.json beside itself: the data sets (X and y, generated
here from a fixed numpy seed, so the test needs nothing else) and, per case, EPOCHS epochs
of full-batch training of ŷ = σ(w·x + b) in float64 from w = 0, b = 0: torch tensors w (d,)
and b (), the loss

    mse: 0.5 * mean((sigmoid(z) - y)**2)                      (C = 1/(2N)·Σ(ŷ − y)²)
    bce: binary_cross_entropy_with_logits(z, y) (its mean)

differentiated by autograd, one optimizer.step() per epoch. Stored per epoch 0 … EPOCHS
(0 is the start): the loss, the accuracy (ŷ ≥ 0.5 counts as class 1), w and b, all floats as
exact reprs (json writes repr, which round-trips). Hyperparameters are under gdcli's names;
those equal to gdcli's defaults are listed as "implicit" and the test leaves them out, so
that gdcli's defaults are checked against torch's too.

Each case is also rerun with the gradient of a different but equal formula (the textbook
loss on ŷ = 1/(1 + exp(−z)), not torch's fused sigmoid and logits kernels), again by
autograd: the largest difference between the two runs over every stored number,
``formula_sensitivity`` (relative, absolute below 1), says how far an implementation that
rounds the gradient differently (gdcli's numpy formulas do) can honestly stray from torch.
The script refuses to write a case whose sensitivity is above SENSITIVITY_LIMIT, whose loss
does not fall, or whose numbers are not finite; and a generated data set that a hyperplane
separates (Newton's method on the cross-entropy must reach a vanishing gradient); the
AND gate is kept on purpose, separable.
"""

from __future__ import annotations

import json
import math
import pathlib
import sys

import numpy as np
import torch
import torch.nn.functional as F

EPOCHS = 30
SENSITIVITY_LIMIT = 1e-13
SEED = 20240609

torch.set_default_dtype(torch.float64)


def make_datasets() -> dict[str, dict]:
    """Two synthetic sets (labels drawn from a logistic model, so the classes overlap;
    features of mixed scale) and the AND gate. Values rounded to 3 decimals: short in the
    JSON, and the stored floats are exactly what both sides train on."""
    rng = np.random.default_rng(SEED)
    out: dict[str, dict] = {}

    # 50 × 2: a feature of scale 1 and one of scale 10 around 20
    n = 50
    x1 = rng.normal(0.0, 1.0, n)
    x2 = rng.normal(20.0, 8.0, n)
    logit = 1.5 * x1 + 0.15 * (x2 - 20.0) + 0.3
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(float)
    out["overlap50x2"] = {"features": ["x1", "x2"],
                          "X": np.round(np.column_stack([x1, x2]), 3), "y": y}

    # 40 × 3: scales 0.1, 1 and 10
    n = 40
    x1 = rng.uniform(0.0, 0.5, n)
    x2 = rng.normal(0.0, 1.5, n)
    x3 = rng.normal(10.0, 4.0, n)
    logit = 4.0 * (x1 - 0.25) - 1.0 * x2 + 0.3 * (x3 - 10.0)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(float)
    out["mixed40x3"] = {"features": ["a", "b", "c"],
                        "X": np.round(np.column_stack([x1, x2, x3]), 3), "y": y}

    # the AND gate (as sample_configs/and.csv): separable, so bce's weights keep growing
    out["and"] = {"features": ["x1", "x2"],
                  "X": np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
                  "y": np.array([0.0, 0.0, 0.0, 1.0])}
    return out


# gdcli's defaults (SPEC §5), under gdcli's names
DEFAULTS: dict[str, dict[str, float]] = {
    "gd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9},
    "adagrad": {"eps": 1e-10},
    "rmsprop": {"decay": 0.99, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}

# (label, data, loss, method, lr, hyperparameters off gdcli's defaults). Learning rates are
# chosen so that every run is well-behaved: the loss falls and never rises above its start.
# The scale-20 feature of overlap50x2 (its mean is far from 0) limits gd and momentum: with
# bce at twice these rates they overshoot, and there a rounding of the gradient grows to
# 1e-12 … 1e-4 within 30 epochs (the sensitivity below), so no exact comparison is possible;
# The adaptive methods' first step is about lr (RMSprop's lr/√(1 − α) = 10·lr) in every
# coordinate, the scale-20 one too: their rates are kept below where that first step
# overshoots.
CASES: list[tuple[str, str, str, str, float, dict[str, float]]] = [
    *((f"{m}-{data}-{loss}", data, loss, m, lr, {})
      for m, rates in (
          ("adam", {(data, loss): lr for data, lr in (("overlap50x2", 0.02), ("mixed40x3", 0.05),
                                                    ("and", 0.1))
                   for loss in ("mse", "bce")}),
          ("momentum", {("overlap50x2", "mse"): 0.03, ("overlap50x2", "bce"): 0.01,
                       ("mixed40x3", "mse"): 0.03, ("mixed40x3", "bce"): 0.02,
                       ("and", "mse"): 0.5, ("and", "bce"): 0.5}),
      )
      for (data, loss), lr in rates.items()),
    ("adam-betas0.8-0.99-overlap50x2-mse", "overlap50x2", "mse", "adam", 0.02,
     {"beta1": 0.8, "beta2": 0.99}),
    ("adam-betas0.8-0.99-mixed40x3-bce", "mixed40x3", "bce", "adam", 0.05,
     {"beta1": 0.8, "beta2": 0.99}),
    ("gd-overlap50x2-bce", "overlap50x2", "bce", "gd", 0.01, {}),
    ("nesterov-mixed40x3-mse", "mixed40x3", "mse", "nesterov", 0.03, {}),
    ("rmsprop-overlap50x2-mse", "overlap50x2", "mse", "rmsprop", 0.003, {}),
    ("adagrad-mixed40x3-bce", "mixed40x3", "bce", "adagrad", 0.05, {}),
]


def optimizer(method: str, params: list[torch.Tensor], h: dict) -> torch.optim.Optimizer:
    """The torch.optim optimizer that gdcli's ``method`` with hyperparameters ``h`` is."""
    lr = h["lr"]
    if method == "gd":
        return torch.optim.SGD(params, lr=lr, foreach=False)
    if method in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=h["momentum"], dampening=0,
                               nesterov=method == "nesterov", foreach=False)
    if method == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, lr_decay=0, initial_accumulator_value=0,
                                   eps=h["eps"], foreach=False)
    if method == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=h["decay"], eps=h["eps"],
                                   centered=False, momentum=0, foreach=False)
    if method == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(h["beta1"], h["beta2"]), eps=h["eps"],
                                amsgrad=False, weight_decay=0, foreach=False)
    raise ValueError(method)


def torch_loss(name: str, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The loss as torch users write it (the recorded runs)."""
    if name == "mse":
        return 0.5 * torch.mean((torch.sigmoid(z) - y) ** 2)
    return F.binary_cross_entropy_with_logits(z, y)


def textbook_loss(name: str, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The same loss by another formula (for the sensitivity rerun only)."""
    p = 1.0 / (1.0 + torch.exp(-z))
    if name == "mse":
        return ((p - y) * (p - y)).sum() / (2 * len(y))
    return -(y * torch.log(p) + (1.0 - y) * torch.log(1.0 - p)).sum() / len(y)


def trajectory(X: torch.Tensor, y: torch.Tensor, loss: str, method: str, h: dict,
               formula=torch_loss) -> dict[str, list]:
    """Epochs 0 … EPOCHS of full-batch training from zeros: loss, accuracy, w, b."""
    d = X.shape[1]
    w = torch.zeros(d, requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    opt = optimizer(method, [w, b], h)
    rows: dict[str, list] = {"loss": [], "accuracy": [], "w": [], "b": []}

    def record() -> None:
        with torch.no_grad():
            z = X @ w + b
            rows["loss"].append(torch_loss(loss, z, y).item())
            rows["accuracy"].append(((torch.sigmoid(z) >= 0.5) == (y == 1.0))
                                    .double().mean().item())
            rows["w"].append(w.tolist())
            rows["b"].append(b.item())

    record()
    for _ in range(EPOCHS):
        opt.zero_grad()
        formula(loss, X @ w + b, y).backward()
        opt.step()
        record()
    return rows


def flat(rows: dict[str, list]) -> list[float]:
    return [*rows["loss"], *(v for w in rows["w"] for v in w), *rows["b"]]


def difference(a: list[float], b: list[float]) -> float:
    """max |a - b| / max(|a|, |b|, 1): relative, absolute below 1."""
    return max(abs(p - q) / max(abs(p), abs(q), 1.0) for p, q in zip(a, b, strict=True))


def separable(X: torch.Tensor, y: torch.Tensor) -> bool:
    """Whether a hyperplane puts the classes strictly on its two sides. Newton's method on
    the (convex) cross-entropy, on standardized features: True when an iterate's z = 0
    separates the rows; False when the gradient vanishes, for then the minimum is finite,
    which a separating hyperplane rules out (scaling it up lowers the loss toward 0)."""
    xs = (X - X.mean(0)) / X.std(0, unbiased=False)
    xb = torch.cat([xs, torch.ones(len(X), 1)], dim=1)
    theta = torch.zeros(xb.shape[1])
    for _ in range(100):
        z = xb @ theta
        if bool(((z > 0) == (y == 1.0)).all()) and bool((z != 0).all()):
            return True
        p = torch.sigmoid(z)
        g = xb.T @ (p - y) / len(y)
        if g.norm() < 1e-12:
            return False
        hess = (xb.T * (p * (1 - p))) @ xb / len(y)
        theta = theta - torch.linalg.solve(hess, g)
    raise RuntimeError("Newton's method settled neither way in 100 steps")


def dumps(data: dict) -> str:
    """JSON with one data set and one case per line: a rerun's diff shows what moved."""
    head = "".join(f" {json.dumps(k)}: {json.dumps(v)},\n" for k, v in data.items()
                   if k not in ("datasets", "cases"))
    sets = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}"
                      for k, v in data["datasets"].items())
    body = ",\n".join(f"  {json.dumps(case)}" for case in data["cases"])
    return f'{{\n{head} "datasets": {{\n{sets}\n }},\n "cases": [\n{body}\n ]\n}}\n'


def main() -> int:
    datasets = make_datasets()
    bad: list[str] = []
    for name, ds in datasets.items():
        X, y = torch.tensor(ds["X"]), torch.tensor(ds["y"])
        sep = separable(X, y)
        ds["separable"] = sep
        print(f"{name}: {X.shape[0]} × {X.shape[1]}, {int(y.sum())} of class 1, "
              f"{'separable' if sep else 'not separable'}", file=sys.stderr)
        if name != "and" and sep:
            bad.append(f"data {name} (separable)")
    records = []
    for case_id, data, loss, method, lr, values in CASES:
        ds = datasets[data]
        X, y = torch.tensor(ds["X"]), torch.tensor(ds["y"])
        h = {"lr": lr, **DEFAULTS[method], **values}
        implicit = sorted(k for k in DEFAULTS[method] if k not in values)
        rows = trajectory(X, y, loss, method, h)
        other = trajectory(X, y, loss, method, h, formula=textbook_loss)
        sensitivity = difference(flat(rows), flat(other))
        values_ = flat(rows)
        finite = all(math.isfinite(v) for v in values_)
        # well-behaved: the loss falls and never rises above its start (no overshoot)
        falls = rows["loss"][-1] < rows["loss"][0] and max(rows["loss"]) <= rows["loss"][0]
        print(f"{case_id:40s} loss {rows['loss'][0]:.4g} -> {rows['loss'][-1]:.4g}  "
              f"acc {rows['accuracy'][-1]:.3f}  w {rows['w'][-1]} b {rows['b'][-1]:.4g}  "
              f"sensitivity {sensitivity:.1e}", file=sys.stderr)
        if sensitivity > SENSITIVITY_LIMIT or not finite or not falls:
            bad.append(case_id)
        records.append({"id": case_id, "data": data, "loss": loss, "method": method,
                        "hyperparameters": h, "implicit": implicit, "epochs": EPOCHS,
                        "formula_sensitivity": sensitivity, "history": rows})
    if bad:
        print(f"refused: {', '.join(bad)}", file=sys.stderr)
        return 1
    data = {
        "about": "torch.optim training of one sigmoid neuron (float64, full batch, zero "
                 "init) for tests/test_neuron_torch.py; made by make_neuron_torch.py",
        "torch_version": torch.__version__,
        "epochs": EPOCHS,
        "datasets": {k: {"features": v["features"], "X": v["X"].tolist(),
                         "y": v["y"].tolist(), "separable": v["separable"]}
                     for k, v in datasets.items()},
        "cases": records,
    }
    path = pathlib.Path(__file__).with_name("neuron_torch.json")
    path.write_text(dumps(data), encoding="utf-8")
    print(f"wrote {len(records)} cases to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
