"""Text -> surface tree by a whitelisting tokenizer and recursive-descent parser.

Nothing the user types is ever handed to ``eval``, ``exec``, ``compile`` or SymPy:
every character is matched against the grammar below and anything else is an
:class:`~gdcli.errors.InputError` that points at it.

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/') unary | power)*      # juxtaposition: 2x, 3(x+1), 2 sin(x)
    unary  := ('+' | '-') unary | power
    power  := atom ('**' unary)?                      # right-associative, Python precedence
    atom   := NUMBER | NAME | call | '(' expr ')'
    call   := FUNC fpow? ( '(' expr (',' expr)* ')' | NUMBER | NAME )   # bare: see below
    fpow   := '**' ( sign? NUMBER | '(' sign? NUMBER ')' )   # sin^2(x), sin⁻¹x, sin^(-1)(x)

Textbook notation, each reading reported through ``notes``:

* ``sin^2(x)``, ``sin**2(x)``, ``sin²(x)`` are ``sin(x)**2`` (any function, any power
  >= 0); ``sin^-1(x)``, ``sin⁻¹(x)`` are the inverse function ``asin(x)`` (for the rows
  of ``functions.INVERSES``); other negative powers of a function name are refused as
  ambiguous (1/sin(x)**2 or asin(x)**2?).
* A function's argument may go without parentheses when it is a single number, constant
  or variable followed by ``+ - ) ,``, another function or the end: ``sin x + cos x``,
  ``sin⁻¹x``. Anything else (``sin 2x``, ``sin x^2``, ``sin x*y``) needs parentheses.
* ``σ(z)`` is ``sigmoid(z)``; ``σ`` not followed by ``(`` is a variable.
* Names that look like a function glued to its argument or a variable glued to a
  constant (``sinx``, ``sin2x``, ``lnx``, ``xe``) stay variables, with a note.
"""

from __future__ import annotations

import math
import re
from collections import namedtuple
from fractions import Fraction

from ..errors import InputError, clip
from . import functions as fn
from .nodes import Add, Call, Const, Div, Mul, Neg, Node, Num, Pow, Var
from .printer import to_str
from .simplify import MAX_BITS

#: Bounds on input, each an ordinary input error when exceeded (documented in README).
MAX_LENGTH = 10_000  # characters in one expression
MAX_DEPTH = 100  # nesting of parentheses, calls, unary signs and powers
MAX_DIGITS = 1240  # significant digits in a literal (4096 bits need 1234)
#: Exact constants may be far outside float64 (1e400 is exact; evaluating it overflows),
#: but no larger than the simplifier keeps (MAX_BITS = 4096 bits, about 1e1233).
MAX_EXPONENT = 1233  # |n| in a literal such as 1e-400
_KEYWORDS = frozenset(
    "False None True and as assert async await break class continue def del elif else except "
    "finally for from global if import in is lambda nonlocal not or pass raise return try "
    "while with yield".split()
)

_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
#: Names: ASCII letters, digits and _, and the Greek letters of functions.GREEK; a name
#: does not start with a digit. Scanned by hand: a regular expression with the Greek
#: letters in its character classes costs milliseconds to compile at every start.
_GREEK = frozenset(fn.GREEK)


def _letter(c: str) -> bool:
    return (c.isascii() and c.isalpha()) or c in _GREEK


def _name_char(c: str) -> bool:
    return (c.isascii() and (c.isalnum() or c == "_")) or c in _GREEK


def _name_end(text: str, i: int) -> int:
    """The end of the name starting at ``i`` (``i`` itself if there is none)."""
    if i >= len(text) or not (_letter(text[i]) or text[i] == "_"):
        return i
    j = i + 1
    while j < len(text) and _name_char(text[j]):
        j += 1
    return j


def is_name(text: str) -> bool:
    """Whether ``text`` is one whole name (for options such as ``--wrt θ``)."""
    # longer than an expression may be, it is no name the parser reads: not scanned
    return 0 < len(text) <= MAX_LENGTH and _name_end(text, 0) == len(text)


def _glued_arg(s: str) -> bool:
    """What may follow a function name glued to it for a "did you mean" note: sinx,
    sin2x, cosθ1 (digits, one letter, digits)."""
    rest = s.lstrip("0123456789")
    return bool(rest) and _letter(rest[0]) and (rest[1:] == "" or rest[1:].isdigit())


def _glued_var(s: str) -> bool:
    """One letter and digits: x, x1, θ2."""
    return bool(s) and _letter(s[0]) and (s[1:] == "" or s[1:].isdigit())
#: Greek capitals (and omicron) that look like Latin letters: not names, but pointed at.
_LOOKALIKE = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧο", "ABEZHIKMNOPTXo", strict=True))
#: Lookalikes of accepted Greek letters (the micro sign that keyboards type for mu).
_GREEK_LOOKALIKE = {"µ": "μ"}
#: Greek letters that name a function when called: σ(z) is the sigmoid, as in ML texts.
_GREEK_CALLS = {"σ": "sigmoid"}
#: Inverse functions gdcli has under another name (exp^-1 is refused, with this hint).
_OTHER_INVERSE = {"exp": "log", "log": "exp", "ln": "exp"}
_SUPERSCRIPT = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+", strict=True))
#: Non-ASCII characters people paste from documents, and what they mean.
_UNICODE = {"−": "-", "×": "*", "·": "*", "π": "pi"}
_OPERATORS = ("**", "+", "-", "*", "/", "^", "(", ")", ",")
_HINTS = {
    "=": "an expression has no '='; give values with --at x=3",
    "[": "use parentheses ( ) for grouping",
    "{": "use parentheses ( ) for grouping",
    "%": "there is no remainder operator",
    "!": "there is no factorial",
    "'": "there are no strings in an expression",
    '"': "there are no strings in an expression",
    ".": "names cannot have attributes",
    ":": "an expression is a single formula",
    ";": "give one expression at a time",
}


#: kind is "num", "name", "op" or "end"; col and width locate it in the text.
Token = namedtuple("Token", "kind text col width")


def parse(text: str, notes: list[str] | None = None) -> Node:
    """Parse gdcli syntax into a surface tree; raises InputError for anything else.

    When ``notes`` is a list, one short line is appended to it for each form whose reading
    is worth saying (``sin^2(x)`` read as ``sin(x)**2``, ``sinx`` read as a variable, ...);
    callers print them on stderr."""
    if not isinstance(text, str):
        raise InputError("an expression must be text")
    if len(text) > MAX_LENGTH:
        raise InputError(
            f"expression too long: {len(text)} characters, the limit is {MAX_LENGTH}",
            text,
            MAX_LENGTH,
        )
    parser = _Parser(text, tokenize(text))
    node = parser.parse()
    if notes is not None:
        notes.extend(parser.notes)
    return node


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, rejecting every character outside the grammar."""
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t":
            i += 1
            continue
        if ch.isascii() and (ch.isdigit() or ch == "."):
            m = _NUMBER.match(text, i)
            if m is None:
                raise InputError(f"unexpected character '{ch}'", text, i, _HINTS.get(ch))
            j = m.end()
            if j < n and text[j] in "eE" and _name_end(text, j) == j + 1:
                raise _bare_exponent(text, m.group(), m.end())
            out.append(Token("num", m.group(), i, m.end() - i))
            i = m.end()
            continue
        end = _name_end(text, i)
        if end > i:
            out.append(Token("name", text[i:end], i, end - i))
            i = end
            continue
        if text.startswith("**", i):
            out.append(Token("op", "**", i, 2))
            i += 2
            continue
        if ch in _OPERATORS:
            out.append(Token("op", "**" if ch == "^" else ch, i, 1))
            i += 1
            continue
        if ch in _UNICODE:
            mapped = _UNICODE[ch]
            out.append(Token("name" if mapped == "pi" else "op", mapped, i, 1))
            i += 1
            continue
        if ch in _SUPERSCRIPT:
            j = i
            while j < n and text[j] in _SUPERSCRIPT:
                j += 1
            digits = "".join(_SUPERSCRIPT[c] for c in text[i:j])
            sign, body = (digits[0], digits[1:]) if digits[0] in "-+" else ("", digits)
            if not body.isdigit():
                raise InputError("a superscript power needs digits, like x²", text, i)
            out.append(Token("op", "**", i, 0))
            if sign == "-":
                out.append(Token("op", "-", i, 1))
            out.append(Token("num", body, i, j - i))
            i = j
            continue
        raise _bad_character(text, i)
    out.append(Token("end", "", n, 1))
    return out


def _bare_exponent(text: str, number: str, i: int) -> InputError:
    """``1e``, ``2.5e``, ``1e+``, ``1E-x``: a number glued to a lone ``e`` or ``E`` is an
    exponent whose digits are missing far more often than 1·e (the constant) or 1·E (a
    variable), so it is refused rather than read as a product. A longer name glued to a
    number stays a product (``2ex`` is 2·ex, ``2exp(x)`` is 2·exp(x)), and ``2 e``, ``2*e``
    are the product with the constant e."""
    sign = text[i + 1] if i + 1 < len(text) and text[i + 1] in "+-" else ""
    e = text[i]
    short = _short(number, 12)
    product = f"a product as {short}*{e}"
    hint = f"write {product}" if "e" in number.lower() else (
        f"write an exponent as in {short}{e}{sign or '-'}3, {product}"
    )
    return InputError("exponent without digits", text, i, hint, width=1 + len(sign))


def _bad_character(text: str, i: int) -> InputError:
    ch = text[i]
    if ch.isascii() and ch.isprintable():
        return InputError(f"unexpected character '{ch}'", text, i, _HINTS.get(ch))
    import unicodedata

    code = f"U+{ord(ch):04X}"
    name = unicodedata.name(ch, "")
    label = f"'{ch}' ({code} {name})" if ch.isprintable() and name else f"{code}" + (
        f" ({name})" if name else ""
    )
    # Not normalised silently (a lookalike letter may not be what was meant), but named:
    plain = _LOOKALIKE.get(ch) or unicodedata.normalize("NFKC", ch)
    hint = f"type the ASCII '{plain}' instead" if plain.isascii() and plain.isprintable() else (
        f"for the Greek letter type '{_GREEK_LOOKALIKE[ch]}'" if ch in _GREEK_LOOKALIKE else
        "only ASCII, Greek letters, − × · π and superscript powers are accepted"
    )
    return InputError(f"unsupported character {label}", text, i, hint)


def _short(s: str, n: int = 24) -> str:
    """A long literal or name, shortened for a one-screen message."""
    return s if len(s) <= n else s[: n - 1] + "…"


def _number(tok: Token, text: str) -> Num:
    s = tok.text
    mant, _, exp = s.lower().partition("e")
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0")
    dec = "." in mant or bool(exp)

    def refuse(why: str) -> InputError:
        return InputError(f"{why}: {_short(s)}", text, tok.col, width=tok.width)

    # An exponent of thousands of digits must not reach int(): Python refuses to convert
    # more than 4300 digits (ValueError), and no such exponent is within the bounds anyway.
    if len(exp.lstrip("+-").lstrip("0")) > 9:
        if not digits.rstrip("0"):
            return Num(Fraction(0), dec=dec)  # 0e99999… is still 0
        raise refuse("number too small" if exp.startswith("-") else "number too large")
    # the value is int(digits) * 10**power, read exactly (0.1 is 1/10, not a float)
    power = (int(exp) if exp else 0) - len(frac) + (len(digits) - len(digits.rstrip("0")))
    digits = digits.rstrip("0")

    if len(digits) > MAX_DIGITS:
        raise refuse(f"number with more than {MAX_DIGITS} significant digits")
    if not digits:
        return Num(Fraction(0), dec=dec)
    if len(digits) + power - 1 > MAX_EXPONENT:
        raise refuse("number too large")
    if power < -MAX_EXPONENT - MAX_DIGITS:
        raise refuse("number too small")
    value = Fraction(int(digits)) * Fraction(10) ** power
    return Num(value, dec=dec)


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.toks = tokens
        self.i = 0
        self.depth = 0
        self.notes: list[str] = []

    # --- helpers ---
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def error(self, message: str, tok: Token | None = None, hint: str | None = None) -> InputError:
        t = tok or self.tok
        return InputError(message, self.text, t.col, hint, t.width)

    def note(self, line: str) -> None:
        if line not in self.notes:
            self.notes.append(line)

    def reading(self, start: int, node: Node, head: Node) -> None:
        """Say how text[start:] up to the last token was read: as ``node``; ``head`` is
        the same with its argument shown as … (for a long argument)."""
        end = self.toks[self.i - 1].col + self.toks[self.i - 1].width
        typed = self.text[start:end]
        if len(typed) > 40:
            opener = self.text.find("(", start, end)
            typed = (self.text[start:opener] + "(…)" if opener > 0 else
                     self.text[start:start + 24] + "…")
            node = head
        self.note(f"read {typed} as {to_str(node)}")

    def take(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def at(self, op: str) -> bool:
        t = self.tok
        return t.kind == "op" and t.text == op

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"expression nested too deeply (the limit is {MAX_DEPTH} levels)")

    def mark(self, node: Node, start: int) -> Node:
        node.span = (start, self.toks[self.i - 1].col + self.toks[self.i - 1].width)
        return node

    # --- grammar ---
    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise self.error("empty expression")
        node = self.expr()
        if self.tok.kind != "end":
            if self.at(")"):
                raise self.error("unmatched ')'")
            raise self.error("unexpected " + _describe(self.tok), hint="missing operator?")
        return node

    def expr(self) -> Node:
        start = self.tok.col
        terms = [self.term()]
        while self.at("+") or self.at("-"):
            op = self.take().text
            t = self.term()
            terms.append(t if op == "+" else self.mark(Neg(t), t.span[0] if t.span else start))
        return terms[0] if len(terms) == 1 else self.mark(Add(tuple(terms)), start)

    def term(self) -> Node:
        # a*b/c*d/e is kept as (a*b*d)/(c*e): the same value under Python's left-to-right
        # rule, one quotient for --steps, and no nesting that grows with the chain
        start = self.tok.col
        top = [self.unary()]
        bottom: list[Node] = []
        after_div = False
        while True:
            if self.at("*") or self.at("/"):
                op = self.take().text
                (top if op == "*" else bottom).append(self.unary())
                after_div = op == "/"
            elif self._implicit():
                if after_div:
                    raise self.error(
                        "ambiguous implicit multiplication after '/'",
                        hint="write (a/b)*c or a/(b*c)",
                    )
                top.append(self.power())
            else:
                break
        if len(top) > 1 and bottom:
            top = [f for f in top if not (type(f) is Num and f.value == 1)] or top[:1]
        num = top[0] if len(top) == 1 else self.mark(Mul(tuple(top)), start)
        if not bottom:
            return num
        den = bottom[0] if len(bottom) == 1 else Mul(tuple(bottom))
        return self.mark(Div(num, den), start)

    def _implicit(self) -> bool:
        t = self.tok
        if t.kind == "name" or (t.kind == "op" and t.text == "("):
            return True
        if t.kind == "num":
            prev = self.toks[self.i - 1]
            raise self.error(
                f"missing operator before {t.text}",
                hint=f"write {prev.text}*{t.text}" if prev.kind != "op" else None,
            )
        return False

    def unary(self) -> Node:
        if self.at("-") or self.at("+"):
            op = self.take()
            self.enter()
            arg = self.unary()
            self.depth -= 1
            return arg if op.text == "+" else self.mark(Neg(arg), op.col)
        return self.power()

    def power(self) -> Node:
        start = self.tok.col
        base = self.atom()
        if self.at("**"):
            op = self.take()
            # x**2 and x**n nest nothing: only a compound exponent counts as a level
            nxt = self.toks[self.i + 1] if self.i + 1 < len(self.toks) else self.tok
            simple = self.tok.kind in ("num", "name") and not (
                nxt.kind == "op" and nxt.text in ("(", "**")
            )
            depth = 0 if simple else 1
            self.depth += depth
            if self.depth > MAX_DEPTH:
                raise self.error(f"expression nested too deeply (the limit is {MAX_DEPTH} levels)")
            exp = self.unary()
            self.depth -= depth
            _check_constant_power(base, exp, self.text, op)
            return self.mark(Pow(base, exp), start)
        return base

    def atom(self) -> Node:
        t = self.tok
        if t.kind == "num":
            self.take()
            after = self.tok
            if t.text == "0" and after.kind == "name" and after.col == t.col + 1 and (
                after.text[0] in "xXbBoO"
            ):
                raise self.error("hexadecimal, binary and octal numbers are not supported", t,
                                 hint="write the number in decimal")
            return self.mark(_number(t, self.text), t.col)
        if t.kind == "name":
            return self.name()
        if self.at("("):
            self.take()
            self.enter()
            if self.at(")"):
                raise self.error("empty parentheses")
            node = self.expr()
            self.depth -= 1
            if not self.at(")"):
                raise self.closing(t)
            self.take()
            return node
        if t.kind == "end":
            raise self.error("expression ends unexpectedly", hint="an operand is missing")
        raise self.error(f"expected a number, name or '(' but found {_describe(t)}")

    def closing(self, opener: Token) -> InputError:
        if self.tok.kind == "end":
            return self.error("unclosed '('", opener)
        return self.error(f"expected ')' but found {_describe(self.tok)}", hint="missing operator?")

    def name(self) -> Node:
        t = self.take()
        name = t.text
        if name in _KEYWORDS:
            raise self.error(f"'{name}' is a reserved word, not a name", t,
                             hint="use another name, e.g. lam" if name == "lambda" else None)
        if name.startswith("__"):
            raise self.error(f"names beginning with '__' are reserved: '{_short(name)}'", t)
        is_call = self.at("(")
        canonical = fn.NAMES.get(name)
        if canonical is None:
            if name in fn.CONSTANTS:
                if is_call:
                    raise self.error(f"'{name}' is a constant, not a function", t)
                return self.mark(Const(name), t.col)
            if is_call and name in _GREEK_CALLS:
                node = self.call(t, _GREEK_CALLS[name])
                self.reading(t.col, node, Call(node.name, (Var("…"),)))
                return node
            if is_call:
                raise self.unknown_function(t)
            guess = _glued(name)
            if guess:
                # a name may be 10,000 characters long: the note shows both ends of it
                shown, guess = clip(name, 40), clip(guess, 40)
                self.note(f"read {shown} as the variable {shown} — did you mean {guess}?")
            return self.mark(Var(name), t.col)
        return self.function(t, canonical)

    def function(self, t: Token, name: str) -> Node:
        """A function name and what follows it: a call, a power or inverse written on
        the name (sin^2(x), sin⁻¹(x)), or a bare argument (sin x)."""
        power: Num | None = None
        if self.at("**"):
            power, name = self.function_power(t, name)
        bare = not self.at("(")
        node = self.bare_call(t, name) if bare else self.call(t, name)
        head = Call(name, (Var("…"),))
        if power is not None:
            node, head = self.mark(Pow(node, power), t.col), Pow(head, power)
        if bare or power is not None or name != fn.NAMES[t.text]:
            self.reading(t.col, node, head)
        return node

    def function_power(self, t: Token, name: str) -> tuple[Num | None, str]:
        """The exponent written on a function name: (power, name), or (None, the inverse
        function's name) for -1."""
        self.take()  # '**'
        # sin^(-1)(x), sin^(2)(x): a parenthesised number is the same as a bare one
        ahead = self.toks[self.i + 1 : self.i + 4]  # the token list ends with "end"
        if ahead and ahead[0].kind == "op" and ahead[0].text in ("+", "-"):
            ahead = ahead[1:]
        paren = self.at("(") and len(ahead) >= 2 and ahead[0].kind == "num" and (
            ahead[1].kind == "op" and ahead[1].text == ")"
        )
        if paren:
            self.take()
        sign = self.take().text if self.at("-") or self.at("+") else ""
        num = self.tok
        f = t.text
        if num.kind != "num":
            raise self.error(f"a power written on a function name must be a number, as in "
                             f"{f}^2(x)", hint=f"write {f}(x)**(…)")
        self.take()
        last = self.take() if paren else num  # the typed form ends at ')' or the number
        value = _number(num, self.text)
        typed = self.text[t.col:last.col + last.width]

        def refuse(message: str, hint: str) -> InputError:
            return InputError(message, self.text, t.col, hint, last.col + last.width - t.col)

        if sign == "-" and value.value == 1:
            inverse = fn.INVERSES.get(name)
            if inverse is None:
                other = _OTHER_INVERSE.get(f)
                if other:
                    raise refuse(f"{typed}(…) is ambiguous",
                                 f"write {other}(x) for the inverse function of {f}, "
                                 f"or {f}(x)**-1 for 1/{f}(x)")
                raise refuse(f"{f} has no inverse function in gdcli, so {typed}(…) is "
                             "ambiguous", f"for 1/{f}(x) write {f}(x)**-1")
            return None, inverse
        if sign == "-" and value.value != 0:
            p = num.text
            raise refuse(f"{typed}(…) is ambiguous", f"write 1/{f}(x)**{p} as {f}(x)**-{p}, "
                         f"or a power of the inverse function as a{f}(x)**{p}"
                         if f in fn.INVERSES else f"write {f}(x)**-{p}")
        return value, name

    def bare_call(self, t: Token, name: str) -> Node:
        """sin x: a function applied to one number, constant or variable without
        parentheses, when nothing after it could belong to the argument."""
        arg = self.tok
        nxt = self.toks[self.i + 1] if arg.kind != "end" else arg
        simple = arg.kind == "num" or (
            arg.kind == "name" and arg.text not in fn.NAMES and arg.text not in _KEYWORDS
        )
        ends = nxt.kind == "end" or (nxt.kind == "op" and nxt.text in ("+", "-", ")", ",")) or (
            nxt.kind == "name" and nxt.text in fn.NAMES
        )
        if not (simple and ends):
            raise self.error(f"function '{t.text}' needs parentheses", t,
                             hint=f"write {t.text}(…) with the whole argument in parentheses")
        return self.mark(Call(name, (self.atom(),)), t.col)

    def unknown_function(self, t: Token) -> InputError:
        import difflib

        close = difflib.get_close_matches(t.text.lower(), list(fn.NAMES), n=1, cutoff=0.6)
        name = _short(t.text)
        hint = f"did you mean '{close[0]}'?" if close else f"to multiply, write {name}*(…)"
        return self.error(f"unknown function '{name}'", t, hint)

    def call(self, t: Token, name: str) -> Node:
        opener = self.take()
        self.enter()
        if self.at(")"):
            raise self.error(f"{t.text}() needs an argument")
        args = [self.expr()]
        while self.at(","):
            self.take()
            args.append(self.expr())
        if not self.at(")"):
            raise self.closing(opener)
        self.take()
        self.depth -= 1
        if name == "log" and len(args) == 2:
            base = _log2(args[1])
            if base is not None and (base[0] <= 0 or base[0] == 1):
                raise InputError("log(x, b) needs a base b > 0 other than 1", self.text,
                                 args[1].span[0] if args[1].span else t.col)
        arity = fn.FUNCTIONS[name].arity
        if not 1 <= len(args) <= arity:
            need = "1 argument" if arity == 1 else f"1 to {arity} arguments"
            raise self.error(f"{t.text} takes {need}, got {len(args)}", t)
        return self.mark(Call(name, tuple(args)), t.col)


def _glued(name: str) -> str | None:
    """What a variable name that looks like a typo probably meant: a function glued to
    its argument (sinx, sin2x, lnx, cosθ, log10x: the longest function name first) or a
    variable glued to a constant (xe, pix). None for every other name."""
    for k in range(len(name) - 1, 0, -1):
        head, rest = name[:k], name[k:]
        if head in fn.NAMES and (_glued_arg(rest) or rest in fn.CONSTANTS):
            return f"{head}({rest})"
    for c in fn.CONSTANTS:
        if len(name) > len(c):
            if name.endswith(c) and _glued_var(name[: -len(c)]):
                return f"{name[: -len(c)]}*{c}"
            if name.startswith(c) and _glued_var(name[len(c):]):
                return f"{c}*{name[len(c):]}"
    return None


def _describe(t: Token) -> str:
    if t.kind == "end":
        return "the end of the expression"
    return f"'{t.text}'"


def _log2(node: Node) -> tuple[float, float] | None:
    """(value, log2|value|) of a literal made of numbers, signs and powers, else None.
    The log carries the size when the value itself would overflow a float."""
    t = type(node)
    if t is Num:
        v = node.value
        if v == 0:
            return 0.0, -math.inf
        size = math.log2(abs(v.numerator)) - math.log2(v.denominator)
        return (float(v) if abs(size) < 1000 else math.inf if v > 0 else -math.inf), size
    if t is Neg:
        inner = _log2(node.args[0])
        return None if inner is None else (-inner[0], inner[1])
    if t is Pow:
        b, e = _log2(node.args[0]), _log2(node.args[1])
        if b is None or e is None:
            return None
        size = e[0] * b[1] if b[1] != -math.inf else -math.inf
        if math.isnan(size):
            return None
        try:
            value = math.pow(b[0], e[0]) if abs(size) < 1000 else math.inf
        except (OverflowError, ValueError, ZeroDivisionError):
            value = math.inf
        return value, size
    return None


def _check_constant_power(base: Node, exp: Node, text: str, op: Token) -> None:
    # 9**9**9**9 must be refused here: folding it exactly would never finish. The bound is
    # the simplifier's (an exact value of at most MAX_BITS bits), not float64's range.
    b, e = _log2(base), _log2(exp)
    if b is None or e is None:
        return
    size = abs(e[0] * b[1]) if b[1] != -math.inf and e[0] != 0 else 0.0
    if math.isnan(size) or size > MAX_BITS:
        raise InputError(
            f"constant power too large: its exact value needs more than {MAX_BITS} bits",
            text,
            op.col,
            width=op.width or 1,
        )
