"""Framed messages over a Unix socket: the only way data leaves a student's process.

The socket is private to one job (a socketpair made by the grader, handed to the forked child
by file-descriptor passing), so nothing printed, displayed or written to a file can reach the
grader as a result. Messages are length-prefixed JSON (see codec), read with a deadline.
"""
from __future__ import annotations

import select
import socket
import struct
import time
from typing import Any

from . import codec


class ChannelClosed(Exception):
    """The other side closed the socket (the process died or exited)."""


class ChannelTimeout(Exception):
    pass


def send(sock: socket.socket, obj: Any) -> None:
    sock.sendall(codec.frame(obj))


def _recv_exact(sock: socket.socket, n: int, deadline: float | None, tick=None) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ChannelTimeout()
                ready, _, _ = select.select([sock], [], [], min(left, 0.1))
                if ready:
                    break
                if tick is not None:
                    tick()
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise ChannelClosed()
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv(sock: socket.socket, *, deadline: float | None = None, tick=None,
         max_bytes: int = codec.MAX_MESSAGE) -> Any:
    """Read one message. ``tick`` runs every 0.1 s while waiting (the engine's monitor)."""
    (size,) = struct.unpack("!Q", _recv_exact(sock, 8, deadline, tick))
    if size > max_bytes:
        raise ValueError(f"message of {size} bytes is larger than allowed")
    return codec.loads(_recv_exact(sock, size, deadline, tick))
