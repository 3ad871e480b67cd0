"""The grading app in a real browser (Playwright driving the system Chromium) against a real
`grader serve` process: the scenarios of issue 10 §3."""
from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.gradebook import open_gradebook
from grader.gradebook.decisions import results as decided

from .browser import launch, require
from .conftest import ROOT
from .gradebook_helpers import STUDENTS, filled

pytestmark = pytest.mark.browser


class Server:
    """`grader serve` in its own process (so it can be killed with SIGKILL and restarted)."""

    def __init__(self, reports: Path, port: int = 0):
        self.reports, self.port = reports, port
        self.proc = None
        self.url = None

    def start(self) -> "Server":
        env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "300"}
        self.proc = subprocess.Popen([sys.executable, "-m", "grader", "serve", "--reports", str(self.reports),
                                      "--port", str(self.port)], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            m = re.search(r"open (http://127\.0\.0\.1:(\d+)/\?token=\S+)", line)
            if m:
                self.url, self.port = m.group(1), int(m.group(2))
                return self
            if not line and self.proc.poll() is not None:
                break
        raise RuntimeError(f"grader serve did not start: {self.proc.stdout.read()}")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module")
def browser():
    require()
    with launch() as b:
        yield b


@pytest.fixture
def served(tmp_path):
    reports = tmp_path / "reports"
    filled(reports).close()
    server = Server(reports).start()
    yield server
    server.stop()


def login(browser, server, name):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.on("pageerror", lambda e: pytest.fail(f"script error in the page: {e}"))
    page.goto(server.url)
    # The name field has the focus (autofocus). Under load the focus can land just after "load",
    # and keys typed before it are lost: wait for it rather than race it.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'ta-name'")
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    page.wait_for_url(server.base + "/")
    return page


def expect(locator):
    from playwright.sync_api import expect as pw_expect
    return pw_expect(locator)


def wait_saved(page, version=None):
    """The page's CSP forbids eval, so waits use locators (Playwright's own world), not scripts."""
    text = re.compile(r"^saved" + (rf".*\(v{version}\)" if version else ""))
    expect(page.locator("#save-state")).to_have_text(text)


def go(page, key):
    """Press a key that navigates, and wait for the new page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def add_item(page, points: str, description: str) -> None:
    """A rubric item typed as a TA does: r, points, Tab, description, Enter (the page reloads)."""
    page.keyboard.press("r")
    page.keyboard.type(points)
    page.keyboard.press("Tab")
    page.keyboard.type(description)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def gradebook(server):
    return open_gradebook(server.reports)


def test_grade_a_task_with_the_keyboard_only(browser, served):
    page = login(browser, served, "kim")
    page.keyboard.press("?")                        # the dashboard lists its keys too
    expect(page.locator("#help")).to_be_visible()
    assert "anonymous" in page.inner_text("#help") and "grade" in page.inner_text("#help")
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()
    go(page, "1")                                   # dashboard: grade the first task
    page.wait_for_selector("#grading")
    assert "/t/calc_1_1/" in page.url
    page.keyboard.press("?")
    assert page.is_visible("#help")
    page.keyboard.press("?")
    for pts, desc in (("10", "correct proof"), ("-4", "sign error")):
        page.keyboard.press("r")
        page.keyboard.type(pts)
        page.keyboard.press("Tab")
        page.keyboard.type(desc)
        with page.expect_navigation():
            page.keyboard.press("Enter")                       # adds the item, the page reloads
        page.wait_for_selector(f"#rubric li:has-text('{desc}')")
    seen = []
    for _ in range(10):
        if page.query_selector("#done"):
            break
        page.wait_for_selector("#grading")
        seen.append(page.url)
        page.keyboard.press("1")
        wait_saved(page)
        if len(seen) == 2:
            page.keyboard.press("2")                           # the second answer also gets a sign error
            expect(page.locator("#points")).to_have_text("6")
        page.keyboard.press("c")
        page.keyboard.type(f"comment {len(seen)}")
        page.keyboard.press("Escape")                          # leaves the box and saves
        wait_saved(page, version=3 if len(seen) == 2 else 2)
        go(page, "n")
    assert page.query_selector("#done"), page.url
    assert len(seen) == 6 == len(set(seen))
    gb = gradebook(served)
    grades = gb.grades("calc_1_1")
    assert len(grades) == 6 and {g.ta for g in grades.values()} == {"kim"}
    assert sorted(g.comment for g in grades.values()) == [f"comment {i}" for i in range(1, 7)]
    points = sorted(r.task_points("calc_1_1") for r in decided(gb).values())
    assert points == [6, 10, 10, 10, 10, 10]
    gb.close()


def test_apply_a_rubric_item_to_a_group(browser, served):
    gb = gradebook(served)
    item = gb.add_item("calc_1_1", 10, "correct proof", "", "setup")
    ids = gb.ids()
    gb.close()
    page = login(browser, served, "lee")
    page.goto(f"{served.base}/t/calc_1_1/a/{ids['Anna_Huber_5500']}")
    assert "4 answers" in page.inner_text("#group")
    page.keyboard.press("1")
    wait_saved(page)
    page.keyboard.press("g")
    expect(page.locator("#message")).to_contain_text("Gave this grade")
    assert "to 3 more answers" in page.inner_text("#message")
    assert page.inner_text("#task-progress") == "4/6 graded" and page.inner_text("#group-graded") == "4"
    page.goto(f"{served.base}/t/calc_1_1/list")
    rows = {r.get_attribute("data-sid"): r.inner_text() for r in page.query_selector_all("#answers tr[data-sid]")}
    graded = [sid for sid, text in rows.items() if "graded" in text and "10" in text]
    assert sorted(graded) == sorted(str(ids[k]) for k in ("Anna_Huber_5500", "Ben_Gruber_5501",
                                                          "Clara_Bauer_5502", "Felix_Moser_5505"))
    gb = gradebook(served)
    assert gb.grade("David_Wagner_5503", "calc_1_1") is None            # numbers differ: another group
    assert all(gb.grade(k, "calc_1_1").items == (item.id,) for k in ("Ben_Gruber_5501", "Felix_Moser_5505"))
    gb.close()
    # A sixty-third review: a stale `g` said only "conflict", and `u` said nothing at all.
    page.goto(f"{served.base}/t/calc_1_1/a/{ids['Anna_Huber_5500']}")
    gb = gradebook(served)
    gb.set_grade("Anna_Huber_5500", "calc_1_1", items=[item.id], adjust=-1, ta="kim")      # meanwhile
    gb.close()
    page.keyboard.press("g")
    expect(page.locator("#message")).to_contain_text("the grade changed since the page was opened")
    page.keyboard.press("u")
    expect(page.locator("#message")).to_contain_text("Undid change")
    gb = gradebook(served)
    assert gb.grade("Ben_Gruber_5501", "calc_1_1") is None                # the group grade is taken back
    gb.close()


def test_edit_an_items_points_and_every_affected_score_changes(browser, served):
    gb = gradebook(served)
    good = gb.add_item("calc_1_1", 10, "correct proof", "", "setup")
    sign = gb.add_item("calc_1_1", -3, "sign error", "", "setup")
    carriers = ["Anna_Huber_5500", "Ben_Gruber_5501", "Eva_Mayer_5504"]
    for k in carriers:
        gb.set_grade(k, "calc_1_1", items=[good.id, sign.id], ta="setup")
    gb.set_grade("Clara_Bauer_5502", "calc_1_1", items=[good.id], ta="setup")
    ids = gb.ids()
    gb.close()
    page = login(browser, served, "max")
    page.goto(f"{served.base}/t/calc_1_1/list")

    def scores():
        return {r.get_attribute("data-sid"): r.query_selector(".points").inner_text()
                for r in page.query_selector_all("#answers tr[data-sid]")}

    before = scores()
    assert {before[str(ids[k])] for k in carriers} == {"7"} and before[str(ids["Clara_Bauer_5502"])] == "10"
    page.goto(f"{served.base}/t/calc_1_1/a/{ids['Clara_Bauer_5502']}")
    item = page.locator(f"#rubric li[data-id='{sign.id}']")
    item.locator(".edit-item").click()
    item.locator("input[name=points]").fill("-1.5")
    with page.expect_navigation():
        item.locator("button:has-text('save item')").click()
    page.wait_for_selector(f"#rubric li[data-id='{sign.id}'] .pts:has-text('-1.5')")
    page.goto(f"{served.base}/t/calc_1_1/list")
    after = scores()
    assert {after[str(ids[k])] for k in carriers} == {"8.5"}
    assert {k: v for k, v in after.items() if v != before[k]} == {str(ids[k]): "8.5" for k in carriers}
    page.goto(f"{served.base}/history")
    assert "item edited (-3 → -1.5) sign error; 3 answer(s) carry it" in page.inner_text("#history")
    # Deleting an item asks first; dismissed, it stays. Edited meanwhile by another TA, this page's
    # edit is refused and says what it is now (a hundred-and-tenth review: the second edit won).
    page.goto(f"{served.base}/t/calc_1_1/a/{ids['Clara_Bauer_5502']}")
    item = page.locator(f"#rubric li[data-id='{sign.id}']")
    item.locator(".edit-item").click()
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    item.locator("button:has-text('delete')").click()
    expect(item).to_be_visible()
    assert asked and asked[0].startswith("Delete item 2 (-1.5 sign error)?"), asked
    gb = gradebook(served)
    gb.update_item(sign.id, "tina", points=-2)
    gb.close()
    item.locator("input[name=description]").fill("sign error (minus)")
    item.locator("button:has-text('save item')").click()
    expect(item.locator(".form-error")).to_contain_text("it now reads -2 “sign error”")
    gb = gradebook(served)
    assert (gb.all_items()[sign.id].points, gb.all_items()[sign.id].description) == (-2, "sign error")
    gb.close()


def test_two_browsers_grading_the_same_task_never_overwrite_silently(browser, served):
    gb = gradebook(served)
    good = gb.add_item("calc_1_1", 10, "correct proof", "", "setup")
    half = gb.add_item("calc_1_1", 5, "half", "", "setup")
    ids = gb.ids()
    gb.close()
    alice, bob = login(browser, served, "alice"), login(browser, served, "bob")
    url = f"{served.base}/t/calc_1_1/a/{ids['Eva_Mayer_5504']}"
    alice.goto(url)
    bob.goto(url)
    assert "alice" in bob.inner_text("#open-elsewhere")        # the second browser is told
    alice.keyboard.press("1")
    wait_saved(alice)
    bob.keyboard.press("2")
    bob.wait_for_selector("#conflict:not([hidden])")
    assert "alice changed this grade" in bob.inner_text("#conflict") and "10 points" in bob.inner_text("#conflict")
    gb = gradebook(served)
    assert gb.grade("Eva_Mayer_5504", "calc_1_1").items == (good.id,)
    gb.close()
    bob.click("#conflict-mine")                                    # a deliberate choice, after seeing theirs
    wait_saved(bob)
    gb = gradebook(served)
    g = gb.grade("Eva_Mayer_5504", "calc_1_1")
    assert g.ta == "bob" and g.items == (half.id,)            # what bob chose, knowing alice's
    gb.close()
    # Both grade the rest with "next ungraded": nobody is sent to an answer the other has open.
    for page in (alice, bob):
        page.goto(f"{served.base}/t/calc_1_1")
    done, conflicts = set(), 0
    for _ in range(12):
        for page in (alice, bob):
            if page.query_selector("#done"):
                continue
            page.keyboard.press("1")
            expect(page.locator("#save-state")).to_have_text(re.compile(r"^(saved|not saved)"))
            conflicts += page.is_visible("#conflict")
            done.add(page.url)
            go(page, "n")
    assert conflicts == 0
    gb = gradebook(served)
    grades = gb.grades("calc_1_1")
    assert len(grades) == 6
    by = {t: sum(1 for g in grades.values() if g.ta == t) for t in ("alice", "bob")}
    assert by["alice"] >= 2 and by["bob"] >= 2
    gb.close()
    alice.goto(served.base + "/")
    table = alice.inner_text("#per-ta")
    assert "alice" in table and "bob" in table


def test_restart_the_server_mid_way_and_find_everything(browser, served):
    gb = gradebook(served)
    gb.add_item("calc_1_1", 10, "correct proof", "", "setup")
    gb.close()
    page = login(browser, served, "kim")
    go(page, "1")
    page.wait_for_selector("#grading")
    graded = []
    for i in range(3):
        page.keyboard.press("1")
        page.keyboard.press("c")
        page.keyboard.type(f"before the crash {i}")
        page.keyboard.press("Escape")
        wait_saved(page, version=2)
        graded.append(page.url)
        go(page, "n")
    served.kill()                                      # kill -9: no shutdown, no flush
    served.start()                                     # same port, same gradebook
    for i, url in enumerate(graded):
        page.goto(url)                                 # the session cookie still works
        assert page.inner_text("#points") == "10"
        assert page.input_value("#comment") == f"before the crash {i}"
        assert "saved by kim" in page.inner_text("#save-state")
    page.goto(served.base + "/")
    assert "3 of 6 answers graded" in page.inner_text("#task-calc_1_1")
    go(page, "1")                                       # and grading goes on where it was
    page.wait_for_selector("#grading")
    assert page.url not in graded


def test_anonymous_mode_shows_no_name_anywhere(browser, served):
    gb = gradebook(served)
    item = gb.add_item("calc_1_1", 10, "correct proof", "", "setup")
    for k in ("Anna_Huber_5500", "Ben_Gruber_5501"):
        gb.set_grade(k, "calc_1_1", items=[item.id], ta="setup")
    keys = list(gb.ids())
    results = gb.automatic()
    gb.close()
    secrets = set(keys)
    for r in results.values():
        secrets |= {r.participant, r.name, r.matr_number, r.file, r.path, *r.participant.split()}
    page = login(browser, served, "kim")
    urls = [served.base + u for u in ("/", "/t/calc_1_1/list", "/t/calc_1_1/groups", "/history",
                                      "/t/calc_1_2/list")]
    go(page, "1")
    page.wait_for_selector("#grading")
    urls.append(page.url)
    for _ in range(4):
        go(page, "j")
        urls.append(page.url)
    page.goto(served.base + "/t/calc_1_1/groups")
    urls += [a.get_attribute("href") for a in page.query_selector_all("#groups td:first-child a")]
    for url in urls:
        page.goto(url if url.startswith("http") else served.base + url)
        html = page.content()
        title = page.title()
        for s in secrets:
            assert s not in html and s not in title and s not in page.url, (url, s)
    go(page, "a")                                      # names on request
    html = page.content()
    assert any(full in html for full, _ in STUDENTS)


@pytest.mark.slow
def test_the_shipped_examples_end_to_end_in_the_browser(browser, tmp_path, data_home):
    """grade the examples, then grade every written answer in the browser; the reports follow."""
    reports = tmp_path / "reports"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home), "COLUMNS": "300"}
    res = subprocess.run([sys.executable, "-m", "grader", "grade", str(ROOT / "submissions"), "--out", str(reports)],
                         env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    # reports/ below the working folder is serve's default: the command to type is just that
    assert "8 written answer(s) wait for a TA: grade them in the browser with grader serve (or" in res.stdout
    server = Server(reports).start()
    try:
        page = login(browser, server, "kim")
        for n, task in enumerate(("calc_1_1", "calc_1_2", "calc_2"), start=1):
            page.goto(server.base + "/")
            go(page, str(n))
            page.wait_for_selector("#grading")
            assert page.query_selector("#answer math")          # formulas rendered as MathML
            add_item(page, "7", "mostly right")
            page.wait_for_selector("#rubric li")
            while not page.query_selector("#done"):
                page.keyboard.press("1")
                wait_saved(page)
                go(page, "n")
        deadline = time.time() + 30                            # the reports follow within seconds
        while time.time() < deadline:
            text = (reports / "summary.csv").read_text()
            if "7.0,7.0,7.0" in text.replace('"', ""):
                break
            time.sleep(0.5)
        rows = {r.split(",")[0]: r for r in (reports / "summary.csv").read_text().splitlines()}
        assert ",7.0,7.0,7.0," in rows["Assignment_7_JaneDoe_k12345678.ipynb"]
        assert ",7.0,7.0,0.0," in rows["Assignment_7_MaxMustermann_k01234567.ipynb"]   # calc_2 unanswered
        page_html = (reports / "feedback" / "Assignment_7_JaneDoe_k12345678.html").read_text()
        assert "+7</b> mostly right" in page_html
    finally:
        server.stop()


def test_override_an_automatic_check_with_a_reason(browser, served):
    gb = gradebook(served)
    sid = gb.ids()["Ben_Gruber_5501"]
    gb.close()
    page = login(browser, served, "kim")
    page.goto(f"{served.base}/t/calc_1_1/a/{sid}")
    row = page.locator("#auto tr", has_text="ANN_relu: activations")
    row.locator(".override-open").click()
    form = page.locator("#override-form")
    expect(form).to_be_visible()
    form.locator("input[name=points]").fill("1")
    form.locator("input[name=reason]").fill("regrade request: F.relu is the same")
    with page.expect_navigation():
        form.locator("button:has-text('save')").click()
    assert "changed by kim: regrade request: F.relu is the same" in page.inner_text("#auto")
    row = page.locator("#auto tr", has_text="ANN_relu: activations")               # and it closes unsaved
    row.locator(".override-open").click()
    expect(page.locator("#override-form")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#override-form")).to_be_hidden()
    gb = gradebook(served)
    assert decided(gb)["Ben_Gruber_5501"].auto_points == 3
    gb.close()


def test_adjustment_typed_with_a_decimal_comma_and_a_narrow_window(browser, served):
    """Seventy-seventh review: "-0,5" in the adjustment saved -5; letters saved 0 without a word;
    Esc left an item's edit form open; at 800 px the page was 1339 px wide."""
    page = login(browser, served, "kim")
    go(page, "1")
    page.wait_for_selector("#grading")
    page.keyboard.press("p")
    page.keyboard.type("-0,5")
    page.keyboard.press("Enter")
    wait_saved(page)
    assert gradebook(served).grade(served_key(page, served), "calc_1_1").adjust == -0.5
    page.keyboard.press("p")
    page.keyboard.type("abc")
    page.keyboard.press("Escape")
    expect(page.locator("#message")).to_contain_text("is not a number")
    expect(page.locator("#save-state")).to_have_text("not saved")
    page.fill("#adjust", "0")
    page.keyboard.press("Escape")
    add_item(page, "5", "half")
    add_item(page, "-1", "slip")
    page.wait_for_selector(".edit-item")
    page.keyboard.press("e")                                   # alone: the first item
    expect(page.locator(".item-form").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".item-form:visible")).to_have_count(0)
    count = page.locator(".item-form").count()
    page.keyboard.press("e")                                   # then a digit: that item (review 116)
    page.keyboard.press(str(count))
    expect(page.locator(".item-form").nth(count - 1)).to_be_visible()
    expect(page.locator(".item-form:visible")).to_have_count(1)
    page.keyboard.press("Escape")
    from .gradebook_helpers import result
    gb = gradebook(served)
    gb.store_result(result(7, "```\nprint('" + "x" * 400 + "')\n```", name="Long Line", matr="k77777777"))
    sid = gb.ids()["Long_Line_5507"]
    page.set_viewport_size({"width": 800, "height": 900})
    page.goto(f"{served.base}/t/calc_1_1/a/{sid}")
    page.wait_for_selector("#grading")
    for box in (page.locator(".rubric-col").bounding_box(), page.locator(".answer-col").bounding_box()):
        assert box["x"] + box["width"] <= 800, box


def test_a_save_while_the_server_is_down_says_so_and_works_once_it_is_back(browser, served):
    """An eighty-third review: with `grader serve` stopped, a save left "saving…" for good, no word,
    and every later key did nothing, also after the server was back; a link clicked right after
    typing asked "leave site?"; the counts stayed as before a save; "−0,5" was refused."""
    gb = gradebook(served)
    gb.add_item("calc_1_1", 10, "correct proof", "", "setup")
    gb.close()
    page = login(browser, served, "kim")
    dialogs = []

    def refuse(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()
    page.on("dialog", refuse)
    go(page, "1")
    page.wait_for_selector("#grading")
    before = page.inner_text("#task-progress")
    page.keyboard.press("1")
    wait_saved(page)
    expect(page.locator("#task-progress")).not_to_have_text(before)          # counted at once
    served.kill()
    page.keyboard.press("c")
    page.keyboard.type("typed while the server was down")
    page.keyboard.press("Escape")
    expect(page.locator("#save-state")).to_have_text("not saved")
    expect(page.locator("#message")).to_contain_text("the server cannot be reached")
    served.start()
    page.keyboard.press("s")
    wait_saved(page)
    # saved: what went wrong before is no longer said (a hundred-and-tenth review)
    expect(page.locator("#message")).not_to_contain_text("cannot be reached")
    key = served_key(page, served)
    assert gradebook(served).grade(key, "calc_1_1").comment == "typed while the server was down"
    # Re-scoring every graded answer of the task asks first; dismissed, nothing changes.
    page.locator("#start-toggle").click()
    expect(page.locator("#start-toggle")).to_be_visible()
    assert dialogs and "graded answer" in dialogs[-1] and "new score" in dialogs[-1], dialogs
    assert gradebook(served).rubric("calc_1_1").start == "zero"
    dialogs.clear()
    page.keyboard.press("p")
    page.keyboard.type("\u22120,5")                                           # the minus sign the hint shows
    page.keyboard.press("Enter")
    wait_saved(page)
    assert gradebook(served).grade(key, "calc_1_1").adjust == -0.5
    page.keyboard.press("c")
    page.keyboard.type(" and more")
    with page.expect_navigation():
        page.locator("a", has_text="History").first.click()                  # saved first, then gone
    assert not dialogs, dialogs
    assert gradebook(served).grade(key, "calc_1_1").comment.endswith(" and more")
    # History: an undo asks first, and an undo can be undone.
    page.remove_listener("dialog", refuse)
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.locator("#history button", has_text="undo").first.click()
    expect(page.locator("#history tr", has_text="undo of change")).to_have_count(1)
    assert page.locator("#history tr", has_text="undo of change").locator("button").count() == 1


def served_key(page, server):
    sid = int(re.search(r"/a/(\d+)", page.url).group(1))
    return {v: k for k, v in gradebook(server).ids().items()}[sid]


def test_a_server_killed_before_rendering_renders_on_its_next_start(tmp_path):
    """Seventy-fifth review: a grade saved just before kill -9 stayed out of summary.csv and the
    feedback pages after the restart, until an unrelated command rewrote them."""
    from grader.gradebook.outputs import write_reports
    from grader.spec import load_spec
    reports = tmp_path / "reports"
    gb = filled(reports)
    write_reports(gb, reports, load_spec())
    gb.set_grade("Anna_Huber_5500", "calc_1_1", items=[], adjust=7, comment="late", ta="ben", expected_version=0)
    gb.close()                       # saved, never rendered: as after a kill -9 of the server
    row = lambda: next(r for r in csv.DictReader((reports / "summary.csv").open()) if r["key"] == "Anna_Huber_5500")
    assert row()["calc_1_1"] == ""
    server = Server(reports).start()
    try:
        deadline = time.time() + 60
        while time.time() < deadline and row()["calc_1_1"] != "7.0":
            time.sleep(0.5)
        assert row()["calc_1_1"] == "7.0"
    finally:
        server.stop()


def test_assigning_a_task_to_an_unknown_name_asks_and_can_be_cancelled(browser, served):
    page = login(browser, served, "kim")
    form = page.locator("form.assign").first
    said = []

    def answer(dialog, accept):
        said.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    form.locator("input[name=ta]").fill("kmi")
    form.locator("button[type=submit]").first.click()
    expect(page.locator("body")).to_contain_text("Assigned to: everyone")
    page.wait_for_timeout(300)
    assert said and "No TA named “kmi”" in said[0] and "Did you mean “kim”?" in said[0]
    gb = gradebook(served)
    assert gb.assignments() == {}
    gb.close()
    page.once("dialog", lambda d: answer(d, True))
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()
    expect(page.locator("form.assign").first).to_contain_text("Assigned to: kmi")


def test_c_types_after_the_comment_and_esc_saves_only_a_change(browser, served):
    """A ninetieth review: `c` put the cursor before an existing comment ("Good fix of the
    bias.missing the bias step" reached the student), and Esc with nothing typed saved anyway,
    which for an answer changed since it was graded confirmed the old grade for the new text."""
    gb = gradebook(served)
    sid = gb.ids()["Ben_Gruber_5501"]
    gb.set_grade("Ben_Gruber_5501", "calc_1_1", comment="missing the bias step", ta="kim")
    gb.close()
    page = login(browser, served, "kim")
    page.goto(f"{served.base}/t/calc_1_1/a/{sid}")
    page.wait_for_selector("#grading")
    page.keyboard.press("c")
    page.keyboard.type(" Good fix.")
    page.keyboard.press("Escape")
    wait_saved(page, version=2)
    page.keyboard.press("c")
    page.keyboard.press("Escape")                 # nothing typed: nothing saved
    page.wait_for_timeout(500)
    gb = gradebook(served)
    grade = gb.grade("Ben_Gruber_5501", "calc_1_1")
    gb.close()
    assert grade.comment == "missing the bias step Good fix." and grade.version == 2


def test_a_rubric_item_ticked_with_the_mouse_leaves_the_keys_working(browser, served):
    """A hundred-and-fifty-fifth review: a rubric item's checkbox, clicked, kept the focus, and every
    key went to it: `2` ticked nothing and `j` moved nowhere, with no word. And `g` on an answer
    without a group said nothing; `e 0` could not reach the tenth item; the keys' list let Tab and
    `1` reach the page behind it."""
    gb = gradebook(served)
    gb.add_item("calc_1_1", 10, "correct proof", "", "setup")
    gb.add_item("calc_1_1", -2, "sign error", "", "setup")
    for i in range(3, 11):
        gb.add_item("calc_1_1", 0, f"note {i}", "", "setup")
    ids = gb.ids()
    gb.close()
    page = login(browser, served, "lee")
    page.goto(f"{served.base}/t/calc_1_1/a/{ids['Anna_Huber_5500']}")
    page.locator(".item-box").first.click()                 # the mouse
    wait_saved(page)
    page.keyboard.press("2")                                # then the keyboard
    expect(page.locator("#points")).to_have_text("8")
    page.keyboard.press("e")
    page.keyboard.press("0")
    expect(page.locator(".item-form:visible input[name=description]")).to_have_value("note 10")
    page.keyboard.press("Escape")
    page.keyboard.press("?")                                # the keys' list is a dialog
    expect(page.locator("#help")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#help-close")).to_be_focused()
    page.keyboard.press("1")                                # nothing under it
    expect(page.locator("#points")).to_have_text("8")
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()
    alone = None
    for key, sid in ids.items():
        page.goto(f"{served.base}/t/calc_1_1/a/{sid}")
        if page.locator("#group-grade").is_disabled():
            alone = sid
            break
    assert alone is not None
    page.keyboard.press("g")
    expect(page.locator("#message")).to_contain_text("no group to grade")
