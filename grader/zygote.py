"""The warm parent: imports torch once, builds the provided context, then forks per job.

Started by the fork engine as ``python -m grader.zygote FD`` with a scrubbed environment. It
runs only trusted code (imports and the template's provided cells) and never student code:
every job is served in a fresh fork, so nothing a submission does can reach the next one.
Control messages arrive on a SOCK_SEQPACKET socket; each job's own socket comes with its
message as a passed file descriptor, and the child talks to the grader over it directly.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sys
import tempfile


def _kill_uid(uid: int) -> None:
    """Kill every process of the job's private user id: catches anything that left the group."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _enter_pid_namespace(cgroup) -> bool:
    """Serve jobs from the init process of a new PID namespace.

    Jobs then cannot see or signal the grader, the TA's processes or this server's parent, and
    the kernel ignores SIGKILL sent to their namespace's init from inside. The process that
    called us only waits for the server and passes its exit code on.
    """
    from . import sandbox
    try:
        sandbox._unshare(0x20000000)  # CLONE_NEWPID: applies to our next child
    except OSError:
        return False
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGINT, signal.SIG_IGN)   # the grader stops us with "exit" or SIGKILL
        return True
    _, status = os.waitpid(pid, 0)
    sandbox.remove_cgroup(cgroup)
    os._exit(max(0, os.waitstatus_to_exitcode(status)))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _collect_leftovers() -> None:
    """Remove job folders and cgroups of workers that were killed before they could clean up."""
    from . import sandbox
    places = [(tempfile.gettempdir(), "grader-worker-"), (str(sandbox.PIDS_ROOT), "grader-")]
    for root, prefix in places:
        try:
            names = os.listdir(root)
        except OSError:
            continue
        for name in names:
            tail = name[len(prefix):]
            if name.startswith(prefix) and tail.isdigit() and not _alive(int(tail)):
                path = os.path.join(root, name)
                if root == str(sandbox.PIDS_ROOT):
                    sandbox.remove_cgroup(path)
                else:
                    shutil.rmtree(path, ignore_errors=True)


def _reap_orphans() -> None:  # noqa: D401
    """As a namespace's init we inherit every orphan of a job; collect the dead ones."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def main(argv: list[str]) -> int:
    from . import sandbox
    userns_note = sandbox.enter_user_namespace()   # before torch starts any thread
    ctl = socket.socket(fileno=int(argv[1]))
    init = json.loads(ctl.recv(1 << 24))
    os.chdir(init["data_home"])
    import matplotlib
    matplotlib.use("Agg")
    import torch
    torch.set_num_threads(1)
    from . import probes, runner  # noqa: F401 - imported before fork: jobs must not need the disk

    try:
        base_ns = runner.build_context(init["cells"], init["keep"], init["imports"])
        ready = {"type": "ready", "pid": os.getpid(), "notes": [userns_note] if userns_note else [],
                 "names": sorted(k for k in base_ns if not k.startswith("__"))}
    except BaseException as exc:  # noqa: BLE001 - reported to the grader, which stops cleanly
        ready = {"type": "failed", "error": f"{type(exc).__name__}: {exc}"}
        ctl.send(json.dumps(ready).encode())
        return 1
    ctl.send(json.dumps(ready).encode())
    _collect_leftovers()
    tmp_root = os.path.join(tempfile.gettempdir(), f"grader-worker-{os.getpid()}")
    os.makedirs(tmp_root, exist_ok=True)
    uid = cgroup = None
    if os.geteuid() == 0:
        candidate = int(init.get("uid_base", 61000)) + int(init.get("slot", 0))
        uid = candidate if sandbox.uid_can_run_python(candidate) else None
        cgroup = sandbox.make_pids_cgroup(f"grader-{os.getpid()}", int(init.get("max_processes", 64)))
    pid_namespace = _enter_pid_namespace(cgroup) if os.geteuid() == 0 else False
    while True:
        data, fds, _, _ = socket.recv_fds(ctl, 1 << 20, 1)
        if not data or json.loads(data).get("op") == "exit":
            sandbox.remove_cgroup(cgroup)
            shutil.rmtree(tmp_root, ignore_errors=True)
            os._exit(0)  # skip tearing down torch's interpreter state: nothing to flush
        header = json.loads(data)
        workdir = tempfile.mkdtemp(prefix="grader-job-", dir=tmp_root)
        header["workdir"] = workdir
        header["uid"], header["cgroup"], header["pid_namespace"] = uid, cgroup, pid_namespace
        pid = os.fork()
        if pid == 0:
            ctl.close()
            runner.serve_job(socket.socket(fileno=fds[0]), base_ns, header)
        for fd in fds:
            os.close(fd)
        ctl.send(json.dumps({"pid": pid}).encode())
        _, status = os.waitpid(pid, 0)
        if cgroup:
            sandbox.empty_cgroup(cgroup)
        if uid is not None:
            _kill_uid(uid)
        shutil.rmtree(workdir, ignore_errors=True)
        _reap_orphans()
        try:
            ctl.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
        except OSError:   # the grader is gone: clean up and leave
            sandbox.remove_cgroup(cgroup)
            shutil.rmtree(tmp_root, ignore_errors=True)
            os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
