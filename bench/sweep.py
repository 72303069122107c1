"""Sweep benchmark: ``gdcli sweep`` against a hand-vectorised numpy loop over the same rates.

Run from the repository root, with the project installed in the active environment::

    python bench/sweep.py                 # 1 warm-up round, then 3 timed rounds
    python bench/sweep.py --runs 5        # more rounds
    python bench/sweep.py --case adam     # only the cases whose key contains 'adam'

``gdcli sweep`` runs every learning rate at once, vectorised with numpy (optim/sweep.py).
Each case is timed four ways, in the same run:

* ``gdcli engine``   in this process: the Problem and Settings built as commands/sweep.py
                     builds them, the rates from its ``rates()``, then ``run_sweep`` (the
                     parse, the derivative and the compiled loop are included: a few ms);
* ``gdcli process``  ``python -m gdcli sweep ... --format csv``, stdout to /dev/null;
* ``hand function``  in this process: a hand-vectorised numpy function over the array of
                     rates: the gradient written by hand, the same update in the same
                     order, each rate stopped by a mask where ``|grad|² <= tol²`` (the rates
                     that stopped are taken out of the arrays, as gdcli takes them out),
                     else at ``--max-iter``; nothing else is tested;
* ``hand process``   the same function as ``python -c``: importing numpy, the rates as a
                     literal (the very floats gdcli sweeps), and one CSV row per rate
                     printed (lr, iterations, final point), stdout to /dev/null.

Cases:

* ``quadratic``    the worked example ``x**2-4*x+6 --x0 8 --lr 0.001:0.99:1000`` (gd);
* ``rosenbrock``   ``(1-x)**2+100*(y-x**2)**2 --x0 -1.5,2 --lr 1e-5:2e-3:1000
                   --max-iter 20000`` (gd);
* ``adam``         Adam on the same Rosenbrock, ``--lr 1e-3:0.1:1000 --max-iter 3000``
                   (the rates from torch's default up; about 70% of them converge);
* ``issue-8``      issue 8's goal case: 1000 log-spaced rates ``1e-5:1e-2 --log``, 1000
                   steps of gd on Rosenbrock from (-1.5, 2). The top 227 rates diverge,
                   so here the hand loop also stops a rate whose step leaves the box
                   ``1 + x² + y² < (1e6·max(1, |x0|, |y0|))²`` (gdcli's runaway box),
                   counting that step, as gdcli does; without it those rates would run
                   on as inf/nan.

Like with like: the warm-up round (not timed) checks that every run exits 0 and that
gdcli (engine and CSV) did the same number of iterations as the hand loop at every rate;
the totals of rate-steps are printed. The hand gradient rounds differently from gdcli's,
so a rate whose |grad| crosses tol within a rounding may stop a step apart: up to 1% of
the rates and 0.1% of the rate-steps may differ (printed); more is a failure (exit 1),
since the ratio would then compare different work. Final points are compared too and the
largest difference printed (not a failure: a rate that oscillates at the edge of
stability amplifies the rounding).

The rounds are interleaved: every round runs each case's four timings once, in a freshly
shuffled order, so background load drifts affect all of them alike. The table gives the
wall-clock median, min and max in seconds and the ratio of each median to the hand loop's
(``x hand``: the engine to the hand function, the process to the hand process), then the
median CPU time (user + system, of this process for the in-process timings, of the child
for a process) and its ratio: on a loaded machine the wall clock also counts waiting for
a core, the CPU time much less so. Goal (issue 8): gdcli at most 1.5x the hand loop (the
verdict reads the wall-clock medians; the CPU ratio is beside it).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchlib import child_env, format_table, package_version, percentile

WARMUP_ROUNDS = 1
GOAL = 1.5  # gdcli's median at most this many times the hand loop's (issue 8)
TOL = 1e-8  # gdcli sweep's default --tol
#: Iteration counts may differ at this fraction of the rates and by this fraction of all
#: rate-steps (rounding at the gradient test); beyond that the run fails (not like with like).
SLACK_RATES = 0.01
SLACK_STEPS = 0.001

ROSENBROCK = "(1-x)**2+100*(y-x**2)**2"

# --- the hand-vectorised loops: a function ``hand(lr)`` -> (iterations, x, …) ---
# Written as one would write them by hand; each returns per rate the iteration at which the
# rate stopped and its final point.
HAND_GD_1D = """
import numpy as np

def hand(lr, x0=8.0, tol=1e-8, max_iter=1000):
    m = lr.size
    idx = np.arange(m)  # where each running rate's results go
    x = np.full(m, x0)
    iters = np.full(m, max_iter)
    xf = np.empty(m)
    tol2 = tol * tol
    for k in range(max_iter):
        g = 2.0 * x - 4.0
        done = g * g <= tol2
        if done.any():
            i = idx[done]
            iters[i] = k
            xf[i] = x[done]
            keep = ~done
            idx, x, g, lr = idx[keep], x[keep], g[keep], lr[keep]
            if not idx.size:
                break
        x = x - lr * g
    xf[idx] = x
    return iters, xf
"""

HAND_GD_ROSENBROCK = """
import numpy as np

def hand(lr, x0=-1.5, y0=2.0, tol=1e-8, max_iter=1000):
    m = lr.size
    idx = np.arange(m)
    x = np.full(m, x0)
    y = np.full(m, y0)
    iters = np.full(m, max_iter)
    xf = np.empty(m)
    yf = np.empty(m)
    tol2 = tol * tol
    for k in range(max_iter):
        t = y - x * x
        gx = -2.0 * (1.0 - x) - 400.0 * x * t
        gy = 200.0 * t
        done = gx * gx + gy * gy <= tol2
        if done.any():
            i = idx[done]
            iters[i] = k
            xf[i] = x[done]
            yf[i] = y[done]
            keep = ~done
            idx, x, y, gx, gy, lr = idx[keep], x[keep], y[keep], gx[keep], gy[keep], lr[keep]
            if not idx.size:
                break
        x = x - lr * gx
        y = y - lr * gy
    xf[idx] = x
    yf[idx] = y
    return iters, xf, yf
"""

# issue 8's case: the same loop, and a rate whose step leaves the box has run away
HAND_GD_ROSENBROCK_BOX = """
import numpy as np

def hand(lr, x0=-1.5, y0=2.0, tol=1e-8, max_iter=1000):
    m = lr.size
    idx = np.arange(m)
    x = np.full(m, x0)
    y = np.full(m, y0)
    iters = np.full(m, max_iter)
    xf = np.empty(m)
    yf = np.empty(m)
    tol2 = tol * tol
    box2 = (1e6 * max(1.0, abs(x0), abs(y0))) ** 2
    for k in range(max_iter):
        t = y - x * x
        gx = -2.0 * (1.0 - x) - 400.0 * x * t
        gy = 200.0 * t
        done = gx * gx + gy * gy <= tol2
        if done.any():
            i = idx[done]
            iters[i] = k
            xf[i] = x[done]
            yf[i] = y[done]
            keep = ~done
            idx, x, y, gx, gy, lr = idx[keep], x[keep], y[keep], gx[keep], gy[keep], lr[keep]
            if not idx.size:
                break
        x = x - lr * gx
        y = y - lr * gy
        out = ~(1.0 + x * x + y * y < box2)  # ran away (or stopped being finite)
        if out.any():
            i = idx[out]
            iters[i] = k + 1
            xf[i] = x[out]
            yf[i] = y[out]
            keep = ~out
            idx, x, y, lr = idx[keep], x[keep], y[keep], lr[keep]
            if not idx.size:
                break
    xf[idx] = x
    yf[idx] = y
    return iters, xf, yf
"""

# torch.optim.Adam's order (gdcli/optim/methods.py): step_size = lr/bc1,
# denom = sqrt(v)/sqrt(bc2) + eps, x -= step_size*(m/denom); m by lerp
HAND_ADAM_ROSENBROCK = """
import numpy as np

def hand(lr, x0=-1.5, y0=2.0, tol=1e-8, max_iter=1000, b1=0.9, b2=0.999, eps=1e-8):
    m = lr.size
    idx = np.arange(m)
    x = np.full(m, x0)
    y = np.full(m, y0)
    mx = np.zeros(m)
    my = np.zeros(m)
    vx = np.zeros(m)
    vy = np.zeros(m)
    iters = np.full(m, max_iter)
    xf = np.empty(m)
    yf = np.empty(m)
    tol2 = tol * tol
    sqrt = np.sqrt
    for k in range(max_iter):
        t = y - x * x
        gx = -2.0 * (1.0 - x) - 400.0 * x * t
        gy = 200.0 * t
        done = gx * gx + gy * gy <= tol2
        if done.any():
            i = idx[done]
            iters[i] = k
            xf[i] = x[done]
            yf[i] = y[done]
            keep = ~done
            idx, x, y, gx, gy, lr = idx[keep], x[keep], y[keep], gx[keep], gy[keep], lr[keep]
            mx, my, vx, vy = mx[keep], my[keep], vx[keep], vy[keep]
            if not idx.size:
                break
        step = k + 1
        bc1 = 1.0 - b1**step
        bc2r = (1.0 - b2**step) ** 0.5
        ss = lr / bc1
        mx = mx + (1.0 - b1) * (gx - mx)
        vx = vx * b2 + (1.0 - b2) * gx * gx
        x = x - ss * (mx / (sqrt(vx) / bc2r + eps))
        my = my + (1.0 - b1) * (gy - my)
        vy = vy * b2 + (1.0 - b2) * gy * gy
        y = y - ss * (my / (sqrt(vy) / bc2r + eps))
    xf[idx] = x
    yf[idx] = y
    return iters, xf, yf
"""


@dataclass(frozen=True)
class Case:
    key: str
    expr: str
    x0: str  # gdcli's --x0 value
    lr: str  # START:STOP:COUNT
    log: bool
    method: str
    max_iter: int
    hand: str  # source defining hand(lr, ...)
    hand_kw: dict[str, float]  # the hand function's keyword arguments

    def gdcli_args(self) -> list[str]:
        return [
            "sweep", self.expr, f"--x0={self.x0}", "--lr", self.lr,
            *(["--log"] if self.log else []),
            *(["--method", self.method] if self.method != "gd" else []),
            "--max-iter", str(self.max_iter), "--format", "csv",
        ]

    def shown(self) -> str:
        return " ".join(a if " " not in a else repr(a) for a in self.gdcli_args()[:-2])


CASES = [
    Case("quadratic", "x**2-4*x+6", "8", "0.001:0.99:1000", False, "gd", 1000,
         HAND_GD_1D, {"x0": 8.0, "max_iter": 1000}),
    Case("rosenbrock", ROSENBROCK, "-1.5,2", "1e-5:2e-3:1000", False, "gd", 20000,
         HAND_GD_ROSENBROCK, {"x0": -1.5, "y0": 2.0, "max_iter": 20000}),
    Case("adam", ROSENBROCK, "-1.5,2", "1e-3:0.1:1000", False, "adam", 3000,
         HAND_ADAM_ROSENBROCK, {"x0": -1.5, "y0": 2.0, "max_iter": 3000}),
    Case("issue-8", ROSENBROCK, "-1.5,2", "1e-5:1e-2:1000", True, "gd", 1000,
         HAND_GD_ROSENBROCK_BOX, {"x0": -1.5, "y0": 2.0, "max_iter": 1000}),
]


# --- the four ways of running a case ---
def case_rates(case: Case) -> list[float]:
    """The rates exactly as ``gdcli sweep`` computes them."""
    from gdcli.commands.sweep import parse_rates, rates

    start, stop, count = parse_rates(case.lr)
    return rates(start, stop, count, case.log)


def gdcli_engine(case: Case) -> Any:
    """``run_sweep`` with the Problem and Settings built as commands/sweep.py builds them."""
    from gdcli.commands.minimize import fixed_values, start_point
    from gdcli.commands.sweep import parse_rates, rates
    from gdcli.optim.problem import Problem
    from gdcli.optim.setup import build_settings
    from gdcli.optim.sweep import run_sweep

    start_f, stop_f, count = parse_rates(case.lr)
    notes: list[str] = []
    problem = Problem(case.expr, fixed_values(()), False, notes)
    start = start_point([case.x0], problem.variables)
    settings = build_settings(case.method, float(start_f), None, tol=TOL,
                              max_iter=case.max_iter)
    problem.check_start(start)
    return run_sweep(problem, start, settings, rates(start_f, stop_f, count, case.log))


def hand_function(case: Case) -> Callable[..., Any]:
    """The case's hand loop as a function of this process (compiled once)."""
    space: dict[str, Any] = {}
    exec(compile(case.hand, f"<hand {case.key}>", "exec"), space)
    return space["hand"]


def hand_script(case: Case, lrs: list[float]) -> str:
    """The hand loop as a whole program: the rates as a literal, one CSV row per rate."""
    return (
        f"{case.hand}\n"
        "np.seterr(all='ignore')\n"
        f"lr = np.array([{', '.join(map(repr, lrs))}])\n"
        f"res = hand(lr.copy(), {', '.join(f'{k}={v!r}' for k, v in case.hand_kw.items())})\n"
        "import sys\n"
        "sys.stdout.write(''.join(\n"
        "    ','.join([repr(float(lr[i])), str(int(res[0][i])),\n"
        "              *(repr(float(a[i])) for a in res[1:])]) + '\\n'\n"
        "    for i in range(lr.size)))\n"
    )


def cpu_time_ns() -> int:
    """CPU time (user + system) of this process and of its waited-for children: what a
    run cost, less sensitive than the wall clock to other work on the machine."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time_ns() + round((ru.ru_utime + ru.ru_stime) * 1e9)


@dataclass
class Timing:
    case: str
    label: str  # "gdcli engine", "gdcli process", "hand function", "hand process"
    run: Callable[[bool], Any]  # run(capture) -> output to verify (warm-up) or None
    samples_ns: list[int] = field(default_factory=list)  # wall clock
    cpu_ns: list[int] = field(default_factory=list)  # CPU time (user + system)


def build_timings(case: Case, env: dict[str, str]) -> list[Timing]:
    import numpy as np

    lrs = case_rates(case)
    hand = hand_function(case)
    gd_argv = [sys.executable, "-m", "gdcli", *case.gdcli_args()]
    hand_argv = [sys.executable, "-c", hand_script(case, lrs)]

    def process(argv: list[str], expect: int) -> Callable[[bool], Any]:
        def go(capture: bool) -> Any:
            proc = subprocess.run(
                argv, env=env, text=True, check=False,
                stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            if proc.returncode != expect:
                tail = (proc.stderr.strip().splitlines() or ["(no stderr)"])[-1]
                raise RuntimeError(f"exit status {proc.returncode}, expected {expect}: {tail}")
            return proc.stdout if capture else None

        return go

    return [
        Timing(case.key, "gdcli engine", lambda capture: gdcli_engine(case)),
        Timing(case.key, "gdcli process", process(gd_argv, 0)),
        Timing(case.key, "hand function", lambda capture: hand(np.array(lrs), **case.hand_kw)),
        Timing(case.key, "hand process", process(hand_argv, 0)),
    ]


# --- verification (warm-up round) ---
def compare(case: Case, got: dict[str, Any], problems: list[str]) -> list[str]:
    """Iterations per rate and final points of every way against the hand function's."""
    lines = []
    hand = got.get("hand function")
    if hand is None:
        return [f"{case.key}: no hand-function result to compare with"]
    h_iters = [int(v) for v in hand[0]]
    h_x = [tuple(float(a[i]) for a in hand[1:]) for i in range(len(h_iters))]
    lines.append(f"{case.key}: hand function  {sum(h_iters):>10,} rate-steps "
                 f"(iterations {min(h_iters)}…{max(h_iters)} per rate)")
    rows: dict[str, tuple[list[int], list[tuple[float, ...]]]] = {}
    sw = got.get("gdcli engine")
    if sw is not None:
        rows["gdcli engine"] = (list(sw.iterations), [tuple(p) for p in sw.x])
    for label in ("gdcli process", "hand process"):
        text = got.get(label)
        if text is None:
            continue
        table = list(csv.reader(io.StringIO(text)))
        if label == "gdcli process":
            head, table = table[0], table[1:]
            at = head.index("iterations")
            xcols = range(at + 1, at + 1 + len(h_x[0]))
        else:
            at, xcols = 1, range(2, 2 + len(h_x[0]))
        rows[label] = ([int(r[at]) for r in table], [tuple(float(r[c]) for c in xcols)
                                                     for r in table])
    for label, (iters, xs) in rows.items():
        if len(iters) != len(h_iters):
            problems.append(f"{case.key}: {label} gave {len(iters)} rates, hand {len(h_iters)}")
            continue
        differ = [i for i, (a, b) in enumerate(zip(iters, h_iters)) if a != b]
        worst, where = 0.0, 0
        for i, (a, b) in enumerate(zip(xs, h_x)):
            d = max(abs(p - q) / max(1.0, abs(q)) for p, q in zip(a, b))
            if not d <= worst:  # nan counts as worst
                worst, where = d, i
        if differ:
            most = max(abs(iters[i] - h_iters[i]) for i in differ)
            same = (f"iterations differ at {len(differ)} of {len(iters)} rates (by at most "
                    f"{most}; first at rate {differ[0] + 1}: {iters[differ[0]]} against "
                    f"{h_iters[differ[0]]})")
        else:
            same = "same iterations at every rate"
        lines.append(f"  {label:<14} {sum(iters):>10,} rate-steps; {same}; final points: "
                     f"largest difference {worst:.1e} (relative, at rate {where + 1})")
        # a rate or two whose gradient crosses tol within a rounding of the hand one's
        # may stop one step apart; more than that is not like with like
        total = abs(sum(iters) - sum(h_iters))
        if len(differ) > SLACK_RATES * len(iters) or total > SLACK_STEPS * sum(h_iters):
            problems.append(f"{case.key}: {label} iterations differ from the hand function's "
                            f"at {len(differ)} rates, {total:,} rate-steps in all: "
                            "not like with like")
    return lines


# --- running and reporting ---
def benchmark(timings: list[Timing], runs: int, seed: int | None,
              cases: dict[str, Case]) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    problems: list[str] = []
    active = list(timings)
    got: dict[str, dict[str, Any]] = {}
    for rnd in range(WARMUP_ROUNDS + runs):
        order = list(active)
        rng.shuffle(order)
        for t in order:
            capture = rnd == 0
            start, cpu = time.perf_counter_ns(), cpu_time_ns()
            try:
                out = t.run(capture)
            except Exception as e:  # a failed run is reported, not timed
                problems.append(f"{t.case} {t.label}: {e}")
                active.remove(t)
                continue
            elapsed, cpu = time.perf_counter_ns() - start, cpu_time_ns() - cpu
            if capture:
                got.setdefault(t.case, {})[t.label] = out
            if rnd >= WARMUP_ROUNDS:
                t.samples_ns.append(elapsed)
                t.cpu_ns.append(cpu)
    lines: list[str] = []
    for key, case in cases.items():
        lines += compare(case, got.get(key, {}), problems)
    return problems, lines


def report(timings: list[Timing], cases: dict[str, Case]) -> list[str]:
    def stats(t: Timing) -> dict[str, float] | None:
        if not t.samples_ns:
            return None
        s = sorted(v / 1e9 for v in t.samples_ns)
        c = sorted(v / 1e9 for v in t.cpu_ns)
        return {"median": percentile(s, 50), "min": s[0], "max": s[-1], "cpu": percentile(c, 50)}

    by = {(t.case, t.label): stats(t) for t in timings}
    base = {"gdcli engine": "hand function", "gdcli process": "hand process"}
    rows = []
    for t in timings:
        s = by[(t.case, t.label)]
        if s is None:
            continue
        ref = by.get((t.case, base.get(t.label, t.label)))
        rows.append([t.case, t.label, f"{s['median']:.3f}", f"{s['min']:.3f}",
                     f"{s['max']:.3f}", f"{s['median'] / ref['median']:.2f}" if ref else "-",
                     f"{s['cpu']:.3f}", f"{s['cpu'] / ref['cpu']:.2f}" if ref else "-"])
    header = ["case", "timing", "median s", "min", "max", "x hand", "cpu s", "x hand (cpu)"]
    lines = [format_table(header, rows, left=2)]
    for key in cases:
        for gd, hand in base.items():
            a, b = by.get((key, gd)), by.get((key, hand))
            if a is None or b is None:
                lines.append(f"verdict {key} {gd}: no timing to compare")
                continue
            ratio = a["median"] / b["median"]
            lines.append(f"verdict {key} {gd}: {ratio:.2f}x the {hand} (CPU time "
                         f"{a['cpu'] / b['cpu']:.2f}x); goal <= {GOAL:g}x: "
                         f"{'met' if ratio <= GOAL else 'NOT met'}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument("--case", default="", help="only the cases whose key contains this")
    parser.add_argument("--seed", type=int, default=None, help="seed for the round shuffles")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    cases = {c.key: c for c in CASES if args.case in c.key}
    if not cases:
        parser.error(f"no case matches {args.case!r}: {', '.join(c.key for c in CASES)}")

    import numpy as np

    env = child_env()
    print(f"python {platform.python_version()} at {sys.executable}")
    print(f"gdcli {package_version('gdcli')}, numpy {np.__version__}; {os.cpu_count()} CPUs")
    print(f"{WARMUP_ROUNDS} warm-up round (checks) + {args.runs} timed rounds, interleaved, "
          "shuffled")
    for c in cases.values():
        print(f"  {c.key:<10} gdcli {c.shown()}")
    print()
    timings = [t for c in cases.values() for t in build_timings(c, env)]
    with np.errstate(all="ignore"):
        problems, lines = benchmark(timings, args.runs, args.seed, cases)
    for line in report(timings, cases):
        print(line)
    print()
    for line in lines:
        print(line)
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
