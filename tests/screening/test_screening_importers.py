from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from srma.errors import InputError
from srma.screening import (
    import_asreview,
    import_covidence,
    import_rayyan,
    parse_rayyan_notes,
    resolve,
)
from srma.screening.rules import ScreeningRules

OTHER_CSV = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "exports" / "other_csv"
)

# Columns of a real Rayyan CSV export (/work/shared/.../cff_baseline_rayyan.csv)
RAYYAN_COLUMNS = [
    "key",
    "title",
    "year",
    "month",
    "day",
    "journal",
    "issn",
    "volume",
    "issue",
    "pages",
    "authors",
    "url",
    "language",
    "publisher",
    "location",
    "abstract",
    "notes",
    "doi",
    "keywords",
    "pubmed_id",
    "pmc_id",
]
# Columns of a real Covidence "Export references" CSV (cff_baseline_covidence.csv)
COVIDENCE_COLUMNS = [
    "Title",
    "Authors",
    "Abstract",
    "Published Year",
    "Published Month",
    "Journal",
    "Volume",
    "Issue",
    "Pages",
    "Accession Number",
    "DOI",
    "Ref",
    "Covidence #",
    "Study",
    "Notes",
    "Tags",
]

WORKS = pd.DataFrame(
    {
        "work_id": ["W1", "W2", "W3", "W4"],
        "stream": ["databases", "databases", "other_methods", "databases"],
        "title": [
            "Illness management and recovery for schizophrenia",
            "Recovery-oriented psychoeducation: a trial",
            "Hand-searched report on IMR",
            "Wellness recovery action planning",
        ],
        "year": [2019, 2016, 2007, 2014],
        "doi": ["10.1176/appi.ps.201800162", "10.1111/jocn.13712", None, None],
        "pmid": [None, None, None, "24567890"],
    }
)


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def test_parse_rayyan_notes():
    text = (
        'RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Excluded"} | RAYYAN-LABELS: RCT,adults '
        "| RAYYAN-EXCLUSION-REASONS: wrong population,__EXR__foreign language "
        '| USER-NOTES: {"Bob"=>["check the protocol"]}'
    )
    notes = parse_rayyan_notes(text)
    assert notes.inclusion == {"Alice": "Included", "Bob": "Excluded"}
    assert notes.exclusion_reasons == ["wrong population", "foreign language"]
    assert notes.labels == ["RCT", "adults"]
    assert notes.user_notes == '{"Bob"=>["check the protocol"]}'
    assert parse_rayyan_notes("").inclusion == {}
    assert parse_rayyan_notes('<p>RAYYAN-INCLUSION: {"A"=>"Maybe"}</p>').inclusion == {"A": "Maybe"}


def rayyan_rows() -> list[dict]:
    return [
        {  # row 2: matched by DOI (with Rayyan's junk after it); two reviewers agree
            "key": "rayyan-1",
            "title": "IMR for schizophrenia (a different spelling)",
            "year": "2019",
            "doi": "10.1176/appi.ps.201800162     LK  - https://example.org/link",
            "notes": 'RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Maybe"}',
        },
        {  # row 3: matched by title + year; both exclude with record-level reasons
            "key": "rayyan-2",
            "title": "Recovery-Oriented Psychoeducation: A Trial.",
            "year": "2016",
            "notes": 'RAYYAN-INCLUSION: {"Alice"=>"Excluded", "Bob"=>"Excluded"} | '
            "RAYYAN-EXCLUSION-REASONS: wrong population,wrong outcome | RAYYAN-LABELS: adults",
        },
        {  # row 4: matched by PMID; not screened yet
            "key": "rayyan-3",
            "title": "Wellness recovery action planning",
            "pubmed_id": "24567890",
            "notes": "",
        },
        {  # row 5: conflict
            "key": "rayyan-4",
            "title": "Hand-searched report on IMR",
            "year": "2007",
            "notes": 'RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Excluded"}',
        },
    ]


def test_import_rayyan(tmp_path):
    path = write_csv(tmp_path / "rayyan.csv", RAYYAN_COLUMNS, rayyan_rows())
    imported = import_rayyan(path, WORKS)
    log = imported.log
    got = [
        [w, r, d, None if pd.isna(x) else x, n]
        for w, r, d, x, n in log[["work_id", "reviewer", "decision", "reason", "row"]].values
    ]
    assert got == [
        ["W1", "Alice", "include", None, 2],
        ["W1", "Bob", "maybe", None, 2],
        ["W2", "Alice", "exclude", "wrong population; wrong outcome", 3],
        ["W2", "Bob", "exclude", "wrong population; wrong outcome", 3],
        ["W3", "Alice", "include", None, 5],
        ["W3", "Bob", "exclude", None, 5],
    ]
    assert (log["stage"] == "title_abstract").all()
    assert log.loc[log["work_id"] == "W2", "note"].iloc[0] == "labels: adults"
    assert imported.unmatched.empty
    assert imported.consensus.empty
    # the imported log feeds the rules like any other log
    res = resolve(log, WORKS, rules=ScreeningRules(allow_pending=True))
    ta = res.final("title_abstract").set_index("work_id")["basis"].to_dict()
    assert ta == {"W1": "agreement", "W2": "agreement", "W3": "conflict", "W4": "missing"}


def test_unmatched_rayyan_record_is_reported_with_its_row(tmp_path):
    rows = rayyan_rows() + [
        {
            "key": "rayyan-9",
            "title": "Not in the review",
            "year": "2001",
            "notes": 'RAYYAN-INCLUSION: {"Alice"=>"Excluded"}',
        },
        {"key": "rayyan-10", "title": "Also not in the review", "notes": ""},
    ]
    path = write_csv(tmp_path / "rayyan.csv", RAYYAN_COLUMNS, rows)
    with pytest.raises(InputError) as err:
        import_rayyan(path, WORKS)
    (problem,) = err.value.problems  # the undecided record does not stop the import
    assert problem.row == 6 and problem.file == str(path)
    assert "rayyan-9" in problem.message and problem.value == "Not in the review"
    imported = import_rayyan(path, WORKS, on_unmatched="report")
    um = imported.unmatched
    assert um[["row", "record", "has_decision"]].values.tolist() == [
        [6, "rayyan-9", True],
        [7, "rayyan-10", False],
    ]
    assert len(imported.log) == 6


def test_rayyan_full_text_exclusion_needs_a_reason(tmp_path):
    rows = [
        {
            "key": "k",
            "title": "Hand-searched report on IMR",
            "year": "2007",
            "notes": 'RAYYAN-INCLUSION: {"Alice"=>"Excluded"}',
        },
        {
            "key": "k2",
            "title": "Wellness recovery action planning",
            "year": "2014",
            "notes": 'RAYYAN-INCLUSION: {"Alice"=>"Undecided"}',
        },
    ]
    path = write_csv(tmp_path / "r.csv", RAYYAN_COLUMNS, rows)
    with pytest.raises(InputError) as err:
        import_rayyan(path, WORKS, stage="full_text")
    msgs = [(p.row, p.message) for p in err.value.problems]
    assert msgs[0] == (2, "record 'k' is excluded at full text without a reason")
    assert msgs[1][0] == 3 and "unknown Rayyan decision 'Undecided'" in msgs[1][1]


def test_not_a_rayyan_export(tmp_path):
    path = write_csv(tmp_path / "x.csv", ["Title", "Notes2"], [{"Title": "x"}])
    with pytest.raises(InputError, match="has no column 'notes'"):
        import_rayyan(path, WORKS)


def test_import_covidence_lists(tmp_path):
    excluded = write_csv(
        tmp_path / "covidence_fulltext_excluded.csv",
        COVIDENCE_COLUMNS,
        [
            {
                "Title": "Illness management and recovery for schizophrenia",
                "DOI": "10.1176/appi.ps.201800162",
                "Published Year": "2019",
                "Covidence #": "#1",
                "Study": "Muralidharan 2019",
                "Notes": "Exclusion reason: Wrong comparator; ",
                "Tags": "RCT",
            },
            {
                "Title": "Recovery-oriented psychoeducation: a trial",
                "Published Year": "2016",
                "Covidence #": "#2",
                "Notes": "",
            },
        ],
    )
    with pytest.raises(InputError) as err:
        import_covidence(excluded, WORKS, stage="full_text", decision="exclude")
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "notes")]

    ok = write_csv(
        tmp_path / "covidence_ft_excluded_ok.csv",
        COVIDENCE_COLUMNS,
        [
            {
                "Title": "x",
                "DOI": "10.1176/appi.ps.201800162",
                "Covidence #": "#1",
                "Notes": "Exclusion reason: Wrong comparator; ",
                "Tags": "RCT",
            },
        ],
    )
    imported = import_covidence(ok, WORKS, stage="full_text", decision="exclude")
    cons = imported.consensus
    assert cons[["work_id", "stage", "decision", "reason", "note"]].values.tolist() == [
        ["W1", "full_text", "exclude", "Wrong comparator", "tags: RCT"]
    ]
    assert imported.log.empty
    # single-reviewer mode: log rows of that reviewer instead
    single = import_covidence(ok, WORKS, stage="full_text", decision="exclude", reviewer="ann")
    assert single.log[["work_id", "reviewer", "decision"]].values.tolist() == [
        ["W1", "ann", "exclude"]
    ]
    with pytest.raises(InputError, match="unknown decision 'irrelevant'"):
        import_covidence(ok, WORKS, stage="title_abstract", decision="irrelevant")


def test_import_asreview(tmp_path):
    path = write_csv(
        tmp_path / "asreview.csv",
        ["record_id", "title", "abstract", "doi", "year", "included", "asreview_time"],
        [
            {
                "record_id": "0",
                "title": "x",
                "doi": "10.1111/jocn.13712",
                "included": "1",
                "asreview_time": "2024-05-02 10:00:00",
            },
            {
                "record_id": "1",
                "title": "Hand-searched report on IMR",
                "year": "2007",
                "included": "0",
            },
            {"record_id": "2", "title": "Wellness recovery action planning", "included": ""},
            {"record_id": "3", "title": "Unknown paper", "included": "1"},
        ],
    )
    with pytest.raises(InputError) as err:
        import_asreview(path, WORKS, reviewer="alice")
    assert [p.row for p in err.value.problems] == [5]
    imported = import_asreview(path, WORKS, reviewer="alice", on_unmatched="report")
    log = imported.log
    assert log[["work_id", "reviewer", "decision", "row"]].values.tolist() == [
        ["W2", "alice", "include", 2],
        ["W3", "alice", "exclude", 3],
    ]
    assert log["time"].iloc[0] == pd.Timestamp("2024-05-02 10:00")
    assert imported.unmatched["record"].tolist() == ["3"]


def test_asreview_label_column_variants_and_bad_label(tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        ["title", "asreview_label"],
        [
            {"title": "Hand-searched report on IMR", "asreview_label": "1.0"},
            {"title": "Wellness recovery action planning", "asreview_label": "yes"},
        ],
    )
    with pytest.raises(InputError, match="unknown ASReview label 'yes'") as err:
        import_asreview(path, WORKS, reviewer="bob")
    assert err.value.problems[0].row == 3


# ----------------------------------------------------------------- real exports (shared)


@pytest.fixture(scope="module")
def cff_works() -> pd.DataFrame:
    path = OTHER_CSV / "cff_baseline_covidence.csv"
    if not path.exists():
        pytest.skip("../shared is not beside the repository")
    cov = pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.DataFrame(
        {
            "work_id": [f"W{i:02d}" for i in range(len(cov))],
            "stream": "databases",
            "title": cov["Title"],
            "year": cov["Published Year"],
            "doi": cov["DOI"],
        }
    )


def test_real_rayyan_export_against_works_from_the_covidence_export(cff_works):
    # The Rayyan and Covidence files are exports of overlapping, not identical, record
    # sets: 8 of the 10 Rayyan records are in the Covidence file.
    path = OTHER_CSV / "cff_baseline_rayyan.csv"
    with pytest.raises(InputError) as err:
        import_rayyan(path, cff_works)
    assert [p.row for p in err.value.problems] == [4, 7]  # Maybe and Excluded, unmatched
    imported = import_rayyan(path, cff_works, on_unmatched="report")
    log = imported.log
    # Emily's decisions on the matched records
    assert log[["row", "reviewer", "decision"]].values.tolist() == [
        [2, "Emily", "include"],
        [3, "Emily", "include"],
        [5, "Emily", "maybe"],
        [6, "Emily", "exclude"],
    ]
    assert imported.unmatched[["row", "has_decision"]].values.tolist() == [[4, True], [7, True]]
    # matched by DOI despite Rayyan's "     LK  - ..." tail in the DOI field
    works = cff_works.set_index("work_id")
    assert works.loc[log["work_id"].iloc[0], "doi"] == "10.1038/s41467-024-48400-3"
    assert works.loc[log["work_id"].iloc[1], "title"].startswith("Erratum: Author Correction")


def test_real_covidence_export(cff_works):
    imported = import_covidence(
        OTHER_CSV / "cff_baseline_covidence.csv",
        cff_works,
        stage="title_abstract",
        decision="include",
    )
    assert len(imported.consensus) == 10
    assert imported.consensus["work_id"].tolist() == cff_works["work_id"].tolist()
