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

from srma.review.check import CheckReport, FileCheck, check_review, preflight, unlisted_exports
from srma.review.init import InitResult, init_review
from srma.review.paths import WorkflowNotFoundError, workflow_root
from srma.review.progress import Progress, next_steps, review_progress
from srma.review.tables import INPUT_TABLES, InputTable

__all__ = [
    "INPUT_TABLES",
    "CheckReport",
    "FileCheck",
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
