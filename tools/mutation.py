"""Mutation testing of the scoring and bookkeeping code with mutmut (issue 13).

    python tools/mutation.py                          # everything tools/mutation.toml names
    python tools/mutation.py --only 'grader/naming.py' --only 'grader/checks/*'
    python tools/mutation.py --report                 # the last run's results again, no run
    python tools/mutation.py --check-doc              # also fail if docs/mutation.md misses a survivor
    python tools/mutation.py --only 'grader/gradebook/*' --work /tmp/gb     # rerun some files, then
    python tools/mutation.py --report --merge /tmp/gb                       # fold them into the last run

What it does: copies the package, the tests and the spec into a work folder (bench/out/mutation,
rebuilt on every run, so no mutant of an older source survives there), writes mutmut's
configuration into that copy's pyproject.toml from tools/mutation.toml, and runs ``mutmut run``
with one process (``--jobs`` for more) on the functions in scope only. Each mutant is judged by
the fast tests that cover the function it changes (mutmut measures which ones in a first run).
Then it prints the score (killed of all mutants in scope; a timeout counts as killed, a mutant
no test reaches as survived), writes ``summary.json`` and ``survivors.md`` (each survivor with its
diff) to the work folder, and exits 1 when the score is below ``--min`` (default 85).

Needs ``pip install 'mutmut>=3.3,<4'`` (the ``mutation`` extra: ``pip install '.[mutation]'``).
"""
from __future__ import annotations

import argparse
import ast
import difflib
import fnmatch
import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tools" / "mutation.toml"
DOC = ROOT / "docs" / "mutation.md"
SEP = "ǁ"                       # mutmut's separator between a class and its method in mutant names

KILLED = {1: "killed", 3: "killed", 36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout",
          255: "timeout"}
OTHER = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 35: "suspicious", -11: "segfault",
         -9: "segfault", None: "not checked"}


def status(code) -> str:
    return KILLED.get(code) or OTHER.get(code, "suspicious")


def load_config(only: list[str]) -> dict:
    cfg = tomllib.loads(CONFIG.read_text())
    files = sorted({str(p.relative_to(ROOT)) for pattern in cfg["files"] for p in ROOT.glob(pattern)
                    if p.suffix == ".py"})
    functions = list(cfg.get("functions", []))
    if only:
        files = [f for f in files if any(fnmatch.fnmatch(f, o) for o in only)]
        functions = [f for f in functions if any(fnmatch.fnmatch(f.split(":")[0], o) for o in only)]
    return {**cfg, "files": files, "functions": functions}


def module(path: str) -> str:
    """The module name mutmut gives a file's mutants (a package's __init__ is the package)."""
    return path[:-3].replace("/", ".").removesuffix(".__init__")


def patterns(cfg: dict) -> list[str]:
    """mutmut mutant-name patterns of everything in scope."""
    out = [f"{module(f)}.x*" for f in cfg["files"]]
    for entry in cfg["functions"]:
        path, name = entry.split(":")
        if "." in name:
            cls, meth = name.split(".")
            out.append(f"{module(path)}.x{SEP}{cls}{SEP}{meth}__mutmut_*")
        else:
            out.append(f"{module(path)}.x_{name}__mutmut_*")
    return out


def toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def prepare(work: Path, cfg: dict) -> None:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "grader", work / "grader", ignore=ignore)
    for name in cfg["copy"]:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, work / name, ignore=ignore)
        else:
            shutil.copy2(src, work / name)
    mutate = sorted(set(cfg["files"]) | {f.split(":")[0] for f in cfg["functions"]})
    args = ["-p", "no:cacheprovider", "-q", "-m", "not slow and not browser"]
    for d in cfg.get("deselect", []):
        args += ["--deselect", d]
    (work / "pyproject.toml").write_text((work / "pyproject.toml").read_text() + f"""
[tool.mutmut]
source_paths = ["grader"]
only_mutate = {toml_list(mutate)}
also_copy = {toml_list(cfg["copy"])}
pytest_add_cli_args = {toml_list(args)}
pytest_add_cli_args_test_selection = {toml_list(cfg["tests"])}
use_git_change_detection = false
""")


def results(work: Path, cfg: dict) -> dict[str, str]:
    """Mutant name -> status, for the mutants in scope."""
    wanted = patterns(cfg)
    out = {}
    for meta in (work / "mutants").rglob("*.py.meta"):
        data = json.loads(meta.read_text())
        for name, code in data.get("exit_code_by_key", {}).items():
            if any(fnmatch.fnmatchcase(name, p) for p in wanted):
                out[name] = status(code)
    return dict(sorted(out.items()))


_FUNCS: dict[Path, dict[str, str]] = {}


def _functions(path: Path) -> dict[str, str]:
    """Function name -> source in a mutated file (mutmut writes each mutant as a function)."""
    if path not in _FUNCS:
        lines = path.read_text().splitlines()
        _FUNCS[path] = {n.name: "\n".join(lines[n.lineno - 1:n.end_lineno])
                        for n in ast.walk(ast.parse("\n".join(lines)))
                        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and "__mutmut_" in n.name}
    return _FUNCS[path]


def show(work: Path, name: str) -> str:
    """The mutant as a diff against the original function (what ``mutmut show`` prints, fast)."""
    mod, func = re.match(r"^(.*?)\.(x[_ǁ].*)$", name).groups()
    base = work / "mutants" / mod.replace(".", "/")
    funcs = _functions(base / "__init__.py" if base.is_dir() else base.with_suffix(".py"))
    orig = func.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"
    a, b = funcs.get(orig, ""), funcs.get(func, "").replace(func, orig, 1)
    diff = difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=1)
    return "\n".join(line for line in list(diff)[2:])


SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|JOIN|ORDER BY|GROUP BY|COALESCE|IS NOT NULL|VALUES|"
                 r"ON CONFLICT|PRAGMA)\b")
ROW_VARS = re.compile(r"(?:for\s+(\w+)\s+in\s+[^\n]*(?:execute|fetchall)\(|(\w+)\s*=\s*[^\n]*\.fetchone\(\)|"
                      r"def _\w+\((?:self, )?(row)\b)")


def sqlite_case_only(work: Path, name: str) -> bool:
    """Equivalent by construction: the mutant changes only the letter case of SQL text (SQLite's
    keywords and names are case-insensitive) or of a key of a sqlite3.Row (looked up without case)."""
    mod, func = re.match(r"^(.*?)\.(x[_ǁ].*)$", name).groups()
    if not mod.startswith("grader.gradebook."):
        return False
    funcs = _functions(work / "mutants" / (mod.replace(".", "/") + ".py"))
    orig = funcs.get(func.rsplit("__mutmut_", 1)[0] + "__mutmut_orig", "")
    mutant = funcs.get(func, "").replace(func, func.rsplit("__mutmut_", 1)[0] + "__mutmut_orig", 1)
    a, b = orig.splitlines(), mutant.splitlines()
    changed = [(x, y) for x, y in zip(a, b) if x != y]
    if len(a) != len(b) or len(changed) != 1 or changed[0][0].lower() != changed[0][1].lower():
        return False
    x, y = changed[0]
    i = next(k for k in range(len(x)) if x[k] != y[k])
    j = len(x) - next(k for k in range(len(x)) if x[-1 - k] != y[-1 - k])
    start, end = x.rfind('"', 0, i + 1), x.find('"', j - 1)
    literal = x[start:end + 1]
    if SQL.search(literal):
        # SQLite reads keywords and names in any case, but not the values quoted in the SQL.
        return re.findall(r"'[^']*'", literal) == re.findall(r"'[^']*'", y[start:end + 1])
    rows = {n for m in ROW_VARS.finditer(orig) for n in m.groups() if n}
    subscript = re.search(r"(\w+)\[\s*$", x[:start])
    return bool(subscript and subscript.group(1) in rows and end + 1 < len(x) and x[end + 1] == "]")


WHY = {
    "text": "changes only the wording of a text (a message, a label, a note): the fast tests pin what a "
            "reader needs in it (names, numbers, the fix) and the reviewed tables in tests/golden pin the "
            "judges' messages whole; other texts are not pinned character by character",
    "key": "changes a string used as a key, a column name or a pattern: a gap of the fast tests (a slow "
           "engine or command-line test may still catch it)",
    "number": "changes a number (a display cap, an index, a default): a gap of the fast tests unless the "
              "number only shapes a text",
    "logic": "changes a condition, an operator, an argument or a value: no fast test tells it apart; a gap "
             "(a slow engine or command-line test may still catch it), or equivalent where noted",
    "unrun": "not run (mutmut gave no result for it): counted as survived",
}
# A string after one of these on its line is used, not shown: conservative (a message line that
# also looks a value up counts as a key too).
KEY_BEFORE = re.compile(r"(\.get\(|\[|\bin\b|==|!=|\bre\.\w+\(|\.(sub|search|match|fullmatch|compile)\(|"
                        r"startswith\(|endswith\(|split\(|replace\(|execute\(|\bcolumn|\bkind|setdefault\(|getattr\(|hasattr\()")


def classify(diff: str, status_text: str) -> str:
    """Which kind of change a surviving mutant makes, read from its diff (tokens of the changed lines)."""
    if status_text == "not checked":
        return "unrun"
    import io
    import tokenize

    def tokens(lines: list[str]) -> list[tuple[int, str]]:
        try:
            return [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO("\n".join(
                line.strip() for line in lines) + "\n").readline) if t.type not in (tokenize.NL, tokenize.NEWLINE,
                                                                                    tokenize.COMMENT)]
        except (tokenize.TokenError, IndentationError, SyntaxError):
            return []
    old = [line[1:] for line in diff.splitlines() if line.startswith("-")]
    new = [line[1:] for line in diff.splitlines() if line.startswith("+")]
    a, b = tokens(old), tokens(new)
    if not a or len(a) != len(b):
        return "logic"
    changed = [(x, y) for x, y in zip(a, b) if x != y]
    if not changed:
        return "logic"
    if all(x[0] == y[0] == tokenize.STRING or (x[0] == tokenize.FSTRING_START if hasattr(tokenize, "FSTRING_START")
                                                else False) for x, y in changed):
        for (_, x), (_, y) in changed:
            if x[:1] in "fF" or x[:2].lower() in ("rf", "fr"):
                if re.findall(r"\{[^{}]*\}", x) != re.findall(r"\{[^{}]*\}", y):
                    return "logic"          # an expression inside an f-string changed
        joined = ""
        for k, t in a:
            joined += (" " + t) if k == tokenize.NAME and joined[-1:].isalnum() else t
        first = changed[0][0][1]
        at = joined.find(first)
        return "key" if at >= 0 and KEY_BEFORE.search(joined[:at]) else "text"
    if all(x[0] == y[0] == tokenize.NUMBER for x, y in changed):
        return "number"
    return "logic"


def report(work: Path, cfg: dict, seconds: float | None) -> dict:
    res = results(work, cfg)
    if not res:
        raise SystemExit(f"no mutation results in {work}/mutants: run without --report first")
    for n, s in res.items():
        if s == "survived" and sqlite_case_only(work, n):
            res[n] = "equivalent"
    counts: dict[str, int] = {}
    for s in res.values():
        counts[s] = counts.get(s, 0) + 1
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    judged = len(res) - counts.get("equivalent", 0)
    score = 100.0 * killed / judged
    raw = 100.0 * killed / len(res)
    per_file: dict[str, list[int]] = {}
    for name, s in res.items():
        mod = re.sub(r"\.x[_ǁ].*$", "", name)
        k = per_file.setdefault(mod, [0, 0])
        k[0] += s in ("killed", "timeout")
        k[1] += s != "equivalent"
    survivors = [n for n, s in res.items() if s not in ("killed", "timeout", "equivalent")]
    summary = {"score": round(score, 1), "score_counting_equivalent_as_survived": round(raw, 1),
               "mutants": len(res), "equivalent_sqlite_case": counts.get("equivalent", 0), "killed": killed,
               "counts": counts,
               "per_module": {m: {"killed": k, "mutants": n} for m, (k, n) in per_file.items()},
               "survivors": {n: res[n] for n in survivors}}
    if seconds is not None:
        summary["seconds"] = round(seconds)
    elif (work / "summary.json").exists():
        summary["seconds"] = json.loads((work / "summary.json").read_text()).get("seconds")
    (work / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    lines = [f"# Surviving mutants ({len(survivors)} of {judged}; equivalent by the SQLite case rule: "
             f"{counts.get('equivalent', 0)})", ""]
    kinds: dict[str, str] = {}
    for n in survivors:
        diff = show(work, n)
        kinds[n] = classify(diff, res[n])
        lines += [f"## {n} ({res[n]}, {kinds[n]})", "", "```diff", diff, "```", ""]
    (work / "survivors.md").write_text("\n".join(lines))
    summary["kinds"] = {k: sum(1 for v in kinds.values() if v == k) for k in WHY}
    summary["survivor_kinds"] = kinds
    (work / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    listing = ["# Every surviving mutant, and why it survives", "",
               "Written by `python tools/mutation.py --report --list docs/mutation-survivors.md` from the last "
               "run (see docs/mutation.md). One line each: the mutant (mutmut's name: module, function, "
               "number), its kind, and the changed line as the mutant has it. Kinds:", ""]
    listing += [f"- **{k}** ({summary['kinds'][k]}): {why}" for k, why in WHY.items()] + [""]
    for mod in sorted({re.sub(r"\.x[_ǁ].*$", "", n) for n in survivors}):
        listing += [f"## {mod}", ""]
        for n in survivors:
            if re.sub(r"\.x[_ǁ].*$", "", n) != mod:
                continue
            plus = next((line[1:].strip() for line in show(work, n).splitlines() if line.startswith("+")), "(removed)")
            listing.append(f"- `{n.split('.', len(mod.split('.')))[-1]}` {kinds[n]}: `{plus[:140].replace('`', chr(39))}`")
        listing.append("")
    summary["listing"] = "\n".join(listing)
    print(f"\nmutation score: {score:.1f}% ({killed} of {judged} mutants killed; {counts.get('equivalent', 0)} "
          f"more change only the case of SQL text or of a sqlite3.Row key: equivalent; {raw:.1f}% counting them)"
          + (f" in {seconds / 60:.1f} min" if seconds is not None else ""))
    for mod, (k, n) in sorted(per_file.items()):
        print(f"  {mod:40} {k:4}/{n:<4} {100.0 * k / n:5.1f}%")
    print(f"survivors with their diffs: {work / 'survivors.md'}")
    return summary


def check_doc(summary: dict) -> list[str]:
    text = DOC.read_text() if DOC.exists() else ""
    return [n for n in summary["survivors"] if n not in text]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", default=[], help="only files matching this glob (repeatable)")
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "mutation")
    ap.add_argument("--jobs", type=int, default=1, help="mutants tested at once (default 1)")
    ap.add_argument("--min", type=float, default=85.0, help="fail below this score (percent)")
    ap.add_argument("--report", action="store_true", help="report the last run's results, run nothing")
    ap.add_argument("--check-doc", action="store_true", help="fail when docs/mutation.md misses a survivor")
    ap.add_argument("--list", type=Path, help="also write every survivor, its kind and why, to this file")
    ap.add_argument("--merge", type=Path, action="append", default=[],
                    help="take the results of the files a later --only run in this work folder had (with --report)")
    args = ap.parse_args(argv)
    cfg = load_config(args.only)
    work = args.work.resolve()
    seconds = None
    for other in args.merge:
        for meta in (other / "mutants").rglob("*.py.meta"):
            shutil.copy2(meta, work / "mutants" / meta.relative_to(other / "mutants"))
            source = meta.with_suffix("")           # the mutated file itself: diffs are read from it
            shutil.copy2(source, work / "mutants" / source.relative_to(other / "mutants"))
            print(f"results of {meta.relative_to(other / 'mutants')} taken from {other}")
    if not args.report:
        try:
            import mutmut  # noqa: F401
        except ImportError:
            raise SystemExit("mutmut is not installed: pip install 'mutmut>=3.3,<4'") from None
        prepare(work, cfg)
        t0 = time.monotonic()
        cmd = [sys.executable, "-c", "import sys; from mutmut.__main__ import cli; sys.exit(cli())",
               "run", "--max-children", str(args.jobs), *patterns(cfg)]
        print(f"mutmut in {work}: {len(cfg['files'])} files, {len(cfg['functions'])} functions, "
              f"{len(cfg['tests'])} test files", flush=True)
        res = subprocess.run(cmd, cwd=work)
        seconds = time.monotonic() - t0
        if res.returncode not in (0, 1):
            print(f"mutmut ended with status {res.returncode}", file=sys.stderr)
    summary = report(work, cfg, seconds)
    if args.list:
        args.list.write_text(summary["listing"] + "\n")
        print(f"every survivor, its kind and why: {args.list}")
    print("survivors by kind: " + ", ".join(f"{k} {n}" for k, n in summary["kinds"].items()))
    rc = 0
    if summary["score"] < args.min:
        print(f"below the required {args.min:g}%", file=sys.stderr)
        rc = 1
    if args.check_doc:
        missing = check_doc(summary)
        if missing:
            print(f"{len(missing)} survivors are not explained in {DOC.relative_to(ROOT)}:", file=sys.stderr)
            for n in missing:
                print("  " + n, file=sys.stderr)
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
