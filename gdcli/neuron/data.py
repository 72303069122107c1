"""Training data for the neuron (SPEC §6): a CSV file with a header, read into float64 arrays.

``load`` reads a file (or stdin for ``-``) and returns a ``Dataset``: the feature matrix, the
0/1 target and the file line of every row. Only the columns used (the features and the
target) must be numeric; other columns (an id, a species name) may hold any text.

Every problem with the data is an ``InputError`` (exit 2) that names the file, the line
(the header is line 1; blank lines count) and the column, and quotes the cell.

Speed: the numbers are parsed in bulk in C (``np.loadtxt`` on the used columns); only when
that fails does a Python scan look for the first bad cell, so that a good file costs about
what ``np.loadtxt`` alone costs. Files with quoted cells go through the ``csv`` module first.
"""

from __future__ import annotations

import csv
import io
import math
import os
import stat
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

import numpy as np

from ..errors import InputError, clip

#: Bounds, so that a huge input is an input error and not an out-of-memory.
MAX_BYTES = 256 * 1024 * 1024
MAX_CELLS = 10_000_000
MAX_LINE = 1024 * 1024  # characters on one line
#: The name ``source`` takes for ``-``.
STDIN = "<stdin>"
#: Column names listed in a message before "… and N more".
_LISTED = 12


@dataclass(frozen=True, eq=False)
class Dataset:
    """A data set as read: X[i] is the row on file line lines[i]."""

    source: str  # the path as given, or "<stdin>"
    features: tuple[str, ...]  # feature column names, in the order used
    target: str | None  # the target column name (None: none asked for / absent)
    X: np.ndarray  # float64, shape (rows, len(features)), C-contiguous
    y: np.ndarray | None  # float64 0.0/1.0, shape (rows,), or None without a target
    lines: np.ndarray  # int64, the file line of each row (header = line 1)


def load(
    path: str,
    target: str | None,
    features: Sequence[str] | None,
    *,
    need_target: bool = True,
    stdin: TextIO | None = None,
) -> Dataset:
    """Read ``path`` (``-``: stdin) with ``target`` as the 0/1 column and ``features`` (None:
    every column but the target, in file order) as the inputs. With ``need_target=False``
    (scoring) the target column may be absent: then ``y`` is None and ``target`` is None."""
    source, data, regular = _read(path, stdin)
    delimiter = "\t" if path.lower().endswith(".tsv") else ","
    header_line, names, start = _header(data, source, delimiter)
    _check_header(names, header_line, source, delimiter)
    feats, tgt = _columns(names, target, features, need_target, source)
    used = [names.index(f) for f in feats] + ([names.index(tgt)] if tgt is not None else [])
    table = _Table(source, names, delimiter, header_line, data, start,
                   path=path if regular else None)
    table.target_column = names.index(tgt) if tgt is not None else None
    table.features_given = features is not None
    A = table.numbers(used)
    nf = len(feats)
    if tgt is None:
        X, y = np.ascontiguousarray(A), None
    else:
        X = np.ascontiguousarray(A[:, :nf])
        y = _binary(A[:, nf], table, used[nf])
    return Dataset(source, tuple(feats), tgt, X, y, table.lines)


def standardization(X: np.ndarray, features: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(means, scales) of the columns of X, the scales being POPULATION standard deviations
    (ddof=0), for z = (x - mean) / scale. A constant column (or one whose spread is not a
    finite positive number) is an input error naming it."""
    X = np.asarray(X, dtype=np.float64)
    with np.errstate(all="ignore"):
        means = X.mean(axis=0)
        scales = X.std(axis=0)
        lo, hi = X.min(axis=0), X.max(axis=0)
    for j, name in enumerate(features):
        if lo[j] == hi[j]:
            raise InputError(
                f"feature '{clip(name)}' is constant (every row {_show(lo[j])}): "
                "--standardize would divide by 0",
                hint="leave the column out of --features",
            )
        if not (math.isfinite(means[j]) and math.isfinite(scales[j]) and scales[j] > 0):
            raise InputError(
                f"feature '{clip(name)}' cannot be standardized: its mean or standard "
                f"deviation is not a finite number in float64 (values from {_show(lo[j])} "
                f"to {_show(hi[j])})",
                hint="rescale the column",
            )
    return means, scales


# --------------------------------------------------------------------------- reading


def _read(path: str, stdin: TextIO | None) -> tuple[str, bytes, bool]:
    """(source, data, regular): the whole input as UTF-8 bytes (checked), BOM removed, CRLF
    made LF, and whether it is a regular file (which the bulk parser may read again; a pipe
    such as /dev/stdin or <(…) cannot be). The data stays bytes: the shape checks and the
    bulk parser read it without a copy."""
    regular = False
    if path == "-":
        source = STDIN
        stream = stdin if stdin is not None else sys.stdin
        if stream is None:
            raise InputError("'-' reads the data from stdin, but there is no stdin")
        try:
            if stream.isatty():
                raise InputError(
                    "'-' reads the data from stdin, but stdin is a terminal",
                    hint="pipe a CSV file in, or give its path",
                )
        except (AttributeError, ValueError, OSError):
            pass
        buffer = getattr(stream, "buffer", None)
        try:
            data: bytes | str = _read_upto(buffer if buffer is not None else stream)
        except UnicodeDecodeError as e:
            raise InputError(f"{source} is not UTF-8 text ({e.reason})",
                             hint="save the data as UTF-8") from None
        except OSError as e:
            raise InputError(f"cannot read {source}: {e.strerror or e}") from None
    else:
        source = path
        try:
            with open(path, "rb") as f:
                st = os.fstat(f.fileno())
                regular = stat.S_ISREG(st.st_mode)
                if regular and st.st_size > MAX_BYTES:
                    data = b""
                else:  # a regular file in one read of its size; a pipe or device in chunks
                    data = f.read(st.st_size + 1) if regular else b""
                    if not regular or len(data) > st.st_size:  # (a file that grows)
                        data += _read_upto(f, MAX_BYTES + 1 - len(data))
        except FileNotFoundError:
            raise InputError(f"cannot read '{path}': no such file", hint=_near_file(path)) \
                from None
        except IsADirectoryError:
            raise InputError(f"cannot read '{path}': it is a directory, not a CSV file") \
                from None
        except PermissionError:
            raise InputError(f"cannot read '{path}': permission denied") from None
        except (OSError, ValueError) as e:
            reason = getattr(e, "strerror", None) or str(e)
            raise InputError(f"cannot read '{path}': {reason}") from None
    if len(data) > MAX_BYTES or (regular and st.st_size > MAX_BYTES):
        raise InputError(f"{_named(source)} is larger than {MAX_BYTES // 2**20} MB, the most "
                         "gdcli reads")
    if isinstance(data, str):  # a text stream without a buffer (io.StringIO)
        data = data.encode("utf-8", "surrogateescape")
    _check_utf8(data, source)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise InputError(f"{_named(source)} is not a text file (a NUL byte on line {line})")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if b"\n" not in data:  # old Mac line ends
            data = data.replace(b"\r", b"\n")
    if not data or data.isspace():
        raise InputError(f"{_named(source)} is empty",
                         hint="the data needs a header line and at least one row")
    return source, data, regular


def _read_upto(stream, limit: int | None = None) -> bytes | str:
    """At most ``limit`` (default MAX_BYTES + 1) bytes, or characters, of a stream, read in
    chunks, so that nothing is allocated for the bound itself."""
    limit = MAX_BYTES + 1 if limit is None else limit
    parts, size = [], 0
    while size < limit:
        chunk = stream.read(min(1 << 20, limit - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    empty = "" if parts and isinstance(parts[0], str) else b""
    return parts[0] if len(parts) == 1 else empty.join(parts)


def _check_utf8(data: bytes, source: str) -> None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{_named(source)} is UTF-16 text; gdcli reads UTF-8",
                         hint="save the file as UTF-8")
    if data.isascii():
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise InputError(
            f"{_named(source)} is not UTF-8 text: byte 0x{data[e.start]:02x} on line {line} "
            f"(byte {col} of the line) is not valid UTF-8",
            hint="save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
        ) from None


def _named(source: str) -> str:
    return source if source == STDIN else f"'{source}'"


def _near_file(path: str) -> str | None:
    """'did you mean …' for a missing file, from the names in its folder."""
    import difflib
    import itertools

    folder, name = os.path.split(path)
    try:
        with os.scandir(folder or ".") as it:
            names = [e.name for e in itertools.islice(it, 10_000)]
    except OSError:
        return None
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return f"did you mean '{os.path.join(folder, close[0])}'?" if close else None


# --------------------------------------------------------------------------- the header


def _header(data: bytes, source: str, delimiter: str) -> tuple[int, list[str], int]:
    """(line number of the header, its column names stripped, the offset of the line after
    it). Leading blank lines are skipped (and counted)."""
    pos, line_no = 0, 1
    while True:
        end = data.find(b"\n", pos)
        line = (data[pos:] if end < 0 else data[pos:end]).decode("utf-8")
        if line.strip():
            break
        if end < 0:  # blank all through (Unicode blanks: ASCII ones are caught before)
            raise InputError(f"{_named(source)} is empty",
                             hint="the data needs a header line and at least one row")
        pos, line_no = end + 1, line_no + 1
    if len(line) > MAX_LINE:
        raise InputError(f"{_named(source)}: line {line_no} (the header) is longer than "
                         f"{MAX_LINE // 1024} KB")
    try:
        names = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))
    except csv.Error as e:
        raise InputError(f"{_named(source)}: line {line_no} (the header): {e}") from None
    return line_no, [n.strip() for n in names], len(data) if end < 0 else end + 1


def _check_header(names: list[str], line: int, source: str, delimiter: str) -> None:
    for j, name in enumerate(names):
        if not name:
            trailing = j == len(names) - 1 and len(names) > 1
            raise InputError(
                f"{_named(source)}: column {j + 1} of the header (line {line}) has no name",
                hint=f"is there a '{_sep(delimiter)}' at the end of the header?"
                if trailing else "every column needs a name",
            )
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        if name in seen:
            raise InputError(
                f"{_named(source)}: the header names column '{clip(name)}' twice "
                f"(columns {seen[name] + 1} and {j + 1})",
                hint="rename one of them",
            )
        seen[name] = j


def _sep(delimiter: str) -> str:
    return "\\t" if delimiter == "\t" else delimiter


def _columns(
    names: list[str],
    target: str | None,
    features: Sequence[str] | None,
    need_target: bool,
    source: str,
) -> tuple[list[str], str | None]:
    """(feature names, target name or None), each checked against the header."""
    if target is not None:
        target = target.strip()
        if not target:
            raise InputError("the target column name is empty")
        if target not in names:
            if need_target:
                raise _unknown(target, names, source, "target column")
            target = None
    elif need_target:
        raise InputError("no target column given: name the 0/1 column to predict with --target",
                         hint=_listing(names))
    if features is None:
        feats = [n for n in names if n != target]
        if not feats:
            raise InputError(f"{_named(source)} has no feature columns: its only column is "
                             f"the target '{clip(str(target))}'")
        return feats, target
    feats = [str(f).strip() for f in features]
    if not feats:
        raise InputError("--features is empty: name at least one column")
    seen: set[str] = set()
    for f in feats:
        if not f:
            raise InputError("--features has an empty name",
                             hint="separate the column names with single commas")
        if f in seen:
            raise InputError(f"--features names '{clip(f)}' twice")
        seen.add(f)
        if f == target:
            raise InputError(f"'{clip(f)}' is the target column; it cannot also be a feature")
        if f not in names:
            raise _unknown(f, names, source, "column")
    return feats, target


def _unknown(name: str, names: list[str], source: str, what: str) -> InputError:
    import difflib

    lower = {n.lower(): n for n in names}
    close = [lower[name.lower()]] if name.lower() in lower else \
        difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f"did you mean '{clip(close[0])}'?" if close else _listing(names)
    if len(names) == 1 and any(c in names[0] for c in "\t;|"):
        hint = (f"the header has one column, '{clip(names[0])}': are the cells separated by "
                "something else than ','? (a file named .tsv is read with tabs)")
    return InputError(f"no {what} '{clip(name)}' in {_named(source)}", hint=hint)


def _listing(names: list[str]) -> str:
    shown = ", ".join(clip(n, 24) for n in names[:_LISTED])
    more = f" … and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
    return f"the columns are {shown}{more}"


# --------------------------------------------------------------------------- the rows


class _Table:
    """The rows after the header, checked for shape, with the file line of each row.

    Without quotes a row is a line and its cells the text between delimiters; the shape
    check (cells per line, line lengths) runs on the bytes in numpy, and a file without
    blank lines goes to the bulk parser as it is, never split into Python strings unless a
    cell is bad. With quotes the csv module reads the records first."""

    def __init__(self, source: str, names: list[str], delimiter: str, header_line: int,
                 data: bytes, start: int, path: str | None = None) -> None:
        self.source, self.names, self.delimiter = source, names, delimiter
        self.path = path  # the file, when it is one (not stdin)
        self.target_column: int | None = None  # its index in the header, for hints
        self.features_given = True  # False: every column is used, text columns too
        self.first = header_line + 1  # the file line of the body's first line
        # the body is data[start:stop]: trailing blank lines go, the last line stays whole
        # (a trailing tab is a cell)
        last = len(data)
        while last > start and data[last - 1] in b" \t\n\r\x0b\x0c":
            last -= 1
        if last <= start:
            raise InputError(f"{_named(source)} has a header but no data rows")
        stop = data.find(b"\n", last)
        self._span = (data, start, len(data) if stop < 0 else stop)
        self._rows: list | None = None
        self._fast = False  # every line a full row: the bulk parser reads the bytes as they are
        self._quoted = data.find(b'"', start, self._span[2]) >= 0
        self.cells: Callable[[object], list[str]] = lambda row: row.split(delimiter)
        if self._quoted:
            self._records(self._text(), len(names))
        else:
            self._lines(len(names))
        if not self.nrows:
            raise InputError(f"{_named(source)} has a header but no data rows")

    def _text(self) -> str:
        data, start, stop = self._span
        return data[start:stop].decode("utf-8")

    @property
    def rows(self) -> list:
        """The rows as text (lines, or csv records as lists of cells); built when needed."""
        if self._rows is None:
            self._rows = self._text().split("\n")
        return self._rows

    def _lines(self, ncols: int) -> None:
        d, k, first = self.delimiter, ncols - 1, self.first
        data, start, stop = self._span
        arr = np.frombuffer(data, dtype=np.uint8, count=stop - start, offset=start)
        ends = _positions(arr, 10)
        n = len(ends) + 1
        if n * ncols > MAX_CELLS:
            raise InputError(f"{_named(self.source)} has {n:,} rows of {ncols} columns, more "
                             f"than the {MAX_CELLS:,} cells gdcli reads")
        lengths = np.diff(ends, prepend=-1, append=len(arr)) - 1
        if lengths.max() > MAX_LINE:
            i = int(np.argmax(lengths > MAX_LINE))
            raise InputError(f"{_named(self.source)}: line {first + i} is longer than "
                             f"{MAX_LINE // 1024} KB")
        if k:
            # k delimiters on every line: exactly k*n of them, line i holding the i-th k
            at = _positions(arr, ord(d))
            if len(at) == k * n:
                block = at.reshape(n, k)
                if (block[1:, 0] > ends).all() and (block[:-1, -1] < ends).all():
                    self._fast = True  # the common case: every line a full row
                    self.lines = np.arange(first, first + n, dtype=np.int64)
                    self.nrows = n
                    return
            odd = np.flatnonzero(np.diff(np.searchsorted(at, ends), prepend=0,
                                         append=len(at)) != k)
        else:
            odd = range(n)
        lines = self._text().split("\n")
        blank = []
        for i in odd:
            if not lines[i].strip():
                blank.append(i)
            elif k:
                self._ragged(first + i, lines[i].count(d) + 1, ncols, lines[i])
        if blank:
            keep = np.ones(n, dtype=bool)
            keep[blank] = False
            kept = np.flatnonzero(keep)
            self._rows = [lines[i] for i in kept]
            self.lines = kept.astype(np.int64) + first
        else:
            self._rows = lines
            self.lines = np.arange(first, first + n, dtype=np.int64)
        self.nrows = len(self._rows)

    def _records(self, body: str, ncols: int) -> None:
        """Quoted cells: records as the csv module reads them (a quoted cell may hold the
        delimiter or span lines); a record's line is the one it starts on."""
        first = self.first
        if (body.count("\n") + 1) * ncols > MAX_CELLS:
            raise InputError(f"{_named(self.source)} has {body.count(chr(10)) + 1:,} lines of "
                             f"{ncols} columns, more than the {MAX_CELLS:,} cells gdcli reads")
        reader = csv.reader(io.StringIO(body), delimiter=self.delimiter, skipinitialspace=True)
        rows, starts, prev = [], [], 0
        try:
            for cells in reader:
                start, prev = prev + 1, reader.line_num
                if len(cells) <= 1 and not "".join(cells).strip():
                    continue  # a blank line
                if len(cells) != ncols:
                    self._ragged(first + start - 1, len(cells), ncols, "".join(cells))
                rows.append(cells)
                starts.append(start)
        except csv.Error as e:
            raise InputError(f"{_named(self.source)}: line {first + reader.line_num - 1}: "
                             f"{e}") from None
        self._rows = rows
        self.lines = np.asarray(starts, dtype=np.int64) + (first - 1)
        self.nrows = len(rows)
        self.cells = lambda row: row

    def _ragged(self, line: int, found: int, ncols: int, text: str) -> None:
        hint = "every row needs one cell per column"
        if "\r" in text:
            hint = "the line holds a carriage return (\\r) that does not end it"
        raise InputError(
            f"{_named(self.source)}: line {line} has {found} cell{'s' * (found != 1)}, "
            f"but the header has {ncols} columns",
            hint=hint,
        )

    def numbers(self, used: list[int]) -> np.ndarray:
        """The used columns, in the order given, as a (rows, len(used)) float64 array;
        the first bad cell (in file order) is an input error."""
        kw: dict = {"comments": None, "quotechar": None, "dtype": np.float64, "ndmin": 2}
        tries: list = []
        if self._fast:  # every line a full row: the file, or the body, as it is
            kw.update(delimiter=self.delimiter, usecols=used, encoding="utf-8")
            if self.path is not None:  # fastest: np.loadtxt reads the file in chunks
                tries.append((self.path, {"skiprows": self.first - 1}))
            data, start, stop = self._span
            tries.append((lambda: io.BytesIO(memoryview(data)[start:stop]), {}))
        elif self._quoted:  # csv records: the used cells joined
            kw.update(delimiter=",")
            tries.append((lambda: [",".join([cells[j] for j in used]) for cells in self.rows],
                          {}))
        else:
            kw.update(delimiter=self.delimiter, usecols=used)
            tries.append((self.rows, {}))
        A = None
        for source, extra in tries:
            try:
                with warnings.catch_warnings():  # ("no data" if the file changed meanwhile)
                    warnings.simplefilter("ignore")
                    A = np.loadtxt(source() if callable(source) else source, **kw, **extra)
            except (ValueError, OSError):  # a bad cell (or the file gone since it was read)
                continue
            if A.shape == (self.nrows, len(used)):
                break
            A = None
        if A is not None and A.shape == (self.nrows, len(used)):
            finite = np.isfinite(A).all(axis=1)
            if finite.all():
                return A
            self._scan(used, start=int(np.argmin(finite)))  # raises at that row
        return self._scan(used)  # raises at the first bad cell

    def _scan(self, used: list[int], start: int = 0) -> np.ndarray:
        """The Python reading of the used cells from row ``start`` on: the reference for
        what a number is (the bulk parser accepts a subset of it)."""
        order = sorted(range(len(used)), key=used.__getitem__)  # left to right in the file
        rows = self.rows
        out = np.empty((len(rows), len(used)), dtype=np.float64)
        for r in range(start, len(rows)):
            cells = self.cells(rows[r])
            for m in order:
                j = used[m]
                v = _number(cells[j])
                if v is None or not math.isfinite(v):
                    raise self._bad_cell(r, j, cells[j], v)
                out[r, m] = v
        return out

    def where(self, r: int, j: int) -> str:
        return (f"{_named(self.source)}: line {int(self.lines[r])}, "
                f"column '{clip(self.names[j])}' ({j + 1})")

    def cell(self, r: int, j: int) -> str:
        return self.cells(self.rows[r])[j].strip()

    def _bad_cell(self, r: int, j: int, text: str, value: float | None) -> InputError:
        t = text.strip()
        if not t:
            return InputError(f"{self.where(r, j)}: the cell is empty",
                              hint="every cell of a feature or the target must be a number")
        if value is not None:
            return InputError(f"{self.where(r, j)}: '{clip(t)}' is not a finite number",
                              hint="fill in or remove the row")
        hint = None
        if "," in t and _number(t.replace(",", ".")) is not None:
            hint = "write the decimal point as '.'"
        elif "_" in t:
            hint = "write numbers without '_'"
        if j == self.target_column:
            hint = "the target must be 0 or 1"
        elif hint is None and not self.features_given:
            hint = ("every column but the target is a feature unless --features lists them; "
                    "leave a text column out that way")
        return InputError(f"{self.where(r, j)}: '{clip(t)}' is not a number", hint=hint)


def _positions(arr: np.ndarray, byte: int, chunk: int = 1 << 20) -> np.ndarray:
    """np.flatnonzero(arr == byte), a chunk at a time: the comparison's temporary is a
    megabyte, not the size of the file (and the chunks stay in the cache)."""
    if len(arr) <= chunk:
        return np.flatnonzero(arr == byte)
    parts = [np.flatnonzero(arr[i : i + chunk] == byte) + i for i in range(0, len(arr), chunk)]
    return np.concatenate(parts)


def _number(text: str) -> float | None:
    """A cell's number (surrounding blanks ignored), or None: what float() reads, but ASCII
    only and without '_' (as np.loadtxt, which reads the good files)."""
    t = text.strip()
    if not t.isascii() or "_" in t:
        return None
    try:
        return float(t)
    except ValueError:
        return None


def _binary(y: np.ndarray, table: _Table, column: int) -> np.ndarray:
    """The target as exact 0.0/1.0 (1.0 and -0.0 are fine); else the first other value."""
    one = y == 1
    ok = one | (y == 0)
    if not ok.all():
        r = int(np.argmin(ok))
        values = np.unique(y)
        hint = None
        if len(values) == 2:
            hint = (f"it has the two values {_show(values[0])} and {_show(values[1])}: "
                    "recode them as 0 and 1")
        raise InputError(f"{table.where(r, column)}: the target must be 0 or 1, not "
                         f"'{clip(table.cell(r, column))}'", hint=hint)
    return one.astype(np.float64)


def _show(v: float) -> str:
    """A float as short as it reads back: 3.5, 2, 1e-05."""
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)
