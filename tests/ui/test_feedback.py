"""Feedback store: WAL mode, concurrent writers (threads and processes), JSONL export, validation, CLI."""

from __future__ import annotations

import argparse
import io
import json
import sqlite3
from pathlib import Path

import pytest

from assistant.feedback import FILE_NAME, FeedbackStore, parse_rating
from pns.errors import UsageError
from ui import cli

from .conftest import hostile_answer

CITATIONS = [{"rank": 1, "passage_id": "PNS16-B5-3", "objective_id": "PNS16-B5-3", "text": "Assurer <b>"}]


def test_database_is_in_wal_mode_at_the_settings_path(settings):
    store = FeedbackStore.from_settings(settings)
    assert store.path == Path(settings.data_dir) / FILE_NAME == Path(settings.data_dir) / "feedback.sqlite3"
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_add_and_export_round_trip(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    first = store.add(question="Quels objectifs <cyber> ?", answer="[1] **x**", citations=CITATIONS,
                      language="fr", rating=True, answer_id="abc")
    second = store.add(question="q", answer="a", comment="  Il manque B5-4 « é »  ", answer_id="abc")
    assert (first, second) == (1, 2)
    out = io.StringIO()
    assert store.export_jsonl(out) == 2
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [set(r) for r in rows] == [{"id", "created_at", "answer_id", "question", "answer", "citations",
                                        "language", "intent", "rating", "comment", "source"}] * 2
    assert rows[0] | {"created_at": None} == {
        "id": 1, "created_at": None, "answer_id": "abc", "question": "Quels objectifs <cyber> ?",
        "answer": "[1] **x**", "citations": CITATIONS, "language": "fr", "intent": "", "rating": "up", "comment": "",
        "source": "ui",
    }
    assert rows[1]["rating"] is None and rows[1]["comment"] == "Il manque B5-4 « é »"
    assert rows[0]["created_at"].endswith("+00:00") and "T" in rows[0]["created_at"]
    assert "« é »" in out.getvalue()  # UTF-8 as is, not \u escapes


def test_export_to_a_file(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    store.add_answer(hostile_answer("q"), rating="down", answer_id="x", source="api")
    target = tmp_path / "out" / "feedback.jsonl"
    assert store.export_jsonl(target) == 1
    row = json.loads(target.read_text(encoding="utf-8"))
    assert (row["rating"], row["source"], row["intent"]) == ("down", "api", "free")
    assert row["citations"][0]["objective_id"] == "TNY-B1-1"


# Threads, processes and kill -9 against every store: tests/security/test_feedback_store.py.


@pytest.mark.parametrize(("value", "expected"), [
    (True, "up"), (False, "down"), ("", None), (None, None), ("Like", "up"), ("dislike", "down"),
    (1, "up"), (-1, "down"), (0, None), ("+1", "up"), (" DOWN ", "down"), ("withdrawn", "withdrawn"),
])
def test_parse_rating(value, expected):
    assert parse_rating(value) == expected


def test_invalid_feedback_is_refused(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    with pytest.raises(UsageError, match="rating 'meh' is not understood"):
        store.add(question="q", answer="a", rating="meh")
    with pytest.raises(UsageError, match="needs a rating"):
        store.add(question="q", answer="a", comment="   ")
    with pytest.raises(UsageError, match="comment is 5001 characters long; at most 5000"):
        store.add(question="q", answer="a", comment="x" * 5001)
    with pytest.raises(UsageError, match="citations must be a JSON array"):
        store.add(question="q", answer="a", rating="up", citations="{not json")
    with pytest.raises(UsageError, match="citations must be a list"):
        store.add(question="q", answer="a", rating="up", citations='{"a": 1}')
    assert store.count() == 0


def test_cli_exports_to_stdout_and_to_a_file(settings, tmp_path, capsys):
    store = FeedbackStore.from_settings(settings)
    store.add(question="q", answer="a", rating="up")
    assert cli.cmd_feedback_export(argparse.Namespace(out=None), settings) == 0
    out, _ = capsys.readouterr()
    assert [json.loads(line)["rating"] for line in out.splitlines()] == ["up"]
    target = tmp_path / "export.jsonl"
    assert cli.cmd_feedback_export(argparse.Namespace(out=str(target)), settings) == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) == 1
    assert "1 feedback event(s) written to" in capsys.readouterr().err


def test_cli_parser_registers_serve_and_feedback_export():
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["feedback", "export", "--out", "x.jsonl"])
    assert (args.func, args.out) == (cli.cmd_feedback_export, "x.jsonl")
    args = parser.parse_args(["serve", "--host", "0.0.0.0", "--port", "8080"])
    assert (args.func, args.host, args.port) == (cli.cmd_serve, "0.0.0.0", 8080)


def test_export_is_what_eval_import_feedback_reads(tmp_path):
    from eval.cli import import_feedback

    store = FeedbackStore(tmp_path / "f.sqlite3")
    store.add_answer(hostile_answer("Qui lutte contre la criminalité ?"), rating="up", comment="bien")
    store.add(question="Et la drogue ?", answer="…", language="fr", rating="down", comment="rien sur B3")
    exported = tmp_path / "feedback.jsonl"
    store.export_jsonl(exported)
    out = tmp_path / "candidates.jsonl"
    assert import_feedback(exported, out) == 0
    candidates = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(c["question"], c["intent"], c["expected"], c["note"]) for c in candidates] == [
        ("Qui lutte contre la criminalité ?", "free", ["TNY-B1-1"], "from feedback (up): bien"),
        ("Et la drogue ?", "free", [], "from feedback (down): rien sur B3"),
    ]
