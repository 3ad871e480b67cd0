"""Fingerprints: hashes of every run of k normalised tokens (code) or k words (written
answers), as in MOSS and copydetect.

copydetect hashes k-grams with Python's ``hash``, which is salted per process: the same cohort
would get other fingerprints on every run, and winnowing would pick other ones. Our hash is a
fixed polynomial over the tokens' stable ids, mixed, so a run is reproducible and fingerprints
can be compared between processes. Every k-gram is kept (copydetect's default, a winnowing
window of 1): a cell has a few hundred tokens, and the inverted index makes keeping them cheap.
"""
from __future__ import annotations

import numpy as np

_BASE = np.uint64(0x100000001B3)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: k-grams that differ in one token get unrelated hashes."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def kgram_hashes(symbols: np.ndarray, k: int, salt: int = 0) -> np.ndarray:
    """One 64-bit hash per run of ``k`` consecutive symbols (``len - k + 1`` of them, or none)."""
    n = len(symbols) - k + 1
    if n <= 0:
        return np.zeros(0, np.uint64)
    h = np.full(n, np.uint64((salt * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF), np.uint64)
    with np.errstate(over="ignore"):
        sym = symbols.astype(np.uint64) + np.uint64(1)
        for j in range(k):
            h = h * _BASE + sym[j:j + n]
        return _mix(h)


def word_symbols(words: list[str]) -> np.ndarray:
    """Words as numbers, stable across runs (the same ids as code tokens)."""
    if not words:
        return np.zeros(0, np.uint64)
    from .tokens import symbol
    return np.array([symbol(w) for w in words], dtype=np.uint64)
