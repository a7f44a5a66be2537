"""Rule extract_outcome: the extraction tables -> one outcome's effect table."""

from srma.conservation import check_effects
from srma.extraction import (
    ExtractionSettings,
    OutcomeSpec,
    load_extraction,
    outcome_effects,
)
from srma.io.tables import write_parquet
from srma.scripting import step


def main(inputs, effects_out, outcome, settings, log):
    spec = OutcomeSpec.from_config(outcome)
    conversion = ExtractionSettings.from_config(settings)
    # the workflow checks the included studies once, in split_outcome_data
    included = inputs.included[0] if len(getattr(inputs, "included", ())) else None
    extraction = load_extraction(
        inputs.studies,
        inputs.outcome_data,
        outcomes={spec.id: spec},
        settings=conversion,
        included=included,
        only_outcome=spec.id,
    )
    effects = outcome_effects(extraction.studies, extraction.outcome_data, spec, conversion)
    check_effects(extraction.outcome_data, effects, spec.id)
    write_parquet(effects, effects_out)
    usable = effects[effects["usable"]]
    log.info(
        "%s: %d rows of outcome data -> %d effects (%d studies; %d without usable data)%s",
        spec.id,
        len(extraction.outcome_data),
        len(usable),
        effects["study_id"].nunique(),
        int((~effects["usable"]).sum()),
        f"; checked against {included}" if included else "",
    )


if __name__ == "__main__":
    with step(snakemake.log[0], "extract_outcome", job=snakemake) as log:  # noqa: F821
        main(
            snakemake.input,  # noqa: F821
            snakemake.output.effects,  # noqa: F821
            snakemake.params.outcome,  # noqa: F821
            snakemake.params.settings,  # noqa: F821
            log,
        )
