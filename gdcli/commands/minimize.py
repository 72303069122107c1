"""``gdcli minimize``: options -> problem -> engine -> renderer -> exit code."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import EXIT_DIVERGED, EXIT_MAX_ITER, EXIT_OK, InputError
from ..expr.evaluate import fmt
from ..optim.problem import Problem
from ..options import constant, expression_arg, read_stdin_text, variable_name

if TYPE_CHECKING:  # pragma: no cover
    from ..expr.nodes import Node
    from ..optim.engine import Outcome, Settings
    from ..render.context import Context

#: The exit code of a run stopped with Ctrl-C (128 + SIGINT), as shells use.
EXIT_INTERRUPTED = 130

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
    parts = [p.strip() for p in parts]
    if len(parts) > 1 and not all(parts):
        raise InputError(f"--x0: an empty value in the list '{text}'", text,
                         max(0, text.find(",,") + 1 if ",," in text else
                             (0 if text.strip().startswith(",") else len(text.rstrip()) - 1)))
    return parts if parts != [""] else [text]


def fixed_values(items: Sequence[str]) -> dict[str, tuple[str, Node]]:
    """--at VAR=VALUE (repeatable): variables held fixed, with their text and exact tree."""
    from ..expr.parser import parse

    out: dict[str, tuple[str, Node]] = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq:
            raise InputError(f"--at takes VAR=VALUE, got '{item}'", item, len(item))
        var = variable_name(name, "--at")
        if var in out:
            raise InputError(f"--at gives {var} twice")
        text = value.strip()
        number = constant(text, f"--at {var}")  # a finite number: the checks of every option
        out[var] = (text if _exact_text(text) else fmt(number), parse(text))
    return out


def _exact_text(value: str) -> bool:
    """Whether a value is better shown as typed (pi/2) than as a float (1.5707963267948966)."""
    v = value.strip()
    return any(c.isalpha() for c in v.replace("e", "")) or "/" in v


def _one_expression() -> str:
    """``minimize -``: one expression from stdin (a final newline is fine)."""
    text = read_stdin_text()
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        raise InputError(f"minimize reads one expression from stdin, but got {len(lines)} "
                         "lines; give one (derive - and eval - read one per line)")
    return text


def _tolerance(name: str, value: float) -> float:
    if not math.isfinite(value) or value < 0:
        raise InputError(f"{name} must be a finite number ≥ 0, got {fmt(value)}")
    return value


def _positive(name: str, value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{name} must be a positive finite number, got {fmt(value)}")
    return value


def _contradictions(
    fmt_name: str, every: int | None, precision: int | None, quiet: bool, explain: bool
) -> None:
    """Options that cannot both be honoured are an input error, not silently ignored."""
    if quiet:
        for given, name in ((explain, "--explain"), (every is not None, "--every"),
                            (precision is not None, "--precision"),
                            (fmt_name != "table", f"--format {fmt_name}")):
            if given:
                raise InputError(f"--quiet prints only the final point; it does not go with "
                                 f"{name}")
    if fmt_name != "table":
        for given, name in ((explain, "--explain"), (every is not None, "--every"),
                            (precision is not None, "--precision")):
            if given:
                raise InputError(f"{name} is for the table; --format {fmt_name} has every "
                                 "iteration at full precision")


def run(
    expr: str,
    x0: Sequence[str],
    lr: float,
    tol: float,
    xtol: float,
    max_iter: int,
    fmt_name: str,
    every: int | None,
    precision: int | None,
    quiet: bool,
    explain: bool,
    out: TextIO,
    err: TextIO,
    at: Sequence[str] = (),
    maximize: bool = False,
    settings: Settings | None = None,
    plot: bool = False,
    output: str | None = None,
) -> int:
    from ..optim.engine import iterate, run_quiet

    text = _one_expression() if expr == "-" else expression_arg(expr)
    _contradictions(fmt_name, every, precision, quiet, explain)
    notes: list[str] = []
    problem = Problem(text, fixed_values(at), maximize, notes)
    for note in notes:
        err.write(f"note: {note}\n")
    start = start_point(x0, problem.variables)
    if settings is None:  # called as a library: plain gradient descent
        from ..optim.setup import build_settings

        settings = build_settings("gd", lr, tol=tol, xtol=xtol, max_iter=max_iter)
    if every is not None and every < 1:
        raise InputError(f"--every must be at least 1, got {every}")
    if precision is not None and not 1 <= precision <= 17:
        raise InputError(f"--precision must be between 1 and 17, got {precision}")
    problem.check_start(start)
    picture = plot or output is not None
    if picture:
        from .plot import check_picture

        if quiet:
            raise InputError("--quiet prints only the final point; it does not go with "
                             f"{'--plot' if plot else '--output'}")
        check_picture(plot, output)
        if problem.dim > 2:
            raise InputError(f"a picture shows one or two variables; {problem.dim} are free "
                             f"({', '.join(problem.variables)}): hold the others fixed with "
                             "--at VAR=VALUE")
    lines, analysis = _analysis(problem, start, settings, err, warn=not quiet)

    with _interruptible() as stop:
        if quiet:
            outcome = run_quiet(problem, start, settings, stop)
            out.write(" ".join(fmt(v) for v in outcome.x) + "\n")
            wrong = ("minimum" if problem.maximize else "maximum", "saddle", "flat")
            if outcome.status != "converged" or outcome.kind in wrong:
                out.flush()
                err.write(f"{outcome.message}\n")
            return _exit(outcome)

        from ..render.context import Context, Recorder
        from ..render.formats import RENDERERS

        ctx = Context(problem, settings, start, method=settings.method,
                      precision=7 if precision is None else precision,
                      every=every, explain=3 if explain else 0, notes=lines, analysis=analysis,
                      on_done=_final_notes, dangling=fmt_name == "table")
        from ..render.progress import follow, progress_bar, wanted

        # a bar on a terminal for a long run (not with csv/tsv/ndjson: their rows stream)
        shown = fmt_name in ("table", "json") and wanted(out, err)
        with progress_bar(settings.max_iter, settings.method, shown, err) as bar:
            rows = follow(iterate(problem, start, settings, stop, bar), bar)
            recorded = Recorder(rows, ctx)
            if picture:
                from ..render.figure import PathRecorder

                path = PathRecorder(problem.dim)
                recorded = path.tap(recorded)  # type: ignore[assignment]
            RENDERERS[fmt_name](recorded, ctx, out)
    outcome = ctx.outcome
    assert outcome is not None
    if picture:
        _picture(problem, settings, path, plot, output, fmt_name, out, err)
    if fmt_name != "table":
        out.flush()
        err.write(f"{outcome.message}\n")
    return _exit(outcome)


def _picture(problem: Problem, st: Settings, path: Any, plot: bool, output: str | None,
             fmt_name: str, out: TextIO, err: TextIO) -> None:
    """The curve (or contour lines) with the run's path, from the rows it recorded."""
    from ..render.figure import problem_figure
    from .plot import deliver

    label = f"{st.method}, lr {fmt(st.lr)}"
    fig = problem_figure(problem, {label: path.path()})
    if path.thinned():
        fig.notes.append(path.thinned())
    deliver(fig, plot=plot, output=output, out=out, err=err, fmt_name=fmt_name)


def _exit(outcome: Outcome) -> int:
    if outcome.reason == "interrupted":
        return EXIT_INTERRUPTED
    return EXIT[outcome.status]


@contextmanager
def _interruptible() -> Iterator[Callable[[], bool]]:
    """Ctrl-C ends the run where it is (the rows so far and the summary are printed); a
    second Ctrl-C stops at once."""
    import signal

    hit = [False]

    def on_sigint(signum: int, frame: object) -> None:
        hit[0] = True
        signal.signal(signal.SIGINT, signal.default_int_handler)

    try:
        old = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread: no handler, Ctrl-C raises as usual
        yield lambda: False
        return
    try:
        yield lambda: hit[0]
    finally:
        signal.signal(signal.SIGINT, old)


def _final_notes(ctx: Context) -> None:
    """Once the run has ended: what the analysis of the final point adds."""
    o = ctx.outcome
    if o is None:
        return
    ctx.notes.extend(o.notes)
    ctx.analysis["kind"] = o.kind


def _analysis(
    problem: Problem, start: tuple[float, ...], st: Settings, err: TextIO, warn: bool
) -> tuple[list[str], dict[str, Any]]:
    """Summary lines and the JSON "analysis" known before the run; the stability
    warning goes to stderr now."""
    from ..optim.analysis import stability
    from ..optim.poly import stationary_points

    notes: list[str] = []
    analysis: dict[str, Any] = {"kind": None, "stability_limit": None,
                                "stationary_points": None}
    # the limit 2/λ is plain gradient descent's (constant lr): other methods have their own
    stab = stability(problem, start) if st.method == "gd" and st.schedule == "constant" \
        and not st.line_search else None
    if stab is not None:
        analysis["stability_limit"] = stab.limit
        what = "2/f''" if problem.dim == 1 else "2/λmax of the Hessian"
        where = "" if stab.exact else " at the start"
        kind = "this quadratic" if stab.exact else "f"
        line = f"stability limit {what} = {stab.limit:.6g} for {kind}{where}"
        if st.lr >= stab.limit and warn:
            err.write(
                f"warning: --lr {fmt(st.lr)} is at or above the {line}: plain gradient "
                f"{'ascent' if problem.maximize else 'descent'} overshoots and oscillates "
                "(with growing amplitude above it)\n"
            )
        notes.append(line + (f"; --lr {fmt(st.lr)} is above it" if st.lr > stab.limit else ""))
    points = stationary_points(problem)
    if points is not None:
        flip = {"minimum": "maximum", "maximum": "minimum"} if problem.maximize else {}
        v = problem.variables[0]
        grad = problem.gradient_text()[0]
        analysis["stationary_points"] = [
            {"x": p.x, "exact": p.text, "kind": flip.get(p.kind, p.kind),
             "f": _value(problem, p.x)}
            for p in points
        ]
        if points:
            at = ", ".join(f"{v} = {p.text} ({flip.get(p.kind, p.kind)})" for p in points)
            notes.append(f"analytically: f'({v}) = {grad} = 0 at {at}")
        else:
            notes.append(f"analytically: f'({v}) = {grad} has no real root")
    return notes, analysis


def _value(problem: Problem, x: float) -> float | None:
    try:
        v = problem.sign * problem.f(x)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return v if math.isfinite(v) else None
