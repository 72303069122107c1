"""One sigmoid neuron, ŷ = σ(w·x + b), and its two losses, vectorised over the rows.

The per-sample losses, written once as gdcli expressions: the chain rule's first factor
∂C/∂ŷ in ``--explain`` is their derivative by the derivative engine, and the batch loss
and its gradient here are the same formulas averaged over the rows:

* mse: C = 1/(2N)·Σ(ŷ − y)², so ∂C/∂z = (ŷ − y)·ŷ(1 − ŷ) per row;
* bce: C = −1/N·Σ[y·log ŷ + (1 − y)·log(1 − ŷ)], computed from z as
  softplus(−z) for y = 1 and softplus(z) for y = 0 (−log σ(z) = softplus(−z)), finite
  whenever the weights are; ∂C/∂z = ŷ − y per row.

∂z/∂w = x and ∂z/∂b = 1, so ∂C/∂w = Xᵀ·(∂C/∂z)/N and ∂C/∂b = mean(∂C/∂z).
"""

from __future__ import annotations

import numpy as np

#: The per-sample loss as a gdcli expression of yhat (ŷ) and y; its mean is C.
LOSS_TEXT = {
    "mse": "(yhat - y)**2/2",
    "bce": "-(y*log(yhat) + (1 - y)*log(1 - yhat))",
}
#: The loss in words, for titles and the README.
LOSS_TITLE = {
    "mse": "mean squared error C = 1/(2N)·Σ(ŷ − y)²",
    "bce": "binary cross-entropy C = −1/N·Σ[y·log ŷ + (1 − y)·log(1 − ŷ)]",
}
LOSSES = tuple(LOSS_TEXT)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1 + e^(−z)); e^(−z) overflowing to inf gives 0, as it should."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def forward(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """z = X·w + b for every row."""
    return X @ w + b


def loss(name: str, z: np.ndarray, y: np.ndarray, yhat: np.ndarray | None = None) -> float:
    """The batch loss C at the rows' z (``yhat`` = σ(z) if already computed)."""
    if name == "bce":
        # −log σ(z) = softplus(−z) = logaddexp(0, −z) for y = 1, −log(1 − σ(z)) = softplus(z)
        # for y = 0: one softplus of z·(1 − 2y), y being exactly 0 or 1
        return float(np.mean(np.logaddexp(0.0, z * (1.0 - 2.0 * y))))
    p = sigmoid(z) if yhat is None else yhat
    d = p - y
    return float(d @ d / (2.0 * len(d)))


def dz(name: str, yhat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂C/∂z per row, before averaging: ∂C/∂ŷ · ∂ŷ/∂z."""
    if name == "bce":
        # (−y/ŷ + (1 − y)/(1 − ŷ)) · ŷ(1 − ŷ) = ŷ − y, without dividing by a ŷ of 0 or 1
        return yhat - y
    return (yhat - y) * (yhat * (1.0 - yhat))


class Fused:
    """The loss, accuracy and gradient at θ = (w, b) in one pass over the rows, sharing one
    e = exp(−|z|) between σ and the cross-entropy's softplus: σ(z) = 1/(1 + e) for z ≥ 0,
    e/(1 + e) below; softplus(s) = max(s, 0) + log1p(e) for s = ±z. What depends on y
    alone is computed once, and the per-row arrays are buffers kept between calls (an epoch
    allocates nothing the size of the data)."""

    def __init__(self, name: str, X: np.ndarray, y: np.ndarray) -> None:
        self.name, self.X, self.y = name, X, y
        n, d = X.shape
        self.n, self.d = n, d
        self.is1 = y == 1.0
        self.sign = 1.0 - 2.0 * y  # softplus(z·sign): −log σ(z) for y = 1, −log(1 − σ(z)) for 0
        self.z, self.e, self.yhat, self.t = (np.empty(n) for _ in range(4))
        self.neg, self.hit = np.empty(n, bool), np.empty(n, bool)

    def __call__(self, theta: np.ndarray) -> tuple[float, float, np.ndarray]:
        d, n = self.d, self.n
        z, e, yhat, t = self.z, self.e, self.yhat, self.t
        np.matmul(self.X, theta[:d], out=z)
        z += theta[d]
        np.abs(z, out=e)
        np.negative(e, out=e)
        np.exp(e, out=e)  # e = exp(−|z|) ∈ (0, 1]
        np.add(e, 1.0, out=yhat)
        np.divide(1.0, yhat, out=yhat)  # 1/(1 + e): σ(z) where z ≥ 0
        np.less(z, 0.0, out=self.neg)
        np.multiply(e, yhat, out=t)  # e/(1 + e): σ(z) where z < 0
        np.copyto(yhat, t, where=self.neg)
        if self.name == "bce":
            np.multiply(z, self.sign, out=t)
            np.maximum(t, 0.0, out=t)
            c = float(t.sum())
            np.log1p(e, out=t)
            c = (c + float(t.sum())) / n
            np.subtract(yhat, self.y, out=t)  # ∂C/∂z per row: ŷ − y
        else:
            np.subtract(yhat, self.y, out=t)
            c = float(t @ t) / (2.0 * n)
            np.multiply(t, yhat, out=t)
            np.subtract(1.0, yhat, out=e)
            np.multiply(t, e, out=t)  # (ŷ − y)·ŷ(1 − ŷ)
        np.greater_equal(yhat, 0.5, out=self.hit)  # classes(): ŷ ≥ 0.5
        np.equal(self.hit, self.is1, out=self.hit)
        acc = np.count_nonzero(self.hit) / n if n else 0.0
        g = np.empty(d + 1)
        g[:d] = (self.X.T @ t) / n
        g[d] = float(t.sum()) / n
        return c, acc, g


def gradient(name: str, X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float
             ) -> tuple[np.ndarray, float]:
    """(∂C/∂w, ∂C/∂b) averaged over the rows of X."""
    yhat = sigmoid(forward(X, w, b))
    d = dz(name, yhat, y)
    n = len(d)
    return (X.T @ d) / n, float(np.sum(d) / n)


def hessian(name: str, X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """The Hessian of C in (w, b), for Newton's method: [X 1]ᵀ·diag(∂²C/∂z²)·[X 1]/N."""
    yhat = sigmoid(forward(X, w, b))
    s = yhat * (1.0 - yhat)
    c = s if name == "bce" else s * (s + (yhat - y) * (1.0 - 2.0 * yhat))
    xb = np.hstack([X, np.ones((len(X), 1))])
    return (xb.T * c) @ xb / len(X)


def classes(yhat: np.ndarray) -> np.ndarray:
    """Class 1 where ŷ ≥ 0.5 (SPEC §6), as a bool per row. On the computed ŷ, not on z ≥ 0:
    for −1e-16 < z < 0, σ(z) rounds to 0.5, and a row shown with probability 0.5 is class 1."""
    return yhat >= 0.5


def accuracy(yhat: np.ndarray, y: np.ndarray) -> float:
    """The fraction of rows classified right (classes)."""
    return np.count_nonzero(classes(yhat) == (y == 1.0)) / len(y) if len(y) else 0.0


def separates(z: np.ndarray, y: np.ndarray) -> bool:
    """Whether the hyperplane z = 0 puts every class-1 row strictly on its positive side and
    every class-0 row strictly on its negative side. Then scaling (w, b) by t > 1 lowers
    either loss at every row, so the loss has no minimum: it falls toward 0 as the weights
    grow without bound."""
    return bool(len(y)) and bool(np.all((z > 0.0) == (y == 1.0)) and np.all(z != 0.0))


def linearly_separable(X: np.ndarray, y: np.ndarray, start: np.ndarray | None = None,
                       steps: int = 100) -> bool | None:
    """Whether some hyperplane puts the two classes strictly on its two sides: True when one
    is found; False when the cross-entropy (convex in w and b) reaches a point where its
    gradient vanishes, for then its minimum is finite, which a separating hyperplane would
    rule out (scaling it up lowers the loss toward 0); None when neither is settled.

    Newton's method with backtracking on the cross-entropy, on standardized features (an
    affine change of the features keeps separability), from ``start`` = (w, b) if given (a
    trained neuron: a few steps from the minimum) or from zero."""
    if len(y) == 0 or np.all(y == y[0]):
        return True
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    xs = (X - mean) / scale
    d = xs.shape[1]
    theta = np.zeros(d + 1)
    if start is not None and np.all(np.isfinite(start)):
        # the same hyperplane in the standardized coordinates: w' = w·scale, b' = b + w·mean
        theta[:d] = start[:d] * scale
        theta[d] = start[d] + float(start[:d] @ mean)
    fused = Fused("bce", xs, y)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            if not np.all(np.isfinite(theta)):
                return None
            z = xs @ theta[:d] + theta[d]
            if separates(z, y):
                return True
            c, _, g = fused(theta)
            if float(np.sqrt(g @ g)) <= 1e-10:
                return False
            h = hessian("bce", xs, y, theta[:d], float(theta[d]))
            direction = np.linalg.lstsq(h, g, rcond=None)[0]
            t = 1.0
            while t > 1e-12:
                trial = theta - t * direction
                if loss("bce", xs @ trial[:d] + trial[d], y) <= c:
                    break
                t /= 2
            else:
                return None
            theta = trial
    return None
