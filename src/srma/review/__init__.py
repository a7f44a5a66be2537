"""Review folders: making one (``srma init``), checking one (``srma check``), and how far it goes.

>>> from srma.review import init_review, check_review
>>> init_review("myreview")                     # doctest: +SKIP
>>> report = check_review("myreview")           # doctest: +SKIP
>>> report.ok, [p.render() for p in report.problems]   # doctest: +SKIP

A review folder's ``Snakefile`` includes srma's workflow from
:func:`workflow_root`; :func:`preflight` runs before it starts, and
:func:`next_steps` after it succeeds.  ``workflow/rules/common.smk`` asks only
for the stages :func:`review_progress` says have inputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from srma._lazy import lazy_exports

if TYPE_CHECKING:
    from srma.review.check import CheckReport, FileCheck, check_review, preflight, unlisted_exports
    from srma.review.init import InitResult, init_review
    from srma.review.paths import WorkflowNotFoundError, workflow_root
    from srma.review.progress import Progress, next_steps, review_progress
    from srma.review.tables import INPUT_TABLES, InputTable

#: Where each public name lives, imported on first use (PEP 562): the workflow asks
#: :func:`review_progress` at every start, which needs none of the checks' schemas.
_LAZY = {
    "CheckReport": "srma.review.check",
    "FileCheck": "srma.review.check",
    "INPUT_TABLES": "srma.review.tables",
    "InitResult": "srma.review.init",
    "InputTable": "srma.review.tables",
    "Progress": "srma.review.progress",
    "WorkflowNotFoundError": "srma.review.paths",
    "check_review": "srma.review.check",
    "init_review": "srma.review.init",
    "next_steps": "srma.review.progress",
    "preflight": "srma.review.check",
    "review_progress": "srma.review.progress",
    "unlisted_exports": "srma.review.check",
    "workflow_root": "srma.review.paths",
}

__all__ = [
    "CheckReport",
    "FileCheck",
    "INPUT_TABLES",
    "InitResult",
    "InputTable",
    "Progress",
    "WorkflowNotFoundError",
    "check_review",
    "init_review",
    "next_steps",
    "preflight",
    "review_progress",
    "unlisted_exports",
    "workflow_root",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
