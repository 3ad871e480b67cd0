"""The grading app: Flask with Jinja2 templates, every asset shipped in the package.

Pages (GET) and writes (POST, JSON) read and write the gradebook directly; each write is one
transaction that is committed before the browser is told "saved". ``create_app`` is what
``grader serve`` runs under waitress and what the tests drive.
"""
from __future__ import annotations

import secrets
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

from ..gradebook import Gradebook, open_gradebook
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


def server_secret(gb: Gradebook) -> str:
    """The key that signs session cookies; kept in the gradebook so a restart keeps sessions."""
    secret = gb.meta("web_secret")
    if secret is None:
        gb.set_meta("web_secret", secrets.token_hex(32))
        secret = gb.meta("web_secret")
    return secret


def server_token(gb: Gradebook, given: str | None) -> str:
    """The shared access token: ``given`` (a course server's), else the one kept from last time."""
    if given:
        return given
    token = gb.meta("web_token")
    if token is None:
        gb.set_meta("web_token", secrets.token_urlsafe(18))
        token = gb.meta("web_token")
    return token


def create_app(reports: Path, spec: Spec, token: str | None = None, seed: int = 7, renderer=None,
               port: int | None = None) -> Flask:
    reports = Path(reports)
    gb = open_gradebook(reports)
    app = Flask(__name__, template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"),
                static_url_path="/static")
    app.config["SECRET_KEY"] = server_secret(gb)
    app.config["SESSION_COOKIE_NAME"] = f"grader_session_{port or 'app'}"
    app.config["TOKEN"] = server_token(gb, token)
    app.config["STATE"] = State(gb=gb, spec=spec, reports=reports, seed=seed, renderer=renderer)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
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
