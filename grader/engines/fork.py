"""The fast engine: warm forked workers.

A naive grader pays ~4 s per notebook to import torch; here each worker pays it once. One
``Worker`` owns one warm process (``grader.child.server``); for every graded cell it forks a job
that runs the cell in a fresh copy of the provided context, then the probe the grader sends, and
answers over a socketpair only this job holds. A notebook's jobs run in two passes: every cell
with its public run first (a job with hidden runs left then waits, stopped), then the hidden
runs, so that no public run, whose words the student is shown, comes after a hidden run. The
grader enforces wall time from outside, puts the job in its memory and pids cgroups, and kills
the whole tree at a limit. A reply that breaks the protocol fails that job only, and its worker
is replaced after the notebook.
"""
from __future__ import annotations

import ast
import copy
import json
import os
import queue
import secrets
import select
import socket
import subprocess
import threading
import time
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field

from .. import probes
from ..child import wire
from ..magics import python_tree, without_magics
from ..observations import ANY, SCHEMAS, InvalidObservation, List, Obj, cut, validate
from ..results import CellOutcome, Status
from .base import PYTHON, CellJob, EngineSetup, child_env
from .cgroups import JobCgroups
from .kernelwatch import Gate, KernelWatch, Turn, kernel_unreclaimable
from .leftovers import end_leftovers, marker
from .monitor import KernelGrewBesideOthers, LimitExceeded, TreeMonitor
from ..syntax import walk

START_TIMEOUT_S = 120
RESULT_BYTES = 8 * 2**20          # a probe's reply: kilobytes for models, ~0.5 MB for training
UID_BASE = 2_000_000              # private uids for jobs when the grader is root
# glibc's allocator in the worker and its jobs: allocations under 32 MB come from the heap, which
# grows 32 MB at a time in transparent huge pages and is never trimmed. A job's fresh tensors then
# cost one page fault per 2 MB instead of one per 4 KB (a model probe: 9,800 faults -> 2,800).
MALLOC_TUNABLES = ("glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:"
                   "glibc.malloc.top_pad=33554432:glibc.malloc.trim_threshold=134217728")


class WorkerDied(Exception):
    pass


class _BesideOthers(Exception):
    """A job of this notebook was stopped for kernel memory that a neighbour's job may hold."""


@dataclass
class _Kept:
    """What a first pass stopped in its hidden runs had done: the second pass, alone, shows the
    student the first pass's public runs, which came before any hidden run of the notebook (the
    second pass's public runs come after them, and a hidden run can leave a value in the machine
    for a later public run to read). Empty when no hidden run had begun."""
    finals: dict[int, CellOutcome] = field(default_factory=dict)        # done in the public pass
    parked: dict[int, tuple[CellOutcome, dict]] = field(default_factory=dict)   # outcome, observed
    floor: int | None = None            # the kernel watch's floor when the first pass began


class Spawner:
    """Starts every worker from one long-lived thread: a worker's parent-death signal follows the
    thread that started it, so a pool thread that ends must not be that parent."""

    def __init__(self):
        self._q: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="grader-spawner", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            args, kwargs, fut = item
            try:
                fut.set_result(subprocess.Popen(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                fut.set_exception(exc)

    def popen(self, *args, **kwargs) -> subprocess.Popen:
        fut: Future = Future()
        self._q.put((args, kwargs, fut))
        return fut.result()

    def stop(self) -> None:
        self._q.put(None)


class Worker:
    """One warm process, its control socket, and the cgroups its jobs run in."""

    def __init__(self, setup: EngineSetup, slot: int, spawner: Spawner):
        self.setup, self.slot, self.spawner = setup, slot, spawner
        self.proc: subprocess.Popen | None = None
        self.ctl: socket.socket | None = None
        self.notes: list[str] = []
        self.peak_memory = 0
        self.ready = False
        self.parked: set[int] = set()    # pids of this notebook's parked jobs: spared by a job's kill
        self.turn: Turn | None = None    # the notebook's turn in the engine's kernel watch
        self.beside_others = False       # a job was stopped for kernel memory others may hold
        self.kernel_from: int | None = None  # the machine's kernel slabs when the notebook's first job began
        lim = setup.limits
        self.cgroups, self.cgroup_notes = JobCgroups.create(slot, lim.memory_mb, lim.max_processes)

    def start(self) -> None:
        self.ready = False
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        index = (os.getpid() % 100_000) * 16 + self.slot       # which private uid its jobs get
        self.proc = self.spawner.popen(
            [PYTHON, "-m", "grader.child.server", str(theirs.fileno())], pass_fds=[theirs.fileno()],
            env=child_env({"GRADER_PARENT": marker(), "GLIBC_TUNABLES": MALLOC_TUNABLES,
                           "GRADER_ID_INDEX": str(index)}),
            cwd=str(self.setup.data_home),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        theirs.close()
        self.ctl = ours
        s = self.setup
        uid = UID_BASE + index
        ours.send(json.dumps({"cells": s.template_cells, "keep": s.keep_names, "imports": s.imports_source,
                              "data_home": str(s.data_home), "uid": uid}).encode())

    def wait_ready(self) -> None:
        self.ctl.settimeout(START_TIMEOUT_S)
        try:
            data = self.ctl.recv(1 << 20)
        except socket.timeout:
            raise WorkerDied("the worker did not start within 2 minutes") from None
        finally:
            self.ctl.settimeout(None)
        msg = json.loads(data) if data else {"type": "failed", "error": self._stderr()}
        if msg.get("type") != "ready":
            raise WorkerDied(f"the worker could not build the provided context: {msg.get('error')}")
        self.notes = list(msg.get("notes", [])) + self.cgroup_notes
        self.ready = True

    def _stderr(self) -> str:
        try:
            self.proc.kill()
            return self.proc.stderr.read().decode(errors="replace")[-2000:]
        except Exception:  # noqa: BLE001
            return "worker exited"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self, remove_cgroups: bool = False) -> None:
        self.parked.clear()
        if self.ctl is not None:
            try:
                self.ctl.send(json.dumps({"op": "exit"}).encode())
            except OSError:
                pass
            self.ctl.close()
            self.ctl = None
        if self.proc is not None:
            if not self.ready:      # still importing (Ctrl-C during a start): it reads no socket yet
                self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.proc.stderr:
                self.proc.stderr.close()
            self.proc = None
        if remove_cgroups and self.cgroups is not None:
            self.cgroups.remove()

    def restart(self) -> None:
        self.close()
        self.start()
        self.wait_ready()

    def _ctl_recv(self, timeout: float) -> dict:
        self.ctl.settimeout(timeout)
        try:
            data = self.ctl.recv(1 << 16)
        except (socket.timeout, OSError):
            raise WorkerDied("no answer from the worker") from None
        finally:
            if self.ctl is not None:
                self.ctl.settimeout(None)
        if not data:
            raise WorkerDied("the worker exited")
        return json.loads(data)

    def _ctl_op(self, msg: dict) -> dict:
        try:
            self.ctl.send(json.dumps(msg).encode())
        except OSError:
            raise WorkerDied("the worker is gone") from None
        return self._ctl_recv(30)

    def _probe(self, run: "_Run", last: int) -> None:
        """Observe the cell, one set of parameters at a time (the public one first), up to run
        ``last``: what the process learns of a later run's parameters arrives only after the
        earlier run's reply. Nothing a later run sends or does is shown in words of its own
        (run.phase tells which run a crash ended)."""
        job, outcome = run.job, run.outcome
        name = job.probe + ("+reference" if job.trusted and job.probe + "+reference" in probes.PROBES else "")
        while run.phase < last:
            run.phase += 1
            i, params = run.phase, run.params[run.phase]
            nonce = secrets.token_hex(16)
            wire.send(run.sock, {"code": probes.compiled(name) if i == 0 else None, "params": params, "nonce": nonce})
            reply = validate(wire.recv(run.sock, deadline=run.deadline, tick=run.monitor.check, max_bytes=RESULT_BYTES),
                             RESULT, "result")
            if reply["type"] != "result" or reply["nonce"] != nonce:
                raise InvalidObservation("the reply did not answer the grader's request")
            if "refused" in reply:
                outcome.probe_error = (f"not checked: {cut(reply['refused'], 200)}; remove that from the cell"
                                       if i == 0 else HIDDEN_RUN_FAILED)
                run.done = True
                return
            if "error" in reply:     # the text of a later (hidden) run is never shown
                outcome.probe_error = reply["error"] if i == 0 else HIDDEN_RUN_FAILED
                run.done = True
                return
            if "data" not in reply:
                raise InvalidObservation("an empty result")
            data = only_this_run(validate(reply["data"], SCHEMAS[job.probe], job.probe), params)
            if i > 0 and run.observed.get("runs") and not set(params.get("runs") or {}) <= set(data.get("runs") or {}):
                # A reply that leaves out the run asked for read "incomplete result", a third text
                # beside "failed" and the checks' own, chosen by the hidden run (review 182).
                raise InvalidObservation("a reply without the run that was asked for")
            runs = {**run.observed.get("runs", {}), **(data.get("runs") or {})}
            run.observed = {**data, **run.observed, "runs": runs} if run.observed else data
        if run.phase == len(run.params) - 1:
            outcome.probe = run.observed
            run.done = True

    def _kill_job(self, run: "_Run") -> None:
        try:
            self.ctl.send(json.dumps({"op": "kill", "job": run.number}).encode())
        except OSError:
            pass
        if run.monitor is not None:
            run.monitor.kill()

    def _guarded(self, run: "_Run", step) -> None:
        """Run one step of a job; whatever the job does wrong becomes its outcome and ends it."""
        outcome = run.outcome
        started = time.monotonic()
        overdue = _Overdue(run)
        try:
            step()
        except wire.ChannelTimeout:
            self._kill_job(run)
            outcome.status = Status.TIMEOUT
            outcome.error = timeout_message(run.phase, run.timeout, run.job.source or "")
        except LimitExceeded as exc:
            self._kill_job(run)
            self._stopped(run, exc)
        except (wire.ChannelClosed, ConnectionError, wire.InvalidMessage, InvalidObservation) if overdue.fired else ():
            self._kill_job(run)                 # ended by the clock, in whatever state its reply was
            outcome.status, outcome.probe = Status.TIMEOUT, None
            outcome.error = timeout_message(run.phase, run.timeout, run.job.source or "")
        except (wire.ChannelClosed, ConnectionError):
            outcome.status = Status.CRASHED
        except (wire.InvalidMessage, InvalidObservation) as exc:
            self._kill_job(run)
            outcome.status, outcome.probe, run.replace = Status.INVALID, None, True
            why = cut(str(exc), 120) if run.phase < 1 else "during the check with the grader's values"
            outcome.error = f"invalid reply from the student's process ({why}); it was stopped"
        else:
            return
        finally:
            overdue.cancel()
            run.used += time.monotonic() - started
        run.done = True

    def begin(self, job: CellJob, timeout: float) -> "_Run":
        """Fork the job, run its cell and the public run of its probe. The job stays alive when
        runs with hidden parameters are left (``park`` it, then ``resume`` and ``finish``)."""
        lim = self.setup.limits
        header = {"op": "run", "cpu_s": int(timeout) + 5, "file_size_mb": lim.file_size_mb,
                  "disk_mb": lim.disk_mb, "max_processes": lim.max_processes, "output_bytes": lim.output_bytes}
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        run = _Run(job=job, outcome=CellOutcome(cell_id=job.cell_id, status=Status.OK), sock=ours, timeout=timeout,
                   params=phases(job.params) if job.probe else [], deadline=time.monotonic() + timeout)
        try:
            socket.send_fds(self.ctl, [json.dumps(header).encode()], [theirs.fileno()])
        except OSError:
            ours.close()
            raise WorkerDied("the worker is gone") from None
        finally:
            theirs.close()
        try:
            run.number = int(self._ctl_recv(30)["started"])          # the job was forked
        except (KeyError, TypeError, ValueError):
            ours.close()
            raise WorkerDied("the worker did not start the job") from None
        self._guarded(run, lambda: self._execute(run))
        return run

    def _execute(self, run: "_Run") -> None:
        lim, outcome = self.setup.limits, run.outcome
        pid = wire.recv_hello(run.sock, deadline=time.monotonic() + 30)
        ready = validate(wire.recv(run.sock, deadline=time.monotonic() + 30), READY, "ready")
        outcome.notes = ready["notes"] + self.cgroup_notes      # said before any student code ran
        if self.cgroups is not None:
            self.cgroups.enter(pid)
        run.pid = pid
        run.monitor = TreeMonitor(pid, lim.memory_mb, lim.max_processes, self.cgroups, spare=self.parked,
                                  turn=self.turn, file_mb=lim.file_size_mb, kernel_from=self.kernel_from)
        self.kernel_from = run.monitor.kernel_from
        source = run.job.source if run.job.source is None else without_magics(run.job.source)
        shown = {"shown": run.job.source} if source != run.job.source else {}
        wire.send(run.sock, {"cell_id": run.job.cell_id, "source": source, **shown})
        executed = validate(wire.recv(run.sock, deadline=run.deadline, tick=run.monitor.check,
                                      max_bytes=lim.output_bytes * 6 + 65536), EXECUTED, "executed")
        if executed["type"] != "executed":
            raise InvalidObservation("a result came before the cell had finished")
        outcome.output = executed["output"]
        outcome.error = executed["error"]
        if outcome.error:
            # Jupyter keeps what a cell defined before it raised, and so do the checks: the probe
            # still looks (a self-test at the cell's end that fails costs the checks it breaks).
            outcome.status = Status.ERROR
        if not run.params:
            run.done = True
        else:
            self._probe(run, 0)

    def _memory_check(self, run: "_Run") -> None:
        if self.cgroups is not None and self.cgroups.hit_memory_cap() and run.outcome.status != Status.INVALID:
            run.outcome.status = Status.MEMORY
            run.outcome.error = f"the cell used more than {self.setup.limits.memory_mb} MB of memory and was stopped"
            run.done = True

    def park(self, run: "_Run") -> None:
        """Stop the job until the notebook's other public runs are done; end what it left running."""
        self._memory_check(run)
        if run.done:
            return
        self._ctl_op({"op": "park", "job": run.number})
        self.parked.add(run.pid)
        run.public = (run.outcome.status, run.outcome.error)

    def resume(self, run: "_Run", left: float) -> None:
        """The runs with hidden parameters, within what is left of the cell's time limit."""
        self._ctl_op({"op": "resume", "job": run.number})
        self.parked.discard(run.pid)
        run.deadline = time.monotonic() + max(0.0, min(run.timeout - run.used, left))
        self._guarded(run, lambda: self._probe(run, len(run.params) - 1))

    def finish(self, run: "_Run", why_not: str = "") -> tuple[CellOutcome, bool]:
        """End the job; return its outcome and whether this worker must be replaced. ``why_not``:
        the runs left were not done (a fixed text, for the student)."""
        outcome = run.outcome
        self.parked.discard(run.pid)
        if why_not and not run.done:
            self._kill_job(run)
            outcome.status, outcome.probe, outcome.error = Status.TIMEOUT, None, why_not
        try:
            wire.send(run.sock, {"params": None})       # done: the job ends
        except OSError:
            pass                                        # it already has
        run.sock.close()
        try:
            self.ctl.send(json.dumps({"op": "wait", "job": run.number}).encode())
        except OSError:
            raise WorkerDied("the worker is gone") from None
        try:
            done = self._ctl_recv_watching(run, 30)
        except WorkerDied:
            self._kill_job(run)
            raise
        self._memory_check(run)
        if outcome.status == Status.CRASHED and not outcome.error:
            # How a run with hidden parameters ended (its exit code, its signal) is the student's
            # to choose: a fixed text, or the code would carry 8 bits of a hidden value out.
            outcome.error = describe_exit(int(done.get("exit", -9))) if run.phase < 1 else HIDDEN_RUN_ENDED
        if run.public is not None and (outcome.probe is None or outcome.status != run.public[0]):
            # The runs with hidden values did not all complete: however that came about (raised,
            # refused, timed out, crashed, out of memory, an invalid reply, the notebook's time used
            # up), it reads as one outcome, the public run's status and the one fixed text. Each way
            # had a status and a flag of its own, two bits a cell of a hidden value, chosen by the
            # run (a hundred-and-seventy-fifth review's lead). Stopped at the memory cap after its reply
            # too (a child still allocating as the job ended: a hundred-and-seventy-ninth's lead).
            outcome.status, outcome.error = run.public
            outcome.probe, outcome.probe_error = None, HIDDEN_RUN_FAILED
        outcome.seconds = run.used
        if run.monitor is not None:
            self.peak_memory = max(self.peak_memory, run.monitor.peak)
        return outcome, run.replace

    def _ctl_recv_watching(self, run: "_Run", timeout: float) -> dict:
        """The worker's answer to "wait", the job watched meanwhile: it runs until it exits (the
        worker gives it a few seconds), and a job that had replaced ``os._exit`` used them
        unwatched to grow the machine's kernel memory past the limit at 50/50 (a
        hundred-and-twenty-sixth review)."""
        end = time.monotonic() + timeout
        stopped = False
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise WorkerDied("no answer from the worker")
            ready, _, _ = select.select([self.ctl], [], [], min(left, wire.TICK_S))
            if ready:
                return self._ctl_recv(max(1.0, end - time.monotonic()))
            if stopped or run.monitor is None:
                continue
            try:
                run.monitor.check()
            except LimitExceeded as exc:
                stopped = True
                run.monitor.kill()
                run.outcome.probe = None
                self._stopped(run, exc)

    def _stopped(self, run: "_Run", exc: LimitExceeded) -> None:
        """A limit stopped the job: its outcome says which; kernel memory grown beside other
        notebooks marks this one for a second pass alone."""
        run.outcome.status = Status(exc.kind)
        run.outcome.error = f"the cell {exc} and was stopped"
        self.beside_others = self.beside_others or isinstance(exc, KernelGrewBesideOthers)

    def end(self) -> None:
        """End everything the notebook's jobs left; the next notebook's jobs start clean."""
        self.parked.clear()
        self._ctl_op({"op": "end"})
        if self.cgroups is not None:
            # What the notebook's processes met at the cap while they were ended is theirs, not the
            # next notebook's first job's (the count is the worker's; a hundred-and-seventy-ninth review's lead).
            self.cgroups.hit_memory_cap()


@dataclass
class _Run:
    """One job between its steps: forked, perhaps parked with runs left."""
    job: CellJob
    outcome: CellOutcome
    sock: socket.socket
    timeout: float                  # the cell's limit, fixed when it started (public runs only before)
    params: list[dict]              # the probe's runs, public first
    deadline: float
    number: int = -1                # the worker's name for it
    pid: int = 0
    monitor: TreeMonitor | None = None
    phase: int = -1                 # the probe run under way or done last (0: public)
    observed: dict = field(default_factory=dict)
    used: float = 0.0               # seconds the job ran, parked time not counted
    done: bool = False              # nothing left to run
    replace: bool = False
    public: tuple | None = None     # (status, error) when parked after its public run


class _Overdue:
    """The wall-clock limit kept by a clock of its own: the job is killed at its deadline and the
    grace for a reply read late, whatever the grader's own thread is doing then. That thread's
    watch reads the job's /proc files, which a job can make take seconds a pass (holding its
    memory-map lock: a two-hundred-and-sixteenth review ran a cell about 74 s of its 60 s limit)."""

    def __init__(self, run: "_Run"):
        self.run, self.fired, self.lock = run, False, threading.Lock()
        self.timer = threading.Timer(max(0.0, run.deadline + wire.LATE_GRACE_S - time.monotonic()), self._fire)
        self.timer.daemon = True
        self.timer.start()

    def _fire(self) -> None:
        with self.lock:
            if self.timer is None or self.run.monitor is None:
                return
            self.fired = True
            self.run.monitor.kill()             # signals only: the control socket stays the grader thread's

    def cancel(self) -> None:
        with self.lock:
            self.timer.cancel()
            self.timer = None


def timeout_message(phase: int, limit: float, source: str = "") -> str:
    """Which part ran out of time: the cell itself, or the grader's call of what it defined (a
    function or model that loops only when called); a student's review: a `train_and_test` that
    never ended was told its cell did not finish, and the cell ran in no time. A `sleep` in the
    cell is named. The runs with hidden values get a fixed text."""
    waits = _sleeps(source) if phase <= 0 else []
    slept = (f"`sleep` on line{'s' if len(waits) > 1 else ''} {', '.join(map(str, waits[:3]))}" if waits else "")
    if phase < 0:
        return (f"the cell did not finish within {limit:.0f} s ({'it calls ' + slept + ', or an' if slept else 'an'} "
                f"endless loop?); it was stopped")
    if phase == 0:
        # Said in the student's terms: which call, with which values (a hundred-and-fifty-fourth
        # review read "the check's call of what it defines" as jargon).
        return (f"the cell ran, but calling what it defines (the grader calls your function or model with the "
                f"assignment's values, as the notebook's own cells below it do) did not finish within the cell's "
                f"{limit:.0f} s: " + (f"it calls {slept}, which the grader waits for too: remove it. Or a loop that "
                                      f"never ends, or training far slower than it needs to be?" if slept else
                                      "a loop that never ends, or training far slower than it needs to be?")
                + " It was stopped")
    return HIDDEN_RUN_TIMEOUT


def _sleeps(source: str) -> list[int]:
    """The lines where the cell waits on purpose (`time.sleep(40)`, `from time import sleep`): named when it
    runs out of time (a fairness review, 291: a `sleep` after the plot read "a loop that never ends, or
    training far slower than it needs to be?"). Read here, with the syntax tree only: the engine loads no
    notebook library before its workers start."""
    tree = python_tree(source)
    if tree is None:
        return []
    return sorted({n.lineno for n in walk(tree) if isinstance(n, ast.Call) and (
        isinstance(n.func, ast.Attribute) and n.func.attr == "sleep" or
        isinstance(n.func, ast.Name) and n.func.id == "sleep")})


HIDDEN_RUN_TIMEOUT = "the check with the grader's values did not finish within the cell's time limit; it was stopped"
HIDDEN_RUN_FAILED = "the check with the grader's values failed"
HIDDEN_RUN_ENDED = "the process ended during the check with the grader's values"

READY = Obj(required={"type": str, "notes": List(str, 64)})
EXECUTED = Obj(required={"type": str, "error": str, "output": str, "seconds": float})
RESULT = Obj(required={"type": str, "nonce": str}, optional={"data": ANY, "error": str, "refused": str})


def only_this_run(data: dict, params: dict) -> dict:
    """A reply describes the run it was asked for and no other: a reply in the hidden run that
    also carried a 'public' run (its text made of hidden values) would replace what the public
    run said, and the public run's words are shown to the student."""
    asked = params.get("runs")
    if isinstance(asked, dict) and isinstance(data.get("runs"), dict) and not set(data["runs"]) <= set(asked):
        raise InvalidObservation("a reply for a run that was not asked for")
    return data


def phases(params: dict) -> list[dict]:
    """A probe's parameters split into its runs, in order (public before hidden)."""
    runs = params.get("runs")
    if not isinstance(runs, dict) or len(runs) < 2:
        return [params]
    return [{**params, "runs": {label: p}} for label, p in runs.items()]


def _floor(w: "Worker") -> int | None:
    return w.turn.start if w.turn is not None else None


def _end_or_restart(w: "Worker") -> None:
    """The notebook's jobs ended (the worker is sound: its next notebook need not wait for a new
    one to import torch), or the worker replaced if it is gone."""
    try:
        w.end()
    except WorkerDied:
        w.restart()


def _show_first_pass(run: "_Run", outcome: CellOutcome, observed: dict) -> None:
    """A second pass's job takes the first pass's public run as its own; the hidden runs follow
    on it. When this pass ended the job in its public run, the hidden runs did not happen."""
    run.outcome = copy.copy(outcome)
    # The status and words a failed hidden run falls back to are the first pass's too: this pass's
    # own public run came after the first pass's hidden runs (a hundred-and-eighty-second review's lead).
    run.public = (run.outcome.status, run.outcome.error)
    if run.done:
        run.outcome.probe, run.outcome.probe_error = None, HIDDEN_RUN_FAILED
    else:
        run.observed = observed


def describe_exit(code: int) -> str:
    if code < 0:
        import signal as sig
        try:
            name = sig.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        what = {"SIGSEGV": "a segmentation fault (crash in native code)", "SIGKILL": "being killed",
                "SIGABRT": "an abort", "SIGXCPU": "using up its CPU time"}.get(name, name)
        return f"the cell's process died from {what}; the rest of the notebook was still graded"
    return (f"the cell ended its own process (exit code {code}, e.g. os._exit); "
            f"remove that call. The rest of the notebook was still graded")


class ForkEngine:
    name = "fork"

    def __init__(self, setup: EngineSetup):
        self.setup = setup
        self.workers: list[Worker] = []
        self.free: queue.Queue[Worker] = queue.Queue()
        self.closed = threading.Event()
        self.spawner: Spawner | None = None
        self.gate = Gate()
        self.watch: KernelWatch | None = None    # set when a worker's jobs have no memory cgroup
        self.regraded_alone = 0                  # notebooks graded again alone (kernel memory)

    @property
    def notes(self) -> list[str]:
        """Limits this machine did not allow, as the workers reported them."""
        return sorted({n for w in self.workers for n in w.notes})

    def start(self, wait: bool = True) -> None:
        """Start the workers; ``wait=False`` returns while they import (``wait_ready`` then waits),
        so the caller can do its own setup meanwhile."""
        end_leftovers()
        self.spawner = Spawner()
        self.workers = [Worker(self.setup, i, self.spawner) for i in range(max(1, self.setup.jobs))]
        for w in self.workers:      # start all first: they import torch side by side
            w.start()
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        for w in self.workers:
            if not w.ready:
                w.wait_ready()
                self.free.put(w)
        if self.watch is None and any(w.cgroups is None or w.cgroups.memory is None for w in self.workers):
            if kernel_unreclaimable():
                self.watch = KernelWatch(self.setup.limits.kernel_memory_mb * 2**20)
                if self.watch.note:
                    for w in self.workers:
                        w.cgroup_notes = [*w.cgroup_notes, self.watch.note]
            else:
                for w in self.workers:
                    w.cgroup_notes = [*w.cgroup_notes, "kernel memory: the machine's SUnreclaim cannot be read "
                                      "(/proc/meminfo); kernel objects are limited by the system-call filter only"]

    def close(self) -> None:
        self.closed.set()       # threads still grading stop instead of restarting workers
        for w in self.workers:
            w.close(remove_cgroups=True)
        self.workers = []
        if self.spawner is not None:
            self.spawner.stop()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    @contextmanager
    def worker(self):
        w = self.free.get()
        try:
            yield w
        finally:
            self.free.put(w)

    def run(self, jobs: list[CellJob], notebook_timeout: float | None = None) -> list[CellOutcome]:
        """Run one notebook's jobs on one worker, each in its own fork, within the time limits:
        first every cell with its public run, then (the jobs waiting, parked) the runs with hidden
        parameters. No public run, and so no message a student is shown, comes after a hidden run:
        a public run could read the clock, and a hidden run chooses when it ends. A notebook
        stopped for the machine's kernel memory while others ran beside it is graded again alone
        (kernelwatch): it may have been a neighbour's."""
        with self.gate.shared():
            outcomes, kept = self._run(jobs, notebook_timeout)
        if kept is None:
            return outcomes
        self.regraded_alone += 1
        with self.gate.alone(), self.watch.alone():
            return self._run(jobs, notebook_timeout, kept)[0]

    def _run(self, jobs: list[CellJob], notebook_timeout: float | None,
             kept: _Kept | None = None) -> tuple[list[CellOutcome], _Kept | None]:
        """The notebook's two passes; returns what to keep instead of outcomes when a job was
        stopped for kernel memory beside others (``kept``: the first pass's, for a second pass)."""
        lim = self.setup.limits
        budget = notebook_timeout or lim.notebook_timeout_s
        end = time.monotonic() + budget
        with self.worker() as w:
            turn = self.watch.begin(kept.floor if kept is not None else None) if self.watch is not None else None
            w.turn, w.beside_others, w.kernel_from = turn, False, None
            try:
                return self._passes(w, jobs, end, budget, kept)
            except Exception:
                # Whatever escaped the engine's own rules (a reply no rule foresaw, a bug) leaves the
                # worker in a state nobody knows: the notebook's jobs may still run, and would meet
                # the next notebook's. The worker is replaced before it goes back to the pool, and
                # the error is the notebook's alone (a two-hundred-and-twelfth review: a job that
                # outlived its notebook so killed the next classmate's jobs, 20/50).
                if not self.closed.is_set():
                    w.restart()
                raise
            finally:
                w.turn = None
                if turn is not None:
                    self.watch.end(turn)

    def _passes(self, w: "Worker", jobs: list[CellJob], end: float, budget: float,
                kept: _Kept | None) -> tuple[list[CellOutcome], _Kept | None]:
        try:
            outcomes, parked, replace = self._public_runs(w, jobs, end, budget, kept)
        except _BesideOthers:
            _end_or_restart(w)
            return [], _Kept(floor=_floor(w))  # no hidden run had begun: the second pass starts afresh
        # Copies of the outcomes' fields (the hidden runs set them anew); an observation is never
        # changed in place (each run's reply makes a new one), so it is kept as it is.
        first = _Kept({i: o for i, o in enumerate(outcomes) if o is not None},
                      {i: (copy.copy(run.outcome), run.observed) for i, run in parked}, _floor(w))
        try:
            for i, run in parked:
                if self.closed.is_set():
                    raise WorkerDied("the engine was closed (batch interrupted)")
                left = end - time.monotonic()
                if left <= 0:
                    outcomes[i], rep = w.finish(run, f"not checked with the grader's values: the notebook used up "
                                                     f"its {budget:.0f} s time limit")
                else:
                    w.resume(run, left)
                    outcomes[i], rep = w.finish(run)
                replace = replace or rep
                if w.beside_others:
                    raise _BesideOthers()
            w.end()
        except WorkerDied:
            if self.closed.is_set():
                raise
            for i, run in parked:
                run.sock.close()
                if outcomes[i] is None:     # lost with the worker: as any run with hidden values that failed
                    run.outcome.probe, run.outcome.probe_error = None, HIDDEN_RUN_FAILED
                    if run.public is not None:
                        run.outcome.status, run.outcome.error = run.public
                    outcomes[i] = run.outcome
            replace = True
        except _BesideOthers:
            for _, run in parked:
                run.sock.close()
            _end_or_restart(w)
            return [], first
        if replace:
            w.restart()
        return outcomes, None

    def _public_runs(self, w: Worker, jobs: list[CellJob], end: float, budget: float, kept: _Kept | None = None):
        """Every job's cell and public run; return the outcomes so far, the parked jobs and
        whether the worker must be replaced after the notebook. A worker that dies here is
        replaced and the pass starts over (no hidden run has happened yet); a job that took two
        workers with it is not run a third time. ``kept``: a first pass's public runs, which the
        student is shown instead of this pass's (see _Kept)."""
        lim = self.setup.limits
        died: dict[int, str] = {}
        while True:
            outcomes: list[CellOutcome | None] = [None] * len(jobs)
            parked: list[tuple[int, _Run]] = []
            replace, current = False, -1
            try:
                if not w.alive():
                    w.restart()
                for i, job in enumerate(jobs):
                    current = i
                    if self.closed.is_set():
                        raise WorkerDied("the engine was closed (batch interrupted)")
                    left = end - time.monotonic()
                    if left <= 0:
                        outcomes[i] = CellOutcome(job.cell_id, Status.TIMEOUT, error=(
                            f"not run: the notebook used up its {budget:.0f} s time limit before this cell"))
                    elif kept is not None and i in kept.finals:
                        outcomes[i] = kept.finals[i]
                    elif died.get(i, "").startswith("again:"):
                        outcomes[i] = CellOutcome(job.cell_id, Status.CRASHED,
                                                  error=f"grader worker failed: {died[i][6:]}")
                    else:
                        run = w.begin(job, min(lim.cell_timeout_s, left))
                        w.park(run)
                        if kept is not None and i in kept.parked:
                            _show_first_pass(run, *kept.parked[i])
                        if run.done:
                            outcomes[i], rep = w.finish(run)
                            replace = replace or rep
                        else:
                            parked.append((i, run))
                        if w.beside_others:
                            raise _BesideOthers()
                return outcomes, parked, replace
            except _BesideOthers:
                for _, run in parked:
                    run.sock.close()
                raise
            except WorkerDied as exc:
                if self.closed.is_set():
                    raise
                for _, run in parked:
                    run.sock.close()
                died[current] = ("again:" if current in died else "") + str(exc)
                w.restart()
