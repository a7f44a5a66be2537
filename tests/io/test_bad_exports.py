"""Bad input files give one clear InputError naming the file (and line), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from srma.errors import InputError
from srma.io import detect_format, read_export

RIS = "TY  - JOUR\nTI  - Café au lait\nAU  - Müller, J\nPY  - 2020\nER  - \n"


def _error(path: Path, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        read_export(path, **kwargs)
    message = str(info.value)
    assert str(path) in message
    return message


@pytest.mark.parametrize("content", [b"", b"   \n\r\n\t", b"\xef\xbb\xbf", b"\xff\xfe"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.ris"
    path.write_bytes(content)
    assert "empty" in _error(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "not found" in _error(tmp_path / "nope.ris")
    assert "directory" in _error(tmp_path)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (bytes(range(256)) * 8, "binary"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04" + b"\x00" * 60, "Excel"),
    ],
)
def test_binary_garbage(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "export.ris"
    path.write_bytes(content)
    assert words in _error(path)


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Dear colleague,\nplease find the search results attached.\n", encoding="utf-8")
    message = _error(path)
    assert "cannot recognise the export format" in message and "line 1" in message
    assert "RIS" in message and "BibTeX" in message  # the hint lists what is supported
    with pytest.raises(InputError):
        detect_format(path)


def test_truncated_ris(tmp_path: Path) -> None:
    path = tmp_path / "cut.ris"
    path.write_text(
        RIS + "TY  - JOUR\nTI  - Second record, cut off by a failed downl", encoding="utf-8"
    )
    message = _error(path)
    assert "line 6" in message and "'ER  -'" in message and "truncated" in message
    result = read_export(path, on_error="skip")
    assert len(result.records) == 1
    rejected = result.rejected.iloc[0]
    assert (rejected["position"], rejected["line"]) == (2, 6)
    assert rejected["raw"].startswith("TY  - JOUR\nTI  - Second record")


def test_record_without_identifying_fields(tmp_path: Path) -> None:
    path = tmp_path / "thin.ris"
    path.write_text(RIS + "TY  - JOUR\nPY  - 2001\nVL  - 3\nER  - \n", encoding="utf-8")
    message = _error(path)
    assert "line 6" in message and "cannot be identified" in message
    result = read_export(path, on_error="skip")
    assert result.records["record_id"].tolist() == ["thin:1"]
    assert result.rejected["position"].tolist() == [2]


def test_every_bad_record_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "many.ris"
    path.write_text("TY  - JOUR\nPY  - 2001\nER  - \n" * 25, encoding="utf-8")
    message = _error(path)
    assert message.count("cannot be identified") == 20  # the first 20 are listed
    assert "and 5 more unreadable records (25 in all)" in message


def test_cp1252_file_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "latin.ris"
    path.write_bytes(RIS.replace("\n", "\r\n").encode("cp1252"))
    result = read_export(path)
    assert result.encoding == "cp1252"
    assert result.records.iloc[0]["title"] == "Café au lait"
    assert list(result.records.iloc[0]["authors"]) == ["Müller, J"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-8-sig"])
def test_utf16_and_bom(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "wide.ris"
    path.write_bytes(RIS.encode(codec))
    result = read_export(path)
    assert result.records.iloc[0]["title"] == "Café au lait"


def test_invalid_utf16_after_bom(tmp_path: Path) -> None:
    path = tmp_path / "bad16.ris"
    path.write_bytes(b"\xff\xfe" + "TY  - JOUR\n".encode("utf-16-le") + b"\x00\xd8\x41")
    assert "not valid utf-16" in _error(path)


def test_format_given_explicitly_but_wrong(tmp_path: Path) -> None:
    path = tmp_path / "really.csv"
    path.write_text("Title,Authors,Year\nA,B,2000\n", encoding="utf-8")
    assert "no RIS records found" in _error(path, format="ris")
    assert "not an Excel" in _error(path, format="xlsx")


def test_bad_source_id(tmp_path: Path) -> None:
    path = tmp_path / "a.ris"
    path.write_text(RIS, encoding="utf-8")
    assert "source id" in _error(path, source_id="Bad Id")


def test_source_id_from_file_name(tmp_path: Path) -> None:
    path = tmp_path / "PubMed 2024-01 (final).ris"
    path.write_text(RIS, encoding="utf-8")
    assert read_export(path).records["record_id"].tolist() == ["pubmed_2024_01_final:1"]


def test_bad_api_arguments_are_programming_errors(tmp_path: Path) -> None:
    path = tmp_path / "a.ris"
    path.write_text(RIS, encoding="utf-8")
    with pytest.raises(ValueError):
        read_export(path, on_error="ignore")
    with pytest.raises(ValueError):
        read_export(path, format="marc21")
