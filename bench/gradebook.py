"""Bench of the gradebook and the grading app on a synthetic cohort (issue 10, §4).

    python bench/gradebook.py                 # 1,000 submissions (the default)
    python bench/gradebook.py -n 300 --requests 100

1. Stores the cohort (``bench/cohort.py``: about 30 distinct answers per task with realistic
   noise) in a gradebook, one transaction per result as ``grader grade`` does.
2. Answer groups: decisions a TA makes (one per group) as a share of the answers, target
   <= 10 %; groups that mix answers whose numbers differ (ground truth), target 0.
3. Starts ``grader serve`` and grades as a TA would, through HTTP: open the next ungraded answer
   (the redirect of key ``n`` and the page it leads to), save a grade; p50/p95 of each, target
   p95 < 50 ms for the next answer.
4. With every answer graded, times each command a TA runs on the gradebook, as the TA runs it
   (a fresh process: Python start-up and imports included): ``grader moodle``, ``grader export``
   (gradebook, gradescope, junit), ``grader manual export``, ``grader feedback``; target < 5 s.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.cohort import CONCEPTS, cohort, distinct_answers  # noqa: E402
from grader.gradebook import open_gradebook  # noqa: E402
from grader.gradebook import groups as grouping  # noqa: E402

TASKS = ("calc_1_1", "calc_1_2", "calc_2")


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def ms(values):
    return f"{statistics.median(values) * 1000:.1f} / {pct(values, 95) * 1000:.1f} ms"


def store(reports: Path, n: int, seed: int):
    results, truth = cohort(n, seed)
    gb = open_gradebook(reports)
    t0 = time.perf_counter()
    for r in results:
        gb.store_result(r)
    took = time.perf_counter() - t0
    return gb, results, truth, took


def grouping_figures(gb, truth) -> dict:
    out = {}
    for task in TASKS:
        t0 = time.perf_counter()
        groups = grouping.groups(gb, task)
        took = time.perf_counter() - t0
        answers = sum(g.size for g in groups)
        mixed_numbers = mixed_answers = 0
        for g in groups:
            labels = {truth[(k, task)] for k in g.members}
            if len(labels) > 1:
                mixed_answers += 1
                nums = set()
                for t in labels:
                    if t.concept < 0:
                        nums.add(("own", t.variant))
                    else:
                        nums.add(json.dumps(CONCEPTS[task][t.concept]["variants"][t.variant], sort_keys=True)
                                 + f"|{t.concept}")
                if len({x.split("|")[0] if isinstance(x, str) else x for x in nums}) > 1:
                    mixed_numbers += 1
        ideal = len({truth[(k, task)].label for g in groups for k in g.members})
        out[task] = dict(answers=answers, groups=len(groups), distinct=ideal, mixed_numbers=mixed_numbers,
                         mixed_answers=mixed_answers, seconds=took,
                         largest=[g.size for g in groups[:5]])
    return out


class Client:
    """A TA's browser as far as the server can tell: one kept-alive connection, the session
    cookie, the CSRF token; redirects are not followed (they are timed on their own)."""

    def __init__(self, url: str):
        parsed = urllib.parse.urlparse(url)
        self.base = f"{parsed.scheme}://{parsed.netloc}"
        self.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.get(f"{parsed.path}?{parsed.query}")
        page = self.get("/who")[1]
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        self.request("POST", "/who", urllib.parse.urlencode({"name": "bench", "csrf_token": csrf, "next": "/"}),
                     {"Content-Type": "application/x-www-form-urlencoded"})
        page = self.get("/")[1]
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def request(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read().decode()
        for value in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return r, data

    def get(self, path):
        return self.request("GET", path)

    def post_json(self, path, data):
        return self.request("POST", path, json.dumps(data), {"Content-Type": "application/json",
                                                             "X-CSRFToken": self.csrf})


def serve(reports: Path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "300"}
    proc = subprocess.Popen([sys.executable, "-m", "grader", "serve", "--reports", str(reports), "--port", "0"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    while True:
        line = proc.stdout.readline()
        m = re.search(r"open (http://\S+)", line)
        if m:
            return proc, m.group(1)
        if not line:
            raise RuntimeError("grader serve did not start")


def latency(url: str, requests: int) -> dict:
    client = Client(url)
    item_id = json.loads(client.post_json("/api/rubric", {"task": "calc_1_1", "points": 10,
                                                          "description": "correct"})[1])["id"]
    nxt, page, save = [], [], []
    after = ""
    for _ in range(requests):
        t0 = time.perf_counter()
        r, _ = client.get("/t/calc_1_1/next" + (f"?after={after}" if after else ""))
        t1 = time.perf_counter()
        location = urllib.parse.urlparse(r.headers.get("Location", "")).path
        m = re.search(r"/a/(\d+)$", location)
        if not m:
            break
        sid = m.group(1)
        body = client.get(location)[1]
        t2 = time.perf_counter()
        version = int(re.search(r'&#34;version&#34;: (\d+)', body).group(1))
        client.post_json("/api/grade", {"task": "calc_1_1", "sid": int(sid), "items": [item_id], "version": version})
        t3 = time.perf_counter()
        nxt.append(t1 - t0)
        page.append(t2 - t1)
        save.append(t3 - t2)
        after = sid
    both = [a + b for a, b in zip(nxt, page)]
    return dict(requests=len(both), next_redirect=nxt, page=page, next_answer=both, save=save)


def grade_everything(gb) -> None:
    """Every answer graded (one decision per group), so exports render real grades."""
    for task in TASKS:
        item = gb.add_item(task, 7, "mostly right", "check the last step", "bench")
        for g in grouping.groups(gb, task):
            gb.set_grade(g.rep_key, task, items=[item.id], comment="ok", ta="bench")
            grouping.apply_to_group(gb, task, g.rep_key, "bench")


def worksheet(path: Path, results) -> None:
    lines = ["\ufeffIdentifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
             "Last modified (submission),Feedback comments"]
    for r in results:
        lines.append(f"Participant {r.participant_id},{r.participant},x@uni.example,Submitted,,100.00,Yes,-,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def commands(reports: Path, sheet: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "300"}
    out = {}
    runs = {
        "grader moodle": ["moodle", str(sheet), "--reports", str(reports), "--allow-pending"],
        "grader export --format gradebook": ["export", "--format", "gradebook", "--reports", str(reports)],
        "grader export --format gradescope": ["export", "--format", "gradescope", "--reports", str(reports)],
        "grader export --format junit": ["export", "--format", "junit", "--reports", str(reports)],
        "grader manual export": ["manual", "export", "--reports", str(reports)],
        "grader feedback": ["feedback", "--reports", str(reports)],
    }
    for name, args in runs.items():
        t0 = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "grader", *args], env=env, capture_output=True, text=True)
        out[name] = time.perf_counter() - t0
        if res.returncode != 0:
            raise RuntimeError(f"{name} failed: {res.stdout}{res.stderr}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=1000, help="submissions (default 1000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--requests", type=int, default=300, help="next-answer requests timed (default 300)")
    ap.add_argument("--keep", action="store_true", help="keep the report folder")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="grader-bench-gradebook-"))
    reports = tmp / "reports"
    ok = True
    try:
        gb, results, truth, took = store(reports, args.n, args.seed)
        print(f"cohort: {args.n} submissions, distinct answers per task {distinct_answers()}, "
              f"stored in {took:.1f} s ({took / args.n * 1000:.1f} ms each, one commit each)")
        figs = grouping_figures(gb, truth)
        answers = sum(f["answers"] for f in figs.values())
        decisions = sum(f["groups"] for f in figs.values())
        mixed = sum(f["mixed_numbers"] for f in figs.values())
        print("\nanswer groups")
        for task, f in figs.items():
            print(f"  {task}: {f['answers']} answers -> {f['groups']} groups ({f['groups'] / f['answers']:.1%}); "
                  f"ground truth {f['distinct']} distinct; groups mixing numbers {f['mixed_numbers']}, mixing "
                  f"answers {f['mixed_answers']}; largest {f['largest']}; {f['seconds']:.2f} s")
        share = decisions / answers
        print(f"  all: {decisions} decisions for {answers} answers = {share:.1%} (target <= 10 %); "
              f"groups mixing numbers: {mixed} (target 0)")
        ok &= share <= 0.10 and mixed == 0
        gb.close()

        proc, url = serve(reports)
        try:
            lat = latency(url, args.requests)
        finally:
            proc.terminate()
            proc.wait(timeout=60)
        p95 = pct(lat["next_answer"], 95)
        print(f"\ngrading app ({lat['requests']} answers graded over HTTP, median / p95)")
        print(f"  next answer (key n: redirect + page): {ms(lat['next_answer'])} (target p95 < 50 ms)")
        print(f"    redirect {ms(lat['next_redirect'])}; page {ms(lat['page'])}; save a grade {ms(lat['save'])}")
        ok &= p95 < 0.050

        gb = open_gradebook(reports)
        t0 = time.perf_counter()
        grade_everything(gb)
        print(f"\nevery answer graded through the groups in {time.perf_counter() - t0:.1f} s")
        gb.close()
        sheet = tmp / "Grades-Assignment 7.csv"
        worksheet(sheet, results)
        times = commands(reports, sheet)
        print("commands on the gradebook (a fresh process each; target < 5 s)")
        for name, t in times.items():
            print(f"  {name}: {t:.2f} s")
        ok &= all(t < 5 for name, t in times.items() if name.startswith(("grader moodle", "grader export")))
        print("\nall targets met" if ok else "\nTARGET MISSED")
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
