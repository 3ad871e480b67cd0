"""Similarity bench: accuracy on a synthetic cohort with planted copies, and speed at 1,000 students.

    python bench/similarity.py accuracy                 # 200 honest + 20 planted, seeds 1-5
    python bench/similarity.py accuracy --seeds 1 2 3 4 5 6 7 8 9 10 --by code    # RESULTS.md's table
    python bench/similarity.py accuracy --honest 1000 --planted 50 --seeds 1 2 --by code
    python bench/similarity.py accuracy --seeds 1 2 3 --by code --copydetect     # copydetect as it is
    python bench/similarity.py speed -n 1000 -j 2 --copydetect 1000   # ours, and copydetect's loop
    python bench/similarity.py speed -n 1000 --copydetect 0           # ours only

Accuracy: every pair of the cohort is scored as ``grader similarity`` scores it. Pairs are
*planted* (a copy and its source, or two copies of one source), or honest; honest pairs are
grouped by how many of their two styles (model style, training style) they share: none ("different
styles", the issue's bar), one, or both. Reported: the lowest planted score, the highest honest
score per group, the gap (lowest planted minus highest honest of different styles), precision at
the planted count (of the top P pairs, how many are planted) and who the threshold flags.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.similarity_cohort import CODE_CELLS, WRITTEN_CELLS, Cohort, cohort  # noqa: E402
from grader.similarity.analysis import analyse  # noqa: E402
from grader.similarity.cohort import CODE, TEXT, Cell, Hand  # noqa: E402
from grader.similarity.documents import written_words  # noqa: E402
from grader.similarity.material import load_material  # noqa: E402
from grader.similarity.settings import Settings  # noqa: E402
from grader.spec import load_spec  # noqa: E402


def hands_of(c: Cohort) -> list[Hand]:
    out = []
    for s in c.students:
        cells = tuple(Cell(cid, TEXT if cid in WRITTEN_CELLS else CODE, src) for cid, src in s.cells.items())
        out.append(Hand(key=s.key, name=s.name, matr_number="", file=f"{s.key}.ipynb", term="", cells=cells))
    return out


@dataclasses.dataclass
class Accuracy:
    planted: int
    planted_min: float
    planted_median: float
    honest_max: dict[str, float]        # "different", "one shared", "same" -> highest score
    honest_n: dict[str, int]
    precision: float                    # of the top P pairs (P = planted count), the share planted
    gap: float                          # planted_min - honest_max["different"]
    flagged_planted: int
    flagged_honest: dict[str, int]
    written_planted: int
    written_min: float
    written_honest_max: float
    written_precision: float
    lowest: list[tuple[float, str, str, list[str]]]


GROUPS = ("different", "one shared", "same")


def accuracy(c: Cohort, settings: Settings, material, by: str = "score") -> Accuracy:
    hands = hands_of(c)
    every = dataclasses.replace(settings, list_floor=1e-9, written_list_floor=1e-9, max_listed=10**9)
    a = analyse(hands, [], material, every)
    scores = {frozenset((p.a, p.b)): p for p in a.pairs}
    by_key = {s.key: s for s in c.students}

    def styles(k: str) -> tuple[int, int]:
        s = by_key[k]
        return by_key[s.copied_from].model_style if s.copied_from else s.model_style, s.train_style

    planted = c.planted
    keys = sorted(by_key)
    ranked, honest = [], {g: [] for g in GROUPS}
    flagged_honest = {g: 0 for g in GROUPS}
    for i, x in enumerate(keys):
        for y in keys[i + 1:]:
            pair = frozenset((x, y))
            p = scores.get(pair)
            score = getattr(p, by) if p else 0.0
            ranked.append((score, pair in planted))
            if pair in planted:
                continue
            sx, sy = styles(x), styles(y)
            group = GROUPS[(sx[0] == sy[0]) + (sx[1] == sy[1])]
            honest[group].append(score)
            flagged_honest[group] += bool(p and p.flagged)
    ranked.sort(key=lambda t: -t[0])
    pl = sorted((getattr(scores[pair], by) if pair in scores else 0.0, *sorted(pair)) for pair in planted)
    lowest = [(s, x, y, (by_key[x].disguises or by_key[y].disguises)) for s, x, y in pl[:3]]
    top = ranked[:len(planted)]
    # copied answers the view deliberately ignores (too short to tell anything) are not planted
    written = {pair: cells for pair, cells in c.planted_written.items()
               if any(written_words(by_key[k].cells.get(cid, ""), settings) for cid in cells for k in pair)}
    w_pl = sorted(scores[p].written if p in scores else 0.0 for p in written)
    w_honest = [p.written for pair, p in scores.items() if pair not in written]
    w_rank = sorted(((p.written, pair in written) for pair, p in scores.items()), key=lambda t: -t[0])[:len(written)]
    return Accuracy(
        planted=len(planted), planted_min=pl[0][0], planted_median=statistics.median(s for s, *_ in pl),
        honest_max={g: max(v, default=0.0) for g, v in honest.items()}, honest_n={g: len(v) for g, v in honest.items()},
        precision=sum(1 for _, t in top if t) / len(planted), gap=pl[0][0] - max(honest["different"], default=0.0),
        flagged_planted=sum(1 for pair in planted if pair in scores and scores[pair].flagged),
        flagged_honest=flagged_honest, written_planted=len(written), written_min=w_pl[0] if w_pl else 0.0,
        written_honest_max=max(w_honest, default=0.0),
        written_precision=sum(1 for _, t in w_rank if t) / max(1, len(written)), lowest=lowest)


def copydetect_scores(c: Cohort) -> dict[frozenset[str], float]:
    """copydetect as documented, for comparison: each student's code cells in one file, the
    template's and solution's code cells as boilerplate, its defaults (k = 25 characters of its
    filtered code, every k-gram); a pair's score is the larger of its two similarities."""
    from copydetect import CopyDetector
    import nbformat
    tmp = Path(tempfile.mkdtemp(prefix="cd-acc-"))
    try:
        bp = tmp / "boilerplate"
        bp.mkdir()
        for name in ("template", "solution"):
            nb = nbformat.read(ROOT / "reference" / "assignment7" / f"{name}.ipynb", as_version=4)
            for i, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    (bp / f"{name}-{i}.py").write_text(cell.source)
        d = tmp / "code"
        d.mkdir()
        for s in c.students:
            code = [src for cid, src in s.cells.items() if cid not in WRITTEN_CELLS]
            (d / f"{s.key}.py").write_text("\n\n".join(code))
        det = CopyDetector(test_dirs=[str(d)], boilerplate_dirs=[str(bp)], extensions=["py"], autoopen=False,
                           silent=True, out_file=str(tmp / "report.html"))
        det.run()
        files = [Path(f).stem for f in det.test_files]
        refs = [Path(f).stem for f in det.ref_files]
        out: dict[frozenset[str], float] = {}
        for i, x in enumerate(files):
            for j, y in enumerate(refs):
                if x != y:
                    sim = float(max(det.similarity_matrix[i, j]))
                    pair = frozenset((x, y))
                    out[pair] = max(out.get(pair, 0.0), sim)
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ranking_figures(c: Cohort, score: dict[frozenset[str], float]) -> tuple[float, float, float, float]:
    """(lowest planted, highest honest of different styles, gap, precision at P) for any scorer."""
    by_key = {s.key: s for s in c.students}

    def styles(k: str) -> tuple[int, int]:
        s = by_key[k]
        return by_key[s.copied_from].model_style if s.copied_from else s.model_style, s.train_style

    keys = sorted(by_key)
    planted, ranked, different = c.planted, [], []
    for i, x in enumerate(keys):
        for y in keys[i + 1:]:
            pair = frozenset((x, y))
            v = score.get(pair, 0.0)
            ranked.append((v, pair in planted))
            sx, sy = styles(x), styles(y)
            if pair not in planted and sx[0] != sy[0] and sx[1] != sy[1]:
                different.append(v)
    ranked.sort(key=lambda t: -t[0])
    low = min(score.get(p, 0.0) for p in planted)
    high = max(different)
    return low, high, low - high, sum(1 for _, t in ranked[:len(planted)] if t) / len(planted)


def cmd_accuracy(args) -> None:
    spec = load_spec()
    settings = Settings.from_spec(spec)
    overrides = {k: v for k, v in (("k", args.k), ("common_share", args.common_share), ("prior", args.prior),
                                   ("written_k", args.written_k), ("written_prior", args.written_prior))
                 if v is not None}
    settings = dataclasses.replace(settings, **overrides)
    material = load_material(spec, settings)
    rows = []
    for seed in args.seeds:
        c = cohort(args.honest, args.planted, seed=seed)
        t0 = time.monotonic()
        acc = accuracy(c, settings, material, args.by)
        rows.append(acc)
        print(f"seed {seed}: {len(c.students)} hand-ins, {acc.planted} planted pairs ({time.monotonic() - t0:.1f} s)\n"
              f"  planted: lowest {acc.planted_min:.3f}, median {acc.planted_median:.3f}; flagged "
              f"{acc.flagged_planted}/{acc.planted}\n"
              f"  honest, highest: different styles {acc.honest_max['different']:.3f} "
              f"({acc.honest_n['different']} pairs), one style shared {acc.honest_max['one shared']:.3f} "
              f"({acc.honest_n['one shared']}), same styles {acc.honest_max['same']:.3f} ({acc.honest_n['same']})\n"
              f"  gap {acc.gap:+.3f}; precision at {acc.planted}: {acc.precision:.3f}; honest pairs flagged: "
              + ", ".join(f"{g} {n}" for g, n in acc.flagged_honest.items()) + "\n"
              f"  written: {acc.written_planted} planted pairs sharing copied answers, lowest {acc.written_min:.3f}; "
              f"highest other {acc.written_honest_max:.3f}; precision {acc.written_precision:.3f}\n"
              f"  lowest planted: " + "; ".join(f"{s:.2f} {x}-{y} {'+'.join(d)}" for s, x, y, d in acc.lowest))
        if args.copydetect:
            t0 = time.monotonic()
            low, high, gap, prec = ranking_figures(c, copydetect_scores(c))
            print(f"  copydetect {_copydetect_version()} as documented (whole code per student, template and "
                  f"solution as boilerplate): lowest planted {low:.3f}, highest honest of different styles "
                  f"{high:.3f}, gap {gap:+.3f}, precision at {acc.planted}: {prec:.3f} ({time.monotonic() - t0:.1f} s)")
    if len(rows) > 1:
        print(f"over {len(rows)} seeds: lowest planted {min(r.planted_min for r in rows):.3f}, highest honest of "
              f"different styles {max(r.honest_max['different'] for r in rows):.3f}, smallest gap "
              f"{min(r.gap for r in rows):+.3f}, precision at P {min(r.precision for r in rows):.3f}-"
              f"{max(r.precision for r in rows):.3f}")


def cmd_speed(args) -> None:
    spec = load_spec()
    settings = Settings.from_spec(spec)
    material = load_material(spec, settings)
    c = cohort(args.n, 0, seed=1)
    hands = hands_of(c)
    runs = []
    for _ in range(args.repeat):
        t0 = time.monotonic()
        a = analyse(hands, [], material, settings, jobs=args.jobs)
        runs.append((time.monotonic() - t0, a.seconds))
    walls = [r[0] for r in runs]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, "
          f"Python {platform.python_version()}")
    print(f"ours: {args.n} hand-ins, all pairs of {', '.join(settings.code_cells)}, all code, 3 written answers: "
          f"median {statistics.median(walls):.1f} s over {len(walls)} run(s) with {args.jobs} process(es) "
          f"({', '.join(f'{k} {v:.1f} s' for k, v in runs[-1][1].items())}); {len(a.pairs)} pairs listed")
    if args.copydetect:
        n = min(args.copydetect, args.n)
        secs = copydetect_time(c, n)
        per_pair = secs / (3 * n * (n - 1) / 2)
        full = per_pair * 3 * args.n * (args.n - 1) / 2
        print(f"copydetect {_copydetect_version()} CopyDetector (its all-pairs loop), three cells of {n} hand-ins: "
              f"{secs:.1f} s = {per_pair * 1e6:.0f} µs per pair; for {args.n}: "
              f"{'measured' if n == args.n else 'about'} {full:.0f} s on one core")


def _copydetect_version() -> str:
    from importlib.metadata import version
    return version("copydetect")


def copydetect_time(c: Cohort, n: int) -> float:
    """copydetect as documented: one CopyDetector per cell over a folder of files, the
    template's and the solution's cells as boilerplate."""
    from copydetect import CopyDetector
    import nbformat
    tmp = Path(tempfile.mkdtemp(prefix="cd-bench-"))
    try:
        bp = tmp / "boilerplate"
        bp.mkdir()
        for name in ("template", "solution"):
            nb = nbformat.read(ROOT / "reference" / "assignment7" / f"{name}.ipynb", as_version=4)
            for i, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    (bp / f"{name}-{i}.py").write_text(cell.source)
        total = 0.0
        for cid in CODE_CELLS:
            d = tmp / cid
            d.mkdir()
            for s in c.students[:n]:
                (d / f"{s.key}.py").write_text(s.cells[cid])
            det = CopyDetector(test_dirs=[str(d)], boilerplate_dirs=[str(bp)], extensions=["py"], autoopen=False,
                               silent=True, out_file=str(tmp / "report.html"))
            t0 = time.monotonic()
            det.run()
            total += time.monotonic() - t0
        return total
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    a = sub.add_parser("accuracy")
    a.add_argument("--honest", type=int, default=200)
    a.add_argument("--planted", type=int, default=20)
    a.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    a.add_argument("--k", type=int)
    a.add_argument("--written-k", type=int)
    a.add_argument("--common-share", type=float)
    a.add_argument("--prior", type=float)
    a.add_argument("--written-prior", type=float)
    a.add_argument("--copydetect", action="store_true", help="also score the cohort with copydetect as it is")
    a.add_argument("--by", choices=["score", "code", "written"], default="score",
                   help="rank pairs by their score (default), their code score or their written score")
    a.set_defaults(run=cmd_accuracy)
    s = sub.add_parser("speed")
    s.add_argument("-n", type=int, default=1000)
    s.add_argument("-j", "--jobs", type=int, default=2)
    s.add_argument("--repeat", type=int, default=3)
    s.add_argument("--copydetect", type=int, default=200, metavar="N",
                   help="time copydetect on the first N hand-ins (0: skip) and scale to -n")
    s.set_defaults(run=cmd_speed)
    args = p.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
