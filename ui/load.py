"""`pns loadtest`: concurrent clients asking questions over HTTP, with latency figures, along one of two paths.

``--target rest``: each client is a thread with its own keep-alive connection posting to ``/api/v1/ask``.
``--target app``: each client calls the Gradio app's ``/ask`` through Gradio's HTTP API (its queue, as the page's
events go). The questions are cycled from the evaluation set. Only a server on this machine is loaded (127.0.0.1,
localhost, ::1): the tool sizes one's own server, it does not send traffic elsewhere. Without a URL, `pns serve` is
started as a child process at a free port (a separate process, so the clients do not share its interpreter).
Latencies are end to end, so they include the time a question waits in a queue.
"""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pns.errors import UsageError
from pns.settings import child_environment

# As ui/__init__.py does; set here too because an editable install made before ui/ had an __init__.py treats
# ui as a namespace package and never runs it. The clients below also pass analytics_enabled=False.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_CLIENTS = 200
MAX_SECONDS = 600.0  # the whole run, connecting included, stops after 10 minutes, finished or not
MAX_ERROR_SAMPLES = 5
TARGETS = ("rest", "app")
START_SECONDS = 300.0  # a child server builds nothing (the index is made ready first) but loads its models


@dataclass(frozen=True)
class LoadReport:
    """What one run measured: every request's outcome, its latency and the wall time."""

    url: str
    clients: int
    questions_per_client: int
    seconds: float
    latencies_ms: tuple[float, ...]
    errors: int
    error_samples: tuple[str, ...] = ()
    stopped_early: bool = False
    target: str = "app"
    distinct_questions: int = 0
    cache_lookups: dict[str, int] | None = None  # the server's question-vector cache during the run (/metrics)

    @property
    def planned(self) -> int:
        return self.clients * self.questions_per_client

    @property
    def answers(self) -> int:
        return len(self.latencies_ms)

    @property
    def requests(self) -> int:
        return self.answers + self.errors

    @property
    def throughput(self) -> float:
        """Answers per second over the run's wall time."""
        return self.answers / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        return self.errors == 0 and not self.stopped_early and self.answers == self.planned

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the answers' latencies in ms (0 when there was no answer)."""
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered), max(1, math.ceil(p / 100 * len(ordered)))) - 1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url, "target": self.target, "clients": self.clients, "questions_per_client": self.questions_per_client,
            "planned": self.planned, "requests": self.requests, "answers": self.answers, "errors": self.errors,
            "stopped_early": self.stopped_early, "seconds": round(self.seconds, 3),
            "throughput_rps": round(self.throughput, 2),
            "latency_ms": {"p50": round(self.percentile(50), 1), "p95": round(self.percentile(95), 1),
                           "max": round(max(self.latencies_ms, default=0.0), 1)},
            "error_samples": list(self.error_samples),
            "distinct_questions": self.distinct_questions, "query_cache_lookups": self.cache_lookups,
        }

    def summary(self) -> str:
        """A few aligned lines for a person."""
        d = self.to_dict()
        lat = d["latency_ms"]
        lines = [
            f"load test of {self.url} ({self.target}): {self.clients} clients × {self.questions_per_client} "
            "questions",
            f"requests    {d['requests']} of {d['planned']}" + (" (stopped at the time limit)"
                                                               if self.stopped_early else ""),
            f"errors      {d['errors']}",
            f"throughput  {d['throughput_rps']:.2f} answers/s ({d['seconds']:.1f} s)",
            f"latency     p50 {lat['p50']:.0f} ms · p95 {lat['p95']:.0f} ms · max {lat['max']:.0f} ms",
        ]
        asked = f"questions   {self.distinct_questions} distinct"
        if self.cache_lookups is not None:
            asked += (f"; question-vector cache {self.cache_lookups['hit']} hits, {self.cache_lookups['miss']} misses "
                      "(one lookup per encoder)")
        lines.append(asked)
        lines += [f"error       {sample}" for sample in self.error_samples]
        return "\n".join(lines)


@dataclass
class _ClientResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stopped_early: bool = False


def check_local_url(url: str) -> str:
    """The URL without its trailing slash, if it is an http(s) URL of this machine.

    Raises:
        UsageError: another scheme or host.
    """
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or parts.hostname not in LOCAL_HOSTS:
        raise UsageError(f"--url must be an http URL on this machine ({', '.join(LOCAL_HOSTS)}), got {url!r}")
    return parts.geturl().rstrip("/")


def check_counts(clients: int, questions_per_client: int) -> None:
    """Raises UsageError unless 1 ≤ clients ≤ MAX_CLIENTS and questions_per_client ≥ 1."""
    if not 1 <= clients <= MAX_CLIENTS:
        raise UsageError(f"--clients must be between 1 and {MAX_CLIENTS}, got {clients}")
    if questions_per_client < 1:
        raise UsageError(f"--questions must be at least 1, got {questions_per_client}")


def default_questions() -> list[str]:
    """The questions of the evaluation set, in their file's order."""
    from eval.run import load_questions

    return [q.question for q in load_questions()]


class _Session:
    """One client's keep-alive connection to the server (``http.client``: the load generator shares the machine's
    cores with the server, so it must cost little): ``ask(question, timeout) -> dict`` and ``close()``.

    ``rest`` posts to ``/api/v1/ask``; ``app`` uses the Gradio app's own HTTP API, which goes through its queue
    like the browser's events: ``POST /gradio_api/call/ask`` for an event id, then that event's stream.
    """

    def __init__(self, url: str, target: str, auth: tuple[str, str] | None, token: str | None) -> None:
        import base64
        import http.client

        parts = urlsplit(url)
        self.target, self.prefix = target, parts.path.rstrip("/")
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=60)
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token and target == "rest":
            self.headers["Authorization"] = f"Bearer {token}"
        elif auth and target == "rest":
            self.headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
        elif auth:
            self._login(auth)
        status, body = self._request("GET", "/api/v1/readyz" if target == "rest" else "/config")
        if status != 200:
            self.close()
            raise ConnectionError(f"HTTP {status} from the server: {body[:120]!r}")

    def _login(self, auth: tuple[str, str]) -> None:
        from urllib.parse import urlencode

        form = urlencode({"username": auth[0], "password": auth[1]})
        self.conn.request("POST", f"{self.prefix}/login", body=form,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = self.conn.getresponse()
        response.read()
        if response.status != 200:
            raise ConnectionError(f"login refused (HTTP {response.status})")
        cookies = [c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or []]
        self.headers["Cookie"] = "; ".join(cookies)

    def _request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        import http.client
        import json

        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        for attempt in (1, 2):
            try:
                self.conn.request(method, self.prefix + path, body=data, headers=self.headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # the server closed an idle keep-alive connection: once more on a new one
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def ask(self, question: str, timeout: float) -> Any:
        import json

        self.conn.timeout = timeout
        if self.conn.sock is not None:
            self.conn.sock.settimeout(timeout)
        if self.target == "rest":
            status, body = self._request("POST", "/api/v1/ask", {"question": question})
            if status != 200:
                raise RuntimeError(f"HTTP {status}: {body.decode(errors='replace')[:120]}")
            return json.loads(body)
        status, body = self._request("POST", "/gradio_api/call/ask", {"data": [question, "auto"]})
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body.decode(errors='replace')[:120]}")
        event = json.loads(body)["event_id"]
        status, stream = self._request("GET", f"/gradio_api/call/ask/{event}")
        kind, data = _last_event(stream.decode("utf-8", errors="replace"))
        if status != 200 or kind != "complete":
            raise RuntimeError(f"app {kind or 'stream'} event: {data[:120]}")
        return json.loads(data)[0]

    def close(self) -> None:
        self.conn.close()


def _last_event(stream: str) -> tuple[str, str]:
    """The last ``event:`` of a server-sent event stream and its ``data:`` line."""
    kind, data = "", ""
    for line in stream.splitlines():
        if line.startswith("event:"):
            kind, data = line[6:].strip(), ""
        elif line.startswith("data:"):
            data = line[5:].strip()
    return kind, data


def run_load(url: str, clients: int = 20, questions_per_client: int = 50, *,
             questions: Sequence[str] | None = None, max_seconds: float = MAX_SECONDS,
             auth: tuple[str, str] | None = None, target: str = "app", token: str | None = None) -> LoadReport:
    """Send ``clients × questions_per_client`` questions to ``/ask`` (the app's, or ``/api/v1/ask`` for the
    ``rest`` target), ``clients`` at a time.

    Client ``i`` asks questions ``i·M, i·M+1, …`` of the list (cycled), so the clients do not ask the same
    question at the same moment. The figures are timed from the moment every client has connected; the run,
    connecting included, stops at ``max_seconds``: a request still unanswered then counts as an error.

    Raises:
        UsageError: a URL that is not on this machine, counts out of range, or an unknown target.
    """
    url = check_local_url(url)
    check_counts(clients, questions_per_client)
    if target not in TARGETS:
        raise UsageError(f"--target must be one of {', '.join(TARGETS)}, got {target!r}")
    pool = list(questions) if questions is not None else default_questions()
    if not pool:
        raise UsageError("no questions to ask")

    distinct = len({pool[(n * questions_per_client + k) % len(pool)]
                    for n in range(clients) for k in range(questions_per_client)})
    before = cache_lookups(url, auth, token)
    stop_at = time.monotonic() + max_seconds
    clock: dict[str, float] = {}
    start_line = threading.Barrier(clients + 1, action=lambda: clock.setdefault("began", time.monotonic()))

    def client_run(number: int) -> _ClientResult:
        result = _ClientResult()
        session = None
        try:
            session = _Session(url, target, auth, token)
        except Exception as exc:
            result.errors += [f"connect: {_describe(exc)}"] * questions_per_client
        try:
            start_line.wait(timeout=max(stop_at - time.monotonic(), 0.0))
        except threading.BrokenBarrierError:
            result.stopped_early = True
        if session is None or result.stopped_early:
            if session is not None:
                session.close()
            return result
        try:
            for k in range(questions_per_client):
                remaining = stop_at - time.monotonic()
                if remaining <= 0:
                    result.stopped_early = True
                    break
                question = pool[(number * questions_per_client + k) % len(pool)]
                began = time.perf_counter()
                try:
                    answer = session.ask(question, remaining)
                except TimeoutError:
                    result.errors.append(f"no answer within the {max_seconds:.0f} s limit ({question!r})")
                    result.stopped_early = True
                    break
                except Exception as exc:
                    result.errors.append(f"{_describe(exc)} ({question!r})")
                    continue
                if isinstance(answer, dict) and "citations" in answer:
                    result.latencies_ms.append((time.perf_counter() - began) * 1000)
                else:
                    result.errors.append(f"not an answer: {str(answer)[:120]!r} ({question!r})")
        finally:
            session.close()
        return result

    with ThreadPoolExecutor(max_workers=clients, thread_name_prefix="pns-load") as executor:
        futures = [executor.submit(client_run, i) for i in range(clients)]
        with suppress(threading.BrokenBarrierError):
            start_line.wait(timeout=max(stop_at - time.monotonic(), 0.0))
        results = [f.result() for f in futures]
        seconds = time.monotonic() - clock.get("began", time.monotonic())
    errors = [e for r in results for e in r.errors]
    after = cache_lookups(url, auth, token)
    lookups = {k: after[k] - before[k] for k in after} if before is not None and after is not None else None
    return LoadReport(url, clients, questions_per_client, seconds,
                      tuple(ms for r in results for ms in r.latencies_ms), len(errors),
                      tuple(dict.fromkeys(errors))[:MAX_ERROR_SAMPLES], any(r.stopped_early for r in results),
                      target, distinct, lookups)


def cache_lookups(url: str, auth: tuple[str, str] | None, token: str | None) -> dict[str, int] | None:
    """The server's question-vector cache hits and misses so far, from its /metrics; None when not readable."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.get(f"{url}/metrics", timeout=5.0, auth=auth, headers=headers)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    found = {}
    for line in response.text.splitlines():
        for result in ("hit", "miss"):
            if line.startswith(f'pns_query_cache_lookups{{result="{result}"}} '):
                found[result] = int(float(line.rsplit(" ", 1)[1]))
    return found if len(found) == 2 else None


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_server(url: str, timeout: float, alive: Callable[[], bool] = lambda: True,
                    auth: tuple[str, str] | None = None, token: str | None = None) -> None:
    """Poll ``/api/v1/readyz`` until it answers 200 (an index is served); UsageError at the deadline."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        with suppress(httpx.HTTPError):
            if httpx.get(f"{url}/api/v1/readyz", timeout=2.0, auth=auth, headers=headers).status_code == 200:
                return
        time.sleep(0.2)
    raise UsageError(f"the server at {url} did not become ready")


@contextmanager
def local_app(settings: Any) -> Iterator[str]:
    """`pns serve` with these settings as a child process on 127.0.0.1 at a free port (index made ready first)."""
    from assistant.build import ensure_ready

    settings = settings.replace(host="127.0.0.1", port=_free_port(), reload_interval=0)
    ensure_ready(settings)
    url = f"http://127.0.0.1:{settings.port}"
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        child = subprocess.Popen([sys.executable, "-m", "pns.cli", "serve"], env=child_environment(settings),
                                 stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            from ui.app import auth_from_settings

            try:
                wait_for_server(url, START_SECONDS, lambda: child.poll() is None, auth_from_settings(settings),
                                settings.api_token or None)
            except UsageError:
                log.seek(0)
                tail = " ".join(log.read().split())[-300:]
                raise UsageError(f"the server started for the load test did not come up: {tail}") from None
            yield url
        finally:
            child.terminate()
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def loadtest(settings: Any, *, url: str | None = None, clients: int = 20, questions: int = 50,
             as_json: bool = False, target: str = "app") -> int:
    """`pns loadtest`: run, print the figures, and return 1 if any request failed (else 0)."""
    from ui.app import auth_from_settings

    if url is not None:
        url = check_local_url(url)  # refuse another host before loading anything
    check_counts(clients, questions)
    auth = auth_from_settings(settings)
    token = settings.api_token or None
    pool = default_questions()
    if url is None:
        print("pns: starting `pns serve` for the load test…", file=sys.stderr)
        with local_app(settings) as own_url:
            report = run_load(own_url, clients, questions, questions=pool, auth=auth, target=target, token=token)
    else:
        report = run_load(url, clients, questions, questions=pool, auth=auth, target=target, token=token)
    if as_json:
        from pns.cli import print_json

        print_json(report.to_dict())
    else:
        print(report.summary())
    return 0 if report.ok else 1
