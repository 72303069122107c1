"""``gdcli explore``: the options checked as minimize and plot check them, then the
terminal and the extra, then the app. Input errors come first (exit 2 in a pipe too)."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from ..errors import InputError
from ..optim.problem import Problem
from ..options import expression_arg

INSTALL = 'pip install "gdcli[explore]"'


def build_state(
    expr: str,
    x0: Sequence[str],
    *,
    lr: float | None = None,
    method: str = "gd",
    hypers: Mapping[str, float] | None = None,
    tol: float = 1e-8,
    xtol: float = 1e-10,
    max_iter: int = 10_000,
    ranges: Sequence[str] = (),
    at: Sequence[str] = (),
    maximize: bool = False,
    err: TextIO | None = None,
):  # -> ExploreState (not annotated: the import stays lazy)
    from ..commands.minimize import fixed_values, start_point
    from ..commands.plot import parse_ranges
    from .state import ExploreState, check_dim

    text = expression_arg(expr)
    notes: list[str] = []
    problem = Problem(text, fixed_values(at), maximize, notes)
    for note in notes:
        if err is not None:
            err.write(f"note: {note}\n")
    check_dim(problem)
    start = start_point(x0, problem.variables)
    # a variable without a range of its own (None) is fitted to the run
    view = parse_ranges(ranges, problem.variables)
    return ExploreState(problem, start, method=method, lr=lr, hypers=hypers, tol=tol,
                        xtol=xtol, max_iter=max_iter, ranges=view)


def run(expr: str, x0: Sequence[str], *, out: TextIO, err: TextIO, **options: object) -> int:
    state = build_state(expr, x0, err=err, **options)  # type: ignore[arg-type]
    try:
        from .app import ExploreApp
    except ImportError as e:
        if "textual" not in str(e) and getattr(e, "name", "") != "textual":
            raise
        raise InputError("gdcli explore needs Textual, an optional extra", hint=f"install it "
                         f"with: {INSTALL} (or use gdcli minimize and gdcli plot)") from None
    if not _is_terminal(out) or not _is_terminal(sys.stdin):
        raise InputError("gdcli explore is interactive and needs a terminal", hint="in a pipe "
                         "or a script use gdcli minimize (the table) or gdcli plot (the "
                         "picture) with the same options")
    app = ExploreApp(state)
    app.run()
    return app.return_code or 0


def _is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False
