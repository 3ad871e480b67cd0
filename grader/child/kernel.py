"""What the plain nbclient engine runs inside a Jupyter kernel (the slow comparison path).

The same pieces as a forked job (context, cell execution, probe code sent after the cell), so
both engines measure a submission the same way; messages leave the kernel as display data. No
sandbox here: the kernel engine enforces time limits only, and says so in every report.
"""
from __future__ import annotations

import base64
import builtins
import json
import marshal
import os
import sys

from . import job, wire

MIME = "application/x-grader+json"
_STATE: dict = {}


def _publish(obj) -> None:
    from IPython.display import publish_display_data
    publish_display_data({MIME: wire.encode(obj)[wire.HEADER.size:].decode()})


def init(setup_json: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import torch
    torch.set_num_threads(1)
    from .server import build_context
    setup = json.loads(setup_json)
    os.chdir(setup["data_home"])
    _STATE["base"] = build_context(setup["cells"], setup["keep"], setup["imports"])
    _STATE["output_bytes"] = int(setup["output_bytes"])
    os.chdir(setup["workdir"])


def run_cell(job_json: str) -> None:
    spec = json.loads(job_json)
    ns = dict(_STATE["base"])
    out = job.CappedWriter(_STATE["output_bytes"])
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    try:
        error = job.execute(ns, spec["source"], spec["cell_id"]) if spec.get("source") is not None else ""
    finally:
        sys.stdout, sys.stderr = saved
    _STATE["ns"] = ns
    _STATE.pop("env", None)
    _publish({"type": "executed", "error": error, "output": out.text(), "seconds": 0.0})


def run_probe(code_b64: str, params_json: str, nonce: str) -> None:
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = job.CappedWriter(_STATE["output_bytes"])
    reply = {"type": "result", "nonce": nonce}
    try:
        if "env" not in _STATE:          # the probe's code comes with the first run only
            _STATE["env"] = {"__name__": "__probe__", "__builtins__": builtins}
            exec(marshal.loads(base64.b64decode(code_b64)), _STATE["env"])
        reply["data"] = _STATE["env"]["observe"](_STATE["ns"], json.loads(params_json))
    except BaseException as exc:  # noqa: BLE001
        reply["error"] = job.describe(exc)
    finally:
        sys.stdout, sys.stderr = saved
    try:
        _publish(reply)
    except (TypeError, ValueError) as exc:
        _publish({"type": "result", "nonce": nonce, "error": f"the result could not be sent ({exc})"})
