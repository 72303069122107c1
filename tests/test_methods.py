"""`gdcli methods`: the registry as a table, markdown and JSON, generated from
gdcli/optim/methods.py. The tests iterate the registry, so a method added there is
checked here without new test code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.cells import cell_len

from gdcli.expr.evaluate import fmt
from gdcli.optim.methods import METHODS
from tests.conftest import run_gdcli

README = Path(__file__).parent.parent / "README.md"


def test_json_lists_every_method_with_its_hyperparameters(cli):
    r = cli("methods", "--format", "json")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert [m["name"] for m in doc["methods"]] == list(METHODS)
    for record in doc["methods"]:
        m = METHODS[record["name"]]
        assert record["rule"] == m.rule
        assert record["default_lr"] == m.default_lr
        assert record["line_search"] == m.line_search
        assert record["torch"] == m.torch and record["optax"] == m.optax
        assert [(h["name"], h["default"], h["range"]) for h in record["hyperparameters"]] == [
            (h.name, h.default, h.range_text()) for h in m.hypers]


@pytest.mark.parametrize("name", list(METHODS))
def test_markdown_rows_come_from_the_registry(cli, name):
    md = cli("methods", "--format", "markdown").stdout
    m = METHODS[name]
    rows = [line for line in md.splitlines() if line.startswith(f"| `{name}` |")]
    # one row in the methods table, one per hyperparameter, one in the references table
    assert len(rows) == 2 + len(m.hypers)
    assert f"| `{name}` | {m.title} | {m.rule} | {fmt(m.default_lr)} |" in md
    for h in m.hypers:
        assert f"| `{name}` | {h.name} | {fmt(h.default)} | {h.range_text()} |" in md


def test_readme_copy_is_the_generated_one(cli):
    md = cli("methods", "--format", "markdown").stdout.strip()
    text = README.read_text()
    head = text.index("### `gdcli methods`")
    assert head < text.index("### `gdcli minimize EXPR --x0 …`")
    assert md in text[head:]


@pytest.mark.parametrize("width", [20, 40, 60, 80, 120])
def test_table_fits_and_never_cuts(monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    r = run_gdcli("methods")
    assert r.returncode == 0
    out = r.stdout.decode()
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    assert "…" not in out and all(line == line.rstrip() for line in lines)
    flat = " ".join(out.split())
    for m in METHODS.values():
        assert m.name in out
        for h in m.hypers:
            assert h.name in out and h.range_text() in flat or width < 40


def test_table_on_a_pipe_has_no_escapes():
    r = run_gdcli("methods")
    assert b"\x1b[" not in r.stdout and r.stderr == b""


def test_methods_takes_no_argument(cli):
    r = cli("methods", "adam")
    assert r.exit_code == 2
    r = cli("methods", "--format", "yaml")
    assert r.exit_code == 2
