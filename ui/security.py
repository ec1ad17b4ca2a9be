"""Web hardening shared by the app and the REST API: security headers, a Host allow-list, login throttling.

One ASGI middleware wraps the whole server (Gradio's routes and ``/api/v1`` alike):

- every HTTP response carries ``X-Frame-Options: DENY``, a Content-Security-Policy with ``frame-ancestors 'none'``
  that the Gradio page works under (its own scripts and styles, inline ones included: Gradio writes its config and
  styles inline; nothing from another origin), ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy:
  no-referrer``;
- a request whose ``Host`` is not a loopback name, the host of ``public_url``, the bound host or one of
  ``allowed_hosts`` gets 400: a page on another site cannot reach a loopback server through DNS rebinding;
- wrong logins (Gradio's ``/login`` form; the API's HTTP Basic and bearer checks call the same throttle) are counted
  per client: after ``login_failures`` of them each further attempt must wait, 1 s then doubling up to
  ``login_backoff_max``; an attempt during the wait gets 429 with ``Retry-After`` at once, without checking the
  password. A correct login clears the client's count.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
MAX_CLIENTS_TRACKED = 10_000  # the throttle forgets the oldest clients beyond this (bounded memory)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def split_list(text: str) -> list[str]:
    """'a, b,,c' → ['a', 'b', 'c'] (the comma-separated settings)."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def allowed_hosts(settings: Any) -> frozenset[str]:
    """Host names this server answers to: loopback, the bound host, public_url's host, ``allowed_hosts``."""
    names = {*LOOPBACK_NAMES, *(h.lower() for h in split_list(settings.allowed_hosts))}
    if settings.host not in WILDCARD_HOSTS:
        names.add(settings.host.lower().strip("[]"))
    if settings.public_url:
        public = urlsplit(settings.public_url).hostname
        if public:
            names.add(public.lower())
    return frozenset(names)


def host_name(header: str) -> str:
    """The name part of a Host header: 'Example.org:80' → 'example.org', '[::1]:7860' → '::1'."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class LoginThrottle:
    """Wrong logins per client, and the wait each client must respect before its next attempt."""

    def __init__(self, failures_allowed: int = 5, backoff_max: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures_allowed = failures_allowed
        self.backoff_max = backoff_max
        self.clock = clock
        self._lock = threading.Lock()
        self._clients: OrderedDict[str, tuple[int, float]] = OrderedDict()  # client → (failures, not before)

    @classmethod
    def from_settings(cls, settings: Any) -> LoginThrottle:
        return cls(settings.login_failures, settings.login_backoff_max)

    def wait(self, client: str) -> float:
        """Seconds the client must still wait before another attempt (0: it may try now)."""
        with self._lock:
            entry = self._clients.get(client)
        return max(0.0, entry[1] - self.clock()) if entry else 0.0

    def failed(self, client: str) -> float:
        """Record a wrong login; the wait it imposes (0 while the client is under ``failures_allowed``)."""
        with self._lock:
            failures = self._clients.pop(client, (0, 0.0))[0] + 1
            excess = failures - self.failures_allowed
            delay = 0.0 if excess < 0 else min(self.backoff_max, 2.0 ** excess)
            self._clients[client] = (failures, self.clock() + delay)
            while len(self._clients) > MAX_CLIENTS_TRACKED:
                self._clients.popitem(last=False)
        return delay

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._clients.pop(client, None)


def client_of(scope: Scope) -> str:
    """The client's address as the server saw it (uvicorn resolves X-Forwarded-For from trusted proxies)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def _plain(send: Send, status: int, text: str, headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *HEADERS, *headers]})
    await send({"type": "http.response.body", "body": body})


def retry_after(seconds: float) -> str:
    """The Retry-After value for a wait: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))


class SecurityMiddleware:
    """The headers, the Host check and the throttling of Gradio's login form, around any ASGI app."""

    def __init__(self, app: ASGIApp, *, hosts: frozenset[str], throttle: LoginThrottle) -> None:
        self.app = app
        self.hosts = hosts
        self.throttle = throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), "")
        if host_name(host) not in self.hosts:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _plain(send, 400, f"400 Bad Request: this server does not answer to the host {host!r}\n")
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        login = scope.get("method") == "POST" and scope.get("path", "").rstrip("/").endswith("/login")
        client = client_of(scope)
        if login:
            wait = self.throttle.wait(client)
            if wait > 0:
                await _plain(send, 429, f"429 Too Many Requests: too many wrong logins; try again in "
                             f"{retry_after(wait)} s\n", [(b"retry-after", retry_after(wait).encode())])
                return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in HEADERS}
                message["headers"] = [*(h for h in message.get("headers", ()) if h[0].lower() not in names),
                                      *HEADERS]
                if login:
                    status = message["status"]
                    if status in (400, 401, 403):
                        self.throttle.failed(client)
                    elif status < 400:
                        self.throttle.succeeded(client)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def middleware_for(settings: Any, throttle: LoginThrottle | None = None) -> Any:
    """A ``starlette.middleware.Middleware`` entry for FastAPI(middleware=[...]) or Gradio's app_kwargs."""
    from starlette.middleware import Middleware

    return Middleware(SecurityMiddleware, hosts=allowed_hosts(settings),
                      throttle=throttle or LoginThrottle.from_settings(settings))
