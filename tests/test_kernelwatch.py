"""The rule that stops a notebook for the machine's kernel memory, on readings the test chooses."""
from __future__ import annotations

import threading
import time

from grader.engines.kernelwatch import Gate, KernelWatch

MB = 2**20


class Meter:
    def __init__(self, value: int):
        self.value = value

    def __call__(self) -> int:
        return self.value


def test_growth_counts_from_the_lowest_reading_since_nothing_ran():
    meter = Meter(100 * MB)
    watch = KernelWatch(10 * MB, meter, files=None, settle_s=0.2)      # one grader: see the shared files below
    a = watch.begin()
    assert a.alone
    meter.value = 90 * MB                   # a stopped job's objects freed: the floor follows
    assert a.excess(meter()) == 0
    meter.value = 101 * MB
    assert a.excess(meter()) == 11 * MB
    watch.end(a)
    # Objects left behind that the kernel does not free (within settle_s) are not the next notebook's.
    meter.value = 150 * MB
    b = watch.begin()
    assert b.excess(meter()) == 0 and b.alone



class Freeing(Meter):
    """A stopped job's objects, which the kernel frees some readings after the job has ended."""

    def __init__(self, value: int):
        super().__init__(value)
        self.pending = self.after = 0

    def free_later(self, nbytes: int, readings: int) -> None:
        self.pending, self.after = nbytes, readings

    def __call__(self) -> int:
        if self.pending:
            self.after -= 1
            if self.after <= 0:
                self.value, self.pending = self.value - self.pending, 0
        return self.value


def test_the_floor_is_read_once_what_a_stopped_job_left_has_been_freed():
    # A notebook that held 14 MB of files passed a 6 MB watch when graded right after another that
    # did: the floor was read while the kernel still held the first one's files, and they were
    # freed as the second made as many.
    meter = Freeing(100 * MB)
    watch = KernelWatch(6 * MB, meter, files=None)
    a = watch.begin()
    meter.value = 114 * MB
    assert a.excess(meter()) > a.limit
    watch.end(a)                            # stopped; its 14 MB are freed a few readings later
    meter.free_later(14 * MB, 4)
    b = watch.begin()
    assert b.alone
    meter.value += 14 * MB                  # the second notebook makes as many, and holds them
    assert [b.excess(meter()) for _ in range(5)] == [14 * MB] * 5


def test_a_second_pass_alone_is_charged_for_what_its_first_pass_left():
    # A hundred-and-fortieth review looked up the same 1.45 million missing names in both passes:
    # stopped beside a classmate at 512 MB, then graded alone from a floor that held the first
    # pass's names (they outlive the job), it added 485 MB more and kept 50/50 with 1.02 GB held.
    meter = Meter(100 * MB)
    watch = KernelWatch(6 * MB, meter, files=None, settle_s=0.05)
    mallory, anna = watch.begin(), watch.begin()        # side by side
    meter.value = 107 * MB                              # past the limit: neither is known to hold it
    assert mallory.over(meter()) and anna.over(meter())
    watch.end(mallory)
    watch.end(anna)                                     # both stopped; 7 MB of names stay
    again = watch.begin(since=mallory.start)            # graded again alone
    assert again.alone and again.carried == 7 * MB
    meter.value += 5 * MB                               # the rest of the names: under the limit alone
    assert again.excess(meter()) == 5 * MB < again.limit
    assert not again.over(meter.value - 2 * MB)         # a few MB, as any notebook grows: not charged
    assert again.over(meter())                          # more, on top of what stayed past the limit
    watch.end(again)
    neighbour = watch.begin(since=anna.start)           # the classmate, graded again alone too
    assert neighbour.carried == 12 * MB
    meter.value += 1 * MB
    assert not neighbour.over(meter())                  # grows as an honest notebook does
    watch.end(neighbour)
    fresh = watch.begin()                               # no first pass: only its own growth counts
    assert fresh.carried == 0
    meter.value += 5 * MB
    assert not fresh.over(meter())


def test_a_notebook_is_alone_only_while_no_other_has_been_in_flight():
    meter = Meter(0)
    watch = KernelWatch(MB, meter, files=None)
    a = watch.begin()
    b = watch.begin()
    assert not a.alone and not b.alone
    watch.end(b)
    assert not a.alone                      # b's objects may still be held when a's watch reads
    watch.end(a)
    assert watch.begin().alone


def test_the_gate_runs_a_notebook_alone_after_those_in_flight_and_before_new_ones():
    gate, order = Gate(), []
    in_flight = threading.Event()

    def side(name, hold):
        with gate.shared():
            order.append(f"{name} in")
            in_flight.set()
            time.sleep(hold)
            order.append(f"{name} out")

    def alone():
        with gate.alone():
            order.append("alone")

    first = threading.Thread(target=side, args=("first", 0.3))
    first.start()
    in_flight.wait()
    lone = threading.Thread(target=alone)
    lone.start()
    time.sleep(0.1)
    later = threading.Thread(target=side, args=("later", 0))
    later.start()
    for t in (first, lone, later):
        t.join(5)
    assert order == ["first in", "first out", "alone", "later in", "later out"]


def _run(outcome, done=False):
    from grader.engines import CellJob
    from grader.engines.fork import _Run
    run = _Run(job=CellJob("c", "pass"), outcome=outcome, sock=None, timeout=1, params=[{}, {}], deadline=0)
    run.observed, run.done = {"runs": {"public": {"said": "second pass"}}}, done
    return run


def test_a_second_pass_shows_the_first_pass_public_run_and_its_own_hidden_runs_only():
    from grader.engines.fork import HIDDEN_RUN_FAILED, _show_first_pass
    from grader.results import CellOutcome, Status
    first = CellOutcome("c", Status.OK, output="printed in the first pass")
    observed = {"runs": {"public": {"said": "first pass"}}}
    run = _run(CellOutcome("c", Status.OK, output="printed after a hidden run"))
    _show_first_pass(run, first, observed)
    assert run.outcome.output == "printed in the first pass" and run.observed == observed
    assert run.outcome is not first                     # the hidden runs set their own fields
    # This pass ended the job in its public run: the hidden runs did not happen, in fixed words.
    ended = _run(CellOutcome("c", Status.CRASHED, error="a text of the second pass"), done=True)
    _show_first_pass(ended, first, observed)
    assert (ended.outcome.status, ended.outcome.error, ended.outcome.output) == (Status.OK, "", "printed in the first pass")
    assert ended.outcome.probe is None and ended.outcome.probe_error == HIDDEN_RUN_FAILED
    # A hidden run of this pass that fails falls back to the first pass's status and words, not to
    # this pass's public run, which came after the first pass's hidden runs (review 182's lead).
    second = _run(CellOutcome("c", Status.ERROR, error="raised a text read after a hidden run"))
    second.public = (second.outcome.status, second.outcome.error)          # as park() left it
    _show_first_pass(second, first, observed)
    assert second.public == (Status.OK, "")


def test_two_graders_know_of_each_others_notebooks_through_the_shared_files(tmp_path):
    files = (str(tmp_path / "in-flight"), str(tmp_path / "waiting"))
    meter = Meter(0)
    one, two = KernelWatch(MB, meter, files), KernelWatch(MB, meter, files)
    a = one.begin()
    assert a.is_alone()
    b = two.begin()                         # another grader's notebook: neither is alone now
    assert not b.is_alone() and not a.is_alone()
    two.end(b)
    assert not a.is_alone()                 # b's objects may outlive it (names looked up)
    one.end(a)
    c = two.begin()
    assert c.is_alone()
    two.end(c)


def test_a_notebook_graded_alone_waits_for_other_graders_and_holds_back_new_ones(tmp_path):
    files = (str(tmp_path / "in-flight"), str(tmp_path / "waiting"))
    one, two = KernelWatch(MB, Meter(0), files), KernelWatch(MB, Meter(0), files)
    order = []
    busy = two.begin()

    def alone():
        with one.alone():
            order.append("alone")
            turn = one.begin()             # the notebook graded alone: alone on the machine
            order.append(turn.is_alone())
            one.end(turn)
            time.sleep(0.2)
            order.append("alone done")

    def later():
        turn = two.begin()
        order.append("later")
        two.end(turn)

    lone = threading.Thread(target=alone)
    lone.start()
    time.sleep(0.2)
    nxt = threading.Thread(target=later)
    nxt.start()
    time.sleep(0.2)
    assert order == []                      # both wait for the notebook in flight
    order.append("busy done")
    two.end(busy)
    lone.join(5)
    nxt.join(5)
    assert order == ["busy done", "alone", True, "alone done", "later"], order
