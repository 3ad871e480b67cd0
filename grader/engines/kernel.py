"""The plain path: one fresh Jupyter kernel (jupyter_client) per notebook.

This is how a straightforward nbclient-based grader works, kept as ``--engine nbclient`` for
comparison and as the baseline of the benchmark. Each graded cell still runs in a fresh copy
of the provided context, and the checks are the same, so the grades are identical to the fork
engine's; it is several times slower because every notebook pays for importing torch. Only
time limits are enforced here (a dead or stuck kernel is restarted).
"""
from __future__ import annotations

import json
import queue
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from jupyter_client import KernelManager

from .. import probes
from ..child import wire
from ..child.kernel import MIME
from ..observations import SCHEMAS, InvalidObservation, cut, validate
from ..results import CellOutcome, Status
from .base import CellJob, EngineSetup, child_env
from .fork import EXECUTED, HIDDEN_RUN_FAILED, RESULT, describe_exit, only_this_run, phases, timeout_message

START_TIMEOUT_S = 120


class KernelDied(Exception):
    pass


class _Kernel:
    def __init__(self, setup: EngineSetup):
        self.setup = setup
        self.workdir = tempfile.mkdtemp(prefix="grader-kernel-")
        # IPC (Unix sockets) instead of TCP: nothing listens on the network.
        self.km = KernelManager(kernel_name="python3", transport="ipc",
                                ip=str(Path(self.workdir) / "kernel"))
        self.km.start_kernel(env=child_env({"HOME": self.workdir}), cwd=self.workdir,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=START_TIMEOUT_S)
        s = setup
        payload = json.dumps({"cells": s.template_cells, "keep": s.keep_names, "imports": s.imports_source,
                              "data_home": str(s.data_home), "workdir": self.workdir,
                              "output_bytes": s.limits.output_bytes})
        _, error = self.execute(f"import grader.child.kernel as __grader_k\n__grader_k.init({payload!r})",
                                time.monotonic() + START_TIMEOUT_S)
        if error:
            raise KernelDied(f"the kernel could not build the provided context: {error}")

    def execute(self, code: str, deadline: float) -> tuple[list[dict], str]:
        """Run code; return (grader messages, error). Raises TimeoutError or KernelDied."""
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False)
        found, error = [], ""
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError()
            try:
                msg = self.kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                if not self.km.is_alive():
                    raise KernelDied() from None
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "display_data" and MIME in content.get("data", {}):
                found.append(wire.decode(content["data"][MIME].encode()))
            elif kind == "error":
                error = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "status" and content.get("execution_state") == "idle":
                return found, error

    def exit_code(self) -> int:
        proc = getattr(self.km.provisioner, "process", None)
        code = proc.poll() if proc is not None else None
        return code if code is not None else -9

    def close(self) -> None:
        try:
            self.kc.stop_channels()
            self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001
            pass
        shutil.rmtree(self.workdir, ignore_errors=True)


class KernelEngine:
    name = "nbclient"

    def __init__(self, setup: EngineSetup):
        self.setup = setup

    def start(self, wait: bool = True) -> None:
        pass

    def wait_ready(self) -> None:
        pass

    def close(self) -> None:
        pass

    def run(self, jobs: list[CellJob], notebook_timeout: float | None = None) -> list[CellOutcome]:
        lim = self.setup.limits
        end = time.monotonic() + (notebook_timeout or lim.notebook_timeout_s) + START_TIMEOUT_S
        kernel = _Kernel(self.setup)
        outcomes = []
        try:
            for job in jobs:
                left = end - time.monotonic()
                if left <= 0:
                    outcomes.append(CellOutcome(job.cell_id, Status.TIMEOUT, error="not run: notebook time limit"))
                    continue
                outcome, alive = self._run_one(kernel, job, min(lim.cell_timeout_s, left))
                outcomes.append(outcome)
                if not alive:
                    kernel.close()
                    kernel = _Kernel(self.setup)
        finally:
            kernel.close()
        return outcomes

    def _probe(self, kernel: _Kernel, job: CellJob, outcome: CellOutcome, deadline: float,
               phase: list[int]) -> None:
        """As the fork engine: one run at a time, the public one first."""
        name = job.probe + ("+reference" if job.trusted and job.probe + "+reference" in probes.PROBES else "")
        observed: dict = {}
        for i, params in enumerate(phases(job.params)):
            phase[0] = i
            nonce = secrets.token_hex(16)
            msgs, error = kernel.execute(
                f"__grader_k.run_probe({probes.compiled(name)!r}, {json.dumps(params)!r}, {nonce!r})", deadline)
            reply = next((m for m in msgs if isinstance(m, dict) and m.get("nonce") == nonce), None)
            if reply is None:
                outcome.probe_error = (f"the probe gave no result ({cut(error or 'no output', 200)})" if i == 0
                                       else HIDDEN_RUN_FAILED)
                return
            reply = validate(reply, RESULT, "result")
            if "error" in reply or "refused" in reply:
                outcome.probe_error = (reply.get("error") or f"not checked: {cut(reply['refused'], 200)}"
                                       if i == 0 else HIDDEN_RUN_FAILED)
                return
            data = only_this_run(validate(reply.get("data"), SCHEMAS[job.probe], job.probe), params)
            runs = {**observed.get("runs", {}), **(data.get("runs") or {})}
            observed = {**data, **observed, "runs": runs} if observed else data
        outcome.probe = observed

    def _run_one(self, kernel: _Kernel, job: CellJob, timeout: float) -> tuple[CellOutcome, bool]:
        t0 = time.monotonic()
        deadline = t0 + timeout
        outcome = CellOutcome(job.cell_id, Status.OK)
        phase = [-1]
        try:
            msgs, error = kernel.execute(
                f"__grader_k.run_cell({json.dumps({'cell_id': job.cell_id, 'source': job.source})!r})", deadline)
            executed = next((m for m in msgs if isinstance(m, dict) and m.get("type") == "executed"), None)
            if executed is None:
                outcome.status, outcome.error = Status.CRASHED, f"the cell gave no result ({error or 'no output'})"
                return outcome, True
            executed = validate(executed, EXECUTED, "executed")
            outcome.output, outcome.error = executed["output"], executed["error"]
            outcome.notes = ["limits: the plain nbclient engine enforces time limits only (no memory, process, "
                             "network or file limits, no allowlisted view)"]
            if outcome.error:
                outcome.status = Status.ERROR     # the probe still looks, as in the fork engine
            if job.probe:
                self._probe(kernel, job, outcome, deadline, phase)
            return outcome, True
        except (wire.InvalidMessage, InvalidObservation, TimeoutError, KernelDied) as exc:
            if phase[0] >= 1:
                # A run with hidden values that ended short of its reply, however it did, reads as
                # the fork engine reads it: the public run's status and one fixed text (a status of
                # its own per way of ending would carry bits of a hidden value out).
                outcome.probe, outcome.probe_error = None, HIDDEN_RUN_FAILED
            elif isinstance(exc, TimeoutError):
                outcome.status, outcome.probe = Status.TIMEOUT, None
                outcome.error = timeout_message(phase[0], timeout, job.source or "")
            elif isinstance(exc, KernelDied):
                outcome.status, outcome.probe = Status.CRASHED, None
                outcome.error = describe_exit(kernel.exit_code())
            else:
                outcome.status, outcome.probe = Status.INVALID, None
                outcome.error = f"invalid reply from the student's process ({cut(str(exc), 120)})"
            return outcome, False
        finally:
            outcome.seconds = time.monotonic() - t0
