"""gdcli: derivatives by the textbook rule table, and gradient descent step by step.

The command line (``gdcli``) is a thin layer over this library::

    >>> from gdcli import parse, derivative, to_str
    >>> to_str(derivative(parse("x**2 - 4*x + 6"), "x"))
    '2*x - 4'
"""

from .diff import derivative
from .errors import DomainError, GdcliError, InputError
from .parser import parse
from .printer import to_str
from .simplify import simplify

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
