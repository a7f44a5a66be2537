"""Table writers and reader: formula neutralising, determinism, atomic writes, round trips."""

from __future__ import annotations

import math
import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srma.errors import InputError
from srma.io import read_table, tables, write_csv, write_parquet, write_xlsx
from srma.io.tables import neutralise_formula, restore_formula


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=already", "''=already"),
        ("-0.35", "-0.35"),  # a number, not a formula
        ("+3", "+3"),
        ("1e-5", "1e-5"),
        ("'t Hooft, G", "'t Hooft, G"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_neutralise_and_restore(value: str, written: str) -> None:
    assert neutralise_formula(value) == written
    assert restore_formula(written) == value


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_id": ["a:1", "a:2", "a:3"],
            "title": ["=1+1", "Normal, with comma", None],
            "authors": [["=Evil, A", "Doe, J"], [], ["O'Neil, P"]],
            "year": pd.array([2001, None, 1999], dtype="Int64"),
            "score": [0.5, -1.25, float("nan")],
            "n": [1, -2, 3],
            "flag": [True, False, True],
        }
    )


def test_csv_cells(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_csv(_frame(), path)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == '"record_id","title","authors","year","score","n","flag"'
    assert '"\'=1+1"' in text and '"\'=Evil, A; Doe, J"' in text
    assert ",-1.25,-2," in text  # numbers are neither quoted nor escaped
    back = read_table(path)
    assert back["title"].tolist() == ["=1+1", "Normal, with comma", ""]
    assert back["authors"].tolist() == ["=Evil, A; Doe, J", "", "O'Neil, P"]
    assert back["year"].tolist() == ["2001", "", "1999"]
    raw = read_table(path, unescape=False)
    assert raw["title"].tolist()[0] == "'=1+1"


def test_xlsx_cells_are_text_numbers_numbers(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "t.xlsx"
    write_xlsx(_frame(), path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["B2"].value == "'=1+1" and sheet["B2"].data_type == "s"
    assert sheet["C2"].value == "'=Evil, A; Doe, J"
    assert sheet["E3"].value == -1.25 and sheet["F3"].value == -2
    assert sheet["D3"].value is None
    back = read_table(path)
    assert back["title"].tolist() == ["=1+1", "Normal, with comma", ""]
    assert back["flag"].tolist() == ["True", "False", "True"]


def test_writers_are_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _frame()
    for writer, suffix in ((write_csv, "csv"), (write_parquet, "parquet"), (write_xlsx, "xlsx")):
        writer(frame, tmp_path / f"a.{suffix}")
        writer(frame, tmp_path / f"b.{suffix}")
        assert (tmp_path / f"a.{suffix}").read_bytes() == (tmp_path / f"b.{suffix}").read_bytes()


def test_xlsx_never_uncovers_a_formula(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "t.xlsx"
    write_xlsx(pd.DataFrame({"a": ["\x01=HYPERLINK(1)", "\r\n@x", "ok\rok"]}), path)
    values = [c.value for c in openpyxl.load_workbook(path).active["A"]][1:]
    assert values == ["'=HYPERLINK(1)", "\n@x", "ok\nok"]
    assert all(not str(v).startswith(("=", "+", "-", "@")) for v in values)


def test_xlsx_rows_ending_in_empty_cells(tmp_path: Path) -> None:
    """XLSX leaves empty cells out, so such rows are short: read_table pads them."""
    path = tmp_path / "t.xlsx"
    write_xlsx(pd.DataFrame({"a": ["x", "y"], "b": ["1", None], "c": [None, None]}), path)
    assert read_table(path).to_dict("records") == [
        {"a": "x", "b": "1", "c": ""},
        {"a": "y", "b": "", "c": ""},
    ]


def test_xlsx_has_fixed_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_xlsx(_frame(), path)
    with zipfile.ZipFile(path) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core


def test_parquet_keeps_types_and_has_no_versions(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    frame = _frame()
    write_parquet(frame, path)
    back = pd.read_parquet(path)
    assert back["year"].dtype == "Int64"
    assert [list(a) for a in back["authors"]] == [list(a) for a in frame["authors"]]
    pandas_meta = pq.read_schema(path).metadata[b"pandas"]
    assert b"pandas_version" not in pandas_meta and b"creator" not in pandas_meta
    assert pq.read_metadata(path).row_group(0).column(0).compression == "ZSTD"


@pytest.mark.parametrize("writer", [write_csv, write_parquet, write_xlsx])
def test_failed_write_leaves_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer
) -> None:
    path = tmp_path / "out.file"
    path.write_bytes(b"old contents")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        writer(_frame(), path)
    assert path.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["out.file"]


def test_write_creates_folders_with_normal_permissions(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "t.csv"
    write_csv(_frame(), path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_read_table_errors(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("a,b,a\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="appears twice"):
        read_table(path)
    path.write_text("a,b,c\n1,2,3\n4,5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3.*2 cells"):
        read_table(path)
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_table(path)
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError, match="binary"):
        read_table(path)


def test_read_table_encodings_and_delimiters(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("naam;waarde\nCafé;2\n".encode("cp1252"))
    assert read_table(path).to_dict("records") == [{"naam": "Café", "waarde": "2"}]
    path.write_bytes("a\tb\r\nx\t\r\n".encode("utf-16"))
    assert read_table(path).to_dict("records") == [{"a": "x", "b": ""}]
    path.write_text("a,b\n", encoding="utf-8")
    assert list(read_table(path).columns) == ["a", "b"] and read_table(path).empty


# --------------------------------------------------------------------------- round trips

_XML_SAFE = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_TEXT = st.text(alphabet=_XML_SAFE, max_size=30)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(min_value=0, max_value=6))
    return pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(n)],
            "text": draw(st.lists(st.one_of(st.none(), _TEXT), min_size=n, max_size=n)),
            "items": draw(
                st.lists(
                    st.lists(st.text(alphabet="ab=;- '", min_size=1, max_size=5), max_size=3),
                    min_size=n,
                    max_size=n,
                )
            ),
            "count": np.array(
                draw(st.lists(st.integers(-(2**40), 2**40), min_size=n, max_size=n)),
                dtype="int64",
            ),
            "value": np.array(
                draw(
                    st.lists(
                        st.floats(allow_nan=False, allow_infinity=False, width=32),
                        min_size=n,
                        max_size=n,
                    )
                ),
                dtype="float64",
            ),
        }
    )


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(frames())
def test_parquet_round_trip(frame: pd.DataFrame) -> None:
    with _tmpdir() as folder:
        write_parquet(frame, folder / "t.parquet")
        back = pd.read_parquet(folder / "t.parquet")
    assert back["id"].tolist() == frame["id"].tolist()
    assert [_expected_text(v) for v in back["text"]] == [_expected_text(v) for v in frame["text"]]
    assert back["text"].isna().tolist() == frame["text"].isna().tolist()
    assert [list(a) for a in back["items"]] == [list(a) for a in frame["items"]]
    assert back["count"].tolist() == frame["count"].tolist()
    assert back["value"].tolist() == frame["value"].tolist()


def _expected_text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)


@SETTINGS
@given(frames())
def test_csv_round_trip(frame: pd.DataFrame) -> None:
    with _tmpdir() as folder:
        write_csv(frame, folder / "t.csv")
        back = read_table(folder / "t.csv")
    assert list(back.columns) == list(frame.columns)
    assert back["id"].tolist() == frame["id"].tolist()
    assert back["text"].tolist() == [_expected_text(v) for v in frame["text"]]
    assert back["items"].tolist() == ["; ".join(v) for v in frame["items"]]
    assert [int(v) for v in back["count"]] == frame["count"].tolist()
    assert [float(v) for v in back["value"]] == frame["value"].tolist()


@SETTINGS
@given(frames())
def test_xlsx_round_trip(frame: pd.DataFrame) -> None:
    with _tmpdir() as folder:
        write_xlsx(frame, folder / "t.xlsx")
        back = read_table(folder / "t.xlsx")
    assert back["id"].tolist() == frame["id"].tolist()
    # XML 1.0 cannot hold most control characters (write_xlsx drops them) and
    # turns CR into LF
    expected = [tables._xml_text(_expected_text(v)) for v in frame["text"]]
    assert back["text"].tolist() == expected
    assert back["items"].tolist() == ["; ".join(v) for v in frame["items"]]
    assert [int(v) for v in back["count"]] == frame["count"].tolist()
    # openpyxl writes numbers with '%.16g': 16 significant digits, so a double that
    # needs 17 comes back within one part in 1e15 (Excel itself shows 15 digits)
    assert all(
        math.isclose(float(a), b, rel_tol=1e-15, abs_tol=0)
        for a, b in zip(back["value"], frame["value"], strict=True)
    )


class _tmpdir:
    """A temporary folder (hypothesis and function-scoped tmp_path do not mix)."""

    def __enter__(self) -> Path:
        import tempfile

        self._dir = tempfile.TemporaryDirectory()
        return Path(self._dir.name)

    def __exit__(self, *exc: object) -> None:
        self._dir.cleanup()
