"""`pns loadtest`: concurrent clients asking questions through the app's HTTP API, with latency figures.

Each client is a thread with its own ``gradio_client.Client`` calling ``/ask``; the questions are cycled from the
evaluation set. Only an app on this machine is loaded (127.0.0.1, localhost, ::1): the tool sizes one's own
server, it does not send traffic elsewhere. Without a URL the app is started in this process at a free port.
Latencies are end to end, so they include the time a question waits in the app's queue.
"""

from __future__ import annotations

import math
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, redirect_stdout, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pns.errors import UsageError

# As ui/__init__.py does; set here too because an editable install made before ui/ had an __init__.py treats
# ui as a namespace package and never runs it. The clients below also pass analytics_enabled=False.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_CLIENTS = 200
MAX_SECONDS = 600.0  # the whole run, connecting included, stops after 10 minutes, finished or not
MAX_ERROR_SAMPLES = 5


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
            "url": self.url, "clients": self.clients, "questions_per_client": self.questions_per_client,
            "planned": self.planned, "requests": self.requests, "answers": self.answers, "errors": self.errors,
            "stopped_early": self.stopped_early, "seconds": round(self.seconds, 3),
            "throughput_rps": round(self.throughput, 2),
            "latency_ms": {"p50": round(self.percentile(50), 1), "p95": round(self.percentile(95), 1),
                           "max": round(max(self.latencies_ms, default=0.0), 1)},
            "error_samples": list(self.error_samples),
        }

    def summary(self) -> str:
        """A few aligned lines for a person."""
        d = self.to_dict()
        lat = d["latency_ms"]
        lines = [
            f"load test of {self.url}: {self.clients} clients × {self.questions_per_client} questions",
            f"requests    {d['requests']} of {d['planned']}" + (" (stopped at the time limit)"
                                                               if self.stopped_early else ""),
            f"errors      {d['errors']}",
            f"throughput  {d['throughput_rps']:.2f} req/s ({d['seconds']:.1f} s)",
            f"latency     p50 {lat['p50']:.0f} ms · p95 {lat['p95']:.0f} ms · max {lat['max']:.0f} ms",
        ]
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


def run_load(url: str, clients: int = 20, questions_per_client: int = 50, *,
             questions: Sequence[str] | None = None, max_seconds: float = MAX_SECONDS,
             auth: tuple[str, str] | None = None) -> LoadReport:
    """Send ``clients × questions_per_client`` questions to ``/ask``, ``clients`` at a time.

    Client ``i`` asks questions ``i·M, i·M+1, …`` of the list (cycled), so the clients do not ask the same
    question at the same moment. The figures are timed from the moment every client has connected; the run,
    connecting included, stops at ``max_seconds``: a request still unanswered then counts as an error.

    Raises:
        UsageError: a URL that is not on this machine, or counts out of range.
    """
    url = check_local_url(url)
    check_counts(clients, questions_per_client)
    pool = list(questions) if questions is not None else default_questions()
    if not pool:
        raise UsageError("no questions to ask")
    from gradio_client import Client

    stop_at = time.monotonic() + max_seconds
    clock: dict[str, float] = {}
    start_line = threading.Barrier(clients + 1, action=lambda: clock.setdefault("began", time.monotonic()))

    def client_run(number: int) -> _ClientResult:
        result = _ClientResult()
        client = None
        try:
            client = Client(url, auth=auth, verbose=False, download_files=False, analytics_enabled=False)
        except Exception as exc:
            result.errors += [f"connect: {_describe(exc)}"] * questions_per_client
        try:
            start_line.wait(timeout=max(stop_at - time.monotonic(), 0.0))
        except threading.BrokenBarrierError:
            result.stopped_early = True
        if client is None or result.stopped_early:
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
                    job = client.submit(question, "auto", api_name="/ask")
                    answer = job.result(timeout=remaining)
                except TimeoutError:
                    job.cancel()
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
            client.close()
        return result

    with ThreadPoolExecutor(max_workers=clients, thread_name_prefix="pns-load") as executor:
        futures = [executor.submit(client_run, i) for i in range(clients)]
        with suppress(threading.BrokenBarrierError):
            start_line.wait(timeout=max(stop_at - time.monotonic(), 0.0))
        results = [f.result() for f in futures]
        seconds = time.monotonic() - clock.get("began", time.monotonic())
    errors = [e for r in results for e in r.errors]
    return LoadReport(url, clients, questions_per_client, seconds,
                      tuple(ms for r in results for ms in r.latencies_ms), len(errors),
                      tuple(dict.fromkeys(errors))[:MAX_ERROR_SAMPLES], any(r.stopped_early for r in results))


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_app(settings: Any) -> Iterator[str]:
    """The app of these settings served in this process on 127.0.0.1 at a free port (index built if needed)."""
    from assistant.build import ensure_ready
    from ui.app import serve

    settings = settings.replace(host="127.0.0.1", port=_free_port())
    ensure_ready(settings)
    demo = serve(settings, block=False)
    try:
        yield f"http://127.0.0.1:{settings.port}"
    finally:
        with redirect_stdout(sys.stderr):  # Gradio prints "Closing server…"; stdout is for the figures
            demo.close()


def loadtest(settings: Any, *, url: str | None = None, clients: int = 20, questions: int = 50,
             as_json: bool = False) -> int:
    """`pns loadtest`: run, print the figures, and return 1 if any request failed (else 0)."""
    from ui.app import auth_from_settings

    if url is not None:
        url = check_local_url(url)  # refuse another host before loading anything
    check_counts(clients, questions)
    auth = auth_from_settings(settings)
    pool = default_questions()
    if url is None:
        print("pns: starting the app in this process…", file=sys.stderr)
        with local_app(settings) as own_url:
            report = run_load(own_url, clients, questions, questions=pool, auth=auth)
    else:
        report = run_load(url, clients, questions, questions=pool, auth=auth)
    if as_json:
        from pns.cli import print_json

        print_json(report.to_dict())
    else:
        print(report.summary())
    return 0 if report.ok else 1
