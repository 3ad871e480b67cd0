"""Ending what an earlier grader left running.

Workers die with the grader (a parent-death signal in each, and a PID namespace that takes every
job with it), so this should find nothing; it is the second line for a worker that escaped that
somehow (or one of an older grader version): any worker whose grader is gone is killed before a
new batch starts.
"""
from __future__ import annotations

import os
import signal

MARKERS = (b"grader.child.server", b"grader.zygote")


def start_time(pid: int) -> str:
    """When a process started (clock ticks since boot): with the pid, it names one process even
    after the pid is reused."""
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def marker() -> str:
    """What a worker is told about the grader that started it (GRADER_PARENT)."""
    return f"{os.getpid()}:{start_time(os.getpid())}"


def _parent_of(pid: str) -> str | None:
    try:
        for item in open(f"/proc/{pid}/environ", "rb").read().split(b"\0"):
            if item.startswith(b"GRADER_PARENT="):
                return item.split(b"=", 1)[1].decode()
    except (OSError, UnicodeDecodeError):
        return None
    return None


def _alive(mark: str) -> bool:
    pid, _, started = mark.partition(":")
    return pid.isdigit() and start_time(int(pid)) == started and started != ""


def end_leftovers() -> list[int]:
    """Kill workers (and with them their jobs) whose grader no longer runs; return their pids."""
    killed = []
    me = os.getuid()
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            if os.stat(f"/proc/{pid}").st_uid != me and me != 0:
                continue
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read()
        except OSError:
            continue
        if not any(m in cmdline for m in MARKERS):
            continue
        parent = _parent_of(pid)
        if parent is not None and _alive(parent):
            continue
        if parent is None:       # an older worker without the marker: only when orphaned
            try:
                ppid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid != 1:
                continue
        try:
            os.kill(int(pid), signal.SIGKILL)
            killed.append(int(pid))
        except OSError:
            pass
    return killed
