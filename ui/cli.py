"""`pns serve` (the web app), `pns feedback export` (feedback as JSON Lines) and `pns loadtest`."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def register(sub: Any) -> None:
    serve = sub.add_parser("serve", help="start the web app and its REST API at /api/v1 (builds the index first "
                                         "if it is missing or stale)")
    serve.add_argument("--host", help="address to bind (default from settings: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default from settings: 7860)")
    serve.set_defaults(func=cmd_serve)

    feedback = sub.add_parser("feedback", help="feedback given in the web app")
    feedback_sub = feedback.add_subparsers(dest="feedback_command", metavar="ACTION", required=True)
    export = feedback_sub.add_parser("export", help="every feedback event as JSON Lines")
    export.add_argument("--out", help="file to write (default: standard output)")
    export.set_defaults(func=cmd_feedback_export)

    load = sub.add_parser("loadtest", help="concurrent clients asking questions through the REST API or the "
                                           "app's API (a server on this machine only)")
    load.add_argument("--target", choices=("rest", "app"), default="app",
                      help="rest: POST /api/v1/ask; app: the Gradio app's /ask through gradio_client (default)")
    load.add_argument("--url", help="the server to load, on 127.0.0.1 or localhost (default: start one here)")
    load.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    load.add_argument("--questions", type=int, default=50, help="questions per client (default 50)")
    load.add_argument("--json", action="store_true", help="machine-readable output")
    load.set_defaults(func=cmd_loadtest)


def cmd_serve(args: argparse.Namespace, settings: Any) -> int:
    from pns.errors import UsageError

    if args.port is not None and not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    settings = settings.replace(host=args.host, port=args.port)
    # Several answers run at once, each e5 query on one core: an engine spreading one query over every core
    # (OpenMP) would make the answering threads spin against each other. Before any engine is loaded; an explicit
    # OMP_NUM_THREADS wins.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from assistant.build import ensure_ready

    ensure_ready(settings)
    from ui.app import auth_from_settings
    from ui.server import serve

    auth_from_settings(settings)  # refuse a half-configured login before loading anything else
    if settings.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"pns: the app listens on {settings.host}, reachable from other machines"
              + ("" if settings.auth_user else "; set PNS_AUTH_USER and PNS_AUTH_PASSWORD to require a login"),
              file=sys.stderr)
        from ui.security import WILDCARD_HOSTS, allowed_hosts

        if settings.host in WILDCARD_HOSTS:
            print(f"pns: it answers only requests addressed to {', '.join(sorted(allowed_hosts(settings)))}; set "
                  "PNS_PUBLIC_URL or PNS_ALLOWED_HOSTS to the name users type (others get 400)", file=sys.stderr)
    print(f"pns: serving on http://{settings.host}:{settings.port}/ (REST API at /api/v1, metrics at /metrics; "
          "Ctrl+C to stop)", file=sys.stderr)
    serve(settings)
    return 0


def cmd_feedback_export(args: argparse.Namespace, settings: Any) -> int:
    from assistant.feedback import FeedbackStore

    store = FeedbackStore.from_settings(settings)
    n = store.export_jsonl(args.out) if args.out else store.export_jsonl(sys.stdout)
    if args.out:
        print(f"pns: {n} feedback event(s) written to {args.out}", file=sys.stderr)
    return 0


def cmd_loadtest(args: argparse.Namespace, settings: Any) -> int:
    from ui.load import loadtest

    return loadtest(settings, url=args.url, clients=args.clients, questions=args.questions, as_json=args.json,
                    target=args.target)
