"""Code the plain nbclient engine runs inside a Jupyter kernel (the slow comparison path).

It reuses the fork engine's child-side pieces (context, cell execution, probes), so both
engines measure a submission with the same code; results leave the kernel as display data
tagged with a nonce that is created only after the student's cell has finished.
"""
from __future__ import annotations

import json
import os
import sys

MIME = "application/x-grader+json"
_STATE: dict = {}


def _publish(obj) -> None:
    from IPython.display import publish_display_data

    from . import codec
    publish_display_data({MIME: codec.dumps(obj).decode()})


def init(setup_json: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import torch
    torch.set_num_threads(1)
    from . import runner
    setup = json.loads(setup_json)
    os.chdir(setup["data_home"])
    _STATE["base"] = runner.build_context(setup["cells"], setup["keep"], setup["imports"])
    _STATE["output_bytes"] = int(setup["output_bytes"])
    os.chdir(setup["workdir"])


def run_cell(job_json: str) -> None:
    from . import runner, sandbox
    job = json.loads(job_json)
    ns = dict(_STATE["base"])
    out = sandbox.CappedWriter(_STATE["output_bytes"])
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    try:
        error = runner.execute(ns, job["source"], job["cell_id"]) if job.get("source") is not None else ""
    finally:
        sys.stdout, sys.stderr = saved
    _STATE["ns"] = ns
    _publish({"type": "executed", "error": error, "output": out.text(), "notes": [
        "limits: the plain nbclient engine enforces time limits only (no memory, process, network or file limits)"]})


def run_probe(kind: str, params_json: str, nonce: str) -> None:
    from . import probes, sandbox
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = sandbox.CappedWriter(_STATE["output_bytes"])
    try:
        data = probes.run_probe(kind, _STATE["ns"], json.loads(params_json))
        reply = {"type": "result", "nonce": nonce, "data": data}
    except BaseException as exc:  # noqa: BLE001
        reply = {"type": "result", "nonce": nonce, "error": probes.describe(exc)}
    finally:
        sys.stdout, sys.stderr = saved
    try:
        _publish(reply)
    except TypeError as exc:
        _publish({"type": "result", "nonce": nonce, "error": f"result could not be sent: {exc}"})
