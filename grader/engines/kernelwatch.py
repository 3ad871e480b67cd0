"""The machine's kernel memory, watched across an engine's notebooks where no cgroup counts it.

Without a memory cgroup (a grader that is not root), a job can hold the kernel's memory through
objects that no count of a process's memory shows: epoll watches, ACLs, filters, records of
mappings, and whatever kernel object a later review finds. The filter refuses the ones found so
far; this watch is the rule that needs no list. When the machine's unreclaimable kernel memory
(``SUnreclaim`` and ``VmallocUsed``, and the cached negative dentries, which the kernel may reclaim but which outlive
the job) grows by more than the spec's ``kernel_memory_mb`` while notebooks are graded, the
notebook that made it grow is stopped. Which one it was is known only when one notebook ran alone:
when several ran side by side, each is stopped and graded again alone (``Gate``), so the honest
one is not charged for its neighbour's objects.

An honest batch moves ``SUnreclaim`` by a few MB (two workers grading the examples: 2 MB); the
kernel frees a stopped job's objects within a fraction of a second, and the floor is read afresh
only once it has (``KernelWatch.begin``).
"""
from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator


_MEMINFO_FIELDS = ("SUnreclaim:", "SReclaimable:", "VmallocUsed:")


def kernel_slabs(meminfo: str = "/proc/meminfo") -> tuple[int, int]:
    """The machine's unreclaimable and reclaimable kernel memory, read together: ``SUnreclaim`` with
    ``VmallocUsed`` (the kernel's memory mapped page by page, outside the slabs: a hundred-and-
    thirty-first review reserved 1 GB of it with a call since refused, seen by no count; this is
    the rule that needs no list for the next such call), and ``SReclaimable``."""
    got = {}
    try:
        with open(meminfo) as fh:
            for line in fh:
                if line.startswith(_MEMINFO_FIELDS):
                    got[line[:line.index(":")]] = int(line.split()[1]) * 1024
                    if len(got) == len(_MEMINFO_FIELDS):
                        break
    except (OSError, ValueError, IndexError):
        pass
    return got.get("SUnreclaim", 0) + got.get("VmallocUsed", 0), got.get("SReclaimable", 0)


def kernel_unreclaimable() -> int:
    """The machine's unreclaimable kernel memory (``SUnreclaim`` and ``VmallocUsed``): where every
    kernel object that no process is charged for lives."""
    return kernel_slabs()[0]


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


# An honest notebook moves the kernel's memory by a few MB (a job with torch that forks eight
# processes: some 2 MB); a second pass may grow by an eighth of the limit (64 MB), at least 4 MB.
CARRY_SLACK = 4 * 2**20


class Turn:
    """One notebook in flight. Alone while no other notebook, of this grader or of another grader
    process on the machine (a Dask worker, a second TA), has been in flight since it began: only
    then is growth of the kernel's memory its own."""

    def __init__(self, watch: "KernelWatch", alone: bool, fd: int | None = None, begun: int = 0,
                 start: int = 0, carried: int = 0):
        self.watch, self.alone, self.fd, self.begun = watch, alone, fd, begun
        self.start = start          # the floor when the notebook began
        self.carried = carried      # what stayed of the notebook's first pass (a second pass alone)

    @property
    def limit(self) -> int:
        return self.watch.limit

    def excess(self, now: int) -> int:
        return self.watch.excess(now)

    def over(self, now: int) -> bool:
        """Grown past the limit; for a second pass alone, also grown by more than an honest notebook
        grows (``CARRY_SLACK``) on top of what stayed of the first pass past the limit. The
        floor of a second pass holds what the first pass left that outlives a job (names looked up
        and not found): a hundred-and-fortieth review looked up the same 1.45 million missing names
        in both passes and held 1.02 GB against a 512 MB limit, at 50/50. A neighbour of the first
        pass, graded again alone too, carries the same but grows by a few MB."""
        grown = self.excess(now)
        slack = max(self.limit // 8, CARRY_SLACK)
        return grown > self.limit or (self.carried > 0 and grown > slack and grown + self.carried > self.limit)

    def is_alone(self) -> bool:
        if not self.alone:
            return False
        if self.fd is None:
            return True
        try:        # every notebook that begins, in any grader, adds a byte to the shared file
            return os.fstat(self.fd).st_size == self.begun
        except OSError:
            return False


# Graders of one machine share the kernel's memory, so they share the watch through two files of
# the machine's /tmp (jobs see a /tmp of their own): a notebook in flight holds a shared lock on
# IN_FLIGHT and adds a byte to it when it begins; one graded alone holds it exclusively, and
# WAITING, held exclusively while it waits, keeps new notebooks from starting before it. The
# kernel drops a process's locks when it ends, so a grader that died holds nothing.
IN_FLIGHT = "/tmp/.grader-kernel-watch"
WAITING = "/tmp/.grader-kernel-watch-waiting"


def _open_shared(path: str) -> int | None:
    """The shared file, made by whichever grader came first and open to every user's (a file
    another user made in /tmp may be opened, not created: fs.protected_regular)."""
    for flags in (0, os.O_CREAT | os.O_EXCL, 0):
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC | flags, 0o666)
        except FileExistsError:
            continue
        except FileNotFoundError:
            if flags:
                return None
            continue
        except OSError:
            return None
        if flags:
            try:
                os.fchmod(fd, 0o666)
            except OSError:
                pass
        return fd
    return None


class KernelWatch:
    """Growth of what ``read`` counts over its lowest value since nothing ran on the machine (the
    floor is read afresh whenever a notebook begins with none in flight: objects a stopped job left
    that the kernel has not freed then raise the floor, never a later notebook's count)."""

    def __init__(self, limit_bytes: int, read: Callable[[], int] = kernel_held,
                 files: tuple[str, str] | None = (IN_FLIGHT, WAITING), settle_s: float = 3.0):
        self.limit = limit_bytes
        self._read = read
        self._settle_s = settle_s
        self._lock = threading.Lock()
        self._turns: set[Turn] = set()
        self._floor = read()
        self._files = files
        self._alone_fd: int | None = None
        self.note = ""
        if files is not None:
            fds = [_open_shared(f) for f in files]
            for fd in fds:
                if fd is not None:
                    os.close(fd)
            if None in fds:
                self._files = None
                self.note = (f"kernel memory: {files[0]} cannot be shared with other graders on this machine; "
                             f"their notebooks are not known to this one's watch")

    def begin(self, since: int | None = None) -> Turn:
        """A notebook begins; ``since``: the floor when its first pass began, for a second pass."""
        fd, begun, machine_alone = None, 0, True
        if self._files is not None and self._alone_fd is None:
            fd = _open_shared(self._files[0])
            if fd is not None:
                waiting = _open_shared(self._files[1])
                if waiting is not None:
                    fcntl.flock(waiting, fcntl.LOCK_SH)      # after a grader waiting to run one alone
                    os.close(waiting)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    machine_alone = False
                fcntl.flock(fd, fcntl.LOCK_SH)
                os.write(fd, b".")
                begun = os.fstat(fd).st_size
        now = self._read()
        if machine_alone and not self._turns:
            now = self._settled(now)
        with self._lock:
            alone = machine_alone and not self._turns
            carried = max(0, now - since) if alone and since is not None else 0
            if alone:
                self._floor = now
            for other in self._turns:
                other.alone = False
            self._floor = min(self._floor, now)
            turn = Turn(self, alone, fd, begun, self._floor, carried)
            self._turns.add(turn)
            return turn

    def _settled(self, now: int) -> int:
        """The reading once what a stopped job left has been freed. The kernel frees a killed
        job's objects a fraction of a second after it ends; a floor read before then held them, and
        the next notebook, allocating as many while they were freed, was seen to grow by nothing (a
        notebook that held 14 MB of files passed a 6 MB watch when graded right after another that
        did). What is still above the floor after ``settle_s`` stays (names looked up and not found
        outlive the job) and is part of the new floor."""
        deadline = time.monotonic() + self._settle_s
        while now - self._floor > self.limit // 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            now = self._read()
        return now

    def end(self, turn: Turn) -> None:
        with self._lock:
            self._turns.discard(turn)
        if turn.fd is not None:
            os.close(turn.fd)           # the lock goes with it
            turn.fd = None

    def excess(self, now: int) -> int:
        with self._lock:
            self._floor = min(self._floor, now)
            return now - self._floor

    @contextmanager
    def alone(self) -> Iterator[None]:
        """No notebook of any grader on the machine in flight: those in flight finish, new ones
        wait. The caller runs one notebook at a time meanwhile (``Gate.alone``)."""
        fds = [_open_shared(f) for f in self._files] if self._files is not None else []
        if not fds or None in fds:
            for fd in fds:
                if fd is not None:
                    os.close(fd)
            yield
            return
        in_flight, waiting = fds
        try:
            fcntl.flock(waiting, fcntl.LOCK_EX)
            fcntl.flock(in_flight, fcntl.LOCK_EX)
            fcntl.flock(waiting, fcntl.LOCK_UN)
            os.ftruncate(in_flight, 0)      # nobody in flight compares its length now
            self._alone_fd = in_flight
            yield
        finally:
            self._alone_fd = None
            os.close(waiting)
            os.close(in_flight)


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
