"""Published optimization test functions as gdcli runs them: the shared data table.

Used by ``tests/test_published_functions.py`` (the assertions) and by
``bench/test_functions.py`` (the table a user reads). Each :class:`Case` is one function
from one start with

* ``lr``: a learning rate with which plain gradient descent reaches the listed minimum
  ``minima[expect]`` (exit 0), found empirically and checked against the stability limit
  2/λmax of the Hessian at the minimum and at the start (``lr_why`` says which);
* ``bad_lr``: a learning rate with which gdcli reports divergence (exit 3); for functions
  that are not quadratic, a rate just above 2/λmax usually only oscillates (exit 4), so
  ``bad_why`` records where divergence really starts.

Reference minima are decimal strings: the published values, refined to 22 significant
digits as roots of the gradient with ``sympy.nsolve`` at 50-digit working precision on the
expression parsed with rational coefficients (``1.05`` as 21/20). The test module
re-verifies every one of them (gradient zero, Hessian positive definite, value).
``curvature`` is (λmin, λmax) of the Hessian at the expected minimum, to 6 digits (also
re-verified); the tolerances below are derived from it.

Sources:

* [W]   Wikipedia, "Test functions for optimization".
* [SB]  S. Surjanovic & D. Bingham, Virtual Library of Simulation Experiments: Test
        Functions and Datasets, Simon Fraser University (sfu.ca/~ssurjano).
* [JY]  M. Jamil & X.-S. Yang, "A literature survey of benchmark functions for global
        optimization problems", Int. J. Math. Modelling & Num. Optimisation 4(2), 2013.
* [G]   A. Gavana, "Global optimization benchmarks", 1-D test functions (infinity77.net).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass

#: gdcli's default gradient-norm tolerance (--tol); every run here uses the defaults.
GTOL = 1e-8


@dataclass(frozen=True)
class Minimum:
    x: tuple[str, ...]  # one decimal string per variable, alphabetical order
    f: str
    kind: str = "global"  # "global" or "local"

    @property
    def point(self) -> tuple[float, ...]:
        return tuple(float(v) for v in self.x)

    @property
    def value(self) -> float:
        return float(self.f)


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    source: str
    expr: str
    variables: tuple[str, ...]
    minima: tuple[Minimum, ...]
    start: tuple[float, ...]
    expect: int  # index into minima: the one this start (and lr) leads to
    curvature: tuple[float, float]  # (λmin, λmax) of the Hessian at minima[expect]
    lr: float
    max_iter: int
    lr_why: str
    bad_lr: float
    bad_why: str
    slow: bool = False  # a CLI run of this case takes > 5 s (none does today)

    @property
    def target(self) -> Minimum:
        return self.minima[self.expect]

    @property
    def x_tol(self) -> float:
        """How far the converged point may be from the reference minimum.

        gdcli stops once ‖∇f(x)‖ ≤ GTOL. Near a non-degenerate minimum
        ∇f(x) = H·(x − x*) + O(‖x − x*‖²), so ‖x − x*‖ ≤ ‖∇f(x)‖/λmin(H) ≤ GTOL/λmin; the
        factor 2 absorbs the O(‖x − x*‖²) term and rounding in the computed gradient, and
        1e-12·(1 + ‖x*‖) is the float64 resolution of x plus the 1e-22 reference rounding.
        For Rosenbrock (λmin 0.4) that is 5e-8; for Matyas (λmin 0.04), 5e-7. The bound
        is attained: GD ends up approaching along the slow eigenvector (Rosenbrock stops
        2.5e-8 away, Beale 3.3e-8), so the factor 2 is the whole margin, by design.
        """
        return 2 * GTOL / self.curvature[0] + 1e-12 * (1 + math.hypot(*self.target.point))

    @property
    def f_tol(self) -> float:
        """How far f at the converged point may be from the reference value.

        f(x) − f* = ½(x − x*)ᵀH(x − x*) + … ≤ ‖∇f‖²/(2λmin) ≤ GTOL²/(2λmin): below 2e-15
        for every case here, so what is left is rounding: f is a sum of a few terms, each
        at most ~100·max(1, |f*|) in size, evaluated in float64 (≈1e-16 relative each);
        1e-12·max(1, |f*|) bounds that with a wide margin.
        """
        return GTOL**2 / self.curvature[0] + 1e-12 * max(1.0, abs(self.target.value))


W, SB, JY, G = "Wikipedia", "Surjanovic & Bingham", "Jamil & Yang 2013", "Gavana 1-D"

_HIMMELBLAU = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"
_HIMMELBLAU_MINIMA = (
    Minimum(("3", "2"), "0"),
    Minimum(("-2.805118086952744853054", "3.131312518250572965804"), "0"),
    Minimum(("-3.779310253377746891891", "-3.283185991286169412266"), "0"),
    Minimum(("3.584428340330491744944", "-1.848126526964403553538"), "0"),
)
_HIMMELBLAU_LR = (
    "0.005: below 2/λmax at all four minima (0.0149-0.0248) and at the start (≈0.0097-0.012)"
)
_HIMMELBLAU_BAD = (
    "0.05: 2-3.3x the limits at the minima; between them and ≈0.03 the run oscillates "
    "(exit 4) or hops to another minimum"
)
_CAMEL = "2*x**2 - 1.05*x**4 + x**6/6 + x*y + y**2"
_CAMEL_MINIMA = (
    Minimum(("0", "0"), "0"),
    Minimum(("1.747552345830288898575", "-0.8737761729151444492873"),
            "0.2986384422368598197570", "local"),
    Minimum(("-1.747552345830288898575", "0.8737761729151444492873"),
            "0.2986384422368598197570", "local"),
)
_SIN = "x**2 + 10*sin(x)"
_SIN_MINIMA = (
    Minimum(("-1.306440008369510959782",), "-7.945823375615283355485"),
    Minimum(("3.837467106499048719798",), "8.315585579477458844991", "local"),
)
_SIN_BAD = (
    "2: the x**2 part alone has limit 2/2 = 1, above it x grows like |1-2lr|^k; "
    "0.18-0.86 only oscillate or wander (exit 4)"
)

CASES: tuple[Case, ...] = (
    # --- two and more variables ---
    Case(
        "rosenbrock", "Rosenbrock", f"{W}; {SB}; {JY}",
        "(1 - x)**2 + 100*(y - x**2)**2", ("x", "y"),
        (Minimum(("1", "1"), "0"),), (-1.2, 1.0), 0, (0.399361, 1001.60),
        0.001, 60_000,
        "0.001: half of 2/λmax = 0.001997 at (1, 1), below 0.00133 at the classic start; "
        "the narrow valley (condition number 2508) makes it ≈44k steps",
        0.01,
        "0.01: 5x the limit; 0.002-0.006 only oscillate across the valley (exit 4), so this "
        "is the first round rate that diverges (at iteration 4)",
    ),
    Case(
        "booth", "Booth", f"{W}; {SB}; {JY}",
        "(x + 2*y - 7)**2 + (2*x + y - 5)**2", ("x", "y"),
        (Minimum(("1", "3"), "0"),), (0.0, 0.0), 0, (2.0, 18.0),
        0.1, 500,
        "0.1 = 2/(λmin+λmax), the optimal fixed step for this quadratic (limit 2/18 = 0.111)",
        0.125,
        "0.125: 1.125x the exact limit 1/9; the error grows by |1 - 18·lr| = 1.25 a step",
    ),
    Case(
        "matyas", "Matyas", f"{W}; {SB}; {JY}",
        "0.26*(x**2 + y**2) - 0.48*x*y", ("x", "y"),
        (Minimum(("0", "0"), "0"),), (10.0, -5.0), 0, (0.04, 1.0),
        1.5, 1_000,
        "1.5: 0.75x the exact limit 2/λmax = 2 (quadratic); λmin = 0.04 makes it slow",
        2.2,
        "2.2: 1.1x the exact limit 2; the error grows by |1 - 2.2| = 1.2 a step",
    ),
    Case(
        "beale", "Beale", f"{W}; {SB}; {JY}",
        "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2", ("x", "y"),
        (Minimum(("3", "0.5"), "0"),), (1.0, 1.0), 0, (0.301464, 48.9798),
        0.02, 6_000,
        "0.02: half of 2/λmax = 0.0408 at (3, 0.5) and below 0.0255 at the start (1, 1)",
        0.12,
        "0.12: 2.9x the limit; 0.041-0.08 oscillate (exit 4) before the y**3 terms blow up",
    ),
    Case(
        "camel3", "Three-hump camel", f"{W}; {SB}; {JY}",
        _CAMEL, ("x", "y"), _CAMEL_MINIMA, (-1.0, -1.0), 0, (1.58579, 4.41421),
        0.2, 200,
        "0.2: 0.44x 2/λmax = 0.453 at (0, 0); the start (-1, -1) is a saddle region",
        0.9,
        "0.9: 2x the limit; 0.46-0.68 oscillate (exit 4), 0.9 diverges at iteration 4",
    ),
    Case(
        "camel3-local", "Three-hump camel (local)", f"{W}; {SB}; minima by sympy",
        _CAMEL, ("x", "y"), _CAMEL_MINIMA, (2.0, -1.0), 1, (1.90245, 12.2506),
        0.05, 600,
        "0.05: below 2/λmax = 0.0595 at the start (2, -1) and 0.163 at the local minimum; "
        "from here GD stays in the local basin (lr 0.3 jumps to the global one)",
        0.9,
        "0.9: 5.5x the local limit; the x**6 term takes over (diverges at iteration 3)",
    ),
    Case(
        "himmelblau-1", "Himmelblau (start 4, 4)", f"{W}; {JY}",
        _HIMMELBLAU, ("x", "y"), _HIMMELBLAU_MINIMA, (4.0, 4.0), 0, (25.7157, 82.2843),
        0.005, 500, _HIMMELBLAU_LR, 0.05, _HIMMELBLAU_BAD,
    ),
    Case(
        "himmelblau-2", "Himmelblau (start -4, 4)", f"{W}; {JY}",
        _HIMMELBLAU, ("x", "y"), _HIMMELBLAU_MINIMA, (-4.0, 4.0), 1, (64.8404, 80.5501),
        0.005, 500, _HIMMELBLAU_LR, 0.05, _HIMMELBLAU_BAD,
    ),
    Case(
        "himmelblau-3", "Himmelblau (start -4, -4)", f"{W}; {JY}",
        _HIMMELBLAU, ("x", "y"), _HIMMELBLAU_MINIMA, (-4.0, -4.0), 2, (70.7144, 133.786),
        0.005, 500, _HIMMELBLAU_LR, 0.05, _HIMMELBLAU_BAD,
    ),
    Case(
        "himmelblau-4", "Himmelblau (start 4, -4)", f"{W}; {JY}",
        _HIMMELBLAU, ("x", "y"), _HIMMELBLAU_MINIMA, (4.0, -4.0), 3, (28.6907, 105.419),
        0.005, 500, _HIMMELBLAU_LR, 0.05, _HIMMELBLAU_BAD,
    ),
    Case(
        "sphere3", "Sphere (3-D)", f"{W}; {SB}; {JY}",
        "x**2 + y**2 + z**2", ("x", "y", "z"),
        (Minimum(("0", "0", "0"), "0"),), (1.0, -2.0, 3.0), 0, (2.0, 2.0),
        0.1, 300,
        "0.1: 0.1x the exact limit 2/2 = 1; each step multiplies x by 0.8",
        1.1,
        "1.1: 1.1x the exact limit 1; each step multiplies x by -1.2",
    ),
    Case(
        "styblinski-tang", "Styblinski-Tang (2-D)", f"{W}; {SB}",
        "(x**4 - 16*x**2 + 5*x + y**4 - 16*y**2 + 5*y)/2", ("x", "y"),
        (Minimum(("-2.903534027771177095119", "-2.903534027771177095119"),
                 "-78.33233140754283092779"),),
        (-1.0, -1.0), 0, (34.5831, 34.5831),
        0.025, 200,
        "0.025: 0.43x 2/λmax = 0.0578 at the minimum; f is concave at the start (no limit)",
        0.12,
        "0.12: 2.1x the limit; 0.058-0.087 oscillate (exit 4), 0.12 diverges",
    ),
    Case(
        "mccormick", "McCormick", f"{W}; {SB}",
        "sin(x + y) + (x - y)**2 - 1.5*x + 2.5*y + 1", ("x", "y"),
        (Minimum(("-0.5471975511965977461542", "-1.547197551196597746154"),
                 "-1.913222954981036392918"),),
        (0.0, 0.0), 0, (1.73205, 4.0),
        0.25, 200,
        "0.25: half of 2/λmax = 0.5; λmax = 4 (the (x - y)**2 direction) everywhere",
        0.55,
        "0.55: 1.1x the limit, which holds globally, so the error grows by 1.2 a step",
    ),
    # --- one variable ---
    Case(
        "quadratic", "Worked example x**2 - 4x + 6", "gdcli README/SPEC worked example",
        "x**2 - 4*x + 6", ("x",), (Minimum(("2",), "2"),), (8.0,), 0, (2.0, 2.0),
        0.1, 300,
        "0.1: the worked example; 0.1x the exact limit 2/f'' = 1",
        1.1,
        "1.1: 1.1x the exact limit 1; the error is multiplied by -1.2 a step",
    ),
    Case(
        "quartic", "Quartic x**4 - 3x**3 + 2", "textbook quartic (exact minimum 9/4)",
        "x**4 - 3*x**3 + 2", ("x",), (Minimum(("2.25",), "-6.54296875"),), (4.0,), 0,
        (20.25, 20.25),
        0.01, 300,
        "0.01: below 2/f'' = 0.0167 at the start (f'' = 120) and 0.0988 at x = 9/4",
        0.075,
        "0.075: below the limit at the minimum but 4.5x the one at the start: the first "
        "step overshoots to x < 0 where x**4 takes over",
    ),
    Case(
        "sin-global", "x**2 + 10 sin(x) (start 0)", "classic multimodal 1-D example",
        _SIN, ("x",), _SIN_MINIMA, (0.0,), 0, (11.6526, 11.6526),
        0.05, 200,
        "0.05: 0.29x 2/f'' = 0.172 at the global minimum; f'(0) = 10 > 0 sends x left",
        2.0, _SIN_BAD,
    ),
    Case(
        "sin-local", "x**2 + 10 sin(x) (start 3)", "classic multimodal 1-D example",
        _SIN, ("x",), _SIN_MINIMA, (3.0,), 1, (8.41057, 8.41057),
        0.1, 200,
        "0.1: 0.42x 2/f'' = 0.238 at the local minimum; f'(3) < 0 sends x right, "
        "away from the global minimum",
        2.0, _SIN_BAD,
    ),
    Case(
        "forrester", "Forrester et al. (2008)", SB,
        "(6*x - 2)**2*sin(12*x - 4)", ("x",),
        (Minimum(("0.7572487578418558700469",), "-6.020740055767082786554"),
         Minimum(("0.1425891893247163029315",), "-0.9863254063210814010385", "local")),
        (0.9,), 0, (1068.01, 1068.01),
        0.001, 100,
        "0.001: 0.53x 2/f'' = 0.00187 at x* (f'' = 1068); 0.031 at the start",
        0.01,
        "0.01: 5.3x the limit; 0.0019-0.0056 oscillate or settle at x = 1/3 "
        "(an inflection) or the local minimum",
    ),
    Case(
        "gramacy-lee", "Gramacy & Lee (2012)", SB,
        "sin(10*pi*x)/(2*x) + (x - 1)**4", ("x",),
        (Minimum(("0.5485634445276051840686",), "-0.8690111349894997698816"),),
        (0.6,), 0, (899.774, 899.774),
        0.001, 100,
        "0.001: 0.45x 2/f'' = 0.00222 at x* (published x* 0.548563444114526 is 4e-10 off "
        "the root of f')",
        0.1,
        "0.1: 45x the limit (diverges at iteration 4); up to 0.011 the run oscillates or "
        "lands in another well, 0.022-0.05 diverge only after 34-1137 steps",
    ),
    Case(
        "exp-quadratic", "(x - 3)**2 exp(x)", "(x-a)**2*exp(x) type, exact minimum 3",
        "(x - 3)**2*exp(x)", ("x",), (Minimum(("3",), "0"),), (2.0,), 0,
        (40.1711, 40.1711),
        0.02, 100,
        "0.02: 0.4x 2/f'' = 0.0498 at x = 3; f is concave at the start x = 2",
        100.0,
        "100: the step from 2 lands at 740.9 where exp overflows; smaller overshoots "
        "(0.025-5 from x0 = 4) land on the flat left tail, see the report",
    ),
    Case(
        "problem02", "Problem02 sin(x) + sin(10x/3)", G,
        "sin(x) + sin(10*x/3)", ("x",),
        (Minimum(("5.145735290256127957633",), "-1.899599349152113352000"),),
        (5.0,), 0, (11.9302, 11.9302),
        0.08, 100,
        "0.08: 0.48x 2/f'' = 0.168 at x*, below 0.199 at the start",
        1e8,
        "1e8: |f'| <= 13/3, so GD cannot blow up: 0.17-1.7 wander (exit 4); only a first "
        "step beyond gdcli's 1e6·max(1, |x0|) box with f above f(x0) counts as divergence",
    ),
    Case(
        "log-barrier", "x - log(x)", "textbook log-barrier example (not a benchmark suite)",
        "x - log(x)", ("x",), (Minimum(("1",), "1"),), (3.0,), 0, (1.0, 1.0),
        0.5, 200,
        "0.5: a quarter of 2/f'' = 2 at x = 1 (f'' = 1/x**2; 18 at the start)",
        6.0,
        "6: one step from 3 lands at -1, outside the domain of log (diverged at iteration 1)",
    ),
)


# --- running gdcli as a user does ---
def cli_args(case: Case, lr: float, *extra: str) -> list[str]:
    """``python -m gdcli minimize EXPR --x0=VAR=VALUE … --lr LR --max-iter N …``"""
    x0 = [f"--x0={v}={x!r}" for v, x in zip(case.variables, case.start, strict=True)]
    return [sys.executable, "-m", "gdcli", "minimize", case.expr, *x0,
            "--lr", repr(lr), "--max-iter", str(case.max_iter), *extra]


def run_cli(case: Case, lr: float, *extra: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run gdcli; return the finished process (text streams) and its wall time in s."""
    env = {**os.environ, "NO_COLOR": "1"}
    t0 = time.perf_counter()
    proc = subprocess.run(cli_args(case, lr, *extra), capture_output=True, text=True,
                          env=env, timeout=120)
    return proc, time.perf_counter() - t0


def shortest(v: float) -> str:
    """The shortest round-trip repr gdcli prints (``2`` for 2.0)."""
    r = repr(float(v))
    return r[:-2] if r.endswith(".0") else r


def distance(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return math.sqrt(sum((p - q) ** 2 for p, q in zip(a, b, strict=True)))
