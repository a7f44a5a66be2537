"""De-duplication: from exported records to works.

::

    from srma.dedup import deduplicate
    res = deduplicate(records, streams={"pubmed": "databases", "citations": "other_methods"})
    res.works, res.duplicates, res.uncertain, res.stale_decisions, res.counts

The stages, each in its own module: :mod:`~srma.dedup.normalise` (comparable
forms of each field), :mod:`~srma.dedup.blocking` (candidate pairs, linear in the
number of records), :mod:`~srma.dedup.compare` (field-by-field agreement),
:mod:`~srma.dedup.rules` (same / different / uncertain),
:mod:`~srma.dedup.cluster` (union-find guarded against chaining),
:mod:`~srma.dedup.merge` (merged work records and stable work ids),
:mod:`~srma.dedup.decisions` (reviewers' decisions on uncertain pairs).
"""

from srma.dedup.core import DedupResult, deduplicate
from srma.dedup.decisions import make_pair_id

__all__ = ["DedupResult", "deduplicate", "make_pair_id"]
