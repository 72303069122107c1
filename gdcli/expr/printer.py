"""Nodes -> gdcli syntax with minimal parentheses; the output parses back to the same
function (tests prove the round trip). Products with negative powers print as
fractions and exponent 1/2 as ``sqrt``, as a calculus book writes them."""

from __future__ import annotations

from fractions import Fraction

from . import nodes as _nodes
from .nodes import Add, Call, Const, Div, Mul, Neg, Node, Num, Pow, Var

# Binding strength: a child weaker than its context gets parentheses.
ADD, MUL, UNARY, POW, ATOM = 1, 2, 3, 4, 5

#: Longest decimal kept for a number typed as a decimal (0.1); longer ones print as p/q.
_MAX_DECIMAL = 18


def to_str(node: Node) -> str:
    """gdcli syntax for a canonical or surface tree."""
    return _str(node)[0]


def substitute(node: Node, texts: dict[str, str]) -> Node:
    """The same tree with variables shown as the given texts (``--explain``: 2*8 - 4)."""
    if type(node) is Var:
        t = texts.get(node.name)
        return node if t is None else Var(t)
    if not node.args:
        return node
    args = tuple(substitute(a, texts) for a in node.args)
    new = object.__new__(type(node))
    for slot in ("name",):
        if hasattr(node, slot):
            setattr(new, slot, getattr(node, slot))
    new._init(args)
    return new


def number(v: Fraction, dec: bool = False) -> str:
    """An exact number in gdcli syntax: ``4``, ``0.1`` (if typed so), ``1/3``, ``1e+20``,
    ``1e-400``. Every form parses back to the same value."""
    if v.denominator == 1:
        return _integer(v.numerator)
    if dec:
        d = _decimal(v)
        if d is not None:
            return d
    tiny = _scientific(v)
    if tiny is not None:
        return tiny
    return f"{_integer(v.numerator)}/{_integer(v.denominator)}"


def _integer(n: int) -> str:
    if abs(n) < _BIG:
        return str(n)
    digits = str(abs(n)).rstrip("0")
    exp10 = len(str(abs(n))) - 1
    mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{'-' if n < 0 else ''}{mant}e+{exp10}"


#: Integers from here on print as 1e+30; fractions with a denominator this large and a
#: short decimal form print as 1e-400 (not 1/1e+400, which reads as an overflow).
_BIG = 10**30
#: Longest mantissa (significant digits) of such a fraction printed as 1.5e-400.
_MAX_MANTISSA = 30


def _scientific(v: Fraction) -> str | None:
    """``m.mmme-k`` for a fraction with a huge power-of-ten denominator, else None."""
    den = v.denominator
    if den < _BIG:
        return None
    twos, fives = 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        return None
    places = max(twos, fives)
    m = abs(v.numerator) * 10**places // v.denominator
    digits = str(m)
    sig = digits.rstrip("0")
    if len(sig) > _MAX_MANTISSA:
        return None
    exp10 = len(digits) - 1 - places
    mant = sig[0] + ("." + sig[1:] if len(sig) > 1 else "")
    return f"{'-' if v < 0 else ''}{mant}e{exp10}"


def _decimal(v: Fraction) -> str | None:
    """The exact terminating decimal for ``v``, if short."""
    den, twos, fives = v.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        return None
    places = max(twos, fives)
    n = abs(v.numerator) * 10**places // v.denominator
    s = str(n).rjust(places + 1, "0")
    s = (s[:-places] + "." + s[-places:]).rstrip("0").rstrip(".")
    if len(s) > _MAX_DECIMAL:
        return None
    return ("-" if v < 0 else "") + s


def _num_prec(v: Fraction, dec: bool) -> int:
    s = number(v, dec)
    if s.startswith("-"):
        return UNARY
    return MUL if "/" in s else ATOM


def _paren(s: tuple[str, int], at_least: int) -> str:
    return s[0] if s[1] >= at_least else f"({s[0]})"


def _negative_term(t: Node) -> bool:
    if type(t) is Num:
        return t.value < 0
    if type(t) is Mul and type(t.args[0]) is Num:
        return t.args[0].value < 0
    return type(t) is Neg


def _negate(t: Node) -> Node:
    """-t for a term known to be negative (for printing ``a - b``)."""
    if type(t) is Num:
        return Num(-t.value, t.dec)
    if type(t) is Neg:
        return t.args[0]
    c = t.args[0]
    rest = t.args[1:]
    if c.value == -1:
        return rest[0] if len(rest) == 1 else Mul(rest)
    return Mul((Num(-c.value, c.dec), *rest))


def _str(n: Node) -> tuple[str, int]:
    # The printed form of a node is kept on it (``_text``): a subtree is looked at more than
    # once (its precedence decides parentheses), shared subtrees are common, and every
    # partial derivative of a chain prints the same inner arguments again.
    got = n._text
    if got is None:
        got = n._text = _str_of(n)
    return got


def _str_of(n: Node) -> tuple[str, int]:
    t = type(n)
    if t is Num:
        return number(n.value, n.dec), _num_prec(n.value, n.dec)
    if t is Var or t is Const:
        # a substituted negative number (--explain) binds like unary minus
        return n.name, UNARY if n.name.startswith("-") else ATOM
    if t is Call:
        return f"{n.name}({', '.join(_str(a)[0] for a in n.args)})", ATOM
    if t is Add:
        return _str_add(n), ADD
    if t is Mul:
        return _str_mul(n)
    if t is Pow:
        return _str_pow(n)
    if t is Neg:
        # -x**2 and -4*x need no parentheses; -(a + b) keeps them
        return "-" + _paren(_str(n.args[0]), MUL), UNARY
    if t is Div:
        a, b = n.args
        return f"{_paren(_str(a), MUL)}/{_paren(_str(b), UNARY)}", MUL
    raise TypeError(t)  # pragma: no cover


def _str_add(n: Node) -> str:
    terms = list(n.args)
    # Print a positive term first when there is one: 1 - sigmoid(x), not -sigmoid(x) + 1.
    if _negative_term(terms[0]):
        for i, t in enumerate(terms):
            if not _negative_term(t):
                terms.insert(0, terms.pop(i))
                break
    out = []
    for i, t in enumerate(terms):
        if i and _negative_term(t):
            out.append(" - " + _paren(_str(_negate(t)), MUL))
        else:
            s = _str(t)
            bare = i == 0 or (s[1] > ADD and not s[0].startswith("-"))
            out.append((" + " if i else "") + (s[0] if bare else f"({s[0]})"))
    return "".join(out)


def _split_fraction(n: Node) -> tuple[Fraction, bool, list[Node], list[Node]]:
    """A product as coefficient, numerator factors, denominator factors."""
    coeff, dec = Fraction(1), False
    num: list[Node] = []
    den: list[Node] = []
    for f in n.args if type(n) is Mul else (n,):
        if type(f) is Num:
            coeff *= f.value
            dec = dec or f.dec
        elif type(f) is Pow and type(f.args[1]) is Num and f.args[1].value < 0:
            e = -f.args[1].value
            den.append(f.args[0] if e == 1 else Pow(f.args[0], Num(e)))
        else:
            num.append(f)
    return coeff, dec, num, den


def _factor(f: Node) -> str:
    s = _str(f)
    # factors bind tighter than '*'; a negative one is parenthesised for readability
    return s[0] if s[1] > UNARY else f"({s[0]})"


def _fraction(coeff: Fraction, dec: bool, num: list[Node], den: list[Node]) -> tuple[str, int]:
    sign = "-" if coeff < 0 else ""
    coeff = abs(coeff)
    top = [_factor(f) for f in num]
    bottom = [_factor(f) for f in den]
    if coeff != 1 and "/" not in number(coeff, dec):
        # 0.5*x typed so, and 1e-400*x: x/1e+400 would read back as typed with a decimal
        # exponent, and print as 1e-400*x then
        top.insert(0, number(coeff, dec))
    else:
        if coeff.numerator != 1:
            top.insert(0, number(Fraction(coeff.numerator)))
        if coeff.denominator != 1:
            bottom.insert(0, number(Fraction(coeff.denominator)))
    head = "*".join(top) or "1"
    if not bottom:
        if sign:
            return sign + head, UNARY
        return head, (MUL if len(top) > 1 else _str(num[0])[1] if num else ATOM)
    # factors are atoms or parenthesised already; several go in one pair: x/(2*y)
    under = bottom[0] if len(bottom) == 1 else f"({'*'.join(bottom)})"
    return f"{sign}{head}/{under}", UNARY if sign else MUL


def _str_mul(n: Node) -> tuple[str, int]:
    return _fraction(*_split_fraction(n))


def _str_pow(n: Node) -> tuple[str, int]:
    b, e = n.args
    if type(e) is Num and e.value == Fraction(1, 2):
        return f"sqrt({_str(b)[0]})", ATOM
    if type(e) is Num and e.value < 0:
        return _fraction(*_split_fraction(n))  # 1/x, 1/sqrt(1 - x**2)
    base = _paren(_str(b), ATOM)
    es = _str(e)
    # exponents other than plain names, calls, non-negative numbers and powers (** is
    # right-associative: x**y**z is x**(y**z)) are parenthesised
    bare = es[1] in (ATOM, POW) and not es[0].startswith("-")
    if type(e) is Mul and len(e.args) == 2 and type(e.args[0]) is Num and e.args[0].value == -1:
        bare = _str(e.args[1])[1] >= POW  # x**-y and x**-y**z parse back; x**-2*y would not
    return f"{base}**{es[0] if bare else '(' + es[0] + ')'}", POW


_nodes.install(printer=to_str)  # str(node) prints in gdcli syntax
