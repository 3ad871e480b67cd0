"""The course's own CI commands: verify checks what it says it checks."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from .conftest import REF, ROOT

pytestmark = pytest.mark.slow


def test_verify_fails_when_the_documented_scores_are_missing(tmp_path, data_home):
    d = tmp_path / "assignment7"
    shutil.copytree(REF, d)      # spec.toml still names ../../submissions/expected_scores.toml: not there
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home), "COLUMNS": "200"}
    res = subprocess.run([sys.executable, "-m", "grader", "verify", "--spec", str(d)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 1, res.stdout
    assert "expected_scores.toml is missing" in res.stdout
    assert "solution earns every automatic point" in res.stdout
