"""The grading app through Flask's test client: access, CSRF, grading, conflicts, groups,
rubric edits, overrides, undo, anonymity, assignments. (Real-browser scenarios: test_browser.py.)"""
import html
import json
import re

import pytest

from grader.gradebook.decisions import results as decided
from grader.spec import load_spec
from grader.web import create_app

from .gradebook_helpers import STUDENTS, filled

pytest.importorskip("flask_wtf")


@pytest.fixture
def app(tmp_path):
    reports = tmp_path / "reports"
    filled(reports).close()
    a = create_app(reports, load_spec(), token="s3cret-token")
    a.testing = True
    return a


def csrf_of(page: bytes) -> str:
    return re.search(rb'name="csrf-token" content="([^"]+)"', page).group(1).decode()


class TA:
    """A logged-in browser session of one TA."""

    def __init__(self, app, name):
        self.c = app.test_client()
        assert self.c.get("/?token=s3cret-token").status_code == 302
        page = self.c.get("/who").data
        r = self.c.post("/who", data={"name": name, "csrf_token": csrf_of(page), "next": "/"})
        assert r.status_code == 302
        self.csrf = csrf_of(self.c.get("/").data)

    def get(self, url):
        return self.c.get(url, follow_redirects=True)

    def post(self, url, data, headers=None):
        return self.c.post(url, json=data, headers={"X-CSRFToken": self.csrf, **(headers or {})})


def sid_of(app, key):
    return app.config["STATE"].gb.ids()[key]


def test_nothing_without_the_token_and_no_write_without_csrf(app):
    c = app.test_client()
    assert c.get("/").status_code == 401
    assert c.get("/?token=wrong").status_code == 403
    assert c.get("/static/app.js").status_code == 200          # assets hold no data
    ta = TA(app, "alice")
    r = ta.c.post("/api/grade", json={"task": "calc_1_1", "sid": 1, "items": [], "version": 0})
    assert r.status_code == 400 and "CSRF" in r.get_json()["error"]
    r = ta.post("/api/grade", {"task": "calc_1_1", "sid": 1, "items": [], "version": 0},
                headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    assert app.config["STATE"].gb.grades() == {}
    # A script with the bearer token needs no CSRF token (a browser never sends that header).
    r = c.get("/api/nothing", headers={"Authorization": "Bearer s3cret-token"})
    assert r.status_code == 404


def test_every_response_carries_the_csp_and_no_remote_asset(app):
    ta = TA(app, "alice")
    for url in ("/", "/t/calc_1_1", "/t/calc_1_1/list", "/t/calc_1_1/groups", "/history"):
        r = ta.get(url)
        assert r.status_code == 200, url
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
        html = r.data.decode()
        assert not re.search(r'(src|href)="(https?:)?//', html), url
        assert "<script>" not in html and " on" not in re.sub(r"<[^>]*>", "", "")   # no inline script



def test_a_save_says_what_another_ta_changed_in_the_rubric_since_the_page_was_loaded(app):
    """A hundred-and-sixteenth review: after alice switched to counting down and edited an item,
    bob's open page saved scores that followed the new rubric without a word of it, and his tick of
    an item she had deleted failed with a Python list and no next step."""
    alice, bob = TA(app, "alice"), TA(app, "bob")
    st = app.config["STATE"]
    kept = alice.post("/api/rubric", {"task": "calc_1_1", "points": "-2", "description": "sign error"}).get_json()["id"]
    gone = alice.post("/api/rubric", {"task": "calc_1_1", "points": "-1", "description": "slip"}).get_json()["id"]
    seen = {"start": "zero", "items": [[kept, -2], [gone, -1]]}            # bob's page as loaded
    sid = sid_of(app, "Anna_Huber_5500")
    r = bob.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [kept], "version": 0, "rubric_seen": seen})
    assert r.status_code == 200 and "rubric_changed" not in r.get_json()        # nothing changed yet
    assert alice.post("/api/rubric", {"task": "calc_1_1", "start": "max"}).status_code == 200
    assert alice.post("/api/rubric", {"task": "calc_1_1", "id": kept, "points": "-3", "description": "sign error",
                                      "feedback": ""}).status_code == 200
    assert alice.post("/api/rubric", {"task": "calc_1_1", "id": gone, "delete": "1"}).status_code == 200
    r = bob.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [kept, gone], "version": 1, "rubric_seen": seen})
    assert r.status_code == 400 and "item “slip” (-1) was deleted" in r.get_json()["error"]
    assert "[" not in r.get_json()["error"] and "calc_1_1" not in r.get_json()["error"]       # no ids (review 120)
    r = bob.post("/api/rubric", {"task": "calc_1_1", "id": gone, "points": "-2", "description": "slip", "feedback": ""})
    assert r.status_code == 409 and "deleted this item" in r.get_json()["error"] and "reload" in r.get_json()["error"]
    assert "reload the page (F5)" in r.get_json()["error"] and st.gb.grade("Anna_Huber_5500", "calc_1_1").version == 1
    r = bob.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [kept], "version": 1, "rubric_seen": seen})
    said = r.get_json()["rubric_changed"]
    assert r.status_code == 200 and r.get_json()["points"] == st.gb.rubric("calc_1_1").score([kept], 0, 10)
    for part in ("it now counts down from the maximum", "“sign error” now gives -3", "an item of -1 was deleted",
                 "Reload the page (F5)"):
        assert part in said, said

def test_grading_saves_and_a_second_browser_gets_a_conflict(app):
    alice, bob = TA(app, "alice"), TA(app, "bob")
    st = app.config["STATE"]
    item = st.gb.add_item("calc_1_1", 10, "correct proof", "", "alice")
    sid = sid_of(app, "Anna_Huber_5500")
    r = alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [item.id], "comment": "good",
                                  "version": 0})
    assert r.status_code == 200 and r.get_json()["points"] == 10 and r.get_json()["version"] == 1
    r = bob.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [], "version": 0})
    assert r.status_code == 409
    body = r.get_json()
    assert body["theirs"]["ta"] == "alice" and body["theirs"]["points"] == 10 and "alice changed" in body["message"]
    assert st.gb.grade("Anna_Huber_5500", "calc_1_1").ta == "alice"
    r = bob.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [], "version": 1})
    assert r.status_code == 200 and st.gb.grade("Anna_Huber_5500", "calc_1_1").ta == "bob"
    # ... and numbers out of range or not whole are refused with a reason (a hundred-and-ninety-eighth
    # review: an item id of 1e400 or 10**30 answered a page of HTML with status 500)
    for bad in ({"items": ["x"]}, {"items": [999]}, {"adjust": "nan"}, {"sid": 10 ** 9}, {"task": "code_3_1"},
                {"items": [float("inf")]}, {"items": [10 ** 30]}, {"items": [1.5]}, {"items": [True]},
                {"sid": 10 ** 30},
                # a version the page never showed (review 260: `true` was version 1, 2.9 was 2)
                {"version": True}, {"version": 2.9}, {"version": "two"}, {"version": -1}):
        data = {"task": "calc_1_1", "sid": sid, "items": [], "version": 2, **bad}
        r = bob.post("/api/grade", data)
        assert r.status_code in (400, 404) and r.get_json().get("error"), (bad, r.status_code)


def test_group_grade_rubric_edit_and_undo_through_the_app(app):
    alice = TA(app, "alice")
    st = app.config["STATE"]
    r = alice.post("/api/rubric", {"task": "calc_1_1", "points": "10", "description": "correct proof",
                                   "feedback": "well done"})
    good = r.get_json()["id"]
    sign = alice.post("/api/rubric", {"task": "calc_1_1", "points": "-3", "description": "sign error"}).get_json()["id"]
    sid = sid_of(app, "Anna_Huber_5500")
    alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [good, sign], "version": 0})
    r = alice.post("/api/group-grade", {"task": "calc_1_1", "sid": sid})
    assert r.status_code == 200 and r.get_json()["applied"] == 3
    # the counts the page shows come back up to date (they stayed as before `g`)
    assert {k: r.get_json()[k] for k in ("graded", "total", "graded_in_group")} == {
        "graded": 4, "total": 6, "graded_in_group": 4}
    scores = lambda: {k: r.task_points("calc_1_1") for k, r in decided(st.gb).items()}
    assert [scores()[k] for k in ("Anna_Huber_5500", "Ben_Gruber_5501", "Clara_Bauer_5502", "Felix_Moser_5505")] == [7] * 4
    assert scores()["David_Wagner_5503"] is None
    assert alice.post("/api/rubric", {"task": "calc_1_1", "id": sign, "points": "-1"}).status_code == 200
    assert [scores()[k] for k in ("Anna_Huber_5500", "Ben_Gruber_5501", "Clara_Bauer_5502", "Felix_Moser_5505")] == [9] * 4
    page = alice.get("/t/calc_1_1/list").data.decode()
    assert page.count('<td class="points">9</td>') == 4
    r = alice.post("/api/undo", {})                      # undo the item edit
    assert r.status_code == 200 and scores()["Ben_Gruber_5501"] == 7
    changes = st.gb.changes()
    group_change = next(c for c in changes if c.action == "group-grade")
    assert alice.post("/api/undo", {"change": group_change.id}).status_code == 200
    assert scores()["Ben_Gruber_5501"] is None and scores()["Anna_Huber_5500"] == 7
    assert alice.post("/api/undo", {"change": group_change.id}).status_code == 409


def test_override_with_reason_in_the_app(app):
    alice = TA(app, "alice")
    sid = sid_of(app, "Ben_Gruber_5501")
    r = alice.post("/api/override", {"sid": sid, "task": "code_3_2_models", "check": "ANN_relu: activations",
                                     "points": "1", "reason": ""})
    assert r.status_code == 400 and "reason" in r.get_json()["error"]
    r = alice.post("/api/override", {"sid": sid, "task": "code_3_2_models", "check": "ANN_relu: activations",
                                     "points": "1", "reason": "F.relu is equivalent"})
    assert r.status_code == 200
    page = alice.get(f"/t/calc_1_1/a/{sid}").data.decode()
    assert "changed by alice: F.relu is equivalent" in page
    assert decided(app.config["STATE"].gb)["Ben_Gruber_5501"].auto_points == 3
    assert "Automatic checks of this student <span class=\"muted\">(3/" in page          # the heading counts the override as the reports do


def test_an_override_from_a_page_of_the_notebook_before_a_resubmission_is_refused(app):
    """An eighty-fourth review: a page opened on notebook X, a regrade stored Y, and the override
    posted from the page was bound to Y as if given for it."""
    from tests.gradebook_helpers import result
    alice = TA(app, "alice")
    sid = sid_of(app, "Ben_Gruber_5501")
    page = alice.get(f"/t/calc_1_1/a/{sid}").data.decode()
    shown = re.search(r'name="file_sha" value="([0-9a-f]{64})"', page).group(1)
    what = {"sid": sid, "task": "code_3_2_models", "check": "ANN_relu: activations", "points": "1",
            "reason": "F.relu is fine", "file_sha": shown}
    again = result(1, "another answer")
    again.sha256 = "f" * 64
    app.config["STATE"].gb.store_result(again)                    # a resubmission graded meanwhile
    r = alice.post("/api/override", what)
    assert r.status_code == 409 and "graded again (a resubmission)" in r.get_json()["error"]
    assert not app.config["STATE"].gb.overrides("Ben_Gruber_5501")
    assert alice.post("/api/override", {**what, "file_sha": "f" * 64}).status_code == 200


def test_two_tas_overriding_one_check_conflict_instead_of_replacing_each_other(app):
    """Twenty-seventh review: a TA's later denial silently replaced another TA's granted regrade."""
    alice, bob = TA(app, "alice"), TA(app, "bob")
    sid = sid_of(app, "Ben_Gruber_5501")
    what = {"sid": sid, "task": "code_3_2_models", "check": "ANN_relu: activations"}
    page = bob.get(f"/t/calc_1_1/a/{sid}").data.decode()
    assert 'data-version="0"' in page                            # what bob's page knows
    assert alice.post("/api/override", {**what, "points": "1", "reason": "granted", "version": "0"}).status_code == 200
    r = bob.post("/api/override", {**what, "points": "0", "reason": "denied", "version": "0"})
    assert r.status_code == 409 and "alice changed these points" in r.get_json()["error"]
    r = bob.post("/api/override", {**what, "clear": "1", "version": "0"})
    assert r.status_code == 409
    assert decided(app.config["STATE"].gb)["Ben_Gruber_5501"].auto_points == 3        # alice's grant stands
    assert bob.post("/api/override", {**what, "points": "0", "reason": "denied after all", "version": "1"}
                    ).status_code == 200


def test_a_group_grade_from_a_stale_page_is_refused(app):
    alice = TA(app, "alice")
    st = app.config["STATE"]
    sid = sid_of(app, "Anna_Huber_5500")
    item = alice.post("/api/rubric", {"task": "calc_1_1", "points": 10, "description": "right"})
    assert item.status_code == 200
    page = alice.get(f"/t/calc_1_1/a/{sid}").data.decode()
    boot = json.loads(html.unescape(re.search(r'data-boot="([^"]*)"', page).group(1)))
    saved = alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [], "comment": "x", "version": 0,
                                      "answer": boot["answer"]}).get_json()
    stale = {"task": "calc_1_1", "sid": sid, "version": saved["version"], "answer": boot["answer"],
             "members": boot["members"][:-1] or [999999]}
    r = alice.post("/api/group-grade", stale)
    assert r.status_code == 409 and "group changed" in r.get_json()["message"]
    assert not any(c.action == "group-grade" for c in st.gb.changes())          # nothing was given
    r = alice.post("/api/group-grade", {**stale, "members": boot["members"]})
    assert r.status_code == 200


def test_anonymous_pages_show_no_name_and_names_on_request(app):
    alice = TA(app, "alice")
    st = app.config["STATE"]
    keys = list(st.gb.ids())
    sid = sid_of(app, "Anna_Huber_5500")
    alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [], "comment": "x", "version": 0})
    urls = ["/", "/t/calc_1_1/list", "/t/calc_1_1/groups", "/history", f"/t/calc_1_1/a/{sid}"]
    urls += [f"/t/calc_1_1/g/{g}" for g in {gr.id for gr in __import__("grader.gradebook.groups", fromlist=["x"]).groups(st.gb, "calc_1_1")}]
    secrets = [w for full, matr in STUDENTS for w in (full, matr, *full.split(), full.replace(" ", ""))] + keys
    for url in urls:
        html = alice.get(url).data.decode()
        for s in secrets:
            assert s not in html, (url, s)
    page = alice.get(f"/t/calc_1_1/a/{sid}").data
    alice.c.post("/prefs", data={"anon": "0", "csrf_token": csrf_of(page), "next": "/"})
    assert "Anna Huber" in alice.get(f"/t/calc_1_1/a/{sid}").data.decode()


def test_two_tas_editing_one_rubric_item_do_not_undo_each_other(app):
    """A hundred-and-tenth review: bob's edit of an item's description, from a page loaded before
    alice's edit of its points, put her old points back and re-scored every answer carrying it."""
    alice, bob = TA(app, "alice"), TA(app, "bob")
    st = app.config["STATE"]
    item = alice.post("/api/rubric", {"task": "calc_1_1", "points": "5", "description": "correct table"}).get_json()["id"]
    shown = {"was_points": "5", "was_description": "correct table", "was_feedback": ""}     # both pages show this
    sid = sid_of(app, "Anna_Huber_5500")
    alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [item], "version": 0})
    r = alice.post("/api/rubric", {"task": "calc_1_1", "id": item, "points": "4", "description": "correct table",
                                   "feedback": "", **shown})
    assert r.status_code == 200
    r = bob.post("/api/rubric", {"task": "calc_1_1", "id": item, "points": "5", "description": "correct XOR table",
                                 "feedback": "", **shown})
    assert r.status_code == 409
    said = r.get_json()["error"]
    assert "changed this item after the page was loaded" in said and "+4 “correct table”" in said and "reload" in said
    now = st.gb.all_items()[item]
    assert (now.points, now.description) == (4, "correct table")
    assert decided(st.gb)["Anna_Huber_5500"].task_points("calc_1_1") == 4
    r = bob.post("/api/rubric", {"task": "calc_1_1", "id": item, "delete": "1", **shown})   # nor deleted unseen
    assert r.status_code == 409 and not st.gb.all_items()[item].deleted
    fresh = {"was_points": "4", "was_description": "correct table", "was_feedback": ""}
    assert bob.post("/api/rubric", {"task": "calc_1_1", "id": item, "points": "4", "description": "correct XOR table",
                                    "feedback": "", **fresh}).status_code == 200
    assert st.gb.all_items()[item].description == "correct XOR table"
    # The page carries what it showed, and asks before deleting an item or re-scoring every answer.
    page = alice.get(f"/t/calc_1_1/a/{sid}").data.decode()
    assert 'name="was_points" value="4"' in page and 'name="was_description" value="correct XOR table"' in page
    assert 'data-confirm="Delete item 1 (+4 correct XOR table)?' in page
    assert 'id="start-toggle" data-graded="1"' in page
    # Counting down past items that give points would give everyone full marks: refused, said why
    # (a hundred-and-sixteenth review).
    r = alice.post("/api/rubric", {"task": "calc_1_1", "start": "max"})
    assert r.status_code == 400 and "+4 “correct XOR table”" in r.get_json()["error"], r.get_json()
    assert "would give every answer full marks" in r.get_json()["error"] and st.gb.rubric("calc_1_1").start == "zero"
    assert alice.post("/api/rubric", {"task": "calc_1_1", "id": item, "points": "-4", "description": "wrong table",
                                      "feedback": "", **fresh, "was_description": "correct XOR table"}).status_code == 200
    assert alice.post("/api/rubric", {"task": "calc_1_1", "start": "max"}).status_code == 200
    assert next(c.summary for c in st.gb.changes() if "count down" in c.summary).endswith("1 graded answer(s) scored anew")


def test_next_ungraded_follows_assignments_and_a_done_page(app):
    alice, bob = TA(app, "alice"), TA(app, "bob")
    assert alice.post("/api/assign", {"task": "calc_1_2", "ta": "bob"}).status_code == 200
    r = alice.get("/t/calc_1_2/next")
    assert "nothing left for you" in r.data.decode()
    # ... and the next task with answers that wait is one key away (a hundred-and-tenth review)
    assert re.search(r'id="next-task"><a class="button" href="/t/calc_2" data-key="n">Grade Calculation 2</a>'
                     r' \(<kbd>n</kbd>\): \d+ answers? waits? there', r.data.decode()), r.data.decode()
    r = bob.c.get("/t/calc_1_2/next")
    assert r.status_code == 302 and "/t/calc_1_2/a/" in r.headers["Location"]
    dash = alice.get("/").data.decode()
    assert "Assigned to: bob" in dash


def test_similarity_tab_appears_when_its_report_exists(app):
    alice = TA(app, "alice")
    assert "nav-similarity" not in alice.get("/").data.decode()
    folder = app.config["STATE"].reports / "similarity"
    folder.mkdir()
    (folder / "index.html").write_text("<html><body>\n<h1>pairs</h1></body></html>")
    html = alice.get("/").data.decode()
    assert "nav-similarity" in html
    r = alice.get("/similarity/")
    assert r.status_code == 200 and b"pairs" in r.data and "script-src" not in r.headers["Content-Security-Policy"]
    assert b"&larr; grading app</a>" in r.data            # a way back to the app (a new TA's review)


def test_the_overviews_links_to_feedback_pages_open_in_the_app(app):
    """A TA's review: every feedback/<key>.html link of the app's overview gave 404."""
    from grader.gradebook.outputs import write_reports
    st = app.config["STATE"]
    write_reports(st.gb, st.reports, load_spec())
    alice = TA(app, "alice")
    page = alice.get("/overview").data.decode()
    links = re.findall(r'href="(feedback/[^"]+\.html)"', page)
    assert links
    for link in links:
        r = alice.get("/" + link)
        assert r.status_code == 200 and b"<html" in r.data and "script-src" not in r.headers["Content-Security-Policy"]
    assert alice.get("/feedback/../gradebook.sqlite").status_code == 404
    assert alice.get("/feedback/nobody.html").status_code == 404
    assert app.test_client().get("/" + links[0]).status_code == 401    # the token first


def test_the_name_is_asked_first_and_recorded(app):
    c = app.test_client()
    c.get("/?token=s3cret-token")
    r = c.get("/t/calc_1_1")
    assert r.status_code == 302 and "/who" in r.headers["Location"]
    page = c.get("/who").data
    assert c.post("/who", data={"name": "  ", "csrf_token": csrf_of(page)}).status_code == 400


def test_serve_explains_what_it_needs_in_one_line(tmp_path):
    import os
    import subprocess
    import sys

    from .conftest import ROOT
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "300"}

    def serve(*args):
        return subprocess.run([sys.executable, "-m", "grader", "serve", *args], env=env, capture_output=True,
                              text=True, timeout=60, cwd=tmp_path)

    res = serve("--reports", str(tmp_path / "nothing"))
    assert res.returncode == 2 and "no gradebook or reports" in res.stdout and "Traceback" not in res.stderr
    filled(tmp_path / "reports").close()
    res = serve("--reports", str(tmp_path / "reports"), "--host", "0.0.0.0")
    assert res.returncode == 2 and "needs a shared token" in res.stdout
    res = serve("--reports", str(tmp_path / "reports"), "--port", "99999")   # not a port of the system's choosing
    assert res.returncode == 2 and "99999 is no port: use 1 to 65535 (0: any free one)" in res.stderr
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        res = serve("--reports", str(tmp_path / "reports"), "--port", str(port))
    assert res.returncode == 2 and f"another program uses it: pass another port, e.g. --port {port + 1}" in res.stdout


def test_a_grade_belongs_to_the_answer_the_ta_read_not_a_resubmission_stored_meanwhile(app):
    # Twelfth review: the TA opened Mallory's correct answer, a regrade stored her resubmission
    # ("I do not know."), and the save bound the TA's 10 points to the new text: no "answer changed"
    # mark, out of the queue. The page now sends the sha of what it showed.
    import json as _json
    from .gradebook_helpers import result
    alice = TA(app, "alice")
    st = app.config["STATE"]
    item = st.gb.add_item("calc_1_1", 10, "correct proof", "", "alice")
    sid = sid_of(app, "Anna_Huber_5500")
    page = alice.get(f"/t/calc_1_1/a/{sid}").data.decode()
    boot = _json.loads(re.search(r'data-boot="([^"]*)"', page).group(1).replace("&#34;", '"').replace("&quot;", '"'))
    resubmitted = result(0, "I do not know.")
    st.gb.store_result(resubmitted)                                  # the regrade, while the page is open
    r = alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [item.id], "version": 0,
                                  "answer": boot["answer"]})
    assert r.status_code == 200 and r.get_json()["changed"] and "answer changed" in r.get_json()["message"]
    review = next(c.review for c in decided(st.gb)["Anna_Huber_5500"].checks if c.task == "calc_1_1")
    assert review.stale                                              # marked, and back in the queue
    assert "I do not know." in alice.get(f"/t/calc_1_1/a/{sid}").data.decode()


def test_the_name_page_offers_the_name_serve_was_given(app):
    """A new TA's review: $GRADER_TA worked for merge and count, and serve asked again."""
    c = app.test_client()
    c.get("/?token=s3cret-token")
    assert b'value=""' in c.get("/who").data
    app.config["DEFAULT_TA"] = "Ada <Lovelace>"
    page = c.get("/who").data
    assert b'value="Ada &lt;Lovelace&gt;"' in page
    assert c.post("/who", data={"name": "Ada", "csrf_token": csrf_of(page), "next": "/"}).status_code == 302


def test_the_apps_keys_are_readable_by_their_ta_only_and_never_in_the_gradebook(tmp_path):
    """A thirty-eighth review: the access token and the session key were kept in the gradebook,
    which other users of the machine could read (0644): one of them graded as the TA."""
    import os
    import sqlite3
    import stat
    reports = tmp_path / "reports"
    gb = filled(reports)
    gb.set_meta("web_token", "old-token")          # where an older version kept them
    gb.set_meta("web_secret", "old-secret")
    gb.close()
    first = create_app(reports, load_spec())
    keys = reports / f".grader-web-{os.getuid()}.json"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    db = sqlite3.connect(reports / "gradebook.sqlite")
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    db.close()
    assert "web_token" not in meta and "web_secret" not in meta
    assert first.config["TOKEN"] not in (reports / "gradebook.sqlite").read_bytes().decode("latin-1")
    again = create_app(reports, load_spec())                  # a restart keeps the link and the sessions
    assert again.config["TOKEN"] == first.config["TOKEN"] and again.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    keys.chmod(0o644)                                         # readable by others: not trusted, replaced
    third = create_app(reports, load_spec())
    assert third.config["TOKEN"] != first.config["TOKEN"] and stat.S_IMODE(keys.stat().st_mode) == 0o600


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\\evil.example", "//evil.example", "https://evil.example",
                                    "/\n/evil.example", "/ /evil.example"])
def test_the_name_form_never_sends_the_browser_off_the_app(app, target):
    """A thirty-eighth review: next=/<tab>/evil.example became Location: //evil.example."""
    c = app.test_client()
    assert c.get("/?token=s3cret-token").status_code == 302
    page = c.get("/who").data
    r = c.post("/who", data={"name": "alice", "csrf_token": csrf_of(page), "next": target})
    assert r.status_code == 302
    location = r.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location, location


def test_a_second_server_on_one_gradebook_is_told_of_the_first(tmp_path):
    """A TA's review: a second grader serve on the same reports (another port) said nothing."""
    import os

    from grader.cli.serve import _serving
    first, said = _serving(tmp_path, 8001)
    assert first is not None and said == ""
    second, said = _serving(tmp_path, 8002)
    assert second is None and said == f"pid {os.getpid()}, port 8001"
    os.close(first)                                   # the first server stopped: the next one holds it
    third, said = _serving(tmp_path, 8003)
    assert third is not None and said == ""
    os.close(third)


def test_a_second_grader_serve_stops_and_says_where_the_first_runs(tmp_path, capsys):
    """A ninetieth review: the second server started anyway (with a warning), against the
    README's one server per gradebook; TAs could be handed two links."""
    import os

    from grader.cli import main
    from grader.cli.serve import _serving
    reports = tmp_path / "reports"
    filled(reports).close()
    first, _ = _serving(reports, 8001)
    try:
        assert main(["serve", "--reports", str(reports), "--port", "0"]) == 2
        said = " ".join(capsys.readouterr().out.split())
        assert f"another grader serve already serves {reports.resolve()} (pid {os.getpid()}, port 8001)" in said
        assert "--also starts this one all the same" in said
    finally:
        os.close(first)


def test_the_grading_page_says_which_of_several_notebooks_counts(tmp_path):
    """A TA's review: both of Lea's notebooks were in the queue and no page said which counts."""
    from .gradebook_helpers import PROOF, result
    final = result(0, PROOF, name="Lea Müller", matr="k11111111")
    final.key, final.participant_id, final.file = "Lea_Müller_5505-2", "5505", "Assignment_7_LeaMueller_k11111111.ipynb"
    draft = result(0, PROOF, calc_1_2=None, name="Lea Müller", auto=0.0)
    draft.key, draft.participant_id, draft.file = "Lea_Müller_5505-1", "5505", "Assignment_7_LeaMueller_draft.ipynb"
    reports = tmp_path / "reports"
    filled(reports, [final, draft, result(1, PROOF)]).close()
    a = create_app(reports, load_spec(), token="s3cret-token")
    a.testing = True
    alice = TA(a, "alice")
    page = alice.get(f"/t/calc_1_1/a/{sid_of(a, draft.key)}").data.decode()     # names hidden: no file names
    assert "One of 2 notebooks of this participant; another one counts so far." in page, page[:3000]
    assert "draft.ipynb" not in page
    page = alice.get(f"/t/calc_1_1/a/{sid_of(a, final.key)}").data.decode()
    assert "One of 2 notebooks of this participant; this one counts so far." in page
    page = alice.get(f"/t/calc_1_1/a/{sid_of(a, 'Ben_Gruber_5501')}").data.decode()
    assert 'id="several"' not in page


def test_a_grade_kept_within_the_maximum_says_so(app):
    """A TA's review: an adjustment of 14 on a 10-point task was stored and capped at 10 without a word."""
    alice = TA(app, "alice")
    sid = sid_of(app, "Anna_Huber_5500")
    answer = app.config["STATE"].gb.answer("calc_1_1", "Anna_Huber_5500")
    r = alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [], "adjust": 14, "comment": "",
                                  "version": 0, "answer": answer.sha}).get_json()
    assert r["points"] == 10 and r["capped"] is True and r["raw"] == 14
    r = alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [], "adjust": 7, "comment": "",
                                  "version": r["version"], "answer": answer.sha}).get_json()
    assert r["points"] == 7 and r["capped"] is False


def test_a_refused_undo_names_the_answer_by_number_and_who_changed_it(app):
    """A sixty-third review: an anonymous session read "grade ['Assignment_7_HugoIvanov_k8...',
    'calc_2'] was changed since", a report key in a Python list; and after `u` nothing said what was
    undone."""
    alice, bob = TA(app, "alice"), TA(app, "bob")
    st = app.config["STATE"]
    sid = sid_of(app, "Anna_Huber_5500")
    alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "adjust": 4, "version": 0})
    assert alice.post("/api/group-grade", {"task": "calc_1_1", "sid": sid}).status_code == 200
    ben = sid_of(app, "Ben_Gruber_5501")
    v = st.gb.grade("Ben_Gruber_5501", "calc_1_1").version
    assert bob.post("/api/grade", {"task": "calc_1_1", "sid": ben, "adjust": 9, "version": v}).status_code == 200
    r = alice.post("/api/undo", {})
    assert r.status_code == 409
    said = r.get_json()["error"]
    assert f"answer #{ben}'s grade for calc_1_1 was changed since by bob" in said, said
    assert "Ben" not in said and "[" not in said
    assert st.gb.grade("Ben_Gruber_5501", "calc_1_1").adjust == 9               # bob's grade stays
    alice.post("/api/grade", {"task": "calc_1_1", "sid": sid_of(app, "David_Wagner_5503"), "adjust": 1, "version": 0})
    r = alice.post("/api/undo", {})
    assert r.status_code == 200 and r.get_json()["message"].startswith("Undid change ")


def test_saving_an_answer_a_resubmission_removed_says_so(app):
    from .gradebook_helpers import result
    alice = TA(app, "alice")
    st = app.config["STATE"]
    sid = sid_of(app, "Anna_Huber_5500")
    st.gb.store_result(result(0, None))                                     # the task is blank now
    r = alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "comment": "late note", "version": 0})
    assert r.status_code == 404
    assert "a resubmission left this task unanswered" in r.get_json()["error"], r.get_json()


def test_a_ta_types_numbers_as_tas_do_and_items_stay_within_the_task(app):
    """Seventy-seventh review: "7,5" was refused as an item's points (and became 75 in the
    adjustment); a +30 item on a 10-point task was taken."""
    alice = TA(app, "alice")
    st = app.config["STATE"]
    r = alice.post("/api/rubric", {"task": "calc_1_1", "points": "7,5", "description": "most of it"})
    assert r.status_code == 200
    assert [i.points for i in st.gb.rubric("calc_1_1").items] == [7.5]
    r = alice.post("/api/rubric", {"task": "calc_1_1", "points": "30", "description": "typo"})
    assert r.status_code == 400 and "at most the task's 10 points" in r.get_json()["error"]
    r = alice.post("/api/rubric", {"task": "calc_1_1", "points": "abc", "description": "x"})
    assert r.status_code == 400 and "must be a number" in r.get_json()["error"]
    sid = sid_of(app, "Anna_Huber_5500")
    r = alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [], "adjust": "-0,5", "version": 0})
    assert r.status_code == 200 and st.gb.grade("Anna_Huber_5500", "calc_1_1").adjust == -0.5


def test_a_conflict_with_ones_own_other_tab_says_so(app):
    alice, alice2 = TA(app, "alice"), TA(app, "alice")
    sid = sid_of(app, "Anna_Huber_5500")
    assert alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [], "version": 0}).status_code == 200
    r = alice2.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [], "comment": "x", "version": 0})
    assert r.status_code == 409
    assert r.get_json()["message"].startswith("You (in another tab or window) changed this grade")


def test_undo_names_the_answer_it_took_back(app):
    """Seventy-seventh review: the second `u` removed another answer's grade, said as
    "Undid change 11 (grade: calc_1_1: grade)"."""
    alice = TA(app, "alice")
    sid = sid_of(app, "Ben_Gruber_5501")
    assert alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [], "adjust": 4,
                                     "version": 0}).status_code == 200
    r = alice.post("/api/undo", {})
    assert r.status_code == 200
    assert r.get_json()["message"].endswith(f": answer #{sid} of Calculation 1.1: grade removed.")


def test_next_ungraded_on_the_last_answer_left_says_it_is_this_one(app):
    """Seventy-seventh review: `n` on the only ungraded answer said "nothing left for you"."""
    alice = TA(app, "alice")
    st = app.config["STATE"]
    answers = st.gb.answers("calc_1_1")
    last = answers[-1]
    for a in answers[:-1]:
        assert alice.post("/api/grade", {"task": "calc_1_1", "sid": a.sid, "items": [], "version": 0}).status_code == 200
    page = alice.get(f"/t/calc_1_1/next?after={last.sid}").data.decode()
    assert f"only #{last.sid} is left" in page and f"/t/calc_1_1/a/{last.sid}" in page
    assert "still wait" not in page                      # nothing else waits
    # n is the answer left; the next task's link takes no key of its own then (review 116: both took n)
    assert 'id="next-task"' in page and page.count('data-key="n"') == 1, page
    assert alice.post("/api/grade", {"task": "calc_1_1", "sid": last.sid, "items": [], "version": 0}).status_code == 200
    assert "nothing left for you" in alice.get(f"/t/calc_1_1/next?after={last.sid}").data.decode()



def test_the_done_page_names_who_has_answers_open_and_what_comes_after_the_last_task(app):
    """A hundred-and-sixteenth review: "open in another TA's browser (1)" named nobody, and with
    every answer graded the page offered no next step."""
    alice, bob = TA(app, "alice"), TA(app, "bob")
    st = app.config["STATE"]
    answers = st.gb.answers("calc_1_1")
    assert bob.get(f"/t/calc_1_1/a/{answers[0].sid}").status_code == 200
    for a in answers[1:]:
        assert alice.post("/api/grade", {"task": "calc_1_1", "sid": a.sid, "items": [], "version": 0}).status_code == 200
    page = alice.get("/t/calc_1_1/next").data.decode()
    assert "open in the browser of bob (1)" in page, page
    # bob moves on to another answer of the task: the one he left is no longer his (review 120)
    assert bob.get(f"/t/calc_1_1/a/{answers[1].sid}").status_code == 200
    r = alice.c.get("/t/calc_1_1/next")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/t/calc_1_1/a/{answers[0].sid}"), r.data
    for task in ("calc_1_1", "calc_1_2", "calc_2"):
        for a in st.gb.answers(task):
            if st.gb.grade(a.key, task) is None:
                assert alice.post("/api/grade", {"task": task, "sid": a.sid, "items": [], "version": 0}).status_code == 200
    page = alice.get("/t/calc_2/next").data.decode()
    assert 'id="all-done"' in page and "grader moodle" in page, page

def test_an_answer_that_looks_unfinished_is_said_on_its_page(app, tmp_path):
    from .gradebook_helpers import result
    st = app.config["STATE"]
    st.gb.store_result(result(7, ".", name="Gina Dot", matr="k77777777"))
    alice = TA(app, "alice")
    sid = sid_of(app, "Gina_Dot_5507")
    page = alice.get(f"/t/calc_1_1/a/{sid}").data.decode()
    assert "This answer looks unfinished: the answer is only &#39;.&#39;." in page
    other = alice.get(f"/t/calc_1_1/a/{sid_of(app, 'Anna_Huber_5500')}").data.decode()
    assert "looks unfinished" not in other


def test_the_dashboard_tells_unanswered_from_no_notebook(app):
    """Seventy-fifth review: a participant without a notebook was counted as an unanswered question."""
    from grader.results import NO_NOTEBOOK, CheckResult, SubmissionResult
    st = app.config["STATE"]
    r = SubmissionResult(file="Eva Lu_5599_assignsubmission_file_ (no notebook)", status=NO_NOTEBOOK,
                         flags=["no-notebook"], key="Eva_Lu_5599", participant_id="5599", participant="Eva Lu",
                         fingerprint="test")
    for task, m in (("calc_1_1", 10.0), ("calc_1_2", 15.0), ("calc_2", 25.0)):
        r.checks.append(CheckResult(task, "answer", m, 0.0, False, "no notebook handed in", manual_task=True))
    st.gb.store_result(r)
    dash = TA(app, "alice").get("/").data.decode()
    assert "1 unanswered (0 points automatically; 1 of them handed in no notebook)" in dash
    assert re.search(r"\b1 answer groups\b", dash) is None


def test_the_history_says_what_a_grade_was_before_and_after(app):
    """An eighty-third review: a row said "calc_1_1: grade", and the TA could not tell what an
    undo would put back."""
    alice = TA(app, "alice")
    st = app.config["STATE"]
    good = st.gb.add_item("calc_1_1", 10, "correct proof", "", "alice")
    sign = st.gb.add_item("calc_1_1", -3, "sign error", "", "alice")
    sid = sid_of(app, "Anna_Huber_5500")
    alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [good.id], "version": 0})
    st.gb.set_grade("Anna_Huber_5500", "calc_1_1", items=[good.id, sign.id], comment="sign", ta="bob")
    page = html.unescape(alice.get("/history").data.decode())          # anonymous by default
    assert "Anna_Huber_5500" not in page
    assert f"#{sid} calc_1_1: none → 10 points" in page and f"#{sid} calc_1_1: 10 → 7 points, comment changed" in page
    alice.c.post("/prefs", data={"anon": "0", "csrf_token": alice.csrf, "next": "/"})
    page = html.unescape(alice.get("/history").data.decode())
    assert "Anna_Huber_5500 calc_1_1: 10 → 7 points, comment changed" in page
    # Saves of one grade close together are one change: from before the first to after the last.
    alice.post("/api/grade", {"task": "calc_1_1", "sid": sid_of(app, "Ben_Gruber_5501"), "items": [good.id],
                              "version": 0})
    alice.post("/api/grade", {"task": "calc_1_1", "sid": sid_of(app, "Ben_Gruber_5501"), "items": [good.id, sign.id],
                              "version": 1})
    page = html.unescape(alice.get("/history").data.decode())
    assert "Ben_Gruber_5501 calc_1_1: none → 7 points" in page and "Ben_Gruber_5501 calc_1_1: 10" not in page


def test_assigning_a_name_nobody_used_asks_first(app):
    """An eighty-third review: a task assigned to a typo ("bbo") was accepted without a word, and
    then waited for a TA who does not exist."""
    alice, _ = TA(app, "alice"), TA(app, "bob")
    st = app.config["STATE"]
    r = alice.post("/api/assign", {"task": "calc_1_2", "ta": "bbo"})
    assert r.status_code == 409
    said = r.get_json()["confirm"]
    assert "No TA named “bbo”" in said and "Did you mean “bob”?" in said and "alice, bob" in said
    assert st.gb.assignments() == {}
    assert alice.post("/api/assign", {"task": "calc_1_2", "ta": "bbo", "confirmed": True}).status_code == 200
    assert st.gb.assignments() == {("calc_1_2", 0): {"bbo"}}
    # Known now (assigned once), and a signed-in TA's name is known without asking.
    assert alice.post("/api/assign", {"task": "calc_1_1", "ta": "bbo"}).status_code == 200
    assert alice.post("/api/assign", {"task": "calc_1_1", "ta": "bob"}).status_code == 200
    assert alice.post("/api/assign", {"task": "calc_1_1", "ta": "carol", "remove": "carol"}).status_code == 200


def test_a_group_graded_differently_is_pointed_out(app):
    """A ninetieth review: two answers of one group (they read the same) had 20 and 22 points, and
    neither the Groups page nor the group's page said so."""
    from grader.gradebook import groups as grouping
    alice = TA(app, "alice")
    st = app.config["STATE"]
    gr = next(x for x in grouping.groups(st.gb, "calc_1_1") if x.size >= 2)
    a, b = gr.members[:2]
    st.gb.set_grade(a, "calc_1_1", adjust=8, ta="alice")
    st.gb.set_grade(b, "calc_1_1", adjust=8, ta="bob")
    page = alice.get("/t/calc_1_1/groups").data.decode()
    assert "graded differently" not in page and "Its answers are graded differently" not in \
        alice.get(f"/t/calc_1_1/g/{gr.id}").data.decode()
    st.gb.set_grade(b, "calc_1_1", adjust=6, ta="bob", expected_version=1)
    page = alice.get("/t/calc_1_1/groups").data.decode()
    assert re.search(r'title="answers of one group graded differently">6, 8</span>', page)
    assert "Its answers are graded differently: 6, 8 points" in alice.get(f"/t/calc_1_1/g/{gr.id}").data.decode()


def test_a_changed_answer_shows_what_changed_since_it_was_graded(app):
    """A ninetieth review: after a resubmission the page said "the answer changed" and nothing of
    what; the text a grade was given to is now kept, and the page shows the difference."""
    from .gradebook_helpers import result
    alice = TA(app, "alice")
    st = app.config["STATE"]
    key = "Anna_Huber_5500"
    text = next(c.answer for c in st.gb.automatic([key])[key].checks if c.task == "calc_1_1")
    st.gb.set_grade(key, "calc_1_1", adjust=6, ta="alice", answer_sha_=None)
    st.gb.store_result(result(0, text + " Hence the weights are zero."))
    page = html.unescape(alice.get(f"/t/calc_1_1/a/{sid_of(app, key)}").data.decode())
    assert 'id="since-graded"' in page and "<ins>Hence the weights are zero.</ins>" in page
    assert "The answer changed since it was graded" in page


def test_the_grading_page_shows_the_question_and_the_model_answer(app):
    """A hundred-and-tenth review: neither the question nor the solution's model answer was
    anywhere in the app; a new TA kept the solution notebook open beside it."""
    alice = TA(app, "alice")
    sid = sid_of(app, "Anna_Huber_5500")
    page = alice.get(f"/t/calc_1_2/a/{sid}").data.decode()
    ref = page[page.index('<details class="reference" id="reference">'):page.index("</details>")]
    assert "The question and the model answer (<kbd>q</kbd>)" in ref
    question = ref[ref.index('id="question"'):ref.index("<h3>Model answer</h3>")]
    assert "Task 1: The XOR Problem" in question and "Calculation 1.2" in question
    assert "Calculation 2" not in question and "YOUR ANSWER HERE" not in question
    model = ref[ref.index('id="model-answer"'):]
    assert "Hidden layer" in model and "BEGIN SOLUTION" not in model
    assert "<script" not in ref and "&lt;h2" not in ref and "&lt;h3" not in ref     # the headings as headings
    assert re.search(r"<h2[^>]*>Task 1: The XOR Problem</h2>", ref), ref[:400]
    assert "<kbd>q</kbd></td><td>show or hide the question and the model answer" in page


def test_the_list_of_answers_names_the_rubric_only_once_it_has_items(app):
    alice = TA(app, "alice")
    assert "Rubric:" not in alice.get("/t/calc_1_1/list").data.decode()
    assert alice.post("/api/rubric", {"task": "calc_1_1", "points": "2", "description": "units"}).status_code == 200
    page = alice.get("/t/calc_1_1/list").data.decode()
    assert "Rubric:" in page and "units" in page


def test_a_group_grade_says_when_the_rubric_changed_since_the_page_showed_it(app):
    # The group gets the items as the rubric gives them now: another TA's new points, unseen on
    # this page, are said after `g` as after a save.
    alice, bob = TA(app, "alice"), TA(app, "bob")
    good = alice.post("/api/rubric", {"task": "calc_1_1", "points": "10", "description": "correct proof"}).get_json()["id"]
    sid = sid_of(app, "Anna_Huber_5500")
    seen = {"start": "zero", "items": [[good, 10]]}
    assert alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [good], "version": 0,
                                     "rubric_seen": seen}).get_json().get("rubric_changed") is None
    assert bob.post("/api/rubric", {"task": "calc_1_1", "id": good, "points": "8"}).status_code == 200
    r = alice.post("/api/group-grade", {"task": "calc_1_1", "sid": sid, "version": 1, "rubric_seen": seen})
    assert r.status_code == 200 and r.get_json()["applied"] >= 1
    assert "“correct proof” now gives +8" in r.get_json()["rubric_changed"]


def test_the_history_counts_each_grade_with_the_rubric_as_it_was_then(app):
    # A row counted with today's rubric showed points the grade never had: +10 given, the item
    # later edited to +8, and the row of the grade said "none → 8 points".
    alice = TA(app, "alice")
    good = alice.post("/api/rubric", {"task": "calc_1_1", "points": "10", "description": "correct proof"}).get_json()["id"]
    sid = sid_of(app, "Anna_Huber_5500")
    assert alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [good], "version": 0}).status_code == 200
    assert alice.post("/api/rubric", {"task": "calc_1_1", "id": good, "points": "8"}).status_code == 200
    assert alice.post("/api/grade", {"task": "calc_1_1", "sid": sid, "items": [good], "version": 1,
                                     "comment": "see the sign"}).status_code == 200
    page = alice.get("/history").data.decode()
    assert "none → 10 points" in page, page
    assert "comment changed" in page and "→ 8 points" not in page   # then 8 before and after: no move


def test_the_overview_follows_the_last_grades_without_another_grade(tmp_path, monkeypatch):
    """A hundred-and-fifty-fifth review: the overview (written at most once a minute) still said
    "pending: 12 answers" after the session's last grades, until the server stopped; opening it in
    the app now writes it first."""
    import time

    from grader.web.renderer import Renderer
    sent = []
    renderer = Renderer(tmp_path / "gradebook.sqlite", tmp_path, spec=None, delay=0.05, overview_every=1.0)
    monkeypatch.setattr(renderer, "_request", lambda message: sent.append(message) or "ok")
    renderer.start()
    try:
        renderer.changed({"a"})
        deadline = time.monotonic() + 10
        while len(sent) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        renderer.changed({"b"})                 # within the minute: files, not the overview
        while len(sent) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [m["overview"] for m in sent] == [True, False] and sent[1]["keys"] == ["b"]
        while len(sent) < 3 and time.monotonic() < deadline:       # no grade follows
            time.sleep(0.02)
        assert len(sent) == 3 and sent[2] == {"keys": [], "overview": True}, sent
        renderer.changed({"c"})
        renderer.flush(overview_now=True)       # a TA opens the overview at once
        assert sent[3] == {"keys": ["c"], "overview": True}, sent
    finally:
        renderer.stop()


def test_odd_requests_are_refused_with_a_reason_not_a_server_error(app):
    """Review 464: a bearer token outside ASCII with no session, `/api/groups/merge` without `source` or `target`,
    JSON nested 100,000 deep each gave a 500 (an exception in the app), and a 30 MB body was read whole."""
    c = app.test_client()
    assert c.get("/api/nothing", headers={"Authorization": "Bearer é"}).status_code == 403
    assert c.get("/?token=é").status_code == 403
    alice = TA(app, "alice")
    st = app.config["STATE"]
    before = st.gb.grades()
    for data in ({"task": "calc_1_1"}, {"task": "calc_1_1", "source": 1}, {"task": "calc_1_1", "source": "x", "target": 2},
                 {"task": "calc_1_1", "source": 1.5, "target": 2}, {"task": "calc_1_1", "source": True, "target": 2}):
        r = alice.post("/api/groups/merge", data)
        assert r.status_code == 400 and "must be a whole number" in r.get_json()["error"], (data, r.status_code)
    for url, data in (("/api/grade", {"task": "calc_1_1", "items": [], "version": 0}),
                      ("/api/rubric", {"task": "calc_1_1", "id": "x", "points": "1"}),
                      ("/api/assign", {"task": "calc_1_1", "name": "bob", "group": "x", "on": True})):
        r = alice.post(url, data)
        assert r.status_code == 400, (url, r.status_code, r.data[:200])
    deep = "[" * 100_000 + "]" * 100_000
    r = alice.c.post("/api/grade", data=deep, headers={"X-CSRFToken": alice.csrf, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"] == "send a JSON object"
    r = alice.c.post("/api/grade", data=b"{" + b" " * (2 << 20) + b"}",
                     headers={"X-CSRFToken": alice.csrf, "Content-Type": "application/json"})
    assert r.status_code == 413
    assert st.gb.grades() == before
