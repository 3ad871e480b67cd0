"""Moodle in and out: its "Download all submissions" tree or zip, and its grading worksheet.

Moodle puts each participant's files in a folder ``<Full Name>_<participant id>_assignsubmission_file_``.
We keep the participant id with each result, so grades go back to the right row of the
worksheet, and we flag participants who handed in no notebook or several.
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .results import SubmissionResult

FOLDER = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assign(?:submission|feedback)_[A-Za-z]+_?$")
# Moodle's download without "Download submissions in folders": every file in one folder, its name
# the participant's prefix and then the file name the student chose.
FLAT = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assign(?:submission|feedback)_[A-Za-z]+_(?P<file>.+)$")
MAX_UNZIPPED = 4 * 2**30


@dataclass(frozen=True)
class Participant:
    id: str
    name: str
    folder: Path                  # where their notebook belongs (in a flat download: their first file)
    notebooks: tuple[Path, ...]
    files: tuple[Path, ...] = ()  # everything they handed in (named when there is no notebook)


def participant_of(path: Path, root: Path) -> tuple[str, str] | None:
    """(id, full name) when the file sits in a Moodle participant folder."""
    for part in path.relative_to(root).parts[:-1]:
        m = FOLDER.match(part)
        if m:
            return m["id"], unicodedata.normalize("NFC", m["name"])
    return None


def is_notebook(path: Path) -> bool:
    """A notebook by its name, in any case ('.IPYNB' from a phone or an old Windows tool)."""
    return path.suffix.lower() == ".ipynb" and ".ipynb_checkpoints" not in path.parts


def _in_folder(path: Path, root: Path) -> bool:
    return any(FOLDER.match(part) for part in path.relative_to(root).parts[:-1])


def _own_file(path: Path) -> bool:
    """A file of the download itself: a symbolic link (restored by `unzip` from a zip a student
    handed in) may point at a classmate's notebook, or anywhere (a hundred-and-sixty-fifth review
    was graded 50/50 on a classmate's work so)."""
    return path.is_file() and not path.is_symlink() and ".ipynb_checkpoints" not in path.parts


def handed_in_name(path: Path, root: Path) -> str:
    """The file name the student chose: in a flat download, what follows Moodle's prefix."""
    m = FLAT.match(path.name)
    return m["file"] if m and not _in_folder(path, root) else path.name


def participants(root: Path) -> list[Participant]:
    """Every Moodle participant below root, with the notebooks they hold (maybe none).

    Moodle gives each submission plugin of a participant its own folder (``..._file_``,
    ``..._onlinetext_``): folders with one participant id are one participant, whose notebooks
    are those of all their folders. A flat download (no folders) names each file with the same
    prefix; such files outside any participant folder are their participant's."""
    own = FOLDER.match(root.name)
    if own:
        # One participant's folder graded alone (as the grader tells a TA to, after unpacking a zip
        # they handed in): everything below it is theirs, also folders named like a classmate's (a
        # hundred-and-sixty-fifth review took Bob's key with a "Bob Y_1002_..." folder in Mallory's).
        files = tuple(sorted(p for p in root.rglob("*") if _own_file(p)))
        return [Participant(own["id"], unicodedata.normalize("NFC", own["name"]), root,
                            tuple(p for p in files if is_notebook(p)), files)]
    by_id: dict[str, list[Path]] = {}
    flat: dict[str, list[Path]] = {}
    names: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        # A folder named like a participant's inside a participant's folder is something that
        # student uploaded (Moodle lets them create folders): its notebooks are theirs, and the
        # name and id it claims are nobody's. So is a file named like a flat download's.
        m = FOLDER.match(path.name) if path.is_dir() and not path.is_symlink() else \
            FLAT.match(path.name) if _own_file(path) else None
        if m is None or _in_folder(path, root):
            continue
        (by_id if path.is_dir() else flat).setdefault(m["id"], []).append(path)
        names.setdefault(m["id"], unicodedata.normalize("NFC", m["name"]))
    # Moodle writes one kind of download: with participant folders, a file named like a flat one is
    # a loose file (dropped in by a TA, named by a student), and in a flat one, files of one id that
    # give two names are not Moodle's either. Such a file named whom it liked: "Aaron Evil_1001_..."
    # renamed Jane Doe (1001), took her number and her worksheet row (a hundred-and-seventy-seventh
    # review). They are graded as loose notebooks, keyed by their path.
    if by_id:
        flat = {}
    else:
        for pid, paths in list(flat.items()):
            if len({unicodedata.normalize("NFC", FLAT.match(p.name)["name"]) for p in paths}) > 1:
                del flat[pid]
    names = {pid: name for pid, name in names.items() if pid in by_id or pid in flat}
    if by_id:        # the name of a participant's folder, not of a file beside it
        names = {pid: unicodedata.normalize("NFC", FOLDER.match(sorted(by_id[pid])[0].name)["name"]) for pid in by_id}
    found = []
    for pid in names:
        group, loose = by_id.get(pid, []), flat.get(pid, [])
        files = tuple(sorted([p for f in group for p in f.rglob("*") if _own_file(p)] + loose))
        nbs = tuple(p for p in files if is_notebook(p))
        # The folder shown for a participant without a notebook is the one that should hold it.
        home = next((f for f in group if f.name.endswith("_file_")), group[0] if group else loose[0])
        found.append(Participant(pid, names[pid], home, nbs, files))
    return sorted(found, key=lambda p: (str(p.folder), p.id))


def flat_beside_folders(root: Path, people: list[Participant]) -> list[Path]:
    """Notebooks named like a flat download's files outside every participant folder of a download with such folders:
    ``participants`` grades them as loose notebooks, keyed by their path (Moodle writes one kind of download, and a
    name a file gives itself is nobody's identity), which a TA should hear of (review 309: a download made by hand
    with both kinds read the flat files' participants as loose, unsaid)."""
    if FOLDER.match(root.name) or not any(FOLDER.match(p.folder.name) for p in people if p.folder.is_dir()):
        return []
    return [p for p in sorted(root.rglob("*")) if is_notebook(p) and _own_file(p) and FLAT.match(p.name)
            and not _in_folder(p, root)]


def _name_of(info: zipfile.ZipInfo) -> str:
    """The member's name as its writer meant it. Without the zip's UTF-8 flag Python reads names
    as CP437, the old DOS default; tools that write UTF-8 names without setting the flag (Linux
    `zip`, many zips made again on a Mac or in Windows) then turn 'Lea Müller' into
    'Lea M├╝ller', and her folder's name no longer matches Moodle's worksheet."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


NAME_BYTES = 240          # of a file name on Linux (255), with room for a suffix


MAX_LISTED_DIRECTORY = 4 * 2**20       # a zip's directory read to name what it holds: 10,000 long names


def directory_size(path: Path) -> int | None:
    """The size of a zip's central directory, from its end record (zip64's where it has one), read
    before ``zipfile`` holds an object per entry: a 39 MB directory of 800,000 empty entries a
    student handed in as "the notebook" took the grader to 427 MB (an eightieth review). None: no
    end record, so no zip."""
    import struct
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            start = max(0, size - (22 + 0xFFFF))
            fh.seek(start)
            tail = fh.read()
            at = tail.rfind(b"PK\x05\x06")
            if at < 0 or len(tail) - at < 22:
                return None
            cd_size = struct.unpack_from("<L", tail, at + 12)[0]
            loc = at - 20
            if loc >= 0 and tail[loc:loc + 4] == b"PK\x06\x07":
                fh.seek(struct.unpack_from("<Q", tail, loc + 8)[0])
                record = fh.read(56)
                if len(record) == 56 and record[:4] == b"PK\x06\x06":
                    cd_size = struct.unpack_from("<Q", record, 40)[0]
            return cd_size
    except (OSError, ValueError, struct.error):
        return None


def _fitting(name: str) -> str:
    """The member's path with each part short enough to write: a longer part keeps its start, its
    extension and a hash of the whole (Moodle allows 255 characters, Linux 255 bytes; 160
    umlauts are 320 bytes). The name is the student's and flagged as such when graded."""
    parts = []
    for part in name.split("/"):
        raw = part.encode("utf-8", "surrogateescape")
        if len(raw) > NAME_BYTES:
            stem, dot, ext = part.rpartition(".") if "." in part[-12:] else (part, "", "")
            tag = hashlib.sha256(raw).hexdigest()[:8]
            keep = stem.encode("utf-8", "surrogateescape")[:NAME_BYTES - 20].decode("utf-8", "ignore")
            part = f"{keep}~{tag}{dot}{ext}"
        parts.append(part)
    return "/".join(parts)


def _keep_date(target: Path, info: zipfile.ZipInfo) -> None:
    """The member's date as its file's modification time, as unzip keeps it: grading an older
    download after a newer one is then told (a TA's review: resubmissions were quietly undone)."""
    try:
        when = time.mktime((*info.date_time, 0, 0, -1))
        os.utime(target, (when, when))
    except (OverflowError, ValueError, OSError):
        pass


def unpack(zip_path: Path, dest: Path, skipped: list[str] | None = None) -> Path:
    """Unpack Moodle's zip safely (no paths outside dest, bounded size). A member this machine
    cannot write (a name over 255 bytes: 160 umlauts fit Moodle's limit) is left out and named in
    ``skipped`` with why; it stopped the whole batch before (a thirty-eighth review)."""
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    total = 0
    written: set[Path] = set()
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            name = _fitting(_name_of(info))
            try:
                target = (dest / name).resolve()
                # '../out-evil' shares the prefix of 'out'; 'Mallory_3/../Jane_1/a.ipynb' stays
                # inside but is written into a classmate's folder (a hundred-and-forty-seventh
                # review replaced a classmate's notebook so): no part may climb out of its folder.
                if not target.is_relative_to(root) or name.startswith("/") or \
                        any(part in (".", "..") for part in name.replace("\\", "/").split("/")):
                    if skipped is not None:
                        skipped.append(f"{name}: its path leaves its folder ('..'); Moodle never writes such a name")
                    continue
                if target in written and not info.is_dir():
                    # A second entry of one name would replace the first without a word (Moodle
                    # writes each file once): the first stays, and the TA is told.
                    if skipped is not None:
                        skipped.append(f"{name}: a second entry of this name in the zip (the first is graded)")
                    continue
                if not info.is_dir():
                    written.add(target)
                total += info.file_size
                if total > MAX_UNZIPPED:
                    raise ValueError("the zip unpacks to more than 4 GB")
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(info) as src, open(target, "wb") as out:
                        shutil.copyfileobj(src, out, 1 << 20)
                    _keep_date(target, info)
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):   # the machine's problem: stop
                    raise
                if skipped is not None:
                    skipped.append(f"{name}: {exc.strerror or exc}")
    return dest


# ----------------------------------------------------------------------------- worksheet out

def fill_worksheet(text: str, results: list[SubmissionResult]) -> tuple[str, list[str]]:
    """The worksheet text with Grade and Feedback comments filled, and notes on what was not
    matched (``grader.worksheet`` has the whole story: matches, missing participants, partial
    grades)."""
    from .worksheet import fill, read_worksheet
    filled = fill(read_worksheet(text.encode("utf-8")), results)
    plan = filled.plan
    notes = [*filled.notes, *plan.conflicts, *(f"{row}: no graded notebook" for row in plan.without_result),
             *(f"{r.who} ({r.file}): not in the worksheet" for r in plan.missing)]
    return ("\ufeff" if filled.bom else "") + filled.text, notes
