"""The method registry in the engine: every method runs through the one generated loop,
hyperparameters are validated, Newton's fallback is noted, stopping rules stay true.
(Agreement with torch.optim is tests/test_torch_trajectories.py.)"""

from __future__ import annotations

import json
import math

import pytest

from gdcli.errors import InputError
from gdcli.optim.engine import iterate, run_quiet
from gdcli.optim.methods import METHODS
from gdcli.optim.problem import Problem
from gdcli.optim.setup import SCHEDULES, build_settings, lr_at

#: a learning rate at which each method settles on the worked example within 20,000 steps
WORKED_LR = {"gd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 1.0, "rmsprop": 0.05,
             "adam": 0.3, "newton": 1.0}


def test_every_method_has_a_tested_rate():
    assert set(WORKED_LR) == set(METHODS)


@pytest.mark.parametrize("name", list(METHODS))
def test_every_method_solves_the_worked_example(name):
    st = build_settings(name, WORKED_LR[name], max_iter=20_000)
    out = run_quiet(Problem("x**2-4*x+6"), [8], st)
    assert out.status == "converged", out.message
    assert abs(out.x[0] - 2) < 1e-6
    assert out.kind == "minimum"


@pytest.mark.parametrize("name", list(METHODS))
def test_every_method_in_two_variables(name):
    lr = {"gd": 0.05, "momentum": 0.02, "nesterov": 0.02, "adagrad": 1.0, "rmsprop": 0.02,
          "adam": 0.1, "newton": 1.0}[name]
    out = run_quiet(Problem("(x+2*y-7)**2 + (2*x+y-5)**2"), [0, 0],
                    build_settings(name, lr, max_iter=50_000))
    assert out.status == "converged", out.message
    assert out.x == pytest.approx((1, 3), abs=1e-6)


def test_the_default_lr_is_the_methods():
    assert build_settings("gd").lr == 0.1 and build_settings("newton").lr == 1.0
    assert build_settings("adam").hypers == (("beta1", 0.9), ("beta2", 0.999), ("eps", 1e-8))
    assert dict(build_settings("adagrad").hypers) == {"eps": 1e-10}
    assert dict(build_settings("rmsprop").hypers) == {"decay": 0.99, "eps": 1e-8}
    assert dict(build_settings("momentum").hypers) == {"momentum": 0.9}


# --- Newton ---
def test_newton_solves_a_quadratic_in_one_step(cli):
    doc = json.loads(cli("minimize", "x**2-4*x+6", "--x0", "8", "--method", "newton",
                         "--format", "json").stdout)
    assert doc["iterations"] == 1 and doc["x"]["x"] == 2.0 and doc["status"] == "converged"


def test_newton_on_rosenbrock_takes_a_handful_of_steps():
    out = run_quiet(Problem("(1-x)**2 + 100*(y-x**2)**2"), [-1.2, 1], build_settings("newton"))
    assert out.status == "converged" and out.iterations <= 8
    assert out.x == pytest.approx((1, 1), abs=1e-9)


def test_newton_notes_its_fallback_where_the_hessian_is_not_positive_definite(cli):
    r = cli("minimize", "x**3 - 3*x", "--x0", "-0.5", "--method", "newton", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["history"][0]["note"] == "Hessian not positive definite: gradient step"
    assert doc["history"][0]["lr"] == 1.0
    assert doc["status"] == "converged" and doc["x"]["x"] == pytest.approx(1)


def test_newton_notes_a_singular_hessian(cli):
    doc = json.loads(cli("minimize", "x**4 + y**2", "--x0=0,1", "--method", "newton",
                         "--format", "json").stdout)
    assert any(h.get("note") == "Hessian singular: gradient step" for h in doc["history"])


def test_newton_at_a_maximum_is_not_a_minimum():
    out = run_quiet(Problem("-x**2"), [0], build_settings("newton"))
    assert out.kind == "maximum" and "not a minimum" in out.message


# --- line search and schedules ---
def test_line_search_records_its_step_sizes(cli):
    r = cli("minimize", "(1-x)**2 + 100*(y-x**2)**2", "--x0=-1.2,1", "--method", "newton",
            "--line-search", "--format", "csv")
    lines = r.stdout.splitlines()
    assert lines[0] == "iter,x,y,f,grad_x,grad_y,lr" and r.exit_code == 0
    lrs = [float(line.split(",")[-1]) for line in lines[1:-1]]
    assert all(t in (1.0, 0.5, 0.25, 0.125, 0.0625) for t in lrs) and min(lrs) < 1


def test_line_search_decreases_f_at_every_step():
    gen = iterate(Problem("(1-x)**2 + 100*(y-x**2)**2"), [-1.2, 1],
                  build_settings("gd", 1.0, line_search=True, max_iter=200))
    rows = list(gen)
    fs = [r[1] for r in rows]
    assert all(b <= a for a, b in zip(fs, fs[1:]))


@pytest.mark.parametrize("schedule", [s for s in SCHEDULES if s != "constant"])
def test_schedules_set_each_steps_lr(cli, schedule):
    args = ["--schedule", schedule]
    r = cli("minimize", "x**2-4*x+6", "--x0", "8", *args, "--max-iter", "40", "--tol", "0",
            "--format", "json")
    doc = json.loads(r.stdout)
    st = build_settings("gd", schedule=schedule, max_iter=40, tol=0)
    lrs = [h["lr"] for h in doc["history"] if "lr" in h]
    assert lrs == [lr_at(st, k) for k in range(len(lrs))]
    assert lrs[0] == 0.1  # the first step uses the base lr


def test_a_schedule_that_decays_to_nothing_is_a_stall():
    out = run_quiet(Problem("x**2-4*x+6"), [8],
                    build_settings("gd", schedule="exp", gamma=0.5, max_iter=2000))
    assert out.status == "max_iter" and out.reason == "slow_descent"
    assert "stall, not convergence" in out.message


def test_adagrad_stalls_instead_of_converging():
    out = run_quiet(Problem("x**2-4*x+6"), [8], build_settings("adagrad", 0.1, max_iter=2000))
    assert out.status == "max_iter" and "AdaGrad" in out.message
    assert "not convergence" in out.message


def test_adam_near_a_minimum_jitters_rather_than_overshoots():
    out = run_quiet(Problem("abs(x - 1) + abs(y)"), [3, 2], build_settings("adam", 0.1,
                                                                             max_iter=3000))
    assert out.status == "max_iter"
    assert "stability limit" not in out.message


def test_momentum_does_not_claim_gds_stability_limit():
    out = run_quiet(Problem("x**2-4*x+6"), [8], build_settings("nesterov", 0.9))
    assert out.status == "diverged" and "2/f''" not in out.message


# --- validation ---
@pytest.mark.parametrize(("method", "hypers", "words"), [
    ("momentum", {"momentum": 1.0}, "0 ≤ momentum < 1"),
    ("momentum", {"momentum": -0.1}, "0 ≤ momentum < 1"),
    ("adam", {"beta1": 1.0}, "0 ≤ beta1 < 1"),
    ("adam", {"beta2": -1e-9}, "0 ≤ beta2 < 1"),
    ("adam", {"eps": 0.0}, "0 < eps"),
    ("rmsprop", {"decay": 0.0}, "0 < decay < 1"),
    ("rmsprop", {"decay": math.nan}, "0 < decay < 1"),
    ("adam", {"momentum": 0.5}, "not a hyperparameter of adam (its hyperparameters: --beta1"),
    ("gd", {"eps": 1e-3}, "not a hyperparameter of gd (its hyperparameters: none)"),
])
def test_hyperparameters_are_checked(method, hypers, words):
    with pytest.raises(InputError) as info:
        build_settings(method, None, hypers)
    assert words in info.value.message


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"method": "adamw"}, "did you mean 'adam'"),
    ({"method": "adam", "line_search": True}, "--line-search goes with gd, newton"),
    ({"gamma": 0.5}, "--gamma goes with --schedule step or exp or inverse"),
    ({"schedule": "cosine", "gamma": 0.5}, "not cosine"),
    ({"schedule": "exp", "gamma": 0.0}, "--gamma must be > 0"),
    ({"schedule": "step", "step_size": 0}, "--step-size must be at least 1"),
    ({"schedule": "cosine", "lr_min": 1.0}, "--lr-min must be between 0 and --lr"),
])
def test_method_options_are_checked(kwargs, words):
    with pytest.raises(InputError) as info:
        build_settings(**kwargs)
    assert words in info.value.render()


@pytest.mark.parametrize("args", [
    ["--method", "adam", "--momentum", "0.5"],
    ["--method", "nope"],
    ["--momentum", "1"],
    ["--method", "sgd"],
    ["--schedule", "linear"],
])
def test_bad_method_options_exit_2(cli, args):
    r = cli("minimize", "x**2", "--x0", "1", *args)
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_explain_writes_another_methods_step_as_its_step(cli):
    """--explain writes gd's x - lr*(f'(x)) only for gd: Adam's first step is lr long,
    not lr·f'(x) (8 - 0.1*(2*8 - 4) = 6.8 would be a false equation beside 7.9)."""
    r = cli("minimize", "x**2-4*x+6", "--x0", "8", "--method", "adam", "--explain")
    first = r.stdout.splitlines()[0]
    assert first == "x1 = 8 - 0.1 = 7.9   (Adam step from f'(8) = 2*8 - 4 = 12)"
    r = cli("minimize", "x**2-4*x+6", "--x0", "8", "--schedule", "exp", "--explain")
    assert r.stdout.splitlines()[1] == "x2 = 6.8 - 0.099*(2*6.8 - 4) = 5.8496"
    r = cli("minimize", "x**2-y**2", "--x0", "1,1", "--maximize", "--method", "adam",
            "--explain", "--max-iter", "3")
    assert r.stdout.splitlines()[1].startswith("y1 = 1 + (-0.1) = 0.9")
