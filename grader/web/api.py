"""Writes of the grading app (POST, JSON in and out). Each is one gradebook transaction,
committed before the answer says ``ok``; a write based on a grade another TA has changed since
is refused with 409 and the other TA's grade, never applied silently."""
from __future__ import annotations

import difflib
import math
import re

from flask import Blueprint, g, request

from ..gradebook import Conflict, ItemChanged, UndoError
from ..gradebook import groups as grouping
from ..render import clean_text
from .app import state
from .state import task_view

api = Blueprint("api", __name__, url_prefix="/api")


class BadRequest(Exception):
    pass


@api.errorhandler(BadRequest)
def bad_request(exc):
    return {"error": str(exc)}, 400


@api.errorhandler(ValueError)
def bad_value(exc):
    return {"error": str(exc)}, 400


@api.errorhandler(OverflowError)
def out_of_range(exc):
    """A number too large for the gradebook (an item id of 10**30 or 1e400 answered a page of
    HTML with status 500: a hundred-and-ninety-eighth review)."""
    return {"error": "a number is out of range"}, 400


@api.errorhandler(KeyError)
def missing(exc):
    return {"error": str(exc.args[0] if exc.args else exc)}, 404


def body() -> dict:
    try:
        data = request.get_json(silent=True)
    except RecursionError:          # (JSON nested 100,000 deep: a 500, review 464)
        data = None
    if not isinstance(data, dict):
        raise BadRequest("send a JSON object")
    return data


def whole(data: dict, field: str, default: int | None = None) -> int:
    """A whole number the request must send (a field missing or not a number was a 500, review 464)."""
    value = data.get(field)
    if value in (None, "", 0) and default is not None:
        return default
    try:
        if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
            raise ValueError
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise BadRequest(f"{field} must be a whole number") from None


def written_task(st, data: dict):
    """The written task a request names; a 404 for any other."""
    task = st.task(str(data.get("task", "")))
    if task is None:
        raise KeyError("no such written task")
    return task


def number(value, what: str) -> float:
    """A number as a TA types it: a decimal comma is a decimal point (a seventy-seventh review:
    "7,5" became 75 in the adjustment and was refused as an item's points)."""
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+,\d+\s*", value):
        value = value.replace(",", ".")
    if isinstance(value, bool):
        raise BadRequest(f"{what} must be a number")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{what} must be a number") from None
    if not math.isfinite(x):
        raise BadRequest(f"{what} must be a finite number")
    return x


def version_of(value) -> int:
    """The version of a grade the page showed: a whole number, as the page sends it (review 260: `true` was
    taken as version 1 and 1.9 as 1)."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**62:
        raise BadRequest("version must be the whole number the page showed")
    return value


def item_ids(items) -> list[int]:
    """Rubric item ids as the page sends them: whole numbers (1.5 was taken as item 1)."""
    if not isinstance(items, list) or len(items) > 1000:
        raise BadRequest("items must be a list of rubric item ids")
    ids = []
    for i in items:
        if isinstance(i, str) and i.strip().isdigit():
            i = int(i)
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < 2**62:
            raise BadRequest("items must be a list of rubric item ids")
        ids.append(i)
    return ids


def answer_of(data: dict):
    st = state()
    task = written_task(st, data)
    sid = whole(data, "sid")
    key = st.gb.key_of(sid)
    answer = st.gb.answer(task.id, key) if key else None
    if answer is None and key:
        # The notebook is still there, its answer is not: a regrade of a resubmission left the task
        # blank (a sixty-third review read "no answer #3 for calc_2").
        raise KeyError(f"answer #{sid} for {task.id} is no longer there: a resubmission left this task "
                       f"unanswered, so it has 0 points and nothing was saved")
    if answer is None:
        raise KeyError(f"no answer #{sid} for {task.id}")
    return task, answer


def grade_json(grade, rubric, max_points: float) -> dict:
    if grade is None:
        return {"version": 0, "points": None}
    points, raw = rubric.score(grade.items, grade.adjust, max_points), rubric.raw(grade.items, grade.adjust, max_points)
    # Kept within 0..max: said, not done silently (a TA's review: an adjustment of 14 on 10 points).
    return {"version": grade.version, "ta": grade.ta, "at": grade.at, "items": list(grade.items),
            "adjust": grade.adjust, "comment": grade.comment, "points": points,
            "capped": raw != points, "raw": raw}


@api.post("/grade")
def grade():
    """Save this answer's grade: rubric items, adjustment, comment; ``version`` is the grade's
    version the browser showed (0: none)."""
    data = body()
    task, answer = answer_of(data)
    st = state()
    items = item_ids(data.get("items", []))
    rubric = st.gb.rubric(task.id)
    # The grade belongs to the text the TA read: a regrade may have stored a resubmitted answer
    # since the page was opened (a twelfth review). Bound to what was read, the grade is then
    # "answer changed since graded" and the new text goes back to the queue.
    seen = data.get("answer")
    seen = seen if isinstance(seen, str) and re.fullmatch(r"[0-9a-f]{64}", seen) else answer.sha
    try:
        saved = st.gb.set_grade(answer.key, task.id, items=items,
                                adjust=number(data.get("adjust", 0) or 0, "adjust"),
                                comment=clean_text(str(data.get("comment", "")))[:5000], ta=g.ta,
                                expected_version=version_of(data.get("version", 0)), answer_sha_=seen)
    except Conflict as exc:
        who = exc.current.ta if exc.current else "someone"
        # The TA's own other tab is not "tina" (a seventy-seventh review read its own name as a rival).
        who = "You (in another tab or window)" if who == g.ta else who
        return {"error": "conflict", "message": f"{who} changed this grade after you opened the answer; "
                "nothing was saved.",
                "theirs": grade_json(exc.current, rubric, answer.max_points)}, 409
    st.changed([answer.key])
    if seen != answer.sha:
        return {"ok": True, "changed": True, **grade_json(saved, rubric, answer.max_points),
                "message": "the answer changed after you opened it (a resubmission was graded): your grade is kept "
                           "for the text you read, and the new text is back in the queue; reload to see it"}
    news = rubric_news(data.get("rubric_seen"), rubric)
    return {"ok": True, **grade_json(saved, rubric, answer.max_points), **counts(st, task, answer.key),
            **({"rubric_changed": news} if news else {})}


def rubric_news(seen, rubric) -> str:
    """What changed in the rubric since the page showed it (``seen``: its start and items as
    [id, points]), in words; "" when nothing did. Another TA's switch to counting down, or an item's
    new points, changed the score shown without a word (a hundred-and-sixteenth review)."""
    if not isinstance(seen, dict) or not isinstance(seen.get("items"), list):
        return ""
    parts = []
    if seen.get("start") in ("zero", "max") and seen["start"] != rubric.start:
        parts.append("it now counts " + ("down from the maximum" if rubric.start == "max" else "up from 0"))
    now = {i.id: i for i in rubric.items}
    was = {}
    for entry in seen["items"][:200]:
        try:
            was[int(entry[0])] = float(entry[1])
        except (TypeError, ValueError, IndexError):
            continue
    for item_id, points in was.items():
        if item_id not in now:
            parts.append(f"an item of {points:+g} was deleted")
        elif now[item_id].points != points:
            parts.append(f"“{now[item_id].description}” now gives {now[item_id].points:+g}")
    parts += [f"new item {i.points:+g} “{i.description}”" for i in rubric.items if i.id not in was]
    if not parts:
        return ""
    more = f" and {len(parts) - 3} more" if len(parts) > 3 else ""
    return (f"The rubric changed after this page was loaded ({'; '.join(parts[:3])}{more}): the points shown "
            f"follow the rubric as it is now. Reload the page (F5) to see it.")


@api.post("/group-grade")
def group_grade():
    """Give every member of this answer's group this answer's grade (one change, one undo)."""
    data = body()
    task, answer = answer_of(data)
    st = state()
    ids = st.gb.ids()
    members = data.get("members")
    shown = None
    if isinstance(members, list):                 # the group as the page showed it, by answer number
        by_sid = {sid: k for k, sid in ids.items()}
        shown = {by_sid.get(m) for m in members if isinstance(m, int)}
    seen = data.get("answer")
    try:
        res = grouping.apply_to_group(
            st.gb, task.id, answer.key, g.ta, members=shown,
            version=int(data["version"]) if isinstance(data.get("version"), int) else None,
            answer_sha_=seen if isinstance(seen, str) else None)
    except Conflict as exc:
        return {"error": "conflict", "message": f"{exc.message}: nothing was given to the group; reload the page"}, 409
    st.changed(res.applied)
    # The group got the items as the rubric gives them now: a change the page did not show is said.
    news = rubric_news(data.get("rubric_seen"), st.gb.rubric(task.id))
    return {"ok": True, "applied": len(res.applied), "change": res.change,
            "skipped": [{"sid": ids.get(s.submission_key), "ta": s.ta} for s in res.skipped],
            **counts(st, task, answer.key), **({"rubric_changed": news} if news else {})}


def counts(st, task, key: str) -> dict:
    """The counts the page shows, as they are now (a new TA's review: they stayed as before `g`;
    an eighty-third: as before a save)."""
    tv = task_view(st, task, g.ta, "shuffle")
    group = grouping.group_of(st.gb, task.id, key)
    in_group = sum(1 for k in (group.members if group else ()) if k in tv.answers and tv.state(k) == "graded")
    return {"graded": tv.graded, "total": len(tv.answers), "graded_in_group": in_group}


@api.post("/rubric")
def rubric():
    """Add an item (no ``id``), edit one (``id`` with points, description, feedback), delete one
    (``delete``), or set how the rubric counts (``start``: zero or max)."""
    data = body()
    st = state()
    task = written_task(st, data)
    if "start" in data:
        st.gb.set_rubric_start(task.id, str(data["start"]), g.ta)
        st.changed()
        return {"ok": True}
    if data.get("id") is None:
        item = st.gb.add_item(task.id, item_points(data.get("points"), task), str(data.get("description", ""))[:500],
                              str(data.get("feedback", ""))[:2000], g.ta)
        return {"ok": True, "id": item.id}
    item_id = whole(data, "id")
    if item_id not in {i.id for i in st.gb.rubric(task.id).items}:
        gone = st.gb.all_items().get(item_id)
        if gone is not None and gone.task == task.id:      # deleted since the page was loaded (review 120)
            return {"error": f"Another TA (or you, in another tab) deleted this item after the page was loaded "
                             f"(“{gone.description}”, {gone.points:+g}). Nothing was saved; reload the page (F5)."}, 409
        raise KeyError(f"no rubric item {item_id} in {task.id}")
    # The item as the page showed it: another TA's edit since is not silently undone.
    was = {f: data[f"was_{f}"] for f in ("points", "description", "feedback") if f"was_{f}" in data}
    if "points" in was:
        was["points"] = number(was["points"], "points")
    try:
        if data.get("delete"):
            st.gb.update_item(item_id, g.ta, expect=was or None, deleted=1)
        else:
            fields = {}
            if "points" in data:
                fields["points"] = item_points(data["points"], task)
            for f in ("description", "feedback"):
                if f in data:
                    fields[f] = str(data[f])[:2000]
            st.gb.update_item(item_id, g.ta, expect=was or None, **fields)
    except ItemChanged as exc:
        now = exc.item
        said = "was deleted" if now.deleted else f"now reads {now.points:+g} “{now.description}”"
        return {"error": f"Another TA (or you, in another tab) changed this item after the page was loaded: it {said}. "
                         f"Nothing was saved; reload the page (F5) to see it, then edit it again."}, 409
    st.changed()
    return {"ok": True, "id": item_id}


def item_points(value, task) -> float:
    """An item's points, at most the task's (a +30 item on a 25-point task is a typo)."""
    x = number(value, "points")
    if abs(x) > task.max_points:
        raise BadRequest(f"an item is worth at most the task's {task.max_points:g} points (±{task.max_points:g})")
    return x


@api.post("/override")
def override():
    """Change an automatic check's points with a reason (a regrade request), or clear it."""
    data = body()
    st = state()
    sid = whole(data, "sid")
    key = st.gb.key_of(sid)
    if key is None:
        raise KeyError(f"no submission #{sid}")
    task, check = str(data.get("task", "")), str(data.get("check", ""))
    # The override's version the page showed: another TA's change since is a conflict, as for
    # grades (a twenty-seventh review: a later denial silently replaced a granted regrade).
    version = data.get("version")
    expected = int(version) if isinstance(version, (int, str)) and str(version).isdigit() else None
    try:
        if data.get("clear"):
            st.gb.clear_override(key, task, check, g.ta, expected_version=expected)
        else:
            shown = data.get("file_sha")
            st.gb.set_override(key, task, check, number(data.get("points"), "points"),
                               str(data.get("reason", ""))[:2000], g.ta, expected_version=expected,
                               expected_file=shown if isinstance(shown, str) and shown else None)
    except Conflict as exc:
        if exc.current is None and "graded again" in exc.message:
            return {"error": f"{exc.message}; nothing was saved: reload to see the notebook graded now"}, 409
        who = exc.current.ta if exc.current else "another TA"
        return {"error": f"{who} changed these points after you opened the page; nothing was saved: reload"}, 409
    st.changed([key])
    return {"ok": True}


@api.post("/groups/split")
def split():
    data = body()
    st = state()
    task = written_task(st, data)
    sids = data.get("sids") or []
    keys = [st.gb.key_of(int(s)) for s in sids]
    if not keys or None in keys:
        raise BadRequest("choose the answers to split off")
    gid = grouping.split(st.gb, task.id, keys, g.ta)
    return {"ok": True, "group": gid}


@api.post("/groups/merge")
def merge():
    data = body()
    st = state()
    task = written_task(st, data)
    n = grouping.merge(st.gb, task.id, whole(data, "source"), whole(data, "target"), g.ta,
                       force=bool(data.get("force")))
    return {"ok": True, "moved": n}


@api.post("/assign")
def assign():
    data = body()
    st = state()
    task = written_task(st, data)
    name = clean_text(str(data.get("ta", ""))).strip()
    on = not data.get("remove")
    # A name nobody has used yet is most often a typo, and the task would then wait for no one (an
    # eighty-third review: "bbo" was accepted without a word).
    known = st.gb.people() | st.signed_in | {g.ta}
    if on and name and name not in known and not data.get("confirmed"):
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        hint = f" Did you mean “{close[0]}”?" if close else ""
        return {"confirm": f"No TA named “{name}” has graded or signed in yet (known: {', '.join(sorted(known)[:8])}{', …' if len(known) > 8 else ''})."
                           f"{hint} Assign to “{name}” anyway?"}, 409
    st.gb.assign(task.id, name, g.ta, group_id=whole(data, "group", default=0), on=on)
    return {"ok": True}


@api.post("/undo")
def undo():
    """Undo a change (``change``), or this TA's latest change that can be undone."""
    data = body()
    st = state()
    change = data.get("change")
    if change is None:
        mine = st.gb.last_undoable(g.ta)
        if mine is None:
            return {"error": "nothing of yours to undo"}, 400
        change = mine.id
    target = st.gb.change_of(int(change))
    try:
        new = st.gb.undo(int(change), g.ta)
    except UndoError as exc:
        return {"error": undo_refusal(st, int(change), exc)}, 409
    st.changed()
    return {"ok": True, "change": new, "undone": int(change), "message": undone_message(st, int(change), target)}


def undone_message(st, change: int, target) -> str:
    """What an undo took back, by answer number and task (a seventy-seventh review: the second `u`
    removed the grade of an answer not on screen, said as "grade: calc_1_1: grade")."""
    ids, titles = st.gb.ids(), {t.id: t.title for t in st.manual_tasks()}
    said = []
    for h in st.gb.history(change):
        ident = h["ident"]
        if h["entity"] != "grade" or not isinstance(ident, list) or len(ident) < 2:
            continue
        sid, title = ids.get(str(ident[0])), titles.get(str(ident[1]), str(ident[1]))
        what = "grade removed" if h["before"] is None else "grade back as it was before"
        line = f"answer #{sid} of {title}: {what}" if sid is not None else f"{title}: {what}"
        if line not in said:
            said.append(line)
    if not said:
        return f"Undid change {change} ({target.action}: {target.summary})." if target else f"Undid change {change}."
    more = f" and {len(said) - 3} more" if len(said) > 3 else ""
    return f"Undid change {change}: {'; '.join(said[:3])}{more}."


def undo_refusal(st, change: int, exc: UndoError) -> str:
    """The refusal in the app's words: an answer by its number, never a report key (a sixty-third
    review: an anonymous session showed the student's name and number in a Python list)."""
    if exc.record is None:
        return str(exc)
    entity, ident, since = exc.record
    sid = st.gb.ids().get(str(ident.get("submission_key", "")))
    what = (f"answer #{sid}'s {entity} for {ident.get('task', '')}" if sid is not None and entity in ("grade", "override")
            else f"a {entity} it changed")
    return f"Cannot undo change {change}: {what} was changed since{f' by {since}' if since else ''}; change it by hand."
