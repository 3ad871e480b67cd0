"""Large blocks freed by the grader go back to the operating system.

glibc serves a block above its mmap threshold with mmap and unmaps it when freed, but it raises
that threshold to the size of every such block freed (up to 32 MB), so after the first notebook
with photos the next ones' megabyte strings come from the heap and stay counted against the
process when freed: a batch of 45 MB notebooks held 361 MB where 184 MB were in use at most (a
seventy-third review). A fixed threshold keeps every block of a megabyte or more mmapped.

Only the grader's own process: student code runs in processes started with exec, which begin
with glibc's defaults (their tensors keep the heap's speed).
"""
from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3
THRESHOLD = 1 << 20


def return_freed_memory() -> bool:
    """Fix glibc's mmap threshold at 1 MB; False where there is no glibc (nothing changes)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, THRESHOLD))
    except (OSError, AttributeError):
        return False
