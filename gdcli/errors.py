"""Errors users can cause, each with its exit code (SPEC §2) and a one-screen rendering."""

from __future__ import annotations

#: Exit codes scripts rely on (SPEC §2).
EXIT_OK, EXIT_OTHER, EXIT_INPUT, EXIT_DIVERGED, EXIT_MAX_ITER = 0, 1, 2, 3, 4

#: How much of a long input is echoed around the caret.
_WINDOW = 60
#: Bounds on a message as printed, whatever it quotes from the input (SPEC §2): a word
#: (a run without blanks: a value, a name, an option) longer than _WORD characters, a line
#: longer than _LINE and more than _LINES lines are shortened in the middle with "…".
_WORD, _LINE, _LINES = 48, 200, 4


class GdcliError(Exception):
    """Base of every error gdcli reports without a traceback."""

    exit_code = EXIT_OTHER

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def render(self) -> str:
        return f"error: {shorten(self.message, 1)}"


def report(e: GdcliError) -> int:
    """Write an error to stderr (after any results already on stdout); its exit code."""
    import sys

    sys.stdout.flush()
    sys.stderr.write(e.render() + "\n")
    return e.exit_code


class InputError(GdcliError):
    """Bad user input: an expression, option, file or config. Exit code 2.

    ``text`` and ``column`` (0-based, in characters) locate the problem so the
    message can show the input with a caret under the offending character.
    """

    exit_code = EXIT_INPUT

    def __init__(
        self,
        message: str,
        text: str | None = None,
        column: int | None = None,
        hint: str | None = None,
        width: int = 1,
    ) -> None:
        super().__init__(message)
        self.text = text
        self.column = column
        self.hint = hint
        self.width = max(1, width)

    def __str__(self) -> str:
        return self.message

    def render(self) -> str:
        said = f"{self.message} — {self.hint}" if self.hint else self.message
        head = "error: " + shorten(said, 1)
        if self.text is None or self.column is None:
            return head
        shown, col = _window(self.text, self.column)
        pad = _display_width(shown[:col])
        width = max(1, min(self.width, len(shown) - col))
        caret = " " * pad + "^" * max(1, _display_width(shown[col : col + width]))
        return f"{head}\n  {shown}\n  {caret}"


class DomainError(InputError):
    """A point outside a function's domain (log(-1), asin(2), 1/0)."""


class EvalOverflow(InputError):
    """A value too large for float64 while evaluating user input."""


def _printable(ch: str) -> str:
    import unicodedata  # only when an error is shown

    # Control characters (NUL, escape, newlines) would break the one-line echo.
    return "\N{REPLACEMENT CHARACTER}" if unicodedata.category(ch)[0] == "C" else ch


def clip(text: str, limit: int = _WORD) -> str:
    """``text`` as one printable line of at most ``limit`` characters: a longer text keeps
    its two ends around "…" (the end of a value tells as much as its start), and control
    characters, newlines included, are shown as U+FFFD."""
    if len(text) > limit:
        head = (limit - 1) * 2 // 3
        text = text[:head] + "…" + text[len(text) - (limit - 1 - head) :]
    return "".join(_printable(c) for c in text)


def shorten(message: str, lines: int = _LINES) -> str:
    """A message as printed: at most ``lines`` lines, each word of at most _WORD characters
    and each line of at most _LINE, no control characters. Messages quote input (an option
    value, a name); however long or hostile the input, the message stays a few lines.
    With ``lines=1`` (gdcli's own messages, all one line) a newline typed in a quoted
    value is shown as U+FFFD rather than starting a line."""
    import re  # only when a message is shown

    parts = message.split("\n") if lines > 1 else [message]
    if len(parts) > lines:
        parts = [*parts[: lines - 1], "…"]
    long_word = re.compile(rf"\S{{{_WORD + 1},}}")
    # words first, so that each long value keeps its ends; then the line (many short words)
    return "\n".join(
        clip(long_word.sub(lambda m: clip(m.group()), part), _LINE) for part in parts
    )


def _window(text: str, column: int) -> tuple[str, int]:
    """The part of ``text`` shown around ``column`` and the column within it."""
    start = max(0, column - _WINDOW)
    end = min(len(text), column + _WINDOW)
    shown = "".join(_printable(c) for c in text[start:end])
    col = column - start
    if start > 0:
        shown, col = "…" + shown, col + 1
    if end < len(text):
        shown += "…"
    return shown, col


def _display_width(s: str) -> int:
    import unicodedata

    # Fullwidth and wide characters take two terminal cells: keep the caret aligned.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
