"""Neuron benchmark: ``gdcli neuron`` on 100,000 rows x 4 features against a hand numpy script.

Run from the repository root, with the project installed in the active environment::

    python bench/neuron.py              # 1 warm-up round, then 5 timed rounds
    python bench/neuron.py --runs 9
    python bench/neuron.py --rows 20000 # a smaller file

The data: ``--rows`` rows of 4 features and a 0/1 target, generated once (numpy, fixed
seed, written with repr) into a temporary folder; not linearly separable, so 100 epochs
of full-batch gradient descent on the cross-entropy run to the end.

What is timed, each as a whole process (reading the CSV included), interleaved in a fresh
random order every round:

* ``python -c pass``   the bare interpreter, for scale;
* ``hand numpy``       a script that reads the file with ``np.loadtxt`` and runs the same
                       100 updates w -= lr·Xᵀ(σ(Xw + b) − y)/N, b -= lr·mean(σ − y):
                       the reference;
* ``hand numpy + loss``the same, also computing each epoch's loss and accuracy on the
                       whole data set, as gdcli's history reports them;
* ``gdcli neuron``     ``gdcli neuron DATA --target y --loss bce --epochs 100 --format csv``
                       (every epoch's row written to a pipe).

Peak memory (max RSS of each child, from ``os.wait4``) is reported beside the times. The
warm-up round checks that gdcli's final weights equal the hand script's to 1e-12
(relative): the same computation, in a different order of floating-point operations.
Goal (issue 9): gdcli / hand numpy <= 1.5x.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib

HAND = """
import sys
import numpy as np
data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
X, y = data[:, :-1], data[:, -1]
n, d = X.shape
w, b, lr = np.zeros(d), 0.0, 0.1
for epoch in range(100):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    r = p - y
    w = w - lr * (X.T @ r) / n
    b = b - lr * np.sum(r) / n
    LOSS
print(" ".join(repr(float(v)) for v in [*w, b]))
"""
LOSS = ("loss = np.mean(y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z)); "
        "acc = np.mean((z >= 0) == (y == 1))")


def make_data(path: Path, rows: int) -> None:
    import numpy as np

    rng = np.random.default_rng(2026)
    X = rng.normal(size=(rows, 4)) * np.array([1.0, 2.0, 0.5, 3.0]) + np.array([0, 1, -1, 5])
    z = X @ np.array([0.8, -0.5, 1.5, 0.2]) - 1.0 + rng.logistic(size=rows)
    y = (z > 0).astype(int)
    with path.open("w") as fh:
        fh.write("f1,f2,f3,f4,y\n")
        for row, t in zip(X.tolist(), y.tolist(), strict=True):
            fh.write(",".join(map(repr, row)) + f",{t}\n")


#: A sitecustomize hook: each child reports its own peak RSS (VmHWM, in kB) on exit. Not
#: rusage: Linux carries ru_maxrss across fork and exec, so every child would report at
#: least this (numpy-importing) parent's size.
RSS_HOOK = """
import atexit, os
def _report():
    try:
        with open("/proc/self/status") as fh:
            kb = next(int(ln.split()[1]) for ln in fh if ln.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return
    os.write(2, b"\\nMAXRSS=%d\\n" % kb)
atexit.register(_report)
"""


def cpu_children() -> float:
    import resource

    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


CPU: dict[str, list[float]] = {}


def timed(cmd: list[str], name: str = "") -> tuple[float, float, bytes]:
    """Wall seconds, peak RSS in MB (the child's own), stdout of one child; its CPU seconds
    are added to CPU[name] (less sensitive to other load on the machine than wall time)."""
    env = benchlib.child_env()
    hook = Path(tempfile.gettempdir()) / "gdcli_bench_rss"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(RSS_HOOK)
    env["PYTHONPATH"] = str(hook) + os.pathsep + env.get("PYTHONPATH", "")
    c0, t0 = cpu_children(), time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=env)
    wall = time.perf_counter() - t0
    CPU.setdefault(name, []).append(cpu_children() - c0)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:3]} exited {proc.returncode}")
    rss = [int(line[7:]) for line in proc.stderr.decode().splitlines()
           if line.startswith("MAXRSS=")]
    return wall, (rss[-1] / 1024 if rss else float("nan")), proc.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.csv"
        make_data(data, args.rows)
        hand = Path(tmp) / "hand.py"
        hand.write_text(HAND.replace("LOSS", ""))
        hand_loss = Path(tmp) / "hand_loss.py"
        hand_loss.write_text(HAND.replace("LOSS", LOSS))
        gd = [*benchlib.gdcli_command(), "neuron", str(data), "--target", "y", "--loss", "bce",
              "--epochs", "100", "--format", "csv"]
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "hand numpy": [sys.executable, str(hand), str(data)],
            "hand numpy + loss": [sys.executable, str(hand_loss), str(data)],
            "gdcli neuron": gd,
        }
        # warm-up and check: the same final weights
        _, _, ref = timed(commands["hand numpy"])
        _, _, ours = timed(commands["gdcli neuron"])
        want = [float(v) for v in ref.split()]
        last = ours.decode().strip().splitlines()[-1].split(",")[3:]
        got = [float(v) for v in last]
        worst = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(got, want, strict=True))
        assert worst <= 1e-12, (got, want)
        for cmd in commands.values():
            timed(cmd)
        times: dict[str, list[float]] = {k: [] for k in commands}
        peaks: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(args.runs):
            order = list(commands)
            random.shuffle(order)
            for name in order:
                wall, rss, _ = timed(commands[name], name)
                times[name].append(wall)
                peaks[name].append(rss)
    ref_t = statistics.median(times["hand numpy"])
    ref_c = statistics.median(CPU["hand numpy"])
    rows = []
    for name in commands:
        med = statistics.median(times[name])
        cpu = statistics.median(CPU[name])
        rows.append([name, f"{med * 1000:.0f} ms", f"{med / ref_t:.2f}x",
                     f"{cpu * 1000:.0f} ms", f"{cpu / ref_c:.2f}x", f"{max(peaks[name]):.0f} MB"])
    print(f"{args.rows:,} rows x 4 features, 100 full-batch epochs of gd on bce, "
          f"{args.runs} rounds (median); final weights agree to {worst:.1e}")
    print(benchlib.format_table(["command", "wall", "vs hand", "CPU", "vs hand", "peak RSS"],
                                rows))
    ratio = statistics.median(times["gdcli neuron"]) / ref_t
    cratio = statistics.median(CPU["gdcli neuron"]) / ref_c
    print(f"\ngdcli neuron / hand numpy = {ratio:.2f}x wall, {cratio:.2f}x CPU (goal <= 1.5x)")


if __name__ == "__main__":
    main()
