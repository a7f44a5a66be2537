"""Turning the bytes of an export into text, or saying clearly why not.

Real exports come as UTF-8 with or without a byte-order mark, UTF-16 with a
mark (Web of Science tab-delimited "Windows" export), and sometimes Windows-1252
(older EndNote and Excel).  The decode chain is: BOM -> strict UTF-8 -> UTF-16
without BOM (detected from its NUL bytes) -> strict cp1252 -> charset-normalizer's
best guess.  Binary content (PDF, images, zip files other than XLSX) is refused
with an :class:`~srma.errors.InputError`.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from srma.errors import InputError

_BOMS: list[tuple[bytes, str, str]] = [
    # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: Share of control characters above which text is taken to be binary.
BINARY_CONTROL_SHARE = 0.02

_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip-compressed file",
    b"BZh": "a bzip2-compressed file",
    b"\xfd7zXZ": "an xz-compressed file",
    b"7z\xbc\xaf": "a 7-zip archive",
    b"Rar!": "a RAR archive",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or Word (.doc) file",
    b"SQLite format 3": "an SQLite database (perhaps an EndNote .enl library)",
}


def is_zip(data: bytes) -> bool:
    """Whether the bytes are a zip archive (XLSX files are)."""
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def binary_kind(data: bytes) -> str | None:
    """A description of a well-known binary format, or ``None``."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def _looks_utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _check_text(text: str, file: str, control_share: float = BINARY_CONTROL_SHARE) -> None:
    sample = text[:65536]
    if not sample:
        return
    controls = len(_CONTROL.findall(sample)) if control_share < 1 else 0
    if controls > control_share * len(sample) or "\x00" in sample[:1024]:
        raise InputError(
            "the file holds binary data, not a text export",
            file=file,
            line=1,
            hint=(
                "export the records again from the database as RIS, MEDLINE/nbib, "
                "CSV, BibTeX, EndNote XML or Web of Science plain text"
            ),
        )


def read_file_bytes(path: Path) -> bytes:
    """The bytes of a file; a missing or unreadable file is an InputError."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            "file not found", file=str(path), hint="check the path in the configuration"
        ) from None
    except IsADirectoryError:
        raise InputError(
            "is a directory, not an export file", file=str(path), hint="give the file's path"
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=str(path)) from None


def decode_bytes(
    data: bytes, file: str = "<bytes>", control_share: float = BINARY_CONTROL_SHARE
) -> tuple[str, str]:
    """Decode an export to text.

    Parameters
    ----------
    data
        The file's bytes.
    file
        The file's name, for error messages.
    control_share
        Text with a larger share of control characters (or a NUL byte near
        the start) is taken to be binary; 1 checks for NUL bytes only.

    Returns
    -------
    tuple of (str, str)
        The text (without byte-order mark) and the name of the encoding used
        (``'utf-8'``, ``'utf-8-sig'``, ``'utf-16'``, ``'cp1252'``, ...).

    Raises
    ------
    InputError
        If the file is empty, binary, or cannot be decoded.
    """
    if not data.strip(b" \t\r\n\x00\x0b\x0c"):
        raise InputError(
            "the file is empty",
            file=file,
            hint="export the records again; the download may have failed",
        )
    kind = binary_kind(data)
    if kind:
        raise InputError(
            f"the file is {kind}, not a bibliographic export",
            file=file,
            hint="export the records from the database as RIS, MEDLINE/nbib, CSV or XLSX",
        )
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"the file starts with a {name} byte-order mark but is not valid {name}",
                    file=file,
                    line=data[: exc.start].count(b"\n") + 1,
                    hint="save the export again as UTF-8",
                ) from None
            if not text.strip():
                raise InputError("the file is empty", file=file, hint="export the records again")
            _check_text(text, file, control_share)
            return text, name
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            # a multi-byte character cut off by a truncated download: keep the rest,
            # the reader reports the truncated record
            text = data[: exc.start].decode("utf-8")
            _check_text(text, file, control_share)
            return text, "utf-8"
    else:
        _check_text(text, file, control_share)
        return text, "utf-8"
    utf16 = _looks_utf16_without_bom(data)
    if not utf16:
        _refuse_mixed_utf8(data, first_bad, file, control_share)
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            pass
        else:
            _check_text(text, file, control_share)
            return text, utf16
    if b"\x00" in data[:4096]:
        _check_text(data[:4096].decode("latin-1"), file, control_share)
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    else:
        _check_text(text, file, control_share)
        return text, "cp1252"
    guess = _charset_normalizer_guess(data)
    if guess is not None:
        text, name = guess
        _check_text(text, file, control_share)
        return text, name
    raise InputError(
        "cannot tell the file's character encoding (it is neither UTF-8, UTF-16 nor cp1252)",
        file=file,
        hint="open the export in a text editor and save it as UTF-8",
    )


def _refuse_mixed_utf8(data: bytes, bad: int, file: str, control_share: float) -> None:
    """Refuse a file that is UTF-8 except for some bytes (two encodings mixed).

    Decoding such a file as cp1252 would turn every UTF-8 character into
    mojibake (``Café`` -> ``CafÃ©``) without a word, so it is an error, naming
    the line of the first byte that is not UTF-8.  The file counts as mixed when
    some line with non-ASCII characters is valid UTF-8: in a cp1252 file that
    needs every accented character of the line to be a capital followed by a
    symbol (``É’``), which real text hardly ever has.
    """
    for line in data.split(b"\n"):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        break
    else:
        return
    _check_text(data.decode("latin-1"), file, control_share)  # binary data: say so first
    line_start = data.rfind(b"\n", 0, bad) + 1
    line_end = data.find(b"\n", bad)
    line_text = data[line_start : line_end if line_end >= 0 else len(data)]
    raise InputError(
        f"the file mixes two character encodings: it is UTF-8, except for byte "
        f"0x{data[bad]:02X} on this line",
        file=file,
        line=data[:bad].count(b"\n") + 1,
        value=line_text.decode("utf-8", errors="replace").strip(),
        hint="open the file in a text editor, retype the character shown as \ufffd on this "
        "line, and save the file as UTF-8 (exports pasted together from different "
        "programs often do this)",
    )


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    return str(best), best.encoding
