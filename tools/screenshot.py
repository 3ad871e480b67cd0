"""Rebuild docs/grading.png, the README's screenshot of the grading page.

    python tools/screenshot.py [--out docs/grading.png]

A synthetic cohort of 60 students (bench/cohort.py), a rubric of four items, a few answers
graded; the page is the grading page of Calculation 1.1 in anonymous mode, shot by the system
Chromium through Playwright.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.cohort import cohort  # noqa: E402
from grader.gradebook import groups as grouping  # noqa: E402
from grader.gradebook import open_gradebook  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "grading.png")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="grader-shot-"))
    reports = tmp / "reports"
    gb = open_gradebook(reports)
    results, _ = cohort(60, seed=3)
    for r in results:
        gb.store_result(r)
    items = [gb.add_item("calc_1_1", 6, "assumes w1, w2 solve XOR and uses x2, x3", "", "ta"),
             gb.add_item("calc_1_1", 4, "shows the contradiction at x4", "", "ta"),
             gb.add_item("calc_1_1", -2, "arithmetic slip", "check w1 + w2 again", "ta"),
             gb.add_item("calc_1_1", 2, "argument only in words", "a short calculation makes it a proof", "ta")]
    groups = grouping.groups(gb, "calc_1_1")
    for g in groups[1:4]:
        gb.set_grade(g.rep_key, "calc_1_1", items=[items[0].id, items[1].id], ta="ana")
        grouping.apply_to_group(gb, "calc_1_1", g.rep_key, "ana")
    target = groups[0].members[1]
    sid = gb.ids()[target]
    gb.set_grade(target, "calc_1_1", items=[items[0].id, items[1].id], comment="Clear proof.", ta="ana")
    gb.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "grader", "serve", "--reports", str(reports), "--port", "0"],
                            env=env, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        url = None
        for line in proc.stdout:
            m = re.search(r"open (http://\S+)", line)
            if m:
                url = m.group(1)
                break
        from playwright.sync_api import sync_playwright
        chromium = os.environ.get("GRADER_CHROMIUM") or shutil.which("chromium") or shutil.which("google-chrome")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1280, "height": 820}, device_scale_factor=1)
            page.goto(url)
            page.fill("#ta-name", "ana")
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(r"/$"))
            base = url.split("/?")[0]
            page.goto(f"{base}/t/calc_1_1/a/{sid}")
            page.wait_for_selector("#grading")
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)
    try:
        from PIL import Image
        img = Image.open(args.out).convert("P", palette=Image.ADAPTIVE, colors=128)
        img.save(args.out, optimize=True)
    except ImportError:
        pass
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
