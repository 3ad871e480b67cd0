"""Score every pair of hand-ins, per unit, and decide which pairs a TA should look at.

A unit's score for a pair is a share: how much of one student's distinctive work (fingerprints
that are neither the course's material nor common to many hand-ins) also appears in the other's.
A fingerprint weighs 1 when no other hand-in has it and less the more others do, down to 0 where
it becomes common (a fifth of the course by default, the spec's ``common_share``): what a pair
shares alone is evidence, what many write is not (``index.Overlap``). The share is taken from both sides and the larger counts: a student who
copied half of a classmate's notebook is caught from their side. A small prior keeps a hand-in
with almost nothing of its own from reaching 100 % on a single fragment.

A pair's score is the larger of its code score (all code cells together, so that a copy is judged
on all the evidence) and its written score (the highest of its written answers': each answer is a
task of its own, and one copied derivation is enough to look at); the per-cell scores explain it.
At or above the spec's threshold both students get the ``similar`` flag: something for a TA to
review, never a deduction.
"""
from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass, field

import numpy as np

from ..naming import name_fits
from .cohort import Hand
from .documents import CODE_UNIT, WRITTEN_UNIT, fingerprint_all, material_prints
from .index import Overlap, overlap
from .material import Material
from .settings import Settings


@dataclass(frozen=True)
class Share:
    """A unit's score for a pair: the share of each side's distinctive work found in the other."""
    a: float
    b: float

    @property
    def score(self) -> float:
        return max(self.a, self.b)


@dataclass
class Pair:
    a: str                       # hand-in keys (a is always of this term)
    b: str
    score: float                 # max(code, written): what the list is ranked by
    code: float
    written: float
    units: dict[str, Share]      # every unit both share anything in
    flagged: bool = False        # at or above a threshold: both get the ``similar`` flag
    same_student: bool = False   # one student's hand-ins of two terms (same matriculation number)

    @property
    def id(self) -> str:
        return pair_id(self.a, self.b)


def pair_id(a: str, b: str) -> str:
    """A file-name-safe, unique id for a pair's page."""
    digest = hashlib.sha256(f"{a}\0{b}".encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{_SAFE.sub('_', a)[:60]}--{_SAFE.sub('_', b)[:60]}-{digest}"


_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class Analysis:
    settings: Settings
    hands: list[Hand]                       # this term's first, then past terms'
    pairs: list[Pair]                       # listed pairs (score >= list_floor or flagged), best first
    clusters: list[list[str]]               # three or more hand-ins linked by flagged pairs
    flagged: dict[str, list[str]]           # this term's key -> keys it is flagged with
    cap: int                                # code fingerprints shared by more hand-ins are common
    written_cap: int                        # the same for written answers
    common: dict[str, np.ndarray] = field(repr=False, default_factory=dict)       # unit -> hashes
    boilerplate: dict[str, np.ndarray] = field(repr=False, default_factory=dict)  # "code"/"written"
    seconds: dict[str, float] = field(default_factory=dict)
    not_compared: list[str] = field(default_factory=list)   # this term's notebooks without cells: why

    def hand(self, key: str) -> Hand:
        return self._by_key[key]

    def __post_init__(self) -> None:
        self._by_key = {h.key: h for h in self.hands}


def common_cap(share: float, settings: Settings, n: int) -> int:
    """Hand-ins that may share a fingerprint before it is common knowledge."""
    return max(settings.common_min, math.ceil(share * n))


def units_of(settings: Settings) -> list[str]:
    return [*settings.code_cells, CODE_UNIT, *settings.written_cells, WRITTEN_UNIT]


def analyse(current: list[Hand], past: list[Hand], material: Material, settings: Settings,
            jobs: int = 1) -> Analysis:
    t0 = time.monotonic()
    hands = [*current, *past]
    prints = fingerprint_all(hands, settings, jobs)
    boiler = material_prints(material.code, material.text, settings)
    t1 = time.monotonic()
    ids: dict[str, int] = {}
    authors = np.array([ids.setdefault(h.author or f"hand:{h.key}", len(ids)) for h in hands], dtype=np.int64)
    cap = common_cap(settings.common_share, settings, len(ids))          # a share of the students
    written_cap = common_cap(settings.written_common_share, settings, len(ids))
    is_current = np.array([h.current for h in hands], dtype=bool)
    overlaps: dict[str, Overlap] = {}
    for unit in units_of(settings):
        written = unit == WRITTEN_UNIT or unit in settings.written_cells
        docs = [p.units.get(unit, _EMPTY) for p in prints]
        overlaps[unit] = overlap(docs, cap=written_cap if written else cap,
                                 boilerplate=boiler[WRITTEN_UNIT if written else CODE_UNIT], current=is_current,
                                 authors=authors)
    t2 = time.monotonic()
    pairs = _pairs(hands, overlaps, settings)
    flagged: dict[str, set[str]] = {}
    this_term = {h.key for h in current}
    for p in pairs:
        if p.flagged:
            flagged.setdefault(p.a, set()).add(p.b)
            if p.b in this_term:
                flagged.setdefault(p.b, set()).add(p.a)
    analysis = Analysis(settings=settings, hands=hands, pairs=pairs,
                        clusters=clusters([p for p in pairs if p.flagged]),
                        flagged={k: sorted(v) for k, v in sorted(flagged.items())}, cap=cap,
                        written_cap=written_cap, common={u: o.common for u, o in overlaps.items()},
                        boilerplate=boiler)
    analysis.seconds = {"fingerprints": t1 - t0, "index": t2 - t1, "pairs": time.monotonic() - t2}
    return analysis


_EMPTY = np.zeros(0, np.uint64)


def _pairs(hands: list[Hand], overlaps: dict[str, Overlap], settings: Settings) -> list[Pair]:
    """The pairs worth listing, with every unit's shares. Vectorised: at 1,000 hand-ins most of
    the half million pairs share something, and only a few hundred are worth a TA's look."""
    n = len(hands)
    written_units = {WRITTEN_UNIT, *settings.written_cells}
    tables: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for unit, ov in overlaps.items():
        sa, sb = ov.share(settings.written_prior if unit in written_units else settings.prior)
        tables[unit] = (ov.a * n + ov.b, np.stack([sa, sb], axis=1))   # codes come sorted
    code_codes, code_sh = tables[CODE_UNIT]
    candidates = [code_codes[code_sh.max(axis=1) >= min(settings.list_floor, settings.threshold)]]
    for cid in settings.written_cells:
        codes, shares = tables[cid]
        candidates.append(codes[shares.max(axis=1) >= min(settings.written_list_floor, settings.written_threshold)])
    cand = np.unique(np.concatenate(candidates))
    looked: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for unit, (codes, shares) in tables.items():
        pos = np.clip(np.searchsorted(codes, cand), 0, max(len(codes) - 1, 0))
        found = (codes[pos] == cand) if len(codes) else np.zeros(len(cand), bool)
        looked[unit] = (found, shares[pos] if len(codes) else np.zeros((len(cand), 2)))
    best = {u: np.where(found, shares.max(axis=1), 0.0) for u, (found, shares) in looked.items()}
    code = best[CODE_UNIT]
    written = np.zeros(len(cand))
    for cid in settings.written_cells:
        written = np.maximum(written, best[cid])
    flagged = (code >= settings.threshold) | (written >= settings.written_threshold)
    score = np.maximum(code, written)
    order = np.lexsort((cand, -score, ~flagged))          # flagged first, then by score
    keep = [i for rank, i in enumerate(order.tolist()) if flagged[i] or rank < settings.max_listed]
    out: list[Pair] = []
    for i in keep:
        x, y = divmod(int(cand[i]), n)
        units = {u: Share(float(sh[i, 0]), float(sh[i, 1])) for u, (found, sh) in looked.items() if found[i]}
        a, b = hands[x], hands[y]
        if not a.current:                 # the pair's first member is always of this term
            a, b = b, a
            units = {u: Share(s.b, s.a) for u, s in units.items()}
        same = _same_student(a, b)
        out.append(Pair(a.key, b.key, round(float(score[i]), 4), round(float(code[i]), 4),
                        round(float(written[i]), 4), units, bool(flagged[i]) and not same, same))
    out.sort(key=lambda p: (p.same_student, -p.score, p.a, p.b))      # one student's own uploads last
    return out


def _same_student(a: Hand, b: Hand) -> bool:
    """A student retaking the course, handing in last term's work again: the same matriculation
    number *and* the same name. A number alone is typed into a file name by the student: copying
    an earlier term's notebook under its author's number must not hide the pair."""
    if a.author and a.author == b.author:
        return True                       # one Moodle participant's several uploads
    if a.term == b.term or not a.matr_number or a.matr_number != b.matr_number:
        return False
    # The names must be Moodle's on both sides: outside Moodle's tree the name is typed into the
    # file name too, and last term's notebook copied under its author's name and number read as
    # "same student" (a twenty-sixth review).
    if not (_by_moodle(a) and _by_moodle(b)):
        return False
    # The whole name, as for a worksheet row: a namesake of last term ('Maier' for 'Mayer') is not
    # the same student (a twenty-eighth review).
    return name_fits(a.name, b.name, exact=True) or name_fits(b.name, a.name, exact=True)


def _by_moodle(h: Hand) -> bool:
    return h.author.rsplit("/", 1)[-1].startswith("participant:")


def clusters(edges: list[Pair]) -> list[list[str]]:
    """Groups of three or more hand-ins joined by flagged pairs (a chain counts: A~B, B~C)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in edges:
        ra, rb = find(p.a), find(p.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    return sorted((sorted(g) for g in groups.values() if len(g) >= 3), key=lambda g: (-len(g), g))
