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
    """For one unit (a cell, the whole notebook, the written answers) of a cohort.

    A fingerprint's weight, when pair (a, b) is judged, depends on how many *other* hand-ins have
    it: 1 when none does, falling to 0 at ``cap`` others (``rarity``). So what a pair shares
    alone counts fully, and what half the course writes counts little, in the share's numerator
    and denominator alike."""
    a: np.ndarray          # int64 document index of each pair's first member (a < b)
    b: np.ndarray          # int64 second member
    shared: np.ndarray     # weight of the fingerprints both have (others = holders - 2)
    shared_alone: np.ndarray   # the same fingerprints weighed as if only one of the two had them
    total: np.ndarray      # per document: weight of its fingerprints (others = holders - 1)
    count: np.ndarray      # per document: how many distinctive fingerprints it has
    common: np.ndarray     # uint64 sorted hashes more than ``cap`` documents have
    cap: int

    def share(self, prior: float) -> tuple[np.ndarray, np.ndarray]:
        """For every pair: the share of a's distinctive work found in b, and of b's in a.
        ``prior`` (in fingerprints) damps documents with few: n / (n + prior)."""
        ta = self.total[self.a] + self.shared - self.shared_alone
        tb = self.total[self.b] + self.shared - self.shared_alone
        na, nb = self.count[self.a], self.count[self.b]
        with np.errstate(divide="ignore", invalid="ignore"):
            sa = np.where(ta > 0, self.shared / ta, 0.0) * na / (na + prior)
            sb = np.where(tb > 0, self.shared / tb, 0.0) * nb / (nb + prior)
        return np.clip(sa, 0, 1), np.clip(sb, 0, 1)


def rarity(others: np.ndarray, cap: int) -> np.ndarray:
    """Weight of a fingerprint that ``others`` further documents have: 1 - log(1+m)/log(1+cap)."""
    return np.clip(1.0 - np.log1p(others) / np.log1p(max(cap, 1)), 0.0, 1.0)


def overlap(docs: list[np.ndarray], *, cap: int, boilerplate: np.ndarray | None = None,
            current: np.ndarray | None = None, weighting: str = "rarity",
            authors: np.ndarray | None = None) -> Overlap:
    """``docs``: fingerprint hashes per document (duplicates allowed). ``current``: a boolean per
    document; pairs of two documents that are both not current (two past terms' hand-ins) are not
    reported, though those documents still count towards what is common. ``weighting``:
    ``rarity`` (see ``Overlap``) or ``uniform`` (every distinctive fingerprint counts 1; for
    comparison in the bench). ``authors``: an int per document; how common a fingerprint is
    counts its authors, not its documents (one student's ten uploads are one holder: copies must
    not make the copied work "common"); by default every document is its own author."""
    n = len(docs)
    uniq = [np.unique(d) for d in docs]
    if boilerplate is not None and len(boilerplate):
        uniq = [u[~np.isin(u, boilerplate, assume_unique=True)] for u in uniq]
    sizes = np.array([len(u) for u in uniq], dtype=np.int64)
    none = np.zeros(0, np.int64)
    if sizes.sum() == 0:
        return Overlap(none, none, np.zeros(0), np.zeros(0), np.zeros(n), np.zeros(n), np.zeros(0, np.uint64), cap)
    hashes = np.concatenate(uniq)
    owner = np.repeat(np.arange(n, dtype=np.int64), sizes)
    order = np.argsort(hashes, kind="stable")          # stable: owners stay ascending per hash
    hashes, owner = hashes[order], owner[order]
    first = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    df = np.diff(np.r_[first, len(hashes)])
    group = np.repeat(np.arange(len(first)), df)
    holders = df
    if authors is not None:
        by = np.unique(group * (int(authors.max(initial=0)) + 1) + authors[owner])
        holders = np.bincount(by // (int(authors.max(initial=0)) + 1), minlength=len(first))
    if weighting == "uniform":
        w_one, w_two = np.ones(len(first)), np.ones(len(first))
    else:
        w_one, w_two = rarity(holders - 1, cap), rarity(np.maximum(holders - 2, 0), cap)
    keep = holders <= cap
    common = hashes[first[~keep]]
    kept = keep[group]
    total = np.bincount(owner[kept], weights=w_one[group[kept]], minlength=n).astype(float)
    count = np.bincount(owner[kept], minlength=n).astype(float)
    shareable = keep & (df >= 2)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for m in np.unique(df[shareable]):
        groups = np.flatnonzero(shareable & (df == m))
        iu, ju = np.triu_indices(m, 1)
        step = max(1, CHUNK // len(iu))                   # bounded memory: a few million pairs at a time
        for lo in range(0, len(groups), step):
            g = groups[lo:lo + step]
            members = owner[first[g][:, None] + np.arange(m)[None, :]]          # groups x m, ascending
            pa, pb = members[:, iu].ravel(), members[:, ju].ravel()
            gg = np.repeat(g, len(iu))
            if current is not None:
                ok = current[pa] | current[pb]
                pa, pb, gg = pa[ok], pb[ok], gg[ok]
            parts.append(_reduce(pa * n + pb, w_two[gg], w_one[gg]))
    if not parts:
        return Overlap(none, none, np.zeros(0), np.zeros(0), total, count, common, cap)
    codes, shared, alone = _reduce(*(np.concatenate(x) for x in zip(*parts)))
    return Overlap(codes // n, codes % n, shared, alone, total, count, common, cap)


CHUNK = 2_000_000


def _reduce(codes: np.ndarray, shared: np.ndarray, alone: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum the weights of equal pair codes; codes come back sorted."""
    uc, inv = np.unique(codes, return_inverse=True)
    return uc, np.bincount(inv, weights=shared, minlength=len(uc)), np.bincount(inv, weights=alone, minlength=len(uc))
