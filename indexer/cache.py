"""Embedding cache: vectors keyed by (model id and version, text kind, sha256 of the text).

Re-indexing a corpus whose text did not change embeds nothing: a build looks every unit up here first and embeds
only what is missing. The cache is an optimisation, never a source of truth: a damaged or unwritable cache file is
set aside with a warning and the build embeds as if it were empty.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_SCHEMA = ("CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, kind TEXT NOT NULL, sha TEXT NOT NULL, "
           "dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, kind, sha))")


def text_key(text: str) -> str:
    """sha256 of a text, the cache key beside the model."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class EmbeddingCache:
    """A SQLite file of vectors; one instance per build, used from one thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self.disabled = False

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None or self.disabled:
            return self._db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path)
            db.execute(_SCHEMA)
            db.execute("SELECT count(*) FROM vectors LIMIT 1").fetchone()
            self._db = db
        except (sqlite3.Error, OSError) as exc:
            self._warn(exc)
        return self._db

    def _warn(self, exc: Exception) -> None:
        self.disabled = True
        self._db = None
        print(f"pns: warning: embedding cache {self.path} is not usable ({type(exc).__name__}: {exc}); "
              "embedding without it", file=sys.stderr)

    def get(self, model: str, kind: str, texts: Sequence[str], dim: int) -> dict[int, np.ndarray]:
        """Cached vectors of some of ``texts``, by position."""
        db = self._connect()
        if db is None or not texts:
            return {}
        keys = [text_key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        try:
            unique = list(dict.fromkeys(keys))
            for start in range(0, len(unique), 500):
                chunk = unique[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(f"SELECT sha, dim, vector FROM vectors WHERE model = ? AND kind = ? AND sha IN "
                                  f"({marks})", (model, kind, *chunk)).fetchall()
                for sha, stored_dim, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if stored_dim == dim and vector.size == dim:
                        found[sha] = vector
        except sqlite3.Error as exc:
            self._warn(exc)
            return {}
        return {i: found[k] for i, k in enumerate(keys) if k in found}

    def put(self, model: str, kind: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store vectors for texts (one transaction)."""
        db = self._connect()
        if db is None or not len(texts):
            return
        rows = [(model, kind, text_key(t), int(v.size), np.ascontiguousarray(v, dtype=np.float32).tobytes())
                for t, v in zip(texts, vectors, strict=True)]
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            self._warn(exc)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
