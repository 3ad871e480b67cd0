"""One job in its own fork of the worker: limits first, then the cell, then the grader's probe.

The probe's code is not in this process while the student's cell runs: it arrives over the job's
socket (compiled by the grader) only after the cell has finished and its result was sent, and the
job refuses to run it while anything of the cell still runs in the background (threads, trace or
profile hooks, timers). What the probe returns is an observation; the grader decides.
"""
from __future__ import annotations

import ast
import base64
import builtins
import copy
import gc
import io
import linecache
import marshal
import os
import signal
import sys
import threading
import time
import traceback
import types

from . import sandbox, wire

ERROR_CHARS = 300
# The collector's first generation runs every 20,000 allocations instead of every 700: a job
# lives a fraction of a second, and each run touches (copies) pages it shares with the worker.
GC_THRESHOLD = 20_000


class CappedWriter(io.TextIOBase):
    """stdout/stderr stand-in that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.parts, self.kept, self.dropped = limit, [], 0, 0

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
        return out + (f"\n[... output cut: {self.dropped} more characters not kept]" if self.dropped else "")


def describe(exc: BaseException) -> str:
    """One line a student can act on: the exception and the line of *their* cell it came from."""
    where = ""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith("<cell"):
            where = f" (line {frame.lineno} of {frame.filename.strip('<>')}: `{(frame.line or '').strip()}`)"
            break
    text = " ".join(str(exc).split())[:ERROR_CHARS]
    return f"{type(exc).__name__}: {text}{where}" if text else f"{type(exc).__name__}{where}"


def _ipython_value(kind: str, *args):
    """What IPython returns for a magic the grader reads as a value (grader/magics.py): `x = %pwd`,
    `x = %env NAME`, `%env NAME=value`, `t = %timeit -o stmt` (the one run's timing)."""
    if kind == "pwd":
        return os.getcwd()
    if kind == "environ":
        return dict(os.environ)
    if kind == "env":
        return os.environ.get(str(args[0]), "")
    if kind == "setenv":
        os.environ[str(args[0])] = str(args[1])
        return None
    if kind == "clock":
        return time.perf_counter()
    if kind == "timeit":
        dt = max(time.perf_counter() - float(args[0]), 1e-9)
        return types.SimpleNamespace(loops=1, repeat=1, best=dt, worst=dt, average=dt, stdev=0.0, all_runs=[dt],
                                     timings=[dt], compile_time=0.0)
    return None


# How the grader writes a `%timeit stmt` line: on one line, so that the cell's lines keep their numbers.
TIMED = "_timed_line"


def _as_timeit_runs(tree: ast.Module) -> ast.Module:
    """Each `class _timed_line: stmt` run as IPython runs a `%timeit` statement: in a function,
    where a comprehension sees the names the statement binds (a hundred-and-ninety-seventh review:
    `%timeit x = ...; [f(x) for ...]` failed with a NameError in a class body only). At the top of
    a cell IPython then puts back every name of the notebook the statement changed (names it made
    stay): a two-hundred-and-first review replaced `ANN_relu` so, in the grader only. The saved
    names are an argument of the call, in no namespace the statement can reach by name. The cell
    has compiled as written first, so a body that only a function allows (`return`, `yield`) is an
    error, as IPython compiles the statement outside its function first (a hundred-and-ninety-ninth
    review: a class of that name written by hand ran so)."""
    restore = ast.parse("(lambda saved: (_timed_line(), (lambda: 0).__globals__.update(saved)))"
                        "({**(lambda: 0).__globals__})").body[0]

    class Timed(ast.NodeTransformer):
        depth = 0                                   # functions and classes around the node

        def _inside(self, node):
            self.depth += 1
            try:
                return self.generic_visit(node)
            finally:
                self.depth -= 1

        visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _inside

        def visit_ClassDef(self, node: ast.ClassDef):
            top = self.depth == 0
            self._inside(node)
            if node.name != TIMED or node.bases or node.keywords or node.decorator_list:
                return node
            fields = {"name": TIMED, "args": ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[],
                                                           defaults=[]),
                      "body": node.body, "decorator_list": [], "returns": None}
            if "type_params" in ast.FunctionDef._fields:
                fields["type_params"] = []
            call = copy.deepcopy(restore) if top else ast.Expr(ast.Call(ast.Name(TIMED, ast.Load()), [], []))
            return [ast.copy_location(ast.FunctionDef(**fields), node), ast.copy_location(call, node)]
    return ast.fix_missing_locations(Timed().visit(tree))


def execute(ns: dict, source: str, cell_id: str, shown: str | None = None) -> str:
    """Run one cell; return '' or a one-line description of how it failed. ``shown``: the cell as
    the student wrote it, line for line, quoted in that description (not the grader's reading of a
    magic line)."""
    filename = f"<cell {cell_id}>"
    quoted = shown if shown is not None and len(shown.splitlines()) == len(source.splitlines()) else source
    linecache.cache[filename] = (len(quoted), None, quoted.splitlines(True), filename)
    try:
        code = compile(source, filename, "exec")        # as written: `return` in a class body stops here
        if TIMED in source:
            code = compile(_as_timeit_runs(ast.parse(source, filename)), filename, "exec")
    except SyntaxError as exc:
        return f"SyntaxError: {exc.msg} (line {exc.lineno} of cell {cell_id})"
    except (RecursionError, MemoryError, ValueError) as exc:
        # An expression nested deeper than Python compiles (a sum of 3,000 terms) had ended the job
        # as if the cell had called os._exit (an eighty-ninth review).
        text = " ".join(str(exc).split())[:ERROR_CHARS]
        return f"{type(exc).__name__}: Python could not compile cell {cell_id} ({text}); nest less deeply"
    me = os.getpid()
    saved = dict(builtins.__dict__)
    try:
        exec(code, ns)
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt included
        if os.getpid() != me:     # a process the cell forked must never answer for the job
            os._exit(0)
        if isinstance(exc, SystemExit):
            return f"SystemExit({exc.code!r}): the cell called exit() or sys.exit(); remove that call"
        return describe(exc)
    finally:
        builtins.__dict__.clear()
        builtins.__dict__.update(saved)
    if os.getpid() != me:
        os._exit(0)
    return ""


def still_running() -> str:
    """Why the probe must not run now: something of the cell would run beside it."""
    if sys.gettrace() is not None or sys.getprofile() is not None or \
            getattr(threading, "_trace_hook", None) is not None or getattr(threading, "_profile_hook", None) is not None:
        return "the cell left a trace or profile hook active (sys.settrace/setprofile)"
    try:
        tasks = len(os.listdir("/proc/self/task"))
    except OSError:
        tasks = 1
    if threading.active_count() > 1 or tasks > 1:
        return "the cell left other threads running"
    return ""


def _isolate(header: dict, uid: int | None) -> list[str]:
    notes = []
    try:
        folder = sandbox.job_folder(int(header["disk_mb"]))
    except OSError as exc:
        notes.append(f"files: no private job folder ({exc.strerror}); the job writes in /tmp")
        folder = "/tmp"
    else:
        notes += [n for n in [sandbox.processes_only_proc()] if n]
    notes += [n for n in [sandbox.own_network()] if n]      # whatever became of the folder
    os.chdir(folder)
    for key in ("HOME", "TMPDIR", "MPLCONFIGDIR"):
        os.environ[key] = folder
    os.environ.pop("GLIBC_TUNABLES", None)      # the worker's allocator settings, applied already
    import tempfile
    tempfile.tempdir = None
    sandbox.set_limits(cpu_s=int(header["cpu_s"]), file_mb=int(header["file_size_mb"]),
                       processes=int(header["max_processes"]) if uid is not None else None)
    return notes


def _probe_phase(sock, ns: dict, request: dict, env: dict | None, output_bytes: int) -> dict | None:
    """Answer one probe request; return the probe's namespace (None: no further phase)."""
    reply = {"type": "result", "nonce": request["nonce"]}
    busy = still_running()
    if busy:
        reply["refused"] = busy
        wire.send(sock, reply)
        return None
    sandbox.quiet_signals()
    gc.callbacks.clear()
    sys.stdout = sys.stderr = CappedWriter(output_bytes)
    try:
        if env is None:
            env = {"__name__": "__probe__", "__builtins__": builtins}
            exec(marshal.loads(base64.b64decode(request["code"])), env)
        reply["data"] = env["observe"](ns, request["params"])
    except BaseException as exc:  # noqa: BLE001 - student code inside the probe may raise anything
        reply["error"] = describe(exc)
    _reap_children()                    # before the reply: the worker may park the job as soon as it is read
    try:
        wire.send(sock, reply)
    except (TypeError, ValueError) as exc:
        wire.send(sock, {"type": "result", "nonce": request["nonce"], "error": f"the result could not be sent ({exc})"})
    return env


def _reap_children() -> None:
    """Once a probe run is over, children that end are reaped at once (the worker parks the job after it reads the
    reply, and ends what the cell left running), and those ended already now: a parked job stopped with sixty killed
    children still in the process table held the slot's process count, and the notebook's next cell was stopped for
    "64 or more processes" it never started (a stress notebook's fork loop, graded 25 or 45 by chance). The next
    probe run restores the default (``quiet_signals``)."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def serve(sock, base_ns: dict, header: dict, uid: int | None, worker_notes: list[str]) -> None:
    """The forked child. Never returns: ends with os._exit so nothing of the worker's runs.

    Order matters: every limit is in place and reported (``ready``) before the student's cell
    arrives; the probe arrives after the cell's result was sent, one set of parameters at a time
    (the public one first), so nothing of a later run is in the process while an earlier one is
    observed."""
    code = 0
    try:
        sandbox.die_with_parent()
        os.setsid()                                   # one process group: the tree dies together
        sandbox.prctl(sandbox.PR_SET_DUMPABLE, 1)     # the grader may read our /proc (memory)
        sandbox.quiet_signals()                       # the worker ignores signals; a job need not
        keep = sock.fileno()
        os.closerange(3, keep)
        os.closerange(keep + 1, 1 << 16)
        notes = worker_notes + _isolate(header, uid)
        try:
            sandbox.become_unprivileged(uid)
        except OSError as exc:
            notes.append(f"privileges: could not drop them ({exc.strerror})")
        notes += [n for n in [sandbox.no_huge_pages(), sandbox.seccomp_filter()] if n]
        sandbox.use_poll()
        wire.send_hello(sock)
        wire.send(sock, {"type": "ready", "notes": notes})
        job = wire.recv(sock, max_bytes=1 << 26)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        out = CappedWriter(int(header["output_bytes"]))
        sys.stdout = sys.stderr = out
        ns = dict(base_ns)
        ns["_ipython_value"] = _ipython_value
        gc.set_threshold(GC_THRESHOLD, 10, 10)
        t0 = time.monotonic()
        error = execute(ns, job["source"], job["cell_id"], job.get("shown")) if job.get("source") is not None else ""
        wire.send(sock, {"type": "executed", "error": error, "output": out.text(),
                         "seconds": time.monotonic() - t0})
        env = None
        while True:
            request = wire.recv(sock, max_bytes=1 << 26)
            if not request.get("params"):
                break
            env = _probe_phase(sock, ns, request, env, int(header["output_bytes"]))
            if env is None:
                break
    except BaseException:  # noqa: BLE001
        code = 70
        try:
            os.write(2, traceback.format_exc().encode())
        except OSError:
            pass
    finally:
        os._exit(code)
