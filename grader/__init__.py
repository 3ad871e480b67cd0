"""grader: an autograder for Jupyter-notebook assignments, built for Assignment 7 first."""

__version__ = "0.1.0"
