"""Every command's --help shows the defaults it names (rich would take "[default: …]" for
markup and swallow it) and its exit codes."""

from __future__ import annotations

import pytest

from tests.conftest import run_gdcli


@pytest.mark.parametrize(("cmd", "words"), [
    ("minimize", ["[default: 0.9]", "[default: 0.999]", "[default: 7]",
                  "[default: 0.1; newton: 1]"]),
    ("compare", ["[default: 0.9]"]),
    ("sweep", ["[default: 0.9]", "130"]),
    ("neuron", ["[default: every column but", "130"]),
])
def test_help_shows_the_defaults(cmd, words):
    r = run_gdcli(cmd, "--help", timeout=60)
    text = r.stdout.decode()
    flat = " ".join(text.replace("│", " ").split())
    for w in words:
        assert w in flat, w
