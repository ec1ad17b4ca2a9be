"""Issue 12's feedback probes, replayed against the real app on 127.0.0.1: bloat, flood, a full store, and the
refusal shown in the chat's own feedback handlers."""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.feedback import FILE_NAME, FeedbackStore

from .conftest import call_api, gradio_client

pytestmark = pytest.mark.server

TEN_MB = 10 * 1024 * 1024


def _size(data_dir: str) -> int:
    """Bytes of the feedback database and its -wal / -shm files."""
    return sum(p.stat().st_size for p in Path(data_dir).glob(f"{FILE_NAME}*"))


def _error(call: Any) -> str:
    """The message a gradio_client call was refused with."""
    with pytest.raises(Exception) as exc:  # gradio_client raises its AppError with the server's message
        call()
    return str(exc.value)


def test_eleven_ten_megabyte_citations_add_nothing(start_app: Any) -> None:
    url, settings, _ = start_app()
    client = gradio_client(url)
    answer = client.predict("Quels objectifs impliquent la CTIF ?", "auto", api_name="/ask")
    before = _size(settings.data_dir)
    bloated = {**answer, "citations": [{**answer["citations"][0], "text": "x" * TEN_MB}]}
    payload = json.dumps(bloated, ensure_ascii=False)
    messages = {_error(lambda: client.predict("q", payload, "down", "", api_name="/feedback")) for _ in range(11)}
    size = len(json.dumps(bloated["citations"], ensure_ascii=False).encode("utf-8"))  # the citations as stored
    assert size > TEN_MB
    assert messages == {f"feedback citations is {size:,} bytes; at most 131,072 are kept, shorten it"}
    assert FeedbackStore.from_settings(settings).count() == 0
    assert _size(settings.data_dir) - before == 0
    # the answer as /ask gave it is still welcome
    assert client.predict("q", json.dumps(answer), "down", "", api_name="/feedback")["ok"] is True


@pytest.mark.slow
def test_two_thousand_oversized_or_rapid_rows_from_one_client(start_app: Any, caplog: pytest.LogCaptureFixture,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    url, settings, _ = start_app()
    client = gradio_client(url)
    answer = json.dumps(client.predict("Quels objectifs impliquent la CTIF ?", "auto", api_name="/ask"))
    oversized = json.dumps({"answer": "y" * 70_000})
    before = _size(settings.data_dir)
    caplog.set_level(logging.WARNING, logger="assistant.feedback")

    def send(i: int) -> str:
        """One event over plain HTTP: "ok", or the refusal's message up to its first ';'."""
        event, data = call_api(url, "feedback", "q", oversized if i % 2 else answer, "up", "")
        return "ok" if event == "complete" and data[0]["ok"] else str(data).split(";")[0]

    start = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, range(2000)))
    elapsed = time.monotonic() - start
    windows = int(elapsed // 60) + 1  # the rate is a sliding minute: each minute the flood lasts lets 30 more in
    counts = {r: results.count(r) for r in set(results)}
    assert set(counts) == {"ok", "feedback answer is 70,000 bytes",
                           "too much feedback from this client: at most 30 events a minute"}
    assert counts["feedback answer is 70,000 bytes"] == 1000
    assert 30 <= counts["ok"] <= 30 * windows
    rows = FeedbackStore.from_settings(settings).count()
    growth = _size(settings.data_dir) - before
    assert rows == counts["ok"]
    assert growth < rows * 64 * 1024  # the real answers only, whatever the refused requests carried
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert 1 <= len(refusals) <= windows  # one log line a minute, not one per refused request
    assert set(refusals) == {"feedback from 127.0.0.1 refused: more than 30 events in a minute "
                             "(feedback_per_minute)"}
    with capsys.disabled():
        print(f"\n[feedback flood] 2000 requests from one client in {elapsed:.0f} s: {counts}; "
              f"{rows} rows stored, database grew by {growth:,} bytes; {len(refusals)} log line(s)")


def test_a_full_store_refuses_with_one_log_line(start_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    url, settings, _ = start_app(feedback_max_rows=3)
    client = gradio_client(url)
    caplog.set_level(logging.WARNING, logger="assistant.feedback")
    assert [client.predict("q", "a", "up", "", api_name="/feedback")["id"] for _ in range(3)] == [1, 2, 3]
    messages = {_error(lambda: client.predict("q", "a", "up", "", api_name="/feedback")) for _ in range(4)}
    assert messages == {"feedback is not being recorded at the moment: the feedback store is full; please tell "
                        "the administrator"}
    logged = [r.getMessage() for r in caplog.records if "is full" in r.getMessage()]
    assert len(logged) == 1
    path = Path(settings.data_dir) / FILE_NAME
    assert logged[0] == (f"feedback store sqlite {path} is full: 3 rows (feedback_max_rows 3), "
                         f"{float(logged[0].split(', ')[1].split(' MB')[0]):.1f} MB (feedback_max_mb 1024.0); new "
                         "feedback is refused until rows are exported and removed or the limits raised")


def _handler(app: Any, name: str) -> Any:
    """One of the page's private event handlers (the chat's like and comment), as Gradio calls it."""
    demo = app.build()
    return next(f.fn for f in demo.fns.values() if f.name == name)


def test_the_chat_feedback_handlers_show_the_refusal(start_app: Any) -> None:
    from ui.app import ChatRecord, ChatSession

    _, _, app = start_app(feedback_per_minute=2)
    answer = app.assistant.ask("Quels objectifs impliquent la CTIF ?").to_dict()
    state = ChatSession(records=[ChatRecord(1, "abc", answer)])
    request = SimpleNamespace(client=SimpleNamespace(host="10.9.8.7"))
    like, comment = _handler(app, "on_like"), _handler(app, "on_comment")
    like("fr", state, SimpleNamespace(index=1, liked=True), request)
    assert comment("Il manque A4-5", "fr", state, request) == ""
    with pytest.warns(UserWarning, match=r"^too much feedback from this client: at most 2 events a minute"):
        like("fr", state, SimpleNamespace(index=1, liked=False), request)
    with pytest.warns(UserWarning, match=r"^too much feedback from this client: at most 2 events a minute"):
        assert comment("Encore", "fr", state, request) is not None  # the comment stays in its box
    other = SimpleNamespace(client=SimpleNamespace(host="10.9.8.6"))
    assert comment("Autre poste", "fr", state, other) == ""
    assert [(r["rating"], r["comment"]) for r in app.feedback.rows()] == [
        ("up", ""), (None, "Il manque A4-5"), (None, "Autre poste")]
