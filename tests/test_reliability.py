"""Faults of the TA's machine: whatever way the grader dies, nothing of it keeps running."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from grader.engines.leftovers import end_leftovers

from .conftest import REF, ROOT

pytestmark = pytest.mark.slow


def running(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def job_cpu(p: psutil.Process, grader: int) -> float:
    """CPU seconds of a job process (three levels below the grader: worker, its PID-namespace
    init, the job), 0 for anything else."""
    try:
        depth, q = 0, p
        while q is not None and q.pid != grader:
            q, depth = q.parent(), depth + 1
        return p.cpu_times().user if q is not None and depth >= 3 else 0.0
    except psutil.Error:
        return 0.0


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def test_kill_9_of_the_grader_ends_its_workers_and_their_jobs(tmp_path, make_nb, data_home):
    spec_dir = tmp_path / "assignment7"
    shutil.copytree(REF, spec_dir)
    text = (spec_dir / "spec.toml").read_text().replace("cell_timeout_s = 60", "cell_timeout_s = 30")
    (spec_dir / "spec.toml").write_text(text.replace('examples = "../../submissions/expected_scores.toml"\n', ""))
    folder = tmp_path / "subs"
    folder.mkdir()
    loop = "import os\nif os.fork() == 0:\n    while True:\n        pass\nwhile True:\n    pass"
    shutil.copy(make_nb({"ann-sigmoid": loop}, name="Assignment_7_LoopLoop_k00000001.ipynb"), folder)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home)}
    grader = subprocess.Popen([sys.executable, "-m", "grader", "grade", str(folder), "--out", str(tmp_path / "out"),
                               "--spec", str(spec_dir), "-j", "1"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    spinning, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline and len(spinning) < 2:      # the loop and its forked twin
        time.sleep(0.5)
        spinning = [p for p in descendants(grader.pid) if job_cpu(p, grader.pid) > 1.0]
    tree = descendants(grader.pid)
    assert len(spinning) >= 2 and len(tree) >= 4, tree
    os.kill(grader.pid, signal.SIGKILL)
    grader.wait()
    t0 = time.monotonic()
    while time.monotonic() - t0 < 10 and any(running(p) for p in tree):
        time.sleep(0.1)
    alive = [p for p in tree if running(p)]
    assert not alive, alive
    assert time.monotonic() - t0 < 5          # seconds, long before the 30 s cell limit


def test_a_new_batch_ends_workers_whose_grader_is_gone():
    fake = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "-m", "grader.child.server"],
                            env={**os.environ, "GRADER_PARENT": "999999999:1"})
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "-m", "grader.child.server"],
                             env={**os.environ, "GRADER_PARENT": f"{os.getpid()}:{open(f'/proc/{os.getpid()}/stat').read().rsplit(')', 1)[1].split()[19]}"})
    try:
        time.sleep(0.5)
        killed = end_leftovers()
        # (a batch started beside this test, by another test or another grader on the machine, ends it first: seen
        # once, the list here empty and the fake gone)
        assert fake.pid in killed or fake.poll() == -signal.SIGKILL
        assert alive.pid not in killed
        assert fake.wait(timeout=5) == -signal.SIGKILL
        assert alive.poll() is None           # a worker of a grader that still runs is left alone
    finally:
        for p in (fake, alive):
            p.kill()
            p.wait()


def test_leftover_cgroups_of_another_pid_namespace_are_never_taken_for_a_dead_graders(tmp_path):
    """A grader in another PID namespace (a container, a sandbox) sharing the cgroup tree saw a
    running grader's process id as dead and removed its cgroups mid-batch: 196 tests of a
    concurrent run failed with "no such file .../grader-27686-0/cgroup.procs"."""
    import os
    from grader.engines import cgroups
    ns, dead = cgroups._pid_namespace(), 4_194_000
    while True:
        try:
            os.kill(dead, 0)
            dead -= 1
        except ProcessLookupError:
            break
        except PermissionError:
            dead -= 1
    ours_dead = tmp_path / f"grader-{ns}-{dead}-0"
    theirs = tmp_path / f"grader-1{ns}-{dead}-0"
    ours_alive = tmp_path / f"grader-{ns}-{os.getpid()}-0"
    old_style = tmp_path / f"grader-{dead}-0"
    for d in (ours_dead, theirs, ours_alive, old_style):
        d.mkdir()
    cgroups.collect_leftovers(tmp_path)
    assert not ours_dead.exists()
    assert theirs.exists() and ours_alive.exists() and old_style.exists()
    # Two engines of one process never share a cgroup (the first to close removed the other's).
    assert cgroups._name(0) != cgroups._name(0)


ZOMBIE_LEADER = r"""
import ctypes, mmap, os, sys, threading, time
def hold():
    m = mmap.mmap(-1, 96 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    for i in range(0, 96 << 20, 4096):
        m[i] = 1
    os.write(1, b"held\n")
    time.sleep(30)
threading.Thread(target=hold, daemon=True).start()
time.sleep(0.5)
ctypes.CDLL(None).syscall(60, 0)       # the first thread ends; the process lives on in the other
"""


def test_the_memory_of_a_process_whose_first_thread_ended_is_still_read(tmp_path):
    """A hundred-and-twenty-fourth review's lead: when a process's first thread exits on its own,
    its /proc files read as nothing (a zombie leader) while its other threads keep their memory;
    the monitor reads it through a thread that still runs."""
    import subprocess
    import sys
    import time
    from grader.engines.monitor import _rollup, _status
    proc = subprocess.Popen([sys.executable, "-c", ZOMBIE_LEADER], stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline() == b"held\n"
        time.sleep(1.0)
        with open(f"/proc/{proc.pid}/status") as fh:
            assert "zombie" in fh.read()                              # the leader itself reads as gone
        memory = _rollup(proc.pid)
        assert memory.get("Private_Dirty", 0) + memory.get("Private_Clean", 0) >= 90 << 20, memory
        assert _status(proc.pid)[1] > 0                               # its page tables too
    finally:
        proc.kill()
        proc.wait()


def test_children_a_cell_left_take_no_process_from_the_notebooks_later_cells(tmp_path, make_nb, solution_nb, data_home):
    """The stress corpus's fork loop was graded 25 or 45 by chance: the children a model cell left were killed when its
    job was parked for its hidden run, but stayed in the process table until that job ended, counted against the
    notebook's processes, and a later cell that starts processes of its own was refused them (or stopped as a fork
    bomb it was not). A parked job's children are reaped as they end now."""
    cells = {c.get("id"): c.source for c in solution_nb.cells}
    leave = "\nimport os, time\nfor _ in range({n}):\n    if os.fork() == 0:\n        time.sleep(60)\n        os._exit(0)\n"
    folder = tmp_path / "subs"
    folder.mkdir()
    shutil.copy(make_nb({"ann-relu": cells["ann-relu"] + leave.format(n=45),
                         "train-and-test": leave.format(n=22) + cells["train-and-test"]},
                        name="Assignment_7_LeftChildren_k00000001.ipynb"), folder)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home)}
    res = subprocess.run([sys.executable, "-m", "grader", "grade", str(folder), "--out", str(tmp_path / "out")],
                         env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    import csv
    row, = csv.DictReader((tmp_path / "out" / "summary.csv").open())
    assert (row["code_3_2_models"], row["code_3_2_train"], row["flags"]) == ("10.0", "20.0", ""), row
