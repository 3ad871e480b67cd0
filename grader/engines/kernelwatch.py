"""The machine's kernel memory, watched across an engine's notebooks where no cgroup counts it.

Without a memory cgroup (a grader that is not root), a job can hold the kernel's memory through
objects that no count of a process's memory shows: epoll watches, ACLs, filters, records of
mappings, and whatever kernel object a later review finds. The filter refuses the ones found so
far; this watch is the rule that needs no list. When the machine's unreclaimable kernel memory
(``SUnreclaim``, and the cached negative dentries, which the kernel may reclaim but which outlive
the job) grows by more than the spec's ``kernel_memory_mb`` while notebooks are graded, the
notebook that made it grow is stopped. Which one it was is known only when one notebook ran alone:
when several ran side by side, each is stopped and graded again alone (``Gate``), so the honest
one is not charged for its neighbour's objects.

An honest batch moves ``SUnreclaim`` by a few MB (two workers grading the examples: 2 MB); the
kernel frees a stopped job's objects within a fraction of a second.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator


def kernel_unreclaimable() -> int:
    """The machine's unreclaimable kernel memory (``SUnreclaim``): where every kernel object that
    no process is charged for lives."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("SUnreclaim:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


# A negative dentry (a name looked up and not found, which the kernel caches: a dentry of 192
# bytes, and for a long name the name beside it, 512) is memory of the kernel's that no process
# is charged for and that outlives the job; the kernel files it as reclaimable, so it is not in
# SUnreclaim. A hundred-and-twenty-fifth review held 1.2 GB of them beside 2.7 GB counted, without
# a cgroup, at 50/50: 1.8 million stat() calls of missing 255-character names in the Python
# installation, which every job sees. Each counts in the watch as the most one can take.
NEGATIVE_DENTRY_BYTES = 704


def negative_dentries() -> int:
    """The machine's cached negative dentries (``nr_negative`` of fs.dentry-state, Linux 5.0+)."""
    try:
        with open("/proc/sys/fs/dentry-state") as fh:
            fields = fh.read().split()
        return int(fields[4]) if len(fields) > 5 else 0
    except (OSError, ValueError):
        return 0


def kernel_held(unreclaimable: int | None = None) -> int:
    """What the watch counts: the unreclaimable kernel memory (``unreclaimable`` where the caller
    has read it already) and the negative dentries."""
    if unreclaimable is None:
        unreclaimable = kernel_unreclaimable()
    return unreclaimable + negative_dentries() * NEGATIVE_DENTRY_BYTES


class Turn:
    """One notebook in flight. ``alone`` while no other notebook of the engine has been in flight
    since it began: only then is growth of the kernel's memory its own."""

    def __init__(self, watch: "KernelWatch", alone: bool):
        self.watch, self.alone = watch, alone

    @property
    def limit(self) -> int:
        return self.watch.limit

    def excess(self, now: int) -> int:
        return self.watch.excess(now)


class KernelWatch:
    """Growth of ``SUnreclaim`` over its lowest value since nothing of the engine's ran (the floor
    is read afresh whenever a notebook begins with none in flight: objects a stopped job left that
    the kernel has not freed then raise the floor, never a later notebook's count)."""

    def __init__(self, limit_bytes: int, read: Callable[[], int] = kernel_held):
        self.limit = limit_bytes
        self._read = read
        self._lock = threading.Lock()
        self._turns: set[Turn] = set()
        self._floor = read()

    def begin(self) -> Turn:
        now = self._read()
        with self._lock:
            if not self._turns:
                self._floor = now
            for other in self._turns:
                other.alone = False
            turn = Turn(self, alone=not self._turns)
            self._turns.add(turn)
            self._floor = min(self._floor, now)
            return turn

    def end(self, turn: Turn) -> None:
        with self._lock:
            self._turns.discard(turn)

    def excess(self, now: int) -> int:
        with self._lock:
            self._floor = min(self._floor, now)
            return now - self._floor


class Gate:
    """Notebooks run side by side, or one alone: ``alone`` waits until the notebooks in flight are
    done and lets no new one start before it is (a notebook waiting to run alone goes first)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._side_by_side = 0
        self._alone = False
        self._waiting = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._alone and not self._waiting)
            self._side_by_side += 1
        try:
            yield
        finally:
            with self._cond:
                self._side_by_side -= 1
                self._cond.notify_all()

    @contextmanager
    def alone(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            try:
                self._cond.wait_for(lambda: not self._alone and not self._side_by_side)
            finally:
                self._waiting -= 1
            self._alone = True
        try:
            yield
        finally:
            with self._cond:
                self._alone = False
                self._cond.notify_all()
