"""Option values shared by the commands: points (``--at x=3``), variable names, and
stdin batches (``EXPR`` given as ``-``)."""

from __future__ import annotations

import math
import sys

from .errors import EXIT_INPUT, EXIT_OK, InputError
from .expr import functions as fn
from .expr.evaluate import PiFloat, _Eval, evaluate
from .expr.parser import is_name, parse

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import BinaryIO, TextIO


#: Bytes read from stdin in batch mode; more is an input error, not a memory problem.
MAX_STDIN = 64 * 1024 * 1024


def variable_name(name: str, option: str) -> str:
    """Validate a variable name given in an option (``--wrt``, ``--at``, ``--x0``): the
    names the parser reads as variables (Greek letters too: --at θ=1)."""
    name = name.strip()
    if name in fn.NAMES or name in fn.CONSTANTS:
        raise InputError(f"{option}: '{name}' is a function or constant name, not a variable")
    try:
        ok = is_name(name) and type(parse(name)).__name__ == "Var"
    except InputError:
        ok = False  # a reserved word, a name beginning with __
    if not ok:
        raise InputError(f"{option}: '{name}' is not a variable name", name, 0)
    return name


#: What people type for the values float64 has beyond the finite numbers.
_NOT_FINITE = frozenset({"nan", "inf", "infinity", "∞"})


def constant(text: str, what: str, notes: list[str] | None = None) -> float:
    """A finite number given as a constant expression: ``3``, ``-1.5``, ``pi/2``, ``1e-3``.
    How an ambiguous form was read goes to ``notes``, prefixed with ``what``."""
    text = text.strip()
    if text.lstrip("+-").lower() in _NOT_FINITE:
        raise InputError(f"{what} must be a finite number, not {text}", text, 0,
                         width=len(text))
    try:
        said: list[str] = []
        node = parse(text, said)
        if notes is not None:
            notes.extend(f"{what}: {n}" for n in said)
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
    q = _Eval({}, text).pi_multiple(node)
    return PiFloat(value, q) if q else value + 0.0  # never -0


def point(
    items: Iterable[str], option: str = "--at", notes: list[str] | None = None
) -> dict[str, float]:
    """``["x=3", "y=pi/2"]`` -> ``{"x": 3.0, "y": 1.5707963267948966}``."""
    out: dict[str, float] = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not name.strip() or not value.strip():
            raise InputError(f"{option} takes VAR=VALUE, got '{item}'", item,
                             len(item) if not eq else 0)
        var = variable_name(name, option)
        if var in out:
            raise InputError(f"{option}: {var} is given twice")
        out[var] = constant(value, f"{option} {var}", notes)
    return out


def missing(needed: Iterable[str], given: dict[str, float], option: str = "--at") -> None:
    """Refuse a point that lacks a value for a variable the expression uses."""
    lack = sorted(set(needed) - set(given))
    if lack:
        example = " ".join(f"{option} {v}=…" for v in lack)
        raise InputError(f"no value for {', '.join(lack)}: give {example}")


def unknown(names: Iterable[str], variables: Iterable[str], option: str) -> None:
    """Refuse an option that names a variable the expression does not have (a typo would
    otherwise be ignored silently), in the words ``minimize --x0`` uses."""
    have = sorted(variables)
    for name in names:
        if name not in have:
            theirs = (f"the expression's variables are {', '.join(have)}" if have
                      else "the expression has no variables")
            raise InputError(f"{option} names {name}, but {theirs}")


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


class Reply:
    """What one batch line gives: its output line, stderr messages (``note: …``,
    ``check: …``) and an exit code (a failed --check is 1)."""

    __slots__ = ("line", "messages", "code")

    def __init__(self, line: str, messages: list[str] | None = None, code: int = EXIT_OK) -> None:
        self.line, self.messages, self.code = line, messages or [], code


def error_record(lineno: int, text: str, e: InputError) -> str:
    """The JSON Lines record of a bad batch line: never an empty line."""
    import json

    message = e.message + (f" — {e.hint}" if e.hint else "")
    shown = text if len(text) <= _ECHO else text[: _ECHO - 1] + "…"
    return json.dumps({"line": lineno, "expr": shown, "error": message}, ensure_ascii=False)


#: Longest input echoed in a JSON error record (the parser refuses longer ones anyway).
_ECHO = 10_000


def run_batch(
    answer: Callable[[str], Reply],
    out: TextIO,
    err: TextIO,
    json_errors: bool = False,
    stream: BinaryIO | None = None,
) -> int:
    """Answer one expression per stdin line, in order, one output line per input line.

    A bad line is reported on stderr with its number; its output line is empty, or with
    ``json_errors`` (JSON Lines) a ``{"line", "expr", "error"}`` record, so that outputs
    stay aligned with inputs (a blank input line gives a blank line, or ``null``). The
    exit code is 2 at the end if any line was bad, else 1 if a --check failed, else 0."""
    stream = stream if stream is not None else sys.stdin.buffer
    data = _read_bounded(stream)
    status = EXIT_OK
    rows = data.split(b"\n")
    if rows[-1] == b"":
        rows.pop()  # the newline that ends the last line does not start another
    for lineno, raw in enumerate(rows, 1):
        text = raw.rstrip(b"\r").decode("utf-8", "replace").strip()
        try:
            try:
                raw.rstrip(b"\r").decode("utf-8")
            except UnicodeDecodeError as e:
                raise InputError(f"invalid UTF-8 at byte {e.start}") from None
            # a blank line answers blank: in JSON Lines `null`, as an empty line is no JSON
            reply = answer(text) if text else Reply("null" if json_errors else "")
        except InputError as e:
            messages = getattr(e, "notes", [])
            for m in messages:
                err.write(f"line {lineno}: {m}\n")
            err.write(f"line {lineno}: {e.render()}\n")
            status = EXIT_INPUT
            line = error_record(lineno, text, e) if json_errors else ""
        else:
            for m in reply.messages:
                err.write(f"line {lineno}: {m}\n")
            if reply.code and status == EXIT_OK:
                status = reply.code
            line = reply.line
        out.write(line + "\n")
        out.flush()
    return status
