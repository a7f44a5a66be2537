"""srma.conservation: each check passes on consistent stage outputs and fails, naming what
went missing, when one record, decision, study or effect is lost or counted twice."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from srma.conservation import (
    check_analysis,
    check_deduplication,
    check_effects,
    check_hits,
    check_identification,
    check_import,
    check_included_data,
    check_pooled,
    check_records,
    check_screening,
)
from srma.errors import ConsistencyError, InputError
from srma.io import read_export
from tests.bad_inputs.corpus import (
    CORPUS,
    DEDUP_RECORDS,
    EXTRACTION_BASE,
    SCREENING_BASE,
    dedup_records,
    extraction_settings,
)

# --------------------------------------------------------------------------- import


@pytest.fixture(scope="module")
def imported():
    return read_export(CORPUS / "import" / "ris_no_end_tag.ris", source_id="s", on_error="skip")


def test_import_accounts_for_every_record(imported) -> None:
    assert (imported.n_records, imported.n_rejected) == (1, 1)
    check_import(imported)


def test_import_losing_a_record_is_caught(imported) -> None:
    lost = dataclasses.replace(imported, records=imported.records.iloc[0:0])
    with pytest.raises(ConsistencyError, match="lost or repeated records.*missing: 1"):
        check_import(lost)
    twice = dataclasses.replace(imported, records=pd.concat([imported.records] * 2))
    with pytest.raises(ConsistencyError, match="repeated: 1"):
        check_import(twice)
    check_import(imported, expected=2)
    with pytest.raises(ConsistencyError, match="should hold 3 records, but 1 were read and 1"):
        check_import(imported, expected=3)  # the database reported 3 hits


def test_an_export_holding_fewer_or_more_records_than_the_hits_is_refused(imported) -> None:
    check_hits(imported, None)  # no count given: nothing to compare
    check_hits(imported, 2)  # 1 read + 1 rejected
    with pytest.raises(InputError) as short:
        check_hits(imported, 5, column="sources[s].records")
    message = str(short.value)
    assert "ris_no_end_tag.ris, column 'sources[s].records'" in message
    assert "holds 2 records, but the database reported 5 for the search: 3 records are" in message
    assert "export the search again" in message.lower()
    with pytest.raises(InputError, match="1 record is missing"):
        check_hits(imported, 3)
    with pytest.raises(InputError, match="more than the 1 the database reported.*pasted"):
        check_hits(imported, 1)


def test_import_record_ids_follow_positions(imported) -> None:
    records = imported.records.assign(record_id=["s:7"])
    with pytest.raises(ConsistencyError, match="record ids"):
        check_import(dataclasses.replace(imported, records=records))


# --------------------------------------------------------------------------- dedup


@pytest.fixture(scope="module")
def deduplicated():
    from srma.dedup import deduplicate

    return deduplicate(dedup_records())


def test_records_in_equal_works_plus_duplicates_plus_rejected(deduplicated) -> None:
    works, dups = deduplicated.works, deduplicated.duplicates
    assert (len(works), len(dups)) == (3, 1)
    check_records({"records": 4}, works, dups)
    check_records({"records": 4}, works, dups, rejected={"records": 2, "other": 5})


def test_a_source_missing_from_dedup_is_caught(deduplicated) -> None:
    with pytest.raises(ConsistencyError, match=r"6 records identified .* = 4"):
        check_records({"records": 4, "embase": 2}, deduplicated.works, deduplicated.duplicates)
    with pytest.raises(ConsistencyError, match="source 'records': 5 records imported, but 4"):
        check_records(
            {"records": 5},
            deduplicated.works,
            pd.concat([deduplicated.duplicates] * 2, ignore_index=True),
        )


def test_a_record_in_two_works_or_neither_is_caught(deduplicated) -> None:
    works = deduplicated.works.copy()
    other = works.at[1, "record_ids"][0]
    works.at[0, "record_ids"] = [*works.at[0, "record_ids"], other]
    with pytest.raises(ConsistencyError, match=f"more than one work: {other}"):
        check_records(
            {"records": 5},
            works,
            deduplicated.duplicates.head(0).pipe(
                lambda d: pd.concat([d, deduplicated.duplicates, deduplicated.duplicates])
            ),
        )
    kept = deduplicated.works.at[0, "kept_record_id"]
    kept_and_removed = deduplicated.duplicates.assign(record_id=[kept])
    with pytest.raises(ConsistencyError, match="both kept and removed"):
        check_records({"records": 4}, deduplicated.works, kept_and_removed)


def test_records_with_their_own_ids_are_mapped_to_their_source(deduplicated) -> None:
    """srma dedup on benchmark files: record ids without the 'source:' prefix."""
    rename = {f"records:{i}": f"r{i}" for i in range(1, 5)}
    works = deduplicated.works.assign(
        kept_record_id=deduplicated.works["kept_record_id"].map(rename),
        record_ids=[[rename[r] for r in ids] for ids in deduplicated.works["record_ids"]],
    )
    dups = deduplicated.duplicates.assign(
        record_id=deduplicated.duplicates["record_id"].map(rename)
    )
    source_of = dict.fromkeys(rename.values(), "bench")
    check_records({"bench": 4}, works, dups, source_of=source_of)
    with pytest.raises(ConsistencyError, match="source 'bench': 3 records imported, but 4"):
        check_records({"bench": 3, "other": 1}, works, dups, source_of=source_of)


def test_dedup_counts_agree_with_the_records(deduplicated) -> None:
    works, dups, counts = deduplicated.works, deduplicated.duplicates, deduplicated.counts
    assert counts[["records_identified", "duplicates_removed", "works_kept"]].values.tolist() == [
        [4, 1, 3]
    ]
    check_deduplication({"records": 4}, works, dups, counts)
    # a source of no records has no row in the counts
    check_deduplication({"records": 4, "empty": 0}, works, dups, counts)
    with pytest.raises(ConsistencyError, match="'records': 5 records identified, but 4 were"):
        check_deduplication({"records": 4}, works, dups, counts.assign(records_identified=5))
    with pytest.raises(ConsistencyError, match="2 duplicates removed, but the duplicates table"):
        check_deduplication({"records": 4}, works, dups, counts.assign(duplicates_removed=2))
    with pytest.raises(ConsistencyError, match=r"1 duplicates removed \+ 2 works kept = 3"):
        check_deduplication({"records": 4}, works, dups, counts.assign(works_kept=2))
    # one source split over two databases (an Ovid export of Embase and MEDLINE) adds up
    split = pd.concat(
        [
            counts,
            counts.assign(
                records_identified=0, duplicates_removed=0, works_kept=0, database="MEDLINE"
            ),
        ]
    )
    check_deduplication({"records": 4}, works, dups, split)


def _identification(counts: pd.DataFrame, rejected: dict[str, int]) -> pd.DataFrame:
    """What scripts/count_prisma.py builds: dedup counts per source + rejected records."""
    rows = []
    for source, n_rej in sorted(rejected.items()):
        mine = counts[counts["source_id"] == source]
        rows.append(
            {
                "source_id": source,
                "records_identified": int(mine["records_identified"].sum()) + n_rej,
                "duplicates_removed": int(mine["duplicates_removed"].sum()),
                "records_removed_other": n_rej,
            }
        )
    return pd.DataFrame(rows)


def test_prisma_identification_counts_every_source_and_rejection(deduplicated) -> None:
    counts = deduplicated.counts
    rejected = {"records": 2, "empty": 1}
    ident = _identification(counts, rejected)
    assert ident["records_identified"].tolist() == [1, 6]  # empty: 0 read + 1 rejected
    check_identification(ident, counts, rejected, ["records", "empty"])
    with pytest.raises(ConsistencyError, match="rejected-record files .*missing sources: empty"):
        check_identification(ident, counts, {"records": 2}, ["records", "empty"])
    with pytest.raises(ConsistencyError, match="not configured: records"):
        check_identification(ident.iloc[[0]], counts, {"empty": 1}, ["empty"])
    with pytest.raises(ConsistencyError, match="one row per source .*missing sources: empty"):
        check_identification(ident.iloc[[1]], counts, rejected, ["records", "empty"])
    lost = ident.assign(records_removed_other=[1, 0])  # the rejections of 'records' dropped
    with pytest.raises(ConsistencyError, match=r"source 'records': 6 records identified, 1 dup"):
        check_identification(lost, counts, rejected, ["records", "empty"])
    # counts that do not add up on their own
    with pytest.raises(ConsistencyError, match=r"3 unique works \+ 0 duplicates removed \+ 2"):
        check_identification(
            _identification(counts.assign(duplicates_removed=0), rejected),
            counts.assign(duplicates_removed=0),
            rejected,
            ["records", "empty"],
        )


# --------------------------------------------------------------------------- screening


@pytest.fixture(scope="module")
def screened():
    from srma import screening as scr

    works = pd.read_csv(CORPUS / "screening" / "works.csv", dtype=str)
    log = scr.read_logs([SCREENING_BASE["title_abstract"], SCREENING_BASE["full_text"]])
    result = scr.resolve(log, works, scr.read_consensus(SCREENING_BASE["consensus"]))
    reports = scr.included_reports(
        result.decisions, works, scr.read_studies(SCREENING_BASE["studies"])
    )
    return works, result.decisions, reports


def test_screening_adds_up(screened) -> None:
    works, decisions, reports = screened
    check_screening(works, decisions, reports)


def test_a_work_lost_at_title_abstract_is_caught(screened) -> None:
    works, decisions, _ = screened
    dropped = decisions.drop(index=decisions.index[decisions["work_id"] == "Wa2"][0])
    with pytest.raises(ConsistencyError, match="title_abstract: 5 works to decide, 4 decided"):
        check_screening(works, dropped)


def test_full_text_must_follow_title_abstract(screened) -> None:
    works, decisions, _ = screened
    extra = decisions.iloc[[0]].assign(work_id="Wa2", stage="full_text")
    with pytest.raises(ConsistencyError, match="unexpected works: Wa2"):
        check_screening(works, pd.concat([decisions, extra], ignore_index=True))
    twice = pd.concat([decisions, decisions.iloc[[0]]], ignore_index=True)
    with pytest.raises(ConsistencyError, match="more than one decision: Wa1"):
        check_screening(works, twice)


def test_included_reports_match_full_text_inclusions(screened) -> None:
    works, decisions, reports = screened
    with pytest.raises(ConsistencyError, match="missing reports: Wb1"):
        check_screening(works, decisions, reports[reports["work_id"] != "Wb1"])
    with pytest.raises(ConsistencyError, match="without a study"):
        check_screening(works, decisions, reports.assign(study_id=[None, "x"]))
    wrong_stream = decisions.assign(stream="databases")
    with pytest.raises(ConsistencyError, match="another stream: Wb1"):
        check_screening(works, wrong_stream)


# --------------------------------------------------------------------------- extraction


@pytest.fixture(scope="module")
def extracted():
    from srma.extraction import load_extraction, outcome_effects

    outcomes, settings = extraction_settings()
    extraction = load_extraction(
        EXTRACTION_BASE["studies"],
        EXTRACTION_BASE["outcome_data"],
        outcomes=outcomes,
        settings=settings,
        included=EXTRACTION_BASE["included"],
    )
    effects = outcome_effects(
        extraction.studies, extraction.outcome_data, outcomes["hope"], settings
    )
    return extraction, effects


def test_every_included_study_has_data_or_a_reason(extracted) -> None:
    extraction, _ = extracted
    check_included_data(extraction.included, extraction.outcome_data)
    # a study whose only row is 'no usable data' counts as extracted
    only_reason = extraction.outcome_data[
        (extraction.outcome_data["study_id"] != "dalum2016")
        | extraction.outcome_data["no_usable_data"].notna()
    ]
    check_included_data(extraction.included, only_reason)
    with pytest.raises(InputError) as info:
        check_included_data(
            extraction.included,
            extraction.outcome_data[extraction.outcome_data["study_id"] != "jensen2019"],
            included_file="included_studies.csv",
        )
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "included_studies.csv",
        3,
        "study_id",
        "jensen2019",
    )


def test_effect_table_accounts_for_every_row(extracted) -> None:
    extraction, effects = extracted
    check_effects(extraction.outcome_data, effects, "hope")
    with pytest.raises(ConsistencyError, match="missing study/timepoint/population"):
        check_effects(extraction.outcome_data, effects.iloc[1:], "hope")
    with pytest.raises(ConsistencyError, match="repeated"):
        check_effects(extraction.outcome_data, pd.concat([effects, effects.iloc[[0]]]), "hope")
    usable = effects.index[effects["usable"]][0]
    with pytest.raises(ConsistencyError, match="usable effect with"):
        check_effects(
            extraction.outcome_data,
            effects.assign(vi=effects["vi"].where(effects.index != usable, 0.0)),
            "hope",
        )
    unusable = effects.index[~effects["usable"]][0]
    no_reason = effects.assign(notes=effects["notes"].where(effects.index != unusable, None))
    with pytest.raises(ConsistencyError, match="no reason given"):
        check_effects(extraction.outcome_data, no_reason, "hope")


def test_every_study_of_an_analysis_is_in_its_result(extracted) -> None:
    from srma.analysis import AnalysisSettings, run_analysis

    _, effects = extracted
    rows = effects[(effects["timepoint"] == "followup") & (effects["population"] == "cc")]
    result = run_analysis(rows[rows["usable"]], AnalysisSettings(), measure="SMD")
    result["studies_without_data"] = [
        {"study_id": s} for s in rows.loc[~rows["usable"], "study_id"]
    ]
    check_analysis(rows, result)
    lost = {**result, "studies": result["studies"][1:]}
    with pytest.raises(ConsistencyError, match="missing studies"):
        check_analysis(rows, lost)
    with pytest.raises(ConsistencyError, match="without usable data not listed"):
        check_analysis(rows, {**result, "studies_without_data": []})


def test_the_model_and_its_parts_hold_every_study(extracted) -> None:
    from srma.analysis import AnalysisSettings, run_analysis

    _, effects = extracted
    rows = effects[(effects["timepoint"] == "followup") & (effects["population"] == "cc")]
    rows = rows.assign(comparator_type=["tau", "tau", "wl", "wl"])  # dalum2016: no usable data
    assert rows["usable"].tolist() == [False, True, True, True]
    plan = AnalysisSettings(subgroup_by=("comparator_type",))
    result = run_analysis(rows[rows["usable"]], plan, measure="SMD")
    assert (result["main"]["k"], len(result["leave_one_out"])) == (3, 3)
    check_analysis(rows, result)
    main = {**result["main"], "k": 2}
    with pytest.raises(ConsistencyError, match="the model was fitted to k = 2, not 3"):
        check_analysis(rows, {**result, "main": main})
    main = {**result["main"], "weights": result["main"]["weights"][1:]}
    with pytest.raises(ConsistencyError, match="2 study weights for 3 studies"):
        check_analysis(rows, {**result, "main": main})
    loo = result["leave_one_out"]
    with pytest.raises(ConsistencyError, match="leave-one-out does not omit each study once"):
        check_analysis(rows, {**result, "leave_one_out": [loo[0], loo[0], loo[2]]})
    with pytest.raises(ConsistencyError, match="has k = 3, not 2"):
        check_analysis(rows, {**result, "leave_one_out": [{**loo[0], "k": 3}, *loo[1:]]})
    block = result["subgroups"]["comparator_type"]
    levels = dict(block["levels"])
    levels.pop("wl")
    with pytest.raises(
        ConsistencyError, match="subgroups by comparator_type hold 1 studies, not the 3"
    ):
        check_analysis(
            rows, {**result, "subgroups": {"comparator_type": {**block, "levels": levels}}}
        )


def test_srma_pool_output_holds_every_study() -> None:
    from srma.pooling import leave_one_out, pool, subgroups

    yi, vi, studies = [0.1, 0.3, -0.1, 0.5], [0.04, 0.05, 0.03, 0.06], ["a", "b", "c", "d"]
    out = pool(yi, vi).to_dict()
    out["leave_one_out"] = [r.to_dict() for r in leave_one_out(yi, vi, studies)]
    out.update(subgroups(yi, vi, ["x", "x", "y", "y"]).to_dict())
    check_pooled(studies, out)
    with pytest.raises(ConsistencyError, match="the model was fitted to k = 4, not 5"):
        check_pooled([*studies, "e"], out)
    with pytest.raises(ConsistencyError, match=r"missing studies: a\)"):
        check_pooled(studies, {**out, "leave_one_out": out["leave_one_out"][1:]})
    with pytest.raises(ConsistencyError, match="subgroups hold 2 studies, but the table has 4"):
        check_pooled(studies, {**out, "subgroups": {"x": out["subgroups"]["x"]}})


def test_the_corpus_records_are_the_dedup_fixture() -> None:
    assert DEDUP_RECORDS.is_file()
