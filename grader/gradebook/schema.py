"""The gradebook's tables. One SQLite file per report folder, in WAL mode, so the web app, the
command line and a running batch read and write it at the same time.

Manual grades and overrides are keyed by the submission's report key (never by a row id), so
replacing a submission's automatic result on a regrade cannot touch them. ``history`` and
``changes`` are append-only: triggers refuse every UPDATE and DELETE, so the record of who
changed what cannot be rewritten by any code path, undo included (undo appends).
"""
from __future__ import annotations

VERSION = 4                # 2: the choices table; 3: overrides.file_sha (an older file gains them when opened);
                           # 4: overrides given before 3 learn their notebook from the history
TABLES = ("meta", "submissions", "checks", "rubrics", "rubric_items", "grades", "overrides", "answer_groups",
          "group_members", "assignments", "choices", "changes", "history", "answer_texts")

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- One row per submission (a notebook, or a Moodle participant without one). ``id`` is the
-- opaque number TAs see in anonymous mode; ``key`` is the report key (Moodle participant id,
-- else the path below the graded folder), never derived from a name the student typed.
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    file TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL DEFAULT '',
    participant_id TEXT NOT NULL DEFAULT '',
    participant TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    matr_number TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL,                 -- the rest of the automatic result, as JSON
    graded_at TEXT NOT NULL
);

-- The automatic check results, in report order, exactly as the grader produced them.
CREATE TABLE IF NOT EXISTS checks (
    submission INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    task TEXT NOT NULL,
    name TEXT NOT NULL,
    max_points REAL NOT NULL,
    points REAL,                          -- NULL: waits for a TA
    passed INTEGER,
    message TEXT NOT NULL,
    answer TEXT,                          -- a written answer
    answer_sha TEXT,                      -- sha256 of that answer (what a grade was given to)
    manual_task INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (submission, pos)
);
CREATE INDEX IF NOT EXISTS checks_by_task ON checks(task);

-- Rubrics: per task a starting point (count up from 0 or down from the maximum) and items.
CREATE TABLE IF NOT EXISTS rubrics (
    task TEXT PRIMARY KEY,
    start TEXT NOT NULL DEFAULT 'zero' CHECK (start IN ('zero', 'max'))
);
CREATE TABLE IF NOT EXISTS rubric_items (
    id INTEGER PRIMARY KEY,
    task TEXT NOT NULL,
    pos INTEGER NOT NULL,
    points REAL NOT NULL,
    description TEXT NOT NULL,
    feedback TEXT NOT NULL DEFAULT '',
    deleted INTEGER NOT NULL DEFAULT 0
);

-- A TA's grade of one written answer. Points are never stored: they follow from the rubric
-- items (as they count now), the adjustment and the rubric's start, so editing an item
-- re-scores every answer that carries it.
CREATE TABLE IF NOT EXISTS grades (
    submission_key TEXT NOT NULL,
    task TEXT NOT NULL,
    items TEXT NOT NULL DEFAULT '[]',     -- JSON list of rubric item ids
    adjust REAL NOT NULL DEFAULT 0,
    comment TEXT NOT NULL DEFAULT '',
    ta TEXT NOT NULL,
    at TEXT NOT NULL,
    answer_sha TEXT NOT NULL DEFAULT '',  -- the answer this grade was given to
    version INTEGER NOT NULL DEFAULT 1,   -- for conflicts between two browsers
    PRIMARY KEY (submission_key, task)
);

-- A TA's change to an automatic check's points (a regrade request), with the reason.
CREATE TABLE IF NOT EXISTS overrides (
    submission_key TEXT NOT NULL,
    task TEXT NOT NULL,
    check_name TEXT NOT NULL,
    points REAL NOT NULL,
    reason TEXT NOT NULL,
    auto_points REAL,                     -- the automatic points when the override was made
    ta TEXT NOT NULL,
    at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    file_sha TEXT NOT NULL DEFAULT '',    -- the notebook it was given for ('': before schema 3)
    PRIMARY KEY (submission_key, task, check_name)
);

-- Answer groups: answers alike once normalised (and with the same numbers) share a group.
CREATE TABLE IF NOT EXISTS answer_groups (
    id INTEGER PRIMARY KEY,
    task TEXT NOT NULL,
    rep_key TEXT NOT NULL                 -- the representative member
);
CREATE TABLE IF NOT EXISTS group_members (
    task TEXT NOT NULL,
    submission_key TEXT NOT NULL,
    group_id INTEGER NOT NULL,
    answer_sha TEXT NOT NULL,             -- placed for this answer; a new answer is placed again
    pinned INTEGER NOT NULL DEFAULT 0,    -- moved by a TA: automatic placement leaves it
    PRIMARY KEY (task, submission_key)
);
CREATE INDEX IF NOT EXISTS members_by_group ON group_members(group_id);

-- Written answers' texts by sha256, each kept once: what a grade was given to, shown against a
-- resubmission's text ("what changed since it was graded"). Answers with pictures are not kept.
CREATE TABLE IF NOT EXISTS answer_texts (
    sha TEXT PRIMARY KEY,
    text TEXT NOT NULL
);

-- Who grades what: a whole task (group_id 0) or one answer group.
CREATE TABLE IF NOT EXISTS assignments (
    task TEXT NOT NULL,
    group_id INTEGER NOT NULL DEFAULT 0,
    ta TEXT NOT NULL,
    PRIMARY KEY (task, group_id, ta)
);

-- Which of a Moodle participant's several notebooks counts, when a TA chose (else the highest
-- total). Several notebooks that differ in graded answers wait for this choice: the highest of
-- several attempts would let a student try every answer.
CREATE TABLE IF NOT EXISTS choices (
    participant_id TEXT PRIMARY KEY,
    submission_key TEXT NOT NULL,
    ta TEXT NOT NULL,
    at TEXT NOT NULL
);

-- Append-only history: one ``changes`` row per action of a person (a group grade is one
-- change of many rows), one ``history`` row per record it touched, with the state before and
-- after (JSON; NULL: the record did not exist).
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    ta TEXT NOT NULL,
    action TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    undo_of INTEGER
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    change INTEGER NOT NULL REFERENCES changes(id),
    entity TEXT NOT NULL,
    ident TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX IF NOT EXISTS history_by_change ON history(change);
CREATE TRIGGER IF NOT EXISTS history_append_only_u BEFORE UPDATE ON history
    BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS history_append_only_d BEFORE DELETE ON history
    BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS changes_append_only_u BEFORE UPDATE ON changes
    BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS changes_append_only_d BEFORE DELETE ON changes
    BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
"""
