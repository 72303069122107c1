"""Echoes stay short (SPEC §2, issue 8 item 8): whatever a user types — a 1 MB option
value, an unknown 1 MB option, an expression argument beginning with '--', escape
sequences, newlines — every message gdcli or click prints is a few short lines, and exit
code 2. The options are taken from the app itself, so a command or option added later
is covered without a new test."""

from __future__ import annotations

import os
import unicodedata

import pytest
from typer.main import get_command

from gdcli.cli import app
from gdcli.errors import InputError, clip, shorten

from .conftest import run_gdcli

#: What a bounded message may take: lines, and characters on a line (rich's error box is
#: 80 columns; gdcli's echo line is 60 characters either side of the caret).
MAX_LINES, MAX_LINE = 12, 250

MB = 1_000_000
#: One hostile value of about 1 MB: an escape sequence first, then a huge word, many short
#: words (a line of blanks), and control characters: ESC, NUL, newline, CR, BEL, a bidi
#: override.
HOSTILE = ("\x1b[31m" + "y" * (MB // 3) + " a" * (MB // 6)
           + "\x1b[2J\x00\n\r\u202e\x07" * (MB // 21) + "end")
#: The same, smaller, where click looks for a close match (difflib, about 1 s a megabyte;
#: a real argv holds at most 128 kB an argument).
HOSTILE_OPTION = HOSTILE[: MB // 5] + HOSTILE[-MB // 20 :]


def assert_short(text: str) -> None:
    assert "Traceback" not in text
    lines = text.splitlines()
    assert 0 < len(lines) <= MAX_LINES, f"{len(lines)} lines: {text[:300]!r}"
    for line in lines:
        assert len(line) <= MAX_LINE, f"a line of {len(line)} characters: {line[:100]!r}…"
        for ch in line:
            assert unicodedata.category(ch)[0] != "C", f"raw {ch!r} in {line[:100]!r}"


def _commands():
    group = get_command(app)
    for name, cmd in group.commands.items():
        needs_expr = any(p.param_type_name == "argument" for p in cmd.params)
        options = [p.opts[0] for p in cmd.params
                   if p.param_type_name == "option" and not (p.is_flag or p.count)]
        yield name, (["x"] if needs_expr else []), options


COMMANDS = list(_commands())
OPTION_CASES = [(name, head, opt) for name, head, opts in COMMANDS for opt in opts]


@pytest.fixture
def invoke(cli):
    def run(*args: str) -> str:
        r = cli(*args)
        assert r.exit_code == 2, (r.exit_code, r.output[:300])
        return r.output

    return run


@pytest.mark.parametrize(("name", "head", "option"), OPTION_CASES,
                         ids=[f"{n}{o}" for n, _, o in OPTION_CASES])
def test_an_option_value_is_echoed_short(invoke, name, head, option) -> None:
    assert_short(invoke(name, *head, option, HOSTILE))
    assert_short(invoke(name, *head, f"{option}={HOSTILE}"))


@pytest.mark.parametrize(("name", "head"), [(n, h) for n, h, _ in COMMANDS],
                         ids=[n for n, _, _ in COMMANDS])
def test_unknown_options_and_extra_arguments_are_echoed_short(invoke, name, head) -> None:
    out = invoke(name, *head, "--" + HOSTILE_OPTION)
    assert "No such option" in out
    assert_short(out)
    assert_short(invoke(name, *head, "--" + HOSTILE_OPTION + "=1"))
    assert_short(invoke(name, "x", "y", HOSTILE))  # a second argument (or a first: rules)


def test_an_unknown_command_is_echoed_short(invoke) -> None:
    assert_short(invoke(HOSTILE_OPTION))
    assert_short(invoke("--" + HOSTILE_OPTION))


def test_the_echo_keeps_both_ends_of_a_long_value(invoke) -> None:
    out = invoke("derive", "x", "--format", "start" + "y" * MB + "end")
    assert "start" in out and "end'" in out and "…" in out
    assert "is not one of" in out and "Usage: gdcli derive" in out


# --- as users run it: a real argv (at most 128 kB an argument on Linux), both paths ---
BIG = 100_000
PATHS = [pytest.param({}, id="fast-path"), pytest.param({"GDCLI_NO_FASTPATH": "1"}, id="typer")]


def _run(env: dict[str, str], *args: str):
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return run_gdcli(*args)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k)
            else:
                os.environ[k] = v


@pytest.mark.parametrize("env", PATHS)
@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["derive", "--" + "x" * BIG], id="derive-dashdash-expression"),
        pytest.param(["eval", "--" + "x" * BIG], id="eval-dashdash-expression"),
        pytest.param(["derive", "x", "--format", "\x1b[31m" + "y" * BIG], id="format"),
        pytest.param(["derive", "x", "--order", "1" * BIG + ".5"], id="order"),
        pytest.param(["eval", "x", "--at", "\x1b]0;title\x07" + "x" * BIG], id="at"),
        pytest.param(["eval", "x", "--at", "x=" + "\n" * BIG], id="at-newlines"),
        pytest.param(["derive", "x", "--wrt", "\x1b[2J" + "w" * BIG], id="wrt"),
        pytest.param(["minimize", "x**2", "--x0", "1", "--method", "m" * 20_000], id="method"),
        pytest.param(["minimize", "x**2", "--x0", "1", "--format", "f" * 20_000], id="mformat"),
    ],
)
def test_as_users_run_it(env, args) -> None:
    r = _run(env, *args)
    assert r.returncode == 2, r.stderr[:300]
    assert r.stdout == b""
    assert_short(r.stderr.decode())


def test_an_expression_beginning_with_two_minus_signs(cli) -> None:
    # '--x**2' can be no option: it is the expression -(-(x**2)); '--x' stays an unknown
    # option (a mistyped --wrt?), and '-- --x' says it is the expression
    assert cli("derive", "--x**2").output == "2*x\n"
    assert cli("derive", "--order=2", "--(x+1)**3").output == "6*x + 6\n"
    assert cli("derive", "--", "--x").output == "1\n"
    r = cli("derive", "--x")
    assert r.exit_code == 2 and "No such option: --x" in r.output


# --- the shortening itself ---
def test_short_messages_are_unchanged() -> None:
    for m in ("--lr must be a positive finite number, got -1",
              "unknown function 'sinn' — did you mean 'sin'?",
              "Invalid value for '--format': 'yaml' is not one of 'text', 'latex', 'json'."):
        assert shorten(m) == m and shorten(m, 1) == m


def test_shorten_bounds_words_lines_and_line_count() -> None:
    assert shorten("got '" + "y" * MB + "'") == "got '" + "y" * 30 + "…" + "y" * 15 + "'"
    assert len(shorten("a " * MB)) <= 200
    assert shorten("a\nb\nc\nd\ne\nf").split("\n") == ["a", "b", "c", "…"]
    assert shorten("a\nb", 1) == "a\N{REPLACEMENT CHARACTER}b"
    assert clip("\x1b[31mred") == "\N{REPLACEMENT CHARACTER}[31mred"


def test_gdcli_messages_are_one_line_whatever_they_quote() -> None:
    e = InputError("--at takes VAR=VALUE, got '" + "x\n" * MB + "'", hint="\x1b" * MB)
    out = e.render()
    assert out.count("\n") == 0 and len(out) < 400
    assert_short(out)
    e = InputError("bad " + "z" * MB, "z" * MB, MB // 2)
    lines = e.render().split("\n")
    assert len(lines) == 3 and all(len(line) < 200 for line in lines)


def test_a_note_about_a_long_name_is_short(cli) -> None:
    # 'x111…1e' looks like x·e glued: the note shows both ends of the name, not 9,000 digits
    name = "x" + "1" * 9_000 + "e"
    r = run_gdcli("derive", name)
    assert r.returncode == 0 and r.stdout == b"1\n"
    note = r.stderr.decode()
    assert note.startswith("note: read x111") and "…" in note and "1*e?" in note
    assert_short(note)


def test_an_option_given_twice_shows_the_usage_like_other_usage_errors(cli) -> None:
    r = cli("minimize", "x**2", "--lr", "0.1", "--lr", "0.5")
    assert r.exit_code == 2
    assert r.output.startswith("Usage: gdcli minimize") and "--lr is given twice" in r.output
