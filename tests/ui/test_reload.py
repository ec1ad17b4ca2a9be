"""Live index reload: a running `pns serve` notices a rebuilt index (CURRENT moved) and swaps it in between answers.

Probe: a running server never noticed a rebuilt index. Now, on a small corpus (the indexer's fixture plan, BM25
only so that a rebuild takes a moment), an objective's wording is changed and the index rebuilt while a client keeps
asking for it: every answer succeeds, each is wholly the old wording or wholly the new one (the old ones first), and
once the server reports the new version every answer, from the API and from the app, is the new one, and so is the
objective the app's browsing tabs and the REST API show.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest

from assistant.build import ensure_ready
from pns.settings import REPO_ROOT, load_settings
from ui.live import LiveAssistant, current_version

from .conftest import free_port

pytestmark = pytest.mark.server

FIXTURE = REPO_ROOT / "tests" / "indexer" / "fixtures" / "corpus"
OLD = "Organiser des formations pour les enquêteurs spécialisés en informatique."
NEW = "Organiser des formations pour les enquêteurs spécialisés en cryptomonnaies."
OBJECTIVE = "TST-B1-3"


def _copy_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(FIXTURE, folder)
    return folder


def _reword(corpus: Path, old: str, new: str) -> None:
    """Change one objective's text and the document's checksum in the manifest (as an editor would)."""
    document = corpus / "documents" / "plan-test.fr.txt"
    before = hashlib.sha256(document.read_bytes()).hexdigest()
    text = document.read_text(encoding="utf-8")
    assert text.count(old) == 1
    document.write_text(text.replace(old, new), encoding="utf-8")
    after = hashlib.sha256(document.read_bytes()).hexdigest()
    manifest = corpus / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(before, after), encoding="utf-8")


@pytest.fixture
def small(tmp_path: Path):
    corpus = _copy_corpus(tmp_path)
    settings = load_settings(corpus_dir=str(corpus), index_dir=str(tmp_path / "index"), embedder="",
                             data_dir=str(tmp_path / "data"), host="127.0.0.1", port=free_port(),
                             reload_interval=0.2)
    ensure_ready(settings, quiet=True)
    return settings, corpus


def _text(answer: dict) -> str:
    return answer["citations"][0]["text"]


def test_a_rebuild_while_serving_is_picked_up_and_no_answer_fails(small):
    from gradio_client import Client

    from ui.server import serving

    settings, corpus = small
    first = current_version(settings.index_dir)
    with serving(settings) as server, httpx.Client(base_url=f"{server.url}/api/v1", timeout=30) as client:
        answer = client.post("/ask", json={"question": OBJECTIVE})
        assert (answer.status_code, _text(answer.json()), answer.headers["x-pns-index"]) == (200, OLD, first)
        seen: list[tuple[int, str, str]] = []
        stop = threading.Event()

        def keep_asking() -> None:
            with httpx.Client(base_url=f"{server.url}/api/v1", timeout=30) as asker:
                while not stop.is_set():
                    response = asker.post("/ask", json={"question": OBJECTIVE})
                    body = response.json()
                    seen.append((response.status_code, _text(body) if response.status_code == 200 else str(body),
                                 response.headers.get("x-pns-index", "")))

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            _reword(corpus, OLD, NEW)
            assert ensure_ready(settings, quiet=True)["index_built"]  # the corpus changed: CURRENT moved
            second = current_version(settings.index_dir)
            assert second != first
            deadline = time.monotonic() + 60
            while client.get("/readyz").json()["index_version"] != second:
                assert time.monotonic() < deadline, "the server did not pick the new index up within 60 s"
                time.sleep(0.1)
            switched = len(seen)
            while len(seen) < switched + 20:
                time.sleep(0.05)
        finally:
            stop.set()
            asker.join(30)
        assert {status for status, _, _ in seen} == {200}
        assert {(text, version) for _, text, version in seen} <= {(OLD, first), (NEW, second)}
        versions = [version for _, _, version in seen]
        assert versions == sorted(versions, key=lambda v: v == second)  # old answers, then new ones, never back
        assert versions[-20:] == [second] * 20
        ready = client.get("/readyz").json()
        assert (ready["reloads"], ready["last_reload_error"]) == (1, None)
        metrics = httpx.get(f"{server.url}/metrics").text
        assert f'pns_index_info{{version="{second}"}} 1.0' in metrics and first not in metrics
        assert "pns_index_reloads 1.0" in metrics
        # The app reads through the same holder.
        app = Client(server.url, verbose=False, download_files=False, analytics_enabled=False)
        try:
            assert _text(app.predict(OBJECTIVE, "auto", api_name="/ask")) == NEW
            # and so do its browsing views (the objective card's data) and the REST objective
            assert app.predict(OBJECTIVE, api_name="/objective")["objective"]["text"] == NEW
            assert client.get(f"/objectives/{OBJECTIVE}").json()["objective"]["text"] == NEW
        finally:
            app.close()


def test_an_index_that_cannot_be_loaded_is_not_served(small):
    from ui.server import serving

    settings, _ = small
    first = current_version(settings.index_dir)
    with serving(settings) as server, httpx.Client(base_url=f"{server.url}/api/v1", timeout=30) as client:
        index = Path(settings.index_dir)
        (index / "v-broken").mkdir()
        (index / "v-broken" / "manifest.json").write_text("{not json", encoding="utf-8")
        (index / "CURRENT").write_text("v-broken\n", encoding="utf-8")
        deadline = time.monotonic() + 30
        while client.get("/readyz").json()["last_reload_error"] is None:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        ready = client.get("/readyz").json()
        assert (ready["index_version"], ready["reloads"]) == (first, 0)
        assert ready["last_reload_error"] == (f"index file {index / 'v-broken' / 'manifest.json'} is corrupted; "
                                              "run `pns index --rebuild`")
        answer = client.post("/ask", json={"question": OBJECTIVE})
        assert (answer.status_code, _text(answer.json()), answer.headers["x-pns-index"]) == (200, OLD, first)


class Slow:
    """An assistant whose answer waits for a signal, to swap the holder while it is answering."""

    def __init__(self, name: str, gate: threading.Event | None = None) -> None:
        self.name, self.gate, self.corpus = name, gate, None

    def ask(self, question: str, language: str | None = None, conversation: object = None) -> str:
        first = self.name
        if self.gate is not None:
            self.gate.wait(10)
        return f"{first}/{self.name}"


def test_an_answer_in_flight_finishes_on_the_assistant_it_started_with(tmp_path):
    settings = load_settings(index_dir=str(tmp_path), reload_interval=0)
    gate = threading.Event()
    loads = iter([Slow("new")])
    live = LiveAssistant(settings, Slow("old", gate), loader=lambda _: next(loads))
    result: list[str] = []
    thread = threading.Thread(target=lambda: result.append(live.ask("q")))
    thread.start()
    (tmp_path / "CURRENT").write_text("v-2\n", encoding="utf-8")
    live.reload_now()
    assert live.current().name == "new" and live.reloads == 1
    gate.set()
    thread.join(10)
    assert result == ["old/old"]
    assert live.ask("q") == "new/new"
