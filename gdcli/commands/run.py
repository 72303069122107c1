"""``gdcli run CONFIG.toml [--OPTION VALUE …]`` and ``--save-config FILE.toml`` (SPEC §7).

A config is TOML: one run as top-level keys, or several ``[[run]]`` tables. A run names its
``command``, that command's argument (``expr``; ``data`` for neuron) and its options under
their long names with ``_`` for ``-`` (``max_iter = 500``). Each run is turned into the argv
of the command and handed to the same click command a user would reach, so every value is
checked by the command's own types, ranges and messages. Before that, the keys and TOML
types are checked against the command's parameters here, so that a mistake names its key
and its run, with a suggestion. Every run of a file is checked before the first one starts.

Options after the config file override the file, key by key, in every run whose command
takes them. Relative paths in the file are relative to the file's folder; on the command
line, to the current folder, as usual.

``--save-config`` writes the other way: the options a user gave (not the defaults) as a
config that ``gdcli run`` repeats exactly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..errors import InputError, clip

#: Commands a run may name (every command of the app but ``run`` itself; the ones SPEC §7
#: lists, and ``predict``, ``rules``, ``methods``, whatever the app has).
NOT_RUNNABLE = ("run",)
#: Keys whose values are file paths: relative to the config file's folder.
PATH_KEYS = frozenset({"data", "model", "save", "output", "save_config"})
#: A config is a few lines; a larger file is a mistake (a data file given by accident).
MAX_BYTES = 1_000_000
#: Options that select a machine-readable format: a run's heading then goes to stderr.
HUMAN_FORMATS = frozenset({"table", "text"})
#: Words people write for a key, that difflib cannot see are close.
SYNONYMS = {
    "learning_rate": "lr", "learningrate": "lr", "rate": "lr", "alpha": "lr", "eta": "lr",
    "step": "lr", "iterations": "max_iter", "max_iterations": "max_iter",
    "maxiter": "max_iter", "iters": "max_iter", "n_iter": "max_iter", "steps": "max_iter",
    "start": "x0", "x_0": "x0", "initial": "x0", "init_x": "x0", "point": "x0",
    "tolerance": "tol", "gtol": "tol", "expression": "expr", "function": "expr", "f": "expr",
    "fn": "expr", "file": "data", "csv": "data", "path": "data", "dataset": "data",
    "n_epochs": "epochs", "batch": "batch_size", "output_format": "format", "fmt": "format",
    "optimizer": "method", "optimiser": "method", "algorithm": "method",
    "optimizers": "methods", "optimisers": "methods", "fixed": "at",
    "standardise": "standardize", "normalize": "standardize", "label": "target", "y": "target",
    "epochs": "max_iter", "max_iter": "epochs", "method": "methods", "methods": "method",
}


# --- reading a config --------------------------------------------------------------------
@dataclass
class Run:
    """One run of a config: its command and its values by key (before overrides)."""

    index: int  # 1-based
    name: str | None
    command: str
    values: dict[str, Any] = field(default_factory=dict)
    #: keys set from the command line (their paths are not the file's, their errors say so)
    overridden: set[str] = field(default_factory=set)


@dataclass
class Config:
    path: str
    folder: str  # the file's folder as given ('' for the current one)
    runs: list[Run]
    several: bool  # written as [[run]] tables


def where(cfg: Config, run: Run) -> str:
    """``cfg.toml: run 2 ("adam run")``: how a message names a run."""
    if not cfg.several:
        return _shown(cfg.path)
    named = f' ("{clip(run.name)}")' if run.name else ""
    return f"{_shown(cfg.path)}: run {run.index}{named}"


def _shown(path: str) -> str:
    return "<stdin>" if path == "-" else clip(path)


def read_config(path: str) -> Config:
    """The runs of the config file at ``path`` ('-': stdin), each checked for its shape."""
    import tomllib

    raw = _read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"{_shown(path)}: not UTF-8 text (byte 0x{raw[e.start]:02x} at "
                         f"offset {e.start}): a config is a TOML file") from None
    try:
        top = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{_shown(path)}: invalid TOML: {e}") from None
    folder = "" if path == "-" else os.path.dirname(path)
    if "run" in top:
        tables = top["run"]
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise InputError(f"{_shown(path)}: 'run' must be an array of tables, each "
                             "written [[run]]")
        others = [k for k in top if k != "run"]
        if others:
            raise InputError(f"{_shown(path)}: the key '{clip(others[0])}' stands outside "
                             "the [[run]] tables: a file is either one run as top-level keys "
                             "or [[run]] tables, each with all its keys (a key above the "
                             "first [[run]] is top-level)")
        several = True
    else:
        tables, several = [top], False
    if not tables or tables == [{}]:
        raise InputError(f"{_shown(path)}: no run: give command = \"minimize\" and its keys, "
                         "or [[run]] tables")
    cfg = Config(path, folder, [], several)
    for i, table in enumerate(tables, 1):
        name = table.get("name")
        run = Run(i, name if isinstance(name, str) else None, "")
        if "name" in table and not isinstance(name, str):
            raise InputError(f"{where(cfg, run)}: 'name' must be a string, not "
                             f"{_toml_type(name)}")
        run.command = _command_of(cfg, run, table.get("command"))
        for key, value in table.items():
            if key in ("command", "name"):
                continue
            norm = key.replace("-", "_")
            if norm in run.values:
                raise InputError(f"{where(cfg, run)}: '{clip(norm)}' is given twice "
                                 f"(as {clip(norm)} and {clip(norm.replace('_', '-'))})")
            run.values[norm] = value
        cfg.runs.append(run)
    return cfg


def _read_bytes(path: str) -> bytes:
    if path == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    elif "\0" in path:
        raise InputError(f"{_shown(path)}: no such config file (a file name has no NUL)")
    else:
        if os.path.isdir(path):
            raise InputError(f"{_shown(path)}: is a directory, not a config file")
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise InputError(f"{_shown(path)}: no such config file") from None
        except OSError as e:
            raise InputError(f"{_shown(path)}: cannot read it: {e.strerror}") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"{_shown(path)}: larger than {MAX_BYTES // 1_000_000} MB: a config "
                         "is a few lines of TOML")
    return data


def _command_of(cfg: Config, run: Run, command: Any) -> str:
    import difflib

    names = runnable_commands()
    if command is None:
        raise InputError(f"{where(cfg, run)}: no 'command': say which, e.g. command = "
                         f"\"minimize\" ({', '.join(names)})")
    if not isinstance(command, str):
        raise InputError(f"{where(cfg, run)}: 'command' must be a string, not "
                         f"{_toml_type(command)}")
    if command in NOT_RUNNABLE:
        raise InputError(f"{where(cfg, run)}: command = \"run\": a config cannot run a config")
    if command not in names:
        close = difflib.get_close_matches(command, names, n=1)
        raise InputError(f"{where(cfg, run)}: unknown command '{clip(command)}'",
                         hint=f"did you mean '{close[0]}'?" if close
                         else f"one of {', '.join(names)}")
    return command


# --- the app's commands and their parameters ------------------------------------------------
def _group_context() -> Any:
    """The click context of the gdcli group (the parent of the running command's)."""
    ctx = current_context()
    while ctx.parent is not None:
        ctx = ctx.parent
    return ctx


def current_context() -> Any:
    try:  # typer 0.28 vendors click
        from typer._click.globals import get_current_context  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - older typer depends on click
        from click import get_current_context
    return get_current_context()


def runnable_commands() -> list[str]:
    group = _group_context().command
    return [n for n in group.commands if n not in NOT_RUNNABLE]


def click_command(name: str) -> Any:
    ctx = _group_context()
    return ctx.command.get_command(ctx, name)


def key_of(param: Any) -> str:
    """A parameter's config key: an argument's name, an option's long name with '_'."""
    if param.param_type_name == "argument":
        return str(param.name)
    longs = [o for o in param.opts if o.startswith("--")] or list(param.opts)
    return longs[0].lstrip("-").replace("-", "_")


def params_by_key(command: Any) -> dict[str, Any]:
    return {key_of(p): p for p in command.params
            if not (p.param_type_name == "option" and "--help" in p.opts)}


# --- checking a value's TOML type against its parameter -------------------------------------
def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _kind(param: Any) -> str:
    """flag, int, float, choice or text (click's type names vary between versions)."""
    if param.param_type_name == "option" and getattr(param, "is_flag", False):
        return "flag"
    name = str(getattr(param.type, "name", "")).lower()
    if name in ("int", "integer", "integer range"):
        return "int"
    if name in ("float", "float range"):
        return "float"
    if hasattr(param.type, "choices"):
        return "choice"
    return "text"


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def type_problem(key: str, value: Any, param: Any) -> str | None:
    """Why ``value`` cannot be ``key``'s, in words naming the key; None when it can."""
    kind = _kind(param)
    got = _toml_type(value)
    if kind == "flag":
        return None if isinstance(value, bool) else f"'{key}' must be true or false, not {got}"
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return None
        hint = " (without quotes)" if isinstance(value, str) and _number_text(value) else ""
        return f"'{key}' must be an integer{hint}, not {got}"
    if kind == "float":
        if _is_number(value):
            return None
        hint = " (without quotes)" if isinstance(value, str) and _number_text(value) else ""
        return f"'{key}' must be a number{hint}, not {got}"
    if kind == "choice":
        if isinstance(value, str):
            return None
        choices = ", ".join(f'"{c}"' for c in param.type.choices)
        return f"'{key}' must be a string, one of {choices}, not {got}"
    # text: a string, or a number written as one; a list or a table for the options that
    # take several values
    scalar = isinstance(value, str) or _is_number(value)
    if scalar:
        return None
    if isinstance(value, list):
        bad = next((v for v in value if not (isinstance(v, str) or _is_number(v))), None)
        if not value:
            return f"'{key}' is an empty array: give strings or numbers"
        if bad is not None:
            return f"'{key}' is an array that holds {_toml_type(bad)}: give strings or numbers"
        return None
    if isinstance(value, dict) and param.multiple:
        for k, v in value.items():
            if not (isinstance(v, str) or _is_number(v)):
                return f"'{key}.{clip(k)}' must be a number or a string, not {_toml_type(v)}"
        return None if value else f"'{key}' is an empty table"
    also = ", an array" + (" or a table" if param.multiple else "")
    return f"'{key}' must be a string or a number{also}, not {got}"


def _number_text(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _text(value: Any) -> str:
    """A scalar as the command line would carry it (floats by repr: exact)."""
    if isinstance(value, float):
        return repr(value)
    return str(value)


# --- overrides from the command line ----------------------------------------------------------
def parse_overrides(tokens: list[str], cfg: Config) -> dict[str, Any]:
    """``--lr 0.05 --at x=1 --at y=2 --standardize --no-quiet`` → {key: value}: a string, a
    list of strings (an option that repeats), or a boolean (a flag). Each option must be
    taken by at least one run's command."""
    import difflib

    commands = {r.command: params_by_key(click_command(r.command)) for r in cfg.runs}
    by_opt: dict[str, tuple[str, Any]] = {}
    for params in commands.values():
        for key, p in params.items():
            if p.param_type_name == "argument":
                by_opt.setdefault("--" + key.replace("_", "-"), (key, p))
            else:
                for o in (*p.opts, *p.secondary_opts):
                    by_opt.setdefault(o, (key, p))
    out: dict[str, Any] = {}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "--" or not tok.startswith("-") or tok == "-":
            raise InputError(f"unexpected argument '{clip(tok)}' after the config file: "
                             "options that override the file come as --NAME VALUE")
        name, eq, val = tok.partition("=") if tok.startswith("--") else (tok, "", "")
        negated = False
        if name not in by_opt and name.startswith("--no-") and "--" + name[5:] in by_opt:
            negated = True
            name = "--" + name[5:]
        if name not in by_opt:
            known = _all_options()
            if name in known:
                runs = ", ".join(dict.fromkeys(r.command for r in cfg.runs))
                raise InputError(f"{clip(name)}: no run in {_shown(cfg.path)} takes it "
                                 f"(its commands: {runs})")
            close = difflib.get_close_matches(name, sorted(by_opt), n=1)
            syn = SYNONYMS.get(name.lstrip("-").replace("-", "_"))
            if syn and "--" + syn.replace("_", "-") in by_opt:
                close = ["--" + syn.replace("_", "-")]
            raise InputError(f"unknown option '{clip(name)}'",
                             hint=f"did you mean '{close[0]}'?" if close else None)
        key, p = by_opt[name]
        is_flag = p.param_type_name == "option" and getattr(p, "is_flag", False)
        if is_flag or negated:
            if not is_flag:
                raise InputError(f"unknown option '{clip(tok)}': {name} is not a flag")
            if eq:
                raise InputError(f"{name} is a flag: it takes no value")
            value: Any = not negated
            i += 1
        else:
            if not eq:
                if i + 1 >= len(tokens):
                    raise InputError(f"{name} needs a value")
                val = tokens[i + 1]
            value = val
            i += 1 if eq else 2
        if getattr(p, "multiple", False) and not is_flag:
            out.setdefault(key, []).append(value)
            continue
        if key in out:
            raise InputError(f"{name} is given twice; give it once")
        out[key] = value
    return out


def check_option_names(tokens: list[str]) -> None:
    """Before the config is read: an option that no gdcli command has is a usage error of
    ``gdcli run``, worded as click words it for every command (No such option …)."""
    import difflib

    from ..cli import click_error

    takes_value: dict[str, bool] = {}
    for c in runnable_commands():
        for p in click_command(c).params:
            if p.param_type_name == "argument":
                takes_value["--" + str(p.name).replace("_", "-")] = True
            else:
                flag = bool(getattr(p, "is_flag", False) or getattr(p, "count", False))
                for o in (*p.opts, *p.secondary_opts):
                    takes_value[o] = takes_value.get(o, False) or not flag
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if not tok.startswith("-") or tok in ("-", "--"):
            continue  # a stray argument: parse_overrides says what is wrong with it
        name, eq, _ = tok.partition("=") if tok.startswith("--") else (tok, "", "")
        base = "--" + name[5:] if name.startswith("--no-") else name
        if name in takes_value:
            i += 1 if takes_value[name] and not eq else 0
        elif base not in takes_value:
            syn = SYNONYMS.get(name.lstrip("-").replace("-", "_"))
            close = (["--" + syn.replace("_", "-")] if syn
                     else difflib.get_close_matches(name, sorted(takes_value), n=1))
            usage_error = click_error("UsageError")
            no_such = sys.modules[usage_error.__module__].NoSuchOption  # type: ignore[attr-defined]
            raise no_such(name, possibilities=close, ctx=current_context())


def _all_options() -> set[str]:
    names: set[str] = set()
    for c in runnable_commands():
        for p in click_command(c).params:
            if p.param_type_name == "option":
                names.update((*p.opts, *p.secondary_opts))
    return names


# --- a run as the command's argv ------------------------------------------------------------
def check_run(cfg: Config, run: Run) -> None:
    """Every key known to the run's command, every value of a TOML type it can take, every
    required key present."""
    import difflib

    params = params_by_key(click_command(run.command))
    for key, value in run.values.items():
        if key in run.overridden:
            continue
        p = params.get(key)
        if p is None:
            close = difflib.get_close_matches(key, list(params), n=1)
            syn = SYNONYMS.get(key.lower())
            if syn in params:
                close = [syn]
            others = [c for c in runnable_commands() if c != run.command
                      and key in params_by_key(click_command(c))]
            note = f" (an option of {others[0]}, not of {run.command})" if others else ""
            hint = (f"did you mean '{close[0]}'?" if close
                    else f"see gdcli {run.command} --help for its options")
            raise InputError(f"{where(cfg, run)}: unknown key '{clip(key)}'{note}", hint=hint)
        problem = type_problem(key, value, p)
        if problem:
            raise InputError(f"{where(cfg, run)}: {problem}")
    for key, p in params.items():
        if p.required and key not in run.values:
            what = (" (the expression)" if key == "expr"
                    else " (the data file)" if key == "data" else "")
            raise InputError(f"{where(cfg, run)}: no '{key}'{what}: {run.command} needs it")


def argv_of(cfg: Config, run: Run) -> tuple[list[str], list[str]]:
    """(options, arguments) of the run's command line, in the command's parameter order."""
    params = params_by_key(click_command(run.command))
    opts: list[str] = []
    args: list[str] = []
    for key, p in params.items():
        if key not in run.values:
            continue
        value = run.values[key]
        if key in PATH_KEYS and key not in run.overridden:
            value = _from_config(cfg, value)
        if p.param_type_name == "argument":
            args.append(_text(value))
            continue
        opt = next((o for o in p.opts if o.startswith("--")), p.opts[0])
        if _kind(p) == "flag":
            if value:
                opts.append(opt)
            continue
        for item in _items(key, value, p.multiple):
            opts += [opt, item]
    return opts, args


def _items(key: str, value: Any, multiple: bool) -> list[str]:
    if isinstance(value, dict):
        return [f"{k}={_text(v)}" for k, v in value.items()]
    if isinstance(value, list):
        if multiple and key != "x0":
            return [_text(v) for v in value]
        return [",".join(_text(v) for v in value)]  # x0 = [1, 2]; methods = ["gd", "adam"]
    return [_text(value)]


def _from_config(cfg: Config, value: Any) -> Any:
    """A path of the file, relative to the file's folder."""
    if not isinstance(value, str) or value == "-" or os.path.isabs(value) or not cfg.folder:
        return value
    return os.path.join(cfg.folder, value)


def command_line(run: Run, opts: list[str], args: list[str]) -> str:
    """The run as a shell command line, the argument first as in the README."""
    import shlex

    if any(a.startswith("-") and a != "-" for a in args):
        words = ["gdcli", run.command, *opts, "--", *args]
    else:
        words = ["gdcli", run.command, *args, *opts]
    return shlex.join(words)


def _human(run: Run, out: TextIO) -> bool:
    """Whether the run prints for a person (its heading then goes to stdout too)."""
    fmt = run.values.get("format")
    if run.values.get("quiet") is True:
        return False
    if fmt is None:
        return not (run.command == "predict" and not _isatty(out))
    return fmt in HUMAN_FORMATS


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _heading(run: Run) -> str:
    if run.name:
        return clip(run.name, 70)
    arg = run.values.get("expr", run.values.get("data"))
    return run.command + ("" if arg is None else " " + clip(_text(arg), 60))


# --- running ------------------------------------------------------------------------------
def run(config: str, overrides: Iterable[str], dry_run: bool, out: TextIO, err: TextIO) -> int:
    """Check every run of ``config``, then run them in turn. Exit 0 when every run exits 0,
    else the exit code of the first that did not; every run runs, except after Ctrl-C (130),
    which stops at once."""
    import typer

    if config.startswith("-") and config != "-":
        raise InputError(f"the config file comes first: gdcli run CONFIG.toml "
                         f"{clip(config)} …")
    check_option_names(list(overrides))
    cfg = read_config(config)
    for r in cfg.runs:
        check_run(cfg, r)
    given = parse_overrides(list(overrides), cfg)
    for r in cfg.runs:
        params = params_by_key(click_command(r.command))
        for key, value in given.items():
            if key in params:
                r.values[key] = value
                r.overridden.add(key)
    lines = [argv_of(cfg, r) for r in cfg.runs]
    # every run through the command's own parser before the first starts: a bad value in
    # run 3 is reported before run 1 spends a minute
    for r, (opts, args) in zip(cfg.runs, lines, strict=True):
        _parse(cfg, r, opts, args, invoke=False)
    if dry_run:
        for r, (opts, args) in zip(cfg.runs, lines, strict=True):
            if cfg.several:
                out.write(f"# run {r.index}: {_heading(r)}\n")
            out.write(command_line(r, opts, args) + "\n")
        return 0
    first = 0
    for r, (opts, args) in zip(cfg.runs, lines, strict=True):
        if cfg.several:
            stream = out if _human(r, out) else err
            out.flush()
            gap = "" if r.index == 1 or stream is not out else "\n"
            stream.write(f"{gap}== run {r.index}: {_heading(r)} ==\n")
            stream.flush()
        try:
            code = _parse(cfg, r, opts, args, invoke=True)
        except typer.Exit as e:
            code = e.exit_code
        out.flush()
        if code == 2 and cfg.several:  # the command's own message does not say which run
            err.write(f"  in {where(cfg, r)}\n")
        if code == 130:
            return 130
        if code and not first:
            first = code
    return first


def _parse(cfg: Config, run: Run, opts: list[str], args: list[str], *, invoke: bool) -> int:
    """Parse the run's argv with its command (and run it when ``invoke``): its exit code.
    A usage error (a value of the wrong type or range, a choice that is not one) is
    reported naming the key and the run."""
    from ..cli import click_error

    group = _group_context()
    command = click_command(run.command)
    argv = [*opts, "--", *args]
    try:
        with command.make_context(run.command, argv, parent=group) as sub:
            if invoke:
                command.invoke(sub)
    except click_error("ClickException") as e:
        raise _usage(cfg, run, e) from None
    return 0


def _usage(cfg: Config, run: Run, e: Any) -> InputError:
    param = getattr(e, "param", None)
    message = getattr(e, "message", None) or e.format_message()
    if param is None:
        return InputError(f"{where(cfg, run)}: {run.command}: {message}")
    key = key_of(param)
    if key in run.overridden:
        opt = next((o for o in param.opts if o.startswith("--")), "--" + key)
        return InputError(f"{opt} (on the command line), for {run.command}: {message}")
    return InputError(f"{where(cfg, run)}: '{key}': {message}")


# --- --save-config ---------------------------------------------------------------------------
def save_config(path: str) -> None:
    """Write the running command's config to ``path``: its argument and the options given
    on the command line (not the defaults), so that ``gdcli run PATH`` repeats the run.
    Atomically; an unwritable path is an input error (exit 2)."""
    ctx = current_context()
    command = ctx.command
    folder = os.path.dirname(os.path.abspath(path))
    values: dict[str, Any] = {}
    for key, p in params_by_key(command).items():
        if key == "save_config" or p.name not in ctx.params:
            continue
        source = ctx.get_parameter_source(p.name)
        if p.param_type_name == "option" and getattr(source, "name", "") != "COMMANDLINE":
            continue
        value = ctx.params[p.name]
        if value is None:
            continue
        value = getattr(value, "value", value)  # an enum: its text
        if isinstance(value, str) and key in PATH_KEYS and value != "-":
            value = _relative(value, folder)
        if isinstance(value, str) and value.startswith(" -"):
            value = value[1:]  # ExprCommand's mark on an expression that begins with '-'
        if isinstance(value, list | tuple):
            value = _saved_items(key, [str(v) for v in value])
        values[key] = value
    text = config_text(ctx.info_name or command.name, values)
    write_atomically(path, text)


def _relative(path: str, folder: str) -> str:
    """``path`` relative to ``folder`` when it lies inside it, else absolute."""
    full = os.path.abspath(path)
    rel = os.path.relpath(full, folder)
    return full if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel


def _saved_items(key: str, items: list[str]) -> Any:
    """A repeatable option's values as TOML: a table for VAR=VALUE items with distinct
    names (``at = {x = 1.5, y = 1}``), a single value as itself, else an array."""
    pairs = [item.partition("=") for item in items]
    names = [name.strip() for name, eq, _ in pairs if eq]
    if (items and len(names) == len(items) and len(set(names)) == len(names)
            and all(n.isidentifier() for n in names)
            and not (key == "x0" and any("," in v for *_, v in pairs))):
        return {name.strip(): _number_or_text(v) for name, _, v in pairs}
    if key == "x0":  # the values joined by commas are the same start
        parts = [p for item in items for p in item.split(",")]
        if len(items) == 1 and len(parts) == 1:
            return _number_or_text(items[0])
        if all(_number_or_text(p) is not p for p in parts):
            return [_number_or_text(p) for p in parts]
        return items[0] if len(items) == 1 else items
    return [_number_or_text(v) for v in items] if len(items) > 1 else _number_or_text(items[0])


def _number_or_text(s: str) -> Any:
    """``s`` as a TOML number when the number is written back as exactly ``s``."""
    try:
        if s == str(int(s)):
            return int(s)
    except ValueError:
        pass
    try:
        if s == repr(float(s)):
            return float(s)
    except ValueError:
        pass
    return s


def config_text(command: str, values: dict[str, Any]) -> str:
    """The TOML of one run: a comment saying how to use it and what command it is, then
    ``command``, the argument and the options in the command's order."""
    head = ["# Saved by gdcli --save-config. Repeat the run with: gdcli run THIS_FILE",
            "# (options after the file override it, e.g. gdcli run THIS_FILE --max-iter 100)"]
    try:
        r = Run(1, None, command, dict(values))
        opts, args = argv_of(Config("", "", [r], False), r)
        line = command_line(r, opts, args)
        if line.isprintable() and len(line) <= 300:
            head.append(f"# {line}")
    except Exception:  # a comment is not worth failing a run for
        pass
    lines = [f"command = {toml_value(command)}"]
    lines += [f"{_toml_key(key)} = {toml_value(value)}" for key, value in values.items()]
    return "\n".join([*head, *lines]) + "\n"


def _toml_key(key: str) -> str:
    import re

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_value(key)


def toml_value(value: Any) -> str:
    """A TOML value, written by hand: strings escaped, floats by repr (exact)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {toml_value(v)}"
                               for k, v in value.items()) + "}"
    raise TypeError(f"no TOML for {type(value).__name__}")


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}


def _toml_string(s: str) -> str:
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            raise InputError("--save-config: a value holds bytes that are not UTF-8 text, "
                             "which TOML cannot hold")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and
    os.replace: a reader never sees half a config. A path that cannot be written: exit 2."""
    folder = os.path.dirname(path) or "."
    if "\0" in path:
        raise InputError(f"--save-config {clip(path)}: a file name cannot hold a NUL")
    if os.path.isdir(path):
        raise InputError(f"--save-config {clip(path)}: is a directory")
    if not os.path.isdir(folder):
        raise InputError(f"--save-config {clip(path)}: no folder '{clip(folder)}'")
    from ..files import replace_atomically

    try:
        replace_atomically(path, text.encode("utf-8"), ".gdcli-", ".toml.tmp")
    except OSError as e:
        raise InputError(f"--save-config {clip(path)}: cannot write it: "
                         f"{e.strerror}") from None
