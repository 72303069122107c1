"""Canonical constructors: every tree built through ``add``/``mul``/``pow_``/``call`` is
already simplified, the way SymPy evaluates ``Add`` and ``Mul`` on construction.

The canonical form is what a calculus book prints: like terms collected, numeric
coefficients first and folded exactly (``Fraction``), powers of the same base merged
(``x*x**-1`` is 1), a number times a sum distributed (``2*(x - 2)`` is ``2*x - 4``),
no ``1*``, ``+0``, ``x**1`` or double negation. Function-specific facts (``log(e)``,
``sin(-u)``, ``sqrt`` as a power) come from the registry rows in functions.py.
"""

from __future__ import annotations

import itertools
import math
import sys
from fractions import Fraction

from ..errors import InputError
from . import functions as fn
from . import nodes as _nodes
from .nodes import (
    HALF,
    MINUS_ONE,
    ONE,
    ZERO,
    Add,
    Call,
    Const,
    Div,
    Mul,
    Neg,
    Node,
    Num,
    Pow,
    Var,
    size,
)

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from typing import Any

#: Exact constants larger than this many bits are refused (a bound on user input:
#: products of huge literals would otherwise grow without limit).
MAX_BITS = 4096
#: Largest denominator tried when folding a rational power of a number (8**(2/3) = 4).
_MAX_ROOT = 64


# --- ordering: numbers, constants, variables, functions, products, sums ---
def key(n: Node) -> tuple[Any, ...]:
    """A total order on canonical nodes, cached on the node."""
    k = n._key
    if k is None:
        k = n._key = _key(n)
    return k


def _key(n: Node) -> tuple[Any, ...]:
    t = type(n)
    if t is Pow:
        b, e = n.args
        if type(e) is not Num and type(b) in (Num, Const):
            # a**x and e**x sort like a function: x*e**x, not e**x*x
            return (3, (-1, "", n.height, (key(b),)), (e.height, key(e)))
        bk = key(b)
        # the exponent's height first: towers x**x**…**x compare in one step, not one
        # step per level (sorting them would otherwise be cubic in the depth)
        return (bk[0], bk[1], (e.height, key(e)))
    if t is Num:
        return (0, (n.value,), ())
    if t is Const:
        return (1, (n.name,), ())
    if t is Var:
        return (2, (n.name,), ())
    if t is Call:
        return (3, (fn.RANK.get(n.name, 99), n.name, n.height, tuple(map(key, n.args))), ())
    order = {Mul: 4, Add: 5, Neg: 6, Div: 7}[t]
    return (order, (n.height, len(n.args), tuple(map(key, n.args))), ())


def degree(n: Node) -> Fraction | int:
    """Total degree of a term in its variables and function calls (sums print highest
    first: x**2 - 4*x + 6, sec(x)**4 + sec(x)**2*tan(x)**2)."""
    t = type(n)
    if t is Var or t is Call:
        return 1
    if t is Pow and type(n.args[0]) in (Var, Call) and type(n.args[1]) is Num:
        v = n.args[1].value
        return v.numerator if v.denominator == 1 else v  # ints add faster than Fractions
    if t is Mul:
        # kept on the node: sorting the terms of a sum asks again for every comparison
        # pass, and a long product would cost its length each time
        got = n._deg
        if got is None:
            got = n._deg = sum(degree(a) for a in n.args)
        return got
    return 0


_ONE = Fraction(1)


def _checked(v: Fraction) -> Fraction:
    if v.numerator.bit_length() > MAX_BITS or v.denominator.bit_length() > MAX_BITS:
        raise InputError(f"a constant in this expression needs more than {MAX_BITS} bits")
    return v


# --- sums ---
def _split(t: Node) -> tuple[Fraction, bool, Node]:
    """A term as (coefficient, coefficient typed as decimal, rest)."""
    if type(t) is Mul and type(t.args[0]) is Num:
        c = t.args[0]
        rest = t.args[1:]
        return c.value, c.dec, rest[0] if len(rest) == 1 else Mul(rest)
    return Fraction(1), False, t


def _scaled(c: Fraction, dec: bool, rest: Node) -> Node:
    if c == 1:
        return rest
    head = (Num(c, dec),)
    return Mul(head + rest.args) if type(rest) is Mul else Mul(head + (rest,))


def _term_key(t: Node) -> tuple[Any, ...]:
    k = t._tkey
    if k is None:
        rest = _split(t)[2]
        k = t._tkey = (-degree(rest), key(rest))
    return k


def add(*terms: Node) -> Node:
    """The canonical sum: flattened, like terms collected, numbers folded and last; and
    distributed where that makes it shorter (s*(1 - y) - y*(1 - s) is s - y)."""
    k = (_expanding, *map(id, terms))
    got = _ADDED.get(k)
    if got is not None:
        return got[1]
    out = _add(terms)
    if not _expanding and type(out) is Add:
        out = _distributed(out)
    _remember(_ADDED, k, terms, out)
    return out


#: The last results of add and mul, by the identity of their arguments: every partial
#: derivative repeats the same operations on the same subtrees (the quotient rule's
#: v - u for u/v, two long sums), and each may cost the length of a long sum. (The
#: arguments are kept with the result, so their ids are not reused while remembered.)
_ADDED: dict[tuple[Any, ...], tuple[tuple[Node, ...], Node]] = {}
_MULTIPLIED: dict[tuple[Any, ...], tuple[tuple[Node, ...], Node]] = {}
_REMEMBERED = 20_000


def _remember(memo: dict[tuple[Any, ...], Any], k: tuple[Any, ...], args: tuple[Node, ...],
              out: Node) -> None:
    if len(memo) >= _REMEMBERED:
        memo.clear()
    memo[k] = (args, out)


#: A sum is distributed only into at most this many terms, and only if it has at most
#: this many nodes as printed (bounds on the work).
_MAX_EXPANSION = 16
_MAX_PRINTED = 5_000
_expanding = False  # set while a distributed candidate is built: one level, no recursion


def _distributed(total: Node) -> Node:
    """The sum with its products of sums multiplied out, if that is smaller.

    Products with a sum as a factor are multiplied out (one level) and the terms collected
    again; the result is kept only if it prints shorter, so (x + 1)*(y + 2) + z stays, and
    sigmoid(z)*(1 - y) - y*(1 - sigmoid(z)), the gradient of the cross-entropy, becomes
    sigmoid(z) - y. Deterministic in the terms, so printing and reading back agree."""
    global _expanding
    if total._parts is not None and not 0 < total._parts[1] <= _MAX_EXPANSION:
        return total  # a long sum knows it has nothing to multiply out (or too much)
    if size(total) > _MAX_PRINTED:
        return total  # comparing printed lengths would print it: only sums of modest size
    keep: list[Node] = []
    spread: list[Node] = []
    count = 0
    for t in total.args:
        if type(t) is not Mul or not any(type(f) is Add for f in t.args):
            keep.append(t)
            continue
        n = 1
        for f in t.args:
            if type(f) is Add:
                n *= len(f.args)
        count += n
        if count > _MAX_EXPANSION:
            return total
        spread.append(t)
    if not spread:
        return total
    _expanding = True
    try:
        for t in spread:
            others = [f for f in t.args if type(f) is not Add]
            sums = [f.args for f in t.args if type(f) is Add]
            keep.extend(mul(*others, *pick) for pick in itertools.product(*sums))
        candidate = _add(keep)
        if type(candidate) is Add:
            # x*s*(1 - y) - x*y*(1 - s) is x*s - x*y, and smaller still x*(s - y)
            common = _common_factor(candidate.args)
            if common is not None:
                factored = mul(common, _add([mul(t, pow_(common, MINUS_ONE))
                                             for t in candidate.args]))
                if _length(factored) <= _length(candidate):
                    candidate = factored  # as long, but one product fewer: x*(s - y)
    finally:
        _expanding = False
    # compared without their rational content: a product takes the content out of a sum
    # (2*a + 2*b*(1 - c) is 2*(a + b*(1 - c))), and the choice must be the same for the sum
    # met alone when the printed product is read back
    c, unit, _ = _content(total)
    if c == 1:
        shorter = _length(candidate) < _length(total)
    else:
        shorter = _length(_content(candidate)[1]) < _length(unit)
    return candidate if shorter else total


def _length(n: Node) -> int:
    """Smaller means shorter as printed (a node count would favour a + h(x) - a*h(x) over
    a + h(x)*(1 - a), repeating the longer subtree)."""
    from .printer import to_str  # printer needs nodes, and nodes this module: import late

    return len(to_str(n))


def _common_factor(terms: tuple[Node, ...]) -> Node | None:
    """The product of the bases every term has, each to its smallest positive integer
    power (x*s - x*y -> x), or None."""
    common: dict[Node, Fraction] | None = None
    for t in terms:
        powers: dict[Node, Fraction] = {}
        for f in t.args if type(t) is Mul else (t,):
            if type(f) is Num:
                continue
            if type(f) is Pow and type(f.args[1]) is Num:
                powers[f.args[0]] = f.args[1].value
            else:
                powers[f] = _ONE
        if common is None:
            common = {b: e for b, e in powers.items() if e > 0 and e.denominator == 1}
        else:
            common = {b: min(e, powers[b]) for b, e in common.items()
                      if b in powers and powers[b] > 0 and powers[b].denominator == 1}
        if not common:
            return None
    return mul(*(pow_(b, Num(e)) for b, e in common.items())) if common else None


def _spread(t: Node) -> int:
    """How many terms a product with sums as factors multiplies out into (0 for others)."""
    if type(t) is not Mul:
        return 0
    n, found = 1, False
    for f in t.args:
        if type(f) is Add:
            n *= len(f.args)
            found = True
    return n if found else 0


def _add(terms: tuple[Node, ...] | list[Node]) -> Node:
    """The canonical sum, before any distribution."""
    for t in terms:
        if type(t) is Pow and type(t.args[0]) is Num and t.args[0].value == 0:
            # an undefined term makes the sum undefined, in mul's one form 1/0 (not 2/0,
            # which would read back as 1/0, nor 1/0 - 1/0 cancelling to 0)
            return Pow(ZERO, MINUS_ONE)
    big = None
    for t in terms:
        if type(t) is Add and t._parts is not None and (big is None or len(t.args) > len(big.args)):
            big = t
    if big is not None:
        got = _add_into(big, terms)
        if got is not None:
            return got
    const, cdec = Fraction(0), False
    coeffs: dict[Node, list[Any]] = {}
    stack = list(reversed(terms))
    while stack:
        t = stack.pop()
        if type(t) is Add:
            stack.extend(reversed(t.args))
            continue
        if type(t) is Num:
            const += t.value
            cdec |= t.dec
            continue
        c, dec, rest = _split(t)
        entry = coeffs.get(rest)
        if entry is None:
            coeffs[rest] = [c, dec]
        else:
            entry[0] += c
            entry[1] |= dec
    out = [_scaled(c, dec, rest) for rest, (c, dec) in coeffs.items() if c != 0]
    out.sort(key=_term_key)
    index = None
    if len(out) >= _LONG_SUM:
        index = {_split(t)[2]._hash: t for t in out}
    if const != 0:
        out.append(Num(_checked(const), cdec))
    if not out:
        return ZERO
    if len(out) == 1:
        return out[0]
    total = Add(tuple(out))
    if index is not None and len(index) == len(out) - (const != 0):
        total._parts = (index, sum(map(_spread, out)))
    return total


#: Sums with at least this many terms keep an index of their terms by what multiplies
#: the coefficient (``_parts``: {hash: term}, and how many terms multiplying out their
#: products of sums would give), so that one more term is inserted or collected in place:
#: the exponent of x in (x + 1)**(x + 1)**…**w grows by one term per level.
_LONG_SUM = 8


def _add_into(big: Node, terms: tuple[Node, ...] | list[Node]) -> Node | None:
    """``_add(terms)`` for a long sum ``big`` among them and a few more terms; None when
    the general path could do anything else (it then runs)."""
    index, spread = big._parts
    last = big.args[-1]
    const, cdec = (last.value, last.dec) if type(last) is Num else (Fraction(0), False)
    out = list(big.args[:-1] if type(last) is Num else big.args)
    index = dict(index)
    seen_big = False
    for t in terms:
        if t is big and not seen_big:
            seen_big = True
            continue
        for u in t.args if type(t) is Add else (t,):
            if type(u) is Num:
                const += u.value
                cdec |= u.dec
                continue
            c, dec, rest = _split(u)
            old = index.get(rest._hash)
            k = _term_key(u)
            i = _bisect(out, k, key=_term_key)
            if old is not None:
                c0, dec0, rest0 = _split(old)
                if rest0 != rest or i >= len(out) or out[i] is not old:
                    return None
                c += c0
                dec |= dec0
                del out[i]
                spread -= _spread(old)
                if c == 0:
                    del index[rest._hash]
                    continue
                u = _scaled(c, dec, rest)
            elif i < len(out) and _term_key(out[i]) == k:
                return None  # equal sort keys: leave the order to the general path
            out.insert(i, u)
            index[rest._hash] = u
            spread += _spread(u)
    if len(out) < _LONG_SUM:
        return None
    if const != 0:
        out.append(Num(_checked(const), cdec))
    total = Add(tuple(out))
    total._parts = (index, spread)
    return total


# --- products ---
def mul(*factors: Node) -> Node:
    """The canonical product: coefficient first, equal bases merged into powers."""
    k = tuple(map(id, factors))
    got = _MULTIPLIED.get(k)
    if got is not None:
        return got[1]
    out = _mul(factors)
    _remember(_MULTIPLIED, k, factors, out)
    return out


def _mul(factors: tuple[Node, ...]) -> Node:
    """mul, computed."""
    if len(factors) == 2:
        a, b = factors
        # 1*u is u: the chain rule multiplies by u' = 1 once per partial derivative, and
        # flattening a long product again for it would cost its length each time
        if type(b) is Num and b.value == 1 and not b.dec:
            return a
        if type(a) is Num and a.value == 1 and not a.dec:
            return b
    big = None
    for f in factors:
        if type(f) is Mul and f._parts is not None and (big is None or len(f.args) > len(big.args)):
            big = f
    if big is not None:
        got = _mul_into(big, factors)
        if got is not None:
            return got
    coeff, dec = Fraction(1), False
    powers: dict[Node, list[Any]] = {}  # base -> [exponents, the factor as given]
    flat: list[Node] = []
    stack = list(reversed(factors))
    while stack:
        f = stack.pop()
        if type(f) is Mul:
            stack.extend(reversed(f.args))
        else:
            flat.append(f)
    if sum(type(f) is not Num for f in flat) > 1:
        # Take numeric content out of sums so equal bases meet: (2 - 2*s)*(1 - s) = 2*(1 - s)**2
        for i, f in enumerate(flat):
            c, f2, cdec = _content(f)
            if c != 1:
                coeff *= c
                dec |= cdec
                flat[i] = f2
    for f in flat:
        t = type(f)
        if t is Num:
            if f.value == 0:
                return ZERO
            coeff *= f.value
            dec |= f.dec
            continue
        base, exp = (f.args[0], f.args[1]) if t is Pow else (f, ONE)
        entry = powers.get(base)
        if entry is None:
            powers[base] = [[exp], f]
        else:
            entry[0].append(exp)
    coeff *= _pair_up(powers)
    if ZERO in powers:
        # anything divided by 0 is undefined: one form, 1/0, so that printing and parsing
        # it back (x/(0*y) reads as x/0) cannot give a different tree
        return Pow(ZERO, MINUS_ONE)
    out: list[Node] = []
    spilled: list[Node] = []
    for base, (exps, given) in powers.items():
        p = given if len(exps) == 1 else pow_(base, add(*exps))
        tp = type(p)
        if tp is Num:
            if p.value == 0:
                return ZERO
            coeff *= p.value
            dec |= p.dec
        elif tp is Mul:
            spilled.append(p)  # (2*x)**(1/2) squared: flatten and merge again
        else:
            out.append(p)
    _checked(coeff)
    if spilled:
        return mul(Num(coeff, dec), *out, *spilled)
    if not out:
        return Num(coeff, dec)
    if coeff == 1 and len(out) == 1:
        return out[0]
    if len(out) == 1 and type(out[0]) is Add:
        # a number times a sum is distributed, as SymPy does: 2*(x - 2) -> 2*x - 4
        return add(*(_scale_term(coeff, dec, t) for t in out[0].args))
    if coeff < 0:
        i = _lone_sum(out)
        if i is not None:
            # -(2 - y)/x is (y - 2)/x: printed, the sign would meet the sum first and be
            # distributed when read back; so the sign goes into a sum of mixed signs here
            out[i] = Add(tuple(_negate_term(t) for t in out[i].args))
            coeff = -coeff
    out.sort(key=key)
    m = Mul(tuple(out) if coeff == 1 else (Num(coeff, dec), *out))
    if len(out) >= _LONG_PRODUCT and all(_content(f)[0] == 1 for f in out):
        # settled: multiplying it again by one more factor changes nothing else
        parts = {_base(f)._hash: f for f in out}
        if len(parts) == len(out):  # (no two bases with one hash: then no index)
            m._parts = (parts, sum(map(_above, out)), sum(map(_sum_above, out)))
    return m


#: Products with at least this many factors keep an index of their factors by base
#: (``_parts``: {hash of the base: factor}, how many print above the fraction bar, and
#: how many of those are sums), so that one more factor is inserted or merged in place:
#: the chain rule through nested calls multiplies a growing product by a factor or two
#: per level, quadratic if each product were rebuilt. (Keyed by the hash, an int:
#: copying the index calls no Python.)
_LONG_PRODUCT = 8


def _above(f: Node) -> bool:
    """Whether a factor prints above the fraction bar."""
    return not (type(f) is Pow and type(f.args[1]) is Num and f.args[1].value < 0)


def _sum_above(f: Node) -> bool:
    return type(f) is Add


def _scale_term(c: Fraction, dec: bool, t: Node) -> Node:
    """``mul(Num(c, dec), t)`` for a term of a canonical sum, without taking the term's
    factors apart again (a long sum times -1 costs one node per term)."""
    if type(t) is Num:
        return Num(_checked(c * t.value), dec or t.dec)
    c0, d0, rest = _split(t)
    v = _checked(c * c0)
    if v < 0 and _lone_sum(list(rest.args) if type(rest) is Mul else [rest]) is not None:
        return mul(Num(c, dec), t)  # the sign goes into the sum: the general path
    return _scaled(v, dec or d0, rest)


def _lone_sum(out: list[Node]) -> int | None:
    """The index of the only factor printed above the fraction bar, if it is a sum with
    terms of both signs (its content taken out, so not all negative)."""
    found = None
    for i, f in enumerate(out):
        if type(f) is Pow and type(f.args[1]) is Num and f.args[1].value < 0:
            continue
        if found is not None or type(f) is not Add:
            return None
        found = i
    if found is None:
        return None
    return found if _has_negative_term(out[found]) else None


def _bisect(items: list[Node], k: tuple[Any, ...], key: Any) -> int:
    """The first index whose key is not below ``k`` (bisect's, without its import)."""
    lo, hi = 0, len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if key(items[mid]) < k:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _base(f: Node) -> Node:
    return f.args[0] if type(f) is Pow else f


def _mul_into(big: Node, factors: tuple[Node, ...]) -> Node | None:
    """``mul(*factors)`` for a settled long product ``big`` among them and a few more
    factors, each new to it or merging with one of its powers (x**2 times x); None
    whenever the general path could do anything else (it then runs)."""
    index, above, sums = big._parts
    head = big.args[0]
    coeff, dec = (head.value, head.dec) if type(head) is Num else (Fraction(1), False)
    new: list[Node] = []
    seen_big = False
    for f in factors:
        if f is big and not seen_big:
            seen_big = True
            continue
        for g in f.args if type(f) is Mul else (f,):
            if type(g) is Num:
                if g.value == 0:
                    return None
                coeff *= g.value
                dec |= g.dec
                continue
            c, g, cdec = _content(g)
            coeff *= c
            dec |= cdec
            b = _base(g)
            tb = type(b)
            if tb is Num or (tb is Call and b.name in ("sign", "abs")):
                return None  # 1/0, abs(u)*sign(u): the general path
            if any(_base(h) == b for h in new):
                return None
            if tb is Add and b._hash not in index:
                # a sum new here may pair with its negation: (x - 1)*(1 - x). (One already
                # here has no such twin here: the two would have been paired.)
                twin = Add(tuple(_negate_term(t) for t in b.args))
                if twin._hash in index or any(_base(h) == twin for h in new):
                    return None
            new.append(g)
    if not new:
        return None
    out = [f for f in big.args if type(f) is not Num]
    index = dict(index)
    deg = big._deg
    for g in new:
        b = _base(g)
        old = index.get(b._hash)
        if old is not None:
            if _base(old) != b:
                return None  # two bases, one hash
            i = _bisect(out, key(old), key=key)
            if out[i] is not old:
                return None
            p = pow_(b, add(old.args[1] if type(old) is Pow else ONE,
                            g.args[1] if type(g) is Pow else ONE))
            del out[i]
            above -= _above(old)
            sums -= _sum_above(old)
            if deg is not None:
                deg -= degree(old)
            if p is ONE or (type(p) is Num and p.value == 1 and not p.dec):
                del index[b._hash]  # x*x**-1 is 1: the factor goes
                continue
            if type(p) in (Num, Mul) or _base(p) != b:
                return None  # 2*x times x**-1/2, (2*x)**(1/2) squared spills: general path
            above += _above(p)
            sums += _sum_above(p)
            if deg is not None:
                deg += degree(p)
        else:
            p = g
            above += _above(p)
            sums += _sum_above(p)
            if deg is not None:
                deg += degree(p)
        k = key(p)
        i = _bisect(out, k, key=key)
        if i < len(out) and key(out[i]) == k:
            return None  # equal sort keys: leave the order to the general path
        out.insert(i, p)
        index[b._hash] = p
    if coeff < 0 and above == 1 and sums:
        return None  # a lone sum over a denominator takes the sign: the general path
    if len(out) < 2:
        return None  # one factor left: it may be returned alone, or distributed
    _checked(coeff)
    m = Mul(tuple(out) if coeff == 1 else (Num(coeff, dec), *out))
    m._parts = (index, above, sums)
    m._deg = deg
    return m


def _integer(exps: list[Node]) -> bool:
    return all(type(e) is Num and e.value.denominator == 1 for e in exps)


def _pair_up(powers: dict[Node, list[Any]]) -> Fraction:
    """Merge factors that are one sign apart, in place; return the sign taken out.

    (x - 1)*(1 - x) = -(x - 1)**2 and abs(u)*sign(u) = u."""
    sign = Fraction(1)
    # a sum's twin -B has as many terms, in the same order, with the same first term but
    # for its coefficient: build -B only when another sum has that shape (building it for
    # every sum made each product cost as much as all its sums)
    shapes: dict[tuple[Any, ...], int] = {}
    for base in powers:
        if type(base) is Add:
            shape = _shape(base)
            shapes[shape] = shapes.get(shape, 0) + 1
    for base in list(powers):
        entry = powers.get(base)
        if entry is None or not _integer(entry[0]):
            continue
        if type(base) is Add:
            if shapes[_shape(base)] < 2:
                continue
            other = Add(tuple(_negate_term(t) for t in base.args))
            twin = powers.get(other)
            if twin is not None and _integer(twin[0]) and key(base) < key(other):
                n = sum(int(e.value) for e in twin[0])
                sign *= -1 if n % 2 else 1  # (-B)**n = (-1)**n * B**n
                entry[0].extend(twin[0])
                del powers[other]
        elif type(base) is Call and base.name == "sign" and entry[0] == [ONE]:
            a = Call("abs", base.args)
            if powers.get(a, [[]])[0] == [ONE]:
                del powers[base], powers[a]
                u = base.args[0]
                powers.setdefault(u, [[], u])[0].append(ONE)
    return sign


def _shape(b: Node) -> tuple[Any, ...]:
    """What a sum and its negation share: the number of terms and the first term's factors
    other than its coefficient."""
    t = b.args[0]
    rest = t.args[1:] if type(t) is Mul and type(t.args[0]) is Num else (t,)
    return (len(b.args), rest)


def _negate_term(t: Node) -> Node:
    if type(t) is Num:
        return Num(-t.value, t.dec)
    c, dec, rest = _split(t)
    return _scaled(-c, dec, rest)


def _content(f: Node) -> tuple[Fraction, Node, bool]:
    """(c, f/c, c typed as decimal) with c the rational content of a sum or of an integer
    power of one (2*x + 4 -> 2, x + 2; -x - 1 -> -1, x + 1), else (1, f, False)."""
    if type(f) is Pow and type(f.args[0]) is Add and type(f.args[1]) is Num and (
        f.args[1].value.denominator == 1
    ):
        c, base, dec = _content(f.args[0])
        n = int(f.args[1].value)
        if c == 1 or abs(n) * max(c.numerator.bit_length(), c.denominator.bit_length()) > MAX_BITS:
            return _ONE, f, False  # (2*x + 2)**1e300 keeps its content inside
        return c**n, Pow(base, f.args[1]), dec
    if type(f) is not Add:
        return _ONE, f, False
    return _sum_facts(f)[:3]


def _has_negative_term(f: Node) -> bool:
    return _sum_facts(f)[3]


def _sum_facts(f: Node) -> tuple[Fraction, Node, bool, bool]:
    """_content of a sum, and whether a term is negative: kept on the node (``_cont``),
    as a long sum meets them again in every partial derivative."""
    got = f._cont
    if got is None:
        negative = any(_coefficient(t) < 0 for t in f.args)
        got = f._cont = (*_sum_content(f), negative)
    return got


def _coefficient(t: Node) -> Fraction:
    if type(t) is Num:
        return t.value
    return t.args[0].value if type(t) is Mul and type(t.args[0]) is Num else _ONE


def _sum_content(f: Node) -> tuple[Fraction, Node, bool]:
    # the common case first, without taking terms apart: integer coefficients, one of them
    # 1, and not all negative (x + 2*y)
    unit = positive = False
    for t in f.args:
        c = _coefficient(t)
        if c.denominator != 1:
            break
        unit = unit or c == 1 or c == -1
        positive = positive or c > 0
    else:
        if unit and positive:
            return _ONE, f, False
    parts = [_split(t) if type(t) is not Num else (t.value, t.dec, None) for t in f.args]
    num = den = 0
    for v, _, _ in parts:
        num = math.gcd(num, v.numerator)
        den = den * v.denominator // math.gcd(den, v.denominator) if den else v.denominator
    c = Fraction(num, den)
    if all(v < 0 for v, _, _ in parts):
        c = -c  # -x - 1 = -(x + 1): the sum's sign goes to the coefficient
    if c == 1 or c == 0:
        return _ONE, f, False
    scaled = [v / c for v, _, _ in parts]
    if any(_too_big(v) for v in scaled):
        # 1e-1233*y - 64 is not 1e-1233*(y - 6.4e+1234): that constant is beyond the bound
        return _ONE, f, False
    terms = tuple(Num(v, d) if r is None else _scaled(v, d, r)
                  for v, (_, d, r) in zip(scaled, parts, strict=True))
    # 0.5*y + 0.5 is 0.5*(y + 1): the content was typed as a decimal, and prints as one
    return c, Add(terms), any(d for _, d, _ in parts)


def _too_big(v: Fraction) -> bool:
    return v.numerator.bit_length() > MAX_BITS or v.denominator.bit_length() > MAX_BITS


def neg(x: Node) -> Node:
    return mul(MINUS_ONE, x)


# --- powers ---
def _iroot(n: int, k: int) -> int | None:
    """The exact k-th root of a non-negative integer, or None."""
    if n < 2:
        return n
    r = round(n ** (1.0 / k)) if n.bit_length() < 1000 else None
    if r is None:
        return None
    for c in (r - 1, r, r + 1):
        if c >= 0 and c**k == n:
            return c
    return None


def _num_pow(b: Num, e: Num) -> Node | None:
    """Fold number**number exactly when the result is rational and of bounded size."""
    r, q = b.value, e.value
    dec = b.dec or e.dec
    if q.denominator == 1:
        n = int(q)
        if r == 0 and n < 0:
            # 1/0 stays symbolic (evaluating it is a domain error), in one form
            return Pow(b, MINUS_ONE) if n != -1 else None
        bits = max(r.numerator.bit_length(), r.denominator.bit_length())
        if abs(n) * bits > MAX_BITS and r not in (1, -1):
            # the parser refuses such literals; refuse them when arithmetic builds them too,
            # so that every printed result parses back
            raise InputError(f"constant power too large: its exact value needs more than "
                             f"{MAX_BITS} bits")
        return Num(r**n, dec)
    if r != 0 and abs(r) != 1:
        size = abs(q) * abs(math.log2(abs(r.numerator)) - math.log2(r.denominator))
        if size > MAX_BITS:
            # 3**9315.3 stays a power, but the parser refuses it as too large: refuse it
            # when arithmetic builds it too (relu(3)**9315.3), so that results parse back
            raise InputError(f"constant power too large: its exact value needs more than "
                             f"{MAX_BITS} bits")
    if r <= 0 or q.denominator > _MAX_ROOT:
        return None
    k = q.denominator
    num, den = _iroot(r.numerator, k), _iroot(r.denominator, k)
    if num is None or den is None:
        return None
    root = Fraction(num, den)
    if abs(q.numerator) * max(num.bit_length(), den.bit_length()) > MAX_BITS:
        return None
    return Num(root**q.numerator, dec)


def _small_power(c: Node, n: Fraction) -> bool:
    """Whether a coefficient c**n stays within MAX_BITS (else (2*x)**n is kept whole)."""
    if type(c) is not Num:
        return True
    bits = max(c.value.numerator.bit_length(), c.value.denominator.bit_length())
    return abs(n) * bits <= MAX_BITS or c.value in (1, -1)


def pow_(b: Node, e: Node) -> Node:
    """The canonical power."""
    if type(e) is Num:
        v = e.value
        if v == 0:
            return ONE
        if v == 1:
            return b
        tb = type(b)
        if tb is Num:
            folded = _num_pow(b, e)
            if folded is not None:
                return folded
        elif tb is Pow and v.denominator == 1:
            return pow_(b.args[0], mul(b.args[1], e))  # (x**a)**n = x**(a*n) for integer n
        elif tb is Mul and v.denominator == 1 and _small_power(b.args[0], v):
            return mul(*(pow_(f, e) for f in b.args))  # (2*x)**2 = 4*x**2
        if type(b) is Call and b.name == "heaviside" and v.denominator == 1 and v > 0:
            return b  # a step is 0 or 1: heaviside(u)**n = heaviside(u)
        if type(b) is Call and b.name == "abs" and v.denominator == 1 and v.numerator % 2 == 0:
            return pow_(b.args[0], e)  # abs(u)**2 = u**2
        if tb is Add and v.denominator == 1:
            # (-x - 1)**n = (-1)**n*(x + 1)**n, (x/4 + 1)**-1 = 4*(x + 4)**-1: one form for
            # each, whatever built it (1/(2*(x**2/4 + 1)) read back as 1/(x**2/2 + 2))
            c, inner, cdec = _content(Pow(b, e))
            if c != 1:
                return mul(Num(c, cdec), inner)
            if inner.args[0] is not b:
                return inner  # (-x - 1)**2 = (x + 1)**2: the content's power is 1
    if type(b) is Num and b.value == 1:
        return ONE
    if type(b) is Num and b.value == 0 and positive(e):
        return ZERO  # 0**u = 0 for u > 0
    if type(b) is Const and b.name == "e" and type(e) is Call and e.name == "log" and (
        len(e.args) == 1
    ):
        return e.args[0]
    return Pow(b, e)


# --- signs, for abs, sign, heaviside and relu ---
_POSITIVE_FUNCTIONS = {"exp", "sigmoid", "softplus", "cosh"}
_NONNEG_FUNCTIONS = {"abs", "relu", "heaviside"}


def positive(n: Node) -> bool:
    """Provably > 0 wherever defined (x**2 + 1, exp(u), pi**x, sqrt(u) + 1)."""
    t = type(n)
    if t is Num:
        return n.value > 0
    if t is Const:
        return True
    if t is Call:
        return n.name in _POSITIVE_FUNCTIONS
    if t is Pow:
        return positive(n.args[0])
    if t is Mul:
        return all(positive(a) for a in n.args)
    if t is Add:
        return all(nonnegative(a) for a in n.args) and any(positive(a) for a in n.args)
    return False


def nonnegative(n: Node) -> bool:
    """Provably >= 0 wherever defined (x**2, abs(u), sqrt(u), relu(u))."""
    if positive(n):
        return True
    t = type(n)
    if t is Num:
        return n.value >= 0
    if t is Call:
        return n.name in _NONNEG_FUNCTIONS
    if t is Pow:
        e = n.args[1]
        if type(e) is Num and (e.value.numerator % 2 == 0 or e.value.denominator % 2 == 0):
            return True  # even powers, and even roots (defined only where >= 0)
        return nonnegative(n.args[0])
    if t is Mul or t is Add:
        return all(nonnegative(a) for a in n.args)
    return False


def _piecewise(name: str, u: Node) -> Node | None:
    """abs, sign, heaviside and relu of arguments whose sign is known, or scaled."""
    if type(u) is Mul and type(u.args[0]) is Num:
        c = u.args[0].value
        rest = u.args[1] if len(u.args) == 2 else Mul(u.args[1:])
        if name == "abs":
            return mul(Num(abs(c), u.args[0].dec), call("abs", rest))  # abs(3*x) = 3*abs(x)
        if name == "sign":
            return mul(Num(1 if c > 0 else -1), call("sign", rest))
        if c > 0:
            return call(name, rest) if name == "heaviside" else mul(u.args[0], call(name, rest))
    if positive(u):
        return ONE if name in ("sign", "heaviside") else u
    if nonnegative(u) and name in ("abs", "relu"):
        return u
    return None


# --- function applications ---
def _negative(u: Node) -> bool:
    if type(u) is Num:
        return u.value < 0
    return type(u) is Mul and type(u.args[0]) is Num and u.args[0].value < 0


_PIECEWISE = {
    "abs": abs,
    "sign": lambda v: (v > 0) - (v < 0),
    "heaviside": lambda v: 1 if v > 0 else 0,
    "relu": lambda v: v if v > 0 else 0,
}


def call(name: str, *args: Node) -> Node:
    """The canonical application of a registry function."""
    name = fn.NAMES[name]
    if name == "sqrt":
        return pow_(args[0], HALF)
    if name == "log" and len(args) == 2:
        u, b = args
        if type(b) is Num and (b.value <= 0 or b.value == 1):
            raise InputError(f"log(x, b) needs a base b > 0 other than 1, not {b.value}")
        if type(b) is Const and b.name == "e":
            args = (u,)
        elif u == b:
            return ONE
        elif u == ONE:
            return ZERO
        else:
            return Call("log", (u, b))
    row = fn.FUNCTIONS[name]
    if len(args) != 1:
        # several arguments (leaky_relu(u, a)): the facts below are about f(u) alone
        return Call(name, args)
    (u,) = args
    tu = type(u)
    if tu is Num:
        if u.value == 0 and row.at_zero is not None:
            return row.at_zero
        if name in _PIECEWISE:
            return Num(Fraction(_PIECEWISE[name](u.value)), u.dec)
        if u.value == 1 and name in ("log", "log2", "log10"):
            return ZERO
    if name == "log":
        if tu is Const and u.name == "e":
            return ONE
        if tu is Call and u.name == "exp":
            return u.args[0]
        if tu is Pow and type(u.args[0]) is Const and u.args[0].name == "e":
            return u.args[1]
    if name == "exp" and tu is Call and u.name == "log" and len(u.args) == 1:
        return u.args[0]
    if name in ("heaviside", "sign") and tu is Call and u.name == "relu":
        # relu(v) > 0 exactly where v > 0, and is never negative: the chain rule through
        # nested relu gives heaviside(relu(v)) at every level
        return call("heaviside", u.args[0])
    if name in _PIECEWISE and tu is not Num:
        known = _piecewise(name, u)
        if known is not None:
            return known
    if row.parity and _negative(u):
        inner = Call(name, (neg(u),))
        return neg(inner) if row.parity == "odd" else inner
    return Call(name, (u,))


# --- surface tree -> canonical tree ---
def simplify(node: Node) -> Node:
    """Rebuild a (surface or canonical) tree through the canonical constructors.

    The result is kept on each node (``_canon``), so asking again for a subtree, at every
    nesting level or for every partial derivative, costs nothing: linear, not quadratic."""

    def s(n: Node) -> Node:
        out = n._canon
        if out is not None:
            return out
        t = type(n)
        if t in (Num, Const, Var):
            out = n
        elif t is Add:
            out = add(*map(s, n.args))
        elif t is Mul:
            out = mul(*map(s, n.args))
        elif t is Pow:
            out = pow_(s(n.args[0]), s(n.args[1]))
        elif t is Neg:
            out = neg(s(n.args[0]))
        elif t is Div:
            out = mul(s(n.args[0]), pow_(s(n.args[1]), MINUS_ONE))
        elif t is Call:
            out = call(n.name, *map(s, n.args))
        else:  # pragma: no cover - every node type is listed above
            raise TypeError(t)
        n._canon = out
        return out

    return s(node)


# nodes.py's operators (x + y, 1 / u) build trees through the constructors above
_nodes.install(algebra=sys.modules[__name__])
