"""Files of a similarity run in ``<reports>/similarity/``: ``pairs.csv`` (one row per listed pair,
every unit's shares), ``similarity.json`` (the whole run: settings, cohort, pairs, clusters, who
is flagged), ``index.html``, ``clusters.html`` and ``pairs/<pair>.html``. Everything is written
atomically; pair pages of an earlier run that no longer apply are removed.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from .. import __version__
from ..report import atomic_write
from .analysis import Analysis, Pair
from .documents import CODE_UNIT
from .pages import clusters_page, pair_page, pairs_page
from .regions import ignore_set, regions


def _units(a: Analysis) -> list[str]:
    s = a.settings
    return [CODE_UNIT, *s.code_cells, *s.written_cells]


def pairs_csv(a: Analysis) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    units = _units(a)
    w.writerow(["rank", "a", "a_name", "b", "b_name", "b_term", "score", "code", "written", "flagged", "same_student",
                *[f"{u}_{side}" for u in units for side in ("a", "b")], "page"])
    for i, p in enumerate(a.pairs, 1):
        ha, hb = a.hand(p.a), a.hand(p.b)
        shares = []
        for u in units:
            s = p.units.get(u)
            shares += ["", ""] if s is None else [f"{s.a:.4f}", f"{s.b:.4f}"]
        w.writerow([i, p.a, ha.name, p.b, hb.name, hb.term, f"{p.score:.4f}", f"{p.code:.4f}", f"{p.written:.4f}",
                    p.flagged, p.same_student, *shares, f"pairs/{p.id}.html"])
    return buf.getvalue()


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
            "pairs": [_pair_dict(p) for p in a.pairs], "clusters": a.clusters, "flagged": a.flagged,
            "seconds": {k: round(v, 3) for k, v in a.seconds.items()}}


def write(a: Analysis, out: Path, sources: dict[str, str]) -> list[Path]:
    """Write every file of the view into ``out``; return the index page first."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "pairs").mkdir(exist_ok=True)
    ignore = ignore_set(a.boilerplate[CODE_UNIT], a.common.get(CODE_UNIT, a.boilerplate[CODE_UNIT][:0]))
    written = [out / "index.html", out / "clusters.html", out / "pairs.csv", out / "similarity.json"]
    atomic_write(written[0], pairs_page(a))
    atomic_write(written[1], clusters_page(a))
    atomic_write(written[2], pairs_csv(a))
    atomic_write(written[3], json.dumps(summary(a, sources), indent=1, ensure_ascii=False))
    keep = set()
    for p in a.pairs:
        path = out / "pairs" / f"{p.id}.html"
        atomic_write(path, pair_page(a, p, regions(a.hand(p.a), a.hand(p.b), a.settings, ignore)))
        keep.add(path.name)
    for old in (out / "pairs").glob("*.html"):
        if old.name not in keep:
            old.unlink(missing_ok=True)
    return written
