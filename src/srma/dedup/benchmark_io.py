"""Labelled de-duplication benchmarks: read their record files, read and write groups.

Two layouts are read into the normalised record table of :mod:`srma.records`:

* **bib-dedupe** ``records_pre_merged.csv``: UTF-8, an ``ID`` column, ``author``
  with names joined by `` and ``, ``title``, ``year``, ``journal`` (or
  ``booktitle``), ``volume``, ``number``, ``pages``, ``doi``, ``abstract``,
  ``ENTRYTYPE``.
* **ASySD** ``labelled_test_set.csv``: cp1252, a numeric ``record_id`` column
  (its id is ``id_`` + 7 digits, as the groups files write it), ``author`` with
  names run together ("Adeli K.Lewis G. F."), ``isbn`` holding ISSNs.  Its gold
  label columns (``label``, ``source``) are not read.

The ``record_id`` of each record is the file's own id, so that groups can be
written with the ids the labels use.  Group files have a header ``merged_ids``
and one group per row, members joined by ``;`` (what ``score.py`` reads).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from srma.errors import InputError
from srma.records import RECORD_COLUMNS, RecordSchema

__all__ = [
    "is_benchmark_csv",
    "read_benchmark_csv",
    "read_groups",
    "score_groups",
    "split_authors",
    "write_groups",
]

_ID_COLUMNS = ("id", "record_id")
_AUTHOR_COLUMNS = ("author", "authors")
# ASySD runs names together: "Adeli K.Lewis G. F." -> split before a capitalised word
_RUN_TOGETHER = re.compile(r"(?<=\.)(?=[A-Z][a-z]|[A-Z]['’][A-Z]|(?:de|van|von|le|la|di|da|du) )")


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _header(path: Path) -> list[str]:
    text = _read_text(path)
    first = next(csv.reader(io.StringIO(text)), [])
    return [c.strip() for c in first]


def is_benchmark_csv(path: str | Path) -> bool:
    """Whether ``path`` is a CSV with the columns of a labelled benchmark's records."""
    p = Path(path)
    if p.suffix.lower() != ".csv" or not p.is_file():
        return False
    cols = {c.lower() for c in _header(p)}
    return bool(cols & set(_ID_COLUMNS)) and "title" in cols and bool(cols & set(_AUTHOR_COLUMNS))


def split_authors(value: str | None) -> list[str]:
    """Split an author field: "A, B and C, D", "A; B" or ASySD's run-together names.

    >>> split_authors("Zuna, R E and Wang, S S")
    ['Zuna, R E', 'Wang, S S']
    >>> split_authors("Adeli K.Lewis G. F.")
    ['Adeli K.', 'Lewis G. F.']
    """
    if value is None:
        return []
    text = re.sub(r"\s+", " ", str(value)).strip()
    if not text:
        return []
    if " and " in text:
        parts = text.split(" and ")
    elif ";" in text:
        parts = text.split(";")
    else:
        parts = _RUN_TOGETHER.split(text)
    return [p.strip() for p in parts if p.strip()]


def _doi_in(*values: str | None) -> str | None:
    """A DOI written in a note or URL field when the DOI field is empty."""
    for v in values:
        m = re.search(r"10\.\d{4,9}/\S+", v or "")
        if m:
            return m.group(0)
    return None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", " ", value).strip()
    return text if text and text != "NA" else None  # R writes a missing value as NA


def read_benchmark_csv(path: str | Path, source_id: str) -> pd.DataFrame:
    """Read a benchmark's record file into a record table (:class:`RecordSchema`).

    Raises
    ------
    InputError
        If the file lacks an id, title or author column, or an id repeats.
    """
    p = Path(path)
    text = _read_text(p)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = {c.strip().lower(): c for c in (reader.fieldnames or [])}
    id_col = next((fields[c] for c in _ID_COLUMNS if c in fields), None)
    author_col = next((fields[c] for c in _AUTHOR_COLUMNS if c in fields), None)
    if id_col is None or author_col is None or "title" not in fields:
        raise InputError(
            "not a benchmark record file",
            file=str(p),
            line=1,
            value=reader.fieldnames,
            hint="a benchmark CSV needs the columns ID (or record_id), title and author",
        )
    asysd = fields.get("record_id") == id_col and "id" not in fields

    def col(*names: str) -> str | None:
        return next((fields[n] for n in names if n in fields), None)

    c_title, c_year = col("title"), col("year")
    c_journal, c_book = col("journal", "container_title", "secondary_title"), col("booktitle")
    c_volume, c_issue, c_pages = col("volume"), col("number", "issue"), col("pages")
    c_doi, c_abstract = col("doi"), col("abstract")
    c_note, c_url = col("note"), col("url")
    c_issn, c_type, c_pmid = col("issn", "isbn"), col("entrytype", "type"), col("pmid")

    rows = []
    seen: dict[str, int] = {}
    start = 2
    for pos, row in enumerate(reader, start=1):
        raw_id = (row.get(id_col) or "").strip()
        rec_id = f"id_{int(raw_id):07d}" if asysd and raw_id.isdigit() else raw_id
        if not rec_id:
            raise InputError("empty record id", file=str(p), line=start, column=id_col)
        if rec_id in seen:
            raise InputError(
                "record id repeated",
                file=str(p),
                line=start,
                column=id_col,
                value=rec_id,
                hint=f"it first appears on line {seen[rec_id]}; every record needs its own id",
            )
        seen[rec_id] = start

        def g(c: str | None, row: dict[str, str | None] = row) -> str | None:
            return _clean(row.get(c)) if c else None

        year = g(c_year)
        m = re.search(r"\d{4}", year or "")
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(
            [row.get(k) or "" for k in reader.fieldnames or []]
        )
        rows.append(
            {
                "source_id": source_id,
                "record_id": rec_id,
                "position": pos,
                "line": start,
                "database": None,
                "format": "benchmark_csv",
                "title": g(c_title),
                "authors": split_authors(row.get(author_col)),
                "year": int(m.group(0)) if m else None,
                "journal": g(c_journal) or g(c_book),
                "journal_abbrev": None,
                "issn": g(c_issn),
                "volume": g(c_volume),
                "issue": g(c_issue),
                "pages": g(c_pages),
                "doi": g(c_doi) or _doi_in(g(c_note), g(c_url)),
                "pmid": g(c_pmid),
                "abstract": g(c_abstract),
                "keywords": [],
                "language": None,
                "record_type": g(c_type),
                "accession": raw_id,
                "raw": out.getvalue(),
            }
        )
        start = reader.line_num + 1
    frame = pd.DataFrame(rows, columns=RECORD_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    return RecordSchema.validate(frame)


def read_groups(path: str | Path) -> list[list[str]]:
    """Groups of a ``merged_ids`` file (header, then one ``;``-joined group per row)."""
    groups = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for row in reader:
            if row and row[0].strip():
                groups.append([m.strip() for m in row[0].split(";") if m.strip()])
    return groups


def write_groups(groups: Iterable[Sequence[str]], path: str | Path) -> None:
    """Write groups of two or more record ids, sorted, as ``score.py`` reads them."""
    lines = sorted(";".join(sorted(g)) for g in groups if len(g) > 1)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write("merged_ids\n")
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for line in lines:
            w.writerow([line])


def score_groups(
    ids: Sequence[str], gold: Iterable[Sequence[str]], pred: Iterable[Sequence[str]]
) -> dict[str, float]:
    """Score predicted groups against gold groups, as the benchmarks' ``score.py`` does.

    A predicted cluster of size *s* spanning *g* gold groups gives *s - g* true
    merges (TP) and *g - 1* false merges (FP); FN = gold removable duplicates - TP.

    >>> score_groups(["a", "b", "c"], [["a", "b"]], [["a", "b", "c"]])["FP"]
    1
    """

    def labels(groups: Iterable[Sequence[str]]) -> dict[str, str]:
        parent: dict[str, str] = {i: i for i in ids}

        def find(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for g in groups:
            for m in g[1:]:
                a, b = find(g[0]), find(m)
                if a != b:
                    parent[b] = a
        return {i: find(i) for i in ids}

    gl, pl = labels(gold), labels(pred)
    clusters: dict[str, list[str]] = {}
    for i in ids:
        clusters.setdefault(pl[i], []).append(i)
    tp = fp = 0
    for members in clusters.values():
        g = len({gl[m] for m in members})
        tp += len(members) - g
        fp += g - 1
    gold_removable = len(ids) - len(set(gl.values()))
    fn = gold_removable - tp
    tn = len(ids) - tp - fp - fn
    sens = tp / (tp + fn) if tp + fn else 1.0
    prec = tp / (tp + fp) if tp + fp else 1.0
    return {
        "records": len(ids),
        "TP": tp,
        "FP": fp,
        "FN": fn,
        "TN": tn,
        "sensitivity": sens,
        "specificity": tn / (tn + fp) if tn + fp else 1.0,
        "precision": prec,
        "f1": 2 * prec * sens / (prec + sens) if prec + sens else 0.0,
    }
