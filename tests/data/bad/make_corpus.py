"""Write the files of the bad-input corpus that a text editor cannot make.

Binary files, files in other encodings and files without a final line break
are written here, deterministically; every other file of ``tests/data/bad/`` is
plain text written by hand, and ``cases.yaml`` says what each must produce.

Run from anywhere: ``python tests/data/bad/make_corpus.py``.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pandas as pd

from srma.io.tables import xlsx_bytes

HERE = Path(__file__).resolve().parent

RIS_UTF8 = (
    "TY  - JOUR\n"
    "TI  - Illness management and recovery: a review of the research\n"
    "AU  - Mueser, Kim T.\n"
    "AU  - Gingerich, Susan\n"
    "PY  - 2002\n"
    "ER  - \n"
    "TY  - JOUR\n"
    "TI  - Récupération et gestion de la maladie : un essai\n"
    "AU  - Färdig, Rickard\n"
    "PY  - 2011\n"
    "ER  - \n"
)
RIS_CP1252 = (
    "TY  - JOUR\n"
    "TI  - Illness management and recovery for people with severe mental illness\n"
    "AU  - Salyers, Michelle P.\n"
    "AB  - The programme’s effects on recovery\n"
    "PY  - 2010\n"
    "ER  - \n"
)
NBIB_CUT = (
    "PMID- 99000001\n"
    "OWN - NLM\n"
    "TI  - Illness management and recovery: a review of the research.\n"
    "AU  - Mueser KT\n"
    "DP  - 2002\n"
    "SO  - Psychiatr Serv. 2002;53(10):1272-84.\n"
    "\n"
    "PMID- 99000002\n"
    "OWN - NLM\n"
    "TI  - Illness management and recovery for people with severe mental illness.\n"
    "AB  - Objective: The illness management and recovery program was tested in a\n"
    "      randomised trial with 324 participan"
)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, data)
    return out.getvalue()


def files() -> dict[str, bytes]:
    """Relative path -> bytes of every generated file."""
    rng = random.Random(20240301)
    garbage = bytes(rng.randrange(256) for _ in range(4096))
    return {
        "import/binary_garbage.ris": garbage,
        "import/pdf_saved_as.ris": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n",
        "import/old_excel.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "import/zip_not_xlsx.xlsx": _zip({"readme.txt": b"search results\n"}),
        "import/xlsx_without_header.xlsx": xlsx_bytes(
            pd.DataFrame({"Notes": ["searched 3 March", "two databases"], "Count": [12, 7]})
        ),
        "import/mixed_encodings.ris": RIS_UTF8.encode("utf-8") + RIS_CP1252.encode("cp1252"),
        "import/utf16_broken.ris": b"\xff\xfe"
        + "TY  - JOUR\nTI  - A title\n".encode("utf-16-le")
        + b"\x00\xd8\x41\x00",
        "import/pubmed_truncated.nbib": NBIB_CUT.encode("utf-8"),
        "screening/log_is_a_pdf.csv": b"%PDF-1.4\n" + garbage[:512],
        "screening/log_mixed_encodings.csv": (
            "work_id,stage,reviewer,decision,reason,note,time\n"
            "Wa1,title_abstract,alice,include,,résumé checked,2024-03-01T10:00\n"
        ).encode()
        + "Wa1,title_abstract,bob,include,,Müller’s trial,2024-03-02T11:00\n".encode("cp1252"),
        "config/not_utf8.yaml": (
            "review:\n  title: Récupération et maladie mentale\nsources:\n"
            "  - {id: pubmed, path: data/exports/pubmed.nbib, database: PubMed}\n"
        ).encode("cp1252"),
    }


def main() -> None:
    for name, data in files().items():
        path = HERE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path.relative_to(HERE)} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
