"""The engine's row: one iteration, shared by every renderer.

A row is a flat tuple, cheap enough for a million iterations:
``(k, f(x_k), x_k[0..n-1], ∇f(x_k)[0..n-1], step_k[0..n-1])`` where the update is
``x_{k+1} = x_k - step_k``; the last row of a run has ``None`` steps.
"""

from __future__ import annotations

from typing import Any

Row = tuple[Any, ...]


class Layout:
    """Where each field sits in a row for ``n`` variables."""

    def __init__(self, variables: tuple[str, ...]) -> None:
        n = len(variables)
        self.variables = variables
        self.x = slice(2, 2 + n)
        self.grad = slice(2 + n, 2 + 2 * n)
        self.step = slice(2 + 2 * n, 2 + 3 * n)

    def header(self) -> list[str]:
        """The public column names (SPEC §4): iter, each variable, f, grad_<var>…"""
        return ["iter", *self.variables, "f", *(f"grad_{v}" for v in self.variables)]

    def public(self, row: Row) -> tuple[Any, ...]:
        """The row's values in header order."""
        return (row[0], *row[self.x], row[1], *row[self.grad])
