"""Make the README's pictures: docs/worked_example.svg (the worked example's table) and
docs/plot.svg (its picture), recorded from gdcli's own output by rich, and make every SVG in
docs/ render offline (the default template fetches Fira Code from a CDN; ours uses the
reader's local monospace font).

    python docs/make_pictures.py      # from the repository root, gdcli installed

tests/test_docs_pictures.py checks that the pictures are current and carry no URLs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).parent
PICTURES = {
    "worked_example.svg": ["minimize", "x**2-4*x+6", "--x0", "8", "--lr", "0.1"],
    "plot.svg": ["plot", "x**2-4*x+6", "--x0", "8", "--lr", "0.1"],
}
WIDTH = 80


def output(args: list[str]) -> str:
    """gdcli's output at WIDTH columns, with its colours (as on a terminal)."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(COLUMNS=str(WIDTH), FORCE_COLOR="1", TERM="xterm-256color")
    r = subprocess.run([sys.executable, "-m", "gdcli", *args], capture_output=True, text=True,
                       env=env, check=False)
    return r.stdout + r.stderr


def offline(svg: str) -> str:
    """The SVG without web fonts: @font-face rules dropped, the local monospace named."""
    svg = re.sub(r"@font-face \{.*?\}\s*", "", svg, flags=re.S)
    svg = svg.replace("Fira Code, monospace", "monospace")
    # keep runs of spaces (a right-aligned axis label): SVG collapses them by default
    if 'xml:space="preserve"' not in svg:
        svg = svg.replace("<svg ", '<svg xml:space="preserve" ', 1)
    return svg


def record(text: str, title: str) -> str:
    from rich.console import Console
    from rich.text import Text

    console = Console(record=True, width=WIDTH, file=open(os.devnull, "w"),  # noqa: SIM115
                      force_terminal=True, color_system="truecolor")
    console.print(Text.from_ansi(text), end="")
    return offline(console.export_svg(title=title, unique_id="gdcli"))


def main() -> None:
    for name, args in PICTURES.items():
        svg = record(output(args), "gdcli " + " ".join(args))
        (DOCS / name).write_text(svg, encoding="utf-8")
    for path in DOCS.glob("*.svg"):
        text = path.read_text(encoding="utf-8")
        if offline(text) != text:
            path.write_text(offline(text), encoding="utf-8")


if __name__ == "__main__":
    main()
