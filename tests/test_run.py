"""`gdcli run CONFIG.toml` (SPEC §7) and `--save-config`: every sample config runs with the
exit code its comment documents; overrides; relative paths; headings; every error path
(unknown key with a suggestion, wrong type, TOML syntax error with its line, missing file,
an override no run takes); --save-config's file repeats the run byte for byte."""

from __future__ import annotations

import math
import os
import re
import shutil
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdcli.commands.run import toml_value
from tests.conftest import run_gdcli

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "sample_configs").glob("*.toml"))


def write(path: Path, text: str) -> str:
    """Write a config; its name as the tests give it (short: messages clip long paths)."""
    path.write_text(text, encoding="utf-8")
    os.chdir(path.parent)
    return path.name


@pytest.fixture(autouse=True)
def _stay(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # write() moves to the config's folder; this moves back


# --- the sample configs --------------------------------------------------------------------
def test_the_samples_are_there():
    names = {p.name for p in SAMPLES}
    assert {"worked_example.toml", "lr_too_large.toml", "rosenbrock_compare.toml",
            "lr_sweep.toml", "neuron_breast_cancer.toml"} <= names
    assert any("[[run]]" in p.read_text() for p in SAMPLES)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_config_runs(cli, path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#"), "a sample config says what it shows"
    assert "What to look at" in text
    m = re.search(r"^# exit: (\d+)$", text, re.M)
    assert m, "a sample config documents its exit code: '# exit: N'"
    r = cli("run", str(path))
    assert r.exit_code == int(m.group(1)), r.stderr
    assert r.stdout.strip()
    assert "error" not in r.stderr
    # the file's documented command lines are real ones
    dry = cli("run", str(path), "--dry-run")
    assert dry.exit_code == 0 and "gdcli " in dry.stdout


def test_worked_example_sample(cli):
    r = cli("run", str(ROOT / "sample_configs/worked_example.toml"))
    assert "x1 = 8 - 0.1*(2*8 - 4) = 6.8" in r.stdout
    assert "converged in 94 iterations" in r.stdout


def test_lr_too_large_sample_and_its_overrides(cli):
    path = str(ROOT / "sample_configs/lr_too_large.toml")
    r = cli("run", path, "--quiet")
    assert r.exit_code == 3 and "diverged" in r.stderr
    assert cli("run", path, "--lr", "1", "--quiet").exit_code == 4  # the limit: oscillates
    r = cli("run", path, "--lr", "0.9", "--max-iter", "50", "--quiet")
    assert r.exit_code == 4 and "(50)" in r.stderr  # both overrides apply
    r = cli("run", path, "--lr=0.9", "--quiet")
    assert r.exit_code == 0 and r.stdout.startswith("2.0")


def test_neuron_sample_reads_its_data_relative_to_the_file(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # far from sample_configs/
    r = cli("run", str(ROOT / "sample_configs/neuron_breast_cancer.toml"), "--epochs", "5",
            "--quiet")
    assert r.exit_code == 0, r.stderr
    assert len(r.stdout.split()) == 4  # three weights and the bias


# --- schema --------------------------------------------------------------------------------
def test_one_run_as_top_level_keys(cli, tmp_path):
    cfg = write(tmp_path / "a.toml", 'command = "minimize"\nexpr = "x**2 - 4*x + 6"\n'
                'x0 = 8\nlr = 0.5\nquiet = true\n')
    r = cli("run", cfg)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "2\n", "")


def test_values_become_the_commands_options(cli, tmp_path):
    cfg = write(tmp_path / "a.toml", """
command = "minimize"
expr = "(sigmoid(w*x+b)-y)**2/2"
x0 = {w = 0.5, b = 0}
at = {x = 1.5, y = 1}
max-iter = 30
line_search = false
format = "json"
""")
    r = cli("run", cfg, "--dry-run")
    assert r.stdout == ("gdcli minimize '(sigmoid(w*x+b)-y)**2/2' --x0 w=0.5 --x0 b=0 "
                        "--max-iter 30 --at x=1.5 --at y=1 --format json\n")
    direct = cli("minimize", "(sigmoid(w*x+b)-y)**2/2", "--x0", "w=0.5", "--x0", "b=0",
                 "--max-iter", "30", "--at", "x=1.5", "--at", "y=1", "--format", "json")
    r = cli("run", cfg)
    assert (r.exit_code, r.stdout, r.stderr) == (direct.exit_code, direct.stdout,
                                                 direct.stderr)


def test_arrays(cli, tmp_path):
    cfg = write(tmp_path / "a.toml", 'command = "compare"\nexpr = "x**2 + y**2"\n'
                'x0 = [1, 2]\nmethods = ["gd", "adam:lr=0.3"]\nformat = "csv"\n')
    r = cli("run", cfg, "--dry-run")
    assert r.stdout == ("gdcli compare 'x**2 + y**2' --x0 1,2 --methods gd,adam:lr=0.3 "
                        "--format csv\n")
    r = cli("run", cfg)
    assert r.exit_code == 0 and r.stdout.count("\n") == 3  # header and two methods
    cfg = write(tmp_path / "b.toml", 'command = "derive"\nexpr = "x**2*y"\nwrt = ["x", "y"]\n')
    assert cli("run", cfg).stdout == "2*x\n"  # repeated: the mixed partial


def test_an_expression_that_begins_with_a_minus(cli, tmp_path):
    cfg = write(tmp_path / "a.toml", 'command = "derive"\nexpr = "-x**2"\n')
    assert cli("run", cfg).stdout == "-2*x\n"
    assert cli("run", cfg, "--dry-run").stdout == "gdcli derive -- '-x**2'\n"


def test_several_runs_with_headings_and_the_first_failing_exit_code(tmp_path):
    cfg = write(tmp_path / "many.toml", """
[[run]]
name = "fine"
command = "eval"
expr = "x**2"
at = {x = 3}

[[run]]
command = "minimize"
expr = "x**2 - 4*x + 6"
x0 = 8
lr = 1.1
quiet = true

[[run]]
name = "as csv"
command = "minimize"
expr = "x**2"
x0 = 1
max_iter = 2
format = "csv"

[[run]]
name = "still runs"
command = "eval"
expr = "x + 1"
at = {x = 1}
""")
    r = run_gdcli("run", cfg)
    out, err = r.stdout.decode(), r.stderr.decode()
    assert r.returncode == 3  # run 2's; run 3 exits 4, and run 4 still runs
    assert out.startswith("== run 1: fine ==\n9\n")
    assert out.endswith("\n== run 4: still runs ==\n2\n")
    # quiet and csv runs keep stdout parseable: their headings go to stderr
    assert "== run 2: minimize x**2 - 4*x + 6 ==" in err
    assert "== run 3: as csv ==" in err
    csv_part = out.split("== run 4")[0].split("9\n", 1)[1]
    assert csv_part.splitlines()[:2] == ["9000953.925043046", "iter,x,f,grad_x"]


def test_an_interrupted_run_stops_the_rest(cli, tmp_path, monkeypatch):
    from gdcli.commands import run as cmd_run

    calls = []

    def fake(cfg, r, opts, args, *, invoke):
        if invoke:
            calls.append(r.index)
            return 130 if r.index == 1 else 0
        return 0

    monkeypatch.setattr(cmd_run, "_parse", fake)
    cfg = write(tmp_path / "a.toml", '[[run]]\ncommand = "rules"\n[[run]]\ncommand = "rules"\n')
    assert cli("run", cfg).exit_code == 130
    assert calls == [1]


def test_config_from_stdin(cli):
    r = cli("run", "-", input='command = "eval"\nexpr = "2*x"\nat = {x = 4}\n')
    assert (r.exit_code, r.stdout) == (0, "8\n")


def test_paths_relative_to_the_config_and_overrides_to_the_cwd(cli, tmp_path, monkeypatch):
    sub = tmp_path / "sub"
    sub.mkdir()
    shutil.copy(ROOT / "sample_configs/and.csv", sub / "and.csv")
    write(sub / "n.toml", 'command = "neuron"\ndata = "and.csv"\ntarget = "y"\nepochs = 3\n'
          'save = "model.json"\nquiet = true\n')
    monkeypatch.chdir(tmp_path)
    r = cli("run", "sub/n.toml")
    assert r.exit_code == 0, r.stderr
    assert (sub / "model.json").exists() and not (tmp_path / "model.json").exists()
    r = cli("run", "sub/n.toml", "--save", "here.json")
    assert r.exit_code == 0 and (tmp_path / "here.json").exists()
    r = cli("run", "sub/n.toml", "--data", "sub/and.csv", "--dry-run")
    assert "gdcli neuron sub/and.csv" in r.stdout


def test_overrides_apply_to_every_run_that_takes_them(cli, tmp_path):
    cfg = write(tmp_path / "a.toml", """
[[run]]
command = "minimize"
expr = "x**2"
x0 = 1
lr = 0.1
[[run]]
command = "derive"
expr = "x**3"
[[run]]
command = "sweep"
expr = "x**2"
x0 = 1
lr = "0.1:0.5:5"
""")
    r = cli("run", cfg, "--max-iter", "7", "--x0", "3", "--dry-run")
    lines = [ln for ln in r.stdout.splitlines() if not ln.startswith("#")]
    assert lines == ["gdcli minimize 'x**2' --x0 3 --lr 0.1 --max-iter 7",
                     "gdcli derive 'x**3'",
                     "gdcli sweep 'x**2' --x0 3 --lr 0.1:0.5:5 --max-iter 7"]


def test_flags_on_and_off_from_the_command_line(cli, tmp_path):
    cfg = write(tmp_path / "a.toml", 'command = "minimize"\nexpr = "x**2"\nx0 = 1\n'
                'quiet = true\n')
    assert cli("run", cfg, "--no-quiet", "--dry-run").stdout == "gdcli minimize 'x**2' --x0 1\n"
    cfg = write(tmp_path / "b.toml", 'command = "minimize"\nexpr = "x**2"\nx0 = 1\n')
    assert cli("run", cfg, "-q").stdout.strip() == cli("run", cfg, "--quiet").stdout.strip()


# --- errors: each names its key, its run, its line ------------------------------------------
def error_of(cli, *args, input=None):
    r = cli("run", *args, input=input)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert r.stdout == ""  # nothing runs before every run is checked
    return r.stderr.strip()


def test_unknown_key_names_its_run_and_suggests(cli, tmp_path):
    cfg = write(tmp_path / "c.toml", """
[[run]]
command = "minimize"
expr = "x**2"
x0 = 1
[[run]]
name = "adam run"
command = "minimize"
expr = "x**2"
x0 = 1
method = "adam"
learning_rate = 0.1
""")
    assert error_of(cli, cfg) == (f"error: {cfg}: run 2 (\"adam run\"): unknown key "
                                  "'learning_rate' — did you mean 'lr'?")
    cfg = write(tmp_path / "d.toml", 'command = "minimize"\nexpr = "x**2"\nx0 = 1\nmax_iters = 5\n')
    assert error_of(cli, cfg).endswith("unknown key 'max_iters' — did you mean 'max_iter'?")
    cfg = write(tmp_path / "e.toml", 'command = "minimize"\nexpr = "x**2"\nx0 = 1\nepochs = 5\n')
    assert error_of(cli, cfg).endswith("unknown key 'epochs' (an option of neuron, not of "
                                       "minimize) — did you mean 'max_iter'?")


@pytest.mark.parametrize(("line", "message"), [
    ('lr = "0.1"', "'lr' must be a number (without quotes), not a string"),
    ("lr = true", "'lr' must be a number, not a boolean"),
    ("max_iter = 1.5", "'max_iter' must be an integer, not a float"),
    ('quiet = "yes"', "'quiet' must be true or false, not a string"),
    ("format = 1", "'format' must be a string, one of \"table\", \"csv\", \"tsv\", \"json\", "
                   "\"ndjson\", not an integer"),
    ("at = [[1]]", "'at' is an array that holds an array: give strings or numbers"),
    ("at = {x = {y = 1}}", "'at.x' must be a number or a string, not a table"),
    ("tol = 1979-05-27", "'tol' must be a number, not a date or time"),
])
def test_wrong_types_name_the_key(cli, tmp_path, line, message):
    cfg = write(tmp_path / "t.toml", f'command = "minimize"\nexpr = "x**2"\nx0 = 1\n{line}\n')
    assert error_of(cli, cfg) == f"error: {cfg}: {message}"


def test_values_are_checked_by_the_command_itself(cli, tmp_path):
    cfg = write(tmp_path / "t.toml", 'command = "minimize"\nexpr = "x**2"\nx0 = 1\n'
                'format = "xml"\n')
    err = error_of(cli, cfg)
    assert err.startswith(f"error: {cfg}: 'format': ") and "'xml' is not one of" in err
    # a range the command checks when it runs: its own message, and the run it came from
    cfg = write(tmp_path / "u.toml", '[[run]]\ncommand = "minimize"\nexpr = "x**2"\nx0 = 1\n'
                'lr = -1\n')
    r = cli("run", cfg)
    assert r.exit_code == 2
    assert "--lr must be a positive finite number, got -1" in r.stderr
    assert f"in {cfg}: run 1" in r.stderr


def test_toml_syntax_error_names_its_line(cli, tmp_path):
    cfg = write(tmp_path / "s.toml", 'command = "minimize"\nexpr = "x**2"\nlr 0.1\n')
    err = error_of(cli, cfg)
    assert err.startswith(f"error: {cfg}: invalid TOML: ") and "line 3" in err


@pytest.mark.parametrize(("text", "message"), [
    ("", "no run: give command"),
    ('expr = "x**2"', "no 'command': say which, e.g. command = \"minimize\""),
    ('command = "minimise"\nexpr = "x"', "unknown command 'minimise' — did you mean 'minimize'?"),
    ('command = "run"', "a config cannot run a config"),
    ('command = "minimize"\nx0 = 1', "no 'expr' (the expression): minimize needs it"),
    ('command = "neuron"\ndata = "a.csv"', "no 'target': neuron needs it"),
    ('x0 = 1\n[[run]]\ncommand = "minimize"', "the key 'x0' stands outside the [[run]] tables"),
    ("run = 5", "'run' must be an array of tables"),
    ('name = 3\ncommand = "rules"', "'name' must be a string, not an integer"),
    ('command = "eval"\nexpr = "x"\nmax_iter = 1\nmax-iter = 2', "'max_iter' is given twice"),
])
def test_malformed_configs(cli, tmp_path, text, message):
    cfg = write(tmp_path / "m.toml", text + "\n")
    assert message in error_of(cli, cfg)


def test_missing_file_directory_and_non_utf8(cli, tmp_path):
    assert error_of(cli, "nope.toml") == "error: nope.toml: no such config file"
    assert "is a directory" in error_of(cli, str(tmp_path))
    bad = tmp_path / "b.toml"
    bad.write_bytes(b'command = "\xff"\n')
    assert "not UTF-8" in error_of(cli, str(bad))


def test_override_errors(cli, tmp_path):
    cfg = write(tmp_path / "o.toml", 'command = "minimize"\nexpr = "x**2"\nx0 = 1\n')
    assert error_of(cli, cfg, "--epochs", "3") == \
        f"error: --epochs: no run in {cfg} takes it (its commands: minimize)"
    # an option no gdcli command has: a usage error of gdcli run, as click words it
    for typo in ("--learning-rate", "--lrr"):
        err = error_of(cli, cfg, typo, "3")
        assert err.startswith("Usage: gdcli run") and f"No such option: {typo}" in err
        assert "--lr" in err.replace(typo, "")
    err = error_of(cli, "missing.toml", "--nonsense", "3")  # before the file is read
    assert "No such option: --nonsense" in err
    assert error_of(cli, cfg, "--lr", "abc") == \
        "error: --lr (on the command line), for minimize: 'abc' is not a valid float."
    assert error_of(cli, cfg, "--lr", "0.1", "--lr", "0.2") == \
        "error: --lr is given twice; give it once"
    assert error_of(cli, cfg, "--lr") == "error: --lr needs a value"
    assert error_of(cli, cfg, "--quiet=1") == "error: --quiet is a flag: it takes no value"
    assert "unexpected argument 'x'" in error_of(cli, cfg, "x")
    assert "the config file comes first" in error_of(cli, "--lr")


# --- --save-config ---------------------------------------------------------------------------
SAVED = [
    ["minimize", "x**2-4*x+6", "--x0", "8", "--lr", "0.1", "--explain"],
    ["minimize", "-x**2+x**4", "--x0=0.5", "--method", "adam", "--beta1", "0.8", "--tol",
     "1e-6", "--format", "csv"],
    ["minimize", "(sigmoid(w*x+b)-y)**2/2", "--x0", "w=0.5", "--x0", "b=0", "--at", "x=1.5",
     "--at", "y=1", "--max-iter", "40", "--quiet"],
    ["minimize", "x**2-4*x+6", "--x0", "8", "--lr", "1.1"],  # diverges: saved all the same
    ["compare", "(1-x)**2+100*(y-x**2)**2", "--x0=-1.2,1", "--methods",
     "gd:lr=0.001,adam:lr=0.02,newton", "--max-iter", "300"],
    ["sweep", "x**2-4*x+6", "--x0", "8", "--lr", "0.1:1.1:11", "--format", "json"],
    ["neuron", "and.csv", "--target", "y", "--loss", "bce", "--lr", "1", "--epochs", "50",
     "--standardize", "--save", "m.json"],
]


@pytest.mark.parametrize("argv", SAVED, ids=lambda a: " ".join(a[:2]))
def test_save_config_repeats_the_run_byte_for_byte(cli, tmp_path, monkeypatch, argv):
    shutil.copy(ROOT / "sample_configs/and.csv", tmp_path / "and.csv")
    monkeypatch.chdir(tmp_path)
    first = cli(*argv, "--save-config", "saved.toml")
    text = (tmp_path / "saved.toml").read_text()
    config = tomllib.loads(text)
    assert config["command"] == argv[0]
    again = cli("run", "saved.toml")
    assert (again.exit_code, again.stdout, again.stderr) == \
        (first.exit_code, first.stdout, first.stderr)
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_save_config_keeps_only_what_was_given(cli, tmp_path):
    path = tmp_path / "s.toml"
    cli("minimize", "x**2-4*x+6", "--x0", "8", "--save-config", str(path))
    config = tomllib.loads(path.read_text())
    assert config == {"command": "minimize", "expr": "x**2-4*x+6", "x0": 8}
    cli("minimize", "x**2", "--x0", "1", "--lr", "0.1", "--format", "table", "--save-config",
        str(path))
    assert tomllib.loads(path.read_text()) == {"command": "minimize", "expr": "x**2", "x0": 1,
                                                "lr": 0.1, "format": "table"}


def test_save_config_paths_relative_to_the_config(cli, tmp_path, monkeypatch):
    (tmp_path / "cfg").mkdir()
    shutil.copy(ROOT / "sample_configs/and.csv", tmp_path / "cfg/and.csv")
    monkeypatch.chdir(tmp_path)
    cli("neuron", "cfg/and.csv", "--target", "y", "--epochs", "2", "--save", "cfg/m.json",
        "--save-config", "cfg/s.toml")
    config = tomllib.loads((tmp_path / "cfg/s.toml").read_text())
    assert (config["data"], config["save"]) == ("and.csv", "m.json")
    cli("neuron", "cfg/and.csv", "--target", "y", "--epochs", "2", "--save-config",
        "cfg/deeper/s.toml")  # no such folder
    (tmp_path / "cfg/deeper").mkdir()
    cli("neuron", "cfg/and.csv", "--target", "y", "--epochs", "2", "--save-config",
        "cfg/deeper/s.toml")
    config = tomllib.loads((tmp_path / "cfg/deeper/s.toml").read_text())
    assert config["data"] == str(tmp_path / "cfg/and.csv")  # outside its folder: absolute
    r = cli("run", "cfg/deeper/s.toml", "--quiet")
    assert r.exit_code == 0


def test_save_config_unwritable(cli, tmp_path):
    r = cli("minimize", "x**2", "--x0", "1", "--save-config", str(tmp_path / "no/s.toml"))
    assert r.exit_code == 2 and "no folder" in r.stderr and r.stdout == ""
    r = cli("minimize", "x**2", "--x0", "1", "--save-config", str(tmp_path))
    assert r.exit_code == 2 and "is a directory" in r.stderr
    r = cli("minimize", "x**2", "--x0", "1", "--save-config", str(tmp_path / ("a" * 300)))
    assert r.exit_code == 2 and "File name too long" in r.stderr
    assert os.listdir(tmp_path) == []  # the temporary file is gone too


# --- the TOML writer ---------------------------------------------------------------------------
scalars = st.one_of(st.text(st.characters(exclude_categories=("Cs",))), st.booleans(),
                    st.integers(-(2**63), 2**63 - 1), st.floats())


@settings(max_examples=300, deadline=None)
@given(st.one_of(scalars, st.lists(scalars, max_size=4),
                 st.dictionaries(st.text(min_size=1), scalars, max_size=4)))
def test_toml_values_read_back_exactly(value):
    back = tomllib.loads("v = " + toml_value(value))["v"]

    def same(a, b):
        if isinstance(a, float) and math.isnan(a):
            return isinstance(b, float) and math.isnan(b)
        if isinstance(a, list):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        return type(a) is type(b) and a == b

    assert same(value, back)
