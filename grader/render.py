"""Markdown and LaTeX to self-contained, safe HTML, offline (no CDN): students' written answers.

Student text is escaped before markdown sees it (no HTML of theirs reaches a browser); ``$...$``
and ``$$...$$`` become MathML (latex2mathml), which browsers draw natively, so matrices and
fractions render without any script or network; a formula that cannot be converted is shown as
its TeX source. The result then goes through a maintained sanitiser (nh3, the Rust ammonia
library) with a tag allowlist and a URL-scheme allowlist: markdown can still produce a link
(``[x](javascript:...)``) or an image (``![](https://tracker/...)``), so links keep only
http(s)/mailto targets and images are replaced by their alt text: a page never loads anything
from outside itself. Every page carries a Content-Security-Policy that forbids scripts and
remote loads, as a second line should a bug ever let markup through.
"""
from __future__ import annotations

import html
import re
import secrets
import threading
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

from .answer_images import swap_out

# A dollar written `\$` is a dollar, as Jupyter shows it, and opens or closes no formula (a
# seventieth review: the words between two of them became one formula for the TA).
MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(.+?)(?<!\\)\$", re.S)
IMG = re.compile(r"<img\b[^>]*>", re.I)
ALT = re.compile(r'\balt="([^"]*)"')
# Characters no text needs, which some tools choke on: NUL and the other C0 controls but tab and
# newline, lone surrogates (a notebook's JSON may hold "\udc80", which UTF-8 cannot encode), and
# U+FFFE, U+FFFF, which XML forbids (a file name holding one made the JUnit export unreadable).
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# What of one answer is rendered as markdown: written answers are a few thousand characters;
# beyond this the rest is shown as plain text (a crafted answer must not cost a TA minutes).
RENDERED_CHARS = 20_000

# Not mpadded: a box of zero width or height (\mathrlap, \smash) lets a formula draw over what
# is around the answer, e.g. "GRADED 0/25" inside a classmate's section of a grading sheet (a
# tenth review); its content is kept, at its own size. Not mphantom either: \phantom{...} drew a
# note invisibly for the TA that Jupyter shows (a seventieth review); its content is shown.
MATHML_TAGS = {"math", "mrow", "mi", "mn", "mo", "mtext", "ms", "mspace", "msup", "msub", "msubsup", "mfrac",
               "msqrt", "mroot", "mtable", "mtr", "mtd", "mover", "munder", "munderover", "mstyle", "menclose",
               "semantics", "annotation"}
# Sizes and spacing: a plain length that is not negative ("0.1667em"), never "-1width" or
# "-47em", which pull a formula over its neighbours.
_SIZES = {"width", "height", "depth", "lspace", "rspace", "minsize", "maxsize"}
_LENGTH = re.compile(r"(\d++\.?+\d*+|\.\d++)\s*+(em|ex|px|pt|mm|cm|in|pc|mu|%)?")    # possessive: no backtracking
SAFE_ATTRS = {"xmlns", "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "width",
              "height", "depth", "columnalign", "rowspacing", "columnspacing", "columnlines", "rowlines",
              "linethickness", "accent", "accentunder", "movablelimits", "notation", "form", "minsize",
              "maxsize", "symmetric", "scriptlevel", "displaystyle", "frame", "encoding", "open", "close",
              "largeop", "align", "rowalign"}
HTML_TAGS = {"p", "br", "hr", "em", "strong", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "a",
             "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del", "sup", "sub",
             "span"}
URL_SCHEMES = {"http", "https", "mailto"}

# For pages written to disk (feedback, overview, grading sheets): no script at all, nothing
# remote; the page's own inline style and embedded data: images are all it needs.
STATIC_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
              "form-action 'none'")


def clean_text(text: str | None) -> str:
    """Text any writer and any browser accepts: control characters and lone surrogates become
    U+FFFD (visible, so a TA sees that something was there), everything else is kept."""
    return _UNSAFE_CHARS.sub("\ufffd", text or "")


# Bidirectional embeddings, overrides and isolates reorder what a line appears to say: a
# hundred-and-thirty-sixth review wrote "\u202eDEDARG 52/52" in an answer, and the TA's page read
# "25/25 GRADED". On a page they are U+FFFD like other controls (the marks LRM and RLM, which only
# mark a direction, stay); the stored text keeps them.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def shown_text(text: str | None) -> str:
    """``clean_text``, and no character that reorders the text around it: what a page shows."""
    return _BIDI.sub("\ufffd", clean_text(text))


_CODE = re.compile(r"`([^`\n]{1,200})`")


def message_html(text: str) -> str:
    """A check's message as HTML: escaped, its `code` in <code> (the backticks read as raw markup
    on the pages; a new TA's review)."""
    return _CODE.sub(r"<code>\1</code>", html.escape(shown_text(text)))


def _safe_mathml(markup: str) -> bool:
    """Only MathML elements and presentation attributes: \\text{<script>} must stay text."""
    import xml.etree.ElementTree as ET
    try:
        root = ET.fromstring(markup)
    except ET.ParseError:
        return False
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] not in MATHML_TAGS:
            return False
        if any(a.rsplit("}", 1)[-1] not in SAFE_ATTRS for a in el.attrib):
            return False
    return True


# A formula that defines macros is shown as TeX: latex2mathml expands them with no bound on what they grow to (a
# review, 346: `\def\qb{{\qa}{\qa}}` twenty deep, 400 characters, took the TA's `grader manual export` and `grader
# serve` past 1 GB and a minute each; its depth guard starts again inside each pair of braces)
_DEFINES = re.compile(r"\\(?:[egx]?def|let|(?:re)?newcommand|providecommand|(?:re)?newenvironment|"
                      r"DeclareMathOperator)(?![A-Za-z])")


@lru_cache(maxsize=4096)
def tex_html(tex: str, display: bool) -> str:
    from latex2mathml.converter import convert
    try:
        if _DEFINES.search(tex):
            raise ValueError("a formula that defines macros")
        markup = convert(tex.strip(), display="block" if display else "inline")
        if _safe_mathml(markup):
            return markup
    except Exception:  # noqa: BLE001 - students write every kind of TeX
        pass
    cls = "tex display" if display else "tex"
    return f'<code class="{cls}" title="formula shown as TeX">{html.escape(tex.strip())}</code>'


def _image_as_text(m: re.Match) -> str:
    alt = ALT.search(m.group(0))
    label = html.unescape(alt.group(1)) if alt and alt.group(1) else "image"
    return f'<span class="removed">[image not shown: {html.escape(label)}]</span>'


# Classes style the page around the answer (a fixed help box, the "answer changed" banner, the
# score): a student's \class{help}{...} or a markdown fence named like one would draw the app's own
# furniture. Only the classes this module writes itself survive.
OWN_CLASSES = {"span": {"removed"}, "p": {"removed"}, "code": {"tex", "display"}}
def _attribute(tag: str, name: str, value: str) -> str | None:
    if name in _SIZES and tag in MATHML_TAGS and not _LENGTH.fullmatch(value.strip()):
        return None
    return value


_SANITISER = dict(tags=HTML_TAGS | MATHML_TAGS, attribute_filter=_attribute,
                  attributes={"*": {"title"}, "a": {"href"}, **{t: SAFE_ATTRS for t in MATHML_TAGS}},
                  allowed_classes=OWN_CLASSES,
                  url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow", strip_comments=True)
_local = threading.local()
# Formulas are swapped out for markers before markdown runs. The marker holds a random part made
# when the process starts, so a student cannot type one in advance.
_TOKEN = f"MATH{secrets.token_hex(8)}X"
_MARKER = re.compile(f"{_TOKEN}(\\d+){_TOKEN}")
_PICTURE = re.compile(f"{_TOKEN}P(\\d+)P{_TOKEN}")
_TAG = re.compile(r"(<[^>]*>)")


def _tools():
    """Per thread: Markdown converters (reused: building one costs more than converting), one for
    students' answers, whose headings are bold lines, and one for the course's texts, and an nh3
    cleaner (its allowlists built once). markdown-it (CommonMark, as Jupyter renders a cell) takes
    time linear in the text; Python-Markdown took minutes on 40,000 brackets."""
    tools = getattr(_local, "tools", None)
    if tools is None:
        answers = MarkdownIt("commonmark", {"html": False}).enable("table")
        answers.add_render_rule("heading_open", lambda *a: "<p><strong>")
        answers.add_render_rule("heading_close", lambda *a: "</strong></p>\n")
        course = MarkdownIt("commonmark", {"html": False}).enable("table")
        cleaner = nh3.Cleaner(**_SANITISER) if hasattr(nh3, "Cleaner") else None
        tools = _local.tools = (answers, cleaner, course)
    return tools


def sanitise(markup: str) -> str:
    """The allowlist every piece of student-derived HTML passes last."""
    cleaner = _tools()[1]
    return cleaner.clean(markup) if cleaner is not None else nh3.clean(markup, **_SANITISER)


def answer_html(text: str, headings: bool = False) -> str:
    """A written answer as safe HTML (cached: the grading app shows the same answers often; not
    an answer holding photos, megabytes each, which renders in milliseconds anyway). A student's
    headings are shown as bold lines: a heading in an answer looked like the grading sheet's own
    header of the next student's section (a hundred-and-thirty-sixth review wrote "### Jane Doe
    (k12345678)" and "GRADED: 25 / 25" below it). The course's own texts keep theirs (``headings``)."""
    if text and "data:image/" in text:
        return _answer_html(text, headings)
    return _cached_answer_html(text, headings)


@lru_cache(maxsize=8192)
def _cached_answer_html(text: str, headings: bool) -> str:
    return _answer_html(text, headings)


def _answer_html(text: str, headings: bool) -> str:
    text = shown_text(text)
    pieces: list[str] = []
    sources: list[str] = []
    text, pictures = swap_out(text, lambda i: f"{_TOKEN}P{i}P{_TOKEN}")   # after the sanitiser, from our own tag

    def keep(m: re.Match) -> str:
        pieces.append(tex_html(m.group(1) or m.group(2), m.group(1) is not None))
        sources.append(m.group(1) or m.group(2))
        return f"{_TOKEN}{len(pieces) - 1}{_TOKEN}"

    text, rest = text[:RENDERED_CHARS], text[RENDERED_CHARS:]
    safe = html.escape(MATH.sub(keep, text), quote=False)
    converter = _tools()[2 if headings else 0]
    out = converter.render(safe)
    if rest:
        out += (f'<p class="removed">[{len(rest)} more characters, shown as text:]</p>'
                f"<pre>{html.escape(rest)}</pre>")
    out = IMG.sub(_image_as_text, out)
    # A formula inside an attribute (a link's target or title: `[x]($a$)`) stays its TeX, as text:
    # its markup there broke the attribute open (a hundred-and-forty-sixth review).
    out = "".join(_MARKER.sub(lambda m: html.escape(sources[int(m.group(1))].strip()) if int(m.group(1)) < len(sources)
                              else "", part) if part.startswith("<") else
                  _MARKER.sub(lambda m: pieces[int(m.group(1))] if int(m.group(1)) < len(pieces) else "", part)
                  for part in _TAG.split(out))
    out = sanitise(out)
    if pictures:            # in text only: a marker inside an attribute (a link's title) is named
        out = "".join(part if part.startswith("<") else _PICTURE.sub(
            lambda m: pictures[int(m.group(1))] if int(m.group(1)) < len(pictures) else "", part)
            for part in _TAG.split(out))
        out = _PICTURE.sub("[picture]", out)
    return out


def text_html(text: str) -> str:
    """A TA's comment or rubric feedback as safe HTML: plain text whose ``$...$`` formulas are drawn
    as in a written answer (an eighty-third review: "$\\frac{1}{n}$" reached the student as TeX),
    and line breaks kept. No markdown: a TA's ``*`` or ``_`` stays what was typed."""
    text = shown_text(text)[:RENDERED_CHARS]
    out, pos = [], 0
    for m in MATH.finditer(text):
        out.append(html.escape(text[pos:m.start()]))
        out.append(tex_html(m.group(1) or m.group(2), m.group(1) is not None))
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return sanitise("".join(out).replace("\n", "<br>"))


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }}
h1 {{ color: rgb(0,120,170); }} table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 0.3em 0.6em; vertical-align: top; text-align: left; }}
p, td a, td small {{ overflow-wrap: anywhere; }}
.pass {{ color: #176f2c; font-weight: 600; }} .fail {{ color: #b00020; font-weight: 600; }}
.manual {{ color: #1f5fa8; font-weight: 600; }} .answer {{ border-left: 4px solid #ccc; padding: 0.2em 1em; overflow: auto; contain: paint; }}
.flag {{ background: #fff3cd; padding: 0.1em 0.4em; border-radius: 3px; margin-right: 0.3em; }}
.removed {{ color: #777; font-style: italic; }} .pending {{ color: #1f5fa8; }}
.review {{ color: #444; font-size: 0.95em; }} .review ul {{ margin: 0.2em 0; padding-left: 1.2em; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 0.5em; }} .charts figure {{ margin: 0; }}
section {{ margin-bottom: 2em; }} img {{ max-width: 100%; max-height: 80vh; object-fit: contain; }}
</style></head><body>
{body}
</body></html>
"""


def page(title: str, body: str) -> str:
    return PAGE.format(title=html.escape(clean_text(title)), body=body, csp=STATIC_CSP)


def page_parts(title: str) -> tuple[str, str]:
    """``page`` before and after its body, for a page written piece by piece (a sheet of a class's
    photos is never held whole)."""
    head, tail = PAGE.split("{body}")
    kw = dict(title=html.escape(clean_text(title)), csp=STATIC_CSP)
    return head.format(**kw), tail.format(**kw)
