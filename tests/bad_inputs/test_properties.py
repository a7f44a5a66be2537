"""Property tests: whatever a user's file holds, every reader returns a valid table or raises
srma's InputError -- never another exception -- and what srma writes, it reads back.

tests/io/test_io_properties.py throws arbitrary bytes and export-shaped fragments at
``read_export``.  Here: every export format is *mutated* from a small valid file (bytes
cut, inserted, replaced; the file truncated), so that the fuzzing starts deep inside each
parser; and the same holds for ``read_table``, the screening readers (then ``resolve``),
the extraction tables (then the effect sizes), the de-duplication decisions, the
configuration and ``srma pool``.  Where a stage succeeds, its conservation check
(:mod:`srma.conservation`) must hold too.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srma.conservation import check_effects, check_import, check_records, check_screening
from srma.errors import InputError
from srma.io import ImportResult, read_export
from srma.io.tables import (
    XLSX_MAX_CELL,
    neutralise_formula,
    read_table,
    write_csv,
    write_parquet,
    write_xlsx,
)
from srma.records import RecordSchema
from tests.bad_inputs.corpus import (
    CORPUS,
    EXTRACTION_BASE,
    SCREENING_BASE,
    dedup_records,
    extraction_settings,
)

# Example counts keep this file near 30 s on 2 shared cores.  To dig deeper, multiply them:
# SRMA_FUZZ_SCALE=20 pytest tests/bad_inputs/test_properties.py
SCALE = max(1, int(os.environ.get("SRMA_FUZZ_SCALE", "1")))
SETTINGS = settings(max_examples=50 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
FEW = settings(max_examples=25 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))

#: A small valid file of every export format (each read as two records).
SEEDS: dict[str, bytes] = {
    "ris": b"TY  - JOUR\nTI  - Illness management and recovery\nAU  - Mueser, Kim T.\n"
    b"PY  - 2002\nDO  - 10.5555/x.1\nER  - \n\nTY  - JOUR\nTI  - Recovery colleges\n"
    b"AU  - Perkins, R\nPY  - 2018\nKW  - recovery\nER  - \n",
    "nbib": b"PMID- 99000001\nOWN - NLM\nTI  - Illness management and recovery: a review.\n"
    b"FAU - Mueser, Kim T\nAU  - Mueser KT\nDP  - 2002\nAB  - A long abstract that\n"
    b"      wraps onto a second line.\nSO  - Psychiatr Serv. 2002;53(10):1272-84.\n\n"
    b"PMID- 99000002\nTI  - Recovery colleges.\nAU  - Perkins R\nDP  - 2018\n"
    b"SO  - Ment Health Rev J. 2018.\n",
    "wos_plaintext": b"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Mueser, KT\n"
    b"TI Illness management and recovery\n   a review\nSO PSYCHIATRIC SERVICES\nPY 2002\n"
    b"UT WOS:000000000000001\nER\n\nPT J\nAU Perkins, R\nTI Recovery colleges\nPY 2018\n"
    b"UT WOS:000000000000002\nER\n\nEF\n",
    "wos_tabdelimited": b"PT\tAU\tTI\tSO\tPY\tDI\tUT\nJ\tMueser, KT\tIllness management and "
    b"recovery\tPSYCHIATRIC SERVICES\t2002\t10.5555/x.1\tWOS:000000000000001\nJ\tPerkins, R\t"
    b"Recovery colleges\tMHRJ\t2018\t\tWOS:000000000000002\n",
    "bibtex": b"@article{mueser2002,\n  title = {Illness management and {Recovery}},\n"
    b"  author = {Mueser, Kim T. and Gingerich, Susan},\n  year = {2002},\n"
    b"  journal = {Psychiatric Services},\n  pages = {1272--1284}\n}\n\n@misc{perkins2018,\n"
    b"  title = {Recovery colleges},\n  author = {Perkins, Rachel},\n  year = 2018\n}\n",
    "endnote_xml": b'<?xml version="1.0" encoding="UTF-8"?><xml><records><record>'
    b'<ref-type name="Journal Article">17</ref-type><contributors><authors><author>Mueser, '
    b"Kim T.</author></authors></contributors><titles><title>Illness management and recovery"
    b"</title><secondary-title>Psychiatric Services</secondary-title></titles><dates><year>"
    b"2002</year></dates><electronic-resource-num>10.5555/x.1</electronic-resource-num>"
    b'</record><record><ref-type name="Journal Article">17</ref-type><titles><title>Recovery '
    b"colleges</title></titles><dates><year>2018</year></dates></record></records></xml>\n",
    "endnote_tagged": b"%0 Journal Article\n%T Illness management and recovery\n"
    b"%A Mueser, Kim T.\n%D 2002\n%J Psychiatric Services\n\n%0 Journal Article\n"
    b"%T Recovery colleges\n%A Perkins, Rachel\n%D 2018\n",
    "csv": b'Authors,Title,Year,Source title,DOI\n"Mueser K.T.","Illness management and '
    b'recovery","2002","Psychiatric Services","10.5555/x.1"\n"Perkins R.","Recovery colleges",'
    b'"2018","MHRJ",""\n',
    "tsv": b"Title\tAuthors\tYear\tDOI\nIllness management and recovery\tMueser K\t2002\t"
    b"10.5555/x.1\nRecovery colleges\tPerkins R\t2018\t\n",
}
#: Bytes that mean something to some reader: delimiters, quotes, markup, encodings.
SPICE = [
    b"\n", b"\r", b"\r\n", b"\t", b",", b";", b'"', b"'", b"{", b"}", b"@", b"%", b"<", b">",
    b"&", b"&amp;", b"<record>", b"</record>", b"ER  - \n", b"TY  - JOUR\n", b"PMID- 1\n",
    b"ER\n", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xe9", b"\xc3\xa9", b"\xf0\x9f\x98",
    b"=cmd|' /C calc'!A0", b"1e309", b"-", b"  ", b"\\",
]  # fmt: skip


def _xlsx_seed() -> bytes:
    from srma.io.tables import xlsx_bytes

    frame = pd.DataFrame(
        {"Title": ["Illness management", "Recovery colleges"], "Authors": ["Mueser K", "Perkins R"]}
    )
    frame["Year"] = [2002, 2018]
    return xlsx_bytes(frame)


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with a few random edits: slices deleted, bytes inserted or replaced, cut."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "truncate"]))
        at = draw(st.integers(0, len(data)))
        if kind == "truncate":
            del data[at:]
            continue
        size = draw(st.integers(0, 12))
        piece = draw(st.one_of(st.sampled_from(SPICE), st.binary(max_size=6)))
        if kind == "delete":
            del data[at : at + size]
        elif kind == "insert":
            data[at:at] = piece
        else:
            data[at : at + size] = piece
    return bytes(data)


@contextmanager
def file_with(data: bytes, name: str = "input.txt") -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path


def _named(err: InputError, path: Path) -> None:
    """An InputError from reading one file names it."""
    assert str(err)
    assert any(p.file and Path(p.file) == path for p in err.problems), str(err)


# --------------------------------------------------------------------------- exports


def _check_export(data: bytes) -> None:
    with file_with(data) as path:
        for on_error in ("stop", "skip"):
            try:
                result = read_export(path, source_id="s", on_error=on_error)
            except InputError as err:
                _named(err, path)
            else:
                assert isinstance(result, ImportResult)
                RecordSchema.validate(result.records)
                check_import(result)  # every record read or rejected, once


@pytest.mark.parametrize("fmt", sorted(SEEDS))
@FEW
@given(data=st.data())
def test_every_export_format_mutated(fmt: str, data: st.DataObject) -> None:
    _check_export(data.draw(mutated(SEEDS[fmt])))


@FEW
@given(data=st.data())
def test_xlsx_export_mutated(data: st.DataObject) -> None:
    _check_export(data.draw(mutated(_xlsx_seed())))


def test_bibtex_undefined_string_macro_is_read_leniently() -> None:
    """Found by this file: a bare word as a field value (a @string macro never defined)
    made bibtexparser raise UndefinedString through read_export."""
    with file_with(b"@misc{p,\n  title = {Recovery colleges},\n  author = Rachel},\n}\n") as path:
        result = read_export(path, source_id="s")
    assert result.records["title"].tolist() == ["Recovery colleges"]


def test_seeds_are_valid_exports() -> None:
    """The mutations start from files every reader reads in full."""
    for fmt, seed in SEEDS.items():
        with file_with(seed) as path:
            result = read_export(path, source_id="s")
        assert (result.format, result.n_records, result.n_rejected) == (fmt, 2, 0)


# --------------------------------------------------------------------------- tables


def _check_table(data: bytes) -> pd.DataFrame | None:
    with file_with(data, "table.csv") as path:
        try:
            frame = read_table(path)
        except InputError as err:
            _named(err, path)
            return None
    assert list(frame.columns) == [str(c) for c in frame.columns]
    assert frame.columns.is_unique
    assert all(isinstance(v, str) for col in frame.columns for v in frame[col])
    return frame


@SETTINGS
@given(st.binary(max_size=400))
def test_read_table_arbitrary_bytes(data: bytes) -> None:
    _check_table(data)


@SETTINGS
@given(data=st.data())
def test_read_table_mutated(data: st.DataObject) -> None:
    seed = SCREENING_BASE["title_abstract"].read_bytes()
    _check_table(data.draw(mutated(seed)))


# --------------------------------------------------------------------------- screening

WORKS = pd.read_csv(CORPUS / "screening" / "works.csv", dtype=str)


@SETTINGS
@given(data=st.data(), which=st.sampled_from(sorted(SCREENING_BASE)))
def test_screening_readers_and_resolve(data: st.DataObject, which: str) -> None:
    from srma import screening as scr

    bad = data.draw(mutated(SCREENING_BASE[which].read_bytes()))
    with file_with(bad, f"{which}.csv") as path:
        files = {**SCREENING_BASE, which: path}
        try:
            log = scr.read_logs([files["title_abstract"], files["full_text"]])
            consensus = scr.read_consensus(files["consensus"])
            studies = scr.read_studies(files["studies"])
            result = scr.resolve(log, WORKS, consensus)
            reports = scr.included_reports(result.decisions, WORKS, studies)
        except InputError as err:
            assert str(err)
            return
    check_screening(WORKS, result.decisions, reports)  # nothing lost stage by stage


# --------------------------------------------------------------------------- extraction

NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10, 10**6).map(str),
    st.sampled_from(["", " ", "0", "-0", "1e308", "1e-320", "−3.2", "3,2", "n/a", "NA", "<0.001"]),
)
CELLS = st.one_of(NUMBERS, st.text(max_size=12))


@st.composite
def edited_table(draw: st.DrawFn, path: Path) -> bytes:
    """A table of the corpus with up to three cells replaced."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for _ in range(draw(st.integers(1, 3))):
        row = draw(st.integers(0, len(frame) - 1))
        column = draw(st.sampled_from(list(frame.columns)))
        frame.loc[row, column] = draw(CELLS)
    return frame.to_csv(index=False).encode("utf-8")


@SETTINGS
@given(data=st.data(), which=st.sampled_from(["studies", "outcome_data"]))
def test_extraction_tables_then_effects(data: st.DataObject, which: str) -> None:
    from srma.extraction import load_extraction, outcome_effects

    outcomes, conversion = extraction_settings()
    bad = data.draw(edited_table(EXTRACTION_BASE[which]))
    with file_with(bad, f"{which}.csv") as path:
        files = {**EXTRACTION_BASE, which: path}
        try:
            extraction = load_extraction(
                files["studies"],
                files["outcome_data"],
                outcomes=outcomes,
                settings=conversion,
                included=files["included"],
            )
            effects = outcome_effects(
                extraction.studies, extraction.outcome_data, outcomes["hope"], conversion
            )
        except InputError as err:
            assert str(err)
            return
    check_effects(extraction.outcome_data, effects, "hope")  # every row accounted for


@pytest.mark.parametrize("year", ["1.8446744073709552e+19", "9.223372036854776e+18", "1e400"])
def test_extraction_huge_whole_number_is_an_input_error(year: str) -> None:
    """Found by this file: a year too large for a 64-bit integer raised OverflowError or
    TypeError from pandas instead of an InputError."""
    from srma.extraction import load_extraction

    outcomes, conversion = extraction_settings()
    text = (
        EXTRACTION_BASE["studies"].read_text().replace("Wce12578abe,2016,", f"Wce12578abe,{year},")
    )
    with file_with(text.encode(), "studies.csv") as path:
        with pytest.raises(InputError, match="year is not a whole number"):
            load_extraction(
                path, EXTRACTION_BASE["outcome_data"], outcomes=outcomes, settings=conversion
            )


# --------------------------------------------------------------------------- dedup

IDS = ["records:1", "records:2", "records:3", "records:4", "records:9", "other:1", "", "x|y"]


@FEW
@given(
    st.lists(
        st.tuples(
            st.sampled_from(IDS),
            st.sampled_from(IDS),
            st.one_of(st.sampled_from(["same", "different", "Same ", "maybe", ""]), st.text()),
        ),
        max_size=6,
    )
)
def test_dedup_decisions(rows: list[tuple[str, str, str]]) -> None:
    from srma.dedup import deduplicate

    records = dedup_records()
    table = pd.DataFrame(
        [{"pair_id": f"{a}|{b}", "decision": d, "reviewer": "r", "note": ""} for a, b, d in rows],
        columns=["pair_id", "decision", "reviewer", "note"],
    )
    try:
        result = deduplicate(records, decisions=table)
    except InputError as err:
        assert str(err)
        return
    check_records({"records": len(records)}, result.works, result.duplicates)


# --------------------------------------------------------------------------- config


@SETTINGS
@given(data=st.data())
def test_load_config_mutated(data: st.DataObject) -> None:
    from srma.config import load_config

    seed = (CORPUS / "config" / "unknown_key.yaml").read_bytes().replace(b"leave_one_ot", b"x")
    text = data.draw(st.one_of(mutated(seed), st.binary(max_size=200)))
    with file_with(text, "config.yaml") as path:
        try:
            config = load_config(path, review_dir=path.parent)
        except InputError as err:
            _named(err, path)
            return
    assert isinstance(config, dict) and config["sources"]


# --------------------------------------------------------------------------- srma pool


def _pool(path: Path, *extra: str) -> None:
    from srma.cli import build_parser

    args: argparse.Namespace = build_parser().parse_args(["pool", str(path), "--json", *extra])
    args.func(args)


@SETTINGS
@given(
    rows=st.lists(st.tuples(NUMBERS, NUMBERS), min_size=1, max_size=5),
    method=st.sampled_from(["REML", "DL", "FE", "PM"]),
)
def test_srma_pool_on_any_numbers(
    rows: list[tuple[str, str]], method: str, capsys: pytest.CaptureFixture[str]
) -> None:
    table = pd.DataFrame(rows, columns=["yi", "vi"])
    with file_with(table.to_csv(index=False).encode(), "pool.csv") as path:
        try:
            _pool(path, "--method", method)
        except InputError as err:
            _named_or_argument(err, path)
    capsys.readouterr()


@SETTINGS
@given(rows=st.lists(st.tuples(*[NUMBERS] * 6), min_size=1, max_size=4))
def test_srma_pool_arm_statistics(
    rows: list[tuple[str, ...]], capsys: pytest.CaptureFixture[str]
) -> None:
    table = pd.DataFrame(rows, columns=["m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"])
    with file_with(table.to_csv(index=False).encode(), "pool.csv") as path:
        try:
            _pool(path)
        except InputError as err:
            _named_or_argument(err, path)
    capsys.readouterr()


def _named_or_argument(err: InputError, path: Path) -> None:
    assert str(err)
    assert any(p.file is None or Path(p.file) == path for p in err.problems)


# --------------------------------------------------------------------------- round trips

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # no lone surrogates: not UTF-8
    max_size=30,
)
FORMULA_LIKE = st.one_of(
    TEXT,
    st.builds(lambda p, t: p + t, st.sampled_from(list("=+-@") + ["'", "''=", "\t", "\r"]), TEXT),
)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 5))
    names = draw(
        st.lists(
            st.text(alphabet="abcdefghij_", min_size=1, max_size=6),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    data: dict[str, Any] = {
        name: draw(st.lists(FORMULA_LIKE, min_size=n, max_size=n)) for name in names
    }
    data["n_count"] = draw(st.lists(st.integers(-(10**12), 10**12), min_size=n, max_size=n))
    # XLSX keeps 17 significant digits; near the largest float, rounding overflows to inf
    floats = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False)
    data["x_value"] = draw(st.lists(floats, min_size=n, max_size=n))
    return pd.DataFrame(data)


def _text_after(value: str, fix: Callable[[str], str]) -> str:
    return fix(value)


def _round_trip(frame: pd.DataFrame, write: Callable[..., None], name: str) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write(frame, path)
        assert [p.name for p in Path(folder).iterdir()] == [name]  # no temporary files left
        return read_table(path)


def _xlsx_text(value: str) -> str:
    import re

    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)
    return value[:XLSX_MAX_CELL]


@SETTINGS
@given(frames())
def test_csv_round_trip(frame: pd.DataFrame) -> None:
    back = _round_trip(frame, write_csv, "t.csv")
    assert list(back.columns) == list(frame.columns)
    assert len(back) == len(frame) or (frame.drop(columns=["n_count", "x_value"]) == "").all(
        axis=None
    )
    if len(back) != len(frame):
        return  # rows with nothing but empty cells are skipped as blank lines
    for name in frame.columns:
        for ours, theirs in zip(frame[name], back[name], strict=True):
            if name == "n_count":
                assert int(theirs) == ours
            elif name == "x_value":
                assert float(theirs) == ours
            else:
                assert theirs == ours.replace("\x00", "")


@FEW
@given(frames())
def test_xlsx_round_trip(frame: pd.DataFrame) -> None:
    back = _round_trip(frame, write_xlsx, "t.xlsx")
    assert list(back.columns) == list(frame.columns)
    if len(back) != len(frame):
        return  # rows whose cells are all empty are not rows of a sheet
    for name in frame.columns:
        for ours, theirs in zip(frame[name], back[name], strict=True):
            if name == "n_count":
                assert int(theirs) == ours
            elif name == "x_value":
                assert math.isclose(float(theirs), ours, rel_tol=1e-15, abs_tol=0)
            else:
                assert theirs == _xlsx_text(ours).strip() or theirs == _xlsx_text(ours)


@FEW
@given(frames())
def test_parquet_round_trip(frame: pd.DataFrame) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.parquet"
        write_parquet(frame, path)
        back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False, check_index_type=False)


@SETTINGS
@given(FORMULA_LIKE)
def test_neutralised_text_never_starts_a_formula(value: str) -> None:
    cell = neutralise_formula(value)
    number = value.strip() and _is_number(value)
    assert number or cell[:1] not in ("=", "+", "-", "@", "\t", "\r")


def _is_number(value: str) -> bool:
    try:
        return np.isfinite(float(value)) and value == value.strip()
    except ValueError:
        return False
