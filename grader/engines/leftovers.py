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


def _parent_of(pid: str) -> int | None:
    try:
        for item in open(f"/proc/{pid}/environ", "rb").read().split(b"\0"):
            if item.startswith(b"GRADER_PARENT="):
                return int(item.split(b"=", 1)[1])
    except (OSError, ValueError):
        return None
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return b"grader" in open(f"/proc/{pid}/cmdline", "rb").read()
    except OSError:
        return False


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
