"""What the explorer shows, without a terminal: the settings, the start, the rows of the
run the engine made from them, and which iterate is current. The app (app.py) only draws
this and turns keys into the calls below, so every key's effect is tested here in plain
Python.

A run is computed whole (up to the engine's own end: converged, diverged or --max-iter),
then stepped through: ``n``/``p`` move the current iterate, ``g`` goes to the last one.
Changing a setting (lr, method, start) runs it again; :meth:`ExploreState.snapshot` and
:meth:`ExploreState.compute` are the two halves the app puts on either side of a worker
thread, :meth:`ExploreState.apply` takes a result only if no newer request was made.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..errors import GdcliError, InputError
from ..expr.evaluate import fmt
from ..optim.methods import METHODS
from ..optim.problem import Problem
from ..optim.records import Outcome, Row, Settings

if TYPE_CHECKING:  # pragma: no cover
    from ..optim.analysis import Stability
    from ..render.figure import Figure

#: The explorer keeps a whole run in memory: --max-iter above this is refused (minimize
#: streams a run of any length).
MAX_ITER = 100_000
#: The table holds at most this many steps, those up to the current iterate.
TABLE_ROWS = 200
#: The picture's path keeps at most this many iterates (thinned evenly, as --plot does).
PATH_POINTS = 400
#: Significant digits in the table, the status line and --explain.
DIGITS = 7
#: The learning rate's bounds: +/- stop here.
LR_MIN, LR_MAX = 1e-12, 1e12


@dataclass(frozen=True)
class Request:
    """What a run needs, taken on the app's thread (the settings may change meanwhile)."""

    generation: int
    settings: Settings
    start: tuple[float, ...]
    # the ranges drawn; None (or None for a variable): fitted to the run
    view: list[tuple[float, float] | None] | None


@dataclass
class Result:
    generation: int
    settings: Settings
    start: tuple[float, ...]
    rows: list[Row]
    outcome: Outcome | None
    view: list[tuple[float, float]]
    background: Figure | None
    path: list[tuple[Any, ...]] = field(default_factory=list)  # of the whole run
    error: str | None = None
    finite: int = 0  # the rows before the first without a finite f


class ExploreState:
    """Settings, start, the run's rows and the current iterate. Every method that changes
    a setting returns True when the run must be computed again."""

    def __init__(
        self,
        problem: Problem,
        start: Sequence[float],
        *,
        method: str = "gd",
        lr: float | None = None,
        hypers: Mapping[str, float] | None = None,
        tol: float = 1e-8,
        xtol: float = 1e-10,
        max_iter: int = 10_000,
        ranges: list[tuple[float, float] | None] | None = None,
    ) -> None:
        if max_iter > MAX_ITER:
            raise InputError(f"--max-iter {max_iter:,}: the explorer keeps a run in memory, at "
                             f"most {MAX_ITER:,} iterations; gdcli minimize runs longer ones")
        check_dim(problem)
        self.problem = problem
        self.hypers = dict(hypers or {})
        self.tol, self.xtol, self.max_iter = tol, xtol, max_iter
        self.given_ranges = ranges
        self.initial = (method, lr, tuple(map(float, start)))
        self.method, self.lr, self.start = self.initial
        self.settings = self._settings()  # raises InputError for a bad method or lr
        for name, m in METHODS.items():  # a hyperparameter is checked before m brings it in
            if {h.name for h in m.hypers} & self.hypers.keys():
                self._settings(name)
        problem.check_start(self.start)
        self.generation = 0
        self.view: list[tuple[float, float] | None] | None = ranges
        self._backgrounds: dict[tuple[tuple[float, float], ...], Figure] = {}
        self._stability: dict[tuple[float, ...], Stability | None] = {}
        # what is shown: the last run applied
        self.run_settings = self.settings
        self.run_start = self.start
        self.rows: list[Row] = []
        self.outcome: Outcome | None = None
        self.background: Figure | None = None
        self.finite = 0
        self.error: str | None = None
        self.index = 0
        self.at_end = False
        self.theory = False

    # --- settings ---
    def _settings(self, method: str | None = None) -> Settings:
        from ..optim.setup import build_settings

        name = method or self.method
        known = {h.name for h in METHODS[name].hypers} if name in METHODS else set()
        return build_settings(name, self.lr, {k: v for k, v in self.hypers.items() if k in known},
                              tol=self.tol, xtol=self.xtol, max_iter=self.max_iter)

    @property
    def pending(self) -> bool:
        """Whether the run shown is older than the settings (a run is being computed)."""
        return self.run_settings != self.settings or self.run_start != self.start

    def scale_lr(self, factor: float) -> bool:
        """Multiply the learning rate (kept within LR_MIN..LR_MAX, 12 significant digits so
        that ×1.1 shows 0.11, not 0.11000000000000001); from now on it applies to every
        method."""
        new = float(f"{self.settings.lr * factor:.12g}")
        new = min(LR_MAX, max(LR_MIN, new))
        if new == self.settings.lr:
            return False
        self.lr = new
        self.settings = self._settings()
        return True

    def next_method(self) -> bool:
        """The next method of the registry. The learning rate goes with it once it was
        chosen (--lr, +, -); otherwise each method gets its own default (newton 1)."""
        names = list(METHODS)
        self.method = names[(names.index(self.method) + 1) % len(names)]
        self.settings = self._settings()
        return True

    def set_start(self, text: str) -> bool:
        """A new start, typed as --x0 takes it (InputError if it is not one, or outside the
        domain); the view is fitted to the new run."""
        from ..commands.minimize import start_point

        start = start_point([text], self.problem.variables)
        self.problem.check_start(start)
        self.start = start
        self.view = self.given_ranges
        self.index, self.at_end = 0, False
        return True

    def reset(self) -> bool:
        """The command line's method, lr and start, at iterate 0, the view fitted again."""
        self.method, self.lr, self.start = self.initial
        self.settings = self._settings()
        self.view = self.given_ranges
        self.index, self.at_end = 0, False
        return True

    def refit(self) -> bool:
        """Fit the view to the current run (it is kept while lr and method change, so that
        paths can be compared)."""
        self.view = self.given_ranges
        return True

    def toggle_theory(self) -> None:
        self.theory = not self.theory

    # --- moving through the run ---
    @property
    def last(self) -> int:
        return max(0, len(self.rows) - 1)

    def step(self, n: int) -> None:
        self.index = min(self.last, max(0, self.index + n))
        self.at_end = bool(self.rows) and self.index == self.last and n > 0

    def to_end(self) -> None:
        self.index, self.at_end = self.last, True

    def to_start(self) -> None:
        self.index, self.at_end = 0, False

    # --- computing a run (compute may run on another thread) ---
    def request(self) -> Request:
        self.generation += 1
        return Request(self.generation, self.settings, self.start,
                       None if self.view is None else list(self.view))

    def stale(self, req: Request) -> Callable[[], bool]:
        """A stop test for the engine: a newer request ends this run early."""
        return lambda: self.generation != req.generation

    def compute(self, req: Request, stop: Callable[[], bool] | None = None) -> Result:
        from ..optim.engine import iterate
        from ..render.context import Context, Recorder
        from ..render.figure import default_ranges

        p = self.problem
        try:
            ctx = Context(p, req.settings, req.start, method=req.settings.method, dangling=True)
            rows = list(Recorder(iterate(p, req.start, req.settings, stop), ctx))
            finite = finite_rows(rows)
            path = path_of(rows, p.dim, len(rows), finite)[0]
            view = req.view
            if view is None or None in view:
                fitted = default_ranges(p, {"": path})
                view = fitted if view is None else [
                    g if g is not None else d for g, d in zip(view, fitted, strict=True)]
            return Result(req.generation, req.settings, req.start, rows, ctx.outcome, view,
                          self._background(view), path, finite=finite)
        except GdcliError as e:
            return Result(req.generation, req.settings, req.start, [], None, [], None,
                          error=e.message)

    def _background(self, view: list[tuple[float, float]]) -> Figure:
        """f over the view (the curve, or contour lines), without a path: drawn once per
        view, the path is laid over it for each iterate."""
        from ..render.figure import problem_figure

        key = tuple(view)
        fig = self._backgrounds.get(key)
        if fig is None:
            if len(self._backgrounds) > 8:
                self._backgrounds.clear()
            fig = self._backgrounds[key] = problem_figure(self.problem, {}, view)
        return fig

    def apply(self, res: Result) -> bool:
        """Show a computed run, unless a newer one was asked for."""
        if res.generation != self.generation:
            return False
        self.run_settings, self.run_start = res.settings, res.start
        self.rows, self.outcome, self.error = res.rows, res.outcome, res.error
        self.background = res.background
        self.finite = res.finite
        if res.error is None:
            self.view = res.view
        self.index = self.last if self.at_end else min(self.index, self.last)
        return True

    def recompute(self) -> None:
        """Compute and apply at once (tests, and a caller without threads)."""
        self.apply(self.compute(self.request()))

    # --- what is shown ---
    def context(self) -> Any:
        from ..render.context import Context

        return Context(self.problem, self.run_settings, self.run_start,
                       method=self.run_settings.method, precision=DIGITS,
                       outcome=self.outcome)

    def title(self) -> str:
        from ..render.table import title

        return title(self.context())

    def table(self, most: int = TABLE_ROWS) -> tuple[list[str], list[list[str]], str | None]:
        """The header, the rows (the steps up to the current iterate, the last ``most`` of
        them) and a caption for the steps left out."""
        from ..render.table import gd_columns, num, step_columns

        st = self.run_settings
        variables = self.problem.variables
        lo = max(0, self.index - max(1, most))
        pairs = list(zip(self.rows[lo : self.index], self.rows[lo + 1 : self.index + 1],
                         strict=True))
        probe = pairs or [(r, r) for r in self.rows[:1]]
        if st.method == "gd" and not st.extra:
            columns = gd_columns(variables, probe)
        else:
            columns = step_columns(variables, probe, st.extra)
        header = ["k", *(c.header for c in columns)]
        if not pairs:
            return header, [], None
        columns = columns if probe is pairs else []
        cells = [[str(a[0]), *(num(c.values[i], DIGITS) for c in columns)]
                 for i, (a, _) in enumerate(pairs)]
        caption = f"steps 0–{lo - 1} not shown (p, PgUp, Home go back)" if lo else None
        return header, cells, caption

    def stability(self) -> Stability | None:
        from ..optim.analysis import stability

        if self.run_start not in self._stability:
            self._stability[self.run_start] = stability(self.problem, self.run_start)
        return self._stability[self.run_start]

    def lr_text(self) -> str:
        """The learning rate against the stability limit 2/f'' (2/λmax for two variables),
        e.g. "lr 0.1 = 0.1× the limit 1 (2/f''): monotone"."""
        st = self.settings
        lr = f"lr {fmt(st.lr)}"
        stab = self.stability()
        what = "2/f''" if self.problem.dim == 1 else "2/λmax"
        if stab is None:
            curv = "f''" if self.problem.dim == 1 else "λmax"
            return f"{lr} (no stability limit: {curv} ≤ 0 at the start)"
        ratio = st.lr / stab.limit
        where = "" if stab.exact else " at the start"
        text = f"{lr} = {ratio:.3g}× the limit {stab.limit:.6g} ({what}{where})"
        if st.method != "gd":
            return text + f" — plain gd's; {st.method} has its own"
        if stab.exact:
            for bound, word in ((0.5 - 1e-12, "monotone"), (0.5 + 1e-12, "one step along the "
                                "steepest direction"), (1 - 1e-12, "overshoots, converging"),
                                (1 + 1e-12, "oscillates for ever")):
                if ratio < bound:
                    return f"{text}: {word}"
            return f"{text}: diverges"
        return text + " (f is not quadratic: a guide near the start)"

    def status_lines(self) -> list[str]:
        """Three lines: the method and lr; the current iterate; the run's outcome."""
        st = self.settings
        head = f"{st.method} · {self.lr_text()}"
        if self.error is not None:
            return [head, f"error: {self.error}", ""]
        if self.pending or not self.rows:
            return [head, "computing…", ""]
        row = self.rows[self.index]
        lay = self.context().layout
        v = self.problem.variables
        from ..render.summary import step_name

        point = ", ".join(f"{step_name(name, row[0])} = {_g(x)}"
                          for name, x in zip(v, row[lay.x], strict=True))
        f = "—" if row[1] is None else _g(row[1])
        grad = row[lay.grad]
        gn = "—" if any(g is None for g in grad) else f"{math.hypot(*grad):.3g}"
        place = f"step {self.index} of {self.last}"
        o = self.outcome
        end = "" if o is None else f"the run: {o.message}"
        return [head, f"{place} · {point} · f = {f} · |∇f| = {gn}", end]

    def explain_text(self) -> str:
        """The current step (from the current iterate; at the end, the last step) written
        out as --explain writes it."""
        from ..render.summary import explain_lines, step_name

        if len(self.rows) < 2:
            return "No step yet: the run ended at its start."
        k = min(self.index, len(self.rows) - 2)
        a, b = self.rows[k], self.rows[k + 1]
        ctx = self.context()
        lay = ctx.layout
        st = self.run_settings
        v = self.problem.variables
        lines = []
        if st.method == "gd" and not st.extra:
            lines += explain_lines(ctx, [(a, b)])
        else:
            m = METHODS[st.method]
            op = "+" if self.problem.maximize else "-"
            lines.append(f"{m.title}: {m.rule}")
            for i, name in enumerate(v):
                s = _g(a[lay.step][i])
                s = f"({s})" if s.startswith("-") else s
                lines.append(f"{step_name(name, k + 1)} = {_g(a[lay.x][i])} {op} {s} = "
                             f"{_g(b[lay.x][i])}   (x_k+1 = x_k {op} step)")
        g = "f'" if len(v) == 1 else "∇f"
        grad = ", ".join(_g(x) for x in a[lay.grad])
        lines.append("")
        lines.append(f"at step {k}: f = {_g(a[1])}, {g} = {grad}"
                     + (f", step = {', '.join(_g(s) for s in a[lay.step])}"
                        if a[lay.step][0] is not None else ""))
        fb = "— (undefined)" if b[1] is None else _g(b[1])
        lines.append(f"after it: f = {fb}" + (
            f" ({'lower' if b[1] < a[1] else 'higher'} than before)"
            if b[1] is not None and a[1] is not None and b[1] != a[1] else ""))
        return "\n".join(lines)

    # --- the same run as a command line and a config ---
    def _values(self, command: str) -> dict[str, Any]:
        from ..commands.run import _number_or_text

        st, p = self.settings, self.problem
        values: dict[str, Any] = {"expr": p.text.strip()}
        if command == "plot" and self.view:
            values["range"] = [f"{v}={_g(a)}:{_g(b)}" for v, (a, b) in
                               zip(p.variables, self.view, strict=True)]
        if p.dim == 1:
            values["x0"] = _number_or_text(fmt(self.start[0]))
        else:
            values["x0"] = {v: _number_or_text(fmt(x))
                            for v, x in zip(p.variables, self.start, strict=True)}
        values["lr"] = _number_or_text(fmt(st.lr))
        if st.method != "gd":
            values["method"] = st.method
        known = {h.name: h.default for h in METHODS[st.method].hypers}
        values.update({k: v for k, v in st.hypers if k in self.hypers and k in known})
        for key, value, default in (("tol", st.gtol, 1e-8), ("xtol", st.xtol, 1e-10),
                                    ("max_iter", st.max_iter, 10_000)):
            if value != default:
                values[key] = value
        if p.fixed:
            values["at"] = {v: _number_or_text(t) for v, (t, _) in sorted(p.fixed.items())}
        if p.maximize:
            values["maximize"] = True
        return values

    def command_lines(self) -> list[str]:
        """The equivalent `gdcli minimize …` (the table) and `gdcli plot …` (the picture)."""
        from ..commands.run import Config, Run, argv_of, command_line

        out = []
        with _click_context():
            for command in ("minimize", "plot"):
                r = Run(1, None, command, self._values(command))
                opts, args = argv_of(Config("", "", [r], False), r)
                out.append(command_line(r, opts, args))
        return out

    def config_toml(self) -> str:
        """The TOML config of the current settings, for `gdcli run FILE.toml`."""
        from ..commands.run import config_text

        with _click_context():
            text = config_text("minimize", self._values("minimize"))
        return text.replace("# Saved by gdcli --save-config.", "# Saved by gdcli explore.")

    # --- the picture ---
    def figure(self) -> Figure | None:
        """The background with the path up to the current iterate (and the theory)."""
        from ..render.figure import Series

        if self.background is None or not self.rows:
            return None
        p, view = self.problem, self.view or []
        path, thinned = path_of(self.rows, p.dim, self.index + 1, self.finite)
        pts = [q for q in path
               if all(view[i][0] <= q[1 + i] <= view[i][1] for i in range(p.dim))]
        st = self.run_settings
        label = f"{st.method}, lr {fmt(st.lr)}"
        bg = self.background
        notes = []
        if thinned:
            notes.append(f"the path shows {len(path)} of the {self.index + 1:,} iterates, "
                         "evenly spaced (and the last)")
        gone = len(path) - len(pts)
        if gone:
            notes.append(f"{gone} iterate{'s' if gone > 1 else ''} outside the view not drawn "
                         "(v: fit the view)")
        ys = [q[2] for q in pts]  # f (one variable) or y (two)
        series = [*bg.series, Series("path", [q[1] for q in pts], ys, label=label, marker="o",
                                     labels=[str(q[0]) for q in pts])]
        if self.theory:
            notes += self._theory(series)
        return replace(bg, title=f"{bg.title} — {label}", series=series, notes=notes)

    def _theory(self, series: list[Any]) -> list[str]:
        """The overlay: the analytic stationary points (one variable), the second-order
        test at the current iterate."""
        from ..optim.analysis import curvature, second_order
        from ..optim.poly import stationary_points
        from ..render.figure import Series

        p = self.problem
        notes = []
        points = stationary_points(p)
        if points:
            xs, ys = [], []
            for s in points:
                try:
                    fx = p.sign * p.f(s.x)
                except (ValueError, ZeroDivisionError, OverflowError):
                    continue
                xs.append(s.x)
                ys.append(fx)
            kinds = ", ".join(f"{p.variables[0]} = {s.text} ({s.kind})" for s in points)
            series.append(Series("points", xs, ys, label=f"stationary points: {kinds}",
                                 marker="*"))
        elif p.dim == 1:
            notes.append("theory: f' = 0 is solved exactly for polynomials only")
        else:
            notes.append("theory: stationary points are solved exactly for one variable only")
        row = self.rows[self.index]
        x, grad = row[2 : 2 + p.dim], row[2 + p.dim : 2 + 2 * p.dim]
        if any(g is None for g in grad):
            return notes
        if math.hypot(*grad) <= max(self.run_settings.gtol, 1e-6):
            said = second_order(p, x)
            if said:
                notes.append(f"at step {self.index}: {said}")
        else:
            c = curvature(p, x, p.sign)
            if c is not None:
                notes.append(f"at step {self.index}: {c.text.replace(', of both signs', '')} "
                             "(the second-order test needs ∇f = 0, not yet here)")
        return notes


def check_dim(problem: Problem) -> None:
    if problem.dim > 2:
        raise InputError(f"explore draws one or two variables; {problem.dim} are free "
                         f"({', '.join(problem.variables)}): hold the others fixed with "
                         "--at VAR=VALUE")


def finite_rows(rows: Sequence[Row]) -> int:
    """How many rows come before the first whose f is not a finite number."""
    isfinite = math.isfinite
    for i, row in enumerate(rows):
        f = row[1]
        if f is None or not isfinite(f):
            return i
    return len(rows)


def path_of(rows: Sequence[Row], dim: int, end: int, finite: int
            ) -> tuple[list[tuple[Any, ...]], bool]:
    """The path of ``rows[:end]`` as a PathRecorder keeping PATH_POINTS collects it, and
    whether it is thinned. Where every f is finite (the first ``finite`` rows) and the rows
    are k = 0, 1, …, the recorder's points are the rows k = 0, s, 2s, … (and the last), s
    the smallest power of 2 that keeps fewer than PATH_POINTS: taken at once, not row by
    row (a step key at iteration 10,000 would walk them all)."""
    from ..render.figure import PathRecorder

    if 0 < end <= finite and rows[0][0] == 0 and rows[end - 1][0] == end - 1:
        stride = 1
        while (end - 1) // stride + 1 >= PATH_POINTS:
            stride *= 2
        pts = [(r[0], *r[2 : 2 + dim], r[1]) for r in rows[0:end:stride]]
        if pts[-1][0] != end - 1:
            r = rows[end - 1]
            pts.append((r[0], *r[2 : 2 + dim], r[1]))
        return pts, stride > 1
    rec = PathRecorder(dim, PATH_POINTS)
    for row in itertools.islice(rows, end):
        rec.add(row)
    return rec.path(), rec.stride > 1


def _g(v: float | None) -> str:
    """A value to DIGITS significant digits (— for none)."""
    from ..render.table import num

    return num(v, DIGITS)


class _click_context:  # noqa: N801 - used as a context manager, like contextlib's
    """The gdcli group's click context, pushed when none is active (the run.py writer
    reads the commands' parameters from it): in the app it is the running command's."""

    def __enter__(self) -> None:
        from ..commands.run import current_context

        self.ctx = None
        try:
            current_context()
            return
        except RuntimeError:
            pass
        from typer.main import get_command

        from ..cli import app

        group = get_command(app)
        self.ctx = group.context_class(group, info_name="gdcli")
        self.ctx.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self.ctx is not None:
            self.ctx.__exit__(*exc)
