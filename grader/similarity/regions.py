"""Where two hand-ins match, for the pair page: numbered blocks of matching code, each with its
place in both hand-ins, and what was ignored because the course or many students wrote it.

Code: the same fingerprints as the scores (distinctive ones only), chained into blocks where
consecutive fingerprints continue consecutively on the other side, so a block is one stretch of
tokens that reads the same in both (however renamed or re-commented). Written answers: the
longest runs of the same words, after the same case and punctuation folding the groups use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from copydetect.utils import get_copied_slices

from ..textdiff import matching_blocks
from .cohort import Hand
from .documents import code_streams, written_words
from .prints import kgram_hashes
from .settings import Settings
from .tokens import Stream

MIN_WRITTEN_RUN = 6      # words in a row before a written match is shown


@dataclass(frozen=True)
class Span:
    start: int           # offsets into the cell's source
    end: int
    kind: str            # "match" (numbered block) or "common" (material or common knowledge)
    block: int = 0


@dataclass
class CellView:
    id: str
    kind: str            # "code" | "text"
    source: str
    spans: list[Span] = field(default_factory=list)


@dataclass(frozen=True)
class Block:
    number: int
    a_cell: str
    b_cell: str
    a_lines: tuple[int, int]
    b_lines: tuple[int, int]
    tokens: int          # tokens (code) or words (written) in the block, on a's side


@dataclass
class Regions:
    a: dict[str, CellView]
    b: dict[str, CellView]
    blocks: list[Block]


StreamCache = dict[str, list[tuple[str, Stream]]]


def regions(a: Hand, b: Hand, settings: Settings, ignore: set[int], cache: StreamCache | None = None) -> Regions:
    """``ignore``: hashes that never make a match (the course's code and what is common).
    ``cache``: token streams by hand-in key, shared by the pages of one run."""
    views_a = {c.id: CellView(c.id, c.kind, c.source) for c in a.cells}
    views_b = {c.id: CellView(c.id, c.kind, c.source) for c in b.cells}
    cache = {} if cache is None else cache
    for h in (a, b):
        if h.key not in cache:
            cache[h.key] = code_streams(h, settings)
    blocks = _code_blocks(cache[a.key], cache[b.key], settings, ignore, views_a, views_b)
    blocks += _written_blocks(a, b, settings, views_a, views_b, len(blocks))
    for v in (*views_a.values(), *views_b.values()):
        v.spans.sort(key=lambda s: (s.start, s.kind != "match"))
    return Regions(views_a, views_b, blocks)


def _line(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


def _code_blocks(sa: list[tuple[str, Stream]], sb: list[tuple[str, Stream]], settings: Settings,
                 ignored: set[int], views_a, views_b) -> list[Block]:
    k = settings.k
    ha = [kgram_hashes(s.symbols, k) for _, s in sa]
    hb = [kgram_hashes(s.symbols, k) for _, s in sb]
    where_b: dict[int, tuple[int, int]] = {}            # a fingerprint's first place in b
    first_in_cell: dict[tuple[int, str], tuple[int, int]] = {}     # ... and its first in each of b's cells
    listed_b = [hs.tolist() for hs in hb]
    for ci, hs in enumerate(listed_b):
        for pos, h in enumerate(hs):
            where_b.setdefault(h, (ci, pos))
            first_in_cell.setdefault((h, sb[ci][0]), (ci, pos))
    # What the course or many students wrote, greyed on both sides.
    for streams, hashes, views in ((sa, ha, views_a), (sb, hb, views_b)):
        for (cid, stream), hs in zip(streams, hashes):
            idx = np.array([i for i, h in enumerate(hs.tolist()) if h in ignored], dtype=np.int64)
            if len(idx):
                starts, ends = get_copied_slices(idx, k)
                for s, e in zip(starts.tolist(), ends.tolist()):
                    r0, r1 = stream.raw_span(int(s), int(min(e, len(stream))))
                    views[cid].spans.append(Span(r0, r1, "common"))
    # Chains of distinctive fingerprints that continue on b's side.
    runs: list[list] = []       # [a cell, a first pos, a last pos, b cell, b first pos, b last pos]
    for ci, hs in enumerate(ha):
        last = None
        for pos, h in enumerate(hs.tolist()):
            first = where_b.get(h) if h not in ignored else None
            if first is None:
                last = None
                continue
            # (the chain goes on where b's next fingerprint is this one: looked up, not searched for among every place
            # of it, which a cell repeating itself made quadratic, review 348: 23 s for a pair with one such cell)
            if last is not None and last[2] == pos - 1 and last[5] + 1 < len(listed_b[last[3]]) and \
                    listed_b[last[3]][last[5] + 1] == h:
                last[2], last[5] = pos, last[5] + 1
                continue
            cb, qb = first_in_cell.get((h, sa[ci][0]), first)   # same cell first
            last = [ci, pos, pos, cb, qb, qb]
            runs.append(last)
    runs.sort(key=lambda r: -(r[2] - r[1]))
    blocks: list[Block] = []
    taken_a: list[set[int]] = [set() for _ in sa]
    for ca, p0, p1, cb, q0, q1 in runs:
        span = set(range(p0, p1 + k))
        if len(span - taken_a[ca]) < k:           # inside a longer block already shown
            continue
        taken_a[ca] |= span
        (cid_a, st_a), (cid_b, st_b) = sa[ca], sb[cb]
        ra = st_a.raw_span(p0, min(p1 + k, len(st_a)))
        rb = st_b.raw_span(q0, min(q1 + k, len(st_b)))
        number = len(blocks) + 1
        views_a[cid_a].spans.append(Span(*ra, "match", number))
        views_b[cid_b].spans.append(Span(*rb, "match", number))
        src_a, src_b = views_a[cid_a].source, views_b[cid_b].source
        blocks.append(Block(number, cid_a, cid_b, (_line(src_a, ra[0]), _line(src_a, ra[1] - 1)),
                            (_line(src_b, rb[0]), _line(src_b, rb[1] - 1)), p1 - p0 + k))
    return blocks


WORD = re.compile(r"\S+")


def _fold(word: str) -> str:
    return re.sub(r"[^\w\\]+", "", word.casefold())


def _written_blocks(a: Hand, b: Hand, settings: Settings, views_a, views_b, start: int) -> list[Block]:
    blocks: list[Block] = []
    for cid in settings.written_cells:
        ca, cb = a.cell(cid), b.cell(cid)
        if ca is None or cb is None:
            continue
        if written_words(ca.source, settings) is None or written_words(cb.source, settings) is None:
            # Too short to be compared, as the scores say: not shown as a match either (a ninetieth
            # review: "not compared: under 12 words" above a highlighted block of 24 "words").
            continue
        wa, wb = list(WORD.finditer(ca.source)), list(WORD.finditer(cb.source))
        fa, fb = [_fold(m.group()) for m in wa], [_fold(m.group()) for m in wb]
        for i, j, size in matching_blocks(fa, fb):
            if size < MIN_WRITTEN_RUN:
                continue
            number = start + len(blocks) + 1
            ra = (wa[i].start(), wa[i + size - 1].end())
            rb = (wb[j].start(), wb[j + size - 1].end())
            views_a[cid].spans.append(Span(*ra, "match", number))
            views_b[cid].spans.append(Span(*rb, "match", number))
            blocks.append(Block(number, cid, cid, (_line(ca.source, ra[0]), _line(ca.source, ra[1] - 1)),
                                (_line(cb.source, rb[0]), _line(cb.source, rb[1] - 1)), size))
    return blocks


def ignore_set(boilerplate: np.ndarray, common: np.ndarray) -> set[int]:
    """What never makes a match on a pair page: the course's code and what many students write."""
    return set(boilerplate.tolist()) | set(common.tolist())

