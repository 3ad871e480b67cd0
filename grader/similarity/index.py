"""Which pairs share fingerprints, and how much: an inverted index instead of comparing all pairs.

copydetect compares every pair of files in a Python loop (about half a million pairs per cell for
1,000 students). Here every fingerprint is listed once with the students who have it (a sort),
and only students on the same list are paired. A fingerprint that more than ``cap`` students
share is *common*: what many students write is no evidence that two of them worked together
(MOSS's ``-m`` option does the same), and it is also what would make the index quadratic.
Fingerprints of the template and the reference solution are dropped before anything else.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Overlap:
    """For one unit (a cell, the whole notebook, the written answers) of a cohort."""
    a: np.ndarray          # int64 document index of each pair's first member (a < b)
    b: np.ndarray          # int64 second member
    shared: np.ndarray     # float64 weight of the distinctive fingerprints both have
    total: np.ndarray      # float64 per document: weight of its distinctive fingerprints
    common: np.ndarray     # uint64 sorted hashes shared by more than ``cap`` documents
    cap: int

    def lookup(self) -> dict[tuple[int, int], float]:
        return {(int(x), int(y)): float(s) for x, y, s in zip(self.a, self.b, self.shared)}


def overlap(docs: list[np.ndarray], *, cap: int, boilerplate: np.ndarray | None = None,
            current: np.ndarray | None = None, weighting: str = "uniform") -> Overlap:
    """``docs``: fingerprint hashes per document (duplicates allowed). ``current``: a boolean per
    document; pairs of two documents that are both not current (two past terms' hand-ins) are not
    reported, though those documents still count towards what is common. ``weighting``:
    ``uniform`` (each distinctive fingerprint counts 1) or ``idf`` (rarer ones count more)."""
    n = len(docs)
    uniq = [np.unique(d) for d in docs]
    if boilerplate is not None and len(boilerplate):
        uniq = [u[~np.isin(u, boilerplate, assume_unique=True)] for u in uniq]
    sizes = np.array([len(u) for u in uniq], dtype=np.int64)
    empty = Overlap(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(n),
                    np.zeros(0, np.uint64), cap)
    if sizes.sum() == 0:
        return empty
    hashes = np.concatenate(uniq)
    owner = np.repeat(np.arange(n, dtype=np.int64), sizes)
    order = np.argsort(hashes, kind="stable")          # stable: owners stay ascending per hash
    hashes, owner = hashes[order], owner[order]
    first = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    df = np.diff(np.r_[first, len(hashes)])
    group = np.repeat(np.arange(len(first)), df)
    if weighting == "idf":
        weight = np.log((n + 1) / df)
    elif weighting == "exclusive":
        weight = 1.0 / np.maximum(1, df - 1)
    elif weighting == "sqrt":
        weight = 1.0 / np.sqrt(np.maximum(1, df - 1))
    else:
        weight = np.ones(len(first))
    keep = df <= cap
    common = hashes[first[~keep]]
    entry_kept = keep[group]
    total = np.bincount(owner[entry_kept], weights=weight[group[entry_kept]], minlength=n).astype(float)
    codes, wts = [], []
    shareable = keep & (df >= 2)
    for m in np.unique(df[shareable]):
        starts = first[shareable & (df == m)]
        members = owner[starts[:, None] + np.arange(m)[None, :]]          # groups x m, ascending
        iu, ju = np.triu_indices(m, 1)
        pa, pb = members[:, iu].ravel(), members[:, ju].ravel()
        w = np.repeat(weight[np.searchsorted(first, starts)], len(iu))
        if current is not None:
            ok = current[pa] | current[pb]
            pa, pb, w = pa[ok], pb[ok], w[ok]
        codes.append(pa * n + pb)
        wts.append(w)
    if not codes:
        empty.total, empty.common = total, common
        return empty
    allc = np.concatenate(codes)
    uc, inv = np.unique(allc, return_inverse=True)
    shared = np.bincount(inv, weights=np.concatenate(wts))
    return Overlap(uc // n, uc % n, shared, total, common, cap)
