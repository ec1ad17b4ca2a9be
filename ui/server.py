"""`pns serve`: one FastAPI application served by uvicorn: the REST API at ``/api/v1``, ``/metrics``, and the
Gradio app mounted at ``/``, all behind the security middleware (``ui/security.py``) and reading one live
assistant (``ui/live.py``), so a rebuilt index is picked up without a restart.

What held for the Gradio-launched app still holds: bound to ``settings.host`` (127.0.0.1 by default), the login
of ``auth_user``/``auth_password``, no share link, no SSR, no MCP, no monitoring page, no analytics, system fonts.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pns.errors import PNSError, UsageError

log = logging.getLogger(__name__)


def mount_options(settings: Any) -> dict[str, Any]:
    """Arguments of ``gr.mount_gradio_app`` (and of ``launch``): the login, nothing remote, local assets only."""
    import gradio as gr

    from ui import render
    from ui.app import auth_from_settings, theme
    from ui.i18n import GRADIO_STRINGS

    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "auth": auth_from_settings(settings),
        "show_error": False,
        "ssr_mode": False,
        "pwa": False,
        "mcp_server": False,
        "enable_monitoring": False,
        "footer_links": ["api"],
        "max_file_size": "1mb",
        "theme": theme(),
        "css": render.CSS,
        # Gradio's own strings its French and Dutch leave in English, loaded before the page first renders
        "i18n": gr.I18n(**GRADIO_STRINGS),
    }


def launch_options(settings: Any) -> dict[str, Any]:
    """``Blocks.launch()`` arguments, for an app launched by Gradio itself (tests): the mount options, no share
    link, no browser, and the same security middleware as `pns serve`."""
    from ui.security import middleware_for

    return {**mount_options(settings), "share": False, "inbrowser": False,
            "app_kwargs": {"middleware": [middleware_for(settings)]}}


class CountedFeedback:
    """The feedback store with its outcomes counted in the metrics (recorded or refused, by source)."""

    def __init__(self, store: Any, metrics: Any) -> None:
        self.store, self.metrics = store, metrics

    def add_answer(self, *args: Any, **kwargs: Any) -> Any:
        source = str(kwargs.get("source") or "ui")
        try:
            row = self.store.add_answer(*args, **kwargs)
        except PNSError:
            self.metrics.feedback.labels("refused", source).inc()
            raise
        self.metrics.feedback.labels("recorded", source).inc()
        return row

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@dataclass
class Parts:
    """What one server holds, for closing it and for tests."""

    live: Any
    metrics: Any
    throttle: Any
    demo: Any
    api: Any


def create_app(settings: Any, live: Any = None, *, feedback_store: Any = None,
               conversation_factory: Any = None) -> tuple[Any, Parts]:
    """The whole server as one FastAPI application (not yet serving) and its parts."""
    import gradio as gr
    from fastapi import Depends, FastAPI
    from fastapi.responses import Response

    from assistant.feedback import FeedbackStore
    from ui.api import ApiError, Login, create_api, error_response
    from ui.app import build_app
    from ui.live import LiveAssistant
    from ui.metrics import CONTENT_TYPE, Metrics
    from ui.security import LoginThrottle, middleware_for

    metrics = Metrics()
    throttle = LoginThrottle.from_settings(settings)
    if live is None:
        live = LiveAssistant(settings)
    live.on_answer = metrics.answered
    store = CountedFeedback(feedback_store or FeedbackStore.from_settings(settings), metrics)
    login = Login(settings, throttle)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, middleware=[middleware_for(settings, throttle)])
    app.add_exception_handler(ApiError, error_response)
    api = create_api(live, settings, feedback=store, login=login, metrics=metrics,
                     conversation_factory=conversation_factory)
    app.mount("/api/v1", api)

    def prometheus() -> Response:
        assistant = live.current()
        metrics.set_index(live.version, live.reloads)
        metrics.set_query_cache(assistant.index)
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    app.add_api_route("/metrics", prometheus, methods=["GET"], dependencies=[Depends(login)],
                      include_in_schema=False)
    options = {"feedback_store": store}
    if conversation_factory is not None:
        options["conversation_factory"] = conversation_factory
    demo = build_app(live, settings, **options)
    demo.queue(default_concurrency_limit=settings.app_concurrency)
    set_ask_concurrency(demo, settings.app_concurrency)
    gr.mount_gradio_app(app, demo, path="/", **mount_options(settings))
    return app, Parts(live, metrics, throttle, demo, api)


def set_ask_concurrency(demo: Any, limit: int) -> None:
    """The app's answering events share the concurrency group "ask"; give that group ``limit`` workers."""
    for fn in demo.fns.values():
        if getattr(fn, "concurrency_id", None) == "ask":
            fn.concurrency_limit = limit


class Server:
    """A running `pns serve`: uvicorn in this thread (``block``) or in a background one."""

    def __init__(self, settings: Any, app: Any, parts: Parts) -> None:
        import uvicorn

        from ui.security import split_list

        proxies = split_list(settings.trusted_proxies)
        config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning",
                                access_log=False, lifespan="on", proxy_headers=bool(proxies),
                                forwarded_allow_ips=",".join(proxies) or None, timeout_keep_alive=5,
                                timeout_graceful_shutdown=5, server_header=False)
        self.settings, self.app, self.parts = settings, app, parts
        self.uvicorn = uvicorn.Server(config)
        self.thread: threading.Thread | None = None
        host = settings.host if ":" not in settings.host else f"[{settings.host}]"
        self.url = f"http://{host}:{settings.port}"

    def run(self) -> None:
        """Serve until interrupted (Ctrl+C)."""
        try:
            self.uvicorn.run()
        finally:
            self._release()

    def start(self, timeout: float = 60.0) -> Server:
        """Serve from a background thread; return once the port accepts connections."""
        self.thread = threading.Thread(target=self.uvicorn.run, name="pns-serve", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.uvicorn.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise UsageError(f"the server could not start on {self.url} (is the port in use?)")
            time.sleep(0.05)
        return self

    def close(self) -> None:
        """Stop serving and release the answering threads."""
        with_demo = self.parts.demo
        with_demo.close(verbose=False)  # ends Gradio's queue and its heartbeats, so uvicorn can stop
        self.uvicorn.should_exit = True
        if self.thread is not None:
            self.thread.join(15)
        self._release()

    def _release(self) -> None:
        self.parts.live.close()


@contextmanager
def serving(settings: Any, live: Any = None, **options: Any) -> Iterator[Server]:
    """A server for these settings in a background thread, closed on leaving (tests, the load test's own)."""
    app, parts = create_app(settings, live, **options)
    server = Server(settings, app, parts).start()
    try:
        yield server
    finally:
        server.close()


def serve(settings: Any, *, block: bool = True, live: Any = None) -> Server:
    """Load the assistant and serve the app and the API; with ``block`` False, return once the server is up."""
    app, parts = create_app(settings, live)
    server = Server(settings, app, parts)
    if block:
        server.run()
        return server
    return server.start()
