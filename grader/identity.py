"""Who a report belongs to, decided only from what a student cannot steer.

A file name is typed by the student, so it never decides whose report is whose: a notebook in a
Moodle participant folder belongs to that participant (the id Moodle gave the folder), any other
notebook to its path relative to the graded folder. Report file names are built from that, so a
file named after a classmate cannot take the classmate's report.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from .moodle import Participant
from .naming import visible
from .results import SubmissionResult


@dataclass(frozen=True)
class Submission:
    """One notebook to grade (``path``), or a participant who handed in none (``path`` None)."""
    path: Path | None
    rel: str                      # relative to the graded folder, as shown to TAs
    key: str                      # names the report files; unique in the batch
    participant_id: str = ""
    participant: str = ""         # Moodle's full name of the participant
    siblings: int = 1             # notebooks this participant handed in
    raw_rel: str = ""             # ``rel`` with undecodable bytes kept (two names may show alike)
    files: tuple[Path, ...] = ()  # what a participant without a notebook handed in


def shown(text: str) -> str:
    """A file-system name for people: bytes that are not UTF-8, and invisible or text-direction
    characters, become replacement marks."""
    return visible(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


def _safe(text: str) -> str:
    text = unicodedata.normalize("NFC", shown(text))
    out = "".join(ch if (ch.isalnum() or ch in "-.") else "_" for ch in text)
    return out.strip("._") or "notebook"


# Names of the report folder's own files (summary.csv, manual_answers.csv, the exports): a
# notebook named summary.ipynb would otherwise write its report over them, and the class-wide
# file would then stand in for its own report (any case: some file systems ignore it). Also the
# manual-grading sheet (a two-hundred-and-fiftieth review: `manual_grades.ipynb` took its name, and a
# regrade wrote the student's report over a TA's unmerged points) and what other commands may write there.
BATCH_FILES = frozenset({"summary", "manual_answers", "gradebook", "junit", "overview", "results", "index",
                         "manual_grades", "moodle_feedback", "pairs", "similarity", "clusters", "locked_checksums"})

# A Moodle participant's key: ``Full_Name_<id>``, ``-<n>`` for a second notebook. A loose notebook
# never takes a key of that form, even with no such participant in the batch: graded first, it
# kept the key when the participant's folder came with the next download, and the participant's
# report moved to a suffix (a hundred-and-sixty-seventh review: ``Jane Doe_1001.ipynb``).
_PARTICIPANT_FORM = re.compile(r".+_\d+(?:-\d+)?")


def plan(root: Path, notebooks: list[Path], participants: list[Participant],
         previous: dict[tuple[str, str], str] | None = None) -> list[Submission]:
    """Every submission below ``root`` with a report key that no file name can displace.

    ``previous`` (the gradebook's keys by path and participant) keeps the key a notebook was
    graded under: a classmate's file that reads the same once made safe, or a participant's
    second upload, would otherwise rename it (``-1``, a suffix), and the TA's grades stored under
    the old key would no longer be its grades. Newcomers that clash with a kept key get suffixes."""
    subs = _plan(root, notebooks, participants)
    if not previous:
        return subs
    # A path is shown (and stored) with undecodable bytes as replacement marks, so two files can
    # share one stored path: then neither keeps a key, and each is told apart by its own bytes.
    shared = Counter((sub.rel, sub.participant_id) for sub in subs)
    kept = {}
    for sub in subs:
        old = previous.get((sub.rel, sub.participant_id)) if sub.path is not None else None
        if old is not None and shared[(sub.rel, sub.participant_id)] == 1:
            kept[id(sub)] = old
    # Keys are one file each ignoring case (``_unique``): so are the keys graded before (a
    # hundred-and-seventy-third review: `assignment_7_alicex_...ipynb`, e-mailed in a week Alice's file
    # was not in the folder, took her key in small letters, and when hers came back both were suffixed,
    # her TA's grades left under the old key).
    claimed = {key.casefold() for key in kept.values()}
    # A key graded before under a path that is gone is not free: the grades stored under it are
    # that notebook's. Only the same Moodle participant takes it over (a second upload); in a
    # folder without participants a file that reads the same once made safe took a classmate's
    # grades (a twenty-sixth review: "Assignment 7 JaneDoe k12345678.ipynb" after Jane's renamed
    # resubmission).
    before = {key.casefold(): pid for (_, pid), key in previous.items()}
    out = []
    for sub in subs:
        folded = sub.key.casefold()
        taken = folded in claimed or (folded in before and not (sub.participant_id
                                                                and before[folded] == sub.participant_id))
        if id(sub) in kept:
            out.append(replace(sub, key=kept[id(sub)]))
        elif sub.path is not None and taken:
            out.append(replace(sub, key=f"{sub.key}-{_digest(_own(sub), 8)}"))
        else:
            out.append(sub)
    return _unique(out, keep=frozenset(kept.values()))


def _plan(root: Path, notebooks: list[Path], participants: list[Participant]) -> list[Submission]:
    owner: dict[Path, Participant] = {}
    for p in participants:
        for nb in p.notebooks:
            owner[nb] = p
    subs: list[Submission] = []
    for p in participants:
        base = f"{_safe(p.name)}_{p.id}"
        if not p.notebooks:
            subs.append(Submission(None, shown(str(p.folder.relative_to(root))), base, p.id, p.name, 0,
                                   files=p.files))
        for i, nb in enumerate(sorted(p.notebooks)):
            key = base if len(p.notebooks) == 1 else f"{base}-{i + 1}"
            raw = str(nb.relative_to(root))
            subs.append(Submission(nb, shown(raw), key, p.id, p.name, len(p.notebooks), raw))
    taken = {s.key.casefold() for s in subs}     # keys are unique ignoring case (``_unique``)
    loose = [nb for nb in notebooks if nb not in owner]
    keys: dict[str, list[Path]] = {}
    for nb in loose:
        rel = nb.relative_to(root)
        keys.setdefault("__".join(_safe(part) for part in rel.with_suffix("").parts), []).append(nb)
    for key, paths in keys.items():
        # Of paths that read the same once made safe, the one already safe as it is keeps the key:
        # a classmate's name with a zero-width space added cannot push the plain one to a suffix
        # (a sixty-fourth review).
        plain = [nb for nb in paths if "__".join(nb.relative_to(root).with_suffix("").parts) == key]
        # Only against names that differ by characters no honest name holds (invisible or
        # text-direction ones): a plain spelling of a name that is not plain itself (' (1)' from a
        # browser, a macOS 'u' + U+0308) would take its key (a sixty-sixth review); then all are suffixed.
        if len(plain) == 1 and not all(any(not ch.isprintable() for ch in str(nb.relative_to(root)))
                                       for nb in paths if nb is not plain[0]):
            plain = []
        for nb in paths:
            rel = str(nb.relative_to(root))
            # Paths that read the same once made safe (or like a participant's key) get a suffix
            # from their own path, so none can take another's name.
            clash = (len(paths) > 1 and plain != [nb]) or key.casefold() in taken or key.lower() in BATCH_FILES \
                or _PARTICIPANT_FORM.fullmatch(key) is not None
            subs.append(Submission(nb, shown(rel), f"{key}-{_digest(rel, 8)}" if clash else key, raw_rel=rel))
    return _unique(subs)


def _own(sub: Submission) -> str:
    """What tells two submissions apart for certain: the path below the graded folder with its
    raw bytes (two names that differ only in undecodable bytes are shown alike) and the participant."""
    return (sub.raw_rel or sub.rel) + "\0" + sub.participant_id


def _digest(text: str, n: int) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:n]


def _unique(subs: list[Submission], keep: frozenset[str] = frozenset()) -> list[Submission]:
    """No two submissions share a key, whatever the file names: a name crafted to read like
    another's suffixed key ('..._k12345678-fdb8f532.ipynb') clashes too, and then every holder of
    that key gets a longer suffix from its own path, until all differ (paths always do).

    Keys are compared ignoring case: on macOS and Windows ``Jane.html`` and ``jane.html`` are one
    file, and a classmate's page would replace another's (a twenty-eighth review). A key in
    ``keep`` (graded under it before) stays when it is the only one of its clash that was."""
    for rounds in range(1, 8):
        groups: dict[str, list[Submission]] = {}
        for sub in subs:
            groups.setdefault(sub.key.casefold(), []).append(sub)
        if all(len(g) == 1 for g in groups.values()):
            return subs
        out = []
        for sub in subs:
            clash = groups[sub.key.casefold()]
            stays = len(clash) == 1 or (sub.key in keep and sum(1 for c in clash if c.key in keep) == 1)
            out.append(sub if stays else replace(sub, key=sub.key + "-" + _digest(_own(sub), 8 * rounds)))
        subs = out
    raise ValueError("report keys could not be made unique")      # 2**-200: never


# ----------------------------------------------------------------------------- several notebooks

@dataclass(frozen=True)
class Counting:
    """Which of a participant's several notebooks counts, and why, in words for TAs and students.

    Every notebook is graded (a student may have uploaded the final one under a wrong name);
    the one that counts is decided from the grades, so it can change while written answers are
    graded: every report renders it again from the gradebook.

    The highest total of several *different* attempts would let a student try every answer
    (four notebooks, four guesses of two True/False statements: one of them is right). So when
    the notebooks' points differ in any task, the highest total counts only until a TA chooses
    (``grader count``); the choice is listed as waiting until then."""
    key: str                          # the report that counts
    file: str                         # its notebook, as the student named it
    reason: str                       # why that one: "the higher total so far (50 vs 29)"
    others: tuple[tuple[str, str, float], ...]   # (key, file, total) of the notebooks that do not count
    final: bool                       # False while a written answer of any of them waits for a TA
    differs: tuple[str, ...] = ()     # tasks whose points differ between the notebooks
    chosen_by: str = ""               # the TA who chose the one that counts

    def counts(self, key: str) -> bool:
        return key == self.key

    @property
    def waiting(self) -> bool:
        """Attempts that differ, and no TA chose yet which counts."""
        return bool(self.differs) and not self.chosen_by

    def about(self, key: str) -> str:
        """One sentence on this notebook, for its own report or feedback page."""
        n = len(self.others) + 1
        wait = (f" Their points differ in {', '.join(self.differs)}: a TA confirms which one counts."
                if self.waiting else "")
        if self.counts(key):
            other = ", ".join(f for _, f, _ in self.others)
            return f"Counted: this notebook, {self.reason}, of {n} handed in (not counted: {other}).{wait}"
        return f"Not counted: {n} notebooks were handed in and {self.file} counts, {self.reason}.{wait}"


def participant_of(r: SubmissionResult) -> str:
    """Whose notebook this is, for choosing among several: the Moodle participant; a notebook
    from outside a participant folder stands for itself (two of them with one matriculation
    number are flagged ``duplicate-matr``, never merged: a file name proves nothing)."""
    return f"participant:{r.participant_id}" if r.participant_id else f"report:{r.key or r.file}"


def _rank(r: SubmissionResult) -> tuple:
    return (r.total_points, r.status == "graded", r.filename_ok, -r.pending)


def best_of(results: Iterable[SubmissionResult]) -> SubmissionResult:
    """The notebook that counts among one participant's several: the one a TA chose, else the
    highest total (automatic plus the TAs' points so far), the student's benefit; on equal totals
    the one graded without trouble, then the one that follows the naming rules, then the first
    by file name."""
    ordered = sorted(results, key=lambda r: (r.file, r.key))
    if not ordered:
        raise ValueError("best_of needs at least one result")
    chosen = [r for r in ordered if r.chosen_by]
    if chosen:
        return chosen[0]
    # (a notebook no longer in the participant's folder of the latest download counts only where none is: review 481,
    # a draft removed in Moodle kept counting with the higher total)
    present = [r for r in ordered if not gone(r)] or ordered
    return max(present, key=_rank)     # max keeps the first of equals: the first by file name


GONE = "gone"


def gone(r: SubmissionResult) -> bool:
    """Is this notebook no longer in its participant's folder of the latest download graded (flag ``gone``)?"""
    return GONE in r.flags


def differing_tasks(results: Iterable[SubmissionResult]) -> tuple[str, ...]:
    """Tasks whose points differ between a participant's notebooks (a task that waits for a TA in
    one of them is compared once graded; the file name is not a task). Whatever the status: a
    notebook that failed somewhere still earned its points elsewhere."""
    points: dict[str, set[float]] = {}
    for r in results:
        if r.no_notebook:
            continue
        for task in dict.fromkeys(c.task for c in r.checks if c.task != "filename"):
            value = r.task_points(task)
            if value is not None:
                points.setdefault(task, set()).add(value)
    order = [task for task, seen in points.items() if len(seen) > 1]
    return tuple(order)


def _reason(best: SubmissionResult, others: list[SubmissionResult], final: bool) -> str:
    top = max(r.total_points for r in others)
    so_far = "" if final else " so far"
    if best.total_points > top:
        rest = ", ".join(f"{r.total_points:g}" for r in others)
        return f"the higher total{so_far} ({best.total_points:g} vs {rest} points)"
    if best.status == "graded" and any(r.status != "graded" for r in others if r.total_points == top):
        return f"equal totals{so_far} ({top:g} points); the other could not be graded"
    if best.filename_ok and any(not r.filename_ok for r in others if r.total_points == top):
        return f"equal totals{so_far} ({top:g} points); its file name follows the naming rules"
    return f"equal totals{so_far} ({top:g} points); the first by file name"


def counting(results: Iterable[SubmissionResult]) -> dict[str, Counting]:
    """By report key, for every notebook of a participant who handed in several: which counts
    and why. Notebooks that are their participant's only one are not in it."""
    groups: dict[str, list[SubmissionResult]] = {}
    for r in results:
        groups.setdefault(participant_of(r), []).append(r)
    out: dict[str, Counting] = {}
    for group in groups.values():
        # A record of "no notebook handed in" stands alone, unless a download graded after it flagged some of the
        # participant's records gone: then it is one of theirs like a notebook, the latest download's if not gone
        # itself (review 484: a folder emptied of both notebooks counted the no-notebook record and a gone notebook
        # both, and Moodle got 0 from one command while another waited).
        if not any(gone(r) for r in group):
            group = [r for r in group if not r.no_notebook]
        if len(group) < 2:
            continue
        best = best_of(group)
        others = [r for r in sorted(group, key=lambda r: (r.file, r.key)) if r is not best]
        # (the attempts still in the folder are compared; those gone are named, never chosen)
        present = [r for r in group if not gone(r)] if not gone(best) else group
        rivals = [r for r in others if r in present]
        final = bool(best.chosen_by) or not any(r.pending for r in present)
        reason = ("chosen by a TA" + ("; it is no longer in the latest download" if gone(best) else "")
                  if best.chosen_by else "no notebook is in the latest download" if best.no_notebook else
                  _reason(best, rivals, final) if rivals else "the only one still in the latest download")
        c = Counting(best.key, best.file, reason, tuple((r.key, r.file, r.total_points) for r in others), final,
                     differing_tasks(present), best.chosen_by)
        for r in group:
            out[r.key] = c
    return out


def counted(results: Iterable[SubmissionResult]) -> list[SubmissionResult]:
    """One result per participant: the notebook that counts (``best_of``), in the given order."""
    results = list(results)
    choice = counting(results)
    return [r for r in results if r.key not in choice or choice[r.key].counts(r.key)]
