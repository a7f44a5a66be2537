"""Helpers for the thin Snakemake scripts in ``scripts/``.

The library never imports snakemake; scripts pass plain values in.  :func:`step`
wraps a script's work so that a user's mistake is written to the rule's log and
to stderr as one paragraph, without a traceback, and the job exits non-zero
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

from srma.errors import InputError, SrmaError

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
        kind = "input error" if isinstance(exc, InputError) else "error"
        message = f"srma: {kind} in step {name}:\n{exc}"
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
