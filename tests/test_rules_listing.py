"""`gdcli rules` lists every rule that `gdcli derive --steps` names (issue 7, item 4):
the steps of the whole derivative corpus are collected and each rule name must appear in
the rules table, in every format."""

from __future__ import annotations

import json

import pytest

from gdcli.commands.rules import STRUCTURAL, rule_names
from gdcli.expr.functions import FUNCTIONS
from tests.conftest import run_gdcli
from tests.derivative_corpus import CORPUS

#: a few hand-made cases for rules the corpus may reach rarely
EXTRA = [
    "x*x*x",  # collect equal factors
    "3/x",  # reciprocal rule
    "log(x, x + 1)",  # change of base
    "log(x**2, 3)",  # log-base rule
    "(x + 1)**3",  # power rule with chain rule
    "0**x",  # constant rule for 0**u
    "x**x",  # general power rule
    "2**x + e**x",  # exponential rule
]


@pytest.fixture(scope="module")
def step_rules() -> set[str]:
    """Every rule name `derive - --steps --format json` prints over the corpus."""
    r = run_gdcli("derive", "-", "--steps", "--format", "json",
                  input="\n".join(CORPUS + EXTRA) + "\n", timeout=300)
    names: set[str] = set()
    for line in r.stdout.decode().splitlines():
        record = json.loads(line)
        for part in record.get("partials", [record]):
            names |= {s["rule"] for s in part.get("steps", [])}
    return names


def test_the_corpus_uses_many_rules(step_rules):
    assert len(step_rules) >= 40
    assert {"collect equal factors", "reciprocal rule", "change of base", "log-base rule",
            "power rule with chain rule", "chain rule"} <= step_rules


def test_every_printed_rule_is_listed_in_json(step_rules):
    r = run_gdcli("rules", "--format", "json")
    doc = json.loads(r.stdout)
    listed = set(doc["rules"]) | {f["rule"] for f in doc["functions"]}
    assert step_rules <= listed, sorted(step_rules - listed)


def test_every_printed_rule_is_listed_in_markdown_and_table(step_rules, monkeypatch):
    md = run_gdcli("rules", "--format", "markdown").stdout.decode()
    monkeypatch.setenv("COLUMNS", "250")  # wide enough that no name wraps
    table = run_gdcli("rules").stdout.decode()
    for text in (md, table):
        missing = [name for name in step_rules if name not in text]
        assert not missing, missing


def test_rule_names_cover_the_registry_and_the_structural_rules():
    names = rule_names()
    assert {f"{name} rule" for name in FUNCTIONS} <= set(names)
    assert [n for n, _ in STRUCTURAL] == names[: len(STRUCTURAL)]
    assert len(set(names)) == len(names)


def test_table_never_cuts_a_formula(monkeypatch):
    # rich cuts cells with an ellipsis unless told to wrap them
    for width in ("50", "80", "120"):
        monkeypatch.setenv("COLUMNS", width)
        out = run_gdcli("rules").stdout.decode()
        assert "…" not in out.replace("u*u*…*u", "")
        assert max(len(line) for line in out.splitlines()) <= int(width)
