"""A fixed corpus of expressions in gdcli syntax, and a SymPy oracle reader for them.

``CORPUS`` is built once at import from hand-written textbook and machine-learning cases
plus seeded random compositions (``random.Random(SEED)``: the same list on every run and
machine). ``to_sympy`` reads gdcli syntax (a corpus string or a printed derivative) into
SymPy without ``eval`` of anything outside a whitelist: the text is checked against the
gdcli alphabet, every identifier is bound explicitly in ``local_dict``, and SymPy's parser
runs with an empty ``__builtins__``.

The corpus strings use only ``**`` (never ``^``) and explicit ``*``, so SymPy's parser
reads them as written. Nothing here imports gdcli: the oracle is independent of the code
it checks.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable

import sympy

SEED = 20240611

#: The variables of several-variable cases (x dominates single-variable ones).
VARIABLES = ("x", "y", "z", "w1", "theta")

# --------------------------------------------------------------------------------------
# SymPy reader
# --------------------------------------------------------------------------------------


def _log(u, base=None):
    return sympy.log(u) if base is None else sympy.log(u) / sympy.log(base)


def _sigmoid(u):
    return 1 / (1 + sympy.exp(-u))


def _softplus(u):
    return sympy.log(1 + sympy.exp(u))


def _relu(u):
    return sympy.Max(0, u)


def _heaviside(u):
    return sympy.Heaviside(u, 0)  # gdcli's convention: H(0) = 0


def _cbrt(u):
    return sympy.sign(u) * sympy.Abs(u) ** sympy.Rational(1, 3)  # the real cube root


def _acot(u):
    # gdcli's convention, values in (0, pi); SymPy's acot is atan(1/u), which differs by pi
    # for u < 0 and has the same derivative away from 0
    return sympy.pi / 2 - sympy.atan(u)


def _leaky_relu(u, a=None):
    a = sympy.Rational(1, 100) if a is None else a  # torch's default slope
    return sympy.Max(0, u) + a * sympy.Min(0, u)


def _gelu(u):
    return u * (1 + sympy.erf(u / sympy.sqrt(2))) / 2


#: gdcli function name (aliases included) -> SymPy callable, as a SymPy user writes them.
ELEMENTARY: dict[str, Callable] = {
    "exp": sympy.exp,
    "log": _log,
    "ln": _log,
    "log2": lambda u: sympy.log(u) / sympy.log(2),
    "log10": lambda u: sympy.log(u) / sympy.log(10),
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "csc": sympy.csc,
    "sec": sympy.sec,
    "cot": sympy.cot,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "atan": sympy.atan,
    "arcsin": sympy.asin,
    "arccos": sympy.acos,
    "arctan": sympy.atan,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "sigmoid": _sigmoid,
    "softplus": _softplus,
    "relu": _relu,
    "heaviside": _heaviside,
    "sign": sympy.sign,
    # rows added with the textbook notation (issue 7)
    "cbrt": _cbrt,
    "asec": sympy.asec,
    "acsc": sympy.acsc,
    "acot": _acot,
    "arcsec": sympy.asec,
    "arccsc": sympy.acsc,
    "arccot": _acot,
    "asinh": sympy.asinh,
    "acosh": sympy.acosh,
    "atanh": sympy.atanh,
    "arcsinh": sympy.asinh,
    "arccosh": sympy.acosh,
    "arctanh": sympy.atanh,
    "arsinh": sympy.asinh,
    "arcosh": sympy.acosh,
    "artanh": sympy.atanh,
    "erf": sympy.erf,
    "leaky_relu": _leaky_relu,
    "gelu": _gelu,
}

#: Functions kept as single undefined SymPy functions with ``opaque=True``.
OPAQUE = ("sigmoid", "softplus", "relu", "heaviside", "sign", "leaky_relu", "gelu")

CONSTANTS = {"e": sympy.E, "pi": sympy.pi}

_ALPHABET = re.compile(r"[0-9A-Za-z_+\-*/^()., \t]*")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SAFE_GLOBALS = {
    "__builtins__": {},
    "Integer": sympy.Integer,
    "Float": sympy.Float,
    "Rational": sympy.Rational,
}
_TRANSFORMS = (
    sympy.parsing.sympy_parser.auto_number,
    sympy.parsing.sympy_parser.convert_xor,
)


def symbol(name: str) -> sympy.Symbol:
    """The SymPy symbol a gdcli variable reads as (real, so Abs and sign simplify)."""
    return sympy.Symbol(name, real=True)


def variables(text: str) -> list[str]:
    """The variable names of a gdcli-syntax string, sorted."""
    names = set(_IDENT.findall(text)) - set(ELEMENTARY) - set(CONSTANTS)
    return sorted(names)


def to_sympy(text: str, opaque: bool = False) -> sympy.Expr:
    """Read gdcli syntax as a SymPy expression.

    ``opaque=False`` expands sigmoid, softplus, relu, heaviside and sign into SymPy's
    elementary forms (the mathematical function); ``opaque=True`` keeps them as undefined
    functions of one argument, so ``count_ops`` counts ``sigmoid(x)`` as one operation,
    as a reader of gdcli's output sees it.
    """
    if not _ALPHABET.fullmatch(text) or "__" in text:
        raise ValueError(f"not gdcli syntax: {text!r}")
    local: dict[str, object] = dict(ELEMENTARY)
    if opaque:
        local.update({name: sympy.Function(name) for name in OPAQUE})
    local.update(CONSTANTS)
    for name in variables(text):
        if name.startswith("_"):
            raise ValueError(f"not a gdcli variable: {name!r}")
        local[name] = symbol(name)
    return sympy.parse_expr(
        text, local_dict=local, global_dict=dict(_SAFE_GLOBALS), transformations=_TRANSFORMS
    )


# --------------------------------------------------------------------------------------
# Hand-written cases: calculus exercises and machine-learning losses
# --------------------------------------------------------------------------------------

HANDWRITTEN: list[str] = [
    # polynomials and the power rule
    "x**2",
    "x**3 - 2*x + 1",
    "3*x**4 - 5*x**2 + 7*x - 2",
    "x**10",
    "(x - 1)**5",
    "(3*x - 1)**7",
    "(x**2 + 1)**10",
    "(2*x**3 - x)**4",
    "x**(-2)",
    "1/x",
    "1/x**3",
    "5/x**4 - 2/x",
    "1/(1 + x)**2",
    "x**(1/2)",
    "x**(2/3)",
    "x**(-3/2)",
    "x**0.5",
    "x**2.5",
    "sqrt(x)",
    "sqrt(x**2 + 1)",
    "sqrt(1 - x**2)",
    "1/sqrt(1 - x**2)",
    "x*sqrt(x + 1)",
    "sqrt(x)/(x + 1)",
    "(x**2 + 1)**(1/3)",
    "x**(1/3)*(x - 1)**2",
    # quotient rule
    "(x**2 + 1)/(x - 1)",
    "(2*x + 3)/(x**2 + 1)",
    "x/(1 + x**2)",
    "(x - 1)/(x + 1)",
    "(x**3 - 1)/(x**2 + x + 1)",
    "1/(x**2 - 4)",
    "(1 - x)/(1 + x)**2",
    # exponentials
    "exp(x)",
    "exp(-x)",
    "exp(x**2)",
    "x*exp(-x**2)",
    "x**2*exp(x)",
    "exp(x)*sin(x)",
    "exp(-x)*cos(2*x)",
    "exp(sin(x))",
    "exp(x)/(1 + exp(x))",
    "1/(1 + exp(-x))",
    "(exp(x) - exp(-x))/(exp(x) + exp(-x))",
    "2**x",
    "10**x",
    "3**(2*x)",
    "0.5**x",
    "e**x",
    "e**(2*x)",
    "e**(-x**2)",
    "x*2**x",
    # trigonometry
    "sin(x)**2*cos(x)",
    "tan(x)**3",
    "sin(x)*cos(x)",
    "sin(x)/x",
    "x*sin(x)",
    "x**2*cos(x)",
    "cos(x)**2 - sin(x)**2",
    "sin(x)**2 + cos(x)**2",
    "sin(2*x)",
    "cos(3*x + 1)",
    "tan(x**2)",
    "sec(x)*tan(x)",
    "csc(x)*cot(x)",
    "sec(x)**2",
    "cot(x)**2 + 1",
    "sin(cos(x))",
    "cos(sin(tan(x)))",
    "sin(x)**3/(1 + cos(x))",
    "x*tan(x) - log(sec(x))",
    # logarithms
    "log(x)",
    "ln(x)",
    "ln(2*x + 1)",
    "log(x**2 + 1)",
    "log(sin(x))",
    "log(cos(x))",
    "log(1 + exp(x))",
    "log(x)/x",
    "x*log(x)",
    "x*log(x) - x",
    "log(x)**2",
    "log(log(x))",
    "log((x + 1)/(x - 1))",
    "log(x, 2)",
    "log(x, 10)",
    "log(x**2, 3)",
    "log(3*x + 1, e)",
    "log(2, x)",
    "log(x, x + 1)",
    "log(y, x)",
    "log2(x)",
    "log2(x**2 + 1)",
    "log10(x)",
    "log10(x**2 + 1)",
    # general powers
    "x**x",
    "x**(1/x)",
    "x**sin(x)",
    "sin(x)**x",
    "(1 + 1/x)**x",
    "x**log(x)",
    "(x**2 + 1)**x",
    "x**y",
    # inverse trigonometric and hyperbolic
    "asin(x)",
    "acos(x)",
    "atan(x)",
    "arcsin(x)",
    "arccos(2*x)",
    "arctan(x**2)",
    "asin(x**2)",
    "atan(1/x)",
    "atan(y/x)",
    "acos(sqrt(x))",
    "x*asin(x) + sqrt(1 - x**2)",
    "sinh(x)",
    "cosh(x)",
    "tanh(x)",
    "tanh(x)**2",
    "sinh(x)*cosh(x)",
    "log(cosh(x))",
    "cosh(x)**2 - sinh(x)**2",
    # absolute value and steps
    "abs(x)",
    "abs(x - 2)",
    "abs(x)**3",
    "abs(sin(x))",
    "x*abs(x)",
    "sign(x)",
    "sign(x)*x**2",
    "heaviside(x)*x",
    "heaviside(x - 1)",
    # constants
    "pi*x**2",
    "e*x",
    "pi**x",
    "x**pi",
    "x**e",
    "e**pi*x",
    "sin(pi*x)",
    "cos(pi*x/2)",
    "exp(pi*x)",
    "4/3*pi*x**3",
    # machine learning
    "sigmoid(x)",
    "sigmoid(w*x + b)",
    "sigmoid(3*x - 1)",
    "softplus(x)",
    "softplus(w*x + b)",
    "relu(x)",
    "relu(w*x + b)",
    "tanh(w*x + b)",
    "(w1*x + b - y)**2",
    "log(1 + exp(-y*(w1*x + b)))",
    "-y*log(sigmoid(w*x + b)) - (1 - y)*log(1 - sigmoid(w*x + b))",
    "(sigmoid(w1*x + b) - y)**2",
    "softplus(theta*x) - theta*y",
    "relu(w1*x + b)*z",
    "tanh(w1*x + b)**2",
    "log(sigmoid(theta))",
    "sigmoid(x)*(1 - sigmoid(x))",
    "x*sigmoid(x)",
    "x*sigmoid(1.702*x)",
    "exp(-theta**2/2)/sqrt(2*pi)",
    "log(exp(x) + exp(y))",
    # several variables and optimisation test functions
    "x**2*y + y**3",
    "x*y*z",
    "sin(x*y) + cos(y*z)",
    "exp(x*y*z)",
    "x**2 + y**2 + z**2",
    "sqrt(x**2 + y**2)",
    "log(x**2 + y**2)",
    "x/y",
    "(x + y)/(x - y)",
    "theta**2*sin(theta)",
    "sin(theta)*cos(theta)",
    "x*cos(theta) + y*sin(theta)",
    "x*exp(-(x**2 + y**2))",
    "z*log(z) + w1**2",
    "(1 - x)**2 + 100*(y - x**2)**2",
    "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
    "(x + 2*y - 7)**2 + (2*x + y - 5)**2",
    "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
    "10 + x**2 - 10*cos(2*pi*x)",
    "0.26*(x**2 + y**2) - 0.48*x*y",
    "-20*exp(-0.2*sqrt(0.5*(x**2 + y**2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y))) + e + 20",
    # sums of many terms
    "x + x**2/2 + x**3/6 + x**4/24 + x**5/120",
    "x + 2*x**2 + 3*x**3 + 4*x**4 + 5*x**5 + 6*x**6 + 7*x**7 + 8*x**8",
    "sin(x) + cos(x) + tan(x) + exp(x) + log(x) + sqrt(x)",
    "x - x**3/6 + x**5/120 - x**7/5040",
    "x*y + y*z + z*w1 + w1*theta + theta*x",
]

# --------------------------------------------------------------------------------------
# Generated cases
# --------------------------------------------------------------------------------------

# Operator precedence used for parenthesising generated text.
_ADD, _MUL, _NEG, _POW, _ATOM = 1, 2, 3, 4, 5


class _E:
    """A generated expression: its text, precedence and a float evaluator."""

    __slots__ = ("text", "prec", "f", "depth")

    def __init__(self, text: str, prec: int, f: Callable[[dict], float], depth: int) -> None:
        self.text, self.prec, self.f, self.depth = text, prec, f, depth


def _wrap(e: _E, at_least: int) -> str:
    return e.text if e.prec >= at_least else f"({e.text})"


def _safe(g: Callable[..., float]) -> Callable[..., float]:
    def h(*a: float) -> float:
        try:
            v = g(*a)
        except (ValueError, ZeroDivisionError, OverflowError):
            return math.nan
        return v if isinstance(v, float | int) else math.nan

    return h


def _sig(u: float) -> float:
    return 1 / (1 + math.exp(-u)) if u > -700 else 0.0


#: Float versions of every gdcli function, for screening generated cases for a domain.
_FLOAT: dict[str, Callable[..., float]] = {
    name: _safe(g)
    for name, g in {
        "exp": math.exp,
        "log": lambda u: math.log(u),
        "log2": math.log2,
        "log10": math.log10,
        "sqrt": math.sqrt,
        "abs": abs,
        "sin": math.sin,
        "cos": math.cos,
        "tan": math.tan,
        "csc": lambda u: 1 / math.sin(u),
        "sec": lambda u: 1 / math.cos(u),
        "cot": lambda u: 1 / math.tan(u),
        "asin": math.asin,
        "acos": math.acos,
        "atan": math.atan,
        "sinh": math.sinh,
        "cosh": math.cosh,
        "tanh": math.tanh,
        "sigmoid": _sig,
        "softplus": lambda u: max(u, 0.0) + math.log1p(math.exp(-abs(u))),
        "relu": lambda u: max(u, 0.0),
        "sign": lambda u: float((u > 0) - (u < 0)),
        "heaviside": lambda u: 1.0 if u > 0 else 0.0,
        "ln": lambda u: math.log(u),
        "arcsin": math.asin,
        "arccos": math.acos,
        "arctan": math.atan,
        "cbrt": lambda u: math.copysign(abs(u) ** (1 / 3), u),
        "asec": lambda u: math.acos(1 / u),
        "acsc": lambda u: math.asin(1 / u),
        "acot": lambda u: math.pi / 2 - math.atan(u),
        "asinh": math.asinh,
        "acosh": math.acosh,
        "atanh": math.atanh,
        "erf": math.erf,
        "leaky_relu": lambda u, a=0.01: u if u > 0 else a * u,
        "gelu": lambda u: u * (1 + math.erf(u / math.sqrt(2))) / 2,
        "arcsec": lambda u: math.acos(1 / u),
        "arccsc": lambda u: math.asin(1 / u),
        "arccot": lambda u: math.pi / 2 - math.atan(u),
        "arcsinh": math.asinh,
        "arccosh": math.acosh,
        "arctanh": math.atanh,
        "arsinh": math.asinh,
        "arcosh": math.acosh,
        "artanh": math.atanh,
    }.items()
}

#: The functions the seeded generator draws from (kept as they were, so that the
#: generated corpus stays the same list).
_SEEDED_NAMES = (
    "exp", "log", "log2", "log10", "sqrt", "abs", "sin", "cos", "sec", "csc", "tan", "cot",
    "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "softplus", "relu", "sign",
    "heaviside",
)  # fmt: skip
_SEEDED_ALIASES = ("ln", "arcsin", "arccos", "arctan")
#: Rows added later, with cases of their own generated from another seed.
NEW_NAMES = (
    "cbrt", "asec", "acsc", "acot", "asinh", "acosh", "atanh", "erf", "leaky_relu", "gelu",
)  # fmt: skip
NEW_ALIASES = (
    "arcsec", "arccsc", "arccot", "arcsinh", "arccosh", "arctanh", "arsinh", "arcosh", "artanh",
)  # fmt: skip
#: Every function of the gdcli language (must match gdcli.expr.functions.FUNCTIONS; the
#: oracle test checks that it does).
FUNCTION_NAMES = _SEEDED_NAMES + NEW_NAMES
ALIASES = _SEEDED_ALIASES + NEW_ALIASES

_pow = _safe(math.pow)


def _var(name: str) -> _E:
    return _E(name, _ATOM, lambda env: env[name], 0)


def _num(v: int | float | str) -> _E:
    text = str(v)
    if text in ("pi", "e"):
        val = math.pi if text == "pi" else math.e
        return _E(text, _ATOM, lambda env: val, 0)
    if "/" in text:
        p, q = text.split("/")
        val = int(p) / int(q)
        return _E(text, _MUL, lambda env: val, 0)
    val = float(v)
    return _E(text, _ATOM if val >= 0 else _NEG, lambda env: val, 0)


def _call(name: str, *args: _E) -> _E:
    g = _FLOAT[name]
    text = f"{name}({', '.join(a.text for a in args)})"
    depth = 1 + max(a.depth for a in args)
    if name == "log" and len(args) == 2:
        u, b = args
        return _E(text, _ATOM, _safe(lambda env: math.log(u.f(env)) / math.log(b.f(env))), depth)
    (u,) = args
    return _E(text, _ATOM, lambda env: g(u.f(env)), depth)


def _bin(op: str, a: _E, b: _E) -> _E:
    depth = 1 + max(a.depth, b.depth)
    if op == "+":
        return _E(f"{a.text} + {_wrap(b, _MUL)}", _ADD, lambda env: a.f(env) + b.f(env), depth)
    if op == "-":
        return _E(f"{a.text} - {_wrap(b, _MUL)}", _ADD, lambda env: a.f(env) - b.f(env), depth)
    if op == "*":
        text = f"{_wrap(a, _MUL)}*{_wrap(b, _POW)}"
        return _E(text, _MUL, lambda env: a.f(env) * b.f(env), depth)
    if op == "/":
        text = f"{_wrap(a, _MUL)}/{_wrap(b, _POW)}"
        return _E(text, _MUL, _safe(lambda env: a.f(env) / b.f(env)), depth)
    if op == "**":
        text = f"{_wrap(a, _ATOM)}**{_wrap(b, _ATOM)}"
        return _E(text, _POW, lambda env: _pow(a.f(env), b.f(env)), depth)
    raise ValueError(op)


def _linear(rng: random.Random, var: str) -> _E:
    """a*var + b with a small nonzero integer a and an integer b (sometimes 0)."""
    a = rng.choice([2, 3, -2, 5, -1, 4])
    b = rng.choice([1, -1, 2, -3, 0, 5])
    text = {1: var, -1: f"-{var}"}.get(a, f"{a}*{var}")
    term = _E(text, _MUL if a > 0 else _NEG, lambda env: a * env[var], 1)
    if b == 0:
        return term
    return _bin("+" if b > 0 else "-", term, _num(abs(b)))


_EXPONENTS = ["2", "3", "4", "-1", "-2", "1/2", "2/3", "-1/2", "-3/2", "0.5", "1.5", "5"]
_BASES = ["2", "3", "10", "e", "pi", "0.5"]


class _Generator:
    def __init__(
        self, rng: random.Random, names: tuple[str, ...], functions: tuple[str, ...] = ()
    ) -> None:
        self.rng = rng
        self.names = names
        self.functions = functions or _SEEDED_NAMES + _SEEDED_ALIASES

    def var(self) -> str:
        return self.rng.choice(self.names)

    def leaf(self) -> _E:
        r = self.rng.random()
        if r < 0.5:
            return _var(self.var())
        if r < 0.8:
            return _linear(self.rng, self.var())
        # x**2 + c: a positive inner argument
        v = self.var()
        return _bin("+", _bin("**", _var(v), _num(2)), _num(self.rng.choice([1, 2, 4])))

    def expr(self, depth: int) -> _E:
        if depth <= 0:
            return self.leaf()
        rng = self.rng
        kind = rng.choices(
            ["call", "add", "sub", "mul", "div", "pow", "exp_a", "gen_pow", "log_b", "scale"],
            weights=[34, 8, 5, 14, 9, 10, 5, 4, 4, 7],
        )[0]
        sub = lambda: self.expr(depth - 1)  # noqa: E731
        if kind == "call":
            return _call(rng.choice(self.functions), sub())
        if kind in ("add", "sub", "mul", "div"):
            op = {"add": "+", "sub": "-", "mul": "*", "div": "/"}[kind]
            return _bin(op, sub(), self.expr(rng.randint(0, depth - 1)))
        if kind == "pow":
            return _bin("**", sub(), _num(rng.choice(_EXPONENTS)))
        if kind == "exp_a":
            return _bin("**", _num(rng.choice(_BASES)), sub())
        if kind == "gen_pow":
            base = _bin("+", _bin("**", _var(self.var()), _num(2)), _num(1))
            return _bin("**", rng.choice([base, _var(self.var())]), sub())
        if kind == "log_b":
            if rng.random() < 0.5:
                return _call("log", sub(), _num(rng.choice(["2", "3", "10", "e"])))
            return _call("log", sub(), _bin("+", _var(self.var()), _num(2)))
        coeff = rng.choice(["2", "3", "1/2", "pi", "e", "7"])
        return _bin("*", _num(coeff), sub())


def has_domain(e: _E, names: list[str], rng: random.Random, need: int = 8) -> bool:
    """True if ``e`` is finite and real at ``need`` of up to 120 points from the ranges the
    oracle test samples (a random composition such as acos(cosh(x)) may have none)."""
    good = 0
    for i in range(120):
        lo, hi = POINT_RANGES[i % len(POINT_RANGES)]
        env = {n: rng.uniform(lo, hi) for n in names}
        try:
            v = e.f(env)
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            continue
        if isinstance(v, float | int) and math.isfinite(v) and abs(v) < 1e100:
            good += 1
            if good >= need:
                return True
    return False


#: Ranges the oracle test draws points from, in order of preference: (0.1, 0.9) first,
#: inside the domain of asin, acos, log and sqrt of most linear arguments.
POINT_RANGES = [(0.1, 0.9), (1.1, 3.0), (-0.9, -0.1), (-3.0, -1.1), (0.01, 0.1), (3.0, 6.0)]


def _generated(rng: random.Random) -> list[str]:
    out: list[str] = []
    x = _var("x")
    # every function (and alias) alone, of a linear argument, of x**2 + 1, and squared
    for name in _SEEDED_NAMES + _SEEDED_ALIASES:
        out.append(_call(name, x).text)
    for name in _SEEDED_NAMES:
        out.append(f"{name}(3*x - 1)")
        out.append(_call(name, _linear(rng, "x")).text)
        out.append(f"{name}(x**2 + 1)" if name not in ("asin", "acos") else f"{name}(x**2/2)")
        out.append(f"{name}(x)**2")
    # every function nested in every other one, once each in a seeded order
    names = list(_SEEDED_NAMES)
    inner = names[:]
    rng.shuffle(inner)
    for outer, inn in zip(names, inner, strict=True):
        e = _call(outer, _call(inn, _linear(rng, "x")))
        if has_domain(e, ["x"], random.Random(e.text)):
            out.append(e.text)
    # products and quotients of two functions, chain of three
    for _ in range(20):
        f, g = rng.sample(names, 2)
        op = rng.choice(["*", "/"])
        out.append(_bin(op, _call(f, x), _call(g, _linear(rng, "x"))).text)
    for _ in range(20):
        f, g, h = (rng.choice(names) for _ in range(3))
        e = _call(f, _call(g, _call(h, x)))
        if has_domain(e, ["x"], random.Random(e.text)):
            out.append(e.text)
    # random compositions of depth <= 3, one variable and several
    single = _Generator(rng, ("x",))
    multi = _Generator(rng, VARIABLES)
    seen = set(out) | set(HANDWRITTEN)
    target = len(out) + 190
    while len(out) < target:
        gen = single if rng.random() < 0.6 else multi
        e = gen.expr(rng.randint(1, 3))
        if e.text in seen or not variables(e.text):
            continue
        names_e = variables(e.text)
        if not has_domain(e, names_e, random.Random(e.text)):
            continue
        seen.add(e.text)
        out.append(e.text)
    # sums of many terms
    for _ in range(8):
        n = rng.randint(6, 10)
        terms = [multi.expr(rng.randint(0, 1)) for _ in range(n)]
        e = terms[0]
        for t in terms[1:]:
            e = _bin(rng.choice("+-"), e, t)
        if has_domain(e, variables(e.text), random.Random(e.text)):
            out.append(e.text)
    return out


#: Hand-written cases for the rows added with issue 7 (leaky_relu with a slope needs the
#: differentiator's several-argument calls).
NEW_HANDWRITTEN: list[str] = [
    "cbrt(x)",
    "cbrt(x**2 - 4)",
    "x*cbrt(x)",
    "asec(x**2 + 1)",
    "acsc(2*x + 3)",
    "acot(x/2)",
    "acot(x)*atan(x)",
    "asinh(x)",
    "asinh(w1*x + b)",
    "acosh(x**2 + 1)",
    "atanh(x/2)",
    "log(1 - x**2)/2 + x*atanh(x)",
    "erf(x)",
    "erf(x/sqrt(2))",
    "x*erf(x) + exp(-x**2)/sqrt(pi)",
    "erf(theta)**2",
    "leaky_relu(x)",
    "leaky_relu(w*x + b)",
    "leaky_relu(x, 0.2)",
    "leaky_relu(w1*x + b, 0.3)",
    "leaky_relu(x, y)",
    "gelu(x)",
    "gelu(w*x + b)",
    "(gelu(w1*x + b) - y)**2",
]


def _generated_new(rng: random.Random) -> list[str]:
    """Cases for the rows added later, from a seed of their own: each alone, of a linear
    argument, squared, nested in and around the seeded functions, and random compositions
    that use them."""
    out: list[str] = []
    x = _var("x")
    for name in NEW_NAMES + NEW_ALIASES:
        out.append(_call(name, x).text)
    for name in NEW_NAMES:
        out.append(f"{name}(3*x - 1)")
        out.append(_call(name, _linear(rng, "x")).text)
        out.append(f"{name}(x)**2")
        for outer, inner in ((name, rng.choice(_SEEDED_NAMES)), (rng.choice(_SEEDED_NAMES), name)):
            e = _call(outer, _call(inner, _linear(rng, "x")))
            if has_domain(e, ["x"], random.Random(e.text)):
                out.append(e.text)
    gen = _Generator(rng, VARIABLES, NEW_NAMES + NEW_NAMES + _SEEDED_NAMES)
    for _ in range(60):
        e = gen.expr(rng.randint(1, 3))
        if variables(e.text) and has_domain(e, variables(e.text), random.Random(e.text)):
            out.append(e.text)
    return out


def _build() -> list[str]:
    rng = random.Random(SEED)
    corpus: list[str] = []
    seen: set[str] = set()
    for text in HANDWRITTEN + _generated(rng) + NEW_HANDWRITTEN + _generated_new(
        random.Random(SEED + 7)
    ):
        if text not in seen:
            seen.add(text)
            corpus.append(text)
    return corpus


CORPUS: list[str] = _build()

if __name__ == "__main__":  # pragma: no cover - `python tests/derivative_corpus.py` lists it
    for i, text in enumerate(CORPUS):
        print(f"{i:4d}  {text}")
    print(f"{len(CORPUS)} expressions")
