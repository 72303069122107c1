"""The README's console examples are run as written: the documentation stays true."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).parent.parent / "README.md").read_text()
BLOCKS = re.findall(r"```console\n(.*?)```", README, re.S)


def examples():
    for block in BLOCKS:
        if "…" in block:
            continue  # abridged output (long tables): not compared
        cmd, out = None, []
        for line in block.splitlines():
            if line.startswith("$ "):
                if cmd:
                    yield cmd, "\n".join(out)
                cmd, out = line[2:].split("  #")[0].strip(), []
            else:
                out.append(line)
        if cmd:
            yield cmd, "\n".join(out)


CASES = list(examples())


@pytest.mark.parametrize(("cmd", "expected"), CASES, ids=[c for c, _ in CASES])
def test_readme_example(cmd, expected):
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "NO_COLOR": "1", "PATH": bindir + os.pathsep + os.environ["PATH"]}
    r = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=env, timeout=60)
    got = (r.stdout + r.stderr).rstrip("\n")
    assert [line.rstrip() for line in got.splitlines()] == expected.splitlines()


def test_there_are_examples():
    assert len(CASES) >= 10
