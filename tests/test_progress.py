"""Progress bars (render/progress.py): on a terminal for a long run, never in pipes,
never with --quiet, plain under NO_COLOR, gone when the run ends. The terminal is a pty;
GDCLI_PROGRESS_DELAY=0 shows the bar at once, so no test depends on how fast a run is."""

from __future__ import annotations

import io
import os
import re
import select
import signal
import subprocess
import sys
import time

import pytest

from gdcli.render.progress import Bar, follow, progress_bar, wanted
from tests.conftest import run_gdcli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX ptys")

#: The bar's count: "40960/100000 iterations" (the table's caption says "… of N iterations").
BAR = re.compile(rb"\d+/\d+(?:\x1b\[[0-9;]*m)? iterations")
#: Select Graphic Rendition: colour or bold.
SGR = re.compile(rb"\x1b\[[0-9;]*m")
LONG = ["minimize", "x**2", "--x0", "1", "--lr", "1", "--max-iter", "20000"]


class Pty:
    """gdcli with stdin, stdout and stderr on one pseudo-terminal."""

    def __init__(self, *args: str, delay: str | None = "0", **env: str) -> None:
        import pty

        environ = {k: v for k, v in os.environ.items()
                   if k not in ("NO_COLOR", "GDCLI_PROGRESS_DELAY")}
        environ.update(COLUMNS="100", TERM="xterm", **env)
        if delay is not None:
            environ["GDCLI_PROGRESS_DELAY"] = delay
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen([sys.executable, "-m", "gdcli", *args], stdin=slave,
                                     stdout=slave, stderr=slave, env=environ, close_fds=True)
        os.close(slave)
        self.output = b""

    def read_until(self, pattern: re.Pattern[bytes] | None, timeout: float = 60) -> bool:
        """Read until ``pattern`` has appeared (True) or the output ends (False); a
        generous deadline so that a failing test fails rather than hangs."""
        deadline = time.monotonic() + timeout
        while pattern is None or not pattern.search(self.output):
            left = deadline - time.monotonic()
            if left <= 0:  # a bar that keeps redrawing never lets select time out
                self.proc.kill()
                raise AssertionError(f"not done in {timeout} s: {self.output[-300:]!r}")
            ready, _, _ = select.select([self.master], [], [], max(0.0, left))
            if not ready:
                self.proc.kill()
                raise AssertionError(f"not done in {timeout} s: {self.output[-300:]!r}")
            try:
                data = os.read(self.master, 65536)
            except OSError:  # the child closed the terminal
                return False
            if not data:
                return False
            self.output += data
        return True

    def finish(self) -> int:
        self.read_until(None)
        code = self.proc.wait(timeout=60)
        os.close(self.master)
        return code


def test_a_long_minimize_shows_a_bar_on_a_terminal_then_erases_it():
    t = Pty(*LONG)
    assert t.finish() == 4
    out = t.output
    assert BAR.search(out) and b"gd " in out
    assert b"\x1b[?25l" in out and b"\x1b[?25h" in out  # the cursor hidden, then shown again
    # erased before the table: the table comes after the last bar line
    last_bar = max(m.end() for m in BAR.finditer(out))
    assert out.index(b"gradient descent on f(x) = x**2") > last_bar
    assert b"stopped at the iteration limit (20000)" in out


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_never_in_pipes(fmt):
    r = run_gdcli(*LONG, "--format", fmt)
    assert r.returncode == 4
    assert not BAR.search(r.stderr) and b"\x1b" not in r.stderr + r.stdout


@pytest.mark.parametrize("extra", [["--quiet"], ["--format", "csv"], ["--format", "ndjson"]])
def test_never_with_quiet_or_streamed_rows(extra):
    t = Pty(*LONG, *extra)
    assert t.finish() == 4
    assert not BAR.search(t.output) and b"\x1b[?25l" not in t.output


def test_a_short_run_shows_none():
    t = Pty("minimize", "x**2-4*x+6", "--x0", "8", delay=None)
    assert t.finish() == 0
    assert not BAR.search(t.output) and b"\x1b[?25l" not in t.output


def test_no_color_gives_a_plain_bar():
    t = Pty(*LONG, NO_COLOR="1")
    assert t.finish() == 4
    assert BAR.search(t.output) and not SGR.search(t.output)


def test_compare_bar_names_the_run_and_ctrl_c_ends_it():
    t = Pty("compare", "x**2", "--x0", "1", "--tol", "0", "--max-iter", "100000000",
            "--methods", "gd:lr=0.5,gd:lr=1e-9,adam")
    # the bar of the second run: it is iterating; then Ctrl-C
    assert t.read_until(re.compile(rb"gd:lr=1e-9 \(2/3\).*?\d+/100000000"))
    t.proc.send_signal(signal.SIGINT)
    assert t.finish() == 130
    text = t.output.decode(errors="replace")
    tail = text[text.index("minimizing f(x) = x**2"):]
    assert "gd:lr=0.5 ★" in tail and "interrupted" in tail and "not run: adam" in tail
    assert "Traceback" not in text


# --- the helper, as sweep and the other commands use it ---
def test_disabled_is_none_and_costs_nothing():
    with progress_bar(10, "x", False) as bar:
        assert bar is None
    rows = iter([1, 2])
    assert follow(rows, None) is rows  # unchanged: no wrapper at all


def test_not_shown_before_the_delay():
    bar = Bar(100, "x", io.StringIO(), delay=3600)
    for k in range(0, 100, 10):
        bar(k)
    assert bar.progress is None
    bar.close()


def test_follow_passes_the_return_value_and_closes_the_bar():
    def engine():
        yield 1
        yield 2
        return "outcome"

    err = io.StringIO()
    with progress_bar(2, "x", True, err) as bar:
        assert bar is not None
        gen = follow(engine(), bar)
        assert next(gen) == 1 and next(gen) == 2
        with pytest.raises(StopIteration) as done:
            next(gen)
        assert done.value.value == "outcome"
        assert bar.closed


def test_wanted_needs_two_terminals():
    assert not wanted(io.StringIO(), io.StringIO())
    assert not wanted(sys.__stdout__ if sys.__stdout__ else io.StringIO(), io.StringIO())
