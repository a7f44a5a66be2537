"""User-facing errors.

A mistake in a user's file is reported as an :class:`InputError` naming the
file, the line or row, the column and the offending value, and saying what to
do about it.  The command line and the Snakemake scripts print it as one
paragraph, without a traceback, and exit with a non-zero status.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem found in one place of one input file."""

    message: str
    file: str | None = None
    line: int | None = None
    row: int | None = None
    column: str | None = None
    value: object | None = None
    hint: str | None = None

    def location(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(str(self.file))
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def render(self) -> str:
        loc = self.location()
        text = f"{loc}: {self.message}" if loc else self.message
        if self.value is not None:
            value = repr(self.value)
            if len(value) > 80:
                value = value[:77] + "..."
            text += f" (value: {value})"
        if self.hint:
            hint = self.hint.rstrip(".")
            end = "" if hint.endswith(("?", "!")) else "."  # not "Did you mean 'x'?."
            text += f". {hint[:1].upper()}{hint[1:]}{end}"
        elif not text.endswith("."):
            text += "."
        return text


class SrmaError(Exception):
    """Base class of every error srma raises on purpose."""

    exit_code = 1


@dataclass
class InputError(SrmaError):
    """A problem with a user's input: a file, a table or the configuration.

    Holds one or more :class:`Problem` s so that every mistake in a file can be
    reported at once.
    """

    problems: list[Problem] = field(default_factory=list)

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | None = None,
        line: int | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object | None = None,
        hint: str | None = None,
        problems: Sequence[Problem] | None = None,
    ) -> None:
        probs: list[Problem] = list(problems or [])
        if message is not None:
            probs.insert(
                0,
                Problem(
                    message, file=file, line=line, row=row, column=column, value=value, hint=hint
                ),
            )
        if not probs:
            raise ValueError("InputError needs a message or problems")
        self.problems = probs
        super().__init__(self.render())

    @classmethod
    def collect(cls, problems: Iterable[Problem]) -> InputError | None:
        """Return an error holding ``problems``, or ``None`` if there are none."""
        probs = list(problems)
        return cls(problems=probs) if probs else None

    def render(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0].render()
        lines = [f"{len(self.problems)} problems found:"]
        lines += [f"  - {p.render()}" for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:  # dataclass would otherwise replace it
        return self.render()


class ConsistencyError(SrmaError):
    """A conservation or arithmetic check inside the pipeline failed.

    This is never the user's typing mistake alone: it means records or counts
    would have been lost silently, so the run stops.
    """
