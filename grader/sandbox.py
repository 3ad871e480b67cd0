"""Limits applied inside a forked child before any student code runs.

Each mechanism is tried and, where the OS refuses it, recorded as a note that ends up in the
report ("network: not isolated ...") instead of failing the grade. Memory and wall time are
enforced from outside by the engine (RLIMIT_AS breaks PyTorch's virtual reservations), so
they are not here.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import io
import os
import resource
import signal
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REC = 0x4000
MS_PRIVATE = 1 << 18

_libc = None


def _c():
    global _libc  # a cached handle to libc, not program state
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc


def _unshare(flags: int) -> None:
    if _c().unshare(flags) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    res = _c().mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                     ctypes.c_ulong(flags), data.encode() if data else None)
    if res != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


CLONE_NEWUSER = 0x10000000


def enter_user_namespace() -> str:
    """Without root, a user namespace of our own (where the kernel allows unprivileged ones)
    gives the worker the right to make network, mount and PID namespaces for its jobs. Must run
    while the process has one thread, so the worker calls it before importing torch."""
    if os.geteuid() == 0:
        return ""
    uid, gid = os.getuid(), os.getgid()
    try:
        _unshare(CLONE_NEWUSER)
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
        return ""
    except OSError as exc:
        return f"namespaces: no user namespace for an unprivileged grader ({exc.strerror})"


def isolate_network() -> str:
    try:
        _unshare(CLONE_NEWNET)
        return ""
    except OSError as exc:
        return f"network: not isolated (unshare refused: {exc.strerror})"


MS_REMOUNT = 32
MS_BIND = 4096
MS_NOEXEC = 8


def _mount_points() -> list[tuple[str, int]]:
    """(mount point, flags to keep) for every mount this process sees, outermost first."""
    # Flags a less privileged namespace may not drop when remounting, so they are kept as they are.
    keep = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": 1024,
            "nodiratime": 2048, "relatime": 1 << 21}
    out = []
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            fields = line.split()
            point = fields[4].encode().decode("unicode_escape")
            flags = sum(keep.get(opt, 0) for opt in fields[5].split(","))
            out.append((point, flags))
    return out


def confine_filesystem(workdir: Path, hide: list[str], fresh_proc: bool = False) -> str:
    """A private mount namespace: grader folders covered by empty tmpfs, everything read-only
    except the job's own working folder; with ``fresh_proc`` (the child is in its own PID
    namespace) /proc shows only the job's processes, not the grader's memory or environment."""
    hide = [p for p in hide if p and os.path.isdir(p)]
    try:
        _unshare(CLONE_NEWNS)
        _mount("none", "/", None, MS_REC | MS_PRIVATE)
    except OSError as exc:
        return f"files: grader folders not hidden, file system writable (mount namespace refused: {exc.strerror})"
    try:
        for p in hide:
            _mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
    except OSError as exc:
        return f"files: grader folders not hidden (mount refused: {exc.strerror})"
    try:
        _mount(str(workdir), str(workdir), None, MS_BIND)
        work = os.path.realpath(workdir)
        skipped = 0
        if fresh_proc:
            _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        for point, flags in _mount_points():
            if point == work or point.startswith("/proc"):
                continue
            try:
                _mount("none", point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
            except OSError:
                skipped += 1
        return f"files: {skipped} mount(s) stayed writable" if skipped else ""
    except OSError as exc:
        return f"files: the file system stays writable outside the working folder ({exc.strerror})"


PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
CAP_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> str:
    """Root without capabilities: it can no longer unmount what hides the answer key, leave its
    cgroup, remount file systems or trace other processes, and exec cannot give them back."""
    libc = _c()
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0) != 0:
            if ctypes.get_errno() == 22:   # EINVAL: past the last capability this kernel knows
                break
            return f"privileges: capabilities kept ({os.strerror(ctypes.get_errno())})"
    libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), 0, 0, 0)
    header, data = _CapHeader(CAP_VERSION_3, 0), (_CapData * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        return f"privileges: capabilities kept ({os.strerror(ctypes.get_errno())})"
    return ""


def drop_privileges(uid: int | None, workdir: Path, max_processes: int) -> str:
    """Run as an unprivileged user of our own, which makes RLIMIT_NPROC bound this child alone."""
    if os.geteuid() != 0:
        return ""   # an unprivileged grader: the job has no privileges to drop
    if uid is None:
        return drop_capabilities()
    try:
        os.chown(workdir, uid, uid)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        resource.setrlimit(resource.RLIMIT_NPROC, (max_processes, max_processes))
        return ""
    except OSError as exc:
        return f"processes: could not switch user ({exc.strerror}); limited by the monitor only"


PIDS_ROOT = Path("/sys/fs/cgroup/pids")


def make_pids_cgroup(name: str, max_processes: int) -> str | None:
    """A pids cgroup (v1 or v2) in which the kernel itself caps processes: a fork bomb stops there."""
    for root in (PIDS_ROOT, Path("/sys/fs/cgroup")):
        try:
            if not (root / "cgroup.procs").exists():
                continue
            path = root / name
            path.mkdir(exist_ok=True)
            (path / "pids.max").write_text(str(max_processes))
            return str(path)
        except OSError:
            continue
    return None


def cgroup_members(path: str) -> list[int]:
    try:
        return [int(x) for x in Path(path, "cgroup.procs").read_text().split()]
    except OSError:
        return []


def empty_cgroup(path: str) -> None:
    """Kill whatever a job left in its cgroup (daemons that escaped the process group)."""
    for _ in range(50):
        members = cgroup_members(path)
        if not members:
            return
        for pid in members:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def remove_cgroup(path: str | None) -> None:
    if path:
        empty_cgroup(path)
        try:
            os.rmdir(path)
        except OSError:
            pass


def uid_can_run_python(uid: int) -> bool:
    """A private uid is only usable if it can still read the interpreter's library files."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            with open(os.__file__, "rb"):
                pass
            os._exit(0)
        except BaseException:  # noqa: BLE001
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def apply_limits(*, workdir: Path, uid: int | None, hide: list[str], file_size_mb: int,
                 max_processes: int, cgroup: str | None = None, pid_namespace: bool = False) -> list[str]:
    """Apply every limit we can; return notes for the ones the OS refused."""
    os.setsid()  # own process group: the engine kills the whole tree with one killpg
    pid_note = ""
    if cgroup:
        try:
            Path(cgroup, "cgroup.procs").write_text(str(os.getpid()))
        except OSError as exc:
            cgroup = None
            pid_note = f"processes: cgroup refused ({exc.strerror})"
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    size = file_size_mb * 2**20
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails instead of killing
    notes = [isolate_network(), confine_filesystem(workdir, hide, fresh_proc=pid_namespace), pid_note]
    notes.append(drop_privileges(uid, workdir, max_processes))
    if not cgroup and uid is None:
        # RLIMIT_NPROC would count the TA's own processes too; the monitor counts the job's tree.
        notes.append("processes: limited by the grader's monitor only (no pids cgroup, no private user id)")
    if not pid_namespace:
        notes.append("processes: the job can see (and, with the same user id, signal) the grader's processes "
                     "(no PID namespace)")
    os.chdir(workdir)
    os.environ["HOME"] = str(workdir)
    os.environ["TMPDIR"] = str(workdir)
    import tempfile
    tempfile.tempdir = str(workdir)   # the warm parent already cached /tmp
    os.environ["MPLCONFIGDIR"] = str(workdir)
    return [n for n in notes if n]


class CappedWriter(io.TextIOBase):
    """stdout/stderr stand-in that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, s) -> int:
        s = str(s)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(s[:room])
            self.kept += min(len(s), room)
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def text(self) -> str:
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n[... output cut: {self.dropped} more characters not kept]"
        return out
