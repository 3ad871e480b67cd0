"""Submission filename rules: ``Assignment_<N>_<NameSurname>_<matr>.ipynb``.

Students get every violation spelled out, because a bad name is the most common and the most
fixable mistake; a bad name never stops grading.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from itertools import permutations

from anyascii import anyascii
from rapidfuzz import fuzz

MATR = re.compile(r"^k[0-9]{8}$")


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
    for i, ch in enumerate(text + " "):
        if ch.isupper():
            run += ch
            continue
        if ch.isalpha() and len(run) >= 2:
            # Before a lower-case letter the run's last capital starts the next part: 'OBrien' is 'O'
            # and 'Brien', a one-letter part as in 'JaneDoeA' (an eighty-second review: "'OB' is all
            # capitals"); 'DOe' is no such pair ('Oe' is too short for a name part).
            rest = len(re.match(r"[^\W\d_]*", text[i:]).group(0)) + 1
            whole = run[:-1]
            if len(whole) >= 2:
                runs.append(whole)
            elif rest < 3:
                runs.append(run)
        elif len(run) >= 2:
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
        # The student's own name without them ('AnnaLenaMüllerSchmidt', 'SeanOBrien'), not a stranger's
        # (an eighty-second review).
        own = "".join(p[:1].upper() + p[1:] for p in re.split(r"[^\w]|_|\d", name) if p)
        problems.append(f"the name may contain letters only, found {shown}; write "
                        f"'{own if own and len(own) <= 60 else 'JaneDoe'}'")
    chunks = [c for c in re.split(r"[^\w]|_|\d", name) if c]
    for chunk in chunks:
        if not any(ch.isupper() or ch.islower() for ch in chunk):
            # A script without capitals (Chinese, Arabic, Korean): "must start with a capital letter"
            # asked what no key of theirs types (a fairness review).
            latin = anyascii(chunk)
            example = latin if latin.isalpha() and latin[:1].isupper() and len(latin) <= 60 else "JaneDoe"
            problems.append(f"'{chunk}' is written in a script without capital letters; write your name in "
                            f"Latin letters as Moodle shows it, each part starting with a capital letter "
                            f"(e.g. '{example}')")
            continue
        for part in split_name_parts(chunk):
            if not part[0].isupper():
                problems.append(f"name part '{part}' must start with a capital letter")
        for run in _capital_runs(chunk):
            problems.append(f"'{run}' is all capitals; write each name part as one capital letter "
                            f"followed by lower-case letters (e.g. 'Jane', not 'JANE')")
    # One name only ('Sukarno') follows the rule, every part with a capital letter: not a problem
    # (a seventy-sixth review: such a student could never be "ready to hand in").
    return problems


def _letters(text: str) -> str:
    """Letters only, without accents, case-folded: 'Lea Müller' and 'LeaMueller' compare alike."""
    text = unicodedata.normalize("NFKD", text)
    out = "".join(ch for ch in text if ch.isalpha() and not unicodedata.combining(ch))
    return out.casefold()


_NOT_NAMES = {"assignment", "assign", "ass", "hw", "homework", "exercise", "ex", "uebung", "submission", "final",
              "notebook", "copy", "of", "colab", "solution", "version", "neu", "new", "ipynb"}


def loose_name(file_name: str) -> str:
    """The words of a file name that may be a name, where the name does not follow the naming
    rule ('assignment7_john_smith.ipynb' -> 'john_smith'): letters-only words that are not the
    usual others; '' unless at least two are left. Only ever a hint a TA confirms."""
    stem = file_name.rsplit("/", 1)[-1].removesuffix(".ipynb")
    words = [w for w in re.split(r"[\s\-_,.()]+", stem) if w.isalpha() and w.lower() not in _NOT_NAMES]
    return "_".join(words) if len(words) >= 2 else ""


def name_fits(file_name_part: str, full_name: str, exact: bool = False) -> bool:
    """Does the name in a file name belong to a Moodle full name?

    Generous on purpose (a mismatch only asks a TA to look): any order of the parts, a middle
    name or a second surname left out, umlauts written out, a name in another script written in
    Latin letters, and a typo or a transliteration of one's own ('Papadopoulos' for Moodle's
    'Παπαδόπουλος'). ``exact`` (where a name picks a worksheet row): every part, in any order,
    umlauts written out or not, and nothing else."""
    typed = unicodedata.normalize("NFC", file_name_part)
    nfc = unicodedata.normalize("NFC", full_name)
    words = lambda text: re.split(r"[\s\-_,.]+", text)  # noqa: E731
    spellings = [words(nfc), words(nfc.translate(_UMLAUTS))]
    if not exact:                    # transliterated Chinese comes as 'WangXiaoMing'
        spellings.append([piece for w in words(anyascii(nfc)) for piece in split_name_parts(w)])
    for mine_text in ([typed] if exact else [typed, anyascii(typed)]):
        mine = _letters(mine_text)
        mine_parts = sorted(_letters(p) for p in split_name_parts(mine_text) if _letters(p))
        for spelling in spellings:
            parts = [_letters(p) for p in spelling if _letters(p)]
            if not mine or not parts:
                continue
            whole = "".join(parts)
            if mine == whole or mine_parts == sorted(parts):
                return True
            if exact:
                continue
            if len(parts) <= 5 and any("".join(order) == mine for order in permutations(parts)):
                return True
            if len(mine_parts) >= 2 and not Counter(mine_parts) - Counter(parts):
                return True          # 'AnnaSchmidt' for 'Anna Maria Schmidt-Weber'
            if min(len(mine), len(whole)) >= 6 and fuzz.ratio(mine, whole) >= 85:
                return True
    return False


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def as_typed(text: str) -> str:
    """A name as anyone can type it: umlauts written out, other letters in ASCII, any case."""
    return anyascii(unicodedata.normalize("NFC", text).translate(_UMLAUTS)).casefold()


# What tools add to a file name a student typed correctly: a browser's second download
# ('... (1).ipynb'), Colab's tab title, Drive's and Windows' copies, an extension typed twice.
_ADDED = (
    re.compile(r"(?:\.ipynb)+$", re.I),
    re.compile(r"\s*\(\d{1,3}\)$"),
    re.compile(r"\s+-\s+(?:Colab|Colaboratory|Copy|Kopie|Copie|Copia)(?:\s*\(\d{1,3}\))?$", re.I),
    re.compile(r"^(?:Copy of|Kopie von|Copie de|Copia de)\s+", re.I),
)


def _undecorated(stem: str) -> tuple[str, list[str]]:
    """The name without what tools added to it, and the pieces they added (as typed)."""
    added: list[str] = []
    changed = True
    while changed:
        changed = False
        for pattern in _ADDED:
            m = pattern.search(stem)
            cut = (stem[:m.start()] + stem[m.end():]).strip() if m else stem
            if m and cut and cut != stem:
                added.insert(0, m.group(0).strip()) if m.start() == 0 else added.append(m.group(0).strip())
                stem, changed = cut, True
    return stem, added


def _suggestion(stem: str, assignment: int, matr: str) -> str:
    """The name a wrongly laid out file should have, from what it holds ('assignment7_john_smith'
    -> 'Assignment_7_JohnSmith_k...'): a student acts on an example of their own at once."""
    words = [w for w in re.split(r"[\s_\-.]+", stem) if w.isalpha() and w.casefold() not in
             ("assignment", "ass", "hw", "homework", "exercise", "uebung", "übung", "final", "draft", "copy", "of")]
    # A word already written as NameSurname is the student's own; else the words, each capitalised.
    typed = [w for w in words if w[:1].isupper() and len(split_name_parts(w)) >= 2]
    name = typed[0] if typed else "".join(w[:1].upper() + w[1:] for w in words)
    number = re.fullmatch(r"[kK]?(\d{8})", matr) or re.search(r"(?<![^\W\d_])[kK]?(\d{8})(?!\d)", stem)
    if len(split_name_parts(name)) < 2 and not (
            name and ("assign" in stem.casefold() or re.search(rf"(?<!\d){assignment}(?!\d)", stem))):
        # one word is no name to copy ('notebook'), unless the assignment's name was tried ('assignment7_jane':
        # a fairness review, 297; one name is a name, as in 'Assignment_7_Jane_k12345678': review 299)
        return ""
    if number:
        return f"; rename it to 'Assignment_{assignment}_{name}_k{number.group(1)}.ipynb'"
    if matr:        # a number of the wrong form is one (a hundred-and-fifty-fourth review: "holds none")
        return (f", e.g. 'Assignment_{assignment}_{name}_k12345678.ipynb' with your own matriculation number "
                f"('{matr}' in the name is not 'k' followed by 8 digits: keep a leading zero)")
    return (f", e.g. 'Assignment_{assignment}_{name}_k12345678.ipynb' with your own matriculation number "
            f"(the file name holds none)")


def visible(text: str) -> str:
    """A name as pages and sheets show it: invisible and text-direction characters as '\ufffd',
    so a name with a zero-width space or a right-to-left override never reads like another's."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


def parse_filename(filename: str, assignment: int) -> ParsedName:
    """Parse and explain. Tolerant: it extracts what it can even from a wrong name.

    Checked in NFC (macOS writes 'ü' as 'u' plus a combining mark); names are returned as the
    student typed them."""
    typed = filename.rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", typed)
    hidden = sorted({f"U+{ord(ch):04X}" for ch in base if not ch.isprintable()})
    # Digits of other scripts ('１２３', '𝟏𝟐𝟑') read as a classmate's number wherever marks are copied
    # by number, and slipped past the duplicate check (a sixty-sixth review): no number either.
    digits = sorted({ch for ch in base if ch.isdigit() and ch not in "0123456789"})
    if digits and not hidden:
        return ParsedName(filename=typed, ok=False, problems=(
            f"the file name writes digits in another script ({''.join(digits[:8])}); rename the file with the "
            f"plain digits 0-9, e.g. 'Assignment_{assignment}_NameSurname_k12345678.ipynb'",))
    if hidden:
        # Invisible and text-direction characters (a zero-width space, a right-to-left override)
        # make a name read like a classmate's in every page and sheet (a sixty-fourth review): such
        # a name gives no name and no matriculation number, and the student is told to rename it.
        return ParsedName(filename=typed, ok=False, problems=(
            f"the file name holds invisible or text-direction characters ({', '.join(hidden[:4])}); rename the "
            f"file to 'Assignment_{assignment}_NameSurname_k12345678.ipynb' typed anew",))
    problems: list[str] = []
    stem = base
    if base.endswith(".ipynb"):
        stem = base[: -len(".ipynb")]
    else:
        stem = base.rsplit(".", 1)[0] if "." in base else base
        stem = re.sub(r"(?:\.ipynb)+$", "", stem, flags=re.I) or stem     # 'x.ipynb.txt': one mistake
        problems.append("the file must end in '.ipynb'")
    stem, added = _undecorated(stem)
    # Words after a well-formed matriculation number ('..._k11000012_final_v3'): one thing added,
    # not a name of fourteen parts without a number (a TA's review lost the number and flagged a
    # name mismatch for the student's own name).
    after = re.match(r"^(Assignment_\d+_[^_]+_k\d{8})_(.+)$", stem)
    suffix = ""
    if after:
        stem, suffix = after.group(1), "_" + after.group(2)
    parts = stem.split("_")
    if len(parts) >= 4 and parts[0] != "Assignment" and parts[0].casefold() == "assignment":
        # Only the capital A is wrong: every other mistake of the name is still named (a student's
        # review: 'assignment_7_maxmustermann_k1234567' got one line and no example).
        problems.append("the name must start with 'Assignment' (a capital A)")
        parts = ["Assignment", *parts[1:]]
    name = matr = number = ""
    if len(parts) >= 4 and parts[0] == "Assignment":
        number, matr, name = parts[1], parts[-1], "_".join(parts[2:-1])
        if MATR.fullmatch(name) and not MATR.fullmatch(matr) and matr.isalpha() and not _name_problems(matr):
            # the number and the name swapped: read as meant, said once (a fairness review, 299: "letters only,
            # found '1', '2', ...")
            name, matr = matr, name
            problems.append(f"the name and the matriculation number are swapped: rename it to "
                            f"'Assignment_{assignment}_{name}_{matr}.ipynb'")
    elif len(re.split(r"[_\s-]+", stem)) >= 2:
        # Best effort: find the matriculation number and the name even in a wrong layout, with
        # hyphens or spaces for underscores too ('Assignment7-JaneDoe-12345678': `grader check` named
        # the name to use, and summary.csv had no name or number; a hundred-and-fifty-fourth review).
        loose = parts if len(parts) >= 2 else re.split(r"[_\s-]+", stem)
        matr = next((p for p in loose if re.fullmatch(r"[kK]?\d{7,9}", p)), "")
        name = next((p for p in loose if p and p[0].isupper() and p.isalpha() and p != "Assignment"
                     and (loose is parts or len(split_name_parts(p)) >= 2)), "")   # 'Jane' of 'Jane Doe': none
        number = next((p for p in loose if p.isdigit() and len(p) < 3), "")
    if not (len(parts) >= 4 and parts[0] == "Assignment"):
        problems.append(f"the name must follow 'Assignment_{assignment}_NameSurname_k12345678.ipynb'"
                        + _suggestion(stem, assignment, matr))
    if len(parts) >= 4 and parts[0] == "Assignment":
        if number != str(assignment):
            problems.append(f"the assignment number is '{number}', it must be {assignment}")
        # 'Jane_Doe': one mistake, said once with the name to use (a seventy-sixth review got
        # "letters only, found '_'" and "use no underscores" both).
        problems.extend(_name_problems(name.replace("_", "") if len(parts) > 4 else name))
        # One name with every fix in it: each line's own fix alone left the other mistake in
        # (an eighty-fifth review: '..._MaxMustermann_12345678' and '..._Max_Mustermann_k12345678').
        joined = "".join(p[:1].upper() + p[1:] for p in parts[2:-1])
        fixed_matr = "k" + matr[-8:] if re.fullmatch(r"[kK]?\d{8}", matr) else matr
        fixed = f"'Assignment_{assignment}_{joined}_{fixed_matr}.ipynb'"
        if len(parts) > 4:
            problems.append(f"use no underscores or spaces inside your name: {fixed}")
        if not MATR.fullmatch(matr):
            if re.fullmatch(r"K?\d{8}", matr):     # the name to use, also for a capital K (a fairness review)
                problems.append(f"matriculation number '{matr}' must start with a lower-case 'k': {fixed}")
            elif re.fullmatch(r"[kK]?\d{9,}", matr):     # not "keep a leading zero" for one too many (review 299)
                problems.append(f"matriculation number '{matr}' has {len(matr.lstrip('kK'))} digits; it must be 'k' "
                                f"followed by 8 digits")
            else:
                problems.append(f"matriculation number '{matr}' must be 'k' followed by 8 digits "
                                f"(keep a leading zero)")
    if added:
        pieces = " and ".join(f"'{piece}'" for piece in added)
        them = "it" if len(added) == 1 else "them"
        fix = f"rename the file to '{stem}.ipynb'" if not problems else f"remove {them} from the file name"
        problems.insert(0, f"the file name has {pieces} added (by a browser's second download, Colab or a copy); "
                           f"{fix}")
    if suffix:
        problems.insert(0, f"the file name has '{suffix[:60]}' added after the matriculation number; rename the "
                           f"file to '{stem}.ipynb'")
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
