"""Outputs that are safe to open (issue 8, point 7): each test is an attack, then the outcome.

A student controls the text of their answers, their file name and (through error messages)
parts of the check messages; Moodle controls the participant's name. None of it may run as
script, load anything from the network, become a spreadsheet formula, or crash an output.
"""
import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader import exports, manual, moodle
from grader.csvsafe import TRIGGERS, cell, uncell
from grader.gradebook import open_gradebook
from grader.gradebook.decisions import results as decided
from grader.gradebook.outputs import write_reports
from grader.render import answer_html
from grader.spec import load_spec

from .gradebook_helpers import result

JS_LINK = "[click me](javascript:alert(document.cookie))"
JS_LINK_2 = "[x](JaVaScRiPt:alert(1)) [y](  javascript:alert(1)) [z](data:text/html,<script>alert(1)</script>)"
PIXEL = "![tracking](https://tracker.example/p.gif?student=1)"
RAW_HTML = ('<img src="https://tracker.example/raw.gif" onerror="alert(1)"><script>alert(2)</script>'
            '<iframe src="https://evil.example"></iframe><svg onload=alert(3)></svg><a href="javascript:x">a</a>'
            '<style>body{background:url(https://tracker.example/css.gif)}</style>')
MATH = r"$\href{javascript:alert(1)}{x}$ and $\text{<script>alert(4)</script>}$ and $x^2$"
REFERENCE = "[lecture notes](https://course.example/notes.pdf)"
WEIRD = "nul\x00here, bell\x07, escape\x1b[31m, rtl\u202eevil, surrogate \ud800, not xml \ufffe\uffff end"
FORMULAS = ["=HYPERLINK(\"https://evil.example\",\"click\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
ATTACKS = [JS_LINK, JS_LINK_2, PIXEL, RAW_HTML, MATH, WEIRD, *FORMULAS]


class _Live(HTMLParser):
    """Collects what in real markup (not in escaped text) could run or load something."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = {"scripts": [], "js_urls": [], "remote": [], "handlers": []}
        self._style = False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "frame", "base"):
            self.found["scripts"].append(tag)
        self._style = tag == "style"
        for name, value in attrs:
            v = (value or "").strip().lower()
            if name.startswith("on"):
                self.found["handlers"].append(f"{tag} {name}")
            if name in ("href", "action", "formaction", "xlink:href") and v.startswith(("javascript:", "data:", "vbscript:")):
                self.found["js_urls"].append(f"{tag} {name}={v[:30]}")
            loads = name in ("src", "srcset", "poster", "background") or (tag == "link" and name == "href")
            if loads and v.startswith(("http:", "https:", "//")):
                self.found["remote"].append(f"{tag} {name}={v[:40]}")
            if name == "style" and re.search(r"url\(\s*['\"]?(https?:)?//", v):
                self.found["remote"].append(f"{tag} style")

    def handle_data(self, data):
        if self._style and re.search(r"url\(\s*['\"]?(https?:)?//|@import", data):
            self.found["remote"].append("style element")

    def handle_endtag(self, tag):
        self._style = False


def live_parts(html: str) -> dict:
    """What in a page could run or load something (parsed as a browser would, roughly)."""
    p = _Live()
    p.feed(html)
    return p.found


@pytest.mark.parametrize("attack", [JS_LINK, JS_LINK_2, PIXEL, RAW_HTML, MATH])
def test_student_markdown_cannot_script_or_load(attack):
    html = answer_html(attack + "\n\n" + REFERENCE)
    assert live_parts(html) == {"scripts": [], "js_urls": [], "remote": [], "handlers": []}, html
    assert 'href="https://course.example/notes.pdf"' in html and 'rel="noopener noreferrer nofollow"' in html


CLASSED = [r"$\class{help}{\text{grader: identical to the model solution, press g}}$",
           r"$\class{warning}{\text{The answer changed since it was graded}}$ $\class{score}{\text{15 / 15}}$",
           "```help\nfake help box\n```", "`x`{.help} <span class=\"score\">15</span>"]


@pytest.mark.parametrize("attack", CLASSED)
def test_an_answer_cannot_dress_itself_in_the_pages_own_styles(attack):
    # Ninth review: latex2mathml turns \class{help}{...} into <mrow class="help">, and the grading
    # app's .help box is position: fixed: the answer drew fake grader text over the app's links.
    html = answer_html(attack + " $x^2$ " + "y" * 20_001)
    attrs = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, a: attrs.extend(a)
    parser.feed(html)
    classes = {c for name, value in attrs if name == "class" for c in (value or "").split()}
    assert classes <= {"removed", "tex", "display"}, classes
    assert not {name for name, _ in attrs} & {"id", "style"}


FAKE_HEADER = ("### Jane Doe (k12345678) \u2014 Assignment_7_JaneDoe_k12345678.ipynb\n\n**GRADED: 25 / 25** (TA: Alice)"
               "\n\nJane Doe\n===\n\n###### *small*")


def test_a_heading_in_an_answer_cannot_pass_for_the_pages_own_header():
    # A hundred-and-thirty-sixth review: an answer's "### Jane Doe (k12345678) ..." looked like
    # the grading sheet's header of the next section, a classmate's, with "GRADED: 25 / 25" below.
    html = answer_html(FAKE_HEADER)
    assert not re.search(r"<h[1-6]", html), html
    assert "<p><strong>Jane Doe (k12345678) \u2014 Assignment_7_JaneDoe_k12345678.ipynb</strong></p>" in html
    assert "<p><strong>Jane Doe</strong></p>" in html and "<p><strong><em>small</em></strong></p>" in html
    assert re.search(r"<h2>Task 1</h2>", answer_html("## Task 1", headings=True))    # the course's own texts


REORDERED = "Mine: \u202eDEDARG 52/52\u202c, \u2066isolated\u2069, \u202dforced\u202c \u202aembedded\u202b"


def test_no_character_of_an_answer_reorders_what_a_page_shows():
    # The same review: "\u202eDEDARG 52/52" read "25/25 GRADED" on the TA's page.
    from grader.gradebook.groups import diff_html
    from grader.render import message_html, text_html
    from grader.similarity.pages import esc
    bidi = re.compile("[\u202a-\u202e\u2066-\u2069]")
    shown = [answer_html(REORDERED), text_html(REORDERED), message_html(REORDERED),
             diff_html("Mine: GRADED", REORDERED), esc(REORDERED)]
    for html in shown:
        assert not bidi.search(html) and "\ufffdDEDARG 52/52\ufffd" in html, html
    assert "\u200f" in answer_html("\u05e9\u05dc\u05d5\u05dd\u200f 42")      # a right-to-left mark only marks


def test_a_remote_image_becomes_text_and_a_javascript_link_is_not_live():
    html = answer_html(PIXEL + " " + JS_LINK)
    assert "<img" not in html and "[image not shown: tracking]" in html
    assert "click me" in html
    assert live_parts(html)["js_urls"] == [] and "<a " not in html     # shown as text, never a link


@pytest.mark.parametrize("crafted", ["[" * 30000 + "]" * 30000, "[a](" * 25000, "![" * 50000, "*_" * 50000])
def test_a_crafted_answer_renders_in_a_second(crafted):
    # Python-Markdown took minutes on 40,000 brackets (a red-team finding): one answer must not
    # stall a page, an export or the grading app.
    import time
    t0 = time.process_time()
    html = answer_html(crafted)
    assert time.process_time() - t0 < 20       # about 0.5 s here; minutes before
    assert "more characters, shown as text" in html and live_parts(html)["scripts"] == []


@pytest.mark.parametrize("piece", ["$", "\\", "^(", "^{(", "<", "<a ", "not ", " ", "](attachment:", "![", "1,2 ",
                                   "😀1,2 ", "{ ", "${", "{\n", "* ", "_ ", " ** "])
def test_every_reading_of_an_answer_is_linear(piece):
    """Fuzzing after a twenty-fourth review: a cell of 200,000 '$' took the normal form minutes
    (a ``\\s*`` tried from every space), '^(' the numbers, '<' the placeholder test and 'not ' the
    answer signature; the grader reads every written answer with each of these."""
    import time
    from grader.answer_images import embed
    from grader.answer_text import normalise, numbers
    from grader.checks.manual import unanswered
    from grader.gradebook.groups import signature, sorted_form
    text = "See ![image.png](attachment:image.png) " + (piece * (200_000 // len(piece)))
    t0 = time.process_time()
    embed(text, {"image.png": ("image/png", b"x")})
    normalise(text), numbers(text), unanswered(text), signature(text), sorted_form(text)
    assert time.process_time() - t0 < 20       # a few seconds together here; minutes each before


OVERLAYS = [r"$\smash{\mathrlap{\begin{matrix}\text{ }\\ \hspace{47em}\text{GRADED 0/25 by TA Anna}\end{matrix}}}$",
            r"$\mathllap{\text{GRADED}}$ $\mathclap{x}$", r"$a\hspace{-47em}\text{GRADED}$", r"$a\kern-30em b$",
            r"$\mathrlap{\text{over}}\phantom{x}$"]


@pytest.mark.parametrize("attack", OVERLAYS)
def test_a_formula_cannot_draw_over_what_is_around_its_answer(attack):
    # Tenth review: a zero-size box (mpadded) or a negative space let a formula draw "GRADED 0/25"
    # inside a classmate's section of a grading sheet. No zero-size boxes, no negative sizes, and
    # every page clips an answer to its own box.
    html = answer_html("Short answer. " + attack)
    attrs = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, a: attrs.extend((tag, n, v) for n, v in a)
    parser.feed(html)
    assert not [a for a in attrs if a[0] == "mpadded"] and "<mpadded" not in html
    sizes = [v for _, n, v in attrs if n in ("width", "height", "depth", "lspace", "rspace")]
    assert not [v for v in sizes if v.strip().startswith("-") or "width" in v], sizes
    from grader.render import page
    assert re.search(r"\.answer \{[^}]*overflow: auto; contain: paint;", page("x", "<div class='answer'>y</div>"))


@pytest.mark.parametrize("make", [lambda w: ["w"] * w, lambda w: ["x" if i % 7 == 0 else "w" for i in range(w)]])
def test_a_crafted_answer_cannot_stall_a_word_diff(make):
    # Ninth review: 25,000 copies of one word, and the same with one word changed, froze the
    # grading app's answer and group pages (difflib: minutes per request, cubic in the repeats).
    import time
    from grader.gradebook.groups import diff_html
    from grader.textdiff import MAX_WORDS, matching_blocks
    words = make(25_000)
    rep, text = " ".join(words), " ".join(words[:12_000] + ["CHANGED"] + words[12_001:])
    t0 = time.process_time()
    html = diff_html(rep, text)
    blocks = matching_blocks(rep.split(), text.split())
    assert time.process_time() - t0 < 10          # about 0.05 s here; minutes with difflib
    assert "<ins>CHANGED</ins>" in html.replace("<ins>CHANGED </ins>", "<ins>CHANGED</ins>")
    assert sum(size for _, _, size in blocks) == MAX_WORDS - 1      # all but the changed word, up to the cap
    assert "[not compared:]" in html and html.endswith(text[-20:])


def test_placeholders_typed_by_the_student_do_not_break_formulas():
    # The renderer swaps formulas out before markdown; a student typing such a marker gains nothing.
    text = "\x000\x00 MATH0X $x$ \x0099\x00 " + "MATHdeadbeefdeadbeefX0MATHdeadbeefdeadbeefX"
    html = answer_html(text)
    assert "<math" in html and "\x00" not in html


def test_a_formula_as_a_links_target_or_title_stays_inside_the_attribute():
    """A hundred-and-forty-sixth review: `[click]($x$)` put the formula's MathML into the link's
    href; its quotes broke the attribute open and left stray markup as text."""
    html = answer_html('[click]($x$) [t](https://a.example "$y$") [j]($javascript:alert(1)$) $z$')
    assert '<a href="x"' in html and 'title="y"' in html and "javascript" not in html
    assert re.search(r'<a href="x" rel="[a-z ]+">click</a>', html), html
    assert html.count("<math") == 1 and "&quot;" not in html and "&lt;" not in html


@pytest.fixture
def attacked(tmp_path):
    """A report folder whose students wrote every attack into answers, names and file names."""
    reports = tmp_path / "reports"
    gb = open_gradebook(reports)
    for i, attack in enumerate(ATTACKS):
        r = result(i, attack, calc_2=attack, name=f"{attack} Name{i}", matr=FORMULAS[i % len(FORMULAS)])
        r.key = f"student_{i}"
        r.file = f"{FORMULAS[i % len(FORMULAS)]}{WEIRD}.ipynb"
        r.flags = [attack]
        r.checks[-1].message = attack                      # error text from the student's process
        gb.store_result(r)
    item = gb.add_item("calc_1_1", 3, "=1+1 formula-looking item", "@feedback", "ta")
    gb.set_grade("student_0", "calc_1_1", items=[item.id], comment="-looks like a formula", ta="ta")
    yield reports, gb
    gb.close()


def all_outputs(reports: Path, gb, tmp_path: Path) -> list[Path]:
    spec = load_spec()
    write_reports(gb, reports, spec)
    manual.export(reports, spec)
    for fmt in ("gradebook", "gradescope", "junit"):
        exports.export(fmt, reports, reports, spec)
    sheet = tmp_path / "worksheet.csv"
    sheet.write_text("Identifier,Full name,Grade,Feedback comments\n" +
                     "".join(f"Participant {5500 + i},x,,\n" for i in range(len(ATTACKS))), encoding="utf-8")
    text, _ = moodle.fill_worksheet(sheet.read_text(), list(decided(gb).values()))
    (reports / "worksheet-graded.csv").write_text(text, encoding="utf-8")
    return [p for p in reports.rglob("*") if p.is_file() and p.suffix in (".csv", ".html", ".json", ".xml")]


def test_no_character_in_an_answer_crashes_any_output(attacked, tmp_path):
    reports, gb = attacked
    files = all_outputs(reports, gb, tmp_path)
    kinds = {p.suffix for p in files}
    assert kinds == {".csv", ".html", ".json", ".xml"}
    for p in files:
        raw = p.read_bytes()
        text = raw.decode("utf-8")                          # valid UTF-8 everywhere (no lone surrogates)
        assert "\x00" not in text and "\x1b" not in text, p
        if p.suffix == ".json":
            json.loads(text)
        if p.suffix == ".xml":
            ET.fromstring(raw)                              # control characters would make it invalid XML
        if p.suffix == ".csv":
            list(csv.reader(io.StringIO(text)))


def test_every_generated_page_forbids_scripts_and_remote_loads(attacked, tmp_path):
    reports, gb = attacked
    pages = [p for p in all_outputs(reports, gb, tmp_path) if p.suffix == ".html"]
    assert any("manual" in p.parts for p in pages) and any("feedback" in p.parts for p in pages)
    for p in pages:
        html = p.read_text()
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
        assert "default-src 'none'" in csp and "script-src" not in csp and "img-src data:" in csp, p
        assert live_parts(html) == {"scripts": [], "js_urls": [], "remote": [], "handlers": []}, p


def test_no_csv_field_becomes_a_formula_and_our_numbers_stay_numbers(attacked, tmp_path):
    reports, gb = attacked
    csvs = [p for p in all_outputs(reports, gb, tmp_path) if p.suffix == ".csv"]
    assert {p.name for p in csvs} >= {"summary.csv", "manual_answers.csv", "manual_grades.csv", "gradebook.csv",
                                       "worksheet-graded.csv", "student_0.csv"}
    for p in csvs:
        rows = list(csv.reader(io.StringIO(p.read_bytes().decode("utf-8-sig"), newline="")))
        for row in rows:
            for field in row:
                if field.startswith(TRIGGERS):
                    float(field)                            # only a number of ours may start with - (or +)
    book = list(csv.DictReader(io.StringIO((reports / "gradebook.csv").read_bytes().decode(), newline="")))
    zero = next(r for r in book if "Name0" in r["name"])
    assert float(zero["total"]) == 3 + 2 and float(zero["calc_1_1"]) == 3
    assert all(r["matr_number"].startswith("'") for r in book if r["matr_number"][:1] in ("'",) + TRIGGERS)
    grades = list(csv.DictReader(io.StringIO((reports / "manual" / "manual_grades.csv").read_bytes().decode(),
                                             newline="")))
    assert next(r for r in grades if r["report"] == "student_0" and r["task"] == "calc_1_1")["comment"] == \
        "'-looks like a formula"


def test_neutralised_fields_read_back_as_typed():
    for text in FORMULAS + ["plain", "", "'quoted", "'=already"]:
        assert uncell(cell(text)) == text.replace("\r", "\n")
    assert cell(-2.5) == -2.5 and cell(3) == 3 and cell(None) is None


def test_a_merge_of_an_exported_sheet_round_trips_neutralised_fields(attacked, tmp_path):
    reports, gb = attacked
    spec = load_spec()
    manual.export(reports, spec)
    path = reports / "manual" / "manual_grades.csv"
    merged, blank, *_ = manual.merge(path, reports, spec, ta="ta")
    assert merged >= 1
    assert gb.grade("student_0", "calc_1_1").comment == "-looks like a formula"


def test_the_grading_app_renders_attacks_inert(attacked):
    from grader.web import create_app
    reports, gb = attacked
    app = create_app(reports, load_spec(), token="t")
    app.testing = True
    c = app.test_client()
    c.get("/?token=t")
    with c.session_transaction() as s:
        s["ta"] = "ta"
    ids = gb.ids()
    for i in range(len(ATTACKS)):
        r = c.get(f"/t/calc_1_1/a/{ids[f'student_{i}']}")
        assert r.status_code == 200
        html = r.data.decode()
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        main = html.split("<main", 1)[1]
        parts = live_parts(main)
        assert parts["js_urls"] == [] and parts["remote"] == [] and parts["handlers"] == [], (i, parts)
        assert "<script" not in main and "\x00" not in html


def test_in_a_browser_the_sheets_make_no_request_and_no_live_javascript_link(attacked, tmp_path):
    from .browser import launch
    reports, gb = attacked
    all_outputs(reports, gb, tmp_path)
    with launch() as browser:
        page = browser.new_page()
        requests, dialogs = [], []
        page.on("request", lambda req: requests.append(req.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for sheet in [reports / "manual" / "calc_1_1.html", reports / "manual" / "calc_2.html",
                      reports / "overview.html", reports / "feedback" / "student_0.html"]:
            requests.clear()
            page.goto(sheet.as_uri())
            page.wait_for_load_state("load")
            assert [u for u in requests if not u.startswith(("file:", "data:"))] == [], sheet
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
            assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:"))], sheet
        assert dialogs == []
