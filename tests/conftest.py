"""Shared helpers: run the CLI as users do, in-process (CliRunner) or as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from gdcli.cli import app


@pytest.fixture
def cli():
    """Invoke gdcli in-process: cli("derive", "tan(x)", input=...) -> Result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke


def run_gdcli(*args: str, input: bytes | str | None = None, timeout: float = 30):
    """Run `python -m gdcli` as a subprocess: real streams, real exit codes."""
    env = {**os.environ, "NO_COLOR": "1"}
    data = input.encode() if isinstance(input, str) else input
    return subprocess.run(
        [sys.executable, "-m", "gdcli", *args],
        input=data,
        capture_output=True,
        timeout=timeout,
        env=env,
    )
