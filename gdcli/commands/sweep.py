"""``gdcli sweep``: one problem at many learning rates at once (SPEC §5).

``--lr START:STOP:COUNT`` (``--log`` for logarithmic spacing) gives the rates; every rate
runs under minimize's stopping rules in one vectorised run (optim/sweep.py), one row per
rate; the renderers are in render/sweep.py. Exit 0 when the sweep ran (each rate's status
is in the output), 2 on bad input, 130 when Ctrl-C ended it (the rates still running are
shown where they were).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, TextIO

from ..errors import EXIT_OK, InputError
from ..optim.problem import Problem
from ..options import expression_arg, read_stdin_text
from .minimize import EXIT_INTERRUPTED, _interruptible, fixed_values, start_point

if TYPE_CHECKING:  # pragma: no cover
    from ..optim.records import Settings

#: A number as START or STOP: decimal, with an optional exponent (read exactly).
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
#: Longer START/STOP/COUNT texts are not numbers anyone means (and int() of 5,000 digits
#: is refused by Python anyway).
_LONGEST = 40


def _shown(text: str) -> str:
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


def parse_rates(text: str | None) -> tuple[Fraction, Fraction, int]:
    """--lr START:STOP:COUNT as exact (START, STOP) and COUNT; an input error naming what
    is wrong otherwise. A range needs 0 < START < STOP and 2 ≤ COUNT ≤ MAX_RATES, or
    START:START:1 for a single rate."""
    from ..optim.sweep import MAX_RATES

    example = "e.g. --lr 0.01:1:50 (add --log to space them logarithmically)"
    if text is None:
        raise InputError(f"give the learning rates: --lr START:STOP:COUNT, {example}")
    parts = [p.strip() for p in text.split(":")]
    if len(parts) != 3 or not all(parts):
        one = _NUMBER.fullmatch(text.strip()) is not None
        hint = (f"for one rate give --lr {text.strip()}:{text.strip()}:1, or use gdcli minimize"
                if one else example)
        raise InputError(f"--lr takes START:STOP:COUNT for a sweep, got '{_shown(text)}'",
                         hint=hint)
    start_t, stop_t, count_t = parts
    for name, value in (("START", start_t), ("STOP", stop_t)):
        if len(value) > _LONGEST or not _NUMBER.fullmatch(value):
            raise InputError(f"--lr {name} must be a number, got '{_shown(value)}'")
    if len(count_t) > _LONGEST or not count_t.isdigit() or not count_t.isascii():
        raise InputError(f"--lr COUNT must be a whole number of rates, got '{_shown(count_t)}'")
    for name, t in (("START", start_t), ("STOP", stop_t)):
        # as a float first: 1e999999999 read exactly would be a billion-digit integer
        if not 0 < float(t) < math.inf:
            raise InputError(f"--lr {name} must be a positive number within float64's range, "
                             f"got {_shown(t)}")
    start, stop, count = Fraction(start_t), Fraction(stop_t), int(count_t)
    if count > MAX_RATES:
        raise InputError(f"--lr COUNT must be at most {MAX_RATES:,} (every rate is held in "
                         f"memory at once), got {_shown(count_t)}")
    if count == 0:
        raise InputError("--lr COUNT must be at least 1")
    if count == 1:
        if start != stop:
            raise InputError(f"--lr {start_t}:{stop_t}:1 has one rate but two ends; give "
                             f"{start_t}:{start_t}:1 for one rate, or COUNT ≥ 2")
    elif not stop > start:
        raise InputError(f"--lr STOP must be greater than START, got {start_t}:{stop_t}",
                         hint=f"or {start_t}:{start_t}:1 for one rate")
    return start, stop, count


def rates(start: Fraction, stop: Fraction, count: int, log: bool) -> list[float]:
    """The rates, ascending: evenly spaced, each the float nearest the exact decimal value
    (0.1:1.5:15 gives 0.5, not 0.49999999999999994); with ``log`` evenly spaced in log10
    (numpy's geomspace: exact decades between decades, and exact ends)."""
    if count == 1:
        return [float(start)]
    if log:
        import numpy as np

        out = [float(v) for v in np.geomspace(float(start), float(stop), count)]
        out[0], out[-1] = float(start), float(stop)
        return out
    # start + (stop - start)·i/(count - 1) over a common denominator: Python's int / int
    # is correctly rounded, so each rate is exact to the last bit, and 1e5 of them are fast
    den = start.denominator * stop.denominator * (count - 1)
    a = start.numerator * stop.denominator * (count - 1)
    d = stop.numerator * start.denominator - start.numerator * stop.denominator
    return [(a + d * i) / den for i in range(count)]


def run(
    expr: str,
    x0: Sequence[str],
    lr: str | None,
    *,
    log: bool = False,
    method: str = "gd",
    hypers: Mapping[str, float] | None = None,
    schedule: str = "constant",
    gamma: float | None = None,
    step_size: int | None = None,
    lr_min: float | None = None,
    tol: float = 1e-8,
    max_iter: int = 1000,
    at: Sequence[str] = (),
    maximize: bool = False,
    fmt_name: str = "table",
    out: TextIO,
    err: TextIO,
    plot: bool = False,
    output: str | None = None,
) -> int:
    """Sweep EXPR over the learning rates of ``lr`` (START:STOP:COUNT); print one row per
    rate in ``fmt_name``. Returns the exit code."""
    from ..optim.setup import build_settings
    from ..optim.sweep import boundaries, fastest, run_sweep, theory
    from ..render.progress import progress_bar, wanted
    from ..render.sweep import RENDERERS, Report, interrupted_text

    text = _one_expression() if expr == "-" else expression_arg(expr)
    start_f, stop_f, count = parse_rates(lr)
    notes: list[str] = []
    problem = Problem(text, fixed_values(at), maximize, notes)
    for note in notes:
        err.write(f"note: {note}\n")
    start = start_point(x0, problem.variables)
    settings = build_settings(method, float(start_f), hypers, tol=tol, max_iter=max_iter,
                              schedule=schedule, gamma=gamma, step_size=step_size,
                              lr_min=lr_min)
    _supported(settings)
    problem.check_start(start)
    if output is not None:
        from .plot import check_picture

        check_picture(plot, output)
    lrs = rates(start_f, stop_f, count, log)
    label = f"sweep {settings.method}, {count:,} rate{'' if count == 1 else 's'}"
    with _interruptible() as stop, progress_bar(settings.max_iter, label, wanted(out, err),
                                                err) as bar:
        sw = run_sweep(problem, start, settings, lrs, bar, stop)
    report = Report(problem, settings, start, log, sw, fastest(sw), boundaries(sw),
                    theory(problem, start, settings))
    RENDERERS[fmt_name](report, out)
    if plot or output is not None:
        from ..render.figure import sweep_figure
        from .plot import deliver

        deliver(sweep_figure(report), plot=plot, output=output, out=out, err=err,
                fmt_name=fmt_name)
    if "interrupted" in sw.how:
        if fmt_name != "table":  # the table says so in its summary
            out.flush()
            err.write(f"{interrupted_text(sw)}\n")
        return EXIT_INTERRUPTED
    return EXIT_OK


def _supported(st: Settings) -> None:
    from ..optim.methods import METHODS

    if METHODS[st.method].hessian:
        raise InputError(
            f"sweep does not run {st.method}: each of its steps solves with the Hessian at "
            "every rate's own point, which the vectorised sweep does not do",
            hint=f"compare rates with gdcli minimize --method {st.method} --lr …")


def _one_expression() -> str:
    """``sweep -``: one expression from stdin."""
    text = read_stdin_text()
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        raise InputError(f"sweep reads one expression from stdin, but got {len(lines)} lines")
    return text
