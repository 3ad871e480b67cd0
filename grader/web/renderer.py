"""Keep the report folder's files up to date while TAs grade in the browser.

The gradebook is written at once (the grade is safe when the browser says "saved"); the files
rendered from it (per-student CSV/JSON, summary.csv, feedback pages, the overview) follow a few
seconds later on a background thread, so a click never waits for file writes. A failure here
(a full disk) is reported on the server's console and retried; it never loses a grade, and any
``grader feedback`` renders everything again.
"""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from ..gradebook import Gradebook
from ..gradebook.outputs import write_reports
from ..spec import Spec


class Renderer:
    def __init__(self, gb_path: Path, out: Path, spec: Spec, delay: float = 2.0, overview_every: float = 30.0):
        self.gb_path, self.out, self.spec = gb_path, out, spec
        self.delay, self.overview_every = delay, overview_every
        self._dirty: set[str] = set()
        self._all = False
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._last_overview = 0.0
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
        gb = Gradebook(self.gb_path)
        while not self._stop.is_set():
            self._wake.wait(timeout=self.overview_every)
            if self._stop.is_set():
                break
            time.sleep(self.delay)          # let a burst of clicks settle
            self.flush(gb)
        self.flush(gb, final=True)
        gb.close()

    def flush(self, gb: Gradebook, final: bool = False) -> None:
        with self._lock:
            keys, everything = set(self._dirty), self._all
            self._dirty.clear()
            self._all = False
            self._wake.clear()
        if not keys and not everything and not final:
            return
        overview = final or everything or time.monotonic() - self._last_overview > self.overview_every
        try:
            write_reports(gb, self.out, self.spec, keys=None if everything else keys, pages=True, overview=overview)
            if overview:
                self._last_overview = time.monotonic()
            self.error = None
        except Exception as exc:  # noqa: BLE001 - the gradebook holds the grades; files are retried
            self.error = str(exc)
            print(f"grader serve: reports not written ({exc}); the grades are safe in the gradebook, "
                  f"retrying", file=sys.stderr)
            with self._lock:
                self._dirty |= keys
                self._all |= everything

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=60)
