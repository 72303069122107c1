"""Nodes -> LaTeX, reading each function's command from the registry row."""

from __future__ import annotations

from fractions import Fraction

from . import functions as fn
from .nodes import Add, Call, Const, Div, Mul, Neg, Node, Num, Pow, Var
from .printer import ADD, ATOM, MUL, POW, UNARY, _negate, _negative_term, _split_fraction, number

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Phi", "Psi", "Omega",
}


def to_latex(node: Node) -> str:
    """LaTeX for a canonical or surface tree."""
    return _tex(node)[0]


def _greek(s: str) -> str:
    """Greek letters in a name as LaTeX commands: θ -> \\theta (a space ends a command
    before a Latin letter: θx -> \\theta x)."""
    out = []
    for i, ch in enumerate(s):
        cmd = fn.GREEK.get(ch)
        if cmd is None:
            out.append(ch)
        else:
            nxt = s[i + 1 : i + 2]
            out.append(f"\\{cmd}" + (" " if nxt.isascii() and nxt.isalpha() else ""))
    return "".join(out)


def variable(name: str) -> str:
    """LaTeX for a variable name: θ1 -> \\theta_{1}, w_out -> w_{out}, rate -> \\mathrm{rate}
    (for labels such as \\partial θ that name a variable outside a tree)."""
    return _var(name)


def _var(name: str) -> str:
    base, _, sub = name.partition("_")
    if not sub:
        stripped = name.rstrip("0123456789")
        if stripped and stripped != name:
            base, sub = stripped, name[len(stripped):]
    if base in _GREEK:
        head = f"\\{base}"
    elif len(base) == 1:
        head = _greek(base)
    else:
        head = f"\\mathrm{{{_greek(base)}}}"
    return f"{head}_{{{_greek(sub)}}}" if sub else head


def _num(v: Fraction, dec: bool) -> tuple[str, int]:
    s = number(abs(v), dec)
    sign = "-" if v < 0 else ""
    if "/" in s:
        p, q = s.split("/")
        return f"{sign}\\frac{{{p}}}{{{q}}}", UNARY if sign else ATOM
    if "e+" in s:
        m, e = s.split("e+")
        s = f"{m} \\cdot 10^{{{e}}}"
    return sign + s, UNARY if sign else ATOM


def _wrap(s: tuple[str, int], at_least: int) -> str:
    return s[0] if s[1] >= at_least else f"\\left({s[0]}\\right)"


def _tex(n: Node) -> tuple[str, int]:
    # each subtree once: shared subtrees are common in derivatives (nodes.py's _latex slot)
    got = n._latex
    if got is None:
        got = n._latex = _tex_of(n)
    return got


def _tex_of(n: Node) -> tuple[str, int]:
    t = type(n)
    if t is Num:
        return _num(n.value, n.dec)
    if t is Const:
        return ("\\pi" if n.name == "pi" else "e"), ATOM
    if t is Var:
        return _var(n.name), ATOM
    if t is Call:
        return _call(n), ATOM
    if t is Add:
        return _add(n), ADD
    if t is Mul or (t is Pow and type(n.args[1]) is Num and n.args[1].value < 0):
        return _product(n)
    if t is Pow:
        return _pow(n)
    if t is Neg:
        return "-" + _wrap(_tex(n.args[0]), POW), UNARY
    if t is Div:
        return f"\\frac{{{_tex(n.args[0])[0]}}}{{{_tex(n.args[1])[0]}}}", ATOM
    raise TypeError(t)  # pragma: no cover


def _call(n: Node) -> str:
    row = fn.FUNCTIONS[n.name]
    args = [_tex(a)[0] for a in n.args]
    if n.name == "abs":
        return f"\\left|{args[0]}\\right|"
    if n.name == "sqrt":
        return f"\\sqrt{{{args[0]}}}"
    if n.name == "cbrt":
        return f"\\sqrt[3]{{{args[0]}}}"
    if n.name == "exp":
        return f"e^{{{args[0]}}}"
    if n.name == "log" and len(args) == 2:
        return f"\\log_{{{args[1]}}}\\left({args[0]}\\right)"
    return f"{row.latex}\\left({', '.join(args)}\\right)"


def _add(n: Node) -> str:
    terms = list(n.args)
    if _negative_term(terms[0]):
        for i, term in enumerate(terms):
            if not _negative_term(term):
                terms.insert(0, terms.pop(i))
                break
    out = []
    for i, term in enumerate(terms):
        if i and _negative_term(term):
            out.append(" - " + _wrap(_tex(_negate(term)), MUL))
        else:
            out.append((" + " if i else "") + _wrap(_tex(term), ADD + (1 if i else 0)))
    return "".join(out)


def _factors(nodes: list[Node]) -> str:
    parts = [_wrap(_tex(f), UNARY + 1) for f in nodes]
    out = ""
    for i, p in enumerate(parts):
        # a number after another factor needs a visible product sign: 2 \cdot 3^{x}
        out += ("" if i == 0 else " \\cdot " if p[:1].isdigit() else " ") + p
    return out


def _product(n: Node) -> tuple[str, int]:
    coeff, dec, num, den = _split_fraction(n)
    sign = "-" if coeff < 0 else ""
    coeff = abs(coeff)
    top: list[str] = []
    bottom: list[str] = []
    if coeff != 1 and dec and "/" not in number(coeff, True):
        top.append(number(coeff, True))
    else:
        if coeff.numerator != 1:
            top.append(number(Fraction(coeff.numerator)))
        if coeff.denominator != 1:
            bottom.append(number(Fraction(coeff.denominator)))
    head = " ".join(top + ([_factors(num)] if num else []))
    if bottom or den:
        under = " ".join(bottom + ([_factors(den)] if den else []))
        return f"{sign}\\frac{{{head or '1'}}}{{{under}}}", UNARY if sign else ATOM
    return sign + (head or "1"), UNARY if sign else MUL


def _pow(n: Node) -> tuple[str, int]:
    b, e = n.args
    if type(e) is Num and e.value == Fraction(1, 2):
        return f"\\sqrt{{{_tex(b)[0]}}}", ATOM
    if type(e) is Num and e.value.denominator != 1 and e.value.numerator == 1:
        return f"\\sqrt[{e.value.denominator}]{{{_tex(b)[0]}}}", ATOM
    exp = _tex(e)[0]
    if (
        type(b) is Call
        and b.name not in ("abs", "exp", "sqrt", "cbrt")
        and len(b.args) == 1
        and type(e) is Num
        and e.value.denominator == 1
        and e.value > 0
    ):
        # \sec^{2}\left(x\right), as books print powers of functions
        row = fn.FUNCTIONS[b.name]
        return f"{row.latex}^{{{exp}}}\\left({_tex(b.args[0])[0]}\\right)", POW
    return f"{_wrap(_tex(b), ATOM)}^{{{exp}}}", POW
