"""``srma import``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from srma.cli import main
from srma.io import read_table
from srma.records import RecordSchema

RIS = (
    "TY  - JOUR\nTI  - First\nAU  - =Doe, K\nAU  - Smith, J\nKW  - a\nKW  - b\nPY  - 2020\nER  - \n"
)
NBIB = "PMID- 1\nOWN - NLM\nTI  - Second\nFAU - Roe, R\nDP  - 2019\n"


@pytest.fixture
def exports(tmp_path: Path) -> list[Path]:
    ris = tmp_path / "Embase Export.txt"
    ris.write_text(RIS, encoding="utf-8")
    nbib = tmp_path / "pubmed.nbib"
    nbib.write_text(NBIB, encoding="utf-8")
    return [ris, nbib]


def test_import_to_csv(exports: list[Path], tmp_path: Path, capsys) -> None:
    out = tmp_path / "out" / "records.csv"
    assert main(["import", *map(str, exports), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"{exports[0]}: 1 records read (ris, utf-8)" in printed
    assert f"{exports[1]}: 1 records read (nbib, utf-8)" in printed
    table = read_table(out)
    assert table["record_id"].tolist() == ["embase_export:1", "pubmed:1"]
    assert table["authors"].tolist() == ["=Doe, K; Smith, J", "Roe, R"]  # '; '-joined
    assert table["keywords"].tolist() == ["a; b", ""]
    assert "'=Doe" in out.read_text(encoding="utf-8")  # neutralised in the file


def test_import_to_parquet_with_database(exports: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "records.parquet"
    assert main(["import", *map(str, exports), "-o", str(out), "--database", "X"]) == 0
    table = RecordSchema.validate(pd.read_parquet(out))
    assert table["database"].tolist() == ["X", "X"]
    assert [list(a) for a in table["authors"]] == [["=Doe, K", "Smith, J"], ["Roe, R"]]


def test_unreadable_record_stops_without_traceback(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.ris"
    bad.write_text(RIS + "TY  - JOUR\nTI  - cut", encoding="utf-8")
    out = tmp_path / "records.csv"
    assert main(["import", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("srma: error:") and "line 9" in err and "Traceback" not in err
    assert not out.exists()
    rejected = tmp_path / "rejected.csv"
    code = main(
        ["import", str(bad), "-o", str(out), "--on-error", "skip", "--rejected", str(rejected)]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "1 records read (ris, utf-8), 1 rejected" in printed
    assert "rejected: line 9" in printed
    assert read_table(rejected)["line"].tolist() == ["9"]


def test_clashing_source_ids_and_bad_output(exports: list[Path], tmp_path: Path, capsys) -> None:
    twin = tmp_path / "embase-export.ris"
    twin.write_text(RIS, encoding="utf-8")
    assert main(["import", str(exports[0]), str(twin), "-o", str(tmp_path / "x.csv")]) == 2
    assert "same source id 'embase_export'" in capsys.readouterr().err
    assert main(["import", str(exports[0]), "-o", str(tmp_path / "x.json")]) == 2
    assert ".csv, .parquet or .xlsx" in capsys.readouterr().err


def test_help_lists_formats(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    assert "wos_plaintext" in capsys.readouterr().out
