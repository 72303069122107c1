"""Hostile input for the expression parser (modelled on simpleeval's test_security.py).

Every input here must be refused with an :class:`~gdcli.errors.InputError` (exit code 2)
that points at the offending character, quickly (work counted in function calls, a
budget linear in the length of the input: see ``budget``), without
``RecursionError`` and without anything the user typed ever reaching ``eval``,
``exec`` or ``compile``. The few valid inputs (a 2,000-factor product, a long flat sum)
must be parsed and differentiated within the same budget.
"""

from __future__ import annotations

import builtins
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest

from gdcli.errors import EXIT_INPUT, InputError
from gdcli.expr.diff import derivative
from gdcli.expr.parser import MAX_DEPTH, MAX_LENGTH, parse
from gdcli.expr.printer import to_str
from gdcli.expr.simplify import simplify

from .workcount import Work, work

ROOT = Path(__file__).resolve().parents[1]

#: Work budget for one input, in function calls (tests/workcount.py), not seconds: a
#: fixed allowance plus an allowance per character of input. Every stage is linear in
#: the input (the worst today, a derivative 100 calls deep, makes about 220 calls per
#: character), so this leaves room for about 5x, and anything quadratic in a long input
#: is caught (a 10,000-character input would need hundreds of times the budget).
BASE_CALLS = 20_000
CALLS_PER_CHAR = 1_000
#: Longest line an error rendering may have: "one screen", whatever was typed.
MAX_RENDER_LINE = 300


def budget(text: str) -> int:
    return BASE_CALLS + CALLS_PER_CHAR * len(text)


# --- helpers ---
def timed(fn, *args, text: str | None = None):
    """Call ``fn(*args)``, assert its work is within the budget for ``text`` (the first
    argument if it is text), return its value."""
    if text is None:
        text = args[0] if isinstance(args[0], str) else to_str(args[0])
    calls, value = work(fn, *args)
    assert calls <= budget(text), (
        f"{fn.__name__} on {text[:40]!r} made {calls} calls (budget {budget(text)})"
    )
    return value


def check_rendering(err: InputError) -> None:
    """The error renders as 'error: …', echo line, caret line: printable, bounded, UTF-8."""
    assert err.exit_code == EXIT_INPUT == 2
    assert isinstance(err.message, str) and err.message
    out = err.render()
    assert out.startswith("error: ")
    out.encode("utf-8")  # a lone surrogate must not reach the terminal
    for ch in out:
        # no NUL, ESC, bidi overrides, ... in what is printed: only the newlines we put there
        assert ch == "\n" or unicodedata.category(ch)[0] != "C", f"raw {ch!r} in {out!r}"
    for line in out.splitlines():
        assert len(line) <= MAX_RENDER_LINE, f"rendering line of {len(line)} chars: {line[:80]}…"
    if err.text is not None and err.column is not None:
        lines = out.split("\n")
        assert len(lines) == 3, out
        assert set(lines[2].strip()) == {"^"}, out


def rejected(text: str, column: int | None = None) -> InputError:
    """Assert ``parse(text)`` raises InputError within the work budget, at ``column``
    if given."""
    with pytest.raises(InputError) as info, Work() as w:
        parse(text)
    assert w.calls <= budget(text), f"rejecting {text[:40]!r} made {w.calls} calls"
    err = info.value
    assert err.text == text
    if column is not None:
        assert err.column == column, (
            f"caret at {err.column}, expected {column}: {err.render()}"
        )
        if text.isascii() and text.isprintable() and len(text) < 60:
            # the caret sits under the offending character in the echo line
            caret_line = err.render().split("\n")[2]
            assert caret_line.index("^") == 2 + column, err.render()
    check_rendering(err)
    return err


def pipeline(text: str) -> None:
    """Parse and run everything downstream; only InputError may escape, and the
    simplified form of anything that parses must parse again."""
    node = parse(text)
    canon = simplify(node)
    printed = to_str(canon)
    d = derivative(node, "x")
    to_str(d)
    try:
        parse(printed)
    except InputError as err:
        raise AssertionError(
            f"{text[:60]!r} simplifies to {printed[:60]!r}, which does not parse: {err.message}"
        ) from None


def survives(text: str) -> None:
    """The full pipeline either succeeds or raises InputError, within the work budget."""
    with Work() as w:
        try:
            pipeline(text)
        except InputError as err:
            check_rendering(err)
    assert w.calls <= budget(text), f"{text[:40]!r} made {w.calls} calls"


# --- code injection ---
INJECTION = [
    # (input, column of the first character outside the grammar)
    ("__import__('os').system('ls')", 11),
    ("().__class__.__bases__[0].__subclasses__()", 2),
    ("x.__class__", 1),
    ("lambda: 1", 6),
    ("lambda x: x", 8),
    ("[x for x in ()]", 0),
    ("{1: 2}", 0),
    ('f"{x}"', 1),
    ("exec('1')", 5),
    ('eval("1")', 5),
    ("open('/etc/passwd')", 5),
    ("globals()", 0),
    ("locals()", 0),
    ("vars(x)", 0),
    ("getattr(x, 'y')", 11),
    ("`ls`", 0),
    ("$(ls)", 0),
    ("x; y", 1),
    ("x = 1", 2),
    ("(y := 1)", 3),
    ("x if y else 1", None),
    ("x @ y", 2),
    ("x % 2", 2),
    ("x // 2", 3),
    ("x == 1", 2),
    ("x < 1", 2),
    ("x & y", 2),
    ("~x", 0),
    ("x!", 1),
    ("\\x", 0),
    ("#x", 0),
    ("x # comment", 2),
    ("x[0]", 1),
    ("sin.__globals__", 3),
    ("1 .real", 2),
]


@pytest.mark.parametrize(("text", "column"), INJECTION, ids=[t for t, _ in INJECTION])
def test_code_injection_is_rejected(text: str, column: int | None) -> None:
    rejected(text, column)


@pytest.mark.parametrize(
    "text", ["import os", "import os; os.system('ls')", "from os import *", "not x", "x and y"]
)
def test_python_statements_are_rejected(text: str) -> None:
    # `import os` has no character outside the grammar; it must still not be an expression
    # (today it parses as the product of two variables named `import` and `os`).
    rejected(text)


def test_hints_for_python_habits() -> None:
    assert "--at" in rejected("x = 1", 2).hint
    assert "one expression" in rejected("x; y", 1).hint
    assert "string" in rejected("exec('1')", 5).hint
    assert "attribute" in rejected("x.__class__", 1).hint


def test_unknown_function_is_not_looked_up() -> None:
    err = rejected("globals()", 0)
    assert "unknown function" in err.message
    err = rejected("__import__(x)", 0)
    assert "reserved" in err.message


# --- huge numbers and powers ---
# Exact constants are kept up to MAX_BITS (4096 bits, about 1e1233); beyond that, or for
# constant powers whose exact value would need more, the parser refuses them.
HUGE = [
    ("9**9**9**9", 4),
    ("2**10**10", 1),
    ("(2**1000)**5", 9),
    ("1e9999", 0),
    ("-1e9999", 1),
    ("2**4097", 1),
    ("10**1300", 2),
    ("9**9**9", 1),
    ("2^10^10", 1),
    ("(9**9)**(9**9)", 6),
    ("99999999999999999999**300", 20),
    ("x**(10**1300)", 6),
    ("1e99999999999999999999999", 0),
]


@pytest.mark.parametrize(("text", "column"), HUGE, ids=[t[:30] for t, _ in HUGE])
def test_huge_constants_are_rejected(text: str, column: int) -> None:
    rejected(text, column)


# Within the bound a constant is exact, and only evaluating it overflows float64:
# an ordinary input error (exit 2) at evaluation, never inf or a crash.
BIG_BUT_EXACT = ["10**400", "(2**1000)**2", "1e999", "1e400", "-1e999", "2**1024", "10**309",
                 "99999999999999999999**30"]


@pytest.mark.parametrize("text", BIG_BUT_EXACT)
def test_big_exact_constants_overflow_only_when_evaluated(text: str) -> None:
    from gdcli.expr.evaluate import evaluate

    node = parse(text)
    assert parse(to_str(simplify(node))) is not None  # prints back exactly
    with pytest.raises(InputError, match="overflows float64"):
        evaluate(node, {})


@pytest.mark.parametrize(
    "text",
    [
        "0" * 9999 + "1",  # ValueError from int(): 10,000 digits > sys.get_int_max_str_digits()
        "0." + "0" * 9000 + "1",
        "1." + "1" * 4400,
        "0" * 5000 + "1e5",
    ],
    ids=["leading-zeros", "long-fraction", "long-mantissa", "zeros-then-exponent"],
)
def test_long_number_literals(text: str) -> None:
    """Literals far longer than float64 precision: a value or an InputError, never ValueError."""
    survives(text)


def _pipeline_in_child(text: str, timeout: float) -> str:
    """Run the pipeline on ``text`` in a fresh interpreter (2 GB address space), killed
    after ``timeout`` seconds: a computation on a huge exact integer cannot be interrupted
    in-process, nor counted as calls (it is one call that never returns). Returns what
    the child printed: "ok <seconds>" or an error line."""
    script = textwrap.dedent(
        """
        import resource, sys, time
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        from gdcli import InputError, derivative, parse, simplify, to_str
        start = time.perf_counter()
        try:
            node = parse(sys.argv[1])
            parse(to_str(simplify(node)))
            to_str(derivative(node, "x"))
        except InputError:
            pass
        except BaseException as err:
            print("raised", type(err).__name__, str(err)[:200])
            raise SystemExit(0)
        print("ok", time.perf_counter() - start)
        """
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", script, text], capture_output=True, text=True,
            timeout=timeout, cwd=ROOT, env={"PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired:
        return f"did not finish in {timeout} s"
    return out.stdout.strip() or out.stderr.strip()[-300:]


@pytest.mark.parametrize(
    "text",
    [
        "(2*x + 2)**1e300*y",  # _content: Fraction(2)**10**300 in simplify.mul
        "(2*x + 2)**(10**300)*y",
        "(2*x)**1e300",
        "x**1e300*x**1e300",
        "(x + 1)**1e300*(-x - 1)",
        "2**x**1e300",
    ],
)
def test_huge_symbolic_exponents_do_not_hang(text: str) -> None:
    # 2**(10**300) would never finish, so a generous bound is enough to tell (these take
    # about 0.1 s; a loaded machine may take several times that)
    result = _pipeline_in_child(text, timeout=60)
    assert result.startswith("ok"), f"{text!r}: {result}"


@pytest.mark.parametrize(
    "text",
    [
        "log(x, " * MAX_DEPTH + "x" + ")" * MAX_DEPTH,  # RecursionError in diff._log_base
        "log(2, " * MAX_DEPTH + "x" + ")" * MAX_DEPTH,
        "sin(x*" * MAX_DEPTH + "x" + ")" * MAX_DEPTH,
        "sin(x/" * MAX_DEPTH + "x" + ")" * MAX_DEPTH,
        "abs(x*" * MAX_DEPTH + "x" + ")" * MAX_DEPTH,
        "sqrt(1 + " * MAX_DEPTH + "x" + ")" * MAX_DEPTH,
        "(1 + x)**(" * (MAX_DEPTH // 2) + "x" + ")" * (MAX_DEPTH // 2),
    ],
    ids=["log-base-x", "log-base-2", "sin-product", "sin-quotient", "abs-product", "sqrt-sum",
         "power-of-sum"],
)
def test_deepest_valid_nesting_survives_the_pipeline(text: str) -> None:
    """At MAX_DEPTH, simplify/derivative/to_str must not hit RecursionError."""
    survives(text)


def test_huge_literal_error_message_stays_one_screen() -> None:
    # the message must not echo a 5,000-digit literal in full
    rejected("1" * 5000, 0)


def test_huge_unknown_name_error_message_stays_one_screen() -> None:
    rejected("f" * 9990 + "(x)", 0)


# --- nesting ---
def test_10000_deep_parentheses() -> None:
    rejected("(" * 10_000 + "x" + ")" * 10_000, MAX_LENGTH)


def test_10000_deep_calls() -> None:
    rejected("sin(" * 10_000 + "x" + ")" * 10_000, MAX_LENGTH)


def test_10000_deep_unary_minus() -> None:
    rejected("-" * 10_000 + "x", MAX_LENGTH)


def test_10000_deep_powers() -> None:
    rejected("x" + "**x" * 10_000, MAX_LENGTH)


def _depth_error(text: str, token_width: int) -> None:
    err = rejected(text)
    assert "nested too deeply" in err.message
    # the caret is where the limit was crossed, not at the end of the text
    assert err.column is not None
    assert err.column <= (MAX_DEPTH + 2) * token_width + 1, err.column


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("(" * 4_999 + "x" + ")" * 4_999, 1),
        ("sin(" * 1_999 + "x" + ")" * 1_999, 4),
        ("-" * 9_999 + "x", 1),
        ("+" * 9_999 + "x", 1),
        ("-(" * 3_000 + "x" + ")" * 3_000, 2),
        ("x" + "**x" * 3_333, 3),
        ("x" + "**-x" * 2_499, 4),
        ("x" + "^x" * 4_999, 2),
        ("(" * 9_999, 1),  # unclosed as well
        ("log(x, " * 1_200 + "x" + ")" * 1_200, 7),
    ],
    ids=["parens", "calls", "minus", "plus", "minus-parens", "powers", "neg-powers", "carets",
         "unclosed", "log-args"],
)
def test_nesting_within_the_length_limit_hits_the_depth_limit(text: str, width: int) -> None:
    assert len(text) <= MAX_LENGTH
    _depth_error(text, width)


def test_nesting_at_the_depth_limit_is_accepted() -> None:
    for text in (
        "(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH,
        "sin(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH,
        "-" * MAX_DEPTH + "x",
        "x" + "**x" * MAX_DEPTH,  # prints as x**(x**(…)): the parentheses count as depth
    ):
        node = timed(parse, text)
        timed(parse, to_str(timed(simplify, node)))


def test_derivative_at_the_depth_limit() -> None:
    # The derivative of a 100-deep chain is quadratic in size as text (25,000 characters)
    # but linear as a tree of shared subtrees: the work stays within the parser's budget.
    text = "sin(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH
    d = timed(derivative, parse(text), "x", text=text)
    assert len(timed(to_str, d, text=text)) > MAX_LENGTH  # too long to paste back: expected


@pytest.mark.parametrize(
    "text",
    [
        "/".join(["x"] * 5_000),
        "/".join(["2"] * 5_000),
        "x/y*" * 1_999 + "x",
        "/".join(["sin(x)"] * 1_400),
    ],
    ids=["x/x/…", "2/2/…", "x/y*x/y*…", "sin(x)/sin(x)/…"],
)
def test_long_division_chain_does_not_overflow_the_stack(text: str) -> None:
    """a/b/c/… is a left-nested Div tree as deep as it is long: no RecursionError."""
    assert len(text) <= MAX_LENGTH
    survives(text)


def test_one_megabyte_input() -> None:
    for text in ("x" * 1_000_000, "(" * 1_000_000, "1" * 1_000_000, "\x00" * 1_000_000,
                 "ｘ" * 1_000_000):
        rejected(text, MAX_LENGTH)


def test_length_limit_is_exact() -> None:
    ok = "x" + "+x" * ((MAX_LENGTH - 1) // 2)
    assert len(ok) == MAX_LENGTH - 1 or len(ok) == MAX_LENGTH
    timed(parse, ok)
    rejected("x" * (MAX_LENGTH + 1), MAX_LENGTH)


def test_2000_factor_product_is_fast_and_right() -> None:
    text = "*".join(["x"] * 2_000)
    assert len(text) < MAX_LENGTH
    node = timed(parse, text)
    d = timed(derivative, node, "x")
    assert to_str(d) == "2000*x**1999"
    assert d == simplify(parse("2000*x**1999"))


def test_long_flat_sum_is_fast_and_right() -> None:
    text = "+".join(["x"] * 5_000)
    node = timed(parse, text)
    assert to_str(timed(derivative, node, "x")) == "5000"


def test_product_of_distinct_factors_is_fast() -> None:
    text = "*".join(f"sin({k}*x)" for k in range(1, 400))
    node = timed(parse, text)
    timed(derivative, node, "x")


# --- Unicode ---
ACCEPTED = [
    ("x²", "x**2"),
    ("x⁻¹", "x**-1"),
    ("x¹⁰", "x**10"),
    ("(x + 1)⁻²", "(x + 1)**-2"),
    ("x − 1", "x - 1"),
    ("−x", "-x"),
    ("3×x", "3*x"),
    ("2·x", "2*x"),
    ("2π", "2*pi"),
    ("π·x²", "pi*x**2"),
]


@pytest.mark.parametrize(("text", "ascii_text"), ACCEPTED, ids=[t for t, _ in ACCEPTED])
def test_accepted_unicode(text: str, ascii_text: str) -> None:
    assert timed(parse, text) == parse(ascii_text)


def test_superscript_plus_is_not_minus() -> None:
    # x⁺² is x**(+2); it must not be read as x**-2 (or it must be refused)
    try:
        node = parse("x⁺²")
    except InputError:
        return
    assert node == parse("x**2"), f"x⁺² parsed as {to_str(node)}"


UNICODE_REJECTED = [
    # (character, what it is)
    ("ｘ", "fullwidth x"),
    ("＋", "fullwidth plus"),
    ("２", "fullwidth digit"),
    ("（", "fullwidth parenthesis"),
    ("𝑥", "math italic x"),
    ("𝐱", "math bold x"),
    ("х", "Cyrillic ha, looks like x"),
    ("е", "Cyrillic ie, looks like e"),
    ("ο", "Greek omicron, looks like o"),
    ("ⅹ", "roman numeral ten"),
    ("ⁿ", "superscript n"),
    ("₂", "subscript two"),
    ("½", "vulgar fraction"),
    ("µ", "micro sign"),
    ("\u200b", "zero-width space"),
    ("\u200d", "zero-width joiner"),
    ("\ufeff", "byte-order mark"),
    ("\u00a0", "no-break space"),
    ("\u3000", "ideographic space"),
    ("\u00ad", "soft hyphen"),
    ("\x00", "NUL"),
    ("\x01", "SOH"),
    ("\x07", "BEL"),
    ("\x08", "backspace"),
    ("\x1b", "ESC"),
    ("\x7f", "DEL"),
    ("\x85", "next line"),
    ("\n", "newline"),
    ("\r", "carriage return"),
    ("\x0b", "vertical tab"),
    ("\x0c", "form feed"),
    ("\u2028", "line separator"),
    ("\ud800", "lone high surrogate"),
    ("\udfff", "lone low surrogate"),
    ("😀", "emoji"),
    ("🔥", "emoji"),
    ("\u0301", "combining acute accent"),
    ("\u20d7", "combining vector arrow"),
    ("\u202e", "right-to-left override"),
    ("\u202d", "left-to-right override"),
    ("\u2066", "left-to-right isolate"),
    ("\u200f", "right-to-left mark"),
    ("\ue000", "private use"),
    ("\U000e0041", "tag character"),
    ("√", "square root sign"),
    ("∑", "n-ary sum"),
    ("÷", "division sign"),
    ("‐", "hyphen"),
    ("–", "en dash"),
    ("∗", "asterisk operator"),
    ("⋅", "dot operator"),
    ("ℯ", "script e"),
    ("Α", "Greek capital alpha, looks like A"),  # (Greek letters are names; not this one)
    ("𝜋", "math italic pi"),
]


@pytest.mark.parametrize(
    ("char", "label"), UNICODE_REJECTED, ids=[label for _, label in UNICODE_REJECTED]
)
@pytest.mark.parametrize(
    ("before", "after"), [("", ""), ("", "x"), ("2*x + ", " + 1"), ("sin(", ")")],
    ids=["alone", "first", "middle", "in-call"],
)
def test_unicode_is_rejected_at_its_column(char: str, label: str, before: str, after: str) -> None:
    text = before + char + after
    err = rejected(text, len(before))
    assert f"U+{ord(char):04X}" in err.message


@pytest.mark.parametrize(
    ("text", "ascii_char"), [("ｘ", "x"), ("𝑥", "x"), ("２", "2"), ("＋", "+")]
)
def test_lookalikes_are_named_not_normalised(text: str, ascii_char: str) -> None:
    err = rejected("1 + " + text, 4)
    assert f"'{ascii_char}'" in (err.hint or "")


def test_control_characters_never_reach_the_terminal() -> None:
    for ch in map(chr, [*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F, *range(0x80, 0xA0)]):
        rejected(f"x + {ch}1", 4)


def test_rtl_override_does_not_reorder_the_echo() -> None:
    err = rejected("1 + \u202ex - 2", 4)
    assert "\u202e" not in err.render()


def test_zero_width_space_is_not_whitespace() -> None:
    rejected("sin\u200b(x)", 3)
    rejected("x\u200b\u200b", 1)


# --- nothing is evaluated ---
class Forbidden(BaseException):
    """Raised by the patched builtins; a BaseException so no `except Exception` hides it."""


SAFE_BATTERY = [
    "x**2 - 4*x + 6",
    "sin(x)**2 + cos(x)**2",
    "log(x, 2) + exp(-x) * sqrt(x)",
    "sigmoid(x) * relu(x) / (1 + abs(x))",
    "__import__('os').system('ls')",
    "globals()",
    "open('/etc/passwd')",
    "import os",
    "x.__class__",
    "sinn(x)",
    "9**9**9**9",
    "ｘ + 1",
]


def test_parse_and_derive_never_call_eval_exec_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    import difflib  # noqa: F401  (imported lazily by the parser's hints: load before patching)

    calls: list[str] = []

    def forbid(name: str):
        def patched(*args, **kwargs):
            calls.append(name)
            raise Forbidden(f"builtins.{name} called with {args!r:.80}")

        return patched

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbid(name))
    for text in SAFE_BATTERY:
        try:
            node = parse(text)
            to_str(simplify(node))
            to_str(derivative(node, "x"))
        except InputError as err:
            err.render()
    monkeypatch.undo()
    assert calls == []


def test_no_exec_compile_or_process_audit_events() -> None:
    """Run in a fresh interpreter with an audit hook: no exec, compile, open, spawn, import."""
    script = textwrap.dedent(
        f"""
        import sys
        import difflib, unicodedata  # lazily imported by the parser: load them first
        from gdcli import InputError, derivative, parse, simplify, to_str
        events = []
        def hook(event, args):
            if event in ("exec", "compile", "open", "import", "builtins.input") or (
                event.startswith(("os.", "subprocess.", "socket.", "shutil.", "ctypes."))
            ):
                events.append(event)
        sys.addaudithook(hook)
        for text in {SAFE_BATTERY!r}:
            try:
                node = parse(text)
                to_str(simplify(node))
                to_str(derivative(node, "x"))
            except InputError as err:
                err.render()
        print(sorted(set(events)))
        print("sympy" in sys.modules, "numpy" in sys.modules)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
        cwd=ROOT, env={"PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 0, out.stderr
    events, modules = out.stdout.splitlines()
    assert events == "[]"
    # the parser never hands text to SymPy; printing a derivative never imports numpy
    assert modules == "False False"


def test_non_text_input_is_an_input_error() -> None:
    for bad in (None, b"x", 1, ["x"]):
        with pytest.raises(InputError):
            parse(bad)  # type: ignore[arg-type]


# --- grammar corners that must stay errors ---
@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("", 0),
        ("   ", 3),
        ("()", 1),
        ("x +", 3),
        ("x * * x", 4),
        ("x ** ** x", 5),
        ("sin()", 4),
        ("sin", 0),
        ("pi(2)", 0),
        ("log(x, 2, 3)", 0),
        ("(x", 0),
        ("x)", 1),
        ("x,y", 1),
        ("..", 0),
        ("x⁻", 1),
        ("⁻¹", 0),
        ("x/y z", 4),
        ("2 3", 2),
    ],
)
def test_malformed_input(text: str, column: int) -> None:
    rejected(text, column)

