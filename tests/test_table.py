"""The minimize table never cuts a number: it fits the width by fewer digits, then by
leaving derived columns out, then by one record per block (issue 7, item 1)."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from typer.testing import CliRunner

from gdcli.cli import app
from gdcli.render.table import (
    MIN_DIGITS,
    Column,
    fit,
    gd_columns,
    hidden_caption,
    make_console,
    num,
    pick,
    print_history,
    print_rows,
    table_width,
)

WORKED = ("minimize", "x**2-4*x+6", "--x0", "8", "--lr", "0.1")
# The rows, not the stopping rules, are under test: these runs take exactly this many
# iterations (the gradient never reaches 1e-30 in them) whatever engine.py decides.
PINNED = ("--tol", "1e-30", "--max-iter")
WORKED_104 = (*WORKED, *PINNED, "104")
THREE = ("minimize", "x**2+2*y**2+3*z**2", "--x0=1,1,1", *PINNED, "99")


def run(*args: str, columns: int | None = None, env: dict[str, str] | None = None):
    """The CLI as a pipe sees it (CliRunner's stdout is not a terminal)."""
    env = {**(env or {}), "COLUMNS": str(columns) if columns else ""}
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


# --- reading a rendered table back ---
def ulp_half(shown: str) -> Decimal:
    """Half a unit in the last place ``shown`` gives: 1.252e-09 -> 5e-13, 10 -> 0.5."""
    return Decimal(5).scaleb(Decimal(shown).as_tuple().exponent - 1)


def matches(shown: str, value: float | None) -> bool:
    if value is None:
        return shown == "—"
    float(shown)  # parses as a float (a cut "2.37142…" would not)
    return abs(Decimal(shown) - Decimal(value)) <= ulp_half(shown)


def read_back(text: str) -> tuple[list[str], list[tuple[str, dict[str, str]]]]:
    """The headers and, per shown record, its k and {header: cell}; tables and blocks."""
    lines = text.splitlines()
    if any(line.startswith("┃") for line in lines):
        head = next(line for line in lines if line.startswith("┃"))
        headers = [c.strip() for c in head.strip("┃").split("┃")]
        records = []
        for line in lines:
            if line.startswith("│"):
                cells = [c.strip() for c in line.strip("│").split("│")]
                assert len(cells) == len(headers), line
                records.append((cells[0], dict(zip(headers[1:], cells[1:], strict=True))))
        return headers[1:], records
    records, headers = [], []
    pending = None  # a name whose value is on the next line
    for line in lines:
        if line.startswith("k = "):
            records.append((line[4:], {}))
        elif line == "⋮":
            records.append(("⋮", {}))
        elif line.startswith("    ") and pending:
            records[-1][1][pending] = line.strip()
            pending = None
        elif line.startswith("  ") and line.endswith(" =") and records:
            pending = line.strip()[:-2]
            headers.append(pending)
        elif line.startswith("  ") and records:
            for item in line[2:].split("   "):
                name, value = item.rsplit(" = ", 1)
                records[-1][1][name] = value
                if name not in headers:
                    headers.append(name)
    return headers, records


# --- the property: random rows, 1-6 variables, widths 40-200 ---
def expected_columns(variables: list[str]) -> dict[str, tuple[callable, bool]]:
    """Header -> (value from a pair of rows, may it be left out?), written out here
    independently of gdcli.render.table."""
    n = len(variables)
    if n == 1:
        v = variables[0]
        return {
            f"{v}_k": (lambda a, b: a[2], False),
            f"f'({v}_k)": (lambda a, b: a[3], False),
            f"lr·f'({v}_k)": (lambda a, b: a[4], True),
            f"{v}_{{k+1}}": (lambda a, b: b[2], True),
            f"f({v}_{{k+1}})": (lambda a, b: b[1], False),
        }
    cols = {v: (lambda a, b, i=i: a[2 + i], False) for i, v in enumerate(variables)}
    cols["f"] = (lambda a, b: a[1], False)
    for i, v in enumerate(variables):
        cols[f"∂f/∂{v}"] = (lambda a, b, i=i: a[2 + n + i], True)
    return cols


VALUES = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),  # tiny, huge, subnormal, -0.0
    st.floats(-10, 10),
    st.floats(-1e-8, 1e-8),
    st.sampled_from([0.0, -0.0, 5e-324, -1.7976931348623157e308, 1e-300, 123456789.0,
                     -0.30000000000000004, 9.9999999, 99999995.0]),
)
NAMES = ["x", "y", "z", "w1", "theta", "b"]


@st.composite
def runs(draw):
    n = draw(st.integers(1, 6))
    variables = sorted(draw(st.permutations(NAMES))[:n])
    count = draw(st.integers(2, 30))
    rows = []
    for k in range(count):
        last = k == count - 1
        f = draw(st.one_of(VALUES, st.none())) if last else draw(VALUES)
        vals = [draw(VALUES) for _ in range(2 * n)]
        rows.append((k, f, *vals, *([None] * n if last else [draw(VALUES) for _ in range(n)])))
    return variables, rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(run_=runs(), width=st.integers(40, 200), precision=st.integers(1, 17),
       every=st.sampled_from([None, None, 1, 2, 3]))
def test_property_no_cut_number(run_, width, precision, every):
    variables, rows = run_
    shown, _ = pick(rows, every)
    buf = io.StringIO()
    print_history(make_console(buf, width), shown, variables, precision)
    text = buf.getvalue()
    for line in text.splitlines():
        assert cell_len(line) <= width, line
    headers, records = read_back(text)
    cols = expected_columns(variables)
    # every record's k is shown, in order, and the gap marks where iterations are left out
    ks = [a[0] for a, _ in shown.pairs]
    assert [k for k, _ in records if k != "⋮"] == [str(k) for k in ks]
    # a column is left out only if derived, and the caption names it
    for h, (_, derived) in cols.items():
        if h not in headers:
            assert derived, h
            caption = " ".join(text.split("└")[-1].split())  # unwrapped
            assert re.search(rf"to fit {width} columns: .*{re.escape(h)}", caption), h
    assert set(headers) <= set(cols)
    digits = re.search(r"(\d+) significant digits", text)
    digits = int(digits.group(1)) if digits else precision
    assert min(precision, MIN_DIGITS) <= digits <= precision
    pairs = iter(shown.pairs)
    for k, cells in records:
        if k == "⋮":
            assert set(cells.values()) <= {"⋮"}
            continue
        a, b = next(pairs)
        for h, cell in cells.items():
            value = cols[h][0](a, b)
            assert matches(cell, value), (h, cell, value)
            if "┃" in text:  # a table: every number at the caption's digits
                assert cell == num(value, digits)
            else:  # blocks: the full --precision
                assert cell == num(value, precision)


@settings(max_examples=60, deadline=None)
@given(
    ks=st.lists(st.integers(0, 10**9), min_size=1, max_size=12, unique=True).map(sorted),
    spec=st.lists(st.tuples(st.text("abcxyz_·∂/'(){}+", min_size=1, max_size=12),
                            st.integers(0, 3)), min_size=1, max_size=9),
    width=st.integers(40, 200), data=st.data(),
)
def test_property_generic_columns(ks, spec, width, data):
    """Any list of (header, values, derived) columns: an `lr` column or others a method adds."""
    columns = [Column(h, data.draw(st.lists(st.one_of(VALUES, st.none()), min_size=len(ks),
                                            max_size=len(ks))), d) for h, d in spec]
    buf = io.StringIO()
    console = make_console(buf, width)
    cost = print_rows(console, ks, columns, None, 7)
    text = buf.getvalue()
    assert all(cell_len(line) <= width for line in text.splitlines())
    fitted = fit(ks, columns, width, 7)
    if fitted is not None:  # the drawn table is exactly as wide as fit() reckoned
        kept, digits = fitted
        assert {cell_len(line) for line in text.splitlines()} == {table_width(ks, kept, digits)}
        assert all(c.derived for c in columns if c not in kept)
        assert (cost is None) == (digits == 7 and len(kept) == len(columns))
    else:
        assert cost == f"to fit {width} columns: one record per block"


def test_a_method_can_add_a_column():
    """An extra derived column (a scheduled lr, say) is shown when it fits, left out first."""
    rows = [(k, 1.0 / (k + 1), 2.0 ** -k, 0.5, 0.01 * 0.9 ** k) for k in range(5)]
    rows[-1] = (*rows[-1][:4], None)

    def with_lr(variables, pairs):
        lrs = [0.1 * 0.9 ** a[0] for a, _ in pairs]
        return [*gd_columns(variables, pairs), Column("lr", lrs, derived=1)]

    shown, _ = pick(rows, None)
    for width, has_lr in ((120, True), (60, False)):
        buf = io.StringIO()
        print_history(make_console(buf, width), shown, ["x"], 7, with_lr)
        headers, _ = read_back(buf.getvalue())
        assert ("lr" in headers) == has_lr and "f(x_{k+1})" in headers
        assert ("lr not shown" in buf.getvalue()) == (not has_lr)


# --- exact output ---
WORKED_80 = """\
gradient descent on f(x) = x**2-4*x+6, f'(x) = 2*x - 4, lr = 0.1
┏━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━┓
┃ k   ┃      x_k ┃      f'(x_k) ┃   lr·f'(x_k) ┃  x_{k+1} ┃ f(x_{k+1}) ┃
┡━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━┩
│ 0   │        8 │           12 │          1.2 │      6.8 │      25.04 │
│ 1   │      6.8 │          9.6 │         0.96 │     5.84 │    16.7456 │
│ 2   │     5.84 │         7.68 │        0.768 │    5.072 │   11.43718 │
│ 3   │    5.072 │        6.144 │       0.6144 │   4.4576 │   8.039798 │
│ 4   │   4.4576 │       4.9152 │      0.49152 │  3.96608 │   5.865471 │
│ 5   │  3.96608 │      3.93216 │     0.393216 │ 3.572864 │   4.473901 │
│ 6   │ 3.572864 │     3.145728 │    0.3145728 │ 3.258291 │   3.583297 │
│ 7   │ 3.258291 │     2.516582 │    0.2516582 │ 3.006633 │    3.01331 │
│ 8   │ 3.006633 │     2.013266 │    0.2013266 │ 2.805306 │   2.648518 │
│ 9   │ 2.805306 │     1.610613 │    0.1610613 │ 2.644245 │   2.415052 │
│ ⋮   │        ⋮ │            ⋮ │            ⋮ │        ⋮ │          ⋮ │
│ 94  │        2 │ 9.324811e-09 │ 9.324811e-10 │        2 │          2 │
│ 95  │        2 │ 7.459849e-09 │ 7.459849e-10 │        2 │          2 │
│ 96  │        2 │ 5.967879e-09 │ 5.967879e-10 │        2 │          2 │
│ 97  │        2 │ 4.774303e-09 │ 4.774303e-10 │        2 │          2 │
│ 98  │        2 │ 3.819443e-09 │ 3.819443e-10 │        2 │          2 │
│ 99  │        2 │ 3.055554e-09 │ 3.055554e-10 │        2 │          2 │
│ 100 │        2 │ 2.444443e-09 │ 2.444443e-10 │        2 │          2 │
│ 101 │        2 │ 1.955554e-09 │ 1.955554e-10 │        2 │          2 │
│ 102 │        2 │ 1.564443e-09 │ 1.564443e-10 │        2 │          2 │
│ 103 │        2 │ 1.251554e-09 │ 1.251554e-10 │        2 │          2 │
└─────┴──────────┴──────────────┴──────────────┴──────────┴────────────┘
84 of 104 iterations not shown (10–93): --every N, or --format csv for all
"""

WORKED_60 = """\
gradient descent on f(x) = x**2-4*x+6, f'(x) = 2*x - 4, lr =
0.1
┏━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━┓
┃ k   ┃      x_k ┃      f'(x_k) ┃  x_{k+1} ┃ f(x_{k+1}) ┃
┡━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━┩
│ 0   │        8 │           12 │      6.8 │      25.04 │
│ 1   │      6.8 │          9.6 │     5.84 │    16.7456 │
│ 2   │     5.84 │         7.68 │    5.072 │   11.43718 │
│ 3   │    5.072 │        6.144 │   4.4576 │   8.039798 │
│ 4   │   4.4576 │       4.9152 │  3.96608 │   5.865471 │
│ 5   │  3.96608 │      3.93216 │ 3.572864 │   4.473901 │
│ 6   │ 3.572864 │     3.145728 │ 3.258291 │   3.583297 │
│ 7   │ 3.258291 │     2.516582 │ 3.006633 │    3.01331 │
│ 8   │ 3.006633 │     2.013266 │ 2.805306 │   2.648518 │
│ 9   │ 2.805306 │     1.610613 │ 2.644245 │   2.415052 │
│ ⋮   │        ⋮ │            ⋮ │        ⋮ │          ⋮ │
│ 94  │        2 │ 9.324811e-09 │        2 │          2 │
│ 95  │        2 │ 7.459849e-09 │        2 │          2 │
│ 96  │        2 │ 5.967879e-09 │        2 │          2 │
│ 97  │        2 │ 4.774303e-09 │        2 │          2 │
│ 98  │        2 │ 3.819443e-09 │        2 │          2 │
│ 99  │        2 │ 3.055554e-09 │        2 │          2 │
│ 100 │        2 │ 2.444443e-09 │        2 │          2 │
│ 101 │        2 │ 1.955554e-09 │        2 │          2 │
│ 102 │        2 │ 1.564443e-09 │        2 │          2 │
│ 103 │        2 │ 1.251554e-09 │        2 │          2 │
└─────┴──────────┴──────────────┴──────────┴────────────┘
84 of 104 iterations not shown (10–93): --every N, or
--format csv for all
to fit 60 columns: lr·f'(x_k) not shown
"""

THREE_80 = """\
gradient descent on f = x**2+2*y**2+3*z**2, ∂f/∂x = 2*x, ∂f/∂y = 4*y, ∂f/∂z =
6*z, lr = 0.1
┏━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┓
┃ k  ┃            x ┃            y ┃            z ┃            f ┃
┡━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━┩
│ 0  │            1 │            1 │            1 │            6 │
│ 1  │          0.8 │          0.6 │          0.4 │         1.84 │
│ 2  │         0.64 │         0.36 │         0.16 │       0.7456 │
│ 3  │        0.512 │        0.216 │        0.064 │     0.367744 │
│ 4  │       0.4096 │       0.1296 │       0.0256 │    0.2033306 │
│ 5  │      0.32768 │      0.07776 │      0.01024 │     0.119782 │
│ 6  │     0.262144 │     0.046656 │     0.004096 │   0.07312337 │
│ 7  │    0.2097152 │    0.0279936 │    0.0016384 │    0.0455558 │
│ 8  │    0.1677722 │   0.01679616 │   0.00065536 │   0.02871301 │
│ 9  │    0.1342177 │    0.0100777 │  0.000262144 │   0.01821772 │
│ ⋮  │            ⋮ │            ⋮ │            ⋮ │            ⋮ │
│ 89 │ 2.371422e-09 │ 1.800783e-20 │ 3.831239e-36 │ 5.623642e-18 │
│ 90 │ 1.897138e-09 │  1.08047e-20 │ 1.532496e-36 │ 3.599131e-18 │
│ 91 │  1.51771e-09 │ 6.482817e-21 │ 6.129982e-37 │ 2.303444e-18 │
│ 92 │ 1.214168e-09 │  3.88969e-21 │ 2.451993e-37 │ 1.474204e-18 │
│ 93 │ 9.713344e-10 │ 2.333814e-21 │ 9.807971e-38 │ 9.434906e-19 │
│ 94 │ 7.770676e-10 │ 1.400289e-21 │ 3.923189e-38 │  6.03834e-19 │
│ 95 │  6.21654e-10 │ 8.401731e-22 │ 1.569275e-38 │ 3.864538e-19 │
│ 96 │ 4.973232e-10 │ 5.041039e-22 │ 6.277102e-39 │ 2.473304e-19 │
│ 97 │ 3.978586e-10 │ 3.024623e-22 │ 2.510841e-39 │ 1.582915e-19 │
│ 98 │ 3.182869e-10 │ 1.814774e-22 │ 1.004336e-39 │ 1.013065e-19 │
└────┴──────────────┴──────────────┴──────────────┴──────────────┘
79 of 99 iterations not shown (10–88): --every N, or --format csv for all
to fit 80 columns: ∂f/∂x, ∂f/∂y, ∂f/∂z not shown
"""


@pytest.mark.parametrize(("args", "columns", "expected"),
                         [(WORKED_104, 80, WORKED_80), (WORKED_104, 60, WORKED_60),
                          (THREE, 80, THREE_80)],
                         ids=["worked-80", "worked-60", "three-80"])
def test_exact_table(args, columns, expected):
    """Title, table and caption exactly; the summary under them is summary.py's."""
    r = run(*args, columns=columns)
    want = expected.splitlines()
    got = r.stdout.splitlines()
    assert got[: len(want)] == want
    assert len(got) > len(want)  # the summary follows


def test_exact_table_is_the_worked_example():
    """The pinned run's rows are the worked example's: it converges after 104 or fewer
    iterations, and its rows agree with the pinned run's up to there."""
    full = run(*WORKED, "--format", "csv").stdout.splitlines()
    pinned = run(*WORKED_104, "--format", "csv").stdout.splitlines()
    assert len(full) <= len(pinned) == 1 + 105
    assert pinned[: len(full)] == full


def test_a_pipe_without_columns_gets_80():
    assert run(*WORKED_104).stdout == run(*WORKED_104, columns=80).stdout


def test_every_iteration_k_is_shown_at_a_narrow_width():
    """Once `k` came out as `…` at 60 columns; at 40 the rows become blocks."""
    for columns in (40, 45, 60):
        out = run(*WORKED_104, columns=columns).stdout
        ks = re.findall(r"^(?:│ |k = )(\d+)", out, re.M)
        assert ks == [str(k) for k in [*range(10), *range(94, 104)]]
        assert "…" not in out
        assert max(map(cell_len, out.split("iterations not shown")[0].splitlines())) <= columns


def test_blocks_at_40_columns_for_three_variables():
    out = run(*THREE, columns=40).stdout
    assert "k = 89\n  x = 2.371422e-09   y = 1.800783e-20\n" in out
    assert "to fit 40 columns: one record per block" in out


def test_fewer_digits_before_dropping_columns():
    """At 70 columns the worked example keeps every column at fewer digits."""
    out = run(*WORKED_104, columns=70).stdout
    assert "lr·f'(x_k)" in out and "x_{k+1}" in out
    digits = int(re.search(r"to fit 70 columns: (\d) significant digits", out).group(1))
    assert MIN_DIGITS <= digits < 7
    assert f"{12.0:.{digits}g}" in out and f"{9.324811e-09:.{digits}g}" in out


def test_the_converged_zero_is_not_cut():
    """At 80 columns x ≈ 2.37e-09 at a converged zero was shown as `2.37142…`."""
    out = run(*THREE, columns=80).stdout
    assert "2.371422e-09" in out and "…" not in out


def test_no_trailing_spaces_in_a_pipe():
    for args, columns in [(WORKED, 60), (WORKED, 80), (THREE, 80), (THREE, 40),
                          ((*WORKED, "--explain"), 50), ((*WORKED_104, "--every", "10"), 80)]:
        out = run(*args, columns=columns).stdout
        assert not [line for line in out.splitlines() if line != line.rstrip()], (args, columns)


def test_title_wraps_to_the_width_not_the_table():
    """A long title over a narrow table: one line at 200 columns, wrapped at 60."""
    expr = "(x - 1)**2 + 0*(" + " + ".join(f"{i}" for i in range(20)) + ")"
    wide = run("minimize", expr, "--x0", "3", columns=200).stdout.splitlines()
    assert wide[0].startswith("gradient descent on f(x) = ") and wide[0].endswith("lr = 0.1")
    assert wide[1].startswith("┏") and len(wide[0]) > len(wide[1])
    narrow = run("minimize", expr, "--x0", "3", columns=60).stdout
    title = narrow[: narrow.index("┏")].splitlines()
    assert len(title) > 1 and all(cell_len(line) <= 60 for line in title)
    assert " ".join(title) == wide[0]


def test_header_reads_x_k_plus_1():
    out = run(*WORKED).stdout
    assert "x_{k+1}" in out and "f(x_{k+1})" in out and "x_k+1" not in out


# --- the caption counts iterations ---
def test_caption_counts_iterations_with_every():
    out = run(*WORKED_104, "--every", "10", columns=80).stdout
    ks = re.findall(r"^│ (\d+)", out, re.M)
    assert ks == [*map(str, range(0, 101, 10)), "103"]
    assert "92 of 104 iterations not shown (every 10th shown): --format csv for all" in out


def test_caption_counts_iterations_with_every_and_a_gap():
    args = ("minimize", "x**2", "--x0", "1", "--lr", "1e-4", "--max-iter", "20000")
    out = run(*args, "--every", "10", columns=80).stdout
    ks = [int(k) for k in re.findall(r"^│ (\d+)", out, re.M)]
    assert ks == [*range(0, 1000, 10), *range(19000, 20000, 10), 19999]
    assert ("19799 of 20000 iterations not shown (every 10th shown, none of 991–18999): "
            "a larger --every, or --format csv for all") in out.replace("\n", " ")
    csv = run(*args, "--format", "csv").stdout.splitlines()
    assert len(csv) == 1 + 20000 + 1  # header, x_0 … x_20000: 20000 iterations


def test_hidden_caption_units():
    def shown(n, every=None):
        rows = [(k, 0.0, 0.0, 0.0, 0.0) for k in range(n + 1)]
        return pick(rows, every)[0]

    assert hidden_caption(shown(20)) is None
    assert hidden_caption(shown(21)) == ("1 of 21 iterations not shown (10): --every N, "
                                         "or --format csv for all")
    assert hidden_caption(shown(450, every=1)) == (
        "250 of 450 iterations not shown (100–349): a larger --every, or --format csv for all")
    assert hidden_caption(shown(30, every=2)).startswith(
        "14 of 30 iterations not shown (every 2nd shown)")  # 0, 2, …, 28 and the last, 29
    assert hidden_caption(shown(30, every=3)).startswith("19 of 30 iterations not shown (every 3rd")
    assert "every 11th" in hidden_caption(shown(30, every=11))
    assert "every 21st" in hidden_caption(shown(30, every=21))


# --- colour ---
def test_a_pipe_gets_no_ansi():
    env = {**os.environ, "COLUMNS": "80"}
    env.pop("NO_COLOR", None)
    env.pop("FORCE_COLOR", None)
    r = subprocess.run([sys.executable, "-m", "gdcli", *WORKED], capture_output=True, env=env)
    assert r.returncode == 0 and b"\x1b" not in r.stdout and b"x_{k+1}" in r.stdout


def _on_a_terminal(no_color: bool) -> bytes:
    env = {**os.environ, "COLUMNS": "80", "TERM": "xterm-256color"}
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        env.pop(name, None)
    if no_color:
        env["NO_COLOR"] = "1"
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "gdcli", *WORKED], stdout=slave,
                            stderr=slave, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=60) == 0
    return b"".join(chunks)


def test_no_color_on_a_terminal_gets_no_ansi():
    assert b"\x1b[" in _on_a_terminal(no_color=False)  # the header is bold on a terminal
    out = _on_a_terminal(no_color=True)
    assert b"\x1b" not in out and b"x_{k+1}" in out
