"""Shell completion (typer's --install-completion) works and stays off the fast path."""

from __future__ import annotations

import os
import subprocess
import sys


def complete(words: str, cword: int) -> list[str]:
    env = {**os.environ, "_GDCLI_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(cword)}
    r = subprocess.run([sys.executable, "-c", "from gdcli.launch import main; "
                        "raise SystemExit(main())"], env=env, capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.decode().split()


def test_commands_complete():
    assert complete("gdcli mini", 1) == ["minimize"]
    assert set(complete("gdcli ", 1)) >= {"derive", "eval", "minimize", "rules"}


def test_options_complete():
    assert complete("gdcli minimize x --ma", 3) == ["--max-iter", "--maximize"]


def test_completion_options_are_offered(cli):
    out = cli("--help").stdout
    assert "--install-completion" in out and "--show-completion" in out
    assert "_gdcli_completion" in cli("--show-completion", "bash").stdout


def test_fast_path_does_not_import_typer():
    code = ("import sys; from gdcli.launch import main; main(['derive', 'x**2']); "
            "sys.stdout.flush(); print('typer' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert r.stdout.decode().split() == ["2*x", "False"]
