"""Clustering of linked records into works, guarded against chaining.

Plain connected components of "same" links can chain distinct works: A-B and
B-C may each look safe while A and C are an article and its erratum.  Here links
are applied one at a time, strongest first, with union-find; a link that would
put into one cluster

* two different DOIs, PubMed ids, volumes, page ranges or part numbers,
* years more than one apart,
* records of different kinds (an article and an erratum, reply, comment ...),
* or two records that a reviewer or the rules declared *different*,

is refused.  Reviewers' ``same`` decisions go first and skip these checks and
the rules' *different* verdicts (the reviewer has looked), but never override a
reviewer's ``different``.  The order of links
depends only on their scores and on record ids, so the result does not depend on
the order of the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from srma.dedup.compare import Agreement, page_agreement
from srma.dedup.normalise import NormRecord

__all__ = ["Link", "Signature", "cluster_links"]


@dataclass(frozen=True, slots=True)
class Link:
    """A proposed merge of rows ``i`` and ``j``."""

    i: int
    j: int
    score: float
    reason: str
    human: bool = False


@dataclass(slots=True)
class Signature:
    """What a cluster holds that another cluster must not contradict."""

    dois: set[str] = field(default_factory=set)
    pmids: set[str] = field(default_factory=set)
    volumes: set[tuple[str, str]] = field(default_factory=set)
    pages: set[tuple[str, str, str, str, str, bool]] = field(default_factory=set)
    parts: set[str] = field(default_factory=set)
    flags: set[tuple[str, ...]] = field(default_factory=set)
    year_min: int = 0
    year_max: int = 0
    reviewed: bool = False

    @classmethod
    def of(cls, r: NormRecord) -> Signature:
        return cls(
            dois={r.doi} if r.doi else set(),
            pmids={r.pmid} if r.pmid else set(),
            volumes={(r.volume, r.supplement)} if r.volume else set(),
            pages={(r.first_page, r.last_page, r.page_kind, r.volume, r.issue, r.conference)}
            if r.first_page
            else set(),
            parts={r.title.part} if r.title.part else set(),
            flags={r.title.flags},
            year_min=r.year,
            year_max=r.year,
        )

    def compatible(self, other: Signature) -> bool:
        """Whether the union of two clusters stays free of contradictions.

        A cluster a reviewer merged may hold contradictions already (``reviewed``);
        then a link may not add a *new* conflicting value, but may join values the
        cluster already has.
        """
        relaxed = self.reviewed or other.reviewed
        for a, b in (
            (self.dois, other.dois),
            (self.pmids, other.pmids),
            (self.parts, other.parts),
            (self.flags, other.flags),
        ):
            if len(a | b) > (max(len(a), len(b), 1) if relaxed else 1):
                return False
        years = [y for y in (self.year_min, other.year_min) if y]
        if years:
            span = max(self.year_max, other.year_max) - min(years)
            own = max(self.year_max - self.year_min, other.year_max - other.year_min)
            if span > (max(own, 1) if relaxed else 1):
                return False

        def volumes_agree(x: tuple[str, str], y: tuple[str, str]) -> bool:
            return x[0] == y[0] or x[0] == y[1] or y[0] == x[1]

        def pages_agree(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
            if page_agreement(x[:3], y[:3])[0] is not Agreement.CONFLICT:  # type: ignore[arg-type]
                return True
            if x[3] and x[4] and x[3:5] == y[3:5]:
                return True  # same issue: a page typo
            # a meeting abstract: its abstract number in one database, its page in another
            return bool(x[3] and x[3] == y[3] and not x[1] and not y[1] and (x[5] or y[5]))

        checks = [(self.volumes, other.volumes, volumes_agree)]
        if not (self.dois and self.dois == other.dois):  # one DOI: a misprinted page
            checks.append((self.pages, other.pages, pages_agree))  # type: ignore[arg-type]
        for mine, theirs, agree in checks:
            if relaxed:
                # each value of the smaller side must fit some value of the other
                small, big = (mine, theirs) if len(mine) <= len(theirs) else (theirs, mine)
                if not all(any(agree(x, y) for y in big) for x in small):  # type: ignore[arg-type]
                    return False
            elif not all(agree(x, y) for x in mine for y in theirs):  # type: ignore[arg-type]
                return False
        return True

    def absorb(self, other: Signature) -> None:
        self.dois |= other.dois
        self.pmids |= other.pmids
        self.volumes |= other.volumes
        self.pages |= other.pages
        self.parts |= other.parts
        self.flags |= other.flags
        years = [y for y in (self.year_min, other.year_min) if y]
        self.year_min = min(years) if years else 0
        self.year_max = max(self.year_max, other.year_max)
        self.reviewed = self.reviewed or other.reviewed


@dataclass
class ClusterResult:
    """Cluster label per row, and the links accepted and refused."""

    labels: list[int]
    accepted: list[Link]
    refused: list[Link]


def cluster_links(
    recs: Sequence[NormRecord],
    links: Iterable[Link],
    cannot: Iterable[tuple[int, int]],
    rank: Sequence[int],
    rules_apart: Iterable[tuple[int, int]] = (),
) -> ClusterResult:
    """Cluster rows by applying ``links`` strongest first, refusing contradictions.

    Parameters
    ----------
    recs
        The normalised records, one per row.
    links
        Proposed merges (human ``same`` decisions and rule ``same`` verdicts).
    cannot
        Pairs of rows that must never share a cluster (reviewers' ``different``).
    rank
        A rank per row that does not depend on row order (the rank of the record
        id), to order links of equal score.
    rules_apart
        Pairs the rules found different: no rule link may join them, but a
        reviewer's ``same`` may.
    """
    n = len(recs)
    parent = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    sigs: dict[int, Signature] = {}
    human_apart: dict[int, set[int]] = {}
    for a, b in cannot:
        human_apart.setdefault(a, set()).add(b)
        human_apart.setdefault(b, set()).add(a)
    apart: dict[int, set[int]] = {k: set(v) for k, v in human_apart.items()}
    for a, b in rules_apart:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def sig(root: int) -> Signature:
        s = sigs.get(root)
        if s is None:
            s = sigs[root] = Signature.of(recs[root])
        return s

    ordered = sorted(
        links,
        key=lambda link: (
            not link.human,
            -link.score,
            min(rank[link.i], rank[link.j]),
            max(rank[link.i], rank[link.j]),
        ),
    )
    accepted: list[Link] = []
    refused: list[Link] = []
    for link in ordered:
        ra, rb = find(link.i), find(link.j)
        if ra == rb:
            continue
        ma, mb = members[ra], members[rb]
        small, big_root = (ma, rb) if len(ma) <= len(mb) else (mb, ra)
        reviewed = sig(ra).reviewed or sig(rb).reviewed
        # the rules' "different" yields to a reviewer's "same" made inside either cluster
        kept = human_apart if (link.human or reviewed) else apart
        blocked = any(find(p) == big_root for m in small for p in kept.get(m, ()))
        if blocked or (not link.human and not sig(ra).compatible(sig(rb))):
            refused.append(link)
            continue
        sa, sb = sig(ra), sig(rb)
        if link.human and not sa.compatible(sb):
            sa.reviewed = True  # a reviewer joined what the checks would keep apart
        if len(ma) < len(mb):
            ra, rb, sa, sb = rb, ra, sb, sa
        parent[rb] = ra
        sa.absorb(sb)
        members[ra].extend(members.pop(rb))
        sigs.pop(rb, None)
        accepted.append(link)
    labels = [find(i) for i in range(n)]
    return ClusterResult(labels, accepted, refused)
