"""THE function table: one row per function, read by the parser, the differentiator,
the evaluators, the printers, ``gdcli rules`` and the docs.

A row holds the float evaluator (``math``), the complex one used by the complex-step
derivative (``None`` where the function is not analytic), the numpy one (resolved
lazily so that printing a derivative never imports numpy), the *outer* derivative
``d(u)`` (the chain rule multiplies by u' in diff.py), its LaTeX and its domain.

Functions of several arguments (``log(u, b)``, ``leaky_relu(u, a)``): ``d(*args)`` is the
partial derivative with respect to the first argument, and ``d_rest(*args)`` returns the
partials with respect to the other arguments given, in order.
"""

from __future__ import annotations

import cmath
import math
from fractions import Fraction

from .nodes import HALF, ONE, PI, ZERO, Mul, Node, Num, call

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class Fn:
    """One row of the table (a plain class: dataclasses would cost start-up time)."""

    __slots__ = ("name", "real", "d", "latex", "domain", "vec", "cplx", "arity", "aliases",
                 "parity", "at_zero", "doc", "d_rest")

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
        d_rest: Callable[..., tuple[Node, ...]] | None = None,
    ) -> None:
        self.name, self.real, self.d, self.latex, self.domain = name, real, d, latex, domain
        self.vec, self.cplx, self.arity, self.aliases = vec, cplx, arity, aliases
        self.parity, self.at_zero, self.doc = parity, at_zero, doc
        # partials w.r.t. arguments 2, 3, … (only rows with arity > 1 have one)
        self.d_rest = d_rest

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
relu, cbrt, erf, fabs = _c("relu"), _c("cbrt"), _c("erf"), _c("abs")

#: leaky_relu's default negative slope, torch.nn.functional.leaky_relu's 0.01
LEAKY_SLOPE = 0.01
_SLOPE = Num(Fraction(1, 100), dec=True)

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


def _cbrt(x: float) -> float:
    # the real cube root, cbrt(-8) = -2; libm's cbrt is not always correctly rounded
    # (cbrt(27) = 3.0000000000000004 on some systems), so one Newton step polishes it
    y = math.cbrt(x)
    if 1e-300 < abs(x) < 1e300:
        y -= (y * y * y - x) / (3 * y * y)
    return y


def _np_cbrt(x: Any) -> Any:
    np = _np()
    y = np.cbrt(x)
    ok = (np.abs(x) > 1e-300) & (np.abs(x) < 1e300)
    safe = np.where(ok, y, 1.0)
    return np.where(ok, safe - (safe * safe * safe - x) / (3 * safe * safe), y)


def _cplx_cbrt(z: complex) -> complex:
    # the analytic continuation of the *real* cube root near the real axis: odd, so
    # negative reals use -(-z)**(1/3) rather than the principal complex root
    return z ** (1 / 3) if z.real >= 0 else -((-z) ** (1 / 3))


def _gelu(x: float) -> float:
    # x*Phi(x) with Phi(x) = erfc(-x/sqrt(2))/2: erfc keeps the digits for large negative x
    return 0.5 * x * math.erfc(-x / math.sqrt(2))


def _leaky_relu(x: float, slope: float = LEAKY_SLOPE) -> float:
    return x if x > 0 else slope * x


def _cplx_erf(z: complex) -> complex:
    """erf near the real axis (the complex-step derivative's use): the Taylor series in
    the imaginary part, erf(x + iy) = erf(x) + 2/sqrt(pi) e^(-x^2) sum_k (iy)^k/k!
    (-1)^(k-1) H_(k-1)(x), with H the Hermite polynomials; far from the axis, the
    Maclaurin series in z."""
    x, y = z.real, z.imag
    if y == 0:
        return complex(math.erf(x))
    if abs(y) > 1:
        total, term, n = 0j, z, 0
        while n < 400:
            piece = term / (2 * n + 1)
            total += piece
            if abs(piece) <= 1e-17 * abs(total):
                break
            n += 1
            term *= -z * z / n
        return 2 / math.sqrt(math.pi) * total
    weight = math.exp(-x * x)
    if weight == 0.0:
        return complex(math.erf(x))
    h_prev, h = 0.0, 1.0  # H_(k-2), H_(k-1)
    power = 1 + 0j  # (iy)^k / k!
    total = 0j
    for k in range(1, 400):
        power *= 1j * y / k
        piece = power * h * (1 if k % 2 else -1)
        total += piece
        if abs(piece) <= 1e-17 * abs(total):
            break
        h_prev, h = h, 2 * x * h - 2 * (k - 1) * h_prev
    return math.erf(x) + 2 / math.sqrt(math.pi) * weight * total


def _np_math(f: Callable[[float], float]) -> Callable[[Any], Any]:
    # numpy has no erf: an elementwise loop over math's (sweeps are small arrays)
    return lambda x: _np().vectorize(f, otypes=[float])(x)


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
    Fn("log", _log, lambda u, b=None: 1 / u if b is None else 1 / (u * log(b)), r"\log",
       "x > 0", vec=_np_log, cplx=_cplx_log, arity=2, aliases=("ln",),
       d_rest=lambda u, b=None: () if b is None else (-log(u) / (b * log(b) ** 2),),
       doc="natural logarithm; log(x, b) is base b"),
    Fn("log2", math.log2, lambda u: 1 / (u * log(Num(2))), r"\log_{2}", "x > 0", vec=_ufunc("log2"),
       cplx=lambda z: cmath.log(z) / math.log(2), doc="base-2 logarithm"),
    Fn("log10", math.log10, lambda u: 1 / (u * log(Num(10))), r"\log_{10}", "x > 0",
       vec=_ufunc("log10"), cplx=cmath.log10, doc="base-10 logarithm"),
    Fn("sqrt", math.sqrt, lambda u: 1 / (2 * sqrt(u)), r"\sqrt", "x ≥ 0",
       vec=_ufunc("sqrt"), cplx=cmath.sqrt, doc="square root, the same as x**(1/2)"),
    Fn("cbrt", _cbrt, lambda u: 1 / (3 * cbrt(u) ** 2), r"\sqrt[3]", vec=_np_cbrt,
       cplx=_cplx_cbrt, parity="odd", at_zero=ZERO,
       doc="real cube root, cbrt(-8) = -2; derivative undefined at 0"),
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
    Fn("asec", lambda x: math.acos(1 / x), lambda u: 1 / (fabs(u) * sqrt(u**2 - 1)),
       r"\operatorname{asec}", "x ≤ -1 or x ≥ 1", vec=lambda x: _np().arccos(1 / x),
       cplx=lambda z: cmath.acos(1 / z), aliases=("arcsec",), doc="acos(1/x), in [0, π]"),
    Fn("acsc", lambda x: math.asin(1 / x), lambda u: -1 / (fabs(u) * sqrt(u**2 - 1)),
       r"\operatorname{acsc}", "x ≤ -1 or x ≥ 1", vec=lambda x: _np().arcsin(1 / x),
       cplx=lambda z: cmath.asin(1 / z), aliases=("arccsc",), parity="odd",
       doc="asin(1/x), in [-π/2, π/2]"),
    Fn("acot", lambda x: math.pi / 2 - math.atan(x), lambda u: -1 / (u**2 + 1),
       r"\operatorname{acot}", vec=lambda x: math.pi / 2 - _np().arctan(x),
       cplx=lambda z: math.pi / 2 - cmath.atan(z), aliases=("arccot",),
       at_zero=Mul((HALF, PI)),
       doc="π/2 - atan(x), in (0, π), continuous at 0"),
    # --- hyperbolic ---
    Fn("sinh", math.sinh, lambda u: cosh(u), r"\sinh", vec=_ufunc("sinh"), cplx=cmath.sinh,
       parity="odd", at_zero=ZERO),
    Fn("cosh", math.cosh, lambda u: sinh(u), r"\cosh", vec=_ufunc("cosh"), cplx=cmath.cosh,
       parity="even", at_zero=ONE),
    Fn("tanh", math.tanh, lambda u: 1 - tanh(u) ** 2, r"\tanh", vec=_ufunc("tanh"),
       cplx=cmath.tanh, parity="odd", at_zero=ZERO),
    # --- inverse hyperbolic ---
    Fn("asinh", math.asinh, lambda u: 1 / sqrt(u**2 + 1), r"\operatorname{asinh}",
       vec=_ufunc("arcsinh"), cplx=cmath.asinh, aliases=("arcsinh", "arsinh"), parity="odd",
       at_zero=ZERO),
    Fn("acosh", math.acosh, lambda u: 1 / sqrt(u**2 - 1), r"\operatorname{acosh}", "x ≥ 1",
       vec=_ufunc("arccosh"), cplx=cmath.acosh, aliases=("arccosh", "arcosh")),
    Fn("atanh", math.atanh, lambda u: 1 / (1 - u**2), r"\operatorname{atanh}", "-1 < x < 1",
       vec=_ufunc("arctanh"), cplx=cmath.atanh, aliases=("arctanh", "artanh"), parity="odd",
       at_zero=ZERO),
    # --- error function ---
    Fn("erf", math.erf, lambda u: 2 * exp(-(u**2)) / sqrt(PI), r"\operatorname{erf}",
       vec=_np_math(math.erf), cplx=_cplx_erf, parity="odd", at_zero=ZERO,
       doc="error function, 2/sqrt(π) times the integral of e^-t² from 0 to x"),
    # --- activation functions ---
    Fn("sigmoid", _sigmoid, lambda u: sigmoid(u) * (1 - sigmoid(u)), r"\sigma",
       vec=_np_sigmoid, cplx=lambda z: 1 / (1 + cmath.exp(-z)), at_zero=HALF,
       doc="logistic function 1/(1 + e^-x)"),
    Fn("softplus", _softplus, lambda u: sigmoid(u), r"\operatorname{softplus}",
       vec=lambda x: _np().logaddexp(0.0, x), cplx=lambda z: cmath.log(1 + cmath.exp(z)),
       doc="log(1 + e^x), a smooth relu"),
    Fn("relu", lambda x: x if x > 0 else 0.0, lambda u: heaviside(u), r"\operatorname{ReLU}",
       vec=lambda x: _np().maximum(x, 0.0), at_zero=ZERO, doc="max(x, 0)"),
    # leaky_relu(x, a) = x for x > 0, a*x otherwise; like torch, the slope at 0 is a
    Fn("leaky_relu", _leaky_relu, lambda u, a=_SLOPE: a + (1 - a) * heaviside(u),
       r"\operatorname{LeakyReLU}",
       vec=lambda x, a=LEAKY_SLOPE: _np().where(x > 0, x, a * x), arity=2, at_zero=ZERO,
       d_rest=lambda u, a=None: () if a is None else (-relu(-u),),
       doc="x for x > 0, else a*x; leaky_relu(x, a), slope a = 0.01 by default"),
    # exact GELU, x*Phi(x) (torch's default approximate='none')
    Fn("gelu", _gelu,
       lambda u: (1 + erf(u / sqrt(Num(2)))) / 2 + u * exp(-(u**2) / 2) / sqrt(2 * PI),
       r"\operatorname{GELU}", vec=_np_math(_gelu),
       cplx=lambda z: z * (1 + _cplx_erf(z / math.sqrt(2))) / 2, at_zero=ZERO,
       doc="x*Φ(x) = x*(1 + erf(x/sqrt(2)))/2, the exact GELU"),
    # --- steps: derivatives of abs and relu ---
    Fn("sign", _sign, lambda u: ZERO, r"\operatorname{sgn}", vec=_ufunc("sign"), parity="odd",
       at_zero=ZERO, doc="-1, 0 or 1; derivative 0 away from x = 0"),
    Fn("heaviside", _heaviside, lambda u: ZERO, r"\operatorname{H}",
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

#: Greek letters accepted in variable names, with their LaTeX commands. Left out: π (the
#: constant pi) and the capitals and omicron that look like Latin letters (Α Β Ε Ζ Η Ι Κ
#: Μ Ν Ο Ρ Τ Χ ο), which LaTeX has no command for: the parser points at those and asks
#: for the ASCII letter. Lower case follows unicode-math: φ is \varphi, ϕ is \phi.
GREEK: dict[str, str] = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "varepsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "ρ": "rho", "ς": "varsigma", "σ": "sigma", "τ": "tau", "υ": "upsilon",
    "φ": "varphi", "χ": "chi", "ψ": "psi", "ω": "omega",
    "ϑ": "vartheta", "ϕ": "phi", "ϵ": "epsilon", "ϱ": "varrho", "ϖ": "varpi",
    "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi",
    "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}

#: Functions written with the superscript -1 for their inverse: sin⁻¹(x) is asin(x).
INVERSES: dict[str, str] = {
    "sin": "asin", "cos": "acos", "tan": "atan", "sec": "asec", "csc": "acsc", "cot": "acot",
    "sinh": "asinh", "cosh": "acosh", "tanh": "atanh",
}

#: named constants and their float values
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
