"""A :class:`~gdcli.render.figure.Figure` as a PNG or SVG file, drawn with matplotlib (the
optional extra ``pip install "gdcli[plot]"``), on the Agg backend, reproducibly: the same
run gives the same bytes (no dates, no random SVG ids, no software stamp)."""

from __future__ import annotations

import os
from typing import Any

from ..errors import GdcliError, InputError
from .figure import Figure

#: The file types --output writes.
SUFFIXES = (".png", ".svg")
INSTALL = 'pip install "gdcli[plot]"'


class OutputError(GdcliError):
    """The image could not be written (a full disk, a file vanished): exit 1."""


def check_output(path: str, option: str = "--output") -> str:
    """Refuse before the run: a suffix other than .png/.svg, a folder that does not exist,
    a directory, or matplotlib missing (exit 2). Returns the suffix."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{option} {path[:60]}: give FILE.png or FILE.svg")
    if os.path.isdir(path):
        raise InputError(f"{option} {path[:60]}: is a directory")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise InputError(f"{option} {path[:60]}: no folder '{folder[:60]}'")
    if not os.access(folder, os.W_OK):
        raise InputError(f"{option} {path[:60]}: the folder '{folder[:60]}' is not writable")
    require_matplotlib(option)
    return suffix


def require_matplotlib(option: str = "--output") -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(f"{option} writes images with matplotlib, which is not installed",
                         hint=f"install it with: {INSTALL}") from None


def save(fig: Figure | list[Figure], path: str) -> None:
    """Write ``fig`` (or several side by side) to ``path`` (.png or .svg)."""
    suffix = check_output(path)
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure as MplFigure

    rc = {"svg.hashsalt": "gdcli", "svg.fonttype": "path", "path.simplify": True}
    with matplotlib.rc_context(rc):
        figs = fig if isinstance(fig, list) else [fig]
        canvas = MplFigure(figsize=(8 * len(figs), 5.5), dpi=100, layout="constrained")
        for i, one in enumerate(figs):
            _draw(canvas.add_subplot(1, len(figs), i + 1), one)
        meta: dict[str, Any] = ({"Date": None, "Creator": None} if suffix == ".svg"
                                else {"Software": None})
        try:
            canvas.savefig(path, format=suffix[1:], metadata=meta)
        except OSError as e:
            raise OutputError(f"cannot write {path[:60]}: {e.strerror or e}") from None


def _draw(ax: Any, fig: Figure) -> None:
    ax.set_title(fig.title, fontsize=11)
    ax.set_xlabel(fig.xlabel)
    ax.set_ylabel(fig.ylabel)
    if fig.xlog:
        ax.set_xscale("log")
    ax.set_xlim(*fig.xrange)
    ax.set_ylim(*fig.yrange)
    ax.grid(True, alpha=0.25)
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
               "#17becf", "#7f7f7f"]
    for lo, hi, label in fig.bands:
        ax.axvspan(lo, hi, color="#ffbf00" if "osc" in label else "#d62728", alpha=0.12,
                   label=label, lw=0)
    if fig.contours:
        import matplotlib

        cmap = matplotlib.colormaps["viridis"]
        n = len(fig.contours)
        for i, (level, lines) in enumerate(fig.contours):
            colour = cmap(0.85 * i / max(1, n - 1))
            for j, line in enumerate(lines):
                xs, ys = zip(*line, strict=True)
                ax.plot(xs, ys, color=colour, lw=0.9,
                        label=f"f = {level:.4g}" if j == 0 else None)
    for i, (value, label) in enumerate(fig.vlines):
        ax.axvline(value, color="#444444", ls=("--", ":", "-.")[i % 3], lw=1, label=label)
    for value, label in fig.hlines:
        ax.axhline(value, color="#444444", ls="--", lw=1, label=label)
    k = 0
    for s in fig.series:
        if not s.x:
            continue
        if s.kind == "line":
            ax.plot(s.x, s.y, color="#333333", lw=1.4, label=s.label)
            continue
        colour = colours[k % len(colours)]
        k += 1
        mk = {"o": "o", "x": "x", "+": "+", "*": "*", "#": "s", "@": "D", "%": "^", "&": "v",
              "$": "P", "~": "d"}.get(s.marker, "o")
        if s.kind == "path":
            ax.plot(s.x, s.y, color=colour, lw=1, marker=mk, ms=4, label=s.label)
            if s.labels:
                _numbers(ax, s, colour)
        else:
            ax.scatter(s.x, s.y, color=colour, marker=mk, s=18, label=s.label)
    ax.legend(fontsize=8, loc="best")
    if fig.notes:
        ax.text(0.0, -0.16, "\n".join(fig.notes), transform=ax.transAxes, fontsize=7,
                va="top", color="#555555")


def _numbers(ax: Any, s: Any, colour: str) -> None:
    """Number the iterates: every one while they are few, then those far enough apart
    (in axis fractions) not to overprint."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    placed: list[tuple[float, float]] = []
    n = len(s.x)
    order = [0, n - 1, *range(1, n - 1)] if n > 1 else [0]
    for i in order:
        u = (s.x[i] - x0) / (x1 - x0) if x1 > x0 else 0.0
        v = (s.y[i] - y0) / (y1 - y0) if y1 > y0 else 0.0
        if any(abs(u - a) < 0.03 and abs(v - b) < 0.035 for a, b in placed):
            continue
        placed.append((u, v))
        ax.annotate(s.labels[i], (s.x[i], s.y[i]), textcoords="offset points",
                    xytext=(5, 4), fontsize=8, color=colour)
