"""The README's pictures (docs/*.svg) are current and render offline: no web fonts, spaces
kept. docs/make_pictures.py makes them from gdcli's own output."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

DOCS = Path(__file__).parent.parent / "docs"


def _maker():
    spec = importlib.util.spec_from_file_location("make_pictures", DOCS / "make_pictures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["worked_example.svg", "plot.svg", "explore.svg"])
def test_pictures_render_offline(name):
    svg = (DOCS / name).read_text(encoding="utf-8")
    assert "@font-face" not in svg and "cdnjs" not in svg and 'xml:space="preserve"' in svg


def test_readme_pictures_are_current():
    maker = _maker()
    for name, args in maker.PICTURES.items():
        want = maker.record(maker.output(args), "gdcli " + " ".join(args))
        assert (DOCS / name).read_text(encoding="utf-8") == want, (
            f"docs/{name} is out of date: run python docs/make_pictures.py")


def test_the_worked_example_picture_shows_its_numbers():
    svg = (DOCS / "worked_example.svg").read_text(encoding="utf-8")
    for number in ("6.8", "5.84", "5.072", "25.04"):
        assert number in svg
