"""The console-script entry point.

``gdcli derive`` runs in shell loops, so start-up time matters: importing typer costs
about 40 ms, more than everything else a derivative needs. The plain forms of
``derive`` and ``eval`` (an expression and the options in FAST) are therefore answered
without importing typer; anything else — help, other commands, a usage error — goes to
the typer app in cli.py, which owns every usage message. tests/test_launch.py checks
FAST against the typer commands and compares both paths' outputs, so they cannot drift.
"""

from __future__ import annotations

import os
import sys

#: Options the fast path understands: "flag", "value", "int", "multi" or a tuple of choices.
FAST: dict[str, dict[str, object]] = {
    "derive": {
        "--wrt": "multi",
        "--order": "int",
        "--at": "multi",
        "--steps": "flag",
        "--format": ("text", "latex", "json"),
        "--check": "flag",
        "--hessian": "flag",
    },
    "eval": {"--at": "multi", "--format": ("text", "json")},
    # sweep's whole process is measured against a bare numpy script (issue 8): typer and the
    # building of its command cost ~0.1 s, a third of a typical sweep
    "sweep": {
        "--save-config": "value",
        "--x0": "multi",
        "--lr": "value",
        "--log": "flag",
        "--method": "value",
        "--momentum": "value",
        "--beta1": "value",
        "--beta2": "value",
        "--eps": "value",
        "--decay": "value",
        "--schedule": ("constant", "step", "exp", "cosine", "inverse"),
        "--gamma": "value",
        "--step-size": "int",
        "--lr-min": "value",
        "--tol": "value",
        "--max-iter": "int",
        "--at": "multi",
        "--maximize": "flag",
        "--format": ("table", "csv", "tsv", "json"),
        "--plot": "flag",
        "--output": "value",
    },
}
#: Options that need typer's context (--save-config writes the options as click parsed
#: them): given one of these, the command goes through typer.
TYPER_ONLY = {"--save-config"}
#: Options whose value is a float, converted as click converts it (float(text)); a value
#: that does not convert goes through typer, which reports it.
FLOATS = {"--momentum", "--beta1", "--beta2", "--eps", "--decay", "--gamma", "--lr-min",
          "--tol"}


def parse_fast(argv: list[str]) -> tuple[str, str, dict[str, object]] | None:
    """(command, expression, options) for the plain forms, else None (use typer)."""
    if not argv or argv[0] not in FAST:
        return None
    cmd, spec = argv[0], FAST[argv[0]]
    expr: str | None = None
    opts: dict[str, object] = {}
    i = 1
    while i < len(argv):
        a = argv[i]
        name, eq, val = a.partition("=") if a.startswith("--") else (a, "", "")
        kind = spec.get(name)
        if kind is not None:
            if kind == "flag":
                if eq or name in opts:
                    return None
                opts[name] = True
                i += 1
                continue
            if not eq:
                if i + 1 >= len(argv):
                    return None
                val = argv[i + 1]
            i += 1 if eq else 2
            if kind == "multi":
                opts.setdefault(name, []).append(val)  # type: ignore[union-attr]
                continue
            if name in opts:
                return None
            if kind == "int" and not (val.lstrip("-").isdigit() and len(val) <= 18):
                return None
            if isinstance(kind, tuple) and val not in kind:
                return None
            opts[name] = int(val) if kind == "int" else val
            continue
        if a.startswith("--") or a in ("-h", "--") or expr is not None:
            return None  # help, an unknown option, a second argument: typer explains
        expr = a  # a leading '-' belongs to the expression, as in cli.ExprCommand
        i += 1
    if expr is None or TYPER_ONLY & opts.keys():
        return None
    for name in FLOATS & opts.keys():
        try:
            opts[name] = float(opts[name])  # type: ignore[arg-type]
        except ValueError:
            return None
    return cmd, expr, opts


def run_fast(cmd: str, expr: str, opts: dict[str, object]) -> int:
    from .errors import GdcliError, report

    try:
        if cmd == "derive":
            from .commands import derive as cmd_derive

            return cmd_derive.run(
                expr,
                opts.get("--wrt", []),  # type: ignore[arg-type]
                opts.get("--order", 1),  # type: ignore[arg-type]
                opts.get("--at", []),  # type: ignore[arg-type]
                bool(opts.get("--steps")),
                opts.get("--format", "text"),  # type: ignore[arg-type]
                bool(opts.get("--check")),
                sys.stdout,
                sys.stderr,
                hessian=bool(opts.get("--hessian")),
            )
        if cmd == "sweep":
            return _sweep(expr, opts)
        from .commands import eval as cmd_eval

        return cmd_eval.run(
            expr,
            opts.get("--at", []),  # type: ignore[arg-type]
            opts.get("--format", "text"),  # type: ignore[arg-type]
            sys.stdout,
            sys.stderr,
        )
    except GdcliError as e:
        return report(e)


def main(argv: list[str] | None = None) -> int:
    """Run gdcli and turn every failure into an exit code (SPEC §2)."""
    import signal

    if hasattr(signal, "SIGPIPE"):
        # `gdcli minimize … | head` ends quietly, as coreutils do.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = sys.argv[1:] if argv is None else argv
    try:
        code = _run(args)
        sys.stdout.flush()  # a full disk shows here, not as a warning at exit
        return code
    except OSError as e:
        return _output_error(e)


def _run(args: list[str]) -> int:
    try:
        fast = None if os.environ.get("GDCLI_NO_FASTPATH") else parse_fast(args)
        if fast is not None:
            return run_fast(*fast)
        from .cli import app

        narrowed(app, args)(args=args, prog_name="gdcli")  # type: ignore[operator]
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (1 if e.code else 0)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except RecursionError:
        sys.stderr.write("error: expression too deeply nested\n")
        return 2
    except OSError:
        raise  # reading and writing: reported by main
    except Exception as e:  # a bug: say so in one line unless asked for the traceback
        if os.environ.get("GDCLI_DEBUG"):
            raise
        from .errors import shorten  # the exception may quote a long input

        sys.stderr.write(
            f"internal error: {type(e).__name__}: {shorten(str(e), 1)} (set GDCLI_DEBUG=1 "
            "for a traceback, and please report it)\n"
        )
        return 1
    return 0


def _sweep(expr: str, opts: dict[str, object]) -> int:
    """cli.sweep's call, from the fast path's options (the same defaults)."""
    from .commands import sweep as cmd_sweep

    hypers = {k: opts[f"--{k}"] for k in ("momentum", "beta1", "beta2", "eps", "decay")
              if f"--{k}" in opts}
    return cmd_sweep.run(
        expr, opts.get("--x0", []), opts.get("--lr"),  # type: ignore[arg-type]
        log=bool(opts.get("--log")), method=opts.get("--method", "gd"),  # type: ignore[arg-type]
        hypers=hypers, schedule=opts.get("--schedule", "constant"),  # type: ignore[arg-type]
        gamma=opts.get("--gamma"), step_size=opts.get("--step-size"),  # type: ignore[arg-type]
        lr_min=opts.get("--lr-min"), tol=opts.get("--tol", 1e-8),  # type: ignore[arg-type]
        max_iter=opts.get("--max-iter", 1000), at=opts.get("--at", []),  # type: ignore[arg-type]
        maximize=bool(opts.get("--maximize")),
        fmt_name=opts.get("--format", "table"), out=sys.stdout,  # type: ignore[arg-type]
        err=sys.stderr, plot=bool(opts.get("--plot")),
        output=opts.get("--output"),  # type: ignore[arg-type]
    )


def narrowed(app: object, args: list[str]) -> object:
    """``app`` with only the command ``args`` names: typer builds the click command of every
    registered command (introspecting each signature) on each start, ~5 ms a command, when
    one is run. Help, completion, ``run`` (it runs the other commands) and anything else get
    the whole app."""
    import copy

    if not args or args[0].startswith("-") or args[0] == "run":
        return app
    from typer.main import get_command_name

    chosen = [c for c in app.registered_commands  # type: ignore[attr-defined]
              if (c.name or get_command_name(c.callback.__name__)) == args[0]]
    if len(chosen) != 1:
        return app  # an unknown command: the whole app explains (with the nearest name)
    small = copy.copy(app)
    small.registered_commands = chosen  # type: ignore[attr-defined]
    return small


def _output_error(e: OSError) -> int:
    """An output that cannot be written (a full disk, a closed terminal): one line, exit 1.
    What is still buffered for stdout is dropped, so that Python does not warn at exit."""
    import errno

    what = e.strerror or str(e)
    where = "write the output" if e.errno in (errno.ENOSPC, errno.EFBIG, errno.EIO,
                                              getattr(errno, "EDQUOT", -1)) else "go on"
    try:
        sys.stderr.write(f"error: cannot {where}: {what}\n")
        sys.stderr.flush()
    except OSError:
        pass
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the buffered rest goes nowhere, quietly
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return 1
