"""Moodle's grading worksheet: read it as Moodle (or a TA's spreadsheet) wrote it, fill in
``Grade`` and ``Feedback comments``, and change nothing else.

Why so careful: the file goes back into Moodle, where a grade in the wrong row is a wrong grade
that nobody notices. So

- the file is split into fields by position, and only the two fields of a matched row are
  replaced: every other byte (quotes, line ends, the BOM, rows of students without a result)
  stays as it was; the encoding (UTF-8, or Windows-1252 from Excel) and the separator (``,``, or
  ``;`` from Excel in a German locale) are those of the file, and so is the decimal mark;
- a row is matched by its participant id; a name only matches a result that has no participant
  id (a folder graded without Moodle's tree): another assignment's worksheet has other ids for
  the same names, and must match nothing. A row whose id matches but whose name does not is
  not filled, and said;
- what could not be matched is reported both ways (graded participants missing from the sheet,
  rows without a result), and written answers that still wait for a TA are reported, so the
  command line can refuse to write partial grades unless asked.

Everything here is a function of the worksheet's text and the results; reading and writing
files is the command line's business.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from .csvsafe import cell
from .identity import Counting, best_of, counting, participant_of
from .naming import loose_name, name_fits
from .results import SubmissionResult

NEEDED = ("Identifier", "Grade")
DOWNLOAD = ("download it in Moodle: the assignment's 'View all submissions', Grading action "
            "'Download grading worksheet'")


class WorksheetError(ValueError):
    """The file is not a worksheet this command can fill (one line, saying what to do)."""


# ----------------------------------------------------------------------------- fields by position

@dataclass(frozen=True)
class Field:
    start: int                    # raw text[start:end], quotes included
    end: int
    value: str                    # unquoted
    quoted: bool


@dataclass(frozen=True)
class Record:
    fields: tuple[Field, ...]

    @property
    def values(self) -> list[str]:
        return [f.value for f in self.fields]


def split_records(text: str, sep: str) -> list[Record]:
    """CSV records with the position of every field (RFC 4180: quoted fields may hold the
    separator, doubled quotes and line breaks; line ends may be \\n, \\r\\n or \\r)."""
    records: list[Record] = []
    fields: list[Field] = []
    i, n = 0, len(text)
    while i < n:
        start = i
        if text[i] == '"':
            j, parts = i + 1, []
            while j < n:
                if text[j] == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        parts.append('"')
                        j += 2
                        continue
                    j += 1
                    break
                parts.append(text[j])
                j += 1
            k = j
            while k < n and text[k] not in (sep, "\n", "\r"):   # text after a closing quote: kept as is
                k += 1
            fields.append(Field(start, k, "".join(parts) + text[j:k], True))
            i = k
        else:
            k = i
            while k < n and text[k] not in (sep, "\n", "\r"):
                k += 1
            fields.append(Field(start, k, text[i:k], False))
            i = k
        if i < n and text[i] == sep:
            i += 1
            if i == n:                                  # a separator at the very end: one more empty field
                fields.append(Field(n, n, "", False))
            continue
        if i < n and text[i] == "\r":
            i += 2 if text[i + 1:i + 2] == "\n" else 1
        elif i < n:
            i += 1
        records.append(Record(tuple(fields)))
        fields = []
    if fields:
        records.append(Record(tuple(fields)))
    return records


def quote(value: str, sep: str, like: Field | None = None) -> str:
    """A field as raw text: quoted when it must be, or when the field it replaces was."""
    # ';' and tabs too, whatever the sheet's separator: a spreadsheet may split on them (csvsafe).
    needs = any(ch in value for ch in (sep, '"', "\n", "\r", ";", "\t")) or value != value.strip()
    if needs or (like is not None and like.quoted):
        return '"' + value.replace('"', '""') + '"'
    return value


# ----------------------------------------------------------------------------- reading

@dataclass(frozen=True)
class Worksheet:
    text: str                     # decoded, without the BOM
    encoding: str                 # "utf-8" or "cp1252" (Excel's "CSV" on Windows)
    bom: bool
    sep: str
    records: list[Record]         # the header first
    columns: dict[str, int]
    decimal_comma: bool           # numbers in the sheet are written "100,00"

    def value(self, record: Record, column: str) -> str:
        return _at(record, self.columns.get(column))

    def label(self, record: Record) -> str:
        """How a row is named to the TA: 'Participant 5501 (Jane Doe)'."""
        name = self.value(record, "Full name")
        ident = self.value(record, "Identifier")
        return f"{ident} ({name})" if name else ident


def decode(data: bytes) -> tuple[str, str, bool]:
    """(text, encoding, BOM): UTF-8 as Moodle writes it, else Windows-1252 as Excel saves."""
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8", bom
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252", bom


def sniff(first_line: str, needed=NEEDED, candidates: str = ",;\t") -> str:
    """The separator under which the header has the ``needed`` columns (else the most fields)."""
    best, most = ",", 0
    for sep in candidates:
        names = {v.strip() for v in (split_records(first_line, sep) or [Record(())])[0].values}
        if all(n in names for n in needed):
            return sep
        if len(names) > most:
            best, most = sep, len(names)
    return best


def read_worksheet(data: bytes, name: str = "the worksheet") -> Worksheet:
    text, encoding, bom = decode(data)
    if not text.strip():
        raise WorksheetError(f"{name} is empty: {DOWNLOAD}")
    first = re.split(r"\r\n|\n|\r", text, maxsplit=1)[0]
    sep = sniff(first)
    records = split_records(text, sep)
    header = [v.strip() for v in records[0].values]
    missing = [c for c in NEEDED if c not in header]
    if missing:
        found = ", ".join(repr(h) for h in header[:8] if h) + (" ..." if len(header) > 8 else "")
        raise WorksheetError(f"{name} is not a Moodle grading worksheet: no {' and no '.join(repr(m) for m in missing)} "
                             f"column (found {found or 'no columns'}); {DOWNLOAD}")
    columns = {h: i for i, h in reversed(list(enumerate(header)))}      # the first of equal names
    numbers = [_at(r, columns.get(c)) for r in records[1:] for c in ("Maximum Grade", "Grade")]
    decimal_comma = any(re.fullmatch(r"\d+,\d+", v) for v in numbers)
    return Worksheet(text, encoding, bom, sep, records, columns, decimal_comma)


def _at(record: Record, i: int | None) -> str:
    return record.fields[i].value.strip() if i is not None and i < len(record.fields) else ""


# ----------------------------------------------------------------------------- matching

def participant_id(identifier: str) -> str:
    """'Participant 5501' -> '5501' (the number Moodle also puts in the download's folder names)."""
    m = re.search(r"(\d+)", identifier or "")
    return m.group(1) if m else ""


UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _letters(name: str, umlauts: bool) -> str:
    text = unicodedata.normalize("NFC", name or "").casefold()
    if umlauts:
        text = text.translate(UMLAUTS)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


def same_person(a: str, b: str) -> bool:
    """Moodle's full name in the worksheet and in the download's folder name: the same letters
    up to case, spacing, punctuation and accents (a download may spell 'ü' as 'ue' or drop a
    character file names cannot hold); another name is another person."""
    return any(_letters(a, u) == _letters(b, u) for u in (False, True))


@dataclass
class Match:
    """One worksheet row and what it was matched to."""
    record: int                           # index in Worksheet.records
    label: str
    results: list[SubmissionResult]       # one participant's notebooks (several: the best counts)
    by: str                               # "id" or "name"

    @property
    def counted(self) -> SubmissionResult:
        return best_of(self.results)


@dataclass
class Plan:
    matches: list[Match] = field(default_factory=list)
    without_result: list[str] = field(default_factory=list)      # rows of the sheet nobody matched
    missing: list[SubmissionResult] = field(default_factory=list)  # graded participants not in the sheet
    conflicts: list[str] = field(default_factory=list)           # rows not filled, with the reason
    participants: int = 0                                        # graded participants in the reports

    @property
    def all_matched(self) -> bool:
        return not self.missing and not self.conflicts


def match(ws: Worksheet, results: list[SubmissionResult]) -> Plan:
    """Which row gets which participant's grade; nothing is filled here."""
    groups: dict[str, list[SubmissionResult]] = {}
    for r in results:
        groups.setdefault(participant_of(r), []).append(r)
    by_id = {g[0].participant_id: g for g in groups.values() if g[0].participant_id}
    plan = Plan(participants=len(groups))
    taken: dict[str, str] = {}          # participant -> label of the row that took it
    for i, rec in enumerate(ws.records[1:], start=1):
        if not any(v.strip() for v in rec.values):
            continue                    # a blank line
        label = ws.label(rec)
        pid = participant_id(ws.value(rec, "Identifier"))
        name = ws.value(rec, "Full name")
        group, by = by_id.get(pid) if pid else None, "id"
        if group is not None and name and group[0].participant and not same_person(name, group[0].participant):
            plan.conflicts.append(f"{label}: the submissions name participant {pid} '{group[0].participant}', "
                                  f"not filled (is the worksheet of this assignment?)")
            continue
        if group is None and name:
            fits = [g for g in groups.values() if not g[0].participant_id
                    and any((typed := r.name or loose_name(r.file)) and name_fits(typed, name, exact=True)
                            for r in g)]
            if len(fits) > 1:
                plan.conflicts.append(f"{label}: {len(fits)} notebooks without a Moodle participant have this "
                                      f"name ({', '.join(g[0].file for g in fits)}), not filled")
                continue
            group, by = (fits[0], "name") if fits else (None, "")
        if group is None:
            status = ws.value(rec, "Status")
            plan.without_result.append(label + (f": {status}" if status else ""))
            continue
        who = participant_of(group[0])
        if who in taken:
            plan.conflicts.append(f"{label}: {group[0].who} is also the row {taken[who]}, not filled twice")
            continue
        taken[who] = label
        plan.matches.append(Match(i, label, group, by))
    plan.missing = [g[0] if len(g) == 1 else best_of(g) for k, g in groups.items() if k not in taken]
    return plan


# ----------------------------------------------------------------------------- filling

def points_text(points: float, decimal_comma: bool) -> str:
    """A grade as Moodle reads it back: at most two decimals, the sheet's decimal mark."""
    text = f"{round(points, 2):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if decimal_comma else text


def pending_of(m: Match) -> int:
    """Written answers of this participant that wait for a TA (any of their notebooks: the
    grades still to come decide which one counts)."""
    return sum(r.pending for r in m.results)


def feedback_comment(r: SubmissionResult, choice: Counting | None = None, pending: int = 0) -> str:
    """The short text for Moodle's 'Feedback comments' (the feedback page has the details), as
    HTML: Moodle imports the comment as HTML, and a file name in it is the student's to choose
    (``<img src=https://...>.pdf`` would load a remote picture on Moodle's pages)."""
    return html.escape(_comment(r, choice, pending), quote=False)


def _comment(r: SubmissionResult, choice: Counting | None, pending: int) -> str:
    if r.no_notebook:
        what = f" (found: {r.handed_in})" if r.handed_in else ""
        return f"No notebook (.ipynb) was handed in{what}: 0 points."
    parts = []
    if pending:
        parts.append(f"PARTIAL GRADE: {pending} written answer(s) not graded yet.")
    written_max = sum(c.max_points for c in r.checks if c.manual_task)
    manual = r.manual_points
    parts.append(f"Automatic checks: {r.auto_points:g}/{r.auto_max:g}.")
    if manual is None:
        got = sum(c.points for c in r.checks if c.manual_task and c.points is not None)
        parts.append(f"Written answers: {got:g}/{written_max:g} so far, the rest not graded yet.")
    else:
        parts.append(f"Written answers: {manual:g}/{written_max:g}.")
    failed = [c for c in r.checks if c.passed is False and not c.manual_task]
    if r.status != "graded" or "not-the-assignment" in r.flags:
        # Nothing was checked (unreadable), or nothing of the assignment is in it: the reason, not a
        # list of every check (a TA's review: "Failed: code_3_1: notebook; code_3_2_models: notebook").
        failed = []
        if r.status == "graded":
            parts.append("The notebook holds none of the assignment's cells (an empty notebook, or another "
                         "assignment's?).")
    if failed:
        # Each check with its task: "a_" alone, or "optimizer", said nothing (a new TA's review).
        groups: dict[str, list[str]] = {}
        for c in failed[:6]:
            groups.setdefault(c.task, []).append(c.check)
        shown = "; ".join(f"{task}: {', '.join(checks)}" for task, checks in groups.items())
        parts.append(f"Failed: {shown}" + (f" and {len(failed) - 6} more" if len(failed) > 6 else "") + ".")
    # A TA's override with its reason: points that moved with no word said why (a TA's review).
    changed = [c for c in r.checks if not c.manual_task and c.review is not None and c.review.reason
               and c.review.auto_points is not None and c.review.auto_points != c.points]
    for c in changed[:4]:
        parts.append(f"Changed by a TA: {c.task}: {c.check} from {c.review.auto_points:g} to {c.points:g} "
                     f"({' '.join(c.review.reason.split())[:200]})"
                     + (", for an earlier notebook: a TA will look again." if c.review.earlier else "."))
    if len(changed) > 4:
        parts.append(f"{len(changed) - 4} more checks changed by a TA (see the feedback page).")
    # The TA's words on written answers: a student who reads only Moodle saw "Written answers: 31/50"
    # and none of the comments the TA had typed (a TA's review).
    said = [(c, _ta_words(c)) for c in r.checks if c.manual_task and c.review is not None and not c.review.reason]
    said = [(c, words) for c, words in said if words]
    for c, words in said[:6]:
        parts.append(f"TA on {c.task} ({c.points:g}/{c.max_points:g}): {words}")
    if len(said) > 6:
        parts.append(f"{len(said) - 6} more comments on the feedback page.")
    if not r.filename_ok:
        parts.append("Filename does not follow the naming rules.")
    if r.status != "graded":
        parts.append(f"Problem: {r.status}.")
    if choice is not None:
        parts.append(choice.about(r.key))
    return " ".join(parts)


def _ta_words(c) -> str:
    """A TA's comment and the rubric items' feedback on one written answer, one line, cut."""
    rv = c.review
    said = [i.feedback or i.description for i in rv.items if i.points < 0 or i.feedback]
    if rv.comment:
        said.append(rv.comment)
    text = " ".join("; ".join(said).split())
    if not text:
        return ""
    text = text if len(text) <= 300 else text[:299].rstrip() + "…"
    text = INLINE_MATH.sub(r"\\(\1\\)", text)
    return text if text.endswith((".", "!", "?", "…")) else text + "."


# A TA's inline math, `$\sigma'(z)$`, as the notebook and the grading app write it. Moodle's MathJax
# filter reads \( \) and $$ $$ but not a single $, so the comment showed the raw TeX (a TA's
# review). Pandoc's rule tells math from money: no space inside either $, no digit after the
# closing one ("$20 and $30" stays); an escaped \$ is no delimiter, nor inside math.
INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])((?:[^$\\]|\\[^$]){1,300}?)(?<!\s)\$(?![\d$])")


@dataclass
class Filled:
    text: str                     # the whole worksheet, BOM excluded
    encoding: str                 # the worksheet's own: write it back with the same
    bom: bool
    plan: Plan
    pending: list[tuple[str, int]]          # (row label, written answers waiting) of partial grades
    unchosen: list[str]                     # row labels: several differing notebooks, no TA's choice yet
    notes: list[str]                        # several notebooks, grades replaced
    # Rows whose "Maximum Grade" is not the assignment's points (label, the sheet's maximum): the
    # command refuses them unless scaled, since Moodle would take 89.5 of a maximum of 10 as it is (a TA's review).
    maximum: list[tuple[str, str]] = field(default_factory=list)
    full: float = 0.0                       # the assignment's points (what a grade is out of)
    # (row label, report key) of counted notebooks with a TA's override given for an earlier notebook
    earlier: list[tuple[str, str]] = field(default_factory=list)

    @property
    def data(self) -> bytes:
        """The file to upload (a character Windows-1252 lacks becomes '?')."""
        return (b"\xef\xbb\xbf" if self.bom else b"") + self.text.encode(self.encoding, errors="replace")


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def fill(ws: Worksheet, results: list[SubmissionResult], full: float = 0.0, scale: bool = False) -> Filled:
    """The worksheet with Grade and Feedback comments of every matched row replaced. ``full``:
    the assignment's points, against each row's "Maximum Grade" (0: not compared); with
    ``scale``, grades are converted to that maximum (points x maximum / full)."""
    plan = match(ws, results)
    choices = counting(results)
    edits: dict[int, dict[int, str]] = {}
    pending, notes, unchosen, maximum, earlier = [], [], [], [], []
    grade_col, fb_col = ws.columns["Grade"], ws.columns.get("Feedback comments")
    for m in plan.matches:
        best = m.counted
        waiting = pending_of(m)
        if waiting:
            pending.append((m.label, waiting))
        if best.overrides_to_review:
            earlier.append((m.label, best.key))
        rec = ws.records[m.record]
        most = _number(ws.value(rec := ws.records[m.record], "Maximum Grade"))
        points = best.total_points
        if most is not None and full > 0 and abs(most - full) > 1e-9:
            maximum.append((m.label, ws.value(rec, "Maximum Grade")))
            points = points * most / full if scale else points
        new_grade = points_text(points, ws.decimal_comma)
        old_grade = _at(rec, grade_col)
        if old_grade and old_grade != new_grade:
            notes.append(f"{m.label}: the worksheet's grade {old_grade} replaced by {new_grade}")
        row = edits.setdefault(m.record, {})
        row[grade_col] = new_grade
        if fb_col is not None:
            row[fb_col] = cell(feedback_comment(best, choices.get(best.key), waiting))
        # Only notebooks are chosen among: a participant's "no notebook" report beside one
        # (from an earlier grading, or a folder of another submission plugin) has no choice.
        choice = choices.get(best.key)
        if len(m.results) > 1 and choice is not None:
            notes.append(f"{m.label}: {len(m.results)} notebooks; counted {best.file}, {choice.reason}")
            if choice.waiting:
                unchosen.append(f"{m.label} in {', '.join(choice.differs)}")
    return Filled(splice(ws, edits), ws.encoding, ws.bom, plan, pending, unchosen, notes, maximum, full, earlier)


def splice(ws: Worksheet, edits: dict[int, dict[int, str]]) -> str:
    """The worksheet's text with the given fields replaced (record -> column -> value), byte
    for byte the same everywhere else. A row shorter than the column is padded with empty
    fields (only hand-made sheets have such rows)."""
    out, pos = [], 0
    for ri in sorted(edits):
        rec = ws.records[ri]
        width = max(len(rec.fields), max(edits[ri]) + 1)
        raw = []
        for ci in range(width):
            f = rec.fields[ci] if ci < len(rec.fields) else None
            if ci in edits[ri]:
                raw.append(quote(edits[ri][ci], ws.sep, f))
            else:
                raw.append(ws.text[f.start:f.end] if f is not None else "")
        out.append(ws.text[pos:rec.fields[0].start])
        out.append(ws.sep.join(raw))
        pos = rec.fields[-1].end
    out.append(ws.text[pos:])
    return "".join(out)
