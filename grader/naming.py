"""Submission filename rules: ``Assignment_<N>_<NameSurname>_<matr>.ipynb``.

Students get every violation spelled out, because a bad name is the most common and the most
fixable mistake; a bad name never stops grading.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MATR = re.compile(r"^k\d{8}$")


@dataclass(frozen=True)
class ParsedName:
    filename: str
    ok: bool
    name: str = ""
    matr_number: str = ""
    assignment: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)


def split_name_parts(name: str) -> list[str]:
    """Split 'JürgenMüller' into ['Jürgen', 'Müller'] at each upper-case letter."""
    parts: list[str] = []
    for ch in name:
        if ch.isupper() or not parts:
            parts.append(ch)
        else:
            parts[-1] += ch
    return parts


def _capital_runs(text: str) -> list[str]:
    """Runs of two or more capital letters, in any alphabet ('ÄNNE', 'ИВАН', 'ΑΝΝΑ'); lower-case
    letters outside ASCII ('ā', 'ņ', 'ı') never count as capitals."""
    runs, run = [], ""
    for ch in text + " ":
        if ch.isupper():
            run += ch
            continue
        if len(run) >= 2:
            runs.append(run)
        run = ""
    return runs


def _name_problems(name: str) -> list[str]:
    if not name:
        return ["the name part is empty; write your full name, e.g. 'JaneDoe'"]
    problems = []
    bad = sorted({ch for ch in name if not ch.isalpha()})
    if bad:
        shown = ", ".join("space" if c == " " else repr(c) for c in bad)
        problems.append(f"the name may contain letters only, found {shown}; write e.g. 'JaneDoe'")
    chunks = [c for c in re.split(r"[^\w]|_|\d", name) if c]
    for chunk in chunks:
        for part in split_name_parts(chunk):
            if not part[0].isupper():
                problems.append(f"name part '{part}' must start with a capital letter")
        for run in _capital_runs(chunk):
            problems.append(f"'{run}' is all capitals; write each name part as one capital letter "
                            f"followed by lower-case letters (e.g. 'Jane', not 'JANE')")
    if len(split_name_parts(name)) < 2 and not problems:
        problems.append(f"'{name}' looks like one name only; write first and last name, e.g. 'JaneDoe'")
    return problems


def _letters(text: str) -> str:
    """Letters only, without accents, case-folded: 'Lea Müller' and 'LeaMueller' compare alike."""
    text = unicodedata.normalize("NFKD", text)
    out = "".join(ch for ch in text if ch.isalpha() and not unicodedata.combining(ch))
    return out.casefold()


def name_fits(file_name_part: str, full_name: str) -> bool:
    """Does the name in a file name belong to a Moodle full name (any order of the parts)?"""
    mine = _letters(file_name_part)
    mine_parts = sorted(_letters(p) for p in split_name_parts(unicodedata.normalize("NFC", file_name_part)))
    umlauts = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
    for variant in (full_name, unicodedata.normalize("NFC", full_name).translate(umlauts)):
        parts = [_letters(p) for p in re.split(r"[\s\-_,.]+", variant) if _letters(p)]
        if mine == "".join(parts) or mine_parts == sorted(parts):
            return True
    return False


def parse_filename(filename: str, assignment: int) -> ParsedName:
    """Parse and explain. Tolerant: it extracts what it can even from a wrong name.

    Checked in NFC (macOS writes 'ü' as 'u' plus a combining mark); names are returned as the
    student typed them."""
    typed = filename.rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", typed)
    problems: list[str] = []
    stem = base
    if base.endswith(".ipynb"):
        stem = base[: -len(".ipynb")]
    else:
        stem = base.rsplit(".", 1)[0] if "." in base else base
        problems.append("the file must end in '.ipynb'")
    parts = stem.split("_")
    name = matr = number = ""
    if len(parts) >= 4 and parts[0] == "Assignment":
        number, matr, name = parts[1], parts[-1], "_".join(parts[2:-1])
    elif len(parts) >= 2:
        # Best effort: find the matriculation number and the name even in a wrong layout.
        matr = next((p for p in parts if re.fullmatch(r"[kK]?\d{7,9}", p)), "")
        name = next((p for p in parts if p and p[0].isupper() and p.isalpha() and p != "Assignment"), "")
        number = next((p for p in parts if p.isdigit() and len(p) < 3), "")
    if not (len(parts) >= 4 and parts[0] == "Assignment"):
        problems.append(f"the name must follow 'Assignment_{assignment}_NameSurname_k12345678.ipynb'")
    if len(parts) >= 4 and parts[0] == "Assignment":
        if number != str(assignment):
            problems.append(f"the assignment number is '{number}', it must be {assignment}")
        problems.extend(_name_problems(name))
        if len(parts) > 4:
            problems.append("use no underscores or spaces inside your name")
        if not MATR.fullmatch(matr):
            if re.fullmatch(r"\d{8}", matr):
                problems.append(f"matriculation number '{matr}' must start with a lower-case 'k' (k{matr})")
            elif re.fullmatch(r"K\d{8}", matr):
                problems.append(f"matriculation number '{matr}' must start with a lower-case 'k'")
            else:
                problems.append(f"matriculation number '{matr}' must be 'k' followed by 8 digits "
                                f"(keep a leading zero)")
    # Deduplicate while keeping order: one message per distinct violation.
    seen: dict[str, None] = {}
    for p in problems:
        seen.setdefault(p, None)
    # Only a number is kept as one: 'Assignment_7_JaneDoe_draft' names no matriculation number
    # (reports then tell the student apart by the Moodle participant), it does not have one 'draft'.
    if not re.fullmatch(r"[kK]?\d+", matr):
        matr = ""
    return ParsedName(filename=typed, ok=not seen, name=name, matr_number=matr,
                      assignment=number, problems=tuple(seen))
