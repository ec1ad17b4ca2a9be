"""Fixtures for the hardening probes: a throw-away PostgreSQL cluster, feedback stores of both kinds, small HTTP
servers on 127.0.0.1, and running ``pns`` as a real process.

The PostgreSQL cluster is started once per session in a temporary folder on a free port when the server's
binaries are on this machine (``initdb`` on PATH or under /usr/lib/postgresql/*/bin); initdb refuses to run as
root, so as root the cluster runs as the unprivileged user ``nobody``. Without the binaries the PostgreSQL cases are
not generated, and the session's summary says so loudly; with ``PNS_REQUIRE_POSTGRES=1`` (set by .ci/run) their
absence is a failure instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pns.settings import REPO_ROOT

PG_PASSWORD = "s3cret-pg"
REQUIRE_POSTGRES = os.environ.get("PNS_REQUIRE_POSTGRES", "").strip().lower() in {"1", "true", "yes", "on"}
STORES_TESTED: Counter[str] = Counter()


def postgres_bin() -> Path | None:
    """The folder of initdb / pg_ctl / postgres, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


POSTGRES_BIN = postgres_bin()
STORE_KINDS = ["sqlite", *(["postgresql"] if POSTGRES_BIN or REQUIRE_POSTGRES else [])]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test taking ``store_kind`` runs once per store on this machine."""
    if "store_kind" in metafunc.fixturenames:
        metafunc.parametrize("store_kind", STORE_KINDS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` (PostgreSQL only) are left out, and said so in the summary, where it is absent."""
    if POSTGRES_BIN or REQUIRE_POSTGRES:
        return
    left_out = [item for item in items if item.get_closest_marker("postgres")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not STORES_TESTED and POSTGRES_BIN:
        return
    terminalreporter.section("feedback stores tested")
    for kind in ("sqlite", "postgresql"):
        if STORES_TESTED[kind]:
            terminalreporter.write_line(f"feedback store {kind}: {STORES_TESTED[kind]} test(s) ran against it")
    if not POSTGRES_BIN:
        terminalreporter.write_line("!!! PostgreSQL feedback-store tests DID NOT RUN: no initdb on PATH nor in "
                                    "/usr/lib/postgresql/*/bin (apt-get install postgresql; .ci/run does)",
                                    red=True, bold=True)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


# -- PostgreSQL ---------------------------------------------------------------------------------------------------
@dataclass
class PostgresCluster:
    """A running throw-away cluster: its port and a URL per database."""

    port: int
    folder: Path

    def url(self, database: str = "postgres", password: str = PG_PASSWORD) -> str:
        return f"postgresql://pns:{password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh empty database for one test; its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _as_postgres_user(command: list[str]) -> list[str]:
    """initdb and postgres refuse root: run them as ``nobody`` when we are root."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "nobody", "--", *command]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster for this session, on 127.0.0.1 at a free port, removed afterwards."""
    if POSTGRES_BIN is None:
        pytest.fail("PostgreSQL is required here (PNS_REQUIRE_POSTGRES=1) but no initdb was found on PATH or in "
                    "/usr/lib/postgresql/*/bin; install Debian's postgresql package")
    folder = Path(tempfile.mkdtemp(prefix="pns-pg-"))
    data, pwfile, logfile = folder / "data", folder / "pw", folder / "server.log"
    pwfile.write_text(PG_PASSWORD + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        for path in (folder, pwfile):
            shutil.chown(path, "nobody", "nogroup" if _has_group("nogroup") else "nobody")
    port = free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    subprocess.run(_as_postgres_user([str(POSTGRES_BIN / "initdb"), "-D", str(data), "-U", "pns",
                                      f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"]),
                   check=True, capture_output=True, env=env, timeout=120)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=on"
    subprocess.run(_as_postgres_user([str(POSTGRES_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                      str(logfile), "-w", "-t", "60", "start"]),
                   check=True, capture_output=True, env=env, timeout=90)
    print(f"\nPostgreSQL {POSTGRES_BIN} started for the feedback-store tests on 127.0.0.1:{port}", file=sys.stderr)
    try:
        yield PostgresCluster(port, folder)
    finally:
        subprocess.run(_as_postgres_user([str(POSTGRES_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                                          "stop"]), capture_output=True, env=env, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _has_group(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture
def store_url(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, empty feedback store of the parametrized kind, as its ``feedback_url``."""
    STORES_TESTED[store_kind] += 1
    if store_kind == "sqlite":
        return f"sqlite://{tmp_path / 'feedback.sqlite3'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.new_database()


# -- small HTTP servers ---------------------------------------------------------------------------------------------
@dataclass
class Recorder:
    """What a test server received, and what it answers (a status, headers, a body)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def http_server() -> Iterator[Callable[..., tuple[str, Recorder]]]:
    """``http_server(host="127.0.0.1") -> (base URL, recorder)``: a real HTTP server answering every request with
    the recorder's status, headers and body, recording each request's path and headers."""
    servers: list[ThreadingHTTPServer] = []

    def start(host: str = "127.0.0.1") -> tuple[str, Recorder]:
        recorder = Recorder()

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length", "0") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.requests.append({"method": self.command, "path": self.path,
                                          "headers": dict(self.headers), "body": body})
                self.send_response(recorder.status)
                for name, value in recorder.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(recorder.body)))
                self.end_headers()
                self.wfile.write(recorder.body)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer((host, 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://{host}:{server.server_address[1]}", recorder

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


# -- the real command line -----------------------------------------------------------------------------------------
def pns_process(args: list[str], *, stdin: bytes | None = None, env: dict[str, str] | None = None,
                timeout: float = 600) -> subprocess.CompletedProcess[bytes]:
    """``pns ARGS`` as a real process of this venv (bytes in and out: argv may hold bytes that are not UTF-8)."""
    command = [os.fsencode(sys.executable), b"-m", b"pns.cli", *(a if isinstance(a, bytes) else os.fsencode(a)
                                                                  for a in args)]
    return subprocess.run(command, input=stdin, capture_output=True, timeout=timeout, cwd=REPO_ROOT,
                          env={**os.environ, **(env or {})})


def settings_env(settings: Any) -> dict[str, str]:
    """The PNS_* variables that point a process at these settings' folders."""
    return {"PNS_CORPUS_DIR": settings.corpus_dir, "PNS_INDEX_DIR": settings.index_dir,
            "PNS_DATA_DIR": settings.data_dir, "PNS_CACHE_DIR": settings.cache_dir}


# -- the real web app -------------------------------------------------------------------------------------------------
@pytest.fixture
def start_app(real_assistant: Any, tmp_path: Path) -> Iterator[Callable[..., tuple[str, Any, Any]]]:
    """``start_app(**settings) -> (url, settings, app)``: the real app over the real assistant, with a data folder
    of this test, served on 127.0.0.1 at a free port and closed after the test."""
    from tests.ui.conftest import running
    from ui.app import App

    stack: list[Any] = []

    def start(**changes: Any) -> tuple[str, Any, Any]:
        settings = real_assistant.settings.replace(data_dir=str(tmp_path / f"data{len(stack)}"), host="127.0.0.1",
                                                   port=free_port(), **changes)
        app = App(real_assistant, settings)
        context = running(app.build(), settings)
        url = context.__enter__()
        stack.append(context)
        return url, settings, app

    yield start
    for context in reversed(stack):
        context.__exit__(None, None, None)


def gradio_client(url: str) -> Any:
    from gradio_client import Client

    # analytics_enabled=False: gradio_client otherwise pings huggingface.co with the app's URL.
    return Client(url, verbose=False, download_files=False, analytics_enabled=False)


def call_api(url: str, api_name: str, *args: Any) -> tuple[str, Any]:
    """One call to the app's API over plain HTTP, the JSON written by hand so that it may hold what a library
    would refuse to send (``"\\udcff"``, a lone surrogate): ``("complete", outputs)``, or ``("error", message)``
    with None for the message of an internal error."""
    import json

    import httpx

    body = json.dumps({"data": list(args)})  # ensure_ascii: a lone surrogate travels as its \\u escape
    posted = httpx.post(f"{url}/gradio_api/call/{api_name}", content=body.encode("ascii"),
                        headers={"Content-Type": "application/json"}, timeout=60)
    posted.raise_for_status()
    event_id = posted.json()["event_id"]
    stream = httpx.get(f"{url}/gradio_api/call/{api_name}/{event_id}", timeout=60).text
    event, data = "", None
    for line in stream.splitlines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event in ("complete", "error"):
            data = json.loads(line.split(":", 1)[1])
    if event == "error" and isinstance(data, dict):
        data = data.get("error")  # the message a refusal carries; None for an internal error (show_error off)
    return event, data
