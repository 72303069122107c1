"""CSV benchmark: 1e6 rows of ``gdcli minimize --format csv`` against plain printing loops,
then the peak memory of ``--quiet`` and ``--format csv`` runs of growing length.

Run from the repository root, with the project installed in the active environment::

    python bench/csv_rows.py                 # 1 warm-up round, 5 timed rounds, memory table
    python bench/csv_rows.py --runs 9        # more rounds
    python bench/csv_rows.py --rows 100000   # shorter runs (default 10**6 rows)
    python bench/csv_rows.py --no-memory     # timing only

The problem is ``x**2-4*x+6`` from x0 = 8 with ``--lr 1e-9`` (too small to converge), so
``--max-iter ROWS-1`` writes exactly ROWS rows (iterations 0 .. ROWS-1) and exits 4.

What is timed (each as a whole process, stdout to /dev/null, stderr captured,
``NO_COLOR=1``):

* ``python -c pass``       the bare interpreter, for scale (nothing is subtracted);
* ``print loop``           ``python -c`` running the same GD update and ``print``-ing each
                           row: the reference;
* ``write loop``           the same with ``sys.stdout.write``: a second, tighter reference;
* ``gdcli ... --format csv`` the console script next to ``sys.executable`` (else
                           ``python -m gdcli``).

Both loops print the header ``iter,x,f,grad_x`` and rows ``k,x,f,g`` in the shortest
round-trip form (``repr``) with a zero fraction dropped (``.replace('.0,', ',')`` on the
row with a trailing comma, as gdcli does), so their output is gdcli's byte for byte. This
is checked twice: first on a 1000-step run (compared in full; the first differing line is
shown if any), then in the warm-up round at full size (sizes and SHA-256 of the three
outputs, written to a temporary directory). The warm-up round also checks exit status: 0
for the loops, 4 (iteration limit) for gdcli.

The commands are interleaved: every round runs each command once, in a freshly shuffled
order, so background load drifts affect all of them alike. The table gives median, min
and max in seconds, and the ratio of each median to the print loop's median (``x print``)
and to the write loop's (``x write``). The verdict compares gdcli with the goal of at most
2x the print loop.

Memory: the peak resident set size of single runs, from GNU ``time -f %M`` if installed,
else from the ``rusage`` that ``os.wait4`` returns in a minimal fork/exec launcher
(``python -I -S``). Neither reads it from this script's own children: on Linux a child's
peak RSS starts at its parent's RSS at fork time, and ``RUSAGE_CHILDREN`` keeps the maximum
over every child waited for, so a delta can hide a smaller run. ``true`` shows the floor of
the method. Runs: ``python -c pass``; ``--quiet`` with 1e5, 1e6 and 1e7 iterations;
``--format csv`` to /dev/null with 1e5 and 1e6. A quiet run keeps no history and csv
streams its rows, so each kind must stay flat: peak RSS growing by at most 2 MiB from its
smallest to its largest run (a kept history of 1e7 floats would take 80 MB for the
pointers alone).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import child_env, format_table, in_function, package_version, percentile
from benchlib import gdcli_command as find_gdcli

WARMUP_ROUNDS = 1
DEFAULT_ROWS = 10**6
CHECK_STEPS = 1000
EXPR = "x**2-4*x+6"
GOAL = 2.0  # gdcli's median at most this many times the print loop's
FLAT_MIB = 2.0  # allowed peak-RSS growth from the smallest to the largest run of a kind
QUIET_SIZES = (10**5, 10**6, 10**7)
CSV_SIZES = (10**5, 10**6)


PRINT_LOOP = (
    "x = 8.0; lr = 1e-9\n"
    "print('iter,x,f,grad_x')\n"
    "for k in range({rows}):\n"
    "    g = 2*x - 4\n"
    "    f = x**2 - 4*x + 6\n"
    "    print(f'{{k}},{{x!r}},{{f!r}},{{g!r}},'.replace('.0,', ',')[:-1])\n"
    "    x = x - lr*g\n"
)

WRITE_LOOP = (
    "import sys\n"
    "w = sys.stdout.write\n"
    "x = 8.0; lr = 1e-9\n"
    "w('iter,x,f,grad_x\\n')\n"
    "for k in range({rows}):\n"
    "    g = 2*x - 4\n"
    "    f = x**2 - 4*x + 6\n"
    "    w(f'{{k}},{{x!r}},{{f!r}},{{g!r}},'.replace('.0,', ',')[:-1] + '\\n')\n"
    "    x = x - lr*g\n"
)


@dataclass
class Command:
    label: str
    kind: str  # "floor", "print", "write", "gdcli"
    argv: list[str]
    expect_exit: int = 0
    samples_ns: list[int] = field(default_factory=list)
    failures: int = 0


def gdcli_argv(gdcli: list[str], max_iter: int, fmt: str | None) -> list[str]:
    argv = [*gdcli, "minimize", EXPR, "--x0", "8", "--lr", "1e-9", "--max-iter", str(max_iter)]
    return [*argv, "--format", fmt] if fmt else [*argv, "--quiet"]


def build_commands(gdcli: list[str], rows: int) -> list[Command]:
    py = sys.executable
    name = "gdcli" if gdcli[0] != py else "python -m gdcli"
    return [
        Command("python -c pass", "floor", [py, "-c", "pass"]),
        Command("print loop", "print", [py, "-c", in_function(PRINT_LOOP.format(rows=rows))]),
        Command("write loop", "write", [py, "-c", in_function(WRITE_LOOP.format(rows=rows))]),
        Command(
            f"{name} minimize --format csv",
            "gdcli",
            gdcli_argv(gdcli, rows - 1, "csv"),
            expect_exit=4,
        ),
    ]


def run_once(argv: list[str], env: dict[str, str], stdout=subprocess.DEVNULL):  # noqa: ANN001
    """Run a whole process; return (elapsed ns, CompletedProcess with stderr as text)."""
    start = time.perf_counter_ns()
    proc = subprocess.run(
        argv, stdout=stdout, stderr=subprocess.PIPE, text=True, env=env, check=False
    )
    return time.perf_counter_ns() - start, proc


def exit_problem(cmd: Command, proc: subprocess.CompletedProcess) -> str | None:
    if proc.returncode == cmd.expect_exit:
        return None
    err = proc.stderr.strip().splitlines()
    tail = err[-1] if err else "(no stderr)"
    return f"{cmd.label}: exit status {proc.returncode}, expected {cmd.expect_exit}: {tail}"


def small_check(gdcli: list[str], env: dict[str, str], problems: list[str]) -> list[str]:
    """Compare gdcli's csv with the print loop's on a CHECK_STEPS-step run, in full."""
    py = sys.executable
    ref = subprocess.run(
        [py, "-c", in_function(PRINT_LOOP.format(rows=CHECK_STEPS + 1))],
        capture_output=True,
        env=env,
        check=False,
    )
    ours = subprocess.run(
        gdcli_argv(gdcli, CHECK_STEPS, "csv"), capture_output=True, env=env, check=False
    )
    head = f"check, {CHECK_STEPS} steps ({CHECK_STEPS + 1} rows):"
    if ref.returncode != 0 or ours.returncode != 4:
        problems.append(
            f"{CHECK_STEPS}-step check: exit status {ours.returncode} for gdcli "
            f"(expected 4), {ref.returncode} for the print loop (expected 0)"
        )
        return [f"{head} not compared (exit status)"]
    if ours.stdout == ref.stdout:
        return [f"{head} gdcli csv and print loop byte-identical ({len(ours.stdout)} bytes)"]
    a, b = ours.stdout.decode().splitlines(), ref.stdout.decode().splitlines()
    pairs = enumerate(zip(a, b, strict=False))
    at = next((i for i, (x, y) in pairs if x != y), min(len(a), len(b)))
    problems.append(f"{CHECK_STEPS}-step check: outputs differ")
    return [
        f"{head} outputs DIFFER ({len(ours.stdout)} vs {len(ref.stdout)} bytes, "
        f"{len(a)} vs {len(b)} lines); first difference at line {at + 1}:",
        f"  gdcli:      {a[at] if at < len(a) else '(end of output)'}",
        f"  print loop: {b[at] if at < len(b) else '(end of output)'}",
    ]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def benchmark(cmds: list[Command], runs: int, seed: int | None, problems: list[str]) -> list[str]:
    """Warm up (outputs to files, compared), then time ``runs`` interleaved rounds.

    Returns the lines describing the full-size comparison."""
    env = child_env()
    rng = random.Random(seed)
    active = list(cmds)
    digests: dict[str, tuple[int, str]] = {}
    with tempfile.TemporaryDirectory(prefix="gdcli-csv-") as tmp:
        for rnd in range(WARMUP_ROUNDS + runs):
            order = list(active)
            rng.shuffle(order)
            for cmd in order:
                if rnd == 0:
                    path = Path(tmp) / f"{cmd.kind}.csv"
                    with path.open("wb") as out:
                        _, proc = run_once(cmd.argv, env, stdout=out)
                    problem = exit_problem(cmd, proc)
                    if problem:
                        problems.append(problem)
                        active.remove(cmd)
                    elif cmd.kind != "floor":
                        digests[cmd.label] = (path.stat().st_size, sha256(path))
                    path.unlink()
                    continue
                elapsed, proc = run_once(cmd.argv, env)
                if proc.returncode != cmd.expect_exit:
                    cmd.failures += 1
                elif rnd >= WARMUP_ROUNDS:
                    cmd.samples_ns.append(elapsed)
            if rnd == 0 and not active:
                break
    for cmd in cmds:
        if cmd.failures:
            problems.append(
                f"{cmd.label}: {cmd.failures} later run(s) exited other than {cmd.expect_exit}"
            )
    lines = ["check, full size (warm-up round):"]
    ref = next((digests[c.label] for c in cmds if c.kind == "print" and c.label in digests), None)
    for label, (size, digest) in digests.items():
        same = (
            ""
            if ref is None
            else (
                "  same as print loop" if (size, digest) == ref else "  DIFFERENT from print loop"
            )
        )
        if ref is not None and (size, digest) != ref:
            problems.append(f"full-size check: {label} output differs from the print loop's")
        lines.append(f"  {label:<30} {size:>10} bytes  sha256 {digest[:16]}{same}")
    return lines


def summarize(samples_ns: list[int]) -> dict[str, float]:
    s = sorted(v / 1e9 for v in samples_ns)
    return {"median": percentile(s, 50), "min": s[0], "max": s[-1]}


def report(cmds: list[Command]) -> list[str]:
    stats = {c.kind: summarize(c.samples_ns) for c in cmds if c.samples_ns}
    header = ["command", "median s", "min", "max", "x print", "x write"]
    rows = []
    for cmd in cmds:
        s = stats.get(cmd.kind)
        if s is None:
            continue
        row = [cmd.label, f"{s['median']:.3f}", f"{s['min']:.3f}", f"{s['max']:.3f}"]
        for kind in ("print", "write"):
            base = stats.get(kind)
            row.append(f"{s['median'] / base['median']:.2f}" if base else "-")
        rows.append(row)
    lines = [format_table(header, rows)]
    gd, ref, write = stats.get("gdcli"), stats.get("print"), stats.get("write")
    if gd is None or ref is None:
        lines.append("verdict: no gdcli or print-loop timing, nothing to compare")
    else:
        ratio = gd["median"] / ref["median"]
        vs_write = f" ({gd['median'] / write['median']:.2f}x write loop)" if write else ""
        lines.append(
            f"verdict: gdcli {gd['median']:.3f} s = {ratio:.2f}x print loop{vs_write}; "
            f"goal <= {GOAL:g}x print loop: {'met' if ratio <= GOAL else 'NOT met'}"
        )
    return lines


# --- memory ---
#: Fallback when GNU time is missing: fork, exec, wait4 in a minimal interpreter, so the
#: child's peak RSS is not floored by this (larger) process's RSS at fork time.
LAUNCHER = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    try:\n"
    "        null = os.open(os.devnull, os.O_WRONLY)\n"
    "        os.dup2(null, 1); os.dup2(null, 2)\n"
    "        os.execv(sys.argv[1], sys.argv[1:])\n"
    "    finally:\n"
    "        os._exit(127)\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n"
)


def gnu_time() -> str | None:
    path = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").is_file() else None)
    if path is None:
        return None
    try:
        proc = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if "GNU" in proc.stdout + proc.stderr else None


def peak_rss_kib(argv: list[str], env: dict[str, str], timer: str | None) -> tuple[int, int]:
    """Run ``argv`` with output to /dev/null; return (exit status, its peak RSS in KiB)."""
    if timer is not None:
        with tempfile.TemporaryDirectory(prefix="gdcli-rss-") as tmp:
            out = Path(tmp) / "time.txt"
            subprocess.run(
                [timer, "-f", "%x %M", "-o", str(out), *argv],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            last = out.read_text().strip().splitlines()[-1]  # after any "Command exited…"
    else:
        proc = subprocess.run(
            [sys.executable, "-I", "-S", "-c", LAUNCHER, *argv],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        last = proc.stdout.strip()
    status, rss = (int(v) for v in last.split())
    return status, rss // 1024 if sys.platform == "darwin" else rss  # bytes on macOS


def memory(gdcli: list[str], problems: list[str]) -> list[str]:
    env = child_env()
    timer = gnu_time()
    runs: list[tuple[str, str, int | None, list[str], int]] = []
    true = shutil.which("true")
    if true:
        runs.append(("floor", "true (floor of the method)", None, [true], 0))
    runs.append(("floor", "python -c pass", None, [sys.executable, "-c", "pass"], 0))
    runs += [("quiet", "gdcli --quiet", n, gdcli_argv(gdcli, n, None), 4) for n in QUIET_SIZES]
    runs += [
        ("csv", "gdcli --format csv > /dev/null", n, gdcli_argv(gdcli, n, "csv"), 4)
        for n in CSV_SIZES
    ]
    results: dict[str, list[float]] = {}
    rows = []
    for kind, label, n, argv, want in runs:
        status, kib = peak_rss_kib(argv, env, timer)
        if status != want:
            problems.append(f"memory run {label} {n}: exit status {status}, expected {want}")
            continue
        mib = kib / 1024
        seen = results.setdefault(kind, [])
        delta = "-" if kind == "floor" or not seen else f"{mib - seen[0]:+.1f}"
        seen.append(mib)
        rows.append([label, "-" if n is None else f"{n:.0e}", f"{mib:.1f}", delta])
    header = ["run", "iterations", "peak RSS MiB", "vs smallest"]
    how = (
        f"GNU time -f %M ({timer})"
        if timer
        else "rusage from os.wait4 in a fork/exec launcher (GNU time not found)"
    )
    lines = [f"peak RSS per run, one run each: {how}", format_table(header, rows)]
    for kind, name in (("quiet", "--quiet"), ("csv", "--format csv")):
        vals = results.get(kind, [])
        if len(vals) < 2:
            lines.append(f"memory {name}: not enough runs to judge")
            continue
        growth = max(vals) - vals[0]
        flat = growth <= FLAT_MIB
        lines.append(
            f"memory {name}: grows {growth:+.1f} MiB from the smallest to the largest "
            f"run (flat means <= {FLAT_MIB:g} MiB): {'flat' if flat else 'NOT flat'}"
        )
        if not flat:
            problems.append(f"memory {name}: peak RSS grows {growth:.1f} MiB with run length")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument(
        "--rows",
        type=int,
        default=DEFAULT_ROWS,
        help=f"CSV rows per timed run (default {DEFAULT_ROWS})",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for the round shuffles")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-RSS table")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.rows < 2:
        parser.error("--rows must be at least 2")

    gdcli = find_gdcli()
    cmds = build_commands(gdcli, args.rows)
    print(f"python {platform.python_version()} at {sys.executable}")
    print(f"gdcli {package_version('gdcli')}")
    print(
        f"{args.rows} csv rows per run ({EXPR}, x0 8, lr 1e-9, --max-iter {args.rows - 1}); "
        f"{WARMUP_ROUNDS} warm-up round + {args.runs} timed rounds, interleaved, shuffled; "
        f"{os.cpu_count()} CPUs"
    )
    if gdcli[0] == sys.executable:
        print("note: gdcli console script not found: timing 'python -m gdcli' instead")
    print()

    problems: list[str] = []
    check_lines = small_check(gdcli, child_env(), problems)
    full_lines = benchmark(cmds, args.runs, args.seed, problems)
    for line in report(cmds):
        print(line)
    print()
    for line in [*check_lines, *full_lines]:
        print(line)
    if not args.no_memory:
        print()
        for line in memory(gdcli, problems):
            print(line)
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
