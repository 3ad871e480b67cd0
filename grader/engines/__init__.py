"""Execution engines: how a graded cell gets its own process. Both give identical outcomes.

- ``fork`` (default): one warm parent per worker imports torch once and forks a child per cell.
- ``nbclient``: the plain path, one fresh Jupyter kernel per notebook (slow; for comparison).
"""
from __future__ import annotations

from .base import CellJob, EngineSetup


def make_engine(name: str, setup: EngineSetup):
    if name == "fork":
        from .fork import ForkEngine
        return ForkEngine(setup)
    if name == "nbclient":
        from .kernel import KernelEngine
        return KernelEngine(setup)
    raise ValueError(f"unknown engine {name!r}; choose 'fork' or 'nbclient'")


__all__ = ["CellJob", "EngineSetup", "make_engine"]
