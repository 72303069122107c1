"""The typer app: options and help only. Each command hands its options to a
``cmd_*`` module, imported when the command runs so that ``gdcli derive`` never
loads what ``gdcli minimize`` needs."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from .errors import GdcliError, report, shorten

F = TypeVar("F", bound=Callable[..., Any])


class StrictCommand(TyperCommand):
    """A command where an option that takes one value, given twice, is a usage error:
    click would silently keep the last one (``--lr 0.1 --lr 0.5``)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        refuse_repeats(self, args, ctx)
        return super().parse_args(ctx, args)


class ExprCommand(StrictCommand):
    """A command whose first argument is an expression that may begin with '-'.

    ``gdcli derive "-x**2"`` must read ``-x**2`` as the expression, not as options
    ``-x``, ``-*``…: before click sees the arguments, such a token is marked with a
    leading space (which the expression parser ignores)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, protect_expression(self, args))


def refuse_repeats(cmd: Any, args: list[str], ctx: Any = None) -> None:
    """Raise a usage error for a non-repeatable option given more than once (with the
    command's usage line, as click's own usage errors have, when ``ctx`` is given)."""
    # click's UsageError, whether typer vendors click (0.28) or depends on it (older)
    usage_error = click_error("UsageError")
    by_name: dict[str, Any] = {}
    for p in cmd.params:
        if getattr(p, "param_type_name", "") == "option":
            for name in (*p.opts, *p.secondary_opts):
                by_name[name] = p
    seen: dict[int, str] = {}
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            break
        name = a.split("=", 1)[0] if a.startswith("--") else a
        p = by_name.get(name)
        if p is None:
            i += 1
            continue
        takes_value = not (p.is_flag or p.count)
        i += 2 if takes_value and "=" not in a else 1
        if p.multiple or p.count:
            continue
        if id(p) in seen:
            first = "" if seen[id(p)] == name else f" (as {seen[id(p)]} and {name})"
            raise usage_error(f"{p.opts[0]} is given twice{first}; give it once", ctx=ctx)
        seen[id(p)] = name


def protect_expression(cmd: Any, args: list[str]) -> list[str]:
    """Mark the first positional argument if it starts with '-' and is no option."""
    valued: set[str] = set()
    flags = {"-h", "--help"}
    for p in cmd.params:
        if getattr(p, "param_type_name", "") != "option":
            continue
        names = [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]
        takes_value = not (getattr(p, "is_flag", False) or getattr(p, "count", False))
        (valued if takes_value else flags).update(names)
    out, i = list(args), 0
    while i < len(out):
        a = out[i]
        if a == "--" or not a.startswith("-") or a == "-":
            break  # the first positional argument, or an explicit end of options
        if a in valued:
            i += 2  # an option and its value
        elif a in flags or a.split("=", 1)[0] in valued or _option_like(a):
            i += 1  # a flag, --opt=value, or an unknown --option for click to report
        else:
            out[i] = " " + a  # -x**2, -2*x, -(x+1), --x**2: an expression
            break
    return out


def _option_like(arg: str) -> bool:
    """Whether ``arg`` could be a long option (``--name`` or ``--name=value``): ``--x`` may
    be a mistyped option and is left to click, but ``--x**2`` or ``--(x+1)`` can only be
    an expression (minus minus x squared)."""
    name = arg.split("=", 1)[0]
    return name.startswith("--") and all(c.isascii() and (c.isalnum() or c in "-_")
                                         for c in name[2:])


class ShortEchoGroup(TyperGroup):
    """The app's group: every usage error click or typer raises, for the app or any of
    its commands, passes here, and leaves with its message shortened (errors.shorten).
    Click echoes what was typed whole (a 1 MB --format value, an unknown 1 MB --option,
    an expression beginning with '--'), control characters included."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except click_error("ClickException") as e:
            raise short_echo(e) from None

    def invoke(self, ctx: Any) -> Any:
        # the commands' own parsing and callbacks run inside the group's invoke
        try:
            return super().invoke(ctx)
        except click_error("ClickException") as e:
            raise short_echo(e) from None


def click_error(name: str) -> type[Exception]:
    """click's exception class ``name`` (UsageError, ClickException), whether typer vendors
    click (0.28) or depends on it (older)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)


def short_echo(e: Any) -> Any:
    """``e``, or a usage error with the same context and exit code whose message is ``e``'s
    shortened."""
    if type(e).__name__ == "NoArgsIsHelpError":
        return e  # its "message" is the help text
    text = e.format_message()
    short = shorten(text)
    if short == text:
        return e
    new = click_error("UsageError")(short, ctx=getattr(e, "ctx", None))
    new.exit_code = e.exit_code  # type: ignore[attr-defined]
    return new


def handled(func: F) -> F:
    """Report GdcliError as one message on stderr with its exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            code = func(*args, **kwargs)
        except GdcliError as e:
            raise typer.Exit(report(e)) from None
        raise typer.Exit(code or 0)

    return wrapper  # type: ignore[return-value]


app = typer.Typer(
    name="gdcli",
    cls=ShortEchoGroup,
    help="Derivatives by the textbook rules, and gradient descent step by step.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

def _version(value: bool) -> None:
    if value:
        from . import __version__

        sys.stdout.write(f"gdcli {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_version,
                     is_eager=True),
    ] = False,
) -> None:
    """Derivatives by the textbook rules, and gradient descent step by step."""


EXPR_HELP = "The expression, e.g. 'x**2 - 4*x + 6'; '-' reads one expression per stdin line."
AT_HELP = "A value VAR=VALUE (repeatable); VALUE may be a constant expression such as pi/2."
SaveConfigOpt = Annotated[str | None, typer.Option(
    "--save-config", help="Also write this run as a config file, to repeat it with gdcli run "
    "FILE.toml.", metavar="FILE.toml", rich_help_panel="Config")]


def save_config_first(path: str | None) -> None:
    """--save-config: write the running command's config (before the run starts, so that a
    run that diverges or is interrupted is saved too)."""
    if path is not None:
        from .commands.run import save_config

        save_config(path)


class DeriveFormat(StrEnum):
    text = "text"
    latex = "latex"
    json = "json"


class EvalFormat(StrEnum):
    text = "text"
    json = "json"


class RulesFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"


@app.command(cls=ExprCommand)
@handled
def derive(
    expr: Annotated[str, typer.Argument(help=EXPR_HELP, show_default=False, metavar="EXPR")],
    wrt: Annotated[
        list[str] | None,
        typer.Option("--wrt", help="Differentiate with respect to VAR (default: every variable); "
                     "repeated, the mixed partial: --wrt x --wrt y is d2f/dxdy.", metavar="VAR"),
    ] = None,
    order: Annotated[int, typer.Option("--order", help="Order of the derivative.")] = 1,
    at: Annotated[list[str] | None, typer.Option("--at", help=AT_HELP, metavar="VAR=VALUE")] = None,
    steps: Annotated[bool, typer.Option("--steps", help="Show the rule applied at each step.")] = (
        False
    ),
    fmt: Annotated[DeriveFormat, typer.Option("--format", help="Output format.")] = (
        DeriveFormat.text
    ),
    check: Annotated[
        bool, typer.Option("--check", help="Compare with a numeric derivative at sample points.")
    ] = False,
    hessian: Annotated[
        bool, typer.Option("--hessian", help="The Hessian matrix of second partial derivatives "
                           "(in the --wrt variables, else every variable).")
    ] = False,
) -> int:
    """Differentiate EXPR symbolically, e.g. gdcli derive "tan(x)" prints sec(x)**2.

    Exit codes: 0 done, 2 bad input (the expression, an option, a point outside
    the domain), 1 a failed --check (a gdcli bug: please report it).

    Examples:

      gdcli derive "x**2-4*x+6"            # 2*x - 4
      gdcli derive "x**2-4*x+6" --steps    # the rule applied at each step
      gdcli derive "sigmoid(x)" --at x=0   # the derivative and its value, 0.25
      gdcli derive "x**2*y" --wrt x --wrt y   # the mixed partial, 2*x
    """
    from .commands import derive as cmd_derive

    return cmd_derive.run(
        expr, wrt or [], order, at or [], steps, fmt.value, check, sys.stdout, sys.stderr,
        hessian=hessian,
    )


@app.command(name="eval", cls=ExprCommand)
@handled
def eval_(
    expr: Annotated[str, typer.Argument(help=EXPR_HELP, show_default=False, metavar="EXPR")],
    at: Annotated[list[str] | None, typer.Option("--at", help=AT_HELP, metavar="VAR=VALUE")] = None,
    fmt: Annotated[EvalFormat, typer.Option("--format", help="Output format.")] = (
        EvalFormat.text
    ),
) -> int:
    """Evaluate EXPR at a point, e.g. gdcli eval "x**2 - 4*x + 6" --at x=8 prints 38.

    Exit codes: 0 done, 2 bad input (a point outside the domain too: log(-1),
    1/0 are errors, never a printed nan).

    Examples:

      gdcli eval "x**2-4*x+6" --at x=8            # 38
      gdcli eval "sin(x)*y" --at x=pi/2 --at y=3  # 3
      gdcli eval "log(x)" --at x=-1   # outside the domain: an error, exit 2
    """
    from .commands import eval as cmd_eval

    return cmd_eval.run(expr, at or [], fmt.value, sys.stdout, sys.stderr)


METHOD_HELP = ("Optimizer: gd, momentum, nesterov, adagrad, rmsprop, adam or newton "
               "(gdcli methods lists them).")


class Schedule(StrEnum):
    constant = "constant"
    step = "step"
    exp = "exp"
    cosine = "cosine"
    inverse = "inverse"


MomentumOpt = Annotated[float | None, typer.Option(
    "--momentum", help="momentum, nesterov: μ \\[default: 0.9].", rich_help_panel="Method")]
Beta1Opt = Annotated[float | None, typer.Option(
    "--beta1", help="adam: β1 \\[default: 0.9].", rich_help_panel="Method")]
Beta2Opt = Annotated[float | None, typer.Option(
    "--beta2", help="adam: β2 \\[default: 0.999].", rich_help_panel="Method")]
EpsOpt = Annotated[float | None, typer.Option(
    "--eps", help="adam, rmsprop: 1e-8; adagrad: 1e-10.", rich_help_panel="Method")]
DecayOpt = Annotated[float | None, typer.Option(
    "--decay", help="rmsprop: the smoothing constant α \\[default: 0.99].",
    rich_help_panel="Method")]
LineSearchOpt = Annotated[bool, typer.Option(
    "--line-search", help="gd, newton: Armijo backtracking from --lr.", rich_help_panel="Method")]
ScheduleOpt = Annotated[Schedule, typer.Option(
    "--schedule", help="Learning-rate schedule.", rich_help_panel="Method")]
GammaOpt = Annotated[float | None, typer.Option(
    "--gamma", help="step: 0.1, exp: 0.99, inverse: 0.01.", rich_help_panel="Method")]
StepSizeOpt = Annotated[int | None, typer.Option(
    "--step-size", help="step: iterations per decay \\[default: max-iter/10].",
    rich_help_panel="Method")]
LrMinOpt = Annotated[float | None, typer.Option(
    "--lr-min", help="cosine: the final lr \\[default: 0].", rich_help_panel="Method")]
TolOpt = Annotated[float, typer.Option(
    "--tol", help="Gradient tolerance: converged when |gradient| ≤ TOL (0: only an exact zero).",
    metavar="TOL")]
XtolOpt = Annotated[float, typer.Option(
    "--xtol", help="Step tolerance (gd, newton): converged when the shrinking steps put x "
    "within XTOL·sqrt(1 + |x|²) of its limit (0: off).", metavar="XTOL")]
MaxIterOpt = Annotated[int, typer.Option("--max-iter", help="Iteration limit.")]
X0Opt = Annotated[list[str] | None, typer.Option(
    "--x0", help="Start: a number (one variable), VAR=VALUE (repeatable), or a comma list in "
    "alphabetical variable order.", metavar="START")]
FixedOpt = Annotated[list[str] | None, typer.Option(
    "--at", help="Hold a variable fixed: VAR=VALUE (repeatable), e.g. a data value or a "
    "parameter.", metavar="VAR=VALUE")]
PlotOpt = Annotated[bool, typer.Option(
    "--plot", help="Draw the picture in the terminal after the output (on stderr with "
    "csv/json/ndjson).", rich_help_panel="Picture")]
OutputOpt = Annotated[str | None, typer.Option(
    "--output", help="Write the picture to FILE.png or FILE.svg (needs pip install "
    "\"gdcli\\[plot]\").", metavar="FILE", rich_help_panel="Picture")]


def method_hypers(momentum: float | None, beta1: float | None, beta2: float | None,
                  eps: float | None, decay: float | None) -> dict[str, float]:
    """The hyperparameters given on the command line (None: not given)."""
    given = {"momentum": momentum, "beta1": beta1, "beta2": beta2, "eps": eps, "decay": decay}
    return {k: v for k, v in given.items() if v is not None}


class MinimizeFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ndjson = "ndjson"


@app.command(cls=ExprCommand)
@handled
def minimize(
    expr: Annotated[
        str,
        typer.Argument(help=EXPR_HELP.replace("per stdin line", "from stdin"), metavar="EXPR",
                       show_default=False),
    ],
    save_config: SaveConfigOpt = None,
    x0: Annotated[
        list[str] | None,
        typer.Option("--x0", help="Start: a number (one variable), VAR=VALUE (repeatable), or "
                     "a comma list in alphabetical variable order.", metavar="START"),
    ] = None,
    lr: Annotated[
        float | None,
        typer.Option("--lr", help="Learning rate \\[default: 0.1; newton: 1].", metavar="LR"),
    ] = None,
    method: Annotated[str, typer.Option("--method", help=METHOD_HELP, metavar="METHOD")] = "gd",
    momentum: MomentumOpt = None,
    beta1: Beta1Opt = None,
    beta2: Beta2Opt = None,
    eps: EpsOpt = None,
    decay: DecayOpt = None,
    line_search: LineSearchOpt = False,
    schedule: ScheduleOpt = Schedule.constant,
    gamma: GammaOpt = None,
    step_size: StepSizeOpt = None,
    lr_min: LrMinOpt = None,
    tol: Annotated[
        float,
        typer.Option("--tol", help="Gradient tolerance: converged when |gradient| ≤ TOL "
                     "(0: only an exact zero).", metavar="TOL"),
    ] = 1e-8,
    xtol: Annotated[
        float,
        typer.Option("--xtol", help="Step tolerance: converged when the shrinking steps put x "
                     "within XTOL·sqrt(1 + |x|²) of its limit (0: off).", metavar="XTOL"),
    ] = 1e-10,
    max_iter: Annotated[int, typer.Option("--max-iter", help="Iteration limit.")] = 10_000,
    at: Annotated[
        list[str] | None,
        typer.Option("--at", help="Hold a variable fixed: VAR=VALUE (repeatable), e.g. a data "
                     "value or a parameter.", metavar="VAR=VALUE"),
    ] = None,
    maximize: Annotated[
        bool, typer.Option("--maximize", help="Gradient ascent: x_new = x_old + lr*f'(x_old).")
    ] = False,
    fmt: Annotated[MinimizeFormat, typer.Option("--format", help="Output format.")] = (
        MinimizeFormat.table
    ),
    every: Annotated[
        int | None, typer.Option("--every", help="Table: show every N-th step.", metavar="N")
    ] = None,
    precision: Annotated[
        int | None,
        typer.Option("--precision", help="Table and --explain: significant digits \\[default: 7].",
                     metavar="DIGITS"),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the final point.")] = (
        False
    ),
    explain: Annotated[
        bool, typer.Option("--explain", help="Write out the first steps with numbers.")
    ] = False,
    plot: PlotOpt = False,
    output: OutputOpt = None,
) -> int:
    """Minimize EXPR by gradient descent (or --method), x_new = x_old - lr*f'(x_old).

    Exit codes: 0 converged, 3 diverged, 4 stopped without converging, 2 bad input,
    130 interrupted (Ctrl-C).

    Examples:

      gdcli minimize "x**2-4*x+6" --x0 8 --lr 0.1 --explain
      gdcli minimize "x**2-4*x+6" --x0 8 --lr 1.1   # too large: exit 3
      gdcli minimize "x**2-4*x+6" --x0 8 --method adam --quiet
      gdcli minimize "(1-x)**2+100*(y-x**2)**2" --x0=-1.2,1 --method newton
      gdcli minimize "x**2-4*x+6" --x0 8 --format csv
    """
    save_config_first(save_config)
    from .commands import minimize as cmd_minimize
    from .optim.setup import build_settings

    hypers = method_hypers(momentum, beta1, beta2, eps, decay)
    settings = build_settings(method, lr, hypers, tol=tol, xtol=xtol, max_iter=max_iter,
                              schedule=schedule.value, gamma=gamma, step_size=step_size,
                              lr_min=lr_min, line_search=line_search)
    return cmd_minimize.run(
        expr, x0 or [], settings.lr, tol, xtol, max_iter, fmt.value, every, precision, quiet,
        explain, sys.stdout, sys.stderr, at=at or [], maximize=maximize, settings=settings,
        plot=plot, output=output,
    )


@app.command(cls=StrictCommand)
@handled
def rules(
    fmt: Annotated[RulesFormat, typer.Option("--format", help="Output format.")] = (
        RulesFormat.table
    ),
) -> int:
    """Print the derivative rule table, generated from the function registry.

    One row per function: its derivative and its domain, from the same
    registry the differentiator uses.

    Examples:

      gdcli rules
      gdcli rules --format markdown
    """
    from .commands import rules as cmd_rules

    return cmd_rules.run(fmt.value, sys.stdout)


class CompareFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


class SweepFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


METHODS_HELP = ("Methods to compare, comma-separated, each with its own settings after ':' "
                "(adam:lr=0.3:beta1=0.8).")


@app.command(cls=ExprCommand)
@handled
def compare(
    expr: Annotated[
        str,
        typer.Argument(help=EXPR_HELP.replace("per stdin line", "from stdin"), metavar="EXPR",
                       show_default=False),
    ],
    save_config: SaveConfigOpt = None,
    x0: X0Opt = None,
    methods: Annotated[str, typer.Option("--methods", help=METHODS_HELP, metavar="LIST")] = (
        "gd,momentum,nesterov,adagrad,rmsprop,adam,newton"
    ),
    lr: Annotated[float | None, typer.Option(
        "--lr", help="Learning rate for every method that has none in --methods.")] = None,
    momentum: MomentumOpt = None,
    beta1: Beta1Opt = None,
    beta2: Beta2Opt = None,
    eps: EpsOpt = None,
    decay: DecayOpt = None,
    line_search: LineSearchOpt = False,
    schedule: ScheduleOpt = Schedule.constant,
    gamma: GammaOpt = None,
    step_size: StepSizeOpt = None,
    lr_min: LrMinOpt = None,
    tol: TolOpt = 1e-8,
    xtol: XtolOpt = 1e-10,
    max_iter: MaxIterOpt = 10_000,
    at: FixedOpt = None,
    maximize: Annotated[bool, typer.Option("--maximize", help="Gradient ascent.")] = False,
    fmt: Annotated[CompareFormat, typer.Option("--format", help="Output format.")] = (
        CompareFormat.table
    ),
    plot: PlotOpt = False,
    output: OutputOpt = None,
) -> int:
    """Run EXPR under several methods side by side.

    One row per method: status, iterations, evaluations of f, its gradient
    and Hessian, final point, f and distance travelled.

    Each item of --methods is METHOD[:KEY=VALUE]…, KEY one of lr, the
    method's hyperparameters (gdcli methods), tol, xtol, max_iter, schedule,
    gamma, step_size, lr_min, line_search=true|false. An option given
    outside --methods applies to every listed method that uses it. The best
    run (fewest iterations to a minimum) is marked ★.

    Exit codes: 0 the comparison ran (each run's status is in the output),
    2 bad input, 130 interrupted (Ctrl-C ends the current run; what ran is
    printed).

    Examples:

      gdcli compare "x**2-4*x+6" --x0 8
      gdcli compare "x**2-4*x+6" --x0 8 --methods gd,momentum,adam:lr=0.5
      gdcli compare "(1-x)**2+100*(y-x**2)**2" --x0=-1.2,1 \\
          --methods gd:lr=0.001,adam:lr=0.02,newton --max-iter 20000
    """
    save_config_first(save_config)
    from .commands import compare as cmd_compare

    return cmd_compare.run(
        expr, x0 or [], methods, lr=lr, hypers=method_hypers(momentum, beta1, beta2, eps, decay),
        schedule=schedule.value, gamma=gamma, step_size=step_size, lr_min=lr_min,
        line_search=line_search, tol=tol, xtol=xtol, max_iter=max_iter, at=at or [],
        maximize=maximize, fmt_name=fmt.value, out=sys.stdout, err=sys.stderr,
        plot=plot, output=output,
    )


@app.command(cls=ExprCommand)
@handled
def sweep(
    expr: Annotated[
        str,
        typer.Argument(help=EXPR_HELP.replace("per stdin line", "from stdin"), metavar="EXPR",
                       show_default=False),
    ],
    save_config: SaveConfigOpt = None,
    x0: X0Opt = None,
    lr: Annotated[str | None, typer.Option(
        "--lr", help="The learning rates: START:STOP:COUNT (or START:START:1).",
        metavar="START:STOP:COUNT")] = None,
    log: Annotated[bool, typer.Option("--log", help="Space the rates logarithmically.")] = False,
    method: Annotated[str, typer.Option("--method", help=METHOD_HELP, metavar="METHOD")] = "gd",
    momentum: MomentumOpt = None,
    beta1: Beta1Opt = None,
    beta2: Beta2Opt = None,
    eps: EpsOpt = None,
    decay: DecayOpt = None,
    schedule: ScheduleOpt = Schedule.constant,
    gamma: GammaOpt = None,
    step_size: StepSizeOpt = None,
    lr_min: LrMinOpt = None,
    tol: TolOpt = 1e-8,
    max_iter: Annotated[int, typer.Option("--max-iter", help="Iteration limit per rate.")] = (
        1000
    ),
    at: FixedOpt = None,
    maximize: Annotated[bool, typer.Option("--maximize", help="Gradient ascent.")] = False,
    fmt: Annotated[SweepFormat, typer.Option("--format", help="Output format.")] = (
        SweepFormat.table
    ),
    plot: PlotOpt = False,
    output: OutputOpt = None,
) -> int:
    """Run EXPR at many learning rates at once, vectorised with numpy.

    One row per rate; the fastest is marked, and where convergence turns into
    oscillation and divergence is named.

    Exit codes: 0 the sweep ran, 2 bad input, 130 interrupted (Ctrl-C).

    Examples:

      gdcli sweep "x**2-4*x+6" --x0 8 --lr 0.1:1.1:11   # fastest at 0.5
      gdcli sweep "x**2-4*x+6" --x0 8 --lr 1e-3:1:50 --log
      gdcli sweep "x**2-4*x+6" --x0 8 --lr 0.1:1.1:11 --method momentum
    """
    save_config_first(save_config)
    from .commands import sweep as cmd_sweep

    return cmd_sweep.run(
        expr, x0 or [], lr, log=log, method=method,
        hypers=method_hypers(momentum, beta1, beta2, eps, decay), schedule=schedule.value,
        gamma=gamma, step_size=step_size, lr_min=lr_min, tol=tol, max_iter=max_iter,
        at=at or [], maximize=maximize, fmt_name=fmt.value, out=sys.stdout, err=sys.stderr,
        plot=plot, output=output,
    )


@app.command(cls=ExprCommand)
@handled
def plot(
    expr: Annotated[str, typer.Argument(help="The expression, e.g. 'x**2 - 4*x + 6'.",
                                        metavar="EXPR", show_default=False)],
    range_: Annotated[list[str] | None, typer.Option(
        "--range", help="The axes: A:B (every variable) or VAR=A:B (repeatable) \\[default: "
        "the path and the stationary points; -10:10 without --x0].", metavar="A:B")] = None,
    x0: X0Opt = None,
    lr: Annotated[float | None, typer.Option(
        "--lr", help="Learning rate of the path \\[default: 0.1; newton: 1].",
        metavar="LR")] = None,
    method: Annotated[str, typer.Option("--method", help=METHOD_HELP, metavar="METHOD")] = "gd",
    momentum: MomentumOpt = None,
    beta1: Beta1Opt = None,
    beta2: Beta2Opt = None,
    eps: EpsOpt = None,
    decay: DecayOpt = None,
    line_search: LineSearchOpt = False,
    schedule: ScheduleOpt = Schedule.constant,
    gamma: GammaOpt = None,
    step_size: StepSizeOpt = None,
    lr_min: LrMinOpt = None,
    tol: TolOpt = 1e-8,
    xtol: XtolOpt = 1e-10,
    max_iter: MaxIterOpt = 10_000,
    at: FixedOpt = None,
    maximize: Annotated[bool, typer.Option("--maximize", help="Gradient ascent.")] = False,
    output: OutputOpt = None,
) -> int:
    """Draw EXPR over a range in the terminal, with the descent path from --x0.

    One variable: the curve with the numbered iterates; two: contour lines
    with the path. The path runs as gdcli minimize runs it; its status is
    printed on one line.

    Exit codes: 0 drawn (whatever the path did), 2 bad input.

    Examples:

      gdcli plot "x**2-4*x+6" --x0 8 --lr 0.1
      gdcli plot "x**2-4*x+6" --x0 8 --lr 1.1   # overshoots: still exit 0
      gdcli plot "sin(x)/x" --range -20:20
      gdcli plot "(1-x)**2+100*(y-x**2)**2" --x0=-1.2,1 --method newton
    """
    from .commands import plot as cmd_plot
    from .optim.setup import build_settings

    hypers = method_hypers(momentum, beta1, beta2, eps, decay)
    settings = None
    if x0:
        settings = build_settings(method, lr, hypers, tol=tol, xtol=xtol, max_iter=max_iter,
                                  schedule=schedule.value, gamma=gamma, step_size=step_size,
                                  lr_min=lr_min, line_search=line_search)
    elif lr is not None or method != "gd" or hypers or line_search or \
            schedule != Schedule.constant:
        from .errors import InputError

        raise InputError("--lr, --method and the method's options set the descent path: "
                         "give its start with --x0")
    return cmd_plot.run(expr, range_ or [], x0 or [], settings, at=at or [],
                        maximize=maximize, output=output, out=sys.stdout, err=sys.stderr)


@app.command(cls=ExprCommand)
@handled
def explore(
    expr: Annotated[str, typer.Argument(help="The expression, e.g. 'x**2 - 4*x + 6'.",
                                        metavar="EXPR", show_default=False)],
    x0: X0Opt = None,
    lr: Annotated[float | None, typer.Option(
        "--lr", help="Learning rate to start with \\[default: the method's, 0.1 for gd].",
        metavar="LR")] = None,
    method: Annotated[str, typer.Option("--method", help=METHOD_HELP, metavar="METHOD")] = "gd",
    momentum: MomentumOpt = None,
    beta1: Beta1Opt = None,
    beta2: Beta2Opt = None,
    eps: EpsOpt = None,
    decay: DecayOpt = None,
    tol: TolOpt = 1e-8,
    xtol: XtolOpt = 1e-10,
    max_iter: Annotated[int, typer.Option(
        "--max-iter", help="Iteration limit (at most 100,000: the run is kept to step "
        "through).")] = 10_000,
    at: FixedOpt = None,
    maximize: Annotated[bool, typer.Option("--maximize", help="Gradient ascent.")] = False,
    range_: Annotated[list[str] | None, typer.Option(
        "--range", help="The axes: A:B (every variable) or VAR=A:B (repeatable) \\[default: "
        "fitted to the first run].", metavar="A:B")] = None,
) -> int:
    """Explore gradient descent on EXPR interactively: keys change lr, method and start.

    Change the learning rate, the method and the start; the path and the table follow.

    A full-screen terminal app: the curve of f (contour lines for two
    variables) with the numbered iterates, the step table, and a status line
    with the lr against the stability limit. Keys: + - double/halve the lr,
    m the method, n p (→ ←) a step forward/back, g to the end, r reset,
    s a new start, t theory, e explain the step, c the command line, ? help,
    q quit. Needs the extra: pip install "gdcli[explore]".

    Exit codes: 0 quit with q, 2 bad input, no terminal (use minimize or plot
    in a pipe) or the extra missing.

    Examples:

      gdcli explore "x**2-4*x+6" --x0 8 --lr 0.1   # the worked example (in a pipe: exit 2)
      gdcli explore "(1-x)**2+100*(y-x**2)**2" --x0=-1.2,1 --lr 0.001   # (in a pipe: exit 2)
    """
    from .explore import command as cmd_explore

    return cmd_explore.run(
        expr, x0 or [], lr=lr, method=method,
        hypers=method_hypers(momentum, beta1, beta2, eps, decay), tol=tol, xtol=xtol,
        max_iter=max_iter, ranges=range_ or [], at=at or [], maximize=maximize,
        out=sys.stdout, err=sys.stderr,
    )


class MethodsFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"


@app.command(name="methods", cls=StrictCommand)
@handled
def methods_(
    fmt: Annotated[MethodsFormat, typer.Option("--format", help="Output format.")] = (
        MethodsFormat.table
    ),
) -> int:
    """List the optimization methods: update rule, hyperparameters and defaults.

    One row per method of the registry that minimize, compare, sweep and
    neuron run; --method NAME chooses one, its hyperparameters are options.

    Examples:

      gdcli methods
      gdcli methods --format json
    """
    from .commands import methods as cmd_methods

    return cmd_methods.run(fmt.value, sys.stdout)


# --- the neuron (SPEC §6) ---
class Loss(StrEnum):
    mse = "mse"
    bce = "bce"


class Init(StrEnum):
    zeros = "zeros"
    random = "random"


class PredictFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


DATA_HELP = "A CSV file with a header row ('-': stdin; a .tsv file is tab-separated)."


@app.command(cls=StrictCommand)
@handled
def neuron(
    data: Annotated[str, typer.Argument(help=DATA_HELP, metavar="DATA.csv", show_default=False)],
    target: Annotated[str, typer.Option(
        "--target", help="The column to predict: 0 or 1 in every row.", metavar="COLUMN",
        show_default=False)],
    save_config: SaveConfigOpt = None,
    features: Annotated[str | None, typer.Option(
        "--features", help="Feature columns, comma-separated \\[default: every column but "
        "the target].", metavar="A,B,…")] = None,
    loss: Annotated[Loss, typer.Option(
        "--loss", help="mse: C = 1/(2N)·Σ(ŷ − y)²; bce: binary cross-entropy.")] = Loss.mse,
    lr: Annotated[float | None, typer.Option(
        "--lr", help="Learning rate \\[default: the method's, 0.1 for gd].")] = None,
    epochs: Annotated[int, typer.Option("--epochs", help="Passes over the data.")] = 100,
    batch_size: Annotated[int | None, typer.Option(
        "--batch-size", help="Rows per step, shuffled each epoch \\[default: every row].",
        metavar="N")] = None,
    method: Annotated[str, typer.Option("--method", help=METHOD_HELP, metavar="METHOD")] = "gd",
    momentum: MomentumOpt = None,
    beta1: Beta1Opt = None,
    beta2: Beta2Opt = None,
    eps: EpsOpt = None,
    decay: DecayOpt = None,
    schedule: ScheduleOpt = Schedule.constant,
    gamma: GammaOpt = None,
    step_size: Annotated[int | None, typer.Option(
        "--step-size", help="step: epochs per decay \\[default: epochs/10].",
        rich_help_panel="Method")] = None,
    lr_min: LrMinOpt = None,
    tol: Annotated[float, typer.Option(
        "--tol", help="Converged when |∇C| ≤ TOL on the whole data set (0: only an exact 0).",
        metavar="TOL")] = 1e-8,
    standardize: Annotated[bool, typer.Option(
        "--standardize", help="Train on z-scores (x − mean)/std of each feature.")] = False,
    init: Annotated[Init, typer.Option(
        "--init", help="Start: zeros, or random U(−1/√d, 1/√d) from --seed.")] = Init.zeros,
    seed: Annotated[int, typer.Option(
        "--seed", help="Seed of the shuffling (--batch-size) and of --init random.")] = 0,
    fmt: Annotated[MinimizeFormat, typer.Option("--format", help="Output format.")] = (
        MinimizeFormat.table
    ),
    precision: Annotated[int | None, typer.Option(
        "--precision", help="Table: significant digits \\[default: 7].", metavar="DIGITS")] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print only the final weights and bias.")] = False,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Write out the first step for one sample: the chain rule with "
        "numbers.")] = False,
    save: Annotated[str | None, typer.Option(
        "--save", help="Write the trained model to this JSON file (for gdcli predict).",
        metavar="MODEL.json")] = None,
    plot: PlotOpt = False,
    output: OutputOpt = None,
) -> int:
    """Train one sigmoid neuron, ŷ = σ(w·x + b), by backpropagation on DATA.csv.

    Exit codes: 0 the epochs ran (or it converged, or the data are separable),
    3 the weights or the loss stopped being finite, 2 bad input, 130 interrupted.

    Examples:

      gdcli neuron sample_configs/breast_cancer.csv --target malignant \\
          --standardize --loss bce --method adam --lr 0.1 --epochs 300
      gdcli neuron sample_configs/and.csv --target y --loss bce --explain
      gdcli neuron sample_configs/xor.csv --target y --loss bce  # cannot learn it
      gdcli neuron sample_configs/and.csv --target y --lr 1 --save and.json
    """
    save_config_first(save_config)
    from .commands import neuron as cmd_neuron
    from .optim.setup import build_settings

    hypers = method_hypers(momentum, beta1, beta2, eps, decay)
    if epochs < 0:
        from .errors import InputError

        raise InputError(f"--epochs must be at least 0, got {epochs}")
    settings = build_settings(method, lr, hypers, max_iter=max(epochs, 1),
                              schedule=schedule.value, gamma=gamma, step_size=step_size,
                              lr_min=lr_min, where="")
    return cmd_neuron.run(
        data, target=target, features=features, loss=loss.value, epochs=epochs,
        batch_size=batch_size, settings=settings, tol=tol, standardize=standardize,
        init=init.value, seed=seed, fmt_name=fmt.value, precision=precision, quiet=quiet,
        explain=explain, save=save, out=sys.stdout, err=sys.stderr,
        plot=plot, output=output,
    )


@app.command(cls=StrictCommand)
@handled
def predict(
    model: Annotated[str, typer.Argument(
        help="A model saved by gdcli neuron --save.", metavar="MODEL.json", show_default=False)],
    data: Annotated[str, typer.Argument(help=DATA_HELP, metavar="DATA.csv", show_default=False)],
    fmt: Annotated[PredictFormat | None, typer.Option(
        "--format", help="Output format \\[default: table on a terminal, else csv].")] = None,
    precision: Annotated[int | None, typer.Option(
        "--precision", help="Table: significant digits \\[default: 7].", metavar="DIGITS")] = None,
) -> int:
    """Score DATA.csv with a saved neuron: the probability ŷ and the class of each row.

    With the accuracy when the data has the model's target column.

    Exit codes: 0 scored, 2 bad input.

    Examples:

      gdcli neuron sample_configs/and.csv --target y --lr 1 --save and.json
      gdcli predict and.json sample_configs/and.csv
      gdcli predict and.json sample_configs/and.csv --format json
    """
    from .commands import predict as cmd_predict

    return cmd_predict.run(model, data, None if fmt is None else fmt.value, precision,
                           sys.stdout, sys.stderr)


@app.command(cls=StrictCommand,
             context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@handled
def run(
    config: Annotated[str, typer.Argument(
        help="A TOML file: one run as top-level keys, or several \\[\\[run]] tables ('-': "
        "stdin).", metavar="CONFIG.toml", show_default=False)],
    overrides: Annotated[list[str] | None, typer.Argument(
        help="Options that override the file in every run that takes them, e.g. --lr 0.05 "
        "--max-iter 100 (--no-FLAG turns a flag off).", metavar="[--OPTION VALUE]…",
        show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print each run as its gdcli command line instead of running it.")
    ] = False,
) -> int:
    """Run what a config file describes: a command, its argument and its options.

    command = "minimize", expr = "x**2 - 4*x + 6", x0 = 8, lr = 0.1: the keys are
    the options' long names with _ for - (max_iter = 500); several runs are
    \\[\\[run]] tables, each with an optional name. Relative paths in the file are
    relative to the file. Every run is checked before the first starts; the runs
    then run in turn, each under a heading when there are several.

    Exit codes: 0 every run exited 0, else the exit code of the first that did not
    (the others still run), 2 a bad config, 130 interrupted (no further run starts).

    Examples:

      gdcli run sample_configs/worked_example.toml
      gdcli run sample_configs/lr_too_large.toml            # exit 3
      gdcli run sample_configs/lr_too_large.toml --lr 0.9   # overridden: exit 0
      gdcli run sample_configs/tour.toml --dry-run
      gdcli minimize "x**2-4*x+6" --x0 8 --lr 0.5 --save-config my_run.toml
      gdcli run my_run.toml
    """
    from .commands import run as cmd_run

    return cmd_run.run(config, overrides or [], dry_run, sys.stdout, sys.stderr)
