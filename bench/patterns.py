"""Every regular expression of the grader's package, run on long repeats of the characters it names: the ones whose
time grows faster than the text. Python's `re` holds the interpreter while it works, so one pattern that backtracks
over a notebook's text stops every notebook graded beside it (reviews 335 to 337: 54 to 89 s on one cell, an honest
classmate's cells timed out). Run after changing a pattern; read each hit against how the code applies it (a
pattern only ever `fullmatch`ed on one line is safe where only `search` grows).

    python bench/patterns.py            # texts of 1,500 and 3,000 characters
    python bench/patterns.py 4000       # longer
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import grader  # noqa: E402

UNITS = [" ", "\t", "\n", " \n", "\n ", "a", "_", ".", "a.", "{", "{{", "(", "[", "'", '"', "%", "!", "?", "=", "= ",
         "#", "\\", "a ", " a", "...", "\n...", ">>>", "a(", "a=", "::", ":", ",", "-", "1", "0.", "$", "<", "*", "@"]
ENDS = [("", ""), ("x", "y"), ("a", "\n"), ("%", "x"), ("", "?"), ("{", ""), ("", "#"), ("x = ", "\n"),
        ("%%", "")]                     # (review 424: `%%` and a long word)


def patterns() -> list[tuple[str, re.Pattern]]:
    found = []
    for info in pkgutil.walk_packages(grader.__path__, "grader."):
        if ".child" in info.name or info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception:  # noqa: BLE001 - a module that needs what this machine lacks
            continue
        found += [(f"{info.name}.{k}", v) for k, v in vars(module).items()
                  if isinstance(v, re.Pattern) and isinstance(v.pattern, str)]
    return found


def seconds(call, text: str) -> float:
    start = time.perf_counter()
    try:
        result = call(text)
        if hasattr(result, "__next__"):
            for i, _ in enumerate(result):
                if i > 50:
                    break
    except (re.error, RecursionError):
        pass
    return time.perf_counter() - start


def main(size: int = 3000) -> int:
    hits = []
    for name, p in patterns():
        units = UNITS + sorted({c for c in p.pattern if not c.isalnum() and c not in "()[]{}*+?|^$\\"})
        for how, call in (("anchored", lambda t, p=p: (p.match(t), p.fullmatch(t))),
                          ("unanchored", lambda t, p=p: (p.search(t), list(p.finditer(t))[:50]))):
            worst = (0.0, "", ("", ""))
            for unit in units:
                for before, after in ENDS:
                    short = seconds(call, before + unit * (size // 2 // len(unit)) + after)
                    if short < 0.002:
                        continue
                    long = seconds(call, before + unit * (size // len(unit)) + after)
                    if long > worst[0] and long / max(short, 1e-9) > 2.8:
                        worst = (long, unit, (before, after))
            if worst[0] > 0.005:
                hits.append((worst[0], name, how, worst[1], worst[2]))
    for t, name, how, unit, ends in sorted(hits, reverse=True):
        print(f"{1000 * t:9.1f} ms at {size}: {name} ({how}) repeating {unit!r} between {ends!r}")
    print(f"{len(hits)} pattern(s) grow faster than the text" if hits else "every pattern grows with the text")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000))
