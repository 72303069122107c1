"""Start-up benchmark: wall-clock time of whole ``gdcli derive`` commands.

Run from the repository root, with the project installed in the active environment::

    python bench/startup.py              # 30 timed rounds
    python bench/startup.py --runs 100   # more rounds, tighter percentiles
    python bench/startup.py --importtime # also list the slowest imports of gdcli.cli

What is timed (each as a whole process, stdout/stderr captured, ``NO_COLOR=1``):

* ``python -c pass``                  the bare interpreter: the floor for any Python CLI
* ``python -c "import typer"``        what the CLI framework alone costs
* ``gdcli derive "tan(x)"``           the console script next to ``sys.executable``
* ``python -m gdcli derive "tan(x)"`` the same through ``-m``
* ``qalc -t "diff(tan(x), x)"``       libqalculate's CLI, a native reference (if installed)

The commands are interleaved: every round runs each command once, in a freshly shuffled
order, so background load drifts affect all of them alike. Three warm-up rounds (not
timed) come first; the first run of each command is checked for exit status 0 and for
the expected output (``sec(x)**2`` for gdcli).

The table shows median, p10, p90 and min in milliseconds, and the ratio of each median
to the ``python -c pass`` median and to the ``qalc`` median. The last line says whether
gdcli's median is at most qalc's.
"""

from __future__ import annotations

import argparse
import platform
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field

from benchlib import child_env, format_table, package_version, percentile
from benchlib import console_script as find_gdcli

WARMUP_ROUNDS = 3
EXPR = "tan(x)"
GDCLI_EXPECTED = "sec(x)**2"


@dataclass
class Command:
    label: str
    argv: list[str]
    expect: str | None = None  # substring required in stdout of the first run
    samples_ns: list[int] = field(default_factory=list)
    failures: int = 0


def build_commands(notes: list[str]) -> list[Command]:
    py = sys.executable
    cmds = [
        Command("python -c pass", [py, "-c", "pass"]),
        Command('python -c "import typer"', [py, "-c", "import typer"]),
    ]
    gdcli = find_gdcli()
    if gdcli is None:
        notes.append("gdcli console script not found next to sys.executable nor on PATH: skipped")
    else:
        cmds.append(Command(f'gdcli derive "{EXPR}"', [gdcli, "derive", EXPR], GDCLI_EXPECTED))
    cmds.append(
        Command(
            f'python -m gdcli derive "{EXPR}"',
            [py, "-m", "gdcli", "derive", EXPR],
            GDCLI_EXPECTED,
        )
    )
    qalc = shutil.which("qalc")
    if qalc is None:
        notes.append("qalc not found on PATH: skipped (Debian: apt-get install qalc)")
    else:
        cmds.append(Command('qalc -t "diff(tan(x), x)"', [qalc, "-t", "diff(tan(x), x)"], ""))
    return cmds


def run_once(argv: list[str], env: dict[str, str]) -> tuple[int, subprocess.CompletedProcess]:
    start = time.perf_counter_ns()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    return time.perf_counter_ns() - start, proc


def verify(cmd: Command, proc: subprocess.CompletedProcess, problems: list[str]) -> bool:
    """Check the first run of a command; record a problem and return False if it failed."""
    out = proc.stdout.strip()
    if proc.returncode != 0:
        err = proc.stderr.strip().splitlines()
        tail = err[-1] if err else "(no stderr)"
        problems.append(f"{cmd.label}: exit status {proc.returncode}: {tail}")
        return False
    if cmd.expect is not None and cmd.expect not in out:
        shown = out if out else "(empty stdout)"
        want = repr(cmd.expect) if cmd.expect else "some output"
        problems.append(f"{cmd.label}: expected {want}, got {shown!r}")
        return False
    return True


def summarize(samples_ns: list[int]) -> dict[str, float]:
    ms = sorted(s / 1e6 for s in samples_ns)
    return {
        "median": percentile(ms, 50),
        "p10": percentile(ms, 10),
        "p90": percentile(ms, 90),
        "min": ms[0],
    }


def tool_version(argv: list[str]) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (proc.stdout or proc.stderr).strip()
    return text.splitlines()[0] if text else "?"


def benchmark(cmds: list[Command], runs: int, seed: int | None) -> list[str]:
    """Warm up, verify, then time ``runs`` interleaved rounds. Returns the problems found."""
    env = child_env()
    rng = random.Random(seed)
    problems: list[str] = []
    active = list(cmds)
    for rnd in range(WARMUP_ROUNDS + runs):
        order = list(active)
        rng.shuffle(order)
        for cmd in order:
            elapsed, proc = run_once(cmd.argv, env)
            if rnd == 0:
                if not verify(cmd, proc, problems):
                    active.remove(cmd)
                continue
            if proc.returncode != 0:
                cmd.failures += 1
                continue
            if rnd >= WARMUP_ROUNDS:
                cmd.samples_ns.append(elapsed)
        if rnd == 0 and not active:
            break
    for cmd in cmds:
        if cmd.failures:
            problems.append(f"{cmd.label}: {cmd.failures} later run(s) exited non-zero")
    return problems


def report(cmds: list[Command]) -> list[str]:
    stats = {c.label: summarize(c.samples_ns) for c in cmds if c.samples_ns}
    base = stats.get("python -c pass")
    qalc_label = next((c.label for c in cmds if c.label.startswith("qalc")), None)
    qalc = stats.get(qalc_label) if qalc_label else None
    header = ["command", "median ms", "p10", "p90", "min", "x python"]
    if qalc:
        header.append("x qalc")
    rows = []
    for cmd in cmds:
        s = stats.get(cmd.label)
        if s is None:
            continue
        row = [cmd.label, f"{s['median']:.1f}", f"{s['p10']:.1f}", f"{s['p90']:.1f}"]
        row.append(f"{s['min']:.1f}")
        row.append(f"{s['median'] / base['median']:.2f}" if base else "-")
        if qalc:
            row.append(f"{s['median'] / qalc['median']:.2f}")
        rows.append(row)
    lines = [format_table(header, rows)]

    gd_label = next((c.label for c in cmds if c.label.startswith("gdcli ")), None)
    gd = stats.get(gd_label) if gd_label else None
    if gd_label is None:
        gd_label = next((c.label for c in cmds if c.label.startswith("python -m gdcli")), None)
        gd = stats.get(gd_label) if gd_label else None
    if gd is None:
        verdict = "verdict: no gdcli timing (not installed or failing), nothing to compare"
    elif qalc is None:
        verdict = f"verdict: {gd_label} median {gd['median']:.1f} ms; qalc not timed, no comparison"
    else:
        ok = gd["median"] <= qalc["median"]
        verdict = (
            f"verdict: {gd_label} median {gd['median']:.1f} ms "
            f"{'<=' if ok else '>'} qalc median {qalc['median']:.1f} ms: "
            f"{'yes, gdcli is not slower than qalc' if ok else 'no, gdcli is slower than qalc'}"
        )
    lines.append(verdict)
    return lines


def importtime_report(top: int = 15) -> list[str]:
    """The ``top`` slowest cumulative imports of gdcli.cli, from ``python -X importtime``."""
    argv = [sys.executable, "-X", "importtime", "-c", "import gdcli.cli"]
    proc = subprocess.run(argv, capture_output=True, text=True, env=child_env(), check=False)
    if proc.returncode != 0:
        err = proc.stderr.strip().splitlines()
        return [f"importtime: 'import gdcli.cli' failed: {err[-1] if err else proc.returncode}"]
    entries: list[tuple[int, int, str]] = []
    for raw in proc.stderr.splitlines():
        if not raw.startswith("import time:"):
            continue
        parts = raw[len("import time:") :].split("|")
        if len(parts) != 3:
            continue
        try:
            self_us, cum_us = int(parts[0]), int(parts[1])
        except ValueError:
            continue  # the header line
        entries.append((cum_us, self_us, parts[2].strip()))
    entries.sort(reverse=True)
    header = ["module", "cumulative ms", "self ms"]
    rows = [[name, f"{cum / 1000:.1f}", f"{slf / 1000:.1f}"] for cum, slf, name in entries[:top]]
    title = f"slowest {top} cumulative imports of gdcli.cli (python -X importtime, one run)"
    return [title, format_table(header, rows)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=30, help="timed rounds (default 30)")
    parser.add_argument("--seed", type=int, default=None, help="seed for the round shuffles")
    parser.add_argument(
        "--importtime",
        action="store_true",
        help="also print the 15 slowest cumulative imports of gdcli.cli",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    notes: list[str] = []
    cmds = build_commands(notes)
    print(f"python {platform.python_version()} at {sys.executable}")
    print(f"typer {package_version('typer')}, gdcli {package_version('gdcli')}", end="")
    if shutil.which("qalc"):
        print(f", qalc {tool_version([shutil.which('qalc') or 'qalc', '--version'])}", end="")
    print()
    print(f"{WARMUP_ROUNDS} warm-up rounds + {args.runs} timed rounds, interleaved, shuffled")
    for note in notes:
        print(f"note: {note}")
    print()

    problems = benchmark(cmds, args.runs, args.seed)
    for line in report(cmds):
        print(line)
    for problem in problems:
        print(f"FAILED: {problem}")
    if args.importtime:
        print()
        for line in importtime_report():
            print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
