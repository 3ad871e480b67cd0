"""Everything of the grader that runs in a process where student code runs, and nothing else.

A worker (``server``) imports PyTorch once, builds the provided context from the template, moves
itself into an allowlisted view of the machine and forks one child per graded cell (``job``).
The child limits itself (``sandbox``), runs the cell, then runs probe code that the grader sends
only after the cell has finished, and answers over its private socket (``wire``). Nothing in this
package decides a grade: every value it sends is treated by the grader as written by the student.

The package imports no other module of the grader, and only this package (plus the empty
``grader/__init__.py``) is visible inside the sandbox.
"""
