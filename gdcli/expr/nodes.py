"""Expression nodes: immutable, hashable, and overloaded so rules read as mathematics.

Two shapes of tree use these classes:

* the *surface* tree the parser builds keeps what the user wrote (``Neg``, ``Div``,
  ``sqrt(u)``) so that ``--steps`` can name the quotient rule for ``a/b``;
* the *canonical* tree built by :mod:`gdcli.expr.simplify` uses only ``Num Const Var Add
  Mul Pow Call``. The operators below build canonical trees, so ``1 / u`` in a
  derivative rule is already simplified.
"""

from __future__ import annotations

from fractions import Fraction
from operator import attrgetter

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


_height, _hash_of = attrgetter("height"), attrgetter("_hash")


class Node:
    """Base of all expression nodes. Subclasses set ``args`` (child nodes)."""

    __slots__ = ("args", "_hash", "_key", "_free", "_canon", "_link", "_terms",
                 "_parts", "_cont", "_text", "_latex", "_deg", "_tkey", "_size",
                 "span", "height")

    args: tuple[Node, ...]

    def _ident(self) -> tuple[Any, ...]:
        return self.args

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if type(self) is not type(other):
            return False
        assert isinstance(other, Node)
        return self._hash == other._hash and self._ident() == other._ident()

    def __hash__(self) -> int:
        return self._hash

    def _init(self, args: tuple[Node, ...]) -> None:
        self.args = args
        # height comes early in sort keys, so comparing deep trees stops early
        self.height = 1 + max(map(_height, args)) if args else 0
        if args:
            # from the children's cached hashes (ints): no Python __hash__ call per child
            self._hash = hash((type(self).__name__, getattr(self, "name", None),
                               *map(_hash_of, args)))
        else:
            self._hash = hash((type(self).__name__, self._ident()))
        # Caches: a node never changes, so what is computed from it alone is kept on it.
        # Asked for again at every nesting level above it and for every partial
        # derivative, each would otherwise make deep and wide inputs quadratic or worse.
        self._key = None
        self._free = None
        self._canon = None  # simplify(self)
        self._link = None  # the differentiator's chain factor (diff._link), var-independent
        self._terms = None  # a long sum's terms by variable (diff._terms_with)
        self._parts = None  # a long product's or sum's index (simplify._mul_into, _add_into)
        self._cont = None  # a sum's rational content (simplify._content)
        self._text = None  # the printed form and its precedence (printer._str)
        self._latex = None  # the same for LaTeX (latex._tex), free for it to keep
        self._deg = None  # a product's total degree (simplify.degree)
        self._tkey = None  # its sort key as a term of a sum (simplify._term_key)
        self._size = None  # size(self), once asked for
        self.span = None  # (start column, end column) in the parsed text, surface nodes only

    # --- algebra: the canonical constructors, installed by simplify.py ---
    def __add__(self, o: object) -> Node:
        return _algebra.add(self, lift(o))

    def __radd__(self, o: object) -> Node:
        return _algebra.add(lift(o), self)

    def __sub__(self, o: object) -> Node:
        return _algebra.add(self, _algebra.neg(lift(o)))

    def __rsub__(self, o: object) -> Node:
        return _algebra.add(lift(o), _algebra.neg(self))

    def __mul__(self, o: object) -> Node:
        return _algebra.mul(self, lift(o))

    def __rmul__(self, o: object) -> Node:
        return _algebra.mul(lift(o), self)

    def __truediv__(self, o: object) -> Node:
        return _algebra.mul(self, _algebra.pow_(lift(o), MINUS_ONE))

    def __rtruediv__(self, o: object) -> Node:
        return _algebra.mul(lift(o), _algebra.pow_(self, MINUS_ONE))

    def __pow__(self, o: object) -> Node:
        return _algebra.pow_(self, lift(o))

    def __rpow__(self, o: object) -> Node:
        return _algebra.pow_(lift(o), self)

    def __neg__(self) -> Node:
        return _algebra.neg(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(map(repr, self._ident()))})"

    def __str__(self) -> str:
        return repr(self) if _printer is None else _printer(self)

    @property
    def free(self) -> frozenset[str]:
        """Names of the variables this expression depends on."""
        if self._free is None:
            self._free = frozenset().union(*(a.free for a in self.args)) if self.args else (
                frozenset()
            )
        return self._free


class Num(Node):
    """An exact rational constant. ``dec`` remembers it was typed as a decimal (0.1),
    so it prints back as one; it takes no part in equality."""

    __slots__ = ("value", "dec")

    def __init__(self, value: Fraction | int, dec: bool = False) -> None:
        self.value = value if isinstance(value, Fraction) else Fraction(value)
        self.dec = dec
        self._init(())

    def _ident(self) -> tuple[Any, ...]:
        return (self.value,)


class Const(Node):
    """A named constant: ``pi`` or ``e``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name
        self._init(())

    def _ident(self) -> tuple[Any, ...]:
        return (self.name,)


class Var(Node):
    """A variable such as ``x`` or ``w1``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name
        self._init(())
        self._free = frozenset((name,))

    def _ident(self) -> tuple[Any, ...]:
        return (self.name,)


class Add(Node):
    """A sum of two or more terms."""

    __slots__ = ()

    def __init__(self, args: tuple[Node, ...]) -> None:
        self._init(tuple(args))


class Mul(Node):
    """A product of two or more factors (canonically, a ``Num`` coefficient first)."""

    __slots__ = ()

    def __init__(self, args: tuple[Node, ...]) -> None:
        self._init(tuple(args))


class Pow(Node):
    """``base ** exp``."""

    __slots__ = ()

    def __init__(self, base: Node, exp: Node) -> None:
        self._init((base, exp))

    @property
    def base(self) -> Node:
        return self.args[0]

    @property
    def exp(self) -> Node:
        return self.args[1]


class Call(Node):
    """A registry function applied to its arguments: ``sin(x)``, ``log(x, 2)``."""

    __slots__ = ("name",)

    def __init__(self, name: str, args: tuple[Node, ...]) -> None:
        self.name = name
        self._init(tuple(args))

    def _ident(self) -> tuple[Any, ...]:
        return (self.name, self.args)


class Neg(Node):
    """Surface only: unary minus as typed (``-x``, and ``a - b`` is ``a + Neg(b)``)."""

    __slots__ = ()

    def __init__(self, arg: Node) -> None:
        self._init((arg,))


class Div(Node):
    """Surface only: ``a / b`` as typed, so the quotient rule can be named."""

    __slots__ = ()

    def __init__(self, num: Node, den: Node) -> None:
        self._init((num, den))


def lift(o: object) -> Node:
    """Promote Python numbers to ``Num`` (micrograd's ``Value`` promotion)."""
    if isinstance(o, Node):
        return o
    if isinstance(o, bool):
        raise TypeError("bool is not a number here")
    if isinstance(o, int | Fraction):
        return Num(o)
    raise TypeError(f"cannot use {type(o).__name__} in an expression")


def call(name: str, *args: Node) -> Node:
    """A canonical function application (``sqrt`` becomes a power, ``log(e)`` 1, …)."""
    return _algebra.call(name, *args)


def size(node: Node) -> int:
    """Number of nodes in the tree as printed, shared subtrees counted each time they occur
    (used for bounds on derivative growth, and to choose the smaller of two forms). Linear
    in the number of distinct nodes not measured before: a derivative shares subtrees, and
    walking it as a tree could take exponential time."""
    if node._size is not None:
        return node._size
    stack = [node]
    while stack:
        cur = stack[-1]
        if cur._size is not None:
            stack.pop()
            continue
        todo = [a for a in cur.args if a._size is None]
        if todo:
            stack.extend(todo)
            continue
        stack.pop()
        cur._size = 1 + sum(a._size for a in cur.args)
    return node._size


ZERO, ONE, TWO, MINUS_ONE = Num(0), Num(1), Num(2), Num(-1)
HALF = Num(Fraction(1, 2))
PI, E = Const("pi"), Const("e")

#: The canonical constructors (``add``, ``mul``, ``pow_``, ``neg``, ``call``) and the printer:
#: nodes are plain data, and the modules that know how to build and print them import this
#: one and install themselves here when they load (expr/__init__.py loads them), so that no
#: import runs back from nodes to simplify or printer.
_algebra: Any = None
_printer: Callable[[Node], str] | None = None


def install(algebra: Any = None, printer: Callable[[Node], str] | None = None) -> None:
    """Called by simplify.py (the algebra) and printer.py (``to_str``) when they load."""
    global _algebra, _printer
    if algebra is not None:
        _algebra = algebra
    if printer is not None:
        _printer = printer
