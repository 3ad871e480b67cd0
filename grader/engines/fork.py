"""The fast engine: warm forked workers.

A naive grader pays ~4 s per notebook to import torch; here each worker pays it once. One
``Worker`` owns one warm parent (``grader.zygote``); for every graded cell the parent forks a
child that applies the limits, runs the cell in a fresh copy of the provided context, runs the
probe and answers over a socketpair that only this job holds. The grader side enforces wall
time, memory and process count from outside and kills the child's whole tree.
"""
from __future__ import annotations

import json
import queue
import secrets
import socket
import subprocess
import threading
import time
from contextlib import contextmanager

from .. import channel
from ..results import CellOutcome
from .base import PYTHON, CellJob, EngineSetup, child_env
from .monitor import LimitExceeded, TreeMonitor

UID_BASE = 61000          # private user ids for jobs when the grader runs as root
START_TIMEOUT_S = 120


class WorkerDied(Exception):
    pass


class Worker:
    """One warm parent process and the control socket to it."""

    def __init__(self, setup: EngineSetup, slot: int):
        self.setup = setup
        self.slot = slot
        self.proc: subprocess.Popen | None = None
        self.ctl: socket.socket | None = None
        self.peak_child_rss = 0

    def start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "grader.zygote", str(theirs.fileno())], pass_fds=[theirs.fileno()],
            env=child_env(), cwd=str(self.setup.data_home), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        theirs.close()
        self.ctl = ours
        s = self.setup
        ours.send(json.dumps({"cells": s.template_cells, "keep": s.keep_names, "imports": s.imports_source,
                              "data_home": str(s.data_home), "slot": self.slot, "uid_base": UID_BASE,
                              "max_processes": s.limits.max_processes}).encode())

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

    def _stderr(self) -> str:
        try:
            self.proc.kill()
            return self.proc.stderr.read().decode(errors="replace")[-2000:]
        except Exception:  # noqa: BLE001
            return "worker exited"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self) -> None:
        if self.ctl is not None:
            try:
                self.ctl.send(json.dumps({"op": "exit"}).encode())
            except OSError:
                pass
            self.ctl.close()
            self.ctl = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.proc.stderr:
                self.proc.stderr.close()
            self.proc = None

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

    def run(self, job: CellJob, timeout: float) -> CellOutcome:
        lim = self.setup.limits
        header = {"op": "run",
                  "hide": [] if job.trusted else self.setup.hide,
                  "file_size_mb": lim.file_size_mb, "max_processes": lim.max_processes,
                  "output_bytes": lim.output_bytes}
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        t0 = time.monotonic()
        try:
            socket.send_fds(self.ctl, [json.dumps(header).encode()], [theirs.fileno()])
        except OSError:
            raise WorkerDied("the worker is gone") from None
        finally:
            theirs.close()
        self._ctl_recv(30)                       # the server forked the child
        outcome = CellOutcome(cell_id=job.cell_id, status="ok")
        try:
            hello = channel.recv(ours, deadline=time.monotonic() + 30)
        except (channel.ChannelClosed, channel.ChannelTimeout, ValueError):
            ours.close()
            self._ctl_recv(30)
            raise WorkerDied("a job process did not start") from None
        monitor = TreeMonitor(int(hello["pid"]), lim.memory_mb, lim.max_processes)
        deadline = t0 + timeout
        try:
            channel.send(ours, {"cell_id": job.cell_id, "source": job.source})
            executed = channel.recv(ours, deadline=deadline, tick=monitor.check, max_bytes=lim.output_bytes * 8 + 65536)
            outcome.output = executed.get("output", "")
            outcome.error = executed.get("error", "")
            outcome.notes = executed.get("notes", [])
            if outcome.error:
                outcome.status = "error"
            nonce = secrets.token_hex(16)
            channel.send(ours, {"probe": job.probe if not outcome.error else None,
                                "params": job.params, "nonce": nonce})
            if job.probe and not outcome.error:
                reply = channel.recv(ours, deadline=deadline, tick=monitor.check)
                if not isinstance(reply, dict) or reply.get("nonce") != nonce:
                    outcome.probe_error = "the result did not come from the grader's probe"
                elif "error" in reply:
                    outcome.probe_error = str(reply["error"])
                else:
                    outcome.probe = reply.get("data")
        except channel.ChannelTimeout:
            monitor.kill()
            outcome.status = "timeout"
            outcome.error = (f"the cell did not finish within {timeout:.0f} s (endless loop or sleep?); "
                             f"it was stopped")
        except LimitExceeded as exc:
            monitor.kill()
            outcome.status = exc.kind
            outcome.error = f"the cell {exc} and was stopped"
        except (channel.ChannelClosed, ConnectionError, BrokenPipeError):
            outcome.status = "crashed"
        except ValueError as exc:
            monitor.kill()
            outcome.status = "crashed"
            outcome.error = f"the cell's process sent malformed data ({exc})"
        finally:
            ours.close()
        try:
            code = self._ctl_recv(30)["exit"]
        except WorkerDied:
            monitor.kill()
            raise
        if outcome.status == "crashed" and not outcome.error:
            outcome.error = describe_exit(code)
        outcome.seconds = time.monotonic() - t0
        self.peak_child_rss = max(self.peak_child_rss, monitor.peak_rss)
        return outcome


def describe_exit(code: int) -> str:
    if code < 0:
        import signal as sig
        try:
            name = sig.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        what = {"SIGSEGV": "a segmentation fault (crash in native code)", "SIGKILL": "being killed",
                "SIGABRT": "an abort"}.get(name, name)
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

    def start(self) -> None:
        self.workers = [Worker(self.setup, i) for i in range(max(1, self.setup.jobs))]
        for w in self.workers:      # start all first: they import torch side by side
            w.start()
        for w in self.workers:
            w.wait_ready()
            self.free.put(w)

    def close(self) -> None:
        self.closed.set()       # threads still grading stop instead of restarting workers
        for w in self.workers:
            w.close()
        self.workers = []

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
                    outcomes.append(CellOutcome(job.cell_id, "timeout", error=(
                        f"not run: the notebook used up its {budget:.0f} s time limit before this cell")))
                    continue
                for attempt in (1, 2):
                    if self.closed.is_set():
                        raise WorkerDied("the engine was closed (batch interrupted)")
                    try:
                        if not w.alive():
                            w.restart()
                        outcomes.append(w.run(job, min(lim.cell_timeout_s, left)))
                        break
                    except WorkerDied as exc:
                        if self.closed.is_set():
                            raise
                        w.restart()
                        if attempt == 2:
                            outcomes.append(CellOutcome(job.cell_id, "crashed", error=f"grader worker failed: {exc}"))
        return outcomes
