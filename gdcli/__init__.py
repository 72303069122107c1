"""gdcli: derivatives by the textbook rule table, and gradient descent step by step.

The command line (``gdcli``) is a thin layer over this library::

    >>> from gdcli import parse, derivative, to_str
    >>> to_str(derivative(parse("x**2 - 4*x + 6"), "x"))
    '2*x - 4'
"""

import sys

# Rules recurse a few frames per level of nesting, and input may nest MAX_DEPTH (100)
# levels deep: make room (Python 3.11 runs pure-Python recursion off the C stack).
if sys.getrecursionlimit() < 10_000:
    sys.setrecursionlimit(10_000)

from .errors import DomainError, GdcliError, InputError  # noqa: E402
from .expr.diff import derivative  # noqa: E402
from .expr.parser import parse  # noqa: E402
from .expr.printer import to_str  # noqa: E402
from .expr.simplify import simplify  # noqa: E402

__all__ = [
    "DomainError",
    "GdcliError",
    "InputError",
    "derivative",
    "parse",
    "simplify",
    "to_str",
]
__version__ = "0.1.0"
