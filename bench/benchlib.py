"""What the benchmark scripts share: child environment, percentiles, plain tables.

Imported as ``benchlib`` (``python bench/NAME.py`` puts this folder on sys.path).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def child_env() -> dict[str, str]:
    """The environment for timed children: no colour codes to write."""
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    return env


def in_function(code: str) -> str:
    """A loop as one writes it: inside a function, where variables are fast locals (at
    module level, as bare ``python -c`` runs it, they would be globals: ~1.6x slower)."""
    body = "".join(f"    {line}\n" for line in code.splitlines())
    return f"def run():\n{body}\nrun()\n"


def percentile(sorted_vals: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in [0, 100]) of an already sorted list."""
    if len(sorted_vals) == 1:
        return sorted_vals[0]
    pos = (len(sorted_vals) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (pos - lo)


def format_table(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    """Plain aligned table: the first ``left`` columns left-aligned, the rest right."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        out = [
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def package_version(name: str) -> str:
    import importlib.metadata as metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "(not installed)"


def console_script() -> str | None:
    """The ``gdcli`` console script of this interpreter's environment, else one on PATH."""
    bindir = Path(sys.executable).parent  # not resolved: keep the venv's bin/ directory
    for name in ("gdcli", "gdcli.exe"):
        candidate = bindir / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("gdcli")


def gdcli_command() -> list[str]:
    """How to run gdcli: its console script, else ``python -m gdcli``."""
    script = console_script()
    return [script] if script else [sys.executable, "-m", "gdcli"]
