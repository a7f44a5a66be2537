"""The conservation checks are wired into the workflow scripts and the commands.

Each script's ``main`` runs in-process, as its rule calls it (``tests/scripts/example.py``).
First the example review passes through every step, checks included, with the numbers the
workflow gives; then each wiring is fed an input, or a library result, that breaks its
equation: the step raises before writing anything, and ``srma.scripting.step`` turns the
error into one paragraph and a non-zero exit.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from srma import screening as scr
from srma.cli import main as cli
from srma.errors import ConsistencyError, InputError
from srma.scripting import step
from tests.scripts.example import LOG, REPO, Review, load_script


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Review:
    """The example review, run through every script up to the pooled analyses (~6 s)."""
    review = Review(tmp_path_factory.mktemp("example") / "results")
    review.run_all()
    return review


def written(*paths: Path) -> list[Path]:
    return [Path(p) for p in paths if Path(p).exists()]


def redirect(outputs: SimpleNamespace, to: Path) -> SimpleNamespace:
    """The same outputs, under ``to`` (the example's own results stay as they are)."""
    return SimpleNamespace(**{k: to / Path(v).name for k, v in vars(outputs).items()})


# --------------------------------------------------------------------------- the example


def test_the_example_review_passes_every_check(example: Review) -> None:
    """Every step ran with its check; the numbers are those of the Snakemake run."""
    works = pd.read_parquet(example.dedup("works"))
    duplicates = pd.read_csv(example.dedup("duplicates"))
    assert (len(works), len(duplicates)) == (458, 1111)  # 1569 records imported
    decisions = pd.read_csv(example.screening("decisions"), dtype=str)
    assert decisions["stage"].value_counts().to_dict() == {"title_abstract": 458, "full_text": 30}
    assert len(pd.read_csv(example.screening("reports"))) == 14
    prisma = pd.read_csv(example.results / "prisma" / "counts.csv")
    box = dict(zip(prisma["stream"] + "/" + prisma["box"], prisma["count"], strict=True))
    assert (box["databases/records_identified"], box["databases/duplicates_removed"]) == (1093, 925)
    assert (box["other_methods/records_identified"], box["other_methods/records_screened"]) == (
        476,
        290,
    )
    effects = pd.read_parquet(example.effects("hope"))
    assert (len(effects), int(effects["usable"].sum())) == (8, 8)
    pooled = sorted(p.name for p in (example.results / "pooled").glob("*.pooled.json"))
    assert len(pooled) == 25


# --------------------------------------------------------------------------- import_source


def test_import_source_refuses_an_export_with_a_record_lost(
    example: Review, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_script("import_source")
    read = module.read_export

    def losing(*args, **kwargs):  # a reader bug: the second record vanishes
        result = read(*args, **kwargs)
        return dataclasses.replace(result, records=result.records.drop(index=1))

    monkeypatch.setattr(module, "read_export", losing)
    out = (tmp_path / "cinahl.parquet", tmp_path / "cinahl.rejected.csv")
    with pytest.raises(ConsistencyError, match=r"cinahl.ris lost or repeated records: 143 read"):
        module.main(REPO / "data/exports/cinahl.ris", *out, example.sources["cinahl"], LOG)
    assert written(*out) == []


def test_import_source_refuses_an_export_short_of_the_hits_the_config_gives(
    example: Review, tmp_path: Path
) -> None:
    """A download cut between two records parses; the count of hits shows the loss."""
    module = load_script("import_source")
    export = tmp_path / "cinahl.ris"
    text = (REPO / "data/exports/cinahl.ris").read_text(encoding="utf-8")
    export.write_text(text[: text.rindex("TY  -")], encoding="utf-8")  # last record lost
    out = (tmp_path / "cinahl.parquet", tmp_path / "cinahl.rejected.csv")
    source = example.sources["cinahl"]
    assert source["records"] == 144
    with pytest.raises(
        InputError,
        match=r"cinahl.ris, column 'sources\[cinahl\].records'.*"
        r"holds 143 records, but the database reported 144.*1 record is missing",
    ):
        module.main(export, *out, source, LOG)
    assert written(*out) == []


# --------------------------------------------------------------------------- deduplicate_records


def test_deduplicate_records_refuses_a_records_file_of_another_source(
    example: Review, tmp_path: Path
) -> None:
    """A rule handing over the wrong file: medline.parquet holds CINAHL's records."""
    inputs, outputs, streams = example.dedup_io()
    wrong = tmp_path / "medline.parquet"
    shutil.copy(example.records("cinahl"), wrong)
    inputs.records = [wrong if p == example.records("cinahl") else p for p in inputs.records]
    outputs = redirect(outputs, tmp_path / "dedup")
    streams = {**streams, "medline": "databases"}
    with pytest.raises(ConsistencyError, match=r"source 'cinahl': 0 records imported, but 144"):
        load_script("deduplicate_records").main(inputs, outputs, streams, LOG)
    assert written(*vars(outputs).values()) == []


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda r: dataclasses.replace(r, duplicates=r.duplicates.iloc[1:]),
            r"records lost between import and de-duplication: 1569 records identified "
            r"\(1569 read \+ 0 rejected\), but 458 unique works \+ 1110 duplicates",
        ),
        (
            lambda r: dataclasses.replace(
                r, counts=r.counts.assign(works_kept=r.counts["works_kept"] + 1)
            ),
            r"counts of source 'cinahl': 144 records identified, but 137 duplicates removed "
            r"\+ 8 works kept = 145",
        ),
    ],
    ids=["duplicate_lost", "counts_off"],
)
def test_deduplicate_records_refuses_outputs_that_do_not_add_up(
    example: Review, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage, message: str
) -> None:
    module = load_script("deduplicate_records")
    dedup = module.deduplicate
    monkeypatch.setattr(module, "deduplicate", lambda *a, **k: damage(dedup(*a, **k)))
    inputs, outputs, streams = example.dedup_io()
    outputs = redirect(outputs, tmp_path)
    with pytest.raises(ConsistencyError, match=message):
        module.main(inputs, outputs, streams, LOG)
    assert written(*vars(outputs).values()) == []


def test_a_failed_check_is_one_paragraph_and_a_non_zero_exit(
    example: Review,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    module = load_script("deduplicate_records")
    dedup = module.deduplicate
    monkeypatch.setattr(
        module,
        "deduplicate",
        lambda *a, **k: (lambda r: dataclasses.replace(r, works=r.works.iloc[1:]))(dedup(*a, **k)),
    )
    inputs, outputs, streams = example.dedup_io()
    outputs = redirect(outputs, tmp_path)
    log = tmp_path / "deduplicate_records.log"
    with pytest.raises(SystemExit) as info:
        with step(log, "deduplicate_records") as logger:
            module.main(inputs, outputs, streams, logger)
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(
        "srma: consistency check failed in step deduplicate_records: records lost between "
        "import and de-duplication: 1569 records identified"
    )
    assert "\n" not in err and "Traceback" not in err
    assert "run the workflow again from the start (snakemake --forceall)" in err
    assert err in log.read_text(encoding="utf-8")
    assert written(*vars(outputs).values()) == []


# --------------------------------------------------------------------------- screen_records


def test_screen_records_refuses_decisions_that_lose_a_work(
    example: Review, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolve = scr.resolve
    lost: list[str] = []

    def losing(*args, **kwargs):  # a bug in resolve: one work gets no decision
        result = resolve(*args, **kwargs)
        decisions = result.decisions
        lost.append(decisions["work_id"].iloc[0])
        return dataclasses.replace(result, decisions=decisions[decisions["work_id"] != lost[0]])

    monkeypatch.setattr(scr, "resolve", losing)
    inputs, outputs, rules = example.screening_io()
    outputs = redirect(outputs, tmp_path)
    with pytest.raises(ConsistencyError) as info:
        load_script("screen_records").main(inputs, outputs, rules, LOG)
    assert str(info.value) == (
        f"screening at title_abstract: 458 works to decide, 457 decided (missing works: {lost[0]})"
    )
    assert written(*vars(outputs).values()) == []


def test_screen_records_refuses_included_reports_that_miss_an_inclusion(
    example: Review, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    included_reports = scr.included_reports
    monkeypatch.setattr(scr, "included_reports", lambda *a, **k: included_reports(*a, **k)[1:])
    inputs, outputs, rules = example.screening_io()
    first = pd.read_csv(example.screening("reports"))["work_id"].iloc[0]
    outputs = redirect(outputs, tmp_path)
    with pytest.raises(
        ConsistencyError, match=f"included reports differ .*missing reports: {first}"
    ):
        load_script("screen_records").main(inputs, outputs, rules, LOG)
    assert written(*vars(outputs).values()) == []


# --------------------------------------------------------------------------- count_prisma


def test_count_prisma_refuses_to_count_without_a_rejected_file(
    example: Review, tmp_path: Path
) -> None:
    inputs, outputs, params = example.prisma_io()
    inputs.rejected = [p for p in inputs.rejected if "wos" not in p.name]
    outputs = redirect(outputs, tmp_path)
    with pytest.raises(ConsistencyError, match=r"rejected-record files .*missing sources: wos"):
        load_script("count_prisma").main(inputs, outputs, params, LOG)
    assert written(outputs.counts) == []


def test_count_prisma_counts_records_set_aside_at_import(example: Review, tmp_path: Path) -> None:
    inputs, outputs, params = example.prisma_io()
    rejected = tmp_path / "records" / "cinahl.rejected.csv"
    rejected.parent.mkdir()
    rejected.write_text(
        "source_id,position,line,reason,raw\ncinahl,145,1201,no end tag,x\ncinahl,146,1210,bad,y\n",
        encoding="utf-8",
    )
    inputs.rejected = [rejected if "cinahl" in p.name else p for p in inputs.rejected]
    outputs = redirect(outputs, tmp_path)
    load_script("count_prisma").main(inputs, outputs, params, LOG)
    prisma = pd.read_csv(outputs.counts)
    box = dict(zip(prisma["stream"] + "/" + prisma["box"], prisma["count"], strict=True))
    assert box["databases/records_identified:CINAHL"] == 146
    assert box["databases/records_removed_other"] == 2
    assert box["databases/records_screened"] == 168  # as without the rejections


# --------------------------------------------------------------------------- split_outcome_data


def test_split_outcome_data_refuses_an_included_study_without_data(
    example: Review, tmp_path: Path
) -> None:
    inputs, outputs, outcomes = example.split_io()
    table = pd.read_csv(inputs.outcome_data, dtype=str, keep_default_na=False)
    included = pd.read_csv(example.screening("studies"), dtype=str)
    study = included["study_id"].iloc[0]
    table[table["study_id"] != study].to_csv(tmp_path / "outcomes.csv", index=False)
    inputs.outcome_data = tmp_path / "outcomes.csv"
    outputs = [tmp_path / Path(p).name for p in outputs]
    module = load_script("split_outcome_data")
    with pytest.raises(InputError) as info:
        module.main(inputs, outputs, outcomes, example.extraction_settings, LOG)
    (problem,) = info.value.problems
    assert problem.message == "a study included at screening has no outcome data and no reason why"
    assert (problem.file, problem.row, problem.column, problem.value) == (
        str(example.screening("studies")),
        2,  # the first data row of included_studies.csv
        "study_id",
        study,
    )
    assert str(tmp_path / "outcomes.csv") in str(problem.hint)
    assert written(*outputs) == []
    # without check_included, the same tables are not compared with screening
    inputs.included = []
    module.main(inputs, outputs, outcomes, example.extraction_settings, LOG)
    assert len(written(*outputs)) == len(outputs)


# --------------------------------------------------------------------------- extract_outcome


def test_extract_outcome_refuses_an_effect_table_that_loses_a_row(
    example: Review, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_script("extract_outcome")
    effects_of = module.outcome_effects
    monkeypatch.setattr(module, "outcome_effects", lambda *a, **k: effects_of(*a, **k).iloc[1:])
    review = Review(tmp_path / "results")
    shutil.copytree(example.results / "extraction", review.results / "extraction")
    review.effects("hope").unlink()
    first = pd.read_parquet(example.effects("hope")).iloc[0]
    where = f"{first['study_id']}/{first['timepoint']}/{first['population']}"
    with pytest.raises(ConsistencyError, match=f"hope: the effect table .*missing .*: {where}"):
        review.extract_outcome("hope", module)
    assert written(review.effects("hope")) == []


# --------------------------------------------------------------------------- pool_analysis


def test_pool_analysis_refuses_a_result_without_one_of_its_studies(
    example: Review, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_script("pool_analysis")
    analyse = module.run_analysis

    def losing(*args, **kwargs):
        result = analyse(*args, **kwargs)
        return {**result, "studies": result["studies"][1:]}

    monkeypatch.setattr(module, "run_analysis", losing)
    review = Review(tmp_path / "results")
    review.results.mkdir()
    shutil.copytree(example.results / "extraction", review.results / "extraction")
    with pytest.raises(ConsistencyError, match=r"analysis has k = 3 and 2 studies, but 3 .*"):
        review.pool_analysis("hope", "followup", "cc", module)
    assert written(review.pooled("hope", "followup", "cc")) == []


# --------------------------------------------------------------------------- commands


def test_srma_import_refuses_an_export_with_a_record_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from srma.commands import import_cmd

    read = import_cmd.read_export

    def losing(*args, **kwargs):  # the 5th record lost (a lost last one needs `expected`)
        result = read(*args, **kwargs)
        return dataclasses.replace(result, records=result.records.drop(index=4))

    monkeypatch.setattr(import_cmd, "read_export", losing)
    out = tmp_path / "records.csv"
    assert cli(["import", str(REPO / "data/exports/pubmed.nbib"), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "srma: error: import of " in err and "positions missing: 5" in err
    assert not out.exists()


def test_srma_import_checks_the_hits_given_with_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "records.csv"
    export = str(REPO / "data/exports/pubmed.nbib")
    assert cli(["import", export, "--records", "131", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "pubmed.nbib, column '--records'" in err and "1 record is missing" in err
    assert not out.exists()
    other = str(REPO / "data/exports/cinahl.ris")
    assert cli(["import", export, other, "--records", "130", "--out", str(out)]) == 2
    assert "--records gives 1 counts for 2 files" in capsys.readouterr().err
    assert cli(["import", export, "--records", "130", "--out", str(out)]) == 0
    assert out.exists()


def test_srma_dedup_checks_and_passes_benchmark_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Benchmark CSVs keep their own record ids (no 'source:' prefix): the check maps them."""
    import srma.dedup

    bench = tmp_path / "bench.csv"
    bench.write_text(
        "ID,title,author,year\n"
        "1,Illness management and recovery: a trial,Smith J,2010\n"
        "2,Illness management and recovery: a trial,Smith J,2010\n"
        "3,Something else entirely,Doe A,2012\n",
        encoding="utf-8",
    )
    groups = tmp_path / "groups.csv"
    assert cli(["dedup", str(bench), "--groups", str(groups)]) == 0
    assert "3 records, 2 works, 1 duplicates removed" in capsys.readouterr().err
    deduplicate = srma.dedup.deduplicate
    monkeypatch.setattr(
        srma.dedup,
        "deduplicate",
        lambda *a, **k: (lambda r: dataclasses.replace(r, duplicates=r.duplicates.iloc[0:0]))(
            deduplicate(*a, **k)
        ),
    )
    groups.unlink()
    assert cli(["dedup", str(bench), "--groups", str(groups)]) == 1
    assert "srma: error: records lost between import and de-duplication: 3 records" in (
        capsys.readouterr().err
    )
    assert not groups.exists()


def test_srma_pool_refuses_a_leave_one_out_without_a_study(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from srma.commands import pool_cmd

    table = tmp_path / "t.csv"
    table.write_text(
        "study,yi,vi,g\na,0.1,0.04,x\nb,0.3,0.05,x\nc,-0.1,0.03,y\nd,0.5,0.06,y\n", encoding="utf-8"
    )
    argv = ["pool", str(table), "--leave-one-out", "--subgroup", "g", "--json"]
    assert cli(argv) == 0
    capsys.readouterr()
    loo = pool_cmd.leave_one_out
    monkeypatch.setattr(pool_cmd, "leave_one_out", lambda *a, **k: loo(*a, **k)[1:])
    assert cli(argv) == 1
    captured = capsys.readouterr()
    assert "leave-one-out does not omit each study once (missing studies: a)" in captured.err
    assert captured.out == ""
