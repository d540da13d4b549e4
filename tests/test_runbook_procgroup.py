"""Stopping a gate's process group: "killed" is written only once every process of it is gone,
and a process that outlives SIGKILL is named in the report."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from runbook.records.result import Status
from runbook.running import procgroup
from runbook.running.execute import ProcessRegistry, run_gate, stop_groups
from support import python_gate

PY = sys.executable


def wait_for(path: Path, deadline_seconds: float = 60.0) -> str:
    deadline = time.monotonic() + deadline_seconds
    while not path.exists() or not path.read_text():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)
    return path.read_text()


def survivors(*pids: int) -> Callable[[int, float], list[int]]:
    """A stand-in for ``procgroup.wait_gone`` that sees ``pids`` outlive SIGKILL."""

    def wait_gone(_pgid: int, _deadline: float) -> list[int]:
        return list(pids)

    return wait_gone


def spawn_group(tmp_path: Path, code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([PY, "-c", code], start_new_session=True, cwd=tmp_path)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="zombies are told apart through /proc")
def test_a_zombie_member_counts_as_gone_and_a_running_one_does_not(tmp_path: Path) -> None:
    # The leader starts a child that exits at once and never reaps it: a zombie in the group.
    leader = spawn_group(
        tmp_path,
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'pass'])\n"
        "open('child.pid', 'w').write(str(child.pid))\n"
        "time.sleep(120)\n",
    )
    try:
        child = int(wait_for(tmp_path / "child.pid"))
        deadline = time.monotonic() + 60
        while procgroup.live_members(leader.pid) != [leader.pid]:
            assert time.monotonic() < deadline, procgroup.live_members(leader.pid)
            time.sleep(0.02)
        assert Path(f"/proc/{child}").exists()  # still in the process table, as a zombie
    finally:
        assert stop_groups([leader], grace=0) == {}
    assert procgroup.live_members(leader.pid) == []


@pytest.mark.child_reads  # sleepers (python -c), stopped before they may report
def test_stop_groups_returns_once_every_process_of_the_group_is_gone(tmp_path: Path) -> None:
    # A leader that ignores SIGTERM, and a grandchild that outlives the leader's death.
    leader = spawn_group(
        tmp_path,
        "import signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "kids = [subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])"
        " for _ in range(3)]\n"
        "open('kids', 'w').write(' '.join(str(k.pid) for k in kids))\n"
        "time.sleep(120)\n",
    )
    kids = [int(pid) for pid in wait_for(tmp_path / "kids").split()]
    assert stop_groups([leader], grace=0.2) == {}
    assert procgroup.live_members(leader.pid) == []
    for pid in kids:
        assert pid not in procgroup.live_members(leader.pid)
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists():  # reparented and not yet reaped: a zombie
            assert stat.read_text().rsplit(")", 1)[1].split()[0] in {"Z", "X"}


def test_live_members_of_a_group_that_never_existed_is_empty() -> None:
    # pid_max bounds pids; a group id above it cannot exist.
    assert procgroup.live_members(2**22 + 12345) == []


def test_live_members_reads_proc_and_passes_over_what_vanishes_or_is_torn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same scan on a /proc of our own making. On the real /proc, a process that exits
    between the listing and the read (any process of the machine) is a race: this test takes
    each path every run, so the coverage total does not depend on the machine's other work."""
    group = os.getpgid(0)  # a group that exists: killpg(group, 0) succeeds
    proc = tmp_path / "proc"

    def stat(pid: int, text: str) -> None:
        (proc / str(pid)).mkdir(parents=True)
        (proc / str(pid) / "stat").write_text(text, "ascii")

    stat(1003, f"1003 (a (b) c) S 1 {group} {group} 0 -1")  # ")" in the command name
    stat(1004, f"1004 (zombie) Z 1 {group} {group} 0 -1")
    stat(1005, f"1005 (other) S 1 {group + 1} {group + 1} 0 -1")
    stat(1006, "1006 (torn) S")  # cut short: too few fields to tell its group
    (proc / "1007").mkdir()  # listed, then gone before its stat was read
    (proc / "self").mkdir()
    monkeypatch.setattr(procgroup, "PROC", proc)
    assert procgroup.live_members(group) == [1003]
    monkeypatch.setattr(procgroup, "PROC", tmp_path / "no-proc")
    assert procgroup.live_members(group) == [group]  # exists; zombies cannot be told apart


def test_describe_names_every_survivor() -> None:
    assert procgroup.describe([41]) == "process 41 still alive after SIGKILL"
    assert procgroup.describe([41, 42]) == "processes 41, 42 still alive after SIGKILL"


def test_a_process_that_outlives_sigkill_is_named_in_the_timeout_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing a test can start survives SIGKILL (that takes e.g. a process stuck in the kernel):
    # the group's members are reported as they are seen, so the survivor is simulated there.
    monkeypatch.setattr(procgroup, "wait_gone", survivors(4242))
    hang = python_gate("tests", "import time; time.sleep(60)")
    result = run_gate(
        hang,
        list(hang.command),
        step=1,
        command="tests",
        root=tmp_path,
        log_path=tmp_path / "tests.log",
        timeout=0.5,
    )
    assert result.status is Status.TIMEOUT
    assert result.reason == "timed out after 0.5s; process 4242 still alive after SIGKILL"
    assert "process 4242 still alive after SIGKILL" in (tmp_path / "tests.log").read_text()


@pytest.mark.child_reads  # a gate's Python may be stopped before it reports
def test_an_interrupted_gate_that_leaves_a_survivor_becomes_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(procgroup, "wait_gone", survivors(4242, 4243))
    registry = ProcessRegistry()
    proc = spawn_group(tmp_path, "import time; time.sleep(60)")
    registry.add(proc)
    registry.stop_all()
    assert proc.poll() is not None
    assert registry.survivor_warnings() == [
        "stopping a gate left processes 4242, 4243 still alive after SIGKILL"
    ]


@pytest.mark.child_reads  # a gate's Python may be stopped before it reports
def test_a_gate_that_starts_after_the_stop_began_is_stopped_at_once(tmp_path: Path) -> None:
    """The race an interrupt can lose (a gate launched while ``stop_all`` runs) taken on purpose:
    the late gate is stopped as it is registered, so nothing outlives Ctrl-C; and a full run's
    coverage of ``add`` no longer depends on which side of the race the interrupt tests land."""
    registry = ProcessRegistry()
    registry.stop_all()  # nothing running yet: only the flag is set
    late = spawn_group(tmp_path, "import time; time.sleep(60)")
    registry.add(late)
    assert late.poll() is not None
    assert procgroup.live_members(late.pid) == []
    assert registry.survivor_warnings() == []


@pytest.mark.child_reads  # a gate's Python may be stopped before it reports
def test_the_reap_wait_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A member that never goes away does not hang the runner: it is reported after ``reap``."""

    def never_gone(_pgid: int) -> list[int]:
        return [os.getpid()]

    monkeypatch.setattr(procgroup, "live_members", never_gone)
    proc = spawn_group(tmp_path, "import time; time.sleep(60)")
    assert stop_groups([proc], grace=0, reap=0.3) == {proc.pid: [os.getpid()]}
    assert proc.poll() is not None
