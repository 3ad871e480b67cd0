"""Who may use the grading app, and what a page may do.

- A shared token (printed by ``grader serve``, kept in the gradebook so a restart keeps the
  TAs' sessions; ``--token`` sets one for a course server): the first request carries it in the
  URL (or an ``Authorization: Bearer`` header), then a signed session cookie does. Every other
  request is refused; static assets are public (they hold no data).
- CSRF: Flask-WTF's CSRF check on every write (the token travels in a header from the app's own
  script, or a form field), plus a same-origin check of ``Origin``; a request that carries the
  bearer token needs none (a browser never adds that header by itself); the session cookie is
  ``SameSite=Strict`` and ``HttpOnly``.
- Every response carries a Content-Security-Policy that allows only the app's own scripts and
  styles and nothing remote (student answers are sanitised before they reach a template, this
  is the second line), and is never cached or framed.
"""
from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode, urlparse

from flask import Flask, abort, redirect, render_template, request, session
from flask_wtf.csrf import CSRFProtect

APP_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
           "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
csrf = CSRFProtect()


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:24]


def install(app: Flask, token: str) -> None:
    app.config.update(WTF_CSRF_TIME_LIMIT=None, WTF_CSRF_CHECK_DEFAULT=False, WTF_CSRF_HEADERS=["X-CSRFToken"], SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Strict", PERMANENT_SESSION_LIFETIME=14 * 24 * 3600)
    csrf.init_app(app)
    want = token_id(token)

    @app.before_request
    def authenticate():
        if request.endpoint == "static":
            return None
        given = request.args.get("token")
        bearer = request.headers.get("Authorization", "")
        if bearer.startswith("Bearer "):
            # (as bytes: a text outside ASCII made `compare_digest` raise, a 500 for a request with no token, review 464)
            if not hmac.compare_digest(bearer[7:].strip().encode(), token.encode()):
                abort(403)
            request.environ["grader.bearer"] = True
            return None
        if given is not None:
            if not hmac.compare_digest(given.encode(), token.encode()):
                return render_template("denied.html", reason="This link's token is not the server's."), 403
            session.permanent = True
            session["auth"] = want
            rest = {k: v for k, v in request.args.items() if k != "token"}
            return redirect(request.path + ("?" + urlencode(rest) if rest else ""))
        if session.get("auth") != want:
            return render_template("denied.html", reason="Open the link that `grader serve` printed: it holds "
                                                         "the access token."), 401
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            origin = request.headers.get("Origin")
            if origin and urlparse(origin).netloc != request.host:
                abort(403)
            csrf.protect()
        return None

    @app.after_request
    def headers(resp):
        resp.headers.setdefault("Content-Security-Policy", APP_CSP)   # generated pages set a stricter one
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"   # keeps Origin on same-origin posts
        resp.headers["X-Frame-Options"] = "DENY"
        if request.endpoint != "static":
            resp.headers["Cache-Control"] = "no-store"
        return resp
