"""Generated code is built from validated trees only: no text the user typed reaches
compile()/exec(), and the generated code sees only the names it is given."""

import io
import keyword
import re
import tokenize

import pytest

from gdcli.expr import codegen, functions
from gdcli.optim.engine import Settings, loop_source, run_quiet
from gdcli.optim.methods import METHODS
from gdcli.optim.problem import Problem
from gdcli.optim.setup import SCHEDULES, build_settings

#: every method, every schedule, the line search: what the one generator may write
PLANS = [
    *(build_settings(m) for m in METHODS),
    *(build_settings("gd", schedule=sch) for sch in SCHEDULES),
    *(build_settings(m, line_search=True) for m in ("gd", "newton")),
]

ALLOWED = re.compile(r"^(v|t|g|s|n|p|lo|hi)\d+$|^h\d+_\d+$|^a_[A-Za-z]+\d+$|^[hc]_[a-z0-9]+$|"
                     r"^_f_\w+$|^(_pow|_sqrt|_INF|_cos|_PI|_newton|_armijo|_f|_loop|_values|k|k0|"
                     r"calm|lr|lrk|it|note|dirs|gamma|step_size|lr_min|t_max|stop_k|gtol2|xtol2|"
                     r"small2|patience|xrun|gn2|ss2|ps2|pk|sx2|glim2|ilr2|w|r|fx|range|ValueError|"
                     r"ZeroDivisionError|OverflowError)$")

PROBLEMS = [
    "system*os + evil**2",
    "theta**2 + sin(builtins*theta) + exec_*compile_",
    "w1*x + b - log(1 + exp(-(w1*x + b)))",
    "(1-x)**2 + 100*(y-x**2)**2",
    "sigmoid(a)*softplus(b) + relu(c) + abs(d) + 1e300*e**a",
]


def identifiers(src):
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type == tokenize.NAME and not keyword.iskeyword(tok.string):
            yield tok.string


@pytest.mark.parametrize("text", PROBLEMS)
@pytest.mark.parametrize("rows", [True, False])
@pytest.mark.parametrize("st", PLANS, ids=lambda st: f"{st.method}-{st.schedule}"
                         + ("-ls" if st.line_search else ""))
def test_generated_loops_use_only_generated_names(text, rows, st):
    problem = Problem(text)
    src = loop_source(problem, rows=rows, settings=st)
    names = set(identifiers(src))
    assert all(ALLOWED.match(n) for n in names), sorted(n for n in names if not ALLOWED.match(n))
    assert names.isdisjoint(problem.variables)  # variables are v0, v1, … in the code
    for n in names:
        if n.startswith("_f_"):
            assert n[3:] in functions.FUNCTIONS


def test_every_compiled_source_is_checked(monkeypatch):
    """Whatever reaches compile() during a run was generated here, with allowed names."""
    seen = []
    real = codegen.build

    def spy(source, entry, extra=None):
        seen.append(source)
        return real(source, entry, extra)

    monkeypatch.setattr(codegen, "build", spy)
    import gdcli.optim.loopgen as loopgen

    monkeypatch.setattr(loopgen, "build", spy)
    for st in PLANS:
        run_quiet(Problem("evil*x**2 + x"), [1.0, 1.0],
                  Settings(**{**st.__dict__, "max_iter": 50}))
    assert seen
    for src in seen:
        names = set(identifiers(src))
        assert all(ALLOWED.match(n) for n in names), names
        assert "evil" not in src


def test_the_namespace_has_no_builtins():
    ns = codegen.namespace()
    assert ns["__builtins__"] == {}
    assert set(ns) - {"__builtins__"} <= {
        "_pow", "_sqrt", "_INF", "range", "ValueError", "ZeroDivisionError", "OverflowError",
        *(f"_f_{n}" for n in functions.FUNCTIONS),
    }
