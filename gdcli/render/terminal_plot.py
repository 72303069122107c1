"""A :class:`~gdcli.render.figure.Figure` as text, drawn with plotille: braille curves and
contour lines, one marker character per path or group (so the legend works without
colour), numbered iterates, reference lines. The width follows the terminal (else
COLUMNS, else 80); no colour in a pipe or under NO_COLOR. plotille is imported here, when
a picture is asked for, never at start-up."""

from __future__ import annotations

import math
import os
import shutil
import threading
from collections import OrderedDict
from dataclasses import dataclass
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


def canvas_size(fig: Figure, columns: int) -> tuple[int, int]:
    """The plotille canvas, (characters across, rows), of a picture ``columns`` wide: the x
    axis line is 13 + width + len("-> (x)"); its last tick label (9 characters) starts at
    the last multiple of 10."""
    fits = min(columns - _YAXIS - 5 - len(fig.xlabel), 10 * ((columns - _YAXIS - 9) // 10) + 9)
    width = max(MIN_WIDTH, min(MAX_WIDTH, fits))
    return width, max(MIN_HEIGHT, min(MAX_HEIGHT, width // 3))


@dataclass(frozen=True)
class _Plot:
    """One plotille plot: the points in order, each a braille dot or ``marker``, joined by
    lines when ``linear``; ``lc`` its colour (None without colour)."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    lc: str | None
    marker: str | None = None
    linear: bool = True


@dataclass(frozen=True)
class _Frame:
    """What the canvas and its axes depend on besides the plots."""

    width: int
    height: int
    limits: tuple[float, float, float, float]  # x0, x1, y0, y1 (x as drawn: log10 if xlog)
    xlabel: str
    ylabel: str
    xlog: bool
    colour: bool
    #: whether plotille writes colours now (it asks NO_COLOR, FORCE_COLOR and the tty
    #: when a cell is written out): a background's cells are kept as written
    ansi: bool

    def figure(self) -> Any:
        """A plotille Figure of this size, limits, axes and labels, without plots."""
        import plotille

        x0, x1, y0, y1 = self.limits
        p = plotille.Figure()
        p.width, p.height = self.width, self.height
        p.with_colors = self.colour
        p.origin = False
        p.x_label, p.y_label = self.xlabel, self.ylabel
        p.set_x_limits(x0, x1)
        p.set_y_limits(y0, y1)
        p.y_ticks_fkt = lambda v, _next: f"{_tick(v):>10}"[:10]
        p.x_ticks_fkt = (lambda v, _next: f"{_tick(10.0**v):<9}"[:9]) if self.xlog else (
            lambda v, _next: f"{_tick(v):<9}"[:9])
        return p


def to_text(fig: Figure, columns: int, colour: bool = False) -> str:
    width, height = canvas_size(fig, columns)
    tx = _log10 if fig.xlog else float
    x0, x1 = tx(fig.xrange[0]), tx(fig.xrange[1])
    y0, y1 = fig.yrange
    dx = (x1 - x0) / width / 2  # one braille dot across
    legend: list[str] = []
    plots: list[_Plot] = []
    texts: list[tuple[float, float, str]] = []  # drawn after every plot, as plotille does

    for lo, _hi, label in fig.bands:  # a band: its left edge as a dotted line, then words
        a = tx(lo)
        plots.append(_Plot((a, a), (y0, y1), "yellow" if colour else None, ":"))
        texts.append((a + dx, y1 - (y1 - y0) * 0.02, f"{label} →"))
    for level_i, (_level, lines) in enumerate(fig.contours):
        lc = ("blue", "cyan")[level_i % 2] if colour else None
        for line in lines:
            if line:
                plots.append(_Plot(tuple(tx(a) for a, _ in line), tuple(b for _, b in line),
                                   lc))
    if fig.contours:
        levels = ", ".join(_tick(lv) for lv, _ in fig.contours)
        legend.append(f"⠤⠤ contour lines of f at {levels}")
    for i, (value, label) in enumerate(fig.vlines):
        a = tx(value)
        mark = "|"
        plots.append(_Plot((a, a), (y0, y1), "white" if colour else None, mark))
        tag = chr(ord("A") + i)
        texts.append((a + dx, y0 + (y1 - y0) * (0.08 + 0.08 * i), tag))
        legend.append(f"{mark} {tag}: {label}")
    for value, label in fig.hlines:
        plots.append(_Plot((x0, x1), (value, value), "white" if colour else None, "-"))
        legend.append(f"- {label}")
    # what comes before the first path (contour lines, the curve of f) is the background,
    # drawn once and kept while only the paths change (gdcli explore)
    background: int | None = None
    coloured = 0
    for s in fig.series:
        xs = [tx(v) for v in s.x]
        if not xs:
            continue
        if s.kind == "line":
            plots += _curve(xs, s.y, colour)
            legend.append(f"⠤⠤ {s.label}")
            continue
        if background is None:
            background = len(plots)
        lc = _COLOURS[coloured % len(_COLOURS)] if colour else None
        coloured += 1
        plots.append(_Plot(tuple(xs), tuple(s.y), lc, s.marker, s.kind == "path"))
        legend.append(f"{s.marker} {s.label}")
    notes = list(fig.notes)
    for s in fig.series:
        if s.labels:
            thinned = _labels(texts, s, tx, (x0, x1), (y0, y1), width, height)
            if thinned:
                notes.append(f"{s.label}: {thinned}")
    frame = _Frame(width, height, (x0, x1, y0, y1), fig.xlabel, fig.ylabel, fig.xlog, colour,
                   colour and _ansi())
    cut = len(plots) if background is None else background
    try:
        body = _layered(frame, tuple(plots[:cut]), plots[cut:], texts)
    except _INSIDES:  # plotille's insides changed: the whole figure, as plotille draws it
        body = _whole(frame, plots, texts)
    tail = ["   ".join(legend)] if len(" · ".join(legend)) <= columns else legend
    lines = [fig.title, *body, *tail, *notes]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _ansi() -> bool:
    import plotille

    return plotille.color("x", fg="red") != "x"


#: What reading plotille's canvas cells can raise if a plotille 6.x changes them.
_INSIDES = (AttributeError, TypeError)


def _whole(frame: _Frame, plots: list[_Plot], texts: list[tuple[float, float, str]]
           ) -> list[str]:
    """The canvas and its axes drawn by plotille's Figure, every plot in order."""
    p = frame.figure()
    for q in plots:
        if q.linear:
            p.plot(list(q.xs), list(q.ys), lc=q.lc, marker=q.marker)
        else:
            p.scatter(list(q.xs), list(q.ys), lc=q.lc, marker=q.marker)
    if texts:
        p.text([t[0] for t in texts], [t[1] for t in texts], [t[2] for t in texts])
    return p.show(legend=False).split(p.linesep)


def _write(canvas: Any, q: _Plot) -> None:
    """A plot onto a plotille Canvas, as plotille's Figure writes it."""
    point, line, color, marker = canvas.point, canvas.line, q.lc, q.marker
    xs, ys = q.xs, q.ys
    point(xs[0], ys[0], color=color, marker=marker)
    for i in range(1, len(xs)):
        point(xs[i], ys[i], color=color, marker=marker)
        if q.linear:
            line(xs[i - 1], ys[i - 1], xs[i], ys[i], color=color)


class _Layer:
    """A canvas with the background drawn (and its cells as text), and the axes around it;
    :meth:`draw` lays paths and texts over it, renders only the cells they changed and puts
    those back."""

    def __init__(self, frame: _Frame, background: tuple[_Plot, ...]) -> None:
        import plotille

        x0, x1, y0, y1 = frame.limits
        c = plotille.Canvas(frame.width, frame.height, x0, y0, x1, y1, None, mode="names")
        for q in background:
            _write(c, q)
        self.canvas = c
        self.rows = c._canvas  # plotille's cells, bottom row first
        self.saved = [[(d._dots, d._marker, d.fg) for d in row] for row in self.rows]
        self.cells = [[str(d) for d in row] for row in self.rows]
        # the axes: plotille's own, from the same figure without plots
        empty = frame.figure()
        empty.with_colors = False
        lines = empty.show(legend=False).split(empty.linesep)
        h, w = frame.height, frame.width
        self.head, self.foot = lines[:2], lines[2 + h :]
        self.prefixes = [line[: len(line) - w] for line in lines[2 : 2 + h]]
        blank = chr(0x2800) * w
        if any(not line.endswith(blank) for line in lines[2 : 2 + h]):
            raise TypeError("unexpected plotille axes")
        self.lock = threading.Lock()

    def draw(self, plots: list[_Plot], texts: list[tuple[float, float, str]]) -> list[str]:
        with self.lock:
            c = self.canvas
            try:
                for q in plots:
                    _write(c, q)
                for x, y, text in texts:
                    c.text(x, y, text)
            finally:
                rows = self._restore()
        return [*self.head, *(p + r for p, r in zip(self.prefixes, rows, strict=True)),
                *self.foot]

    def _restore(self) -> list[str]:
        """The canvas as text (top row first), each cell changed since the background put
        back."""
        out = []
        for row, saved, cells in zip(self.rows, self.saved, self.cells, strict=True):
            parts = cells
            for i, d in enumerate(row):
                s = saved[i]
                if d._dots != s[0] or d._marker != s[1] or d.fg != s[2]:
                    if parts is cells:
                        parts = list(cells)
                    parts[i] = str(d)
                    d._dots, d._marker, d.fg = s
            out.append("".join(parts))
        out.reverse()
        return out


#: Backgrounds kept: a few sizes and views.
_LAYERS: OrderedDict[tuple[Any, ...], _Layer] = OrderedDict()
_KEEP = 6
_LAYERS_LOCK = threading.Lock()


def _layered(frame: _Frame, background: tuple[_Plot, ...], plots: list[_Plot],
             texts: list[tuple[float, float, str]]) -> list[str]:
    key = (frame, background)
    with _LAYERS_LOCK:
        layer = _LAYERS.get(key)
        if layer is not None:
            _LAYERS.move_to_end(key)
    if layer is None:
        layer = _Layer(frame, background)
        with _LAYERS_LOCK:
            _LAYERS[key] = layer
            while len(_LAYERS) > _KEEP:
                _LAYERS.popitem(last=False)
    return layer.draw(plots, texts)


def _curve(xs: list[float], ys: list[float], colour: bool) -> list[_Plot]:
    """A sampled curve, broken where f is not a number (a pole, outside the domain)."""
    lc = "white" if colour else None
    out = []
    run_x: list[float] = []
    run_y: list[float] = []
    for a, b in zip(xs, ys, strict=True):
        if math.isfinite(b):
            run_x.append(a)
            run_y.append(b)
        elif run_x:
            out.append(_Plot(tuple(run_x), tuple(run_y), lc))
            run_x, run_y = [], []
    if run_x:
        out.append(_Plot(tuple(run_x), tuple(run_y), lc))
    return out


def _labels(out: list[tuple[float, float, str]], s: Any, tx: Any, xr: tuple[float, float],
            yr: tuple[float, float], width: int, height: int) -> str | None:
    """Number the iterates one character right of each marker, skipping a label that would
    touch one already placed (the first and the last are placed first); the texts go to
    ``out``. Returns what was left out, or None."""
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
        if (not 0 <= cy < height or cx + 1 < 0 or cx + 1 + len(text) > width
                or cells & taken or (not ends and cells & markers)):
            continue  # off the canvas (a point on its top edge rounds above it), or crowded
        taken |= cells | {(cx + 1 + j, cy + d) for j in range(len(text)) for d in (-1, 1)}
        placed.append(i)
        xs.append(xr[0] + 2 * (cx + 1) * dx)
        ys.append(s.y[i])
        texts.append(text)
    out += zip(xs, ys, texts, strict=True)
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
