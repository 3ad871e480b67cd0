"""``grader serve``: grading written answers in the browser (Flask + Jinja2, assets shipped in
the package, served by waitress on 127.0.0.1 unless told otherwise)."""
from .app import create_app

__all__ = ["create_app"]
