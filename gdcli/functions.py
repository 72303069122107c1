"""THE function table: one row per function, read by the parser, the differentiator,
the evaluators, the printers, ``gdcli rules`` and the docs.

A row holds the float evaluator (``math``), the complex one used by the complex-step
derivative (``None`` where the function is not analytic), the numpy one (resolved
lazily so that printing a derivative never imports numpy), the *outer* derivative
``d(u)`` (the chain rule multiplies by u' in diff.py), its LaTeX and its domain.
"""

from __future__ import annotations

import cmath
import math

from .nodes import HALF, ONE, ZERO, Node, Num, call

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class Fn:
    """One row of the table (a plain class: dataclasses would cost start-up time)."""

    __slots__ = ("name", "real", "d", "latex", "domain", "vec", "cplx", "arity", "aliases",
                 "parity", "at_zero", "doc")

    def __init__(
        self,
        name: str,
        real: Callable[..., float],
        d: Callable[[Node], Node],
        latex: str,
        domain: str = "all real x",
        vec: Callable[..., Any] | None = None,
        cplx: Callable[..., complex] | None = None,
        arity: int = 1,
        aliases: tuple[str, ...] = (),
        parity: str | None = None,  # "odd": f(-u) = -f(u); "even": f(-u) = f(u)
        at_zero: Node | None = None,  # exact f(0), folded by the simplifier
        doc: str = "",
    ) -> None:
        self.name, self.real, self.d, self.latex, self.domain = name, real, d, latex, domain
        self.vec, self.cplx, self.arity, self.aliases = vec, cplx, arity, aliases
        self.parity, self.at_zero, self.doc = parity, at_zero, doc

    @property
    def restricted(self) -> bool:
        """True if some real arguments are outside the domain (log, sqrt, asin, tan…)."""
        return self.domain != "all real x"


def _np() -> Any:
    import numpy  # only commands that vectorise pay for numpy

    return numpy


def _ufunc(name: str) -> Callable[..., Any]:
    return lambda *a: getattr(_np(), name)(*a)


def _c(name: str) -> Callable[..., Node]:
    return lambda *a: call(name, *a)


exp, log, sqrt = _c("exp"), _c("log"), _c("sqrt")
sin, cos, tan, csc, sec, cot = _c("sin"), _c("cos"), _c("tan"), _c("csc"), _c("sec"), _c("cot")
sinh, cosh, tanh = _c("sinh"), _c("cosh"), _c("tanh")
sigmoid, sign, heaviside = _c("sigmoid"), _c("sign"), _c("heaviside")

# --- float evaluators that math lacks (numerically stable forms) ---
def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)  # never overflows for x < 0
    return z / (1.0 + z)


def _softplus(x: float) -> float:
    # log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|)
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _sign(x: float) -> float:
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


def _heaviside(x: float) -> float:
    # The step function with H(0) = 0, the convention for relu'(0) in ML libraries.
    return 1.0 if x > 0 else 0.0


def _log(x: float, base: float | None = None) -> float:
    if base is None:
        return math.log(x)
    if base <= 0 or base == 1:
        raise ValueError("log base must be positive and not 1")
    return math.log(x) / math.log(base)


def _np_sigmoid(x: Any) -> Any:
    np = _np()
    return np.exp(-np.logaddexp(0.0, -x))


def _np_log(x: Any, base: Any = None) -> Any:
    np = _np()
    return np.log(x) if base is None else np.log(x) / np.log(base)


def _cplx_log(z: complex, base: complex | None = None) -> complex:
    return cmath.log(z) if base is None else cmath.log(z) / cmath.log(base)


_PI_HALF = "x ≠ π/2 + kπ"
_K_PI = "x ≠ kπ"

_ROWS = [
    # --- exponential and logarithms ---
    Fn("exp", math.exp, lambda u: exp(u), r"\exp", vec=_ufunc("exp"), cplx=cmath.exp,
       at_zero=ONE, doc="e to the power x"),
    Fn("log", _log, lambda u: 1 / u, r"\log", "x > 0", vec=_np_log, cplx=_cplx_log,
       arity=2, aliases=("ln",), doc="natural logarithm; log(x, b) is base b"),
    Fn("log2", math.log2, lambda u: 1 / (u * log(Num(2))), r"\log_{2}", "x > 0", vec=_ufunc("log2"),
       cplx=lambda z: cmath.log(z) / math.log(2), doc="base-2 logarithm"),
    Fn("log10", math.log10, lambda u: 1 / (u * log(Num(10))), r"\log_{10}", "x > 0",
       vec=_ufunc("log10"), cplx=cmath.log10, doc="base-10 logarithm"),
    Fn("sqrt", math.sqrt, lambda u: 1 / (2 * sqrt(u)), r"\sqrt", "x ≥ 0",
       vec=_ufunc("sqrt"), cplx=cmath.sqrt, doc="square root, the same as x**(1/2)"),
    Fn("abs", abs, lambda u: sign(u), r"\left|{}\right|", vec=_ufunc("abs"), parity="even",
       at_zero=ZERO, doc="absolute value; derivative sign(x), undefined at 0"),
    # --- trigonometric (sec/csc before tan/cot: products print as sec(x)*tan(x)) ---
    Fn("sin", math.sin, lambda u: cos(u), r"\sin", vec=_ufunc("sin"), cplx=cmath.sin,
       parity="odd", at_zero=ZERO),
    Fn("cos", math.cos, lambda u: -sin(u), r"\cos", vec=_ufunc("cos"), cplx=cmath.cos,
       parity="even", at_zero=ONE),
    Fn("sec", lambda x: 1 / math.cos(x), lambda u: sec(u) * tan(u), r"\sec", _PI_HALF,
       vec=lambda x: 1 / _np().cos(x), cplx=lambda z: 1 / cmath.cos(z), parity="even",
       at_zero=ONE, doc="1/cos(x)"),
    Fn("csc", lambda x: 1 / math.sin(x), lambda u: -csc(u) * cot(u), r"\csc", _K_PI,
       vec=lambda x: 1 / _np().sin(x), cplx=lambda z: 1 / cmath.sin(z), parity="odd",
       doc="1/sin(x)"),
    Fn("tan", math.tan, lambda u: sec(u) ** 2, r"\tan", _PI_HALF, vec=_ufunc("tan"),
       cplx=cmath.tan, parity="odd", at_zero=ZERO),
    Fn("cot", lambda x: 1 / math.tan(x), lambda u: -csc(u) ** 2, r"\cot", _K_PI,
       vec=lambda x: 1 / _np().tan(x), cplx=lambda z: 1 / cmath.tan(z), parity="odd",
       doc="1/tan(x)"),
    # --- inverse trigonometric ---
    Fn("asin", math.asin, lambda u: 1 / sqrt(1 - u**2), r"\operatorname{asin}", "-1 ≤ x ≤ 1",
       vec=_ufunc("arcsin"), cplx=cmath.asin, aliases=("arcsin",), parity="odd",
       at_zero=ZERO),
    Fn("acos", math.acos, lambda u: -1 / sqrt(1 - u**2), r"\operatorname{acos}", "-1 ≤ x ≤ 1",
       vec=_ufunc("arccos"), cplx=cmath.acos, aliases=("arccos",)),
    Fn("atan", math.atan, lambda u: 1 / (u**2 + 1), r"\operatorname{atan}",
       vec=_ufunc("arctan"), cplx=cmath.atan, aliases=("arctan",), parity="odd",
       at_zero=ZERO),
    # --- hyperbolic ---
    Fn("sinh", math.sinh, lambda u: cosh(u), r"\sinh", vec=_ufunc("sinh"), cplx=cmath.sinh,
       parity="odd", at_zero=ZERO),
    Fn("cosh", math.cosh, lambda u: sinh(u), r"\cosh", vec=_ufunc("cosh"), cplx=cmath.cosh,
       parity="even", at_zero=ONE),
    Fn("tanh", math.tanh, lambda u: 1 - tanh(u) ** 2, r"\tanh", vec=_ufunc("tanh"),
       cplx=cmath.tanh, parity="odd", at_zero=ZERO),
    # --- activation functions ---
    Fn("sigmoid", _sigmoid, lambda u: sigmoid(u) * (1 - sigmoid(u)), r"\sigma",
       vec=_np_sigmoid, cplx=lambda z: 1 / (1 + cmath.exp(-z)), at_zero=HALF,
       doc="logistic function 1/(1 + e^-x)"),
    Fn("softplus", _softplus, lambda u: sigmoid(u), r"\operatorname{softplus}",
       vec=lambda x: _np().logaddexp(0.0, x), cplx=lambda z: cmath.log(1 + cmath.exp(z)),
       doc="log(1 + e^x), a smooth relu"),
    Fn("relu", lambda x: x if x > 0 else 0.0, lambda u: heaviside(u), r"\operatorname{ReLU}",
       vec=lambda x: _np().maximum(x, 0.0), at_zero=ZERO, doc="max(x, 0)"),
    # --- steps: derivatives of abs and relu ---
    Fn("sign", _sign, lambda u: ZERO, r"\operatorname{sgn}", vec=_ufunc("sign"), parity="odd",
       at_zero=ZERO, doc="-1, 0 or 1; derivative 0 away from x = 0"),
    Fn("heaviside", _heaviside, lambda u: ZERO, r"\theta",
       vec=lambda x: _np().heaviside(x, 0.0), at_zero=ZERO,
       doc="unit step, 0 for x ≤ 0 and 1 for x > 0"),
]

#: name -> row, in table order (the order also ranks factors in printed products)
FUNCTIONS: dict[str, Fn] = {row.name: row for row in _ROWS}

#: every name the parser accepts for a function, aliases included -> canonical name
NAMES: dict[str, str] = {
    **{row.name: row.name for row in _ROWS},
    **{alias: row.name for row in _ROWS for alias in row.aliases},
}

#: canonical-order rank of each function (see nodes' sort keys in simplify.py)
RANK: dict[str, int] = {name: i for i, name in enumerate(FUNCTIONS)}

#: named constants and their float values
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
