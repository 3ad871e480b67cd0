"""Safe encoding of probe results: JSON with tensors as raw little-endian bytes.

Data from a student's process is hostile, so it is never unpickled. JSON plus a tagged
tensor form can carry everything the checks need (numbers, strings, lists, tensors) and
decoding it can execute nothing.
"""
from __future__ import annotations

import base64
import json
import struct
from typing import Any

import numpy as np

_TENSOR = "__tensor__"
_DTYPES = {"float64": "<f8", "float32": "<f4", "int64": "<i8", "bool": "|b1"}
MAX_MESSAGE = 256 * 1024 * 1024


def _default(obj: Any):
    """Turn tensors and numpy arrays into a tagged dict; anything else is refused."""
    kind = type(obj).__module__.split(".")[0]
    if kind == "torch":
        obj = obj.detach().cpu()
        if obj.dtype.is_floating_point:
            obj = obj.double()
        obj = obj.numpy()
    if isinstance(obj, np.ndarray):
        name = "bool" if obj.dtype == np.bool_ else ("int64" if obj.dtype.kind in "iu" else "float64")
        arr = np.ascontiguousarray(obj.astype(_DTYPES[name]))
        return {_TENSOR: name, "shape": list(arr.shape), "data": base64.b64encode(arr.tobytes()).decode()}
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, (set, tuple)):
        return list(obj)
    raise TypeError(f"cannot encode {type(obj).__name__}")


def _hook(d: dict):
    if _TENSOR in d:
        name = d[_TENSOR]
        if name not in _DTYPES or not isinstance(d.get("shape"), list):
            raise ValueError("malformed tensor")
        raw = base64.b64decode(d["data"], validate=True)
        arr = np.frombuffer(raw, dtype=_DTYPES[name])
        shape = [int(s) for s in d["shape"]]
        return arr.reshape(shape).copy()
    return d


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, default=_default, allow_nan=True).encode()


def loads(data: bytes) -> Any:
    return json.loads(data.decode(), object_hook=_hook)


def frame(obj: Any) -> bytes:
    """Length-prefixed message, so a reader knows where one ends without trusting content."""
    body = dumps(obj)
    return struct.pack("!Q", len(body)) + body
