"""``gdcli minimize``: options -> problem -> engine -> renderer -> exit code."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from .errors import EXIT_DIVERGED, EXIT_MAX_ITER, EXIT_OK, InputError
from .evaluate import fmt
from .options import constant, expression_arg, read_stdin_text, variable_name
from .problem import Problem

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Settings
    from .render import Context

EXIT = {"converged": EXIT_OK, "diverged": EXIT_DIVERGED, "max_iter": EXIT_MAX_ITER}


def start_point(items: Sequence[str], variables: tuple[str, ...]) -> tuple[float, ...]:
    """--x0 as a number (one variable), VAR=VALUE (repeatable), or a comma list in
    alphabetical variable order."""
    if not items:
        raise InputError(f"give a start: --x0 {'VALUE' if len(variables) == 1 else 'VAR=VALUE'}"
                         f" for {', '.join(variables)}")
    named: dict[str, float] = {}
    listed: list[float] = []
    for item in items:
        for part in _split_top(item):
            name, eq, value = part.partition("=")
            if eq:
                var = variable_name(name, "--x0")
                if var not in variables:
                    raise InputError(
                        f"--x0 names {var}, but the expression's variables are "
                        f"{', '.join(variables)}"
                    )
                if var in named:
                    raise InputError(f"--x0 gives {var} twice")
                named[var] = constant(value, f"--x0 {var}")
            else:
                listed.append(constant(part, "--x0"))
    if named and listed:
        raise InputError("--x0: give either VAR=VALUE pairs or a list of values, not both")
    if listed:
        if len(listed) != len(variables):
            raise InputError(
                f"--x0 has {len(listed)} value(s) for {len(variables)} variable(s) "
                f"({', '.join(variables)}, in alphabetical order)"
            )
        return tuple(listed)
    lack = [v for v in variables if v not in named]
    if lack:
        raise InputError(f"no start value for {', '.join(lack)}: give --x0 {lack[0]}=…")
    return tuple(named[v] for v in variables)


def _split_top(text: str) -> list[str]:
    """Split on commas outside parentheses (``log(8, 2),1`` has two parts)."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p for p in (s.strip() for s in parts) if p] or [text]


def _positive(name: str, value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{name} must be a positive finite number, got {value}")
    return value


def run(
    expr: str,
    x0: Sequence[str],
    lr: float,
    tol: float,
    xtol: float,
    max_iter: int,
    fmt_name: str,
    every: int | None,
    precision: int,
    quiet: bool,
    explain: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    from .engine import Settings, iterate, run_quiet

    text = read_stdin_text() if expr == "-" else expression_arg(expr)
    problem = Problem(text)
    start = start_point(x0, problem.variables)
    settings = Settings(
        lr=_positive("--lr", lr),
        gtol=_positive("--tol", tol),
        xtol=_positive("--xtol", xtol),
        max_iter=max_iter,
    )
    if max_iter < 1:
        raise InputError(f"--max-iter must be at least 1, got {max_iter}")
    if every is not None and every < 1:
        raise InputError(f"--every must be at least 1, got {every}")
    if not 1 <= precision <= 17:
        raise InputError(f"--precision must be between 1 and 17, got {precision}")
    problem.check_start(start)
    notes = _analysis(problem, start, settings, err, warn=not quiet)

    if quiet:
        outcome = run_quiet(problem, start, settings)
        out.write(" ".join(fmt(v) for v in outcome.x) + "\n")
        if outcome.status != "converged":
            err.write(f"{outcome.message}\n")
        return EXIT[outcome.status]

    from .render import RENDERERS, Context, Recorder

    ctx = Context(problem, settings, start, precision=precision, every=every,
                  explain=3 if explain else 0, notes=notes, on_done=_final_notes)
    if explain and fmt_name != "table":
        raise InputError("--explain goes with the table format")
    RENDERERS[fmt_name](Recorder(iterate(problem, start, settings), ctx), ctx, out)
    outcome = ctx.outcome
    assert outcome is not None
    if fmt_name != "table":
        out.flush()
        err.write(f"{outcome.message}\n")
    return EXIT[outcome.status]


def _final_notes(ctx: Context) -> None:
    """Once converged: what the Hessian says about the point (min, saddle, inflection)."""
    from .analysis import second_order

    o = ctx.outcome
    if o is not None and o.status == "converged":
        note = second_order(ctx.problem, o.x)
        if note:
            ctx.notes.append(note)


def _analysis(
    problem: Problem, start: tuple[float, ...], st: Settings, err: TextIO, warn: bool
) -> list[str]:
    """Stationary points for the summary; the stability warning goes to stderr now."""
    from .analysis import stability, stationary_points

    notes: list[str] = []
    stab = stability(problem, start)
    if stab is not None:
        what = "2/f''" if problem.dim == 1 else "2/λmax of the Hessian"
        where = "" if stab.exact else " at the start"
        kind = "this quadratic" if stab.exact else "f"
        line = f"stability limit {what} = {stab.limit:.6g} for {kind}{where}"
        if st.lr >= stab.limit and warn:
            err.write(
                f"warning: --lr {fmt(st.lr)} is at or above the {line}: plain gradient "
                "descent overshoots and oscillates (with growing amplitude above it)\n"
            )
        notes.append(line + (f"; --lr {fmt(st.lr)} is above it" if st.lr > stab.limit else ""))
    points = stationary_points(problem)
    if points is not None:
        v = problem.variables[0]
        if points:
            at = ", ".join(f"{v} = {p.text} ({p.kind})" for p in points)
            notes.append(f"analytically: f'({v}) = {problem.gradient_text()[0]} = 0 at {at}")
        else:
            notes.append(f"analytically: f'({v}) = {problem.gradient_text()[0]} has no real root")
    return notes

