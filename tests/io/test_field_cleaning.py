"""Field cleaning shared by the readers, decoding and format sniffing."""

from __future__ import annotations

import pytest

from srma.io.detect import sniff_format
from srma.io.encoding import decode_bytes
from srma.io.fields import (
    clean_block,
    clean_doi,
    clean_line,
    clean_pmid,
    doi_from_text,
    extract_issns,
    finish_record,
    join_pages,
    pages_from_count,
    parse_year,
    split_top_level,
)


@pytest.mark.parametrize(
    ("raw", "doi"),
    [
        ("10.1038/s41467-024-48400-3", "10.1038/s41467-024-48400-3"),
        ("https://doi.org/10.1000/ABC.def", "10.1000/ABC.def"),  # case kept
        ("http://dx.doi.org/10.1177/2325967120950040", "10.1177/2325967120950040"),
        ("doi:10.1011/hea0004444", "10.1011/hea0004444"),
        ("DOI: 10.1011/hea0004444", "10.1011/hea0004444"),
        ("10.1016/j.ejmg.2019.03.004 [doi]", "10.1016/j.ejmg.2019.03.004"),
        ("10.1038/x     LK  - https://example.org", "10.1038/x"),
        ("10.1007/999-9\\_3", "10.1007/999-9_3"),
        ("DOI 1", None),
        ("", None),
        ("not a doi", None),
    ],
)
def test_clean_doi(raw: str, doi: str | None) -> None:
    assert clean_doi(raw) == doi


def test_doi_from_urls() -> None:
    url = "http://sfx.example/x?sid=EMBASE&id=doi:10.4103%2F2303-9027.138783&atitle=Dup"
    assert doi_from_text(url) == "10.4103/2303-9027.138783"
    assert doi_from_text(["https://www.embase.com/x", "http://dx.doi.org/10.1002/ar.25520"]) == (
        "10.1002/ar.25520"
    )
    assert doi_from_text("https://example.org/10.1000/not-marked") is None


@pytest.mark.parametrize(
    ("raw", "year"),
    [
        ("2020//", 2020),
        ("1948/07//", 1948),
        ("2024/04/03/", 2024),
        ("4/3/2024", 2024),
        ("2019 Jan", 2019),
        ("SEP", None),
        ("Date of Publication: 1 Dec 2024", 2024),
        ("12345", None),
        ("0999", None),
    ],
)
def test_parse_year(raw: str, year: int | None) -> None:
    assert parse_year(raw) == year


def test_parse_year_takes_candidates_in_order() -> None:
    assert parse_year([None, "SEP", "2018"], "1999") == 2018


def test_issns() -> None:
    assert extract_issns(["1999-7777(Electronic),0222-6666(Print)"]) == "1999-7777;0222-6666"
    assert extract_issns(["19326203", "1932-6203"]) == "1932-6203"
    assert extract_issns(["ISSN-1234-4567"]) == "1234-4567"
    assert extract_issns(["2325-967x"]) == "2325-967X"
    assert extract_issns(["978-1-5386-7150-4", "9798373627394"]) is None  # ISBNs


def test_pages() -> None:
    assert join_pages("152", "160") == "152-160"
    assert join_pages("349-69", "x") == "349-69"
    assert join_pages("e0815", None) == "e0815"
    assert join_pages("No", "Specified") is None
    assert join_pages(" ", "9") == "9"
    assert pages_from_count("1", "60") == "1-60"
    assert pages_from_count("S105", "2") == "S105"


def test_text_cleaning() -> None:
    assert clean_line("  a \t b\n c\x00 ") == "a b c"
    assert clean_line("   ") is None
    assert clean_block("Background: a\n\n  Methods:  b \r\nc") == "Background: a\nMethods: b\nc"
    assert clean_pmid("PUBMED 21314913") == "21314913"
    assert split_top_level("a (b, c), d, e [f, g]") == ["a (b, c)", "d", "e [f, g]"]


def test_finish_record_fills_journal_and_checks_identity() -> None:
    values, error = finish_record({"journal_abbrev": "Nat. Commun.", "title": ["", " A  title "]})
    assert error is None
    assert (values["title"], values["journal"]) == ("A title", "Nat. Commun.")
    _, error = finish_record({"year": "2001", "volume": "3"})
    assert error is not None and "cannot be identified" in error
    values, _ = finish_record({"authors": ["van den Hoven, null", "", "Doe, J"]})
    assert values["authors"] == ["van den Hoven", "Doe, J"]


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("TY  - JOUR\nER  - \n", "ris"),
        ("1.\nTY  - JOUR\nER  -\n", "ris"),
        ("PMID- 1\nOWN - NLM\n", "nbib"),
        ("OWN - ERIC\nTI  - x\nAU  - y\n", "nbib"),
        ("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nER\nEF\n", "wos_plaintext"),
        ("PT\tAU\tTI\tSO\tUT\nJ\tA\tB\tC\tWOS:1\n", "wos_tabdelimited"),
        ("\n\n@article{key,\n title={x}}\n", "bibtex"),
        ('<?xml version="1.0"?><xml><records><record></record></records></xml>', "endnote_xml"),
        ("%0 Journal Article\n%T x\n%A y\n", "endnote_tagged"),
        ('"SEARCH QUERY","x"\n---\n\n"Title","Author Names","DOI"\n"a","b","c"\n', "csv"),
        ("Title\tAuthors\tYear\nx\ty\t2000\n", "tsv"),
        ("Title;Authors;Year\nx;y;2000\n", "csv"),
        ("just some text\n", None),
        ("a,b,c\n1,2,3\n", None),
    ],
)
def test_sniff_format(text: str, fmt: str | None) -> None:
    assert sniff_format(text) == fmt


def test_decode_chain() -> None:
    assert decode_bytes("é".encode()) == ("é", "utf-8")
    assert decode_bytes(b"\xef\xbb\xbf\xc3\xa9") == ("é", "utf-8-sig")
    assert decode_bytes("é".encode("utf-16")) == ("é", "utf-16")
    assert decode_bytes("Müller, für".encode("utf-16-le")) == ("Müller, für", "utf-16-le")
    assert decode_bytes("Café – “x”".encode("cp1252")) == ("Café – “x”", "cp1252")
    # a multi-byte character cut off at the very end (truncated download)
    assert decode_bytes("TY  - é".encode()[:-1]) == ("TY  - ", "utf-8")
