# ruff: noqa: F821 - compiled after its base file, whose names it uses
# Extra for the grader's trusted reference job only, compiled after training.py: what the
# provided `test` prints for the untrained model, so that a student's test call made before any
# training can be checked too.


def reference_extras(ns, p):
    model, _, test_loader = make_setup(p)
    return {"test_before": _printed_test(ns["test"], (model, test_loader), {})}
