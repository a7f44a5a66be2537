"""The cff_* exports hold the same dinosaur records written by many tools: the
readers must agree on what each record is."""

from __future__ import annotations

import re

import pytest

#: Exports of the same ten Embase records, through different tools.
EMBASE_GROUP = [
    "embase_csv/cff_baseline_embase.csv",
    "embase_csv/cff_baseline_embase.xlsx",
    "ris/embase_elsevier/cff_baseline_embase.ris",
    "other_csv/cff_baseline_rayyan.csv",
    "ris/rayyan/cff_baseline_rayyan.ris",
    "other_csv/cff_baseline_zotero.csv",
    "ris/reference_managers/cff_baseline_zotero.ris",
    "ris/reference_managers/cff_baseline_endnote.ris",
    "ris/reference_managers/cff_baseline_eppireviewer.ris",
    "ris/reference_managers/cff_baseline_mendeley.ris",
    "ris/reference_managers/cff_baseline_refworks.ris",
]
#: Same-database pairs or triples: identical DOI sets.
SAME = [
    EMBASE_GROUP,
    [
        "other_csv/cff_baseline_covidence.csv",
        "ris/covidence/cff_baseline_covidence_endnote.ris",
        "ris/covidence/cff_baseline_covidence_mendeley.ris",
    ],
    ["other_csv/cff_baseline_cochrane.csv", "ris/cochrane/cff_baseline_cochrane_endnote.ris"],
    ["scopus_csv/cff_baseline_scopus.csv", "ris/scopus/cff_baseline_scopus.ris"],
    [
        "ris/other_sources/cff_baseline_lens.ris",
        "ris/reference_managers/cff_baseline_citavi.ris",
        "tsv/cff_baseline_refworks.tsv",
    ],
]
#: (smaller, larger): the smaller export's DOIs are all in the larger one.
SUBSETS = [
    ("ris/ebsco/cff_baseline_cinahl_actually_aph.ris", "ebsco_csv/cff_baseline_cinahl.csv"),
    ("pubmed_csv/cff_baseline_pubmed.csv", "pubmed_nbib/cff_baseline_pubmed_nbib_named_ris.ris"),
]


def _norm(title: str) -> str:
    return re.sub(r"\W+", " ", title).strip().casefold()


def _by_doi(load, relative: str) -> dict[str, tuple]:
    records = load(relative).records
    out = {}
    for doi, title, year, authors in zip(
        records["doi"], records["title"], records["year"], records["authors"], strict=True
    ):
        assert isinstance(doi, str), f"{relative}: record without DOI"
        surname = re.split(r"[,\s]", authors[0])[0] if len(authors) else None
        out[doi.lower()] = (_norm(title), int(year), surname)
    return out


@pytest.mark.parametrize("group", SAME, ids=lambda g: g[0].split("/")[-1])
def test_same_records_same_dois_titles_years(load, group: list[str]) -> None:
    reference = _by_doi(load, group[0])
    assert len(reference) == len(load(group[0]).records)
    for relative in group[1:]:
        other = _by_doi(load, relative)
        assert set(other) == set(reference), relative
        assert {d: v[:2] for d, v in other.items()} == {d: v[:2] for d, v in reference.items()}


def test_embase_group_agrees_on_first_author(load) -> None:
    """Citavi and RefWorks rewrite name particles ('Jong, Ype de'), so only the
    Embase group, where every tool keeps the names as Embase wrote them, is compared."""
    reference = _by_doi(load, EMBASE_GROUP[0])
    for relative in EMBASE_GROUP[1:]:
        assert _by_doi(load, relative) == reference, relative


@pytest.mark.parametrize(("small", "large"), SUBSETS)
def test_subsets(load, small: str, large: str) -> None:
    a = _by_doi(load, small)
    b = _by_doi(load, large)
    assert a and set(a) <= set(b)
    for doi, values in a.items():
        assert b[doi][:2] == values[:2], doi  # title and year


def test_eppi_xlsx_titles_match_its_ris(load) -> None:
    xlsx = load("xlsx/cff_baseline_eppireviewer.xlsx").records
    ris = load("ris/reference_managers/cff_baseline_eppireviewer.ris").records
    assert sorted(xlsx["title"]) == sorted(ris["title"])
    assert sorted(xlsx["year"]) == sorted(ris["year"])


def test_wos_ris_and_plaintext_dialects_of_the_same_record_agree(load) -> None:
    """The WoS RIS and the WoS plain text sample share no records, but the RIS and
    the Zotero BibTeX of the ASySD set do: same first record, same fields."""
    ris = load("ris/wos/asysd_wos_test.ris").records.iloc[0]
    assert ris["title"].startswith("Microangiography of the humeral condyle")
    assert (ris["year"], ris["pages"], ris["issn"], ris["volume"]) == (
        1999,
        "134-137",
        "0932-0814",
        "12",
    )
