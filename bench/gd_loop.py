"""Loop benchmark: 1e7 gradient-descent steps of ``gdcli minimize --quiet`` against hand loops.

Run from the repository root, with the project installed in the active environment::

    python bench/gd_loop.py                  # 1 warm-up round, then 5 timed rounds
    python bench/gd_loop.py --runs 9         # more rounds
    python bench/gd_loop.py --steps 1000000  # shorter runs (default 10**7 steps)
    python bench/gd_loop.py --no-sympy       # leave out the optional SymPy reference

Two problems, each run for exactly ``--steps`` plain GD steps (``--lr 1e-9`` is far too
small to converge, so gdcli stops at ``--max-iter`` and exits 4):

* quadratic:  ``x**2-4*x+6`` from x0 = 8, gradient ``2*x - 4``;
* rosenbrock: ``(1-x)**2 + 100*(y-x**2)**2`` from (-1.2, 1), gradient
  ``(-2*(1-x) - 400*x*(y-x**2), 200*(y-x**2))``: the multi-variable path.

What is timed (each as a whole process, stdout/stderr captured, ``NO_COLOR=1``):

* ``python -c pass``            the bare interpreter, for scale (nothing is subtracted);
* ``hand loop``                 ``python -c`` with the bare update ``x = x - lr*(2*x - 4)``:
                                reference 1. Like every ``python -c`` loop here it runs
                                inside a function, as one would write it: at module level
                                x and lr would be globals and the loop about 1.6x slower;
* ``hand loop + test``          the same loop with a convergence test inside
                                (``|g| <= 1e-8``, or ``|∇f|² <= 1e-16``): reference 2, the
                                honest baseline for a minimizer that can stop;
* ``import sympy``              (optional) what importing SymPy alone costs;
* ``sympy.lambdify loop``       (optional, if SymPy is importable) the loop calling a
                                ``sympy.lambdify(..., "math")``-ed derivative; includes
                                the SymPy import and ``diff``;
* ``gdcli ... --quiet``         the console script next to ``sys.executable`` (else
                                ``python -m gdcli``).

The commands are interleaved: every round runs each command once, in a freshly shuffled
order, so background load drifts affect all of them alike. The first round is a warm-up
(not timed) that also checks every command: the loops must exit 0 and gdcli must exit 4
(iteration limit) saying it stopped at ``--steps``; gdcli's printed final point must be
the hand loop's final point exactly (same repr, gdcli dropping a trailing ``.0``), and
the other references must agree with the hand loop too (a SymPy mismatch is only a note:
its derivative may round differently).

The table gives median, min and max in seconds, and the ratio of each median to the
median of the same problem's hand loop (``x hand``) and hand loop with test
(``x hand+test``). The last lines say whether gdcli meets the goal of at most 1.5x the hand
loop.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field

from benchlib import child_env, format_table, in_function, package_version, percentile
from benchlib import gdcli_command as find_gdcli

WARMUP_ROUNDS = 1
DEFAULT_STEPS = 10**7
LR = "1e-9"
GOAL = 1.5  # gdcli's median at most this many times the hand loop's (issue 8)


@dataclass(frozen=True)
class Problem:
    key: str
    expr: str
    x0_args: list[str]  # gdcli's --x0 argument(s)
    hand: str  # loop body template: {steps}; prints repr of the final point
    hand_test: str
    sympy: str


QUADRATIC = Problem(
    key="quadratic",
    expr="x**2-4*x+6",
    x0_args=["--x0", "8"],
    hand=("x = 8.0; lr = 1e-9\nfor _ in range({steps}): x = x - lr*(2*x - 4)\nprint(repr(x))\n"),
    hand_test=(
        "x = 8.0; lr = 1e-9\n"
        "for _ in range({steps}):\n"
        "    g = 2*x - 4\n"
        "    if abs(g) <= 1e-8: break\n"
        "    x = x - lr*g\n"
        "print(repr(x))\n"
    ),
    sympy=(
        "import sympy\n"
        "X = sympy.Symbol('x')\n"
        "d = sympy.lambdify(X, sympy.diff(sympy.sympify('x**2-4*x+6'), X), 'math')\n"
        "x = 8.0; lr = 1e-9\n"
        "for _ in range({steps}): x = x - lr*d(x)\n"
        "print(repr(x))\n"
    ),
)

ROSENBROCK = Problem(
    key="rosenbrock",
    expr="(1-x)**2 + 100*(y-x**2)**2",
    x0_args=["--x0=-1.2,1"],
    hand=(
        "x = -1.2; y = 1.0; lr = 1e-9\n"
        "for _ in range({steps}):\n"
        "    gx = -2*(1-x) - 400*x*(y-x**2); gy = 200*(y-x**2)\n"
        "    x = x - lr*gx; y = y - lr*gy\n"
        "print(repr(x), repr(y))\n"
    ),
    hand_test=(
        "x = -1.2; y = 1.0; lr = 1e-9\n"
        "for _ in range({steps}):\n"
        "    gx = -2*(1-x) - 400*x*(y-x**2); gy = 200*(y-x**2)\n"
        "    if gx*gx + gy*gy <= 1e-16: break\n"
        "    x = x - lr*gx; y = y - lr*gy\n"
        "print(repr(x), repr(y))\n"
    ),
    sympy=(
        "import sympy\n"
        "X, Y = sympy.symbols('x y')\n"
        "f = sympy.sympify('(1-x)**2 + 100*(y-x**2)**2')\n"
        "grad = sympy.lambdify((X, Y), [sympy.diff(f, X), sympy.diff(f, Y)], 'math')\n"
        "x = -1.2; y = 1.0; lr = 1e-9\n"
        "for _ in range({steps}):\n"
        "    gx, gy = grad(x, y)\n"
        "    x = x - lr*gx; y = y - lr*gy\n"
        "print(repr(x), repr(y))\n"
    ),
)

PROBLEMS = [QUADRATIC, ROSENBROCK]


@dataclass
class Command:
    problem: str  # a Problem key, or "-" for problem-independent commands
    label: str
    kind: str  # "floor", "hand", "hand+test", "import", "sympy", "gdcli"
    argv: list[str]
    expect_exit: int = 0
    samples_ns: list[int] = field(default_factory=list)
    failures: int = 0


def build_commands(steps: int, with_sympy: bool, notes: list[str]) -> list[Command]:
    py = sys.executable
    gdcli = find_gdcli()
    if gdcli[0] == py:
        notes.append("gdcli console script not found: timing 'python -m gdcli' instead")
    gd_name = "gdcli" if gdcli[0] != py else "python -m gdcli"
    cmds = [Command("-", "python -c pass", "floor", [py, "-c", "pass"])]
    if with_sympy:
        cmds.append(
            Command("-", "python -c 'import sympy' (opt.)", "import", [py, "-c", "import sympy"])
        )
    for p in PROBLEMS:
        cmds.append(
            Command(p.key, "hand loop", "hand", [py, "-c", in_function(p.hand.format(steps=steps))])
        )
        cmds.append(
            Command(
                p.key,
                "hand loop + test",
                "hand+test",
                [py, "-c", in_function(p.hand_test.format(steps=steps))],
            )
        )
        if with_sympy:
            cmds.append(
                Command(
                    p.key,
                    "sympy.lambdify loop (opt.)",
                    "sympy",
                    [py, "-c", in_function(p.sympy.format(steps=steps))],
                )
            )
        argv = [
            *gdcli,
            "minimize",
            p.expr,
            *p.x0_args,
            "--lr",
            LR,
            "--max-iter",
            str(steps),
            "--quiet",
        ]
        cmds.append(Command(p.key, f"{gd_name} minimize --quiet", "gdcli", argv, expect_exit=4))
    return cmds


def run_once(argv: list[str], env: dict[str, str]) -> tuple[int, subprocess.CompletedProcess]:
    start = time.perf_counter_ns()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    return time.perf_counter_ns() - start, proc


def gdcli_form(token: str) -> str:
    """How gdcli prints a float: its repr without a trailing ``.0``."""
    return token[:-2] if token.endswith(".0") else token


def verify(
    cmd: Command,
    proc: subprocess.CompletedProcess,
    steps: int,
    finals: dict[tuple[str, str], list[str]],
    problems: list[str],
) -> bool:
    """Check the first run of a command; record a problem and return False if it failed."""
    if proc.returncode != cmd.expect_exit:
        err = proc.stderr.strip().splitlines()
        tail = err[-1] if err else "(no stderr)"
        problems.append(
            f"{cmd.problem} {cmd.label}: exit status {proc.returncode}, "
            f"expected {cmd.expect_exit}: {tail}"
        )
        return False
    if cmd.kind == "gdcli" and f"iteration limit ({steps})" not in proc.stderr:
        problems.append(
            f"{cmd.problem} {cmd.label}: stderr does not say it stopped at the "
            f"iteration limit ({steps}): {proc.stderr.strip()!r}"
        )
        return False
    if cmd.problem != "-":
        finals[(cmd.problem, cmd.kind)] = proc.stdout.split()
    return True


def compare_finals(
    finals: dict[tuple[str, str], list[str]], problems: list[str], notes: list[str]
) -> list[str]:
    """Compare every final point with its problem's hand loop; return lines to print."""
    lines = []
    for p in PROBLEMS:
        hand = finals.get((p.key, "hand"))
        if hand is None:
            continue
        lines.append(f"{p.key}: hand loop final point {' '.join(hand)}")
        for kind, name in (
            ("hand+test", "hand loop + test"),
            ("sympy", "sympy loop"),
            ("gdcli", "gdcli"),
        ):
            got = finals.get((p.key, kind))
            if got is None:
                continue
            want = [gdcli_form(t) for t in hand] if kind == "gdcli" else hand
            if got == want:
                how = "same repr" if kind != "gdcli" else "same repr; gdcli drops a final .0"
                lines.append(f"  {name:<16} {' '.join(got)}  identical ({how})")
                continue
            lines.append(f"  {name:<16} {' '.join(got)}  DIFFERENT")
            msg = f"{p.key}: {name} final point {got} != hand loop {want}"
            (notes if kind == "sympy" else problems).append(msg)
    return lines


def summarize(samples_ns: list[int]) -> dict[str, float]:
    s = sorted(v / 1e9 for v in samples_ns)
    return {"median": percentile(s, 50), "min": s[0], "max": s[-1]}


def benchmark(
    cmds: list[Command], runs: int, steps: int, seed: int | None
) -> tuple[list[str], list[str], list[str]]:
    """Warm up and verify, then time ``runs`` interleaved rounds.

    Returns the problems found, notes, and the lines describing the final points."""
    env = child_env()
    rng = random.Random(seed)
    problems: list[str] = []
    notes: list[str] = []
    finals: dict[tuple[str, str], list[str]] = {}
    active = list(cmds)
    for rnd in range(WARMUP_ROUNDS + runs):
        order = list(active)
        rng.shuffle(order)
        for cmd in order:
            elapsed, proc = run_once(cmd.argv, env)
            if rnd == 0:
                if not verify(cmd, proc, steps, finals, problems):
                    active.remove(cmd)
                continue
            if proc.returncode != cmd.expect_exit:
                cmd.failures += 1
                continue
            if rnd >= WARMUP_ROUNDS:
                cmd.samples_ns.append(elapsed)
        if rnd == 0 and not active:
            break
    final_lines = compare_finals(finals, problems, notes)
    for cmd in cmds:
        if cmd.failures:
            problems.append(
                f"{cmd.problem} {cmd.label}: {cmd.failures} later run(s) exited "
                f"other than {cmd.expect_exit}"
            )
    return problems, notes, final_lines


def report(cmds: list[Command]) -> list[str]:
    stats = {(c.problem, c.label): summarize(c.samples_ns) for c in cmds if c.samples_ns}

    def ref(problem: str, kind: str) -> dict[str, float] | None:
        c = next((c for c in cmds if c.problem == problem and c.kind == kind), None)
        return stats.get((c.problem, c.label)) if c else None

    header = ["problem", "command", "median s", "min", "max", "x hand", "x hand+test"]
    rows = []
    for cmd in cmds:
        s = stats.get((cmd.problem, cmd.label))
        if s is None:
            continue
        row = [cmd.problem, cmd.label, f"{s['median']:.3f}", f"{s['min']:.3f}", f"{s['max']:.3f}"]
        for kind in ("hand", "hand+test"):
            base = ref(cmd.problem, kind)
            row.append(f"{s['median'] / base['median']:.2f}" if base else "-")
        rows.append(row)
    lines = [format_table(header, rows, left=2)]

    for p in PROBLEMS:
        gd, hand, test = ref(p.key, "gdcli"), ref(p.key, "hand"), ref(p.key, "hand+test")
        if gd is None or hand is None:
            lines.append(f"verdict {p.key}: no gdcli or hand-loop timing, nothing to compare")
            continue
        ratio = gd["median"] / hand["median"]
        ok = ratio <= GOAL
        vs_test = f" ({gd['median'] / test['median']:.2f}x hand loop + test)" if test else ""
        lines.append(
            f"verdict {p.key}: gdcli {gd['median']:.3f} s = {ratio:.2f}x hand loop{vs_test};"
            f" goal <= {GOAL:g}x hand loop: {'met' if ok else 'NOT met'}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument(
        "--steps",
        type=int,
        default=DEFAULT_STEPS,
        help=f"GD steps per run (default {DEFAULT_STEPS})",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for the round shuffles")
    parser.add_argument(
        "--no-sympy", action="store_true", help="leave out the optional sympy.lambdify reference"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.steps < 1:
        parser.error("--steps must be at least 1")

    notes: list[str] = []
    with_sympy = not args.no_sympy and importlib.util.find_spec("sympy") is not None
    if not args.no_sympy and not with_sympy:
        notes.append("sympy not importable: optional sympy.lambdify reference skipped")
    cmds = build_commands(args.steps, with_sympy, notes)
    print(f"python {platform.python_version()} at {sys.executable}")
    versions = f"gdcli {package_version('gdcli')}"
    if with_sympy:
        versions += f", sympy {package_version('sympy')}"
    print(versions)
    print(
        f"{args.steps} GD steps per run, lr {LR}; {WARMUP_ROUNDS} warm-up round + "
        f"{args.runs} timed rounds, interleaved, shuffled; {os.cpu_count()} CPUs"
    )
    for note in notes:
        print(f"note: {note}")
    print()

    problems, more_notes, final_lines = benchmark(cmds, args.runs, args.steps, args.seed)
    for line in report(cmds):
        print(line)
    print()
    for line in final_lines:
        print(line)
    for note in more_notes:
        print(f"note: {note}")
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
