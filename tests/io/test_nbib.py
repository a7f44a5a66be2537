"""PubMed MEDLINE (.nbib) exports."""

from __future__ import annotations

from srma.io.fields import finish_record
from srma.io.nbib import parse_nbib


def test_continuations_fau_and_doi() -> None:
    text = (
        "PMID- 1\nOWN - NLM\nTI  - A long title that\n      wraps.\nFAU - Smith, John\n"
        "AU  - Smith J\nFAU - Doe, Jane\nAU  - Doe J\nDP  - 2019 Jan\n"
        "LID - S0000(19)30059-X [pii]\nLID - 10.1000/ABC [doi]\nMH  - Humans\nOT  - topic\n\n"
        "PMID- 2\nTI  - Second\nAU  - Roe R\nCN  - A Consortium\n"
    )
    first, second = parse_nbib(text)
    a, error = finish_record(first.fields)
    assert error is None
    assert (first.line, second.line) == (1, 15)
    assert a["title"] == "A long title that wraps."
    assert a["authors"] == ["Smith, John", "Doe, Jane"]
    assert (a["doi"], a["pmid"], a["year"]) == ("10.1000/ABC", "1", 2019)
    assert a["keywords"] == ["Humans", "topic"]
    assert a["database"] == "PubMed"
    b, _ = finish_record(second.fields)
    assert b["authors"] == ["Roe R"]  # AU when there is no FAU


def test_pmid_starts_a_record_even_without_blank_line() -> None:
    entries = parse_nbib("PMID- 1\nTI  - A\nPMID- 2\nTI  - B\n")
    assert [finish_record(e.fields)[0]["title"] for e in entries] == ["A", "B"]


def test_pubmed_export_saved_as_ris(load) -> None:
    result = load("pubmed_nbib/cff_baseline_pubmed_nbib_named_ris.ris")
    assert result.format == "nbib"
    r = result.records.iloc[0]
    assert r["title"] == "Time lapse: A glimpse into prehistoric genomics."
    assert list(r["authors"])[:2] == ["Griffin, Darren K", "Larkin, Denis M"]
    assert (r["year"], r["pmid"], r["doi"]) == (2020, "30922926", "10.1016/j.ejmg.2019.03.004")
    assert r["issn"] == "1878-0849;1769-7212"
    assert (r["journal"], r["journal_abbrev"]) == (
        "European journal of medical genetics",
        "Eur J Med Genet",
    )
    assert r["abstract"].startswith(
        "For the purpose of this review, 'time-lapse' refers to the reconstruction of ancestral"
    )
    assert "\n" not in r["abstract"]  # 6-space hard wraps joined


def test_revtools_pubmed(load) -> None:
    r = load("pubmed_nbib/revtools_restoration_pubmed.nbib").records.iloc[0]
    assert r["line"] == 2  # leading blank line
    assert r["title"].startswith(
        "Ecosystem services changes between 2000 and 2015 in the Loess Plateau, China: A response"
    )
    assert (r["pages"], r["volume"], r["issue"]) == ("e0209483", "14", "1")


def test_eric_in_medline_format(load) -> None:
    r = load("pubmed_nbib/colrev_eric_nbib.nbib").records.iloc[0]
    assert (r["database"], r["accession"], r["doi"]) == ("ERIC", "EJ1131633", "10.1000/123456789")
    assert r["issn"] == "1234-4567"  # 'ISSN - ISSN-1234-4567'
    assert r["abstract"] == "Abstract ..."
