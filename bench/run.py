"""Benchmark: grade N generated submissions on the fast engine and, in the same run, a sample
on the naive path (one fresh nbclient kernel per submission, same checks); print the figures.

    python bench/run.py                 # N=200, cores + 1 workers, naive sample of 30
    python bench/run.py -n 1000 --naive 0
    python bench/run.py --write-results # also rewrite bench/RESULTS.md

Every grade is checked against the generated variant's known score (the stress test).
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.corpus import write  # noqa: E402
from grader.data import ensure_dataset  # noqa: E402
from grader.engines import make_engine  # noqa: E402

try:
    from grader.engines import default_workers  # noqa: E402
except ImportError:     # an earlier commit run by bench/ab.sh: its default was one worker per core
    def default_workers() -> int:
        return os.cpu_count() or 1
from grader.pipeline import Grader, engine_setup  # noqa: E402
from grader.spec import load_spec  # noqa: E402

HERE = Path(__file__).resolve().parent


def machine_cpu() -> tuple[float, float, float]:
    """Seconds of user, system and idle time of the whole machine so far (Linux /proc/stat)."""
    try:
        v = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0, 0.0
    hz = os.sysconf("SC_CLK_TCK")
    return (v[0] + v[1]) / hz, (v[2] + v[5] + v[6]) / hz, (v[3] + v[4]) / hz


def grade_all(engine_name, spec, home, paths, jobs):
    engine = make_engine(engine_name, engine_setup(spec, home, jobs))
    t0 = time.monotonic()
    engine.start()
    startup = time.monotonic() - t0
    grader = Grader(spec, engine, hidden=True)
    grader.prepare()
    worker_rss = []
    if engine_name == "fork":   # the process that holds torch: the worker's PID-namespace init
        worker_rss = [max([q.memory_info().rss for q in psutil.Process(w.proc.pid).children()] or [0])
                      for w in engine.workers]
    t1, c1, r1 = time.monotonic(), machine_cpu(), resource.getrusage(resource.RUSAGE_SELF)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(grader.grade, paths))
    wall, c2, r2 = time.monotonic() - t1, machine_cpu(), resource.getrusage(resource.RUSAGE_SELF)
    own = (r2.ru_utime - r1.ru_utime) + (r2.ru_stime - r1.ru_stime)
    user, system, idle = (b - a for a, b in zip(c1, c2))
    child = max((w.peak_memory for w in getattr(engine, "workers", [])), default=0)
    engine.close()
    return results, {"startup_s": startup, "wall_s": wall, "worker_rss": max(worker_rss, default=0),
                     "child_peak": child, "cpu": (user, system, idle), "grader_cpu": own}


def figures(results, wall, jobs):
    per = sorted(r.seconds for r in results)
    p95 = per[min(len(per) - 1, int(round(0.95 * (len(per) - 1))))]
    return {"n": len(results), "median_s": statistics.median(per), "p95_s": p95,
            "per_min": 60 * len(results) / wall, "wall_s": wall}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=200, help="submissions to generate (default 200)")
    ap.add_argument("-j", "--jobs", type=int, default=default_workers(),
                    help="workers (default: as `grader grade`, cores + 1)")
    ap.add_argument("--naive", type=int, default=30, help="how many of them the naive path grades (0: skip)")
    ap.add_argument("--hostile", type=float, default=0.03,
                    help="share of hostile submissions (default 0.03; the stress run uses 0.1)")
    ap.add_argument("--cell-timeout", type=float, default=10, help="cell time limit for the run (default 10 s)")
    ap.add_argument("--write-results", action="store_true", help="rewrite bench/RESULTS.md")
    args = ap.parse_args(argv)

    spec = load_spec()
    spec.limits = dataclasses.replace(spec.limits, cell_timeout_s=args.cell_timeout)
    home, _ = ensure_dataset()
    tmp = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    expected = write(tmp / "subs", args.n, args.hostile)
    paths = sorted((tmp / "subs").glob("*.ipynb"))

    fast, fast_meta = grade_all("fork", spec, home, paths, args.jobs)
    wrong = [(r.file, r.auto_points, expected[r.file].auto_points) for r in fast
             if r.auto_points != expected[r.file].auto_points]
    faults = sum(1 for r in fast if any(f.split(":")[0] in ("timeout", "memory", "processes", "crashed")
                                        for f in r.flags))
    f = figures(fast, fast_meta["wall_s"], args.jobs)
    grader_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    lines = [f"machine: {platform.machine()}, {os.cpu_count()} cores, "
             f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}, "
             f"torch {__import__('torch').__version__}",
             f"corpus: {args.n} submissions, {sum(v.hostile for v in expected.values())} hostile "
             f"(endless loop, os._exit, 1 GB print, memory bomb, fork bomb), cell limit {args.cell_timeout:g} s, "
             f"{args.jobs} worker(s)",
             "",
             "| path | notebooks | median s/notebook | p95 s/notebook | notebooks/min | start-up s | worker RSS MB |",
             "|---|---|---|---|---|---|---|",
             f"| fork (default) | {f['n']} | {f['median_s']:.2f} | {f['p95_s']:.2f} | {f['per_min']:.0f} | "
             f"{fast_meta['startup_s']:.1f} | {fast_meta['worker_rss'] / 2**20:.0f} (child peak {fast_meta['child_peak'] / 2**20:.0f}) |"]
    honest = [p for p in paths if not expected[p.name].hostile]
    h = None
    if args.naive and len(honest) < len(paths):
        # The naive sample holds no hostile notebook (the plain nbclient engine limits time only: a
        # memory bomb would take the machine), so the fork engine grades the corpus's honest
        # notebooks once more on their own: the same kind of notebooks on both paths.
        again, again_meta = grade_all("fork", spec, home, honest, args.jobs)
        h = figures(again, again_meta["wall_s"], args.jobs)
        lines.append(f"| fork, honest ones only | {h['n']} | {h['median_s']:.2f} | {h['p95_s']:.2f} | {h['per_min']:.0f} | "
                     f"{again_meta['startup_s']:.1f} | - |")
    if args.naive:
        sample = honest[: args.naive]
        naive, naive_meta = grade_all("nbclient", spec, home, sample, args.jobs)
        g = figures(naive, naive_meta["wall_s"], args.jobs)
        same = all(a.auto_points == b.auto_points for a, b in zip(naive, [r for r in fast if r.file in {p.name for p in sample}]))
        lines.append(f"| naive nbclient | {g['n']} | {g['median_s']:.2f} | {g['p95_s']:.2f} | {g['per_min']:.0f} | "
                     f"- | - |")
        lines += ["", f"speed-up (notebooks/min, same run): {f['per_min'] / g['per_min']:.1f}x"
                      + (" with the hostile ones in the fork engine's corpus only, "
                         f"{h['per_min'] / g['per_min']:.1f}x on honest notebooks on both paths" if h else "")
                      + f"; per-notebook median ratio {g['median_s'] / f['median_s']:.1f}x; naive grades equal: {same}"]
    user, system, idle = fast_meta["cpu"]
    lines += [f"machine CPU while the fork engine graded: {100 * (user + system) / max(user + system + idle, 1e-9):.0f} % "
              f"busy; {1000 * (user + system) / max(f['n'], 1):.0f} ms per notebook (user "
              f"{1000 * user / max(f['n'], 1):.0f}, system {1000 * system / max(f['n'], 1):.0f}; the grader process {1000 * fast_meta['grader_cpu'] / max(f['n'], 1):.0f}), "
              f"hostile ones included",
              f"grader process peak RSS: {grader_rss / 2**20:.0f} MB",
              f"stress: {len(fast)} reports, {faults} faults survived, {len(wrong)} wrong grades"
              + (f": {wrong[:5]}" if wrong else "")]
    text = "\n".join(lines)
    print(text)
    if args.write_results:
        cmd = " ".join(["python", "bench/run.py", *(argv or sys.argv[1:])])
        (HERE / "RESULTS.md").write_text(f"# Benchmark results\n\n`{cmd}`, {time.strftime('%Y-%m-%d')}\n\n{text}\n")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
