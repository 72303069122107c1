"""Option values shared by the commands: points (``--at x=3``), variable names, and
stdin batches (``EXPR`` given as ``-``)."""

from __future__ import annotations

import math
import re
import sys

from . import functions as fn
from .errors import EXIT_INPUT, EXIT_OK, InputError
from .evaluate import evaluate
from .parser import parse

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import BinaryIO, TextIO

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: Bytes read from stdin in batch mode; more is an input error, not a memory problem.
MAX_STDIN = 64 * 1024 * 1024


def variable_name(name: str, option: str) -> str:
    """Validate a variable name given in an option (``--wrt``, ``--at``, ``--x0``)."""
    name = name.strip()
    if not _IDENT.match(name):
        raise InputError(f"{option}: '{name}' is not a variable name", name, 0)
    if name in fn.NAMES or name in fn.CONSTANTS:
        raise InputError(f"{option}: '{name}' is a function or constant name, not a variable")
    return name


def constant(text: str, what: str) -> float:
    """A finite number given as a constant expression: ``3``, ``-1.5``, ``pi/2``, ``1e-3``."""
    text = text.strip()
    try:
        node = parse(text)
    except InputError as e:
        raise InputError(f"{what}: {e.message}", e.text, e.column, e.hint, e.width) from None
    if node.free:
        names = ", ".join(sorted(node.free))
        raise InputError(f"{what} must be a number, not an expression in {names}", text, 0)
    try:
        value = evaluate(node, {}, text)
    except InputError as e:
        raise InputError(f"{what}: {e.message}", e.text, e.column, e.hint, e.width) from None
    if not math.isfinite(value):  # pragma: no cover - evaluate already refuses these
        raise InputError(f"{what} must be finite", text, 0)
    return value


def point(items: Iterable[str], option: str = "--at") -> dict[str, float]:
    """``["x=3", "y=pi/2"]`` -> ``{"x": 3.0, "y": 1.5707963267948966}``."""
    out: dict[str, float] = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq:
            raise InputError(f"{option} takes VAR=VALUE, got '{item}'", item, len(item))
        var = variable_name(name, option)
        if var in out:
            raise InputError(f"{option}: {var} is given twice")
        out[var] = constant(value, f"{option} {var}")
    return out


def missing(needed: Iterable[str], given: dict[str, float], option: str = "--at") -> None:
    """Refuse a point that lacks a value for a variable the expression uses."""
    lack = sorted(set(needed) - set(given))
    if lack:
        example = " ".join(f"{option} {v}=…" for v in lack)
        raise InputError(f"no value for {', '.join(lack)}: give {example}")


def expression_arg(text: str) -> str:
    """The EXPR argument as typed (leading/trailing blanks removed)."""
    return text.strip()


def read_stdin_text(what: str = "expression") -> str:
    """All of stdin as one expression (``minimize -``), bounded and strictly UTF-8."""
    data = _read_bounded(sys.stdin.buffer)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"stdin is not valid UTF-8 (byte {e.start})") from None
    text = text.strip()
    if not text:
        raise InputError(f"no {what} on stdin")
    return text


def _read_bounded(stream: BinaryIO) -> bytes:
    data = stream.read(MAX_STDIN + 1)
    if len(data) > MAX_STDIN:
        raise InputError(f"stdin is larger than {MAX_STDIN // (1024 * 1024)} MB")
    return data


def run_batch(
    answer: Callable[[str], list[str]],
    out: TextIO,
    err: TextIO,
    stream: BinaryIO | None = None,
) -> int:
    """Answer one expression per stdin line, in order. A bad line is reported on stderr
    with its number and gives an empty output line (so outputs stay aligned with inputs);
    the exit code is 2 at the end if any line was bad."""
    stream = stream if stream is not None else sys.stdin.buffer
    data = _read_bounded(stream)
    status = EXIT_OK
    rows = data.split(b"\n")
    if rows[-1] == b"":
        rows.pop()  # the newline that ends the last line does not start another
    for lineno, raw in enumerate(rows, 1):
        try:
            try:
                text = raw.rstrip(b"\r").decode("utf-8")
            except UnicodeDecodeError as e:
                raise InputError(f"invalid UTF-8 at byte {e.start}") from None
            text = text.strip()
            lines = answer(text) if text else [""]
        except InputError as e:
            err.write(f"line {lineno}: {e.render()}\n")
            status = EXIT_INPUT
            lines = [""]
        out.write("\n".join(lines) + "\n")
        out.flush()
    return status
