"""`grader serve`: the grading app for the written answers, in the browser."""
from __future__ import annotations

import argparse
import errno
import os
import signal
import sqlite3

from rich.console import Console

from .helptext import HelpFormatter
from .common import existing_reports, reports_args, spec_of


def add_parser(sub) -> None:
    s = sub.add_parser("serve", help="grade the written answers in the browser (TA)",
                       description="Starts the grading app on http://127.0.0.1:PORT: written answers question by "
                                   "question, anonymous, with rubrics, answer groups and keys for everything. "
                                   "Grades go to <reports>/gradebook.sqlite at once and the report files follow "
                                   "within seconds. Several TAs can grade at the same time: open the printed "
                                   "link in each browser (on a course server: --host and a shared --token).",
                       formatter_class=HelpFormatter,
                       epilog="examples:\n  grader serve                          grade reports/ on this machine\n"
                              "  grader serve --reports marks/ --port 8001   another report folder and port\n"
                              "  GRADER_TOKEN=... grader serve --host 0.0.0.0   a course server for several TAs "
                              "(a token given with --token is visible to every user of the machine in ps)\n")
    reports_args(s)
    s.add_argument("--port", type=_port, default=8000, help="default: 8000; 0: any free port (the link printed names it)")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only); another needs --token")
    s.add_argument("--token", default=os.environ.get("GRADER_TOKEN"),
                   help="shared access token (default: $GRADER_TOKEN, else one kept for you in "
                        "<reports>/.grader-web-<uid>.json, readable by you only); on the command line it is "
                        "visible to other users in ps: prefer $GRADER_TOKEN")
    s.add_argument("--ta", default=os.environ.get("GRADER_TA"),
                   help="your name, filled in on the app's first page (default: $GRADER_TA); it is recorded "
                        "with every grade")
    s.add_argument("--seed", type=int, default=7, help="seed of each TA's shuffled order (default: 7)")
    s.add_argument("--also", action="store_true",
                   help="start even when another grader serve serves this gradebook (by default this one stops "
                        "and says where the other runs; both would check every save against the other's)")
    s.add_argument("--threads", type=int, default=8, help=argparse.SUPPRESS)
    s.set_defaults(run=cmd_serve)


def _port(text: str) -> int:
    """A TCP port a TA may listen on (a hundred-and-tenth review: 99999 was taken, and the server
    listened on a port of the system's choosing)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is no port: use 1 to 65535 (0: any free one), e.g. --port 8001")
    return port


def cmd_serve(args, console: Console) -> int:
    import waitress

    from ..web.app import MAX_BODY

    from ..gradebook import gradebook_path
    from ..web import create_app
    from ..web.renderer import Renderer
    local = args.host in ("127.0.0.1", "localhost", "::1")
    if not local and not args.token:
        console.print("[red]error:[/] listening on another address than this machine needs a shared token: "
                      "--token TOKEN (or $GRADER_TOKEN); give it to the TAs, not to students")
        return 2
    reports = args.reports.resolve()
    existing_reports(args.reports).close()
    spec = spec_of(args)
    renderer = Renderer(gradebook_path(reports), reports, spec)
    try:
        app = create_app(reports, spec, token=args.token, seed=args.seed, renderer=renderer, port=args.port)
    except (OSError, sqlite3.Error) as exc:
        console.print(f"[red]error:[/] cannot open {gradebook_path(reports)}: {exc}")
        return 2
    token = app.config["TOKEN"]
    app.config["DEFAULT_TA"] = (args.ta or "").strip()[:60]
    try:
        server = waitress.create_server(app, host=args.host, port=args.port, threads=args.threads, ident="grader",
                                        clear_untrusted_proxy_headers=True, max_request_body_size=MAX_BODY)
    except OSError as exc:
        hint = (f"; another program uses it: pass another port, e.g. --port {args.port + 1}"
                if exc.errno == errno.EADDRINUSE else "")
        console.print(f"[red]error:[/] cannot listen on {args.host}:{args.port}: {exc.strerror or exc}{hint}")
        return 2
    port = getattr(server, "effective_port", args.port)
    app.config["SESSION_COOKIE_NAME"] = f"grader_session_{port}"   # two servers on one host keep apart
    held = _serving(reports, port)
    if held[1] and not getattr(args, "also", False):
        # One server per gradebook, as the README says (a ninetieth review: a second one started
        # with a warning, and TAs were given two links).
        server.close()
        console.print(f"[red]error:[/] another grader serve already serves {reports} ({held[1]}): open that one's "
                      f"link (every TA can use it), or stop it first; --also starts this one all the same",
                      soft_wrap=True)
        return 2
    if held[1]:
        console.print(f"[yellow]another grader serve already serves this gradebook ({held[1]}): this one runs too "
                      f"(every save is checked against the other's)[/]", soft_wrap=True)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    console.print(f"grading app for {reports}")
    console.print(f"  open [bold]http://{shown}:{port}/?token={token}[/]", soft_wrap=True)
    if not local:
        console.print("  [yellow]plain HTTP: on a network you do not trust, put it behind HTTPS (a reverse proxy)[/]")
    console.print("  grades are saved in gradebook.sqlite as you go; Ctrl-C stops the server")

    def stop(*_):
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):     # (a closed terminal too, as Ctrl-C; not where ignored: nohup)
        if signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, stop)
    # Every file rendered once at the start: a server killed between a save and its rendering
    # (kill -9, a power cut) left summary.csv and the feedback pages behind the gradebook until
    # something else rewrote them (a seventy-fifth review).
    renderer.changed(None)
    renderer.start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        renderer.stop()
        if held[0] is not None:
            os.close(held[0])
    return 0


def _serving(reports, port: int) -> tuple[int | None, str]:
    """Say whether another `grader serve` holds this gradebook (a TA's review started a second
    one, on another port, without a word). The first server holds a lock with its pid and port;
    the lock goes with its process. Returns (this server's lock, what holds it otherwise)."""
    import fcntl
    path = reports / ".serve.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None, ""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        try:
            other = os.pread(fd, 200, 0).decode("ascii", "replace").strip()
        finally:
            os.close(fd)
        return None, other or "another process"
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()}, port {port}".encode(), 0)
    return fd, ""
