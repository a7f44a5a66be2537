"""Screening: reviewers' decisions -> final decisions, agreement and reports.

Typical use (the Snakemake script does exactly this)::

    from srma import screening as scr

    rules = scr.ScreeningRules.from_dict(config["screening"])
    log = scr.read_logs(paths)                   # data/screening/*.csv|xlsx
    consensus = scr.read_consensus("data/screening/consensus.csv")
    result = scr.resolve(log, works, consensus, rules)   # InputError lists every problem
    scr.agreement(result.log)                    # kappa and % agreement per stage
    scr.exclusion_reasons(result.decisions)
    scr.included_reports(result.decisions, works, scr.read_studies("data/screening/studies.csv"))

    # sheets are needed while screening is unfinished:
    partial = scr.resolve(log, works, consensus, dataclasses.replace(rules, allow_pending=True))
    scr.screening_sheet(works, partial, "title_abstract", reviewer="alice")

Exports of Rayyan, Covidence and ASReview become logs with
:func:`import_rayyan`, :func:`import_covidence` and :func:`import_asreview`.
"""

from srma.screening.agreement import (
    AGREEMENT_COLUMNS,
    Agreement,
    agreement,
    cohen_kappa,
    kappa_from_table,
)
from srma.screening.decide import (
    DECISION_COLUMNS,
    DecisionSchema,
    ScreeningResult,
    resolve,
)
from srma.screening.importers import (
    ImportedScreening,
    import_asreview,
    import_covidence,
    import_rayyan,
    parse_rayyan_notes,
)
from srma.screening.match import match_records, normalise_doi, normalise_pmid, normalise_title
from srma.screening.read import read_consensus, read_log, read_logs, read_studies
from srma.screening.reports import (
    conflict_sheet,
    exclusion_reasons,
    included_reports,
    screening_sheet,
)
from srma.screening.rules import DECISIONS, STAGES, ScreeningRules
from srma.screening.schema import (
    CONSENSUS_COLUMNS,
    LOG_COLUMNS,
    ConsensusSchema,
    ScreeningLogSchema,
    StudiesSchema,
    validate_consensus,
    validate_log,
    validate_studies,
)

__all__ = [
    "AGREEMENT_COLUMNS",
    "CONSENSUS_COLUMNS",
    "DECISIONS",
    "DECISION_COLUMNS",
    "LOG_COLUMNS",
    "STAGES",
    "Agreement",
    "ConsensusSchema",
    "DecisionSchema",
    "ImportedScreening",
    "ScreeningLogSchema",
    "ScreeningResult",
    "ScreeningRules",
    "StudiesSchema",
    "agreement",
    "cohen_kappa",
    "conflict_sheet",
    "exclusion_reasons",
    "import_asreview",
    "import_covidence",
    "import_rayyan",
    "included_reports",
    "kappa_from_table",
    "match_records",
    "normalise_doi",
    "normalise_pmid",
    "normalise_title",
    "parse_rayyan_notes",
    "read_consensus",
    "read_log",
    "read_logs",
    "read_studies",
    "resolve",
    "screening_sheet",
    "validate_consensus",
    "validate_log",
    "validate_studies",
]
