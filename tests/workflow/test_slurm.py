"""The SLURM profile, and real runs through Snakemake's SLURM executor on a localhost cluster.

The tests marked ``slurm`` start a one-node cluster (tools/slurm/cluster.py, fixture in
conftest.py), run a workflow with ``snakemake --executor slurm --profile workflow/profiles/slurm``
inside ``timeout -s KILL``, check in slurmctld's records that every job really was a SLURM job with
the resources the profile asks for, and that the results are byte-identical to a local run.
The other tests check the profile itself and the cluster script's pure helpers, without a cluster.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.workflow.review import copy_review

REPO = Path(__file__).resolve().parents[2]
SLURM_PROFILE = REPO / "workflow" / "profiles" / "slurm"
LOCAL_PROFILE = REPO / "workflow" / "profiles" / "local"
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")

# What the cluster test runs of the example review: every path, with {source} expanded over the
# config's sources. A path through every stage and every kind of SLURM submission: the imports
# (one group job), de-duplication and screening (checkpoints, single jobs), PRISMA's counts, the
# split of the outcome data (a local rule), one outcome's extraction (a grouped checkpoint) and
# one outcome's analyses pooled and drawn (pool_analysis + plot_outcome_figures: one group
# job). Each stage waits for the one before (checkpoints) and each wait costs 15-40 s of the
# plugin's status polling, so the whole review (8 outcomes, 25 analyses) is run only when
# SRMA_SLURM_WHOLE_REVIEW=1 (docs/cluster.md).
REVIEW_TARGETS: tuple[str, ...] = (
    "results/records/{source}.parquet",
    "results/records/{source}.rejected.csv",
    "results/dedup/works.parquet",
    "results/dedup/duplicates.csv",
    "results/dedup/uncertain_pairs.csv",
    "results/dedup/counts.csv",
    "results/screening/decisions.csv",
    "results/prisma/counts.csv",
    "results/extraction/hope.effects.parquet",
    "results/pooled/hope.post.cc.pooled.json",
    "results/figures/outcomes/hope",
)
WHOLE_REVIEW = os.environ.get("SRMA_SLURM_WHOLE_REVIEW") == "1"

# Flags for a cluster without an accounting database (see docs/cluster.md):
# - sacct needs slurmdbd; squeue lists finished jobs for MinJobAge (600 s on the test cluster);
# - no accounts without slurmdbd (plugin 2.8.0 accepts --slurm-no-account but ignores it: its
#   account guess through sacct fails, and it goes on without -A, which is what we want);
# - the first status check comes after 2 s instead of 40 s;
# - the job logs are kept so that a failing assertion can show them.
SLURM_TEST_FLAGS = (
    *("--slurm-status-command", "squeue"),
    "--slurm-no-account",
    *("--slurm-init-seconds-before-status-checks", "2"),
    "--slurm-keep-successful-logs",
)
# Hard limit on one Snakemake run; `timeout -s KILL` because a wedged status loop ignores TERM.
RUN_TIMEOUT = 1500 if WHOLE_REVIEW else 600

TINY_SNAKEFILE = """\
SOURCES = ["alpha", "beta", "gamma"]


rule all:
    input:
        "results/dedup/works.txt",


rule import_source:
    output:
        records="results/records/{source}.txt",
    log:
        "results/logs/import_source/{source}.log",
    shell:
        "(printf '%s\\\\n' {wildcards.source} 3 1 2 | sort > {output.records}) 2> {log}"


rule deduplicate_records:
    input:
        expand("results/records/{source}.txt", source=SOURCES),
    output:
        works="results/dedup/works.txt",
    log:
        "results/logs/deduplicate_records/deduplicate_records.log",
    shell:
        "(cat {input} | sort -u > {output.works}) 2> {log}"
"""


def _profile() -> dict:
    return yaml.safe_load((SLURM_PROFILE / "config.yaml").read_text())


def _workflow_rules() -> set[str]:
    """The rules and checkpoints of workflow/rules/*.smk, less those declared `localrules:`."""
    rules, local = set(), set()
    for smk in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        text = smk.read_text()
        rules.update(re.findall(r"^(?:rule|checkpoint)\s+(\w+)\s*:", text, flags=re.M))
        for names in re.findall(r"^localrules\s*:\s*(.+)$", text, flags=re.M):
            local.update(n.strip() for n in names.split(","))
    return rules - local


# --------------------------------------------------------------------------------------------
# the profile, without a cluster


def test_profile_gives_every_rule_memory_runtime_and_cpus():
    resources = _profile()["set-resources"]
    assert resources, "set-resources is empty"
    for rule, res in resources.items():
        assert set(res) >= {"mem_mb", "runtime", "cpus_per_task"}, rule
        for key in ("mem_mb", "runtime", "cpus_per_task"):
            assert isinstance(res[key], int) and res[key] > 0, (rule, key, res[key])


def test_profile_covers_every_rule_of_the_workflow():
    missing = _workflow_rules() - set(_profile()["set-resources"])
    assert not missing, (
        f"add {sorted(missing)} to set-resources in workflow/profiles/slurm/config.yaml"
    )


def test_profile_groups_are_consistent():
    profile = _profile()
    assert profile["executor"] == "slurm"
    assert set(profile["groups"]) <= set(profile["set-resources"])
    assert set(profile["groups"].values()) == set(profile["group-components"])
    # A group job asks for at most `cores` CPUs; one rule alone must fit in that.
    for rule, res in profile["set-resources"].items():
        if rule in profile["groups"]:
            assert res["cpus_per_task"] <= profile["cores"], rule
    # The profile takes no default-resources: on the command line they would replace it whole,
    # and that is where account and partition go.
    assert "default-resources" not in profile


def test_profile_is_accepted_by_snakemake(tmp_path):
    """A dry run with the profile: unknown rule names in set-resources/groups are no error."""
    (tmp_path / "Snakefile").write_text(TINY_SNAKEFILE)
    done = subprocess.run(
        [SNAKEMAKE, "-n", "--profile", str(SLURM_PROFILE)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout + done.stderr
    # set-resources reached the jobs of the rules that exist:
    assert re.search(r"rule deduplicate_records:(?:.|\n)*?mem_mb=8000", out), out[-3000:]
    # ...and the imports were grouped into one job.
    assert "Group job import " in out, out[-3000:]


def test_review_plans_with_the_slurm_profile(tmp_path):
    """The whole example review, dry run with the profile: groups form without cycles."""
    if not (REPO / "config" / "config.yaml").is_file():
        pytest.skip("the example review has no config/config.yaml yet")
    review = copy_review(tmp_path / "review")
    done = subprocess.run(
        [SNAKEMAKE, "-n", "--profile", str(SLURM_PROFILE)],
        cwd=review,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-4000:]
    assert "Group job import " in out, out[-3000:]


def test_local_profile_is_plain():
    local = yaml.safe_load((LOCAL_PROFILE / "config.yaml").read_text())
    assert "executor" not in local and local["cores"] == "all"


# --------------------------------------------------------------------------------------------
# the cluster script's pure helpers


SLURMD_C = (
    "NodeName=node7 CPUs=4 Boards=1 SocketsPerBoard=1 CoresPerSocket=4 ThreadsPerCore=1 "
    "RealMemory=15000\nUpTime=0-01:00:00\n"
)


def test_node_facts_and_slurm_conf(slurm_tool, tmp_path):
    facts = slurm_tool.parse_node_facts(SLURMD_C)
    assert facts["NodeName"] == "node7" and facts["CPUs"] == "4" and facts["RealMemory"] == "15000"
    conf = slurm_tool.render_slurm_conf(tmp_path, facts)
    assert slurm_tool.marked_state_dir(conf) == tmp_path
    assert "SlurmctldHost=node7(127.0.0.1)" in conf
    assert (
        "NodeName=node7 NodeAddr=127.0.0.1 CPUs=4 Boards=1 SocketsPerBoard=1 CoresPerSocket=4 "
        "ThreadsPerCore=1 RealMemory=15000 State=UNKNOWN"
    ) in conf
    settings = dict(
        line.split("=", 1) for line in conf.splitlines() if "=" in line and " " not in line
    )
    assert settings["MailProg"] == "/bin/true"
    assert settings["ProctrackType"] == "proctrack/linuxproc"
    assert settings["TaskPlugin"] == "task/none"
    assert settings["JobCompType"] == "jobcomp/filetxt"
    assert int(settings["MinJobAge"]) >= 300
    # every path the daemons write is inside the state folder
    for key in ("StateSaveLocation", "SlurmdSpoolDir", "SlurmctldLogFile", "JobCompLoc"):
        assert Path(settings[key]).is_relative_to(tmp_path), key


def test_foreign_slurm_conf_is_not_ours(slurm_tool):
    assert slurm_tool.marked_state_dir("ClusterName=site\nSlurmctldHost=head\n") is None
    assert slurm_tool.marked_state_dir("") is None


def test_parse_jobcomp(slurm_tool):
    text = (
        "JobId=3 UserId=root(0) Name=abc JobState=COMPLETED Partition=debug TimeLimit=60 "
        "NodeList=vm Tres=cpu=1,mem=8000M,node=1,billing=1 WorkDir=/tmp/x ExitCode=0:0 \n\n"
        "JobId=4 Name=def JobState=FAILED ExitCode=1:0\n"
    )
    records = slurm_tool.parse_jobcomp(text)
    assert [r["JobId"] for r in records] == ["3", "4"]
    assert records[0]["Tres"] == "cpu=1,mem=8000M,node=1,billing=1"
    assert records[1]["JobState"] == "FAILED"


# --------------------------------------------------------------------------------------------
# real runs on the cluster


class _Snakemake:
    """One Snakemake run under `timeout -s KILL`, in its own process group, output to a file."""

    def __init__(self, cmd: list[str], cwd: Path, env: dict[str, str] | None = None):
        self.cmd, self.cwd = cmd, cwd
        self.out_path = cwd.parent / f"{cwd.name}.snakemake.out"
        with open(self.out_path, "wb") as out:
            self.proc = subprocess.Popen(
                ["timeout", "-s", "KILL", str(RUN_TIMEOUT), *cmd],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def result(self) -> str:
        """Wait for the run; its output, or the test fails with the end of it and the job logs."""
        code = self.proc.wait()
        out = self.out_path.read_text(errors="replace")
        if code != 0:
            logs = "\n".join(
                f"--- {p}\n{p.read_text(errors='replace')[-2000:]}"
                for p in sorted((self.cwd / ".snakemake" / "slurm_logs").rglob("*.log"))
            )
            killed = " (killed by timeout)" if code == -9 or code == 137 else ""
            pytest.fail(f"exit {code}{killed}: {' '.join(self.cmd)}\n{out[-6000:]}\n{logs}")
        return out

    def kill(self) -> None:
        """Stop the run (timeout and Snakemake: the process group we started) if still going."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def _run_local_and_slurm(local: Path, remote: Path, targets: list[str], env: dict[str, str]) -> str:
    """Run the workflow locally and on the cluster, side by side; the SLURM run's output.

    Side by side because the SLURM run mostly waits for its next status check.
    """
    runs = [
        _Snakemake(
            [SNAKEMAKE, "--executor", "slurm", "--profile", str(SLURM_PROFILE)]
            + [*SLURM_TEST_FLAGS, *targets],
            remote,
            env,
        ),
        _Snakemake([SNAKEMAKE, "--profile", str(LOCAL_PROFILE), "--cores", "2", *targets], local),
    ]
    try:
        runs[1].result()
        return runs[0].result()
    finally:
        for run in runs:
            run.kill()


def _submitted(out: str) -> dict[str, str]:
    """SLURM job id -> the plugin's log folder name ("rule_<rule>" or "group_<group>_<rules>")."""
    found = re.findall(r"submitted with SLURM jobid (\d+) \(log: \S*/slurm_logs/([^/\s]+)/", out)
    return dict(found)


def _scontrol(job_id: str, env: dict[str, str]) -> dict[str, str]:
    done = subprocess.run(
        ["scontrol", "-o", "show", "job", job_id],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return dict(item.split("=", 1) for item in done.stdout.split() if "=" in item)


def _check_slurm_jobs(out: str, workdir: Path, cluster, env, slurm_tool) -> dict[str, dict]:
    """Every non-local job of the run ran inside a completed SLURM job of this cluster."""
    submitted = _submitted(out)
    assert submitted, f"no SLURM submission in the output:\n{out[-3000:]}"
    jobcomp = {
        r["JobId"]: r for r in slurm_tool.parse_jobcomp(Path(cluster.jobcomp_log).read_text())
    }
    for job_id in submitted:
        record = jobcomp.get(job_id)
        assert record is not None, f"SLURM job {job_id} is not in {cluster.jobcomp_log}"
        assert record["JobState"] == "COMPLETED" and record["ExitCode"] == "0:0", record
        assert Path(record["WorkDir"]) == workdir, record
        assert record["NodeList"] == cluster.node_name, record
        assert record["Partition"] == cluster.partition, record
    # Which rules each SLURM job carried, from slurmctld's own job record.
    comments = {job_id: _scontrol(job_id, env).get("Comment", "") for job_id in submitted}
    finished = set(re.findall(r"Finished jobid: \d+ \(Rule: (\w+)\)", out))
    local = set(re.findall(r"local(?:rule|checkpoint) (\w+):", out))
    carried = " ".join(comments.values())
    for rule in sorted(finished - local):
        assert rule in carried, f"rule {rule} finished but no SLURM job carried it: {comments}"
    return {job_id: jobcomp[job_id] | {"Comment": comments[job_id]} for job_id in submitted}


def _same_bytes(a: Path, b: Path, paths: list[str]) -> None:
    assert paths
    for rel in paths:
        left, right = (a / rel), (b / rel)
        assert left.is_file(), f"local run made no {rel}"
        assert right.is_file(), f"SLURM run made no {rel}"
        assert left.read_bytes() == right.read_bytes(), f"{rel} differs between local and SLURM"


def _tres(record: dict[str, str]) -> dict[str, int]:
    """``cpu=2,mem=4000M,node=1`` -> {"cpu": 2, "mem": 4000, "node": 1}, memory in MB."""
    out = {}
    for item in record["Tres"].split(","):
        key, value = item.split("=", 1)
        scale = {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024**2}.get(value[-1:])
        out[key] = round(float(value[:-1]) * scale) if scale else int(value)
    return out


def _check_resources(jobs: dict[str, dict], submitted: dict[str, str]) -> None:
    """Each SLURM job asked for what workflow/profiles/slurm gives its rule or group."""
    profile = _profile()
    resources, cores = profile["set-resources"], profile["cores"]
    for job_id, folder in submitted.items():
        job, tres = jobs[job_id], _tres(jobs[job_id])
        if folder.startswith("rule_"):
            res = resources[folder.removeprefix("rule_")]
            assert int(job["TimeLimit"]) == res["runtime"], (folder, job)
            assert tres["mem"] == res["mem_mb"], (folder, job)
            assert tres["cpu"] == res["cpus_per_task"], (folder, job)
            continue
        group = next(g for g in set(profile["groups"].values()) if folder.startswith(f"group_{g}_"))
        rules = [r for r, g in profile["groups"].items() if g == group and r in folder]
        assert 1 <= tres["cpu"] <= cores, (folder, job)
        if len(rules) == 1:  # layers of 1-CPU jobs side by side, `cores` wide, in series
            res = resources[rules[0]]
            assert tres["mem"] == tres["cpu"] * res["mem_mb"], (folder, job)
            assert int(job["TimeLimit"]) % res["runtime"] == 0, (folder, job)


@pytest.mark.slurm
def test_tiny_workflow_runs_as_slurm_jobs(slurm_cluster, slurm_env, slurm_tool, tmp_path):
    local, remote = tmp_path / "local", tmp_path / "slurm"
    for folder in (local, remote):
        folder.mkdir()
        (folder / "Snakefile").write_text(TINY_SNAKEFILE)
    out = _run_local_and_slurm(local, remote, [], slurm_env)

    jobs = _check_slurm_jobs(out, remote, slurm_cluster, slurm_env, slurm_tool)
    submitted = _submitted(out)
    _check_resources(jobs, submitted)
    assert sorted(submitted.values()) == ["group_import_import_source", "rule_deduplicate_records"]
    # The three imports ran as one group job (`groups` + `group-components`), its CPUs capped by
    # `cores: 2`: a layer of two 1-CPU imports, then one more in series, so twice the runtime.
    group = next(jobs[i] for i, folder in submitted.items() if folder.startswith("group_"))
    res = _profile()["set-resources"]["import_source"]
    assert int(group["TimeLimit"]) == 2 * res["runtime"], group
    assert _tres(group)["cpu"] == 2 and _tres(group)["mem"] == 2 * res["mem_mb"], group
    assert group["Comment"] == "rule_import_import_source", group

    outputs = sorted(
        str(p.relative_to(local))
        for p in (local / "results").rglob("*")
        if p.is_file() and "logs" not in p.parts
    )
    assert len(outputs) == 4, outputs
    _same_bytes(local, remote, outputs)
    assert (remote / "results/dedup/works.txt").read_text() == "1\n2\n3\nalpha\nbeta\ngamma\n"


def review_targets(config_path: Path) -> list[str]:
    """:data:`REVIEW_TARGETS` with ``{source}`` expanded over the config's sources."""
    sources = sorted(src["id"] for src in yaml.safe_load(config_path.read_text())["sources"])
    targets: list[str] = []
    for pattern in REVIEW_TARGETS:
        if "{source}" in pattern:
            targets += [pattern.format(source=s) for s in sources]
        else:
            targets.append(pattern)
    return targets


def made_results(review: Path) -> list[str]:
    """Every file a run made under results/, logs and provenance records aside."""
    return sorted(
        p.relative_to(review).as_posix()
        for p in (review / "results").rglob("*")
        if p.is_file() and "logs" not in p.parts and not p.name.endswith(".prov.json")
    )


@pytest.mark.slurm
def test_review_runs_as_slurm_jobs(slurm_cluster, slurm_env, slurm_tool, tmp_path):
    if not (REPO / "config" / "config.yaml").is_file():
        pytest.skip("the example review has no config/config.yaml yet")
    local, remote = tmp_path / "local", tmp_path / "slurm"
    copy_review(local)
    copy_review(remote)
    targets = [] if WHOLE_REVIEW else review_targets(remote / "config" / "config.yaml")
    out = _run_local_and_slurm(local, remote, targets, slurm_env)

    jobs = _check_slurm_jobs(out, remote, slurm_cluster, slurm_env, slurm_tool)
    submitted = _submitted(out)
    _check_resources(jobs, submitted)
    # every kind of submission: a group of imports, single checkpoint jobs, a grouped
    # extraction checkpoint, an outcome group (its analyses pooled, then its figures)
    kinds = {folder.split("/")[0] for folder in submitted.values()}
    assert "group_import_import_source" in kinds, kinds
    assert {"rule_deduplicate_records", "rule_screen_records"} <= kinds, kinds
    assert "group_extraction_extract_outcome" in kinds, kinds
    assert any(
        k.startswith("group_outcome_") and "pool_analysis" in k and "plot_outcome_figures" in k
        for k in kinds
    ), kinds
    assert "split_outcome_data" in set(re.findall(r"localcheckpoint (\w+):", out))
    made = made_results(remote)
    assert made == made_results(local)
    # every target made (a folder target: files in it)
    assert all(t in made or any(m.startswith(f"{t}/") for m in made) for t in targets), targets
    _same_bytes(local, remote, made)
