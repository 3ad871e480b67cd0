"""Watches a job's process tree from outside: resident memory and process count.

RLIMIT_AS would break PyTorch (it reserves huge virtual ranges), so memory is measured as the
summed RSS of the tree and the tree is killed when it passes the cap.
"""
from __future__ import annotations

import os
import signal

import psutil


class LimitExceeded(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class TreeMonitor:
    def __init__(self, pid: int, memory_mb: int, max_processes: int):
        self.pid = pid
        self.memory = memory_mb * 2**20
        self.max_processes = max_processes
        self.peak_rss = 0

    def _tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def check(self) -> None:
        procs = self._tree()
        if len(procs) >= self.max_processes:
            raise LimitExceeded("processes", f"started {self.max_processes} or more processes (fork bomb?)")
        rss = threads = 0
        for p in procs:
            try:
                # Forked children share their parent's pages; PSS splits them fairly.
                rss += p.memory_full_info().pss if len(procs) > 1 else p.memory_info().rss
                threads += p.num_threads()
            except psutil.Error:
                continue
        self.peak_rss = max(self.peak_rss, rss)
        if rss > self.memory:
            raise LimitExceeded("memory", f"used more than {self.memory // 2**20} MB of memory")
        if threads > self.max_processes * 4:
            raise LimitExceeded("processes", f"started more than {self.max_processes * 4} threads")

    def kill(self) -> None:
        procs = self._tree()
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass
        for p in procs:
            try:
                p.kill()
            except psutil.Error:
                pass
