"""The pages of the grading app (GET), and the two small forms (who you are, view options)."""
from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)

from ..gradebook import groups as grouping
from ..gradebook.queue import MODES
from ..gradebook.store import NOT_UNDOABLE
from ..answer_images import as_text
from ..render import STATIC_CSP, answer_html, clean_text
from .app import anonymous, mode, state
from .state import grading_view, next_for, task_view, upcoming, whole_text

pages = Blueprint("pages", __name__)


def _task(task_id: str):
    task = state().task(task_id)
    if task is None:
        abort(404)
    return task


def local_path(nxt: str | None) -> str:
    """Where to go next: a path of this app, else the dashboard. A path as the browser reads it:
    it drops tabs and line breaks and reads a backslash as a slash, so '/\t/evil.example' and
    '/\\evil.example' lead off the site (a thirty-eighth review)."""
    seen = "".join(ch for ch in (nxt or "") if ch not in "\t\r\n").replace("\\", "/")
    if not seen.startswith("/") or seen.startswith("//") or any(ord(ch) < 32 or ch.isspace() for ch in seen):
        return url_for("pages.dashboard")
    return seen


@pages.route("/who", methods=["GET", "POST"])
def who():
    nxt = local_path(request.values.get("next"))
    if request.method == "POST":
        name = clean_text(request.form.get("name", "")).strip()[:60]
        if not name:
            return render_template("who.html", next=nxt, error="Your name, please: it is recorded with every "
                                                               "grade you give."), 400
        session["ta"] = name
        state().signed_in.add(name)
        return redirect(nxt)
    # The name `grader serve --ta` (or $GRADER_TA) gave, as the field's value: Enter confirms it
    # (on a course server each TA still types their own).
    return render_template("who.html", next=nxt, error=None,
                           ta=session.get("ta") or current_app.config.get("DEFAULT_TA") or "")


@pages.route("/prefs", methods=["POST"])
def prefs():
    if "anon" in request.form:
        session["anon"] = request.form["anon"] == "1"
    if request.form.get("mode") in MODES:
        session["mode"] = request.form["mode"]
    return redirect(local_path(request.form.get("next")))


@pages.route("/")
def dashboard():
    st = state()
    progress = st.gb.progress()
    assignments = st.gb.assignments()
    cards = []
    for t in st.manual_tasks():
        p = progress.get(t.id)
        cards.append(dict(task=t, p=p, assigned=sorted(assignments.get((t.id, 0), set())),
                          groups=len(st.cache.base(st.gb, t.id).groups) if p and p.answers else 0))
    tas = sorted({ta for c in cards if c["p"] for ta in c["p"].by_ta})
    return render_template("dashboard.html", cards=cards, tas=tas, submissions=st.gb.count(),
                           overview=(st.reports / "overview.html").exists(),
                           render_error=getattr(st.renderer, "error", None))


@pages.route("/t/<task_id>")
def start(task_id: str):
    task = _task(task_id)
    tv = task_view(state(), task, g.ta, mode())
    if not tv.keys:
        return render_template("message.html", heading=task.title, text="No written answers for this task.")
    key = next_for(state(), tv, g.ta, None) or tv.keys[0]
    return redirect(url_for("pages.grade", task_id=task.id, sid=tv.answers[key].sid))


@pages.route("/t/<task_id>/next")
def next_ungraded(task_id: str):
    task = _task(task_id)
    st = state()
    tv = task_view(st, task, g.ta, mode())
    after = st.gb.key_of(request.args.get("after", type=int) or -1)
    key = next_for(st, tv, g.ta, after)
    if key is None:
        waiting = {k for k in tv.keys if tv.state(k) != "graded"}
        # Counted among the answers that wait, not every answer a colleague has open (a
        # seventy-seventh review: "(1)" was a graded answer), and the one skipped is said.
        taken = len(st.claims.taken(task.id, g.ta) & waiting)
        holders = sorted({ta for k in waiting for ta in st.claims.others(task.id, k, g.ta)})   # named (review 116)
        skipped = tv.answers[after].sid if after in waiting and next_for(st, tv, g.ta, None) == after else None
        progress = st.gb.progress()
        # The next task with answers that wait (a hundred-and-tenth review: only "all answers" and
        # "dashboard" were offered), after this one in the dashboard's order, then before it.
        tasks = st.manual_tasks()
        at = next((i for i, t in enumerate(tasks) if t.id == task.id), 0)
        other = next((t for t in tasks[at + 1:] + tasks[:at] if progress.get(t.id) and progress[t.id].waiting), None)
        return render_template("done.html", task=task, graded=tv.graded, total=len(tv.answers),
                               waiting=len(waiting) - (skipped is not None), taken=taken, skipped=skipped,
                               holders=holders, after=other, after_left=progress[other.id].waiting if other else 0,
                               all_done=not any(p.waiting for p in progress.values()))
    return redirect(url_for("pages.grade", task_id=task.id, sid=tv.answers[key].sid))


@pages.route("/t/<task_id>/a/<int:sid>")
def grade(task_id: str, sid: int):
    task = _task(task_id)
    st = state()
    tv = task_view(st, task, g.ta, mode())
    answer = tv.by_sid.get(sid)
    if answer is None:
        abort(404)
    view = grading_view(st, tv, answer, g.ta, anonymous())
    st.prefetch.add(upcoming(tv, answer.key))
    rubric = [dict(id=i.id, points=i.points, description=i.description, feedback=i.feedback) for i in tv.rubric.items]
    group = view.get("group")
    # What a group grade is for: the group as this page shows it (a twenty-seventh review: on a
    # stale page `g` gave the grade to the group a regrade had moved the answer to).
    members = sorted(tv.answers[k].sid for k in group.members if k in tv.answers) if group else []
    boot = dict(task=task.id, sid=sid, version=view["grade"].version if view["grade"] else 0, answer=answer.sha,
                members=members,
                max=task.max_points, start=tv.rubric.start, rubric=rubric,
                items=list(view["grade"].items) if view["grade"] else [],
                urls=dict(grade=url_for("api.grade"), group=url_for("api.group_grade"), undo=url_for("api.undo"),
                          rubric=url_for("api.rubric"), override=url_for("api.override"),
                          prefs=url_for("pages.prefs"),
                          next=url_for("pages.next_ungraded", task_id=task.id, after=sid),
                          prev=url_for("pages.grade", task_id=task.id, sid=view["prev"]) if view["prev"] else "",
                          following=url_for("pages.grade", task_id=task.id, sid=view["next"]) if view["next"] else ""))
    return render_template("grade.html", v=view, boot=json.dumps(boot))


@pages.route("/t/<task_id>/list")
def answers(task_id: str):
    task = _task(task_id)
    st = state()
    tv = task_view(st, task, g.ta, mode())
    keys = tv.keys
    anon = anonymous()
    names = {}
    if not anon:
        names = {k: (r.participant or r.name or r.file) for k, r in st.gb.automatic(keys, pictures=False).items()}
    numbers = {i.id: n for n, i in enumerate(tv.rubric.items, start=1)}
    rows = [dict(sid=tv.answers[k].sid, name=names.get(k), group=tv.group_of.get(k), state=tv.state(k),
                 points=tv.points(k), ta=tv.grades[k].ta if k in tv.grades else "",
                 items=[numbers[i] for i in tv.grades[k].items if i in numbers] if k in tv.grades else [],
                 comment=tv.grades[k].comment if k in tv.grades else "") for k in keys]
    return render_template("list.html", task=task, rows=rows, rubric=tv.rubric, graded=tv.graded,
                           total=len(tv.answers))


@pages.route("/t/<task_id>/groups")
def group_list(task_id: str):
    task = _task(task_id)
    st = state()
    tv = task_view(st, task, g.ta, "group")
    assignments = st.gb.assignments()
    rows = [dict(id=gr.id, size=gr.size, rep_sid=tv.answers[gr.rep_key].sid,
                 graded=sum(1 for k in gr.members if tv.state(k) == "graded"), points=graded_points(tv, gr),
                 preview=as_text(tv.answers[gr.rep_key].text)[:140], assigned=sorted(assignments.get((task.id, gr.id), set())))
            for gr in tv.groups]
    return render_template("groups.html", task=task, rows=rows, total=len(tv.answers))


def graded_points(tv, gr) -> list[float]:
    """The points the group's graded answers have, each once: more than one is said (a ninetieth
    review: two answers that read the same had 20 and 22, and no page pointed it out)."""
    return sorted({p for k in gr.members if tv.state(k) == "graded" and (p := tv.points(k)) is not None})


@pages.route("/t/<task_id>/g/<int:gid>")
def group(task_id: str, gid: int):
    task = _task(task_id)
    st = state()
    tv = task_view(st, task, g.ta, "group")
    gr = next((x for x in tv.groups if x.id == gid), None)
    if gr is None:
        abort(404)
    rep = tv.answers[gr.rep_key]
    anon = anonymous()
    names = {} if anon else {k: (r.participant or r.name or r.file) for k, r in st.gb.automatic(gr.members, pictures=False).items()}
    diffs: dict[tuple[str, str], str] = {}
    members = []
    for k in gr.members:
        a = tv.answers[k]
        same = grouping.form(a.text) == grouping.form(rep.text)
        if not same and (rep.text, a.text) not in diffs:
            diffs[(rep.text, a.text)] = grouping.diff_html(rep.text, a.text)
        members.append(dict(sid=a.sid, name=names.get(k), rep=k == gr.rep_key, same=same,
                            diff="" if same else diffs[(rep.text, a.text)], state=tv.state(k), points=tv.points(k),
                            ta=tv.grades[k].ta if k in tv.grades else ""))
    others = [dict(id=x.id, size=x.size, preview=as_text(tv.answers[x.rep_key].text)[:80]) for x in tv.groups if x.id != gid]
    assigned = sorted(st.gb.assignments().get((task.id, gid), set()))
    return render_template("group.html", task=task, group=gr, rep=rep, rep_html=answer_html(whole_text(st.gb, rep)),
                           members=members, others=others, assigned=assigned, points=graded_points(tv, gr))


@pages.route("/history")
def history():
    st = state()
    anon = anonymous()
    ids = st.gb.ids()
    mine = request.args.get("mine") == "1"
    everything = request.args.get("all") == "1"
    changes = st.gb.changes(limit=300, ta=g.ta if mine else None, people_only=not everything)
    rows, rubrics = [], {}
    for ch in changes:
        keys, records = [], {}
        for h in st.gb.history(ch.id):
            ident = h["ident"]
            key = ident[1] if h["entity"] == "member" else ident[0] if h["entity"] in ("grade", "override", "result") else None
            if key is not None and key not in keys:
                keys.append(key)
            # A record written several times in one change (a grade edited in one go): from its
            # state before the first write to its state after the last.
            seen = records.setdefault((h["entity"], json.dumps(ident)), dict(h, key=key))
            seen["after"] = h["after"]
        details = []
        for h in records.values():
            who = None if h["key"] is None else f"#{ids.get(h['key'], '?')}" if anon else h["key"]
            detail = change_detail(st, h, who, rubrics, ch.id)
            if detail and detail not in details:
                details.append(detail)
        shown = [f"#{ids.get(k, '?')}" if anon else k for k in keys[:8]] + (["…"] if len(keys) > 8 else [])
        # An undo can be undone too (an eighty-third review: an undo clicked by mistake on another
        # TA's grade could not be taken back from this page).
        rows.append(dict(c=ch, who=shown, details=details[:4] + (["…"] if len(details) > 4 else []), undoable=ch.action not in NOT_UNDOABLE
                         and ch.undone_by is None))
    return render_template("history.html", rows=rows, mine=mine, everything=everything)


def change_detail(st, h: dict, who: str | None, rubrics: dict, change: int) -> str:
    """What a grade or override was before and after a change, in points (an eighty-third review:
    a row said "Q2.1: grade" and the TA could not tell what an undo would put back). Points are
    counted with the rubric as it was then: an item's points edited later changed every older
    row's figures to points the grade never had."""
    def points(state: dict | None, task) -> str:
        if state is None:
            return "none"
        if (task.id, change) not in rubrics:
            rubrics[task.id, change] = st.gb.rubric_as_of(task.id, change)
        grade = st.gb.grade_of(state)
        return f"{rubrics[task.id, change].score(grade.items, grade.adjust, task.max_points):g}"

    before, after = h["before"], h["after"]
    if h["entity"] == "grade":
        task = st.task(h["ident"][1])
        if task is None:
            return ""
        was, now_ = points(before, task), points(after, task)
        comment = ((before or {}).get("comment") or "") != ((after or {}).get("comment") or "")
        moved = f"{was} → {now_} points" if was != now_ else ""
        what = ", ".join(x for x in (moved, "comment changed" if comment else "") if x)
        return f"{who} {task.id}: {what}" if what else ""
    if h["entity"] == "override":
        def shown(state):
            return "automatic" if state is None else f"{float(state.get('points', 0)):g}"
        return f"{who} {h['ident'][1]} {h['ident'][2]}: {shown(before)} → {shown(after)} points"
    return ""


@pages.route("/overview")
def overview():
    renderer = state().renderer
    if renderer is not None:
        renderer.flush(overview_now=True)       # what was graded since it was last written: now
    path = state().reports / "overview.html"
    if not path.exists():
        abort(404)
    resp = send_from_directory(state().reports, "overview.html")
    resp.headers["Content-Security-Policy"] = STATIC_CSP
    return resp


@pages.route("/feedback/<path:name>")
def feedback(name: str):
    """A student's feedback page, as the overview links it (a TA's review: every link of the
    app's overview gave 404); with the no-script policy of every generated page."""
    folder = state().reports / "feedback"
    if not name.endswith(".html") or not (folder / name).is_file():
        abort(404)
    resp = send_from_directory(folder, name)
    resp.headers["Content-Security-Policy"] = STATIC_CSP
    return resp


@pages.route("/similarity/")
@pages.route("/similarity/<path:name>")
def similarity(name: str = "index.html"):
    """The similarity report (``grader similarity`` writes it to <reports>/similarity/), shown
    as a tab of the app; its pages get the no-script policy of every generated page."""
    folder = state().similarity
    if folder is None or not (folder / name).is_file():
        return render_template("message.html", heading="Similarity",
                               text="No similarity report yet: run `grader similarity` (it writes "
                                    "reports/similarity/)."), 404
    resp = send_from_directory(folder, name)
    resp.headers["Content-Security-Policy"] = STATIC_CSP
    if name.endswith(".html") and resp.status_code == 200:
        # The way back to the app (a new TA's review: only the browser's back button led there).
        resp.direct_passthrough = False
        text = resp.get_data(as_text=True)
        back = (f'<p class="app-nav" style="margin:0 0 1em"><a href="{url_for("pages.dashboard")}">'
                f'&larr; grading app</a></p>')
        resp.set_data(text.replace("<body>\n", "<body>\n" + back, 1))
    return resp
