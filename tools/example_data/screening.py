"""Write the example review's screening logs (two reviewers + consensus).

The reviewers screened the works that srma's de-duplication produced, so the
logs are keyed by srma's stable work ids.  This script runs import and
de-duplication through the library (exactly as the workflow does), maps every
work to its planned role via ``truth/records.csv``, and writes:

- ``data/screening/title_abstract.csv``: both reviewers' title/abstract decisions;
- ``data/screening/full_text.csv``: both reviewers' full-text decisions with reasons;
- ``data/screening/consensus.csv``: how every disagreement was settled;
- ``data/screening/studies.csv``: which study each included report belongs to.

Disagreements are synthetic but realistic: one reviewer is more inclusive
("maybe" on borderline records), both make occasional slips, and at full
text they sometimes pick different exclusion reasons.  Everything is seeded
so the files are byte-identical on every run.

Usage: ``python tools/example_data/screening.py``
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from srma.config import load_config
from srma.dedup import deduplicate
from srma.io import read_export
from srma.io.tables import read_table

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SEED = 20230518
REVIEWERS = ("YSG", "JQOY")  # the two screening reviewers; AZL settles conflicts
STUDY_IDS = {
    "10": "muralidharan2019",
    "30": "polat2021",
    "31": "roosenschoon2021",
    "32": "tan2016",
    "33": "dalum2016",
    "34": "dalum2018",
    "35": "jensen2019",
    "36": "salyers2014",
    "37": "levitt2009",
    "38": "salyers2010",
    "39": "johnson2007",
    "40": "fardig2011",
    "41": "lin2013",
    "42": "hasson_ohayon2007",
}
ALT_REASONS = {
    "wrong study design": "wrong comparator",
    "study protocol": "wrong study design",
    "wrong intervention": "wrong study design",
    "wrong population": "wrong intervention",
    "wrong outcome": "wrong study design",
    "conference abstract": "wrong study design",
    "not in English": "wrong study design",
}


def review_works(review_dir: Path) -> pd.DataFrame:
    """Import and de-duplicate the example review exactly as the workflow does."""
    config = load_config(review_dir / "config" / "config.yaml", review_dir=review_dir)
    frames = []
    for src in config["sources"]:
        res = read_export(
            review_dir / src["path"],
            source_id=src["id"],
            database=src["database"],
            format=src["format"],
            on_error=src["on_error"],
        )
        frames.append(res.records)
    records = pd.concat(frames, ignore_index=True)
    decisions_path = review_dir / config["dedup"]["decisions"]
    decisions = read_table(decisions_path) if decisions_path.exists() else None
    streams = {s["id"]: s["stream"] for s in config["sources"]}
    return deduplicate(records, streams=streams, decisions=decisions).works


def roles_of_works(works: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    key_of = dict(zip(truth["record_id"], truth["work_key"]))
    role_of = dict(zip(truth["work_key"], truth["role"]))
    rows = []
    for work in works.itertuples():
        keys = {key_of[r] for r in work.record_ids}
        if len(keys) != 1:
            raise SystemExit(f"work {work.work_id} mixes true works {sorted(keys)}")
        key = keys.pop()
        rows.append({"work_id": work.work_id, "work_key": key, "role": role_of[key],
                     "stream": work.stream})
    return pd.DataFrame(rows).sort_values("work_id", kind="stable").reset_index(drop=True)


def _stamp(base: datetime, rng: random.Random) -> str:
    day = base + timedelta(days=rng.randrange(0, 14))
    return (day + timedelta(minutes=rng.randrange(0, 8 * 60))).strftime("%Y-%m-%dT%H:%M")


def make_logs(roles: pd.DataFrame, fulltext_reasons: dict[str, str], seed: int = SEED):
    rng = random.Random(seed)
    ta_rows, ft_rows, consensus = [], [], []
    ta_start = datetime(2022, 3, 1, 9, 0)
    ft_start = datetime(2022, 4, 4, 9, 0)
    for w in roles.itertuples():
        passes_ta = w.role.startswith("included") or w.role.startswith("fulltext_excluded")
        truth = "include" if passes_ta else "exclude"
        votes = []
        for i, reviewer in enumerate(REVIEWERS):
            u = rng.random()
            if passes_ta:
                # relevant records: mostly include, some maybe, a rare slip
                vote = "include" if u < 0.80 else ("maybe" if u < 0.95 else "exclude")
            else:
                # irrelevant records: reviewer 2 is more inclusive on borderline ones
                slip = 0.04 if i == 0 else 0.09
                vote = "exclude" if u >= slip else ("maybe" if u < slip * 0.7 else "include")
            votes.append(vote)
            ta_rows.append({"work_id": w.work_id, "stage": "title_abstract", "reviewer": reviewer,
                            "decision": vote, "reason": "", "note": "",
                            "time": _stamp(ta_start, rng)})
        moves_on = [v in ("include", "maybe") for v in votes]
        if moves_on[0] != moves_on[1] or (all(moves_on) != passes_ta):
            consensus.append({"work_id": w.work_id, "stage": "title_abstract", "decision": truth,
                              "reason": "", "note": "discussed with AZL"})
        if not passes_ta:
            continue
        reason = fulltext_reasons.get(w.work_key, "")
        ft_truth = "include" if w.role.startswith("included") else "exclude"
        ft_votes = []
        for reviewer in REVIEWERS:
            u = rng.random()
            if ft_truth == "include":
                vote, why = ("include", "") if u < 0.92 else ("exclude", "wrong outcome")
            else:
                if u < 0.85:
                    vote, why = "exclude", reason
                elif u < 0.93:
                    vote, why = "exclude", ALT_REASONS.get(reason, "wrong study design")
                else:
                    vote, why = "include", ""
            ft_votes.append((vote, why))
            ft_rows.append({"work_id": w.work_id, "stage": "full_text", "reviewer": reviewer,
                            "decision": vote, "reason": why, "note": "",
                            "time": _stamp(ft_start, rng)})
        if ft_votes[0] != ft_votes[1] or ft_votes[0][0] != ft_truth:
            consensus.append({"work_id": w.work_id, "stage": "full_text", "decision": ft_truth,
                              "reason": reason if ft_truth == "exclude" else "",
                              "note": "settled at consensus meeting with AZL"})
    by = ["work_id", "stage", "reviewer"]
    ta = pd.DataFrame(ta_rows).sort_values(by, kind="stable")
    ft = pd.DataFrame(ft_rows).sort_values(by, kind="stable")
    cons = pd.DataFrame(consensus).sort_values(["stage", "work_id"], kind="stable")
    return ta, ft, cons


def write(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--review", type=Path, default=REPO)
    parser.add_argument("--out", type=Path, default=None, help="default: <review>/data/screening")
    args = parser.parse_args(argv)
    out = args.out or args.review / "data" / "screening"
    truth = pd.read_csv(HERE / "truth" / "records.csv", dtype=str, keep_default_na=False)
    truth_works = pd.read_csv(HERE / "truth" / "works.csv", dtype=str, keep_default_na=False)
    reasons = {
        k: r for k, r in zip(truth_works["work_key"], truth_works["fulltext_exclusion_reason"]) if r
    }
    roles = roles_of_works(review_works(args.review), truth)
    ta, ft, cons = make_logs(roles, reasons)
    write(ta, out / "title_abstract.csv")
    write(ft, out / "full_text.csv")
    write(cons, out / "consensus.csv")
    included = roles[roles["role"].str.startswith("included")].copy()
    included["study_id"] = included["role"].str.split(":").str[1].map(STUDY_IDS)
    write(included[["work_id", "study_id"]].sort_values("work_id"), out / "studies.csv")
    print(
        f"{len(roles)} works; title/abstract {len(ta)} decisions, full text {len(ft)}, "
        f"{len(cons)} consensus rows, {len(included)} included reports -> {out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
