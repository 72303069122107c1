"""A trained neuron as a JSON file: written by ``gdcli neuron --save``, read by ``gdcli predict``.

The file (version 1), keys in this order, floats as repr so that they read back bit for bit::

    {"format": "gdcli-neuron", "version": 1, "features": [...], "target": "y" | null,
     "weights": {feature: w}, "bias": b, "loss_name": "mse" | "bce",
     "standardization": null | {"mean": {feature: m}, "scale": {feature: s}},
     "provenance": {...}}

Reading is strict: a file that is not exactly such a model is an input error that says
what is wrong (a misspelt "standardisation" would otherwise score every row on the wrong
scale without a word). A later format that a reader must understand bumps "version".
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import GdcliError, InputError, clip
from . import model

FORMAT = "gdcli-neuron"
VERSION = 1
#: A model file larger than this is not read (a model of 100,000 features is ~5 MB).
MAX_BYTES = 64 * 1024 * 1024
LOSS_NAMES = ("mse", "bce")
#: The keys of a model, in the order they are written.
KEYS = ("format", "version", "features", "target", "weights", "bias", "loss_name",
        "standardization", "provenance")
#: Keys that a hand-written model may leave out, and what they then mean.
OPTIONAL: dict[str, Any] = {"standardization": None, "provenance": {}}


@dataclass(frozen=True)
class SavedModel:
    """A neuron as saved: ŷ = σ(w·x' + b) with x' = (x − mean)/scale when standardized."""

    features: tuple[str, ...]
    target: str | None
    weights: tuple[float, ...]  # in the order of features
    bias: float
    loss_name: str  # "mse" | "bce"
    mean: tuple[float, ...] | None = None  # standardization, in the order of features
    scale: tuple[float, ...] | None = None
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The model as the file's object, keys in the file's order."""
        std = None
        if self.mean is not None and self.scale is not None:
            std = {"mean": _by_name(self.features, self.mean),
                   "scale": _by_name(self.features, self.scale)}
        return {
            "format": FORMAT,
            "version": VERSION,
            "features": list(self.features),
            "target": self.target,
            "weights": _by_name(self.features, self.weights),
            "bias": float(self.bias),
            "loss_name": self.loss_name,
            "standardization": std,
            "provenance": self.provenance,
        }


def _by_name(names: tuple[str, ...], values: tuple[float, ...]) -> dict[str, float]:
    return {n: float(v) for n, v in zip(names, values, strict=True)}


# --- writing ---
def dumps(m: SavedModel) -> str:
    """The file's text: indent 2, floats as repr, a final newline. A model that could not
    be read back (a non-finite weight, a bad name) is refused before anything is written."""
    obj = m.to_json()
    _parse(obj, "the model to save")  # the reader's checks, so that what is written reads
    try:
        text = json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a name with a lone surrogate: escaped, not lost
            text = json.dumps(obj, indent=2, allow_nan=False)
    except (TypeError, ValueError) as e:  # provenance that JSON cannot hold
        raise InputError(f"the model cannot be saved: its provenance: {e}") from None
    return text + "\n"


def write_model(path: str, m: SavedModel) -> None:
    """Write the model to ``path`` atomically: a temporary file in the same folder, then
    os.replace, so that a reader (or a crash) never sees half a model and an existing
    model is replaced whole or not at all."""
    if path == "-":
        raise InputError("--save needs a file name, not '-': stdout carries the training output")
    if not path:
        raise InputError("--save needs a file name")
    text = dumps(m).encode("utf-8")
    shown = path  # shortened, control characters replaced, when the error is shown
    target = os.path.realpath(path) if os.path.islink(path) else path  # write through a link
    folder = os.path.dirname(target) or "."
    if os.path.isdir(target):
        raise InputError(f"cannot save the model to '{shown}': it is a directory")
    if not os.path.isdir(folder):
        why = "is not a directory" if os.path.exists(folder) else "does not exist"
        raise InputError(f"cannot save the model to '{shown}': the folder '{clip(folder)}' {why}")
    from ..files import replace_atomically

    try:
        replace_atomically(target, text, ".gdcli-model-", ".tmp")
    except OSError as e:
        raise _write_error(shown, e) from None


def _write_error(shown: str, e: OSError) -> GdcliError:
    import errno

    what = e.strerror or str(e)
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR,
                   errno.EISDIR, errno.ENAMETOOLONG):
        return InputError(f"cannot save the model to '{shown}': {what}")
    # a full disk, an I/O error: an output that cannot be written is exit 1 (SPEC §2)
    return GdcliError(f"cannot save the model to '{shown}': {what}")


# --- reading ---
def read_model(path: str) -> SavedModel:
    """The model in ``path`` ('-': stdin); any problem is an InputError that names it."""
    name = "stdin" if path == "-" else f"'{path}'"  # shortened when shown
    data = _read_bytes(path, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"model {name} is not UTF-8 text (byte {e.start}): not a gdcli "
                         "model") from None
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicates,
                         parse_constant=_no_constant, parse_float=_finite_float)
    except _Refused as e:
        raise InputError(f"model {name} is not a gdcli model: {e}") from None
    except json.JSONDecodeError as e:
        raise InputError(f"model {name} is not JSON: {e.msg} at line {e.lineno}, column "
                         f"{e.colno}") from None
    except RecursionError:
        raise InputError(f"model {name} is not a gdcli model: nested too deeply") from None
    except ValueError as e:  # an integer too long for Python to convert
        raise InputError(f"model {name} is not a gdcli model: {e}") from None
    return _parse(obj, f"model {name}")


def _read_bytes(path: str, name: str) -> bytes:
    if path == "-":
        import sys

        try:
            tty = sys.stdin.isatty()
        except (AttributeError, ValueError):
            tty = False
        if tty:
            raise InputError("'-' reads the model from stdin, but stdin is a terminal",
                             hint="pipe the model in, or give its file")
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        if os.path.isdir(path):
            raise InputError(f"model {name} is a directory, not a model file")
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise InputError(f"model {name} not found") from None
        except IsADirectoryError:
            raise InputError(f"model {name} is a directory, not a model file") from None
        except OSError as e:
            raise InputError(f"cannot read model {name}: {e.strerror or e}") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"model {name} is larger than {MAX_BYTES // (1024 * 1024)} MB: "
                         "not a gdcli model")
    if not data.strip():
        raise InputError(f"model {name} is empty")
    return data


class _Refused(ValueError):
    """Valid JSON that no gdcli model contains (duplicate keys, NaN, Infinity)."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for k, v in pairs:
        if k in seen:
            raise _Refused(f"the key '{clip(k)}' appears twice in one object")
        seen[k] = v
    return seen


def _no_constant(word: str) -> float:
    raise _Refused(f"{word} is not a finite number")


def _finite_float(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise _Refused(f"{clip(text, 24)} is not a finite float64 number")
    return v


def _parse(obj: Any, where: str) -> SavedModel:
    """Check a model's object field by field; a SavedModel, or an InputError naming the
    field and what is wrong with it."""
    if not isinstance(obj, dict):
        raise InputError(f"{where} is not a gdcli neuron model: a JSON {_kind(obj)}, not an "
                         "object")
    fmt = obj.get("format")
    if fmt != FORMAT:
        said = "has no \"format\"" if "format" not in obj else (
            f"has \"format\": {clip(json.dumps(fmt, ensure_ascii=False), 40)}")
        raise InputError(f"{where} is not a gdcli neuron model: it {said} (a model has "
                         f"\"format\": \"{FORMAT}\"; gdcli neuron --save writes one)")
    _known_keys(obj, where)
    version = _field(obj, "version", where)
    if not _is_int(version) or version < 1:
        raise InputError(f"{where}: \"version\" must be a whole number ≥ 1, got "
                         f"{_show(version)}")
    if version > VERSION:
        raise InputError(f"{where} was written by a newer gdcli (model version {version}; "
                         f"this gdcli reads version {VERSION}): upgrade gdcli")
    features = _features(_field(obj, "features", where), where)
    target = _field(obj, "target", where)
    if target is not None and not (isinstance(target, str) and target):
        raise InputError(f"{where}: \"target\" must be a column name or null, got "
                         f"{_show(target)}")
    if target in features:
        raise InputError(f"{where}: the target '{clip(target)}' is also a feature")
    weights = _per_feature(_field(obj, "weights", where), features, "weights", where)
    bias = _number(_field(obj, "bias", where), "\"bias\"", where)
    loss_name = _field(obj, "loss_name", where)
    if loss_name not in LOSS_NAMES:
        raise InputError(f"{where}: \"loss_name\" must be one of {', '.join(LOSS_NAMES)}, got "
                         f"{_show(loss_name)}")
    mean = scale = None
    std = obj.get("standardization", OPTIONAL["standardization"])
    if std is not None:
        if not isinstance(std, dict):
            raise InputError(f"{where}: \"standardization\" must be null or an object with "
                             f"\"mean\" and \"scale\", got {_show(std)}")
        extra = [k for k in std if k not in ("mean", "scale")]
        if extra:
            raise InputError(f"{where}: \"standardization\" has an unknown key "
                             f"'{clip(extra[0])}' (it has \"mean\" and \"scale\")")
        for part in ("mean", "scale"):
            if part not in std:
                raise InputError(f"{where}: \"standardization\" has no \"{part}\"")
        mean = _per_feature(std["mean"], features, "standardization.mean", where)
        scale = _per_feature(std["scale"], features, "standardization.scale", where)
        for f, s in zip(features, scale, strict=True):
            if s <= 0:
                raise InputError(f"{where}: the scale of '{clip(f)}' must be > 0, got "
                                 f"{_show(s)}")
    provenance = obj.get("provenance", OPTIONAL["provenance"])
    if not isinstance(provenance, dict):
        raise InputError(f"{where}: \"provenance\" must be an object, got {_show(provenance)}")
    return SavedModel(features, target, weights, bias, loss_name, mean, scale,
                      dict(provenance))


def _known_keys(obj: Mapping[str, Any], where: str) -> None:
    for k in obj:
        if k not in KEYS:
            import difflib

            close = difflib.get_close_matches(k, KEYS, n=1, cutoff=0.6)
            hint = f"did you mean \"{close[0]}\"?" if close else f"a model has {', '.join(KEYS)}"
            raise InputError(f"{where}: unknown key '{clip(k)}'", hint=hint)


def _field(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise InputError(f"{where}: the field \"{key}\" is missing")
    return obj[key]


def _features(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise InputError(f"{where}: \"features\" must be a list of column names, got "
                         f"{_show(value)}")
    if not value:
        raise InputError(f"{where}: \"features\" is empty: a neuron needs at least one")
    seen: set[str] = set()
    for i, f in enumerate(value, 1):
        if not isinstance(f, str) or not f:
            raise InputError(f"{where}: feature {i} must be a non-empty column name, got "
                             f"{_show(f)}")
        if f in seen:
            raise InputError(f"{where}: the feature '{clip(f)}' is listed twice")
        seen.add(f)
    return tuple(value)


def _per_feature(value: Any, features: tuple[str, ...], key: str, where: str
                 ) -> tuple[float, ...]:
    """An object with one number per feature, as a tuple in the order of the features."""
    if not isinstance(value, dict):
        raise InputError(f"{where}: \"{key}\" must be an object {{feature: number}}, got "
                         f"{_show(value)}")
    for f in features:
        if f not in value:
            raise InputError(f"{where}: \"{key}\" has no value for the feature '{clip(f)}'")
    for k in value:
        if k not in features:
            raise InputError(f"{where}: \"{key}\" has '{clip(k)}', which is not one of the "
                             f"features ({_names(features)})")
    return tuple(_number(value[f], f"\"{key}\" of '{clip(f)}'", where) for f in features)


def _number(value: Any, what: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}: {what} must be a number, got {_show(value)}")
    try:
        v = float(value)
    except OverflowError:  # an integer beyond float64
        v = math.inf
    if not math.isfinite(v):
        raise InputError(f"{where}: {what} must be a finite number, got {_show(value)}")
    return v


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    kinds = ((bool, "true/false"), (int | float, "number"), (str, "string"), (list, "list"),
             (dict, "object"))
    return next((k for t, k in kinds if isinstance(v, t)), type(v).__name__)


def _show(v: Any) -> str:
    """A value as the message quotes it: its JSON, shortened, or its kind."""
    if isinstance(v, dict | list):
        return f"a{'n' * isinstance(v, dict)} {_kind(v)}"
    try:
        return clip(json.dumps(v, ensure_ascii=False), 40)
    except ValueError:  # a non-finite float (never read from a file, but a caller's)
        return repr(v)


def _names(features: tuple[str, ...], limit: int = 6) -> str:
    shown = ", ".join(clip(f, 24) for f in features[:limit])
    return shown + (f", … ({len(features)} in all)" if len(features) > limit else "")


# --- scoring ---
def probabilities(m: SavedModel, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(z, ŷ) for the rows of X (columns in the order of m.features): the standardization
    x' = (x − mean)/scale first, as in training, then z = x'·w + b and ŷ = σ(z) as
    neuron/model.py computes them. Class 1 is z ≥ 0 (ŷ ≥ 0.5). A z that overflows float64
    is ±inf (ŷ 1 or 0); one that is not a number (inf − inf) is NaN: the caller decides."""
    X = np.asarray(X, dtype=np.float64)
    with np.errstate(all="ignore"):
        if m.mean is not None and m.scale is not None:
            X = (X - np.asarray(m.mean)) / np.asarray(m.scale)
        z = model.forward(X, np.asarray(m.weights, dtype=np.float64), m.bias)
        return z, model.sigmoid(z)

