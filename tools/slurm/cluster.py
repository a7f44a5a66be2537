#!/usr/bin/env python3
"""A real single-node SLURM cluster on localhost, for tests and for trying the SLURM profile.

Usage (as root; the packages are installed on first use)::

    python3 tools/slurm/cluster.py install          # apt-get slurm-wlm + munge if missing
    python3 tools/slurm/cluster.py start [--dir D]  # munged, slurmctld, slurmd; waits for "idle"
    python3 tools/slurm/cluster.py status [--json]
    python3 tools/slurm/cluster.py stop [--dir D] [--clean]

Everything the cluster writes (munge key and socket, slurm state, spool, logs, job completion log)
lives in one state folder (default ``$SRMA_SLURM_DIR`` or ``/tmp/srma-slurm``). The one file
written outside it is ``/etc/slurm/slurm.conf``: Snakemake's job-step plugin removes every
``SLURM_*`` variable (``SLURM_CONF`` included) before it calls ``srun`` inside a job, so ``srun``
only finds the configuration at its compiled-in default path. That file starts with a marker line
naming the state folder; it doubles as the record of which cluster is running, ``start`` refuses to
overwrite a slurm.conf without the marker, and ``stop`` removes it.

Daemons run in the foreground (``munged -F``, ``slurmctld -D``, ``slurmd -D``) in their own session,
detached from the caller, and are stopped by the PIDs recorded in ``<state>/cluster.json``, each
checked against ``/proc/<pid>/cmdline`` first. Only the standard library is used, so this runs with
the system ``python3`` of a bare CI machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ETC_SLURM_CONF = Path("/etc/slurm/slurm.conf")
MARKER = "# srma test cluster; state folder: "
DEFAULT_DIR = Path(os.environ.get("SRMA_SLURM_DIR", "/tmp/srma-slurm"))
PACKAGES = ("slurm-wlm", "munge")
# The programs the packages provide that the cluster and Snakemake's plugin call.
PROGRAMS = (
    "munged",
    "munge",
    "slurmctld",
    "slurmd",
    "sbatch",
    "srun",
    "squeue",
    "scontrol",
    "sinfo",
)
SBIN_DIRS = ("/usr/sbin", "/usr/bin", "/sbin", "/bin")
CTLD_PORT = 6817
SLURMD_PORT = 6818
PARTITION = "debug"
# Completed jobs stay visible to `squeue --states=all` / `scontrol show job` this long (seconds).
# Snakemake's plugin falls back to squeue for job status when there is no accounting database;
# it needs finished jobs to stay listed for at least 300 s.
MIN_JOB_AGE = 600
READY_TIMEOUT = 30.0


class ClusterError(RuntimeError):
    """The test cluster cannot be installed, started or stopped."""


@dataclass
class Cluster:
    """What a running test cluster is and where its files are."""

    state_dir: str
    node_name: str
    partition: str
    slurm_conf: str
    jobcomp_log: str
    slurmctld_log: str
    slurmd_log: str
    pids: dict[str, int] = field(default_factory=dict)
    started_at: float = 0.0
    start_seconds: float = 0.0

    @property
    def record(self) -> Path:
        return Path(self.state_dir) / "cluster.json"

    def save(self) -> None:
        self.record.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, state_dir: Path) -> Cluster | None:
        path = Path(state_dir) / "cluster.json"
        if not path.is_file():
            return None
        return cls(**json.loads(path.read_text()))

    def alive(self) -> dict[str, bool]:
        """Which of the recorded daemons are still running (checked by PID and command line)."""
        return {name: _is_our_process(pid, name, self.state_dir) for name, pid in self.pids.items()}


# --------------------------------------------------------------------------------------------
# pure helpers


def parse_node_facts(slurmd_c_output: str) -> dict[str, str]:
    """The ``key=value`` pairs of the first line of ``slurmd -C`` (NodeName, CPUs, ...)."""
    first = slurmd_c_output.strip().splitlines()[0]
    facts = dict(item.split("=", 1) for item in first.split() if "=" in item)
    for key in ("NodeName", "CPUs", "RealMemory"):
        if key not in facts:
            raise ClusterError(f"`slurmd -C` printed no {key}: {first!r}")
    return facts


def render_slurm_conf(state_dir: Path, facts: Mapping[str, str]) -> str:
    """slurm.conf for one node that is also the controller, all paths under ``state_dir``."""
    s = Path(state_dir)
    node = facts["NodeName"]
    hardware = " ".join(
        f"{key}={facts[key]}"
        for key in (
            "CPUs",
            "Boards",
            "SocketsPerBoard",
            "CoresPerSocket",
            "ThreadsPerCore",
            "RealMemory",
        )
        if key in facts
    )
    lines = [
        f"{MARKER}{s}",
        "# Written by tools/slurm/cluster.py; removed by `cluster.py stop`.",
        "ClusterName=srma",
        f"SlurmctldHost={node}(127.0.0.1)",
        f"SlurmctldPort={CTLD_PORT}",
        f"SlurmdPort={SLURMD_PORT}",
        "AuthType=auth/munge",
        "CredType=cred/munge",
        f"AuthInfo=socket={s / 'munge' / 'munge.socket'}",
        "SlurmUser=root",
        "SlurmdUser=root",
        f"StateSaveLocation={s / 'ctld'}",
        f"SlurmdSpoolDir={s / 'spool'}",
        f"SlurmctldPidFile={s / 'ctld' / 'slurmctld.pid'}",
        f"SlurmdPidFile={s / 'spool' / 'slurmd.pid'}",
        f"SlurmctldLogFile={s / 'log' / 'slurmctld.log'}",
        f"SlurmdLogFile={s / 'log' / 'slurmd.log'}",
        "SlurmctldDebug=info",
        "SlurmdDebug=info",
        # No mail server, no cgroups in containers: these three are what works on a bare VM.
        "MailProg=/bin/true",
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "SwitchType=switch/none",
        "MpiDefault=none",
        "SchedulerType=sched/backfill",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core_Memory",
        # A job that asks for no memory gets this much per CPU instead of the whole node.
        "DefMemPerCPU=1000",
        # Reject at submission a job the node can never run, instead of leaving it pending
        # for ever (Reason=PartitionConfig) while Snakemake waits.
        "EnforcePartLimits=ALL",
        "ReturnToService=2",
        # No accounting database: jobs are recorded in a plain text job-completion log.
        "AccountingStorageType=accounting_storage/none",
        "JobAcctGatherType=jobacct_gather/none",
        "JobCompType=jobcomp/filetxt",
        f"JobCompLoc={s / 'log' / 'jobcomp.txt'}",
        f"MinJobAge={MIN_JOB_AGE}",
        "InactiveLimit=0",
        "KillWait=5",
        "SlurmctldTimeout=30",
        "SlurmdTimeout=30",
        "Waittime=0",
        f"NodeName={node} NodeAddr=127.0.0.1 {hardware} State=UNKNOWN",
        f"PartitionName={PARTITION} Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
    ]
    return "\n".join(lines) + "\n"


def parse_jobcomp(text: str) -> list[dict[str, str]]:
    """The records of a ``jobcomp/filetxt`` log: one dict of ``Key=Value`` per line."""
    records = []
    for line in text.splitlines():
        if line.strip():
            records.append(dict(item.split("=", 1) for item in line.split() if "=" in item))
    return records


def marked_state_dir(conf_text: str) -> Path | None:
    """The state folder named by our marker line, or None for a slurm.conf we did not write."""
    first = conf_text.splitlines()[0] if conf_text else ""
    return Path(first[len(MARKER) :].strip()) if first.startswith(MARKER) else None


# --------------------------------------------------------------------------------------------
# processes


def _program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in SBIN_DIRS:  # /usr/sbin is not on a normal user's PATH
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def missing_programs() -> list[str]:
    """The programs of :data:`PROGRAMS` that are not installed."""
    return [name for name in PROGRAMS if _program(name) is None]


def _is_our_process(pid: int, name: str, state_dir: str) -> bool:
    """True when ``pid`` is alive and is daemon ``name`` started for ``state_dir``."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    argv = [part.decode(errors="replace") for part in raw.split(b"\0") if part]
    if not argv or Path(argv[0]).name != name:
        return False
    return any(str(state_dir) in arg for arg in argv)


def _run(cmd: Sequence[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(cmd), capture_output=True, text=True, **kwargs)


def _slurm_env(conf: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SLURM_CONF"] = str(conf)
    return env


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} not written)"


# --------------------------------------------------------------------------------------------
# commands


def install(verbose: bool = True) -> float:
    """Install slurm-wlm and munge with apt-get when a program is missing; return seconds taken."""
    missing = missing_programs()
    if not missing:
        return 0.0
    if os.geteuid() != 0:
        raise ClusterError(
            f"{', '.join(missing)} missing and not root: run "
            f"`apt-get update && apt-get install -y {' '.join(PACKAGES)}` as root"
        )
    t0 = time.monotonic()
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (
        ["apt-get", "-o", "DPkg::Lock::Timeout=600", "update", "-qq"],
        ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
    ):
        if verbose:
            print("+", " ".join(cmd), file=sys.stderr, flush=True)
        done = _run(cmd, env=env)
        if done.returncode != 0:
            raise ClusterError(
                f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
    still = missing_programs()
    if still:
        raise ClusterError(f"installed {PACKAGES} but still missing: {', '.join(still)}")
    return time.monotonic() - t0


def running_cluster() -> Cluster | None:
    """The cluster named by /etc/slurm/slurm.conf, if all its daemons are alive."""
    if not ETC_SLURM_CONF.is_file():
        return None
    state_dir = marked_state_dir(ETC_SLURM_CONF.read_text())
    if state_dir is None:
        return None
    cluster = Cluster.load(state_dir)
    if cluster is None or not cluster.pids or not all(cluster.alive().values()):
        return None
    return cluster


def _start_daemon(cmd: Sequence[str], log: Path, env: Mapping[str, str]) -> int:
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            list(cmd),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env),
            start_new_session=True,  # not killed with the caller's terminal or process group
            close_fds=True,
        )
    return proc.pid


def _wait(predicate, timeout: float, what: str, logs: Iterable[Path]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    tails = "\n".join(f"--- {p}\n{_tail(p)}" for p in logs)
    raise ClusterError(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")


def start(state_dir: Path = DEFAULT_DIR) -> Cluster:
    """Start munged, slurmctld and slurmd for a one-node cluster; return when the node is idle."""
    t0 = time.monotonic()
    if os.geteuid() != 0:
        raise ClusterError("the test cluster needs root (slurmd, /etc/slurm/slurm.conf)")
    install()
    state_dir = Path(state_dir).resolve()
    if ETC_SLURM_CONF.exists():
        owner = marked_state_dir(ETC_SLURM_CONF.read_text())
        if owner is None:
            raise ClusterError(
                f"{ETC_SLURM_CONF} exists and was not written by this script; not overwriting it"
            )
        previous = Cluster.load(owner)
        if previous is not None and any(previous.alive().values()):
            if all(previous.alive().values()):
                raise ClusterError(
                    f"a test cluster is already running (state folder {owner}); "
                    f"stop it first: python3 {Path(__file__).name} stop --dir {owner}"
                )
            stop(owner)  # half dead: clear the remains
    for port in (CTLD_PORT, SLURMD_PORT):
        if _port_in_use(port):
            raise ClusterError(f"port {port} on 127.0.0.1 is in use: is another slurm running?")

    for sub in ("munge", "ctld", "spool", "log"):
        (state_dir / sub).mkdir(parents=True, exist_ok=True)
    # munged insists: the socket's folder and every parent must be world-searchable,
    # the key readable by its owner only.
    for folder in (state_dir, state_dir / "munge"):
        folder.chmod(0o755)
    key = state_dir / "munge" / "munge.key"
    if not key.exists():
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(128))

    slurmd = _program("slurmd")
    facts = parse_node_facts(_run([slurmd, "-C"], check=True).stdout)
    conf_text = render_slurm_conf(state_dir, facts)
    conf = state_dir / "slurm.conf"
    conf.write_text(conf_text)
    ETC_SLURM_CONF.parent.mkdir(parents=True, exist_ok=True)
    ETC_SLURM_CONF.write_text(conf_text)
    env = _slurm_env(conf)
    log = state_dir / "log"

    cluster = Cluster(
        state_dir=str(state_dir),
        node_name=facts["NodeName"],
        partition=PARTITION,
        slurm_conf=str(conf),
        jobcomp_log=str(log / "jobcomp.txt"),
        slurmctld_log=str(log / "slurmctld.log"),
        slurmd_log=str(log / "slurmd.log"),
        started_at=time.time(),
    )
    try:
        m = state_dir / "munge"
        cluster.pids["munged"] = _start_daemon(
            [
                _program("munged"),
                "--foreground",
                f"--key-file={m / 'munge.key'}",
                f"--socket={m / 'munge.socket'}",
                f"--pid-file={m / 'munged.pid'}",
                f"--log-file={m / 'munged.log'}",
                f"--seed-file={m / 'munged.seed'}",
            ],
            log / "munged.out",
            env,
        )
        cluster.save()

        def munge_ok() -> bool:
            probe = [_program("munge"), "-n", "-S", str(m / "munge.socket")]
            return _run(probe).returncode == 0

        _wait(munge_ok, 10, "munged", [log / "munged.out"])
        cluster.pids["slurmctld"] = _start_daemon(
            [_program("slurmctld"), "-D", "-f", str(conf)], log / "slurmctld.out", env
        )
        cluster.save()
        cluster.pids["slurmd"] = _start_daemon(
            [slurmd, "-D", "-f", str(conf)], log / "slurmd.out", env
        )
        cluster.save()

        def node_idle() -> bool:
            done = _run([_program("sinfo"), "-h", "-N", "-o", "%T"], env=env)
            return done.returncode == 0 and done.stdout.strip() == "idle"

        _wait(
            node_idle,
            READY_TIMEOUT,
            "the node to become idle",
            [
                log / "slurmctld.out",
                log / "slurmd.out",
            ],
        )
    except BaseException:
        stop(state_dir)
        raise
    cluster.start_seconds = round(time.monotonic() - t0, 2)
    cluster.save()
    return cluster


def _cancel_all_jobs(env: Mapping[str, str]) -> None:
    squeue, scancel = _program("squeue"), _program("scancel")
    if not squeue or not scancel:
        return
    active = "PENDING,RUNNING,SUSPENDED,COMPLETING,CONFIGURING"
    listed = _run([squeue, "-h", "-o", "%i", f"--states={active}"], env=env, timeout=10)
    ids = listed.stdout.split() if listed.returncode == 0 else []
    if not ids:
        return
    _run([scancel, *ids], env=env, timeout=10)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        listed = _run([squeue, "-h", "-o", "%i", f"--states={active}"], env=env, timeout=10)
        if listed.returncode != 0 or not listed.stdout.strip():
            return
        time.sleep(0.5)


def _terminate(pid: int, name: str, state_dir: str, grace: float = 10.0) -> None:
    if not _is_our_process(pid, name, state_dir):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        _reap(pid)
        if not _is_our_process(pid, name, state_dir):
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    time.sleep(0.2)
    _reap(pid)


def _reap(pid: int) -> None:
    """Collect a daemon that is our own child (started in this process), so it is not a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def stop(state_dir: Path = DEFAULT_DIR, clean: bool = False) -> list[str]:
    """Cancel the cluster's jobs, stop its daemons by PID, remove our /etc/slurm/slurm.conf.

    Returns the names of the daemons that were running. Safe to call twice or on a half-started
    cluster.
    """
    state_dir = Path(state_dir).resolve()
    cluster = Cluster.load(state_dir)
    stopped: list[str] = []
    if cluster is not None:
        alive = cluster.alive()
        if alive.get("slurmctld"):
            try:
                _cancel_all_jobs(_slurm_env(Path(cluster.slurm_conf)))
            except (OSError, subprocess.SubprocessError):
                pass
        for name in ("slurmd", "slurmctld", "munged"):
            pid = cluster.pids.get(name)
            if pid is not None and alive.get(name):
                _terminate(pid, name, cluster.state_dir)
                stopped.append(name)
    if ETC_SLURM_CONF.is_file() and marked_state_dir(ETC_SLURM_CONF.read_text()) == state_dir:
        ETC_SLURM_CONF.unlink()
    if clean and state_dir.is_dir():
        shutil.rmtree(state_dir, ignore_errors=True)
    return stopped


# --------------------------------------------------------------------------------------------
# command line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="apt-get install slurm-wlm and munge if missing")
    p_start = sub.add_parser("start", help="start a one-node cluster and wait until it is idle")
    p_start.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="state folder")
    p_start.add_argument("--json", action="store_true", help="print the cluster record as JSON")
    p_stop = sub.add_parser("stop", help="cancel jobs, stop the daemons by PID")
    p_stop.add_argument("--dir", type=Path, default=None, help="state folder (default: running)")
    p_stop.add_argument("--clean", action="store_true", help="also delete the state folder")
    p_status = sub.add_parser("status", help="say whether a test cluster is running")
    p_status.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    try:
        if args.command == "install":
            seconds = install()
            print(f"installed in {seconds:.1f} s" if seconds else "already installed")
        elif args.command == "start":
            cluster = start(args.dir)
            if args.json:
                print(json.dumps(asdict(cluster), indent=2, sort_keys=True))
            else:
                print(
                    f"SLURM test cluster up in {cluster.start_seconds:.1f} s: "
                    f"node {cluster.node_name}, partition {cluster.partition}, "
                    f"state {cluster.state_dir}\n"
                    f"stop it with: python3 {sys.argv[0]} stop --dir {cluster.state_dir}"
                )
        elif args.command == "stop":
            state_dir = args.dir
            if state_dir is None:
                owner = (
                    marked_state_dir(ETC_SLURM_CONF.read_text())
                    if ETC_SLURM_CONF.is_file()
                    else None
                )
                state_dir = owner or DEFAULT_DIR
            stopped = stop(state_dir, clean=args.clean)
            print(f"stopped {', '.join(stopped)}" if stopped else "nothing was running")
        elif args.command == "status":
            cluster = running_cluster()
            if args.json:
                print(json.dumps(asdict(cluster) if cluster else None, indent=2, sort_keys=True))
            else:
                print(f"running: {cluster.state_dir}" if cluster else "not running")
            return 0 if cluster else 1
    except ClusterError as err:
        print(f"cluster.py: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
