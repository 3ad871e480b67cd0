"""Shared fixtures: one warm engine per test session, graders for TA and student views."""
from __future__ import annotations

import copy
import dataclasses
import fcntl
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

from grader.data import ensure_dataset
from grader.engines import make_engine
from grader.pipeline import Grader, engine_setup
from grader.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "reference" / "assignment7"
GOOD_NAME = "Assignment_7_JaneDoe_k12345678.ipynb"
# The draw of hidden.toml's ranges that command-line gradings in tests use (`--draw-seed`), so a
# test can search their outputs for the hidden values; a new one each test session.
DRAW_SEED = secrets.randbits(48)

# Tests marked `machine_alone` measure the whole machine (the kernel's memory, which every process
# of the machine grows): run beside the other xdist process, its gradings counted against their few
# MB and stopped honest cells (CI, twice). Such a test waits until no other test runs, and none starts
# until it is done; the others still run two at a time. The turns are two locks in a folder the
# controller makes before it starts the workers, which inherit its environment.
TURNS = "GRADER_TESTS_TURNS"


def pytest_configure(config):
    if not hasattr(config, "workerinput") and (config.getoption("numprocesses", None) or 0):
        os.environ[TURNS] = tempfile.mkdtemp(prefix="grader-tests-turns-")


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput") and os.environ.get(TURNS):
        shutil.rmtree(os.environ.pop(TURNS), ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Around the whole test, module and session fixtures included (a module's batch is graded in
    its first test's setup). A gate before the room keeps a waiting `machine_alone` test from being
    overtaken by the stream of ordinary ones, which only pass through the gate."""
    folder = os.environ.get(TURNS)
    if not folder or not os.path.isdir(folder):
        yield
        return
    alone = item.get_closest_marker("machine_alone") is not None
    gate = os.open(os.path.join(folder, "gate"), os.O_RDONLY | os.O_CREAT, 0o600)
    room = os.open(os.path.join(folder, "room"), os.O_RDONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(gate, fcntl.LOCK_EX)
        fcntl.flock(room, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        if not alone:
            fcntl.flock(gate, fcntl.LOCK_UN)
        yield
    finally:
        os.close(room)                  # closing the last descriptor releases its lock
        os.close(gate)


def hidden_values(hidden: dict) -> list:
    """Every value of a drawn hidden.toml, list items one by one: the numbers (the hidden run's
    settings, its activation and model class, are no secret)."""
    return [v for section in hidden.values() for value in section.values()
            for v in (value if isinstance(value, list) else [value])
            if isinstance(v, (int, float)) and not isinstance(v, bool)]


def contains(text: str, secret: str) -> bool:
    """The secret as a value of its own (not three digits inside a base64 blob, nor a drawn
    momentum of 0.8 inside "difference 0.894")."""
    return re.search(rf"(?<![\w.]){re.escape(secret)}(?![\w])", text) is not None


def hidden_strings(hidden: dict | None = None) -> list[str]:
    """Hidden values distinctive enough to search for in text (by default the draw of DRAW_SEED):
    numbers of at least 3 digits, decimals of at least 5 characters (a momentum drawn as 0.75 is in
    the reference's own data, and would be found whether it leaked or not), and none that the
    public notebooks print anyway (an lr drawn as 0.0328 is a weight in the template's outputs:
    the bundle test failed for 2 of the 151 possible draws)."""
    hidden = load_spec(draw_seed=DRAW_SEED).hidden() if hidden is None else hidden
    public = (REF / "template.ipynb").read_text() + (REF / "solution.ipynb").read_text()
    return [str(v) for v in hidden_values(hidden)
            if len(str(v)) >= (5 if isinstance(v, float) else 3) and not contains(public, str(v))]


def fast_spec():
    """The real spec with a short cell time limit, so fault tests do not wait a minute."""
    spec = load_spec()
    spec.limits = dataclasses.replace(spec.limits, cell_timeout_s=6, notebook_timeout_s=60)
    return spec


@pytest.fixture(scope="session")
def data_home(tmp_path_factory):
    home, _ = ensure_dataset(tmp_path_factory.mktemp("data-home"))
    return home


@pytest.fixture(scope="session")
def spec():
    return fast_spec()


@pytest.fixture(scope="session")
def engine(spec, data_home, tmp_path_factory):
    eng = make_engine("fork", engine_setup(spec, data_home, jobs=1))
    eng.start()
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def grader(spec, engine):
    g = Grader(spec, engine, hidden=True)
    g.prepare()
    return g


@pytest.fixture(scope="session")
def checker(spec, engine):
    g = Grader(spec, engine, hidden=False)
    g.prepare()
    return g


@pytest.fixture(scope="session")
def solution_nb():
    return nbformat.read(REF / "solution.ipynb", as_version=4)


@pytest.fixture(scope="session")
def template_nb():
    return nbformat.read(REF / "template.ipynb", as_version=4)


@pytest.fixture
def make_nb(tmp_path, solution_nb):
    """Write a variant of the solution: replace sources, delete cells, rename IDs."""
    def make(changes: dict[str, str] | None = None, *, delete=(), rename: dict[str, str] | None = None,
             name: str = GOOD_NAME, base=None) -> Path:
        nb = copy.deepcopy(base if base is not None else solution_nb)
        nb.cells = [c for c in nb.cells if c.get("id") not in set(delete)]
        for cell in nb.cells:
            if changes and cell.get("id") in changes:
                cell.source = changes[cell.id]
            if rename and cell.get("id") in rename:
                cell.id = rename[cell.id]
        path = tmp_path / name
        nbformat.write(nb, path)
        return path
    return make


def checks_of(result, task: str | None = None) -> dict[str, object]:
    return {c.check: c for c in result.checks if task is None or c.task == task}
