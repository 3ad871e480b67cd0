"""Grading on a Dask distributed cluster: each Dask worker keeps its own warm engine.

The grader process sends notebook *bytes* (workers need not share a file system), each worker
grades with a local fork engine set up once by a worker plugin (reference computed once per
worker), and results come back as plain dicts. Reports are written by the grader process only.
Needs ``pip install -e ".[dask]"``.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterator

from .results import SubmissionResult

PLUGIN = "grader-engine"


def _plugin_base():
    try:
        from distributed.diagnostics.plugin import WorkerPlugin
        return WorkerPlugin
    except ImportError:  # the dask extra is not installed; only grade_on_cluster needs it
        return object


class GraderPlugin(_plugin_base()):
    """Dask worker plugin: a warm fork engine and a prepared Grader per worker process."""

    name = PLUGIN

    def __init__(self, spec_path: str, data_dir: str | None, hidden: bool, draw_seed: int | None = None):
        self.spec_path, self.data_dir, self.hidden, self.draw_seed = spec_path, data_dir, hidden, draw_seed
        self.engine = None
        self.grader = None
        self.tmp = None

    def setup(self, worker=None):
        from .data import ensure_dataset
        from .engines import make_engine
        from .pipeline import Grader, engine_setup
        from .spec import load_spec
        spec = load_spec(self.spec_path, draw_seed=self.draw_seed)
        home, _ = ensure_dataset(Path(self.data_dir) if self.data_dir else None)
        self.tmp = tempfile.TemporaryDirectory(prefix="grader-dask-")
        self.engine = make_engine("fork", engine_setup(spec, home, 1))
        self.engine.start()
        self.grader = Grader(spec, self.engine, hidden=self.hidden)
        self.grader.prepare()

    def teardown(self, worker=None):
        if self.engine is not None:
            self.engine.close()
        if self.tmp is not None:
            self.tmp.cleanup()


def grade_bytes(items: list[tuple[bytes, str, int]]) -> list[dict]:
    """Runs on a Dask worker: notebooks of one participant, graded together (every public run
    before any hidden run, as on a local batch). ``(content, name, size)``: a notebook over the
    size limit comes as no bytes and its size, and is written as a sparse file of that size, which
    the worker refuses for its size as a local grader would."""
    from distributed import get_worker
    plugin = get_worker().plugins[PLUGIN]
    with tempfile.TemporaryDirectory(dir=plugin.tmp.name) as d:
        paths = []
        for i, (content, _, size) in enumerate(items):
            paths.append(Path(d) / f"submission-{i}.ipynb")
            paths[-1].write_bytes(content)
            if size > len(content):
                os.truncate(paths[-1], size)
        results = plugin.grader.grade_together([(path, name) for path, (_, name, _) in zip(paths, items)])
        return [r.to_dict() for r in results]


def grade_on_cluster(address, spec_path: Path, data_dir: Path | None, notebooks: list[tuple[Path, str]],
                     hidden: bool = True, together: list[list[int]] | None = None,
                     draw_seed: int | None = None, max_bytes: int | None = None,
                     window: int | None = None) -> Iterator[tuple[Path, SubmissionResult]]:
    """Yield (path, result) as the cluster finishes them. ``together``: groups of indices into
    ``notebooks`` (one participant's) graded in one task; by default each notebook alone.
    ``draw_seed``: the grader's draw of the hidden ranges, so that every worker grades with the
    same values (None: each worker draws its own). ``max_bytes``: the spec's size limit of a
    notebook; a larger one is sent as its size alone (a hundred-and-forty-seventh review's 1.5 GB
    notebook would otherwise be read into this process whole). ``window``: tasks in flight at once
    (by default two per worker thread, at least 4)."""
    from distributed import Client, as_completed
    client = address if isinstance(address, Client) else Client(address)
    groups = together if together is not None else [[i] for i in range(len(notebooks))]
    try:
        client.register_plugin(GraderPlugin(str(spec_path), str(data_dir) if data_dir else None, hidden,
                                            draw_seed), name=PLUGIN)
        # A few groups in flight per worker thread, each submitted when one is done: the bytes of a
        # submitted group stay in this process until its task ends, and the whole class's at once
        # would hold hundreds of MB here.
        window = window or max(4, 2 * sum(client.nthreads().values()))
        pending = iter(groups)
        futures = {}
        done = as_completed()

        def submit_next() -> None:
            group = next(pending, None)
            if group is None:
                return
            members = [notebooks[i] for i in group]
            fut = client.submit(grade_bytes, [_content(path, name, max_bytes) for path, name in members],
                                pure=False, key=f"grade-{members[0][1]}-{id(members[0][0])}")
            futures[fut] = members
            done.add(fut)

        for _ in range(window):
            submit_next()
        for fut in done:
            members = futures.pop(fut)
            submit_next()
            try:
                for (path, _), r in zip(members, fut.result()):
                    yield path, SubmissionResult.from_dict(r)
            except Exception as exc:  # noqa: BLE001 - one lost task must not lose the batch
                for path, _ in members:
                    yield path, SubmissionResult(file=path.name, status=f"cluster error: {type(exc).__name__}: {exc}")
            finally:
                fut.release()
    finally:
        if not isinstance(address, Client):
            client.close()


def _content(path: Path, name: str, max_bytes: int | None) -> tuple[bytes, str, int]:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if max_bytes is not None and size > max_bytes:
        return b"", name, size
    return path.read_bytes(), name, size
