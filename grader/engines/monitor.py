"""Watches a job's process tree from the grader, every 0.1 s while it waits for the job.

With a memory cgroup the kernel caps memory itself and this only counts processes. Without one,
memory is counted here: the private memory of every process of the tree, or the anonymous memory
its processes share among themselves after a fork where that is more, its share of shared memory
and its page tables, plus memfds and pipes they hold open, what the job stored in its tmpfs folder
(files and /dev/shm; the folders of the same notebook's jobs that wait for their hidden runs
too) and what its Unix sockets can hold queued, none of which shows as resident
memory of a process, and, once the machine's kernel memory grows, the kernel's records of its
memory mappings; and the machine's kernel memory as a whole (``kernelwatch``). Either way the
machine's table of open files is watched. RLIMIT_AS is not used: PyTorch reserves huge virtual
ranges.
"""
from __future__ import annotations

import os
import signal

import psutil

from .cgroups import JobCgroups
from .kernelwatch import Turn, kernel_held, kernel_slabs


class LimitExceeded(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class KernelGrewBesideOthers(LimitExceeded):
    """The machine's kernel memory grew past the limit while other notebooks ran too: any of them
    may hold it, so each is stopped and graded again alone (see kernelwatch)."""


def _rollup(pid: int) -> dict[str, int]:
    """The process's memory figures; of a process whose first thread has ended (a zombie leader,
    whose own files read as nothing), those of a thread still running, which shares its memory (a
    hundred-and-twenty-fourth review's lead)."""
    for where in _places(pid):
        out = {}
        try:
            with open(f"{where}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith(("Private_Clean:", "Private_Dirty:", "Pss_Shmem:", "Pss_Anon:",
                                        "Pss_File:", "Anonymous:")):
                        key, value = line.split()[:2]
                        out[key[:-1]] = int(value) * 1024
        except (OSError, ValueError):
            continue
        if out:
            return out
    return {}


def _places(pid: int):
    yield f"/proc/{pid}"
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return
    for tid in tids[:4]:
        if tid != str(pid):
            yield f"/proc/{pid}/task/{tid}"


def _live(pid: int) -> str:
    """Where the process's files can be read: its own folder in /proc, or that of a thread still
    running when its first thread has ended. Such a process (a zombie leader) shows no open files,
    mappings, root or network namespace of its own: a hundred-and-twenty-seventh review ended the
    job's first thread with a raw exit, and the job's folder and socket queues counted as nothing
    while a thread held 1.4 GB beyond the cap."""
    for where in _places(pid):
        try:
            with open(f"{where}/stat", "rb") as fh:
                if fh.read().rsplit(b")", 1)[1].split()[0] != b"Z":
                    return where
        except (OSError, IndexError):
            continue
    return f"/proc/{pid}"


def _private_bytes(rollup: dict[str, int]) -> int:
    """Pages only this process maps (shared pages of the warm worker are not the job's), and its
    share of shared memory (a shared anonymous mapping that the job's processes hold together
    shows as nobody's private pages: a hundred-and-first review's path; the worker has none, so
    all of it is the job's; memory only one process maps counts twice, erring on the safe side)."""
    return rollup.get("Private_Clean", 0) + rollup.get("Private_Dirty", 0) + rollup.get("Pss_Shmem", 0)


def _anonymous_of_the_job(rollups: list[dict[str, int]], warm: dict[str, int]) -> int:
    """The job's anonymous memory, shared among its processes or not: after a fork, memory the
    parent held is both processes' and neither's private pages (a hundred-and-seventeenth review
    held 9 GB so against a 3 GB cap, counted as nothing). Every anonymous page of the warm process
    and the job's processes together is counted once by the sum of their proportional shares
    (Pss_Anon); what the warm process maps itself (Anonymous) is not the job's."""
    return max(0, sum(r.get("Pss_Anon", 0) for r in rollups) + warm.get("Pss_Anon", 0) - warm.get("Anonymous", 0))


def _file_of_the_job(rollups: list[dict[str, int]], warm: dict[str, int], warm_file: int) -> int:
    """Pages of files the job's processes map, each counted once: a page of a library that two of
    them map is both processes' and neither's private page (a hundred-and-twenty-eighth review
    mapped the installation's largest libraries in two processes: 4.26 GB resident, 2.77 GB
    counted, at 50/50). As for anonymous memory, the proportional shares (Pss_File) of the job's
    processes and the warm process count every page they map once; what the warm process maps
    itself (``warm_file``, its RssFile) is not the job's. Pages the warm process shares with other
    workers are partly theirs, which this leaves out: it errs on the student's side."""
    return max(0, sum(r.get("Pss_File", 0) for r in rollups) + warm.get("Pss_File", 0) - warm_file)


def _file_resident(pid: int) -> int:
    """The process's resident pages of files (RssFile), which smaps_rollup does not give."""
    for where in _places(pid):
        try:
            with open(f"{where}/status") as fh:
                for line in fh:
                    if line.startswith("RssFile:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            continue
    return 0


def _status(pid: int) -> tuple[int, int]:
    """Threads of the process, and the bytes of its page tables: a mapping of terabytes that is
    only read maps the kernel's zero page and holds no memory of its own, but its page tables do
    (a hundred-and-third review held 3.5 GB of them, resident memory 0)."""
    threads = pte = 0
    for where in _places(pid):
        try:
            with open(f"{where}/status") as fh:
                for line in fh:
                    if line.startswith("Threads:"):
                        threads = max(threads, int(line.split()[1]))
                    elif line.startswith("VmPTE:"):
                        pte = int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            continue
        if pte:
            break
    return threads, pte


def _read_int(path: str, default: int) -> int:
    try:
        with open(path) as fh:
            return int(fh.read())
    except (OSError, ValueError):
        return default


PAGE = os.sysconf("SC_PAGE_SIZE")
PIPE_SLOTS, PIPE_SLOTS_PAST_SOFT = 16, 2   # the kernel's PIPE_DEF_BUFFERS and PIPE_MIN_DEF_BUFFERS
PIPE_SOFT_PAGES = _read_int("/proc/sys/fs/pipe-user-pages-soft", 16_384)


def pipe_charge(pipes: int, soft_pages: int | None = None) -> int:
    """What ``pipes`` pipes can hold at most: a page in each of a pipe's slots, and the two it may
    keep for reuse once read (one in older kernels). A new pipe has 16 slots until its user holds
    ``fs.pipe-user-pages-soft`` pages of pipes (64 MB), then 2; a job cannot resize one
    (F_SETPIPE_SZ is refused)."""
    soft = PIPE_SOFT_PAGES if soft_pages is None else soft_pages
    full = pipes if soft <= 0 else min(pipes, soft // PIPE_SLOTS + 1)   # + the one that crosses it
    return (full * (PIPE_SLOTS + 2) + (pipes - full) * (PIPE_SLOTS_PAST_SOFT + 2)) * PAGE


def _descriptor_bytes(places: list[str]) -> int:
    """Memory that open descriptors of the job's processes hold and that no process shows: memfds,
    and pipes with data queued in them, each pipe charged what it can hold (``pipe_charge``). A
    hundred-and-thirty-third review estimated 64 to 200 MB of pipes a job, held beyond the cap."""
    seen, pipes, total = set(), set(), 0
    for where in places:
        try:
            fds = os.listdir(f"{where}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"{where}/fd/{fd}")
                if target.startswith("pipe:"):
                    pipes.add(target)
                elif target.startswith("/memfd:"):
                    st = os.stat(f"{where}/fd/{fd}")
                    if (st.st_dev, st.st_ino) not in seen:
                        seen.add((st.st_dev, st.st_ino))
                        total += st.st_blocks * 512
            except OSError:
                continue
    return total + (pipe_charge(len(pipes)) if pipes else 0)


def _socket_charge() -> int:
    """What one Unix stream socket can hold out of every process's memory: its own data queued at
    a peer (up to its send buffer and one more message) and a receive queue of a peer that closed
    (the same again). Jobs may make no other sockets and cannot raise a buffer (the system-call
    filter)."""
    return 4 * _read_int("/proc/sys/net/core/wmem_default", 212_992)


SOCKET_CHARGE = _socket_charge()


# Descriptors in flight in sockets' messages are in no process's table: the kernel lets a user
# have as many as its open-file limit (256 in a job) and one message more (SCM_MAX_FD, 253). A pipe
# among them keeps what it holds (a hundred-and-forty-third review: 480 full pipes sent over a
# socket and closed, 30 MB counted nowhere); every other kind is counted where it lives.
IN_FLIGHT_FDS = 256 + 253


def _socket_bytes(places: list[str]) -> int:
    """Every Unix socket of the network namespaces of the job and of the notebook's parked jobs
    (each job has one of its own; where it could not, the worker's, counted once), the ones in
    flight in a message included, each charged SOCKET_CHARGE: queued socket data belongs to no
    process (a hundred-and-fourth review held 8 GB so, without a cgroup). Where there is a socket,
    the pipes its messages can hold in flight too, once (the limit is the user's)."""
    seen, total = set(), 0
    for where in places:
        try:
            ns = os.readlink(f"{where}/ns/net")
            if ns in seen:
                continue
            seen.add(ns)
            with open(f"{where}/net/unix") as fh:
                total += max(0, sum(1 for _ in fh) - 1) * SOCKET_CHARGE
        except OSError:
            continue
    return total + pipe_charge(IN_FLIGHT_FDS) if total else 0


def files_in_use() -> tuple[int, int]:
    """The machine's open files and its limit (fs.file-nr): one table every process shares."""
    try:
        with open("/proc/sys/fs/file-nr") as fh:
            used, _, most = (int(v) for v in fh.read().split())
        return used, most
    except (OSError, ValueError):
        return 0, 0


FILES_PER_JOB = 20_000      # descriptors and mapped files; a notebook with torch holds some 2,000


def _files_held(places: list[str]) -> int:
    """Open file descriptors and file-backed mappings of the job's processes (a mapping keeps its
    file open after close(): a hundred-and-fourth review filled the machine's file table so, with
    40 processes each mapping one file 65,000 times)."""
    total = 0
    for where in places:
        for what in ("fd", "map_files"):
            try:
                total += len(os.listdir(f"{where}/{what}"))
            except OSError:
                continue
    return total


KERNEL_ALARM = 64 * 2**20       # kernel memory grown by this much in a notebook: its jobs' mappings are counted
MAPPINGS_PER_JOB = 100_000      # a process with torch maps some 800 to 2,000 ranges
# The kernel's record of one mapping and its anonymous-memory links (some 500 bytes), and what a
# mapping of a file keeps alive: its open file, and the file's name when it was deleted (192 bytes
# and a long name beside it, 512, which the kernel files as reclaimable but cannot free while the
# mapping lives: a hundred-and-forty-second review held 98,000 mappings of deleted hard links, 120 MB
# of the kernel's memory, under the alarm).
MAPPING_BYTES = 1_280


def _mappings(places: list[str], most: int) -> int:
    """Memory mappings of the job's processes, counted up to a little past ``most``. Each is a
    record in the kernel's memory that no process is charged for: a hundred-and-seventh review
    held 0.7 GB so without a cgroup, 50 processes each splitting one untouched mapping 65,000
    times with ``mprotect`` (nothing resident, no page tables)."""
    total = 0
    for where in places:
        try:
            fd = os.open(f"{where}/maps", os.O_RDONLY)
        except OSError:
            continue
        try:
            while total <= most:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                total += chunk.count(b"\n")
        except OSError:
            pass
        finally:
            os.close(fd)
        if total > most:
            break
    return total


# What the kernel keeps for each file of a job's folder (a tmpfs) besides its pages, which the
# folder's size does not show: the inode (752 bytes), its name (a dentry, 192, and a long name
# beside it, up to 512), a short symlink's target (up to 128), and the root of its page index (584).
FILE_BYTES = 752 + 192 + 512 + 128 + 584
INDEX_NODE_BYTES = 584      # one node of a file's page index: 64 slots


def index_depth(file_bytes: int) -> int:
    """The nodes of a file's page index on the path to one page, root excepted, in a file of at
    most ``file_bytes`` (the job's RLIMIT_FSIZE): 2 for 64 MB."""
    pages, depth = max(1, file_bytes // PAGE), 0
    while 64 ** (depth + 1) < pages:
        depth += 1
    return depth


def folder_charge(used_bytes: int, files: int, file_bytes: int) -> int:
    """A tmpfs folder's pages, and the most the kernel can hold for its files and their page
    indexes: a page far from any other in its file has index nodes of its own (a
    hundred-and-forty-first review wrote 4 pages 16 MB apart in each of 16,000 files: 85 MB of
    index nodes a folder, beside 256 MB counted, and 534 MB in two notebooks' jobs at once, which
    the watch of the kernel's unreclaimable memory does not see: the kernel files them as
    reclaimable, but cannot free them while the pages are there)."""
    return used_bytes + (used_bytes // PAGE) * index_depth(file_bytes) * INDEX_NODE_BYTES + files * FILE_BYTES


def _folder_bytes(where: str, file_bytes: int) -> int:
    """What the job stored in its own /tmp (which also holds /dev/shm), with what the kernel holds
    for it (``folder_charge``)."""
    try:
        st = os.statvfs(f"{where}/root/tmp")
        return folder_charge((st.f_blocks - st.f_bfree) * st.f_frsize, st.f_files - st.f_ffree, file_bytes)
    except OSError:
        return 0


class TreeMonitor:
    """The job's processes are every descendant of the process that forked it (the worker's
    PID-namespace init, or the worker itself as a child subreaper), that process excepted: a
    grandchild whose parent exits is re-parented there, out of the job's own subtree, and must
    still count. A worker runs one job at a time; the same notebook's parked jobs (``spare``,
    stopped until their runs with hidden parameters) count too, but a kill spares them."""

    def __init__(self, pid: int, memory_mb: int, max_processes: int, cgroups: JobCgroups | None = None,
                 spare: set[int] | None = None, turn: Turn | None = None, file_mb: int = 64,
                 kernel_from: int | None = None):
        self.pid = pid
        self.file_bytes = file_mb * 2**20
        self.turn = turn
        self.spare = spare if spare is not None else set()
        self.memory = memory_mb * 2**20
        self.max_processes = max_processes
        self.cgroups = cgroups
        self.peak = 0
        # The machine's file table is looked into only once it grows by a quarter of what is left
        # of it (or 200,000 files): reading every process's mappings each tick would cost time.
        used, most = files_in_use()
        self.files_alarm = used + min(200_000, max(0, most - used) // 4) if most else None
        # Without a memory cgroup, the job's mappings are read only once the machine's kernel memory
        # grows (reading them each tick would cost about a millisecond a process); with one, the
        # kernel charges them and the machine's figure is not read at all. Its slabs, reclaimable
        # ones too (the names a mapping keeps alive are filed so), from when the notebook's first
        # job began (``kernel_from``): a parked job keeps what it made.
        counted = cgroups is not None and cgroups.memory is not None
        self.kernel_from = None if counted else (sum(kernel_slabs()) if kernel_from is None else kernel_from)
        self.kernel_alarm = None if counted else self.kernel_from + KERNEL_ALARM
        try:
            self.reaper: psutil.Process | None = psutil.Process(pid).parent()
        except psutil.Error:
            self.reaper = None

    def _tree(self) -> list[psutil.Process]:
        try:      # the reaper's descendants hold the job and its orphans: one scan of /proc
            if self.reaper is not None:
                return self.reaper.children(recursive=True)
            root = psutil.Process(self.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def check(self) -> None:
        procs = self._tree()
        if len(procs) >= self.max_processes:
            raise LimitExceeded("processes", f"started {self.max_processes} or more processes (fork bomb?)")
        pids = [p.pid for p in procs]
        status = [_status(pid) for pid in pids]
        if sum(t for t, _ in status) > self.max_processes * 4:
            raise LimitExceeded("processes", f"started more than {self.max_processes * 4} threads")
        if self.files_alarm is not None and files_in_use()[0] > self.files_alarm and \
                _files_held([_live(pid) for pid in pids]) > FILES_PER_JOB:
            raise LimitExceeded("processes", f"held more than {FILES_PER_JOB:,} open or mapped files (the machine's "
                                         f"table of open files is shared by every student's job)")
        kernel, reclaimable = kernel_slabs() if self.kernel_alarm is not None or self.turn is not None else (0, 0)
        if self.turn is not None and self.turn.over(kernel_held(kernel)):
            grew = (f"made the machine's kernel memory grow by more than {self.turn.limit // 2**20} MB (files, "
                    f"names looked up, sockets, watches: the kernel's own records, which no count of a process's "
                    f"memory shows)")
            raise LimitExceeded("memory", grew) if self.turn.is_alone() else KernelGrewBesideOthers("memory", grew)
        if self.cgroups is not None and self.cgroups.memory is not None:
            self.peak = max(self.peak, self.cgroups.usage())
            return
        # A parked job keeps its folder (its own tmpfs) until its hidden run: a hundred-and-fourteenth
        # review wrote a folder's worth in each graded cell, counted only while that cell's job ran.
        # Read only without a cgroup: a file a process per tick, once for each process.
        live = {pid: _live(pid) for pid in {*pids, self.pid, *self.spare}}
        places = [live[pid] for pid in pids]
        folders = sum(_folder_bytes(live[pid], self.file_bytes) for pid in {self.pid, *self.spare})
        rollups = [_rollup(pid) for pid in pids]
        private = sum(_private_bytes(r) for r in rollups)
        warm = _rollup(self.reaper.pid) if self.reaper is not None else {}
        anonymous = _anonymous_of_the_job(rollups, warm)
        files = _file_of_the_job(rollups, warm, _file_resident(self.reaper.pid) if self.reaper is not None else 0)
        shared = sum(r.get("Pss_Shmem", 0) for r in rollups)
        used = (max(private, anonymous + shared + files) + sum(pte for _, pte in status) + _descriptor_bytes(places)
                + folders + _socket_bytes([live[pid] for pid in (self.pid, *self.spare)]))
        if self.kernel_alarm is not None and kernel + reclaimable > self.kernel_alarm:
            mappings = _mappings(places, MAPPINGS_PER_JOB)
            if mappings > MAPPINGS_PER_JOB:
                raise LimitExceeded("memory", f"held more than {MAPPINGS_PER_JOB:,} memory mappings (each is kernel "
                                              f"memory that no process is charged for)")
            used += mappings * MAPPING_BYTES
        self.peak = max(self.peak, used)
        if used > self.memory:
            raise LimitExceeded("memory", f"used more than {self.memory // 2**20} MB of memory")

    def kill(self) -> None:
        procs = [p for p in self._tree() if p.pid not in self.spare]   # the orphans too: they left
        #                                                               the job's group with setsid
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass
        for p in procs:
            try:
                p.kill()
            except psutil.Error:
                pass
