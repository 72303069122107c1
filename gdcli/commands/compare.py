"""``gdcli compare``: one problem, one start, several methods side by side.

``--methods gd,momentum,adam:lr=0.3:beta1=0.8,newton`` lists the runs: a method name,
then its own settings as ``:KEY=VALUE``. An option given outside ``--methods`` applies to
every listed method that uses it (and is an input error if none does); a setting inside
an item overrides it for that run. Each run goes through the same engine as ``minimize``;
the renderers are in render/compare.py.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from ..errors import InputError
from ..optim.methods import METHODS, get
from ..optim.problem import Problem
from ..options import constant, expression_arg, read_stdin_text
from .minimize import EXIT_INTERRUPTED, _interruptible, fixed_values, start_point

#: Settings an item of --methods may give besides the method's hyperparameters.
KEYS = ("lr", "tol", "xtol", "max_iter", "schedule", "gamma", "step_size", "lr_min",
        "line_search")
#: Settings that take a whole number.
WHOLE = frozenset({"max_iter", "step_size"})
#: At most this many runs in one comparison.
MAX_RUNS = 64


@dataclass(frozen=True)
class Item:
    """One item of --methods: the method and the settings given with it (parsed)."""

    label: str  # as given, blanks removed: adam:lr=0.3
    method: str
    given: tuple[tuple[str, Any], ...]


def _short(text: str, limit: int = 40) -> str:
    """At most ``limit`` characters of what was typed, for a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_items(text: str) -> list[str]:
    """Split --methods on commas outside parentheses (a value may be log(8, 2))."""
    items, depth, cur = [], 0, []
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth <= 0:
            items.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    items.append("".join(cur))
    return items


def parse_methods(text: str) -> list[Item]:
    """--methods as items; an input error (exit 2, one short line) for a malformed list."""
    if not text.strip():
        raise InputError("--methods is empty: give METHOD[:KEY=VALUE]…, e.g. gd,adam:lr=0.3")
    raw = split_items(text)
    if len(raw) > MAX_RUNS:
        raise InputError(f"--methods lists {len(raw)} runs; at most {MAX_RUNS} are compared")
    items: list[Item] = []
    for i, piece in enumerate(raw, 1):
        item = piece.strip()
        if not item:
            raise InputError(f"--methods: item {i} of {len(raw)} is empty (a comma too many?)")
        name, *parts = (p.strip() for p in item.split(":"))
        if not name:
            raise InputError(f"--methods: item {i} ('{_short(item)}') has no method before ':'")
        try:
            method = get(name)
        except InputError as e:
            raise InputError(f"--methods: {e.message}", hint=e.hint) from None
        given: dict[str, Any] = {}
        for part in parts:
            key, eq, value = (s.strip() for s in part.partition("="))
            if not part:
                raise InputError(f"--methods {name}: an empty setting after ':' (settings "
                                 f"are :KEY=VALUE, e.g. {name}:lr=0.3)")
            key = key.replace("-", "_")
            if not eq:
                raise InputError(f"--methods {name}: '{_short(key)}' has no value "
                                 f"(KEY=VALUE, e.g. {name}:lr=0.3)")
            _check_key(key, name)
            if not value:
                raise InputError(f"--methods {name}: {key}= has no value")
            if key in given:
                raise InputError(f"--methods {name}: {key} is given twice")
            given[key] = _value(key, value, f"--methods {name}: {key}")
        label = ":".join([name, *("=".join(s.strip() for s in p.partition("=")[::2])
                                  for p in parts)])
        items.append(Item(label, method.name, tuple(given.items())))
    return items


def _check_key(key: str, method: str) -> None:
    """A key an item of ``method`` may set; else an error naming the ones it may."""
    own = list(METHODS[method].defaults())
    if key in KEYS or key in own:
        return
    theirs = sorted({k for m in METHODS.values() for k in m.defaults()})
    if key in theirs:
        raise InputError(f"--methods {method}: {key} is not a hyperparameter of {method} (its "
                         f"hyperparameters: {', '.join(own) or 'none'})")
    import difflib

    close = difflib.get_close_matches(key, [*own, *KEYS], n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"one of {', '.join([*own, *KEYS])}"
    raise InputError(f"--methods {method}: unknown setting '{_short(key, 30)}'", hint=hint)


def _value(key: str, text: str, what: str) -> Any:
    if key == "schedule":
        return text  # checked by build_settings with the schedule's other options
    if key == "line_search":
        word = text.lower()
        if word not in ("true", "false"):
            raise InputError(f"{what} takes true or false, got '{_short(text, 20)}'")
        return word == "true"
    try:
        number = constant(text, what)
    except InputError as e:
        raise InputError(e.message, hint=e.hint) from None  # one line: no caret under it
    if key in WHOLE:
        if number != int(number):
            raise InputError(f"{what} must be a whole number, got {_short(text, 20)}")
        return int(number)
    return number


def plan(
    items: Sequence[Item],
    lr: float | None,
    hypers: Mapping[str, float],
    *,
    schedule: str,
    gamma: float | None,
    step_size: int | None,
    lr_min: float | None,
    line_search: bool,
    tol: float,
    xtol: float,
    max_iter: int,
) -> list[Any]:
    """Each item's Settings: its own settings over the options given outside --methods,
    over the method's defaults. An outside option that no listed method uses is an input
    error, and so are two runs with the same settings."""
    from ..optim.setup import SCHEDULES, build_settings

    _check_outside(lr, hypers, gamma, step_size, lr_min, tol, xtol, max_iter)
    listed = ", ".join(dict.fromkeys(it.method for it in items))
    for name in hypers:
        if not any(name in METHODS[it.method].defaults() for it in items):
            owners = [m.name for m in METHODS.values() if name in m.defaults()]
            raise InputError(f"--{name} is used by none of the listed methods ({listed}); "
                             f"it goes with {', '.join(owners)}")
    if line_search and not any(METHODS[it.method].line_search for it in items):
        able = ", ".join(m.name for m in METHODS.values() if m.line_search)
        raise InputError(f"--line-search is used by none of the listed methods ({listed}); "
                         f"it goes with {able}")
    outside = {"gamma": gamma, "step_size": step_size, "lr_min": lr_min}
    used: set[str] = set()
    runs = []
    for it in items:
        own = dict(it.given)
        m = METHODS[it.method]
        sched = own.get("schedule", schedule)
        sched_keys = SCHEDULES.get(sched, ())
        extra = {k: own.get(k, v if k in sched_keys else None) for k, v in outside.items()}
        used.update(k for k in sched_keys if k not in own)
        h = {k: v for k, v in hypers.items() if k in m.defaults()}
        h.update({k: v for k, v in own.items() if k in m.defaults()})
        st = build_settings(
            it.method, own.get("lr", lr), h, tol=own.get("tol", tol),
            xtol=own.get("xtol", xtol), max_iter=own.get("max_iter", max_iter), schedule=sched,
            line_search=own.get("line_search", line_search and m.line_search),
            where=f"--methods {_short(it.label)}: ", **extra,
        )
        runs.append(st)
    for k, v in outside.items():
        if v is not None and k not in used:
            flag = "--" + k.replace("_", "-")
            owners = " or ".join(s for s, keys in SCHEDULES.items() if k in keys)
            raise InputError(f"{flag} is used by none of the listed runs: it goes with "
                             f"--schedule {owners}")
    for i, st in enumerate(runs):
        for j in range(i):
            if runs[j] == st:
                a, b = _short(items[j].label), _short(items[i].label)
                raise InputError(f"--methods lists {a} twice" if a == b else
                                 f"--methods: {a} and {b} are the same run")
    return runs


def _check_outside(lr: float | None, hypers: Mapping[str, float], gamma: float | None,
                   step_size: int | None, lr_min: float | None, tol: float, xtol: float,
                   max_iter: int) -> None:
    """The options given outside --methods, checked once in their own words, so that a
    message prefixed with an item (below) is about a value given in that item."""
    from ..optim.setup import build_settings

    build_settings("gd", lr, tol=tol, xtol=xtol, max_iter=max_iter)
    for name, value in hypers.items():
        h = next((h for m in METHODS.values() for h in m.hypers if h.name == name), None)
        bad = None if h is None else h.check(value)
        if bad is not None:
            raise InputError(f"--{name} must satisfy {bad}, got {_num(value)}")
    if gamma is not None and not (math.isfinite(gamma) and gamma > 0):
        raise InputError(f"--gamma must be > 0, got {_num(gamma)}")
    if step_size is not None and step_size < 1:
        raise InputError(f"--step-size must be at least 1, got {step_size}")
    if lr_min is not None and not (math.isfinite(lr_min) and lr_min >= 0):
        raise InputError(f"--lr-min must be a finite number ≥ 0, got {_num(lr_min)}")


def _num(v: float) -> str:
    from ..expr.evaluate import fmt

    return fmt(v)


def run(
    expr: str,
    x0: Sequence[str],
    methods: str,
    *,
    lr: float | None = None,
    hypers: Mapping[str, float] | None = None,
    schedule: str = "constant",
    gamma: float | None = None,
    step_size: int | None = None,
    lr_min: float | None = None,
    line_search: bool = False,
    tol: float = 1e-8,
    xtol: float = 1e-10,
    max_iter: int = 10_000,
    at: Sequence[str] = (),
    maximize: bool = False,
    fmt_name: str = "table",
    out: TextIO,
    err: TextIO,
    plot: bool = False,
    output: str | None = None,
) -> int:
    from ..render.compare import RENDERERS, Run
    from ..render.progress import progress_bar, wanted

    items = parse_methods(methods)
    settings = plan(items, lr, hypers or {}, schedule=schedule, gamma=gamma,
                    step_size=step_size, lr_min=lr_min, line_search=line_search, tol=tol,
                    xtol=xtol, max_iter=max_iter)
    text = _stdin_expression() if expr == "-" else expression_arg(expr)
    notes: list[str] = []
    problem = Problem(text, fixed_values(at), maximize, notes)
    for note in notes:
        err.write(f"note: {note}\n")
    start = start_point(x0, problem.variables)
    problem.check_start(start)
    picture = plot or output is not None
    if picture:
        from .plot import check_picture

        check_picture(plot, output)
        if problem.dim > 2:
            raise InputError(f"a picture shows one or two variables; {problem.dim} are free "
                             f"({', '.join(problem.variables)}): hold the others fixed with "
                             "--at VAR=VALUE")
    from ..render.figure import PathRecorder

    paths: dict[str, PathRecorder] = {}

    runs: list[Run] = []
    history = fmt_name == "json"
    with _interruptible() as stop, progress_bar(settings[0].max_iter, items[0].label,
                                                wanted(out, err), err) as bar:
        for it, st in zip(items, settings, strict=True):
            if stop():
                break
            if bar is not None:
                bar.phase(f"{it.label} ({len(runs) + 1}/{len(items)})", st.max_iter)
            path = PathRecorder(problem.dim) if picture else None
            runs.append(one_run(problem, start, it, st, stop, bar, history, path))
            if path is not None:
                paths[it.label] = path
    left = [it.label for it in items[len(runs):]]
    RENDERERS[fmt_name](problem, start, runs, out)
    if picture:
        from ..render.figure import problem_figure
        from .plot import deliver

        fig = problem_figure(problem, {k: p.path() for k, p in paths.items()})
        fig.notes += [f"{k}: {p.thinned()}" for k, p in paths.items() if p.thinned()]
        deliver(fig, plot=plot, output=output, out=out, err=err, fmt_name=fmt_name)
    interrupted = any(r.outcome.reason == "interrupted" for r in runs) or bool(left)
    if left:
        out.flush()
        err.write(f"interrupted: not run: {', '.join(left)}\n")
    return EXIT_INTERRUPTED if interrupted else 0


def _stdin_expression() -> str:
    """``compare -``: one expression from stdin (a final newline is fine)."""
    text = read_stdin_text()
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        raise InputError(f"compare reads one expression from stdin, but got {len(lines)} "
                         "lines; give one")
    return text


def one_run(
    problem: Problem,
    start: tuple[float, ...],
    item: Item,
    st: Any,
    stop: Callable[[], bool],
    tick: Callable[[int], None] | None,
    history: bool,
    path: Any = None,
) -> Any:
    """Run one method over the rows (as minimize does), adding up the distance travelled:
    the sum of ‖x_{k+1} − x_k‖ along the iterates. With ``history`` the rows are kept as
    JSON history records; a ``path`` (figure.PathRecorder) records the iterates."""
    from ..optim.engine import iterate
    from ..render.compare import Run
    from ..render.context import Context, Recorder
    from ..render.formats import _history_json

    ctx = Context(problem, st, start, method=st.method)
    lay = ctx.layout
    xs = lay.x
    names = [json.dumps(v) for v in lay.variables]
    records: list[str] | None = [] if history else None
    parts: list[float] = []
    prev: tuple[float, ...] | None = None
    for row in Recorder(iterate(problem, start, st, stop, tick), ctx):
        if path is not None:
            path.add(row)
        x = row[xs]
        if prev is not None:
            parts.append(math.dist(prev, x))
        prev = x
        if records is not None:
            records.append(_history_json(row, lay, names))
    outcome = ctx.outcome
    assert outcome is not None
    distance = math.fsum(parts)
    return Run(item.label, st, ctx.settings_json(), outcome,
               distance if math.isfinite(distance) else None, records)
