"""Who a report belongs to, decided only from what a student cannot steer.

A file name is typed by the student, so it never decides whose report is whose: a notebook in a
Moodle participant folder belongs to that participant (the id Moodle gave the folder), any other
notebook to its path relative to the graded folder. Report file names are built from that, so a
file named after a classmate cannot take the classmate's report.
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .moodle import Participant


@dataclass(frozen=True)
class Submission:
    """One notebook to grade (``path``), or a participant who handed in none (``path`` None)."""
    path: Path | None
    rel: str                      # relative to the graded folder, as shown to TAs
    key: str                      # names the report files; unique in the batch
    participant_id: str = ""
    participant: str = ""         # Moodle's full name of the participant
    siblings: int = 1             # notebooks this participant handed in


def shown(text: str) -> str:
    """A file-system name for people: bytes that are not UTF-8 become replacement marks."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _safe(text: str) -> str:
    text = unicodedata.normalize("NFC", shown(text))
    out = "".join(ch if (ch.isalnum() or ch in "-.") else "_" for ch in text)
    return out.strip("._") or "notebook"


def plan(root: Path, notebooks: list[Path], participants: list[Participant]) -> list[Submission]:
    """Every submission below ``root`` with a report key that no file name can displace."""
    owner: dict[Path, Participant] = {}
    for p in participants:
        for nb in p.notebooks:
            owner[nb] = p
    subs: list[Submission] = []
    for p in participants:
        base = f"{_safe(p.name)}_{p.id}"
        if not p.notebooks:
            subs.append(Submission(None, shown(str(p.folder.relative_to(root))), base, p.id, p.name, 0))
        for i, nb in enumerate(sorted(p.notebooks)):
            key = base if len(p.notebooks) == 1 else f"{base}-{i + 1}"
            subs.append(Submission(nb, shown(str(nb.relative_to(root))), key, p.id, p.name, len(p.notebooks)))
    taken = {s.key for s in subs}
    loose = [nb for nb in notebooks if nb not in owner]
    keys: dict[str, list[Path]] = {}
    for nb in loose:
        rel = nb.relative_to(root)
        keys.setdefault("__".join(_safe(part) for part in rel.with_suffix("").parts), []).append(nb)
    for key, paths in keys.items():
        for nb in paths:
            rel = str(nb.relative_to(root))
            # Paths that read the same once made safe (or like a participant's key) get a suffix
            # from their own path, so none can take another's name.
            clash = len(paths) > 1 or key in taken
            digest = hashlib.sha256(rel.encode("utf-8", "surrogateescape")).hexdigest()[:8]
            subs.append(Submission(nb, shown(rel), f"{key}-{digest}" if clash else key))
    return subs
