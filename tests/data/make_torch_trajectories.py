"""Record torch.optim's trajectories as test data for tests/test_torch_trajectories.py.

torch is a test oracle only: gdcli never imports it and the test suite does not need it.
This script ran once, in a throwaway virtual environment outside the repository; anyone
with torch can rerun it (the file it writes should not change but for the torch version):

    python3 -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install torch==2.13.0 numpy    # sympy comes with torch
    /tmp/torchenv/bin/python tests/data/make_torch_trajectories.py

It writes tests/data/torch_trajectories.json beside itself. Every case is one function,
start, method and set of hyperparameters (under gdcli's names), run for MAX_ITER steps of
torch.optim in float64 with exact gradients (autograd on the formula), with a scheduler
stepped once per iteration after optimizer.step() where the case has one. Stored: the
iterates x_0 … x_30 and x_500 as exact float reprs (json writes repr, which round-trips).

Each case is also rerun with the gradient taken from a different but equal formula (sympy's
expanded derivative instead of autograd): the largest difference between the two runs,
``formula_sensitivity``, says how far an implementation that rounds the gradient
differently (gdcli's symbolic derivative does) can honestly stray from torch. Every case
was chosen (method, learning rate) so that this stays far below the test's 1e-12, and so
that each method converges rather than diverges; the script refuses to write otherwise.
"""

from __future__ import annotations

import json
import math
import pathlib
import sys
from collections.abc import Callable

import sympy
import torch

MAX_ITER = 500
FIRST = 31  # x_0 … x_30 are stored, then x_MAX_ITER
SENSITIVITY_LIMIT = 1e-13  # a case whose formula sensitivity is larger is refused

torch.set_default_dtype(torch.float64)

# name -> (gdcli expression, the same formula in Python, start by variable name).
# Variables in alphabetical order, which is also the order of the formula's arguments. The
# formula runs on torch tensors (autograd) and on sympy symbols (the second gradient); the
# test checks gdcli's f(x_0) against the stored f0, so expression and formula cannot part.
FUNCTIONS: dict[str, tuple[str, Callable, dict[str, float]]] = {
    "worked": ("x**2-4*x+6", lambda x: x**2 - 4*x + 6, {"x": 8.0}),
    "rosenbrock": ("(1-x)**2 + 100*(y-x**2)**2",
                   lambda x, y: (1 - x)**2 + 100*(y - x**2)**2,
                   {"x": -1.2, "y": 1.0}),
    "himmelblau": ("(x**2+y-11)**2 + (x+y**2-7)**2",
                   lambda x, y: (x**2 + y - 11)**2 + (x + y**2 - 7)**2,
                   {"x": -4.0, "y": 4.0}),
    "beale": ("(1.5-x+x*y)**2 + (2.25-x+x*y**2)**2 + (2.625-x+x*y**3)**2",
              lambda x, y: (1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2
              + (2.625 - x + x*y**3)**2,
              {"x": 1.0, "y": 1.0}),
    "booth": ("(x+2*y-7)**2 + (2*x+y-5)**2",
              lambda x, y: (x + 2*y - 7)**2 + (2*x + y - 5)**2,
              {"x": 0.0, "y": 0.0}),
}

# Learning rates, per method and function, where the method converges from that start
# within (or on its way to the minimum at) MAX_ITER steps without diverging.
LR: dict[str, dict[str, float]] = {
    "gd": {"worked": 0.01, "rosenbrock": 0.001, "himmelblau": 0.01, "beale": 0.01,
           "booth": 0.01},
    "momentum": {"worked": 0.01, "rosenbrock": 0.0002, "himmelblau": 0.002, "beale": 0.002,
                 "booth": 0.005},
    "nesterov": {"worked": 0.01, "rosenbrock": 0.0002, "himmelblau": 0.002, "beale": 0.002,
                 "booth": 0.005},
    "adagrad": {"worked": 0.5, "rosenbrock": 0.1, "himmelblau": 0.5, "beale": 0.5,
                "booth": 0.5},
    "rmsprop": {"worked": 0.01, "rosenbrock": 0.001, "himmelblau": 0.01, "beale": 0.01,
                "booth": 0.01},
    "adam": {"worked": 0.05, "rosenbrock": 0.01, "himmelblau": 0.05, "beale": 0.02,
             "booth": 0.05},
}

# gdcli's defaults (SPEC §5), under gdcli's names. A case's hyperparameters equal to these
# are listed as "implicit": the test leaves them off the command line, so that gdcli's
# defaults are checked against torch's too.
DEFAULTS: dict[str, dict[str, float]] = {
    "gd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9},
    "adagrad": {"eps": 1e-10},
    "rmsprop": {"decay": 0.99, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}
SCHEDULE_DEFAULTS: dict[str, dict[str, float]] = {
    "step": {"gamma": 0.1, "step_size": MAX_ITER // 10},
    "exp": {"gamma": 0.99},
    "cosine": {"lr_min": 0.0},
    "inverse": {"gamma": 0.01},
}

# Non-default hyperparameters: (label for the test id, method, values).
VARIANTS: list[tuple[str, str, dict[str, float]]] = [
    ("mu0.5", "momentum", {"momentum": 0.5}),
    ("mu0.5", "nesterov", {"momentum": 0.5}),
    ("eps1e-6", "adagrad", {"eps": 1e-6}),
    ("decay0.9-eps1e-6", "rmsprop", {"decay": 0.9, "eps": 1e-6}),
    ("betas0.8-0.99", "adam", {"beta1": 0.8, "beta2": 0.99}),
    ("eps1e-6", "adam", {"eps": 1e-6}),
]
# Learning rates of a variant where LR's do not suit it. RMSprop with decay 0.9 steps about
# lr·sign(g) near a minimum and wanders there chaotically (a rounding of the gradient grows
# to 1e-3 within 500 steps), so these runs stop short of that: still descending at x_500.
VARIANT_LR: dict[tuple[str, str], dict[str, float]] = {
    ("rmsprop", "decay0.9-eps1e-6"): {"worked": 0.01, "rosenbrock": 0.0003,
                                      "himmelblau": 0.001, "beale": 0.001, "booth": 0.003},
}
# Schedules: (label, method, schedule settings). gd at gdcli's defaults, adam off them.
SCHEDULES: list[tuple[str, str, dict[str, float | str]]] = [
    ("step", "gd", {"schedule": "step"}),
    ("exp", "gd", {"schedule": "exp"}),
    ("cosine", "gd", {"schedule": "cosine"}),
    ("inverse", "gd", {"schedule": "inverse"}),
    ("step-g0.5-s100", "adam", {"schedule": "step", "gamma": 0.5, "step_size": 100}),
    ("exp-g0.995", "adam", {"schedule": "exp", "gamma": 0.995}),
    ("cosine-min0.001", "adam", {"schedule": "cosine", "lr_min": 0.001}),
    ("inverse-g0.05", "adam", {"schedule": "inverse", "gamma": 0.05}),
]


def optimizer(method: str, param: torch.Tensor, h: dict) -> torch.optim.Optimizer:
    """The torch.optim optimizer that gdcli's ``method`` with hyperparameters ``h`` is."""
    lr = h["lr"]
    if method == "gd":
        return torch.optim.SGD([param], lr=lr, foreach=False)
    if method in ("momentum", "nesterov"):
        return torch.optim.SGD([param], lr=lr, momentum=h["momentum"], dampening=0,
                               nesterov=method == "nesterov", foreach=False)
    if method == "adagrad":
        return torch.optim.Adagrad([param], lr=lr, lr_decay=0, initial_accumulator_value=0,
                                   eps=h["eps"], foreach=False)
    if method == "rmsprop":
        return torch.optim.RMSprop([param], lr=lr, alpha=h["decay"], eps=h["eps"],
                                   centered=False, momentum=0, foreach=False)
    if method == "adam":
        return torch.optim.Adam([param], lr=lr, betas=(h["beta1"], h["beta2"]), eps=h["eps"],
                                amsgrad=False, weight_decay=0, foreach=False)
    raise ValueError(method)


def scheduler(opt: torch.optim.Optimizer, h: dict):
    """torch's scheduler for gdcli's ``--schedule`` (None for a constant learning rate)."""
    kind = h.get("schedule", "constant")
    if kind == "constant":
        return None
    if kind == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=h["step_size"], gamma=h["gamma"])
    if kind == "exp":
        return torch.optim.lr_scheduler.ExponentialLR(opt, gamma=h["gamma"])
    if kind == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=MAX_ITER,
                                                          eta_min=h["lr_min"])
    if kind == "inverse":
        gamma = h["gamma"]
        return torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 1.0 / (1.0 + gamma * k))
    raise ValueError(kind)


def trajectory(method: str, h: dict, x0: list[float],
               grad: Callable[[torch.Tensor], torch.Tensor]) -> list[list[float]]:
    """x_0 … x_MAX_ITER of torch.optim's ``method``, the gradient given by ``grad``."""
    param = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = optimizer(method, param, h)
    sched = scheduler(opt, h)
    xs = [param.detach().tolist()]
    for _ in range(MAX_ITER):
        opt.zero_grad()
        param.grad = grad(param)
        opt.step()
        if sched is not None:
            sched.step()
        xs.append(param.detach().tolist())
    return xs


def gradients(formula: Callable, dim: int):
    """(autograd gradient, gradient from sympy's expanded derivative, f on floats)."""
    symbols = sympy.symbols(f"v0:{dim}")
    f_sym = formula(*symbols)
    expanded = [sympy.lambdify(symbols, sympy.expand(sympy.diff(f_sym, s)), "math")
                for s in symbols]

    def f_torch(p: torch.Tensor) -> torch.Tensor:
        return formula(*(p[i] for i in range(dim)))

    def autograd(p: torch.Tensor) -> torch.Tensor:
        (g,) = torch.autograd.grad(f_torch(p), p)
        return g

    def symbolic(p: torch.Tensor) -> torch.Tensor:
        v = p.detach().tolist()
        return torch.tensor([float(d(*v)) for d in expanded], dtype=torch.float64)

    def f_float(x: list[float]) -> float:
        return f_torch(torch.tensor(x, dtype=torch.float64)).item()

    return autograd, symbolic, f_float


def difference(a: list[float], b: list[float]) -> float:
    """max |a - b| / max(|a|, |b|, 1): relative, absolute near 0 (as math.isclose)."""
    return max(abs(p - q) / max(abs(p), abs(q), 1.0) for p, q in zip(a, b, strict=True))


def dumps(data: dict) -> str:
    """JSON with one case per line: small, and a rerun's diff shows which cases moved."""
    head = "".join(f" {json.dumps(k)}: {json.dumps(v)},\n" for k, v in data.items()
                   if k != "cases")
    body = ",\n".join(f"  {json.dumps(case)}" for case in data["cases"])
    return f'{{\n{head} "cases": [\n{body}\n ]\n}}\n'


def cases() -> list[dict]:
    out: list[dict] = []

    def add(case_id: str, fname: str, method: str, h: dict, implicit: list[str]) -> None:
        expr, _, start = FUNCTIONS[fname]
        out.append({"id": case_id, "function": fname, "expr": expr, "x0": dict(start),
                    "method": method, "hyperparameters": h, "implicit": implicit})

    for method, lrs in LR.items():
        for fname in FUNCTIONS:
            h = {"lr": lrs[fname], **DEFAULTS[method]}
            add(f"{method}-{fname}", fname, method, h, sorted(DEFAULTS[method]))
    for label, method, values in VARIANTS:
        for fname in FUNCTIONS:
            lr = VARIANT_LR.get((method, label), LR[method])[fname]
            h = {"lr": lr, **DEFAULTS[method], **values}
            implicit = sorted(k for k in DEFAULTS[method] if k not in values)
            add(f"{method}-{label}-{fname}", fname, method, h, implicit)
    for label, method, values in SCHEDULES:
        kind = str(values["schedule"])
        for fname in FUNCTIONS:
            h = {"lr": LR[method][fname], **DEFAULTS[method], **SCHEDULE_DEFAULTS[kind],
                 **values}
            implicit = sorted([*DEFAULTS[method],
                               *(k for k in SCHEDULE_DEFAULTS[kind] if k not in values)])
            add(f"{method}-{label}-{fname}", fname, method, h, implicit)
    return out


def main() -> int:
    records = []
    bad = []
    for case in cases():
        names = sorted(case["x0"])
        x0 = [case["x0"][n] for n in names]
        autograd, symbolic, f_float = gradients(FUNCTIONS[case["function"]][1], len(names))
        xs = trajectory(case["method"], case["hyperparameters"], x0, autograd)
        ys = trajectory(case["method"], case["hyperparameters"], x0, symbolic)
        kept = [*range(FIRST), MAX_ITER]
        sensitivity = max(difference(xs[k], ys[k]) for k in kept)
        f0, f_end = f_float(xs[0]), f_float(xs[MAX_ITER])
        finite = all(math.isfinite(v) for x in xs for v in x)
        # converging: finite, f well below its start, the last steps small
        converging = finite and f_end < f0 and difference(xs[MAX_ITER], xs[MAX_ITER - 1]) < 1e-2
        print(f"{case['id']:40s} f {f0:.4g} -> {f_end:.4g}  x_500 {xs[MAX_ITER]}  "
              f"sensitivity {sensitivity:.1e}", file=sys.stderr)
        if sensitivity > SENSITIVITY_LIMIT or not converging:
            bad.append(case["id"])
        records.append({
            **case,
            "variables": names,
            "max_iter": MAX_ITER,
            "f0": f0,
            "formula_sensitivity": sensitivity,
            "iterates": {str(k): dict(zip(names, xs[k], strict=True)) for k in kept},
        })
    if bad:
        print(f"refused (sensitive or not converging): {', '.join(bad)}", file=sys.stderr)
        return 1
    data = {
        "about": "torch.optim trajectories (float64, autograd gradients) for "
                 "tests/test_torch_trajectories.py; made by make_torch_trajectories.py",
        "torch_version": torch.__version__,
        "max_iter": MAX_ITER,
        "stored_iterates": [*range(FIRST), MAX_ITER],
        "cases": records,
    }
    path = pathlib.Path(__file__).with_name("torch_trajectories.json")
    path.write_text(dumps(data), encoding="utf-8")
    print(f"wrote {len(records)} cases to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
