"""The symbolic core: text -> tree -> derivative -> printed, LaTeX or compiled.

No I/O here, and no numpy at import: `gdcli derive` starts from these modules alone."""

# simplify and printer install the canonical constructors and str() on nodes.py's classes
from . import printer, simplify  # noqa: E402, F401
