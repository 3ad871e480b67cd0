"""HTML feedback: one page per student and an overview page for the TA.

Rendered from the gradebook's results like every other output; messages are the checks' own
(they never contain hidden seeds, inputs or the answer key's values, only right or wrong). A
written answer graded by a TA shows the rubric items the student received, with their feedback,
and the TA's comment; an automatic check a TA changed shows the automatic points, the new ones
and the reason. Charts are matplotlib PNGs embedded in the page, so the files work offline and
can be mailed as they are; a task still waiting for a TA gets a line ("pending: N answers"),
not an empty chart.
"""
from __future__ import annotations

import base64
import html
import io
import math
import shlex
from collections import Counter
from pathlib import Path

from .flags import explained
from .identity import Counting, counted, counting
from .render import message_html, page, text_html
from .report import atomic_write
from .results import SubmissionResult
from .spec import Spec


def _status(c) -> str:
    """Pass, partial or fail by the points, as every other output says it (JUnit too)."""
    if c.points is None or c.passed is None:
        return '<span class="manual">manual</span>'
    if c.passed:
        return '<span class="pass">pass</span>'
    if 0 < c.points < c.max_points:
        return '<span class="manual">partial</span>'
    return '<span class="fail">fail</span>'


def _review(c) -> str:
    """What a TA decided on this check, as the student reads it."""
    rv = c.review
    if rv is None:
        return ""
    parts = []
    if rv.reason and not (rv.auto_points is not None and rv.auto_points == c.points and not c.manual_task):
        # An override equal to what grading gives now (a resubmission fixed it) changes nothing: not
        # shown as a change "(was 2/2)" (a TA's review).
        was = "no points" if rv.auto_points is None else f"{rv.auto_points:g}/{c.max_points:g}"
        parts.append(f"<p>Changed by a TA (was {was}): {html.escape(rv.reason)}</p>")
        if rv.earlier:
            parts.append("<p>The change was made for a notebook you handed in earlier; a TA will look again.</p>")
    if rv.items:
        items = "".join(f"<li><b>{i.points:+g}</b> {text_html(i.description)}"
                        + (f" — {text_html(i.feedback)}" if i.feedback else "") + "</li>" for i in rv.items)
        parts.append(f'<ul class="rubric">{items}</ul>')
    if rv.adjust and rv.items and not rv.reason:      # without items the points are the grade itself
        parts.append(f"<p>Adjustment: {rv.adjust:+g}</p>")
    if rv.comment:
        parts.append(f'<p class="comment">Comment: {text_html(rv.comment)}</p>')
    if rv.stale and not rv.reason:
        parts.append("<p>Your answer changed after it was graded; a TA will look at it again.</p>")
    return f'<div class="review">{"".join(parts)}</div>' if parts else ""


def _message(c) -> str:
    """The check's own message (a TA's decision is shown in detail below it)."""
    if c.review is not None and c.manual_task and not c.review.reason:
        return f"graded by a TA: {c.points:g}/{c.max_points:g}"
    if c.review is not None and c.review.reason:
        return c.message.split(" — points changed by a TA", 1)[0]
    return c.message


# Flags for the TA's eyes until a TA has reviewed them: `similar` says "to be reviewed", and a
# student's page is no place for it.
TA_ONLY_FLAGS = {"similar"}


def _no_notebook_page(r: SubmissionResult, spec: Spec) -> str:
    """A participant who handed in no notebook: said plainly, not as a list of failed checks."""
    what = r.handed_in
    total = sum(t.max_points for t in spec.tasks)
    body = [f"<h1>{html.escape(spec.assignment['title'])}</h1>",
            f"<p><b>{html.escape(r.who)}</b>{_ident(r)}</p>",
            '<p class="fail" id="no-notebook">No notebook was handed in: the assignment is graded from the '
            "Jupyter notebook (<code>.ipynb</code>) file, and your submission held none"
            + (f" (it held: {html.escape(what)})" if what else "") + ".</p>",
            f'<p id="score">Points: <b>0 / {total:g}</b></p>']
    return page(f"Feedback: {r.who}", "\n".join(body))


def _ident(r: SubmissionResult) -> str:
    return f" ({html.escape(r.who_id)})" if r.who_id else ""


def student_page(r: SubmissionResult, spec: Spec, choice: Counting | None = None) -> str:
    """One student's page. ``choice``: which of their several notebooks counts, and why."""
    if r.no_notebook:
        return _no_notebook_page(r, spec)
    rows = []
    for task in spec.tasks:
        checks = [c for c in r.checks if c.task == task.id]
        pts = r.task_points(task.id)
        shown = "pending" if pts is None else f"{pts:g}"
        rows.append(f'<tr><th colspan="4">{html.escape(task.title)} — {shown} / {task.max_points:g}</th></tr>')
        before = None
        for c in checks:
            p = "" if c.points is None else f"{c.points:g}/{c.max_points:g}"
            # Not graded (unreadable): the reason is said once above the table, not in every row.
            said = "not graded: see above" if r.status != "graded" and c.check == "notebook" else _message(c)
            # One error that cost several checks is said once (a hundred-and-fifty-fourth review: a
            # time-out's long sentence five times over).
            shown = "the same as above" if said == before and len(said) > 40 and c.answer is None else said
            before = said
            rows.append(f"<tr><td>{html.escape(c.check)}</td><td>{p}</td><td>{_status(c)}</td>"
                        f"<td>{message_html(shown)}{_review(c)}</td></tr>")
    flags = "".join(f'<span class="flag">{html.escape(f)}</span>' for f in r.flags
                    if not f.startswith("note:") and f not in TA_ONLY_FLAGS)
    problems = "".join(f"<li>{html.escape(p)}</li>" for p in r.filename_problems)
    body = [f"<h1>{html.escape(spec.assignment['title'])}</h1>",
            f"<p><b>{html.escape(r.who)}</b>{_ident(r)}"
            # the file once where it is all the page knows of the student (a hundred-and-ninety-fourth
            # review read "assignment7_john_smith.ipynb — assignment7_john_smith.ipynb")
            + (f" — {html.escape(r.file)}" if r.who != r.file else "") + "</p>"]
    if choice is not None:
        body.append(f'<p id="counted" class="{"manual" if choice.counts(r.key) else "fail"}">'
                    f"{html.escape(choice.about(r.key))}</p>")
    written_max = sum(c.max_points for c in r.checks if c.manual_task)
    final = r.manual_points is not None and not r.pending
    body.append(f'<p id="score">Automatic points: <b>{r.auto_points:g} / {r.auto_max:g}</b>; written answers: '
                f'{"pending" if r.manual_points is None else f"{r.manual_points:g} / {written_max:g}"}; '
                f'{"total" if final else "total so far"}: <b>{r.total_points:g} / {r.auto_max + written_max:g}</b>'
                f'{"" if final else " (written answers still to be graded)"}</p>')
    if r.status != "graded":
        body.append(f'<p class="fail">{html.escape(r.status)}</p>')
    if problems:
        body.append(f"<p>Filename problems:</p><ul>{problems}</ul>")
    if flags:
        body.append(f"<p>Flags: {flags}</p>")
        helps = explained(f for f in r.flags if not f.startswith("note:") and f not in TA_ONLY_FLAGS)
        if helps:          # what each flag asks of the student (a fairness review: `extra-import:numpy` stood bare)
            body.append('<ul id="flag-help">' + "".join(f"<li>{html.escape(h)}</li>" for h in helps) + "</ul>")
        if r.details:
            body.append('<ul id="details">' + "".join(f"<li>{html.escape(d)}</li>" for d in r.details) + "</ul>")
    body.append('<table id="checks"><tr><th>check</th><th>points</th><th>result</th><th>message</th></tr>'
                + "".join(rows) + "</table>")
    return page(f"Feedback: {r.file}", "\n".join(body))


def point_bins(max_points: float, most: int = 11) -> list[float]:
    """Histogram edges for 0..max_points: at most ``most`` bins, each as wide as the others and
    centred on whole points (a ninetieth review: 11 bins over 0..10 were 0.91 wide, and whole points
    fell into them unevenly: bars of uneven widths, some bins empty)."""
    step = max(1, math.ceil((max_points + 1) / most))
    return [-0.5 + i * step for i in range(math.ceil((max_points + 1) / step) + 1)]


def _chart(results: list[SubmissionResult], tasks) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    cols = min(4, len(tasks))
    rows = (len(tasks) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.2 * rows), squeeze=False)
    for ax in axes.flat[len(tasks):]:
        ax.axis("off")
    for ax, t in zip(axes.flat, tasks):
        vals = [r.task_points(t.id) for r in results]
        graded = [v for v in vals if v is not None]
        ax.hist(graded, bins=point_bins(t.max_points), color="#0078aa", rwidth=0.9)
        pending = len(vals) - len(graded)
        ax.set_title(t.id + (f" ({pending} pending)" if pending else ""), fontsize=8)
        ax.set_xlabel("points", fontsize=7)
        ax.tick_params(labelsize=7)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))     # students come whole
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _pending(results: list[SubmissionResult], task_id: str) -> int:
    """Answers of a task that wait for a TA (no grade yet)."""
    return sum(1 for r in results for c in r.checks if c.task == task_id and c.points is None)


def overview_page(results: list[SubmissionResult], spec: Spec, links: dict[str, str],
                  serve: str = "grader serve") -> str:
    # Notebooks are counted as the terminal counts them; participants without one are counted
    # apart (their row of zeros is no failed check and no flag: a new TA's review found 4 flagged
    # in the terminal and 5 here).
    notebooks = [r for r in results if not r.no_notebook]
    graded = [r for r in notebooks if r.status == "graded"]
    absent = len(results) - len(notebooks)
    # Statistics count each student once: of several notebooks, the one that counts (a new TA's
    # review: a draft that did not count entered the mean, the charts and "students" per check).
    choices = counting(results)
    stats = counted(results)
    left_out = len(results) - len(stats)
    # Checks that ran and failed: an unreadable notebook's tasks are its status, not failed checks.
    failed = Counter(f"{c.task}: {c.check}" for r in stats if not r.no_notebook and r.status == "graded"
                     for c in r.checks if c.passed is False and not c.manual_task)
    common = "".join(f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>" for k, v in failed.most_common(15))
    flagged = [r for r in notebooks if any(not f.startswith("note:") for f in r.flags) or r.status != "graded"]
    flag_rows = "".join(
        f'<tr><td><a href="{html.escape(links.get(r.key, "#"))}">{html.escape(r.file)}</a>'
        f'{f" ({html.escape(r.participant)})" if r.participant else ""}</td>'
        f"<td>{html.escape(', '.join(f for f in r.flags if not f.startswith('note:')))}</td>"
        f"<td>{html.escape(r.status)}</td></tr>" for r in flagged)
    counted_graded = [r for r in stats if not r.no_notebook and r.status == "graded"]
    mean = sum(r.auto_points for r in counted_graded) / len(counted_graded) if counted_graded else 0
    # A task no TA has graded yet gets a line, not an empty chart.
    drawn = [t for t in spec.tasks if any(r.task_points(t.id) is not None for r in results)
             and (t.kind != "manual" or any(c.task == t.id and c.answer is not None and c.points is not None
                                            for r in results for c in r.checks))]
    waiting = [(t, _pending(results, t.id)) for t in spec.tasks if t not in drawn]
    pending = "".join(f'<li data-task="{html.escape(t.id)}">{html.escape(t.title)}: pending: {n} answer'
                      f'{"s" if n != 1 else ""} (grade them with <code>{html.escape(serve)}</code>)</li>'
                      for t, n in waiting if n)
    by_key = {r.key: r for r in results}
    unchosen = {c.key: c for c in counting(results).values() if c.waiting and c.key in by_key}
    pending += "".join(f'<li class="choice">{html.escape(by_key[k].who)} (participant '
                       f'{html.escape(by_key[k].participant_id)}): {len(c.others) + 1} notebooks that differ in '
                       f'{html.escape(", ".join(c.differs))}; choose the one that counts with '
                       f'<code>grader count</code></li>' for k, c in sorted(unchosen.items()))
    chart = (f'<img id="distribution" alt="score distribution per task: {html.escape(", ".join(t.id for t in drawn))}" '
             f'src="data:image/png;base64,{_chart(stats, drawn)}">' if drawn and stats else "")
    body = [f"<h1>{html.escape(spec.assignment['title'])}: overview</h1>",
            f'<p id="counts">{len(results)} submissions: {len(results) - absent} notebooks, {len(graded)} graded'
            f'{f", {absent} participant(s) without a notebook" if absent else ""}; {len(flagged)} flagged; mean '
            f"automatic points {mean:.1f} (of the graded notebooks"
            f'{f"; one notebook per student: {left_out} that do not count are left out of the figures" if left_out else ""})'
            "</p>",
            "<h2>Score distribution per task</h2>"
            + ('<p class="note">Every student once, with the notebook that counts; an unreadable notebook or none '
               'counts 0 here (the mean above is of the graded notebooks).</p>' if chart and len(counted_graded) != len(stats) else ""),
            chart + (f'<ul id="pending" class="pending">{pending}</ul>' if pending else ""),
            "<h2>Most common failed checks</h2>"
            + ('<table id="failed"><tr><th>check</th><th>students</th></tr>' + common + "</table>" if common
               else '<p id="failed">No automatic check failed.</p>'),
            "<h2>Flagged submissions</h2>"
            + ('<table id="flagged"><tr><th>file</th><th>flags</th><th>status</th></tr>' + flag_rows + "</table>"
               if flag_rows else '<p id="flagged">No submission is flagged.</p>')]
    body.append("<h2>Every student</h2>" + _students(results, choices, links))
    missing = [r for r in results if r.no_notebook]
    if missing:
        body.append('<h2>Without a notebook</h2><table id="no-notebook"><tr><th>participant</th><th>handed in</th></tr>'
                    + "".join(f'<tr><td><a href="{html.escape(links.get(r.key, "#"))}">{html.escape(r.who)}</a>'
                              f'{f" ({html.escape(r.participant_id)})" if r.participant_id else ""}</td>'
                              f"<td>{html.escape(r.handed_in or 'nothing')}</td></tr>" for r in missing) + "</table>")
    return page("Overview", "\n".join(body))


def _students(results: list[SubmissionResult], choices: dict[str, Counting], links: dict[str, str]) -> str:
    """One row per notebook (and per participant without one), each linked to its page."""
    several = any(r.key in choices for r in results)
    rows = []
    for r in sorted(results, key=lambda r: (r.who.casefold(), r.file.casefold(), r.key)):
        c = choices.get(r.key)
        written = "pending" if r.manual_points is None else f"{r.manual_points:g}"
        note = "" if c is None else ("counts" if c.counts(r.key) else "does not count")
        flags = ", ".join(f for f in r.flags if not f.startswith("note:"))
        file = "(no notebook)" if r.no_notebook else r.file
        rows.append(f'<tr><td><a href="{html.escape(links.get(r.key, "#"))}">{html.escape(r.who)}</a>'
                    + (f"<br><small>{html.escape(file)}</small>" if file != r.who else "") + "</td>"
                    f"<td>{r.auto_points:g}</td><td>{html.escape(written)}</td><td>{r.total_points:g}</td>"
                    + (f"<td>{html.escape(note)}</td>" if several else "") + f"<td>{html.escape(flags)}</td></tr>")
    return ('<table id="students"><tr><th>student and notebook</th><th>automatic</th><th>written</th>'
            "<th>total so far</th>" + ("<th>of several</th>" if several else "") + "<th>flags</th></tr>"
            + "".join(rows) + "</table>")


def write_feedback(out: Path, results: dict[str, SubmissionResult], spec: Spec, only: set[str] | None = None,
                   overview: bool = True) -> Path:
    """Student pages (all, or those of ``only``) and the overview."""
    links = {}
    choices = counting(results.values())
    if only is not None:       # a grade can change which of a participant's notebooks counts
        only = set(only) | {k for k, c in choices.items() if any(c.key == choices[o].key for o in only if o in choices)}
    for key, r in results.items():
        if only is None or key in only:
            atomic_write(out / "feedback" / f"{key}.html", student_page(r, spec, choices.get(key)))
        links[r.key or key] = f"feedback/{key}.html"      # by key: two students may send one file name
    path = out / "overview.html"
    if overview:
        # The command as it works from anywhere (a ninetieth review: "grader serve" alone opened
        # the default reports/, not this folder).
        serve = f"grader serve --reports {shlex.quote(str(out.absolute()))}"
        atomic_write(path, overview_page(list(results.values()), spec, links, serve))
    return path
