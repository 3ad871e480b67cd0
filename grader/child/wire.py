"""Messages between the grader and a job: length-prefixed JSON, tensors as raw bytes.

Data from a job is written by the student as far as the grader is concerned, so it is never
unpickled: JSON plus a tagged tensor form carries numbers, strings, lists and arrays, and
decoding it can execute nothing. The grader reads with a size cap, a deadline and a strict
decoder (``decode``); anything malformed fails that job only.
"""
from __future__ import annotations

import base64
import json
import re
import select
import socket
import math
import struct
import time
from typing import Any

import numpy as np

TENSOR = "__tensor__"
DTYPES = {"float64": "<f8", "float32": "<f4", "int64": "<i8", "bool": "|b1"}
HEADER = struct.Struct("!Q")
MAX_ELEMENTS = 4_000_000          # per tensor the grader accepts
MAX_DIMS = 8


class ChannelClosed(Exception):
    """The other side closed the socket (the process died or exited)."""


class ChannelTimeout(Exception):
    pass


class InvalidMessage(Exception):
    """A frame or a value the grader does not accept: too large, malformed, out of order."""


def _default(obj: Any):
    """Tensors and numpy arrays become a tagged dict; anything else is refused."""
    if type(obj).__module__.split(".")[0] == "torch":
        import torch
        obj = obj.detach().cpu()
        if obj.dtype.is_floating_point and obj.dtype not in (torch.float32, torch.float64):
            obj = obj.double()
        obj = obj.numpy()
    if isinstance(obj, np.ndarray):
        if obj.dtype == np.bool_:
            name = "bool"
        elif obj.dtype.kind in "iu":
            name = "int64"
        else:
            name = "float32" if obj.dtype == np.float32 else "float64"
        arr = np.ascontiguousarray(obj.astype(DTYPES[name]))
        return {TENSOR: name, "shape": list(arr.shape), "data": base64.b64encode(arr.tobytes()).decode()}
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, (set, tuple)):
        return list(obj)
    raise TypeError(f"cannot encode {type(obj).__name__}")


def encode(obj: Any) -> bytes:
    body = json.dumps(obj, default=_default, allow_nan=True).encode()
    return HEADER.pack(len(body)) + body


def send(sock: socket.socket, obj: Any) -> None:
    sock.sendall(encode(obj))


def send_hello(sock: socket.socket) -> None:
    """One byte carrying our credentials: the kernel tells the grader our pid as it sees it."""
    import os
    creds = struct.pack("3i", os.getpid(), os.getuid(), os.getgid())
    sock.sendmsg([b"H"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, creds)])


def _tensor(d: dict) -> np.ndarray:
    name, shape, data = d.get(TENSOR), d.get("shape"), d.get("data")
    if name not in DTYPES or not isinstance(shape, list) or not isinstance(data, str) or len(d) != 3:
        raise InvalidMessage("malformed tensor")
    if len(shape) > MAX_DIMS or not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= MAX_ELEMENTS
                                        for s in shape):
        raise InvalidMessage("malformed tensor shape")
    count = math.prod(shape)
    # An empty dimension makes no data, but not fewer rows: shape (4000000, 0) is four million
    # lists wherever the array is read as lists (a twentieth review's few hundred bytes of reply).
    if math.prod(max(s, 1) for s in shape) > MAX_ELEMENTS:
        raise InvalidMessage("tensor too large")
    raw = base64.b64decode(data, validate=True)
    dtype = np.dtype(DTYPES[name])
    if len(raw) != count * dtype.itemsize:
        raise InvalidMessage("tensor data does not fit its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _hook(d: dict):
    return _tensor(d) if TENSOR in d else d


# JSON values a message may hold (lists, objects, and the items and members in them). Parsed,
# each costs the grader up to ~70 bytes: an eleventh review's 8 MB reply of nested empty lists
# took the grader from 121 MB to 391 MB. Replies hold a few thousand values.
MAX_VALUES = 500_000
_STRING = re.compile(rb'"[^"\\]*(?:\\[\s\S][^"\\]*)*"')


def _values(body: bytes) -> int:
    """How many values the message's structure holds (an upper bound), counting only outside its
    strings: a cell's output may hold any number of commas and brackets as text."""
    marks = body.count(b",") + body.count(b":") + body.count(b"[") + body.count(b"{")
    if marks <= MAX_VALUES:
        return marks
    structure = _STRING.sub(b'""', body)
    return structure.count(b",") + structure.count(b":") + structure.count(b"[") + structure.count(b"{")


def _int(text: str) -> int:
    """An integer of a reply: a count, a shape, a seed (20 digits at most). A longer one is no value
    any probe sends, and 10**400 is no float (a two-hundred-and-twelfth review: OverflowError)."""
    if len(text) > 21:
        raise InvalidMessage(f"malformed message (an integer of {len(text)} digits)")
    return int(text)


def decode(body: bytes) -> Any:
    """Strict: NaN is allowed (a student's model may produce it), anything else malformed raises
    InvalidMessage, including nesting deeper than Python's recursion allows and more values than
    MAX_VALUES."""
    if _values(body) > MAX_VALUES:
        raise InvalidMessage(f"malformed message (more than {MAX_VALUES} values)")
    try:
        return json.loads(body.decode("utf-8"), object_hook=_hook, parse_int=_int)
    except InvalidMessage:
        raise
    except (ValueError, RecursionError, MemoryError, TypeError, OverflowError) as exc:
        raise InvalidMessage(f"malformed message ({type(exc).__name__})") from None


class Deadline:
    """When a reply is due, and how long data that goes on arriving past it is still read."""

    def __init__(self, at: float | None):
        self.at = at
        self.late_since: float | None = None
        self.watched_late = 0.0                 # seconds the grader's watch took past the deadline

    def watched(self, start: float, end: float) -> None:
        """A pass of the watch, which reads only the job's own processes: what it takes past the
        deadline is the job's doing (a two-hundred-and-sixteenth review held its memory-map lock so
        that one pass took seconds), not a stall of the grader's, and gets no grace of its own."""
        if self.at is not None and end > self.at:
            self.watched_late += end - max(start, self.at)

    def left(self, now: float) -> float | None:
        if self.at is None:
            return None
        left = self.at - now
        if left <= 0 and self.late_since is None:
            self.late_since = now
        return left

    def spent(self, now: float) -> bool:
        """Past the deadline for longer than the grace, whatever still arrives, or the watch alone."""
        return (self.late_since is not None and now - self.late_since > LATE_GRACE_S) or self.watched_late > LATE_GRACE_S


# A reply read past its deadline: a grader that could not run for a while finds it waiting, and
# reads it in milliseconds. Without an end to that, a job that kept a byte arriving each time the
# grader looked (its watch made slow by processes that share a large mapping) ran a cell for 150 s
# of a 60 s limit (a two-hundred-and-thirteenth review): once the grader has seen the deadline pass,
# it reads for this long at most.
LATE_GRACE_S = 2.0


def _wait(sock: socket.socket, deadline: Deadline, tick) -> None:
    """Until the socket has data; past the deadline only when nothing is there, and for
    ``LATE_GRACE_S`` at most: a reply that waits when the grader looks is taken, so a grader that
    could not run for a while (a stalled machine, a long pause of its own) costs no job its reply
    (a twenty-fourth review: a classmate's notebook that stalled the grader cost another student 7
    points). ``tick`` runs on every turn (``every`` spaces it), data or none."""
    while True:
        if tick is not None:
            start = time.monotonic()
            tick()
            deadline.watched(start, time.monotonic())
        now = time.monotonic()
        left = deadline.left(now)
        if deadline.spent(now):
            raise ChannelTimeout()
        ready, _, _ = select.select([sock], [], [], 0.1 if left is None else max(0.0, min(left, 0.1)))
        if ready:
            return
        if left is not None and left <= 0:
            raise ChannelTimeout()


TICK_S = 0.1


def every(seconds: float, fn):
    """``fn`` at most once per ``seconds``, by the clock: a job that sends its reply a byte at a
    time had kept the grader's watch from ever running (a hundred-and-twenty-sixth review's lead),
    since the watch ran only after a tenth of a second without data."""
    last = [time.monotonic()]

    def due() -> None:
        now = time.monotonic()
        if now - last[0] >= seconds:
            last[0] = now
            fn()
    return due


def _exact(sock: socket.socket, n: int, deadline: Deadline, tick) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        _wait(sock, deadline, tick)
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise ChannelClosed()
        buf += chunk
    return bytes(buf)


def recv(sock: socket.socket, *, deadline: float | None = None, tick=None, max_bytes: int = 1 << 20) -> Any:
    """One message; the size is checked before a byte of the body is read."""
    tick = every(TICK_S, tick) if tick is not None else None
    due = Deadline(deadline)
    (size,) = HEADER.unpack(_exact(sock, HEADER.size, due, tick))
    if size > max_bytes:
        raise InvalidMessage(f"message of {size} bytes, more than the {max_bytes} allowed")
    return decode(_exact(sock, size, due, tick))


def recv_hello(sock: socket.socket, *, deadline: float) -> int:
    """The job's pid, as the kernel reports it (the job cannot name another process)."""
    _wait(sock, Deadline(deadline), None)
    data, anc, _, _ = sock.recvmsg(1, socket.CMSG_SPACE(struct.calcsize("3i")))
    if not data:
        raise ChannelClosed()
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS and data == b"H":
            pid, _, _ = struct.unpack("3i", payload[:12])
            if pid > 0:
                return pid
    raise InvalidMessage("the job did not introduce itself")
