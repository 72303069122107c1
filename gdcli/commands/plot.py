"""``gdcli plot EXPR``: f over a range in the terminal (contour lines for two variables),
with the descent path when given ``--x0``; ``--output FILE.png|FILE.svg`` writes the same
picture as an image. The path is run by the same engine as ``minimize``, with the same
stopping rules; its status is printed on one line, and the exit code is 0 whenever the
picture was drawn (SPEC §7).

``deliver`` is shared by ``minimize``, ``compare``, ``sweep`` and ``neuron``: the picture
after the table (on stderr when stdout carries csv/json/ndjson), the image to its file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import EXIT_OK, InputError
from ..optim.problem import Problem
from ..options import constant, expression_arg, variable_name
from .minimize import _interruptible, fixed_values, start_point

if TYPE_CHECKING:  # pragma: no cover
    from ..optim.records import Settings
    from ..render.figure import Figure

#: Formats whose stdout is for machines: a --plot picture then goes to stderr.
MACHINE = frozenset({"csv", "tsv", "json", "ndjson"})


def parse_ranges(items: Sequence[str],
                 variables: Sequence[str]) -> list[tuple[float, float]] | None:
    """--range A:B (every axis) or --range VAR=A:B (repeatable); None when not given. A
    variable without a range of its own gets the default later (None in the list is not
    returned: missing ones are filled by the caller)."""
    if not items:
        return None
    common: tuple[float, float] | None = None
    named: dict[str, tuple[float, float]] = {}
    for item in items:
        name, eq, rest = item.partition("=")
        offset = 0
        if eq:
            var = variable_name(name, "--range")
            if var not in variables:
                raise InputError(f"--range names {var}, but the expression's variables are "
                                 f"{', '.join(variables)}", item, 0, width=len(name))
            if var in named:
                raise InputError(f"--range gives {var} twice")
            offset = len(name) + 1
        else:
            rest = item
        named_or = _one_range(item, rest, offset)
        if eq:
            named[var] = named_or
        elif common is not None:
            raise InputError("--range A:B is given twice; for two variables give "
                             "--range x=A:B --range y=C:D")
        else:
            common = named_or
    return [named.get(v, common) for v in variables]  # type: ignore[misc]


def _one_range(whole: str, text: str, offset: int) -> tuple[float, float]:
    parts = text.split(":")
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        col = offset + (len(parts[0]) if len(parts) > 2 else len(text))
        raise InputError("--range takes A:B (or VAR=A:B), e.g. --range -5:5", whole,
                         min(col, max(0, len(whole) - 1)))
    lo = constant(parts[0], "--range A") if _plain(parts[0]) else _bad(whole, offset, parts[0])
    start_b = offset + len(parts[0]) + 1
    hi = (constant(parts[1], "--range B") if _plain(parts[1])
          else _bad(whole, start_b, parts[1]))
    if not hi > lo:
        raise InputError(f"--range: B must be greater than A, got {parts[0].strip()}:"
                         f"{parts[1].strip()}", whole, offset, width=len(text))
    return (float(lo), float(hi))


def _plain(text: str) -> bool:
    try:
        constant(text, "--range")
    except InputError:
        return False
    return True


def _bad(whole: str, col: int, text: str) -> float:
    try:
        constant(text, "--range")
    except InputError as e:
        raise InputError(f"--range: '{text.strip()[:30]}' is not a number ({e.message})", whole,
                         col + (len(text) - len(text.lstrip())),
                         width=max(1, len(text.strip()))) from None
    raise AssertionError  # pragma: no cover


def deliver(fig: Figure | list[Figure], *, plot: bool, output: str | None, out: TextIO, err: TextIO,
            fmt_name: str = "table", gap: bool = True) -> None:
    """Show ``fig``: in the terminal with ``plot`` (after the table; on stderr when stdout
    carries a machine format), and as an image to ``output``."""
    if plot:
        from ..render.terminal_plot import render

        stream = err if fmt_name in MACHINE else out
        out.flush()
        for one in fig if isinstance(fig, list) else [fig]:
            if gap and stream is out:
                stream.write("\n")
            render(one, stream)
    if output is not None:
        from ..render.image import save

        save(fig, output)
        out.flush()
        err.write(f"wrote {output}\n")


def check_picture(plot: bool, output: str | None) -> None:
    """Before a run: --output's file name and matplotlib (exit 2 at once, not after)."""
    if output is not None:
        from ..render.image import check_output

        check_output(output)


def run(
    expr: str,
    ranges: Sequence[str],
    x0: Sequence[str],
    settings: Settings | None,
    *,
    at: Sequence[str] = (),
    maximize: bool = False,
    output: str | None = None,
    out: TextIO,
    err: TextIO,
) -> int:
    """Draw EXPR (with the path from ``x0`` under ``settings`` when a start is given)."""
    from ..render.figure import PathRecorder, problem_figure

    text = expression_arg(expr)
    check_picture(True, output)
    notes: list[str] = []
    problem = Problem(text, fixed_values(at), maximize, notes)
    for note in notes:
        err.write(f"note: {note}\n")
    if problem.dim > 2:
        raise InputError(f"plot draws one or two variables; {text.strip()[:40]} has "
                         f"{problem.dim} ({', '.join(problem.variables)}): hold the others "
                         "fixed with --at VAR=VALUE")
    given = parse_ranges(ranges, problem.variables)
    paths: dict[str, list[tuple[Any, ...]]] = {}
    outcome = None
    rec = None
    if x0:
        start = start_point(x0, problem.variables)
        problem.check_start(start)
        from ..optim.engine import iterate
        from ..render.context import Context, Recorder

        assert settings is not None
        ctx = Context(problem, settings, start, method=settings.method)
        rec = PathRecorder(problem.dim)
        with _interruptible() as stop:
            for _ in rec.tap(Recorder(iterate(problem, start, settings, stop), ctx)):
                pass
        outcome = ctx.outcome
        paths[_label(settings)] = rec.path()
    from ..render.figure import default_ranges

    ranges_used = default_ranges(problem, paths)
    if given is not None:
        ranges_used = [g if g is not None else d for g, d in zip(given, ranges_used,
                                                                  strict=True)]
    fig = problem_figure(problem, paths, ranges_used)
    if rec is not None and rec.thinned():
        fig.notes.append(str(rec.thinned()))
    deliver(fig, plot=output is None, output=output, out=out, err=err, gap=False)
    if outcome is not None:
        out.flush()
        out.write(f"{outcome.message}\n")
    return EXIT_OK


def _label(st: Settings) -> str:
    from ..expr.evaluate import fmt

    return f"{st.method}, lr {fmt(st.lr)}"
