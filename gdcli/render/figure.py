"""A picture described once, drawn twice: a backend-neutral :class:`Figure` built from the
engine's records, which terminal_plot.py draws as text (plotille) and image.py as PNG or
SVG (matplotlib).

The builders here only arrange what a run produced: the PATH always comes from the rows the
engine yielded (collected by :class:`PathRecorder`, never a second run). Sampling f on a
grid to draw its curve or its contour lines is drawing, not computing a result.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..optim.problem import Problem
    from .sweep import Report as SweepReport

#: A path keeps at most this many iterates; a longer run is thinned evenly as it goes.
MAX_POINTS = 2000
#: Grid of f for a curve (points) and for contour lines (points per side).
CURVE_POINTS, CONTOUR_SIDE = 400, 80
#: Markers of successive paths (compare), distinct without colour.
MARKERS = "ox+*#@%&$"
#: Contour levels drawn for a function of two variables.
LEVELS = 9


@dataclass
class Series:
    """One thing drawn in data coordinates.

    kind "line": a curve (braille in a terminal); "path": points joined in order with a
    marker, ``labels`` numbering them; "points": markers only."""

    kind: str
    x: list[float]
    y: list[float]
    label: str = ""
    marker: str = "o"
    labels: list[str] | None = None


@dataclass
class Figure:
    title: str
    xlabel: str
    ylabel: str
    xrange: tuple[float, float]
    yrange: tuple[float, float]
    xlog: bool = False
    series: list[Series] = field(default_factory=list)
    #: contour lines: (level, polylines), each polyline a list of (x, y)
    contours: list[tuple[float, list[list[tuple[float, float]]]]] = field(default_factory=list)
    #: reference lines: (value, label)
    vlines: list[tuple[float, str]] = field(default_factory=list)
    hlines: list[tuple[float, str]] = field(default_factory=list)
    #: shaded x intervals: (x0, x1, label)
    bands: list[tuple[float, float, str]] = field(default_factory=list)
    #: what the picture leaves out or thins (said under it)
    notes: list[str] = field(default_factory=list)


# --- collecting a path from the rows ---
class PathRecorder:
    """The iterates of a run as its rows pass: (k, x…, f) for every row with a finite f,
    at most :data:`MAX_POINTS` of them. When full, every other kept iterate is dropped and
    from then on only every 2nd (4th, …) is kept, so the path stays evenly thinned and the
    memory flat however long the run; the last iterate is always kept."""

    def __init__(self, dim: int, limit: int = MAX_POINTS) -> None:
        self.dim = dim
        self.limit = limit
        self.points: list[tuple[Any, ...]] = []
        self.stride = 1
        self.last: tuple[Any, ...] | None = None
        self.seen = 0

    def add(self, row: Sequence[Any]) -> None:
        f = row[1]
        if f is None or not math.isfinite(f):
            return
        point = (row[0], *row[2 : 2 + self.dim], f)
        self.seen += 1
        self.last = point
        if row[0] % self.stride:
            return
        self.points.append(point)
        if len(self.points) >= self.limit:
            self.points = self.points[::2]
            self.stride *= 2

    def tap(self, rows: Iterable[Any]) -> Iterator[Any]:
        """The rows, unchanged, each recorded on the way."""
        for row in rows:
            self.add(row)
            yield row

    def path(self) -> list[tuple[Any, ...]]:
        pts = list(self.points)
        if self.last is not None and (not pts or pts[-1][0] != self.last[0]):
            pts.append(self.last)
        return pts

    def thinned(self) -> str | None:
        if self.stride == 1:
            return None
        return (f"the path shows every {_ordinal(self.stride)} of {self.seen:,} iterates "
                "(and the last)")


# --- ranges ---
def _span(values: Iterable[float], pad: float = 0.08) -> tuple[float, float]:
    vals = [v for v in values if v is not None and math.isfinite(v)]
    if not vals:
        return (-1.0, 1.0)
    lo, hi = min(vals), max(vals)
    if hi - lo <= 1e-12 * max(1.0, abs(lo), abs(hi)):
        d = max(1.0, abs(lo) * 0.1)
        return (lo - d, hi + d)
    d = (hi - lo) * pad
    return (lo - d, hi + d)


def default_range(values: Iterable[float], center: float | None = None) -> tuple[float, float]:
    """A range that covers ``values`` (the path and the stationary points) with a margin;
    −10:10 when there are none."""
    vals = [v for v in values if math.isfinite(v)]
    if not vals:
        return (-10.0, 10.0)
    return _span(vals, 0.12)


def _limit(values: Sequence[float], lo: float, hi: float) -> tuple[float, float]:
    """A y range for sampled values: their extent, unless a few values (a pole) would
    flatten the rest: then the 2nd to 98th percentile."""
    a = sorted(v for v in values if math.isfinite(v)) or [0.0]
    full = (a[0], a[-1])
    p2, p98 = _percentile(a, 2), _percentile(a, 98)
    if full[1] - full[0] > 20 * max(p98 - p2, 1e-300):
        full = (p2, p98)
    return _span([*full, lo, hi] if math.isfinite(lo) else full)


def _percentile(a: Sequence[float], q: float) -> float:
    """The q-th percentile of sorted ``a``, interpolated linearly (numpy's default)."""
    pos = (len(a) - 1) * q / 100
    i = int(pos)
    return a[i] + (a[min(i + 1, len(a) - 1)] - a[i]) * (pos - i)


def _sample(f: Callable[..., float], *xs: float) -> float:
    try:
        v = f(*xs)
    except (ValueError, ZeroDivisionError, OverflowError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def _inside(path: Sequence[tuple[Any, ...]], ranges: Sequence[tuple[float, float]],
            dim: int) -> tuple[list[tuple[Any, ...]], int]:
    """The iterates inside the drawn ranges, and how many fall outside."""
    kept = [p for p in path
            if all(ranges[i][0] <= p[1 + i] <= ranges[i][1] for i in range(dim))]
    return kept, len(path) - len(kept)


def _numbered(path: Sequence[tuple[Any, ...]]) -> list[str]:
    return [str(p[0]) for p in path]


# --- one variable: the curve and the path ---
def curve_figure(problem: Problem, path: Sequence[tuple[Any, ...]],
                 xrange: tuple[float, float], method: str = "",
                 paths: Mapping[str, Sequence[tuple[Any, ...]]] | None = None) -> Figure:
    """f over ``xrange`` (sampled on a grid), with the numbered iterates of ``path`` (or of
    each of ``paths``, compare) joined in order."""
    v = problem.variables[0]
    user = _user_f(problem)
    n = CURVE_POINTS - 1  # a grid in plain floats: no numpy import for a curve
    xs = [xrange[0] + (xrange[1] - xrange[0]) * i / n for i in range(n + 1)]
    ys = [_sample(user, x) for x in xs]
    runs = dict(paths) if paths is not None else ({method or "path": path} if path else {})
    fig = Figure(title=f"f({v}) = {problem.text.strip()}", xlabel=v, ylabel=f"f({v})",
                 xrange=xrange, yrange=(0.0, 1.0))
    fig.series.append(Series("line", xs, ys, label=f"f({v})"))
    if len(runs) == 1:
        fig.title += f" — {next(iter(runs))}"
    path_ys: list[float] = []
    for i, (label, pts) in enumerate(runs.items()):
        kept, out = _inside(pts, [xrange], 1)
        if out:
            fig.notes.append(f"{label}: {out} iterate{'s' if out > 1 else ''} outside "
                             f"{v} = {_num(xrange[0])}:{_num(xrange[1])} not drawn")
        fig.series.append(Series("path", [p[1] for p in kept], [p[2] for p in kept],
                                 label=label, marker=MARKERS[i % len(MARKERS)],
                                 labels=_numbered(kept) if len(runs) == 1 else None))
        path_ys += [p[2] for p in kept]
    if len(runs) == 1:
        pts = next(iter(runs.values()))
        if pts:
            head = [f"{v}{p[0]} = {_short(p[1])}" for p in pts[:4]]
            tail = [f"{v}{pts[-1][0]} = {_short(pts[-1][1])}"] if len(pts) > 4 else []
            fig.notes.insert(0, "iterates: " + ", ".join(head) + (", …, " if tail else "")
                             + ", ".join(tail))
    grid = [y for y in ys if math.isfinite(y)]
    lo = min(path_ys) if path_ys else math.nan
    hi = max(path_ys) if path_ys else math.nan
    fig.yrange = _limit(grid, lo, hi)
    return fig


def _user_f(problem: Problem) -> Callable[..., float]:
    """f as the user wrote it (the engine descends on −f when maximizing)."""
    if not problem.maximize:
        return problem.f
    return lambda *x: problem.sign * problem.f(*x)


# --- two variables: contour lines and the path ---
def contour_levels(z: Any) -> list[float]:
    """Levels that show the valley: log-spaced above the grid's minimum (so the bottom gets
    as many lines as the steep walls), up to the 90th percentile."""
    import numpy as np

    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return []
    lo = float(finite.min())
    hi = float(np.percentile(finite, 90))
    if not hi > lo:
        return [lo]
    span = hi - lo
    steps = np.geomspace(span / 400, span, LEVELS)
    return [lo + float(s) for s in steps]


def contour_figure(problem: Problem, path: Sequence[tuple[Any, ...]],
                   ranges: Sequence[tuple[float, float]], method: str = "",
                   paths: Mapping[str, Sequence[tuple[Any, ...]]] | None = None) -> Figure:
    """Contour lines of f over the two ``ranges`` with the numbered path (or each of
    ``paths``)."""
    import contourpy
    import numpy as np

    vx, vy = problem.variables
    user = _user_f(problem)
    gx = np.linspace(ranges[0][0], ranges[0][1], CONTOUR_SIDE)
    gy = np.linspace(ranges[1][0], ranges[1][1], CONTOUR_SIDE)
    z = np.array([[_sample(user, float(a), float(b)) for a in gx] for b in gy])
    fig = Figure(title=f"f({vx}, {vy}) = {problem.text.strip()}", xlabel=vx, ylabel=vy,
                 xrange=tuple(ranges[0]), yrange=tuple(ranges[1]))  # type: ignore[arg-type]
    mask = ~np.isfinite(z)
    gen = contourpy.contour_generator(gx, gy, np.ma.masked_array(z, mask) if mask.any() else z,
                                      line_type="Separate")
    for level in contour_levels(z):
        lines = [[(float(a), float(b)) for a, b in seg] for seg in gen.lines(level)]
        if lines:
            fig.contours.append((level, lines))
    runs = dict(paths) if paths is not None else ({method or "path": path} if path else {})
    if len(runs) == 1:
        fig.title += f" — {next(iter(runs))}"
    for i, (label, pts) in enumerate(runs.items()):
        kept, out = _inside(pts, ranges, 2)
        if out:
            fig.notes.append(f"{label}: {out} iterate{'s' if out > 1 else ''} outside the "
                             "range not drawn")
        fig.series.append(Series("path", [p[1] for p in kept], [p[2] for p in kept],
                                 label=label, marker=MARKERS[i % len(MARKERS)],
                                 labels=_numbered(kept) if len(runs) == 1 else None))
    return fig


def problem_figure(problem: Problem, paths: Mapping[str, Sequence[tuple[Any, ...]]],
                   ranges: Sequence[tuple[float, float]] | None = None) -> Figure:
    """The picture of a problem with its paths: a curve (one variable) or contour lines
    (two); the ranges cover the paths (and the stationary points) unless given."""
    from ..errors import InputError

    if problem.dim > 2:
        raise InputError(f"a picture shows one or two variables; "
                         f"{', '.join(problem.variables)} are {problem.dim} (hold the others "
                         "fixed with --at VAR=VALUE)")
    if ranges is None:
        ranges = default_ranges(problem, paths)
    if problem.dim == 1:
        return curve_figure(problem, [], ranges[0], paths=paths)
    return contour_figure(problem, [], ranges, paths=paths)


def default_ranges(problem: Problem,
                   paths: Mapping[str, Sequence[tuple[Any, ...]]]) -> list[tuple[float, float]]:
    """Per variable: a range covering the iterates near the start and, for one variable,
    the analytic stationary points; −10:10 without a path. Iterates that ran far away (a
    diverging run) do not stretch the range past 20 times the start's scale."""
    from ..optim.poly import stationary_points

    out = []
    stationary = stationary_points(problem) if problem.dim == 1 else None
    for i in range(problem.dim):
        starts = [pts[0][1 + i] for pts in paths.values() if pts]
        values = list(starts)
        if stationary:
            values += [p.x for p in stationary]
        scale = 20 * max([1.0, *(abs(v) for v in values)])
        for pts in paths.values():
            values += [p[1 + i] for p in pts if abs(p[1 + i]) <= scale]
        out.append(default_range(values))
    return out


# --- sweep: iterations against the learning rate ---
def sweep_figure(rep: SweepReport) -> Figure:
    """Iterations against lr (log x axis with --log), one marker per status, the observed
    converge / oscillate / diverge boundaries as bands and the theory's rates as lines."""
    sw = rep.sweep
    st = rep.settings
    groups = {"converged": "o", "oscillating": "~", "max_iter": "+", "diverged": "x"}
    pts: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in groups}
    for i, lr in enumerate(sw.rates):
        key = sw.status[i]
        if key == "converged" and sw.oscillates(i):
            key = "oscillating"
        pts[key][0].append(lr)
        pts[key][1].append(float(sw.iterations[i]))
    lo, hi = sw.rates[0], sw.rates[-1]
    if lo == hi:
        lo, hi = lo / 2, hi * 2
    xr = (lo, hi) if rep.log else _span([lo, hi], 0.03)
    if rep.log:
        r = (hi / lo) ** 0.03
        xr = (lo / r, hi * r)
    top = float(max(1, *sw.iterations))
    fig = Figure(title=f"sweep of {st.method} on f = {rep.problem.text.strip()}",
                 xlabel="learning rate", ylabel="iterations", xrange=xr,
                 yrange=(-0.03 * top, 1.05 * top), xlog=rep.log)
    names = {"converged": "converged", "oscillating": "converged, oscillating",
             "max_iter": "stopped at --max-iter", "diverged": "diverged"}
    for key, marker in groups.items():
        xs, ys = pts[key]
        if xs:
            fig.series.append(Series("points", xs, ys, label=names[key], marker=marker))
    b = rep.boundaries
    if b.get("oscillation") is not None:
        fig.bands.append((b["oscillation"].lr, xr[1], "oscillates"))
    if b.get("divergence") is not None:
        fig.bands.append((b["divergence"].lr, xr[1], "diverges"))
    th = rep.theory
    if th is not None:
        for name in ("fastest", "oscillation", "limit"):
            value = getattr(th, name)
            if value is not None and xr[0] <= value <= xr[1]:
                fig.vlines.append((value, f"theory {name} {th.formulas.get(name, '')} = "
                                          f"{_num(value)}"))
    return fig


# --- the neuron ---
def loss_figure(rows: Sequence[Sequence[Any]], loss: str, method: str) -> Figure:
    """The loss per epoch from the training history rows (epoch, loss, accuracy, …)."""
    xs = [float(r[0]) for r in rows if r[1] is not None and math.isfinite(r[1])]
    ys = [float(r[1]) for r in rows if r[1] is not None and math.isfinite(r[1])]
    fig = Figure(title=f"{loss} loss per epoch ({method})", xlabel="epoch", ylabel=loss,
                 xrange=_span(xs, 0.0) if len(xs) > 1 else (0.0, 1.0),
                 yrange=_span([*ys, 0.0] if ys and min(ys) < 0.2 * max(ys) else ys, 0.05))
    fig.series.append(Series("line" if len(xs) > 1 else "points", xs, ys, label=f"{loss} loss",
                             marker="o"))
    return fig


def boundary_figure(X: Any, y: Any, w: Sequence[float], b: float,
                    features: Sequence[str]) -> Figure:
    """Two features: the rows by class and the decision boundary w·x + b = 0 (ŷ = 0.5), in
    the columns' own units (``w``, ``b`` given for those units)."""
    import numpy as np

    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    xr = _span(X[:, 0].tolist(), 0.06)
    yr = _span(X[:, 1].tolist(), 0.06)
    terms = [f"{_num(w[0])}·{features[0]}", f"{_signed(w[1])}·{features[1]}", _signed(b)]
    fig = Figure(title=f"decision boundary {' '.join(terms)} = 0",
                 xlabel=features[0], ylabel=features[1], xrange=xr, yrange=yr)
    for cls, marker in ((0, "o"), (1, "x")):
        sel = y == cls
        fig.series.append(Series("points", X[sel, 0].tolist(), X[sel, 1].tolist(),
                                 label=f"class {cls}", marker=marker))
    w1, w2 = float(w[0]), float(w[1])
    if abs(w2) > 1e-300 and abs(w2) >= abs(w1) * 1e-12:
        xs = np.linspace(xr[0], xr[1], 200)
        ys = -(w1 * xs + b) / w2
        ok = (ys >= yr[0]) & (ys <= yr[1])
        line_x, line_y = xs[ok].tolist(), ys[ok].tolist()
    elif abs(w1) > 1e-300:
        ys = np.linspace(yr[0], yr[1], 200)
        line_x, line_y = [-b / w1] * len(ys), ys.tolist()
    else:
        line_x, line_y = [], []
        fig.notes.append("the weights are zero: no boundary to draw")
    if line_x:
        fig.series.append(Series("line", line_x, line_y, label="w·x + b = 0 (ŷ = 0.5)"))
    elif w1 or w2:
        fig.notes.append("the boundary w·x + b = 0 lies outside the data's range")
    return fig


def _num(v: float) -> str:
    return f"{v:.4g}"


def _short(v: float) -> str:
    """A coordinate as typed when short (6.8), else to 7 significant digits."""
    from ..expr.evaluate import fmt

    text = fmt(v)
    return text if len(text) <= 11 else f"{v:.10g}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _signed(v: float) -> str:
    """'+ 1.5' or '− 1.5', for a term after the first."""
    return f"− {_num(-v)}" if v < 0 else f"+ {_num(v)}"
