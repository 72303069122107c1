"""A function to minimize: parsed once, differentiated symbolically, compiled once."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property

from ..errors import InputError
from ..expr.codegen import compile_many, compile_one
from ..expr.diff import derivative
from ..expr.evaluate import evaluate, fmt
from ..expr.nodes import Neg, Node, Var
from ..expr.parser import parse
from ..expr.printer import to_str


def fix_values(node: Node, fixed: Mapping[str, Node]) -> Node:
    """The tree with the variables in ``fixed`` replaced by their constant trees."""
    if type(node) is Var:
        return fixed.get(node.name, node)
    if not node.args or not (node.free & fixed.keys()):
        return node
    new = object.__new__(type(node))
    if hasattr(node, "name"):
        new.name = node.name  # type: ignore[attr-defined]
    new._init(tuple(fix_values(a, fixed) for a in node.args))
    new.span = node.span
    return new


class Problem:
    """f, its variables (alphabetical), its gradient as trees and as float functions.

    ``fixed`` holds variables given a value with ``--at`` (parameters, data values): they
    are constants of the problem. With ``maximize`` the engine descends on −f (the
    objective); ``sign`` (−1) turns its values back into the user's f for display."""

    def __init__(
        self,
        text: str,
        fixed: Mapping[str, tuple[str, Node]] | None = None,
        maximize: bool = False,
        notes: list[str] | None = None,
    ) -> None:
        self.text = text
        self.notes: list[str] = [] if notes is None else notes
        surface = parse(text, notes=self.notes)
        self.fixed = dict(fixed or {})
        lacking = sorted(set(self.fixed) - surface.free)
        if lacking:
            raise InputError(
                f"--at names {', '.join(lacking)}, but the expression's variables are "
                f"{', '.join(sorted(surface.free)) or 'none'}"
            )
        self.user_node = fix_values(surface, {v: n for v, (_, n) in self.fixed.items()})
        self.sign = -1.0 if maximize else 1.0
        self.node: Node = Neg(self.user_node) if maximize else self.user_node
        self.node.span = self.user_node.span
        self.variables: tuple[str, ...] = tuple(sorted(self.node.free))
        if not self.variables:
            held = " (every variable is held fixed by --at)" if self.fixed else ""
            raise InputError(f"nothing to minimize: {text} has no variables{held}", text, 0)
        self.grad_nodes: tuple[Node, ...] = tuple(derivative(self.node, v) for v in self.variables)
        self.f = compile_one(self.node, self.variables)
        self.grad = compile_many(self.grad_nodes, self.variables)

    @property
    def dim(self) -> int:
        return len(self.variables)

    @property
    def maximize(self) -> bool:
        return self.sign < 0

    @cached_property
    def hessian_nodes(self) -> tuple[tuple[Node, ...], ...]:
        """Second partial derivatives, row by row (for stability limits and Newton); the
        upper triangle is differentiated, the lower one mirrors it."""
        n = self.dim
        upper = {(i, j): derivative(self.grad_nodes[i], self.variables[j])
                 for i in range(n) for j in range(i, n)}
        return tuple(tuple(upper[min(i, j), max(i, j)] for j in range(n)) for i in range(n))

    @cached_property
    def hessian(self) -> Callable[..., list[list[float]]]:
        """The Hessian at a point as floats, compiled once (raises ValueError,
        ZeroDivisionError or OverflowError outside the domain, like f and grad)."""
        n = self.dim
        flat = compile_many([h for row in self.hessian_nodes for h in row], self.variables)

        def at(*x: float) -> list[list[float]]:
            values = flat(*x)
            return [list(values[i * n : (i + 1) * n]) for i in range(n)]

        return at

    def gradient_text(self) -> list[str]:
        """The user's gradient (of f, also when maximizing), as gdcli syntax."""
        return [to_str(-g if self.maximize else g) for g in self.grad_nodes]

    def fixed_text(self) -> str:
        """'x = 1.5, y = 1' for the values held fixed with --at."""
        return ", ".join(f"{v} = {t}" for v, (t, _) in sorted(self.fixed.items()))

    def env(self, x: Sequence[float]) -> dict[str, float]:
        return dict(zip(self.variables, x, strict=True))

    def check_start(self, x: Sequence[float]) -> None:
        """Refuse a start outside the domain of f or of its gradient (exit 2)."""
        import math

        try:  # the compiled functions first: fast; the tree walk below finds the culprit
            values = (self.f(*x), *self.grad(*x))
            if all(map(math.isfinite, values)):
                return
        except (ValueError, ZeroDivisionError, OverflowError):
            pass
        env = self.env(x)
        where = ", ".join(f"{k} = {fmt(v)}" for k, v in env.items())
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

