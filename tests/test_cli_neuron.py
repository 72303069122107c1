"""`gdcli neuron` as users run it: formats (SPEC §6), exit codes, --explain, --quiet,
--save, and the options' errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import run_gdcli

AND = "x1,x2,y\n0,0,0\n0,1,0\n1,0,0\n1,1,1\n"
XOR = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


@pytest.fixture
def and_csv(tmp_path):
    p = tmp_path / "and.csv"
    p.write_text(AND)
    return str(p)


@pytest.fixture
def noisy_csv(tmp_path):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(80, 2)) * [3.0, 0.5] + [10.0, -2.0]
    y = ((X[:, 0] - 10) / 3 + 2 * (X[:, 1] + 2) + rng.normal(size=80) > 0).astype(int)
    lines = ["size,shape,label"] + [f"{float(a)!r},{float(b)!r},{c}"
                                    for (a, b), c in zip(X, y, strict=True)]
    p = tmp_path / "noisy.csv"
    p.write_text("\n".join(lines) + "\n")
    return str(p)


def test_csv_header_and_rows(cli, and_csv):
    r = cli("neuron", and_csv, "--target", "y", "--epochs", "3", "--format", "csv")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "epoch,loss,accuracy,w_x1,w_x2,b"
    assert lines[1] == "0,0.125,0.25,0,0,0"
    assert [ln.split(",")[0] for ln in lines[1:]] == ["0", "1", "2", "3"]
    # the message goes to stderr, so stdout stays pure CSV
    assert "epochs" in r.stderr or "separable" in r.stderr


def test_json_has_the_spec_keys(cli, noisy_csv):
    r = cli("neuron", noisy_csv, "--target", "label", "--loss", "bce", "--standardize",
            "--lr", "0.5", "--epochs", "20", "--format", "json")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    for key in ("data", "target", "features", "loss_name", "method", "status", "message",
                "epochs", "loss", "accuracy", "weights", "bias", "history"):
        assert key in doc
    assert doc["features"] == ["size", "shape"] and doc["loss_name"] == "bce"
    assert len(doc["history"]) == 21 and doc["history"][0]["epoch"] == 0
    assert set(doc["history"][-1]) == {"epoch", "loss", "accuracy", "weights", "bias"}
    assert doc["history"][-1]["weights"] == doc["weights"] and doc["status"] == "completed"


def test_ndjson_streams_a_row_per_epoch(cli, and_csv):
    r = cli("neuron", and_csv, "--target", "y", "--epochs", "4", "--format", "ndjson")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["epoch"] for row in rows] == [0, 1, 2, 3, 4]


def test_table_shows_the_first_and_last_epochs_and_the_model(cli, and_csv):
    r = cli("neuron", and_csv, "--target", "y", "--lr", "1", "--epochs", "100")
    out = r.stdout
    assert "epoch" in out and "⋮" in out and "81 of 100 epochs not shown (10–90)" in out
    assert "model: ŷ = σ(" in out and "separable" in out


def test_features_select_and_order(cli, noisy_csv):
    r = cli("neuron", noisy_csv, "--target", "label", "--features", "shape,size",
            "--epochs", "1", "--format", "csv")
    assert r.stdout.splitlines()[0] == "epoch,loss,accuracy,w_shape,w_size,b"


def test_explain_writes_out_the_chain_rule_with_numbers(cli, and_csv):
    r = cli("neuron", and_csv, "--target", "y", "--lr", "1", "--epochs", "1", "--explain")
    out = r.stdout
    assert "z = w·x + b" in out and "ŷ = σ(z)" in out
    assert "∂C/∂ŷ = yhat - y = 0.5" in out
    assert "∂ŷ/∂z = sigmoid(z)*(1 - sigmoid(z)) = ŷ(1 − ŷ) = 0.25" in out
    assert "∂C/∂b = 0.0625" in out  # averaged over the 4 rows
    assert "b = 0 − 1·0.0625 = -0.0625" in out


def test_explain_bce_product_is_yhat_minus_y(cli, and_csv):
    r = cli("neuron", and_csv, "--target", "y", "--loss", "bce", "--epochs", "1", "--explain")
    assert "∂C/∂ŷ = (1 - y)/(1 - yhat) - y/yhat = 2" in r.stdout
    assert "= 0.5  (= ŷ − y" in r.stdout


def test_quiet_prints_the_weights_and_bias(cli, and_csv):
    r = cli("neuron", and_csv, "--target", "y", "--epochs", "1", "-q")
    assert r.stdout == "0 0 -0.00625\n"


def test_xor_says_one_neuron_cannot_learn_it(cli, tmp_path):
    p = tmp_path / "xor.csv"
    p.write_text(XOR)
    r = cli("neuron", str(p), "--target", "y", "--loss", "bce")
    assert r.exit_code == 0
    assert "no straight line" in r.stdout and "one neuron cannot classify every row" in r.stdout


def test_diverging_run_exits_3(noisy_csv):
    r = run_gdcli("neuron", noisy_csv, "--target", "label", "--loss", "bce", "--lr", "1e6",
                  "--format", "csv")
    assert r.returncode == 3 and b"diverged" in r.stderr and b"Traceback" not in r.stderr


def test_save_writes_a_model_that_predict_reads(cli, noisy_csv, tmp_path):
    model = tmp_path / "m.json"
    r = cli("neuron", noisy_csv, "--target", "label", "--standardize", "--loss", "bce",
            "--lr", "0.5", "--epochs", "30", "--save", str(model), "--format", "json")
    assert r.exit_code == 0 and model.exists()
    doc = json.loads(model.read_text())
    trained = json.loads(r.stdout)
    assert doc["weights"] == trained["weights"] and doc["bias"] == trained["bias"]
    assert doc["standardization"] is not None and doc["features"] == ["size", "shape"]
    p = cli("predict", str(model), noisy_csv, "--format", "json")
    assert p.exit_code == 0
    scored = json.loads(p.stdout)
    assert scored["accuracy"] == pytest.approx(trained["accuracy"])


@pytest.mark.parametrize(("args", "words"), [
    (["--batch-size", "0"], "--batch-size must be at least 1"),
    (["--epochs", "-1"], "--epochs must be at least 0"),
    (["--method", "adamm"], "did you mean 'adam'"),
    (["--method", "adam", "--beta1", "1"], "--beta1 must satisfy"),
    (["--momentum", "0.5"], "--momentum is not a hyperparameter of gd"),
    (["--explain", "--format", "csv"], "--explain"),
    (["--features", "x1,,x2"], "empty item"),
    (["--save", "-"], "--save needs a file name"),
    (["--lr", "0"], "--lr must be a positive"),
])
def test_bad_options_exit_2(and_csv, args, words):
    r = run_gdcli("neuron", and_csv, "--target", "y", *args)
    assert r.returncode == 2, r.stderr
    assert words.encode() in r.stderr and b"Traceback" not in r.stderr


def test_stdin(cli):
    r = cli("neuron", "-", "--target", "y", "--epochs", "1", "-q", input=AND)
    assert r.exit_code == 0 and r.stdout == "0 0 -0.00625\n"


def test_ctrl_c_shows_the_epochs_so_far_and_exits_130(noisy_csv):
    import re
    import signal
    import sys

    if sys.platform == "win32":  # pragma: no cover
        pytest.skip("POSIX ptys")
    from tests.test_progress import Pty

    t = Pty("neuron", noisy_csv, "--target", "label", "--epochs", "100000000")
    assert t.read_until(re.compile(rb"neuron gd.*?[1-9]\d*/100000000", re.S))
    t.proc.send_signal(signal.SIGINT)
    assert t.finish() == 130
    text = t.output.decode(errors="replace")
    assert "Traceback" not in text
    tail = text[text.index("one sigmoid neuron"):]
    assert "interrupted (Ctrl-C) after" in tail and "model: ŷ = σ(" in tail


def test_the_data_file_is_only_read(cli, noisy_csv):
    import hashlib
    import os

    before = (hashlib.sha256(open(noisy_csv, "rb").read()).hexdigest(),
              os.stat(noisy_csv).st_mtime_ns)
    cli("neuron", noisy_csv, "--target", "label", "--standardize", "--epochs", "3")
    after = (hashlib.sha256(open(noisy_csv, "rb").read()).hexdigest(),
             os.stat(noisy_csv).st_mtime_ns)
    assert before == after
