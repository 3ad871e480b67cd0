"""The gradebook: one SQLite file that every output is rendered from.

Why SQLite: it is in the standard library, a single file next to the reports, and its
transactions are atomic and durable, so a grade a TA entered survives ``kill -9`` of the web
server or of a running batch, a full disk, and every regrade. WAL mode lets the web app, the
command line and a batch use it at the same time; each write is one short ``BEGIN IMMEDIATE``
transaction that commits before anyone is told it succeeded (``synchronous=FULL``).

Every change a person makes goes through ``_set``, which writes the record and appends its
state before and after to the history in the same transaction; ``undo`` restores the state
before, as a new change, and only when nobody changed the record since.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..answer_images import as_text
from ..render import clean_text
from ..results import NO_NOTEBOOK, CheckResult, SubmissionResult
from . import schema
from .models import (
    Answer,
    Change,
    Choice,
    Conflict,
    Grade,
    ItemChanged,
    Override,
    Rubric,
    RubricItem,
    TaskProgress,
    now,
)

FILENAME = "gradebook.sqlite"
KEPT_TEXT_CHARS = 100_000     # longer written answers (a page of pasted output) are not kept for a diff

# entity -> (table, identifying columns, value columns): what the history can record and undo.
ENTITIES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "grade": ("grades", ("submission_key", "task"), ("items", "adjust", "comment", "ta", "at", "answer_sha", "version")),
    "override": ("overrides", ("submission_key", "task", "check_name"),
                 ("points", "reason", "auto_points", "ta", "at", "version", "file_sha")),
    "item": ("rubric_items", ("id",), ("task", "pos", "points", "description", "feedback", "deleted")),
    "rubric": ("rubrics", ("task",), ("start",)),
    "group": ("answer_groups", ("id",), ("task", "rep_key")),
    "member": ("group_members", ("task", "submission_key"), ("group_id", "answer_sha", "pinned")),
    "assignment": ("assignments", ("task", "group_id", "ta"), ()),
    "choice": ("choices", ("participant_id",), ("submission_key", "ta", "at")),
}
# Columns added after the first gradebooks: what a record of the history written before holds.
ADDED = {"file_sha": ""}
NOT_UNDOABLE = {"regrade", "import", "undo-blocked", "move"}
EDIT_SECONDS = 120          # saves of one grade by one TA this close together are one change


class UndoError(Exception):
    """Why an undo is refused; ``record`` is (entity, ident, who changed it since) when a record
    the change touched was changed since, so the web app can name it as it names answers."""

    def __init__(self, message: str, record: tuple[str, dict, str] | None = None):
        super().__init__(message)
        self.record = record


def answer_sha(text: str | None) -> str:
    return "" if text is None else hashlib.sha256(clean_text(text).encode("utf-8")).hexdigest()


def _clean(value: Any) -> Any:
    """Student-derived text as every writer accepts it (no NUL, no lone surrogates)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def _ident(entity: str, ident: dict[str, Any]) -> str:
    return json.dumps([ident[c] for c in ENTITIES[entity][1]], ensure_ascii=False)


def _complete(entity: str, state: dict | None) -> dict | None:
    """A history record's state with the columns added since it was written."""
    if state is None:
        return None
    missing = {v: ADDED[v] for v in ENTITIES[entity][2] if v not in state and v in ADDED}
    return {**state, **missing} if missing else state


def _content(row: dict | None, skip: frozenset = frozenset()) -> dict | None:
    return None if row is None else {k: v for k, v in row.items() if k != "version" and k not in skip}


def _backfill_override_notebooks(db: sqlite3.Connection) -> None:
    """An override given before schema 3 named no notebook, so a resubmission after it was never
    said (an eighty-fourth review's fix held only for new overrides). The history knows which
    notebook's result was stored last before the override was given: that is the one it was for
    (in the history's order: a resubmission stored within the same second comes after it)."""
    for ov in db.execute("SELECT submission_key, task, check_name FROM overrides WHERE file_sha=''").fetchall():
        given = db.execute("SELECT id FROM history WHERE entity='override' AND ident=? AND after IS NOT NULL "
                           "ORDER BY id DESC LIMIT 1", (_ident("override", dict(ov)),)).fetchone()
        row = given and db.execute("SELECT after FROM history WHERE entity='result' AND ident=? AND id<? "
                                   "ORDER BY id DESC LIMIT 1", (json.dumps([ov["submission_key"]]), given[0])).fetchone()
        sha = (json.loads(row[0]) or {}).get("sha256", "") if row and row[0] else ""
        if sha:
            db.execute("UPDATE overrides SET file_sha=? WHERE submission_key=? AND task=? AND check_name=?",
                       (sha, ov["submission_key"], ov["task"], ov["check_name"]))


class Gradebook:
    """A gradebook file; safe to share between threads (one connection per thread)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()
        if not self.path.exists():
            # Created here so that it gets the TA's umask (SQLite would cap it at 0644, and a
            # course group could not grade in it); SQLite gives its -wal/-shm files the same mode.
            try:
                os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            except FileExistsError:
                pass
        self._init()

    # ------------------------------------------------------------------ connection, transactions
    def _connect(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=True)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA busy_timeout = 30000")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            # An answer without its pictures, made row by row inside SQLite: a whole class read so
            # never holds the class's photos at once.
            db.create_function("light_answer", 1, as_text, deterministic=True)
            self._local.db = db
        return db

    def _init(self) -> None:
        db = self._connect()
        # A new file, or one written before the newest table existed (every statement of the DDL
        # is IF NOT EXISTS: an older gradebook gains what it lacks and keeps everything it has).
        if db.execute("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name IN (%s)"
                      % ",".join("?" * len(schema.TABLES)), schema.TABLES).fetchone()[0] < len(schema.TABLES):
            try:
                db.executescript("BEGIN IMMEDIATE;" + schema.DDL + "COMMIT;")   # one transaction: small journal
            except sqlite3.OperationalError:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                if db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name='history'").fetchone()[0] == 0:
                    raise                  # not even the base tables: nothing can be read from it
                return                     # a read-only older gradebook: read as it is
        with self.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(schema.VERSION),))
                db.execute("INSERT INTO meta VALUES ('created', ?)", (now(),))
            elif row[0].isdigit() and int(row[0]) < schema.VERSION and self._has("choices"):
                columns = {r[1] for r in db.execute("PRAGMA table_info(overrides)")}
                if "file_sha" not in columns:
                    db.execute("ALTER TABLE overrides ADD COLUMN file_sha TEXT NOT NULL DEFAULT ''")
                if int(row[0]) < 4:
                    _backfill_override_notebooks(db)
                db.execute("UPDATE meta SET value=? WHERE key='schema'", (str(schema.VERSION),))

    def _has(self, table: str) -> bool:
        return self.read().execute("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name=?",
                                   (table,)).fetchone()[0] == 1

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: all of it is committed, or none of it (also on kill -9)."""
        db = self._connect()
        if db.in_transaction:          # nested: part of the caller's transaction
            yield db
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def read(self) -> sqlite3.Connection:
        return self._connect()

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # ------------------------------------------------------------------ meta
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.read().execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                       (key, value))

    def forget_meta(self, *keys: str) -> None:
        if any(self.meta(k) is not None for k in keys):
            with self.transaction() as db:
                db.executemany("DELETE FROM meta WHERE key=?", [(k,) for k in keys])

    # ------------------------------------------------------------------ automatic results
    def store_result(self, result: SubmissionResult, key: str | None = None, *, ta: str = "grader",
                     action: str = "regrade") -> int:
        """Store (or replace) a submission's automatic result in one transaction; return its id.

        Manual grades and overrides live in their own tables, keyed by the report key, and are
        never touched here: a regrade can change the automatic points and the answer text, and
        the rendering then marks a grade whose answer changed (kept, back in the queue).
        """
        key = key or result.key
        if not key:
            raise ValueError("a result needs its report key")
        d = _clean(result.to_dict())
        d.pop("chosen_by", None)    # a TA's choice lives in the choices table, never in a result
        checks = d.pop("checks")
        for c in checks:
            c.pop("review", None)   # reviews come from the grades, never from a result
        d["key"] = key
        cols = dict(key=key, file=d["file"], path=d.get("path", ""), sha256=d.get("sha256", ""),
                    participant_id=str(d.get("participant_id", "")), participant=d.get("participant", ""),
                    name=d.get("name") or d.get("participant", ""), matr_number=d.get("matr_number", ""), status=d.get("status", ""),
                    fingerprint=d.get("fingerprint", ""), result=json.dumps(d, ensure_ascii=False),
                    graded_at=now())
        with self.transaction() as db:
            old = db.execute("SELECT id, sha256 FROM submissions WHERE key=?", (key,)).fetchone()
            before = None
            if old is not None:
                before = self._auto_summary(db, old["id"], old["sha256"])
            db.execute(f"INSERT INTO submissions ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
                       f"ON CONFLICT(key) DO UPDATE SET "
                       + ", ".join(f"{c}=excluded.{c}" for c in cols if c != "key"), tuple(cols.values()))
            sid = db.execute("SELECT id FROM submissions WHERE key=?", (key,)).fetchone()[0]
            db.execute("DELETE FROM checks WHERE submission=?", (sid,))
            shas = [answer_sha(c["answer"]) if c.get("answer") is not None else None for c in checks]
            db.executemany(
                "INSERT INTO checks (submission, pos, task, name, max_points, points, passed, message, answer, "
                "answer_sha, manual_task) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(sid, i, c["task"], c["check"], c["max_points"], c["points"],
                  None if c["passed"] is None else int(bool(c["passed"])), c["message"], c.get("answer"),
                  sha, int(bool(c.get("manual_task")))) for i, (c, sha) in enumerate(zip(checks, shas))])
            db.executemany("INSERT OR IGNORE INTO answer_texts (sha, text) VALUES (?, ?)",
                           [(sha, c["answer"]) for c, sha in zip(checks, shas) if c.get("manual_task")
                            and c.get("answer") and len(c["answer"]) <= KEPT_TEXT_CHARS
                            and "data:image/" not in c["answer"]])
            after = self._auto_summary(db, sid, cols["sha256"])
            if before != after:
                change = self._change(db, ta, action, "automatic result stored")
                db.execute("INSERT INTO history (change, entity, ident, before, after) VALUES (?,?,?,?,?)",
                           (change, "result", json.dumps([key]), json.dumps(before) if before else None,
                            json.dumps(after)))
        return sid

    @staticmethod
    def _auto_summary(db: sqlite3.Connection, sid: int, sha: str) -> dict:
        rows = db.execute("SELECT task, points, answer_sha FROM checks WHERE submission=? ORDER BY pos",
                          (sid,)).fetchall()
        return {"sha256": sha, "points": [r["points"] for r in rows],
                "answers": {r["task"]: r["answer_sha"] for r in rows if r["answer_sha"]}}

    def fingerprints(self) -> dict[str, tuple[str, str]]:
        """key -> (fingerprint, notebook sha256): what resuming a batch compares."""
        return {r["key"]: (r["fingerprint"], r["sha256"])
                for r in self.read().execute("SELECT key, fingerprint, sha256 FROM submissions")}

    def graded_since(self, at: str) -> set[str]:
        """Keys whose automatic result was stored at ``at`` or later (ISO time, as ``now()``)."""
        return {r[0] for r in self.read().execute("SELECT key FROM submissions WHERE graded_at >= ?", (at,))}

    def keys_by_path(self) -> dict[tuple[str, str], str]:
        """(path below the graded folder, Moodle participant id) -> report key, of every notebook
        graded so far: a regrade gives each notebook the key its TA grades are stored under."""
        return {(r["path"], r["participant_id"]): r["key"] for r in self.read().execute(
            "SELECT key, path, participant_id FROM submissions WHERE path != ''")}

    def keys_of_participant(self, participant_id: str) -> list[str]:
        """The report keys of one Moodle participant's notebooks (several when they handed in more)."""
        if not participant_id:
            return []
        return [r["key"] for r in self.read().execute("SELECT key FROM submissions WHERE participant_id=? ORDER BY key",
                                                      (participant_id,))]

    def ids(self) -> dict[str, int]:
        return {r["key"]: r["id"] for r in self.read().execute("SELECT key, id FROM submissions")}

    def key_of(self, sid: int) -> str | None:
        row = self.read().execute("SELECT key FROM submissions WHERE id=?", (sid,)).fetchone()
        return row[0] if row else None

    def count(self) -> int:
        return self.read().execute("SELECT COUNT(*) FROM submissions").fetchone()[0]

    def automatic(self, keys: Iterable[str] | None = None, pictures: bool = True) -> dict[str, SubmissionResult]:
        """The automatic results as graded (no TA decisions applied), by report key; without
        ``pictures``, written answers carry ``[image …]`` for each picture and their stored sha
        (CheckResult.light): what a whole class is read as, except to write a report out."""
        db = self.read()
        cols = "c.*" if pictures else ("c.submission, c.pos, c.task, c.name, c.max_points, c.points, c.passed, "
                                       "c.message, light_answer(c.answer) AS answer, c.answer_sha, c.manual_task")
        if keys is None:
            subs = db.execute("SELECT id, key, result FROM submissions ORDER BY key").fetchall()
            checks = db.execute(f"SELECT {cols} FROM checks c ORDER BY submission, pos").fetchall()
        else:
            keys = list(keys)
            subs, checks = [], []
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                q = ",".join("?" * len(chunk))
                subs += db.execute(f"SELECT id, key, result FROM submissions WHERE key IN ({q})", chunk).fetchall()
                checks += db.execute(f"SELECT {cols} FROM checks c JOIN submissions s ON s.id=c.submission "
                                     f"WHERE s.key IN ({q}) ORDER BY c.submission, c.pos", chunk).fetchall()
        by_sid: dict[int, list[CheckResult]] = {}
        for c in checks:
            by_sid.setdefault(c["submission"], []).append(CheckResult(
                task=c["task"], check=c["name"], max_points=c["max_points"], points=c["points"],
                passed=None if c["passed"] is None else bool(c["passed"]), message=c["message"],
                answer=c["answer"], manual_task=bool(c["manual_task"]),
                answer_sha=None if pictures or c["answer"] is None else c["answer_sha"]))
        out = {}
        for s in subs:
            d = json.loads(s["result"])
            d["checks"] = []
            r = SubmissionResult.from_dict(d)
            r.checks = by_sid.get(s["id"], [])
            r.key = s["key"]
            out[s["key"]] = r
        return out

    # ------------------------------------------------------------------ written answers
    def answers(self, task: str, pictures: bool = True) -> list[Answer]:
        """Every written answer handed in for a task (unanswered placeholders excluded); without
        ``pictures``, each picture as ``[image …]`` (what groups compare; the page reads one answer
        whole with ``answer``)."""
        text = "c.answer" if pictures else "light_answer(c.answer) AS answer"
        rows = self.read().execute(
            f"SELECT s.id AS sid, s.key, c.task, {text}, c.answer_sha, c.max_points FROM checks c "
            "JOIN submissions s ON s.id = c.submission WHERE c.task=? AND c.manual_task=1 "
            "AND c.answer IS NOT NULL ORDER BY s.key", (task,)).fetchall()
        return [Answer(r["sid"], r["key"], r["task"], r["answer"], r["answer_sha"], r["max_points"]) for r in rows]

    def answer(self, task: str, key: str) -> Answer | None:
        r = self.read().execute(
            "SELECT s.id AS sid, s.key, c.task, c.answer, c.answer_sha, c.max_points FROM checks c "
            "JOIN submissions s ON s.id = c.submission WHERE c.task=? AND s.key=? AND c.manual_task=1 "
            "AND c.answer IS NOT NULL", (task, key)).fetchone()
        return None if r is None else Answer(r["sid"], r["key"], r["task"], r["answer"], r["answer_sha"],
                                            r["max_points"])

    def manual_tasks(self) -> list[str]:
        return [r[0] for r in self.read().execute(
            "SELECT task FROM checks WHERE manual_task=1 GROUP BY task ORDER BY MIN(pos)")]

    def progress(self) -> dict[str, TaskProgress]:
        db = self.read()
        out: dict[str, TaskProgress] = {}
        for r in db.execute("SELECT c.task, s.key, c.answer_sha, c.answer IS NOT NULL AS answered, g.answer_sha "
                            "AS graded_sha, g.ta, s.status FROM checks c JOIN submissions s ON s.id=c.submission "
                            "LEFT JOIN grades g ON g.submission_key=s.key AND g.task=c.task "
                            "WHERE c.manual_task=1"):
            p = out.setdefault(r["task"], TaskProgress(r["task"]))
            if not r["answered"]:
                p.unanswered += 1
                p.no_notebook += r["status"] == NO_NOTEBOOK
                continue
            p.answers += 1
            if r["graded_sha"] is None:
                continue
            if r["graded_sha"] == r["answer_sha"]:
                p.graded += 1
                p.by_ta[r["ta"]] = p.by_ta.get(r["ta"], 0) + 1
            else:
                p.stale += 1
        return out

    # ------------------------------------------------------------------ history primitives
    def _change(self, db: sqlite3.Connection, ta: str, action: str, summary: str = "",
                undo_of: int | None = None) -> int:
        cur = db.execute("INSERT INTO changes (at, ta, action, summary, undo_of) VALUES (?,?,?,?,?)",
                         (now(), ta, action, summary, undo_of))
        return cur.lastrowid

    def _get(self, db: sqlite3.Connection, entity: str, ident: dict[str, Any]) -> dict[str, Any] | None:
        table, keys, values = ENTITIES[entity]
        row = db.execute(f"SELECT * FROM {table} WHERE " + " AND ".join(f"{k}=?" for k in keys),
                         tuple(ident[k] for k in keys)).fetchone()
        if row is None:
            return None
        return {k: row[k] for k in (*keys, *values)}

    def _set(self, db: sqlite3.Connection, change: int, entity: str, ident: dict[str, Any],
             state: dict[str, Any] | None) -> None:
        """Write one record (None deletes it) and append before/after to the history."""
        table, keys, values = ENTITIES[entity]
        before = self._get(db, entity, ident)
        state = _complete(entity, state)
        after = None if state is None else {**{k: ident[k] for k in keys}, **{v: state[v] for v in values}}
        if before == after:
            return
        where = " AND ".join(f"{k}=?" for k in keys)
        db.execute(f"DELETE FROM {table} WHERE {where}", tuple(ident[k] for k in keys))
        if after is not None:
            cols = (*keys, *values)
            db.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                       tuple(after[c] for c in cols))
        db.execute("INSERT INTO history (change, entity, ident, before, after) VALUES (?,?,?,?,?)",
                   (change, entity, _ident(entity, ident), None if before is None else json.dumps(before),
                    None if after is None else json.dumps(after)))

    # ------------------------------------------------------------------ rubrics
    def rubric(self, task: str) -> Rubric:
        db = self.read()
        row = db.execute("SELECT start FROM rubrics WHERE task=?", (task,)).fetchone()
        items = tuple(RubricItem(r["id"], r["task"], r["pos"], r["points"], r["description"], r["feedback"],
                                 bool(r["deleted"]))
                      for r in db.execute("SELECT * FROM rubric_items WHERE task=? AND deleted=0 ORDER BY pos, id",
                                          (task,)))
        return Rubric(task, row["start"] if row else "zero", items)

    def all_items(self) -> dict[int, RubricItem]:
        return {r["id"]: RubricItem(r["id"], r["task"], r["pos"], r["points"], r["description"], r["feedback"],
                                    bool(r["deleted"]))
                for r in self.read().execute("SELECT * FROM rubric_items")}

    def set_rubric_start(self, task: str, start: str, ta: str) -> None:
        if start not in ("zero", "max"):
            raise ValueError("start is 'zero' or 'max'")
        giving = [i for i in self.rubric(task).items if i.points > 0]
        if start == "max" and giving:
            # Counting down, an item that gives points only pushes past the maximum, which is kept:
            # every graded answer would get full marks (a hundred-and-sixteenth review).
            listed = ", ".join(f"{i.points:+g} “{i.description}”" for i in giving[:3]) + (" ..." if len(giving) > 3 else "")
            raise ValueError(f"Counting down from the maximum, items that give points ({listed}) would give every "
                             f"answer full marks. Make them deductions first (edit each to a negative number), "
                             f"then count down; nothing was changed.")
        with self.transaction() as db:
            graded = db.execute("SELECT COUNT(*) FROM grades WHERE task=?", (task,)).fetchone()[0]
            change = self._change(db, ta, "rubric", f"{task}: count {'up from 0' if start == 'zero' else 'down from the maximum'}"
                                  f"; {graded} graded answer(s) scored anew")
            self._set(db, change, "rubric", {"task": task}, {"start": start})

    def add_item(self, task: str, points: float, description: str, feedback: str, ta: str) -> RubricItem:
        description = clean_text(description).strip()
        if not description:
            raise ValueError("a rubric item needs a description")
        self._deducts(task, float(points))
        with self.transaction() as db:
            new_id = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM rubric_items").fetchone()[0]
            pos = db.execute("SELECT COALESCE(MAX(pos), 0) + 1 FROM rubric_items WHERE task=? AND deleted=0",
                             (task,)).fetchone()[0]
            change = self._change(db, ta, "rubric", f"{task}: new item {points:+g} {description}")
            self._set(db, change, "item", {"id": new_id},
                      dict(task=task, pos=pos, points=float(points), description=description,
                           feedback=clean_text(feedback).strip(), deleted=0))
        return self.all_items()[new_id]

    def update_item(self, item_id: int, ta: str, expect: dict[str, Any] | None = None, **fields: Any) -> RubricItem:
        """Change an item's points, description or feedback: every answer carrying it follows.
        ``expect``: the item as the TA's page showed it; if it changed since, nothing is written
        (ItemChanged)."""
        with self.transaction() as db:
            cur = self._get(db, "item", {"id": item_id})
            if cur is None:
                raise KeyError(f"no rubric item {item_id}")
            if expect is not None and (cur["deleted"] or any(
                    (float(cur[k]) != float(v)) if k == "points" else (cur[k] != clean_text(str(v)).strip())
                    for k, v in expect.items() if k in ("points", "description", "feedback"))):
                raise ItemChanged(RubricItem(item_id, cur["task"], cur["pos"], cur["points"], cur["description"],
                                             cur["feedback"], bool(cur["deleted"])))
            new = dict(cur)
            for k, v in fields.items():
                if k == "points":
                    new[k] = float(v)
                elif k in ("description", "feedback"):
                    new[k] = clean_text(v).strip()
                elif k in ("pos", "deleted"):
                    new[k] = int(v)
                else:
                    raise ValueError(f"unknown field {k}")
            if not new["description"]:
                raise ValueError("a rubric item needs a description")
            if not new["deleted"] and new["points"] != cur["points"]:
                self._deducts(cur["task"], new["points"])
            carried = self._carriers(db, item_id)
            what = "deleted" if new["deleted"] and not cur["deleted"] else "edited"
            points = f"{cur['points']:+g}" if what == "deleted" or new["points"] == cur["points"] else \
                f"{cur['points']:+g} → {new['points']:+g}"
            change = self._change(db, ta, "rubric", f"{cur['task']}: item {what} ({points}) {new['description']}; "
                                  f"{carried} answer(s) carry it")
            self._set(db, change, "item", {"id": item_id}, new)
        return self.all_items()[item_id]

    def _deducts(self, task: str, points: float) -> None:
        """Counting down from the maximum, an item that gives points would only push past it (a
        hundred-and-twentieth review added a +2 bonus after the switch was refused for one)."""
        if points > 0 and self.rubric(task).start == "max":
            raise ValueError(f"This task counts down from the maximum: an item of {points:+g} would give full "
                             f"marks. Make it a deduction (a negative number), or count up from 0 first; "
                             f"nothing was changed.")

    def delete_item(self, item_id: int, ta: str) -> RubricItem:
        return self.update_item(item_id, ta, deleted=1)

    @staticmethod
    def _carriers(db: sqlite3.Connection, item_id: int) -> int:
        return sum(1 for r in db.execute("SELECT items FROM grades") if item_id in json.loads(r[0]))

    # ------------------------------------------------------------------ grades
    @staticmethod
    def _grade(row: dict | sqlite3.Row | None) -> Grade | None:
        if row is None:
            return None
        return Grade(row["submission_key"], row["task"], tuple(json.loads(row["items"])), row["adjust"],
                     row["comment"], row["ta"], row["at"], row["answer_sha"], row["version"])

    def grade(self, key: str, task: str) -> Grade | None:
        return self._grade(self.read().execute("SELECT * FROM grades WHERE submission_key=? AND task=?",
                                               (key, task)).fetchone())

    def _rows(self, table: str, task: str | None, keys: Iterable[str] | None, key: str | None = None):
        where, args = [], []
        if task:
            where.append("task=?")
            args.append(task)
        if key:
            where.append("submission_key=?")
            args.append(key)
        q = f"SELECT * FROM {table}" + (" WHERE " + " AND ".join(where) if where else "")
        if keys is None:
            return self.read().execute(q, args).fetchall()
        keys, rows = list(keys), []
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            cond = f"submission_key IN ({','.join('?' * len(chunk))})"
            rows += self.read().execute(q + (" AND " if where else " WHERE ") + cond, [*args, *chunk]).fetchall()
        return rows

    def grades(self, task: str | None = None, keys: Iterable[str] | None = None) -> dict[tuple[str, str], Grade]:
        return {(r["submission_key"], r["task"]): self._grade(r) for r in self._rows("grades", task, keys)}

    def set_grade(self, key: str, task: str, *, items: Iterable[int] = (), adjust: float = 0.0, comment: str = "",
                  ta: str, expected_version: int | None = None, answer_sha_: str | None = None,
                  action: str = "grade", change: tuple[sqlite3.Connection, int] | None = None) -> Grade:
        """Grade one written answer. ``expected_version`` (0: no grade yet) makes it a
        compare-and-set: if another TA saved in between, ``Conflict`` is raised and nothing
        is written. The grade records the answer it was given to (its sha256)."""
        items = tuple(sorted({int(i) for i in items}))
        with self.transaction() as db:
            cur = self._grade(db.execute("SELECT * FROM grades WHERE submission_key=? AND task=?",
                                         (key, task)).fetchone())
            if expected_version is not None and (cur.version if cur else 0) != expected_version:
                raise Conflict(cur)
            valid = {r[0] for r in db.execute("SELECT id FROM rubric_items WHERE task=? AND deleted=0", (task,))}
            unknown = set(items) - valid
            if unknown:
                # An item another TA deleted after this page was loaded is named, with what to do (a
                # hundred-and-sixteenth review got a Python list and no next step).
                gone = [r for r in db.execute(f"SELECT * FROM rubric_items WHERE task=? AND deleted=1 AND id IN "
                                              f"({','.join('?' * len(unknown))})", (task, *sorted(unknown)))]
                if gone:
                    named = ", ".join(f"“{r['description']}” ({r['points']:+g})" for r in gone)
                    raise ValueError(f"The rubric item {named} was deleted (by another TA, or in another tab) "
                                     f"after this page was loaded. Nothing was saved; reload the page (F5) and "
                                     f"tick again." if len(gone) == 1 else
                                     f"The rubric items {named} were deleted (by another TA, or in another tab) "
                                     f"after this page was loaded. Nothing was saved; reload the page (F5) and "
                                     f"tick again.")
                raise ValueError(f"rubric item(s) {sorted(unknown)} are not in the rubric of {task}")
            if answer_sha_ is None:
                row = db.execute("SELECT c.answer_sha FROM checks c JOIN submissions s ON s.id=c.submission "
                                 "WHERE s.key=? AND c.task=? AND c.manual_task=1", (key, task)).fetchone()
                if row is None:
                    raise KeyError(f"no written answer of {key} for {task}")
                answer_sha_ = row[0] or ""
            state = dict(items=json.dumps(list(items)), adjust=float(adjust), comment=clean_text(comment).strip(),
                         ta=ta, at=now(), answer_sha=answer_sha_, version=(cur.version if cur else 0) + 1)
            if cur is not None and (cur.items, cur.adjust, cur.comment, cur.answer_sha) == (
                    items, float(adjust), state["comment"], answer_sha_):
                return cur    # nothing changed: no new version, no history row
            ident = {"submission_key": key, "task": task}
            cid = change[1] if change else (self._editing(db, ta, action, ident, cur)
                                            or self._change(db, ta, action, f"{task}: grade"))
            self._set(db, cid, "grade", ident, state)
        return self.grade(key, task)

    def _editing(self, db: sqlite3.Connection, ta: str, action: str, ident: dict[str, Any],
                 cur: Grade | None) -> int | None:
        """The change this save continues, or None: the browser saves every tick, adjustment and
        comment as it is made, and one answer's grade given in one go is one change, one undo (a
        sixty-first review: a save of points and comment was two changes, and an undo left the new
        points with the old comment). It continues the latest change of all when that one is this
        TA's edit of this grade alone, made within the last EDIT_SECONDS."""
        if action != "grade" or cur is None:
            return None
        last = db.execute("SELECT id, ta, action FROM changes ORDER BY id DESC LIMIT 1").fetchone()
        if last is None or last["ta"] != ta or last["action"] != "grade":
            return None
        touched = {(r[0], r[1]) for r in db.execute("SELECT entity, ident FROM history WHERE change=?", (last["id"],))}
        if touched != {("grade", _ident("grade", ident))}:
            return None
        try:
            age = datetime.now(timezone.utc) - datetime.fromisoformat(cur.at)
        except ValueError:
            return None
        return last["id"] if timedelta(0) <= age <= timedelta(seconds=EDIT_SECONDS) else None

    def grade_changes_since(self, key: str, task: str, version: int) -> list[tuple[str, str]]:
        """Who changed one grade after its ``version``, and by which action (``merge``, ``grade``,
        ``group-grade``, ``undo``...), oldest first: a sheet exported at that version may be merged
        again over its TA's own merges only."""
        ident = _ident("grade", {"submission_key": key, "task": task})
        out = []
        for by, how, after in self.read().execute(
                "SELECT c.ta, c.action, h.after FROM history h JOIN changes c ON c.id=h.change "
                "WHERE h.entity='grade' AND h.ident=? ORDER BY h.id", (ident,)):
            state = None if after is None else json.loads(after)
            if state is None or int(state.get("version", 0)) > version:
                out.append((by, how))
        return out

    def grade_at(self, key: str, task: str, version: int) -> Grade | None:
        """One grade as its ``version`` was written (None: no such version in the history): what
        a sheet exported at that version showed."""
        written = self._written(key, task, version)
        return None if written is None else written[1]

    def _written(self, key: str, task: str, version: int) -> tuple[int, Grade] | None:
        """The history record that wrote a grade's ``version``, and that grade."""
        ident = _ident("grade", {"submission_key": key, "task": task})
        for hid, after in self.read().execute("SELECT id, after FROM history WHERE entity='grade' AND ident=? "
                                              "ORDER BY id DESC", (ident,)):
            state = None if after is None else json.loads(after)
            if state is not None and int(state.get("version", 0)) == version:
                return hid, self._grade(state)
        return None

    def as_exported(self, key: str, task: str, version: int, max_points: float) -> tuple[list[float], str] | None:
        """What a sheet exported at a grade's ``version`` showed (None: no such version): its comment,
        and the points it had under each rubric the task had since that version was written, today's
        first. A rubric item's points edited after the export change the grade's points without a
        new version of it (a ninetieth review: the sheet's row, as exported, was taken for points
        typed in, and merging it as told put the old points back)."""
        written = self._written(key, task, version)
        if written is None:
            return None
        since, grade = written
        out: list[float] = []
        for rubric in self._rubrics_back(task, since):
            points = rubric.score(grade.items, grade.adjust, max_points)
            if points not in out:
                out.append(points)
        return out, grade.comment

    def _rubrics_back(self, task: str, since: int) -> Iterator[Rubric]:
        """The task's rubric as it is, then as it was before each edit of it recorded after
        history record ``since``, the latest edit first (deleted items kept, marked)."""
        db = self.read()
        items = {r["id"]: dict(r) for r in db.execute("SELECT * FROM rubric_items WHERE task=?", (task,))}
        row = db.execute("SELECT start FROM rubrics WHERE task=?", (task,)).fetchone()
        start = row["start"] if row else "zero"

        def rubric() -> Rubric:
            return Rubric(task, start, tuple(RubricItem(i["id"], task, i["pos"], i["points"], i["description"],
                                                        i["feedback"], bool(i["deleted"])) for i in items.values()))
        yield rubric()
        for entity, ident_, before in db.execute(
                "SELECT entity, ident, before FROM history WHERE id>? AND entity IN ('item', 'rubric') ORDER BY id DESC",
                (since,)).fetchall():
            state = None if before is None else json.loads(before)
            if entity == "rubric":
                if json.loads(ident_) == [task]:
                    start = (state or {}).get("start", "zero")
            else:
                item_id = json.loads(ident_)[0]
                if state is None:
                    items.pop(item_id, None)
                elif state.get("task") == task:
                    items[item_id] = {**state, "id": item_id}
            yield rubric()

    def rubric_as_of(self, task: str, change: int) -> Rubric:
        """The task's rubric as it was once ``change`` had been written: the points a grade had
        then (a history row counted with today's rubric showed points the grade never had)."""
        row = self.read().execute("SELECT MAX(id) FROM history WHERE change=?", (change,)).fetchone()
        since = row[0] if row and row[0] is not None else 0
        *_, rubric = self._rubrics_back(task, since)
        return rubric

    def clear_grade(self, key: str, task: str, ta: str, expected_version: int | None = None) -> None:
        with self.transaction() as db:
            cur = self.grade(key, task)
            if expected_version is not None and (cur.version if cur else 0) != expected_version:
                raise Conflict(cur)
            if cur is None:
                return
            change = self._change(db, ta, "grade", f"{task}: grade removed")
            self._set(db, change, "grade", {"submission_key": key, "task": task}, None)

    @contextmanager
    def change(self, ta: str, action: str, summary: str = "") -> Iterator[tuple[sqlite3.Connection, int]]:
        """Several writes as one change (one undo): ``with gb.change(ta, 'group-grade') as ch:``."""
        with self.transaction() as db:
            yield db, self._change(db, ta, action, summary)

    # ------------------------------------------------------------------ which notebook counts
    def choices(self) -> dict[str, Choice]:
        """By Moodle participant id: the notebook a TA chose to count among their several."""
        try:
            rows = self.read().execute("SELECT * FROM choices").fetchall()
        except sqlite3.OperationalError:           # a read-only gradebook from before the table
            return {}
        return {r["participant_id"]: Choice(r["participant_id"], r["submission_key"], r["ta"], r["at"]) for r in rows}

    @staticmethod
    def _submission(db: sqlite3.Connection, key: str) -> sqlite3.Row:
        row = db.execute("SELECT participant_id, file FROM submissions WHERE key=?", (key,)).fetchone()
        if row is None:
            raise KeyError(f"no report '{key}'")
        return row

    def choose(self, key: str, ta: str) -> Choice:
        """Make the notebook of report ``key`` the one that counts for its participant."""
        with self.transaction() as db:
            row = self._submission(db, key)
            pid = row["participant_id"]
            if not pid:
                raise ValueError(f"'{key}' is not in a Moodle participant folder: it is its own student and counts")
            change = self._change(db, ta, "choose", f"participant {pid}: {row['file']} counts")
            self._set(db, change, "choice", {"participant_id": pid}, {"submission_key": key, "ta": ta, "at": now()})
        return self.choices()[pid]

    def unchoose(self, key: str, ta: str) -> bool:
        """Back to the automatic choice for the participant of report ``key``; False: none was made."""
        with self.transaction() as db:
            pid = self._submission(db, key)["participant_id"]
            if not pid or self._get(db, "choice", {"participant_id": pid}) is None:
                return False
            change = self._change(db, ta, "choose", f"participant {pid}: the automatic choice counts")
            self._set(db, change, "choice", {"participant_id": pid}, None)
        return True

    # ------------------------------------------------------------------ overrides
    @staticmethod
    def _override(row) -> Override | None:
        if row is None:
            return None
        return Override(row["submission_key"], row["task"], row["check_name"], row["points"], row["reason"],
                        row["auto_points"], row["ta"], row["at"], row["version"],
                        row["file_sha"] if "file_sha" in row.keys() else "")

    def overrides(self, key: str | None = None, keys: Iterable[str] | None = None
                  ) -> dict[tuple[str, str, str], Override]:
        return {(r["submission_key"], r["task"], r["check_name"]): self._override(r)
                for r in self._rows("overrides", None, keys, key)}

    def set_override(self, key: str, task: str, check: str, points: float, reason: str, ta: str,
                     expected_version: int | None = None, expected_file: str | None = None) -> Override:
        """A TA changes an automatic check's points (a regrade request); the reason is required
        and goes to the student's feedback. ``expected_file``: the notebook's sha256 the page showed;
        a resubmission graded since is a conflict (an eighty-fourth review: a page of the old notebook
        granted points to the new one as if given for it)."""
        reason = clean_text(reason).strip()
        if not reason:
            raise ValueError("an override needs a reason (it is shown to the student)")
        with self.transaction() as db:
            row = db.execute("SELECT c.points, c.max_points, c.answer, s.sha256 FROM checks c JOIN submissions s "
                             "ON s.id=c.submission WHERE s.key=? AND c.task=? AND c.name=?", (key, task, check)).fetchone()
            if row is None:
                raise KeyError(f"no check {task}: {check} for {key}")
            if row["answer"] is not None:
                raise ValueError("this is a written answer: grade it instead of overriding it")
            if expected_file and row["sha256"] and expected_file != row["sha256"]:
                raise Conflict(None, "the notebook was graded again (a resubmission) after the page was opened")
            if not 0 <= points <= row["max_points"]:
                raise ValueError(f"{points:g} is outside 0..{row['max_points']:g}")
            cur = self._override(db.execute("SELECT * FROM overrides WHERE submission_key=? AND task=? AND "
                                            "check_name=?", (key, task, check)).fetchone())
            if expected_version is not None and (cur.version if cur else 0) != expected_version:
                raise Conflict(cur)
            change = self._change(db, ta, "override", f"{task}: {check} → {points:g} points ({reason})")
            self._set(db, change, "override", {"submission_key": key, "task": task, "check_name": check},
                      dict(points=float(points), reason=reason, auto_points=row["points"], ta=ta, at=now(),
                           version=(cur.version if cur else 0) + 1, file_sha=row["sha256"] or ""))
        return self.overrides(key)[(key, task, check)]

    def clear_override(self, key: str, task: str, check: str, ta: str, expected_version: int | None = None) -> None:
        with self.transaction() as db:
            cur = self._override(db.execute("SELECT * FROM overrides WHERE submission_key=? AND task=? AND "
                                            "check_name=?", (key, task, check)).fetchone())
            if expected_version is not None and (cur.version if cur else 0) != expected_version:
                raise Conflict(cur)
            if cur is None:
                return                      # nothing to clear: no change in the history either
            change = self._change(db, ta, "override", f"{task}: {check} back to the automatic points")
            self._set(db, change, "override", {"submission_key": key, "task": task, "check_name": check}, None)

    # ------------------------------------------------------------------ assignments
    def assignments(self) -> dict[tuple[str, int], set[str]]:
        out: dict[tuple[str, int], set[str]] = {}
        for r in self.read().execute("SELECT * FROM assignments"):
            out.setdefault((r["task"], r["group_id"]), set()).add(r["ta"])
        return out

    def assign(self, task: str, ta_name: str, by: str, group_id: int = 0, on: bool = True) -> None:
        ta_name = clean_text(ta_name).strip()
        if not ta_name:
            raise ValueError("whom to assign: a TA's name")
        with self.transaction() as db:
            what = f"group {group_id}" if group_id else "the task"
            change = self._change(db, by, "assign", f"{task}: {what} {'assigned to' if on else 'no longer assigned to'} {ta_name}")
            self._set(db, change, "assignment", {"task": task, "group_id": group_id, "ta": ta_name}, {} if on else None)

    def move_submission(self, old: str, new: str, ta: str) -> tuple[list[str], list[str], list[str]]:
        """Carry one submission's grades and overrides over to another and retire the first: a file
        renamed outside Moodle's folders (its name corrected, as the grader told) is a new report
        key, and the TAs' grades stayed with the old one (a ninetieth review: two rows for one
        student, the same answers to grade again). A task the new one has a grade for keeps it
        (the old grade then stays in the history only). The old automatic result goes to the history; the grades keep the answer they were given
        to, so a text that differs comes back as changed. Returns (tasks moved, overrides moved,
        tasks kept as the new one had them). One change, not undone (grade the old file again and
        move back)."""
        if old == new:
            raise ValueError("the two report keys are the same")
        with self.transaction() as db:
            rows = {r["key"]: r for r in db.execute("SELECT id, key, sha256 FROM submissions WHERE key IN (?, ?)",
                                                    (old, new))}
            for key in (old, new):
                if key not in rows:
                    raise KeyError(key)
            change = self._change(db, ta, "move", f"{old} → {new}: grades and overrides carried over, {old} retired")
            moved, overrides, kept = [], [], []
            for g in db.execute("SELECT * FROM grades WHERE submission_key=? ORDER BY task", (old,)).fetchall():
                if db.execute("SELECT 1 FROM grades WHERE submission_key=? AND task=?", (new, g["task"])).fetchone():
                    # The old grade goes with its report: kept in the history, not left in a table
                    # where nothing would show it.
                    self._set(db, change, "grade", {"submission_key": old, "task": g["task"]}, None)
                    kept.append(g["task"])
                    continue
                state = {v: g[v] for v in ENTITIES["grade"][2]}
                self._set(db, change, "grade", {"submission_key": new, "task": g["task"]}, {**state, "version": 1})
                self._set(db, change, "grade", {"submission_key": old, "task": g["task"]}, None)
                moved.append(g["task"])
            for o in db.execute("SELECT * FROM overrides WHERE submission_key=? ORDER BY task, check_name",
                                (old,)).fetchall():
                ident = {"task": o["task"], "check_name": o["check_name"]}
                if db.execute("SELECT 1 FROM overrides WHERE submission_key=? AND task=? AND check_name=?",
                              (new, o["task"], o["check_name"])).fetchone():
                    self._set(db, change, "override", {"submission_key": old, **ident}, None)
                    kept.append(f"{o['task']}: {o['check_name']}")
                    continue
                state = {v: o[v] for v in ENTITIES["override"][2]}
                self._set(db, change, "override", {"submission_key": new, **ident}, {**state, "version": 1})
                self._set(db, change, "override", {"submission_key": old, **ident}, None)
                overrides.append(f"{o['task']}: {o['check_name']}")
            gone = rows[old]
            db.execute("INSERT INTO history (change, entity, ident, before, after) VALUES (?,?,?,?,NULL)",
                       (change, "result", json.dumps([old]),
                        json.dumps(self._auto_summary(db, gone["id"], gone["sha256"]))))
            db.execute("DELETE FROM checks WHERE submission=?", (gone["id"],))
            db.execute("DELETE FROM submissions WHERE id=?", (gone["id"],))
        return moved, overrides, kept

    def answer_text(self, sha: str) -> str | None:
        """A written answer's text by its sha256, as it was stored once (None: not kept)."""
        row = self.read().execute("SELECT text FROM answer_texts WHERE sha=?", (sha,)).fetchone() \
            if self._has("answer_texts") else None
        return None if row is None else row[0]

    def people(self) -> set[str]:
        """Everyone who changed something by hand or was given a task: the TAs this gradebook knows."""
        db = self.read()
        names = {r[0] for r in db.execute("SELECT DISTINCT ta FROM changes WHERE action NOT IN ('regrade', 'import')")}
        return names | {r[0] for r in db.execute("SELECT DISTINCT ta FROM assignments")}

    # ------------------------------------------------------------------ history and undo
    def changes(self, limit: int = 200, ta: str | None = None, people_only: bool = False) -> list[Change]:
        """The latest changes, newest first (``people_only``: without the automatic results a
        batch stored)."""
        db = self.read()
        undone = {r["undo_of"]: r["id"] for r in db.execute("SELECT id, undo_of FROM changes WHERE undo_of IS NOT NULL")}
        where, args = [], []
        if ta:
            where.append("c.ta=?")
            args.append(ta)
        if people_only:
            where.append("c.action NOT IN ('regrade', 'import')")
        q = ("SELECT c.*, (SELECT COUNT(*) FROM history h WHERE h.change=c.id) AS n FROM changes c "
             + ("WHERE " + " AND ".join(where) + " " if where else "") + "ORDER BY c.id DESC LIMIT ?")
        return [Change(r["id"], r["at"], r["ta"], r["action"], r["summary"], r["undo_of"], undone.get(r["id"]),
                       r["n"]) for r in db.execute(q, (*args, limit))]

    def change_of(self, change_id: int) -> Change | None:
        """One change of the history by its number (None: there is none)."""
        r = self.read().execute("SELECT c.*, (SELECT COUNT(*) FROM history h WHERE h.change=c.id) AS n, "
                                "(SELECT id FROM changes u WHERE u.undo_of=c.id) AS undone FROM changes c WHERE c.id=?",
                                (change_id,)).fetchone()
        return None if r is None else Change(r["id"], r["at"], r["ta"], r["action"], r["summary"], r["undo_of"],
                                              r["undone"], r["n"])

    def last_undoable(self, ta: str) -> Change | None:
        """This TA's latest change that an undo would take back: not a regrade, an import or an
        undo, not undone yet, and one that changed something (a sheet merged twice records a change
        of nothing; undoing it "succeeded" and left the grade: a TA's review)."""
        return next((c for c in self.changes(limit=200, ta=ta)
                     if c.action not in (*NOT_UNDOABLE, "undo") and c.undone_by is None and c.rows > 0), None)

    def head(self) -> int:
        """The latest record written to the history: anything a person or a batch changed moves
        it, also a save that continues a change (one grade edited in one go)."""
        return self.read().execute("SELECT COALESCE(MAX(id), 0) FROM history").fetchone()[0]

    def history_since(self, head: int) -> list[tuple[str, list, dict | None]]:
        """(entity, ident, state after) of every record written after ``head``, in order."""
        return [(r[0], json.loads(r[1]), None if r[2] is None else json.loads(r[2])) for r in self.read().execute(
            "SELECT entity, ident, after FROM history WHERE id > ? ORDER BY id", (head,))]

    def grade_of(self, state: dict) -> Grade:
        """A grade from a history record's state."""
        return self._grade(state)

    def history(self, change: int) -> list[dict[str, Any]]:
        return [dict(entity=r["entity"], ident=json.loads(r["ident"]),
                     before=None if r["before"] is None else json.loads(r["before"]),
                     after=None if r["after"] is None else json.loads(r["after"]))
                for r in self.read().execute("SELECT * FROM history WHERE change=? ORDER BY id", (change,))]

    def undo(self, change_id: int, ta: str) -> int:
        """Restore what a change replaced, as a new change; refused when it was undone already,
        cannot be undone (a regrade), or a record it touched was changed since."""
        with self.transaction() as db:
            ch = db.execute("SELECT * FROM changes WHERE id=?", (change_id,)).fetchone()
            if ch is None:
                raise UndoError(f"no change {change_id}")
            if ch["action"] in NOT_UNDOABLE:
                raise UndoError(f"a {ch['action']} cannot be undone (grade again instead)")
            if db.execute("SELECT 1 FROM changes WHERE undo_of=?", (change_id,)).fetchone():
                raise UndoError(f"change {change_id} was undone already")
            rows = db.execute("SELECT * FROM history WHERE change=? ORDER BY id DESC", (change_id,)).fetchall()
            # A record the change wrote several times (one grade edited in one go) goes back to its
            # state before the first write, and must still be as the last one left it.
            first = {(h["entity"], h["ident"]): h["before"] for h in rows}
            plans, seen = [], set()
            for h in rows:
                entity = h["entity"]
                if (entity, h["ident"]) in seen:
                    continue
                seen.add((entity, h["ident"]))
                if entity not in ENTITIES:
                    raise UndoError(f"change {change_id} holds a {entity}, which cannot be undone")
                keys = ENTITIES[entity][1]
                ident = dict(zip(keys, json.loads(h["ident"])))
                written = None if h["after"] is None else json.loads(h["after"])
                after = _complete(entity, written)
                # A column added since the record was written may have been filled in since (an old
                # override's notebook, learned when the file was opened): not a change by anyone.
                added = frozenset(ADDED) - frozenset(written or ())
                current = self._get(db, entity, ident)
                # Compared without the version counter: an undo of a later change puts the content
                # back under a new version, and walking back step by step must go on from there (a
                # TA's review: the second `u` was refused, "changed since" by the TA's own undo).
                if _content(current, added) != _content(after, added):
                    since = str((current or {}).get("ta") or "")
                    what = (f"the {entity} of '{ident['submission_key']}' for {ident.get('task', '')}"
                            if "submission_key" in ident else f"the {entity} {' '.join(str(v) for v in ident.values())}")
                    raise UndoError(f"cannot undo change {change_id}: {what} was changed "
                                    f"since{f' by {since}' if since else ''}; change it by hand",
                                    (entity, ident, since))
                before = None if first[(entity, h["ident"])] is None else json.loads(first[(entity, h["ident"])])
                if before is not None and "version" in before:
                    before = {**before, "version": (current or {}).get("version", before["version"]) + 1}
                plans.append((entity, ident, before))
            new = self._change(db, ta, "undo", f"undo of change {change_id}: {ch['summary']}", undo_of=change_id)
            for entity, ident, before in plans:
                self._set(db, new, entity, ident, before)
        return new

    # ------------------------------------------------------------------ export helpers
    def dump_grades(self) -> list[dict[str, Any]]:
        return [asdict(g) for g in self.grades().values()]
