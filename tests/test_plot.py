"""gdcli plot and --plot as users run them: terminal pictures drawn from the engine's rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gdcli.render.figure import PathRecorder
from tests.conftest import run_gdcli

WORKED = ("plot", "x**2-4*x+6", "--x0", "8", "--lr", "0.1")
GOLDEN = Path(__file__).parent / "data" / "plot_worked_example.txt"
ANSI = re.compile("\x1b\\[")
SAMPLES = Path(__file__).parent.parent / "sample_configs"


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")


def test_worked_example_exact(cli):
    """The picture itself, at 80 columns: a change to it is seen here (regenerate with
    GDCLI_REGOLD=1 after looking at it)."""
    r = cli(*WORKED)
    assert r.exit_code == 0, r.output
    import os

    if os.environ.get("GDCLI_REGOLD"):
        GOLDEN.write_text(r.stdout, encoding="utf-8")
    assert r.stdout == GOLDEN.read_text(encoding="utf-8")


def test_worked_example_labels_the_iterates(cli):
    out = cli(*WORKED).stdout
    assert "iterates: x0 = 8, x1 = 6.8, x2 = 5.84, x3 = 5.072" in out
    for k in range(6):  # the first iterates are numbered on the curve
        assert re.search(rf"o{k}\b", out), k
    assert "converged in 94 iterations" in out.splitlines()[-1]
    assert all(len(line) <= 80 for line in out.splitlines()[:27])


def test_width_follows_columns(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    wide = cli(*WORKED).stdout.splitlines()
    axis = next(line for line in wide if line.startswith("-----------|"))
    assert 110 <= len(axis) <= 120
    monkeypatch.setenv("COLUMNS", "60")
    narrow = cli(*WORKED).stdout.splitlines()
    axis = next(line for line in narrow if line.startswith("-----------|"))
    assert len(axis) <= 60


def test_no_ansi_in_a_pipe():
    r = run_gdcli(*WORKED)
    assert r.returncode == 0
    assert not ANSI.search(r.stdout.decode())


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    from gdcli.render.terminal_plot import colour_for

    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR")
    assert colour_for(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_for(Tty())


def test_without_a_start_the_range_is_minus_10_to_10(cli):
    r = cli("plot", "sin(x)")
    assert r.exit_code == 0
    assert "| -10 " in r.stdout and "f(x) = sin(x)" in r.stdout
    assert "iterates" not in r.stdout


def test_two_variables_contours_and_path(cli):
    r = cli("plot", "x**2 + 3*y**2", "--x0", "4,2", "--lr", "0.1")
    assert r.exit_code == 0, r.output
    assert "contour lines of f at" in r.stdout
    assert "o gd, lr 0.1" in r.stdout
    assert "converged" in r.stdout.splitlines()[-1]
    r = cli("plot", "x**2 + 3*y**2", "--range", "x=-3:3", "--range", "y=-1:1")
    assert r.exit_code == 0 and "| -3 " in r.stdout


def test_plot_exits_0_when_the_path_diverges(cli):
    r = cli("plot", "x**2-4*x+6", "--x0", "8", "--lr", "1.5")
    assert r.exit_code == 0
    assert "diverged" in r.stdout.splitlines()[-1]


@pytest.mark.parametrize("args, words", [
    (("--range", "5"), "--range takes A:B"),
    (("--range", "3:1"), "B must be greater than A"),
    (("--range", "a:1"), "is not a number"),
    (("--range", "z=1:2"), "--range names z"),
    (("--output", "pic.gif"), "FILE.png or FILE.svg"),
    (("--output", "/no/such/folder/p.png"), "no folder"),
    (("--lr", "0.5"), "give its start with --x0"),
])
def test_bad_input_exit_2(cli, args, words):
    r = cli("plot", "x**2", *args)
    assert r.exit_code == 2
    assert words in r.stderr


def test_bad_range_points_at_it(cli):
    r = cli("plot", "x**2", "--range", "-1:foo")
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert lines[1].strip() == "-1:foo" and lines[2].strip() == "^^^"


def test_three_variables_exit_2(cli):
    r = cli("plot", "x*y*z")
    assert r.exit_code == 2 and "hold the others fixed with --at" in r.stderr
    assert cli("plot", "x*y*z", "--at", "z=1").exit_code == 0


def test_minimize_plot_after_the_table(cli):
    r = cli("minimize", "x**2-4*x+6", "--x0", "8", "--plot")
    assert r.exit_code == 0
    table_end = r.stdout.index("converged in 94")
    assert r.stdout.index("f(x) = x**2-4*x+6 — gd, lr 0.1\n") > table_end


def test_minimize_plot_goes_to_stderr_with_csv(cli):
    r = cli("minimize", "x**2-4*x+6", "--x0", "8", "--plot", "--format", "csv")
    assert r.exit_code == 0
    assert r.stdout.startswith("iter,x,f,grad_x\n") and "⠀" not in r.stdout
    assert "f(x) = x**2-4*x+6" in r.stderr and "o gd, lr 0.1" in r.stderr


def test_compare_plot_has_a_marker_per_method(cli):
    r = cli("compare", "(1-x)**2+100*(y-x**2)**2", "--x0", "-1.5,2", "--methods",
            "gd:lr=0.001,adam:lr=0.05,newton", "--max-iter", "500", "--plot")
    assert r.exit_code == 0, r.output
    for line in ("o gd:lr=0.001", "x adam:lr=0.05", "+ newton"):
        assert line in r.stdout


def test_sweep_plot(cli):
    r = cli("sweep", "x**2-4*x+6", "--x0", "8", "--lr", "0.01:1.2:40", "--plot")
    assert r.exit_code == 0
    out = r.stdout
    assert "sweep of gd on f = x**2-4*x+6" in out
    assert "oscillates →" in out and "diverges" in out
    assert "theory limit 2/f'' = 1" in out
    r = cli("sweep", "x**2", "--x0", "1", "--lr", "0.001:1.5:30", "--log", "--plot")
    assert r.exit_code == 0
    ticks = next(line for line in r.stdout.splitlines() if line.startswith("           | "))
    values = [float(t) for t in ticks.split("|")[1].split()]
    ratios = [b / a for a, b in zip(values, values[1:])]
    assert 0.0008 < values[0] < 0.001 and max(ratios) / min(ratios) < 1.01  # a log axis


def test_neuron_plot_loss_and_boundary(cli):
    r = cli("neuron", str(SAMPLES / "and.csv"), "--target", "y", "--lr", "1", "--epochs",
            "50", "--plot")
    assert r.exit_code == 0, r.output
    assert "mse loss per epoch (gd)" in r.stdout
    assert "decision boundary" in r.stdout and "o class 0" in r.stdout


def test_path_recorder_is_bounded_and_keeps_the_ends():
    rec = PathRecorder(1, limit=100)
    for k in range(100_001):
        rec.add((k, float(k), float(k)))
    path = rec.path()
    assert len(path) <= 101
    assert path[0][0] == 0 and path[-1][0] == 100_000
    steps = {b[0] - a[0] for a, b in zip(path[:-2], path[1:-1])}
    assert len(steps) == 1  # evenly thinned
    assert "every 1024th of 100,001" in rec.thinned()


def test_plot_imports_nothing_at_derive_startup():
    import subprocess
    import sys

    code = ("import sys; from gdcli.cli import app; "
            "print(any(m.split('.')[0] in ('plotille', 'contourpy', 'matplotlib') "
            "for m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "False"
