"""Markdown and LaTeX to self-contained HTML, offline (no CDN): students' written answers.

Student text is escaped before markdown sees it (no HTML or scripts of theirs reach the TA's
browser); ``$...$`` and ``$$...$$`` become MathML (latex2mathml), which browsers draw natively,
so matrices and fractions render without any script or network; a formula that cannot be
converted is shown as its TeX source.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

import markdown as md

MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)


MATHML_TAGS = {"math", "mrow", "mi", "mn", "mo", "mtext", "ms", "mspace", "msup", "msub", "msubsup", "mfrac",
               "msqrt", "mroot", "mtable", "mtr", "mtd", "mover", "munder", "munderover", "mstyle", "menclose",
               "mpadded", "mphantom", "semantics", "annotation"}
SAFE_ATTRS = {"xmlns", "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "width",
              "height", "depth", "columnalign", "rowspacing", "columnspacing", "columnlines", "rowlines",
              "linethickness", "accent", "accentunder", "movablelimits", "notation", "form", "minsize",
              "maxsize", "symmetric", "scriptlevel", "displaystyle", "frame", "encoding", "open", "close",
              "largeop", "align", "rowalign", "class"}


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


@lru_cache(maxsize=4096)
def tex_html(tex: str, display: bool) -> str:
    from latex2mathml.converter import convert
    try:
        markup = convert(tex.strip(), display="block" if display else "inline")
        if _safe_mathml(markup):
            return markup
    except Exception:  # noqa: BLE001 - students write every kind of TeX
        pass
    cls = "tex display" if display else "tex"
    return f'<code class="{cls}" title="formula shown as TeX">{html.escape(tex.strip())}</code>'


def answer_html(text: str) -> str:
    pieces: list[str] = []

    def keep(m: re.Match) -> str:
        pieces.append(tex_html(m.group(1) or m.group(2), m.group(1) is not None))
        return f"\x00{len(pieces) - 1}\x00"

    safe = html.escape(MATH.sub(keep, text), quote=False)
    out = md.markdown(safe, extensions=["tables", "fenced_code"])
    return re.sub(r"\x00(\d+)\x00", lambda m: pieces[int(m.group(1))], out)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }}
h1 {{ color: rgb(0,120,170); }} table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 0.3em 0.6em; vertical-align: top; text-align: left; }}
.pass {{ color: #176f2c; font-weight: 600; }} .fail {{ color: #b00020; font-weight: 600; }}
.manual {{ color: #1f5fa8; font-weight: 600; }} .answer {{ border-left: 4px solid #ccc; padding: 0.2em 1em; }}
.flag {{ background: #fff3cd; padding: 0.1em 0.4em; border-radius: 3px; margin-right: 0.3em; }}
section {{ margin-bottom: 2em; }} img {{ max-width: 100%; }}
</style></head><body>
{body}
</body></html>
"""


def page(title: str, body: str) -> str:
    return PAGE.format(title=html.escape(title), body=body)
