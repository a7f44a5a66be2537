"""BibTeX exports (bibtexparser v1, with per-entry fallback)."""

from __future__ import annotations

import re
from pathlib import Path

from srma.io import read_export
from srma.io.bibtex import parse_bibtex
from srma.io.fields import finish_record


def _fields(text: str) -> list[dict]:
    out = []
    for entry in parse_bibtex(text):
        assert entry.error is None, entry.error
        out.append(finish_record(entry.fields)[0])
    return out


def test_latex_strings_comments_and_authors() -> None:
    text = (
        "@comment{ignore me}\n@string{jn = {Journal of Tests}}\n\n"
        "@article{a1,\n  title = {Caf\\'e {\\\"u}ber {DNA} \\& more},\n"
        '  author = {M{\\"u}ller, J. and {World Health Organization and Partners}},\n'
        "  journal = jn, year = 2001, pages = {10--20}, doi = {https://doi.org/10.1000/XY},\n"
        "  keywords = {alpha; beta}\n}\n"
    )
    (record,) = _fields(text)
    assert record["title"] == "Café über DNA & more"
    assert record["authors"] == ["Müller, J.", "World Health Organization and Partners"]
    assert (record["journal"], record["year"], record["pages"]) == (
        "Journal of Tests",
        2001,
        "10-20",
    )
    assert record["doi"] == "10.1000/XY"
    assert record["keywords"] == ["alpha", "beta"]


def test_unclosed_entry_is_reported() -> None:
    entries = parse_bibtex("@article{a, title={A}}\n\n@article{b, title={B},\n author={X")
    assert entries[0].error is None
    assert entries[1].line == 3
    assert "not closed" in entries[1].error


def test_wos_bibtex(load) -> None:
    result = load("bibtex/colrev_web_of_science.bib")
    first, second = (result.records.iloc[i] for i in range(2))
    assert first["line"] == 3  # BOM and blank lines before '@inproceedings{ WOS:...'
    assert (first["accession"], first["database"]) == ("WOS:000223334444221", "Web of Science")
    assert first["doi"] == "10.1007/999-9-999-99999-9_3"  # '\_' unescaped
    assert list(first["authors"]) == ["Writerone, Julia", "Writertwo, Paul"]
    assert first["issn"] == "0111-9119;1111-3333"
    assert second["title"] == "A dummy title's"  # '&apos;'


def test_ebsco_entry_with_unbalanced_braces_is_still_read(load) -> None:
    records = load("bibtex/colrev_ebsco.bib").records
    assert len(records) == 2  # bibtexparser alone drops the second
    assert records.iloc[0]["accession"] == "11111111111111111"  # AN= in the URL
    assert records.iloc[0]["pages"] == "1-10"
    second = records.iloc[1]
    assert (second["title"], list(second["authors"])) == (
        "When sharing fixes prices.",
        ["Tom Cruise"],
    )
    assert second["line"] == 15


def test_scopus_bibtex(load) -> None:
    records = load("bibtex/colrev_scopus.bib").records
    second = records.iloc[1]
    assert (second["database"], second["pages"], second["volume"]) == ("Scopus", "333444", "99")


def test_zotero_prefix(exports_dir: Path, tmp_path: Path) -> None:
    """The first 120 entries of the 1,000-entry Zotero export (the whole file is a slow test)."""
    text = (exports_dir / "bibtex/asysd_zotero_export.bib").read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"(?m)^@", text)]
    path = tmp_path / "zotero.bib"
    path.write_text(text[: starts[120]], encoding="utf-8")
    records = read_export(path).records
    assert len(records) == 120
    r = records.iloc[0]
    assert r["title"] == (
        "Microangiography of the humeral condyle in Cocker Spaniel and non-Cocker Spaniel dogs"
    )
    assert list(r["authors"]) == ["Larsen, LJ", "Roush, JK", "McLaughlin, RM", "Cash, WC"]
    assert (r["year"], r["pages"], r["issn"], r["line"]) == (1999, "134-137", "0932-0814", 2)
    assert list(r["keywords"])[:2] == ["blood supply", "Cocker Spaniels"]
