"""Report keys no file name can steer (fast: no grading). Red-team findings: a crafted name that
reads like another's suffixed key, and a folder named like a classmate's Moodle folder inside
one's own submission, each took a classmate's report."""
from __future__ import annotations

from pathlib import Path

from grader.identity import Submission, plan
from grader.moodle import participants


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}")
    return path


def keys(root: Path) -> dict[str, str]:
    nbs = sorted(root.rglob("*.ipynb"))
    subs = plan(root, nbs, participants(root))
    out = {s.rel: s.key for s in subs}
    assert len(set(out.values())) == len(subs), out          # one report file per submission
    return out


def test_a_name_crafted_to_read_like_a_suffixed_key_takes_no_ones_key(tmp_path):
    victim = touch(tmp_path / "Assignment_7_JaneDoe_k12345678.ipynb")
    touch(tmp_path / "Assignment_7_JaneDoe_k12345678_.ipynb")          # forces the victim's suffix
    first = keys(tmp_path)
    suffixed = first[victim.name]
    assert suffixed != "Assignment_7_JaneDoe_k12345678"
    # The attacker now names a file so that, made safe, it reads like the victim's suffixed key.
    touch(tmp_path / (suffixed.replace("_", "~") + ".ipynb"))
    after = keys(tmp_path)
    assert len(after) == 3


def test_a_classmates_name_with_an_invisible_character_added_takes_the_suffix_itself(tmp_path):
    """A sixty-fourth review: 'Assignment_7_JaneDoe_k12345678\u200b.ipynb' reads like Jane's name once
    made safe, and pushed her report to a suffixed key in a first batch; and pages showed it as hers."""
    touch(tmp_path / "Assignment_7_JaneDoe_k12345678.ipynb")
    touch(tmp_path / "Assignment_7_JaneDoe_k12345678\u200b.ipynb")
    touch(tmp_path / "Assignment_7_Jane\u202eeoD_k12345678.ipynb")
    got = keys(tmp_path)
    assert got["Assignment_7_JaneDoe_k12345678.ipynb"] == "Assignment_7_JaneDoe_k12345678"
    assert "Assignment_7_JaneDoe_k12345678\ufffd.ipynb" in got                 # shown, not invisible
    assert "Assignment_7_Jane\ufffdeoD_k12345678.ipynb" in got


def test_a_plain_spelling_of_a_classmates_decorated_name_takes_no_key_of_theirs(tmp_path):
    """A sixty-sixth review: against 'Jane... (1).ipynb' (a browser's second download) or a macOS
    'u' + U+0308, the plain spelling took the natural key and pushed the classmate's to a suffix."""
    touch(tmp_path / "Assignment_7_JaneDoe_k12345678 (1).ipynb")
    touch(tmp_path / "Assignment_7_JaneDoe_k12345678__1.ipynb")
    touch(tmp_path / "Assignment_7_LeaMu\u0308ller_k11111111.ipynb")
    touch(tmp_path / "Assignment_7_LeaM\u00fcller_k11111111.ipynb")
    got = keys(tmp_path)
    assert all("-" in key for key in got.values()), got            # a clash of honest-looking names: all suffixed


def test_many_names_that_read_the_same_get_distinct_keys(tmp_path):
    for name in ("a b.ipynb", "a_b.ipynb", "a?b.ipynb", "a*b.ipynb", "a b-1.ipynb", "sub/a b.ipynb", "sub_a b.ipynb"):
        touch(tmp_path / name)
    assert len(keys(tmp_path)) == 7


def test_a_participant_folder_inside_a_participants_folder_is_no_participant(tmp_path):
    touch(tmp_path / "Jane Doe_5501_assignsubmission_file_" / "Assignment_7_JaneDoe_k12345678.ipynb")
    evil = tmp_path / "Eve Evil_5502_assignsubmission_file_"
    touch(evil / "Jane Doe_5501_assignsubmission_file_" / "Assignment_7_JaneDoe_k12345678.ipynb")
    found = participants(tmp_path)
    assert [(p.id, p.name, len(p.notebooks)) for p in found] == [("5502", "Eve Evil", 1), ("5501", "Jane Doe", 1)]
    subs = plan(tmp_path, sorted(tmp_path.rglob("*.ipynb")), found)
    owner = {s.rel: (s.participant_id, s.key) for s in subs}
    assert owner["Jane Doe_5501_assignsubmission_file_/Assignment_7_JaneDoe_k12345678.ipynb"] == ("5501", "Jane_Doe_5501")
    nested = next(v for k, v in owner.items() if k.startswith("Eve Evil"))
    assert nested == ("5502", "Eve_Evil_5502")


def test_a_notebook_named_like_a_batch_file_gets_a_report_of_its_own(tmp_path):
    """summary.ipynb must not write its report over summary.csv (nor the class summary stand in
    for its report), whatever the case of the name; nor manual_grades.ipynb over the TA's sheet (a
    two-hundred-and-fiftieth review: a regrade wrote it over points not yet merged)."""
    from grader.manual import SHEET
    batch = {"summary", "manual_answers", "gradebook", "junit", Path(SHEET).stem, "moodle_feedback"}
    for name in ("summary.ipynb", "Manual_Answers.ipynb", "gradebook.ipynb", "junit.ipynb", "manual_grades.ipynb",
                 "moodle_feedback.ipynb"):
        touch(tmp_path / name)
    got = keys(tmp_path)
    assert not {k.lower() for k in got.values()} & batch
    assert all(got[name].lower().startswith(name[:-6].lower() + "-") for name in got)


def test_a_participants_notebooks_are_graded_together_in_batch_order():
    """Siblings (one Moodle participant's notebooks) form one group, graded in one run of the
    engine; everyone else is a group of one; the batch's order is kept."""
    from grader.cli.grade import by_participant

    def sub(key, pid="", siblings=1):
        return Submission(path=Path(key + ".ipynb"), rel=key, key=key, participant_id=pid, siblings=siblings)

    subs = [sub("a", "1", 2), sub("b"), sub("c", "1", 2), sub("d", "2"), sub("e", "", 2)]
    assert [[s.key for s in g] for g in by_participant(subs)] == [["a", "c"], ["b"], ["d"], ["e"]]


def test_a_classmates_file_does_not_rename_a_graded_notebook(tmp_path):
    # Ninth review: a classmate's "Assignment_7_CarlHonest_k33333333 .ipynb" (a trailing space)
    # reads like Carl's once made safe, so both got suffixes on the regrade and the TA's grades
    # stayed under Carl's old key. The gradebook's keys by path now win; the newcomer is suffixed.
    carl = touch(tmp_path / "Assignment_7_CarlHonest_k33333333.ipynb")
    first = keys(tmp_path)
    assert first[carl.name] == "Assignment_7_CarlHonest_k33333333"
    touch(tmp_path / "Assignment_7_CarlHonest_k33333333 .ipynb")
    nbs = sorted(tmp_path.rglob("*.ipynb"))
    assert {s.rel: s.key for s in plan(tmp_path, nbs, [])}[carl.name] != first[carl.name]   # without the gradebook
    subs = plan(tmp_path, nbs, [], previous={(carl.name, ""): first[carl.name]})
    got = {s.rel: s.key for s in subs}
    assert got[carl.name] == "Assignment_7_CarlHonest_k33333333"
    assert len(set(got.values())) == 2


def test_a_participants_second_upload_keeps_the_first_ones_key(tmp_path):
    folder = tmp_path / "Carl Honest_5501_assignsubmission_file_"
    touch(folder / "Assignment_7_CarlHonest_k33333333.ipynb")
    first = keys(tmp_path)
    assert set(first.values()) == {"Carl_Honest_5501"}
    touch(folder / "Assignment_7_CarlHonest_k33333333 (final).ipynb")
    nbs = sorted(tmp_path.rglob("*.ipynb"))
    previous = {(rel, "5501"): key for rel, key in first.items()}
    got = {s.rel: s.key for s in plan(tmp_path, nbs, participants(tmp_path), previous=previous)}
    assert got[next(iter(first))] == "Carl_Honest_5501" and len(set(got.values())) == 2


def test_two_names_that_differ_only_in_undecodable_bytes_keep_distinct_keys_on_a_regrade(tmp_path):
    # Tenth review: b"...Eve\xff..." and b"...Eve\xfe..." are both shown (and stored) as "Eve\ufffd";
    # the regrade gave both the one stored key and then could not tell them apart (a crash for the
    # whole folder). Neither keeps a stored key; each is suffixed from its own bytes.
    for b in (b"\xff", b"\xfe"):
        touch(tmp_path / ("Assignment_7_Eve" + b.decode("utf-8", "surrogateescape") + "_k44444444.ipynb"))
    touch(tmp_path / "Assignment_7_CarlHonest_k33333333.ipynb")
    nbs = sorted(tmp_path.rglob("*.ipynb"))
    first = plan(tmp_path, nbs, [])
    assert len({s.key for s in first}) == 3
    previous = {(s.rel, s.participant_id): s.key for s in first}       # what the gradebook stores
    assert len(previous) == 2                                          # the two Eves share one path
    again = plan(tmp_path, nbs, [], previous=previous)
    assert len({s.key for s in again}) == 3
    assert {s.key for s in again if "Carl" in s.rel} == {"Assignment_7_CarlHonest_k33333333"}


def test_a_participants_folders_of_several_submission_plugins_are_one_participant(tmp_path):
    """Fifth fairness review: Moodle writes an ``_onlinetext_`` folder beside the ``_file_`` one
    when the assignment also takes online text; it was a second participant of the same id (no
    notebook), and `grader moodle` then stopped with a KeyError."""
    nb = touch(tmp_path / "Jane Doe_5501_assignsubmission_file_" / "Assignment_7_JaneDoe_k12345678.IPYNB")
    (tmp_path / "Jane Doe_5501_assignsubmission_onlinetext_").mkdir()
    (tmp_path / "Jane Doe_5501_assignsubmission_onlinetext_" / "onlinetext.html").write_text("<p>see file</p>")
    (tmp_path / "Max Roe_5502_assignsubmission_onlinetext_").mkdir()
    found = participants(tmp_path)
    assert [(p.id, p.notebooks) for p in found] == [("5501", (nb,)), ("5502", ())]
    assert found[1].folder.name == "Max Roe_5502_assignsubmission_onlinetext_"
    subs = plan(tmp_path, [nb], found)
    assert [(s.participant_id, s.key, s.path is not None) for s in subs] == [
        ("5501", "Jane_Doe_5501", True), ("5502", "Max_Roe_5502", False)]


def test_a_zipped_notebook_is_named_with_what_to_do(tmp_path):
    """Fifth fairness review: a notebook handed in inside a zip scored 0 with only the zip's name."""
    import zipfile
    from grader.cli.grade import _no_notebook
    from grader.identity import Submission
    from grader.spec import load_spec
    folder = tmp_path / "Jane Doe_5501_assignsubmission_file_"
    folder.mkdir()
    with zipfile.ZipFile(folder / "handin.zip", "w") as zf:
        zf.writestr("work/Assignment_7_JaneDoe_k12345678.ipynb", "{}")
        zf.writestr("work/notes.txt", "")
    (folder / "broken.zip").write_bytes(b"PK not a zip")
    sub = Submission(None, folder.name, "Jane_Doe_5501", "5501", "Jane Doe", 0)
    r = _no_notebook(sub, tmp_path, load_spec())
    message = r.checks[0].message
    assert message.startswith("no .ipynb notebook was handed in (found: ")
    assert message.endswith("; handin.zip holds Assignment_7_JaneDoe_k12345678.ipynb: hand in the .ipynb itself "
                            "(a TA can unpack it into the folder and grade again)")
    assert r.total_points == 0 and "broken.zip holds" not in message


def test_a_zip_of_a_huge_directory_is_not_read_into_the_grader(tmp_path, monkeypatch):
    """An eightieth review: 800,000 empty entries (a 39 MB directory) handed in as the notebook took
    the grader to 427 MB when the zip was opened to name the notebooks in it."""
    import struct
    import tracemalloc
    import zipfile
    from grader.cli.grade import zipped_notebooks
    from grader.moodle import directory_size

    def directory_only(path, n):
        cd = bytearray()
        for i in range(n):
            name = ("%x.ipynb" % i).encode()
            cd += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0,
                              len(name), 0, 0, 0, 0, 0, 0) + name
        n16 = min(n, 0xFFFF)
        path.write_bytes(bytes(cd) + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n16, n16, len(cd), 0, 0))
        return len(cd)
    huge, small = tmp_path / "huge.zip", tmp_path / "small.zip"
    size = directory_only(huge, 150_000)
    assert directory_size(huge) == size
    tracemalloc.start()
    try:
        assert zipped_notebooks(huge) == []
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000
    directory_only(small, 5)                                 # a few entries: named as before
    assert zipped_notebooks(small) == ["0.ipynb", "1.ipynb", "2.ipynb", "2 more"]
    z64 = tmp_path / "z64.zip"                               # zip64's own end record is read
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)
    with zipfile.ZipFile(z64, "w") as zf:
        zf.writestr("a.ipynb", "{}")
        zf.writestr("b.txt", "")
    assert b"PK\x06\x06" in z64.read_bytes() and zipped_notebooks(z64) == ["a.ipynb"]
    assert directory_size(z64) == sum(46 + len(n) for n in ("a.ipynb", "b.txt"))
    assert directory_size(tmp_path / "nothing.zip") is None


def test_a_notebook_named_in_capitals_is_graded_not_skipped(tmp_path):
    from grader.cli.grade import find_notebooks
    for name in ("Assignment_7_JaneDoe_k12345678.IPYNB", "b.ipynb", "c.txt", ".ipynb_checkpoints/b.ipynb"):
        touch(tmp_path / name)
    notebooks, others = find_notebooks(tmp_path)
    assert [p.name for p in notebooks] == ["Assignment_7_JaneDoe_k12345678.IPYNB", "b.ipynb"]
    assert [p.name for p in others] == ["c.txt"]


def test_moodles_flat_download_is_read_by_its_participant_prefixes(tmp_path):
    """Without "Download submissions in folders" Moodle puts every file in one folder, named
    '<Full Name>_<id>_assignsubmission_file_<the student's file name>'."""
    from grader.cli.grade import _no_notebook, shown_as
    from grader.moodle import handed_in_name
    from grader.spec import load_spec
    jane = touch(tmp_path / "Jane Doe_5501_assignsubmission_file_Assignment_7_JaneDoe_k12345678.ipynb")
    touch(tmp_path / "Eva Lu_5504_assignsubmission_file_report.pdf")
    touch(tmp_path / "Eva Lu_5504_assignsubmission_onlinetext_onlinetext.html")
    found = {p.id: p for p in participants(tmp_path)}
    assert sorted(found) == ["5501", "5504"]
    assert found["5501"].notebooks == (jane,)
    assert found["5504"].notebooks == () and len(found["5504"].files) == 2
    assert handed_in_name(jane, tmp_path) == "Assignment_7_JaneDoe_k12345678.ipynb"
    subs = {s.participant_id: s for s in plan(tmp_path, [jane], list(found.values()))}
    assert shown_as(subs["5501"], tmp_path) == "Assignment_7_JaneDoe_k12345678.ipynb"
    message = _no_notebook(subs["5504"], tmp_path, load_spec()).checks[0].message
    assert message == "no .ipynb notebook was handed in (found: report.pdf, onlinetext.html)"


def test_a_file_named_like_a_flat_downloads_beside_participant_folders_is_nobodys(tmp_path):
    """A hundred-and-seventy-seventh review: a late file a TA dropped into a download with folders,
    named by its student 'Aaron Evil_1001_assignsubmission_file_...', renamed Jane Doe (1001) in
    every output, took her number and worksheet row and flagged her own notebook `name-mismatch`.
    Moodle writes one kind of download: beside folders, such a file is a loose notebook."""
    from grader.moodle import handed_in_name
    jane = touch(tmp_path / "Jane Doe_1001_assignsubmission_file_" / "Assignment_7_JaneDoe_k12345678.ipynb")
    dropped = touch(tmp_path / "Aaron Evil_1001_assignsubmission_file_Assignment_7_MalloryEvil_k33333333.ipynb")
    ghost = touch(tmp_path / "Bob Y_1002_assignsubmission_file_x.ipynb")       # a classmate with no folder
    own = touch(tmp_path / "Max Roe_5502_assignsubmission_file_" / "Eve_9_assignsubmission_file_x.ipynb")
    found = {p.id: p for p in participants(tmp_path)}
    assert sorted(found) == ["1001", "5502"] and found["1001"].name == "Jane Doe"
    assert found["1001"].notebooks == (jane,) and found["5502"].notebooks == (own,)
    assert handed_in_name(own, tmp_path) == own.name          # inside a participant's folder: as named
    got = {s.rel: s for s in plan(tmp_path, sorted(tmp_path.rglob("*.ipynb")), list(found.values()))}
    assert got[str(jane.relative_to(tmp_path))].key == "Jane_Doe_1001"
    assert got[dropped.name].participant_id == "" and got[ghost.name].participant_id == ""
    # ... and `grader grade` says so, naming them (review 309: a download made by hand with both kinds, unsaid)
    from grader.moodle import flat_beside_folders
    assert flat_beside_folders(tmp_path, list(found.values())) == sorted([dropped, ghost])
    assert flat_beside_folders(tmp_path / "Jane Doe_1001_assignsubmission_file_", list(found.values())) == []
    # In a flat download, two names for one id: neither is Moodle's to trust.
    flat = tmp_path / "flat"
    touch(flat / "Jane Doe_1001_assignsubmission_file_Assignment_7_JaneDoe_k12345678.ipynb")
    touch(flat / "Aaron Evil_1001_assignsubmission_file_x.ipynb")
    touch(flat / "Bob Y_1002_assignsubmission_file_y.ipynb")
    assert [(p.id, p.name) for p in participants(flat)] == [("1002", "Bob Y")]
    assert flat_beside_folders(flat, participants(flat)) == []


def test_a_key_whose_notebook_is_gone_is_not_handed_to_a_newcomer(tmp_path):
    """Twenty-sixth review: Jane's notebook renamed by her resubmission, and a classmate's file
    that reads the same once made safe took her old key, and with it her TA's grades."""
    jane = touch(tmp_path / "Assignment_7_JaneDoe_k12345678.ipynb")
    first = {s.rel: s.key for s in plan(tmp_path, [jane], [])}
    previous = {(rel, ""): key for rel, key in first.items()}
    jane.rename(tmp_path / "Assignment_7_JaneDoe_k12345678 (1).ipynb")
    mallory = touch(tmp_path / "Assignment 7 JaneDoe k12345678.ipynb")
    nbs = sorted(tmp_path.rglob("*.ipynb"))
    got = {s.rel: s.key for s in plan(tmp_path, nbs, [], previous=previous)}
    assert "Assignment_7_JaneDoe_k12345678" not in got.values(), got
    assert got[mallory.name].startswith("Assignment_7_JaneDoe_k12345678-")
    # A Moodle participant's own new upload still takes over the participant's key.
    folder = tmp_path / "m" / "Carl Honest_5501_assignsubmission_file_"
    old = touch(folder / "Assignment_7_CarlHonest_k33333333.ipynb")
    root = tmp_path / "m"
    before = {(s.rel, s.participant_id): s.key for s in plan(root, [old], participants(root))}
    new = old.rename(folder / "Assignment_7_CarlHonest_k33333333 (final).ipynb")
    assert [s.key for s in plan(root, [new], participants(root), previous=before)] == ["Carl_Honest_5501"]


def test_keys_that_differ_only_in_case_are_told_apart(tmp_path):
    """Twenty-eighth review: on macOS and Windows 'Jane.html' and 'jane.html' are one file, so a
    file named like a classmate's in other letter case shared the classmate's feedback page."""
    touch(tmp_path / "Assignment_7_JaneDoe_k12345678.ipynb")
    touch(tmp_path / "assignment 7 janedoe k12345678.ipynb")
    got = keys(tmp_path)
    assert len({k.casefold() for k in got.values()}) == 2, got
    previous = {(rel, ""): key for rel, key in got.items()}
    jane = "Assignment_7_JaneDoe_k12345678.ipynb"
    previous[(jane, "")] = "Assignment_7_JaneDoe_k12345678"             # graded before under her own key
    nbs = sorted(tmp_path.rglob("*.ipynb"))
    again = {s.rel: s.key for s in plan(tmp_path, nbs, [], previous=previous)}
    assert again[jane] == "Assignment_7_JaneDoe_k12345678" and len({k.casefold() for k in again.values()}) == 2


def test_a_member_name_too_long_for_the_disk_is_unpacked_under_a_shorter_one(tmp_path):
    """A thirty-eighth review: one name of 160 umlauts (within Moodle's limit, 320 bytes on Linux)
    made the whole zip ungradable ("File name too long")."""
    import zipfile

    from grader import moodle
    long_name = "Eve Long_1004_assignsubmission_file_/Assignment_7_EveLong_k10040000" + "ü" * 120 + ".ipynb"
    with zipfile.ZipFile(tmp_path / "all.zip", "w") as z:
        z.writestr(long_name, "{}")
        z.writestr("Ann Ok_1005_assignsubmission_file_/Assignment_7_AnnOk_k10050000.ipynb", "{}")
    skipped: list[str] = []
    root = moodle.unpack(tmp_path / "all.zip", tmp_path / "out", skipped)
    names = sorted(p.name for p in root.rglob("*.ipynb"))
    assert skipped == [] and len(names) == 2 and names[0] == "Assignment_7_AnnOk_k10050000.ipynb"
    assert names[1].startswith("Assignment_7_EveLong_k10040000ü") and names[1].endswith(".ipynb")
    assert len(names[1].encode()) <= 255


def test_a_loose_notebook_named_like_a_participant_in_other_case_leaves_the_participant_its_key(tmp_path):
    """A hundred-and-forty-seventh review: a loose `jane_doe_1001.ipynb` beside Moodle's folder of
    Jane Doe (1001) pushed Jane's report to a suffixed key: the loose key was checked against the
    participants' keys with case, and made unique without it, so both were suffixed."""
    touch(tmp_path / "Jane Doe_1001_assignsubmission_file_" / "Assignment_7_JaneDoe_k12345678.ipynb")
    touch(tmp_path / "jane_doe_1001.ipynb")
    got = keys(tmp_path)
    assert got["Jane Doe_1001_assignsubmission_file_/Assignment_7_JaneDoe_k12345678.ipynb"] == "Jane_Doe_1001"
    assert got["jane_doe_1001.ipynb"].startswith("jane_doe_1001-")


def test_a_zip_member_that_climbs_into_a_classmates_folder_or_repeats_a_name_replaces_nothing(tmp_path):
    """A hundred-and-forty-seventh review: in a zip made again by hand, 'Mallory_1003_.../../Jane
    Doe_1001_.../x.ipynb' stayed inside the folder it was unpacked to and replaced Jane's notebook,
    and a second entry of Alice's name replaced hers; both then scored the template's 10/50, and
    nothing said why."""
    import zipfile

    from grader import moodle
    jane = "Jane Doe_1001_assignsubmission_file_/Assignment_7_JaneDoe_k12345678.ipynb"
    alice = "Alice Xu_1002_assignsubmission_file_/Assignment_7_AliceXu_k10020000.ipynb"
    with zipfile.ZipFile(tmp_path / "all.zip", "w") as z:
        z.writestr(jane, '{"jane": 1}')
        z.writestr(alice, '{"alice": 1}')
        z.writestr("Mallory Evil_1003_assignsubmission_file_/Assignment_7_Mallory_k10030000.ipynb", "{}")
        z.writestr("Mallory Evil_1003_assignsubmission_file_/../" + jane, '{"template": 1}')
        z.writestr("Mallory Evil_1003_assignsubmission_file_/./a.ipynb", "{}")
        z.writestr(alice, '{"template": 1}')
    skipped: list[str] = []
    root = moodle.unpack(tmp_path / "all.zip", tmp_path / "out", skipped)
    assert (root / jane).read_text() == '{"jane": 1}' and (root / alice).read_text() == '{"alice": 1}'
    assert len(skipped) == 3, skipped
    assert "leaves its folder" in skipped[0] and "leaves its folder" in skipped[1]
    assert skipped[2].startswith(alice) and "second entry" in skipped[2]


def test_one_participants_folder_graded_alone_holds_only_their_notebooks(tmp_path):
    """A hundred-and-sixty-fifth review: Mallory's folder, graded alone after unpacking the zip she
    handed in (as the grader tells a TA to), held "Bob Y_1002_assignsubmission_file_/..." and took
    Bob's report key and grade; a symbolic link in it was graded as her notebook."""
    from grader import moodle
    from grader.cli.grade import find_notebooks
    mine = tmp_path / "Mallory Evil_1003_assignsubmission_file_"
    touch(mine / "Assignment_7_MalloryEvil_k33333333.ipynb")
    touch(mine / "Bob Y_1002_assignsubmission_file_" / "Assignment_7_BobY_k22222222.ipynb")
    alice = touch(tmp_path / "Alice X_1001_assignsubmission_file_" / "Assignment_7_AliceX_k11111111.ipynb")
    (mine / "link.ipynb").symlink_to(alice)
    (people,) = moodle.participants(mine)
    assert (people.id, people.name) == ("1003", "Mallory Evil") and len(people.notebooks) == 2
    assert all(nb.is_relative_to(mine) and not nb.is_symlink() for nb in people.notebooks)
    notebooks, others = find_notebooks(mine)
    assert len(notebooks) == 2 and others == [mine / "link.ipynb"]
    subs = plan(mine, notebooks, [people])
    assert {s.participant_id for s in subs} == {"1003"} and all(s.key.startswith("Mallory_Evil_1003") for s in subs)
    whole = {p.id: p for p in moodle.participants(tmp_path)}          # the whole tree: as before
    assert set(whole) == {"1001", "1003"} and len(whole["1003"].notebooks) == 2


def test_a_folder_entry_named_like_a_classmates_notebook_is_said_as_what_it_is(tmp_path):
    import zipfile

    from grader import moodle
    name = "Alice X_1001_assignsubmission_file_/Assignment_7_AliceX_k11111111.ipynb"
    with zipfile.ZipFile(tmp_path / "all.zip", "w") as z:
        z.writestr(name + "/", "")
        z.writestr(name, "{}")
    skipped: list[str] = []
    moodle.unpack(tmp_path / "all.zip", tmp_path / "out", skipped)
    assert len(skipped) == 1 and "second entry" not in skipped[0], skipped


def test_a_loose_notebook_graded_before_a_participants_folder_came_leaves_them_their_key(tmp_path):
    """A hundred-and-sixty-seventh review: a loose `Jane Doe_1001.ipynb` (a late file a TA dropped
    in) was graded under `Jane_Doe_1001` before Jane's folder came with the next download; then it
    kept the key, and Jane's own report moved to a suffix, in every later run."""
    loose = touch(tmp_path / "Jane Doe_1001.ipynb")
    first = {(s.rel, s.participant_id): s.key for s in plan(tmp_path, [loose], participants(tmp_path))}
    assert first[("Jane Doe_1001.ipynb", "")].startswith("Jane_Doe_1001-")     # never the participant's form
    jane = touch(tmp_path / "Jane Doe_1001_assignsubmission_file_" / "Assignment_7_JaneDoe_k12345678.ipynb")
    second = tmp_path / "Jane Doe_1001-2.ipynb"          # like the key of a participant's second notebook
    touch(second)
    nbs = sorted(tmp_path.rglob("*.ipynb"))
    got = {s.rel: s.key for s in plan(tmp_path, nbs, participants(tmp_path), previous=first)}
    assert got[str(jane.relative_to(tmp_path))] == "Jane_Doe_1001", got
    assert got["Jane Doe_1001.ipynb"] == first[("Jane Doe_1001.ipynb", "")]       # its own key, kept
    assert got["Jane Doe_1001-2.ipynb"].startswith("Jane_Doe_1001-2-")
    # An ordinary loose notebook keeps its plain name.
    assert keys_of(tmp_path / "plain", "Assignment_7_JaneDoe_k12345678.ipynb") == ["Assignment_7_JaneDoe_k12345678"]


def keys_of(root: Path, *names: str) -> list[str]:
    nbs = [touch(root / n) for n in names]
    return [s.key for s in plan(root, nbs, participants(root))]


def test_one_participants_notebooks_with_one_number_are_not_a_duplicate():
    """A hundred-and-sixty-seventh review: Lea's two folders (Moodle spelled her name in two ways)
    both gave her number, and both notebooks were flagged `duplicate-matr`: no one else's."""
    from grader.cli.grade import _flag_duplicates
    from grader.results import SubmissionResult
    lea = [SubmissionResult(file=f"Assignment_7_LeaMuller_k44444444{s}.ipynb", matr_number="k44444444",
                            participant_id="1005") for s in ("", " (1)")]
    _flag_duplicates(lea)
    assert all("duplicate-matr" not in r.flags for r in lea)
    other = [*lea, SubmissionResult(file="Assignment_7_Eve_k44444444.ipynb", matr_number="k44444444",
                                    participant_id="1006")]
    _flag_duplicates(other)
    assert all("duplicate-matr" in r.flags for r in other) and all(r.matr_number == "" for r in other)
    loose = [SubmissionResult(file="Assignment_7_LeaMuller_k44444444.ipynb", matr_number="k44444444",
                              participant_id="1005"), SubmissionResult(file="Assignment_7_LeaMuller_k44444444.ipynb", matr_number="k44444444")]
    _flag_duplicates(loose)
    assert all("duplicate-matr" in r.flags for r in loose)


def test_a_key_in_other_letter_case_is_taken_across_runs_too(tmp_path):
    """A hundred-and-seventy-third review: Alice's loose notebook graded in week 1; in week 2 her
    file was not in the folder, and `assignment_7_alicex_k11111111.ipynb` took her key in small
    letters; in week 3 both were suffixed, and her TA's grades stayed under the old key."""
    alice = touch(tmp_path / "Assignment_7_AliceX_k11111111.ipynb")
    week1 = {(s.rel, s.participant_id): s.key for s in plan(tmp_path, [alice], [])}
    alice.rename(tmp_path.parent / "aside.ipynb")
    mallory = touch(tmp_path / "assignment_7_alicex_k11111111.ipynb")
    week2 = {(s.rel, s.participant_id): s.key for s in plan(tmp_path, [mallory], [], previous=week1)}
    assert week2[(mallory.name, "")].casefold() != "assignment_7_alicex_k11111111", week2
    (tmp_path.parent / "aside.ipynb").rename(alice)
    week3 = {s.rel: s.key for s in plan(tmp_path, sorted(tmp_path.glob("*.ipynb")), [], previous={**week1, **week2})}
    assert week3[alice.name] == "Assignment_7_AliceX_k11111111", week3
    assert week3[mallory.name] == week2[(mallory.name, "")]


def _moodle_reads(member: str) -> list[tuple[str, str, str]]:
    """Whose feedback Moodle's "Upload multiple feedback files in a zip" takes a member for: (participant id,
    plugin type, plugin name) as its importer reads them, older versions on the whole path
    (`explode('_', filepath . filename, 5)`), newer ones on each folder of it."""
    found = []
    for part in ["/" + member, *member.split("/")]:
        info = part.split("_", 4)
        if len(info) == 5 and info[1].isdigit():
            found.append((info[1], info[2], info[3]))
    return found


def test_a_name_moodle_keeps_does_not_give_a_feedback_page_to_a_classmate():
    """Review 461: a Moodle full name of `Mallory*1002*assignsubmission*file` (Moodle keeps `*`, `?` and no-break
    spaces in its folders) had each of those turned into `_` in the feedback zip's folder, and Moodle's importer, which
    reads the participant as the second part between underscores, gave Mallory's page to participant 1002, a
    classmate; Eve's, with no-break spaces, to 1001."""
    import io
    import zipfile

    from grader.exports import moodle_feedback
    from grader.spec import load_spec

    from .gradebook_helpers import result
    people = {"1001": "Alice Xu", "1002": "Bob Yu", "1003": "Mallory*1002*assignsubmission*file",
              "1004": "Eve\u00a01001\u00a0assignsubmission\u00a0file", "1005": "Zoe_5_assignsubmission_file",
              "1006": "Ann ?/\\:\u200b\u00ad Lee"}
    results = {}
    for i, (pid, name) in enumerate(people.items()):
        r = result(i, "an answer", name=name, matr=f"k1000{pid}")
        r.participant, r.participant_id, r.key = name, pid, f"k{pid}"
        results[r.key] = r
    data, pages, left_out = moodle_feedback(results, load_spec())
    assert (pages, left_out) == (len(people), [])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {m: zf.read(m).decode() for m in zf.namelist()}
    assert len(members) == len(people)
    for member, page in members.items():
        assert member.count("/") == 1 and member.endswith("_assignsubmission_file_/feedback.html"), member
        owners = set(_moodle_reads(member))
        assert len(owners) == 1, member
        (pid, plugin, area), = owners
        assert (plugin, area) == ("assignsubmission", "file"), member
        assert f"(k1000{pid})" in page, (member, pid)          # the page is that participant's
