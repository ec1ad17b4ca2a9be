"""Fixtures for the web app tests: isolated settings, the real and a hostile tiny corpus, a fake assistant (tests
only), and servers started on 127.0.0.1 at a free port, waited for, and shut down."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import ui  # noqa: F401  (switches Gradio telemetry off before any test imports gradio)
from corpus.actors import load_actors
from corpus.catalogue import Corpus
from corpus.loaders import _lines_from_text
from corpus.structure import parse_document
from pns.errors import UsageError
from pns.settings import REPO_ROOT, Settings, load_settings
from pns.types import Answer, Citation, DocumentInfo
from tests.conftest import clear_pns_env

# A plan whose every text tries to inject HTML: titles, goal, objectives, sub-group heading and prose.
HOSTILE_PLAN = """Partie 2: Phénomènes de sécurité

B. Phénomènes de sécurité

1. CYBERCRIME <SCRIPT>ALERT(1)</SCRIPT>

Organiser des mesures <b>coordonnées</b> & "fortes".

1. Mieux lutter contre <script>alert(1)</script> la criminalité.
2. Assurer des enquêtes de qualité avec la CTIF & Europol.

Rôle des <i>partenaires</i>

Le niveau local <img src=x onerror=alert(1)> est essentiel.
"""
HOSTILE_DOC = DocumentInfo(id="tiny", code="TNY", title="Plan <test> & co", kind="PNS", edition="other",
                           language="fr", period="2030", file="plan.txt", sha256="0" * 64)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings with data and index folders of this test."""
    return load_settings(data_dir=str(tmp_path / "data"), index_dir=str(tmp_path / "index"))


@pytest.fixture
def hostile_corpus(settings: Settings) -> Corpus:
    """One theme, two objectives, one sub-group with prose: all of it holding HTML."""
    plan = parse_document(HOSTILE_DOC, _lines_from_text(HOSTILE_PLAN), [])
    assert len(plan.objectives) == 2 and plan.report.recognised
    return Corpus(settings, [HOSTILE_DOC], [plan], {}, load_actors(REPO_ROOT / "corpus" / "actors.toml"),
                  "test", {p.id: p for p in plan.passages})


# -- a fake assistant, for the interface tests only --------------------------------------------------------------------
@dataclass
class FakeConversation:
    questions: list[str] = field(default_factory=list)


def hostile_answer(question: str, language: str | None = None) -> Answer:
    """An answer whose every field tries to inject HTML; highlights sit after a '<' to test the offsets."""
    text = "Mieux lutter contre <script>alert(1)</script> la criminalité."
    start = text.index("criminalité")
    citation = Citation(
        rank=1, passage_id="TNY-B1-1", objective_id="TNY-B1-1", path=("B1 Cybercrime <script>x</script>",),
        document="tiny", document_title='Plan <test> & "co"', location="l. 9", text=text, score=0.5,
        url="http://127.0.0.1:7860/?objective=TNY-B1-1",
        scores={"fused": 0.5, "signals": {"bm25": {"rank": 1, "score": 3.25}, "e5": {"rank": None, "score": None}}},
        highlights=((start, start + len("criminalité")), (20, 28)),
    )
    return Answer(question=question, language=language or "fr", intent="free",
                  answer="Voici les passages :\n\n[1] **TNY-B1-1** Mieux lutter contre &lt;script&gt; <b>x</b>",
                  citations=(citation,))


class FakeAssistant:
    """Answers every question with :func:`hostile_answer`; "boom" raises an unexpected error, "" a UsageError."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.index: Any = None  # no engine behind it: /metrics reports no question-vector cache lookups
        self.calls: list[tuple[str, str | None, Any]] = []

    def ask(self, question: str, language: str | None = None, conversation: Any = None) -> Answer:
        self.calls.append((question, language, conversation))
        if not question.strip():
            raise UsageError("the question is empty; type a question about the plan")
        if question == "boom":
            raise RuntimeError("boom")
        if conversation is not None:
            conversation.questions.append(question)
        return hostile_answer(question, language)


# -- servers --------------------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ready(url: str, timeout: float = 60.0, auth: tuple[str, str] | None = None) -> None:
    """Poll the app's config route until it answers (401 counts as up when a login is required)."""
    import httpx

    deadline = time.monotonic() + timeout
    last: Exception | int | None = None
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"{url}/config", timeout=2.0, auth=auth)
            if response.status_code in (200, 401):
                return
            last = response.status_code
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.1)
    raise RuntimeError(f"the app at {url} did not come up within {timeout} s (last: {last!r})")


@contextmanager
def running(demo: Any, settings: Settings) -> Iterator[str]:
    """Launch ``demo`` in a background thread with the product's launch options at ``settings.host:port``;
    yield its URL once it answers, close it afterwards."""
    from ui.app import launch_options

    options = {**launch_options(settings), "quiet": True}
    demo.queue(default_concurrency_limit=4)
    demo.launch(prevent_thread_lock=True, **options)
    url = f"http://{settings.host}:{settings.port}"
    try:
        wait_until_ready(url, auth=options["auth"])
        yield url
    finally:
        demo.close()


@pytest.fixture
def start_app(settings: Settings) -> Iterator[Callable[..., str]]:
    """``start_app(assistant, settings=None, **build_options) -> url``: a server for this test, closed after it."""
    from ui.app import build_app

    stack: list[Any] = []

    def start(assistant: Any, app_settings: Settings | None = None, **options: Any) -> str:
        app_settings = (app_settings or settings).replace(host="127.0.0.1", port=free_port())
        options.setdefault("conversation_factory", FakeConversation)
        demo = build_app(assistant, app_settings, **options)
        context = running(demo, app_settings)
        url = context.__enter__()
        stack.append(context)
        return url

    yield start
    for context in reversed(stack):
        context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory, session_cache_dir: Path) -> Iterator[tuple[str, Settings]]:
    """The real app over the real assistant, with an index built in a temporary folder: ``(url, settings)``."""
    from assistant.build import ensure_ready
    from assistant.service import Assistant
    from ui.app import build_app

    base = tmp_path_factory.mktemp("live")
    with pytest.MonkeyPatch.context() as mp:
        clear_pns_env(mp)
        mp.chdir(base)
        app_settings = load_settings(data_dir=str(base / "data"), index_dir=str(base / "index"),
                                     cache_dir=str(session_cache_dir), host="127.0.0.1", port=free_port())
        ensure_ready(app_settings, quiet=True)
        # the Evaluation tab's button runs the real `pns eval`, on six development questions of every kind
        lines = (REPO_ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
        wanted = ["free", "free", "list", "objective", "actor", "out_of_scope"]
        chosen = []
        for line in lines:
            if json.loads(line)["intent"] in wanted:
                wanted.remove(json.loads(line)["intent"])
                chosen.append(line)
        questions = base / "questions.jsonl"
        questions.write_text("".join(chosen), encoding="utf-8")
        demo = build_app(Assistant.load(app_settings, warm=True), app_settings, eval_questions=questions)
        with running(demo, app_settings) as url:
            yield url, app_settings
