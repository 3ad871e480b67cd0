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

    _quiet_progress_bars()
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
    return {"__name__": "__main__", "__builtins__": __builtins__, "display": display,
            **{n: ns[n] for n in names if n in ns}}


def display(*objs, **kwargs) -> None:
    """Jupyter's display(), which every notebook has: nothing is shown while grading."""


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
            # The model probe's passes: gradients by torch.autograd.grad, eval mode, a graph walk.
            with torch.enable_grad():
                out = model(x)
                torch.autograd.grad((out * torch.rand(out.shape, generator=torch.Generator().manual_seed(0))).sum(),
                                    [model[1].bias], allow_unused=True, retain_graph=True)
                getattr(out.grad_fn, "next_functions", ())
            nn.Module.train(model, False)
            nn.Module.train(model, True)
        plt.figure(figsize=(4, 3))
        plt.plot([1.0, 2.0], label="a")
        plt.xlabel("x")
        plt.ylabel("y")
        plt.legend()
        from matplotlib.colors import to_rgba
        [to_rgba(line.get_color()) for line in plt.gca().get_lines()]
        plt.close("all")
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])


def _quiet_progress_bars() -> None:
    """tqdm starts a monitor thread with its first bar, and the probe refuses to run beside a
    cell's threads: a training loop wrapped in tqdm(...) lost all its points. Without the monitor
    a bar works the same (it only corrects for stalled bars)."""
    try:
        from tqdm import std
    except ImportError:
        return
    std.tqdm.monitor_interval = 0


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


def _descendants() -> list[int]:
    """Every process below this one (as a PID namespace's init or a child subreaper, orphans of
    a job come back here, so they are below us too)."""
    out, todo = [], [os.getpid()]
    while todo:
        pid = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    kids = [int(x) for x in fh.read().split()]
            except OSError:
                continue
            out += kids
            todo += kids
    return out


def _kill_all_but(keep: set[int], ended: dict[int, int], init: bool) -> None:
    """End every process below us except the parked jobs in ``keep`` (their own children end
    too: a parked job holds nothing but itself). Exit statuses of jobs reaped on the way are kept
    in ``ended``."""
    if init and not keep:
        try:
            os.kill(-1, signal.SIGKILL)    # as pid 1: every other process of our namespace
        except ProcessLookupError:
            pass
        while True:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                return
            ended[pid] = os.waitstatus_to_exitcode(status)
    for i in range(100):
        if i:
            select.select([], [], [], 0.001)
        left = [pid for pid in _descendants() if pid not in keep]
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        _reap_any(ended)
        if not [pid for pid in left if _exists(pid)]:
            return


def _exists(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _reap_any(ended: dict[int, int]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        ended[pid] = os.waitstatus_to_exitcode(status)


def _wait_job(pid: int, ended: dict[int, int], grace: float) -> int:
    """The job's exit code; a job that has not ended ``grace`` seconds after it was told to is
    killed (and its code says so)."""
    if pid not in ended:
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            fd = None
        if fd is not None:
            try:
                if not select.select([fd], [], [], grace)[0]:
                    os.kill(pid, signal.SIGKILL)
            finally:
                os.close(fd)
        try:
            _, status = os.waitpid(pid, 0)
            ended[pid] = os.waitstatus_to_exitcode(status)
        except ChildProcessError:
            pass
    return ended.pop(pid, -9)


def main(argv: list[str]) -> int:
    # No collection while the libraries load: importing torch and torchvision makes ~400,000
    # objects, and the collector's passes over them cost 6-13 % of the start (measured). What
    # few cycles the imports leave are frozen with the rest below.
    gc.disable()
    sandbox.die_with_parent()
    if os.environ.get("GRADER_PARENT", "").split(":")[0] not in ("", str(os.getppid())):
        return 1                                  # the grader died before we could ask to follow it
    notes = [n for n in [sandbox.set_login_uid()] if n]
    if os.geteuid() != 0 and "GRADER_JOB_UID" not in os.environ:
        mapped, why = sandbox.enter_mapped_user_namespace(int(os.environ.get("GRADER_ID_INDEX", "0")))
        if mapped:
            # Started afresh inside the namespace: memory mapped at exec belongs to the namespace
            # it was mapped in, so the grader, its owner, may read a job's /proc (memory, open
            # memfds) although the job runs as a uid that is not the grader's.
            os.environ["GRADER_JOB_UID"] = str(sandbox.JOB_UID)
            os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
        notes.append(f"privileges: jobs run as the grader's own uid, so concurrent jobs share its per-user "
                     f"kernel counts ({why})")
    job_uid = os.environ.pop("GRADER_JOB_UID", "")
    os.environ.pop("GRADER_ID_INDEX", None)
    notes += [n for n in [sandbox.enter_user_namespace()] if n]
    init = _split_pid_namespace()
    _ignore_signals()
    sandbox.prctl(sandbox.PR_SET_DUMPABLE, 0)     # jobs may not read or trace the worker
    # Orphans of a job come back to us (not to a process outside the worker), where the grader's
    # monitor counts them and _kill_all_but ends them; as a PID namespace's init we reap them anyway.
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
    if job_uid:                               # a subordinate id of this worker's own
        uid = int(job_uid)
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
    served, huge = 0, False
    while True:
        if served >= HUGE_PAGES_AFTER and not huge:
            _huge_pages()     # ~1 s once: worth it for a batch, not for a student's check of 4 cells
            huge = True
        served += _serve_notebook(ctl, base_ns, uid, notes, init)


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


def _serve_notebook(ctl: socket.socket, base_ns: dict, uid: int | None, notes: list[str], init: bool) -> int:
    """Serve one notebook's jobs, then end everything they left; return how many were forked.

    A job whose cell passed its public run is *parked* (stopped, its leftovers ended) until every
    cell of the notebook has had its public run: the grader sends hidden parameters to no job
    before that, so no public run, and no message shown to the student, can come after a run with
    hidden values (one could read the clock into its message: how long the hidden run chose to
    take). Jobs are forked inside this call, so the frames a job inherits hold only this
    notebook's requests; how the previous notebook's jobs ended was a local of a call that has
    returned (a review relayed a hidden seed from one job to the next through those frames).
    Operations, each answered except ``kill``: run (with the job's socket), park, resume, kill,
    wait (the exit code of a job told to end), end."""
    live: dict[int, int] = {}            # job number -> pid, forked and not waited for
    ended: dict[int, int] = {}           # pid -> exit code, for jobs reaped on the way
    watch: dict[int, int] = {}           # pidfd -> pid of a job that has not ended yet
    forked = 0
    while True:
        ready, _, _ = select.select([ctl, *watch], [], [])
        for fd in ready:
            if fd is ctl:
                continue
            # A job ended on its own: what it started ends now too, so every copy of its socket
            # closes and the grader hears at once that it is gone.
            pid = watch.pop(fd)
            os.close(fd)
            try:
                got, status = os.waitpid(pid, os.WNOHANG)
                if got == pid:
                    ended[pid] = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                pass
            _kill_all_but({p for p in live.values() if p != pid}, ended, init)
        if ctl not in ready:
            continue
        data, fds, _, _ = socket.recv_fds(ctl, 1 << 20, 1)
        try:
            msg = json.loads(data) if data else {"op": "exit"}
        except ValueError:
            msg = {}
        op, number = msg.get("op"), msg.get("job")
        pid = live.get(number) if isinstance(number, int) else None
        if op == "exit":
            _kill_all_but(set(), ended, init)
            os._exit(0)
        if op == "run" and len(fds) == 1:
            _kill_all_but(set(live.values()), ended, init)
            _random_next_pid(init)
            pid = os.fork()
            if pid == 0:
                # The job's copy of this frame forgets how the notebook's earlier jobs ended (exit
                # codes are the student's to choose), before any student code runs.
                live.clear(), ended.clear(), watch.clear()
                got = status = code = None  # noqa: F841
                ctl.close()
                job.serve(socket.socket(fileno=fds[0]), base_ns, msg, uid, notes)
            os.close(fds.pop())
            live[forked] = pid
            try:
                watch[os.pidfd_open(pid)] = pid
            except OSError:
                pass
            ctl.send(json.dumps({"started": forked}).encode())
            forked += 1
        elif op == "park" and pid is not None:
            _kill_all_but(set(live.values()), ended, init)
            _signal(pid, signal.SIGSTOP)
            ctl.send(json.dumps({"parked": number}).encode())
        elif op == "resume" and pid is not None:
            _kill_all_but(set(live.values()), ended, init)
            _signal(pid, signal.SIGCONT)
            ctl.send(json.dumps({"resumed": number}).encode())
        elif op == "kill" and pid is not None:
            _signal(pid, signal.SIGKILL, group=True)
            _kill_all_but(set(live.values()) - {pid}, ended, init)
        elif op == "wait" and pid is not None:
            for fd in [fd for fd, p in watch.items() if p == pid]:
                os.close(fd)
                del watch[fd]
            code = _wait_job(live.pop(number), ended, 5.0)
            _kill_all_but(set(live.values()), ended, init)
            ctl.send(json.dumps({"exit": code}).encode())
        elif op == "end":
            for fd in watch:
                os.close(fd)
            _kill_all_but(set(), ended, init)
            ctl.send(json.dumps({"ended": forked}).encode())
            return forked
        for fd in fds:
            os.close(fd)


def _signal(pid: int, sig: int, group: bool = False) -> None:
    try:
        (os.killpg if group else os.kill)(pid, sig)
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main(sys.argv))
