"""Answer groups: a TA grades a group of alike answers with one decision.

Two answers share a group when they read the same once normalised (``answer_text.normalise``:
spacing, case, LaTeX spelling, Unicode symbols) or are near-duplicates of each other (rapidfuzz
ratio of their sentence-sorted normal forms at or above ``THRESHOLD``: typos, a reordered
sentence). They never share a group when their numbers differ (``answer_text.numbers``, per
sentence, so a reordered sentence keeps its numbers but ``(0,1)`` and ``(1,0)`` stay apart) or
when they negate something else ("is not" against "is", or the negation in another clause), or
differ in a sign, the order of single-letter names or a word with an opposite (most / least,
up / down, AND / OR): such pairs can be 95 % alike character for character and still mean
opposite things.

Placement is incremental and stored in the gradebook: a new answer (or a changed one) joins
the group whose representative it matches, else starts a group; answers a TA moved (split,
merge) stay where the TA put them. Clustering is the leader algorithm in order of frequency,
so the most common spelling of an answer represents its group.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from ..answer_images import as_text
from ..answer_text import normalise, numbers
from ..render import shown_text
from ..textdiff import MAX_WORDS, word_ops
from .models import Answer, Conflict, Grade
from .store import Gradebook

THRESHOLD = 90.0
FUZZY_MAX_CHARS = 5_000      # some 800 words: longer written answers group only when equal
SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_SKELETON = re.compile(r"[^\w#]|_")
_NUM = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?")
# An index (x2's "2"), a sample's or layer's superscript (x^{(2)}, W^{[1]}) and a comparison.
INDEXED_OR_RELATION = re.compile(r"(?<=[^\W\d_])\d+|\^\{?\s*[\[(]\s*\d+\s*[\])]|\\[lg]eq?\b|[<>≤≥]")
CLAUSE = re.compile(r"[,;:]|\b(?:while|whereas|but|although|though|however|because|since|so|and|or)\b")
# Words whose opposite is one word away ("at most" / "at least", "up" / "down", AND / OR), the
# signs and single-letter names of a formula: a one-word change that flips the meaning reads 95 %
# alike (a seventy-third review grouped "w - \\eta ..., moves against the gradient, the loss goes
# down" with its sign-flipped opposite, and \\sigma(z) w x with \\sigma(x) w z).
OPPOSED = re.compile(r"\b(?:most|least|max\w*|min\w*|up|down|increas\w*|decreas\w*|against|along|greater|larger|"
                     r"bigger|higher|more|smaller|lower|less|fewer|above|below|positive|negative|and|or|xor|nand|"
                     r"true|false|convex|concave|left|right|first|last|before|after|inputs?|outputs?|same|"
                     r"different|vanish\w*|explod\w*|sigmoid|relu|tanh|softmax|plus|minus|add\w*|subtract\w*|"
                     r"ascent|descent|"
                     # negations made with a prefix, and number words (a seventy-eighth review)
                     r"possible|impossible|separable|inseparable|nonseparable|zero|nonzero|active|inactive|"
                     r"dead|alive|linear|nonlinear|correct|incorrect|valid|invalid|always|never|all|some|every|"
                     r"only|even|odd|one|two|three|four|five|half|twice|double|non|un\w+|in(?:active|correct|"
                     r"valid|separable|dependent|consistent|finite)|dependent|independent|consistent|finite|"
                     r"infinite|exact|exactly|approximate\w*|"
                     # operations and functions written as words (a hundred-and-eighty-fourth review:
                     # "\delta_3 divided by x_2" joined "\delta_3 x_2", and a group grade gave it 25/25)
                     r"times|over|divid\w*|multipl\w*|product|quotient|ratio|reciprocal|invers\w*|invert\w*|"
                     r"square\w*|cube\w*|cubic|root|sqrt|power|exponent\w*|exp|log\w*|ln|absolute|abs|"
                     r"magnitude|norm|transpose\w*|sum|mean|average|derivative|integral|leaky|elu|gelu|selu|"
                     r"softplus|swish|identity|fine|ok|okay|yes|wrong)\b")
# Signs, a derivative's prime (\sigma'(s) is not \sigma(s); "doesn't" has none) and \prime.
OPERATOR = re.compile(r"[-+*/=|]|\\[lr]?[vV]?ert\b|(?<=[\w}])['′](?=\s*\()|\\prime\b")
LETTER = re.compile(r"(?<![\w\\'’])[a-z](?![\w'’])|\\[a-z]+")      # not the t of "doesn't"
PICTURE_MARK = re.compile(r"\[image ([0-9a-f]{12})\]")
NEGATION = re.compile(r"\b(?:not|no|never|cannot|none|nothing|neither|nor|nicht|kein\w*|nie)\b|n't\b|\\neq\b|\\notin\b")


@dataclass(frozen=True)
class Group:
    id: int
    task: str
    rep_key: str
    members: tuple[str, ...]      # report keys, representative first

    @property
    def size(self) -> int:
        return len(self.members)


@lru_cache(maxsize=16384)
def form(text: str) -> str:
    """What near-duplicates are compared on: the normal form."""
    return normalise(text)


@lru_cache(maxsize=16384)
def sorted_form(text: str) -> str:
    """The normal form with its sentences in sorted order: a reordered answer reads alike."""
    return " ".join(sorted(normalise(s) for s in SENTENCE.split(as_text(text) or "") if s.strip()))


def _best(text: str, bucket: list[tuple[str, str, int]]) -> int | None:
    """The group of the first representative this answer is a near-duplicate of (by its
    normal form, or by its sentence-sorted form), None if none is. An answer longer than
    ``FUZZY_MAX_CHARS`` joins only an equal one: a comparison costs the product of the lengths,
    and a page of pasted text against every group would stall the grading app."""
    if not bucket:
        return None
    f = form(text)
    if len(f) > FUZZY_MAX_CHARS:
        return next((b[2] for b in bucket if b[0] == f), None)
    near = [b for b in bucket if len(b[0]) <= FUZZY_MAX_CHARS]
    scores = []
    for i, choice in ((0, f), (1, sorted_form(text))):
        m = process.extractOne(choice, [b[i] for b in near], scorer=fuzz.ratio, score_cutoff=THRESHOLD)
        if m is not None:
            scores.append((m[1], -m[2]))
    if not scores:
        return None
    return near[-max(scores)[1]][2]


@lru_cache(maxsize=16384)
def signature(text: str) -> tuple:
    """Answers with different signatures never share a group: the numbers of each sentence,
    sentences taken in the order of their wording (so reordering sentences keeps the
    signature, but moving a number to another sentence, or swapping two numbers, changes it),
    and where the answer negates: in which clause of a sentence, and what ("ReLU does not
    saturate, while the sigmoid does" is not "ReLU does saturate, while the sigmoid does not")."""
    parts, negated, wording = [], [], []
    text = as_text(text)
    for s in SENTENCE.split(text or ""):
        nums = numbers(s)
        n = normalise(s)
        if nums:
            parts.append((_SKELETON.sub("", _NUM.sub("#", n)), nums))
        if NEGATION.search(n):
            marks = tuple((i, (clause[m.end():m.end() + 80].split() or [""])[0])     # the next word only
                          for i, clause in enumerate(CLAUSE.split(n)) for m in NEGATION.finditer(clause))
            negated.append((_SKELETON.sub("", NEGATION.sub("", n)), marks))
        said = (tuple(OPPOSED.findall(n)), tuple(OPERATOR.findall(n)), tuple(LETTER.findall(n)))
        if any(said):
            wording.append(said)
    parts.sort()
    negated.sort()
    wording.sort()
    # Indexed names and comparisons, in order: `\delta_3 x_2` is not `\delta_3 x_1`, `a > b` is not `a < b`.
    marks = tuple(INDEXED_OR_RELATION.findall(normalise(text)))
    # The pictures, by digest: a photo is the answer it shows, never a near-duplicate of text.
    pictures = tuple(sorted(PICTURE_MARK.findall(text or "")))
    return (tuple(n for _, n in parts), tuple(m for _, m in negated), marks, scopes(normalise(text)), tuple(wording),
            pictures)


def scopes(form: str) -> str:
    r"""The brackets of a normal form and the operators inside them, in order: e^{-s}+1 is not
    e^{-s+1}, nor \sqrt{x}+1 \sqrt{x+1}, however alike the rest of the answer (a thirty-eighth
    review: one group, and a group grade gave the wrong one the right one's points)."""
    out, depth = [], 0
    for ch in form:
        if ch in "([":
            depth += 1
            out.append(ch)
        elif ch in ")]":
            depth = max(0, depth - 1)
            out.append(ch)
        elif depth and ch in "^/+-*=<>":
            out.append(ch)
    return "".join(out)


def place(gb: Gradebook, task: str, answers: list[Answer] | None = None) -> int:
    """Give every answer of ``task`` that has no group (new, or changed since) one; returns how
    many were placed. Answers a TA moved keep their group while their text is unchanged."""
    answers = {a.key: a for a in (answers if answers is not None else gb.answers(task, pictures=False))}
    placed = {r[0]: r[1] for r in gb.read().execute(
        "SELECT submission_key, answer_sha FROM group_members WHERE task=?", (task,))}
    if placed.keys() == answers.keys() and all(placed[k] == a.sha for k, a in answers.items()):
        return 0                   # the common case: a read, no write lock
    with gb.transaction() as db:
        members = {r["submission_key"]: r for r in db.execute(
            "SELECT * FROM group_members WHERE task=?", (task,))}
        gone = [k for k in members if k not in answers]
        db.executemany("DELETE FROM group_members WHERE task=? AND submission_key=?", [(task, k) for k in gone])
        todo = [a for k, a in answers.items() if k not in members or members[k]["answer_sha"] != a.sha]
        if not todo:
            return 0
        # Representatives of the groups that stay, by signature bucket.
        reps: dict[tuple, list[tuple[str, str, int]]] = {}
        for g in db.execute("SELECT g.id, g.rep_key FROM answer_groups g WHERE g.task=?", (task,)):
            rep = answers.get(g["rep_key"])
            m = members.get(g["rep_key"])
            if rep is None or m is None or m["answer_sha"] != rep.sha or m["group_id"] != g["id"]:
                continue
            reps.setdefault(signature(rep.text), []).append((form(rep.text), sorted_form(rep.text), g["id"]))
        counts = Counter((signature(a.text), form(a.text)) for a in todo)
        todo.sort(key=lambda a: (-counts[(signature(a.text), form(a.text))], form(a.text), a.key))
        for a in todo:
            sig, f = signature(a.text), form(a.text)
            bucket = reps.setdefault(sig, [])
            gid = _best(a.text, bucket)
            if gid is None:
                gid = db.execute("INSERT INTO answer_groups (task, rep_key) VALUES (?, ?)", (task, a.key)).lastrowid
                bucket.append((f, sorted_form(a.text), gid))
            db.execute("INSERT INTO group_members (task, submission_key, group_id, answer_sha, pinned) "
                       "VALUES (?,?,?,?,0) ON CONFLICT(task, submission_key) DO UPDATE SET "
                       "group_id=excluded.group_id, answer_sha=excluded.answer_sha, pinned=0",
                       (task, a.key, gid, a.sha))
        _fix_representatives(db, task)
    return len(todo)


def _fix_representatives(db, task: str) -> None:
    """A group whose representative left it gets its first remaining member; empty groups go."""
    for g in db.execute("SELECT id, rep_key FROM answer_groups WHERE task=?", (task,)).fetchall():
        keys = [r[0] for r in db.execute("SELECT submission_key FROM group_members WHERE group_id=? "
                                         "ORDER BY submission_key", (g["id"],))]
        if not keys:
            db.execute("DELETE FROM answer_groups WHERE id=?", (g["id"],))
        elif g["rep_key"] not in keys:
            db.execute("UPDATE answer_groups SET rep_key=? WHERE id=?", (keys[0], g["id"]))


def groups(gb: Gradebook, task: str, answers: list[Answer] | None = None) -> list[Group]:
    """The task's groups, largest first (placing new answers first)."""
    place(gb, task, answers)
    db = gb.read()
    reps = {r["id"]: r["rep_key"] for r in db.execute("SELECT id, rep_key FROM answer_groups WHERE task=?", (task,))}
    members: dict[int, list[str]] = {}
    for r in db.execute("SELECT group_id, submission_key FROM group_members WHERE task=? ORDER BY submission_key",
                        (task,)):
        members.setdefault(r["group_id"], []).append(r["submission_key"])
    out = []
    for gid, keys in members.items():
        rep = reps.get(gid, keys[0])
        out.append(Group(gid, task, rep, tuple([rep] + [k for k in keys if k != rep])))
    out.sort(key=lambda g: (-g.size, g.id))
    return out


def group_of(gb: Gradebook, task: str, key: str) -> Group | None:
    return next((g for g in groups(gb, task) if key in g.members), None)


# ---------------------------------------------------------------------- TA actions
def split(gb: Gradebook, task: str, keys: list[str], ta: str) -> int:
    """Move ``keys`` into a new group of their own (one undoable change); returns its id."""
    place(gb, task)
    keys = sorted(set(keys))
    if not keys:
        raise ValueError("choose the answers to split off")
    with gb.change(ta, "groups", f"{task}: {len(keys)} answer(s) split into a new group") as (db, change):
        current = {r["submission_key"]: r for r in db.execute(
            "SELECT * FROM group_members WHERE task=? AND submission_key IN (%s)" % ",".join("?" * len(keys)),
            (task, *keys))}
        missing = set(keys) - set(current)
        if missing:
            raise KeyError(f"not answers of {task}: {sorted(missing)}")
        gid = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM answer_groups").fetchone()[0]
        gb._set(db, change, "group", {"id": gid}, {"task": task, "rep_key": keys[0]})
        for k in keys:
            gb._set(db, change, "member", {"task": task, "submission_key": k},
                    {"group_id": gid, "answer_sha": current[k]["answer_sha"], "pinned": 1})
        _fix_reps_logged(gb, db, change, task)
    return gid


def merge(gb: Gradebook, task: str, source: int, target: int, ta: str, force: bool = False) -> int:
    """Move every member of group ``source`` into ``target``. Groups whose numbers differ are
    merged only with ``force`` (a TA who knows 0.5 and 1/2 are one answer)."""
    if source == target:
        raise ValueError("a group cannot be merged into itself")
    by_id = {g.id: g for g in groups(gb, task)}
    if source not in by_id or target not in by_id:
        raise KeyError("no such group in this task")
    texts = {a.key: a.text for a in gb.answers(task, pictures=False)}
    if not force and signature(texts[by_id[source].rep_key]) != signature(texts[by_id[target].rep_key]):
        raise ValueError("the two groups' numbers (or negations) differ; merge anyway only if they are one answer")
    with gb.change(ta, "groups", f"{task}: group {source} merged into group {target}") as (db, change):
        for k in by_id[source].members:
            row = db.execute("SELECT answer_sha FROM group_members WHERE task=? AND submission_key=?",
                             (task, k)).fetchone()
            gb._set(db, change, "member", {"task": task, "submission_key": k},
                    {"group_id": target, "answer_sha": row[0], "pinned": 1})
        _fix_reps_logged(gb, db, change, task)
    return len(by_id[source].members)


def _fix_reps_logged(gb: Gradebook, db, change: int, task: str) -> None:
    for g in db.execute("SELECT id, rep_key FROM answer_groups WHERE task=?", (task,)).fetchall():
        keys = [r[0] for r in db.execute("SELECT submission_key FROM group_members WHERE group_id=? "
                                         "ORDER BY submission_key", (g["id"],))]
        if not keys:
            gb._set(db, change, "group", {"id": g["id"]}, None)
        elif g["rep_key"] not in keys:
            gb._set(db, change, "group", {"id": g["id"]}, {"task": task, "rep_key": keys[0]})


@dataclass
class GroupGrade:
    applied: list[str]
    skipped: list[Grade]          # graded otherwise (not by this TA's group grade): left as they are
    change: int | None


def apply_to_group(gb: Gradebook, task: str, source_key: str, ta: str, members: set[str] | None = None,
                   version: int | None = None, answer_sha_: str | None = None) -> GroupGrade:
    """Give every member of ``source_key``'s group the same rubric items, adjustment and
    comment as ``source_key`` (one change, one undo). A member graded differently (for the
    answer as it is now) is left alone and reported, never overwritten silently, unless the
    grade it has came from this TA's own group grade.

    What the TA saw is checked first (a twenty-seventh review: on a stale page the grade went to
    the group a regrade had moved the answer into): the grade must be for the answer's text as it
    is now, and, where given, the group's ``members``, the grade's ``version`` and the text the
    page showed (``answer_sha_``) must be as they are; else Conflict and nothing is written."""
    source = gb.grade(source_key, task)
    if source is None:
        raise ValueError("grade this answer first, then apply its grade to the group")
    group = group_of(gb, task, source_key)
    if group is None:
        raise KeyError("this answer has no group")
    answers = {a.key: a for a in gb.answers(task, pictures=False)}
    now = answers[source_key].sha if source_key in answers else None
    if source.answer_sha != now or (answer_sha_ is not None and answer_sha_ != now):
        raise Conflict(source, "the answer changed since it was graded (a resubmission)")
    if version is not None and version != source.version:
        raise Conflict(source, "the grade changed since the page was opened")
    if members is not None and members != set(group.members):
        raise Conflict(source, "the group changed since the page was opened")
    applied, skipped = [], []
    with gb.change(ta, "group-grade", f"{task}: grade of one answer applied to its group "
                                      f"({group.size} answers)") as (db, change):
        for key in group.members:
            if key == source_key or key not in answers:
                continue
            cur = gb.grade(key, task)
            same = cur is not None and (cur.items, cur.adjust, cur.comment) == (source.items, source.adjust,
                                                                                source.comment)
            if same and cur.answer_sha == answers[key].sha:
                continue
            # Graded otherwise for this text: kept, unless this TA's own group grade gave it (a
            # correction passed on again). A sixty-first review: `g` replaced the TA's own grades and
            # comments of merged answers without a word.
            if cur is not None and cur.answer_sha == answers[key].sha and not same and \
                    (gb.grade_changes_since(key, task, 0) or [("", "")])[-1] != (ta, "group-grade"):
                skipped.append(cur)
                continue
            gb.set_grade(key, task, items=source.items, adjust=source.adjust, comment=source.comment, ta=ta,
                         answer_sha_=answers[key].sha, change=(db, change))
            applied.append(key)
    return GroupGrade(applied, skipped, change if applied else None)


# ---------------------------------------------------------------------- differences
_TOKEN = re.compile(r"(\w+|[^\s\w$])([\s$]*)")   # $ is spacing here: LaTeX or not reads alike


def diff_html(rep: str, text: str) -> str:
    """How ``text`` differs from the representative, word by word: <del> what it lacks,
    <ins> what it adds; the rest as plain text, all escaped. Spacing is not compared (the
    normal form ignores it too), and ``text`` keeps its own spacing in the display."""
    a = [(m.group(1), m.group(2)) for m in _TOKEN.finditer(shown_text(as_text(rep)))]
    b = [(m.group(1), m.group(2)) for m in _TOKEN.finditer(shown_text(as_text(text)))]
    out = []
    for op, i1, i2, j1, j2 in word_ops([t for t, _ in a], [t for t, _ in b]):
        if op == "equal":
            out.append(html.escape("".join(t + s for t, s in b[j1:j2])))
            continue
        if i2 > i1:
            out.append(f"<del>{html.escape(' '.join(t for t, _ in a[i1:i2]))}</del> ")
        if j2 > j1:
            out.append(f"<ins>{html.escape(''.join(t + s for t, s in b[j1:j2]))}</ins>")
    if len(b) > MAX_WORDS:         # beyond what is compared: shown as it is
        out.append(f" [not compared:] {html.escape(''.join(t + s for t, s in b[MAX_WORDS:]))}")
    return "".join(out)
