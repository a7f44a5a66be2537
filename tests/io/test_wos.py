"""Web of Science plain text and tab-delimited exports."""

from __future__ import annotations

import pandas as pd

from srma.io.fields import finish_record
from srma.io.wos import parse_wos_plaintext


def test_plaintext_continuations() -> None:
    text = (
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Smith, J\n   Doe, J\n"
        "AF Smith, John\n   Doe, Jane\nTI A title that\n   wraps\nDE one; two;\n   three\n"
        "ID FOUR\nPY 2020\nBP 5\nEP 9\nDI 10.1000/X\nUT WOS:000001\nER\n\n"
        "PT J\nTI Second\nER\n\nEF\n"
    )
    first, second = parse_wos_plaintext(text)
    r, error = finish_record(first.fields)
    assert error is None
    assert (first.line, second.line) == (3, 20)
    assert r["authors"] == ["Smith, John", "Doe, Jane"]  # AF before AU
    assert r["title"] == "A title that wraps"
    assert r["keywords"] == ["one", "two", "three", "FOUR"]
    assert (r["pages"], r["year"], r["doi"]) == ("5-9", 2020, "10.1000/X")
    assert (r["accession"], r["database"]) == ("WOS:000001", "Web of Science")


def test_plaintext_truncated_and_missing_er() -> None:
    entries = parse_wos_plaintext("FN x\nVR 1.0\nPT J\nTI A\nPT J\nTI B\nER\nPT J\nTI C\n")
    assert [e.line for e in entries] == [3, 5, 8]
    assert "before the next record" in entries[0].error
    assert entries[1].error is None
    assert "file ends inside it" in entries[2].error


def test_plaintext_real(load) -> None:
    r = load("wos_plaintext/rispy_example_wos.ris").records.iloc[0]
    assert r["line"] == 3
    assert r["title"] == (
        "Interactions stabilizing the structure of the core light-harvesting complex (LHl) "
        "of photosynthetic bacteria and its subunit (B820)"
    )
    assert list(r["authors"]) == ["Parkes-Loach, PS", "Majeed, AP", "Law, CJ", "Loach, PA"]
    assert (r["doi"], r["pmid"], r["accession"]) == (
        "10.1021/bi049798f",
        "15170338",
        "WOS:000221807500019",
    )
    zoorec = load("wos_plaintext/synthesisr_zoorec.txt").records.iloc[0]
    assert (zoorec["database"], zoorec["accession"]) == (
        "Zoological Record",
        "ZOOREC:ZOOR15512090342",
    )
    assert zoorec["pages"] == "duz039"


def test_tabdelimited_utf16_equals_utf8(load) -> None:
    a = load("wos_tabdelimited/wosfile_wos_tab_delimited_win_utf16.txt")
    b = load("wos_tabdelimited/wosfile_wos_tab_delimited_win_utf8.txt")
    assert (a.encoding, b.encoding) == ("utf-16", "utf-8-sig")
    columns = [c for c in a.records.columns if c not in ("source_id", "record_id")]
    pd.testing.assert_frame_equal(a.records[columns], b.records[columns])
    r = a.records.iloc[0]
    assert (r["line"], r["accession"], r["doi"]) == (
        2,
        "WOS:000220015600001",
        "10.1287/orsc.1030.0054",
    )
    assert list(r["authors"]) == ["Owen-Smith, J", "Powell, WW"]
    assert list(r["keywords"])[:2] == ["knowledge networks", "economic geography"]


def test_plaintext_and_tabdelimited_agree(load) -> None:
    plain = load("wos_plaintext/wosfile_wos_plaintext.txt").records
    tab = load("wos_tabdelimited/wosfile_wos_tab_delimited_win_utf8.txt").records
    for column in ("title", "doi", "accession", "year", "pages", "journal"):
        assert plain[column].tolist() == tab[column].tolist(), column
    assert [list(a) for a in plain["authors"]] == [list(a) for a in tab["authors"]]
