"""Grading on a Dask cluster gives the same results as grading locally."""
import shutil

import pytest

from grader.cluster import grade_on_cluster
from grader.report import checks_csv

from .conftest import ROOT

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
        remote = dict(grade_on_cluster(client, grader.spec.path, data_home, [(p, p.name) for p in paths]))
    assert len(remote) == 3
    for p in paths:
        local = grader.grade(p)
        assert checks_csv(remote[p]) == checks_csv(local), p.name
        assert remote[p].flags == local.flags
