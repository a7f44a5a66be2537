"""Outcomes, instruments and extraction settings, as declared in the configuration.

The configuration's ``outcomes:`` list and ``extraction:`` section (validated
and default-filled by ``workflow/schemas/config.schema.yaml``) become frozen
dataclasses here, so that the library takes plain values and never reads the
configuration file itself.  :meth:`OutcomeSpec.to_config` gives the mapping
back, which is what a Snakemake rule passes as ``params`` (one outcome's
entry only, so that editing another outcome does not rerun it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from srma.effects import ROUTES
from srma.errors import InputError, Problem

__all__ = [
    "COMBINE_METHODS",
    "DEFAULT_COMPARATOR_TYPES",
    "DEFAULT_POPULATIONS",
    "DEFAULT_TIMEPOINTS",
    "Choice",
    "ExtractionSettings",
    "Instrument",
    "OutcomeSpec",
    "outcome_specs",
]

Combine = Literal["aggregate", "priority"]
COMBINE_METHODS: tuple[str, ...] = ("aggregate", "priority")


@dataclass(frozen=True)
class Choice:
    """One allowed value of a column (a timepoint, population or comparator type)."""

    id: str
    label: str


#: Defaults of ``extraction.timepoints``, ``populations`` and ``comparator_types``
#: (the same as the config schema's).
DEFAULT_TIMEPOINTS: tuple[Choice, ...] = (
    Choice("post", "Post-test"),
    Choice("followup", "Follow-up"),
)
DEFAULT_POPULATIONS: tuple[Choice, ...] = (
    Choice("cc", "Complete cases"),
    Choice("itt", "Intention to treat"),
)
DEFAULT_COMPARATOR_TYPES: tuple[Choice, ...] = (
    Choice("tau", "Treatment as usual"),
    Choice("wl", "Waiting list"),
    Choice("active", "Active comparator"),
)


@dataclass(frozen=True)
class Instrument:
    """A scale measuring an outcome.

    ``higher_is_better`` is False for scales where a lower score is the better
    outcome; their effects are sign-reversed so that a positive effect always
    favours the intervention.
    """

    id: str
    label: str
    higher_is_better: bool


@dataclass(frozen=True)
class OutcomeSpec:
    """One outcome of the review and how its instruments are combined.

    Attributes
    ----------
    id, label
        The outcome's id (file names, the ``outcome`` column) and display name.
    instruments
        The instruments, in order of preference (used by ``combine="priority"``).
    measure
        ``"SMD"`` (Hedges' g) or ``"MD"``.
    combine
        ``"aggregate"``: the instruments one study reports at one timepoint and
        population are combined assuming correlation ``rho`` (metafor
        ``aggregate(..., rho=)``); ``"priority"``: the first instrument of
        ``instruments`` the study reports is used.
    rho
        Assumed correlation between instruments (``combine="aggregate"``).
    """

    id: str
    label: str
    instruments: tuple[Instrument, ...]
    measure: Literal["SMD", "MD"] = "SMD"
    combine: Combine = "priority"
    rho: float | None = None

    @property
    def instrument_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.instruments)

    def instrument(self, instrument_id: str) -> Instrument:
        """The instrument with id ``instrument_id`` (KeyError if not declared)."""
        for inst in self.instruments:
            if inst.id == instrument_id:
                return inst
        raise KeyError(instrument_id)

    def describe_combine(self) -> str:
        """The rule for several instruments, as written into the output."""
        if self.combine == "aggregate":
            return f"aggregate (rho = {self.rho:g})"
        return "priority: " + " > ".join(self.instrument_ids)

    @classmethod
    def from_config(cls, entry: Mapping[str, Any]) -> OutcomeSpec:
        """Build from one validated entry of the config's ``outcomes:`` list."""
        problems = outcome_config_problems([entry])
        if problems:
            raise InputError(problems=problems)
        rho = entry.get("rho")
        return cls(
            id=str(entry["id"]),
            label=str(entry["label"]),
            instruments=tuple(
                Instrument(str(i["id"]), str(i["label"]), bool(i["higher_is_better"]))
                for i in entry["instruments"]
            ),
            measure=entry.get("measure", "SMD"),
            combine=entry.get("combine", "priority"),
            rho=None if rho is None else float(rho),
        )

    def to_config(self) -> dict[str, Any]:
        """The config entry of this outcome (inverse of :meth:`from_config`)."""
        out: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "measure": self.measure,
            "combine": self.combine,
            "instruments": [
                {"id": i.id, "label": i.label, "higher_is_better": i.higher_is_better}
                for i in self.instruments
            ],
        }
        if self.rho is not None:
            out["rho"] = self.rho
        return out


def outcome_config_problems(
    entries: Iterable[Mapping[str, Any]], file: str | None = "config/config.yaml"
) -> list[Problem]:
    """Semantic problems of the ``outcomes:`` list that a JSON Schema cannot express.

    Duplicate outcome ids, duplicate instrument ids within an outcome, a
    missing or impossible ``rho`` for ``combine: aggregate``, and
    ``aggregate`` with ``measure: MD`` (raw differences on different scales
    cannot be averaged), and a missing ``higher_is_better``.
    """
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        where = f"outcomes[{i}]"
        oid = entry.get("id")
        if oid in seen:
            problems.append(
                Problem(
                    f"outcome id {oid!r} is declared twice",
                    file=file,
                    column=f"{where}.id",
                    value=oid,
                    hint="give every outcome its own id",
                )
            )
        seen.add(str(oid))
        inst_seen: set[str] = set()
        for j, inst in enumerate(entry.get("instruments") or []):
            iid = inst.get("id")
            if iid in inst_seen:
                problems.append(
                    Problem(
                        f"instrument {iid!r} is declared twice for outcome {oid!r}",
                        file=file,
                        column=f"{where}.instruments[{j}].id",
                        value=iid,
                        hint="list each instrument once",
                    )
                )
            inst_seen.add(str(iid))
            if not isinstance(inst.get("higher_is_better"), bool):
                problems.append(
                    Problem(
                        f"instrument {iid!r} of outcome {oid!r} does not say whether higher "
                        "scores are better",
                        file=file,
                        column=f"{where}.instruments[{j}].higher_is_better",
                        value=inst.get("higher_is_better"),
                        hint="set higher_is_better: true or false",
                    )
                )
        if not entry.get("instruments"):
            problems.append(
                Problem(
                    f"outcome {oid!r} declares no instruments",
                    file=file,
                    column=f"{where}.instruments",
                    hint="list the instruments (scales) that measure it",
                )
            )
        combine = entry.get("combine", "priority")
        if combine not in COMBINE_METHODS:
            problems.append(
                Problem(
                    f"unknown combine rule {combine!r} for outcome {oid!r}",
                    file=file,
                    column=f"{where}.combine",
                    value=combine,
                    hint="use aggregate or priority",
                )
            )
        if combine == "aggregate":
            rho = entry.get("rho")
            if rho is None:
                problems.append(
                    Problem(
                        f"outcome {oid!r} aggregates instruments but gives no rho",
                        file=file,
                        column=f"{where}.rho",
                        hint="set rho, the assumed correlation between instruments (e.g. 0.6)",
                    )
                )
            elif not -1 < float(rho) < 1:
                problems.append(
                    Problem(
                        "rho must lie strictly between -1 and 1",
                        file=file,
                        column=f"{where}.rho",
                        value=rho,
                    )
                )
            if entry.get("measure", "SMD") == "MD":
                problems.append(
                    Problem(
                        f"outcome {oid!r} aggregates raw mean differences of different instruments",
                        file=file,
                        column=f"{where}.combine",
                        value="aggregate",
                        hint="use measure SMD, or combine priority",
                    )
                )
    return problems


def outcome_specs(
    entries: Iterable[Mapping[str, Any]], file: str | None = "config/config.yaml"
) -> dict[str, OutcomeSpec]:
    """``{outcome id: OutcomeSpec}`` from the config's ``outcomes:`` list.

    Raises
    ------
    InputError
        With every problem of :func:`outcome_config_problems`.
    """
    entries = list(entries)
    problems = outcome_config_problems(entries, file)
    if problems:
        raise InputError(problems=problems)
    specs = [OutcomeSpec.from_config(e) for e in entries]
    return {s.id: s for s in specs}


def _choices(value: Any, default: tuple[Choice, ...]) -> tuple[Choice, ...]:
    if value is None:
        return default
    return tuple(
        v if isinstance(v, Choice) else Choice(str(v["id"]), str(v.get("label", v["id"])))
        for v in value
    )


@dataclass(frozen=True)
class ExtractionSettings:
    """The ``extraction:`` section's review decisions (file paths excluded).

    Attributes
    ----------
    timepoints, populations, comparator_types
        The values the tables may use (anything else is a typo to report).
    ci_distribution, quantile_method, skewed, routes
        Passed to :func:`srma.effects.compute_effects` (``routes`` as its
        ``priority``).
    """

    timepoints: tuple[Choice, ...] = DEFAULT_TIMEPOINTS
    populations: tuple[Choice, ...] = DEFAULT_POPULATIONS
    comparator_types: tuple[Choice, ...] = DEFAULT_COMPARATOR_TYPES
    ci_distribution: Literal["t", "z"] = "t"
    quantile_method: str = "luo/wan/shi"
    skewed: Literal["note", "refuse"] = "note"
    routes: tuple[str, ...] = field(default=ROUTES)

    @property
    def timepoint_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.timepoints)

    @property
    def population_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.populations)

    @property
    def comparator_type_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.comparator_types)

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None) -> ExtractionSettings:
        """Build from the config's (validated) ``extraction:`` section; keys may be missing."""
        section = section or {}
        routes: Sequence[str] = section.get("routes") or ROUTES
        return cls(
            timepoints=_choices(section.get("timepoints"), DEFAULT_TIMEPOINTS),
            populations=_choices(section.get("populations"), DEFAULT_POPULATIONS),
            comparator_types=_choices(section.get("comparator_types"), DEFAULT_COMPARATOR_TYPES),
            ci_distribution=section.get("ci_distribution", "t"),
            quantile_method=section.get("quantile_method", "luo/wan/shi"),
            skewed=section.get("skewed", "note"),
            routes=tuple(routes),
        )

    def to_config(self) -> dict[str, Any]:
        """The settings as a plain mapping (for Snakemake ``params``)."""
        return {
            "timepoints": [{"id": c.id, "label": c.label} for c in self.timepoints],
            "populations": [{"id": c.id, "label": c.label} for c in self.populations],
            "comparator_types": [{"id": c.id, "label": c.label} for c in self.comparator_types],
            "ci_distribution": self.ci_distribution,
            "quantile_method": self.quantile_method,
            "skewed": self.skewed,
            "routes": list(self.routes),
        }
