"""Grading on a Dask cluster gives the same results as grading locally."""
import json
import shutil

import pytest

from grader.cluster import grade_on_cluster
from grader.report import checks_csv

from .conftest import REF, ROOT

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow


def test_local_cluster_matches_local_grading(grader, data_home, tmp_path):
    names = ["Assignment_7_JaneDoe_k12345678.ipynb", "Assignment_7_MaxMustermann_k01234567.ipynb",
             "assignment7_john_smith.ipynb"]
    paths = []
    for n in names:
        shutil.copy(ROOT / "submissions" / n, tmp_path / n)
        paths.append(tmp_path / n)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        # Two of them as one participant's notebooks (graded in one task, together), one alone; one
        # task in flight at a time, the next sent when it is done.
        remote = dict(grade_on_cluster(client, grader.spec.path, data_home, [(p, p.name) for p in paths],
                                       together=[[0, 2], [1]], draw_seed=grader.spec.draw_seed, window=1))
    assert len(remote) == 3
    for p in paths:
        local = grader.grade(p)
        assert checks_csv(remote[p]) == checks_csv(local), p.name
        assert remote[p].flags == local.flags


def test_grade_command_with_a_dask_scheduler(tmp_path, data_home):
    import os
    import subprocess
    import sys
    folder = tmp_path / "subs"
    folder.mkdir()
    shutil.copy(ROOT / "submissions" / "Assignment_7_JaneDoe_k12345678.ipynb", folder)
    shutil.copy(ROOT / "submissions" / "assignment7_john_smith.ipynb", folder)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home)}
        res = subprocess.run([sys.executable, "-m", "grader", "grade", str(folder), "--out", str(tmp_path / "r"),
                              "--dask-scheduler", cluster.scheduler_address], env=env, capture_output=True,
                             text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    summary = (tmp_path / "r" / "summary.csv").read_text()
    assert "Assignment_7_JaneDoe_k12345678.ipynb,JaneDoe,k12345678,True,,,,10.0,10.0,20.0,10.0,50.0,50.0" in summary
    assert "assignment7_john_smith.ipynb" in summary and ",47.0,50.0,filename," in summary


def test_a_notebook_far_over_the_size_limit_is_not_read_into_the_grader_with_dask(tmp_path, data_home):
    """A hundred-and-forty-seventh review's 1 GB notebook (here a sparse file), graded through a
    Dask scheduler: the grader sent every notebook's bytes at once, so it held this one whole.
    Now it sends the size alone, and the worker refuses it for its size as a local grader does."""
    import os
    from .test_integrity import grade_cli
    folder = tmp_path / "subs"
    folder.mkdir()
    shutil.copy(ROOT / "submissions" / "Assignment_7_JaneDoe_k12345678.ipynb", folder)
    big = folder / "Assignment_7_MalHuge_k30000021.ipynb"
    shutil.copy(ROOT / "submissions" / "Assignment_7_JaneDoe_k12345678.ipynb", big)
    os.truncate(big, 2**30)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        res, rss = grade_cli(folder, tmp_path / "r", REF, data_home, "--dask-scheduler",
                             cluster.scheduler_address)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert 0 < rss < 300, rss
    summary = (tmp_path / "r" / "summary.csv").read_text()
    assert "Assignment_7_JaneDoe_k12345678.ipynb,JaneDoe,k12345678,True,,,,10.0,10.0,20.0,10.0,50.0,50.0" in summary
    report = json.loads((tmp_path / "r" / "Assignment_7_MalHuge_k30000021.json").read_text())
    assert report["status"].startswith("unreadable") and "1024 MB" in report["status"], report["status"]
