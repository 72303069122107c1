"""What a training run's end means, in words that are true (SPEC §6): the status the
engine settled on, the loss and accuracy, and for a neuron that cannot classify every row,
whether any straight line (hyperplane) could."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..expr.evaluate import fmt
from . import model

if TYPE_CHECKING:  # pragma: no cover
    from .train import Outcome, Training


def _pct(a: float | None) -> str:
    if a is None:
        return "—"
    text = f"{100 * a:.1f}"
    if text == "100.0" and a < 1:
        text = "99.9"  # never round a miss up to a perfect score
    return text.removesuffix(".0") + "%"


def _g(v: float | None) -> str:
    return "—" if v is None else f"{v:.4g}"


def _epochs(k: int) -> str:
    return f"{k:,} epoch{'' if k == 1 else 's'}"


def message(o: Outcome, tr: Training, X: np.ndarray, y: np.ndarray) -> str:
    lr = fmt(tr.opt.lr)
    if o.status == "diverged":
        if o.loss is not None and all(math.isfinite(v) for v in (*o.w, o.b)):
            what = (f"the loss grew from {_g(o.first_loss)} before training to {_g(o.loss)} "
                    f"after {_epochs(o.epochs)}, and was still rising")
        else:
            what = f"the weights or the loss stopped being finite in epoch {o.epochs + 1}"
        return (f"diverged: {what} — each step moves the weights by lr·∂C/∂w, and --lr {lr} "
                "overshoots; use a smaller --lr (and --standardize when the features differ "
                "widely in size)")
    said = f"loss {_g(o.loss)}, accuracy {_pct(o.accuracy)}"
    if o.status == "separable":
        size = float(np.hypot.reduce([*o.w, o.b])) if o.w else abs(o.b)
        return (f"separable: after {_epochs(o.epochs)} the neuron classifies every row "
                f"right ({said}), and the loss has no minimum: it keeps falling toward 0 as "
                f"w and b grow without bound (|(w, b)| = {_g(size)} now): training longer makes "
                "them larger without ever converging, so stop when the loss is small enough")
    wrong = int(round((1 - (o.accuracy or 0.0)) * len(y)))
    if o.status == "converged":
        at = "at the start" if o.epochs == 0 else f"after {_epochs(o.epochs)}"
        text = (f"converged {at}: |∇C| = {_g(o.grad_norm)} ≤ --tol {fmt(tr.tol)}; {said}")
        if wrong == 0:
            return text
        if tr.loss == "bce":
            # a stationary point of a convex loss is its minimum; a finite minimum means no
            # hyperplane separates the classes
            return (f"{text}. The cross-entropy is convex in w and b, so this is the lowest "
                    f"loss one neuron can reach, and {_no_line(wrong, len(y))}")
        return text + ". " + _why_wrong(X, y, wrong, True, np.array([*o.w, o.b]))
    # completed
    text = f"{_epochs(o.epochs)}: {said} (from {_g(o.first_loss)} before training)"
    if o.interrupted:
        text = "interrupted (Ctrl-C) after " + text
    notes = []
    if o.loss is not None and o.first_loss is not None and o.loss > o.first_loss:
        notes.append(f"the loss rose: --lr {lr} is too large for these data; use a smaller "
                     "--lr")
    elif o.prev_loss is not None and o.loss is not None and o.loss < o.prev_loss:
        notes.append(f"the loss was still falling (by {_g(o.prev_loss - o.loss)} in the last "
                     f"epoch) and |∇C| = {_g(o.grad_norm)} has not reached --tol "
                     f"{fmt(tr.tol)}: more --epochs would lower it")
    if wrong:
        notes.append(_why_wrong(X, y, wrong, False, np.array([*o.w, o.b])))
    return text + ("; " + "; ".join(notes) if notes else "")


def _no_line(wrong: int, n: int) -> str:
    return (f"no straight line (hyperplane w·x + b = 0) separates the two classes: one "
            f"neuron cannot classify every row ({wrong:,} of {n:,} wrong here; XOR is the "
            "classic case)")


#: The separability check (Newton on the cross-entropy, a few passes over the data) runs for
#: data up to this many cells; beyond, the message counts the rows wrong and claims nothing.
SEPARABILITY_CELLS = 200_000


def _why_wrong(X: np.ndarray, y: np.ndarray, wrong: int, stationary: bool,
               start: np.ndarray) -> str:
    sep = model.linearly_separable(X, y, start) if X.size <= SEPARABILITY_CELLS else None
    if sep is False:
        return _no_line(wrong, len(y))
    if sep is True:
        more = ("this point is a stationary point of the loss, not its lowest"
                if stationary else "more epochs, or another --lr or --method, can find it")
        return (f"{wrong:,} of {len(y):,} rows classified wrong, yet a hyperplane does "
                f"separate the classes: {more}")
    return f"{wrong:,} of {len(y):,} rows classified wrong"
