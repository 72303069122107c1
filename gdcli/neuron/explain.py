"""``gdcli neuron --explain``: the first update written out for one sample, as a textbook
would, with the chain rule's factors taken from the derivative engine.

The symbolic factors are ``gdcli derive`` of the per-sample loss (model.LOSS_TEXT) with
respect to ŷ, of σ(z) with respect to z and of w·x + b with respect to w; their values are
those derivatives evaluated at the sample, so a factor dropped or a sign flipped in the
engine would show here and fail the tests that compare it with the training's numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..expr.diff import derivative
from ..expr.evaluate import evaluate, plain
from ..expr.nodes import Node
from ..expr.parser import parse
from ..expr.printer import to_str
from ..optim.methods import METHODS
from ..optim.records import Settings
from . import model
from .train import FirstStep


def _d(text: str, var: str) -> tuple[Node, str]:
    node = derivative(parse(text), var)
    return node, to_str(node)


def _value(node: Node, env: dict[str, float]) -> float | None:
    try:
        return plain(evaluate(node, env))
    except Exception:  # noqa: BLE001 - a log of 0 at ŷ = 0 or 1 exactly: shown as undefined
        return None


def lines(
    first: FirstStep, X: np.ndarray, y: np.ndarray, line_no: Sequence[int], source: str,
    features: Sequence[str], loss: str, st: Settings, standardized: bool, digits: int = 7,
) -> list[str]:
    """The text of one step for the first sample of the first batch."""

    def n(v: float | None) -> str:
        if v is None:
            return "undefined"
        return "0" if v == 0 else f"{v:.{digits}g}"

    def p(v: float | None) -> str:
        """A factor after the first: a negative one in brackets (0 − 1·(−0.5), not 0 − 1·-0.5)."""
        return f"({n(v)})" if v is not None and v < 0 else n(v)

    d = len(features)
    i = int(first.batch[0])
    x, yi = X[i], float(y[i])
    w, b = first.theta[:d], float(first.theta[d])
    z = float(x @ w + b)
    yhat = float(model.sigmoid(np.array([z]))[0])
    loss_node = parse(model.LOSS_TEXT[loss])
    dc_node, dc_text = _d(model.LOSS_TEXT[loss], "yhat")
    ds_node, ds_text = _d("sigmoid(z)", "z")
    _, dz_text = _d("w*x + b", "w")
    c = _value(loss_node, {"yhat": yhat, "y": yi})
    dc = _value(dc_node, {"yhat": yhat, "y": yi})
    ds = _value(ds_node, {"z": z})
    if dc is None:  # ŷ is 0 or 1 to the last bit: the product is what training used
        dc_prod = float(model.dz(loss, np.array([yhat]), np.array([yi]))[0])
    else:
        dc_prod = dc * (ds or 0.0)
    std = " (standardized)" if standardized else ""
    xs = ", ".join(f"{f} = {n(v)}" for f, v in zip(features, x, strict=True))
    out = [f"the first step, written out for one sample: line {line_no[i]} of {source} "
           f"({xs}{std}; {'target'} y = {n(yi)}), loss {loss} (per sample C = "
           f"{model.LOSS_TEXT[loss]}, averaged over the batch):"]
    wx = " + ".join(f"{p(wj)}·{p(xj)}" for wj, xj in zip(w, x, strict=True))
    out.append(f"  z = w·x + b = {wx} + {p(b)} = {n(z)}")
    out.append(f"  ŷ = σ(z) = 1/(1 + e^(−z)) = {n(yhat)}")
    out.append(f"  C = {model.LOSS_TEXT[loss]} = {n(c)}")
    out.append(f"  ∂C/∂ŷ = {dc_text} = {n(dc)}        (gdcli derive \"{model.LOSS_TEXT[loss]}\" "
               "--wrt yhat)")
    out.append(f"  ∂ŷ/∂z = {ds_text} = ŷ(1 − ŷ) = {n(ds)}        (gdcli derive \"sigmoid(z)\" "
               "--wrt z)")
    out.append(f"  ∂z/∂w = {dz_text} for each weight, ∂z/∂b = 1        (gdcli derive "
               "\"w*x + b\" --wrt w)")
    if loss == "bce":
        out.append(f"  ∂C/∂ŷ · ∂ŷ/∂z = {n(dc)} · {p(ds)} = {n(dc_prod)}  (= ŷ − y: the "
                   "cross-entropy's 1/(ŷ(1 − ŷ)) cancels σ's ŷ(1 − ŷ))")
    else:
        out.append(f"  ∂C/∂ŷ · ∂ŷ/∂z = {n(dc)} · {p(ds)} = {n(dc_prod)}")
    for f, xj in zip(features, x, strict=True):
        out.append(f"  ∂C/∂w_{f} = ∂C/∂ŷ · ∂ŷ/∂z · ∂z/∂w_{f} = {n(dc)} · {p(ds)} · {p(xj)} = "
                   f"{n(dc_prod * xj)}")
    out.append(f"  ∂C/∂b = ∂C/∂ŷ · ∂ŷ/∂z · 1 = {n(dc_prod)}")
    size = len(first.batch)
    avg = ", ".join(f"∂C/∂w_{f} = {n(v)}" for f, v in zip(features, first.grad[:d], strict=True))
    out.append(f"averaged over the {'whole data set' if size == len(X) else 'batch'} "
               f"({size:,} row{'s' if size != 1 else ''}): {avg}, ∂C/∂b = {n(first.grad[d])}")
    names = [*(f"w_{f}" for f in features), "b"]
    method = METHODS[st.method]
    if st.method == "gd":
        out.append(f"update, lr = {n(first.lr)}: each parameter ← parameter − lr·∂C/∂parameter")
        for name, old, g, new in zip(names, first.theta, first.grad,
                                     first.theta - first.step, strict=True):
            out.append(f"  {name} = {n(old)} − {n(first.lr)}·{p(g)} = {n(new)}")
    else:
        out.append(f"update by {method.title} ({method.rule}), lr = {n(first.lr)}: each "
                   "parameter ← parameter − its step")
        for name, old, s, new in zip(names, first.theta, first.step,
                                     first.theta - first.step, strict=True):
            out.append(f"  {name} = {n(old)} − {p(s)} = {n(new)}")
    return out
