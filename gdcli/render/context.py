"""What a renderer is given: the problem, the settings, the analysis, and the rows as the
engine yields them (Recorder keeps the engine's Outcome and turns ascent rows back into
the user's f)."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..optim.problem import Problem
from ..optim.records import Layout, Outcome, Row, Settings


@dataclass
class Context:
    problem: Problem
    settings: Settings
    x0: tuple[float, ...]
    method: str = "gd"
    precision: int = 7
    every: int | None = None
    explain: int = 0
    outcome: Outcome | None = None  # set once the rows are exhausted
    notes: list[str] = field(default_factory=list)  # analysis lines for the summary
    on_done: Callable[[Context], None] | None = None  # adds notes once the outcome is known
    analysis: dict[str, Any] = field(default_factory=dict)  # JSON "analysis" (SPEC §4)
    dangling: bool = False  # end with the point a failed last step led to (f undefined)

    def settings_json(self) -> dict[str, Any]:
        """What the run used (SPEC §4 "settings")."""
        st, prob = self.settings, self.problem
        return {
            "x0": dict(zip(prob.variables, self.x0, strict=True)),
            "method": self.method,
            "lr": st.lr,
            "tol": st.gtol,
            "xtol": st.xtol,
            "max_iter": st.max_iter,
            "maximize": prob.maximize,
            "fixed": {v: _value(n) for v, (_, n) in sorted(prob.fixed.items())},
            **dict(st.hypers),
            "schedule": st.schedule,
            **({"gamma": st.gamma} if st.gamma is not None else {}),
            **({"step_size": st.step_size} if st.step_size is not None else {}),
            **({"lr_min": st.lr_min} if st.schedule == "cosine" else {}),
            "line_search": st.line_search,
        }

    @property
    def layout(self) -> Layout:
        return Layout(self.problem.variables, self.settings.extra)


class Recorder:
    """Iterates the engine's generator and keeps its return value (the Outcome). For
    gradient ascent the engine descends on −f: rows are turned back into the user's f,
    ∇f and steps (x_{k+1} = x_k + step) here, so that no renderer needs to know."""

    def __init__(self, gen: Iterator[Row], ctx: Context) -> None:
        self.gen = gen
        self.ctx = ctx

    def __iter__(self) -> Iterator[Row]:
        last: Row | None = None
        n = self.ctx.problem.dim
        gen = _ascent(self.gen, n) if self.ctx.problem.maximize else self.gen
        while True:
            try:
                last = next(gen)  # type: ignore[call-overload]
            except StopIteration as done:
                self.ctx.outcome = done.value
                break
            yield last
        o = self.ctx.outcome
        if self.ctx.dangling and o is not None and last is not None and (
            last[2 + 2 * n] is not None and tuple(last[2 : 2 + n]) != tuple(o.x)
        ):
            # the step from the last state led out (of the domain, of float64): the
            # table and --explain show where it went, with f and ∇f undefined there
            extra = (None, None) if self.ctx.settings.extra else ()
            yield (last[0] + 1, None, *o.x, *(None,) * (2 * n), *extra)
        if self.ctx.on_done is not None:
            self.ctx.on_done(self.ctx)


def _ascent(gen: Generator[Row, None, Outcome], n: int) -> Generator[Row, None, Outcome]:
    while True:
        try:
            row = next(gen)
        except StopIteration as done:
            return done.value
        # f, the gradient and the step change sign (not the lr and note after them);
        # 0.0 - v, not -v, so never a -0.0
        flipped = tuple(None if v is None else 0.0 - v for v in row[2 + n : 2 + 3 * n])
        yield (row[0], 0.0 - row[1], *row[2 : 2 + n], *flipped, *row[2 + 3 * n :])


def _value(node: Any) -> float:
    from ..expr.evaluate import evaluate

    return evaluate(node, {})


# --- streamed text formats ---
