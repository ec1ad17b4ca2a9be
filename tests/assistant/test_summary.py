"""The optional cited summary, against a fake OpenAI-compatible server on 127.0.0.1 started by the tests."""

from __future__ import annotations

import json
import socket
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from assistant import summary as summary_module
from assistant.service import Assistant
from assistant.summary import SYSTEM, check_endpoint, summarise, validate
from pns.errors import ConfigError

from .helpers import CHILD_FOCUS, CTIF, cited

CTIF_Q = "Quels objectifs impliquent la CTIF ?"
CHILD_FOCUS_Q = "Avec qui travaille Child Focus ?"
REMOTE = "http://10.1.2.3/v1"
REMOTE_REASON = (f"summary not requested: llm_endpoint {REMOTE!r} is not on this machine; questions must not "
                 "leave it. Use a local server, or set llm_allow_remote = true if policy allows it")


class FakeLLM:
    """What the fake server answers, and what it received."""

    def __init__(self) -> None:
        self.content: Any = "Texte [1]. Autre [2]."
        self.status = 200
        self.raw: bytes | None = None
        self.requests: list[dict[str, Any]] = []

    def reset(self, content: Any = "Texte [1]. Autre [2].", status: int = 200, raw: bytes | None = None) -> None:
        self.content, self.status, self.raw = content, status, raw
        self.requests.clear()


@pytest.fixture(scope="module")
def llm() -> Iterator[tuple[FakeLLM, int]]:
    state = FakeLLM()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the name http.server calls
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.requests.append({"path": self.path, "headers": dict(self.headers),
                                   "body": json.loads(body.decode("utf-8"))})
            payload = state.raw if state.raw is not None else json.dumps(
                {"choices": [{"message": {"role": "assistant", "content": state.content}}]}).encode("utf-8")
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def fake(llm: tuple[FakeLLM, int]) -> FakeLLM:
    llm[0].reset()
    return llm[0]


def _assistant(real_assistant, **changes: Any) -> Assistant:
    """A fresh assistant on the shared corpus and index, with some settings replaced."""
    return Assistant(real_assistant.settings.replace(**changes), real_assistant.corpus, real_assistant.index,
                     real_assistant.abstention, real_assistant.background)


@pytest.fixture(scope="module")
def local(real_assistant, llm: tuple[FakeLLM, int]) -> Assistant:
    return _assistant(real_assistant, llm_endpoint=f"http://127.0.0.1:{llm[1]}/v1")


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any attempt to open a connection is recorded and fails."""
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args))
        raise AssertionError("network attempt")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    return attempts


# -- through the assistant --------------------------------------------------------------------------------------


def test_valid_summary_is_returned(local: Assistant, fake: FakeLLM) -> None:
    answer = local.ask(CTIF_Q)
    assert cited(answer) == CTIF
    assert answer.summary == "Texte [1]. Autre [2]."
    assert answer.to_dict()["summary"] == "Texte [1]. Autre [2]."
    assert answer.notices == ()
    assert len(fake.requests) == 1


def test_request_carries_only_the_cited_passages(local: Assistant, fake: FakeLLM) -> None:
    answer = local.ask(CTIF_Q)
    (request,) = fake.requests
    assert request["path"] == "/v1/chat/completions"
    body = request["body"]
    assert (body["model"], body["temperature"]) == ("default", 0)
    assert body["messages"] == [
        {"role": "system", "content": SYSTEM["fr"]},
        {"role": "user", "content": f"Question: {CTIF_Q}\n\nPassages:\n"
                                    f"[1] {answer.citations[0].text}\n[2] {answer.citations[1].text}"},
    ]
    user = body["messages"][1]["content"]
    assert "Intensifier l'utilisation des informations que la CTIF transmet à la police intégrée." in user
    others = [p.text for pid, p in local.corpus.passages.items() if pid not in CTIF and len(p.text) > 40]
    assert not [text for text in others if text in user]
    assert "Authorization" not in request["headers"]


def test_request_uses_the_answer_language_model_and_key(real_assistant, llm: tuple[FakeLLM, int],
                                                        fake: FakeLLM) -> None:
    assistant = _assistant(real_assistant, llm_endpoint=f"http://localhost:{llm[1]}/v1/", llm_model="mistral",
                           llm_api_key="secret")
    answer = assistant.ask("Who works with Child Focus?")
    assert (answer.language, answer.summary) == ("en", "Texte [1]. Autre [2].")
    (request,) = fake.requests
    assert request["body"]["model"] == "mistral"
    assert request["body"]["messages"][0] == {"role": "system", "content": SYSTEM["en"]}
    assert request["headers"]["Authorization"] == "Bearer secret"


def test_proxy_settings_are_ignored(local: Assistant, fake: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert local.ask(CTIF_Q).summary == "Texte [1]. Autre [2]."
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("Texte [1]. Une phrase sans citation.", "summary rejected: a sentence does not end with a citation: "
                                                 "'Une phrase sans citation.'"),
        ("Texte [1]. Autre [9].", "summary rejected: citation [9] does not exist"),
        ("Texte [0].", "summary rejected: citation [0] does not exist"),
        ("   ", "summary rejected: empty summary"),
    ],
)
def test_invalid_summary_is_rejected(local: Assistant, fake: FakeLLM, content: str, reason: str) -> None:
    fake.reset(content=content)
    answer = local.ask(CHILD_FOCUS_Q)
    assert cited(answer) == CHILD_FOCUS  # 3 citations: [9] and [0] do not exist
    assert answer.summary is None
    assert answer.notices == (reason,)
    assert answer.notices[0].startswith("summary rejected")
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("status", "raw", "content", "reason"),
    [
        (500, None, "x", "summary unavailable (HTTPError)"),
        (200, b"not json", "x", "summary unavailable (JSONDecodeError)"),
        (200, b'{"choices": []}', "x", "summary unavailable (IndexError)"),
        (200, None, None, "summary unavailable (no text)"),
    ],
)
def test_broken_server_answer(local: Assistant, fake: FakeLLM, status: int, raw: bytes | None, content: Any,
                              reason: str) -> None:
    fake.reset(content=content, status=status, raw=raw)
    answer = local.ask(CTIF_Q)
    assert (answer.summary, answer.notices) == (None, (reason,))
    assert cited(answer) == CTIF  # the extractive answer stands


def test_server_down(real_assistant) -> None:
    assistant = _assistant(real_assistant, llm_endpoint=f"http://127.0.0.1:{_closed_port()}/v1", llm_timeout=5.0)
    answer = assistant.ask(CTIF_Q)
    assert answer.summary is None
    assert answer.notices == ("summary unavailable (URLError)",)
    assert cited(answer) == CTIF


def test_remote_endpoint_is_refused_without_any_network_attempt(real_assistant, no_network: list[str]) -> None:
    assistant = _assistant(real_assistant, llm_endpoint=REMOTE)
    answer = assistant.ask(CTIF_Q)
    assert answer.summary is None
    assert answer.notices == (REMOTE_REASON,)
    assert "not on this machine" in answer.notices[0]
    assert no_network == []


def test_no_summary_unless_configured_or_asked(real_assistant, local: Assistant, fake: FakeLLM) -> None:
    answer = local.ask(CTIF_Q, summarize=False)
    assert (answer.summary, answer.notices, fake.requests) == (None, (), [])
    plain = real_assistant.ask(CTIF_Q)
    assert (plain.summary, plain.notices) == (None, ())
    asked = real_assistant.ask(CTIF_Q, summarize=True)
    assert asked.summary is None
    assert asked.notices == ("summary not requested: llm_endpoint '' is not an http(s) URL such as "
                             "http://127.0.0.1:8080/v1",)


def test_no_request_without_citations(local: Assistant, fake: FakeLLM) -> None:
    for question in ("Give me a recipe for pancakes", "PNS16-B5-99"):
        answer = local.ask(question)
        assert (answer.citations, answer.summary, answer.notices) == ((), None, ())
    assert fake.requests == []


# -- the pure parts ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "n", "expected"),
    [
        ("Texte [1]. Autre [2].", 2, None),
        ("Texte [1]. Autre [2].", 3, None),
        ("A [1][2]. B [3]! C [2]?", 3, None),
        ("Sans point final [1]", 1, None),
        ("Texte [1]. Autre [9].", 3, "citation [9] does not exist"),
        ("Texte [0].", 3, "citation [0] does not exist"),
        ("Texte [1]. Sans citation.", 3, "a sentence does not end with a citation: 'Sans citation.'"),
        ("Texte sans rien", 3, "a sentence does not end with a citation: 'Texte sans rien'"),
        ("", 3, "empty summary"),
        ("  \n ", 3, "empty summary"),
    ],
)
def test_validate(text: str, n: int, expected: str | None) -> None:
    assert validate(text, n) == expected


def test_validate_requires_citations_at_the_end_of_each_sentence() -> None:
    assert validate("Selon [1] la police agit seule.", 1) is not None


@pytest.mark.parametrize(
    ("url", "allow_remote", "expected"),
    [
        ("http://127.0.0.1:8080/v1", False, "http://127.0.0.1:8080/v1/chat/completions"),
        ("http://localhost:8080/v1/", False, "http://localhost:8080/v1/chat/completions"),
        ("http://127.0.0.1:8080/v1/chat/completions", False, "http://127.0.0.1:8080/v1/chat/completions"),
        ("http://[::1]:8080/v1", False, "http://[::1]:8080/v1/chat/completions"),
        ("https://127.0.0.2/v1", False, "https://127.0.0.2/v1/chat/completions"),
        (REMOTE, True, "http://10.1.2.3/v1/chat/completions"),
    ],
)
def test_check_endpoint_accepts(url: str, allow_remote: bool, expected: str) -> None:
    assert check_endpoint(url, allow_remote) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (REMOTE, f"llm_endpoint {REMOTE!r} is not on this machine; questions must not leave it. Use a local "
                 "server, or set llm_allow_remote = true if policy allows it"),
        ("http://0.0.0.0:8080/v1", "llm_endpoint 'http://0.0.0.0:8080/v1' is not on this machine; questions must "
                                   "not leave it. Use a local server, or set llm_allow_remote = true if policy "
                                   "allows it"),
        ("ftp://127.0.0.1/v1", "llm_endpoint 'ftp://127.0.0.1/v1' is not an http(s) URL such as "
                               "http://127.0.0.1:8080/v1"),
        ("127.0.0.1:8080", "llm_endpoint '127.0.0.1:8080' is not an http(s) URL such as http://127.0.0.1:8080/v1"),
        ("", "llm_endpoint '' is not an http(s) URL such as http://127.0.0.1:8080/v1"),
    ],
)
def test_check_endpoint_refuses(url: str, message: str, no_network: list[str]) -> None:
    with pytest.raises(ConfigError) as exc:
        check_endpoint(url, allow_remote=False)
    assert str(exc.value) == message
    assert no_network == []


def test_summarise_directly_refuses_remote_without_network(real_assistant, no_network: list[str]) -> None:
    citations = real_assistant.ask(CTIF_Q).citations
    settings = real_assistant.settings.replace(llm_endpoint=REMOTE)
    result = summarise(settings, CTIF_Q, "fr", citations)
    assert result == summary_module.SummaryResult(None, REMOTE_REASON)
    assert summarise(settings, CTIF_Q, "fr", ()) == summary_module.SummaryResult(None, "nothing to summarise")
    assert no_network == []
