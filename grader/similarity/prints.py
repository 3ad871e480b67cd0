"""Fingerprints: hashes of every run of k normalised tokens (code) or k words (written
answers), as in MOSS and copydetect.

copydetect hashes k-grams with Python's ``hash``, which is salted per process: the same cohort
would get other fingerprints on every run, and winnowing would pick other ones. Our hash is a
fixed polynomial over the tokens' stable ids, mixed, so a run is reproducible and fingerprints
can be compared between processes. With a window above 1, copydetect's ``winnow`` (robust
winnowing, Schleimer, Wilkerson and Aiken 2003) keeps a subset that still finds every match of
``k + window - 1`` tokens.
"""
from __future__ import annotations

import numpy as np

_BASE = np.uint64(0x100000001B3)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: nearby k-grams get unrelated hashes (the winnowing minimum needs that)."""
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


def select(hashes: np.ndarray, window: int) -> np.ndarray:
    """Positions of the fingerprints kept: all of them for window 1, else copydetect's winnowing."""
    if window <= 1 or len(hashes) == 0:
        return np.arange(len(hashes))
    from copydetect.utils import winnow
    # copydetect's winnow compares signed values; the order only has to be consistent.
    _, idx = winnow(hashes.view(np.int64), window, remove_duplicates=False)
    return np.sort(np.asarray(idx, dtype=np.int64))
