"""A :class:`~gdcli.render.figure.Figure` as text, drawn with plotille: braille curves and
contour lines, one marker character per path or group (so the legend works without
colour), numbered iterates, reference lines. The width follows the terminal (else
COLUMNS, else 80); no colour in a pipe or under NO_COLOR. plotille is imported here, when
a picture is asked for, never at start-up."""

from __future__ import annotations

import math
import os
import shutil
from typing import Any, TextIO

from .figure import Figure

#: Columns taken by plotille's y axis (labels and " | ").
_YAXIS = 13
#: Narrowest and widest canvas, and the height range (rows of characters).
MIN_WIDTH, MAX_WIDTH = 20, 160
MIN_HEIGHT, MAX_HEIGHT = 10, 24
#: Colours of successive paths and groups (the markers already tell them apart).
_COLOURS = ("red", "green", "yellow", "blue", "magenta", "cyan", "white")


def columns_for(out: TextIO) -> int:
    """The stream's terminal width, else COLUMNS, else 80 (as render/table.py)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if out.isatty():
            return shutil.get_terminal_size((80, 24)).columns
    except (AttributeError, ValueError, OSError):
        pass
    return 80


def colour_for(out: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError):
        return False


def render(fig: Figure, out: TextIO, width: int | None = None) -> None:
    """Write the picture of ``fig`` to ``out``."""
    out.write(to_text(fig, columns_for(out) if width is None else width, colour_for(out)))


def to_text(fig: Figure, columns: int, colour: bool = False) -> str:
    import plotille

    # the x axis line is 13 + width + len("-> (x)"); its last tick label (9 characters)
    # starts at the last multiple of 10
    fits = min(columns - _YAXIS - 5 - len(fig.xlabel), 10 * ((columns - _YAXIS - 9) // 10) + 9)
    width = max(MIN_WIDTH, min(MAX_WIDTH, fits))
    height = max(MIN_HEIGHT, min(MAX_HEIGHT, width // 3))
    p = plotille.Figure()
    p.width, p.height = width, height
    p.with_colors = colour
    p.origin = False
    p.x_label, p.y_label = fig.xlabel, fig.ylabel
    tx = _log10 if fig.xlog else float
    x0, x1 = tx(fig.xrange[0]), tx(fig.xrange[1])
    y0, y1 = fig.yrange
    p.set_x_limits(x0, x1)
    p.set_y_limits(y0, y1)
    p.y_ticks_fkt = lambda v, _next: f"{_tick(v):>10}"[:10]
    p.x_ticks_fkt = (lambda v, _next: f"{_tick(10.0**v):<9}"[:9]) if fig.xlog else (
        lambda v, _next: f"{_tick(v):<9}"[:9])
    dx = (x1 - x0) / width / 2  # one braille dot across
    legend: list[str] = []

    for lo, _hi, label in fig.bands:  # a band: its left edge as a dotted line, then words
        a = tx(lo)
        p.plot([a, a], [y0, y1], lc="yellow" if colour else None, marker=":")
        p.text([a + dx], [y1 - (y1 - y0) * 0.02], [f"{label} →"])
    for level_i, (_level, lines) in enumerate(fig.contours):
        for line in lines:
            p.plot([tx(a) for a, _ in line], [b for _, b in line],
                   lc=("blue", "cyan")[level_i % 2] if colour else None)
    if fig.contours:
        levels = ", ".join(_tick(lv) for lv, _ in fig.contours)
        legend.append(f"⠤⠤ contour lines of f at {levels}")
    for i, (value, label) in enumerate(fig.vlines):
        a = tx(value)
        mark = "|"
        p.plot([a, a], [y0, y1], lc="white" if colour else None, marker=mark)
        tag = chr(ord("A") + i)
        p.text([a + dx], [y0 + (y1 - y0) * (0.08 + 0.08 * i)], [tag])
        legend.append(f"{mark} {tag}: {label}")
    for value, label in fig.hlines:
        p.plot([x0, x1], [value, value], lc="white" if colour else None, marker="-")
        legend.append(f"- {label}")
    coloured = 0
    for s in fig.series:
        xs = [tx(v) for v in s.x]
        if not xs:
            continue
        if s.kind == "line":
            _curve(p, xs, s.y, colour)
            legend.append(f"⠤⠤ {s.label}")
            continue
        lc = _COLOURS[coloured % len(_COLOURS)] if colour else None
        coloured += 1
        if s.kind == "path":
            p.plot(xs, s.y, lc=lc, marker=s.marker)
        else:
            p.scatter(xs, s.y, lc=lc, marker=s.marker)
        legend.append(f"{s.marker} {s.label}")
    notes = list(fig.notes)
    for s in fig.series:
        if s.labels:
            thinned = _labels(p, s, tx, (x0, x1), (y0, y1), width, height)
            if thinned:
                notes.append(f"{s.label}: {thinned}")
    head = fig.title
    body = p.show(legend=False)
    tail = ["   ".join(legend)] if len(" · ".join(legend)) <= columns else legend
    lines = [head, *body.split("\n"), *tail, *notes]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _curve(p: Any, xs: list[float], ys: list[float], colour: bool) -> None:
    """A sampled curve, broken where f is not a number (a pole, outside the domain)."""
    run_x: list[float] = []
    run_y: list[float] = []
    for a, b in zip(xs, ys, strict=True):
        if math.isfinite(b):
            run_x.append(a)
            run_y.append(b)
        elif run_x:
            p.plot(run_x, run_y, lc="white" if colour else None)
            run_x, run_y = [], []
    if run_x:
        p.plot(run_x, run_y, lc="white" if colour else None)


def _labels(p: Any, s: Any, tx: Any, xr: tuple[float, float], yr: tuple[float, float],
            width: int, height: int) -> str | None:
    """Number the iterates one character right of each marker, skipping a label that would
    touch one already placed (the first and the last are placed first). Returns what was
    left out, or None."""
    dx = (xr[1] - xr[0]) / (width * 2)  # one braille dot, as plotille's canvas maps
    dy = (yr[1] - yr[0]) / (height * 4)

    def cell(x: float, y: float) -> tuple[int, int]:
        return int(round((x - xr[0]) / dx)) // 2, int(round((y - yr[0]) / dy)) // 4

    markers = {cell(tx(a), b) for a, b in zip(s.x, s.y, strict=True)}
    taken: set[tuple[int, int]] = set()  # cells of the labels placed and their margins
    order = list(range(len(s.x)))
    if len(order) > 1:
        order = [0, order[-1], *order[1:-1]]
    placed: list[int] = []
    xs, ys, texts = [], [], []
    for i in order:
        cx, cy = cell(tx(s.x[i]), s.y[i])
        text = s.labels[i]
        cells = {(cx + 1 + j, cy) for j in range(len(text) + 1)}
        ends = i in (0, len(s.x) - 1)  # the start and the end are numbered over markers
        if cx + 1 + len(text) > width or cells & taken or (not ends and cells & markers):
            continue
        taken |= cells | {(cx + 1 + j, cy + d) for j in range(len(text)) for d in (-1, 1)}
        placed.append(i)
        xs.append(xr[0] + 2 * (cx + 1) * dx)
        ys.append(s.y[i])
        texts.append(text)
    if xs:
        p.text(xs, ys, texts)
    skipped = len(s.x) - len(placed)
    if not skipped:
        return None
    return f"numbered {len(placed)} of {len(s.x)} iterates (crowded ones only marked)"


def _log10(v: float) -> float:
    return math.log10(v) if v > 0 else -300.0


def _tick(v: float) -> str:
    if v == 0 or not math.isfinite(v):
        return "0" if v == 0 else str(v)
    a = abs(v)
    text = f"{v:.4g}" if 1e-3 <= a < 1e6 else f"{v:.2e}"
    return text
