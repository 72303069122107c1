"""``gdcli neuron DATA.csv --target COLUMN``: one sigmoid neuron trained by backpropagation
(SPEC §6). The data (neuron/data.py), the training with the method registry
(neuron/train.py), the renderers (render/neuron.py), the model file (neuron/saved.py).

Exit 0 when the epochs ran (status completed, converged or separable), 3 when the weights
or the loss stopped being finite, 2 on bad input, 130 when Ctrl-C ended it.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import EXIT_DIVERGED, EXIT_OK, InputError
from ..expr.evaluate import fmt
from .minimize import EXIT_INTERRUPTED, _interruptible

if TYPE_CHECKING:  # pragma: no cover
    from ..optim.records import Settings


def feature_list(text: str | None) -> list[str] | None:
    """--features a,b → ["a", "b"]; an empty item is an input error."""
    if text is None:
        return None
    items = [t.strip() for t in text.split(",")]
    if any(not t for t in items):
        raise InputError(f"--features has an empty item: '{text[:60]}'",
                         hint="give column names separated by commas, e.g. --features a,b")
    return items


def run(
    data: str, *, target: str, features: str | None, loss: str, epochs: int,
    batch_size: int | None, settings: Settings, tol: float, standardize: bool, init: str,
    seed: int, fmt_name: str, precision: int | None, quiet: bool, explain: bool,
    save: str | None, out: TextIO, err: TextIO, plot: bool = False,
    output: str | None = None,
) -> int:
    import math

    from ..neuron import data as data_mod
    from ..neuron.train import FirstStep, Training, train

    if batch_size is not None and batch_size < 1:
        raise InputError(f"--batch-size must be at least 1, got {batch_size}")
    if precision is not None and not 1 <= precision <= 17:
        raise InputError(f"--precision must be between 1 and 17, got {precision}")
    if not (math.isfinite(tol) and tol >= 0):
        raise InputError(f"--tol must be a finite number ≥ 0, got {tol!r}")
    if explain and (quiet or fmt_name != "table"):
        raise InputError("--explain writes to the table; it goes with neither --quiet nor "
                         f"--format {fmt_name}" if not quiet else
                         "--explain and --quiet contradict each other: give one")
    if quiet and (fmt_name != "table" or precision is not None):
        raise InputError("--quiet prints only the final weights and bias; it goes with "
                         "neither --format nor --precision")
    if save is not None:
        _check_writable(save)
    picture = plot or output is not None
    if picture:
        from .plot import check_picture

        if quiet:
            raise InputError("--quiet prints only the final weights and bias; it does not "
                             f"go with {'--plot' if plot else '--output'}")
        check_picture(plot, output)

    ds = data_mod.load(data, target, feature_list(features))
    assert ds.y is not None
    X = ds.X
    means = scales = None
    if standardize:
        means, scales = data_mod.standardization(X, ds.features)
        X = (X - means) / scales
    tr = Training(loss=loss, epochs=epochs, batch_size=batch_size, seed=seed, init=init,
                  tol=tol, opt=settings)
    first: list[FirstStep] | None = [] if explain else None

    from ..render.neuron import RENDERERS, Report

    rep = Report(ds.source, len(ds.y), ds.features, target, loss, settings, epochs,
                 batch_size, standardize, 7 if precision is None else precision)
    with _interruptible() as stop:
        gen = train(X, ds.y, tr, first, stop)
        if quiet:
            outcome = _drain(gen)
            out.write(" ".join(fmt(v) for v in (*outcome.w, outcome.b)) + "\n")
            rose = (outcome.loss or 0.0) > (outcome.first_loss or 0.0)
            if outcome.status in ("diverged", "separable") or outcome.interrupted or rose:
                out.flush()
                err.write(outcome.message + "\n")
        else:
            from ..render.progress import progress_bar, wanted

            shown = fmt_name in ("table", "json") and wanted(out, err)
            with progress_bar(epochs, f"neuron {settings.method}", shown, err) as bar:
                rows = _recording(gen, rep, bar)
                if picture:
                    from ..render.figure import PathRecorder

                    history = PathRecorder(0)
                    rows = history.tap(rows)
                if explain:
                    rows = _explained(rows, rep, first, X, ds, loss, settings, standardize)
                RENDERERS[fmt_name](rows, rep, out)
            outcome = rep.outcome
            if fmt_name != "table":
                out.flush()
                err.write(outcome.message + "\n")
            if picture:
                _picture(history, ds, means, scales, outcome, loss, settings, plot, output,
                         fmt_name, out, err)
    if outcome.interrupted:
        return EXIT_INTERRUPTED
    if outcome.status == "diverged":
        if save is not None:
            err.write(f"not saved to {save}: the weights are not finite\n")
        return EXIT_DIVERGED
    if save is not None:
        _save(save, ds, rep, outcome, means, scales, tr)
        if not quiet:
            err.write(f"saved the model to {save}\n")
    return EXIT_OK


def _picture(history: Any, ds: Any, means: Any, scales: Any, outcome: Any, loss: str,
             st: Any, plot: bool, output: str | None, fmt_name: str, out: TextIO,
             err: TextIO) -> None:
    """The loss per epoch (from the history rows); with two features, the data and the
    decision boundary in the columns' own units."""
    import math

    from ..render.figure import boundary_figure, loss_figure
    from .plot import deliver

    figs = [loss_figure(history.path(), loss, st.method)]
    if history.thinned():
        figs[0].notes.append(history.thinned().replace("path", "curve").replace(
            "iterates", "epochs"))
    w, b = list(outcome.w), outcome.b
    if len(ds.features) == 2 and all(map(math.isfinite, [*w, b])):
        if means is not None:  # trained on z-scores: w·(x − m)/s + b in the data's units
            b = b - sum(wi * mi / si for wi, mi, si in zip(w, means, scales, strict=True))
            w = [wi / si for wi, si in zip(w, scales, strict=True)]
        figs.append(boundary_figure(ds.X, ds.y, w, float(b), ds.features))
    deliver(figs, plot=plot, output=output, out=out, err=err, fmt_name=fmt_name)


def _drain(gen: Generator[Any, None, Any]) -> Any:
    try:
        while True:
            next(gen)
    except StopIteration as e:
        return e.value


def _recording(gen: Generator[Any, None, Any], rep: Any, bar: Any) -> Generator[Any, None, None]:
    """The rows, with the outcome put in the report when they end (and the bar erased)."""
    try:
        while True:
            row = next(gen)
            if bar is not None:
                bar(row[0])
            yield row
    except StopIteration as e:
        if bar is not None:
            bar.close()
        rep.outcome = e.value


def _explained(rows: Any, rep: Any, first: Any, X: Any, ds: Any, loss: str, st: Any,
               standardized: bool) -> Generator[Any, None, None]:
    """The rows, with the first step's write-up put in the report once it has been taken
    (the table prints it before the history)."""
    from ..neuron.explain import lines

    yield from rows
    if first:  # none when training stopped before its first step
        rep.explain = lines(first[0], X, ds.y, ds.lines, ds.source, ds.features, loss, st,
                            standardized, rep.precision)


def _check_writable(path: str) -> None:
    import os

    if path == "-":
        raise InputError("--save needs a file name: stdout carries the training output")
    if os.path.isdir(path):
        raise InputError(f"--save {path}: is a directory")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise InputError(f"--save {path}: no folder '{folder}'")


def _save(path: str, ds: Any, rep: Any, outcome: Any, means: Any, scales: Any, tr: Any) -> None:
    import hashlib

    from .. import __version__
    from ..neuron.saved import SavedModel, write_model

    digest = None
    if ds.source != "<stdin>":
        with open(ds.source, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
    prov = {"gdcli": __version__, "data": ds.source, "data_sha256": digest,
            "rows": rep.rows, "method": tr.opt.method, "settings": rep.settings_json(),
            "loss": outcome.loss, "accuracy": outcome.accuracy, "epochs": outcome.epochs,
            "status": outcome.status, "init": tr.init, "seed": tr.seed}
    write_model(path, SavedModel(
        features=tuple(ds.features), target=ds.target, weights=tuple(outcome.w),
        bias=outcome.b, loss_name=tr.loss,
        mean=None if means is None else tuple(float(v) for v in means),
        scale=None if scales is None else tuple(float(v) for v in scales), provenance=prov))
