"""The rules of a (dual) screening review, as plain settings.

The lead puts these keys in the configuration schema (``screening:``); the
Snakemake script passes the validated mapping to :meth:`ScreeningRules.from_dict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from srma.errors import InputError

#: Screening stages, in the order a work passes them.
STAGES: tuple[str, ...] = ("title_abstract", "full_text")

#: Decisions a reviewer can record.
DECISIONS: tuple[str, ...] = ("include", "exclude", "maybe")

#: Decisions a consensus can record (a consensus settles: no "maybe").
CONSENSUS_DECISIONS: tuple[str, ...] = ("include", "exclude")

#: Full-text exclusion reasons that mean "the report could not be obtained";
#: PRISMA counts these as *reports not retrieved*, not as *reports excluded*.
DEFAULT_NOT_RETRIEVED_REASONS: tuple[str, ...] = (
    "not retrieved",
    "report not retrieved",
    "full text not retrieved",
    "full text not available",
    "no full text",
)


@dataclass(frozen=True)
class ScreeningRules:
    """How decisions are combined into a final decision per work and stage.

    Parameters
    ----------
    reviewers_title_abstract, reviewers_full_text
        Independent reviewers required per work at each stage (1 or 2).  With
        2, a work with one decision is *incomplete* (awaiting a second
        reviewer); two decisions that differ are a *conflict*.
    maybe_counts_as_include
        A ``maybe`` moves a work on, like ``include`` (default).  If false, a
        ``maybe`` settles nothing: the work needs a consensus decision.
    allow_pending
        If false (default), an unresolved conflict, a work without (enough)
        decisions or a decision for an unknown work stops the run with the list
        of them.  If true, such works are *awaiting classification* (PRISMA
        shows them) and decisions for unknown works are returned in
        :attr:`ScreeningResult.unknown` instead of stopping the run.
    not_retrieved_reasons
        Full-text exclusion reasons (compared case-insensitively) that mean
        the report could not be obtained: counted as *reports not retrieved*.
    """

    reviewers_title_abstract: int = 2
    reviewers_full_text: int = 2
    maybe_counts_as_include: bool = True
    allow_pending: bool = False
    not_retrieved_reasons: tuple[str, ...] = field(default=DEFAULT_NOT_RETRIEVED_REASONS)

    def __post_init__(self) -> None:
        for name in ("reviewers_title_abstract", "reviewers_full_text"):
            value = getattr(self, name)
            if value not in (1, 2) or isinstance(value, bool):
                raise InputError(
                    f"screening.{name} must be 1 or 2",
                    value=value,
                    hint="set 1 for single screening or 2 for dual screening",
                )
        object.__setattr__(
            self, "not_retrieved_reasons", tuple(str(r) for r in self.not_retrieved_reasons)
        )

    def reviewers(self, stage: str) -> int:
        """Reviewers required per work at ``stage``."""
        return self.reviewers_full_text if stage == "full_text" else self.reviewers_title_abstract

    def is_not_retrieved(self, reason: str | None) -> bool:
        """Whether a full-text exclusion ``reason`` means "not retrieved"."""
        if reason is None:
            return False
        key = " ".join(str(reason).split()).casefold()
        return key in {" ".join(r.split()).casefold() for r in self.not_retrieved_reasons}

    @classmethod
    def from_dict(cls, settings: Mapping[str, Any] | None) -> ScreeningRules:
        """Build the rules from a configuration mapping (unknown keys are an error).

        ``reviewers`` may also be given as one number for both stages or as a
        mapping ``{title_abstract: 2, full_text: 1}``.
        """
        settings = dict(settings or {})
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        reviewers = settings.pop("reviewers", None)
        if isinstance(reviewers, Mapping):
            for stage, value in reviewers.items():
                if stage not in STAGES:
                    raise InputError(
                        f"screening.reviewers has an unknown stage {stage!r}",
                        value=stage,
                        hint=f"use one of {', '.join(STAGES)}",
                    )
                kwargs[f"reviewers_{stage}"] = value
        elif reviewers is not None:
            kwargs["reviewers_title_abstract"] = reviewers
            kwargs["reviewers_full_text"] = reviewers
        for key, value in settings.items():
            if key not in known:
                raise InputError(
                    f"unknown screening setting {key!r}",
                    value=key,
                    hint=f"use one of {', '.join(sorted(known | {'reviewers'}))}",
                )
            kwargs[key] = tuple(value) if key == "not_retrieved_reasons" else value
        return cls(**kwargs)
