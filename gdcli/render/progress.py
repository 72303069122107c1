"""A progress bar on stderr for long runs (minimize, compare, sweep).

Shown only where a person watches: stdout and stderr both terminals (never in a pipe or
a file), and only once a run has lasted :data:`DELAY` seconds, so that short runs print
exactly what they always did. It is transient (erased when the run ends, before any
result is printed) and plain under ``NO_COLOR``.

It costs the run nothing measurable: the engine calls the bar's ``tick(k)`` between
chunks of its quiet loop (16,384 iterations) and every 4,096 rows, a disabled bar is
``None`` (the engine then makes no call at all), and rich.progress is imported only when
a bar is actually drawn. The bar is redrawn from ``tick`` (at most :data:`REFRESH` times a
second), never from a thread of its own, so it takes no time from the loop between ticks.

Usage::

    with progress_bar(settings.max_iter, "adam", wanted(out, err)) as bar:
        outcome = run_quiet(problem, x0, settings, stop, bar)
        rows = follow(iterate(problem, x0, settings, stop, bar), bar)
"""

from __future__ import annotations

import os
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import Any, TextIO, TypeVar

#: Seconds a run lasts before its bar appears (GDCLI_PROGRESS_DELAY overrides it: tests).
DELAY = 1.0
#: Redraws per second, at most.
REFRESH = 10

T = TypeVar("T")


def wanted(out: TextIO, err: TextIO) -> bool:
    """Whether a bar may be shown: stdout and stderr both terminals (SPEC §5: never when
    either is piped or redirected)."""
    return _tty(out) and _tty(err)


def _tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _delay() -> float:
    text = os.environ.get("GDCLI_PROGRESS_DELAY", "")
    try:
        value = float(text)
    except ValueError:
        return DELAY
    return value if value >= 0 else DELAY


class Bar:
    """``bar(k)``: the run has reached iteration ``k`` (the engine's ``tick``).
    ``phase(label, total)`` starts the next run of several (compare); ``close()`` erases
    the bar (idempotent)."""

    def __init__(self, total: int, label: str, err: TextIO, delay: float) -> None:
        self.total, self.label = max(1, total), label
        self.err = err
        self.start = time.monotonic()
        self.delay = delay
        self.progress: Any = None  # rich.progress.Progress, once shown
        self.task: Any = None
        self.last = 0.0
        self.closed = False

    def __call__(self, k: int) -> None:
        if self.closed:
            return
        now = time.monotonic()
        if self.progress is None:
            if now - self.start < self.delay:
                return
            self._show()
        elif now - self.last < 1 / REFRESH:
            return
        self.last = now
        self.progress.update(self.task, completed=min(k, self.total), refresh=True)

    def phase(self, label: str, total: int) -> None:
        """The next run: a new label and total, counted from 0 (the delay runs on)."""
        self.label, self.total = label, max(1, total)
        if self.progress is not None and not self.closed:
            self.progress.update(self.task, description=label, total=self.total, completed=0,
                                 refresh=True)

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(file=self.err, highlight=False, emoji=False, markup=False,
                          color_system=None if os.environ.get("NO_COLOR") else "auto")
        self.progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("iterations"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            auto_refresh=False,  # redrawn from tick: no thread competing with the loop
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.task = self.progress.add_task(self.label, total=self.total)
        self.progress.start()

    def close(self) -> None:
        if self.progress is not None and not self.closed:
            self.progress.stop()
        self.closed = True


@contextmanager
def progress_bar(total: int, label: str, enabled: bool,
                 err: TextIO | None = None) -> Iterator[Bar | None]:
    """A bar for a run of up to ``total`` iterations, or None when ``enabled`` is False
    (pass ``wanted(out, err)`` and whatever else rules a bar out, such as ``--quiet``).
    The bar is erased when the block ends, however it ends."""
    if not enabled:
        yield None
        return
    import sys

    bar = Bar(total, label, err if err is not None else sys.stderr, _delay())
    try:
        yield bar
    finally:
        bar.close()


def follow(rows: Generator[T, None, Any], bar: Bar | None) -> Generator[T, None, Any]:
    """The engine's rows, with the bar erased as soon as they end (before a renderer that
    consumes them prints anything); the generator's return value passes through."""
    if bar is None:
        return rows
    return _follow(rows, bar)


def _follow(rows: Generator[T, None, Any], bar: Bar) -> Generator[T, None, Any]:
    try:
        return (yield from rows)
    finally:
        bar.close()
