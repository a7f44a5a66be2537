"""Helpers for the thin Snakemake scripts in ``scripts/``.

The library never imports snakemake; scripts pass plain values in.  :func:`step`
wraps a script's work so that a user's mistake, or a broken conservation check
(:mod:`srma.conservation`), is written to the rule's log and to stderr as one
paragraph (:func:`failure_message`), without a traceback, and the job exits non-zero
(Snakemake then removes the job's outputs, so nothing half-written remains).
Given the job (``job=snakemake``), it also writes the provenance record
``<output>.prov.json`` of every output once the work has succeeded
(:func:`srma.provenance.write_job_provenance`).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from srma.errors import ConsistencyError, InputError, SrmaError

log = logging.getLogger("srma")


@contextmanager
def step(
    log_path: str | Path | None,
    name: str = "srma",
    *,
    job: Any = None,
    root: str | Path | None = None,
) -> Iterator[logging.Logger]:
    """Run one workflow step with logging to ``log_path`` and clean user errors.

    Parameters
    ----------
    log_path
        The rule's log file (``snakemake.log[0]``); ``None`` logs to stderr.
    name
        The rule's name, used in messages.
    job
        The job, duck-typed like Snakemake's ``snakemake`` object (``.input``,
        ``.output``, ``.params``, ``.wildcards``, ``.rule``, ``.log``).  When
        given, a provenance record is written beside each output after the
        body succeeded; nothing is written when it fails.
    root
        The review folder relative paths start from (default: the working
        directory, which is Snakemake's).

    Yields
    ------
    logging.Logger
        The step's logger.
    """
    handlers: list[logging.Handler] = []
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        handlers=handlers or None,
        force=True,
    )
    logger = logging.getLogger(f"srma.{name}")
    start = time.perf_counter()
    started = None
    if job is not None:
        from srma.provenance.records import utc_now

        started = utc_now()
        _forget_records(job, root)
    try:
        yield logger
    except SrmaError as exc:
        message = failure_message(exc, name)
        logger.error(message)
        print(message, file=sys.stderr)
        sys.exit(1)
    if job is not None:
        from srma.provenance.records import utc_now, write_job_provenance

        written = write_job_provenance(job, started or utc_now(), utc_now(), root=root)
        for warning in written.warnings:
            logger.warning("provenance: %s", warning)
        logger.info("provenance: %d record(s) written", len(written.paths))
    logger.info("done in %.2f s", time.perf_counter() - start)


def failure_message(exc: SrmaError, name: str) -> str:
    """What a failed step prints: one paragraph, no traceback.

    A user's mistake (:class:`~srma.errors.InputError`) names the file, row and
    value; a broken conservation check (:class:`~srma.errors.ConsistencyError`)
    says what would have been lost and how to recover.
    """
    if isinstance(exc, ConsistencyError):
        text = str(exc).rstrip().rstrip(".")
        return (
            f"srma: consistency check failed in step {name}: {text}. The run stops so that "
            "no record, decision or study is lost or counted twice without notice; this step "
            "wrote nothing. If files under results/ were edited by hand or left by another "
            "version of srma, run the workflow again from the start (snakemake --forceall); "
            "otherwise this is a bug in srma: please report it with this message."
        )
    kind = "input error" if isinstance(exc, InputError) else "error"
    return f"srma: {kind} in step {name}:\n{exc}"


def _forget_records(job: Any, root: str | Path | None) -> None:
    """Delete the provenance records an earlier run left beside this job's outputs.

    They are written again when the step succeeds; if it fails, Snakemake deletes
    the outputs, and no record may outlive them (nothing of a failed job remains).
    """
    from srma.provenance.records import _pairs, record_path

    base = Path(root) if root is not None else Path.cwd()
    for _, path in _pairs(getattr(job, "output", None)):
        output = Path(path)
        record_path(output if output.is_absolute() else base / output).unlink(missing_ok=True)
