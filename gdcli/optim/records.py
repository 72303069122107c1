"""The engine's records, shared by every renderer: a row per iteration, the settings of a
run and its outcome.

A row is a flat tuple, cheap enough for a million iterations:
``(k, f(x_k), x_k[0..n-1], ∇f(x_k)[0..n-1], step_k[0..n-1])`` where the update is
``x_{k+1} = x_k - step_k``; the last row of a run has ``None`` steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Row = tuple[Any, ...]


class Layout:
    """Where each field sits in a row for ``n`` variables. With ``extra`` (a schedule, a
    line search or Newton) a row ends with two more fields: the step's learning rate and a
    note (None, or "not_pd" / "singular": Newton took its fallback step)."""

    def __init__(self, variables: tuple[str, ...], extra: bool = False) -> None:
        n = len(variables)
        self.variables = variables
        self.x = slice(2, 2 + n)
        self.grad = slice(2 + n, 2 + 2 * n)
        self.step = slice(2 + 2 * n, 2 + 3 * n)
        self.extra = extra
        self.lr = 2 + 3 * n  # index of the step's lr (with extra)
        self.note = 3 + 3 * n

    def header(self) -> list[str]:
        """The public column names (SPEC §4): iter, each variable, f, grad_<var>…"""
        return ["iter", *self.variables, "f", *(f"grad_{v}" for v in self.variables)]

    def public(self, row: Row) -> tuple[Any, ...]:
        """The row's values in header order."""
        return (row[0], *row[self.x], row[1], *row[self.grad])


@dataclass(frozen=True)
class Settings:
    lr: float = 0.1
    max_iter: int = 10_000
    gtol: float = 1e-8
    xtol: float = 1e-10
    patience: int = 3
    method: str = "gd"
    hypers: tuple[tuple[str, float], ...] = ()  # the method's hyperparameters, all of them
    schedule: str = "constant"  # constant, step, exp, cosine, inverse
    gamma: float | None = None
    step_size: int | None = None
    lr_min: float = 0.0
    line_search: bool = False

    @property
    def extra(self) -> bool:
        """Whether rows carry each step's lr and a note (see Layout)."""
        from .methods import METHODS

        return self.schedule != "constant" or self.line_search or METHODS[self.method].hessian

    def hyper(self, name: str) -> float:
        return dict(self.hypers)[name]


@dataclass(frozen=True)
class Outcome:
    status: str  # "converged" | "diverged" | "max_iter" (stopped without converging)
    reason: str  # the SPEC §4 vocabulary: "gradient", "machine_precision", "overflow", …
    message: str
    iterations: int
    x: tuple[float, ...]
    f: float | None
    grad: tuple[float, ...] | None
    kind: str | None = None  # the final point: minimum, saddle, maximum, flat, or None
    notes: tuple[str, ...] = field(default=())  # what the analysis adds for the summary
    # what the method evaluated: "f" (line-search trials and the values they compare
    # against), "grad" (one per iterate) and "hessian" (Newton: one per step)
    evaluations: tuple[tuple[str, int], ...] = ()
