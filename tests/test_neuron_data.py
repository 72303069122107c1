"""gdcli.neuron.data: reading training data (SPEC §6) — good files, every bad-data error with
its line, column and value, standardization, the shipped sample data, and a round-trip
property (floats written with repr read back bit for bit)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdcli.errors import EXIT_INPUT, InputError
from gdcli.neuron import data
from gdcli.neuron.data import Dataset, load, standardization

SAMPLES = Path(__file__).resolve().parent.parent / "sample_configs"


def write(tmp_path: Path, text: str | bytes, name: str = "d.csv") -> str:
    path = tmp_path / name
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return str(path)


def error(path: str, target: str | None = "y", features=None, **kw) -> InputError:
    with pytest.raises(InputError) as info:
        load(path, target, features, **kw)
    e = info.value
    assert e.exit_code == EXIT_INPUT
    assert "\n" not in e.render()  # one line, no caret: a data error quotes no expression
    return e


def said(e: InputError) -> str:
    """The message as printed (message — hint)."""
    return e.render()


# --------------------------------------------------------------------------- good files


def test_basic(tmp_path):
    d = load(write(tmp_path, "a,b,y\n1,2.5,0\n-3,4e2,1\n"), "y", None)
    assert isinstance(d, Dataset)
    assert d.features == ("a", "b") and d.target == "y"
    assert d.X.dtype == np.float64 and d.X.flags.c_contiguous and d.X.shape == (2, 2)
    assert d.X.tolist() == [[1.0, 2.5], [-3.0, 400.0]]
    assert d.y.dtype == np.float64 and d.y.tolist() == [0.0, 1.0]
    assert d.lines.dtype == np.int64 and d.lines.tolist() == [2, 3]
    assert d.source.endswith("d.csv")


def test_target_not_last_and_feature_order(tmp_path):
    path = write(tmp_path, "y,a,b,c\n1,1,2,3\n0,4,5,6\n")
    d = load(path, "y", None)
    assert d.features == ("a", "b", "c") and d.X.tolist() == [[1, 2, 3], [4, 5, 6]]
    d = load(path, "y", ["c", "a"])
    assert d.features == ("c", "a") and d.X.tolist() == [[3, 1], [6, 4]]
    assert d.X.flags.c_contiguous and d.y.tolist() == [1, 0]


def test_text_columns_not_used_are_ignored(tmp_path):
    path = write(tmp_path, "id,species,x,y\nA-1,setosa,1.5,1\nB#2,virginica (big),2,0\n")
    d = load(path, "y", ["x"])
    assert d.X.tolist() == [[1.5], [2.0]] and d.y.tolist() == [1, 0]
    d = load(path, None, ["x"], need_target=False)  # '#' is not a comment either
    assert d.y is None and d.target is None


def test_crlf_bom_blank_lines_and_whitespace(tmp_path):
    text = "\ufeff a , b ,y \r\n 1 , 2 ,0\r\n\r\n   \r\n3,\t4,1.0\r\n\r\n\r\n"
    d = load(write(tmp_path, text), "y", None)
    assert d.features == ("a", "b")
    assert d.X.tolist() == [[1, 2], [3, 4]] and d.y.tolist() == [0, 1]
    assert d.lines.tolist() == [2, 5]


def test_leading_blank_lines_are_counted(tmp_path):
    d = load(write(tmp_path, "\n\na,y\n1,0\n\n2,1\n"), "y", None)
    assert d.lines.tolist() == [4, 6]
    e = error(write(tmp_path, "\n\na,y\n1,0\n\nx,1\n"))
    assert "line 6, column 'a' (1): 'x' is not a number" in said(e)


def test_old_mac_line_ends(tmp_path):
    d = load(write(tmp_path, "a,y\r1,0\r2,1\r"), "y", None)
    assert d.X.tolist() == [[1], [2]] and d.lines.tolist() == [2, 3]


def test_no_final_newline_and_trailing_tab_cell(tmp_path):
    assert load(write(tmp_path, "a,y\n1,0\n2,1"), "y", None).X.tolist() == [[1], [2]]
    e = error(write(tmp_path, "a\ty\n1\t0\n2\t", "d.tsv"))
    assert "line 3, column 'y' (2): the cell is empty" in said(e)


def test_quoted_cells(tmp_path):
    text = ('id,"name",x,y\n'
            '1,"Smith, J",2.5,1\n'
            '\n'
            '2,"two\nlines",3,0\n'
            '3,plain,"4",1\n')
    d = load(write(tmp_path, text), "y", ["x"])
    assert d.X.tolist() == [[2.5], [3], [4]] and d.y.tolist() == [1, 0, 1]
    assert d.lines.tolist() == [2, 4, 6]  # a record's line is the one it starts on
    e = error(write(tmp_path, text + '4,"a ""q""\nb",x5,1\n'), features=["x"])
    assert "line 7, column 'x' (3): 'x5' is not a number" in said(e)


def test_quoted_numbers_equal_plain(tmp_path):
    plain = load(write(tmp_path, "a,b,y\n1.5,-2,1\n3,4e-3,0\n"), "y", None)
    quoted = load(write(tmp_path, '"a","b","y"\n"1.5",-2,"1"\n3,"4e-3",0\n', "q.csv"), "y", None)
    assert np.array_equal(plain.X, quoted.X) and np.array_equal(plain.y, quoted.y)


def test_tsv(tmp_path):
    d = load(write(tmp_path, "a\tb\ty\n1,5\t2\t1\n", "d.tsv"), "y", ["b"])
    assert d.X.tolist() == [[2]] and d.y.tolist() == [1]
    e = error(write(tmp_path, "a\tb\ty\n1,5\t2\t1\n", "d.tsv"), features=None)
    assert "column 'a' (1): '1,5' is not a number" in said(e)
    assert "decimal point" in said(e)


def test_stdin(tmp_path):
    d = load("-", "y", None, stdin=io.StringIO("a,y\r\n1,0\r\n2,1\r\n"))
    assert d.source == "<stdin>" and d.X.tolist() == [[1], [2]] and d.lines.tolist() == [2, 3]
    binary = io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbfa,y\n1,1\n"), encoding="utf-8")
    assert load("-", "y", None, stdin=binary).X.tolist() == [[1]]
    bad = io.TextIOWrapper(io.BytesIO(b"a,y\n\xff,1\n"), encoding="utf-8")
    e = error("-", stdin=bad)
    assert "<stdin> is not UTF-8 text" in said(e) and "line 2" in said(e)
    assert "<stdin> is empty" in said(error("-", stdin=io.StringIO("")))


def test_predict_without_target(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n3,4\n")
    d = load(path, "y", ["b", "a"], need_target=False)
    assert d.target is None and d.y is None and d.X.tolist() == [[2, 1], [4, 3]]
    d = load(path, None, None, need_target=False)
    assert d.features == ("a", "b") and d.y is None
    with_y = write(tmp_path, "a,b,y\n1,2,1\n", "y.csv")
    d = load(with_y, "y", ["a", "b"], need_target=False)
    assert d.target == "y" and d.y.tolist() == [1]
    d = load(with_y, "y", None, need_target=False)
    assert d.features == ("a", "b")


def test_one_column(tmp_path):
    d = load(write(tmp_path, "x\n1\n\n  \n2\n"), None, None, need_target=False)
    assert d.X.tolist() == [[1], [2]] and d.lines.tolist() == [2, 5]


def test_target_values(tmp_path):
    d = load(write(tmp_path, "a,y\n1,1.0\n2,0.0\n3,-0\n4,1e0\n"), "y", None)
    assert d.y.tolist() == [1, 0, 0, 1] and not np.signbit(d.y).any()


def test_numbers_python_reads_alike(tmp_path):
    d = load(write(tmp_path, "a,y\n+1,0\n.5,1\n5.,0\n-1E-3,1\n"), "y", None)
    assert d.X.ravel().tolist() == [1, 0.5, 5, -0.001]


def test_data_file_is_not_modified(tmp_path):
    path = write(tmp_path, "a,y\r\n1,0\r\n")
    before = Path(path).read_bytes()
    load(path, "y", None)
    assert Path(path).read_bytes() == before


# --------------------------------------------------------------------------- file errors


def test_missing_file(tmp_path):
    write(tmp_path, "a,y\n1,0\n", "train.csv")
    e = error(str(tmp_path / "trian.csv"))
    assert "no such file" in said(e) and "did you mean" in said(e) and "train.csv" in said(e)
    e = error(str(tmp_path / "nothing-like-it.csv"))
    assert "no such file" in said(e) and "did you mean" not in said(e)


def test_directory(tmp_path):
    assert "is a directory" in said(error(str(tmp_path)))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads any file")
def test_unreadable(tmp_path):
    path = write(tmp_path, "a,y\n1,0\n")
    os.chmod(path, 0)
    try:
        assert "permission denied" in said(error(path))
    finally:
        os.chmod(path, 0o644)


def test_unreadable_as_any_user(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(data, "open", refuse, raising=False)
    assert "cannot read 'x.csv': permission denied" in said(error("x.csv"))


def test_stdin_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    e = error("-", stdin=Terminal("a,y\n1,0\n"))
    assert "stdin is a terminal" in said(e)


def test_not_utf8(tmp_path):
    e = error(write(tmp_path, b"a,y\n1,0\ncaf\xe9,1\n"))
    assert "not UTF-8" in said(e) and "0xe9" in said(e) and "line 3" in said(e)
    assert "byte 4 of the line" in said(e)
    e = error(write(tmp_path, "a,y\n1,0\n".encode("utf-16")))
    assert "UTF-16" in said(e)


def test_binary(tmp_path):
    assert "NUL byte on line 2" in said(error(write(tmp_path, b"a,y\n1\x00,0\n")))


@pytest.mark.parametrize("text", ["", "\n\n", "  \r\n\t\n", "\ufeff", "\u00a0\n\u2003"])
def test_empty(tmp_path, text):
    assert "is empty" in said(error(write(tmp_path, text)))


@pytest.mark.parametrize("text", ["a,y", "a,y\n", "a,y\r\n\r\n   \n", '"a","y"\n\n',
                                  "a,y\n\u00a0\n \n"])
def test_header_without_rows(tmp_path, text):
    assert "has a header but no data rows" in said(error(write(tmp_path, text)))


# --------------------------------------------------------------------------- the header


def test_duplicate_names(tmp_path):
    e = error(write(tmp_path, "a,b, a ,y\n1,2,3,0\n"))
    assert "'a' twice (columns 1 and 3)" in said(e)


def test_blank_name(tmp_path):
    e = error(write(tmp_path, "a, ,y\n1,2,0\n"))
    assert "column 2 of the header (line 1) has no name" in said(e)
    e = error(write(tmp_path, "a,y,\n1,0,\n"))
    assert "column 3" in said(e) and "at the end of the header" in said(e)


def test_unknown_columns(tmp_path):
    path = write(tmp_path, "radius,texture,label\n1,2,0\n")
    e = error(path, "labl")
    assert "no target column 'labl'" in said(e) and "did you mean 'label'?" in said(e)
    e = error(path, "LABEL")
    assert "did you mean 'label'?" in said(e)
    e = error(path, "zzz")
    assert "the columns are radius, texture, label" in said(e)
    e = error(path, "label", ["radius", "textur"])
    assert "no column 'textur'" in said(e) and "did you mean 'texture'?" in said(e)


def test_many_columns_listed_briefly(tmp_path):
    names = [f"c{i}" for i in range(40)]
    path = write(tmp_path, ",".join(names) + "\n" + ",".join("0" * 40) + "\n")
    e = error(path, "nothing_like_these")
    assert "… and 28 more" in said(e) and len(said(e)) < 300


def test_wrong_delimiter_hint(tmp_path):
    e = error(write(tmp_path, "a;b;y\n1;2;0\n"))
    assert "something else than ','" in said(e)


def test_feature_list_errors(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,0\n")
    assert "--features is empty" in said(error(path, "y", []))
    assert "'a' twice" in said(error(path, "y", ["a", "b", "a"]))
    assert "'y' is the target column" in said(error(path, "y", ["a", "y"]))
    assert "empty name" in said(error(path, "y", ["a", ""]))
    e = error(path, None)
    assert "no target column given" in said(e) and "--target" in said(e)
    assert "a, b, y" in said(e)
    only = write(tmp_path, "y\n1\n", "only.csv")
    assert "no feature columns" in said(error(only, "y"))


# --------------------------------------------------------------------------- cells


def test_not_a_number(tmp_path):
    text = "radius,texture,y\n" + "1,2,0\n" * 12 + "3,abc,1\n"
    e = error(write(tmp_path, text))
    assert "line 14, column 'texture' (2): 'abc' is not a number" in said(e)


def test_line_numbers_count_blank_lines_and_crlf(tmp_path):
    text = "a,b,y\r\n1,2,0\r\n\r\n \r\n3,4,1\r\n\r\n5,x,0\r\n"
    e = error(write(tmp_path, text))
    assert "line 7, column 'b' (2): 'x' is not a number" in said(e)


@pytest.mark.parametrize("cell", ["nan", "NaN", "-inf", "inf", "Infinity", "1e999", "-1e400"])
def test_not_finite(tmp_path, cell):
    e = error(write(tmp_path, f"a,b,y\n1,2,0\n3,{cell},1\n"))
    assert f"line 3, column 'b' (2): '{cell}' is not a finite number" in said(e)


@pytest.mark.parametrize("cell", ["1_000", "١٢", "１", "0x10", "1.5d3", "1,5", "--1", "1e"])
def test_not_numbers(tmp_path, cell):
    e = error(write(tmp_path, f'a,b,y\n1,2,0\n3,"{cell}",1\n'))
    assert f"line 3, column 'b' (2): '{cell}' is not a number" in said(e)


def test_empty_cell(tmp_path):
    e = error(write(tmp_path, "a,b,y\n1,2,0\n3,,1\n"))
    assert "line 3, column 'b' (2): the cell is empty" in said(e)


def test_first_bad_cell_in_file_order(tmp_path):
    # the bulk parser fails on 'abc' (line 4) but the NaN on line 3 comes first
    e = error(write(tmp_path, "a,b,y\n1,2,0\n3,nan,1\nabc,4,0\n"))
    assert "line 3, column 'b' (2)" in said(e)
    # within a line, the leftmost bad cell in the file, whatever the feature order
    e = error(write(tmp_path, "a,b,y\n1,2,0\nx,z,1\n"), features=["b", "a"])
    assert "line 3, column 'a' (1): 'x'" in said(e)


def test_long_and_hostile_cells_are_shortened(tmp_path):
    long = "9" * 5000 + "x"
    e = error(write(tmp_path, f"a,y\n{long},0\n"))
    assert "line 2, column 'a' (1)" in said(e) and "…" in said(e) and len(said(e)) < 300
    e = error(write(tmp_path, "a,y\n1\x1b[31m,0\n"))
    assert "\x1b" not in said(e) and "line 2" in said(e)


def test_text_column_used_by_default_hints_features(tmp_path):
    e = error(write(tmp_path, "name,x,y\nann,1,0\n"))
    assert "line 2, column 'name' (1): 'ann' is not a number" in said(e)
    assert "--features" in said(e)


# --------------------------------------------------------------------------- shape


def test_ragged_rows(tmp_path):
    e = error(write(tmp_path, "a,b,y\n1,2,0\n1,2\n"))
    assert "line 3 has 2 cells, but the header has 3 columns" in said(e)
    e = error(write(tmp_path, "a,b,y\n1,2,0\n\n1,2,0,4\n"))
    assert "line 4 has 4 cells, but the header has 3 columns" in said(e)
    e = error(write(tmp_path, 'a,b,y\n"1",2,0\n1\n'))  # the csv path
    assert "line 3 has 1 cell, but the header has 3 columns" in said(e)


def test_stray_carriage_return(tmp_path):
    e = error(write(tmp_path, "a,y\n1,0\r2,1\n3,0\n"))
    assert "line 2 has 3 cells" in said(e) and "carriage return" in said(e)


def test_positions_in_chunks():
    rng = np.random.default_rng(1)
    arr = rng.choice(np.frombuffer(b",\n1", dtype=np.uint8), size=1000)
    for chunk in (1, 7, 64, 999, 1000, 5000):
        assert np.array_equal(data._positions(arr, 44, chunk=chunk), np.flatnonzero(arr == 44))


def test_ragged_rows_that_cancel_out(tmp_path):
    # as many delimiters in all as a good file, but not on every line
    e = error(write(tmp_path, "a,b,y\n1,2\n1,2,0,5\n"))
    assert "line 2 has 2 cells" in said(e)


# --------------------------------------------------------------------------- the target


def test_target_not_binary(tmp_path):
    e = error(write(tmp_path, "a,y\n1,0\n2,1\n3,2\n4,1\n"))
    assert "line 4, column 'y' (2): the target must be 0 or 1, not '2'" in said(e)
    e = error(write(tmp_path, "a,y\n1,1\n2,2\n"))
    assert "two values 1 and 2" in said(e)
    e = error(write(tmp_path, "a,y\n1,0.5\n"))
    assert "not '0.5'" in said(e)
    e = error(write(tmp_path, "a,y\n1,yes\n"))
    assert "'yes' is not a number" in said(e) and "the target must be 0 or 1" in said(e)


# --------------------------------------------------------------------------- bounds


def test_line_too_long(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "MAX_LINE", 100)
    e = error(write(tmp_path, "a,y\n1,0\n" + "1" * 101 + ",0\n"))
    assert "line 3 is longer than" in said(e)
    e = error(write(tmp_path, "a" * 101 + ",y\n1,0\n"))
    assert "line 1 (the header) is longer than" in said(e)


def test_too_many_cells(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "MAX_CELLS", 100)
    e = error(write(tmp_path, "a,b,y\n" + "1,2,0\n" * 40))
    assert "more than the 100 cells" in said(e)
    e = error(write(tmp_path, 'a,b,y\n"1",2,0\n' + "1,2,0\n" * 40))
    assert "more than the 100 cells" in said(e)


def test_too_many_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "MAX_BYTES", 1000)
    e = error(write(tmp_path, "a,y\n" + "1,0\n" * 400))
    assert "larger than" in said(e)
    e = error("-", stdin=io.StringIO("a,y\n" + "1,0\n" * 400))
    assert "<stdin> is larger than" in said(e)
    if os.path.exists("/dev/zero"):  # endless: read in chunks up to the bound, then refused
        assert "larger than" in said(error("/dev/zero"))


def test_pipe_is_read_once(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes")
    import threading

    fifo = str(tmp_path / "pipe.csv")
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "w") as f:
            f.write("a,y\n1,0\n2,1\n")

    writer = threading.Thread(target=feed)
    writer.start()
    d = load(fifo, "y", None)  # not read again by the bulk parser (that would block)
    writer.join(5)
    assert d.X.tolist() == [[1], [2]]


# --------------------------------------------------------------------------- standardization


def test_standardization_population_sd():
    X = np.array([[1.0, 10.0], [2.0, 10.5], [4.0, 12.0]])
    means, scales = standardization(X, ["a", "b"])
    assert np.allclose(means, X.mean(axis=0)) and np.allclose(scales, X.std(axis=0, ddof=0))
    assert means.shape == scales.shape == (2,)


def test_constant_feature():
    X = np.array([[1.0, 3.5], [2.0, 3.5]])
    with pytest.raises(InputError) as info:
        standardization(X, ["x0", "x1"])
    assert ("feature 'x1' is constant (every row 3.5): --standardize would divide by 0"
            in info.value.message)
    # a constant column whose computed sd rounds to a tiny non-zero number is still constant
    with pytest.raises(InputError, match="'c' is constant .every row 0.1."):
        standardization(np.full((3, 1), 0.1), ["c"])


def test_spread_not_finite():
    with pytest.raises(InputError, match="'big' cannot be standardized"):
        standardization(np.array([[1e308], [-1e308]]), ["big"])


# --------------------------------------------------------------------------- sample data


def test_breast_cancer_sample():
    d = load(str(SAMPLES / "breast_cancer.csv"), "malignant", None)
    assert d.features == ("mean_radius", "mean_texture", "mean_smoothness")
    assert d.X.shape == (569, 3) and d.lines[0] == 2 and d.lines[-1] == 570
    assert int(d.y.sum()) == 212 and int((d.y == 0).sum()) == 357
    assert d.X[0].tolist() == [17.99, 10.38, 0.1184] and d.y[0] == 1
    means, scales = standardization(d.X, d.features)
    assert np.all(scales > 0)


@pytest.mark.parametrize("name, y", [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]),
                                     ("xor", [0, 1, 1, 0])])
def test_logic_gates(name, y):
    d = load(str(SAMPLES / f"{name}.csv"), "y", None)
    assert d.features == ("x1", "x2") and d.X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert d.y.tolist() == y


# --------------------------------------------------------------------------- round trip


_floats = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=60, deadline=None)
@given(
    table=st.integers(1, 4).flatmap(lambda k: st.lists(
        st.tuples(st.lists(_floats, min_size=k, max_size=k), st.integers(0, 1)),
        min_size=1, max_size=12)),
    crlf=st.booleans(),
    pad=st.sampled_from(["", " ", "\t"]),
    quote=st.booleans(),
)
def test_round_trip_bit_exact(tmp_path_factory, table, crlf, pad, quote):
    k = len(table[0][0])
    end = "\r\n" if crlf else "\n"
    q = '"' if quote else ""
    lines = [",".join([f"x{i}" for i in range(k)] + ["y"])]
    for row, t in table:
        before = " " if q and pad else pad  # blanks before a quote: spaces only (csv)
        lines.append(",".join(f"{before}{q}{v!r}{q}{pad}" for v in row) + f",{t}")
    path = tmp_path_factory.mktemp("rt") / "t.csv"
    path.write_text(end.join(lines) + end, newline="")
    d = load(str(path), "y", None)
    want = np.array([row for row, _ in table], dtype=np.float64)
    assert d.X.shape == want.shape
    assert np.array_equal(d.X.view(np.int64), want.view(np.int64))  # bit for bit, -0.0 too
    assert d.y.tolist() == [float(t) for _, t in table]
    assert d.lines.tolist() == list(range(2, 2 + len(table)))
