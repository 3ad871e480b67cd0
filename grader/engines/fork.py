"""The fast engine: warm forked workers.

A naive grader pays ~4 s per notebook to import torch; here each worker pays it once. One
``Worker`` owns one warm process (``grader.child.server``); for every graded cell it forks a job
that runs the cell in a fresh copy of the provided context, then the probe the grader sends, and
answers over a socketpair only this job holds. The grader enforces wall time from outside, puts
the job in its memory and pids cgroups, and kills the whole tree at a limit. A reply that breaks
the protocol fails that job only, and its worker is replaced.
"""
from __future__ import annotations

import json
import os
import queue
import secrets
import socket
import subprocess
import threading
import time
from concurrent.futures import Future
from contextlib import contextmanager

from .. import probes
from ..child import wire
from ..observations import ANY, SCHEMAS, InvalidObservation, List, Obj, cut, validate
from ..results import CellOutcome, Status
from .base import PYTHON, CellJob, EngineSetup, child_env
from .cgroups import JobCgroups
from .leftovers import end_leftovers, marker
from .monitor import LimitExceeded, TreeMonitor

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
        lim = setup.limits
        self.cgroups, self.cgroup_notes = JobCgroups.create(slot, lim.memory_mb, lim.max_processes)

    def start(self) -> None:
        self.ready = False
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = self.spawner.popen(
            [PYTHON, "-m", "grader.child.server", str(theirs.fileno())], pass_fds=[theirs.fileno()],
            env=child_env({"GRADER_PARENT": marker(), "GLIBC_TUNABLES": MALLOC_TUNABLES}),
            cwd=str(self.setup.data_home),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        theirs.close()
        self.ctl = ours
        s = self.setup
        uid = UID_BASE + (os.getpid() % 100_000) * 16 + self.slot
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

    def _probe(self, sock, job: CellJob, outcome: CellOutcome, deadline: float, monitor: TreeMonitor,
               phase: list[int]) -> None:
        """Observe the cell, one set of parameters at a time (the public one first): what the
        process learns of a later run's parameters arrives only after the earlier run's reply.
        Nothing a later run sends or does is shown in words of its own (phase[0] tells the caller
        which run a crash ended)."""
        name = job.probe + ("+reference" if job.trusted and job.probe + "+reference" in probes.PROBES else "")
        code = probes.compiled(name)
        observed: dict = {}
        for i, params in enumerate(phases(job.params)):
            phase[0] = i
            nonce = secrets.token_hex(16)
            wire.send(sock, {"code": code if i == 0 else None, "params": params, "nonce": nonce})
            reply = validate(wire.recv(sock, deadline=deadline, tick=monitor.check, max_bytes=RESULT_BYTES),
                             RESULT, "result")
            if reply["type"] != "result" or reply["nonce"] != nonce:
                raise InvalidObservation("the reply did not answer the grader's request")
            if "refused" in reply:
                outcome.probe_error = (f"not checked: {cut(reply['refused'], 200)}; remove that from the cell"
                                       if i == 0 else HIDDEN_RUN_FAILED)
                return
            if "error" in reply:     # the text of a later (hidden) run is never shown
                outcome.probe_error = reply["error"] if i == 0 else HIDDEN_RUN_FAILED
                return
            if "data" not in reply:
                raise InvalidObservation("an empty result")
            data = only_this_run(validate(reply["data"], SCHEMAS[job.probe], job.probe), params)
            runs = {**observed.get("runs", {}), **(data.get("runs") or {})}
            observed = {**data, **observed, "runs": runs} if observed else data
        outcome.probe = observed

    def _kill_job(self, monitor: TreeMonitor | None) -> None:
        try:
            self.ctl.send(json.dumps({"op": "kill"}).encode())
        except OSError:
            pass
        if monitor is not None:
            monitor.kill()

    def run(self, job: CellJob, timeout: float) -> tuple[CellOutcome, bool]:
        """Run one job; return its outcome and whether this worker must be replaced."""
        lim = self.setup.limits
        header = {"op": "run", "cpu_s": int(timeout) + 5, "file_size_mb": lim.file_size_mb,
                  "disk_mb": lim.disk_mb, "max_processes": lim.max_processes, "output_bytes": lim.output_bytes}
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        t0 = time.monotonic()
        deadline = t0 + timeout
        try:
            socket.send_fds(self.ctl, [json.dumps(header).encode()], [theirs.fileno()])
        except OSError:
            raise WorkerDied("the worker is gone") from None
        finally:
            theirs.close()
        self._ctl_recv(30)                                    # the job was forked
        outcome = CellOutcome(cell_id=job.cell_id, status=Status.OK)
        monitor, replace = None, False
        phase = [-1]                                          # the probe run under way (0: public)
        try:
            pid = wire.recv_hello(ours, deadline=time.monotonic() + 30)
            ready = validate(wire.recv(ours, deadline=time.monotonic() + 30), READY, "ready")
            outcome.notes = ready["notes"] + self.cgroup_notes      # said before any student code ran
            if self.cgroups is not None:
                self.cgroups.enter(pid)
            monitor = TreeMonitor(pid, lim.memory_mb, lim.max_processes, self.cgroups)
            wire.send(ours, {"cell_id": job.cell_id, "source": job.source})
            executed = validate(wire.recv(ours, deadline=deadline, tick=monitor.check,
                                          max_bytes=lim.output_bytes * 6 + 65536), EXECUTED, "executed")
            if executed["type"] != "executed":
                raise InvalidObservation("a result came before the cell had finished")
            outcome.output = executed["output"]
            outcome.error = executed["error"]
            if outcome.error:
                outcome.status = Status.ERROR
            if job.probe and not outcome.error:
                self._probe(ours, job, outcome, deadline, monitor, phase)
            try:
                wire.send(ours, {"params": None})       # done: the job ends
            except OSError:
                pass                                    # it already has
        except wire.ChannelTimeout:
            self._kill_job(monitor)
            outcome.status = Status.TIMEOUT
            outcome.error = (f"the cell did not finish within {timeout:.0f} s (endless loop or sleep?); "
                             f"it was stopped")
        except LimitExceeded as exc:
            self._kill_job(monitor)
            outcome.status = Status(exc.kind)
            outcome.error = f"the cell {exc} and was stopped"
        except (wire.ChannelClosed, ConnectionError):
            outcome.status = Status.CRASHED
        except (wire.InvalidMessage, InvalidObservation) as exc:
            self._kill_job(monitor)
            outcome.status, outcome.probe, replace = Status.INVALID, None, True
            why = cut(str(exc), 120) if phase[0] < 1 else "during the check with the grader's values"
            outcome.error = f"invalid reply from the student's process ({why}); it was stopped"
        finally:
            ours.close()
        try:
            done = self._ctl_recv(30)
        except WorkerDied:
            self._kill_job(monitor)
            raise
        if self.cgroups is not None and self.cgroups.hit_memory_cap() and outcome.status != Status.INVALID:
            outcome.status = Status.MEMORY
            outcome.error = f"the cell used more than {lim.memory_mb} MB of memory and was stopped"
        if outcome.status == Status.CRASHED and not outcome.error:
            # How a run with hidden parameters ended (its exit code, its signal) is the student's
            # to choose: a fixed text, or the code would carry 8 bits of a hidden value out.
            outcome.error = describe_exit(int(done.get("exit", -9))) if phase[0] < 1 else HIDDEN_RUN_ENDED
        outcome.seconds = time.monotonic() - t0
        if monitor is not None:
            self.peak_memory = max(self.peak_memory, monitor.peak)
        return outcome, replace


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
        """Run one notebook's jobs on one worker, each in its own fork, within the time limits."""
        lim = self.setup.limits
        budget = notebook_timeout or lim.notebook_timeout_s
        end = time.monotonic() + budget
        outcomes = []
        with self.worker() as w:
            for job in jobs:
                left = end - time.monotonic()
                if left <= 0:
                    outcomes.append(CellOutcome(job.cell_id, Status.TIMEOUT, error=(
                        f"not run: the notebook used up its {budget:.0f} s time limit before this cell")))
                    continue
                for attempt in (1, 2):
                    if self.closed.is_set():
                        raise WorkerDied("the engine was closed (batch interrupted)")
                    try:
                        if not w.alive():
                            w.restart()
                        outcome, replace = w.run(job, min(lim.cell_timeout_s, left))
                        outcomes.append(outcome)
                        if replace:
                            w.restart()
                        break
                    except WorkerDied as exc:
                        if self.closed.is_set():
                            raise
                        w.restart()
                        if attempt == 2:
                            outcomes.append(CellOutcome(job.cell_id, Status.CRASHED,
                                                        error=f"grader worker failed: {exc}"))
        return outcomes
