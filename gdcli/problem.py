"""A function to minimize: parsed once, differentiated symbolically, compiled once."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from .codegen import compile_many, compile_one
from .diff import derivative
from .errors import InputError
from .evaluate import evaluate
from .nodes import Node
from .parser import parse
from .printer import to_str


class Problem:
    """f, its variables (alphabetical), its gradient as trees and as float functions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.node: Node = parse(text)
        self.variables: tuple[str, ...] = tuple(sorted(self.node.free))
        if not self.variables:
            raise InputError(f"nothing to minimize: {text} has no variables", text, 0)
        self.grad_nodes: tuple[Node, ...] = tuple(derivative(self.node, v) for v in self.variables)
        self.f = compile_one(self.node, self.variables)
        self.grad = compile_many(self.grad_nodes, self.variables)

    @property
    def dim(self) -> int:
        return len(self.variables)

    @cached_property
    def hessian_nodes(self) -> tuple[tuple[Node, ...], ...]:
        """Second partial derivatives, row by row (for stability limits and Newton)."""
        return tuple(
            tuple(derivative(g, v) for v in self.variables) for g in self.grad_nodes
        )

    def gradient_text(self) -> list[str]:
        return [to_str(g) for g in self.grad_nodes]

    def env(self, x: Sequence[float]) -> dict[str, float]:
        return dict(zip(self.variables, x, strict=True))

    def check_start(self, x: Sequence[float]) -> None:
        """Refuse a start outside the domain of f or of its gradient (exit 2)."""
        env = self.env(x)
        where = ", ".join(f"{k} = {v!r}" for k, v in env.items())
        for node in (self.node, *self.grad_nodes):
            try:
                evaluate(node, env, self.text if node is self.node else None)
            except InputError as e:
                raise InputError(
                    f"the start {where} is outside the domain: {e.message}",
                    e.text,
                    e.column,
                    e.hint,
                    e.width,
                ) from None
