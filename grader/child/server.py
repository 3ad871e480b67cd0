"""The warm worker: imports torch once, builds the provided context, then forks one job per cell.

Started by the fork engine as ``python -m grader.child.server FD``. It runs only trusted code (the
template's provided cells) and never student code: every job is served in a fresh fork, so
nothing a submission does reaches the next one. Its shape, from the outside in:

    outer process       dies with the grader (parent-death signal); waits for the inner one
      init (pid 1)      of a new PID namespace: dies with the outer one, and when it dies the
                        kernel kills every process of the namespace, so no job outlives it
        job             one fork per graded cell, in the allowlisted view (see sandbox)

Control messages arrive on a SOCK_SEQPACKET socket: a job's own socket comes with its message as
a passed file descriptor, and the job talks to the grader over it directly.
"""
from __future__ import annotations

import ctypes
import gc
import json
import os
import secrets
import select
import signal
import socket
import sys

from . import job, sandbox

HUGE_PAGES_AFTER = 6


def build_context(cells: list[str], keep: list[str], imports_source: str) -> dict:
    """Execute the template's provided cells; keep the imports and the names the spec lists."""
    import matplotlib.pyplot as plt

    imports_ns: dict = {}
    exec(compile(imports_source, "<template imports>", "exec"), imports_ns)
    ns: dict = {"__name__": "__main__"}
    show, plt.show = plt.show, (lambda *a, **k: None)
    saved, sys.stdout = sys.stdout, open(os.devnull, "w")
    try:
        for i, source in enumerate(cells):
            exec(compile(source, f"<template cell {i}>", "exec"), ns)
    finally:
        sys.stdout.close()
        sys.stdout, plt.show = saved, show
        plt.close("all")
    names = [n for n in imports_ns if not n.startswith("__")] + list(keep)
    return {"__name__": "__main__", "__builtins__": __builtins__, **{n: ns[n] for n in names if n in ns}}


def warm_up() -> None:
    """Pay the libraries' one-time costs here, once, instead of in every job: numpy's first random
    generator, torch's first module build, forward, backward and optimizer step, a DataLoader's
    first batch, matplotlib's first figure and legend. Each is a lazy initialisation that a forked
    job would otherwise redo (measured: numpy's first generator alone costs a job 20 ms and 1,200
    page faults). Only library code runs, on data made here; the random states are put back."""
    import random

    import matplotlib.pyplot as plt
    import numpy as np
    import torch
    import torch.nn.functional as F
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    try:
        x = torch.from_numpy(np.random.default_rng(0).random((8, 1, 28, 28), dtype=np.float32))
        y = torch.randint(0, 10, (8,), generator=torch.Generator().manual_seed(0))
        loader = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=False)
        for act in (nn.Sigmoid(), nn.ReLU()):
            torch.manual_seed(0)
            model = nn.Sequential(nn.Flatten(), nn.Linear(784, 16), act, nn.Linear(16, 10))
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
            for xb, yb in loader:
                optimizer.zero_grad()
                loss = F.nll_loss(F.log_softmax(model(xb), dim=1), yb)
                loss.backward()
                [p.grad.abs().mean().item() for p in model.parameters()]
                optimizer.step()
            with torch.no_grad():
                model(x).argmax(dim=1).eq(y).sum().item()
            {k: v.detach().float().clone() for k, v in model.state_dict().items()}
        plt.figure(figsize=(4, 3))
        plt.plot([1.0, 2.0], label="a")
        plt.xlabel("x")
        plt.ylabel("y")
        plt.legend()
        plt.close("all")
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])


def _huge_pages() -> None:
    """Back the worker's anonymous memory with huge pages: a fork then copies a few thousand
    page-table entries instead of ~100,000 (measured: 25 ms -> 9 ms per fork of 700 MB)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    with open("/proc/self/maps") as fh:
        for line in fh:
            parts = line.split()
            if "w" not in parts[1] or (len(parts) > 5 and parts[5] != "[heap]"):
                continue
            lo, hi = (int(v, 16) for v in parts[0].split("-"))
            start, end = (lo + (1 << 21) - 1) & ~((1 << 21) - 1), hi & ~((1 << 21) - 1)
            if end > start:
                libc.madvise(start, end - start, 14)   # MADV_HUGEPAGE
                libc.madvise(start, end - start, 25)   # MADV_COLLAPSE (Linux 6.1+; else a no-op)


def _ignore_signals() -> None:
    """The worker answers no signal (a job could otherwise stop it with SIGINT); the grader ends it
    with its control socket or SIGKILL."""
    for sig in signal.valid_signals():
        if sig not in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD):
            try:
                signal.signal(sig, signal.SIG_IGN)
            except (OSError, ValueError):
                pass


def _split_pid_namespace() -> bool:
    """Return in the init process of a new PID namespace; the outer process only waits."""
    try:
        sandbox.unshare(sandbox.CLONE_NEWPID)
    except OSError:
        return False
    pid = os.fork()
    if pid == 0:
        sandbox.die_with_parent()
        return True
    _ignore_signals()
    for fd in range(3, 1 << 10):   # the control socket belongs to the inner process alone
        try:
            os.close(fd)
        except OSError:
            pass
    _, status = os.waitpid(pid, 0)
    os._exit(max(0, os.waitstatus_to_exitcode(status)))


def _isolate_worker(view: sandbox.View, uid: int | None, pid_namespace: bool) -> list[str]:
    notes = []
    try:
        sandbox.unshare(sandbox.CLONE_NEWNS | sandbox.CLONE_NEWNET | sandbox.CLONE_NEWUTS)
        sandbox.mount("none", "/", None, sandbox.MS_REC | sandbox.MS_PRIVATE)
    except OSError as exc:
        return [f"files: no private view of the file system, network not isolated ({exc.strerror})"]
    if not pid_namespace:
        notes.append("processes: no PID namespace; the job can see other processes")
        return notes + ["files: the job sees the whole file system (no PID namespace for a fresh /proc)"]
    try:
        sandbox.build_root(view, uid if uid is not None else 0)
    except OSError as exc:
        notes.append(f"files: the job sees the whole file system (building its view failed: {exc.strerror})")
    return notes


def _children() -> list[int]:
    out = []
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/children") as fh:
                out += [int(x) for x in fh.read().split()]
        except OSError:
            pass
    return out


def _kill_rest(init: bool, job_pid: int) -> int:
    """End everything the job left behind; return how many processes that was."""
    if init:
        try:
            os.kill(-1, signal.SIGKILL)    # as pid 1: every other process of our namespace
        except ProcessLookupError:
            pass
    else:
        try:
            os.killpg(job_pid, signal.SIGKILL)
        except OSError:
            pass
        # As a child subreaper we are the parent of whatever left the job's process group and
        # was orphaned: end those too, until none is left.
        for _ in range(100):
            left = _children()
            if not left:
                break
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass
    n = 0
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if init else os.WNOHANG)
        except ChildProcessError:
            return n
        if pid == 0:
            return n
        n += 1


def _wait_job(pid: int, ctl: socket.socket, init: bool) -> int | None:
    """Wait for the job; a closed control socket (the grader is gone) ends it and us."""
    fd = os.pidfd_open(pid)
    try:
        while True:
            ready, _, _ = select.select([fd, ctl], [], [])
            if fd in ready:
                _, status = os.waitpid(pid, 0)
                return os.waitstatus_to_exitcode(status)
            msg = ctl.recv(1 << 16)
            if not msg:
                _kill_rest(init, pid)
                os._exit(0)
            if json.loads(msg).get("op") == "kill":
                if init:
                    os.kill(-1, signal.SIGKILL)    # the job and all it started; reaped below
                else:
                    os.killpg(pid, signal.SIGKILL)
    finally:
        os.close(fd)


def main(argv: list[str]) -> int:
    # No collection while the libraries load: importing torch and torchvision makes ~400,000
    # objects, and the collector's passes over them cost 6-13 % of the start (measured). What
    # few cycles the imports leave are frozen with the rest below.
    gc.disable()
    sandbox.die_with_parent()
    if os.environ.get("GRADER_PARENT", "").split(":")[0] not in ("", str(os.getppid())):
        return 1                                  # the grader died before we could ask to follow it
    notes = [n for n in [sandbox.enter_user_namespace()] if n]
    init = _split_pid_namespace()
    _ignore_signals()
    sandbox.prctl(sandbox.PR_SET_DUMPABLE, 0)     # jobs may not read or trace the worker
    # Orphans of a job come back to us (not to a process outside the worker), where the grader's
    # monitor counts them and _kill_rest ends them; as a PID namespace's init we reap them anyway.
    sandbox.prctl(sandbox.PR_SET_CHILD_SUBREAPER, 1)
    ctl = socket.socket(fileno=int(argv[1]))
    setup = json.loads(ctl.recv(1 << 24))
    data_home = setup["data_home"]
    os.environ["MPLCONFIGDIR"] = os.path.join(data_home, "mplconfig")
    try:
        os.makedirs(os.environ["MPLCONFIGDIR"], exist_ok=True)
    except OSError:                           # a read-only data folder: matplotlib uses a temporary one
        del os.environ["MPLCONFIGDIR"]
    os.chdir(data_home)
    import matplotlib
    matplotlib.use("Agg")
    import torch
    torch.set_num_threads(1)
    try:
        base_ns = build_context(setup["cells"], setup["keep"], setup["imports"])
    except BaseException as exc:  # noqa: BLE001 - reported to the grader, which stops cleanly
        ctl.send(json.dumps({"type": "failed", "error": f"{type(exc).__name__}: {exc}"}).encode())
        return 1
    try:
        warm_up()
    except Exception:  # noqa: BLE001 - only speed is lost: each job then warms up on its own
        pass
    uid = int(setup["uid"]) if os.geteuid() == 0 and setup.get("uid") is not None else None
    # The data folder is not part of the view: the data is in memory already, and a TA's data
    # folder may hold more than data (a course checkout passed as --data, say).
    view = sandbox.View(folders=tuple(sandbox.python_folders()),
                        package=os.path.dirname(os.path.dirname(os.path.abspath(job.__file__))))
    if not init:
        notes.append("processes: no PID namespace; leftovers of a job are killed by process group")
    notes += _isolate_worker(view, uid, init)
    os.chdir("/")
    # The collector never touches the worker's objects in a job (fewer copied pages). Nothing is
    # collected first: a pass over torch's ~400,000 objects costs 0.3 s of every start, and the
    # cycles it would find are a few import leftovers. Jobs collect as usual (job.GC_THRESHOLD).
    gc.freeze()
    gc.enable()
    ctl.send(json.dumps({"type": "ready", "notes": notes, "threads": len(os.listdir("/proc/self/task"))}).encode())
    served = 0
    while True:
        if served == HUGE_PAGES_AFTER:
            _huge_pages()     # ~1 s once: worth it for a batch, not for a student's check of 4 cells
        _serve_one(ctl, base_ns, uid, notes, init)
        served += 1


def _random_next_pid(init: bool) -> None:
    """The job's pid drawn at random in our PID namespace: a job that starts processes or threads
    moves the namespace's pid counter, and the next job's pid would tell how far."""
    if not init:
        return
    try:
        with open("/proc/sys/kernel/ns_last_pid", "w") as fh:
            fh.write(str(300 + secrets.randbelow(30_000)))
    except OSError:
        pass


def _serve_one(ctl: socket.socket, base_ns: dict, uid: int | None, notes: list[str], init: bool) -> None:
    """Receive one run request, fork its job, wait for it and report how it ended. A job is forked
    from inside this call, so the frames it inherits hold only its own request: how the previous
    job ended (its exit code, its leftovers, chosen by student code) was a local of a call that
    has returned, and the next job cannot read it from the worker's frames (a review relayed a
    hidden seed from one cell's job to the next through them)."""
    data, fds, _, _ = socket.recv_fds(ctl, 1 << 20, 1)
    if not data or json.loads(data).get("op") == "exit":
        os._exit(0)
    header = json.loads(data)
    if header.get("op") != "run" or len(fds) != 1:
        for fd in fds:
            os.close(fd)
        return
    _random_next_pid(init)
    pid = os.fork()
    if pid == 0:
        ctl.close()
        job.serve(socket.socket(fileno=fds[0]), base_ns, header, uid, notes)
    os.close(fds[0])
    ctl.send(json.dumps({"started": True}).encode())
    code = _wait_job(pid, ctl, init)
    left = _kill_rest(init, pid)
    try:
        ctl.send(json.dumps({"exit": code, "leftovers": left}).encode())
    except OSError:
        os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
