"""--output FILE.png|FILE.svg: images with matplotlib, reproducible to the byte."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("matplotlib")

WORKED = ("plot", "x**2-4*x+6", "--x0", "8", "--lr", "0.1")


def test_png(cli, tmp_path):
    out = tmp_path / "p.png"
    r = cli(*WORKED, "--output", str(out))
    assert r.exit_code == 0, r.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {out}" in r.stderr
    assert "converged in 94" in r.stdout and "⠀" not in r.stdout  # no terminal picture


def test_svg_parses_and_is_byte_identical(cli, tmp_path):
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    assert cli(*WORKED, "--output", str(a)).exit_code == 0
    assert cli(*WORKED, "--output", str(b)).exit_code == 0
    root = ET.fromstring(a.read_bytes())
    assert root.tag.endswith("svg")
    assert a.read_bytes() == b.read_bytes()
    assert b"<dc:date>" not in a.read_bytes()


def test_png_is_byte_identical(cli, tmp_path):
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    args = ("compare", "x**2 + 3*y**2", "--x0", "4,2", "--methods", "gd,adam:lr=0.5")
    assert cli(*args, "--output", str(a)).exit_code == 0
    assert cli(*args, "--output", str(b)).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


def test_every_command_writes_an_image(cli, tmp_path):
    from pathlib import Path

    data = Path(__file__).parent.parent / "sample_configs" / "and.csv"
    runs = {
        "min.png": ("minimize", "x**2-4*x+6", "--x0", "8"),
        "sweep.svg": ("sweep", "x**2", "--x0", "1", "--lr", "0.001:1.5:20", "--log"),
        "neuron.png": ("neuron", str(data), "--target", "y", "--lr", "1", "--epochs", "20"),
    }
    for name, args in runs.items():
        r = cli(*args, "--output", str(tmp_path / name))
        assert r.exit_code == 0, r.output
        assert (tmp_path / name).stat().st_size > 1000


def test_bad_suffix_and_directory(cli, tmp_path):
    r = cli(*WORKED, "--output", str(tmp_path / "p.jpg"))
    assert r.exit_code == 2 and "FILE.png or FILE.svg" in r.stderr
    d = tmp_path / "d.png"
    d.mkdir()
    r = cli(*WORKED, "--output", str(d))
    assert r.exit_code == 2 and "is a directory" in r.stderr


def test_matplotlib_missing_names_the_install_command(cli, tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    r = cli(*WORKED, "--output", str(tmp_path / "p.png"))
    assert r.exit_code == 2
    assert 'pip install "gdcli[plot]"' in r.stderr
    assert not (tmp_path / "p.png").exists()
    r = cli("minimize", "x**2", "--x0", "1", "--output", str(tmp_path / "m.png"))
    assert r.exit_code == 2 and 'pip install "gdcli[plot]"' in r.stderr
    assert r.stdout == ""  # refused before the run
