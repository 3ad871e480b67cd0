"""Grade integrity, tested as the attacks a hostile student makes (issue "a forged reply must cost
as much as a correct solution"). Each test is one attack; each asserts what the attacker gets
(nothing), what honest classmates in the same batch keep (everything) and what leaks (nothing).

The batch runs through the real command line with one worker, so an attack that could spoil a
worker would spoil the honest notebooks graded after it on that worker.
"""
from __future__ import annotations

import base64
import copy
import csv
import zlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.engines import CellJob
from grader.notebook import NotebookError, load_notebook
from grader.spec import load_spec

from . import attacks
from .conftest import DRAW_SEED, REF, ROOT, contains, hidden_strings

pytestmark = pytest.mark.slow
# The jobs' memory cap here: low enough that an attack's hog reaches it well within the cell limit
# (10 s) also when page faults run at 160 MB/s (a loaded two-core machine at times: 1500 MB was a
# race the time limit sometimes won), high enough for every honest cell.
MEMORY_MB = 1000


def _file_table_each() -> int:
    """Mapped files for each of FileTable's 5 processes: 250,000 in all, or half of what is left of
    this machine's table where that is less (the attack must alarm the grader, not fill the table)."""
    try:
        used, _, most = (int(v) for v in Path("/proc/sys/fs/file-nr").read_text().split())
    except (OSError, ValueError):
        return 50_000
    return max(1_000, min(50_000, (most - used) // 10))


FILE_TABLE_EACH = _file_table_each()


def _png_2x2() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", (2).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00")
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00\xff\x00\x00" * 2)) + chunk(b"IEND", b""))


PNG_2X2 = _png_2x2()
HONEST = ("Assignment_7_AaronHonest_k10000001.ipynb", "Assignment_7_NoraHonest_k10000002.ipynb",
          "Assignment_7_ZoeHonest_k10000003.ipynb")


# A cell whose public run puts the clock into its message (CLOCK_SLEEP_S: a hidden run's sleep).
CLOCK = ("import time\n\nclass {name}(nn.Module):\n    def __init__(self, d_in, d_out):\n"
         "        raise ValueError(f'clock {{time.monotonic():.3f}}')\n")
CLOCK_SLEEP_S = 7


def secret_strings(old_report: Path) -> list[str]:
    """Text that must never reach any output: hidden values, the answer key's reasons, the
    reference's code, another batch's report, the machine's password hashes."""
    key_lines = [ln.lstrip("# ").strip() for ln in (REF / "answer_key.toml").read_text().splitlines()
                 if ln.startswith("# ") and len(ln) > 40]
    ref_lines = [ln.strip() for ln in (REF / "reference.py").read_text().splitlines() if len(ln.strip()) > 40]
    out = hidden_strings() + key_lines[:6] + ref_lines[:6] + [old_report.read_text().strip()]
    try:
        shadow = Path("/etc/shadow").read_text().splitlines()[0]
        out.append(shadow.split(":")[1][:20] or shadow[:20])
    except (OSError, IndexError):
        pass
    return [s for s in out if s and len(s) >= 3]


def write_nb(solution, folder: Path, name: str, changes: dict[str, str]) -> Path:
    nb = copy.deepcopy(solution)
    for cell in nb.cells:
        if cell.get("id") in changes:
            cell.source = changes[cell.id]
    path = folder / name
    nbformat.write(nb, path)
    return path


def grade_cli(folder, out, spec_dir, data_home, *extra) -> tuple[subprocess.CompletedProcess, int]:
    """`grader grade` in a process of its own; returns its result and its peak memory (MB). The peak
    is VmHWM of this process image (ru_maxrss would also count the test process it was forked from)."""
    rss = out.parent / f"{out.name}.rss"
    code = ("import runpy, sys\n"
            f"sys.argv = ['grader', 'grade', {str(folder)!r}, '--out', {str(out)!r}, '--spec', {str(spec_dir)!r},"
            f" '-j', '1', '--draw-seed', {str(DRAW_SEED)!r}, *{list(extra)!r}]\n"
            "try:\n    runpy.run_module('grader', run_name='__main__')\n"
            "except SystemExit as exc:\n    code = exc.code\nelse:\n    code = 0\n"
            "hwm = [int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM:')][0]\n"
            f"open({str(rss)!r}, 'w').write(str(hwm // 1024))\n"
            "sys.exit(code)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home), "COLUMNS": "200"}
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=1500)
    return res, int(rss.read_text()) if rss.exists() else -1


@pytest.fixture(scope="module")
def spec_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("spec") / "assignment7"
    shutil.copytree(REF, d)
    text = (d / "spec.toml").read_text().replace("cell_timeout_s = 60", "cell_timeout_s = 10")
    text = text.replace("memory_mb = 3072", f"memory_mb = {MEMORY_MB}")
    (d / "spec.toml").write_text(text.replace('examples = "../../submissions/expected_scores.toml"\n', ""))
    return d


@pytest.fixture(scope="module")
def batch(tmp_path_factory, spec_dir, solution_nb, data_home):
    """One folder of attackers between honest students, graded once for the whole module."""
    tmp = tmp_path_factory.mktemp("attack")
    folder, out = tmp / "subs", tmp / "reports"
    folder.mkdir()
    old_report = tmp / "other-batch" / "summary.csv"
    old_report.parent.mkdir()
    old_report.write_text("OTHER-BATCH-REPORT-7f3a9c\n")
    sol = {c.id: c.source for c in solution_nb.cells}
    for name in HONEST:
        write_nb(solution_nb, folder, name, {})
    plan = {
        "Forge": {"ann-sigmoid": attacks.named(attacks.FORGED_MODEL, "ANN_sigmoid"),
                  "ann-relu": attacks.named(attacks.FORGED_MODEL, "ANN_relu"),
                  "train-and-test": attacks.FORGED_TRAINING},
        "CopyForge": {"train-and-test": attacks.FORGED_COPY_TRAINING},
        "NewForge": {"train-and-test": attacks.FORGED_NEW_TRAINING},
        "FrameForge": {"train-and-test": attacks.FRAME_FORGED_TRAINING},
        # A two-hundred-and-ninetieth review: right under the grader's few calls on small data, wrong in the
        # notebook's run (after 30 calls, where torch has several threads, on the real data set): 50/50.
        "Tells": {"ann-sigmoid": sol["ann-sigmoid"].replace("super().__init__()\n", "super().__init__()\n        self.calls = 0\n")
                  .replace("        x = x.view(x.shape[0], -1)\n", "        self.calls += 1\n        x = x.view(x.shape[0], -1)\n"
                           "        if self.calls > 30:\n            return self.linear4(self.linear3(self.linear2(self.linear1(x))))\n"),
                  "ann-relu": sol["ann-relu"].replace("        x = x.view(x.shape[0], -1)\n",
                                                      "        x = x.view(x.shape[0], -1)\n        if torch.get_num_threads() > 1:\n"
                                                      "            return self.linear4(self.linear3(self.linear2(self.linear1(x))))\n"),
                  "train-and-test": sol["train-and-test"].replace("    ### BEGIN SOLUTION\n", "    ### BEGIN SOLUTION\n"
                                                                  "    if len(train_loader.dataset) >= 60000:\n        return\n")},
        "Probes": {"ann-sigmoid": attacks.named(attacks.PROBES_IN_PROCESS, "ANN_sigmoid"),
                   "ann-relu": attacks.named(attacks.PROBES_IN_PROCESS, "ANN_relu"),
                   "train-and-test": "def train_and_test(model, hyperparameters):\n    pass"},
        "Reference": {"ann-sigmoid": attacks.READ_REFERENCE, "train-and-test": attacks.READ_REFERENCE},
        "Exfiltrate": {"ann-relu": attacks.EXFILTRATE.format(key=str(REF / "answer_key.toml"),
                                                             hidden=str(REF / "hidden.toml"),
                                                             old_report=str(old_report))},
        "Channel": {"ann-sigmoid": attacks.POINTS_AS_CHANNEL_MODEL,
                    "train-and-test": sol["train-and-test"].replace("test(model, test_loader)",
                                                                     "if hyperparameters['lr'] < 0.03: test(model, test_loader)")},
        # A hundred-and-seventy-second review: the gradients drawn times 1,000 only where lr is not the
        # public one chose the second text of a passing plots check, a free bit at full marks.
        "PlotWords": {"train-and-test": sol["train-and-test"].replace(
            "    plt.plot(grads1,", "    k = 1 if hyperparameters['lr'] == 0.02 else 1000\n"
                                    "    grads1, grads2, grads3 = ([g * k for g in x] for x in (grads1, grads2, grads3))\n"
                                    "    plt.plot(grads1,")},
        # A hundred-and-eighty-second review: the hidden run's reply without the hidden run read
        # "incomplete result", a third text beside "failed" and the checks' own.
        "MissingRun": {"train-and-test": attacks.WITHOUT_THE_HIDDEN_RUN + sol["train-and-test"]},
        "Hidden": {"ann-sigmoid": attacks.named(attacks.HIDDEN_VALUES_MODEL, "ANN_sigmoid"),
                   "train-and-test": attacks.HIDDEN_VALUES_TRAINING},
        "Malformed": {"ann-relu": attacks.MALFORMED_FRAME + sol["ann-relu"],
                      "ann-sigmoid": attacks.OUT_OF_ORDER + sol["ann-sigmoid"]},
        "Overflow": {"train-and-test": attacks.OVERFLOW_THEN_KILL + sol["train-and-test"]},
        "Huge": {"ann-sigmoid": attacks.named(attacks.HUGE_REPLY, "ANN_sigmoid"),
                 "ann-relu": attacks.named(attacks.DEEP_REPLY, "ANN_relu")},
        "Bloat": {"ann-sigmoid": attacks.named(attacks.BLOAT_REPLY, "ANN_sigmoid")},
        # Fifty-ninth review: a chain of one very wide layer under the cap on weights alone; the
        # grader's recomputation of it took the grader to 1.6 GB.
        "WideOwn": {"ann-sigmoid": sol["ann-sigmoid"].replace("nn.Linear(d_in, 512)", "nn.Linear(d_in, 1)")
                    .replace("nn.Linear(512, 1024)", "nn.Linear(1, 3999600)")
                    .replace("nn.Linear(1024, 512)", "nn.Linear(3999600, 1)")
                    .replace("nn.Linear(512, d_out)", "nn.Linear(1, d_out)")},
        "EmptyRows": {"train-and-test": attacks.EMPTY_ROWS_FINAL},
        "Hoard": {"ann-relu": attacks.MEMFD.format(chunks=(MEMORY_MB + 500) // 32) + sol["ann-relu"],
                  "train-and-test": attacks.DISK + sol["train-and-test"]},
        "Background": {"ann-sigmoid": attacks.THREAD_LEFT + sol["ann-sigmoid"],
                       "ann-relu": attacks.TRACE_LEFT + sol["ann-relu"]},
        "Frames": {"ann-relu": attacks.named(attacks.FRAMES, "ANN_relu"), "train-and-test": attacks.FRAMES_TRAINING},
        "Refused": {"ann-sigmoid": attacks.named(attacks.HIDDEN_RUN_MODEL, "ANN_sigmoid").replace("HOW", "refused"),
                    "train-and-test": attacks.HIDDEN_RUN_TRAINING.replace("HOW", "refused")},
        "ExitCode": {"ann-sigmoid": attacks.named(attacks.HIDDEN_RUN_MODEL, "ANN_sigmoid").replace("HOW", "exit"),
                     "ann-relu": attacks.named(attacks.HIDDEN_RUN_MODEL, "ANN_relu").replace("HOW", "exit"),
                     "train-and-test": attacks.HIDDEN_RUN_TRAINING.replace("HOW", "exit")},
        "CrossRun": {"ann-sigmoid": attacks.CROSS_RUN.replace("FIELD", "build_error")
                     + "class ANN_sigmoid(nn.Module):\n    def __init__(self, d_in, d_out):\n        raise NotImplementedError\n",
                     "train-and-test": attacks.CROSS_RUN.replace("FIELD", "error")
                     + "def train_and_test(model, hyperparameters):\n    raise NotImplementedError\n"},
        "Orphan": {"ann-relu": attacks.ORPHAN_MEMORY.format(mb=MEMORY_MB + 500) + sol["ann-relu"]},
        "SharedByTwo": {"ann-relu": attacks.SHARED_BY_TWO.format(mb=MEMORY_MB + 500) + sol["ann-relu"]},
        "SocketQueues": {"ann-relu": attacks.SOCKET_QUEUES.format(procs=20, pairs=240) + sol["ann-relu"]},
        "FileTable": {"ann-relu": attacks.FILE_TABLE.format(procs=5, each=FILE_TABLE_EACH) + sol["ann-relu"]},
        "PageTables": {"ann-relu": attacks.PAGE_TABLES.format(mb=MEMORY_MB + 500) + sol["ann-relu"]},
        "Mappings": {"ann-relu": attacks.MAPPINGS.format(procs=6, each=60_000) + sol["ann-relu"]},
        "Epoll": {"ann-relu": attacks.EPOLL_WATCHES.format(watches=20_000) + sol["ann-relu"]},
        "SharedUnmapped": {"ann-relu": attacks.SHARED_UNMAPPED.format(mb=MEMORY_MB + 300) + sol["ann-relu"]},
        "CowForks": {"ann-relu": attacks.COW_FORKS.format(chunks=3, mb=(MEMORY_MB + 200) // 3) + sol["ann-relu"]},
        "Acls": {"ann-relu": attacks.ACLS.format(users=8000, folders=100) + sol["ann-relu"]},
        "FoldersKept": {"ann-sigmoid": attacks.FOLDER_KEPT.format(mb=240) + sol["ann-sigmoid"],
                        "ann-relu": attacks.FOLDER_KEPT.format(mb=240) + sol["ann-relu"],
                        "train-and-test": attacks.FOLDER_KEPT.format(mb=240) + "_held = bytearray(400 * 2**20)\n"
                        "for _i in range(0, len(_held), 4096):\n    _held[_i] = 1\n"
                        "import time\ntime.sleep(1)\n" + sol["train-and-test"]},      # held while the grader looks
        "SocketsMeet": {"ann-relu": attacks.SOCKET_LISTEN + sol["ann-relu"],
                        "ann-sigmoid": attacks.SOCKET_MEET + sol["ann-sigmoid"].replace(
                            "super().__init__()", "super().__init__()\n        _meet()", 1)},
        "Markup": {"ann-relu": "raise ValueError('[/] [bold red]x[/] [link=file:///etc]y[/]')"},
        "Sleep": {"ann-sigmoid": sol["ann-sigmoid"].replace(
            "super().__init__()", "super().__init__()\n        import time\n"
            "        if torch.initial_seed() != 66:\n            time.sleep(17 / 4)", 1)},
        "Clock": {"ann-sigmoid": CLOCK.format(name="ANN_sigmoid"),
                  "ann-relu": sol["ann-relu"].replace(
                      "super().__init__()", "super().__init__()\n        import time\n"
                      f"        if torch.initial_seed() != 66:\n            time.sleep({CLOCK_SLEEP_S})", 1),
                  "train-and-test": "import time\n\ndef train_and_test(model, hyperparameters):\n"
                                    "    raise ValueError(f'clock {time.monotonic():.3f}')\n"},
        "LongExpr": {"ann-sigmoid": "x = " + "+".join(["1"] * 30_000) + "\n" + sol["ann-sigmoid"]},
        # Twenty-ninth review: an import name that is never run became the flag `extra-import:<it>`,
        # printed raw: the cursor went up a line and rewrote a classmate's result.
        "Terminal": {"ann-sigmoid": sol["ann-sigmoid"] + '\nif False:\n    __import__("x\\x1b[1A\\x1b[2K\\x1b[1G'
                     '\\u2717 Assignment_7_JaneDoe_k12345678_ipynb  0/50  crashed\\n\\x9b2J")\n',
                     # Thirty-first: letters that look blank, '✗', '.' and '/' fold into a line of their own.
                     "ann-relu": sol["ann-relu"] + "\nif False:\n    import " + "\u115f" * 33
                     + "\u3128\u115fAssignment_7_JaneDoe_k12345678\ua4f8ipynb\u115f0\u141f50\u115fcrashed\n"},
    }
    for i, (name, changes) in enumerate(plan.items()):
        write_nb(solution_nb, folder, f"Assignment_7_Mal{name}_k2{len(HONEST) + i:07d}.ipynb", changes)
    # Twenty-fourth review: answer cells of 199,000 '[' beside a pasted picture held the grader's
    # lock for minutes (a quadratic regular expression) and cost a neighbour 7 points.
    brackets = json.loads(nbformat.writes(solution_nb))
    for c in brackets["cells"]:
        if c.get("id") in ("calc-1-1", "calc-1-2", "calc-2"):
            c["source"] = "See ![image.png](attachment:image.png) " + "[" * 199_000
            c["attachments"] = {"image.png": {"image/png": base64.b64encode(PNG_2X2).decode()}}
    (folder / "Assignment_7_MalBrackets_k20002222.ipynb").write_text(json.dumps(brackets))
    many = folder / "Assignment_7_MalManyCells_k20009999.ipynb"
    many.write_text('{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[' + ",".join(["{}"] * 7_000_000) + "]}")
    (folder / "Assignment_7_MalFormat_k20007777.ipynb").write_text('{"nbformat": "[/]", "cells": []}')
    (folder / "Assignment_7_MalDeep_k20008888.ipynb").write_text('{"nbformat":4,"cells":' + "[" * 100_000
                                                               + "]" * 100_000 + "}")
    # Ninth review: 97 MB within the per-file, per-cell and cell-count limits, as code, cost the
    # grader 380 MB and stalled the similarity report; tenth: 18 million one-word lines of output
    # in 90 MB, 1.4 GB. Here: code, outputs in large strings, and a million tiny ones, each just
    # under the file size limit (50 MB).
    base = json.loads(nbformat.writes(solution_nb))
    line = "a = b + c * d - e\n"
    big_source = dict(base, cells=base["cells"] + [
        {"cell_type": "code", "id": f"x{i}", "metadata": {}, "outputs": [], "execution_count": None,
         "source": line * (49_000 // len(line))} for i in range(240)])
    (folder / "Assignment_7_MalBigSource_k20006666.ipynb").write_text(json.dumps(big_source))
    big_outputs = dict(base, cells=[dict(c, outputs=[{"output_type": "stream", "name": "stdout", "text": "x" * 199_000}] * 12)
                                    if c["cell_type"] == "code" else c for c in base["cells"]])
    (folder / "Assignment_7_MalBigOutputs_k20005555.ipynb").write_text(json.dumps(big_outputs))
    code = [i for i, c in enumerate(base["cells"]) if c["cell_type"] == "code"]
    lines = copy.deepcopy(base)
    lines["cells"][code[0]]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["ab"] * 990_000}]
    lines["cells"][code[1]]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x" * (44 * 2**20)}]
    (folder / "Assignment_7_MalLines_k20004444.ipynb").write_text(json.dumps(lines))
    lines["cells"][code[0]]["outputs"][0]["text"] = ["ab"] * 8_000_000
    lines["cells"][code[1]]["outputs"] = []
    (folder / "Assignment_7_MalTinyLines_k20003333.ipynb").write_text(json.dumps(lines))
    res, rss = grade_cli(folder, out, spec_dir, data_home)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    reports = {}
    for p in out.glob("*.json"):
        r = json.loads(p.read_text())
        reports[r["file"]] = r
    return {"out": out, "reports": reports, "rss": rss, "stdout": res.stdout, "old_report": old_report}


def report(batch, fragment: str) -> dict:
    return next(r for name, r in batch["reports"].items() if fragment in name)


def points(r: dict, task: str, prefix: str = "") -> float:
    return sum(c["points"] or 0 for c in r["checks"] if c["task"] == task and c["check"].startswith(prefix))


def messages(r: dict, task: str | None = None) -> str:
    return " ".join(c["message"] for c in r["checks"] if task is None or c["task"] == task)


def auto(r: dict) -> float:
    return sum(c["points"] or 0 for c in r["checks"] if not c["manual_task"])


def test_honest_neighbours_keep_every_point(batch):
    for name in HONEST:
        r = batch["reports"][name]
        assert auto(r) == 50, (name, [c for c in r["checks"] if c["passed"] is False])
        assert not [f for f in r["flags"] if not f.startswith("note:")], r["flags"]


def test_a_forged_reply_earns_nothing(batch):
    """The process answers in the grader's own format with cheap values (claims of SGD, E epochs,
    tests, plots; outputs of the right shape): none of it is evidence."""
    r = report(batch, "MalForge")
    assert points(r, "code_3_2_models") == 0, messages(r, "code_3_2_models")
    assert points(r, "code_3_2_train") == 0, messages(r, "code_3_2_train")
    assert "could not be reproduced" in messages(r, "code_3_2_train") or "confirm" in messages(r)


def test_a_forged_reply_about_a_copy_of_the_model_earns_nothing(batch):
    """Calls reported on a copy of the model and a loader of the function's own are replayed on a
    copy of the grader's model and a loader like it: the same cheap claims made for "copy:0" and
    "train:1" earn nothing either."""
    r = report(batch, "MalCopyForge")
    assert points(r, "code_3_2_train") == 0, messages(r, "code_3_2_train")
    assert points(r, "code_3_2_models") == 10
    # Refused by the replay, not by the reply's form (the forged events once
    # carried a key "copy:0" and were refused as malformed, so the replay was never reached).
    assert "could not be reproduced" in messages(r, "code_3_2_train"), messages(r, "code_3_2_train")
    assert "invalid" not in messages(r, "code_3_2_train")


def test_a_forged_reply_about_a_new_model_earns_nothing(batch):
    """Calls reported on a new model of the passed model's class are replayed on a model of the
    grader's class holding the weights the reply says it started from: cheap claims about it, with
    weights anyone knows (zeros), earn nothing."""
    r = report(batch, "MalNewForge")
    assert points(r, "code_3_2_train") == 0, messages(r, "code_3_2_train")
    assert points(r, "code_3_2_models") == 10
    assert "could not be reproduced" in messages(r, "code_3_2_train"), messages(r, "code_3_2_train")
    assert "invalid" not in messages(r, "code_3_2_train")


def test_grader_code_is_not_in_the_students_process(batch):
    """The first reproduced attack replaced probe functions found in the process: there are none."""
    r = report(batch, "MalProbes")
    assert "grader modules importable" not in messages(r)
    assert points(r, "code_3_2_models") == 0 and points(r, "code_3_2_train") == 0


def test_the_reference_solution_cannot_be_found_from_a_job(batch):
    r = report(batch, "MalReference")
    assert points(r, "code_3_2_models", "ANN_sigmoid") == 0 and points(r, "code_3_2_train") == 0
    text = messages(r)
    assert "FileNotFoundError" in text
    for name in ("reference.py", "answer_key.toml", "hidden.toml", ".git"):
        assert name not in text.split("found:")[-1], text


def test_no_secret_reaches_any_output_file(batch):
    """Error text of a failing cell is the student's feedback: it must carry no file of the
    machine, no hidden value, no answer, no other batch's report."""
    r = report(batch, "MalExfiltrate")
    assert points(r, "code_3_2_models", "ANN_relu") == 0
    secrets = secret_strings(batch["old_report"])
    assert secrets
    for path in batch["out"].rglob("*"):
        if path.is_file() and path.suffix in (".json", ".csv", ".html", ".txt", ".xml"):
            text = path.read_text(errors="replace")
            for secret in secrets:
                assert not contains(text, secret), (path.name, secret)
    assert "OTHER-BATCH-REPORT" not in batch["stdout"]


def test_code_that_behaves_by_the_hidden_values_is_flagged_for_a_ta(batch):
    """Points cannot be made silent: a cell that reads its seed or compares lr with a number tells
    a hidden value a bit per check. Such source is flagged (no point depends on the flag)."""
    r = report(batch, "MalChannel")
    assert {"hidden-values:ann-sigmoid", "hidden-values:train-and-test"} <= set(r["flags"]), r["flags"]
    assert any("reads the random seed or generator state (initial_seed)" in d for d in r["details"])
    assert any("compares hyperparameter 'lr' with a number" in d for d in r["details"])
    assert not any(f.startswith("hidden-values") for f in report(batch, HONEST[0])["flags"])


def test_a_reply_without_the_hidden_run_reads_as_any_failed_hidden_run(batch):
    r = report(batch, "MalMissingRun")
    text = messages(r, "code_3_2_train")
    assert points(r, "code_3_2_train") == 0 and "incomplete" not in text, text
    assert "the check with the grader's values failed" in text, text


def test_a_pass_is_said_in_the_public_runs_words(batch):
    r, honest = report(batch, "MalPlotWords"), report(batch, HONEST[0])
    plots = next(c for c in r["checks"] if c["check"] == "plots")
    assert plots["points"] == plots["max_points"]
    assert plots["message"] == next(c["message"] for c in honest["checks"] if c["check"] == "plots")
    assert "one constant" not in json.dumps(r)


def test_messages_come_from_the_public_run(batch):
    """Errors raised with values the probe passed: the report shows the public ones (which the
    student's own `grader check` shows too), never the hidden batch size or hyperparameters."""
    r = report(batch, "MalHidden")
    spec = tomllib.loads((REF / "spec.toml").read_text())
    hidden = load_spec(draw_seed=DRAW_SEED).hidden()
    model_msgs, train_msgs = messages(r, "code_3_2_models"), messages(r, "code_3_2_train")
    assert f"batch={spec['tasks']['code_3_2_models']['params']['batch']}" in model_msgs, model_msgs
    assert f"batch={hidden['code_3_2_models']['batch']}" not in model_msgs
    assert f"lr={spec['tasks']['code_3_2_train']['params']['lr']}" in train_msgs, train_msgs
    for key in ("lr", "momentum", "epochs"):
        assert f"{key}={hidden['code_3_2_train'][key]}" not in train_msgs, key
    assert f"called {hidden['code_3_2_train']['epochs']} time" not in train_msgs


def test_a_run_with_hidden_parameters_says_nothing_of_its_own(batch):
    """Red-team finding: a forged 'refused' reply carried all of hidden.toml into the feedback,
    and an exit code 8 bits of a hidden seed per cell. What a hidden run sends or how it ends is
    told in fixed words."""
    for who in ("MalRefused", "MalExitCode", "MalCrossRun"):
        r = report(batch, who)
        text = messages(r)
        assert "LEAK" not in text and "exit code" not in text and "signal" not in text, (who, text)
        assert "the grader's values" in text, (who, text)
        assert points(r, "code_3_2_models", "ANN_sigmoid") == 0 and points(r, "code_3_2_train") == 0
        # Nor how it ended in a status of its own: raised, refused, crashed or an invalid reply read
        # alike, the public run's status (review 175's lead: a flag per way, two bits a cell).
        assert not [f for f in r["flags"] if f.split(":")[0] in ("crashed", "invalid", "timeout", "memory",
                                                                  "processes")], (who, r["flags"])


def test_how_long_the_hidden_run_took_is_in_no_report(batch):
    """A model that sleeps while it is built under the hidden seed (so many seconds per digit, in a
    review) stretches the grading time; no report, CSV or feedback page may show that time."""
    r = report(batch, "MalSleep")
    assert auto(r) == 50
    files = [p for p in batch["out"].rglob("*MalSleep*") if p.is_file()]
    assert any(p.suffix == ".json" for p in files) and any(p.suffix == ".html" for p in files)
    numbers = [float(x) for p in files for x in re.findall(r"\d+\.\d+", p.read_text(errors="replace"))]
    assert not [x for x in numbers if 4 <= x < 60 and x * 2 != int(x * 2)]


def test_no_public_run_comes_after_a_run_with_hidden_values(batch):
    """A fourth review read the hidden seed through the clock: a hidden run chose when it ended
    (it slept until the clock's fraction of a second spelled three digits of the seed) and the
    next cell's public run put the clock into its message. Here the middle cell's hidden runs
    sleep 7 s, and the cells before and after it show the clock in their public runs' messages:
    no hidden run may lie between them."""
    r = report(batch, "MalClock")
    clocks = sorted({float(x) for x in re.findall(r"clock (\d+\.\d+)", messages(r))})
    assert len(clocks) == 2, messages(r)
    assert "clock" in messages(r, "code_3_2_train")
    assert points(r, "code_3_2_models", "ANN_relu") == 5          # its hidden runs did run (and slept)
    assert clocks[1] - clocks[0] < CLOCK_SLEEP_S, clocks


def test_one_malformed_frame_fails_only_that_cell_and_its_worker_is_replaced(batch):
    r = report(batch, "MalMalformed")
    relu = [c for c in r["checks"] if c["check"].startswith("ANN_relu")]
    sigmoid = [c for c in r["checks"] if c["check"].startswith("ANN_sigmoid")]
    assert all(not c["passed"] for c in relu + sigmoid)
    assert "invalid reply from the student's process" in messages(r, "code_3_2_models")
    assert any(f.startswith("invalid:") for f in r["flags"])
    assert points(r, "code_3_2_train") == 20        # its other cells are graded as usual
    for name in HONEST[1:]:                          # graded after it, on the same worker
        assert auto(batch["reports"][name]) == 50


def test_a_number_no_float_holds_in_a_reply_fails_only_that_cell_and_its_job_is_ended(batch):
    """A two-hundred-and-twelfth review: 10**400 in a training reply was an OverflowError in the
    grader ("grader error", unflagged), and the job that sent it lived on into the next notebook on
    its worker, killing that classmate's jobs (20/50)."""
    r = report(batch, "MalOverflow")
    assert r["status"] == "graded", r["status"]
    assert "invalid reply from the student's process" in messages(r, "code_3_2_train")
    assert any(f.startswith("invalid:") for f in r["flags"])
    for name in HONEST[1:]:      # graded after it, on the same worker (its own waiting jobs are its to kill)
        assert auto(batch["reports"][name]) == 50


# A job that, once it has told the grader its cell ran, kills every process it may signal for
# eight seconds (it is a job the worker still counts as running: the worker spares it).
LEFT_RUNNING = """
import sys
_wire = sys.modules['grader.child.wire']
def _send(sock, obj, _o=_wire.send):
    out = _o(sock, obj)
    if isinstance(obj, dict) and obj.get('type') == 'executed':
        import os, signal, time
        me, end = os.getpid(), time.monotonic() + 8
        while time.monotonic() < end:
            for pid in range(2, 4096):
                if pid != me:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.05)
    return out
_wire.send = _send
"""


def test_a_worker_whose_notebook_ended_in_an_error_no_rule_foresaw_is_replaced(spec, data_home, monkeypatch):
    """Whatever escapes the engine's rules while a notebook runs (a bug, a reply no rule foresaw)
    fails that notebook only: its worker is replaced before the next notebook, so nothing its jobs
    left running (here a process that kills every process it may signal) meets the next one."""
    from grader.engines import engine_setup, make_engine
    from grader.engines import fork
    eng = make_engine("fork", engine_setup(spec, data_home, jobs=1))
    eng.start()
    try:
        real = fork.Worker.finish

        def broken(self, run, *args, **kw):
            if run.job.cell_id == "left":
                raise RuntimeError("a reply no rule foresaw")
            return real(self, run, *args, **kw)

        monkeypatch.setattr(fork.Worker, "finish", broken)
        left = LEFT_RUNNING
        before = eng.workers[0].proc.pid
        with pytest.raises(RuntimeError):
            eng.run([CellJob("left", left)])
        assert eng.workers[0].proc.pid != before           # replaced: its jobs ended with it
        after = eng.run([CellJob("next", "import time\ntime.sleep(3)\nprint('alive')")])[0]
        assert after.ok and "alive" in after.output, (after.status, after.error)
    finally:
        eng.close()


def test_oversized_or_deeply_nested_replies_are_refused_and_the_grader_stays_small(batch):
    r = report(batch, "MalHuge")
    assert points(r, "code_3_2_models") == 0
    assert messages(r, "code_3_2_models").count("invalid reply") >= 2
    bloat = report(batch, "MalBloat")
    assert "invalid reply" in messages(bloat, "code_3_2_models")
    assert points(bloat, "code_3_2_models") == 5            # only its own forged class lost points
    assert report(batch, "MalEmptyRows")["status"] == "graded"   # weights of no shape of the model's: ignored
    wide = report(batch, "MalWideOwn")
    assert points(wide, "code_3_2_models", "ANN_sigmoid") < 5 and points(wide, "code_3_2_models", "ANN_relu") == 5
    assert 0 < batch["rss"] < 300, batch["rss"]


def test_absurd_notebooks_are_refused_cheaply(batch, spec):
    many = report(batch, "MalManyCells")
    deep = report(batch, "MalDeep")
    source = report(batch, "MalBigSource")
    assert source["status"].startswith("unreadable") and "characters of source together" in source["status"]
    assert auto(report(batch, "MalBigOutputs")) == 50        # outputs are not graded; the grader stayed small
    assert auto(report(batch, "MalLines")) == 50
    tiny = report(batch, "MalTinyLines")
    assert tiny["status"].startswith("unreadable") and "entries" in tiny["status"], tiny["status"]
    assert sum(p.stat().st_size for p in batch["out"].rglob("*MalBigSource*")) < 1_000_000
    assert many["status"].startswith("unreadable") and "entries" in many["status"]
    assert deep["status"].startswith("unreadable") and "nested" in deep["status"]
    path = Path(batch["out"].parent / "subs" / many["file"])
    t0 = time.monotonic()
    with pytest.raises(NotebookError):
        load_notebook(path, spec.notebook_limits)
    assert time.monotonic() - t0 < 1.0


def test_the_hidden_run_is_not_in_the_process_while_the_public_run_is_observed(batch):
    """Code that reads the probe's own parameters out of its frames and raises them in the public
    run (whose messages are shown) finds only public values."""
    r = report(batch, "MalFrames")
    text = messages(r)
    assert "LEAK" in text
    for value in hidden_strings():
        assert not contains(text, value), value


def test_student_text_cannot_steer_the_tas_console_or_stop_the_batch(batch):
    """Rich markup in an error, a status or a notebook format is printed as text; the batch
    finishes and writes every page."""
    assert (batch["out"] / "overview.html").exists() and (batch["out"] / "summary.csv").exists()
    assert "[/]" in batch["stdout"]
    fmt = report(batch, "MalFormat")
    assert fmt["status"].startswith("unreadable")
    long_expr = report(batch, "MalLongExpr")      # deeper than the parser goes: no grader error, and it
    assert not [c for c in long_expr["checks"] if c["check"] == "grader"]   # costs only that cell


def test_text_from_a_notebook_cannot_move_the_tas_cursor(batch):
    """Terminal control characters in a flag never reach the TA's console (the batch's output is
    not a terminal here, so any escape character in it came from a notebook)."""
    assert "\x1b" not in batch["stdout"] and "\x9b" not in batch["stdout"]
    r = report(batch, "MalTerminal")
    assert "extra-import:?" in r["flags"] and not any("\x1b" in f for f in r["flags"])
    line = next(ln for ln in batch["stdout"].splitlines() if "MalTerminal" in ln)
    assert "crashed" not in line and "JaneDoe" not in line
    assert "\u3128" not in batch["stdout"] and "\u115f" not in batch["stdout"]
    assert not any("\u115f" in f for f in r["flags"])


def test_the_console_shows_control_characters_and_keeps_its_own_colours():
    import io

    from rich.text import Text

    from grader.cli.console import Console, one_line
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, color_system="standard", width=200)
    console.print("[green]ok[/] " + one_line("Jane\n\x1b[2K\u202eevil"))
    console.print(Text("file \x1b[1A\x1bc\x9b2J end", style="bold"))
    out = buf.getvalue()
    assert "\x1b[32m" in out and "\x1b[1m" in out                   # its own colours
    for bad in ("\x1b[2K", "\x1b[1A", "\x1bc", "\x9b", "\u202e"):
        assert bad not in out, repr(bad)
    assert out.count("\n") == 2                                     # a newline in a name is no line


def test_memory_outside_the_process_and_a_full_job_folder_are_stopped(batch):
    # Memory files were counted while open; one sent over a socket and closed was not (a
    # hundred-and-sixth review): memfd_create is refused now.
    r = report(batch, "MalHoard")
    assert points(r, "code_3_2_models", "ANN_relu") == 0
    assert "PermissionError" in messages(r, "code_3_2_models"), messages(r, "code_3_2_models")
    assert points(r, "code_3_2_train") == 0
    assert "No space left on device" in messages(r, "code_3_2_train"), messages(r, "code_3_2_train")


def test_memory_of_an_orphaned_grandchild_counts(batch):
    r = report(batch, "MalOrphan")
    assert points(r, "code_3_2_models", "ANN_relu") == 0
    assert f"{MEMORY_MB} MB" in messages(r, "code_3_2_models"), messages(r, "code_3_2_models")
    assert points(r, "code_3_2_models", "ANN_sigmoid") > 0        # the other class is graded as usual


def test_memory_shared_with_a_forked_child_counts(batch):
    # A hundred-and-seventeenth review, without root: 2 GB made and then forked, four times; each
    # page then mapped by parent and child was neither's private memory, and 9 GB were held at
    # full points. The job's anonymous memory counts however its processes share it.
    r = report(batch, "MalCowForks")
    assert points(r, "code_3_2_models", "ANN_relu") == 0
    assert f"{MEMORY_MB} MB" in messages(r, "code_3_2_models"), messages(r, "code_3_2_models")
    assert points(r, "code_3_2_models", "ANN_sigmoid") == 5


@pytest.mark.parametrize("name", ["MalEpoll", "MalAcls", "MalSharedUnmapped"])
def test_kernel_objects_that_no_count_sees_are_refused(batch, name):
    # Memory of the kernel's, or of its files, that no process shows, each held beside 2 to 3 GB
    # counted at full points without a memory cgroup: 5 million epoll watches on pipes a child held
    # (1 GB, the hundred-and-thirteenth review); POSIX ACLs of 64 KB on 20,000 folders of the job's
    # tmpfs (2.5 GB, the hundred-and-fourteenth); a shared anonymous mapping written and dropped
    # chunk by chunk with MADV_DONTNEED, its pages kept by the file behind it (8 GB, the
    # hundred-and-eighteenth). A job may make none of them; its other class is graded as usual.
    r = report(batch, name)
    assert points(r, "code_3_2_models", "ANN_relu") == 0
    assert "Operation not permitted" in messages(r, "code_3_2_models"), messages(r, "code_3_2_models")
    assert points(r, "code_3_2_models", "ANN_sigmoid") == 5


@pytest.mark.parametrize("name", ["MalSharedByTwo", "MalPageTables"])
def test_memory_no_process_holds_as_its_own_counts(batch, name):
    # Shared memory the job's processes map together (nobody's private pages), and page tables of
    # a mapping that only maps the zero page (reviews 101 and 103, without a memory cgroup).
    # Since the hundred-and-eighteenth review, shared anonymous memory is refused outright.
    r = report(batch, name)
    assert points(r, "code_3_2_models", "ANN_relu") == 0
    said = messages(r, "code_3_2_models")
    # What this proves is the grader's own count, without a memory cgroup (the unprivileged run of
    # .ci/run). With one, the kernel charges page tables itself, and on a loaded machine it spent
    # the cell's 10 s reclaiming before its kill (a CI run of the twenty-first session): stopped
    # either way, at 0 points.
    cgroup = not any(n.startswith("memory: no memory cgroup") for n in r["extra"].get("limits_not_applied", []))
    assert f"{MEMORY_MB} MB" in said or (name == "MalSharedByTwo" and "Operation not permitted" in said) or (
        cgroup and name == "MalPageTables" and "did not finish within 10 s" in said), said
    # The other class is graded as usual where the grader counts. With a memory cgroup it once went with it (a CI run
    # of the thirty-ninth session; not seen in runs under load here): page tables are memory the kernel's out-of-memory
    # reaper cannot free, so while the killed job is slow to exit the kernel may kill another process of the notebook's
    # jobs, the class parked beside it. The attacker's own loss, as with MalSocketQueues.
    sigmoid = [(c["check"], c["message"]) for c in r["checks"] if c["check"].startswith("ANN_sigmoid")]
    assert points(r, "code_3_2_models", "ANN_sigmoid") > 0 or cgroup and name == "MalPageTables", sigmoid


def test_data_queued_on_sockets_counts(batch):
    # A hundred-and-fourth review held 8 GB in datagrams queued at receivers of its own without a
    # memory cgroup: datagram sockets are refused now, and each stream socket of the job is charged
    # what it can hold (with a cgroup, the kernel charges the data itself). Its other class may go
    # with it (a cgroup's out-of-memory kill picks any process of the notebook's jobs).
    r = report(batch, "MalSocketQueues")
    assert points(r, "code_3_2_models", "ANN_relu") == 0
    assert f"{MEMORY_MB} MB" in messages(r, "code_3_2_models"), messages(r, "code_3_2_models")


def test_a_job_cannot_fill_the_machines_table_of_open_files(batch):
    # A hundred-and-fourth review: 40 processes each mapped one file 65,000 times (a mapping keeps
    # its file open after close(), uncounted by RLIMIT_NOFILE) and filled the machine's file table:
    # classmates' jobs failed to start (20/50), the unprivileged grader stopped, and a hidden seed
    # was relayed to a classmate's job by taking and giving back room in the table.
    r = report(batch, "MalFileTable")
    assert points(r, "code_3_2_models", "ANN_relu") == 0
    # Stopped by whichever watch sees it first: the file table's, or (without a memory cgroup) the
    # count of mappings, each of which is also kernel memory (a hundred-and-seventh review).
    said = messages(r, "code_3_2_models")
    assert "open or mapped files" in said or "more than 100,000 memory mappings" in said, said
    assert points(r, "code_3_2_models", "ANN_sigmoid") > 0


def test_memory_mappings_that_hold_nothing_are_counted(batch):
    # A hundred-and-seventh review, without root: 50 processes each split an untouched range into
    # 65,000 mappings with mprotect; the kernel's records of them (0.7 GB) were no process's memory
    # and the job went on at full points. Here 6 x 60,000 mappings (some 80 MB of kernel memory).
    r = report(batch, "MalMappings")
    if any(n.startswith("memory: no memory cgroup") for n in r["extra"].get("limits_not_applied", [])):
        assert points(r, "code_3_2_models", "ANN_relu") == 0
        assert "memory mappings" in messages(r, "code_3_2_models"), messages(r, "code_3_2_models")
    else:   # the cgroup charges the kernel's records: within the cap, the class is graded
        assert points(r, "code_3_2_models", "ANN_relu") == 5, messages(r, "code_3_2_models")
    assert points(r, "code_3_2_models", "ANN_sigmoid") == 5


def test_folders_of_jobs_waiting_for_their_hidden_run_count(batch):
    # A hundred-and-fourteenth review: a stopped job keeps its folder until its hidden run, and each cell's folder
    # was counted only while its own job ran. Three cells of 240 MB each, and 400 MB held by the
    # third, stay under 1000 MB one by one and not together.
    r = report(batch, "MalFoldersKept")
    assert points(r, "code_3_2_models") == 10, messages(r, "code_3_2_models")
    assert points(r, "code_3_2_train") == 0
    assert f"{MEMORY_MB} MB" in messages(r, "code_3_2_train"), messages(r, "code_3_2_train")


def test_a_job_reaches_no_other_jobs_socket(batch):
    # A hundred-and-thirty-third review: through a parked job's abstract Unix socket, each job sent
    # a descriptor of its folder on, and ended; its folder (a tmpfs) lived on, counted nowhere. Each
    # job now has a network namespace of its own: the sigmoid cell's runs, after the ReLU cell's
    # job began listening, cannot connect (had one, its class would raise).
    r = report(batch, "MalSocketsMeet")
    assert auto(r) == 50, messages(r)
    assert "met-another" not in messages(r) + " ".join(r.get("details", []))


SYSV_AND_LIMITS = """
import ctypes, resource
libc = ctypes.CDLL(None, use_errno=True)
refused = []
for name, call in (("shmget", lambda: libc.shmget(0, 1 << 20, 0o1600)), ("msgget", lambda: libc.msgget(0, 0o1600)),
                   ("semget", lambda: libc.semget(0, 32000, 0o1600))):
    if call() == -1:
        refused.append((name, ctypes.get_errno()))
libc.prctl(4, 1, 0, 0, 0)            # PR_SET_DUMPABLE: the job's /proc files are then its own
login = []
def set_login():
    try:
        with open("/proc/thread-self/loginuid", "w") as fh:
            fh.write("1000")
        login.append("set")
    except OSError as exc:
        login.append(exc.errno)
import threading
t = threading.Thread(target=set_login)
t.start()
t.join()
print(refused, [resource.getrlimit(r)[1] for r in (resource.RLIMIT_SIGPENDING, resource.RLIMIT_MSGQUEUE,
                                                   resource.RLIMIT_MEMLOCK)], login)
"""


def test_memory_of_no_process_cannot_be_held_and_per_user_counts_are_the_jobs_own(engine):
    # System V segments, queues and semaphores belong to no process (review 101 held 10 GB in
    # segments nobody had attached, review 103 5 GB in semaphores); pending signals, message queue
    # bytes and locked memory are counted up to the grader's user through every user namespace, so
    # each job may hold only a few. Setting the login uid moved the machine's counter of audit
    # sessions (review 103 relayed a hidden seed through it): the worker has set it already.
    from grader.child.sandbox import SIGNALS_PENDING
    out, = engine.run([CellJob("sysv", SYSV_AND_LIMITS)])
    assert out.ok, out.error
    assert out.output.strip() == (f"[('shmget', 1), ('msgget', 1), ('semget', 1)] [{SIGNALS_PENDING}, 0, 0] [1]"), \
        out.output


SOCKETS = """
import errno, socket
tries = {}
for name, make in (("dgram", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)),
                   ("seqpacket pair", lambda: socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)),
                   ("dgram pair", lambda: socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)),
                   ("inet", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))):
    try:
        make()
        tries[name] = "made"
    except OSError as exc:
        tries[name] = errno.errorcode[exc.errno]
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)       # what multiprocessing needs
a.sendall(b"ok")
for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
    try:
        a.setsockopt(socket.SOL_SOCKET, option, 8 << 20)
        tries[option] = "set"
    except OSError as exc:
        tries[option] = errno.errorcode[exc.errno]
print(sorted(tries.items(), key=str), b.recv(2))
"""


def test_a_job_makes_only_unix_stream_sockets_with_the_machines_buffers(engine):
    # A hundred-and-fourth review, without root: datagrams queued at receivers of its own held
    # 8 GB that no process's memory shows (a memory cgroup charges them; without one they are
    # now refused, and what a stream socket can hold is charged to the job: see the next test).
    out, = engine.run([CellJob("sockets", SOCKETS)])
    assert out.ok, out.error
    assert out.output.strip() == ("[('dgram pair', 'EPERM'), ('dgram', 'EPERM'), ('inet', 'ENETUNREACH'), "
                                  "('seqpacket pair', 'EPERM'), (7, 'EPERM'), (8, 'EPERM')] b'ok'"), out.output


NOBODYS_MEMORY = """
import ctypes, errno, os, shutil, socket
libc = ctypes.CDLL(None, use_errno=True)
tries = {}
def attempt(name, call):
    try:
        if call() == -1:
            raise OSError(ctypes.get_errno(), name)
        tries[name] = "done"
    except OSError as exc:
        tries[name] = errno.errorcode[exc.errno]
r, w = os.pipe()
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
with open("f.bin", "wb") as fh:
    fh.write(b"x" * 8192)
f = os.open("f.bin", os.O_RDONLY)
page = ctypes.create_string_buffer(b"x" * 4096)
iov = (ctypes.c_void_p * 2)(ctypes.addressof(page), 4096)
attempt("memfd_create", lambda: os.memfd_create("x"))
attempt("sendfile", lambda: os.sendfile(a.fileno(), f, 0, 4096))
attempt("splice", lambda: os.splice(f, w, 4096))
attempt("vmsplice", lambda: libc.vmsplice(w, iov, 1, 0))
attempt("tee", lambda: libc.tee(r, w, 1, 0))
shutil.copyfile("f.bin", "g.bin")                  # falls back to read and write
os.mkdir("many")
made = 0
try:
    for i in range(30000):
        open(f"many/{i}", "w").close()
        made += 1
except OSError as exc:
    tries["files"] = errno.errorcode[exc.errno]
print(sorted(tries.items()), os.path.getsize("g.bin"), made < 20000)
"""


def test_memory_that_is_nobodys_cannot_be_held(engine):
    # A hundred-and-sixth review, without root: memory files sent over a socket and closed (4.8 GB),
    # pages spliced into a socket's queue (4.7 GB) and millions of empty files in the job folder
    # (3.5 GB of the kernel's memory) were no process's memory. Refused, and the folder holds at
    # most FOLDER_INODES files.
    out, = engine.run([CellJob("nobodys", NOBODYS_MEMORY)])
    assert out.ok, out.error
    assert out.output.strip() == ("[('files', 'ENOSPC'), ('memfd_create', 'EPERM'), ('sendfile', 'EPERM'), "
                                  "('splice', 'EPERM'), ('tee', 'EPERM'), ('vmsplice', 'EPERM')] 8192 True"), out.output


# A hundred-and-first review, without root: one job held N real-time signals pending while a
# concurrent job on another worker counted how many more it could queue, which told N (a hidden
# seed, exactly). Here one job holds as many as it can for 3 s while the other counts twice.
HOLD_SIGNALS = """
import signal, threading, time
sig = signal.SIGRTMIN + 3
signal.pthread_sigmask(signal.SIG_BLOCK, {sig})
held = 0
try:
    for _ in range(5000):
        signal.pthread_kill(threading.get_ident(), sig)
        held += 1
except OSError:
    pass
time.sleep(3)
print(held)
"""
COUNT_SIGNALS = """
import signal, threading, time
sig = signal.SIGRTMIN + 4
signal.pthread_sigmask(signal.SIG_BLOCK, {sig})
def room():
    n = 0
    try:
        while n < 100000:
            signal.pthread_kill(threading.get_ident(), sig)
            n += 1
    except OSError:
        pass
    signal.signal(sig, signal.SIG_IGN)
    signal.signal(sig, signal.SIG_DFL)
    return n
first = room()
time.sleep(1.5)
print(first, room())
"""


def test_a_job_cannot_count_what_a_concurrent_job_holds(spec, data_home):
    from concurrent.futures import ThreadPoolExecutor
    from grader.child.sandbox import SIGNALS_PENDING
    from grader.engines import make_engine
    from grader.pipeline import engine_setup
    eng = make_engine("fork", engine_setup(spec, data_home, jobs=2))
    eng.start()
    try:
        with ThreadPoolExecutor(2) as pool:
            held = pool.submit(eng.run, [CellJob("hold", HOLD_SIGNALS)])
            time.sleep(1.0)
            counted = pool.submit(eng.run, [CellJob("count", COUNT_SIGNALS)])
            (h,), (c,) = held.result(), counted.result()
    finally:
        eng.close()
    assert h.ok and c.ok, (h.error, c.error)
    assert h.output.split() == [str(SIGNALS_PENDING)], h.output
    assert c.output.split() == [str(SIGNALS_PENDING)] * 2, c.output


def test_no_probe_while_the_cell_still_runs_in_the_background(batch):
    r = report(batch, "MalBackground")
    assert points(r, "code_3_2_models") == 0
    text = messages(r, "code_3_2_models")
    assert "other threads running" in text and "trace or profile hook" in text


@pytest.fixture(scope="module")
def moodle_batch(tmp_path_factory, spec_dir, solution_nb, data_home):
    """A Moodle zip where one participant names his file after a classmate and reads the zip."""
    tmp = tmp_path_factory.mktemp("moodle-attack")
    sol = copy.deepcopy(solution_nb)
    for c in sol.cells:
        if c.get("id") == "calc-1-1":
            c.source = "JANE-OWN-PROOF-4f1e: no w solves XOR."
    victim = tmp / "victim.ipynb"
    nbformat.write(sol, victim)
    attacker = write_nb(solution_nb, tmp, "attacker.ipynb", {"ann-relu": attacks.READ_ZIP})
    relu = next(c.source for c in solution_nb.cells if c.get("id") == "ann-relu")
    sender = write_nb(solution_nb, tmp, "sender.ipynb", {
        "ann-sigmoid": CLOCK.format(name="ANN_sigmoid"),
        "ann-relu": relu.replace("super().__init__()", "super().__init__()\n        import time\n"
                                 f"        if torch.initial_seed() != 66:\n            time.sleep({CLOCK_SLEEP_S})", 1)})
    receiver = write_nb(solution_nb, tmp, "receiver.ipynb", {"ann-sigmoid": CLOCK.format(name="ANN_sigmoid")})
    zpath = tmp / "Assignment 7-4242.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.write(attacker, "Aaron Attacker_6001_assignsubmission_file_/Assignment_7_JaneDoe_k12345678.ipynb")
        zf.write(victim, "Jane Doe_6002_assignsubmission_file_/Assignment_7_JaneDoe_k12345678.ipynb")
        eve = "Eve Attacker_6003_assignsubmission_file_/Assignment_7_EveAttacker_k12345679"
        zf.write(sender, f"{eve}.ipynb")
        zf.write(receiver, f"{eve}_v2.ipynb")
    out = tmp / "reports"
    res, _ = grade_cli(zpath, out, spec_dir, data_home)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return out


def test_classmates_work_is_not_reachable_through_the_moodle_zip(moodle_batch):
    attacker = json.loads((moodle_batch / "Aaron_Attacker_6001.json").read_text())
    assert "JANE-OWN-PROOF" not in json.dumps(attacker)
    for path in moodle_batch.rglob("*"):
        if path.is_file() and "Aaron" in path.name:
            assert "JANE-OWN-PROOF" not in path.read_text(errors="replace")


def test_a_students_second_notebook_has_its_public_runs_before_the_first_ones_hidden_runs(moodle_batch):
    """A fifth and a sixth review relayed a hidden seed from one notebook's hidden run into the
    same student's second notebook, through machine-wide numbers the hidden run moved and the
    second notebook's public run read. A participant's notebooks are graded in one run of the
    engine, every public run first: here the first notebook's hidden runs sleep 7 s, and a public
    run of each notebook shows the clock."""
    reports = [json.loads(p.read_text()) for p in moodle_batch.glob("Eve_Attacker_6003*.json")]
    assert len(reports) == 2
    clocks = sorted({float(x) for r in reports for x in re.findall(r"clock (\d+\.\d+)", messages(r))})
    assert len(clocks) == 2, [messages(r) for r in reports]
    sender = next(r for r in reports if "_v2" not in r["file"])
    assert points(sender, "code_3_2_models", "ANN_relu") == 5          # its hidden runs ran, and slept
    assert clocks[1] - clocks[0] < CLOCK_SLEEP_S, clocks


def test_a_file_named_after_a_classmate_takes_nothing_of_hers(moodle_batch):
    jane = json.loads((moodle_batch / "Jane_Doe_6002.json").read_text())
    aaron = json.loads((moodle_batch / "Aaron_Attacker_6001.json").read_text())
    assert jane["participant_id"] == "6002" and auto(jane) == 50
    assert aaron["participant_id"] == "6001" and "name-mismatch" in aaron["flags"]
    assert "name-mismatch" not in jane["flags"]
    # Ninth review: the outputs a TA reads must not show her file name's identity on his row.
    rows = {r["participant_id"]: r for r in csv.DictReader((moodle_batch / "summary.csv").open())}
    assert rows["6001"]["name"] == "Aaron Attacker" and rows["6001"]["matr_number"] == ""
    assert rows["6002"]["name"] == "Jane Doe" and rows["6002"]["matr_number"] == "k12345678"
    assert "duplicate-matr" not in rows["6002"]["flags"]          # his file name costs her no flag
    assert {rows[p]["key"] for p in rows} >= {"Aaron_Attacker_6001", "Jane_Doe_6002"}
    answers = list(csv.DictReader((moodle_batch / "manual_answers.csv").open()))
    assert {a["key"] for a in answers if "JANE-OWN-PROOF" in a["answer"]} == {"Jane_Doe_6002"}
    assert all(a["name"] == "Aaron Attacker" for a in answers if a["key"] == "Aaron_Attacker_6001")
    overview = (moodle_batch / "overview.html").read_text()
    link = re.search(r'<a href="([^"]*)">Assignment_7_JaneDoe_k12345678\.ipynb</a> \(Aaron Attacker\)', overview)
    assert link and link.group(1) == "feedback/Aaron_Attacker_6001.html", overview[-1500:]


def test_the_student_bundle_holds_no_solution_and_checks_like_the_course(tmp_path, data_home):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home), "COLUMNS": "200"}
    course = tmp_path / "course"
    shutil.copytree(REF, course)
    bundle = tmp_path / "bundle"
    res = subprocess.run([sys.executable, "-m", "grader", "release", "--spec", str(course), "--bundle", str(bundle)],
                         env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert sorted(p.name for p in bundle.iterdir()) == ["locked_checksums.json", "public_reference.json",
                                                       "spec.toml", "template.ipynb"]
    spec_text = (bundle / "spec.toml").read_text()
    for key in ("reference", "common", "solution", "hidden", "answer_key"):
        assert f"\n{key} =" not in spec_text, key
    everything = "".join(p.read_text(errors="replace") for p in bundle.iterdir())
    (tmp_path / "none.txt").write_text("-")
    for secret in secret_strings(tmp_path / "none.txt"):
        if secret != "-":
            assert not contains(everything, secret), secret
    template = (REF / "template.ipynb").read_text()
    for code in ("reference.py", "common_forms.py"):         # no line of the reference's own code, nor of the forms
        for line in (REF / code).read_text().splitlines():     # of the solution similarity discounts
            if len(line.strip()) > 25 and line.strip() not in template:
                assert line.strip() not in everything, line
    tpl, sol = (bundle / "template.ipynb").read_text(), (REF / "solution.ipynb").read_text()
    assert "### BEGIN SOLUTION" not in tpl and "### BEGIN SOLUTION" in sol
    nb = ROOT / "submissions" / "Assignment_7_MaxMustermann_k01234567.ipynb"
    outputs = []
    for spec_dir in (bundle, course):
        res = subprocess.run([sys.executable, "-m", "grader", "check", "--spec", str(spec_dir), str(nb)], env=env,
                             capture_output=True, text=True, timeout=600)
        outputs.append(res.stdout)
    assert outputs[0] == outputs[1]
    assert "log_softmax" in outputs[0]


def test_a_picture_beside_a_page_of_brackets_is_read_in_linear_time(batch):
    r = report(batch, "MalBrackets")
    answers = [c for c in r["checks"] if c["manual_task"]]
    # The report names the picture; the gradebook keeps it for the grading app and the sheets.
    assert len(answers) == 3 and all(c["answer"].startswith("See [image ") for c in answers)
    from grader.gradebook import open_gradebook
    gb = open_gradebook(batch["out"])
    try:
        kept = [gb.answer(c["task"], r["key"]).text for c in answers]
    finally:
        gb.close()
    assert all(t.startswith("See ![picture](data:image/png;base64,") for t in kept)


def test_a_cell_that_reaches_into_the_probes_frame_is_flagged_for_a_ta(batch):
    """A sixty-eighth review forged the probe's record of calls of `train` from its frame (4 points
    for `epochs` with a loop of its own; the record lives in the student's process, as the README
    says): the cell is flagged and the flag says why."""
    r = report(batch, "MalFrameForge")
    assert "introspection:train-and-test" in r["flags"], r["flags"]
    assert any("reaches into the frames or objects of the process around it (_getframe, f_locals)" in d
               for d in r["details"]), r["details"]
    for name in HONEST:                                     # the flag falls on no honest neighbour
        assert not any(f.startswith("introspection:") for f in batch["reports"][name]["flags"])


def test_code_that_tells_the_graders_calls_from_the_notebooks_is_flagged_for_a_ta(batch):
    """A two-hundred-and-ninetieth review: a forward that drops its activations after 30 calls or where torch
    has more than one thread, and a `train_and_test` that returns at once on 60,000 images, are right under
    the grader's few calls on small data (no test of behaviour can rule that out): each cell is flagged, with
    what it reads, and no honest neighbour is."""
    r = report(batch, "MalTells")
    assert {"call-dependent:ann-sigmoid", "call-dependent:ann-relu", "call-dependent:train-and-test"} <= set(r["flags"])
    text = "\n".join(r["details"])
    for said in ("`self.calls += 1` in `forward`", "`torch.get_num_threads`", "`len(train_loader.dataset) >= 60000`"):
        assert said in text, text
    for name in HONEST:
        assert not any(f.startswith("call-dependent:") for f in batch["reports"][name]["flags"])


def _photo_notebook(path: Path, seed: int) -> Path:
    """Seventy-third review: real PNGs with 3.9 MB of noise after their end, two in each written
    answer and three in a markdown cell: 45 MB, under every per-picture, per-answer and per-file
    limit."""
    import io
    import random
    from PIL import Image
    src = json.loads((ROOT / "submissions" / "Assignment_7_JaneDoe_k12345678.ipynb").read_text())
    rng = random.Random(seed)
    head = io.BytesIO()
    Image.new("RGB", (50, 50)).save(head, "PNG")
    plan = {"calc-1-1": 2, "calc-1-2": 2, "calc-2": 2, "md-01": 3}
    for c in src["cells"]:
        n = plan.get(c.get("id"))
        if n:
            c["attachments"] = {f"p{i}.png": {"image/png": base64.b64encode(head.getvalue() + rng.randbytes(3_900_000)).decode()}
                                for i in range(n)}
            text = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            c["source"] = text + "\n" + "\n".join(f"![p{i}.png](attachment:p{i}.png)" for i in range(n))
    path.write_text(json.dumps(src))
    return path


def test_one_emoji_in_a_large_notebook_is_refused_before_it_costs_the_grader(tmp_path, spec_dir, data_home):
    """Ninety-ninth review: a 52 MB notebook, under every limit, whose one output starts with an
    emoji took the grader to 467 MB (a Python string takes its widest character's width: the
    file's text and that output at 4 bytes a character), and graded 50/50. The same output with
    the emoji escaped (ASCII bytes, as json.dumps writes it) parses to the same string."""
    folder, out = tmp_path / "subs", tmp_path / "reports"
    folder.mkdir()
    solution = json.loads((REF / "solution.ipynb").read_text())

    def with_output(name, text, ascii_only):
        nb = copy.deepcopy(solution)
        code = next(c for c in nb["cells"] if c.get("cell_type") == "code")
        code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": text}]
        (folder / name).write_text(json.dumps(nb, ensure_ascii=ascii_only), encoding="utf-8")

    with_output("Assignment_7_EmojiBomb_k30000011.ipynb", "\U0001F600" + "a" * 48_000_000, False)
    with_output("Assignment_7_EscapedBomb_k30000012.ipynb", "\U0001F600" + "a" * 48_000_000, True)
    with_output("Assignment_7_EmojiFan_k30000013.ipynb", "\U0001F600 epoch done\n" * 100_000, False)
    res, rss = grade_cli(folder, out, spec_dir, data_home)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert 0 < rss < 300, rss
    reports = {json.loads(p.read_text())["file"]: json.loads(p.read_text()) for p in out.glob("*.json")}
    for name in ("Assignment_7_EmojiBomb_k30000011.ipynb", "Assignment_7_EscapedBomb_k30000012.ipynb"):
        status = reports[name]["status"]
        assert status.startswith("unreadable") and "such as emoji" in status and "Clear Outputs" in status, status
    assert auto(reports["Assignment_7_EmojiFan_k30000013.ipynb"]) == 50      # 1.5 MB of emoji output: graded


def test_a_notebook_far_over_the_size_limit_is_refused_without_the_grader_reading_it(tmp_path, spec_dir, data_home):
    """A hundred-and-forty-seventh review: a notebook is hashed (to skip it on a re-run) before its
    size is checked, and the hash read the whole file: 1.5 GB of spaces in a 1.6 MB Moodle zip
    took the grader to 1.6 GB, 600 MB in a folder to 670 MB. Here 1 GB, a sparse file that costs
    the disk nothing."""
    folder, out = tmp_path / "subs", tmp_path / "reports"
    folder.mkdir()
    shutil.copy(ROOT / "submissions" / "Assignment_7_JaneDoe_k12345678.ipynb", folder)
    big = folder / "Assignment_7_MalHuge_k30000021.ipynb"
    shutil.copy(ROOT / "submissions" / "Assignment_7_JaneDoe_k12345678.ipynb", big)
    os.truncate(big, 2**30)
    res, rss = grade_cli(folder, out, spec_dir, data_home)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert 0 < rss < 300, rss
    reports = {json.loads(p.read_text())["file"]: json.loads(p.read_text()) for p in out.glob("*.json")}
    status = reports[big.name]["status"]
    assert status.startswith("unreadable") and "1024 MB" in status, status
    assert auto(reports["Assignment_7_JaneDoe_k12345678.ipynb"]) == 50


def test_notebooks_full_of_photos_keep_the_grader_small_and_their_reports_name_the_photos(tmp_path, spec_dir, data_home):
    """Seventy-third review: three 45 MB notebooks of photos graded with two workers took the
    grader to 584 MB (the batch's photos held at once, large blocks kept by the allocator), and
    a code cell of 200,000 characters of `x;` cost 173 MB to parse."""
    folder, out = tmp_path / "subs", tmp_path / "reports"
    folder.mkdir()
    for i in range(3):
        _photo_notebook(folder / f"Assignment_7_PhotoFan{'abc'[i]}_k3000000{i}.ipynb", i)
    shutil.copy(ROOT / "submissions" / "Assignment_7_JaneDoe_k12345678.ipynb", folder)
    nb = json.loads((ROOT / "submissions" / "Assignment_7_JaneDoe_k12345678.ipynb").read_text())
    for c in nb["cells"]:
        if c.get("id") == "ann-relu":
            c["source"] = "".join(c["source"]) + "\n" + "x;" * 60_000
    (folder / "Assignment_7_ParseBomb_k30000009.ipynb").write_text(json.dumps(nb))
    res, rss = grade_cli(folder, out, spec_dir, data_home, "-j", "2")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert 0 < rss < 300, rss
    reports = {json.loads(p.read_text())["file"]: json.loads(p.read_text()) for p in out.glob("*.json")}
    bomb = reports["Assignment_7_ParseBomb_k30000009.ipynb"]
    assert bomb["status"].startswith("unreadable") and "one code cell may have" in bomb["status"]
    for name, r in reports.items():
        if "PhotoFan" in name or "JaneDoe" in name:
            assert auto(r) == 50, name
    photos = next(r for name, r in reports.items() if "PhotoFan" in name)
    answer = next(c["answer"] for c in photos["checks"] if c["task"] == "calc_2")
    assert answer.count("[image ") == 2 and "data:image/" not in answer
    assert max(p.stat().st_size for p in out.glob("*.json")) < 200_000
    from grader.gradebook import open_gradebook
    gb = open_gradebook(out)
    try:
        key = photos["key"]
        assert gb.answer("calc_2", key).text.count("data:image/png;base64,") == 2     # the gradebook keeps them
    finally:
        gb.close()


WRITES_TMP = '''import os
def train_and_test(model, hyperparameters):
    said = []
    for path in ("/tmp/scratch.txt", os.path.join(os.path.dirname(os.path.dirname(os.__file__)), "x")):
        try:
            with open(path, "w") as fh:
                fh.write("x")
            said.append("wrote")
        except OSError as exc:
            said.append(type(exc).__name__ + str(exc.errno))
    import grader
    try:
        open(os.path.join(os.path.dirname(grader.__file__), "child", "planted.py"), "w").close()
        said.append("planted")
    except OSError as exc:
        said.append(type(exc).__name__ + str(exc.errno))
    raise ValueError("WRITES " + " ".join(said))
'''


def test_a_jobs_tmp_is_its_own_also_when_the_grader_lives_below_tmp(tmp_path, data_home, solution_nb):
    """A fresh clone of the grader under /tmp (where `mktemp -d` puts one) left every job's /tmp
    read-only: what the view binds below /tmp kept the job's folder from showing there, and a cell
    that wrote to /tmp (or torch.compile's cache) failed. The job's folder is /tmp now, with the
    checkout bound read-only on top of it."""
    import tempfile
    checkout = Path(tempfile.mkdtemp(dir="/tmp", prefix="grader-clone-"))      # below /tmp, whatever TMPDIR says
    os.chmod(checkout, 0o755)
    shutil.copytree(ROOT / "grader", checkout / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "reference", checkout / "reference")
    nb = copy.deepcopy(solution_nb)
    next(c for c in nb.cells if c.get("id") == "train-and-test").source = WRITES_TMP
    path = tmp_path / "Assignment_7_JaneDoe_k12345678.ipynb"
    nbformat.write(nb, path)
    env = {**os.environ, "PYTHONPATH": str(checkout), "GRADER_DATA": str(data_home), "COLUMNS": "300"}
    res = subprocess.run([sys.executable, "-m", "grader", "check", "--all", str(path)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    said = " ".join(res.stdout.split())
    try:
        assert "WRITES wrote OSError30 OSError30" in said, said    # /tmp is the job's; the checkout read-only
        assert not (checkout / "grader" / "child" / "planted.py").exists()
    finally:
        shutil.rmtree(checkout, ignore_errors=True)


# Kernel objects no count of a process shows, made with calls every job needs (files of its own
# folder: some 0.8 KB of the kernel's memory each). The filter refuses the kinds reviews found;
# the watch of the machine's kernel memory is the rule that needs no list. Here with a limit of a
# few MB, so that 19,000 empty files (some 15 MB) cross it.
HOLD_KERNEL_MEMORY = """
import os, time
os.makedirs("/tmp/held", exist_ok=True)
for _i in range(19_000):
    open(f"/tmp/held/{_i}", "w").close()
print("held")
time.sleep(2.5)
"""
BESIDE = "import time\ntime.sleep(3)\nprint('honest')\n"
# Names looked up and not found in the Python installation, which every job sees: the kernel
# caches each (a negative dentry, some 700 bytes with a long name) and keeps it after the job.
LOOK_UP_MISSING_NAMES = """
import os, time
_d = os.path.dirname(os.__file__)
_tag = os.urandom(4).hex()
for _i in range(20_000):
    try:
        os.stat(f"{_d}/{_tag}{'q' * 230}{_i:08d}")
    except OSError:
        pass
print("looked up")
time.sleep(2.5)
"""


def _watched_workers(data_home, mb: int):
    """Two warm workers whose watch stops a notebook at ``mb`` MB of the kernel's memory. As root
    the jobs' memory cgroup charges these objects already and the engine watches nothing; the same
    watch is set here, so that the rule runs the same way as root and unprivileged."""
    import dataclasses

    from grader.engines import engine_setup, make_engine
    from grader.engines.kernelwatch import KernelWatch
    from .conftest import fast_spec
    spec = fast_spec()
    spec.limits = dataclasses.replace(spec.limits, kernel_memory_mb=mb)
    eng = make_engine("fork", engine_setup(spec, data_home, jobs=2))
    eng.start()
    if eng.watch is None:
        eng.watch = KernelWatch(mb * 2**20)
    return eng


@pytest.fixture
def two_workers(data_home):
    eng = _watched_workers(data_home, 6)
    yield eng
    eng.close()


@pytest.mark.machine_alone
def test_kernel_memory_held_beside_a_classmate_stops_only_the_one_who_holds_it(two_workers):
    # Both notebooks run side by side when the machine's kernel memory grows: either may hold it.
    # Each is stopped and graded again alone; alone, the honest one keeps its result and the one
    # that holds the memory is stopped for it.
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(2) as pool:
        honest = pool.submit(two_workers.run, [CellJob("honest", BESIDE)])
        time.sleep(0.5)
        held = pool.submit(two_workers.run, [CellJob("held", HOLD_KERNEL_MEMORY)])
        held, honest = held.result()[0], honest.result()[0]
    assert honest.ok and honest.output.strip() == "honest", (honest.status, honest.error)
    assert held.status.value == "memory", (held.status, held.error)
    assert "kernel memory grow by more than 6 MB" in held.error, held.error
    # At least the one that holds it was graded again; the other too, when its watch saw the
    # memory before the kernel had freed it.
    assert two_workers.regraded_alone in (1, 2)


@pytest.mark.machine_alone
@pytest.mark.parametrize("held", [HOLD_KERNEL_MEMORY, LOOK_UP_MISSING_NAMES], ids=["files", "missing-names"])
def test_kernel_memory_held_by_a_notebook_graded_alone_stops_it_at_once(two_workers, held):
    # A hundred-and-twenty-fifth review held 1.2 GB as names looked up and not found (1.8 million
    # of them) beside 2.7 GB counted, at 50/50: here 20,000 of them, some 14 MB, against 6 MB.
    out = two_workers.run([CellJob("held", held), CellJob("next", "print('next')")])
    assert out[0].status.value == "memory" and "kernel memory" in out[0].error, (out[0].status, out[0].error)
    assert out[1].ok and out[1].output.strip() == "next", out[1].error    # the notebook's other cells go on
    assert two_workers.regraded_alone == 0


# The same names looked up in both passes, slowly enough that the first pass is stopped halfway:
# its names stay cached, and a second pass counted from a floor that holds them adds only the rest.
LOOK_UP_THE_SAME_NAMES_TWICE = """
import os, time
_d = os.path.dirname(os.__file__)
for _i in range(52_000):
    try:
        os.stat(f"{_d}/TAG{'q' * 230}{_i:08d}")
    except OSError:
        pass
    if _i % 1000 == 999:
        time.sleep(0.05)
print("looked up")
"""


@pytest.mark.machine_alone
def test_a_notebook_graded_again_alone_is_charged_for_what_its_first_pass_left(data_home):
    # A hundred-and-fortieth review: 1.45 million missing names, the same in both passes, held
    # 1.02 GB against a 512 MB limit at 50/50 (the first pass stopped at 512 MB beside a classmate,
    # the second, alone, counted from a floor that held the first pass's names, added 485 MB).
    # Here 52,000 names (some 37 MB) against 24 MB: the second pass adds some 11 MB, under the
    # limit alone, and is charged for it on top of what stayed. The classmate keeps its result.
    import uuid
    from concurrent.futures import ThreadPoolExecutor
    eng = _watched_workers(data_home, 24)
    try:
        source = LOOK_UP_THE_SAME_NAMES_TWICE.replace("TAG", uuid.uuid4().hex[:8])
        with ThreadPoolExecutor(2) as pool:
            honest = pool.submit(eng.run, [CellJob("honest", "import time\ntime.sleep(5)\nprint('honest')\n")])
            time.sleep(0.5)
            held = pool.submit(eng.run, [CellJob("held", source)])
            held, honest = held.result()[0], honest.result()[0]
        assert eng.regraded_alone >= 1            # its first pass was stopped beside the classmate
        assert held.status.value == "memory" and "kernel memory" in held.error, (held.status, held.error)
        assert honest.ok and honest.output.strip() == "honest", (honest.status, honest.error)
    finally:
        eng.close()


@pytest.mark.machine_alone
def test_a_notebook_graded_right_after_one_stopped_for_the_kernel_memory_is_counted_from_before_it(two_workers):
    # The kernel frees a stopped job's files a fraction of a second after it ends: a floor read
    # before then held them, and a second notebook that made as many grew by nothing (14 MB of
    # files passed the 6 MB watch). A CI run met it when a notebook graded again alone followed its
    # own stopped first pass.
    got = [two_workers.run([CellJob("held", HOLD_KERNEL_MEMORY)])[0] for _ in range(6)]
    assert [o.status.value for o in got] == ["memory"] * 6, [(o.status, o.error) for o in got]
    assert all("kernel memory" in o.error for o in got)


@pytest.mark.machine_alone
def test_a_notebook_stopped_in_its_hidden_run_beside_a_classmate_is_graded_again_alone(two_workers, solution_nb,
                                                                                      tmp_path, monkeypatch):
    # The one who holds the memory does so only in the run with the grader's values, while a
    # classmate's notebook (a slow first cell) runs beside it. Graded again alone, each keeps what
    # it earned: the classmate every point, the other all but the model that held the memory. The
    # student is shown the first pass's public runs, which came before any of the notebook's hidden runs.
    from concurrent.futures import ThreadPoolExecutor

    from grader.pipeline import Grader
    from .conftest import checks_of, fast_spec
    spec = fast_spec()
    sol = {c.id: c.source for c in solution_nb.cells}
    hold = ("super().__init__()\n        import os, time\n"
            "        if torch.initial_seed() != 66 and not os.path.exists('/tmp/held'):\n"
            "            os.makedirs('/tmp/held')\n"
            "            for _i in range(19_000):\n                open(f'/tmp/held/{_i}', 'w').close()\n"
            "            time.sleep(2.5)")
    held = write_nb(solution_nb, tmp_path, "Assignment_7_HeldKernel_k20000001.ipynb",
                    {"ann-relu": sol["ann-relu"].replace("super().__init__()", hold, 1)})
    honest = write_nb(solution_nb, tmp_path, "Assignment_7_SlowHonest_k10000009.ipynb",
                      {"ann-sigmoid": "import time\ntime.sleep(4)\n" + sol["ann-sigmoid"]})
    import grader.engines.fork as fork
    shown, show = [], fork._show_first_pass
    monkeypatch.setattr(fork, "_show_first_pass", lambda run, *first: (shown.append(run.job.cell_id), show(run, *first)))
    grader = Grader(spec, two_workers, hidden=True)
    grader.prepare()
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(grader.grade, honest), pool.submit(grader.grade, held)]
        honest_r, held_r = (f.result() for f in futures)
    lost = [(c.check, c.message) for c in honest_r.checks if not c.manual_task and c.points < c.max_points]
    assert not lost, lost
    relu = [c for c in checks_of(held_r, "code_3_2_models").values() if c.check.startswith("ANN_relu")]
    assert relu and all(c.points == 0 for c in relu)
    # Stopped in its run with the grader's values: said as any failure of that run (review 175).
    assert all("the check with the grader's values failed" in c.message for c in relu), [c.message for c in relu]
    assert sum(c.points for c in checks_of(held_r, "code_3_2_models").values() if c.check.startswith("ANN_sigmoid")) == 5
    assert two_workers.regraded_alone in (1, 2)
    assert "ann-relu" in shown, shown     # its second pass showed the first pass's public runs


@pytest.mark.machine_alone
def test_graders_of_one_machine_share_the_watch(data_home):
    # Two grader processes on one machine (Dask workers, two TAs) each run one notebook; the
    # machine's kernel memory grows by more than the limit meanwhile, made here by the test itself
    # as a third grader (names looked up and not found). No notebook ran alone on the machine: each
    # is graded again alone and keeps its result, where each grader alone would have charged its own.
    import dataclasses
    from concurrent.futures import ThreadPoolExecutor

    from grader.engines import engine_setup, make_engine
    from grader.engines.kernelwatch import KernelWatch
    from .conftest import fast_spec
    spec = fast_spec()
    spec.limits = dataclasses.replace(spec.limits, kernel_memory_mb=6)
    engines = [make_engine("fork", engine_setup(spec, data_home, jobs=1)) for _ in range(2)]
    try:
        for eng in engines:
            eng.start()
            if eng.watch is None:               # as root: see two_workers
                eng.watch = KernelWatch(6 * 2**20)
        with ThreadPoolExecutor(2) as pool:
            runs = [pool.submit(eng.run, [CellJob("honest", BESIDE)]) for eng in engines]
            time.sleep(1.2)
            # The test is a third grader with a notebook in flight while it grows the memory: the
            # two notebooks graded again alone wait until it is done.
            third = KernelWatch(6 * 2**20)
            turn = third.begin()
            here, tag = os.path.dirname(os.__file__), os.urandom(4).hex()
            for i in range(20_000):
                try:
                    os.stat(f"{here}/{tag}{'q' * 230}{i:08d}")
                except OSError:
                    pass
            third.end(turn)
            outs = [r.result()[0] for r in runs]
        for out in outs:
            assert out.ok and out.output.strip() == "honest", (out.status, out.error)
        assert sum(eng.regraded_alone for eng in engines) >= 1
    finally:
        for eng in engines:
            eng.close()


# A hundred-and-twenty-sixth review: the job runs until it exits after its last reply, and the
# worker gives it a few seconds; a cell that replaced os._exit used them, unwatched, to grow the
# machine's kernel memory past the limit at 50/50. And a reply sent a byte at a time had kept the
# watch from running at all (it ran only after a tenth of a second without data).
AFTER_THE_LAST_REPLY = """
import os, time
_exit = os._exit
def _held_exit(code=0):
    os.makedirs("/tmp/held", exist_ok=True)
    for _i in range(19_000):
        open(f"/tmp/held/{_i}", "w").close()
    time.sleep(2.5)
    _exit(code)
os._exit = _held_exit
"""
TRICKLED_REPLY = '''
import os, stat, struct, threading, time
def _hold():
    os.makedirs("/tmp/held", exist_ok=True)
    for _i in range(19_000):
        open(f"/tmp/held/{_i}", "w").close()
threading.Thread(target=_hold).start()
for fd in range(3, 64):
    try:
        if stat.S_ISSOCK(os.fstat(fd).st_mode):
            os.write(fd, struct.pack("!Q", 200))
            for _ in range(150):
                os.write(fd, b" ")
                time.sleep(0.03)
    except OSError:
        pass
'''


@pytest.mark.parametrize("cell", [AFTER_THE_LAST_REPLY, TRICKLED_REPLY], ids=["after-the-last-reply", "trickled-reply"])
def test_a_job_is_watched_until_it_has_ended_and_while_its_reply_trickles_in(two_workers, cell):
    out = two_workers.run([CellJob("held", cell)])[0]
    assert out.status.value == "memory" and "kernel memory" in out.error, (out.status, out.error)


# A two-hundred-and-thirteenth review: past the deadline the grader took data that was waiting, and a
# job kept a byte arriving each time it looked, with the grader's watch made slow (processes sharing
# a large mapping, each read in full): a cell ran 150 s of its 60 s limit. Here the watch is made
# slow by the test itself.
TRICKLED_FOREVER = '''
import os, stat, struct, time
for fd in range(3, 64):
    try:
        if stat.S_ISSOCK(os.fstat(fd).st_mode):
            os.write(fd, struct.pack("!Q", 4_000_000))
            for _ in range(3_000):
                os.write(fd, b" ")
                time.sleep(0.01)
    except OSError:
        pass
'''


def _trickled_past_the_limit(engine, monkeypatch, watch) -> tuple[object, float]:
    """The trickling job's outcome and the seconds past its limit it took, with each watch pass
    made to run `watch(monitor, check)` instead (the pass slowed or held up as a job can)."""
    from grader.child import wire
    from grader.engines import monitor
    check = monitor.TreeMonitor.check
    monkeypatch.setattr(monitor.TreeMonitor, "check", lambda self: watch(self, check))
    start = time.monotonic()
    out = engine.run([CellJob("trickled", TRICKLED_FOREVER)])[0]
    return out, time.monotonic() - start - engine.setup.limits.cell_timeout_s - wire.LATE_GRACE_S


def test_a_reply_trickled_past_the_deadline_ends_at_the_limit_however_slow_the_watch(engine, monkeypatch):
    def slow(monitor, check):
        time.sleep(0.12)
        check(monitor)
    out, late = _trickled_past_the_limit(engine, monkeypatch, slow)
    assert out.status.value == "timeout", (out.status, out.error)
    assert late < 5, late


def test_a_watch_pass_held_up_by_the_job_does_not_hold_up_its_time_limit(engine, monkeypatch):
    # A two-hundred-and-sixteenth review held the job's memory-map lock, so that the watch's read of
    # its /proc files waited seconds a pass (here: until the job is gone, as a blocked read does),
    # and ran a cell about 74 s of its 60 s limit. The limit has a clock of its own.
    import psutil

    def blocked(monitor, check):
        end = time.monotonic() + 25
        while time.monotonic() < end:
            try:
                if psutil.Process(monitor.pid).status() == psutil.STATUS_ZOMBIE:
                    break
            except psutil.Error:
                break
            time.sleep(0.05)
        check(monitor)
    out, late = _trickled_past_the_limit(engine, monkeypatch, blocked)
    assert out.status.value == "timeout" and "did not finish within" in out.error, (out.status, out.error)
    assert late < 4, late


# A hundred-and-twenty-seventh review: the job's first thread ended with a raw exit while another
# thread went on; such a process shows no root, network namespace or open files of its own, and
# the job's folder and socket queues were counted as nothing (1.4 GB beyond the cap, at 50/50).
FIRST_THREAD_ENDED = """
import ctypes, os, platform, threading, time
def _hold():
    time.sleep(0.3)
    _anonymous = b"\\x01" * (250 * 2**20)
    for _i in range(4):
        with open(f"/tmp/f{_i}", "wb") as _fh:
            _fh.write(b"y" * (60 * 2**20))
    time.sleep(3)
threading.Thread(target=_hold).start()
ctypes.CDLL(None).syscall({"x86_64": 60, "aarch64": 93}[platform.machine()], 0)
"""


def test_a_job_whose_first_thread_has_ended_is_counted_through_a_thread_still_running(data_home):
    import dataclasses

    from grader.engines import engine_setup, make_engine
    from .conftest import fast_spec
    spec = fast_spec()
    spec.limits = dataclasses.replace(spec.limits, memory_mb=400)
    eng = make_engine("fork", engine_setup(spec, data_home, jobs=1))
    eng.start()
    try:
        out = eng.run([CellJob("held", FIRST_THREAD_ENDED)])[0]
    finally:
        eng.close()
    assert out.status.value == "memory" and "400 MB" in out.error, (out.status, out.error)


def _run_without_a_memory_cgroup(data_home, monkeypatch, memory_mb: int, cells: list) -> list:
    """The cells on an engine whose jobs get no memory cgroup, as without root: as root the cgroup
    charges what a job holds and reclaims it at its cap, and the grader's own count is not tested."""
    import dataclasses

    from grader.engines import engine_setup, make_engine
    from grader.engines.cgroups import JobCgroups
    from .conftest import fast_spec
    monkeypatch.setattr(JobCgroups, "create", classmethod(lambda cls, *a: (None, ["no memory cgroup (test)"])))
    spec = fast_spec()
    # Time enough that a loaded machine (CI: the other test process beside it) stops these cells
    # for their memory, which is what is tested, and not for the time (6 s) they took to reach it.
    spec.limits = dataclasses.replace(spec.limits, memory_mb=memory_mb, cell_timeout_s=40)
    eng = make_engine("fork", engine_setup(spec, data_home, jobs=1))
    eng.start()
    try:
        return eng.run(cells)
    finally:
        eng.close()


# Library files of the Python installation, which every job sees, mapped by two of the job's
# processes: each page is both processes' and neither's own, and counted nowhere (a
# hundred-and-twenty-eighth review: 4.26 GB resident, 2.77 GB counted, at 50/50).
MAP_LIBRARIES_IN_TWO_PROCESSES = """
import glob, mmap, os, time, torch
_libs = sorted(glob.glob(os.path.dirname(torch.__file__) + "/lib/*.so*"), key=os.path.getsize)[::-1]
_maps, _size = [], 0
for _p in _libs:
    if _size > 900 * 2**20:
        break
    with open(_p, "rb") as _f:
        _maps.append(mmap.mmap(_f.fileno(), 0, prot=mmap.PROT_READ))
    _size += len(_maps[-1])
def _touch():
    for _m in _maps:
        _m.madvise(mmap.MADV_WILLNEED)
        for _i in range(0, len(_m), 4096):
            _m[_i]
_child = os.fork()
_touch()
if _child == 0:
    time.sleep(30)
    os._exit(0)
print("mapped", _size >> 20, "MB")
time.sleep(3)
"""


def test_library_files_mapped_by_two_of_the_jobs_processes_count_once(data_home, monkeypatch):
    out = _run_without_a_memory_cgroup(data_home, monkeypatch, 400, [
        CellJob("mapped", MAP_LIBRARIES_IN_TWO_PROCESSES), CellJob("next", "print('next')")])
    assert out[0].status.value == "memory" and "400 MB" in out[0].error, (out[0].status, out[0].error, out[0].output)
    assert out[1].ok, out[1].error


# Data queued in pipes by 26 processes of a job, 240 full pipes each. Handed over, each process's
# pipes go to a thread with a descriptor table of its own (made by clone without CLONE_FILES, or by
# a Python thread calling close_range with CLOSE_RANGE_UNSHARE), and the process closes its copies.
PIPES_HELD = r"""
import ctypes, mmap, os, struct, threading, time
HAND_OVER = %r
def clone_a_thread_of_its_own():
    # A thread (CLONE_VM | CLONE_SIGHAND | CLONE_THREAD) without CLONE_FILES starts with a copy of
    # the descriptor table, which /proc/<pid>/fd does not show; it only pauses, in a loop.
    stack = mmap.mmap(-1, 65536, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    top = ctypes.addressof(ctypes.c_char.from_buffer(stack)) + 65536 - 64
    code = (b"\xb8\x38\x00\x00\x00" + b"\x48\xbf" + struct.pack("<Q", 0x00010900) + b"\x48\xbe"
            + struct.pack("<Q", top) + b"\x31\xd2\x45\x31\xd2\x45\x31\xc0\x0f\x05\x48\x85\xc0\x74\x01\xc3"
            + b"\xb8\x22\x00\x00\x00\x0f\x05\xeb\xf7")
    m = mmap.mmap(-1, 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,
                  prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    m.write(code)
    kept.append((stack, m))
    return ctypes.CFUNCTYPE(ctypes.c_long)(ctypes.addressof(ctypes.c_char.from_buffer(m)))() > 0
def unshare_in_a_thread():
    said = []
    def keep():
        said.append(ctypes.CDLL(None).syscall(436, ctypes.c_uint(2**32 - 1), ctypes.c_uint(2**32 - 1), ctypes.c_uint(2)))
        time.sleep(30)
    threading.Thread(target=keep, daemon=True).start()
    while not said:
        time.sleep(0.01)
    return said[0] == 0
kept = []
def fill():
    held = []
    while len(held) < 240:
        r, w = os.pipe()
        os.set_blocking(w, False)
        try:
            while True:
                os.write(w, b"x" * 65536)
        except BlockingIOError:
            pass
        os.close(w)
        held.append(r)
    if HAND_OVER and {"clone": clone_a_thread_of_its_own, "close_range": unshare_in_a_thread}[HAND_OVER]():
        for r in held:
            os.close(r)
for _ in range(25):
    if os.fork() == 0:
        fill()
        time.sleep(30)
        os._exit(0)
fill()
time.sleep(4)
print("held")
"""


# Pages written far apart in many files of the job's folder: each has nodes of its file's page
# index of its own, kernel memory the folder's size does not show (and the kernel files as
# reclaimable, so the watch of its unreclaimable memory does not see them either).
SPARSE_FILES = """
import os, time
page = b"x" * 4096
for i in range(16_000):
    fd = os.open(f"/tmp/f{i}", os.O_CREAT | os.O_WRONLY, 0o600)
    for k in range(4):
        os.pwrite(fd, page, (k * 4096 + 4095) * 4096)
    os.close(fd)
time.sleep(3)
print("held")
"""


# Hard links of one file opened, mapped, closed and deleted: each mapping keeps an open file and
# the deleted name alive (the name filed as reclaimable kernel memory, which the kernel cannot
# free while the mapping lives), and the folder no longer counts the link.
MAPPED_DELETED_LINKS = """
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
def hold(k, n):
    d = f"/tmp/h{k}"
    os.mkdir(d)
    with open(d + "/f", "wb") as fh:
        fh.write(bytes(4096))
    for i in range(n):
        p = f"{d}/{i:06d}" + "x" * 240
        os.link(d + "/f", p)
        fd = os.open(p, os.O_RDONLY)
        libc.mmap(None, 4096, 1, 2, fd, 0)
        os.close(fd)
        os.unlink(p)
kids = []
for k in range(12):
    pid = os.fork()
    if pid == 0:
        try:
            hold(k, 6_000)
            time.sleep(2)
        finally:
            os._exit(0)
    kids.append(pid)
for pid in kids:
    os.waitpid(pid, 0)
print("held")
"""


# The count of mappings starts at an alarm on the machine's kernel memory: a test beside it that
# frees as much as this one grows hides the growth (a run beside the attack batch: not stopped).
@pytest.mark.machine_alone
def test_mappings_that_keep_deleted_names_alive_count_with_them(data_home, monkeypatch):
    """A hundred-and-forty-second review: 98,000 mappings of deleted hard links held 120 MB of the
    kernel's memory, 70 MB of it names the kernel files as reclaimable, counted nowhere: under the
    alarm (which read only the unreclaimable slabs, from each job's start) and at 512 bytes a
    mapping once counted. The alarm now reads both kinds of slab from the notebook's first job, and
    a mapping is charged what it can keep alive: the job, counted at some 87 MB before (134 now), is
    stopped at 110."""
    out = _run_without_a_memory_cgroup(data_home, monkeypatch, 110, [
        CellJob("links", MAPPED_DELETED_LINKS), CellJob("next", "print('next')")])
    assert out[0].status.value == "memory", (out[0].status, out[0].error, out[0].output)
    assert out[1].ok, out[1].error


# The same in a graded cell's own process, which waits (parked) for its hidden run while the
# notebook's next cell runs.
MAPPED_IN_THE_CELL = """import ctypes as _c, os as _o
_libc = _c.CDLL(None)
_libc.mmap.restype = _c.c_void_p
_libc.mmap.argtypes = [_c.c_void_p, _c.c_size_t, _c.c_int, _c.c_int, _c.c_int, _c.c_long]
_o.mkdir("/tmp/h")
with open("/tmp/h/f", "wb") as _fh:
    _fh.write(bytes(4096))
for _i in range(40_000):
    _p = f"/tmp/h/{_i:06d}" + "x" * 240
    _o.link("/tmp/h/f", _p)
    _fd = _o.open(_p, _o.O_RDONLY)
    _libc.mmap(None, 4096, 1, 2, _fd, 0)
    _o.close(_fd)
    _o.unlink(_p)
"""


# The count of mappings starts at an alarm on the machine's kernel memory: a test beside it that
# frees as much as this one grows hides the growth (a run beside the attack batch: not stopped).
@pytest.mark.machine_alone
def test_kernel_memory_of_a_notebooks_waiting_jobs_counts_from_its_first_job(data_home, monkeypatch, solution_nb,
                                                                             tmp_path):
    """The same review: the alarm that starts the count of mappings was read afresh at each job, so
    each of a notebook's cells could hold just under it in its own process, which then waits for its
    hidden run. Two cells of 40,000 such mappings each (some 50 MB of the kernel's memory, under the
    64 MB alarm one at a time) are now seen together, from the notebook's first job: the second
    cell's job is stopped at a 100 MB cap (before, both kept their points)."""
    import dataclasses

    from grader.engines import engine_setup, make_engine
    from grader.engines.cgroups import JobCgroups
    from grader.pipeline import Grader
    from .conftest import checks_of, fast_spec
    monkeypatch.setattr(JobCgroups, "create", classmethod(lambda cls, *a: (None, ["no memory cgroup (test)"])))
    spec = fast_spec()
    spec.limits = dataclasses.replace(spec.limits, memory_mb=100)
    sol = {c.id: c.source for c in solution_nb.cells}
    nb = write_nb(solution_nb, tmp_path, "Assignment_7_Mapped_k20000002.ipynb",
                  {cell: MAPPED_IN_THE_CELL + sol[cell] for cell in ("ann-sigmoid", "ann-relu")})
    eng = make_engine("fork", engine_setup(spec, data_home, jobs=1))
    eng.start()
    try:
        grader = Grader(spec, eng, hidden=True)
        grader.prepare()
        models = checks_of(grader.grade(nb), "code_3_2_models")
    finally:
        eng.close()
    relu = [c for c in models.values() if c.check.startswith("ANN_relu")]
    assert relu and all(c.points == 0 for c in relu), [(c.check, c.points, c.message) for c in relu]
    assert any("memory" in c.message for c in relu), [c.message for c in relu]


def test_files_of_a_jobs_folder_count_with_what_the_kernel_holds_for_them(data_home, monkeypatch):
    """A hundred-and-forty-first review: 16,000 files of 4 pages each, 16 MB apart, fill a job's
    256 MB folder and hold 85 MB of index nodes beside it, counted nowhere without a cgroup (534 MB
    in two notebooks' jobs at once, at 50/50). Each file and page of the folder is now charged the
    most the kernel can hold for it: the job, counted at some 260 MB before (some 355 MB now), is
    stopped at 300."""
    out = _run_without_a_memory_cgroup(data_home, monkeypatch, 300, [
        CellJob("sparse", SPARSE_FILES), CellJob("next", "print('next')")])
    assert out[0].status.value == "memory" and "300 MB" in out[0].error, (out[0].status, out[0].error, out[0].output)
    assert out[1].ok, out[1].error


def test_a_folders_charge_is_its_pages_and_the_most_the_kernel_holds_for_its_files():
    from grader.engines.monitor import FILE_BYTES, INDEX_NODE_BYTES, folder_charge, index_depth
    assert [index_depth(b) for b in (4096, 64 * 4096, 65 * 4096, 64 * 2**20, 2**30, 2**30 + 4096)] == [0, 0, 1, 2, 2, 3]
    assert folder_charge(0, 0, 64 * 2**20) == 0
    assert folder_charge(4 * 4096, 1, 64 * 2**20) == 4 * 4096 + 4 * 2 * INDEX_NODE_BYTES + FILE_BYTES
    # The review's folder: 64k pages in 16,000 files, 144,000 index nodes (9 a file) and the files.
    assert folder_charge(256 * 2**20, 16_000, 64 * 2**20) >= 256 * 2**20 + 144_000 * INDEX_NODE_BYTES


# Full pipes sent over a socket the job keeps, then closed: in flight, they are in no process's
# table of descriptors, and hold what was written into them.
PIPES_IN_FLIGHT = """
import array, os, socket, time
a, b = socket.socketpair()
held = 0
try:
    for _ in range(6):
        batch = []
        for _ in range(100):
            r, w = os.pipe()
            os.set_blocking(w, False)
            try:
                os.write(w, b"x" * 65536)
            except BlockingIOError:
                pass
            os.close(w)
            batch.append(r)
        try:
            a.sendmsg([b"p"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", batch))])
            held += len(batch)
        finally:
            for r in batch:
                os.close(r)
except OSError:
    pass
time.sleep(2)
print("in flight", held)
"""


def test_pipes_in_flight_in_a_sockets_messages_count_against_its_memory(data_home, monkeypatch):
    """A hundred-and-forty-third review: 480 full pipes sent over a socket the job kept and closed,
    30 MB in no process's table, counted nowhere. A job with a Unix socket is now also charged the
    pipes its user may have in flight (the open-file limit and one message: 509 pipes, 36 MB): the
    job, counted at some 7 MB before (43 now), is stopped at 30."""
    out = _run_without_a_memory_cgroup(data_home, monkeypatch, 30, [
        CellJob("in-flight", PIPES_IN_FLIGHT), CellJob("next", "print('next')")])
    assert out[0].status.value == "memory" and "30 MB" in out[0].error, (out[0].status, out[0].error, out[0].output)
    assert out[1].ok, out[1].error


@pytest.mark.parametrize("hand_over", ["", "clone", "close_range"],
                         ids=["in-the-process", "in-a-thread-made-with-a-table-of-its-own", "in-a-thread-that-unshared-its-table"])
def test_pipes_a_job_fills_count_against_its_memory(data_home, monkeypatch, hand_over):
    """Data queued in a pipe is no process's memory: 26 processes of a job holding 240 full pipes
    each hold some 110 MB that the grader, without a memory cgroup, counted as nothing (a
    hundred-and-thirty-third review's estimate: 64 to 200 MB a job). Each pipe is now charged what
    it can hold, and a thread cannot keep a table of descriptors of its own, out of the grader's
    view (handed over so, by clone without CLONE_FILES or by close_range's CLOSE_RANGE_UNSHARE, the
    pipes were counted as nothing again). The job that held them is stopped at a 150 MB cap; without
    them it is counted at some 70 MB."""
    import platform

    if hand_over == "clone" and platform.machine() != "x86_64":
        pytest.skip("the thread is made by x86-64 machine code")
    out = _run_without_a_memory_cgroup(data_home, monkeypatch, 150, [
        CellJob("pipes", PIPES_HELD % hand_over), CellJob("next", "print('next')")])
    assert out[0].status.value == "memory" and "150 MB" in out[0].error, (out[0].status, out[0].error, out[0].output)
    assert out[1].ok, out[1].error


def test_the_kernel_watch_counts_the_kernels_vmalloc_memory_beside_its_slabs(tmp_path):
    """Memory the kernel maps page by page (`VmallocUsed`) is outside the slabs: a
    hundred-and-thirty-first review reserved 1 GB of it with `PR_FUTEX_HASH` (refused since), which
    the watch did not read. It is now read with `SUnreclaim`, for the next such call."""
    from grader.engines.kernelwatch import kernel_slabs
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal: 100 kB\nSReclaimable: 7 kB\nSUnreclaim: 5 kB\nVmallocTotal: 999 kB\n"
                       "VmallocUsed: 1048576 kB\nVmallocChunk: 0 kB\n")
    assert kernel_slabs(str(meminfo)) == ((5 + 1048576) * 1024, 7 * 1024)
    assert kernel_slabs(str(tmp_path / "none")) == (0, 0)
    assert kernel_slabs()[0] > 0                         # this machine's own figures are read
