"""Child side of the execution engine: what runs inside the process that holds student code.

``build_context`` runs the template's provided cells (trusted course code) once in the warm
parent; ``serve_job`` runs in a forked child: limits first, then the student's cell in a
fresh copy of that context, then the probe, answering over the job's private socket.
"""
from __future__ import annotations

import builtins
import linecache
import os
import sys
import time
import traceback
from pathlib import Path

from . import channel, probes, sandbox


def build_context(cells: list[str], keep: list[str], imports_source: str) -> dict:
    """Execute the template's provided cells; keep the imports and the names the spec lists."""
    import matplotlib.pyplot as plt

    imports_ns: dict = {}
    exec(compile(imports_source, "<template imports>", "exec"), imports_ns)
    ns: dict = {"__name__": "__main__"}
    show = plt.show
    plt.show = lambda *a, **k: None
    saved = sys.stdout
    sys.stdout = open(os.devnull, "w")
    try:
        for i, source in enumerate(cells):
            exec(compile(source, f"<template cell {i}>", "exec"), ns)
    finally:
        sys.stdout.close()
        sys.stdout = saved
        plt.show = show
        plt.close("all")
    names = [n for n in imports_ns if not n.startswith("__")] + list(keep)
    return {"__name__": "__main__", "__builtins__": __builtins__, **{n: ns[n] for n in names if n in ns}}


def execute(ns: dict, source: str, cell_id: str) -> str:
    """Run one cell; return '' or a one-line description of how it failed."""
    filename = f"<cell {cell_id}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        code = compile(source, filename, "exec")
    except SyntaxError as exc:
        return f"SyntaxError: {exc.msg} (line {exc.lineno} of cell {cell_id})"
    me = os.getpid()
    saved_builtins = dict(builtins.__dict__)
    try:
        exec(code, ns)
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt included
        if os.getpid() != me:  # a process the cell forked: it must never answer for the job
            os._exit(0)
        if isinstance(exc, SystemExit):
            return f"SystemExit({exc.code!r}): the cell called exit() or sys.exit(); remove that call"
        return probes.describe(exc)
    finally:
        # The grader's own code in this process (probe, channel) needs intact builtins.
        builtins.__dict__.clear()
        builtins.__dict__.update(saved_builtins)
    if os.getpid() != me:
        os._exit(0)
    return ""


def serve_job(sock, base_ns: dict, header: dict) -> None:
    """Forked child: never returns; ends with os._exit so nothing of the parent's runs."""
    code = 0
    try:
        workdir = Path(header["workdir"])
        # The pid as the grader sees it (in a PID namespace our own pid is a small local number):
        # the grader watches and kills the tree by it. Sent before any student code runs.
        channel.send(sock, {"type": "hello", "pid": int(os.readlink("/proc/self"))})
        notes = sandbox.apply_limits(workdir=workdir, uid=header.get("uid"), hide=header.get("hide", []),
                                     file_size_mb=int(header["file_size_mb"]),
                                     max_processes=int(header["max_processes"]),
                                     cgroup=header.get("cgroup"),
                                     pid_namespace=bool(header.get("pid_namespace")))
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        raw_out = os.open(workdir / ".raw-output", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(raw_out, 1)
        os.dup2(raw_out, 2)
        out = sandbox.CappedWriter(int(header["output_bytes"]))
        sys.stdout = sys.stderr = out
        import torch
        torch.set_num_threads(1)
        job = channel.recv(sock)
        ns = dict(base_ns)
        t0 = time.monotonic()
        error = execute(ns, job["source"], job["cell_id"]) if job.get("source") is not None else ""
        channel.send(sock, {"type": "executed", "error": error, "output": out.text(),
                            "notes": notes, "seconds": time.monotonic() - t0})
        request = channel.recv(sock)
        if request.get("probe"):
            sys.stdout = sys.stderr = sandbox.CappedWriter(int(header["output_bytes"]))
            try:
                data = probes.run_probe(request["probe"], ns, request["params"])
                reply = {"type": "result", "nonce": request["nonce"], "data": data}
            except BaseException as exc:  # noqa: BLE001
                reply = {"type": "result", "nonce": request["nonce"], "error": probes.describe(exc)}
            try:
                channel.send(sock, reply)
            except TypeError as exc:  # data the codec refuses: the student returned odd objects
                channel.send(sock, {"type": "result", "nonce": request["nonce"],
                                    "error": f"result could not be sent: {exc}"})
    except BaseException:  # noqa: BLE001
        code = 70
        try:
            os.write(2, traceback.format_exc().encode())
        except OSError:
            pass
    finally:
        os._exit(code)
