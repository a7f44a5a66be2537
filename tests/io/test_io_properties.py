"""Property tests: whatever bytes a file holds, read_export returns or raises
InputError, never any other exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srma.errors import InputError
from srma.io import ImportResult, detect_format, read_export
from srma.records import RecordSchema

#: Fragments of every supported format, so that generated files get past sniffing.
TOKENS = [
    b"TY  - JOUR\n",
    b"ER  - \n",
    b"ER  -",
    b"AU  - Smith, J\n",
    b"TI  - T\n",
    b"KW  - k\n",
    b"DO  - 10.1000/x\n",
    b"\r",
    b"\n",
    b"\r\n",
    b"continued\n",
    b"PMID- 1\n",
    b"OWN - NLM\n",
    b"FAU - A, B\n",
    b"      wrapped\n",
    b"FN Clarivate\n",
    b"VR 1.0\n",
    b"PT J\n",
    b"ER\n",
    b"EF\n",
    b"   cont\n",
    b"PT\tAU\tTI\tUT\n",
    b"J\tA\tB\tWOS:1\n",
    b"@article{k,",
    b"title={",
    b"}",
    b"{",
    b"author = {A and B},",
    b"@string{x = {y}}",
    b'<?xml version="1.0"?>',
    b"<xml><records>",
    b"<record>",
    b"</record>",
    b"<titles><title>X</title></titles>",
    b"&bad;",
    b"%0 Journal Article\n",
    b"%T Title\n",
    b"%A Author\n",
    b"Title,Authors,Year,DOI\n",
    b'"a","b",2000,10.1000/y\n',
    b'"unclosed',
    b",,,\n",
    b"Title\tAuthors\tYear\n",
    b"x\ty\t1\n",
    b'="123"',
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\x00",
    b"\xe9",
    b"\xc3\xa9",
    b"\xf0\x9f",
    b"PK\x03\x04",
    b"%PDF",
    b"\x1f\x8b",
]
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))


def _check(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.txt"
        path.write_bytes(data)
        for on_error in ("stop", "skip"):
            try:
                result = read_export(path, source_id="s", on_error=on_error)
            except InputError as exc:
                assert str(exc)  # a message, with the file named
                assert str(path) in str(exc)
            else:
                assert isinstance(result, ImportResult)
                RecordSchema.validate(result.records)
                assert len(result.records) + len(result.rejected) >= 0
        try:
            detect_format(path)
        except InputError:
            pass


@SETTINGS
@given(st.binary(max_size=600))
def test_arbitrary_bytes(data: bytes) -> None:
    _check(data)


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(TOKENS), st.binary(max_size=8)), max_size=40))
def test_export_like_bytes(parts: list[bytes]) -> None:
    _check(b"".join(parts))


@SETTINGS
@given(st.text(max_size=300), st.sampled_from(["utf-8", "utf-16", "utf-8-sig", "cp1252"]))
def test_arbitrary_text_in_any_encoding(text: str, codec: str) -> None:
    _check(text.encode(codec, errors="replace"))
