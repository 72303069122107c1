"""Property tests for the parser and everything downstream of it (hypothesis).

(a) arbitrary text: ``parse`` raises nothing but InputError (within a work budget
    counted in function calls, not seconds), and for text that parses, simplify /
    derivative / to_str raise nothing but InputError and the printed form is a fixed
    point (parsed and printed again, it is the same text);
(b) valid random expressions over the registry's functions: they parse, mean what was
    written (checked numerically against an independent evaluation of the generated
    tree), and ``simplify(parse(to_str(simplify(parse(s)))))`` equals ``simplify(parse(s))``;
(c) derivatives agree with a Richardson-extrapolated central difference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from gdcli.errors import InputError
from gdcli.expr import functions as fn
from gdcli.expr.diff import derivative
from gdcli.expr.evaluate import evaluate
from gdcli.expr.nodes import Node
from gdcli.expr.parser import MAX_LENGTH, parse
from gdcli.expr.printer import to_str
from gdcli.expr.simplify import simplify

from .workcount import Work

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
#: Parsing anything must answer within this many function calls (tests/workcount.py): a
#: fixed allowance plus one per character, linear as the parser is (about 30 calls per
#: character today), whatever the machine's load.
PARSE_BASE_CALLS, PARSE_CALLS_PER_CHAR = 20_000, 200


# ============================================================================ (a)
#: characters of the grammar (so that a good share of random strings parse)
GRAMMAR_ALPHABET = "0123456789.eE+-*/^() ,xyzabcpisqrtlogexp"
#: whole tokens, Unicode spellings included
TOKENS = [
    *"0123456789", ".", "e", "E", "e-", "1e3", "2.5", ".5", "1e308", "1e-300", "1e200", "1024",
    "+", "-", "*", "/", "**", "^", "(", ")", ",", " ",
    "x", "y", "pi", "e", "π", "−", "×", "·", "²", "³", "⁻", "⁺", "¹", "⁰",
    *(f"{name}(" for name in fn.NAMES),
]


def _parse_timed(text: str) -> Node:
    """parse(text), asserting its work is within the budget (an InputError propagates)."""
    budget = PARSE_BASE_CALLS + PARSE_CALLS_PER_CHAR * len(text)
    w = Work()
    try:
        with w:
            return parse(text)
    finally:
        assert w.calls <= budget, f"parse made {w.calls} calls (budget {budget})"


def _pipeline(text: str) -> None:
    """The contract for any text; an InputError at any stage ends the check."""
    try:
        node = _parse_timed(text)
    except InputError as err:
        assert err.exit_code == 2
        err.render()
        return
    event("parsed")
    try:
        canon = simplify(node)
    except InputError:
        event("simplify: InputError")
        return
    printed = to_str(canon)
    try:
        again = parse(printed)
    except InputError as err:
        raise AssertionError(
            f"{text!r} simplifies to {printed[:200]!r}, which does not parse: "
            f"{err.message[:200]}"
        ) from None
    # the printed form is a fixed point: read back and printed, it is the same text
    assert to_str(simplify(again)) == printed, (text, printed, to_str(simplify(again)))
    try:
        d = derivative(node, "x")
    except InputError:
        event("derivative: InputError")
        return
    printed = to_str(d)
    if len(printed) <= MAX_LENGTH:
        assert to_str(simplify(parse(printed))) == printed, (text, printed)


@FUZZ
@given(st.text(st.characters(exclude_categories=()), max_size=60))
def test_any_unicode_text(text: str) -> None:
    _pipeline(text)


@FUZZ
@given(st.text(alphabet=GRAMMAR_ALPHABET, max_size=40))
def test_text_from_the_grammar_alphabet(text: str) -> None:
    _pipeline(text)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map("".join))
def test_token_soup(text: str) -> None:
    _pipeline(text)


@st.composite
def near_valid(draw) -> str:
    """A valid expression with a few tokens inserted, deleted or replaced."""
    text = draw(expressions()).text
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        tok = draw(st.sampled_from(TOKENS))
        if kind == "insert":
            text = text[:i] + tok + text[i:]
        elif kind == "delete":
            text = text[:i] + text[i + 1 :]
        else:
            text = text[:i] + tok + text[i + 1 :]
    return text


@FUZZ
@given(near_valid())
def test_mutated_expressions(text: str) -> None:
    _pipeline(text)


@FUZZ
@given(near_valid())
def test_printed_derivative_parses(text: str) -> None:
    """What `gdcli derive` prints can be pasted back (when within the length limit)."""
    try:
        d = derivative(parse(text), "x")
    except InputError:
        return
    printed = to_str(d)
    if len(printed) <= MAX_LENGTH:
        try:
            again = to_str(simplify(parse(printed)))
        except InputError as err:
            raise AssertionError(
                f"d/dx {text!r} prints as {printed[:200]!r}, which does not parse: "
                f"{err.message[:200]}"
            ) from None
        assert again == printed, f"d/dx {text!r}: {printed!r} reads back as {again!r}"


# ============================================================================ (b)
ADD, MUL, UNARY, POW, ATOM = 1, 2, 3, 4, 5
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


@dataclass(frozen=True)
class Expr:
    """A generated expression: an independent tree (``op``, ``args``) and its text."""

    op: str  # num var const add sub mul div neg pow call
    args: tuple
    text: str
    prec: int
    has_var: bool

    def wrap(self, at_least: int) -> str:
        return self.text if self.prec >= at_least else f"({self.text})"


NUMBER_LITERALS = [
    "0", "1", "2", "3", "5", "7", "10", "12", "0.5", "1.5", "2.25", "0.1", ".5", "3.",
    "1e2", "2.5E-1", "4e0",
]


def _num(text: str) -> Expr:
    value = Fraction(text + "0" if text.endswith(".") else text)
    return Expr("num", (value,), text, ATOM, False)


def _leaves(variables: tuple[str, ...]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.sampled_from(NUMBER_LITERALS).map(_num),
        st.sampled_from(variables).map(lambda v: Expr("var", (v,), v, ATOM, True)),
        st.sampled_from(["pi", "π", "e"]).map(
            lambda c: Expr("const", ("e" if c == "e" else "pi",), c, ATOM, False)
        ),
    )


def _sp(draw) -> str:
    return draw(st.sampled_from(["", " "]))


@st.composite
def _binary(draw, children):
    a, b = draw(children), draw(children)
    op = draw(st.sampled_from(["add", "sub", "mul", "div"]))
    s = _sp(draw)
    if op in ("add", "sub"):
        sym = "+" if op == "add" else draw(st.sampled_from(["-", "−"]))
        text = f"{a.text}{s}{sym}{s}{b.wrap(MUL)}"
        prec = ADD
    else:
        juxtapose = (
            op == "mul"
            and a.prec >= UNARY
            and b.prec >= POW
            and (b.text[0].isalpha() or b.text[0] in "(π")
            # `x (y)` and `pi (y)` are calls: a name before '(' is never a product
            and not (b.text[0] == "(" and (a.text[-1].isalpha() or a.text[-1] == "π"))
            and draw(st.booleans())
        )
        if juxtapose:
            text = f"{a.text} {b.text}"  # 2 x, 3 (x + 1), x sin(y)
        else:
            sym = draw(st.sampled_from(["*", "×", "·"])) if op == "mul" else "/"
            text = f"{a.wrap(MUL)}{s}{sym}{s}{b.wrap(UNARY)}"
        prec = MUL
    return Expr(op, (a, b), text, prec, a.has_var or b.has_var)


@st.composite
def _negation(draw, children):
    a = draw(children)
    sym = draw(st.sampled_from(["-", "−"]))
    return Expr("neg", (a,), f"{sym}{a.wrap(UNARY)}", UNARY, a.has_var)


@st.composite
def _power(draw, children, variables):
    base = draw(children)
    general = draw(st.booleans())
    if general:
        exp = draw(children)
        if not exp.has_var and not base.has_var:
            general = False  # number ** number must stay a small literal power
    if not general:
        if not base.has_var and base.op not in ("num", "const"):
            base = draw(st.sampled_from(NUMBER_LITERALS).map(_num))  # no (2**4)**4**…
        n = draw(st.integers(-3, 4))
        exp = Expr("num", (Fraction(n),), str(n), ATOM if n >= 0 else UNARY, False)
        style = draw(st.sampled_from(["**", "^", "superscript"]))
        if style == "superscript":
            sup = str(n).translate(SUPERSCRIPT)
            if n > 0 and draw(st.booleans()):
                sup = "⁺" + sup  # x⁺² is x**2
            return Expr("pow", (base, exp), base.wrap(ATOM) + sup, POW, base.has_var)
        text = f"{base.wrap(ATOM)}{style}{exp.text}"
        return Expr("pow", (base, exp), text, POW, base.has_var)
    text = f"{base.wrap(ATOM)}{draw(st.sampled_from(['**', '^']))}{exp.wrap(UNARY)}"
    return Expr("pow", (base, exp), text, POW, base.has_var or exp.has_var)


def _num_or_e(text: str) -> Expr:
    if text == "e":
        return Expr("const", ("e",), "e", ATOM, False)
    return _num(text)


@st.composite
def _call(draw, children):
    name = draw(st.sampled_from(sorted(fn.NAMES)))
    canonical = fn.NAMES[name]
    a = draw(children)
    args = (a,)
    if fn.FUNCTIONS[canonical].arity == 2 and draw(st.booleans()):
        base = draw(children)
        if not base.has_var:
            # a constant base must be a valid one (b > 0, b != 1): log(x, 0) is refused
            base = draw(st.sampled_from(["2", "10", "0.5", "e", "3.5"]).map(_num_or_e))
        args = (a, base)
    text = f"{name}({', '.join(x.text for x in args)})"
    return Expr("call", (canonical, *args), text, ATOM, any(x.has_var for x in args))


def expressions(variables: tuple[str, ...] = ("x", "y"), max_leaves: int = 10):
    """Valid gdcli expressions, as Expr (an independent tree plus its text)."""
    return st.recursive(
        _leaves(variables),
        lambda children: st.one_of(
            _binary(children),
            _negation(children),
            _power(children, variables),
            _call(children),
            children.map(lambda e: Expr(e.op, e.args, f"({e.text})", ATOM, e.has_var)),
        ),
        max_leaves=max_leaves,
    )


class Undefined(Exception):
    """The generated expression has no real value at this point."""


def reference_value(e: Expr, env: dict[str, float]) -> float:
    """The value of a generated tree, computed without gdcli's parser or nodes."""
    try:
        v = _ref(e, env)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise Undefined from None
    if not math.isfinite(v):
        raise Undefined
    return v


def _ref(e: Expr, env: dict[str, float]) -> float:
    op = e.op
    if op == "num":
        return float(e.args[0])
    if op == "var":
        return env[e.args[0]]
    if op == "const":
        return fn.CONSTANTS[e.args[0]]
    if op == "call":
        name, *args = e.args
        return float(fn.FUNCTIONS[name].real(*(reference_value(a, env) for a in args)))
    vals = [reference_value(a, env) for a in e.args]
    if op == "add":
        return vals[0] + vals[1]
    if op == "sub":
        return vals[0] - vals[1]
    if op == "mul":
        return vals[0] * vals[1]
    if op == "div":
        return vals[0] / vals[1]
    if op == "neg":
        return -vals[0]
    if op == "pow":
        return math.pow(vals[0], vals[1])
    raise AssertionError(op)


def value(node: Node, env: dict[str, float]) -> float:
    """gdcli's float value of a tree, Undefined outside the domain."""
    try:
        return evaluate(node, env)
    except InputError:  # DomainError, EvalOverflow
        raise Undefined from None


POINTS = [
    {"x": -2.7, "y": 0.6},
    {"x": -1.3, "y": -0.45},
    {"x": -0.6, "y": 1.9},
    {"x": 0.35, "y": -1.2},
    {"x": 0.8, "y": 0.3},
    {"x": 1.7, "y": 2.6},
    {"x": 2.4, "y": -2.2},
]


def close(a: float, b: float, rel: float) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


@FUZZ
@given(expressions())
def test_valid_expressions_parse(e: Expr) -> None:
    node = _parse_timed(e.text)
    _simplified(node)
    derivative(node, "x")


def _simplified(node):
    """simplify(node), skipping the one refusal a generated expression can meet: a log
    whose base simplifies to a constant 1 or <= 0 (log(y, x**0)), an input error."""
    try:
        return simplify(node)
    except InputError as err:
        assume("log(x, b) needs a base" not in err.message)
        raise


@FUZZ
@given(expressions())
def test_parse_means_what_was_written(e: Expr) -> None:
    node = parse(e.text)
    for env in POINTS:
        try:
            want = reference_value(e, env)
            got = value(node, env)
        except Undefined:
            continue
        assert close(got, want, 1e-9), f"{e.text!r} at {env}: parsed tree gives {got}, not {want}"


@FUZZ
@given(expressions())
def test_round_trip(e: Expr) -> None:
    canon = _simplified(parse(e.text))
    printed = to_str(canon)
    again = simplify(parse(printed))
    assert again == canon, (
        f"{e.text!r} -> {printed!r} -> {to_str(again)!r}\n  {canon!r}\n  {again!r}"
    )


@FUZZ
@given(expressions())
def test_simplify_keeps_the_value(e: Expr) -> None:
    node = parse(e.text)
    canon = _simplified(node)
    for env in POINTS:
        try:
            want = value(node, env)
            got = value(canon, env)
        except Undefined:
            continue
        assert close(got, want, 1e-6), (
            f"{e.text!r} at {env}: simplified {to_str(canon)!r} gives {got}, not {want}"
        )


# ============================================================================ (c)
def numeric_derivative(node: Node, x: float) -> float:
    """Richardson-extrapolated central difference; Undefined if not smooth/stable here."""
    h = 1e-3 * max(1.0, abs(x))
    values: dict[float, float] = {}

    def f(t: float) -> float:
        if t not in values:
            values[t] = value(node, {"x": t})
        return values[t]

    def central(step: float) -> float:
        return (f(x + step) - f(x - step)) / (2 * step)

    def richardson(step: float) -> float:
        return (4 * central(step / 2) - central(step)) / 3

    coarse, fine = richardson(h), richardson(h / 2)
    # rounding in f, amplified by 1/h: cot(pi) - x is -8e15 - x, and its slope is lost
    noise = 1e-14 * max(abs(v) for v in values.values()) / (h / 4)
    if noise > 1e-7 * max(1.0, abs(fine)) or not close(coarse, fine, 1e-6):
        raise Undefined  # a kink, a pole or cancellation nearby
    return fine


@FUZZ
@given(expressions(variables=("x",), max_leaves=8))
def test_derivative_matches_finite_differences(e: Expr) -> None:
    node = parse(e.text)
    d = derivative(node, "x")
    checked = 0
    for env in POINTS:
        x = env["x"]
        try:
            want = numeric_derivative(node, x)
        except Undefined:
            continue
        try:
            got = value(d, {"x": x})
        except Undefined:
            # outside the derivative's domain: skipped, as the brief says. Some of these
            # are gdcli bugs: d/dx 0**x is 0**x*log(0), undefined although 0**x is flat.
            event("derivative undefined where f is smooth")
            continue
        assert close(got, want, 1e-5), (
            f"d/dx {e.text!r} = {to_str(d)!r} gives {got} at x={x}; numerically {want}"
        )
        checked += 1
    event(f"points checked: {checked}")


# ============================================================================ found
# Inputs the properties above found (rarely, at a few hundred examples): kept here so
# that they fail deterministically until gdcli is fixed.

ROUND_TRIP_FOUND = [
    "1e-300²",  # 1/10**600: the denominator has 601 digits, 'number too large for float64'
    "1e-400",
    "0.5**1100",
    "1e308*7",  # 7e+308
    "1e200*1e200",
    "x/(1e-200*1e-200)",  # 1e+400*x
    "10**(300 + 300)",
    "(2**1023)*2",
    "1e3**-1e3",  # 1/1000**1000: 'constant power too large'
    "50**(50*50)",  # 50**2500
    "(2*x)**(50*50)",  # 2**2500*x**2500
    "(2*x)**1e300",
    "0⁻²",  # Pow(0, -2) prints as 1/0**2, which is Pow(0, -1)
    "((x**-1)/0)",  # printed 1/(0*x), which reads back as 1/0
    "x" + "**x" * 51,  # prints as x**(x**(…)): 102 levels of nesting
    "sin(x*" * 100 + "x" + ")" * 100,  # sin(x*x) prints as sin(x**2): 101 levels
    "x" + "**-x" * 50,  # prints as x**(-x**(…))
]


@pytest.mark.parametrize("text", ROUND_TRIP_FOUND, ids=[t[:24] for t in ROUND_TRIP_FOUND])
def test_round_trip_found(text: str) -> None:
    # The property: whatever gdcli accepts prints back in a form it accepts. An input
    # refused outright (a constant power beyond the exact bound) satisfies it trivially.
    try:
        canon = simplify(parse(text))
    except InputError as err:
        assert "too large" in err.message, err.message
        return
    printed = to_str(canon)
    try:
        again = parse(printed)
    except InputError as err:
        raise AssertionError(
            f"{text[:40]!r} simplifies to {printed[:60]!r}, which does not parse: {err.message}"
        ) from None
    assert simplify(again) == canon, f"{text!r} -> {printed!r} -> {to_str(simplify(again))!r}"


DERIVATIVE_PRINT_FOUND = [
    "acos(1e308x)",  # -1e+308/sqrt(1 - 1e+616*x**2)
    "1e308(x^74)",  # 7.4e+309*x**73
]


@pytest.mark.parametrize("text", DERIVATIVE_PRINT_FOUND)
def test_printed_derivative_found(text: str) -> None:
    printed = to_str(derivative(parse(text), "x"))
    try:
        parse(printed)
    except InputError as err:
        raise AssertionError(f"d/dx {text!r} prints as {printed!r}: {err.message}") from None


DERIVATIVE_DOMAIN_FOUND = [
    # f is flat here, but the general power rule leaves log(0) or log(negative) in f'
    ("0**x", 0.35),  # 0**x*log(0)
    ("(x - x)**(x - 0.5)", 0.8),
    # Known limitation: f' = u**v*(v'*log(u) + v*u'/u) with v = v' = 0 here; the product
    # 0*log(u) is 0 mathematically but log(u) cannot be evaluated, so f' is reported as
    # outside the domain. Kept as strict xfails so that a fix shows up.
    pytest.param("relu(x)**relu(x)", -2.7, marks=pytest.mark.xfail(strict=True)),  # 0**0
    pytest.param("tanh(x)**(1.5*relu(x))", -2.7, marks=pytest.mark.xfail(strict=True)),
]


@pytest.mark.parametrize(("text", "x"), DERIVATIVE_DOMAIN_FOUND)
def test_derivative_defined_where_function_is_smooth(text: str, x: float) -> None:
    node = parse(text)
    want = numeric_derivative(node, x)
    d = derivative(node, "x")
    try:
        got = value(d, {"x": x})
    except Undefined:
        raise AssertionError(
            f"d/dx {text} = {to_str(d)} is undefined at x={x}; the slope there is {want}"
        ) from None
    assert close(got, want, 1e-5)
