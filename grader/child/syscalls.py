"""The system calls a job may make; the filter (``sandbox._bpf``) refuses every other one.

The reviews found their holes, one after another, in calls that honest notebooks never make:
epoll watches, inotify, eventfds, ACLs, Landlock, filters of the job's own, each a record of the
kernel's that no count of a process shows or a counter every job reads. A list of what jobs need
leaves out the calls no review has tried yet. It holds what the jobs made when traced (the
solution and the example submissions, and honest code of other kinds: DataLoader workers,
multiprocessing pools, subprocesses, threads, asyncio, plots, files, torch and pandas I/O), and
the C library's and Python's per-process calls around them (realloc's mremap, sqlite's fsync,
os.setpriority). Calls that read or move something of the whole machine (sync, membarrier,
adjtimex), keep kernel objects alive outside any process (POSIX timers, message queues, System V
IPC, signalfd, timerfd) or need privileges are not in it. A refused call that is not in the
filter's list of reasons (``sandbox.BLOCKED``, EPERM) gets ENOSYS, what a kernel without it
answers, so that the C library and Python fall back where they can.

``tests/test_integrity.py::test_only_the_calls_jobs_need_are_allowed`` checks that the traced
honest code still runs and that a call outside the list is refused.
"""
from __future__ import annotations

# name: (x86-64 number, AArch64 number); None where the architecture has no such call (AArch64
# has only the *at forms, ppoll and pselect6, and clone for fork). Calls the filter looks into
# (mmap, madvise, futex, fcntl, ioctl, prctl, socket, socketpair, getsockopt, setsockopt, clone,
# clone3, close_range) are not listed: sandbox._bpf allows them with their arguments checked.
ALLOWED: dict[str, tuple[int | None, int | None]] = {
    # files
    "read": (0, 63), "write": (1, 64), "readv": (19, 65), "writev": (20, 66), "pread64": (17, 67),
    "pwrite64": (18, 68), "preadv": (295, 69), "pwritev": (296, 70), "lseek": (8, 62), "open": (2, None),
    "openat": (257, 56), "creat": (85, None), "close": (3, 57), "dup": (32, 23),
    "dup2": (33, None), "dup3": (292, 24), "stat": (4, None), "fstat": (5, 80), "lstat": (6, None),
    "newfstatat": (262, 79), "statx": (332, 291), "statfs": (137, 43), "fstatfs": (138, 44), "access": (21, None),
    "faccessat": (269, 48), "faccessat2": (439, 439), "readlink": (89, None), "readlinkat": (267, 78),
    "getdents": (78, None), "getdents64": (217, 61), "getcwd": (79, 17), "chdir": (80, 49), "fchdir": (81, 50),
    "mkdir": (83, None), "mkdirat": (258, 34), "rmdir": (84, None), "rename": (82, None), "renameat": (264, 38),
    "renameat2": (316, 276), "link": (86, None), "linkat": (265, 37), "unlink": (87, None), "unlinkat": (263, 35),
    "symlink": (88, None), "symlinkat": (266, 36), "chmod": (90, None), "fchmod": (91, 52), "fchmodat": (268, 53),
    "fchmodat2": (452, 452), "chown": (92, None), "fchown": (93, 55), "lchown": (94, None), "fchownat": (260, 54),
    "umask": (95, 166), "truncate": (76, 45), "ftruncate": (77, 46), "fallocate": (285, 47), "fsync": (74, 82),
    "fdatasync": (75, 83), "utime": (132, None), "utimes": (235, None), "futimesat": (261, None),
    "utimensat": (280, 88), "getxattr": (191, 8), "lgetxattr": (192, 9), "fgetxattr": (193, 10),
    "listxattr": (194, 11), "llistxattr": (195, 12), "flistxattr": (196, 13), "copy_file_range": (326, 285),
    "pipe": (22, None), "pipe2": (293, 59), "poll": (7, None), "ppoll": (271, 73),
    "select": (23, None), "pselect6": (270, 72),
    # memory
    "brk": (12, 214), "mprotect": (10, 226), "munmap": (11, 215), "mremap": (25, 216), "msync": (26, 227),
    "mbind": (237, 235), "get_mempolicy": (239, 236), "set_mempolicy": (238, 237),
    # processes
    "execve": (59, 221), "execveat": (322, 281), "fork": (57, None), "vfork": (58, None), "exit": (60, 93),
    "exit_group": (231, 94), "wait4": (61, 260), "waitid": (247, 95), "kill": (62, 129), "tkill": (200, 130),
    "tgkill": (234, 131), "getpid": (39, 172), "getppid": (110, 173), "gettid": (186, 178), "getpgrp": (111, None),
    "getpgid": (121, 155), "setpgid": (109, 154), "getsid": (124, 156), "getuid": (102, 174),
    "geteuid": (107, 175), "getgid": (104, 176), "getegid": (108, 177), "getgroups": (115, 158),
    "getresuid": (118, 148), "getresgid": (120, 150), "capget": (125, 90), "uname": (63, 160),
    "set_tid_address": (218, 96), "set_robust_list": (273, 99), "get_robust_list": (274, 100), "rseq": (334, 293),
    "arch_prctl": (158, None), "prlimit64": (302, 261), "getrlimit": (97, 163), "setrlimit": (160, 164),
    "getrusage": (98, 165), "times": (100, 153), "getpriority": (140, 141), "setpriority": (141, 140),
    "sched_yield": (24, 124), "sched_getaffinity": (204, 123), "sched_setaffinity": (203, 122),
    "sched_getparam": (143, 121), "sched_setparam": (142, 118), "sched_getscheduler": (145, 120),
    "sched_setscheduler": (144, 119), "sched_get_priority_max": (146, 125), "sched_get_priority_min": (147, 126),
    "sched_rr_get_interval": (148, 127), "sched_getattr": (315, 275), "getcpu": (309, 168),
    # signals
    "rt_sigaction": (13, 134), "rt_sigprocmask": (14, 135), "rt_sigreturn": (15, 139), "rt_sigpending": (127, 136),
    "rt_sigtimedwait": (128, 137), "rt_sigsuspend": (130, 133), "rt_sigqueueinfo": (129, 138),
    "rt_tgsigqueueinfo": (297, 240), "sigaltstack": (131, 132), "pause": (34, None), "alarm": (37, None),
    "getitimer": (36, 102), "setitimer": (38, 103), "restart_syscall": (219, 128),
    # time
    "time": (201, None), "gettimeofday": (96, 169), "clock_gettime": (228, 113), "clock_getres": (229, 114),
    "clock_nanosleep": (230, 115), "nanosleep": (35, 101),
    # sockets
    "connect": (42, 203), "accept": (43, 202), "accept4": (288, 242), "bind": (49, 200), "listen": (50, 201),
    "shutdown": (48, 210), "getsockname": (51, 204), "getpeername": (52, 205), "sendto": (44, 206),
    "recvfrom": (45, 207), "sendmsg": (46, 211), "recvmsg": (47, 212), "sendmmsg": (307, 269),
    "recvmmsg": (299, 243),
    # other
    "getrandom": (318, 278),
}
ARCHES = ("x86_64", "aarch64")


def allowed_numbers(arch: str) -> list[int]:
    column = ARCHES.index(arch)
    return sorted(n[column] for n in ALLOWED.values() if n[column] is not None)
