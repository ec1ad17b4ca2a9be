"""Feedback on answers: thumbs up or down and an optional comment, kept in SQLite for later review.

Each event is one row (a rating, a withdrawn rating, or a comment), with the question, the answer, its citations and
an ``answer_id`` that ties the events of one answer together. The database is in WAL mode and every call opens its
own short connection with a busy timeout, so several threads and several server processes can write at once.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pns.errors import ConfigError, UsageError

FILE_NAME = "feedback.sqlite3"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0
RATINGS = ("up", "down", "withdrawn")
MAX_CHARS = {"question": 20_000, "answer": 200_000, "comment": 5_000}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    answer_id TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL DEFAULT '[]',
    language TEXT NOT NULL DEFAULT '',
    intent TEXT NOT NULL DEFAULT '',
    rating TEXT CHECK (rating IS NULL OR rating IN ('up', 'down', 'withdrawn')),
    comment TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT 'ui'
)
"""
_COLUMNS = ("id", "created_at", "answer_id", "question", "answer", "citations", "language", "intent", "rating",
            "comment", "source")

_RATING_WORDS = {
    "up": "up", "+1": "up", "1": "up", "like": "up", "liked": "up", "true": "up", "good": "up",
    "down": "down", "-1": "down", "dislike": "down", "disliked": "down", "false": "down", "bad": "down",
    "withdrawn": "withdrawn", "none": "withdrawn", "cleared": "withdrawn",
}


def parse_rating(value: object) -> str | None:
    """``"up"``, ``"down"``, ``"withdrawn"`` or None (no rating, e.g. a comment alone).

    Accepts what the callers have at hand: Gradio's like flag (True / False / "" when a thumb is clicked again to
    undo it), +1 / -1, and the words like / dislike.

    Raises:
        UsageError: a value that is none of these.
    """
    if value is None:
        return None
    if value is True:
        return "up"
    if value is False:
        return "down"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value > 0:
            return "up"
        if value < 0:
            return "down"
        return None
    text = str(value).strip().lower()
    if text == "":
        return None
    if text in _RATING_WORDS:
        return _RATING_WORDS[text]
    raise UsageError(f"rating {value!r} is not understood; use 'up', 'down' or 'withdrawn' (or leave it empty)")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class FeedbackStore:
    """Append-only feedback events in one SQLite file, safe under concurrent writers."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the feedback folder {self.path.parent}: {exc}; "
                              "set data_dir (PNS_DATA_DIR) to a writable folder") from None
        self._initialise()

    @classmethod
    def from_settings(cls, settings: Any) -> FeedbackStore:
        """The store of these settings: ``<data_dir>/feedback.sqlite3``."""
        return cls(Path(settings.data_dir) / FILE_NAME)

    # -- connections -------------------------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        """A fresh connection for one call: autocommit, a busy timeout so concurrent writers wait their turn."""
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise ConfigError(f"cannot open the feedback database {self.path}: {exc}") from None
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _initialise(self) -> None:
        with closing(self._connect()) as conn:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise ConfigError(f"the feedback database {self.path} cannot use WAL mode (got {mode!r}); "
                                  "put data_dir on a local disk")
            conn.execute(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- writing ------------------------------------------------------------------------------------------------------
    def add(self, *, question: str, answer: str, citations: Sequence[Mapping[str, Any]] | str = (),
            language: str = "", intent: str = "", rating: object = None, comment: str = "", answer_id: str = "",
            source: str = "ui") -> int:
        """Record one feedback event and return its row id.

        Args:
            question: the question as the user asked it.
            answer: the answer's Markdown.
            citations: the answer's citations (dicts), or the same already as a JSON array.
            language: the answer's language.
            intent: the answer's intent (list, actor, objective, free, out_of_scope).
            rating: see :func:`parse_rating`; None for a comment alone.
            comment: free text, optional when there is a rating.
            answer_id: an id shared by the events about one answer.
            source: where the event came from ("ui", "api").

        Raises:
            UsageError: no rating and no comment, an unknown rating, a text too long, citations not JSON.
        """
        rating_value = parse_rating(rating)
        comment = (comment or "").strip()
        if rating_value is None and not comment:
            raise UsageError("feedback needs a rating ('up' or 'down') or a comment; both were empty")
        values = {"question": question or "", "answer": answer or "", "comment": comment}
        for name, text in values.items():
            if len(text) > MAX_CHARS[name]:
                raise UsageError(f"feedback {name} is {len(text)} characters long; at most {MAX_CHARS[name]} "
                                 "are kept, shorten it")
        if isinstance(citations, str):
            try:
                parsed = json.loads(citations or "[]")
            except json.JSONDecodeError as exc:
                raise UsageError(f"feedback citations must be a JSON array: {exc}") from None
            citations = parsed
        if not isinstance(citations, list | tuple):
            raise UsageError(f"feedback citations must be a list, got {type(citations).__name__}")
        citations_json = json.dumps(list(citations), ensure_ascii=False, default=str)
        with closing(self._connect()) as conn:
            cursor = conn.execute(
                "INSERT INTO feedback (created_at, answer_id, question, answer, citations, language, intent, "
                "rating, comment, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_now(), str(answer_id or ""), values["question"], values["answer"], citations_json,
                 str(language or ""), str(intent or ""), rating_value, comment, str(source or "")),
            )
            return int(cursor.lastrowid or 0)

    def add_answer(self, answer: Mapping[str, Any] | Any, *, rating: object = None, comment: str = "",
                   answer_id: str = "", source: str = "ui") -> int:
        """Record feedback about an answer given as ``Answer`` or its ``to_dict()`` form."""
        data = answer.to_dict() if hasattr(answer, "to_dict") else dict(answer)
        return self.add(question=str(data.get("question") or ""), answer=str(data.get("answer") or ""),
                        citations=list(data.get("citations") or []), language=str(data.get("language") or ""),
                        intent=str(data.get("intent") or ""), rating=rating, comment=comment, answer_id=answer_id, source=source)

    # -- reading -------------------------------------------------------------------------------------------------------
    def count(self) -> int:
        with closing(self._connect()) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every event in order of arrival, citations decoded."""
        with closing(self._connect()) as conn:
            for row in conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM feedback ORDER BY id"):
                item = dict(zip(_COLUMNS, row, strict=True))
                item["citations"] = json.loads(item["citations"] or "[]")
                yield item

    def export_jsonl(self, target: str | os.PathLike[str] | IO[str] | None = None) -> int:
        """Write every event as one JSON object per line (UTF-8, unescaped) and return how many were written.

        ``target`` is a file path, an open text stream, or None for standard output.
        """
        if target is None:
            return self._write_jsonl(sys.stdout)
        if hasattr(target, "write"):
            return self._write_jsonl(target)  # type: ignore[arg-type]
        path = Path(target)  # type: ignore[arg-type]
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as stream:
            return self._write_jsonl(stream)

    def _write_jsonl(self, stream: IO[str]) -> int:
        n = 0
        for row in self.rows():
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
        stream.flush()
        return n
