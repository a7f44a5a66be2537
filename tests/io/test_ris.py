"""RIS: dialect quirks, field mapping on real exports, and the fast tokenizer
checked against a plain line-by-line reference implementation."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srma.io.fields import finish_record
from srma.io.ris import MULTI_TAGS, USED_TAGS, map_ris_tags, parse_ris

# --------------------------------------------------------------------------- reference

_REF_TAG = re.compile(r"([A-Z][A-Z0-9]{1,3})  -(?: (.*))?$")


def _collect(pairs: list[list[str]]) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for pair in pairs:
        tag = pair[0]
        if tag not in USED_TAGS:
            continue
        if len(pair) == 2:
            values = [pair[1]]
        elif tag in MULTI_TAGS:
            values = pair[1:]
        else:
            values = ["\n".join(pair[1:])]
        for value in values:
            if value and not value.isspace():
                tags.setdefault(tag, []).append(value)
    return tags


def reference_parse(text: str) -> list[tuple[int, str, str | None, dict | None]]:
    """The obvious line-by-line RIS reader: (line, raw, error kind, fields)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[tuple[int, str, str | None, dict | None]] = []
    in_record = False
    start = 0
    pairs: list[list[str]] = []
    orphan: int | None = None
    for i, line in enumerate(lines):
        m = _REF_TAG.match(line)
        if m is None:
            if in_record and pairs:
                pairs[-1].append(line)
            continue
        tag, value = m.group(1), m.group(2) or ""
        if tag == "TY":
            if in_record:
                out.append((start + 1, "\n".join(lines[start:i]), "no ER", None))
            in_record, start, orphan, pairs = True, i, None, [["TY", value]]
        elif tag == "ER":
            if in_record:
                fields = map_ris_tags(_collect(pairs))
                out.append((start + 1, "\n".join(lines[start : i + 1]), None, fields))
                in_record = False
            elif orphan is not None:
                out.append((orphan + 1, "\n".join(lines[orphan : i + 1]), "no TY", None))
                orphan = None
        elif in_record:
            pairs.append([tag, value])
        elif orphan is None:
            orphan = i
    if in_record:
        out.append((start + 1, "\n".join(lines[start:]).rstrip("\n"), "eof", None))
    return out


def _kind(error: str | None) -> str | None:
    if error is None:
        return None
    if "before the next record" in error:
        return "no ER"
    if "no start tag" in error:
        return "no TY"
    assert "file ends inside it" in error
    return "eof"


LINES = st.sampled_from(
    [
        "TY  - JOUR",
        "TY  -  BOOK",
        "ER  - ",
        "ER  -",
        "ER  -  ",
        "AU  - Smith, John",
        "A1  - Doe, J.",
        "KW  - keyword",
        "TI  - A title",
        "T1  - Another title",
        "AB  - An abstract.",
        "N2  - Abstract two",
        "N1  - a note",
        "DO  - 10.1000/xyz",
        "DB  - Embase",
        "SN  - 1234-5678",
        "PMID  - 12345",
        "PY  - 2020",
        "UR  - https://doi.org/10.1/abc",
        "ER then a continuation",
        "continued text",
        "   indented continuation",
        "",
        " ",
        "1.",
        "Record #1 of 2",
        "Provider: X",
        "NL  - Ovid trailer",
        "TY  -JOUR",
        "AU - one space",
    ]
)


@st.composite
def ris_texts(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.one_of(LINES, st.text(max_size=12)), max_size=40))
    ends = draw(
        st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(lines), max_size=len(lines))
    )
    return "".join(line + end for line, end in zip(lines, ends, strict=True))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ris_texts())
def test_fast_tokenizer_matches_reference(text: str) -> None:
    expected = reference_parse(text)
    got = [(e.line, e.raw, _kind(e.error), e.fields) for e in parse_ris(text)]
    assert got == expected


# --------------------------------------------------------------------------- quirks


def _records(text: str) -> list[dict]:
    out = []
    for entry in parse_ris(text):
        assert entry.error is None, entry.error
        values, error = finish_record(entry.fields)
        assert error is None
        out.append(values)
    return out


def test_bare_cr_separates_tags_and_lines_count_universally() -> None:
    text = "TY  - JOUR\r\nTI  - T\rAN  - WOS:1\r\nER  - \r\n\r\nTY  - JOUR\nTI  - U\nER  - \n"
    entries = parse_ris(text)
    assert [e.line for e in entries] == [1, 6]
    first = finish_record(entries[0].fields)[0]
    assert first["accession"] == "WOS:1"
    assert first["title"] == "T"


def test_continuation_lines_are_values_for_multi_tags_and_text_otherwise() -> None:
    text = (
        "TY  - JOUR\nTI  - Title\nKW  - Animals\nHumans\nMice\nDB  - Embase\nMedline\n"
        "AB  - Background: x.\nMethods: y.\n\nER  - \n"
    )
    (record,) = _records(text)
    assert record["keywords"] == ["Animals", "Humans", "Mice"]
    assert record["database"] == "Embase; Medline"
    assert record["abstract"] == "Background: x.\nMethods: y."


def test_a_line_starting_with_er_inside_a_value_does_not_end_the_record() -> None:
    text = "TY  - JOUR\nN2  - first line,\nER then more\nthe end\nER  -\n"
    (record,) = _records(text)
    assert record["abstract"] == "first line,\nER then more\nthe end"


def test_preambles_numbering_and_trailers_are_ignored() -> None:
    text = (
        "Record #1 of 2\nProvider: X\nContent: text/plain\n1.\nTY  -  JOUR\nTI  -  One\nER  -\n"
        "NL  - Ovid trailer\n\nLink to the Ovid Full Text\n2.\nTY  - JOUR\nTI  - Two\nER  - "
    )
    entries = parse_ris(text)
    assert [e.error for e in entries] == [None, None]
    assert [e.line for e in entries] == [5, 12]
    assert [finish_record(e.fields)[0]["title"] for e in entries] == ["One", "Two"]
    assert finish_record(entries[0].fields)[0]["record_type"] == "JOUR"


def test_missing_end_tags_and_start_tags_are_reported_with_lines() -> None:
    text = (
        "TY  - JOUR\nTI  - A\n\nTY  - JOUR\nTI  - B\nER  - \nAU  - Lost, A\nER  - \n"
        "TY  - X\nTI  - C"
    )
    entries = parse_ris(text)
    assert [(e.line, e.error is None) for e in entries] == [
        (1, False),
        (4, True),
        (7, False),
        (9, False),
    ]
    assert "before the next record starts at line 4" in entries[0].error
    assert "no start tag" in entries[2].error and "line 8" in entries[2].error
    assert "file ends inside it" in entries[3].error
    assert entries[3].raw == "TY  - X\nTI  - C"


def test_no_er_between_records_without_blank_line() -> None:
    (a, b) = _records("TY  - JOUR\nTI  - A\nER  -\nTY  - JOUR\nTI  - B\nER  -")
    assert (a["title"], b["title"]) == ("A", "B")


def test_doi_prefixes_and_alternative_places() -> None:
    text = (
        "TY  - JOUR\nDO  - https://dx.doi.org/10.1002/cpp.2398\nER  - \n"
        "TY  - JOUR\nM3  - doi:10.1011/hea0004444\nER  - \n"
        "TY  - JOUR\nL3  - 10.1371/journal.pone.0298242\nER  - \n"
        "TY  - JOUR\nUR  - http://dx.doi.org/10.1002/ar.25520\nER  - \n"
    )
    assert [r["doi"] for r in _records(text)] == [
        "10.1002/cpp.2398",
        "10.1011/hea0004444",
        "10.1371/journal.pone.0298242",
        "10.1002/ar.25520",
    ]


# --------------------------------------------------------------------------- real exports


def row(load, relative: str, index: int = 0) -> dict:
    return load(relative).records.iloc[index].to_dict()


def test_embase_elsevier(load) -> None:
    r = row(load, "ris/embase_elsevier/cff_baseline_embase.ris")
    assert r["title"].startswith("Cellular structure of dinosaur scales")
    assert list(r["authors"])[:2] == ["Yang, Z.", "Jiang, B."]
    assert r["year"] == 2024
    assert r["doi"] == "10.1038/s41467-024-48400-3"
    assert r["pmid"] == "38773066"  # C5
    assert r["accession"] == "L2029880245"  # U2
    assert r["database"] == "Embase; Medline"  # repeated DB
    assert (r["journal"], r["journal_abbrev"]) == ("Nature Communications", "Nat. Commun.")


def test_ovid_medline_pmid_from_link(load) -> None:
    r = row(load, "ris/ovid/citesource_ovid_medline_84.ris", 1)
    assert r["title"] == "Climate Change and Cardiovascular Health: A Systematic Review."
    assert r["pmid"] == "38865135"  # from the L2 link (D=medp ... AN=38865135)
    assert r["doi"] == "10.1001/jamacardio.2024.1321"
    assert r["line"] == 43


def test_ovid_psycinfo_numbered_records(load) -> None:
    result = load("ris/ovid/asreview_ovid_psycinfo.ris")
    r = result.records.iloc[0]
    assert r["line"] == 2  # after the line "1."
    assert r["title"].startswith("The influence of self-criticism on depression symptoms")
    assert r["doi"] == "10.1002/cpp.2398"
    assert r["accession"] == "2019-65183-001"
    assert r["year"] == 2019
    assert r["pages"] is None or r["pages"] != r["pages"]  # 'No' / 'Specified' dropped


def test_apa_psycnet_four_letter_pmid(load) -> None:
    r = row(load, "ris/apa_psycnet/colrev_psycinfo_ris.ris")
    assert r["line"] == 5
    assert (r["pmid"], r["doi"], r["issn"]) == (
        "33355555",
        "10.1011/hea0004444",
        "1999-7777;0222-6666",
    )
    assert r["pages"] == "1023-1095"


def test_cochrane_preamble_and_pubmed_id(load) -> None:
    r = row(load, "ris/cochrane/cff_baseline_cochrane_endnote.ris")
    assert r["line"] == 5
    assert (r["accession"], r["pmid"], r["record_type"]) == ("CN-00778158", "21314913", "JOUR")
    assert r["title"].startswith("The Incredible Years Therapeutic Dinosaur Programme")


def test_ebsco_database_and_doi_in_l3(load) -> None:
    r = row(load, "ris/ebsco/cff_baseline_cinahl_actually_aph.ris")
    assert r["database"] == "aph"
    assert r["doi"] == "10.1371/journal.pone.0298242"
    assert r["issn"] == "1932-6203"  # 'SN  - 19326203'
    assert r["pages"] == "1-60"
    assert list(r["authors"])[1] == "Martínez, Ricardo N."


def test_endnote_untagged_continuations(load) -> None:
    r = row(load, "ris/reference_managers/cff_baseline_endnote.ris")
    assert r["database"] == "Embase; Medline"
    assert list(r["keywords"]) == [
        "article",
        "biostratigraphy",
        "Colorado",
        "dinosaur",
        "nonhuman",
        "tibia",
        "transverse process",
        "Upper Jurassic",
    ]
    assert r["issn"] == "1932-8494;1932-8486"


def test_rayyan_keywords_continuation(load) -> None:
    r = row(load, "ris/rayyan/asreview_rayyan_issue_992.txt")
    assert list(r["keywords"])[:3] == [
        "Health Facility Administration",
        "Joint Commission",
        "Standards",
    ]
    assert len(r["keywords"]) == 13  # 1 tagged line + 12 untagged lines
    assert r["accession"] == "rayyan-264552525"


def test_wos_ris_with_bare_cr(load) -> None:
    result = load("ris/wos/asysd_wos_test.ris")
    r = result.records.iloc[0]
    assert r["accession"] == "WOS:000082252000006"  # after a bare CR
    assert r["database"] == "Web of Science"
    assert r["pages"] == "134-137"
    assert "\n" in r["abstract"]  # the second paragraph starts on a continuation line
    assert r["abstract"].split("\n")[1].startswith("Microangiography was performed")


def test_scopus_reference_lists_do_not_leak(load) -> None:
    r = row(load, "ris/scopus/asreview_scopus.ris")
    assert r["accession"] == "2-s2.0-85074596690"  # EID in the UR link
    assert r["pages"] == "104501"  # C7 article number
    assert "References:" not in r["abstract"]
    assert r["doi"] == "10.1016/j.psyneuen.2019.104501"
    r = row(load, "ris/scopus/cff_baseline_scopus.ris")
    assert r["pmid"] == "38580657"  # C2


def test_pubmed_via_endnote(load) -> None:
    r = row(load, "ris/pubmed_via_endnote/asreview_pubmed_endnote.txt")
    assert r["line"] == 2  # leading blank line
    assert r["pmid"] == "21553931"  # AN with DP NLM
    assert r["pages"] == "349-69"
    assert r["title"].startswith("Boswellia serrata")


def test_edge_cases(load) -> None:
    assert row(load, "ris/edge_cases/rispy_example_bom.ris")["doi"] == "10.1186/s40981-020-0316-0"
    r = row(load, "ris/edge_cases/rispy_example_utf_chars.ris")
    assert r["title"].startswith("Состояние рецепторного аппарата")  # ST: the only title
    assert r["volume"] == "8"  # VO
    r = row(load, "ris/edge_cases/rispy_example_empty_tag.ris")
    assert r["doi"] == "10.1177/2325967120950040"
    assert r["pages"] is None or r["pages"] != r["pages"]  # 'SP  -' with no value
    r = row(load, "ris/edge_cases/rispy_example_starting_newlines.ris")
    assert (r["line"], r["pages"], r["year"]) == (3, "379-423", 1948)
    multiline = load("ris/edge_cases/rispy_example_multiline.ris").records
    assert (
        list(multiline["abstract"])[1:]
        == ["first line,\nER then second line and at the end\nthe last line"] * 2
    )


@pytest.mark.parametrize(
    ("relative", "database"),
    [
        ("ris/ebsco/citesource_ebsco_psycinfo_64.ris", "psyh"),
        ("ris/ovid/cff_baseline_eric_ovid.ris", "ERIC"),
        ("ris/proquest/asreview_proquest_ptsdpubs.ris", "PTSDpubs"),
        ("ris/scopus/synthesisr_scopus.ris", "Scopus"),
    ],
)
def test_database_named_by_the_export_unless_the_caller_names_it(load, relative, database):
    assert row(load, relative)["database"] == database
    given = load(relative, database="My database").records
    assert (given["database"] == "My database").all()
