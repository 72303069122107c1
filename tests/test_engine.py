"""The engine yields records and decides convergence/divergence; it never prints."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdcli.errors import InputError
from gdcli.optim.analysis import stability
from gdcli.optim.engine import Settings, iterate, loop_source, run_quiet
from gdcli.optim.poly import stationary_points
from gdcli.optim.problem import Problem


def run_rows(text, x0, **kw):
    gen = iterate(Problem(text), x0, Settings(**kw))
    rows = []
    try:
        while True:
            rows.append(next(gen))
    except StopIteration as stop:
        return rows, stop.value


def test_worked_example_rows():
    rows, out = run_rows("x**2-4*x+6", [8], lr=0.1)
    xs = [r[2] for r in rows]
    assert xs[:5] == [8.0, 6.8, 5.84, 5.072, 4.4576]
    assert rows[0] == (0, 38.0, 8.0, 12.0, 1.2000000000000002)
    assert out.status == "converged"
    assert abs(out.x[0] - 2) < 1e-8
    assert out.iterations == len(rows) - 1
    assert rows[-1][4] is None  # the last row has no step


def test_rows_are_states_and_steps():
    rows, _ = run_rows("x**2-4*x+6", [8], lr=0.1)
    for a, b in zip(rows, rows[1:]):
        assert b[2] == a[2] - a[4]  # x_{k+1} = x_k - step_k


PROBLEMS = [
    ("x**2-4*x+6", [8], 0.1),
    ("x**2-4*x+6", [8], 1.1),
    ("x**2-4*x+6", [8], 1.0),
    ("x**4 - 3*x**3 + 2", [4], 0.01),
    ("(1-x)**2 + 100*(y-x**2)**2", [-1.2, 1], 0.001),
    ("(1-x)**2 + 100*(y-x**2)**2", [-1.2, 1], 0.01),
    ("log(x) + x**2", [3], 0.9),
    ("sigmoid(x)", [-800], 0.1),
    ("x - log(x)", [3], 0.5),
    ("(x+2*y-7)**2 + (2*x+y-5)**2", [0, 0], 0.05),
    ("-x**2", [1], 0.1),  # unbounded below: f falls off float64 at the same step in both
    ("x**2", [1], 1e308),  # the step itself overflows
    ("exp(x)", [1], 1e10),  # a vanishing gradient far out
    ("sin(x)+sin(10*x/3)", [5], 0.5),  # wanders at the limit
]


@pytest.mark.parametrize(("text", "x0", "lr"), PROBLEMS)
def test_quiet_run_agrees_with_the_recorded_run(text, x0, lr):
    _, recorded = run_rows(text, x0, lr=lr, max_iter=3000)
    quiet = run_quiet(Problem(text), x0, Settings(lr=lr, max_iter=3000))
    assert quiet.message == recorded.message
    assert (quiet.status, quiet.reason, quiet.iterations) == (
        recorded.status, recorded.reason, recorded.iterations)
    assert quiet.x == recorded.x


def test_divergence_stops_at_once():
    out = run_quiet(Problem("x**2-4*x+6"), [8], Settings(lr=1.1))
    assert out.status == "diverged" and out.reason == "runaway"
    assert out.iterations < 100
    assert "iteration" in out.message and "smaller --lr" in out.message


def test_overflow_is_divergence_not_nan():
    rows, out = run_rows("(1-x)**2 + 100*(y-x**2)**2", [-1.2, 1], lr=0.01)
    assert out.status == "diverged"
    for r in rows:
        assert all(math.isfinite(v) for v in r if v is not None)


def test_oscillation_ends_at_the_limit_and_says_so():
    out = run_quiet(Problem("x**2-4*x+6"), [8], Settings(lr=1.0, max_iter=500))
    assert out.status == "max_iter" and out.reason == "oscillation"
    assert "oscillate" in out.message


def test_slow_progress_is_not_convergence():
    out = run_quiet(Problem("x**2"), [1], Settings(lr=1e-6, max_iter=100))
    assert out.status == "max_iter" and out.reason == "slow_descent"


def test_underflowed_gradient_is_not_convergence():
    out = run_quiet(Problem("sigmoid(x)"), [-800], Settings())
    assert out.status == "max_iter" and out.reason == "vanishing_gradient"
    assert "vanishing gradient" in out.message


def test_flat_minimum_is_convergence():
    out = run_quiet(Problem("relu(x)"), [-3], Settings())
    assert out.status == "converged" and out.iterations == 0


def test_leaving_the_domain_is_divergence():
    out = run_quiet(Problem("log(x) + x**2"), [3], Settings(lr=0.9))
    assert out.status == "diverged" and out.reason == "domain"
    assert "log" in out.message


def test_start_outside_the_domain_is_an_input_error():
    with pytest.raises(InputError, match="outside the domain"):
        run_quiet(Problem("log(x)"), [-1], Settings())


def test_unbounded_below():
    out = run_quiet(Problem("-x**2"), [1], Settings())
    assert out.status == "diverged" and "without bound" in out.message


def test_distant_minimum_is_not_a_runaway():
    out = run_quiet(Problem("(x - 1e7)**2"), [0], Settings(lr=0.1))
    # --xtol is relative: within 1e-10*(1 + |x|) of the limit, about 1e-3 here
    assert out.status == "converged" and abs(out.x[0] - 1e7) < 2e-3


def test_generated_code_holds_no_user_text():
    src = loop_source(Problem("theta**2 + system*sin(theta)"), rows=True)
    assert "theta" not in src and "system" not in src
    assert "v0" in src and "v1" in src


@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(0.1, 10), b=st.floats(-5, 5), c=st.floats(-1, 1),
    x0=st.floats(-10, 10), lr=st.floats(0.001, 1.5),
)
def test_reported_convergence_is_real(a, b, c, x0, lr):
    """Whatever the learning rate (including chaotic ones), 'converged' means a stationary
    point: the gradient within --tol, or (--xtol, machine precision) a root of f' within
    a relative 1e-8 of the final point."""
    text = f"{a}*x**2 + {b}*x + {c}*x**4"
    rows, out = run_rows(text, [x0], lr=lr, max_iter=2000)
    assert out.status in ("converged", "diverged", "max_iter")
    if out.status == "converged":
        x, g = rows[-1][2], rows[-1][3]
        assert rows[-1][4] is None
        if abs(g) > 1e-8:
            curvature = abs(2 * a + 12 * c * x * x)
            assert abs(g) / curvature <= 1e-8 * (1 + abs(x)), out.message


def test_stationary_points_of_polynomials():
    pts = stationary_points(Problem("x**2-4*x+6"))
    assert [(p.text, p.kind) for p in pts] == [("2", "minimum")]
    assert [(p.text, p.kind) for p in stationary_points(Problem("x**3 - 3*x"))] == [
        ("-1", "maximum"), ("1", "minimum")]
    assert [p.kind for p in stationary_points(Problem("x**3"))] == ["inflection"]
    pts = stationary_points(Problem("x**4 - 3*x**3 + 2"))
    assert [(p.text, p.kind) for p in pts] == [("0", "inflection"), ("9/4", "minimum")]
    assert stationary_points(Problem("sin(x)")) is None
    assert stationary_points(Problem("x*y")) is None


def test_stability_limit():
    s = stability(Problem("x**2-4*x+6"), [8])
    assert s.exact and s.limit == 1.0
    s = stability(Problem("(x+2*y-7)**2 + (2*x+y-5)**2"), [0, 0])
    assert s.exact and s.limit == pytest.approx(2 / 18)
    s = stability(Problem("x**4"), [1])
    assert not s.exact and s.limit == pytest.approx(2 / 12)
