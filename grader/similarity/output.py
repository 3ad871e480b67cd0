"""Files of a similarity run in ``<reports>/similarity/``: ``pairs.csv`` (one row per listed pair,
every unit's shares), ``similarity.json`` (the whole run: settings, cohort, pairs, clusters, who
is flagged), ``index.html``, ``clusters.html`` and ``pairs/<pair>.html``. Everything is written
atomically; pair pages of an earlier run that no longer apply are removed.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from .. import __version__
from ..csvsafe import to_csv
from ..report import atomic_write
from .analysis import Analysis, Pair
from .documents import CODE_UNIT
from .pages import clusters_page, pair_page, pairs_page
from .regions import ignore_set, regions


def _units(a: Analysis) -> list[str]:
    s = a.settings
    return [CODE_UNIT, *s.code_cells, *s.written_cells]


def pairs_csv(a: Analysis) -> str:
    """Names and keys come from file names students typed: every text field is neutralised."""
    units = _units(a)
    header = ["rank", "a", "a_name", "b", "b_name", "b_term", "score", "code", "written", "flagged", "same_student",
              *[f"{u}_{side}" for u in units for side in ("a", "b")], "page"]
    rows = []
    for i, p in enumerate(a.pairs, 1):
        ha, hb = a.hand(p.a), a.hand(p.b)
        shares = []
        for u in units:
            s = p.units.get(u)
            shares += ["", ""] if s is None else [f"{s.a:.4f}", f"{s.b:.4f}"]
        rows.append([i, p.a, ha.name, p.b, hb.name, hb.term, f"{p.score:.4f}", f"{p.code:.4f}", f"{p.written:.4f}",
                     p.flagged, p.same_student, *shares, f"pairs/{p.id}.html"])
    return to_csv(header, rows)


def _pair_dict(p: Pair) -> dict:
    return {"a": p.a, "b": p.b, "score": p.score, "code": p.code, "written": p.written, "flagged": p.flagged,
            "same_student": p.same_student, "page": f"pairs/{p.id}.html",
            "units": {u: {"a": round(s.a, 4), "b": round(s.b, 4)} for u, s in p.units.items()}}


def summary(a: Analysis, sources: dict[str, str]) -> dict:
    terms: dict[str, int] = {}
    for h in a.hands:
        if h.term:
            terms[h.term] = terms.get(h.term, 0) + 1
    return {"grader": __version__, "written": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "settings": asdict(a.settings), "sources": sources,
            "cohort": {"this_term": sum(1 for h in a.hands if h.current), "past_terms": terms},
            "common_above": {"code": a.cap, "written": a.written_cap},
            "students": {h.key: {"name": h.name, "matr_number": h.matr_number, "file": h.file, "term": h.term}
                         for h in a.hands if h.current or any(h.key in (p.a, p.b) for p in a.pairs)},
            "not_compared": a.not_compared,
            "pairs": [_pair_dict(p) for p in a.pairs], "clusters": a.clusters, "flagged": a.flagged,
            "seconds": {k: round(v, 3) for k, v in a.seconds.items()}}


def _write_page(path: Path, text: str) -> None:
    """A pair page: complete or absent (temporary name, then rename), not synced to disk one by
    one like the reports: hundreds of them can be written again from similarity.json's run."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write(a: Analysis, out: Path, sources: dict[str, str], jobs: int = 1) -> list[Path]:
    """Write every file of the view into ``out``; return the index page first. Pair pages are
    written by ``jobs`` forked processes (each reads its hand-ins' code again for the blocks)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "pairs").mkdir(exist_ok=True)
    written = [out / "index.html", out / "clusters.html", out / "pairs.csv", out / "similarity.json"]
    atomic_write(written[0], pairs_page(a))
    atomic_write(written[1], clusters_page(a))
    atomic_write(written[2], pairs_csv(a))
    atomic_write(written[3], json.dumps(summary(a, sources), indent=1, ensure_ascii=False))
    order = list(range(len(a.pairs)))
    if jobs > 1 and len(order) >= 50:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        global _RUN
        _RUN = (a, out)
        chunks = [order[i::jobs * 2] for i in range(jobs * 2)]       # interleaved: pairs share hand-ins
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork")) as pool:
                keep = {name for names in pool.map(_pages, chunks) for name in names}
        finally:
            _RUN = None
    else:
        keep = set(_write_pairs(a, out, order))
    for old in (out / "pairs").glob("*.html"):
        if old.name not in keep:
            old.unlink(missing_ok=True)
    return written


_RUN: tuple[Analysis, Path] | None = None      # what forked page writers inherit


def _pages(indexes: list[int]) -> list[str]:
    assert _RUN is not None
    return _write_pairs(*_RUN, indexes)


def _write_pairs(a: Analysis, out: Path, indexes: list[int]) -> list[str]:
    ignore = ignore_set(a.boilerplate[CODE_UNIT], a.common.get(CODE_UNIT, a.boilerplate[CODE_UNIT][:0]))
    cache: dict = {}
    names = []
    for i in indexes:
        p = a.pairs[i]
        path = out / "pairs" / f"{p.id}.html"
        _write_page(path, pair_page(a, p, regions(a.hand(p.a), a.hand(p.b), a.settings, ignore, cache)))
        names.append(path.name)
    return names
