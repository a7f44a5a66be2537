from __future__ import annotations

import pandas as pd

from srma.screening import match_records, normalise_doi, normalise_pmid, normalise_title

WORKS = pd.DataFrame(
    {
        "work_id": ["W1", "W2", "W3", "W4", "W5", "W6"],
        "title": [
            "Illness Management and Recovery: a randomized trial",
            "Färdig R et al. IMR in schizophrenia",
            "Correction to: Illness management and recovery: a randomized trial",
            "Same title, different year",
            "Same title, different year",
            "Psychoeducation &amp; recovery",
        ],
        "year": [2019, 2011, 2020, 2010, 2015, 2018],
        "doi": ["10.1176/appi.ps.201800162", None, "10.1176/appi.ps.2020.1", None, None, None],
        "pmid": [None, "21632729", None, None, None, None],
        "stream": ["databases"] * 6,
    }
)


def test_normalisers():
    assert (
        normalise_doi("https://doi.org/10.1038/S41467-024-48400-3") == "10.1038/s41467-024-48400-3"
    )
    assert normalise_doi("doi: 10.1111/cla.12583.") == "10.1111/cla.12583"
    # Rayyan keeps other RIS tags in the DOI field
    junk = "10.1038/s41598-024-65283-y     LK  - https://utrechtuniversity.on.worldcat.org/x"
    assert normalise_doi(junk) == "10.1038/s41598-024-65283-y"
    assert normalise_doi("no doi here") is None
    assert normalise_doi(float("nan")) is None
    assert normalise_pmid("PMID: 0021632729") == "21632729"
    assert normalise_pmid("21632729.0") == "21632729"
    assert (
        normalise_title("<i>Färdig</i> R: IMR — in Schizophrenia.")
        == "fardig r imr in schizophrenia"
    )
    assert normalise_title("Psychoeducation &amp; recovery") == normalise_title(
        "Psychoeducation & Recovery"
    )


def test_match_by_doi_then_pmid_then_title_and_year():
    records = pd.DataFrame(
        [
            # DOI wins even with a different title
            {"title": "something else", "doi": "https://doi.org/10.1176/APPI.PS.201800162"},
            # PMID
            {"title": "other", "pmid": "21632729"},
            # title + year, spelled differently
            {"title": "ILLNESS MANAGEMENT AND RECOVERY - A RANDOMIZED TRIAL.", "year": "2019"},
            # title only (no year given)
            {"title": "Psychoeducation & Recovery"},
            # two works share the title: the year decides
            {"title": "Same title, different year", "year": "2015"},
            # two works share the title and no year: ambiguous
            {"title": "Same title, different year"},
            # the title matches, the year does not
            {"title": "Psychoeducation and recovery", "year": "1999"},
            {"title": "Psychoeducation & recovery", "year": "1999"},
            # nothing matches / nothing to match
            {"title": "An unrelated paper", "doi": "10.9999/none"},
            {},
        ]
    )
    out = match_records(records, WORKS)
    assert out["work_id"].tolist() == ["W1", "W2", "W1", "W6", "W5", None, None, None, None, None]
    assert out["matched_by"].tolist() == [
        "doi",
        "pmid",
        "title_year",
        "title",
        "title_year",
        None,
        None,
        None,
        None,
        None,
    ]
    problems = out["match_problem"].tolist()
    assert problems[5] == "ambiguous: title matches works W4, W5"
    assert problems[6] == "no work has this DOI, PMID or title"
    assert "year (2018) differs from 1999" in problems[7]
    assert problems[9] == "no DOI, PMID or title to match on"


def test_erratum_is_not_matched_to_the_article():
    rec = pd.DataFrame(
        [{"title": "Illness management and recovery: a randomized trial", "year": "2020"}]
    )
    out = match_records(rec, WORKS)
    # same title as W1 but year 2020: W1 is 2019, the erratum W3 has another title
    assert out["work_id"].tolist() == [None]


def test_ambiguous_doi_is_narrowed_by_title():
    works = pd.DataFrame(
        {
            "work_id": ["A", "B"],
            "title": ["Main article", "Supplement to main article"],
            "year": [2020, 2020],
            "doi": ["10.1000/x", "10.1000/x"],
            "stream": ["databases", "databases"],
        }
    )
    rec = pd.DataFrame([{"doi": "10.1000/X", "title": "Main article"}, {"doi": "10.1000/x"}])
    out = match_records(rec, works)
    assert out["work_id"].tolist() == ["A", None]
    assert out["match_problem"].tolist()[1] == "ambiguous: doi matches works A, B"
