"""Saved neuron models (neuron/saved.py) and ``gdcli predict`` (SPEC §6): the model file
round-trips bit for bit, every malformed model is an input error that says what is wrong,
and predict scores rows with σ(w·x + b) computed by hand here, whatever the column order."""

from __future__ import annotations

import json
import math
import os
import stat
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdcli.errors import GdcliError, InputError
from gdcli.neuron.saved import (
    KEYS,
    SavedModel,
    dumps,
    probabilities,
    read_model,
    write_model,
)
from tests.conftest import run_gdcli


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


MODEL = SavedModel(features=("a", "b"), target="y", weights=(1.5, -0.5), bias=0.25,
                   loss_name="bce", provenance={"gdcli": "0.1.0", "rows": 3})
#: Columns in another order than the model's, an extra text column, the target.
DATA = "id,b,a,y\nr1,1,2,1\nr2,3,0,1\nr3,-2,-1,0\nr4,0,0,1\n"
ROWS = [(2, 2.0, 1.0, 1), (3, 0.0, 3.0, 1), (4, -1.0, -2.0, 0), (5, 0.0, 0.0, 1)]  # line,a,b,y


def expected(model: SavedModel = MODEL) -> list[tuple[int, float, int, int]]:
    """(line, ŷ, class, y) per row, by hand."""
    (wa, wb), b = model.weights, model.bias
    out = []
    for line, a, bb, y in ROWS:
        if model.mean is not None and model.scale is not None:
            a = (a - model.mean[0]) / model.scale[0]
            bb = (bb - model.mean[1]) / model.scale[1]
        z = wa * a + wb * bb + b
        out.append((line, sigma(z), int(z >= 0), y))
    return out


@pytest.fixture
def files(tmp_path):
    def make(model: SavedModel | str = MODEL, data: str = DATA) -> tuple[str, str]:
        mp, dp = tmp_path / "m.json", tmp_path / "d.csv"
        if isinstance(model, str):
            mp.write_text(model)
        else:
            write_model(str(mp), model)
        dp.write_text(data)
        return str(mp), str(dp)

    return make


def parse_csv(text: str, sep: str = ",") -> tuple[list[str], list[list[str]]]:
    lines = text.splitlines()
    return lines[0].split(sep), [row.split(sep) for row in lines[1:]]


# --- the file ---
names = st.text(min_size=1, max_size=12)
finite = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def models(draw) -> SavedModel:
    feats = tuple(draw(st.lists(names, min_size=1, max_size=6, unique=True)))
    target = draw(st.none() | names.filter(lambda t: t not in feats))
    d = len(feats)
    weights = tuple(draw(st.lists(finite, min_size=d, max_size=d)))
    mean = scale = None
    if draw(st.booleans()):
        mean = tuple(draw(st.lists(finite, min_size=d, max_size=d)))
        scale = tuple(draw(st.lists(st.floats(min_value=5e-324, allow_infinity=False),
                                    min_size=d, max_size=d)))
    prov = {"data": draw(names), "rows": draw(st.integers(0, 10**6)), "loss": draw(finite)}
    return SavedModel(feats, target, weights, draw(finite), draw(st.sampled_from(["mse", "bce"])),
                      mean, scale, prov)


def _bits(values) -> list[str] | None:
    return None if values is None else [float(v).hex() for v in values]


@settings(max_examples=150, deadline=None)
@given(models())
def test_write_then_read_is_bit_exact(m):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "model.json")
        write_model(path, m)
        back = read_model(path)
    assert back == m
    for a, b in ((m.weights, back.weights), ((m.bias,), (back.bias,)), (m.mean, back.mean),
                 (m.scale, back.scale)):
        assert _bits(a) == _bits(b)  # -0.0 stays -0.0, subnormals stay themselves


def test_the_file_layout():
    m = SavedModel(("x1", "x2"), "t", (0.1, -2.0), 1e-300, "mse", (1.0, 2.5), (0.5, 3.0),
                   {"gdcli": "0.1.0"})
    text = dumps(m)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    obj = json.loads(text)
    assert list(obj) == list(KEYS)
    assert obj["format"] == "gdcli-neuron" and obj["version"] == 1
    assert obj["weights"] == {"x1": 0.1, "x2": -2.0} and obj["bias"] == 1e-300
    assert obj["standardization"] == {"mean": {"x1": 1.0, "x2": 2.5},
                                      "scale": {"x1": 0.5, "x2": 3.0}}
    assert '\n  "features": [\n    "x1",' in text  # indent 2
    assert '"bias": 1e-300' in text  # repr
    no_std = json.loads(dumps(SavedModel(("x",), None, (1.0,), 0.0, "bce")))
    assert no_std["standardization"] is None and no_std["target"] is None


def test_write_replaces_atomically_and_keeps_the_mode(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("old")
    path.chmod(0o640)
    write_model(str(path), MODEL)
    assert read_model(str(path)) == MODEL
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]  # no temporary left


def test_a_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o022)
    try:
        write_model(str(tmp_path / "m.json"), MODEL)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.json").stat().st_mode) == 0o644


def test_write_through_a_symlink_writes_its_target(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("{}")
    (tmp_path / "link.json").symlink_to(real)
    write_model(str(tmp_path / "link.json"), MODEL)
    assert (tmp_path / "link.json").is_symlink()
    assert read_model(str(real)) == MODEL


@pytest.mark.parametrize("where, message", [
    ("-", "not '-': stdout carries the training output"),
    ("", "needs a file name"),
    (".", "it is a directory"),
    ("missing/m.json", "the folder 'missing' does not exist"),
    ("afile/m.json", "the folder 'afile' is not a directory"),
])
def test_write_errors_name_the_path(tmp_path, monkeypatch, where, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        write_model(where, MODEL)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes anywhere")
def test_write_without_permission(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        with pytest.raises(InputError, match="Permission denied"):
            write_model(str(d / "m.json"), MODEL)
    finally:
        d.chmod(0o700)


def test_a_full_disk_is_an_output_error_and_leaves_the_old_model(tmp_path, monkeypatch):
    import errno

    path = tmp_path / "m.json"
    path.write_text("old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(GdcliError) as e:
        write_model(str(path), MODEL)
    assert not isinstance(e.value, InputError) and e.value.exit_code == 1
    assert "No space left on device" in e.value.message
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_model_is_not_written(tmp_path, bad):
    m = SavedModel(("a",), "y", (bad,), 0.0, "bce")
    with pytest.raises(InputError, match="finite"):
        write_model(str(tmp_path / "m.json"), m)
    assert not list(tmp_path.iterdir())


def _model(**changes) -> str:
    obj = json.loads(dumps(MODEL))
    for k, v in changes.items():
        if v is _DROP:
            del obj[k]
        else:
            obj[k] = v
    return json.dumps(obj)


_DROP = object()
_STD = {"mean": {"a": 0.0, "b": 1.0}, "scale": {"a": 1.0, "b": 2.0}}


@pytest.mark.parametrize("text, message", [
    ("", "is empty"),
    ("  \n", "is empty"),
    ('{"format": "gdcli-neuron",\n  "version": }', "is not JSON: Expecting value at line 2, "
                                                  "column 14"),
    ("[1, 2]", "not a gdcli neuron model: a JSON list"),
    ('{"a": 1}', 'not a gdcli neuron model: it has no "format"'),
    ('{"format": "onnx"}', 'it has "format": "onnx"'),
    (_model(version=2), "written by a newer gdcli (model version 2; this gdcli reads "
                        "version 1)"),
    (_model(version="1"), '"version" must be a whole number'),
    (_model(version=True), '"version" must be a whole number'),
    (_model(version=0), '"version" must be a whole number'),
    (_model(features=_DROP), 'the field "features" is missing'),
    (_model(weights=_DROP), 'the field "weights" is missing'),
    (_model(bias=_DROP), 'the field "bias" is missing'),
    (_model(target=_DROP), 'the field "target" is missing'),
    (_model(loss_name=_DROP), 'the field "loss_name" is missing'),
    (_model(features="a,b"), '"features" must be a list of column names'),
    (_model(features=[]), '"features" is empty'),
    (_model(features=["a", "a"]), "the feature 'a' is listed twice"),
    (_model(features=["a", ""]), "feature 2 must be a non-empty column name"),
    (_model(features=["a", 3]), "feature 2 must be a non-empty column name, got 3"),
    (_model(target=5), '"target" must be a column name or null'),
    (_model(target="a"), "the target 'a' is also a feature"),
    (_model(weights=[1.5, -0.5]), '"weights" must be an object'),
    (_model(weights={"a": 1.5}), "\"weights\" has no value for the feature 'b'"),
    (_model(weights={"a": 1.5, "b": 1, "c": 2}), "\"weights\" has 'c', which is not one of "
                                                 "the features (a, b)"),
    (_model(weights={"a": "1.5", "b": 1}), "\"weights\" of 'a' must be a number, got \"1.5\""),
    (_model(weights={"a": None, "b": 1}), "\"weights\" of 'a' must be a number, got null"),
    (_model(bias=True), '"bias" must be a number, got true'),
    (_model(bias=10**400), '"bias" must be a finite number'),
    (_model(loss_name="hinge"), '"loss_name" must be one of mse, bce, got "hinge"'),
    (_model(standardization=[1]), '"standardization" must be null or an object'),
    (_model(standardization={"mean": _STD["mean"]}), '"standardization" has no "scale"'),
    (_model(standardization={**_STD, "std": {}}), "\"standardization\" has an unknown key"),
    (_model(standardization={**_STD, "scale": {"a": 1.0, "b": 0.0}}),
     "the scale of 'b' must be > 0, got 0.0"),
    (_model(standardization={**_STD, "scale": {"a": -1.0, "b": 1.0}}),
     "the scale of 'a' must be > 0"),
    (_model(standardization={**_STD, "mean": {"a": 0.0}}),
     "\"standardization.mean\" has no value for the feature 'b'"),
    (_model(provenance=[]), '"provenance" must be an object'),
    (_model(standardisation=None), "unknown key 'standardisation'"),
    (_model().replace('"bias": 0.25', '"bias": NaN'), "NaN is not a finite number"),
    (_model().replace('"bias": 0.25', '"bias": -Infinity'), "-Infinity is not a finite"),
    (_model().replace('"bias": 0.25', '"bias": 1e999'), "1e999 is not a finite float64"),
    (_model().replace('"bias": 0.25', '"bias": 0.25, "bias": 1'),
     "the key 'bias' appears twice"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_every_malformed_model_is_an_input_error(tmp_path, text, message):
    path = tmp_path / "m.json"
    path.write_text(text)
    with pytest.raises(InputError) as e:
        read_model(str(path))
    assert message in e.value.message
    assert "'" + str(path) in e.value.message or str(path)[-20:] in e.value.message


def test_read_errors_for_the_file_itself(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_model(str(tmp_path / "none.json"))
    with pytest.raises(InputError, match="is a directory"):
        read_model(str(tmp_path))
    (tmp_path / "bin.json").write_bytes(b'{"format": "\xff"}')
    with pytest.raises(InputError, match=r"not UTF-8 text \(byte 12\)"):
        read_model(str(tmp_path / "bin.json"))
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + dumps(MODEL).encode())
    assert read_model(str(tmp_path / "bom.json")) == MODEL  # a BOM from an editor is fine


def test_a_hand_written_model_may_leave_out_standardization_and_provenance(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(_model(standardization=_DROP, provenance=_DROP))
    m = read_model(str(path))
    assert m.mean is None and m.scale is None and m.provenance == {}
    assert m.weights == (1.5, -0.5) and isinstance(m.weights[0], float)
    path.write_text(_model(weights={"b": 2, "a": 1}))  # integers; any key order
    assert read_model(str(path)).weights == (1.0, 2.0)


def test_probabilities_apply_the_standardization():
    m = SavedModel(("a", "b"), None, (2.0, -1.0), 0.5, "bce", (1.0, 10.0), (2.0, 4.0))
    X = np.array([[3.0, 14.0], [1.0, 10.0], [-1.7e308, 1.7e308]])
    z, p = probabilities(m, X)
    assert z[0] == 2.0 * 1.0 - 1.0 * 1.0 + 0.5 and z[1] == 0.5
    assert p[0] == pytest.approx(sigma(1.5), rel=1e-15)
    assert z[2] == -math.inf and p[2] == 0.0  # overflow: a certain class 0, not an error


# --- the command ---
def test_predict_csv_by_hand(cli, files):
    mp, dp = files()
    r = cli("predict", mp, dp, "--format", "csv")
    assert r.exit_code == 0, r.output
    header, rows = parse_csv(r.stdout)
    assert header == ["line", "probability", "class", "y"]
    for row, (line, p, c, y) in zip(rows, expected(), strict=True):
        assert int(row[0]) == line and int(row[2]) == c and int(row[3]) == y
        assert float(row[1]) == pytest.approx(p, rel=1e-15, abs=0)
        assert float(repr(float(row[1]))) == float(row[1]) and row[1] == repr(float(row[1]))
    assert r.stderr == "accuracy 0.7500 (3 of 4 rows right)\n"


def test_predict_json(cli, files):
    mp, dp = files()
    r = cli("predict", mp, dp, "--format", "json")
    assert r.exit_code == 0
    assert r.stdout.count("\n") == 1 and r.stderr == ""
    obj = json.loads(r.stdout)
    assert list(obj) == ["model", "data", "features", "target", "rows", "accuracy", "right",
                         "rows_total"]
    assert obj["model"] == mp and obj["data"] == dp and obj["features"] == ["a", "b"]
    assert obj["target"] == "y" and obj["accuracy"] == 0.75 and obj["right"] == 3
    assert obj["rows_total"] == 4
    for row, (line, p, c, y) in zip(obj["rows"], expected(), strict=True):
        assert row == {"line": line, "probability": pytest.approx(p, rel=1e-15), "class": c,
                       "target": y}


def test_without_the_target_column_there_is_no_accuracy(cli, files):
    data = "a,b,note\n2,1,x\n0,3,y\n"
    mp, dp = files(data=data)
    r = cli("predict", mp, dp, "--format", "csv")
    assert r.exit_code == 0 and r.stderr == ""
    header, rows = parse_csv(r.stdout)
    assert header == ["line", "probability", "class"] and len(rows) == 2
    obj = json.loads(cli("predict", mp, dp, "--format", "json").stdout)
    assert obj["target"] is None and obj["accuracy"] is None and obj["right"] is None
    assert all("target" not in row for row in obj["rows"])
    table = cli("predict", mp, dp, "--format", "table").stdout
    assert "accuracy" not in table


def test_a_missing_feature_column_is_an_input_error(cli, files):
    mp, dp = files(data="a,y\n1,0\n")
    r = cli("predict", mp, dp)
    assert r.exit_code == 2
    assert "'b'" in r.stderr and "Traceback" not in r.output


def test_the_standardization_is_applied(cli, files):
    m = SavedModel(("a", "b"), "y", (1.5, -0.5), 0.25, "mse", (0.5, 1.0), (2.0, 0.25))
    mp, dp = files(model=m)
    obj = json.loads(cli("predict", mp, dp, "--format", "json").stdout)
    want = expected(m)
    assert [r["class"] for r in obj["rows"]] == [w[2] for w in want]
    for row, w in zip(obj["rows"], want, strict=True):
        assert row["probability"] == pytest.approx(w[1], rel=1e-15)
    plain = json.loads(cli("predict", *files(), "--format", "json").stdout)
    assert [r["probability"] for r in plain["rows"]] != [r["probability"] for r in obj["rows"]]


def test_data_from_stdin_and_tsv(cli, files):
    mp, dp = files()
    r = cli("predict", mp, "-", "--format", "tsv", input=DATA)
    assert r.exit_code == 0
    header, rows = parse_csv(r.stdout, "\t")
    assert header == ["line", "probability", "class", "y"] and len(rows) == 4
    assert r.stderr.startswith("accuracy 0.7500")
    obj = json.loads(cli("predict", mp, "-", "--format", "json", input=DATA).stdout)
    assert obj["data"] == "-"


def test_model_from_stdin(cli, files):
    mp, dp = files()
    with open(mp) as f:
        r = cli("predict", "-", dp, "--format", "csv", input=f.read())
    assert r.exit_code == 0 and len(parse_csv(r.stdout)[1]) == 4
    r = cli("predict", "-", "-", input=DATA)
    assert r.exit_code == 2 and "both" in r.stderr


def test_a_target_name_that_needs_quoting(cli, files):
    m = SavedModel(("a", "b"), "is, or not", (1.0, 1.0), 0.0, "bce")
    data = 'a,b,"is, or not"\n1,1,1\n-1,-1,1\n'
    mp, dp = files(model=m, data=data)
    r = cli("predict", mp, dp, "--format", "csv")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0] == 'line,probability,class,"is, or not"'
    assert r.stderr == "accuracy 0.5000 (1 of 2 rows right)\n"


def test_class_is_decided_by_the_probability_shown(cli, files):
    """Class 1 where ŷ ≥ 0.5 (SPEC §6): a tiny negative z gives ŷ = 0.5 in floats, and a row
    shown with probability 0.5 is class 1."""
    m = SavedModel(("a",), None, (1.0,), 0.0, "bce")
    mp, dp = files(model=m, data="a\n0\n-0.0\n-5e-324\n5e-324\n-1e-10\n")
    _, rows = parse_csv(cli("predict", mp, dp, "--format", "csv").stdout)
    got = [(r[1], r[2]) for r in rows]
    assert got[:4] == [("0.5", "1")] * 4
    assert float(got[4][0]) < 0.5 and got[4][1] == "0"


def test_a_row_whose_z_is_not_a_number_is_an_input_error(cli, files):
    m = SavedModel(("a", "b"), None, (1.0, 1.0), 0.0, "bce")
    mp, dp = files(model=m, data="a,b\n1,1\n1e308,1e308\n")
    r = cli("predict", mp, dp, "--format", "csv")
    assert r.exit_code == 0 and r.stdout.endswith("\n3,1.0,1\n")  # z = inf: ŷ = 1
    # (x − mean) overflows to inf, and a weight of 0 makes it NaN
    m = SavedModel(("a", "b"), None, (0.0, 1.0), 0.0, "bce", (-1e308, 0.0), (1.0, 1.0))
    mp, dp = files(model=m, data="a,b\n1,1\n1e308,2\n")
    r = cli("predict", mp, dp, "--format", "csv")
    assert r.exit_code == 2 and "line 3" in r.stderr and r.stdout == ""


def test_table(cli, files):
    mp, dp = files()
    r = cli("predict", mp, dp, "--format", "table")
    assert r.exit_code == 0 and r.stderr == ""
    out = r.stdout
    head = " ".join(out.split("┏")[0].split())  # the title, wrapped to 80 columns
    assert head == f"the neuron in {mp} (features a, b) on {dp}: 4 rows"
    assert "line" in out and "probability" in out and "class" in out
    assert f"{expected()[0][1]:.7g}" in out
    assert out.rstrip().endswith("accuracy 0.7500 (3 of 4 rows right)")
    assert "\x1b" not in out
    r3 = cli("predict", mp, dp, "--format", "table", "--precision", "3")
    assert f"{expected()[0][1]:.3g}" in r3.stdout and f"{expected()[0][1]:.7g}" not in r3.stdout


def test_a_long_table_shows_the_ends(cli, files):
    rows = "".join(f"{i % 7 - 3},{i % 5 - 2},{i % 2}\n" for i in range(50))
    mp, dp = files(data="a,b,y\n" + rows)
    out = cli("predict", mp, dp, "--format", "table").stdout
    assert "30 of 50 rows not shown (lines 12–41): --format csv for all" in out
    assert "⋮" in out
    body = [line for line in out.splitlines() if line.startswith("│")]
    assert len(body) == 21  # 20 rows and the gap


def test_a_narrow_table_goes_to_blocks(files):
    import subprocess

    mp, dp = files()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "20"}
    r = subprocess.run([sys.executable, "-m", "gdcli", "predict", mp, dp, "--format", "table"],
                       capture_output=True, env=env, timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0
    assert "line = 2" in out and "one row per block" in out
    assert max(map(len, out.splitlines())) <= 20


@pytest.mark.parametrize("args, message", [
    (["--format", "csv", "--precision", "3"], "--precision is for the table"),
    (["--precision", "3"], "--precision is for the table; --format csv"),  # a pipe: csv
    (["--format", "table", "--precision", "0"], "between 1 and 17"),
    (["--format", "table", "--precision", "18"], "between 1 and 17"),
])
def test_option_errors(cli, files, args, message):
    r = cli("predict", *files(), *args)
    assert r.exit_code == 2 and message in r.stderr


@pytest.mark.parametrize("model, message", [
    ("{}", 'it has no "format"'),
    ("not json", "is not JSON"),
])
def test_a_bad_model_exits_2(cli, files, model, message):
    r = cli("predict", *files(model=model))
    assert r.exit_code == 2 and message in r.stderr and r.stdout == ""


def test_bad_data_exits_2(cli, files):
    mp, dp = files(data="a,b,y\n1,x,0\n")
    r = cli("predict", mp, dp)
    assert r.exit_code == 2 and "line 2" in r.stderr and "'b'" in r.stderr
    r = cli("predict", mp, dp + ".missing")
    assert r.exit_code == 2


def test_default_format_in_a_pipe_is_csv(files):
    mp, dp = files()
    r = run_gdcli("predict", mp, dp)
    assert r.returncode == 0
    assert r.stdout.decode().splitlines()[0] == "line,probability,class,y"
    assert r.stderr.decode() == "accuracy 0.7500 (3 of 4 rows right)\n"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX ptys")
def test_default_format_on_a_terminal_is_the_table(files):
    from tests.test_progress import Pty

    mp, dp = files()
    p = Pty("predict", mp, dp, NO_COLOR="1")
    assert p.finish() == 0
    out = p.output.decode()
    assert "probability" in out and "┃" in out and "accuracy 0.7500" in out
    assert "line,probability" not in out


def test_a_model_saved_then_scored_agrees_with_training_arithmetic(files):
    """The scores are model.py's forward and sigmoid on the standardized rows, exactly."""
    from gdcli.neuron import model as nm

    m = SavedModel(("a", "b"), "y", (0.3, -0.7), 0.1, "bce", (0.5, 0.25), (1.5, 2.5))
    X = np.array([[2.0, 1.0], [0.0, 3.0], [-1.0, -2.0], [0.0, 0.0]])
    xs = (X - np.array(m.mean)) / np.array(m.scale)
    want = nm.sigmoid(nm.forward(xs, np.array(m.weights), m.bias))
    mp, dp = files(model=m)
    _, rows = parse_csv(run_gdcli("predict", mp, dp, "--format", "csv").stdout.decode())
    assert [float(r[1]) for r in rows] == want.tolist()
