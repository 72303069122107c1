"""Work measured as a count of function calls, not seconds: the same on a loaded 2-core
machine as on an idle one, so tests can bound it tightly and check how it grows."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


class Work:
    """``with Work() as w: ...`` then ``w.calls``: Python and builtin function calls made
    inside the block (sys.setprofile; deep comparisons and dict lookups of trees call
    ``__eq__``, so they count too)."""

    def __init__(self) -> None:
        self.calls = 0

    def __enter__(self) -> Work:
        counter = [0]

        def profile(frame: Any, event: str, arg: Any) -> None:
            if event == "call" or event == "c_call":
                counter[0] += 1

        self._counter = counter
        self._previous = sys.getprofile()
        sys.setprofile(profile)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.setprofile(self._previous)
        self.calls = self._counter[0]


def work(fn: Callable[..., Any], *args: Any) -> tuple[int, Any]:
    """(calls made by fn(*args), its value); an exception propagates after counting."""
    with Work() as w:
        value = fn(*args)
    return w.calls, value
