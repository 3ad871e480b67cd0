"""The grading app: Flask with Jinja2 templates, every asset shipped in the package.

Pages (GET) and writes (POST, JSON) read and write the gradebook directly; each write is one
transaction that is committed before the browser is told "saved". ``create_app`` is what
``grader serve`` runs under waitress and what the tests drive.
"""
from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path

from flask import (
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup

from ..gradebook import open_gradebook
from ..render import message_html
from ..spec import Spec
from . import security
from .state import State

HERE = Path(__file__).resolve().parent


def state() -> State:
    return current_app.config["STATE"]


def ta_name() -> str | None:
    return session.get("ta")


def anonymous() -> bool:
    return session.get("anon", True)


def mode() -> str:
    return session.get("mode", "shuffle")


def private_keys(reports: Path) -> dict[str, str]:
    """The key that signs session cookies and the access token, kept from one start to the next in
    a file only this user can read. In the gradebook, which a course group shares (or the TA's
    umask leaves readable), any local user read them and graded as a TA (a thirty-eighth review)."""
    path = Path(reports) / f".grader-web-{os.getuid()}.json"
    try:
        st = path.lstat()
        if stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077:
            data = json.loads(path.read_text())
            if isinstance(data.get("secret"), str) and isinstance(data.get("token"), str):
                return data
        path.unlink()                     # anything else there is not ours to trust
    except FileNotFoundError:
        pass
    except (OSError, ValueError):
        path.unlink(missing_ok=True)
    data = {"secret": secrets.token_hex(32), "token": secrets.token_urlsafe(18)}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh)
    return data


MAX_BODY = 1 << 20          # bytes of a request's body


def create_app(reports: Path, spec: Spec, token: str | None = None, seed: int = 7, renderer=None,
               port: int | None = None) -> Flask:
    reports = Path(reports)
    gb = open_gradebook(reports)
    gb.forget_meta("web_secret", "web_token")    # where older versions kept them, readable by others
    keys = private_keys(reports)
    app = Flask(__name__, template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"),
                static_url_path="/static")
    app.config["SECRET_KEY"] = keys["secret"]
    # (a grade, a comment or a list of answers is kilobytes; a 30 MB body was read whole, review 464)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.config["SESSION_COOKIE_NAME"] = f"grader_session_{port or 'app'}"
    app.config["TOKEN"] = token or keys["token"]
    app.config["STATE"] = State(gb=gb, spec=spec, reports=reports, seed=seed, renderer=renderer)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["message"] = lambda text: Markup(message_html(text or ""))   # escaped, `code` as <code>
    security.install(app, app.config["TOKEN"])

    @app.before_request
    def who_is_grading():
        g.ta = ta_name()
        if request.endpoint in ("static", "pages.who", None) or g.ta:
            return None
        if request.method == "GET":
            return redirect(url_for("pages.who", next=request.full_path))
        return {"error": "tell the app your name first (it is recorded with every grade)"}, 403

    @app.context_processor
    def common():
        st = state()
        return dict(ta=g.get("ta"), anon=anonymous(), mode=mode(), tasks=st.manual_tasks(),
                    similarity=st.similarity is not None, title=st.spec.assignment.get("title", "grader"))

    from .api import api
    from .pages import pages
    app.register_blueprint(pages)
    app.register_blueprint(api)

    @app.errorhandler(404)
    def not_found(_):
        if request.path.startswith("/api/"):
            return {"error": "not found"}, 404
        return render_template("message.html", heading="Not found",
                               text="There is no such page, task or answer."), 404

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_failed(exc):
        return {"error": f"refused: {exc.description} (reload the page)"}, 400

    return app
