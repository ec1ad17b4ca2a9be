"""Feedback on answers: thumbs up or down and an optional comment, kept for later review.

Each event is one row (a rating, a withdrawn rating, or a comment), with the question, the answer, its citations and
an ``answer_id`` that ties the events of one answer together. The store is chosen by URL (``feedback_url``):
SQLite (the default, one file in WAL mode, 0600, a short connection per call with a busy timeout, so several threads
and server processes of one machine can write at once) or PostgreSQL (psycopg 3; several app replicas share it).

Feedback comes from the network, so every event is bounded: a byte limit on each field and on the row as a whole
(the citations included), a per-client rate, and a cap on the store's rows and size, past which new events are
refused with a clear message and one log line. Text goes through the entry points' cleaner (assistant.text).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from assistant.text import clean_text
from pns.errors import ConfigError, DependencyError, LimitError, UsageError
from pns.settings import Settings, redact_url

log = logging.getLogger(__name__)

FILE_NAME = "feedback.sqlite3"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0
RATINGS = ("up", "down", "withdrawn")
MAX_CHARS = {"question": 20_000, "answer": 200_000, "comment": 5_000}
# Short fields hold codes and ids: their byte limits are fixed, the long ones' are settings (Limits).
SHORT_BYTES = {"answer_id": 128, "language": 16, "intent": 32, "source": 16}
LOG_EVERY_S = 60.0  # a limit reached is logged at most once a minute (per client, or for the store being full)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id {id},
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
    text = str(value).strip().lower() if isinstance(value, str) else repr(value)
    if text == "":
        return None
    if text in _RATING_WORDS:
        return _RATING_WORDS[text]
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "…"
    raise UsageError(f"rating {shown} is not understood; use 'up', 'down' or 'withdrawn' (or leave it empty)")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Limits:
    """What one feedback event and the whole store may hold, and how often one client may send (settings)."""

    question_bytes: int
    answer_bytes: int
    citations_bytes: int
    comment_bytes: int
    row_bytes: int
    per_minute: int
    max_rows: int
    max_mb: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(question_bytes=settings.feedback_max_question_bytes,
                   answer_bytes=settings.feedback_max_answer_bytes,
                   citations_bytes=settings.feedback_max_citations_bytes,
                   comment_bytes=settings.feedback_max_comment_bytes, row_bytes=settings.feedback_max_row_bytes,
                   per_minute=settings.feedback_per_minute, max_rows=settings.feedback_max_rows,
                   max_mb=settings.feedback_max_mb)

    def field_bytes(self, name: str) -> int:
        return SHORT_BYTES.get(name) or getattr(self, f"{name}_bytes")


DEFAULT_LIMITS = Limits.from_settings(Settings())


class Receipt(int):
    """The new row's id (an int), with the notices about what was cleaned from the event's text."""

    notices: tuple[str, ...]

    def __new__(cls, row_id: int, notices: tuple[str, ...] = ()) -> Receipt:
        receipt = super().__new__(cls, row_id)
        receipt.notices = notices
        return receipt


class RateLimiter:
    """At most ``per_minute`` events per client in any 60 seconds (a sliding window, kept in this process)."""

    WINDOW_S = 60.0

    def __init__(self, per_minute: int, max_clients: int = 10_000) -> None:
        self.per_minute = per_minute
        self.max_clients = max_clients
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait_for(self, client: str, now: float | None = None) -> float:
        """0 when ``client`` may send now (and the event is counted), else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._seen.pop(client, None) or deque()
            while times and now - times[0] >= self.WINDOW_S:
                times.popleft()
            self._seen[client] = times  # most recently seen last, so the oldest client is dropped first
            if len(self._seen) > self.max_clients:
                self._seen.popitem(last=False)
            if len(times) >= self.per_minute:
                return self.WINDOW_S - (now - times[0])
            times.append(now)
            return 0.0


class FeedbackStore:
    """Append-only feedback events in one SQLite file, safe under concurrent writers, bounded by ``limits``.

    The PostgreSQL store (:class:`PostgresFeedbackStore`) shares everything but the connection and the SQL
    dialect; :func:`open_store` picks one from a URL.
    """

    kind = "sqlite"

    def __init__(self, path: str | os.PathLike[str], limits: Limits | None = None) -> None:
        self.path = Path(path)
        self._bound(limits)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the feedback folder {self.path.parent}: {exc}; "
                              "set data_dir (PNS_DATA_DIR) to a writable folder") from None
        self._initialise()

    def _bound(self, limits: Limits | None) -> None:
        """The limits, the per-client rate and the log's memory of limits reached (every kind of store)."""
        self.limits = limits or DEFAULT_LIMITS
        self._rate = RateLimiter(self.limits.per_minute)
        self._logged: dict[str, float] = {}

    @classmethod
    def from_settings(cls, settings: Any) -> FeedbackStore:
        """The store of these settings: ``feedback_url``, else ``<data_dir>/feedback.sqlite3``."""
        limits = Limits.from_settings(settings)
        if not settings.feedback_url:
            return FeedbackStore(Path(settings.data_dir) / FILE_NAME, limits)
        return open_store(settings.feedback_url, limits)

    @property
    def where(self) -> str:
        """The store for messages and logs (credentials never included)."""
        return str(self.path)

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

    def _files(self) -> list[Path]:
        return [self.path, *(self.path.with_name(self.path.name + s) for s in ("-wal", "-shm"))]

    def _initialise(self) -> None:
        # Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database file's mode.
        # Files left wider by an older version are narrowed: feedback holds what officers typed.
        try:
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            for path in self._files():
                if path.exists() and path.stat().st_mode & 0o077:
                    path.chmod(0o600)
        except OSError as exc:
            raise ConfigError(f"cannot create the feedback database {self.path}: {exc}; "
                              "set data_dir (PNS_DATA_DIR) to a writable folder") from None
        with closing(self._connect()) as conn:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise ConfigError(f"the feedback database {self.path} cannot use WAL mode (got {mode!r}); "
                                  "put data_dir on a local disk")
            conn.execute(_SCHEMA.format(id="INTEGER PRIMARY KEY AUTOINCREMENT"))
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _insert(self, values: tuple[Any, ...]) -> int:
        with closing(self._connect()) as conn:
            cursor = conn.execute(_INSERT.replace("%s", "?"), values)
            return int(cursor.lastrowid or 0)

    def _usage(self) -> tuple[int, int]:
        """(rows, bytes on disk) of the store."""
        with closing(self._connect()) as conn:
            rows = int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])
        return rows, sum(_size(p) for p in self._files())

    def _select(self) -> Iterator[tuple[Any, ...]]:
        with closing(self._connect()) as conn:
            yield from conn.execute(_SELECT)

    # -- writing ------------------------------------------------------------------------------------------------------
    def add(self, *, question: str, answer: str, citations: Sequence[Mapping[str, Any]] | str = (),
            language: str = "", intent: str = "", rating: object = None, comment: str = "", answer_id: str = "",
            source: str = "ui", client: str | None = None) -> Receipt:
        """Record one feedback event and return its row id (a :class:`Receipt`, with notices about cleaned text).

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
            client: who sent it (the web client's address), for the per-client rate; None for a local caller.

        Raises:
            UsageError: no rating and no comment, an unknown rating, a value that is not text, a text too long,
                citations not JSON.
            LimitError: a field or the event too large, too many events from this client, the store full.
        """
        rating_value = parse_rating(rating)
        raw = {"question": question, "answer": answer, "comment": comment, "answer_id": answer_id,
               "language": language, "intent": intent, "source": source}
        values: dict[str, str] = {}
        removed: list[str] = []
        for name, value in raw.items():
            cleaned = clean_text(value, f"feedback {name}", optional=True)
            text = cleaned.text.replace("\x00", "")  # PostgreSQL text cannot hold NUL; neither store keeps it
            if cleaned.removed or len(text) != len(cleaned.text):
                removed.append(name)
            values[name] = text
        values["comment"] = values["comment"].strip()
        if rating_value is None and not values["comment"]:
            raise UsageError("feedback needs a rating ('up' or 'down') or a comment; both were empty")
        for name in MAX_CHARS:
            if len(values[name]) > MAX_CHARS[name]:
                raise LimitError(f"feedback {name} is {len(values[name])} characters long; at most "
                                 f"{MAX_CHARS[name]} are kept, shorten it")
        values["citations"] = _citations_json(citations)
        sizes = {name: len(text.encode("utf-8")) for name, text in values.items()}
        for name, size in sizes.items():
            if size > self.limits.field_bytes(name):
                raise LimitError(f"feedback {name} is {size:,} bytes; at most {self.limits.field_bytes(name):,} "
                                 "are kept, shorten it")
        if sum(sizes.values()) > self.limits.row_bytes:
            raise LimitError(f"feedback event is {sum(sizes.values()):,} bytes in all; at most "
                             f"{self.limits.row_bytes:,} are kept, shorten the comment or the answer")
        self._check_rate(client)
        self._check_room()
        row_id = self._insert((_now(), values["answer_id"], values["question"], values["answer"],
                               values["citations"], values["language"], values["intent"], rating_value,
                               values["comment"], values["source"]))
        return Receipt(row_id, tuple(f"unreadable characters (not valid UTF-8) were removed from the {name}"
                                     for name in removed))

    def _check_rate(self, client: str | None) -> None:
        if client is None:
            return
        wait = self._rate.wait_for(client)
        if wait:
            self._log_once(f"rate:{client}", "feedback from %s refused: more than %d events in a minute "
                           "(feedback_per_minute)", client, self.limits.per_minute)
            raise LimitError(f"too much feedback from this client: at most {self.limits.per_minute} events a "
                             f"minute; try again in {max(1, round(wait))} s", http_status=429, retry_after=wait)

    def _check_room(self) -> None:
        rows, size = self._usage()
        limit_bytes = self.limits.max_mb * 1_000_000
        if rows < self.limits.max_rows and size < limit_bytes:
            return
        self._log_once("full", "feedback store %s %s is full: %d rows (feedback_max_rows %d), %.1f MB "
                       "(feedback_max_mb %s); new feedback is refused until rows are exported and removed or the "
                       "limits raised", self.kind, self.where, rows, self.limits.max_rows, size / 1e6,
                       self.limits.max_mb)
        raise LimitError("feedback is not being recorded at the moment: the feedback store is full; please tell "
                         "the administrator", http_status=503)

    def _log_once(self, key: str, message: str, *args: Any) -> None:
        """Log a limit reached, at most once a minute for the same key, so a flood does not flood the log."""
        now = time.monotonic()
        if now - self._logged.get(key, -LOG_EVERY_S) >= LOG_EVERY_S:
            self._logged[key] = now
            if len(self._logged) > 10_000:
                self._logged.clear()
            log.warning(message, *args)

    def add_answer(self, answer: Mapping[str, Any] | Any, *, rating: object = None, comment: str = "",
                   answer_id: str = "", source: str = "ui", client: str | None = None) -> Receipt:
        """Record feedback about an answer given as ``Answer`` or its ``to_dict()`` form."""
        data = answer.to_dict() if hasattr(answer, "to_dict") else dict(answer)
        return self.add(question=data.get("question") or "", answer=data.get("answer") or "",
                        citations=data.get("citations") or [], language=data.get("language") or "",
                        intent=data.get("intent") or "", rating=rating, comment=comment, answer_id=answer_id,
                        source=source, client=client)

    # -- reading -------------------------------------------------------------------------------------------------------
    def count(self) -> int:
        return self._usage()[0]

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every event in order of arrival, citations decoded."""
        for row in self._select():
            item = dict(zip(_COLUMNS, row, strict=True))
            item["id"] = int(item["id"])
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


def _size(path: Path) -> int:
    """A file's size, 0 when it is not there (the -wal file comes and goes as other processes close)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


_INSERT = ("INSERT INTO feedback (created_at, answer_id, question, answer, citations, language, intent, rating, "
           "comment, source) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM feedback ORDER BY id"


def _citations_json(citations: object) -> str:
    """The citations as a JSON array (text), whatever the caller had: a list, or the array already as JSON."""
    if isinstance(citations, str | bytes):
        text = clean_text(citations, "feedback citations").text
        try:
            citations = json.loads(text or "[]")
        except json.JSONDecodeError as exc:
            raise UsageError(f"feedback citations must be a JSON array: {exc}") from None
    if not isinstance(citations, list | tuple):
        raise UsageError(f"feedback citations must be a list, got {type(citations).__name__}")
    # Lone surrogates inside the citations stay raw in the JSON text (ensure_ascii=False): the cleaner drops them.
    return clean_text(json.dumps(list(citations), ensure_ascii=False, default=str)).text


class PostgresFeedbackStore(FeedbackStore):
    """The same events in a PostgreSQL table, for several app replicas (psycopg 3, one connection per store)."""

    kind = "postgresql"

    def __init__(self, url: str, limits: Limits | None = None) -> None:
        try:
            import psycopg
        except ImportError:
            raise DependencyError("feedback_url is a postgresql:// URL but psycopg is not installed; "
                                  "pip install 'psycopg[binary]'") from None
        self._psycopg = psycopg
        self.url = url
        self.path = Path()
        self._bound(limits)
        self._lock = threading.Lock()
        self._conn: Any = None
        self._initialise()

    @property
    def where(self) -> str:
        return redact_url(self.url)

    def _connection(self) -> Any:
        """The store's connection (autocommit), opened again when the server dropped it."""
        if self._conn is None or self._conn.closed or self._conn.broken:
            try:
                self._conn = self._psycopg.connect(self.url, autocommit=True, connect_timeout=10)
            except self._psycopg.Error as exc:
                message = str(exc).replace(self.url, self.where).strip().splitlines()[0]
                raise ConfigError(f"cannot open the feedback database {self.where}: {message}") from None
        return self._conn

    def _run(self, sql: str, values: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """One statement under the store's lock; a dropped connection is opened again once."""
        with self._lock:
            for attempt in (1, 2):
                conn = self._connection()
                try:
                    cursor = conn.execute(sql, values)
                    return cursor.fetchall() if cursor.description else []
                except self._psycopg.OperationalError:
                    if attempt == 2 or not conn.broken:
                        raise
        raise AssertionError("unreachable")

    def _initialise(self) -> None:
        # Two replicas starting at once would race on CREATE TABLE: an advisory lock makes it one at a time.
        with self._lock:
            conn = self._connection()
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(7262013)")
                conn.execute(_SCHEMA.format(id="BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"))

    def _insert(self, values: tuple[Any, ...]) -> int:
        return int(self._run(_INSERT + " RETURNING id", values)[0][0])

    def _usage(self) -> tuple[int, int]:
        rows, size = self._run("SELECT COUNT(*), pg_total_relation_size('feedback') FROM feedback")[0]
        return int(rows), int(size)

    def _select(self) -> Iterator[tuple[Any, ...]]:
        # A connection of its own with a server-side cursor: an export of many rows never sits in memory at once.
        with self._psycopg.connect(self.url) as conn, conn.cursor(name="pns_feedback_export") as cursor:
            cursor.itersize = 500
            cursor.execute(_SELECT)
            yield from cursor

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def open_store(url: str, limits: Limits | None = None) -> FeedbackStore:
    """The feedback store a URL names: ``sqlite:///path`` or ``postgresql://…`` (also ``postgres://``).

    Raises:
        ConfigError: another scheme, or a store that cannot be opened (the message never shows a password).
    """
    if url.startswith("sqlite://"):
        path = url[len("sqlite://"):]
        if not path:
            raise ConfigError("feedback_url 'sqlite://' names no file; use sqlite:///absolute/path.sqlite3")
        return FeedbackStore(path, limits)
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresFeedbackStore(url, limits)
    raise ConfigError(f"feedback_url {redact_url(url)!r} is neither sqlite:///path nor postgresql://…; "
                      "leave it empty for DATA_DIR/feedback.sqlite3")
