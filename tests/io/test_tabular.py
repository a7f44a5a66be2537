"""CSV, TSV and XLSX exports: header detection, column mapping, per-tool rules."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from srma.errors import InputError
from srma.io import read_export


def row(load, relative: str, index: int = 0) -> dict:
    return load(relative).records.iloc[index].to_dict()


def test_ebsco_formula_cells_page_count_and_database(load) -> None:
    r = row(load, "ebsco_csv/cff_baseline_cinahl.csv")
    assert r["issn"] == "1932-6203"  # '="19326203"'
    assert r["year"] == 2024  # '="4/3/2024"'
    assert r["pages"] == "1-60"  # first page 1, 60 pages
    assert r["database"] == "aph"  # db= in the PLink
    assert (r["accession"], r["doi"]) == ("176404503", "10.1371/journal.pone.0298242")


def test_embase_preamble_rows_are_skipped(load) -> None:
    r = row(load, "embase_csv/cff_baseline_embase.csv")
    assert r["line"] == 5  # 3 preamble rows, the header on line 4
    assert (r["accession"], r["pmid"], r["doi"]) == (
        "L2029880245",
        "38773066",
        "10.1038/s41467-024-48400-3",
    )
    assert list(r["authors"]) == ["Yang Z.", "Jiang B.", "Xu J.", "McNamara M.E."]
    assert (r["issn"], r["pages"], r["language"]) == ("2041-1723", "4063", "English")
    # Emtree terms are comma-separated, with subheadings in parentheses
    assert "keratin (endogenous compound)" in list(r["keywords"])


def test_embase_old_layout_source_cell_and_multiline_cells(load) -> None:
    old = load("embase_csv/asreview_embase.csv").records
    new = load("embase_csv/asreview_embase_newpage.csv").records
    r = old.iloc[0]
    assert (r["journal"], r["year"], r["volume"], r["issue"], r["pages"]) == (
        "Endoscopic Ultrasound",
        2014,
        "3",
        "3",
        "152-160",
    )
    assert list(r["authors"]) == ["Liu R.", "Adler D.G."]
    assert r["doi"] == "10.4103/2303-9027.138783"  # from the Open URL link
    # the newer page writes line breaks inside cells: each record starts 3 lines later
    assert new["line"].tolist() == [2, 5, 8, 11, 14, 17]
    assert new.iloc[0]["abstract"].startswith("TEST\nGastrointestinal tract duplication cysts")
    assert new["title"].tolist() == old["title"].tolist()


def test_embase_xlsx_equals_csv(load) -> None:
    csv_records = load("embase_csv/cff_baseline_embase.csv").records
    xlsx_records = load("embase_csv/cff_baseline_embase.xlsx").records
    columns = [
        c for c in csv_records.columns if c not in ("source_id", "record_id", "format", "raw")
    ]
    pd.testing.assert_frame_equal(csv_records[columns], xlsx_records[columns])


def test_pubmed_csv(load) -> None:
    r = row(load, "pubmed_csv/cff_baseline_pubmed.csv")
    assert list(r["authors"]) == ["Griffin DK", "Larkin DM", "O'Connor RE"]
    assert (r["pmid"], r["doi"], r["year"]) == ("30922926", "10.1016/j.ejmg.2019.03.004", 2020)
    assert (r["volume"], r["issue"], r["pages"]) == ("63", "2", "103640")  # from the citation
    assert r["journal"] == "Eur J Med Genet"


def test_scopus_csv(load) -> None:
    r = row(load, "scopus_csv/cff_baseline_scopus.csv")
    assert list(r["authors"])[:2] == ["Wilson, Lauren N.", "Gardner, Jacob D."]  # ids removed
    assert (r["accession"], r["database"], r["pages"]) == ("2-s2.0-85189760133", "Scopus", "2864")
    assert (r["pmid"], r["journal_abbrev"]) == ("38580657", "Nat. Commun.")
    sample = row(load, "scopus_csv/bibliometrix_scopus_sample.csv")
    assert sample["pmid"] is None or sample["pmid"] != sample["pmid"]  # 'NA'


def test_other_tools(load) -> None:
    r = row(load, "other_csv/bibliometrix_openalex_sample.csv")
    assert (r["accession"], r["doi"]) == ("W2755950973", "10.1016/j.joi.2017.08.007")
    assert list(r["authors"]) == ["Massimo Aria", "Corrado Cuccurullo"]
    r = row(load, "other_csv/bibliometrix_lens_sample.csv")
    assert (r["accession"], r["pmid"], r["issn"]) == (
        "000-360-106-493-122",
        "33251087",
        "2194-5411;2194-5403",
    )
    r = row(load, "other_csv/cff_baseline_cochrane.csv")
    assert (r["accession"], r["pmid"], r["journal"]) == ("CN-00778158", "21314913", "Trials")
    r = row(load, "other_csv/cff_baseline_rayyan.csv")
    assert r["doi"] == "10.1038/s41467-024-48400-3"  # the cell goes on with '     LK  - ...'
    assert list(r["authors"]) == ["Yang, Z.", "Jiang, B.", "Xu, J.", "McNamara, M.E."]  # ' and '
    r = row(load, "other_csv/litstudy_ieee.csv")
    assert (r["pages"], r["issn"], r["year"]) == ("16-26", "1558-366X", 2013)
    r = row(load, "other_csv/cff_baseline_zotero.csv")
    assert (r["journal_abbrev"], r["database"]) == ("Nat. Commun.", "Embase")
    assert r["accession"] is None or r["accession"] != r["accession"]  # Zotero's own key dropped
    r = row(load, "tsv/cff_baseline_refworks.tsv")
    assert list(r["authors"])[:2] == ["van den Hoven", "Smits,Maarten L. J."]  # ',null' removed


def test_header_only_csv_gives_no_records(tmp_path: Path) -> None:
    path = tmp_path / "empty_search.csv"
    path.write_text("Title,Authors,Year,DOI\n", encoding="utf-8")
    result = read_export(path)
    assert result.format == "csv" and result.records.empty


def test_short_row_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(
        'Title,Authors,Year,DOI\nA,"B, C",2001,10.1000/x\n"Cut off,"B', encoding="utf-8"
    )
    with pytest.raises(InputError) as info:
        read_export(path)
    message = str(info.value)
    assert str(path) in message and "line 3" in message and "header has 4" in message
    result = read_export(path, on_error="skip")
    assert len(result.records) == 1
    assert result.rejected["line"].tolist() == [3]


def test_semicolon_delimited_csv(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("Title;Authors;Year\nA study;Smith, J;2020\n", encoding="cp1252")
    (r,) = read_export(path).records.to_dict("records")
    assert (r["title"], list(r["authors"]), r["year"]) == ("A study", ["Smith, J"], 2020)
