"""Keep the report folder's files up to date while TAs grade in the browser.

The gradebook is written at once (the grade is safe when the browser says "saved"); the files
rendered from it (per-student CSV/JSON, summary.csv, feedback pages, the overview) follow a few
seconds later. The rendering runs in a child process at low priority, so that reading 1,000
results and drawing charts never holds up a request (a thread would hold the interpreter lock).
A failure there (a full disk) is reported on the server's console and retried; it never loses
a grade, and ``grader feedback`` renders everything again at any time.

    python -m grader.web.renderer REPORTS SPEC     # the child: one JSON request per line on stdin
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path


class Renderer:
    def __init__(self, gb_path: Path, out: Path, spec, delay: float = 3.0, overview_every: float = 60.0):
        self.gb_path, self.out, self.spec = gb_path, Path(out), spec
        self.delay, self.overview_every = delay, overview_every
        self._dirty: set[str] = set()
        self._all = False
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._last_overview = 0.0
        # Files written since the overview was: it is written at most once a minute (charts of the
        # whole class), and then also when no grade follows (a hundred-and-fifty-fifth review: after
        # the last grades of a session it said "pending: 12 answers" until the server stopped).
        self._overview_due = False
        self._io = threading.Lock()     # one request at a time to the rendering process
        self._child: subprocess.Popen | None = None
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="report-renderer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def changed(self, keys=None) -> None:
        """Submissions whose files are out of date (None: all of them)."""
        with self._lock:
            if keys is None:
                self._all = True
            else:
                self._dirty.update(keys)
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            wait = self.overview_every
            if self._overview_due:
                wait = max(0.5, self._last_overview + self.overview_every - time.monotonic())
            self._wake.wait(timeout=wait)
            if self._stop.is_set():
                break
            self._stop.wait(self.delay)         # let a burst of clicks settle
            self.flush()
        self.flush(final=True)
        self._close_child()

    def _request(self, message: dict) -> str:
        if self._child is None or self._child.poll() is not None:
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
                str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")]))}
            self._child = subprocess.Popen([sys.executable, "-m", "grader.web.renderer", str(self.out),
                                            str(self.spec.path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           text=True, env=env)
        self._child.stdin.write(json.dumps(message) + "\n")
        self._child.stdin.flush()
        reply = self._child.stdout.readline()
        if not reply:
            raise RuntimeError("the rendering process stopped")
        return reply.strip()

    def flush(self, final: bool = False, overview_now: bool = False) -> None:
        """``overview_now``: the overview too, if anything was written since it was (a TA opens it)."""
        with self._io:
            with self._lock:
                keys, everything = set(self._dirty), self._all
                self._dirty.clear()
                self._all = False
                self._wake.clear()
            stale = self._overview_due or bool(keys) or everything
            due = stale and (overview_now or time.monotonic() - self._last_overview > self.overview_every)
            if not keys and not everything and not final and not due:
                return
            overview = final or everything or due or time.monotonic() - self._last_overview > self.overview_every
            self._flush(keys, everything, overview)

    def _flush(self, keys: set[str], everything: bool, overview: bool) -> None:
        try:
            reply = self._request({"keys": None if everything else sorted(keys), "overview": overview})
            if reply != "ok":
                raise RuntimeError(reply)
            if overview:
                self._last_overview = time.monotonic()
            self._overview_due = not overview
            self.error = None
        except Exception as exc:  # noqa: BLE001 - the gradebook holds the grades; files are retried
            self.error = str(exc)
            print(f"grader serve: reports not written ({exc}); the grades are safe in the gradebook, retrying",
                  file=sys.stderr)
            with self._lock:
                self._dirty |= keys
                self._all |= everything

    def _close_child(self) -> None:
        if self._child is not None and self._child.poll() is None:
            self._child.stdin.close()
            try:
                self._child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._child.kill()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=120)


def child(reports: str, spec_path: str) -> None:
    """Render on request, at low priority, until stdin closes (the server stopped). Ctrl-C in the
    TA's terminal reaches the whole process group: the server stops on it and closes our stdin, and
    its last rendering still needs us (a ninetieth review: a traceback, then "reports not written")."""
    import signal
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    try:
        os.nice(10)
    except OSError:
        pass
    from ..gradebook import Gradebook, gradebook_path
    from ..gradebook.outputs import write_reports
    from ..spec import load_spec
    spec = load_spec(spec_path)
    gb = Gradebook(gradebook_path(Path(reports)))
    for line in sys.stdin:
        try:
            req = json.loads(line)
            write_reports(gb, Path(reports), spec, keys=req["keys"], overview=req["overview"])
            reply = "ok"
        except Exception as exc:  # noqa: BLE001 - reported to the server, which retries
            reply = " ".join(str(exc).split()) or type(exc).__name__
        print(reply, flush=True)
    gb.close()


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2])
