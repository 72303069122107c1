"""Every command's --help has an "Examples:" section (SPEC §7, help that teaches), and every
example in it runs with the exit code it is shown with: 0, or the `exit N` its comment
names. The examples run in order in a scratch folder that sees sample_configs/, so that one
may use a file an earlier one wrote (neuron --save, then predict)."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from gdcli.cli import app

ROOT = Path(__file__).resolve().parent.parent
GROUP = get_command(app)
COMMANDS = sorted(GROUP.commands)  # type: ignore[attr-defined]


def examples(help_text: str) -> list[tuple[str, int]]:
    """(command line, expected exit code) for each example of a docstring: the lines after
    "Examples:", a trailing backslash joining the next line, '# … exit N' giving the code."""
    _, found, rest = help_text.partition("Examples:")
    assert found, "no Examples: section"
    out: list[tuple[str, int]] = []
    pending = ""
    for raw in rest.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not (line.startswith("gdcli ") or pending):
            break  # the section ends where the examples do
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        command, _, comment = line.partition(" # ")
        code = re.search(r"\bexit (\d+)", comment)
        out.append((command.strip(), int(code.group(1)) if code else 0))
    return out


def test_every_command_is_covered():
    assert {"derive", "eval", "minimize", "compare", "sweep", "neuron", "predict", "run",
            "rules", "methods"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_help_has_examples_that_run(name, tmp_path, monkeypatch):
    command = GROUP.commands[name]  # type: ignore[attr-defined]
    cases = examples(command.help or "")
    assert len(cases) >= 2, f"{name}: give a few examples"
    assert all(c.split()[:2] == ["gdcli", name] or "--save-config" in c
               or (name == "predict" and c.split()[1] == "neuron") for c, _ in cases)

    runner = CliRunner()
    # the help as shown: the section and each example line (rich wraps nothing here)
    shown = runner.invoke(app, [name, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert shown.exit_code == 0
    flat = " ".join(shown.stdout.replace("│", " ").split())
    assert "Examples:" in flat
    for c, _ in cases:
        assert " ".join(c.split()) in flat.replace(" \\ ", " "), c

    os.symlink(ROOT / "sample_configs", tmp_path / "sample_configs")
    monkeypatch.chdir(tmp_path)
    for line, code in cases:
        argv = shlex.split(line)[1:]
        r = runner.invoke(app, argv, catch_exceptions=False)
        assert r.exit_code == code, f"{line}: exit {r.exit_code}\n{r.stdout}\n{r.stderr}"
        if code == 0:
            assert r.stdout.strip(), f"{line}: printed nothing"
