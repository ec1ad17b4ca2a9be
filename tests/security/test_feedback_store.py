"""The feedback store by URL: the same durability and limit tests against SQLite and PostgreSQL (``store_kind``).

The session's summary says which stores ran (see conftest.py); PostgreSQL runs on a throw-away local cluster.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from assistant.feedback import FeedbackStore, Limits, PostgresFeedbackStore, open_store
from pns.errors import ConfigError, LimitError
from pns.settings import Settings

from .conftest import PG_PASSWORD, pns_process

CITATIONS = [{"rank": 1, "passage_id": "PNS16-B5-3", "objective_id": "PNS16-B5-3", "text": "Assurer « é »"}]


def _write_rows(url: str, worker: int, n: int) -> None:
    """Write ``n`` rows from a store of this process's own."""
    store = open_store(url)
    for i in range(n):
        store.add(question=f"q{worker}-{i}", answer="a", citations=CITATIONS, language="fr",
                  rating="up" if i % 2 else "down", answer_id=f"{worker}-{i}")


def test_url_picks_the_store(store_kind: str, store_url: str) -> None:
    store = open_store(store_url)
    expected = PostgresFeedbackStore if store_kind == "postgresql" else FeedbackStore
    assert type(store) is expected and store.kind == store_kind
    assert store.add(question="q", answer="a", rating="up") == 1
    assert [(r["id"], r["question"], r["rating"]) for r in store.rows()] == [(1, "q", "up")]


def test_round_trip_and_pns_feedback_export(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    store.add(question="Quels objectifs <cyber> ?", answer="[1] **x**", citations=CITATIONS, language="fr",
              rating=True, answer_id="abc")
    store.add(question="q", answer="a", comment="  Il manque B5-4 « é »  ", answer_id="abc", source="api")
    result = pns_process(["feedback", "export"], env={"PNS_FEEDBACK_URL": store_url,
                                                      "PNS_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 0, result.stderr.decode()
    rows = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [(r["id"], r["question"], r["rating"], r["comment"], r["source"], r["citations"]) for r in rows] == [
        (1, "Quels objectifs <cyber> ?", "up", "", "ui", CITATIONS),
        (2, "q", None, "Il manque B5-4 « é »", "api", []),
    ]
    assert PG_PASSWORD not in result.stderr.decode()


def test_two_hundred_rows_from_eight_threads(store_url: str) -> None:
    open_store(store_url)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            _write_rows(store_url, worker, 25)
        except BaseException as exc:  # reported below: a thread's exception would otherwise be lost
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = open_store(store_url)
    assert store.count() == 200
    rows = list(store.rows())
    assert sorted(r["id"] for r in rows) == list(range(1, 201))
    assert sorted(r["question"] for r in rows) == sorted(f"q{w}-{i}" for w in range(8) for i in range(25))
    assert store.export_jsonl(io.StringIO()) == 200


def test_rows_from_four_processes(store_url: str) -> None:
    open_store(store_url)
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_rows, args=(store_url, w, 30)) for w in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]
    assert open_store(store_url).count() == 120
    assert sorted(r["answer_id"] for r in open_store(store_url).rows()) == sorted(
        f"{w}-{i}" for w in range(4) for i in range(30))


WRITER = """
import sys
from assistant.feedback import open_store
store = open_store(sys.argv[1])
i = 0
while True:
    row = store.add(question=f"kill-{i}", answer="a", rating="up")
    print(int(row), flush=True)  # acknowledged: the row is committed
    i += 1
"""


def test_acknowledged_rows_survive_kill_9(store_url: str) -> None:
    open_store(store_url)
    process = subprocess.Popen([sys.executable, "-c", WRITER, store_url], stdout=subprocess.PIPE,
                               cwd=Path(__file__).resolve().parents[2])
    assert process.stdout is not None
    acknowledged: list[int] = []
    while len(acknowledged) < 150:
        line = process.stdout.readline()
        assert line, "the writer stopped before it was killed"
        acknowledged.append(int(line))
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    stored = {r["id"]: r["question"] for r in open_store(store_url).rows()}
    assert all(stored[i] == f"kill-{i - 1}" for i in acknowledged)
    assert len(stored) >= 150


def test_the_same_limits_hold_in_both_stores(store_url: str) -> None:
    limits = Limits.from_settings(Settings(feedback_per_minute=3, feedback_max_rows=5,
                                           feedback_max_citations_bytes=2_048))
    store = open_store(store_url, limits)
    with pytest.raises(LimitError) as exc:
        store.add(question="q", answer="a", rating="up", citations=[{"text": "x" * 5_000}])
    assert str(exc.value) == "feedback citations is 5,014 bytes; at most 2,048 are kept, shorten it"
    assert exc.value.http_status == 413
    for _ in range(3):
        store.add(question="q", answer="a", rating="up", client="10.0.0.1")
    with pytest.raises(LimitError, match=r"^too much feedback from this client: at most 3 events a minute; "
                                         r"try again in \d+ s$") as exc:
        store.add(question="q", answer="a", rating="up", client="10.0.0.1")
    assert exc.value.http_status == 429 and 0 < exc.value.retry_after <= 60
    store.add(question="q", answer="a", rating="up", client="10.0.0.2")  # another client is not held back
    store.add(question="q", answer="a", rating="up")
    with pytest.raises(LimitError) as exc:
        store.add(question="q", answer="a", rating="up")
    assert str(exc.value) == ("feedback is not being recorded at the moment: the feedback store is full; please "
                              "tell the administrator")
    assert exc.value.http_status == 503
    assert store.count() == 5


def test_a_lone_surrogate_and_nul_are_removed_with_a_notice(store_url: str) -> None:
    store = open_store(store_url)
    receipt = store.add(question="cyber\udcff crim", answer="a", rating="up", comment="bien\x00 vu",
                        citations=[{"text": "x\ud800y"}])
    assert receipt.notices == ("unreadable characters (not valid UTF-8) were removed from the question",
                               "unreadable characters (not valid UTF-8) were removed from the comment")
    (row,) = store.rows()
    assert (row["question"], row["comment"], row["citations"]) == ("cyber crim", "bien vu", [{"text": "xy"}])
    out = io.StringIO()
    assert store.export_jsonl(out) == 1


def test_a_wrong_password_is_one_line_without_the_password(store_kind: str, store_url: str) -> None:
    if store_kind == "sqlite":
        with pytest.raises(ConfigError, match="is neither sqlite:///path nor postgresql://"):
            open_store("mysql://u:pw-secret@127.0.0.1/x")
        return
    wrong = store_url.replace(PG_PASSWORD, "wrong-pass-1234")
    start = time.monotonic()
    with pytest.raises(ConfigError) as exc:
        open_store(wrong)
    message = str(exc.value)
    assert message.startswith("cannot open the feedback database postgresql://***@127.0.0.1:")
    assert "password authentication failed" in message
    assert "wrong-pass-1234" not in message and "\n" not in message
    assert time.monotonic() - start < 15


def _held_open(path: Path) -> sqlite3.Connection:
    """A reader that keeps the -wal and -shm files in place (SQLite removes them when the last connection
    closes), so that their modes can be seen."""
    keep = sqlite3.connect(path)
    keep.execute("SELECT COUNT(*) FROM feedback").fetchone()
    return keep


def test_sqlite_files_are_private_even_with_umask_0(tmp_path: Path) -> None:
    path = tmp_path / "data" / "feedback.sqlite3"
    old = os.umask(0)
    try:
        store = FeedbackStore(path)
        with closing(_held_open(path)):
            store.add(question="q", answer="a", rating="up")
            modes = {p.name: p.stat().st_mode & 0o777 for p in path.parent.iterdir()}
    finally:
        os.umask(old)
    assert modes == {"feedback.sqlite3": 0o600, "feedback.sqlite3-wal": 0o600, "feedback.sqlite3-shm": 0o600}


def test_an_older_world_readable_database_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(path)
    with closing(_held_open(path)):
        store.add(question="q", answer="a", rating="up")
        for p in tmp_path.iterdir():
            p.chmod(0o644)
        FeedbackStore(path)
        modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes == {"feedback.sqlite3": 0o600, "feedback.sqlite3-wal": 0o600, "feedback.sqlite3-shm": 0o600}
