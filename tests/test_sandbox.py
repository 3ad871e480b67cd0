"""The sandbox, tested as a job's attempts to reach past it (issue "a forged reply must cost as much as
a correct solution", point 2, an allowlist view of the machine, and what the sandbox must keep from one
job to the next): each test runs cells as jobs on a warm engine and asserts what they could not do.
The attacks that go through a whole graded batch are in test_integrity.py.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from grader.engines import CellJob
from grader.notebook import NotebookError, load_notebook

from . import attacks
from .conftest import ROOT

pytestmark = pytest.mark.slow


def test_escape_attempts_fail_and_the_next_job_is_clean(engine, data_home):
    jobs = [CellJob(k, v.format(data=str(data_home))) for k, v in attacks.ESCAPES.items()]
    workers = [w.proc.pid for w in engine.workers]
    outs = {o.cell_id: o for o in engine.run(jobs)}
    assert [w.proc.pid for w in engine.workers] == workers      # the worker survived every attempt
    assert outs["worker-memory"].status == "error", outs["worker-memory"]
    assert outs["ptrace"].status == "error"
    assert outs["become-root"].status == "error"
    assert outs["new-user-namespace"].status == "error"
    assert outs["write-data"].status == "error"
    assert outs["network"].status == "error"
    assert outs["linger"].ok
    assert outs["keyring"].status == "error" and "1" in outs["keyring"].error     # EPERM
    after, = engine.run([CellJob("after", "import os\nassert len(os.listdir('/proc/self/task')) == 1\n"
                                          "assert [p for p in os.listdir('/proc') if p.isdigit()] == [str(os.getpid())], "
                                          "os.listdir('/proc')\n"
                                          # what the view binds below /tmp (a checkout there) is no leftover
                                          "assert not [f for f in os.listdir('.') if not f.startswith('.') "
                                          "and not os.path.ismount('/tmp/' + f)]")])
    assert after.ok, after.error
    assert [w.proc.pid for w in engine.workers] == workers


PAGE_CACHE = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
path = os.path.dirname(os.__file__) + "/os.py"
fd = os.open(path, os.O_RDONLY)
refused = []
try:
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
except OSError as exc:
    refused.append(("fadvise", exc.errno))
try:
    os.preadv(fd, [bytearray(1)], 0, os.RWF_NOWAIT)
except OSError as exc:
    refused.append(("preadv2", exc.errno))
buf = ctypes.create_string_buffer(1)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
page = libc.mmap(None, 4096, 1, 2, fd, 0)   # PROT_READ, MAP_PRIVATE
if libc.mincore(ctypes.c_void_p(page), 4096, buf) != 0:
    refused.append(("mincore", ctypes.get_errno()))
if libc.madvise(ctypes.c_void_p(page), 4096, 21) != 0:
    refused.append(("madvise-pageout", ctypes.get_errno()))
if libc.madvise(ctypes.c_void_p(page), 4096, 4) != 0:      # MADV_DONTNEED stays allowed
    refused.append(("madvise-dontneed", ctypes.get_errno()))
print(refused)
"""


def test_the_page_cache_of_shared_files_can_be_neither_steered_nor_read(engine):
    # A second review relayed a classmate's results between jobs through the page cache of large
    # library files (evicted by fadvise, read back with RWF_NOWAIT): those calls are refused.
    out, = engine.run([CellJob("cache", PAGE_CACHE)])
    assert out.ok, out.error
    assert out.output.strip() == ("[('fadvise', 1), ('preadv2', 1), ('mincore', 1), ('madvise-pageout', 1)]"), out.output


def test_a_job_sees_only_what_it_needs(engine, spec, data_home):
    # What the view may hold at its top: the synthetic system folders and the first folder of
    # every path it mounts on purpose (Python's folders, the grader package's own folder), which
    # depends on where the checkout and Python live (/work, /home, a CI runner's /check, ...).
    from grader.child.sandbox import python_folders
    import grader
    mounted = [*python_folders(), os.path.dirname(grader.__file__)]
    allowed = {"dev", "etc", "job", "proc", "tmp", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr"}
    allowed |= {Path(p).parts[1] for p in mounted if len(Path(p).parts) > 1}
    code = ("import os, sys\nseen = sorted(os.listdir('/'))\n"
            f"assert not os.path.exists({str(spec.root)!r})\n"
            f"assert not os.path.exists({str(ROOT / '.git')!r})\n"
            f"assert not os.path.exists({str(ROOT / 'tests')!r})\n"
            "assert not os.path.exists('/etc/shadow')\n"
            f"assert not os.path.exists({str(data_home)!r})\n"
            f"assert set(seen) <= set({sorted(allowed)!r}), seen\n"
            "import grader\nassert sorted(os.listdir(os.path.dirname(grader.__file__))) == ['__init__.py', 'child']\n"
            "assert os.getuid() != 0 or open('/proc/self/uid_map').read().split()[1] != '0'\n"
            "assert open('/proc/self/status').read().split('CapEff:')[1].split()[0] == '0000000000000000'\n")
    out, = engine.run([CellJob("view", code)])
    assert out.ok, out.error
    notes = engine.notes
    assert not [n for n in notes if n.startswith(("files", "processes: no PID"))], notes


HOST_UID = ("import os, time\n"
            "rows = [[int(v) for v in line.split()] for line in open('/proc/self/uid_map')]\n"
            "me = os.getuid()\n"
            "print([outer + me - inner for inner, outer, n in rows if inner <= me < inner + n][0])\n"
            "time.sleep(1)\n")


def test_concurrent_jobs_are_users_of_their_own_never_the_graders(spec, data_home):
    # Per-user kernel counts (processes, inotify instances, pipe buffers, ...) would link two
    # classmates' jobs that run at the same time, or a job and the grader, were they one user. As
    # root every worker's jobs take a private uid; without root, a subordinate id of the grader's
    # (/etc/subuid and newuidmap), else the grader's own uid, which the grader then says.
    from grader.engines import make_engine
    from grader.pipeline import engine_setup
    from concurrent.futures import ThreadPoolExecutor
    eng = make_engine("fork", engine_setup(spec, data_home, jobs=2))
    eng.start()
    try:
        shared = [n for n in eng.notes if n.startswith("privileges: jobs run as the grader's own uid")]
        if shared:
            if os.environ.get("GRADER_REQUIRE_PRIVATE_UIDS"):
                pytest.fail(f"no private uids for jobs: {shared[0]}")
            pytest.skip(shared[0])
        with ThreadPoolExecutor(2) as pool:
            outs = [out for outs in pool.map(eng.run, [[CellJob("uid", HOST_UID)]] * 2) for out in outs]
    finally:
        eng.close()
    assert all(o.ok for o in outs), [o.error for o in outs]
    uids = {int(o.output.strip()) for o in outs}
    assert len(uids) == 2 and os.getuid() not in uids and 0 not in uids, (uids, os.getuid())


def test_the_view_holds_python_and_never_the_checkout():
    from grader.child.sandbox import python_folders
    folders = python_folders()
    real = os.path.realpath
    assert real(sys.base_prefix) in folders
    for f in folders:
        assert not (real(str(ROOT)) + "/").startswith(f + "/"), f     # no folder above the checkout
        assert not f.startswith(real(str(ROOT)) + "/") or "site-packages" in f, f


def test_nothing_a_job_leaves_reaches_the_next_job(engine):
    """Keyrings, files, shared memory and a lingering server: the next job (another student's
    cell on the same worker) finds none of them."""
    import platform
    nr = {"x86_64": (248, 249, 250), "aarch64": (217, 218, 219)}[platform.machine()]
    stash, find = engine.run([CellJob("stash", attacks.STASH.format(add_key=nr[0])),
                              CellJob("find", attacks.FIND_STASH.format(request_key=nr[1], keyctl=nr[2]))])
    assert stash.ok, stash.error
    assert find.ok, find.error


WORKER_FRAMES = """
import sys
found, f = [], sys._getframe().f_back
while f is not None:
    for name, value in list(f.f_locals.items()):
        if isinstance(value, int) and not isinstance(value, bool) and value in (173, 5):
            found.append((f.f_code.co_name, name, value))
    f = f.f_back
print(found)
"""


def test_how_a_job_ended_is_not_in_the_frames_the_next_job_inherits(engine):
    """A third review read the previous job's exit code and leftover count from the worker's
    frames (the next job is forked inside them) and relayed a hidden seed from one cell to the
    next: a job ending with exit code 173 and 5 leftover processes leaves neither value there."""
    ended, reader = engine.run([
        CellJob("end", "import os, time\nfor _ in range(5):\n    if os.fork() == 0:\n        time.sleep(60)\n"
                       "os._exit(173)"),
        CellJob("read", WORKER_FRAMES)])
    assert "exit code 173" in ended.error
    assert reader.ok, reader.error
    assert reader.output.strip() == "[]", reader.output


MLOCK_COUNTER = """
import ctypes, mmap
libc = ctypes.CDLL(None, use_errno=True)
m = mmap.mmap(-1, 4096 * 16, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
buf = (ctypes.c_char * len(m)).from_buffer(m)
if libc.mlock(ctypes.c_void_p(ctypes.addressof(buf)), ctypes.c_size_t(4096 * 16)) != 0:
    raise PermissionError(ctypes.get_errno(), "mlock refused")
print("locked")
"""

READ_COUNTERS = """
import os, socket
seen = [p for p in ("vmstat", "stat", "meminfo", "loadavg", "zoneinfo", "interrupts", "softirqs", "schedstat",
                    "diskstats", "pressure", "sys/kernel", "sys/fs", "uptime", "1/stat")
        if os.path.exists("/proc/" + p)]
refused = []
for family in (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK):
    try:
        socket.socket(family, socket.SOCK_DGRAM).close()
    except OSError as exc:
        if "unreachable" in str(exc):
            refused.append(family)
try:                                       # a pidfd's inode number counts every process ever started
    os.pidfd_open(os.getpid())
except PermissionError:
    refused.append("pidfd")
a, b = socket.socketpair()                 # Unix sockets still work (DataLoader workers use them)
a.send(b"x")
assert b.recv(1) == b"x"
assert a.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_STREAM
try:                                       # a socket's cookie: a quiet machine-wide counter
    a.getsockopt(socket.SOL_SOCKET, 57, 8)
except PermissionError:
    refused.append("cookie")
for how in ("get", "set"):                 # a peer's pidfd (SO_PEERPIDFD, SO_PASSPIDFD)
    try:
        a.getsockopt(socket.SOL_SOCKET, 77) if how == "get" else a.setsockopt(socket.SOL_SOCKET, 76, 1)
    except PermissionError:
        refused.append("peer-pidfd-" + how)
child = os.fork()                          # a new session: a new autogroup, numbered machine-wide
if child == 0:
    try:
        os.setsid()
        os._exit(0)
    except PermissionError:
        os._exit(3)
if os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 3:
    refused.append("setsid")
print(seen, len(refused), sorted(os.listdir("/proc/self"))[:3])
"""


def test_machine_wide_counters_are_out_of_a_jobs_reach(engine):
    """A fifth review relayed a whole hidden seed from a hidden run to a later public run (the
    same student's second notebook, or a regrade): the hidden run locked and unlocked memory until
    the machine's count of ever-locked pages (/proc/vmstat, kept until reboot) ended in the seed's
    digits, and the public run put that count into its message. Locking memory is refused, and a
    job's /proc holds processes only: no vmstat, stat, meminfo, loadavg or sys/, and not the
    worker. Sockets other than Unix ones are refused (even a failed send moves the worker's
    network counters), and so are process file descriptors (their inode numbers count every
    process the machine ever started). A sixth review relayed the whole hidden seed, and the
    hidden lr, momentum and epochs, through socket cookies (a machine-wide counter that moves only
    when a cookie is asked for): asking for one is refused. A seventh did the same through the
    number of the scheduler's autogroups (one per new session, shown in /proc/self/autogroup):
    a new session is refused. An eighth got a pidfd after all, as a socket peer's
    (SO_PEERPIDFD, SO_PASSPIDFD): refused too."""
    locker, reader = engine.run([CellJob("lock", MLOCK_COUNTER), CellJob("read", READ_COUNTERS)])
    assert locker.status == "error" and "mlock refused" in locker.error, locker
    assert reader.ok, reader.error
    assert reader.output.split("\n")[0].startswith("[] 8 "), reader.output


WATCH_AND_LOCK = """
import ctypes, errno, fcntl, os, struct
libc = ctypes.CDLL(None, use_errno=True)
lib = os.__file__                           # a file every job reads
fd = os.open(lib, os.O_RDONLY)
def tried(call):
    try:
        call()
        return "allowed"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))
ino = libc.inotify_init1(0)
print("inotify", "allowed" if ino >= 0 else errno.errorcode[ctypes.get_errno()])
print("flock", tried(lambda: fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)))
print("posix lock", tried(lambda: fcntl.fcntl(fd, fcntl.F_SETLK, struct.pack("hhqqi", fcntl.F_RDLCK, 0, 0, 0, 0))))
print("who holds", tried(lambda: fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0))))
dfd = os.open(os.path.dirname(lib), os.O_RDONLY)
print("dnotify", tried(lambda: fcntl.fcntl(dfd, 1026, 0x80000001)))
print("descriptor flags", tried(lambda: fcntl.fcntl(fd, fcntl.F_SETFD, fcntl.FD_CLOEXEC)))
r, w = os.pipe()
print("pipe resize", tried(lambda: fcntl.fcntl(w, 1031, 1 << 20)))       # F_SETPIPE_SZ
"""


def test_a_job_cannot_watch_or_lock_the_files_other_jobs_read(engine):
    """A tenth review ran two colluding students' jobs at the same time on two workers: one
    watched a library file with inotify, the other opened it so many times in its hidden run,
    and the first printed the count: the hidden seed's last digits, exactly. Watching files
    (inotify, fanotify, dnotify) and locking them (a held lock, or F_GETLK's answer, is seen by
    every other job) are refused; a job's other uses of fcntl are not. Nor may a pipe grow past the
    64 KB the grader charges it (F_SETPIPE_SZ)."""
    out = engine.run([CellJob("watch", WATCH_AND_LOCK)])[0]
    assert out.ok, out.error
    assert " ".join(out.output.split()) == ("inotify EPERM flock EPERM posix lock EPERM who holds EPERM "
                                           "dnotify EPERM descriptor flags allowed pipe resize EPERM"), out.output


LEAVE_IN_IPC = """
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
def said(res):
    return "allowed" if res >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
q = libc.msgget(0x5EED, 0o1666)                          # IPC_CREAT | 0666
class Msg(ctypes.Structure):
    _fields_ = [("mtype", ctypes.c_long), ("mtext", ctypes.c_char * 16)]
sent = libc.msgsnd(q, ctypes.byref(Msg(1, b"20240611")), 16, 0) if q >= 0 else -1
print("msgget", said(q), "shmget", said(libc.shmget(0x5EED, 4096, 0o1666)),
      "semget", said(libc.semget(0x5EED, 1, 0o1666)))
libc.mq_open.restype = ctypes.c_int
print("mq_open", said(libc.mq_open(b"/seed20240611", 0o102, 0o666, None)))   # O_RDWR | O_CREAT
info = ctypes.create_string_buffer(256)
print("sysinfo", said(libc.sysinfo(info)), "syslog", said(libc.klogctl(10, None, 0)),
      "eventfd", said(libc.eventfd(0, 0)))
ctx = ctypes.c_ulong(0)
print("io_setup", said(libc.syscall({"x86_64": 206, "aarch64": 0}[__import__("platform").machine()], 128,
                                    ctypes.byref(ctx))))
page = ctypes.create_string_buffer(8192)
iov = (ctypes.c_void_p * 2)(ctypes.addressof(page), 4096)
print("process_madvise", said(libc.syscall(440, -10000, iov, 1, 21, 0)))     # PIDFD_SELF, MADV_PAGEOUT
"""

READ_FROM_IPC = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
q = libc.msgget(0x5EED, 0)
buf = ctypes.create_string_buffer(32)
got = libc.msgrcv(q, buf, 16, 0, 0o4000) if q >= 0 else -1     # IPC_NOWAIT
print("found" if q >= 0 or libc.shmget(0x5EED, 0, 0) >= 0 or libc.mq_open(b"/seed20240611", 0) >= 0
      else "nothing", buf.raw[8:16] if got > 0 else b"")
"""


def test_a_job_leaves_nothing_in_ipc_objects_and_reads_no_machine_wide_figures(engine):
    """An eighty-ninth review relayed a whole hidden seed between two colluding classmates'
    jobs graded at the same time: the hidden run held so many megabytes in its job folder, and the
    public run on the other worker read the machine's shared memory (tmpfs pages) from sysinfo(),
    which also tells free memory, buffers, process count and load. sysinfo is refused, and so is
    the kernel log (syslog). A ninety-first review did the same with the numbers of eventfds (the
    smallest free of the whole machine, shown in /proc/self/fdinfo), a ninety-second with the
    machine's count of reserved asynchronous I/O events (io_setup): both refused. System V message queues, shared memory and semaphores and POSIX
    message queues outlive the process that made them: each job has an IPC namespace of its own,
    and what it made there is gone for the next job. Since the hundred-and-first review, System V
    shared memory and message queues are refused (memory of no process); POSIX message queues were
    held to no bytes per user, and are refused since the filter allows only what jobs need."""
    leave, read = engine.run([CellJob("leave", LEAVE_IN_IPC), CellJob("read", READ_FROM_IPC)])
    assert leave.ok and read.ok, (leave.error, read.error)
    assert " ".join(leave.output.split()) == ("msgget EPERM shmget EPERM semget EPERM mq_open ENOSYS "
                                             "sysinfo EPERM syslog EPERM eventfd EPERM io_setup EPERM "
                                             "process_madvise EPERM"), leave.output
    assert read.output.strip() == "nothing b''", read.output


EPOLL_AND_ASYNCIO = """
import asyncio, ctypes, errno, select
libc = ctypes.CDLL(None, use_errno=True)
def said(res):
    return "allowed" if res >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
try:
    select.epoll()
    print("epoll allowed")
except OSError as exc:
    print("epoll", errno.errorcode.get(exc.errno))
print("epoll_create", said(libc.epoll_create(1)), "epoll_ctl", said(libc.epoll_ctl(-1, 1, -1, None)))
async def main():
    await asyncio.sleep(0.01)
    return 42
print("asyncio", asyncio.run(main()))
import os, shutil
open("/tmp/a.txt", "w").write("a")
try:
    os.setxattr("/tmp/a.txt", "user.note", b"1")
    print("setxattr allowed")
except OSError as exc:
    print("setxattr", errno.errorcode.get(exc.errno))
shutil.copy2("/tmp/a.txt", "/tmp/b.txt")               # copies skip attributes they may not set
print("copy2", open("/tmp/b.txt").read())
"""


def test_a_job_makes_no_epoll_instance_nor_attribute_and_asyncio_and_copies_still_run(engine):
    """Epoll watches are kernel memory that no count of a job's memory sees without a cgroup (a
    hundred-and-thirteenth review held 1 GB of them on top of the memory cap), so a job may not
    make an epoll instance nor change one. asyncio, which would use epoll, runs on poll. Nor may it
    set an extended attribute (a POSIX ACL on tmpfs is kernel memory too); shutil's copies work."""
    out = engine.run([CellJob("epoll", EPOLL_AND_ASYNCIO)])[0]
    assert out.ok, out.error
    assert " ".join(out.output.split()) == ("epoll EPERM epoll_create EPERM epoll_ctl EPERM asyncio 42 "
                                           "setxattr EPERM copy2 a"), out.output


NEWER_CALLS = """
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def said(nr, *args):
    res = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    return "allowed" if res >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
print("statmount", said(457, 0, 0, 0, 0), "listmount", said(458, 0, 0, 0, 0), "mseal", said(462, 0, 0, 0),
      "unnumbered", said(999, 0))
print("landlock", said(444, 0, 0, 1))        # LANDLOCK_CREATE_RULESET_VERSION: the ABI, where allowed
SECCOMP = {"x86_64": 317, "aarch64": 277}[__import__("platform").machine()]
print("seccomp", said(SECCOMP, 1, 0, 0))     # SECCOMP_SET_MODE_FILTER without a program: EFAULT where allowed
print("prctl seccomp", said(157 if SECCOMP == 317 else 167, 22, 2, 0), "prctl name", said(157 if SECCOMP == 317 else 167, 16, 0))
import socket, struct
a, b = socket.socketpair()
ret_all = struct.pack("HBBI", 0x06, 0, 0, 0xFFFF)                 # one instruction: return the whole packet
prog = ctypes.create_string_buffer(ret_all)
fprog = struct.pack("HL", 1, ctypes.addressof(prog))
def sockopt(opt, value):
    try:
        a.setsockopt(socket.SOL_SOCKET, opt, value)
        return "allowed"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, "?")
print("socket filter", sockopt(26, fprog), "keepalive", sockopt(socket.SO_KEEPALIVE, 1))
"""


def test_system_calls_newer_than_the_filter_are_refused(engine):
    """The filter refuses calls one by one, as reviews found them; a call a newer kernel adds
    (statmount and listmount list the machine's mounts, mseal, ...) is refused by default
    (ENOSYS, what a kernel without it answers, so the C library falls back). Landlock's domains are
    kernel memory pinned by files (a hundred-and-twenty-first review held 4.6 GB so): refused; so
    are filters of the job's own (a hundred-and-twenty-third held 4 GB in chains kept by listener
    descriptors), while prctl's other options work."""
    out = engine.run([CellJob("newer", NEWER_CALLS)])[0]
    assert out.ok, out.error
    assert " ".join(out.output.split()) == ("statmount ENOSYS listmount ENOSYS mseal ENOSYS "
                                           "unnumbered ENOSYS landlock EPERM seccomp EPERM prctl seccomp EPERM "
                                           "prctl name EFAULT socket filter EPERM keepalive allowed"), out.output


# Calls no honest job makes and no filter rule named (they were allowed before the filter became a
# list of what jobs need): POSIX timers, message queues and signalfd keep kernel objects alive,
# sync and membarrier reach the whole machine, kcmp compares other processes' files.
UNLISTED = {"timerfd_create": (283, 85), "timer_create": (222, 107), "mq_open": (240, 180), "sync": (162, 81),
            "membarrier": (324, 283), "kcmp": (312, 272), "personality": (135, 92), "signalfd4": (289, 74),
            "name_to_handle_at": (303, 264), "msgsnd": (69, 189), "ioprio_set": (251, 30)}
CALLS_OUTSIDE_THE_LIST = """
import ctypes, errno, platform
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
col = 0 if platform.machine() == "x86_64" else 1
def said(nr, *args):
    res = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    return "allowed" if res >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
for name, nrs in %r.items():
    print(name, said(nrs[col], 0, 0, 0, 0) if name != "personality" else said(nrs[col], 0xFFFFFFFF))
print("sysinfo", said((99, 179)[col], 0), "getppid", said((110, 173)[col]))
import fcntl, os
def ioctl(fd, request, arg):
    try:
        fcntl.ioctl(fd, request, arg)
        return "allowed"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, "?")
r, w = os.pipe()
os.write(w, b"abc")
open("/tmp/f", "w").close()
print("fionread", ioctl(r, 0x541B, bytes(4)),                              # what Python asks of a file
      "getflags", ioctl(os.open("/tmp/f", os.O_RDONLY), 0x80086601, bytes(8)),  # FS_IOC_GETFLAGS
      "ns_get_userns", ioctl(os.open("/proc/self/ns/mnt", os.O_RDONLY), 0xB701, 0))
""" % (UNLISTED,)
# prctl options: PR_FUTEX_HASH (a hundred-and-thirty-first review reserved 1 GB of vmalloc space a
# process, seen by no count), PR_SET_MEMORY_MERGE, PR_SET_VMA (a name for an anonymous range, kernel
# memory); PR_SET_PDEATHSIG, which DataLoader workers set, works.
PRCTL_OPTIONS = """
import ctypes, errno, platform
libc = ctypes.CDLL(None, use_errno=True)
def said(*args):
    res = libc.prctl(*[ctypes.c_ulong(a) for a in args])
    return "allowed" if res >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
print("futex_hash", said(78, 1, 1 << 20, 0, 0), "memory_merge", said(67, 1, 0, 0, 0),
      "set_vma", said(0x53564D41, 0, 0, 0, 0), "pdeathsig", said(1, 0, 0, 0, 0))
"""
# A hundred-and-thirty-second review faulted in 2 MB huge pages and unmapped all but 4 KB of each:
# the kernel keeps the whole page until memory runs short, and the process shows 4 KB (2 GB held,
# some 4 MB counted, at 50/50). Here: is a huge page given, can the job ask for one or turn them on?
HUGE_PAGES = """
import ctypes, errno, mmap
libc = ctypes.CDLL(None, use_errno=True)
libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
H = 2 << 20
buf = mmap.mmap(-1, 8 * H, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
start = ctypes.addressof(ctypes.c_char.from_buffer(buf))
aligned = (start + H - 1) & ~(H - 1)
asked = "allowed" if libc.madvise(aligned, 4 * H, 14) == 0 else errno.errorcode.get(ctypes.get_errno(), "?")
def huge_kb():      # the warm worker's own huge pages, shared since the fork, are in it too
    return int([line.split()[1] for line in open("/proc/self/smaps_rollup") if line.startswith("AnonHugePages:")][0])
before = huge_kb()
for i in range(4):
    ctypes.memset(aligned + i * H, 1, H)
huge = max(0, huge_kb() - before)     # a COW of an inherited one splits it: fewer
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
print("madvise_hugepage", asked, "anon_huge_kb", huge, "thp_disabled", libc.prctl(42, 0, 0, 0, 0),
      "turn_on", "allowed" if libc.prctl(41, 0, 0, 0, 0) == 0 else errno.errorcode.get(ctypes.get_errno(), "?"))
"""
# Honest code of the kinds the list was traced from, in one job.
HONEST_KINDS = """
import asyncio, concurrent.futures, io, multiprocessing as mp, os, resource, shutil, subprocess, sys, tempfile
import torch
from torch.utils.data import DataLoader, TensorDataset
loader = DataLoader(TensorDataset(torch.randn(64, 4), torch.zeros(64)), batch_size=16, num_workers=2)
print("loader", sum(len(x) for x, _ in loader))
with mp.get_context("fork").Pool(2) as pool:
    print("pool", sum(pool.map(abs, range(-4, 4))))
print("subprocess", subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True, text=True).stdout.strip())
with concurrent.futures.ThreadPoolExecutor(3) as ex:
    print("threads", sum(ex.map(lambda i: i * i, range(5))))
async def main():
    return sum(await asyncio.gather(*(asyncio.sleep(0.001, result=i) for i in range(4))))
print("asyncio", asyncio.run(main()))
d = tempfile.mkdtemp()
with open(os.path.join(d, "a.txt"), "w") as fh:
    fh.write("x" * 100_000)
    fh.flush()
    os.fsync(fh.fileno())
shutil.copytree(d, d + "-copy")
os.setpriority(os.PRIO_PROCESS, 0, 5)
buf = io.BytesIO()
torch.save(torch.nn.Linear(3, 2).state_dict(), buf)
print("files", os.path.getsize(os.path.join(d + "-copy", "a.txt")), os.statvfs(d).f_bsize > 0,
      resource.getrlimit(resource.RLIMIT_NOFILE)[0] > 0, len(buf.getvalue()) > 0)
"""


def test_only_the_calls_jobs_need_are_allowed(engine):
    """Every call outside the list of what jobs need is refused (ENOSYS: the C library falls back
    where it can), also those no review has named, and so is every ioctl but what Python asks of a
    file (ENOTTY) and every prctl option but what libraries ask for (EINVAL); honest code of every kind the list was traced from runs as before."""
    out = engine.run([CellJob("outside", CALLS_OUTSIDE_THE_LIST), CellJob("honest", HONEST_KINDS),
                      CellJob("prctl", PRCTL_OPTIONS), CellJob("huge", HUGE_PAGES)])
    assert out[0].ok, out[0].error
    words = out[0].output.split()
    said = dict(zip(words[::2], words[1::2]))
    assert said == {**{name: "ENOSYS" for name in UNLISTED}, "sysinfo": "EPERM", "getppid": "allowed",
                    "fionread": "allowed", "getflags": "ENOTTY", "ns_get_userns": "ENOTTY"}, said
    assert out[2].ok and out[2].output.split() == ["futex_hash", "EINVAL", "memory_merge", "EINVAL", "set_vma",
                                                   "EINVAL", "pdeathsig", "allowed"], (out[2].error, out[2].output)
    assert out[3].ok and out[3].output.split() == ["madvise_hugepage", "EPERM", "anon_huge_kb", "0", "thp_disabled", "1",
                                                   "turn_on", "EINVAL"], (out[3].error, out[3].output)
    assert out[1].ok, out[1].error
    assert out[1].output.split() == ["loader", "64", "pool", "16", "subprocess", "42", "threads", "30", "asyncio", "6",
                                     "files", "100000", "True", "True", "True"], out[1].output


def test_the_list_of_calls_is_apart_from_the_refused_ones_and_numbered_alike_on_both_architectures():
    from grader.child import sandbox, syscalls
    for column, arch in enumerate(syscalls.ARCHES):
        allowed = set(syscalls.allowed_numbers(arch))
        assert not allowed & set(sandbox.BLOCKED[arch].values())
        looked_into = {sandbox.MADVISE[arch], sandbox.MMAP[arch], sandbox.PRCTL[arch], sandbox.FCNTL[arch],
                       sandbox.FUTEX[arch], sandbox.GETSOCKOPT[arch], sandbox.SETSOCKOPT[arch], sandbox.IOCTL[arch],
                       *sandbox.SOCKET[arch], *sandbox.CLONE[arch], sandbox.CLOSE_RANGE[arch]}
        assert not allowed & looked_into
        assert max(allowed) <= sandbox.NEWEST_KNOWN
        assert not {nrs[column] for nrs in UNLISTED.values()} & allowed
        code = sandbox._bpf(arch)
        assert len(code) < 4096 and all(jt < 256 and jf < 256 for _, jt, jf, _ in code)


MAPPINGS_ALLOWED = """
import errno, mmap, os
def tried(call):
    try:
        call()
        return "allowed"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))
print("shared anonymous", tried(lambda: mmap.mmap(-1, 1 << 20, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)))
print("private anonymous", tried(lambda: mmap.mmap(-1, 1 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)))
print("dev zero", os.path.exists("/dev/zero"))
with open("/tmp/f.bin", "wb") as fh:
    fh.write(bytes(4096))
with open("/tmp/f.bin", "r+b") as fh:
    print("shared file", tried(lambda: mmap.mmap(fh.fileno(), 4096)))
"""


def test_a_job_maps_no_shared_anonymous_memory_but_files_and_private_memory(engine):
    """Shared anonymous memory (MAP_SHARED | MAP_ANONYMOUS, or a shared mapping of /dev/zero) lives
    in a file of the kernel's that no count sees once the mapping drops its pages. Refused, and
    /dev/zero is not in a job's /dev; a file of the job's folder maps shared as before (it counts in
    the folder's size), and private memory maps as always."""
    out = engine.run([CellJob("maps", MAPPINGS_ALLOWED)])[0]
    assert out.ok, out.error
    assert " ".join(out.output.split()) == ("shared anonymous EPERM private anonymous allowed dev zero False "
                                           "shared file allowed"), out.output


SHARED_FUTEX = """
import ctypes, errno, os, platform, time, multiprocessing as mp
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.syscall.restype = ctypes.c_long
NR = {"x86_64": 202, "aarch64": 98}[platform.machine()]
fd = os.open(os.__file__, os.O_RDONLY)                 # a file every job maps: a shared futex key
page = libc.mmap(None, 4096, 1, 1, fd, 0)              # PROT_READ, MAP_SHARED
value = ctypes.c_uint32.from_address(page).value
def said(res):
    return "allowed" if res >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
class TS(ctypes.Structure):
    _fields_ = [("s", ctypes.c_long), ("ns", ctypes.c_long)]
def futex(op, val, timeout=None):
    return libc.syscall(ctypes.c_long(NR), ctypes.c_void_p(page), ctypes.c_int(op), ctypes.c_uint32(val),
                        timeout, ctypes.c_void_p(0), ctypes.c_uint32(0))
t0 = time.monotonic()
wait = futex(0, value, ctypes.byref(TS(0, 200_000_000)))          # FUTEX_WAIT, 0.2 s at most
waited = time.monotonic() - t0
print("shared wait", said(wait), "shared wake", said(futex(1, 1)), "private wake", said(futex(129, 1)),
      "futex_waitv", said(libc.syscall(ctypes.c_long(449), ctypes.c_void_p(0), 0, 0, ctypes.c_void_p(0), 0)),
      "slept", waited > 0.15)
lock = mp.Lock()                                       # shared between the job's own processes
lock.acquire()
def hold(lock):
    with lock:
        pass
child = mp.get_context("fork").Process(target=hold, args=(lock,))
child.start()
time.sleep(0.3)
lock.release()
child.join(10)
print("a lock shared with a child works", child.exitcode == 0)
"""


def test_a_job_cannot_meet_another_jobs_futex_in_a_shared_file(engine):
    """A ninety-fourth review relayed a hidden seed exactly between two workers' jobs: a futex on a
    page of a file every job maps (os.py, libc) is keyed by the file, so one job's waiters were the
    other's to wake, and the wake said how many it woke. A shared futex's wait now returns at once
    and its wake wakes nobody; a lock a job shares with its own child still works (it spins)."""
    out = engine.run([CellJob("futex", SHARED_FUTEX)])[0]
    assert out.ok, out.error
    assert " ".join(out.output.split()) == ("shared wait EAGAIN shared wake EINVAL private wake allowed "
                                           "futex_waitv ENOSYS slept False a lock shared with a child works True"), \
        out.output


LOADER_WORKERS = """
import time
import torch
from torch.utils.data import DataLoader, TensorDataset
data = TensorDataset(torch.arange(64, dtype=torch.float32).reshape(64, 1), torch.zeros(64))
t0 = time.monotonic()
total = sum(float(x.sum()) for x, _ in DataLoader(data, batch_size=8, num_workers=2))
print("loaded with two worker processes", total == float(sum(range(64))), time.monotonic() - t0 < 20)
"""


def test_a_data_loader_with_worker_processes_still_works(engine):
    """Locks and queues a job shares with its own processes (a DataLoader's workers) use shared
    futexes, which jobs no longer sleep on: they spin, and still work."""
    out = engine.run([CellJob("loader", LOADER_WORKERS)])[0]
    assert out.ok, out.error
    assert out.output.split() == ["loaded", "with", "two", "worker", "processes", "True", "True"], out.output


def test_the_next_jobs_pid_does_not_tell_how_many_processes_the_last_one_started(engine):
    """The third review also moved the worker's pid counter (one thread per step) to pass 16 bits
    to the next job through its pid: each job's pid is drawn at random."""
    moved, reader = engine.run([
        CellJob("move", "import os, threading\nprint(os.getpid())\nfor _ in range(40):\n"
                        "    t = threading.Thread(target=lambda: None); t.start(); t.join()"),
        CellJob("read", "import os\nprint(os.getpid())")])
    assert moved.ok and reader.ok, (moved.error, reader.error)
    first, second = int(moved.output.split()[0]), int(reader.output.split()[0])
    assert second not in range(first + 1, first + 60), (first, second)


def test_a_list_bomb_is_refused_before_it_fills_memory(tmp_path, spec):
    path = tmp_path / "Assignment_7_ListBomb_k12345678.ipynb"
    path.write_text('{"nbformat":4,"nbformat_minor":5,"cells":[],"metadata":{"x":[' + ",".join(["[]"] * 10_000_000)
                    + "]}}")
    t0 = time.monotonic()
    with pytest.raises(NotebookError, match="entries"):
        load_notebook(path, spec.notebook_limits)
    assert time.monotonic() - t0 < 1.0


def test_a_tensor_with_an_empty_dimension_counts_its_rows():
    """Shape (4000000, 2, 0) holds no data but eight million rows: refused on the wire."""
    from grader.child.wire import InvalidMessage, _tensor
    with pytest.raises(InvalidMessage):
        _tensor({"__tensor__": "float32", "shape": [4_000_000, 2, 0], "data": ""})
    with pytest.raises(InvalidMessage):
        _tensor({"__tensor__": "float32", "shape": [1] * 9, "data": "AAAAAA=="})
    assert _tensor({"__tensor__": "float32", "shape": [3, 0], "data": ""}).shape == (3, 0)
