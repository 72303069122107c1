"""Training one neuron: epochs of the registry's methods over numpy parameter arrays.

The parameters are one array θ = (w_1 … w_d, b). A method's update lines (optim/methods.py)
are expanded by the one code generator's ``expand`` for a single coordinate whose gradient,
step and state are whole arrays, so the registry's arithmetic runs elementwise over θ: the
same lines serve the scalar loop, the numpy sweep and the neuron. Newton solves with the
loss's Hessian (model.hessian) and falls back to a gradient step as minimize does.

``train`` yields the history rows, ``(epoch, loss, accuracy, w_1 … w_d, b)``: row 0 the
state before training, row k the state after epoch k, both on the whole data set, and
returns a :class:`Outcome`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..optim.loopgen import expand, newton_direction
from ..optim.methods import METHODS
from ..optim.records import Settings
from ..optim.setup import lr_at
from . import model

Row = tuple[Any, ...]
#: Training has diverged when the loss, still rising, is more than this many times the loss
#: before training: the steps overshoot (a finite loss can grow without bound: bce grows
#: like |z| for rows on the wrong side).
RUNAWAY = 2.0


@dataclass(frozen=True)
class Training:
    """What to train: the loss, the epochs and batches, the start, and the method's
    Settings (its lr, hyperparameters and schedule; a schedule steps once per epoch)."""

    loss: str = "mse"
    epochs: int = 100
    batch_size: int | None = None  # None: the whole data set
    seed: int = 0
    init: str = "zeros"
    tol: float = 1e-8
    opt: Settings = field(default_factory=Settings)


@dataclass(frozen=True)
class Outcome:
    status: str  # completed, converged, separable, diverged (SPEC §6)
    message: str
    epochs: int  # epochs run
    loss: float | None
    accuracy: float | None
    w: tuple[float, ...]
    b: float
    grad_norm: float | None  # |∇C| on the whole data set at the end
    first_loss: float | None = None  # before training
    prev_loss: float | None = None  # after the epoch before the last
    notes: tuple[str, ...] = ()  # Newton's fallback steps
    interrupted: bool = False  # Ctrl-C ended it (exit 130)


@dataclass(frozen=True)
class FirstStep:
    """The first update, for --explain: its batch (row indices), the parameters before,
    the batch gradient, the method's step and the parameters after."""

    batch: np.ndarray
    theta: np.ndarray
    grad: np.ndarray
    step: np.ndarray
    lr: float


def step_source(st: Settings) -> str:
    """The method's update as a function of whole arrays: ``_step(g0, *state, lr, it,
    *hypers) -> (s0, state)`` with θ_new = θ − s0."""
    method = METHODS[st.method]
    shared = {"lr": "lr", "t": "it"}
    body = [expand(line, method, None, shared) for line in method.scalar]
    body += [expand(line, method, 0, shared) for line in method.update]
    states = [f"a_{s}0" for s in method.state]
    args = ", ".join(["g0", *states, "lr", "it", *(f"h_{h.name}" for h in method.hypers)])
    back = f"({', '.join(states)},)" if states else "()"
    return "\n".join([f"def _step({args}, _sqrt=_sqrt):", *(f"    {line}" for line in body),
                      f"    return s0, {back}", ""])


def compile_step(st: Settings) -> Callable[..., tuple[np.ndarray, tuple[np.ndarray, ...]]]:
    from ..expr.codegen import build

    return build(step_source(st), "_step", {"_sqrt": np.sqrt})


def initial(d: int, init: str, seed: int) -> np.ndarray:
    """θ_0: zeros, or (random) U(−1/√d, 1/√d) for every weight and the bias, as
    torch.nn.Linear starts, from ``seed``."""
    if init == "zeros":
        return np.zeros(d + 1)
    bound = 1.0 / math.sqrt(d) if d else 1.0
    return np.random.default_rng(seed).uniform(-bound, bound, d + 1)


def train(
    X: np.ndarray,
    y: np.ndarray,
    tr: Training,
    first: list[FirstStep] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Generator[Row, None, Outcome]:
    """Train on rows X (n × d) with targets y; yield a row per epoch (row 0 first). When
    ``first`` is a list, the first update is appended to it (--explain)."""
    st = tr.opt
    method = METHODS[st.method]
    n, d = X.shape
    hypers = [st.hyper(h.name) for h in method.hypers]
    step = None if method.hessian else compile_step(st)
    theta = initial(d, tr.init, tr.seed)
    state: tuple[np.ndarray, ...] = tuple(np.zeros(d + 1) for _ in method.state)
    rng = np.random.default_rng(tr.seed)
    batch = tr.batch_size if tr.batch_size and tr.batch_size < n else None
    notes: list[str] = []
    t = 0

    measure = model.Fused(tr.loss, X, y)

    def update(th: np.ndarray, g: np.ndarray, rows: np.ndarray | None, lr: float
               ) -> np.ndarray:
        nonlocal state, t
        t += 1
        if step is not None:
            s, state = step(g, *state, lr, t, *hypers)
            return s
        xs = X if rows is None else X[rows]
        h = model.hessian(tr.loss, xs, y if rows is None else y[rows], th[:d], th[d])
        direction, note = newton_direction(h.ravel().tolist(), g.tolist())
        if note is not None and len(notes) < 3:
            notes.append(f"epoch {k + 1}: the Hessian is "
                         + ("not positive definite" if note == "not_pd" else "singular")
                         + ": Newton took a gradient step")
        return lr * np.asarray(direction)

    with np.errstate(all="ignore"):
        c0, acc, g = measure(theta)
        first_loss = c0
        k = 0
        yield (0, c0, acc, *theta.tolist())
        c, prev = c0, None
        while True:
            gn = float(np.sqrt(g @ g))
            if not (math.isfinite(c) and np.all(np.isfinite(theta)) and math.isfinite(gn)):
                return _end("diverged", k, theta, c, acc, gn, first_loss, prev, notes, tr, X, y)
            if gn <= tr.tol:
                return _end("converged", k, theta, c, acc, gn, first_loss, prev, notes, tr, X, y)
            if k >= tr.epochs or (stop is not None and stop()):
                break
            if k and c > RUNAWAY * c0 and c > prev:
                # still rising, and far above where it started: the steps overshoot
                return _end("diverged", k, theta, c, acc, gn, first_loss, prev, notes, tr, X, y)
            lr = lr_at(st, k)
            if batch is None:
                s = update(theta, g, None, lr)
                if first is not None and not first:
                    first.append(FirstStep(np.arange(n), theta.copy(), g.copy(), s, lr))
                theta = theta - s
            else:
                order = rng.permutation(n)
                for lo in range(0, n, batch):
                    rows = order[lo:lo + batch]
                    xb, yb = X[rows], y[rows]
                    z = xb @ theta[:d] + theta[d]
                    dz = model.dz(tr.loss, model.sigmoid(z), yb)
                    gb = np.empty(d + 1)
                    gb[:d] = (xb.T @ dz) / len(rows)
                    gb[d] = np.sum(dz) / len(rows)
                    s = update(theta, gb, rows, lr)
                    if first is not None and not first:
                        first.append(FirstStep(rows, theta.copy(), gb, s, lr))
                    theta = theta - s
            k += 1
            prev = c
            c, acc, g = measure(theta)
            yield (k, c, acc, *theta.tolist())
    return _end("completed", k, theta, c, acc, gn, first_loss, prev, notes, tr, X, y,
                interrupted=k < tr.epochs)


def _end(status: str, k: int, theta: np.ndarray, c: float, acc: float, gn: float,
         first_loss: float, prev_loss: float | None, notes: list[str], tr: Training,
         X: np.ndarray, y: np.ndarray, interrupted: bool = False) -> Outcome:
    """The outcome, its status made true: weights that separate the data ended where the
    loss has no minimum (``separable``), whatever the gradient says."""
    from .diagnosis import message

    d = len(theta) - 1
    w, b = tuple(theta[:d].tolist()), float(theta[d])
    if status != "diverged" and model.separates(X @ theta[:d] + theta[d], y):
        status = "separable"
    finite = status != "diverged"
    out = Outcome(status, "", k, c if math.isfinite(c) else None, acc if finite else None,
                  w, b, gn if math.isfinite(gn) else None, first_loss, prev_loss,
                  tuple(notes), interrupted)
    return replace(out, message=message(out, tr, X, y))
