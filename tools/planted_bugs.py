"""Plant one small, realistic bug at a time and show that the tests named for it fail (issue 13).

    python tools/planted_bugs.py                 # the fast ones (no engine), about a minute
    python tools/planted_bugs.py --slow          # also those that need the engine (minutes each)
    python tools/planted_bugs.py --only nonce    # one bug by its name
    python tools/planted_bugs.py --user graderci # run the tests as that (unprivileged) user

Each bug is one line changed in a copy of the package (the checkout is never touched); the tests
run against that copy and must fail. It prints one line per bug and exits 1 when a test did not
notice its bug, or when a bug's line is no longer in the code (update the line here).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name: (file, line as it is, line with the bug, tests that must fail, needs the engine)
BUGS = {
    "capital-K": ("grader/naming.py", 'MATR = re.compile(r"^k\\d{8}$")', 'MATR = re.compile(r"^[kK]\\d{8}$")',
                  ["tests/test_boundaries.py", "tests/test_judge.py"], False),
    "ascii-capitals": ("grader/naming.py", "        if ch.isupper():", '        if "A" <= ch <= "Z":',
                       ["tests/test_boundaries.py"], False),
    "list-targets": ("grader/checks/answers.py", "    elif isinstance(target, (ast.Tuple, ast.List)):",
                     "    elif isinstance(target, ast.Tuple):",
                     ["tests/test_boundaries.py", "tests/test_judge.py"], False),
    "id-changed-dropped": ("grader/pipeline.py", "            elif ctx.nb.by_checksum(want):", "            elif False:",
                           ["tests/test_boundaries.py"], False),
    "seeded-atol-x100": ("grader/checks/models.py", "    ok = [s for s in want if close(mine.get(s), want[s], atol)]",
                         "    ok = [s for s in want if close(mine.get(s), want[s], atol * 100)]",
                         ["tests/test_judge.py"], False),
    "seeded-one-seed": ("grader/checks/models.py", "    if want and len(ok) == len(want):", "    if want and ok:",
                        ["tests/test_judge.py"], False),
    "hidden-message": ("grader/checks/context.py",
                       "            out[c] = public[c] if not public[c].ok else Verdict(False, hidden_only[c])",
                       "            out[c] = h", ["tests/test_judge.py"], False),
    "moodle-first-notebook": ("grader/identity.py", "    return max(ordered, key=_rank)     # max keeps the first of equals: the first by file name",
                              "    return ordered[0]", ["tests/test_moodle_manual.py", "tests/test_worksheet.py"], False),
    "moodle-no-name-fallback": ("grader/worksheet.py", "        if group is None and name:",
                                "        if False:", ["tests/test_moodle_manual.py", "tests/test_worksheet.py"], False),
    "merge-writes-on-error": ("grader/manual.py", "        if plan.problems:", "        if plan.problems and not plan.updates:",
                              ["tests/test_moodle_manual.py"], False),
    "csv-at-sign": ("grader/csvsafe.py", 'TRIGGERS = ("=", "+", "-", "@", "\\t", "\\r")',
                    'TRIGGERS = ("=", "+", "-", "\\t", "\\r")', ["tests/test_boundaries.py"], False),
    "groups-ignore-numbers": ("grader/gradebook/groups.py",
                              "    return tuple(n for _, n in parts), len(NEGATION.findall(normalise(text)))",
                              "    return (), len(NEGATION.findall(normalise(text)))",
                              ["tests/test_gradebook_decisions.py", "tests/test_gradebook.py"], False),
    "override-unclamped": ("grader/gradebook/decisions.py", "            c.points = min(c.max_points, max(0.0, ov.points))",
                           "            c.points = ov.points", ["tests/test_gradebook_decisions.py"], False),
    "checksum-not-normalised": ("grader/notebook.py", "    return hashlib.sha256(normalize(source).encode()).hexdigest()",
                                "    return hashlib.sha256(source.encode()).hexdigest()",
                                ["tests/test_boundaries.py"], False),
    "checksum-algorithm": ("grader/notebook.py", "    return hashlib.sha256(normalize(source).encode()).hexdigest()",
                           "    return hashlib.sha1(normalize(source).encode()).hexdigest()",
                           ["tests/test_reference.py::test_locked_checksums_are_those_of_the_template"], False),
    # --- with the engine
    "nonce-unchecked": ("grader/engines/fork.py", '            if reply["type"] != "result" or reply["nonce"] != nonce:',
                        '            if reply["type"] != "result":',
                        ["tests/test_engines.py::test_a_reply_that_does_not_answer_the_request_is_refused"], True),
    "builtins-kept": ("grader/child/job.py", "        builtins.__dict__.clear()", "        saved.update(builtins.__dict__)",
                      ["tests/test_engines.py::test_monkeypatched_comparisons_gain_nothing"], True),
    "stdout-is-the-channel": ("grader/child/job.py", "            os.dup2(null, fd)", "            os.dup2(keep, fd)",
                              ["tests/test_engines.py::test_forged_output_cannot_pose_as_a_result"], True),
    "diagnosis-atol-loose": ("grader/checks/models.py",
                             '        if variant not in (act, "nobias") and close(mine, tensor, atol):',
                             '        if variant not in (act, "nobias") and close(mine, tensor, 1.0):',
                             ["tests/test_grading.py::test_model_mutants_lose_exactly_the_right_checks"], True),
    "network-shared": ("grader/child/server.py",
                       "        sandbox.unshare(sandbox.CLONE_NEWNS | sandbox.CLONE_NEWNET | sandbox.CLONE_NEWUTS)",
                       "        sandbox.unshare(sandbox.CLONE_NEWNS | sandbox.CLONE_NEWUTS)",
                       ["tests/test_faults.py"], True),
}


def copy_tree(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("grader", "tests", "reference", "submissions"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", dest / "pyproject.toml")


def run_tests(dest: Path, tests: list[str], user: str | None, extra: list[str]) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *extra, *tests]
    env = {**os.environ, "MPLBACKEND": "Agg", "CUDA_VISIBLE_DEVICES": ""}
    if user:
        cmd = ["runuser", "-u", user, "--", "env", f"PATH={os.environ.get('PATH', '/usr/bin:/bin')}",
               f"HOME={dest}", "MPLBACKEND=Agg", "CUDA_VISIBLE_DEVICES=", *cmd]
    return subprocess.run(cmd, cwd=dest, env=env, capture_output=True, text=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--slow", action="store_true", help="also the bugs whose tests need the engine")
    ap.add_argument("--only", action="append", default=[], help="only this bug (repeatable)")
    ap.add_argument("--user", help="run the tests as this user (e.g. graderci; needs root)")
    ap.add_argument("-k", dest="keyword", help="passed to pytest -k")
    args = ap.parse_args(argv)
    chosen = [n for n in BUGS if (n in args.only if args.only else (args.slow or not BUGS[n][4]))]
    unknown = set(args.only) - set(BUGS)
    if unknown:
        raise SystemExit(f"no such bug: {', '.join(sorted(unknown))}")
    bad = 0
    for name in chosen:
        path, line, bug, tests, _ = BUGS[name]
        with tempfile.TemporaryDirectory(prefix=f"planted-{name}-") as tmp:
            dest = Path(tmp)
            copy_tree(dest)
            if args.user:
                os.chmod(dest, 0o755)
            target = dest / path
            text = target.read_text()
            if text.count(line + "\n") != 1:
                print(f"{name:26} ?  the line is not (once) in {path} any more: {line.strip()!r}")
                bad += 1
                continue
            target.write_text(text.replace(line + "\n", bug + "\n"))
            res = run_tests(dest, tests, args.user, ["-k", args.keyword] if args.keyword else [])
            last = (res.stdout.strip().splitlines() or ["(no output)"])[-1]
            caught = res.returncode == 1
            bad += not caught
            print(f"{name:26} {'caught' if caught else 'MISSED'}  {path}: {bug.strip()}  ->  {' '.join(tests)}: {last}",
                  flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
