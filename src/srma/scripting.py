"""Helpers for the thin Snakemake scripts in ``scripts/``.

The library never imports snakemake; scripts pass plain values in.  :func:`step`
wraps a script's work so that a user's mistake is written to the rule's log and
to stderr as one paragraph, without a traceback, and the job exits non-zero
(Snakemake then removes the job's outputs, so nothing half-written remains).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from srma.errors import InputError, SrmaError

log = logging.getLogger("srma")


@contextmanager
def step(log_path: str | Path | None, name: str = "srma") -> Iterator[logging.Logger]:
    """Run one workflow step with logging to ``log_path`` and clean user errors."""
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
    try:
        yield logger
    except SrmaError as exc:
        kind = "input error" if isinstance(exc, InputError) else "error"
        message = f"srma: {kind} in step {name}:\n{exc}"
        logger.error(message)
        print(message, file=sys.stderr)
        sys.exit(1)
    logger.info("done in %.2f s", time.perf_counter() - start)
