"""Markdown and LaTeX to self-contained HTML, offline (no CDN): students' written answers.

Student text is escaped before markdown sees it (no HTML or scripts of theirs reach the TA's
browser); ``$...$`` and ``$$...$$`` become inline SVG drawn by matplotlib's mathtext, and
formulas mathtext cannot draw are shown as their TeX source.
"""
from __future__ import annotations

import html
import io
import re
from functools import lru_cache

import markdown as md

MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)


@lru_cache(maxsize=4096)
def tex_svg(tex: str, display: bool) -> str:
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import mathtext
    buf = io.BytesIO()
    try:
        mathtext.math_to_image(f"${tex.strip()}$", buf, format="svg", dpi=100)
    except Exception:  # noqa: BLE001 - mathtext covers a subset of LaTeX
        cls = "tex display" if display else "tex"
        return f'<code class="{cls}" title="formula shown as TeX">{html.escape(tex.strip())}</code>'
    svg = buf.getvalue().decode()
    svg = svg[svg.index("<svg"):]
    style = "display:block;margin:0.4em auto" if display else "vertical-align:middle"
    return f'<span class="math" style="{style}">{svg}</span>'


def answer_html(text: str) -> str:
    pieces: list[str] = []

    def keep(m: re.Match) -> str:
        pieces.append(tex_svg(m.group(1) or m.group(2), m.group(1) is not None))
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
