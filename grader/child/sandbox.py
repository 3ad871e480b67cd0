"""Namespaces, an allowlisted file system, privileges and resource limits, from the inside.

The worker builds one view of the machine for all its jobs (``build_root``): a tmpfs root that
holds only read-only binds of the Python installation and its packages, the data folder and this
package, a synthetic ``/etc``, a minimal ``/dev`` and a fresh ``/proc``; every other path of the
machine (home folders, the grader's checkout, reports, submissions, the Moodle zip, /etc/shadow)
does not exist there. Each job then gets its own mount and IPC namespaces with a fresh,
size-capped tmpfs as ``/tmp`` (its working folder, also behind ``/dev/shm``) and a ``/proc`` of
processes only (no machine-wide counters to leave a value in), and runs as an
unprivileged user: a private uid when the grader is root, else the grader's own uid seen from a
user namespace, with every capability dropped either way.

Each step that the machine refuses is returned as a note; the grader lists them and grading goes
on.
"""
from __future__ import annotations

import ctypes
import os
import platform
import resource
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from .syscalls import allowed_numbers

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 0x4000, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 36, 38
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41}.get(platform.machine(), 155)
# statvfs flags of a mount that a bind of it must keep when remounted read-only (a user namespace
# may not drop them): ST_NOSUID, ST_NODEV, ST_NOEXEC, ST_NOATIME, ST_NODIRATIME, ST_RELATIME.
KEEP_FLAGS = {2: MS_NOSUID, 4: MS_NODEV, 8: MS_NOEXEC, 1024: 1024, 2048: 2048, 4096: 1 << 21}

JOB = "/job"      # the job's folder in the allowlisted view (a path no host folder is bound at)

_libc = ctypes.CDLL(None, use_errno=True)


def _ok(res: int) -> None:
    if res != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def unshare(flags: int) -> None:
    _ok(_libc.unshare(flags))


def mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _ok(_libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                    ctypes.c_ulong(flags), data.encode() if data else None))


def prctl(option: int, value: int) -> None:
    _ok(_libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0))


def die_with_parent() -> None:
    """SIGKILL when the process that started us ends, whichever way it ends."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


JOB_UID = 1000     # a job's uid inside the worker's user namespace when subordinate ids map it
UNSET = "4294967295"


def set_login_uid() -> str:
    """Give the worker, and so every job, a login uid. A process whose login uid is unset may set
    it once without privilege, and each time it does the kernel hands out the next number of one
    machine-wide counter of audit sessions, which /proc/self/sessionid shows: a hundred-and-third
    review relayed a hidden seed between two workers' jobs, one thread at a time (a new thread
    starts with its parent's unset login uid). Once set, changing it needs CAP_AUDIT_CONTROL."""
    try:
        path = Path("/proc/self/loginuid")
        if path.read_text().strip() != UNSET:
            return ""
        path.write_text(str(os.getuid()))
        return ""
    except OSError as exc:
        return f"processes: the login uid could not be set ({exc.strerror}); a job can move the machine's audit session counter"


def enter_user_namespace() -> str:
    """Without root: become root of a user namespace of our own, which lets the worker build the
    sandbox; outside it we stay the unprivileged user we are. Needs a single-threaded process."""
    if os.geteuid() == 0:
        return ""
    uid, gid = os.getuid(), os.getgid()
    try:
        unshare(CLONE_NEWUSER)
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
        return ""
    except OSError as exc:
        return f"namespaces: no user namespace for an unprivileged grader ({exc.strerror})"


def subordinate_range(table: str, user: str, ident: int) -> tuple[int, int] | None:
    """The first range /etc/subuid or /etc/subgid grants this user ("name:start:count")."""
    try:
        lines = Path(table).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.strip().split(":")
        if len(parts) == 3 and parts[0] in (user, str(ident)) and parts[1].isdigit() and parts[2].isdigit():
            if int(parts[2]) > 0:
                return int(parts[1]), int(parts[2])
    return None


def enter_mapped_user_namespace(index: int) -> tuple[bool, str]:
    """Without root, but with subordinate ids (/etc/subuid, /etc/subgid and the setuid helpers
    newuidmap and newgidmap, Debian's ``uidmap``): a user namespace where uid 0 is the grader's
    own uid, as in ``enter_user_namespace``, and JOB_UID is a subordinate id of this worker's
    own, so that each worker's jobs are a user of their own to the kernel (per-user counts such as
    processes, inotify instances or pipe buffers are not shared with a concurrent classmate's job,
    nor with the grader). A helper forked before the namespace exists writes the maps from
    outside. Returns whether it mapped them, and why not: then either no namespace was made, or
    one that maps only the grader's uid, as ``enter_user_namespace`` makes it."""
    import pwd
    import shutil
    import subprocess
    uid, gid = os.getuid(), os.getgid()
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = str(uid)
    tools = [shutil.which(t, path="/usr/bin:/bin:/usr/sbin:/sbin") for t in ("newuidmap", "newgidmap")]
    ranges = subordinate_range("/etc/subuid", user, uid), subordinate_range("/etc/subgid", user, uid)
    if None in tools:
        return False, "newuidmap is not installed (Debian: apt install uidmap)"
    if None in ranges:
        return False, f"no subordinate ids for {user} in /etc/subuid and /etc/subgid"
    hosts = [start + index % count for start, count in ranges]
    r, w = os.pipe()
    helper = os.fork()
    if helper == 0:                                   # outside the namespace: map it once it exists
        ok = False
        try:
            os.close(w)
            if os.read(r, 1) == b"y":
                target = str(os.getppid())
                ok = all(subprocess.run([tool, target, "0", str(own), "1", str(JOB_UID), str(host), "1"],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, timeout=30).returncode == 0
                         for tool, own, host in zip(tools, (uid, gid), hosts))
        finally:
            os._exit(0 if ok else 1)
    os.close(r)
    try:
        unshare(CLONE_NEWUSER)
    except OSError as exc:
        os.write(w, b"n")
        os.close(w)
        os.waitpid(helper, 0)
        return False, f"no user namespace ({exc.strerror})"
    os.write(w, b"y")
    os.close(w)
    _, status = os.waitpid(helper, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        return True, ""
    for name, text in (("uid_map", f"0 {uid} 1"), ("setgroups", "deny"), ("gid_map", f"0 {gid} 1")):
        try:
            Path("/proc/self", name).write_text(text)
        except OSError:
            pass            # the helper wrote it already (uid_map), or it is not ours to write
    return False, "newuidmap or newgidmap refused the subordinate ids"


@dataclass(frozen=True)
class View:
    """What a job may see besides the system: read-only folders kept at their own paths, and
    the grader package files it runs (the folder of ``grader/__init__.py`` and ``child/``)."""
    folders: tuple[str, ...]
    package: str           # the grader package folder; only __init__.py and child/ are shown


def python_folders() -> list[str]:
    """The Python installation and its package folders: what an import may need."""
    keep: list[str] = []
    for p in (sys.base_prefix, sys.prefix, *sys.path):
        if not p or not os.path.isdir(p):
            continue
        p = os.path.realpath(p)
        inside = p.startswith((os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)))
        if inside or os.path.basename(p) in ("site-packages", "dist-packages"):
            keep.append(p)
    return sorted(set(keep))


def _flags_of(path: str) -> int:
    f = os.statvfs(path).f_flag
    return sum(ms for st, ms in KEEP_FLAGS.items() if f & st)


class _Sources:
    """Everything the view shows, opened before the view's own tmpfs can hide any of it (a data
    folder below /tmp, say): binds are then made from /proc/self/fd/N."""

    def __init__(self):
        self.fds: dict[str, tuple[int, int]] = {}

    def add(self, path: str) -> bool:
        if path in self.fds or not os.path.exists(path):
            return path in self.fds
        self.fds[path] = (os.open(path, os.O_PATH | os.O_CLOEXEC), _flags_of(path))
        return True

    def bind(self, path: str, root: str, extra: int = 0) -> None:
        """Bind ``path`` read-only at the same path below ``root``."""
        fd, flags = self.fds[path]
        dst = root + path
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(dst, mode=0o755, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(dst), mode=0o755, exist_ok=True)
            if not os.path.exists(dst):
                open(dst, "w").close()
        mount(f"/proc/self/fd/{fd}", dst, None, MS_BIND | MS_REC)
        mount("none", dst, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | flags | extra)

    def close(self) -> None:
        for fd, _ in self.fds.values():
            os.close(fd)


ETC_FILES = {
    "passwd": "root:x:0:0:root:/root:/bin/sh\nstudent:x:{uid}:{uid}:student:/tmp:/bin/sh\n",
    "group": "root:x:0:\nstudent:x:{uid}:\n",
    "hosts": "127.0.0.1 localhost\n::1 localhost\n",
    "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
}
# No /dev/zero: a shared mapping of it is shared anonymous memory (see MMAP below).
DEVICES = ("null", "full", "random", "urandom")
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


def build_root(view: View, uid: int) -> None:
    """Replace this process's root by the allowlisted view. Needs a private mount namespace and,
    for /proc, a PID namespace of which this process is part; the mount namespace's /tmp is
    covered by the new root's tmpfs."""
    src = _Sources()
    links = {p: os.readlink(p) for p in SYSTEM if os.path.islink(p)}
    for p in SYSTEM:
        if p not in links and os.path.isdir(p):
            src.add(p)
    folders = [os.path.realpath(f) for f in view.folders if src.add(os.path.realpath(f))]
    package = os.path.realpath(view.package)
    shown = [os.path.join(package, "__init__.py"), os.path.join(package, "child")]
    for p in shown + [f"/etc/{n}" for n in ("ld.so.cache", "ld.so.conf")] + [f"/dev/{d}" for d in DEVICES]:
        src.add(p)
    root = "/tmp"
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0755")
    for p, target in links.items():
        os.symlink(target, root + p)
    for p in SYSTEM:
        if p in src.fds:
            src.bind(p, root)
    for f in folders:
        src.bind(f, root)
    if any(package == f or package.startswith(f + "/") for f in folders):
        # An installed grader sits inside site-packages, bound whole: cover it, show two entries.
        mount("tmpfs", root + package, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
    for p in shown:
        src.bind(p, root)
    if any(package == f or package.startswith(f + "/") for f in folders):
        mount("none", root + package, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.makedirs(root + "/etc", mode=0o755, exist_ok=True)
    for name, text in ETC_FILES.items():
        Path(root, "etc", name).write_text(text.format(uid=uid))
    for name in ("ld.so.cache", "ld.so.conf"):
        if f"/etc/{name}" in src.fds:
            src.bind(f"/etc/{name}", root)
    os.makedirs(root + "/dev/shm", mode=0o755, exist_ok=True)
    os.chmod(root + "/dev/shm", 0o1777)
    for dev in DEVICES:
        if f"/dev/{dev}" in src.fds:
            src.bind(f"/dev/{dev}", root, MS_NOEXEC)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")
    os.makedirs(root + "/proc", mode=0o555, exist_ok=True)
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.makedirs(root + JOB, mode=0o755)
    os.makedirs(root + "/tmp", mode=0o755, exist_ok=True)   # the job's folder shows here too (with
    #                                                         what is bound below /tmp on top of it)
    src.close()
    os.chdir(root)
    _ok(_libc.syscall(SYS_PIVOT_ROOT, b".", b"."))     # the old root now sits under the new one ...
    _ok(_libc.umount2(b".", MNT_DETACH))                # ... and is gone from this namespace
    os.chdir("/")
    mount("none", "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def own_network() -> str:
    """A network namespace of the job's own, so that its abstract Unix sockets (names no file
    holds) reach no other job's: a hundred-and-thirty-third review, told nothing of the fixes,
    had each job send a descriptor of a file of its folder, and its own listening socket, to a
    later job of the same worker; an ended job's folder (its own tmpfs) lives on as long as one
    descriptor of it does, and no count looks there: 2.4 GB held beside 2 GB counted, at 50/50.
    Some 20 KB of the kernel's memory each, freed shortly after the job."""
    try:
        unshare(CLONE_NEWNET)
    except OSError as exc:
        return f"network: the job shares the worker's network namespace ({exc.strerror})"
    return ""


def job_folder(size_mb: int) -> str:
    """A private mount and IPC namespace with a fresh tmpfs as the job's folder, also shown as
    /dev/shm and (when nothing else lives there) /tmp: what a job writes, in files or shared
    memory, has one size cap and vanishes with the job."""
    unshare(CLONE_NEWNS | CLONE_NEWIPC)
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    folder = JOB if os.path.isdir(JOB) else "/tmp"      # no view: cover the machine's /tmp
    # Inodes too: an empty file takes no block but some 1.5 KB of the kernel's memory, which no
    # count of the folder's size shows (a hundred-and-sixth review held 3.5 GB in empty files).
    mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV,
          f"size={int(size_mb)}m,nr_inodes={FOLDER_INODES},mode=1777")
    os.mkdir(folder + "/.shm", 0o1777)
    os.chmod(folder + "/.shm", 0o1777)
    mount(folder + "/.shm", "/dev/shm", None, MS_BIND)
    if folder == JOB and os.path.isdir("/tmp"):
        # What the view binds below /tmp (a checkout, a virtual environment or the data folder
        # there) is bound again, read-only, on top of the job's folder: /tmp is the job's to write
        # in all the same (a clone of the grader under /tmp left a job's /tmp read-only, and a
        # cell that wrote there, or torch.compile's cache, failed).
        held = [(name, os.open(f"/tmp/{name}", os.O_PATH)) for name in os.listdir("/tmp")]
        try:
            mount(folder, "/tmp", None, MS_BIND)
            for name, fd in held:
                dst = f"/tmp/{name}"
                if os.path.isdir(f"/proc/self/fd/{fd}"):
                    os.mkdir(dst, 0o755)
                else:
                    open(dst, "w").close()
                mount(f"/proc/self/fd/{fd}", dst, None, MS_BIND | MS_REC)
                mount("none", dst, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        finally:
            for _, fd in held:
                os.close(fd)
    return folder


def processes_only_proc() -> str:
    """A /proc of processes only, in the job's own mount namespace (after ``job_folder``): the
    machine-wide files (vmstat, stat, meminfo, loadavg, sys/...) hold counters a job can move and
    that keep their value after it, so a hidden run could leave a value there for a later public
    run to read (a fifth review relayed a whole hidden seed through vmstat's count of mlocked
    pages). Processes the job may not trace (the worker) are not listed. Returns a note when the
    kernel does not allow it (before Linux 5.8)."""
    if not os.path.isdir(JOB):
        return ""                   # no view: the job sees the machine's /proc, and is told so
    try:
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "subset=pid,hidepid=invisible")
    except OSError as exc:
        return f"proc: the job sees the machine-wide files of /proc ({exc.strerror})"
    return ""


def _drop_bounding_set() -> None:
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0) != 0:
            if ctypes.get_errno() == 22:   # EINVAL: past the last capability this kernel knows
                return
            if ctypes.get_errno() == 1 and _effective_capabilities() == 0:
                return                     # EPERM without any capability: nothing to drop
            raise OSError(ctypes.get_errno(), "capability bounding set")


def _effective_capabilities() -> int:
    try:
        return int(Path("/proc/self/status").read_text().split("CapEff:")[1].split()[0], 16)
    except (OSError, IndexError, ValueError):
        return -1


def _clear_capabilities() -> None:
    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    header, data = Header(0x20080522, 0), (Data * 2)()
    _ok(_libc.capset(ctypes.byref(header), data))


def become_unprivileged(uid: int | None) -> None:
    """No capability left, none to regain through exec or set-uid programs; as root, also the
    job's own uid. (In a user namespace the job stays uid 0 there: the grader's uid outside.)"""
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    _drop_bounding_set()
    if uid is not None and os.geteuid() == 0 and (not _in_user_namespace() or _mapped(uid)):
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    _clear_capabilities()


def _mapped(ident: int) -> bool:
    """This user namespace maps ``ident`` as a uid and as a gid (subordinate ids: see
    enter_mapped_user_namespace)."""
    try:
        for table in ("uid_map", "gid_map"):
            rows = [[int(v) for v in line.split()] for line in Path("/proc/self", table).read_text().splitlines()]
            if not any(len(r) == 3 and r[0] <= ident < r[0] + r[2] for r in rows):
                return False
        return True
    except (OSError, ValueError):
        return False


def _in_user_namespace() -> bool:
    try:
        return Path("/proc/self/uid_map").read_text().split()[:3] != ["0", "0", "4294967295"]
    except OSError:
        return False


SIGNALS_PENDING = 64


def set_limits(*, cpu_s: int, file_mb: int, processes: int | None, files: int = 256) -> None:
    """Kernel limits that need no watcher: CPU seconds (the last line if every other watcher is
    gone), file size, open files, core dumps; processes when the job has a uid of its own."""
    # Pending signals, POSIX message queue bytes and locked memory are counted per user up through
    # every user namespace to the grader's own user: without root, concurrent jobs of all workers
    # share that count, and a hundred-and-first review passed a hidden seed between two of them as
    # the number of real-time signals one could still queue. Each job may hold only a few, far from
    # the grader's cap, so the count it sees is its own.
    for res, value in ((resource.RLIMIT_CORE, 0), (resource.RLIMIT_CPU, cpu_s),
                       (resource.RLIMIT_FSIZE, file_mb * 2**20), (resource.RLIMIT_NOFILE, files),
                       (resource.RLIMIT_SIGPENDING, SIGNALS_PENDING), (resource.RLIMIT_MSGQUEUE, 0),
                       (resource.RLIMIT_MEMLOCK, 0)):
        resource.setrlimit(res, (value, value))
    if processes is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a too-large write fails instead of killing


# Syscalls a job never needs and that would let it keep state beyond its life or reach beyond its
# view: kernel keyrings (they outlive the process and are shared by everything of one uid: one
# student's job could leave its results there for the next), new namespaces, other processes'
# memory, io_uring, BPF and mounts. Also what reads or steers the page cache of files every job
# sees (evicting pages, asking which are cached without loading them): a second review relayed a
# classmate's results from one job to the next through it. Locking memory: the machine counts
# every page ever locked, and a fifth review set that count to a hidden seed for a later job to
# read. Sockets other than Unix ones (socket and socketpair, by their family): a job has no
# network, and even a failed send moves the worker's network counters. Process file descriptors
# (pidfd_open, and clone's CLONE_PIDFD flag): their inode number counts every process and thread
# the machine ever started, a running number a hidden run could move for a later job to read.
# Asking a socket for its cookie (getsockopt SO_COOKIE) or for a peer's pidfd, see _bpf. A new session (setsid): each
# one makes a scheduler autogroup whose number, shown in /proc/self/autogroup, comes from one
# machine-wide counter (a seventh review relayed a hidden seed through it); the job's own session
# is made before the filter, and its processes share its CPU share. Watching or locking files
# (inotify, fanotify, flock; fcntl's F_NOTIFY, record locks and leases, see _bpf): every job reads
# the same library files, and a watch or a lock on one sees another job's opens and locks while
# both run (a tenth review passed a hidden seed exactly between two workers' jobs through inotify).
# sysinfo tells what /proc/meminfo and loadavg would (free and shared memory, buffers, processes,
# load): an eighty-ninth review held a hidden seed's worth of megabytes in a hidden run's job
# folder, and a classmate's public run read it exactly as the machine's shared memory. The kernel
# log (syslog) too is the machine's, and a job's crash can write to it. An eventfd's number
# (/proc/self/fdinfo's eventfd-id) is the smallest free one of the whole machine: a ninety-first
# review held a pattern of open and closed ones in a hidden run, and a classmate's job graded at the
# same time read the hidden seed, lr, momentum and epochs off its own new eventfds. The old
# asynchronous I/O (io_setup and its kin): the machine counts every AIO event reserved against one
# cap, and a ninety-second review held a hidden value's worth in a hidden run while a classmate's
# job measured what io_setup still granted. process_madvise: madvise's paging out by another door
# (a ninety-fifth review: MADV_PAGEOUT through PIDFD_SELF passed the filter); memfd_secret: never
# needed, and counted machine-wide. System V shared memory, message queues and semaphores
# (shmget, msgget, semget): a segment nobody has attached, a queue's messages or a set of
# semaphores belong to no process, so an unprivileged grader's count of a job's memory missed them
# (a hundred-and-first review held 10 GB in segments, a hundred-and-third 5 GB in semaphores).
# Numbers per architecture (x86-64, AArch64).
FOLDER_INODES = 20_000     # files and folders in a job's folder: some 45 MB of the kernel's memory at most
# Memory a job holds as files no process has open (a memfd sent over a socket and closed) or as
# pages referenced by a socket's queue (spliced, vmspliced or sent from a file) is nobody's
# memory without a cgroup (a hundred-and-sixth review held 4.8 GB so), so memfd_create, splice,
# tee, vmsplice and sendfile are refused (shutil's copies fall back to read and write). Epoll
# instances: each watch is a record of the kernel's that no process is charged for, and it lives
# as long as the watched file, held anywhere (a hundred-and-thirteenth review held 1 GB of them
# beside 2 GB counted, without a cgroup): epoll_create and epoll_ctl are refused, and the job's
# selectors (asyncio's loop) use poll, see use_poll. Extended attributes (setxattr and its
# kin): a POSIX ACL on a folder of the job's tmpfs lives in the kernel's memory, not in the
# folder's blocks, and may be some 64 KB (a hundred-and-fourteenth review held 2.5 GB in ACLs of
# 20,000 folders beside 2.6 GB counted); shutil's copies skip attributes they may not set.
# Landlock: each landlock_restrict_self copies the ruleset's rules into a new domain of the
# kernel's, kept alive by every file opened under it (a hundred-and-twenty-first review held 4.6 GB
# of them, 65,536 rules a domain, each pinned by a mapped file, beside what was counted). The new
# mount API's remaining calls (fspick, fsconfig, mount_setattr) and quotactl_fd, never needed.
# Filters of the job's own (seccomp, and prctl's PR_SET_SECCOMP, see _bpf): a chain of them is kernel
# memory, and a listener descriptor keeps a chain alive after its thread ends (a
# hundred-and-twenty-third review held 4 GB so); compiled, they also spend the machine's one
# budget for compiled filters, which every later job's own filter needs.
BLOCKED = {
    "x86_64": {"add_key": 248, "request_key": 249, "keyctl": 250, "unshare": 272, "setns": 308, "ptrace": 101,
               "process_vm_readv": 310, "process_vm_writev": 311, "perf_event_open": 298, "bpf": 321,
               "userfaultfd": 323, "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
               "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
               "move_mount": 429, "fsopen": 430, "fsmount": 432,
               "fadvise64": 221, "mincore": 27, "readahead": 187, "preadv2": 327, "pwritev2": 328,
               "cachestat": 451, "mlock": 149, "munlock": 150, "mlockall": 151, "munlockall": 152,
               "mlock2": 325, "pidfd_open": 434, "pidfd_getfd": 438, "setsid": 112,
               "inotify_init": 253, "inotify_init1": 294, "fanotify_init": 300, "flock": 73,
               "sysinfo": 99, "syslog": 103, "eventfd": 284, "eventfd2": 290,
               "io_setup": 206, "io_destroy": 207, "io_getevents": 208, "io_submit": 209, "io_cancel": 210,
               "io_pgetevents": 333, "process_madvise": 440, "memfd_secret": 447, "shmget": 29, "msgget": 68,
               "semget": 64, "memfd_create": 319, "splice": 275, "tee": 276, "vmsplice": 278, "sendfile": 40,
               "epoll_create": 213, "epoll_create1": 291, "epoll_ctl": 233,
               "setxattr": 188, "lsetxattr": 189, "fsetxattr": 190, "landlock_create_ruleset": 444,
               "landlock_add_rule": 445, "landlock_restrict_self": 446, "fsconfig": 431, "fspick": 433,
               "mount_setattr": 442, "quotactl_fd": 443, "seccomp": 317},
    "aarch64": {"add_key": 217, "request_key": 218, "keyctl": 219, "unshare": 97, "setns": 268, "ptrace": 117,
                "process_vm_readv": 270, "process_vm_writev": 271, "perf_event_open": 241, "bpf": 280,
                "userfaultfd": 282, "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51,
                "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
                "move_mount": 429, "fsopen": 430, "fsmount": 432,
                "fadvise64": 223, "mincore": 232, "readahead": 213, "preadv2": 286, "pwritev2": 287,
                "cachestat": 451, "mlock": 228, "munlock": 229, "mlockall": 230, "munlockall": 231,
                "mlock2": 284, "pidfd_open": 434, "pidfd_getfd": 438, "setsid": 157,
                "inotify_init1": 26, "fanotify_init": 262, "flock": 32, "sysinfo": 179, "syslog": 116,
                "eventfd2": 19, "io_setup": 0, "io_destroy": 1, "io_submit": 2, "io_cancel": 3, "io_getevents": 4,
                "io_pgetevents": 292, "process_madvise": 440, "memfd_secret": 447, "shmget": 194, "msgget": 186,
                "semget": 190, "memfd_create": 279, "splice": 76, "tee": 77, "vmsplice": 75, "sendfile": 71,
                "epoll_create1": 20, "epoll_ctl": 21, "setxattr": 5, "lsetxattr": 6, "fsetxattr": 7,
                "landlock_create_ruleset": 444, "landlock_add_rule": 445, "landlock_restrict_self": 446,
                "fsconfig": 431, "fspick": 433, "mount_setattr": 442, "quotactl_fd": 443, "seccomp": 277},
}
MADVISE = {"x86_64": 28, "aarch64": 233}
# Shared anonymous memory (mmap with MAP_SHARED and MAP_ANONYMOUS): its pages live in a file of the
# kernel's, and once the mapping drops them (MADV_DONTNEED, or munmap of all but a page) no process
# shows them, though the file keeps them (a hundred-and-eighteenth review held 8 GB so against a
# 3 GB cap, without a cgroup). Refused; a job shares memory through files of its folder (/dev/shm),
# which count in the folder's size, as multiprocessing and torch do.
MMAP = {"x86_64": 9, "aarch64": 222}
PRCTL = {"x86_64": 157, "aarch64": 167}
PR_SET_SECCOMP = 22
# prctl: only the options a job's libraries ask for, most of them reads of its own settings
# (PDEATHSIG set and read, DUMPABLE set and read, KEEPCAPS, NAME set and read, SECCOMP read, CAPBSET_READ,
# TIMERSLACK read, CHILD_SUBREAPER read, NO_NEW_PRIVS read, TID_ADDRESS, THP_DISABLE read, the
# vector lengths AArch64's C library reads, AUXV). Others reach memory of the kernel's: a
# hundred-and-thirty-first review reserved 1 GB of vmalloc space a process with PR_FUTEX_HASH,
# 3 GB beside a 3 GB cap, seen by no count (PR_SET_VMA names, PR_SET_MEMORY_MERGE, PR_SET_MM are
# of the same kind). Every other option gets EINVAL, what a kernel without it answers.
ALLOWED_PRCTL = (1, 2, 3, 4, 7, 15, 16, 21, 23, 30, 37, 39, 40, 42, 51, 64, 0x41555856)
MAP_SHARED_ANONYMOUS = 0x21
# A futex without FUTEX_PRIVATE_FLAG on a page of a file is keyed by the file, not by the process:
# every job maps the same library files, so one job's waiters are another's to wake, and a wake
# says how many it woke (a ninety-fourth review relayed a hidden seed exactly between two workers'
# jobs this way). Private futexes (threads, locks within a process) are untouched. A shared wait
# gets EAGAIN and a shared wake EINVAL, the answers the C library takes in its stride: a lock
# shared between a job's own processes then spins instead of sleeping, and works. The futex2
# calls, which the C library does not use, are refused (ENOSYS).
FUTEX = {"x86_64": 202, "aarch64": 98}
FUTEX2 = (449, 454, 455, 456)              # futex_waitv, futex_wake, futex_wait, futex_requeue
# Calls numbered above the newest this filter was written against (futex_requeue, Linux 6.7; both
# architectures number new calls alike) are refused with ENOSYS, what a kernel without them
# answers, so the C library falls back: a call a later kernel adds is not allowed unread.
NEWEST_KNOWN = 456
FUTEX_PRIVATE_FLAG, FUTEX_CMD_MASK, FUTEX_WAITS = 128, 127, (0, 9)    # FUTEX_WAIT, FUTEX_WAIT_BITSET
FCNTL = {"x86_64": 72, "aarch64": 25}
# fcntl commands that see other processes through a file: record locks (F_GETLK even names the
# holder), open-file-description locks, leases, directory notifications; and resizing a pipe
# (F_SETPIPE_SZ: the grader charges each pipe what it can hold, which a pipe of 1 MB would exceed).
# Descriptor flags stay.
REFUSED_FCNTL = (5, 6, 7, 36, 37, 38, 1024, 1025, 1031, 1026)   # F_GETLK F_SETLK F_SETLKW F_OFD_* F_SETLEASE
#                                                                F_GETLEASE F_SETPIPE_SZ F_NOTIFY
# ioctl: only what the C library and Python ask of a file (is it a terminal, its size, non-blocking,
# close-on-exec, bytes waiting). An ioctl is a door into each driver and file system, and some
# lead to state of the kernel's beyond the job (a namespace's machine-wide id, a file system's
# encryption keys, a file's flags); every other request gets ENOTTY, what a file that does not
# know it answers.
IOCTL = {"x86_64": 16, "aarch64": 29}
ALLOWED_IOCTLS = (0x5401, 0x540F, 0x5413, 0x541B, 0x5421, 0x5450, 0x5451, 0x802C542A)
#                 TCGETS TIOCGPGRP TIOCGWINSZ FIONREAD FIONBIO FIONCLEX FIOCLEX TCGETS2
SOCKET = {"x86_64": (41, 53), "aarch64": (198, 199)}          # socket, socketpair
AF_UNIX = 1
GETSOCKOPT = {"x86_64": 55, "aarch64": 209}
SETSOCKOPT = {"x86_64": 54, "aarch64": 208}
SOL_SOCKET, SO_COOKIE, SO_NETNS_COOKIE, SO_PASSPIDFD, SO_PEERPIDFD = 1, 57, 71, 76, 77
# A socket's buffers stay as set by the machine (net.core.wmem_default): what a Unix stream socket
# can hold queued is then bounded, and the grader charges each such socket that much without a
# memory cgroup (a hundred-and-fourth review held 8 GB in queued datagrams, unprivileged).
SO_SNDBUF, SO_RCVBUF, SO_SNDBUFFORCE, SO_RCVBUFFORCE = 7, 8, 32, 33
# Filters attached to a socket (classic BPF, or eBPF, also for a reuseport group): each is kernel
# memory, and compiled it spends the machine's one budget for compiled filters, which every later
# job's own system-call filter needs (the hundred-and-twenty-third review's warning about seccomp).
SOCKET_FILTERS = (26, 50, 51, 52)   # SO_ATTACH_FILTER, SO_ATTACH_BPF, SO_ATTACH_REUSEPORT_CBPF, _EBPF
SOCK_STREAM, SOCK_TYPE_MASK = 1, 0xF
MADV_COLD, MADV_PAGEOUT = 20, 21
# Huge pages: a 2 MB page a job faults in and then unmaps all but 4 KB of stays allocated whole
# until the kernel splits it under memory pressure, while the process shows 4 KB (a
# hundred-and-thirty-second review held 2 GB so, 512 times what was counted, at 50/50). A job's
# memory gets no huge pages (no_huge_pages), and asking for them, or for a collapse into them, is
# refused.
MADV_HUGEPAGE, MADV_COLLAPSE = 14, 25
REFUSED_MADVISE = (MADV_PAGEOUT, MADV_COLD, MADV_HUGEPAGE, MADV_COLLAPSE)
PR_SET_THP_DISABLE = 41
CLONE = {"x86_64": (56, 435), "aarch64": (220, 435)}          # clone, clone3
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
REFUSED_CLONE_FLAGS = 0x7E021000    # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET, CLONE_PIDFD
# A thread (CLONE_THREAD) must share its process's descriptor table (CLONE_FILES), as every
# pthread does: the descriptors of a thread with a table of its own are not in /proc/<pid>/fd, where
# the grader counts the job's open files and what its pipes hold.
CLONE_THREAD, CLONE_FILES = 0x00010000, 0x00000400
# close_range's CLOSE_RANGE_UNSHARE gives the calling thread a table of its own all the same (a
# Python thread calling it kept a job's pipes out of view); the C library and CPython close ranges
# without it.
CLOSE_RANGE = {"x86_64": 436, "aarch64": 436}
CLOSE_RANGE_UNSHARE = 2


class _Insn(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_Insn))]


def _bpf(arch: str) -> list[tuple[int, int, int, int]]:
    """The filter as classic BPF, jumps resolved from labels (targets are counted from the next
    instruction, as BPF does). The calls whose arguments it reads come first (futex and mmap are
    frequent); then the refused calls of BLOCKED (EPERM) and the allowed ones of syscalls.ALLOWED,
    each a comparison and a return of its own (no jump is longer than one instruction, whatever
    the lists' lengths); every other call gets ENOSYS. A call allowed whatever its arguments is
    one the kernel's cache answers without running the filter."""
    ld, jeq, jge, jset, ret, and_ = 0x20, 0x15, 0x35, 0x45, 0x06, 0x54
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    eagain, einval, enotty = 0x00050000 | 11, 0x00050000 | 22, 0x00050000 | 25
    enetunreach = 0x00050000 | 101      # a socket of another family: "Network is unreachable", as it is
    clone, clone3 = CLONE[arch]
    code: list[tuple] = [(ld, None, None, 4), (jeq, 1, 0, AUDIT_ARCH[arch]), (ret, 0, 0, eperm), (ld, None, None, 0)]
    if arch == "x86_64":                        # x32 numbers reach the same calls: refuse them all
        code += [(jge, 0, 1, 0x40000000), (ret, 0, 0, eperm)]
    code += [(jge, "ENOSYS", 0, NEWEST_KNOWN + 1)]
    # madvise is needed (allocators use it), but not to push pages of a file out of the cache.
    code += [(jeq, 0, 1 + len(REFUSED_MADVISE), MADVISE[arch]), (ld, None, None, 32)]
    code += [(jeq, "EPERM", 0, adv) for adv in REFUSED_MADVISE[:-1]] + [(jeq, "EPERM", "ALLOW", REFUSED_MADVISE[-1])]
    code += [(jeq, 0, 3, MMAP[arch]), (ld, None, None, 40), (and_, None, None, MAP_SHARED_ANONYMOUS),
             (jeq, "EPERM", "ALLOW", MAP_SHARED_ANONYMOUS)]
    code += [(jeq, 0, 2 + len(ALLOWED_PRCTL), PRCTL[arch]), (ld, None, None, 16), (jeq, "EPERM", 0, PR_SET_SECCOMP)]
    code += [(jeq, "ALLOW", 0, opt) for opt in ALLOWED_PRCTL[:-1]] + [(jeq, "ALLOW", "EINVAL", ALLOWED_PRCTL[-1])]
    code += [(jeq, 0, 1 + len(REFUSED_FCNTL), FCNTL[arch]), (ld, None, None, 24)]
    code += [(jeq, "EPERM", 0, cmd) for cmd in REFUSED_FCNTL[:-1]] + [(jeq, "EPERM", "ALLOW", REFUSED_FCNTL[-1])]
    socket_nr, socketpair_nr = SOCKET[arch]
    # Unix sockets only, and only stream ones: a datagram receiver holds queued datagrams of
    # senders long closed, none of them in any process's memory (a hundred-and-fourth review).
    code += [(jeq, 1, 0, socket_nr), (jeq, 0, 5, socketpair_nr), (ld, None, None, 16),
             (jeq, 0, "NONET", AF_UNIX), (ld, None, None, 24), (and_, None, None, SOCK_TYPE_MASK),
             (jeq, "ALLOW", "EPERM", SOCK_STREAM)]
    # A socket's cookie comes from a machine-wide counter that moves only when a cookie is asked
    # for, so it is quiet and exact: a sixth review set it to a hidden seed for a later job to read.
    # A peer's pidfd (SO_PEERPIDFD, SO_PASSPIDFD) is a pidfd all the same (an eighth review).
    code += [(jeq, 0, 6, GETSOCKOPT[arch]), (ld, None, None, 24), (jeq, 0, "ALLOW", SOL_SOCKET),
             (ld, None, None, 32), (jeq, "EPERM", 0, SO_COOKIE), (jeq, "EPERM", 0, SO_NETNS_COOKIE),
             (jeq, "EPERM", "ALLOW", SO_PEERPIDFD)]
    refused = (SO_SNDBUF, SO_RCVBUF, SO_SNDBUFFORCE, SO_RCVBUFFORCE, *SOCKET_FILTERS)
    code += [(jeq, 0, 4 + len(refused), SETSOCKOPT[arch]), (ld, None, None, 24), (jeq, 0, "ALLOW", SOL_SOCKET),
             (ld, None, None, 32)] + [(jeq, "EPERM", 0, opt) for opt in refused] + [
             (jeq, "EPERM", "ALLOW", SO_PASSPIDFD)]
    code += [(jeq, "ENOSYS", 0, nr) for nr in FUTEX2]
    code += [(jeq, 0, 5, FUTEX[arch]), (ld, None, None, 24), (jset, "ALLOW", 0, FUTEX_PRIVATE_FLAG),
             (and_, None, None, FUTEX_CMD_MASK), (jeq, "EAGAIN", 0, FUTEX_WAITS[0]),
             (jeq, "EAGAIN", "EINVAL", FUTEX_WAITS[1])]
    code += [(jeq, 0, 1 + len(ALLOWED_IOCTLS), IOCTL[arch]), (ld, None, None, 24)]
    code += [(jeq, "ALLOW", 0, cmd) for cmd in ALLOWED_IOCTLS[:-1]] + [(jeq, "ALLOW", "ENOTTY", ALLOWED_IOCTLS[-1])]
    code += [(jeq, 0, 2, CLOSE_RANGE[arch]), (ld, None, None, 32), (jset, "EPERM", "ALLOW", CLOSE_RANGE_UNSHARE)]
    code += [(jeq, "ENOSYS", 0, clone3), (jeq, 0, "LISTS", clone), (ld, None, None, 16),
             (jset, "EPERM", 0, REFUSED_CLONE_FLAGS), (and_, None, None, CLONE_THREAD | CLONE_FILES),
             (jeq, "EPERM", "ALLOW", CLONE_THREAD)]
    labels = {"ENOSYS": len(code), "EPERM": len(code) + 1, "ALLOW": len(code) + 2, "NONET": len(code) + 3,
              "EAGAIN": len(code) + 4, "EINVAL": len(code) + 5, "ENOTTY": len(code) + 6, "LISTS": len(code) + 7}
    code += [(ret, 0, 0, enosys), (ret, 0, 0, eperm), (ret, 0, 0, allow), (ret, 0, 0, enetunreach),
             (ret, 0, 0, eagain), (ret, 0, 0, einval), (ret, 0, 0, enotty)]
    for numbers, action in ((sorted(BLOCKED[arch].values()), eperm), (allowed_numbers(arch), allow)):
        for nr in numbers:
            code += [(jeq, 0, 1, nr), (ret, 0, 0, action)]
    code += [(ret, 0, 0, enosys)]
    out = []
    for idx, (op, jt, jf, k) in enumerate(code):
        jt = labels[jt] - idx - 1 if isinstance(jt, str) else (jt or 0)
        jf = labels[jf] - idx - 1 if isinstance(jf, str) else (jf or 0)
        out.append((op, jt, jf, k))
    return out


def seccomp_filter() -> str:
    """Allow only the calls jobs need (syscalls.ALLOWED, and those _bpf reads the arguments of);
    refuse the syscalls in BLOCKED (EPERM), sockets other than Unix ones (ENETUNREACH, what a
    job without network gets anyway), clone with namespace flags or CLONE_PIDFD, or a thread with a
    descriptor table of its own, and close_range unsharing one (EPERM), clone3
    and every call not listed (ENOSYS: the C library falls back). Returns a note when this kernel
    or architecture does not allow it."""
    arch = platform.machine()
    if arch not in BLOCKED:
        return f"syscalls: no filter for this architecture ({arch})"
    code = _bpf(arch)
    insns = (_Insn * len(code))(*[_Insn(*c) for c in code])
    program = _Prog(len(code), insns)
    if _libc.prctl(22, 2, ctypes.byref(program), 0, 0) != 0:   # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
        return f"syscalls: no filter ({os.strerror(ctypes.get_errno())})"
    return ""


def no_huge_pages() -> str:
    """No transparent huge pages for the job and what it forks (see REFUSED_MADVISE); the filter
    keeps it from turning them back on. Returns a note when the kernel refuses."""
    try:
        prctl(PR_SET_THP_DISABLE, 1)
    except OSError as exc:
        return f"memory: huge pages could not be turned off ({exc.strerror})"
    return ""


def use_poll() -> None:
    """Selectors made from now on poll instead of using epoll, which the filter refuses: asyncio's
    event loop (``asyncio.run``) and anything else built on ``selectors.DefaultSelector`` work
    as before. The job may change it back; it then only fails itself."""
    import selectors
    if hasattr(selectors, "PollSelector"):
        selectors.DefaultSelector = selectors.PollSelector


def quiet_signals() -> None:
    """Back to default handlers with no timers: nothing the cell set up fires during the probe."""
    signal.alarm(0)
    for timer in (signal.ITIMER_REAL, signal.ITIMER_VIRTUAL, signal.ITIMER_PROF):
        signal.setitimer(timer, 0)
    for sig in signal.valid_signals():
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:      # Python's own choice for SIGPIPE (an exception, not death); a too-large write fails
            signal.signal(sig, signal.SIG_IGN if sig in (signal.SIGPIPE, signal.SIGXFSZ) else signal.SIG_DFL)
        except (OSError, ValueError):
            pass
