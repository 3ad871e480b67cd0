"""A written answer handed in as a photo pasted into the answer cell (Jupyter's attachments): the
TA sees the picture, and two different photos are two different answers (a fourth fairness
review: the photo was dropped, and every student's `image.png` made one answer group)."""
import base64
import copy
import csv
import io
import zlib
from html.parser import HTMLParser


from grader import manual
from grader.answer_images import as_text, attachments, embed, read_attachments
from grader.gradebook import groups as grouping
from grader.gradebook import open_gradebook
from grader.gradebook.store import answer_sha
from grader.render import answer_html
from grader.report import manual_answers_csv
from grader.spec import load_spec

from .conftest import checks_of
from .gradebook_helpers import result

SPEC = load_spec()


def png(r: int, g: int, b: int) -> bytes:
    """A 2x2 PNG of one colour, written by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    rows = b"".join(b"\x00" + bytes([r, g, b]) * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", (2).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00")
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


RED, BLUE = png(255, 0, 0), png(0, 0, 255)


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds next to no pixels (a tiny file a browser would
    have to decode to width x height pixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", width.to_bytes(4, "big") + height.to_bytes(4, "big")
                                        + b"\x08\x02\x00\x00\x00")
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
PHOTO = "![image.png](attachment:image.png)"


def photo_notebook(make_nb, solution_nb, picture: bytes, name: str, mime: str = "image/png"):
    nb = copy.deepcopy(solution_nb)
    cell = next(c for c in nb.cells if c.get("id") == "calc-2")
    cell.source = "My calculation, photographed:\n\n" + PHOTO
    cell["attachments"] = {"image.png": {mime: base64.b64encode(picture).decode()}}
    return make_nb(base=nb, name=name)


def test_two_photos_are_two_answers_and_the_ta_sees_each(grader, make_nb, solution_nb, tmp_path):
    red = grader.grade(photo_notebook(make_nb, solution_nb, RED, "Assignment_7_AnnaHuber_k11111111.ipynb"))
    blue = grader.grade(photo_notebook(make_nb, solution_nb, BLUE, "Assignment_7_BenGruber_k22222222.ipynb"))
    a, b = checks_of(red, "calc_2")["answer"].answer, checks_of(blue, "calc_2")["answer"].answer
    assert base64.b64encode(RED).decode() in a and base64.b64encode(BLUE).decode() in b
    assert answer_sha(a) != answer_sha(b)
    # what a TA's page draws: the picture itself, from a data: URI (pages load nothing remote)
    assert f'src="data:image/png;base64,{base64.b64encode(RED).decode()}"' in answer_html(a)
    # the gradebook keeps them apart: two answer groups, not one
    gb = open_gradebook(tmp_path / "reports")
    for n, r in enumerate((red, blue)):
        r.key = f"student-{n}"
        gb.store_result(r)
    made = grouping.groups(gb, "calc_2")
    assert len(made) == 2, made
    gb.close()


def test_a_picture_reads_as_a_short_mark_in_csv_and_comparisons():
    text = embed("See " + PHOTO, {"image.png": ("image/png", RED)})
    r = result(0, "answer", calc_2=text)
    rows = list(csv.DictReader(io.StringIO(manual_answers_csv([r]))))
    shown = next(x["answer"] for x in rows if x["task"] == "calc_2")
    assert shown.startswith("See [image ") and "base64" not in shown
    assert as_text(text) != as_text(embed("See " + PHOTO, {"image.png": ("image/png", BLUE)}))


def test_the_grading_sheet_shows_the_photo(tmp_path):
    reports = tmp_path / "reports"
    gb = open_gradebook(reports)
    gb.store_result(result(0, "x", calc_2=embed(PHOTO, {"image.png": ("image/png", RED)})))
    gb.close()
    pages = manual.export(reports, SPEC)
    sheet = next(p for p in pages if p.name.startswith("calc_2") and p.suffix == ".html")
    assert f"data:image/png;base64,{base64.b64encode(RED).decode()}" in sheet.read_text()


def test_only_pictures_whose_bytes_say_so_are_shown():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    cell = {"attachments": {"a.svg": {"image/svg+xml": base64.b64encode(svg).decode()},
                            "b.png": {"image/png": base64.b64encode(svg).decode()},    # not a PNG
                            "c.png": {"image/png": "not base64!"},
                            "d.png": {"image/png": base64.b64encode(RED).decode()}}}
    assert list(attachments(cell)) == ["d.png"]
    typed = f"![x](data:image/png;base64,{base64.b64encode(svg).decode()})"
    assert "<img" not in answer_html(typed) and "<script" not in answer_html(typed)
    tags = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, [k for k, _ in attrs]))
    Tags().feed(answer_html('![x" onerror="alert(1)](data:image/png;base64,' + base64.b64encode(RED).decode() + ")"))
    assert ("img", ["class", "alt", "src"]) in tags and all("onerror" not in a for _, a in tags)


def test_a_sheet_draws_photos_up_to_what_one_page_holds_and_names_the_rest(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    gb = open_gradebook(reports)
    for i, colour in enumerate((RED, BLUE)):
        gb.store_result(result(i, "x", calc_2=embed(PHOTO, {"image.png": ("image/png", colour)})))
    gb.close()
    monkeypatch.setattr(manual, "SHEET_PICTURE_CHARS", len(embed(PHOTO, {"image.png": ("image/png", RED)})) + 10)
    sheet = next(p for p in manual.export(reports, SPEC) if p.name.startswith("calc_2")).read_text()
    assert sheet.count("<img") == 1 and sheet.count("more photos than one page holds") == 1


def test_a_picture_referenced_many_times_is_written_once():
    """250 references to one picture made a 333 MB report (twenty-first review)."""
    text = embed("![a](attachment:a)\n" * 250, {"a": ("image/png", RED)})
    assert text.count(base64.b64encode(RED).decode()) == 1 and text.count("shown above") == 249


def test_every_picture_put_in_is_drawn_or_named():
    """A plain link to an attachment or a line break in its alt text left megabytes of base64 as
    text in CSVs and answer groups; a picture inside a link's title was put into the attribute
    (twenty-third review)."""
    pictures = {"p": ("image/png", RED)}
    for source in ("[see my photo](attachment:p)", "![my\nwork](attachment:p)"):
        text = embed(source, pictures)
        assert "base64" not in as_text(text) and answer_html(text).count("<img") == 1, source
    for source in ('[a](https://example.org "![t](attachment:p)")', "[b](![u](attachment:p))"):
        shown = answer_html(embed(source, pictures))
        assert "<img" not in shown and 'title="<' not in shown and 'href="<' not in shown, shown


def test_a_picture_that_is_not_shown_is_named_with_its_reason_and_its_own_digest():
    """A refused picture (an SVG, one over 4 MB, bad base64) left Jupyter's `attachment:image.png`
    text, the same for every student: such answers made one group (twenty-third review)."""
    svg = lambda n: base64.b64encode(f'<svg xmlns="http://www.w3.org/2000/svg"><text>{n}</text></svg>'.encode()).decode()
    cells = [{"attachments": {"image.png": {"image/svg+xml": svg(1)}}},
             {"attachments": {"image.png": {"image/svg+xml": svg(2)}}},
             {"attachments": {"image.png": {"image/png": "A" * 6_000_000}}},
             {"attachments": {"image.png": {"image/png": "not base64!"}}},
             {"attachments": {"image.png": {"image/png": base64.b64encode(png_header(60_000, 60_000)).decode()}}},
             {"attachments": {"image.png": {"image/png": base64.b64encode(png_header(10_000, 8_000)).decode()}}}]
    texts = []
    for cell in cells:
        shown, left_out = read_attachments(cell)
        assert shown == {} and list(left_out) == ["image.png"]
        texts.append(embed(PHOTO, shown, left_out))
    assert len({answer_sha(t) for t in texts}) == len(cells)
    assert all(t.startswith("[picture not shown (") and "attachment:" not in t for t in texts)
    assert "not a PNG, JPEG, GIF or WebP picture" in texts[0] and "larger than 4 MB" in texts[2]
    assert "unreadable" in texts[3] and "far more pixels than a photo, more than 50 megapixels" in texts[4]
    assert "10000 x 8000 pixels, more than 50 megapixels" in texts[5]
    assert "<img" not in answer_html(texts[4])
    assert attachments({"attachments": {"a.png": {"image/png": base64.b64encode(png_header(4000, 3000)).decode()}}})


def test_a_refused_photo_is_flagged_for_the_ta(grader, make_nb, solution_nb):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><text>delta = 0.25</text></svg>'
    r = grader.grade(photo_notebook(make_nb, solution_nb, svg, "Assignment_7_AnnaHuber_k11111111.ipynb",
                                    mime="image/svg+xml"))
    answer = checks_of(r, "calc_2")["answer"]
    assert answer.points is None and "[picture not shown (not a PNG, JPEG, GIF or WebP picture) " in answer.answer
    assert "image-dropped:calc-2" in r.flags


def test_similarity_reads_a_photo_as_its_digest(grader, make_nb, solution_nb):
    r = grader.grade(photo_notebook(make_nb, solution_nb, RED, "Assignment_7_AnnaHuber_k11111111.ipynb"))
    assert r.student_cells["calc-2"] == f"My calculation, photographed:\n\n{as_text(embed(PHOTO, {'image.png': ('image/png', RED)}))}"
    assert "attachment:" not in r.student_cells["calc-2"]


def test_an_answer_over_several_cells_holds_one_answers_pictures():
    """Twenty-seventh review: each cell added below an answer had its own budget: 21 cells of 32
    pictures made one answer of 671 pictures and 43 MB."""
    from grader.answer_images import MAX_ANSWER_IMAGES, capped
    one = embed(PHOTO, {"image.png": ("image/png", RED)})
    text = capped("\n\n".join([one] * (MAX_ANSWER_IMAGES + 5)))
    assert text.count("data:image/png") == MAX_ANSWER_IMAGES and text.count("more pictures than one answer shows") == 5


def test_an_animation_counts_every_frame():
    """Twenty-eighth review: 108 frames of 7000 x 7000 passed as one 49-megapixel picture."""
    from PIL import Image
    from grader.answer_images import refusal
    frames = [Image.new("P", (2000, 2000), i % 2) for i in range(30)]
    many, one = io.BytesIO(), io.BytesIO()
    frames[0].save(many, "GIF", save_all=True, append_images=frames[1:])
    frames[0].save(one, "GIF")
    assert refusal("image/gif", many.getvalue()) == "2000 x 2000 pixels x 30 frames, more than 50 megapixels"
    assert refusal("image/gif", one.getvalue()) == ""


def test_a_typed_picture_mark_is_not_a_photo(grader, make_nb, solution_nb, tmp_path):
    """Seventy-eighth review: Eve typed "[image <the digest of Anna's photo>]": her answer read as
    Anna's in the reports and the CSV, both shared one group (`g` gave Eve the photo's points), and
    a typed "[picture not shown (...)]" raised the flag of a photo the grader dropped."""
    red = grader.grade(photo_notebook(make_nb, solution_nb, RED, "Assignment_7_AnnaHuber_k11111111.ipynb"))
    mark = as_text(checks_of(red, "calc_2")["answer"].answer).split("\n\n", 1)[1]
    assert mark.startswith("[image ")
    nb = copy.deepcopy(solution_nb)
    cell = next(c for c in nb.cells if c.get("id") == "calc-2")
    cell.source = "My calculation, photographed:\n\n" + mark
    typed = grader.grade(make_nb(base=nb, name="Assignment_7_EveLu_k33333333.ipynb"))
    eve = checks_of(typed, "calc_2")["answer"].answer
    assert eve == "My calculation, photographed:\n\n[typed " + mark[1:]
    gb = open_gradebook(tmp_path / "reports")
    for n, r in enumerate((red, typed)):
        r.key = f"student-{n}"
        gb.store_result(r)
    assert len(grouping.groups(gb, "calc_2")) == 2
    gb.close()
    cell.source = "[picture not shown (larger than 4 MB) 3f2a9c01b7de]"
    dropped = grader.grade(make_nb(base=nb, name="Assignment_7_EveLu_k33333333.ipynb"))
    assert not any(f.startswith("image-dropped") for f in dropped.flags)
