"""``gdcli predict MODEL.json DATA.csv``: score rows with a neuron saved by ``gdcli neuron
--save`` (SPEC §6).

The model's features are taken from the data's columns of the same names, in any order;
other columns are ignored; the target column is optional, and when present the accuracy
is reported (on stderr for csv/tsv, so that stdout stays pure CSV). The default format is
the table on a terminal and csv otherwise. Exit 0 when scored, 2 on bad input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from ..neuron.data import Dataset
    from ..neuron.saved import SavedModel

FORMATS = ("table", "csv", "tsv", "json")


def run(model: str, data: str, fmt_name: str | None, precision: int | None,
        out: TextIO, err: TextIO) -> int:
    from ..neuron.data import load
    from ..neuron.model import classes as model_classes
    from ..neuron.saved import read_model
    from ..render.predict import RENDERERS, Scores, accuracy_line

    if fmt_name is None:
        fmt_name = "table" if _isatty(out) else "csv"
    if fmt_name not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}, got '{fmt_name}'")
    if precision is not None:
        if fmt_name != "table":
            raise InputError(f"--precision is for the table; --format {fmt_name} has every "
                             "probability at full precision")
        if not 1 <= precision <= 17:
            raise InputError(f"--precision must be between 1 and 17, got {precision}")
    if model == "-" and data == "-":
        raise InputError("the model and the data cannot both come from stdin ('-'): give "
                         "the model's file")

    m = read_model(model)
    ds = load(data, m.target, m.features, need_target=False)
    z, yhat = _score(m, ds)
    classes = model_classes(yhat).astype(np.int64)  # ŷ ≥ 0.5, as training counts them
    truth = right = None
    if ds.y is not None:
        truth = ds.y.astype(np.int64)
        right = int(np.count_nonzero(classes == truth))
    scores = Scores(
        model=model, data=data, features=m.features, target=ds.target,
        lines=ds.lines.tolist(), probability=yhat.tolist(), classes=classes.tolist(),
        truth=None if truth is None else truth.tolist(), right=right,
        precision=7 if precision is None else precision,
    )
    RENDERERS[fmt_name](scores, out)
    line = accuracy_line(scores)
    if line is not None and fmt_name in ("csv", "tsv"):
        out.flush()  # the rows first, where both streams go to one terminal
        err.write(line + "\n")
    return 0


def _score(m: SavedModel, ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """(z, ŷ) per row; a row whose z is not a number (its standardized values overflow
    float64 the opposite ways) is an input error naming its line."""
    from ..errors import clip
    from ..neuron.saved import probabilities

    z, yhat = probabilities(m, ds.X)
    bad = np.isnan(z)
    if bad.any():
        r = int(np.argmax(bad))
        where = "stdin" if ds.source == "<stdin>" else f"'{clip(ds.source)}'"
        raise InputError(f"{where}: line {int(ds.lines[r])}: the neuron's z = w·x + b is not "
                         "a number there: the row's values are too large for float64 "
                         "under this model")
    return z, yhat


def _isatty(out: TextIO) -> bool:
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError):
        return False
