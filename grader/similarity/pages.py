"""The similarity view as HTML: the ranked list of pairs, one page per pair with the matching
parts side by side, and the clusters.

Each page is built from data alone (no template engine, no script), every student text escaped,
and carries a Content-Security-Policy that forbids scripts and any remote load, so a hand-in
cannot run anything in a TA's browser and the files work offline, mailed or archived. The
``*_body`` functions return the page's content without the surrounding document, for the grading
app to show as a tab; ``Links`` says where the pages link to.

The words are those of a review queue: "similar, to be reviewed". A score is a reason to look,
never a verdict, and nothing here changes a grade.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

import numpy as np

from ..render import shown_text
from .analysis import Analysis, Pair, Share
from .cohort import CODE, Hand
from .documents import CODE_UNIT, written_words
from .regions import CellView, Regions

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'self'")
PALETTE = ["#ffe08a", "#a8e6cf", "#b5d8ff", "#ffc4d6", "#d7c4ff", "#ffd3a8", "#c8f0a0", "#a8f0f0"]

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 96em; color: #222; padding: 0 1em; }
h1 { color: rgb(0,120,170); font-size: 1.5em; } h2 { color: rgb(0,120,170); font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .25em .5em; vertical-align: top; }
th { background: #f3f6f8; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.who { max-width: 16em; } td.who .cellid { font-size: .8em; overflow-wrap: anywhere; }
.note { background: #f3f6f8; border-left: 4px solid rgb(0,120,170); padding: .5em 1em; max-width: 60em; }
.flag { background: #fff3cd; border: 1px solid #e0c060; border-radius: 3px; padding: 0 .4em; white-space: nowrap; }
.same { background: #e8e8e8; border-radius: 3px; padding: 0 .4em; }
.past { color: #555; font-style: italic; }
.hi { font-weight: 600; } .lo { color: #888; }
table.side { width: 100%; table-layout: fixed; } table.side td { width: 50%; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; font-size: .85em; line-height: 1.35; }
pre .ln { color: #aaa; display: inline-block; min-width: 2.5em; padding-right: 0.5em; white-space: nowrap; user-select: none; }
.c { color: #9a9a9a; }
.m { border-radius: 2px; } .m sup { font-size: .7em; color: #444; font-weight: 600; }
.cellid { font-family: monospace; color: #555; }
.empty { color: #999; font-style: italic; }
nav a { margin-right: 1em; } td.act { white-space: nowrap; } #blocks { list-style: none; padding-left: 0; }
"""


@dataclass(frozen=True)
class Links:
    """Where pages link to: files beside each other by default; the grading app passes its routes."""
    index: str = "index.html"
    clusters: str = "clusters.html"
    pair: Callable[[str], str] = lambda pair_id: f"pairs/{pair_id}.html"


PAIR_LINKS = Links(index="../index.html", clusters="../clusters.html", pair=lambda pid: f"{pid}.html")


def page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
            "<meta name=\"referrer\" content=\"no-referrer\">"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")


def esc(text: object) -> str:
    """Escaped, and with no character that reorders the text around it (``render.shown_text``)."""
    return html.escape(shown_text(str(text)), quote=True)


def pct(x: float) -> str:
    return f"{round(100 * x)} %"


def _share_cell(s: Share | None, threshold: float) -> str:
    if s is None:
        return '<td class="num lo">–</td>'
    cls = "num hi" if s.score >= threshold else "num"
    return f'<td class="{cls}" title="{pct(s.a)} of the first\'s, {pct(s.b)} of the second\'s">{pct(s.score)}</td>'


def who(h: Hand) -> str:
    past = f' <span class="past">({esc(h.term)})</span>' if h.term else ""
    return f'{esc(h.name)}{past}<br><span class="cellid">{esc(h.key if not h.term else h.file)}</span>'


def _nav(links: Links) -> str:
    return f'<nav><a href="{esc(links.index)}">pairs</a><a href="{esc(links.clusters)}">clusters</a></nav>'


def _explain(a: Analysis) -> str:
    s = a.settings
    current = sum(1 for h in a.hands if h.current)
    past = len(a.hands) - current
    return (f'<p class="note">A pair is listed when its code or a written answer looks alike; '
            f"at {pct(s.threshold)} (code) or {pct(s.written_threshold)} (a written answer) both students get "
            f"the flag <b>similar</b>: <b>similar, to be reviewed</b>. It is a reason for a TA to look, not a "
            f"finding and never a deduction. A score is the share of one student's own work (not the template, "
            f"not the reference solution, not what more than {a.cap} students write) found in the other's, from "
            f"the side where it is larger; fragments shared with few others count more than ones many share. "
            f"Names, comments, layout and the spelling of activations do not change it. {current} hand-ins of this "
            f"term{f' and {past} of past terms' if past else ''} were compared.</p>{_not_compared(a)}")


def _not_compared(a: Analysis) -> str:
    if not a.not_compared:
        return ""
    return (f'<p class="note" id="not-compared">{len(a.not_compared)} notebook(s) of this term could not be '
            f'compared (no cells could be read from them): {esc("; ".join(a.not_compared))}.</p>')


# ------------------------------------------------------------------------------ list of pairs

def pairs_body(a: Analysis, links: Links = Links()) -> str:
    s = a.settings
    flagged_students = len(a.flagged)
    head = ["#", "student", "similar to", "score", "all code", *s.code_cells, *s.written_cells, ""]
    rows = []
    for i, p in enumerate(a.pairs, 1):
        ha, hb = a.hand(p.a), a.hand(p.b)
        mark = ('<span class="flag">similar</span>' if p.flagged else
                f'<span class="same" title="{_same_why(ha, hb)}">same student</span>'
                if p.same_student else "")
        cells = [_share_cell(p.units.get(CODE_UNIT), s.threshold)]
        cells += [_share_cell(p.units.get(c), s.threshold) for c in s.code_cells]
        cells += [_share_cell(p.units.get(c), s.written_threshold) for c in s.written_cells]
        rows.append(f'<tr><td class="num">{i}</td><td class="who">{who(ha)}</td><td class="who">{who(hb)}</td>'
                    f'<td class="num hi">{pct(p.score)}</td>{"".join(cells)}'
                    f'<td class="act">{mark} <a href="{esc(links.pair(p.id))}">side by side</a></td></tr>')
    table = ("<table id=\"pairs\"><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr>"
             + "".join(rows) + "</table>") if rows else "<p>No pair of hand-ins looks alike beyond the list floor.</p>"
    more = ""
    if a.clusters:
        more = (f'<p>{len(a.clusters)} group(s) of three or more hand-ins are linked by flagged pairs: '
                f'<a href="{esc(links.clusters)}">clusters</a>.</p>')
    return (f"<h1>Similar hand-ins, to be reviewed</h1>{_nav(links)}{_explain(a)}"
            f'<p id="counts">{len(a.pairs)} pair(s) listed, {sum(p.flagged for p in a.pairs)} flagged; '
            f"{flagged_students} student(s) of this term are in a flagged pair (flag <b>similar</b>).</p>{more}{table}"
            f"<p class=\"lo\">Written answers shorter than {s.min_written_words} words are not compared "
            f"(a lone \"0, 1, 1, 0\" is correct by necessity). {_stamp()}</p>")


def pairs_page(a: Analysis, links: Links = Links()) -> str:
    return page("Similar hand-ins, to be reviewed", pairs_body(a, links))


def _stamp() -> str:
    return f"Written {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}."


# ------------------------------------------------------------------------------ one pair

def _annotated(view: CellView) -> str:
    """The cell's source, escaped, line-numbered, with matches coloured and numbered and common
    parts greyed (a match wins over grey; of two matches, the one listed first)."""
    text = view.source
    label = np.zeros(len(text), np.int32)                   # 0 plain, -1 common, n block n
    for sp in view.spans:
        if sp.kind == "common":
            part = label[max(0, sp.start):sp.end]
            part[part == 0] = -1
    for sp in view.spans:
        if sp.kind == "match":
            part = label[max(0, sp.start):sp.end]
            part[part <= 0] = sp.block
    newlines = np.frombuffer(text.encode("utf-32-le"), np.uint32) == 10 if text else np.zeros(0, bool)
    cuts = np.flatnonzero((np.diff(label) != 0) | newlines[:-1] | newlines[1:]) + 1 if len(text) > 1 else []
    bounds = [0, *np.asarray(cuts).tolist(), len(text)]
    lines: list[list[str]] = [[]]           # each line's pieces
    shown: list[bool] = [False]             # ... and whether it shows anything
    started: set[int] = set()
    for i, j in zip(bounds, bounds[1:]):
        chunk = text[i:j]
        if chunk == "\n":
            lines.append([])
            shown.append(False)
            continue
        shown[-1] = shown[-1] or not chunk.isspace()
        lab = int(label[i])
        if lab > 0:
            tag = "" if lab in started else f"<sup>{lab}</sup>"
            shown[-1] = shown[-1] or bool(tag)
            started.add(lab)
            lines[-1].append(f'<span class="m" style="background:{PALETTE[(lab - 1) % len(PALETTE)]}" '
                             f'title="match {lab}">{tag}{esc(chunk)}</span>')
        elif lab < 0:
            lines[-1].append(f'<span class="c">{esc(chunk)}</span>')
        else:
            lines[-1].append(esc(chunk))
    out: list[str] = []
    k = 0
    while k < len(lines):
        # (a run of blank lines is one line of the page: review 406 padded cells with 49,000 newlines, and each pair
        # page drew 1.76 million numbered lines, 52 MB)
        end = k
        while end < len(lines) and not shown[end]:
            end += 1
        if end - k > _BLANK_RUN:
            out.append(f'<span class="ln">{k + 1}</span><span class="c">({end - k:,} blank lines)</span>')
            k = end
            continue
        out.append(f'<span class="ln">{k + 1}</span>' + "".join(lines[k]))
        k += 1
    return "<pre>" + "\n".join(out) + "</pre>"


_BLANK_RUN = 3          # more blank lines than this in a row are shown as one


def _cell(view: CellView | None, what: str) -> str:
    if view is None:
        return f'<td><p class="empty">{esc(what)}</p></td>'
    return f'<td><div class="cellid">{esc(view.id)}</div>{_annotated(view)}</td>'


def _same_why(ha, hb) -> str:
    return ("one Moodle participant's notebooks" if ha.author and ha.author == hb.author
            else "same matriculation number in another term")


def _same_means(ha, hb) -> str:
    return ("uploads of one student, not evidence of copying" if ha.author and ha.author == hb.author
            else "likely the student's own earlier hand-in")


def pair_body(a: Analysis, p: Pair, r: Regions, links: Links = PAIR_LINKS) -> str:
    s = a.settings
    ha, hb = a.hand(p.a), a.hand(p.b)
    status = ('<span class="flag">similar, to be reviewed</span>' if p.flagged else
              f'<span class="same">{_same_why(ha, hb)}: {_same_means(ha, hb)}</span>' if p.same_student
              else "listed, below the threshold")
    units = [(CODE_UNIT, "all code", s.threshold), *((c, c, s.threshold) for c in s.code_cells),
             *((c, c, s.written_threshold) for c in s.written_cells)]
    def side(h: Hand, u: str, share: float | None) -> str:
        if share is not None:
            return f'<td class="num">{pct(share)}</td>'
        cell = h.cell(u) if u in s.written_cells else None
        if cell is not None and written_words(cell.source, s) is None:
            return f'<td class="num lo">not compared: under {s.min_written_words} words</td>'
        return '<td class="num lo">–</td>'

    score_rows = "".join(
        f'<tr><td class="cellid">{esc(label)}</td>'
        f"{side(ha, u, p.units[u].a if u in p.units else None)}"
        f"{side(hb, u, p.units[u].b if u in p.units else None)}</tr>"
        for u, label, _ in units)
    blocks = "".join(
        f"<li><span class=\"m\" style=\"background:{PALETTE[(b.number - 1) % len(PALETTE)]}\">&nbsp;{b.number}&nbsp;"
        f"</span> {esc(b.a_cell)} lines {b.a_lines[0]}–{b.a_lines[1]} ↔ {esc(b.b_cell)} lines "
        f"{b.b_lines[0]}–{b.b_lines[1]} ({b.tokens} {'words' if b.a_cell in s.written_cells else 'tokens'})</li>"
        for b in r.blocks)
    rows = []
    code_ids = list(s.code_cells)
    others_a = [v for v in r.a.values() if v.kind == CODE and v.id not in code_ids]
    others_b = [v for v in r.b.values() if v.kind == CODE and v.id not in code_ids]
    for cid in code_ids:
        rows.append(f"<tr>{_cell(r.a.get(cid), f'{cid}: not handed in or unchanged')}"
                    f"{_cell(r.b.get(cid), f'{cid}: not handed in or unchanged')}</tr>")
    if others_a or others_b:
        rows.append('<tr><th colspan="2">other code cells (added or edited)</th></tr>')
        for i in range(max(len(others_a), len(others_b))):
            rows.append(f"<tr>{_cell(others_a[i] if i < len(others_a) else None, '–')}"
                        f"{_cell(others_b[i] if i < len(others_b) else None, '–')}</tr>")
    rows.append('<tr><th colspan="2">written answers</th></tr>')
    for cid in s.written_cells:
        missing = f"{cid}: not answered"
        rows.append(f"<tr>{_cell(r.a.get(cid), missing)}{_cell(r.b.get(cid), missing)}</tr>")
    legend = (f'<ul id="blocks">{blocks}</ul>' if blocks else "<p>No block of matching code or words to show.</p>")
    return (f"<h1>Similar, to be reviewed: {esc(ha.name)} and {esc(hb.name)}</h1>{_nav(links)}"
            f"<p>{status}. Score {pct(p.score)} (code {pct(p.code)}, best written answer {pct(p.written)}).</p>"
            f'<table id="scores"><tr><th>compared</th><th>of {esc(ha.name)}\'s own work, found in the other\'s</th>'
            f"<th>of {esc(hb.name)}'s own work, found in the other's</th></tr>{score_rows}</table>"
            f'<p class="note">Coloured and numbered: the same code or words in both hand-ins (names, comments, '
            f"layout and activation spelling aside); block <i>n</i> on the left is block <i>n</i> on the right. "
            f'<span class="c">Grey</span>: what the template, the reference solution or many students also '
            f"write, which does not count. Decide by reading, not by the number.</p>{legend}"
            f'<table class="side" id="side"><tr><th>{who(ha)}<br>{esc(ha.file)}</th>'
            f"<th>{who(hb)}<br>{esc(hb.file)}</th></tr>{''.join(rows)}</table>")


def pair_page(a: Analysis, p: Pair, r: Regions, links: Links = PAIR_LINKS) -> str:
    return page(f"Similar, to be reviewed: {a.hand(p.a).name} and {a.hand(p.b).name}", pair_body(a, p, r, links))


# ------------------------------------------------------------------------------ clusters

def clusters_body(a: Analysis, links: Links = Links()) -> str:
    parts = [f"<h1>Clusters: three or more similar hand-ins</h1>{_nav(links)}",
             '<p class="note">Hand-ins linked by flagged pairs, directly or through one another (A like B, B like '
             "C). A cluster is a place to start reading, not a group verdict: a chain can join students who each "
             "resemble only their neighbour.</p>"]
    if not a.clusters:
        parts.append("<p>No cluster of three or more.</p>")
    by_pair = {frozenset((p.a, p.b)): p for p in a.pairs}
    for n, members in enumerate(a.clusters, 1):
        head = "".join(f"<th>{who(a.hand(m))}</th>" for m in members)
        rows = []
        for x in members:
            cells = []
            for y in members:
                p = by_pair.get(frozenset((x, y)))
                if x == y:
                    cells.append('<td class="lo">·</td>')
                elif p is None:
                    cells.append('<td class="num lo">–</td>')
                else:
                    cls = "num hi" if p.flagged else "num"
                    cells.append(f'<td class="{cls}"><a href="{esc(links.pair(p.id))}">{pct(p.score)}</a></td>')
            rows.append(f"<tr><th>{who(a.hand(x))}</th>{''.join(cells)}</tr>")
        parts.append(f'<h2 id="cluster-{n}">Cluster {n}: {len(members)} hand-ins</h2>'
                     f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>")
    return "".join(parts)


def clusters_page(a: Analysis, links: Links = Links()) -> str:
    return page("Clusters of similar hand-ins", clusters_body(a, links))
