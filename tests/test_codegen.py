"""Generated code is built from validated trees only: no text the user typed reaches
compile()/exec(), and the generated code sees only the names it is given."""

import io
import keyword
import re
import tokenize

import pytest

from gdcli.expr import codegen, functions
from gdcli.optim.engine import Settings, loop_source, run_quiet
from gdcli.optim.problem import Problem

ALLOWED = re.compile(r"^(v|t|g|s|n)\d+$|^_f_\w+$|^(_pow|_sqrt|_INF|_loop|_values|k|k0|calm|"
                     r"lr|stop_k|gtol2|xtol2|small2|patience|xrun|gn2|ss2|ps2|r|fx|range|ValueError|"
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
def test_generated_loops_use_only_generated_names(text, rows):
    problem = Problem(text)
    src = loop_source(problem, rows=rows)
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

    def spy(source, entry):
        seen.append(source)
        return real(source, entry)

    monkeypatch.setattr(codegen, "build", spy)
    import gdcli.optim.engine as engine

    monkeypatch.setattr(engine, "build", spy)
    run_quiet(Problem("evil*x**2 + x"), [1.0, 1.0], Settings(max_iter=50))
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
