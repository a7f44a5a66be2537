"""The example review's raw exports (data/exports) and their generator (tools/example_data).

These tests read the export files with their own simple splitters, independent of
srma's readers, so they check the data, not the readers.  The last tests run the
files through srma's readers and de-duplicator when those exist.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXPORTS = REPO / "data" / "exports"
TOOL = REPO / "tools" / "example_data"
TRUTH = TOOL / "truth"
SHARED = REPO / ".." / "shared"
REFERENCE = SHARED / "reference"

NOTE = "synthetic record (srma example data)"

#: file -> (source id, stream, number of records)
FILES = {
    "cinahl.ris": ("cinahl", "databases", 144),
    "embase.ris": ("embase", "databases", 188),
    "proquest.ris": ("proquest", "databases", 151),
    "psycinfo.ris": ("psycinfo", "databases", 156),
    "pubmed.nbib": ("pubmed", "databases", 130),
    "scopus.csv": ("scopus", "databases", 164),
    "wos.txt": ("wos", "databases", 160),
    "citation_searching.ris": ("citation_searching", "other_methods", 318),
    "hand_searching.bib": ("hand_searching", "other_methods", 158),
}
DATABASE_FILES = [f for f, v in FILES.items() if v[1] == "databases"]
OTHER_FILES = [f for f, v in FILES.items() if v[1] == "other_methods"]


# --------------------------------------------------------------------------------------
# independent splitters: one text block per record, in file order
# --------------------------------------------------------------------------------------


@functools.cache
def text_of(name: str) -> str:
    return (EXPORTS / name).read_bytes().decode("utf-8-sig")


def split_blocks(lines: list[str], start: re.Pattern[str]) -> list[str]:
    blocks: list[list[str]] = []
    for line in lines:
        if start.match(line):
            blocks.append([])
        if blocks:
            blocks[-1].append(line)
    return ["\n".join(b) for b in blocks]


@functools.cache
def records_of(name: str) -> list[str]:
    """The text of each record of an export file, split on its record marker."""
    text = text_of(name)
    lines = text.replace("\r\n", "\n").split("\n")
    if name.endswith(".ris"):
        return split_blocks(lines, re.compile(r"^TY  - "))
    if name.endswith(".nbib"):
        return split_blocks(lines, re.compile(r"^PMID- "))
    if name == "wos.txt":
        return split_blocks(lines, re.compile(r"^PT "))
    if name.endswith(".bib"):
        return split_blocks(lines, re.compile(r"^@\w+\{"))
    rows = list(csv.reader(io.StringIO(text)))
    return [",".join(r) for r in rows[1:]]


@functools.cache
def truth_records() -> list[dict[str, str]]:
    with open(TRUTH / "records.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@functools.cache
def truth_works() -> dict[str, dict[str, str]]:
    with open(TRUTH / "works.csv", encoding="utf-8", newline="") as fh:
        return {r["work_key"]: r for r in csv.DictReader(fh)}


def included_studies() -> list[dict[str, str]]:
    path = REFERENCE / "included-studies.csv"
    if not path.exists():
        pytest.skip("../shared/reference is not available")
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


DOI_RE = re.compile(r"10\.\d{4,9}/[^\s\"<>,{}]+")


def dois_in(text: str) -> set[str]:
    return {d.rstrip(".;").lower() for d in DOI_RE.findall(text)}


# --------------------------------------------------------------------------------------
# the generator
# --------------------------------------------------------------------------------------


def test_regenerating_gives_byte_identical_files(tmp_path: Path) -> None:
    out, truth = tmp_path / "exports", tmp_path / "truth"
    subprocess.run(
        [sys.executable, str(TOOL / "generate.py"), "--out", str(out), "--truth", str(truth)],
        check=True,
        capture_output=True,
    )
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    for name in FILES:
        assert (out / name).read_bytes() == (EXPORTS / name).read_bytes(), name
    for name in ("records.csv", "works.csv"):
        assert (truth / name).read_bytes() == (TRUTH / name).read_bytes(), name


# --------------------------------------------------------------------------------------
# counts: the paper's PRISMA flow
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FILES))
def test_record_markers_count_the_planned_records(name: str) -> None:
    source, _, expected = FILES[name]
    assert len(records_of(name)) == expected
    truth = [r for r in truth_records() if r["source_id"] == source]
    assert len(truth) == expected
    assert [int(r["position"]) for r in truth] == list(range(1, expected + 1))


def test_marker_counts_by_plain_grep() -> None:
    # a second, even cruder count: lines that open a record
    assert text_of("pubmed.nbib").count("\nPMID- ") == 130
    assert text_of("wos.txt").count("\nER\n") == 160
    assert len(re.findall(r"(?m)^\d+\. $", text_of("psycinfo.ris"))) == 156
    assert len(re.findall(r"(?m)^@", text_of("hand_searching.bib"))) == 158


def test_database_totals_match_prisma() -> None:
    rows = truth_records()
    db = [r for r in rows if r["stream"] == "databases"]
    other = [r for r in rows if r["stream"] == "other_methods"]
    assert len(db) == 1093
    assert len({r["work_key"] for r in db}) == 168  # 925 duplicates removed
    assert len(other) == 476
    assert sum(FILES[f][2] for f in DATABASE_FILES) == 1093
    assert sum(FILES[f][2] for f in OTHER_FILES) == 476


def test_roles_of_the_works_match_prisma() -> None:
    works = truth_works()
    db = [w for w in works.values() if w["stream"] == "databases"]
    other = [w for w in works.values() if w["stream"] == "other_methods"]
    group = Counter(w["role"].split(":")[0] for w in db)
    assert group == {"ta_excluded": 142, "fulltext_excluded": 13, "included": 13}
    group = Counter(w["role"].split(":")[0] for w in other)
    assert group == {"ta_excluded": 286, "fulltext_excluded": 3, "included": 1}
    reasons = Counter(
        w["fulltext_exclusion_reason"]
        for w in works.values()
        if w["role"].startswith("fulltext_excluded")
    )
    assert sum(reasons.values()) == 16
    assert len(reasons) >= 5  # several reasons in use
    assert [w["ref"] for w in other if w["role"].startswith("included")] == ["39"]


def test_other_methods_records_split_as_documented() -> None:
    rows = truth_records()
    works = truth_works()
    db_keys = {k for k, w in works.items() if w["stream"] == "databases"}
    other = [r for r in rows if r["stream"] == "other_methods"]
    dup_of_db = [r for r in other if r["work_key"] in db_keys]
    new = [r for r in other if r["work_key"] not in db_keys]
    assert len(dup_of_db) == 118
    assert len(new) == 358
    assert len({r["work_key"] for r in new}) == 290
    johnson = [r for r in other if r["work_key"] == "ref39"]
    assert {r["source_id"] for r in johnson} == {"citation_searching", "hand_searching"}
    assert not [r for r in rows if r["work_key"] == "ref39" and r["stream"] == "databases"]


def test_truth_tables_agree() -> None:
    works = truth_works()
    per_work = Counter(r["work_key"] for r in truth_records())
    for key, w in works.items():
        assert int(w["n_records"]) == per_work[key], key
    for r in truth_records():
        assert works[r["work_key"]]["role"] == r["role"]


# --------------------------------------------------------------------------------------
# the 14 included studies: real data
# --------------------------------------------------------------------------------------


def test_included_studies_appear_with_their_real_dois() -> None:
    studies = included_studies()
    assert len(studies) == 14
    texts = {name: text_of(name).lower() for name in FILES}
    in_other = 0
    for study in studies:
        doi = study["doi"].lower()
        if not doi:  # Johnson 2007: no DOI, found by citation searching only
            continue
        found_in = [name for name in DATABASE_FILES if doi in texts[name]]
        assert len(found_in) >= 5, (study["study"], found_in)
        in_other += any(doi in texts[name] for name in OTHER_FILES)
    assert in_other >= 10  # records typed from reference lists often lack the DOI


def test_johnson_2007_is_only_in_the_other_methods_files() -> None:
    title = "state psychiatric hospital"
    for name in DATABASE_FILES:
        assert "comparison of illness management and recovery" not in text_of(name).lower()
    for name in OTHER_FILES:
        text = text_of(name).lower().replace("\u2010", "-")
        assert title in text.replace("{", "").replace("}", ""), name


def test_included_titles_and_pages_are_the_papers() -> None:
    paper = REFERENCE / "goh2023-imr-meta-analysis.md"
    if not paper.exists():
        pytest.skip("../shared/reference is not available")
    refs = {}
    for line in paper.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\d+)\. (.*)$", line)
        if m:
            refs[int(m.group(1))] = m.group(2).lower()
    works = truth_works()
    included = [w for w in works.values() if w["role"].startswith("included")]
    assert len(included) == 14
    for w in included:
        ref = refs[int(w["ref"])]
        assert w["title"].lower() in ref, w["ref"]
        assert f"({w['year']})" in ref, w["ref"]
        assert w["is_synthetic"] == "false"


def test_scopus_rows_of_included_studies_carry_the_papers_pages() -> None:
    rows = list(csv.DictReader(io.StringIO(text_of("scopus.csv"))))
    by_doi = {r["DOI"]: r for r in rows if r["DOI"]}
    # Psychiatr Serv (2009) 60:1629-36, Levitt et al.
    levitt = by_doi["10.1176/ps.2009.60.12.1629"]
    assert (levitt["Volume"], levitt["Page start"], levitt["Page end"]) == ("60", "1629", "1636")
    assert levitt["Authors"].startswith("Levitt A.J.; Mueser K.T.")
    assert levitt["Year"] == "2009"
    # Front Psychiatry (2021) 12:723435 has an article number, not pages
    roos = by_doi["10.3389/fpsy.2021.723435"]
    assert (roos["Volume"], roos["Art. No."], roos["Page start"]) == ("12", "723435", "")


# --------------------------------------------------------------------------------------
# synthetic records are marked
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FILES))
def test_synthetic_records_carry_the_note_and_test_dois(name: str) -> None:
    source = FILES[name][0]
    truth = [r for r in truth_records() if r["source_id"] == source]
    real_dois = {w["doi"].lower() for w in truth_works().values() if w["is_synthetic"] == "false"}
    has_note_field = not name.endswith((".csv", ".txt"))
    for record, row in zip(records_of(name), truth, strict=True):
        synthetic = row["is_synthetic"] == "true"
        dois = dois_in(record)
        if synthetic:
            assert all(d.startswith("10.5555/") for d in dois), (name, row["position"], dois)
            if has_note_field:
                assert NOTE in record, (name, row["position"])
        else:
            assert NOTE not in record
            assert dois <= real_dois, (name, row["position"], dois)


@pytest.mark.parametrize("name", list(FILES))
def test_records_of_one_work_never_carry_another_works_doi(name: str) -> None:
    source = FILES[name][0]
    works = truth_works()
    truth = [r for r in truth_records() if r["source_id"] == source]
    for record, row in zip(records_of(name), truth, strict=True):
        own = works[row["work_key"]]["doi"].lower()
        assert dois_in(record) <= ({own} if own else set()), (name, row["position"])


def test_distinct_works_have_distinct_dois() -> None:
    dois = [w["doi"].lower() for w in truth_works().values() if w["doi"]]
    assert len(dois) == len(set(dois))


def test_titles_of_distinct_works_differ_substantially() -> None:
    from rapidfuzz import fuzz, process

    works = list(truth_works().values())
    titles = [w["title"].lower() for w in works]
    scores = process.cdist(titles, titles, scorer=fuzz.token_sort_ratio, workers=1)
    close = [
        (works[i]["work_key"], works[j]["work_key"])
        for i, j in itertools.combinations(range(len(works)), 2)
        if scores[i][j] >= 80
    ]
    # only intended hard cases may come close: the erratum and the real included pairs
    intended = {
        ("w_hc03", "w_hc04"),
        ("ref31", "ref37"),
        ("ref31", "ref42"),
        ("ref40", "ref42"),
        ("ref36", "ref37"),
        ("ref37", "ref42"),
        ("ref36", "ref42"),
        ("ref40", "ref41"),
        ("ref41", "ref42"),
    }
    assert set(close) <= intended, set(close) - intended


# --------------------------------------------------------------------------------------
# the dialects of the real exports
# --------------------------------------------------------------------------------------


def test_byte_order_marks_and_line_endings() -> None:
    raw = {name: (EXPORTS / name).read_bytes() for name in FILES}
    with_bom = {"embase.ris", "scopus.csv", "wos.txt"}
    for name, data in raw.items():
        assert data.startswith(b"\xef\xbb\xbf") == (name in with_bom), name
        if name == "cinahl.ris":
            assert data.count(b"\n") == data.count(b"\r\n") > 0
        else:
            assert b"\r" not in data, name


def test_wos_header_trailer_and_continuation_lines() -> None:
    text = text_of("wos.txt")
    assert text.startswith("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n")
    assert text.endswith("ER\n\nEF\n")
    tags = {line[:2] for line in text.splitlines() if line and not line.startswith("   ")}
    assert {"AU", "AF", "TI", "SO", "PY", "DI", "UT", "ER", "EF"} <= tags
    assert re.search(r"(?m)^AU .*\n   \S", text)  # authors continue on 3-space lines


def test_nbib_layout() -> None:
    text = text_of("pubmed.nbib")
    assert text.startswith("\nPMID- ")
    continuation = [line for line in text.splitlines() if line.startswith(" ")]
    assert continuation and all(re.match(r"^ {6}\S", line) for line in continuation)
    assert text.count("\nFAU - ") == text.count("\nAU  - ") > 0
    for line in text.splitlines():
        assert not line or re.match(r"^([A-Z]{2,4} *- |PMID- | {6})", line), line


def test_ovid_records_are_numbered_in_order() -> None:
    numbers = [int(m) for m in re.findall(r"(?m)^(\d+)\. $", text_of("psycinfo.ris"))]
    assert numbers == list(range(1, 157))


def test_embase_has_embase_and_medline_duplicates() -> None:
    records = records_of("embase.ris")
    medline_only = [r for r in records if "DB  - Medline" in r and "DB  - Embase" not in r]
    both = [r for r in records if "DB  - Medline" in r and "DB  - Embase" in r]
    assert len(medline_only) == 20
    assert both
    assert all("U2  - L" in r and "\nA1  - " in r and "\nT1  - " in r for r in records)


def test_scopus_csv_is_fully_quoted_with_the_scopus_header() -> None:
    text = text_of("scopus.csv")
    header = text.splitlines()[0]
    assert header.startswith('"Authors","Author full names","Author(s) ID","Title","Year"')
    assert header.endswith('"Source","EID"')
    rows = list(csv.reader(io.StringIO(text)))
    assert all(len(r) == len(rows[0]) for r in rows)


def test_bibtex_parses_and_keys_are_unique() -> None:
    import bibtexparser

    db = bibtexparser.loads(text_of("hand_searching.bib"))
    assert len(db.entries) == 158
    keys = [e["ID"] for e in db.entries]
    assert len(keys) == len(set(keys))


def test_duplicates_across_databases_vary_like_real_ones() -> None:
    # Levitt 2009 as several databases write its first author and journal
    texts = {name: text_of(name) for name in FILES}
    assert "AU  - Levitt AJ" in texts["pubmed.nbib"]
    assert "A1  - Levitt A.J." in texts["embase.ris"]
    assert "AU Levitt, AJ" in texts["wos.txt"]
    assert "SO PSYCHIATRIC SERVICES" in texts["wos.txt"]
    assert "TA  - Psychiatr Serv" in texts["pubmed.nbib"]
    assert "JO  - Psychiatr. Serv." in texts["embase.ris"]
    assert "PG  - 1629-36" in texts["pubmed.nbib"]
    assert "Färdig" in texts["pubmed.nbib"] and "Fardig" in texts["wos.txt"]


# --------------------------------------------------------------------------------------
# srma's readers and de-duplicator, once they exist
# --------------------------------------------------------------------------------------


def _read_export():
    io_module = pytest.importorskip("srma.io")
    if not hasattr(io_module, "read_export"):
        pytest.skip("srma.io.read_export does not exist yet")
    return io_module.read_export


@pytest.mark.parametrize("name", list(FILES))
def test_srma_reads_every_record(name: str) -> None:
    read_export = _read_export()
    source, _, expected = FILES[name]
    result = read_export(EXPORTS / name, source_id=source)
    records = result.records
    assert len(records) == expected
    assert list(records["position"]) == list(range(1, expected + 1))


def test_srma_deduplication_reproduces_the_prisma_counts() -> None:
    """Readers + de-duplicator + a careful reviewer's decisions give the paper's numbers.

    The de-duplicator must never merge two distinct works; the pairs it leaves
    uncertain, once a reviewer (simulated from the truth table) decides them, must
    complete its groups into exactly the true works: 1,093 database records -> 168
    works (925 duplicates), 476 other-methods records of 378 works, 290 of them new.
    """
    read_export = _read_export()
    dedup = pytest.importorskip("srma.dedup")
    import pandas as pd

    frames = [read_export(EXPORTS / name, source_id=FILES[name][0]).records for name in FILES]
    records = pd.concat(frames, ignore_index=True)
    streams = {source: stream for source, stream, _ in FILES.values()}
    result = dedup.deduplicate(records, streams=streams)
    work_of = {r["record_id"]: r["work_key"] for r in truth_records()}

    # no two distinct works are ever merged (hard non-duplicates stay apart)
    parent: dict[str, str] = {}
    for ids in result.works["record_ids"]:
        ids = sorted(ids)
        assert len({work_of[i] for i in ids}) == 1, ids
        for i in ids:
            parent[i] = ids[0]

    def root(i: str) -> str:
        while parent[i] != i:
            i = parent[i]
        return i

    # a reviewer says "same" to the uncertain pairs that are one work
    for pair in result.uncertain["pair_id"]:
        a, b = pair.split("|")
        if work_of[a] == work_of[b]:
            parent[root(a)] = root(b)
    groups: dict[str, set[str]] = {}
    for i in work_of:
        groups.setdefault(root(i), set()).add(work_of[i])
    assert all(len(g) == 1 for g in groups.values())
    assert len(groups) == len(set(work_of.values()))  # every true work found, none split
    counts = result.stream_counts.set_index("stream")
    assert counts.loc["databases", "records_identified"] == 1093
    assert counts.loc["other_methods", "records_identified"] == 476
