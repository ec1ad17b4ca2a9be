"""The hybrid index: units, one dense FAISS index per encoder and a BM25 index, saved atomically with a manifest.

Layout of the index folder::

    CURRENT            name of the live version folder (replaced atomically)
    v-<stamp>/         manifest.json, units.jsonl, dense-<signal>.faiss (one per encoder), bm25/

A build writes a new version folder and only then points CURRENT at it, so an interrupted build leaves the
previous index serving. Loading checks the manifest against the corpus, the settings and the encoders (stale) and
every file against its recorded sha256 (corrupted or missing), and says which file and what to run.

Searching is at passage level: every signal ranks units, each passage is scored by its best unit (view or chunk)
and the signals are fused (convex combination of normalised scores by default, RRF as an option), so a passage is
listed once, with each signal's rank and score.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from corpus.analysis import analyse_query
from corpus.manifest import sha256_file
from indexer.cache import EmbeddingCache
from indexer.dense import DenseIndex
from indexer.embedders import Embedder
from indexer.fusion import Ranking, best_per_passage, fuse, single
from indexer.lexical import LexicalIndex
from indexer.units import unit_view
from pns.errors import IndexStateError, IndexWriteError, UsageError
from pns.settings import Settings
from pns.types import Hit, Unit

# 4: BM25 indexes the parts of hyphenated words and of Dutch/German compounds; 5: BM25 statistics per document
FORMAT_VERSION = 6
BASE_MODES = ("hybrid", "bm25", "dense")
Progress = Callable[[int, int], None]


def _process_alive(build_name: str) -> bool:
    """Whether the process that started a ``.building-v-<stamp>-<pid>-…`` folder is another live process."""
    try:
        pid = int(build_name.split("-")[-2])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return False  # an earlier build of this very process that failed
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _files_of(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


def embed_all(texts: list[str], embedder: Embedder, batch: int, workers: int,
              progress: Progress | None = None, cache: EmbeddingCache | None = None) -> np.ndarray:
    """Embed texts in batches, reusing the vectors the cache holds for this model and text.

    Numpy encoders run ``workers`` threads (numpy releases the GIL in its matrix products) with BLAS held to one
    thread per worker; an encoder with its own parallel engine (``parallel = True``) gets whole batches in turn.
    """
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    cached = cache.get(embedder.id, "passage", texts, embedder.dim) if cache else {}
    for i, vector in cached.items():
        vectors[i] = vector
    missing = [i for i in range(len(texts)) if i not in cached]
    todo = list(dict.fromkeys(texts[i] for i in missing))
    batch = max(1, batch)
    batches = [todo[i:i + batch] for i in range(0, len(todo), batch)]
    done: dict[str, np.ndarray] = {}
    if progress and cached:
        progress(len(cached), len(texts))

    def record(chunk: list[str], part: np.ndarray) -> None:
        done.update(zip(chunk, part, strict=True))
        if progress:
            progress(len(cached) + sum(1 for i in missing if texts[i] in done), len(texts))

    if getattr(embedder, "parallel", False):
        for chunk in batches:
            record(chunk, embedder.encode(chunk, kind="passage"))
    else:
        with threadpool_limits(1), ThreadPoolExecutor(max(1, workers)) as pool:
            for chunk, part in zip(batches, pool.map(lambda c: embedder.encode(c, kind="passage"), batches),
                                   strict=True):
                record(chunk, part)
    for i in missing:
        vectors[i] = done[texts[i]]
    if cache and todo:
        cache.put(embedder.id, "passage", todo, np.vstack([done[t] for t in todo]))
    return vectors


def embedded_rows(units: list[Unit], settings: Settings, signal: str) -> list[int]:
    """The rows of the units one encoder embeds: those of a view in ``dense_views``, prose only when the encoder
    is one of ``prose_encoders`` (a full-length plan is mostly prose, and e5 is the slow encoder)."""
    views, prose = set(settings.embedded_views), signal in settings.prose_signals
    return [i for i, u in enumerate(units) if unit_view(u.id) in views and (prose or not u.prose)]


class HybridIndex:
    """Search over units by BM25 and by each encoder, fused at passage level."""

    def __init__(self, units: list[Unit], dense: Mapping[str, DenseIndex], lexical: LexicalIndex | None,
                 embedders: Mapping[str, Embedder], settings: Settings, manifest: dict[str, Any]) -> None:
        self.units = units
        self.dense = dict(dense)
        self.lexical = lexical
        self.embedders = dict(embedders)
        self.settings = settings
        self.manifest = manifest
        self.row_of = {u.id: i for i, u in enumerate(units)}
        self.passage_of = {u.id: u.passage_id for u in units}
        # The units each encoder embeds (embedded_rows); its dense position i holds unit dense_rows[signal][i].
        self.dense_rows = {signal: embedded_rows(units, settings, signal) for signal in self.dense}
        self.dense_position = {signal: {row: i for i, row in enumerate(rows)}
                               for signal, rows in self.dense_rows.items()}
        self.languages = sorted({u.language for u in units}) or ["fr"]
        self.folder: Path | None = None  # the version folder it was saved to or loaded from
        # Question vectors by (signal, text), least recently used first; shared by the answering threads.
        self._queries: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()
        self.query_cache_hits = 0
        self.query_cache_misses = 0

    @property
    def signals(self) -> list[str]:
        """The signals this index can rank by: "bm25" (when built) then each encoder's."""
        return (["bm25"] if self.lexical is not None else []) + list(self.dense)

    @property
    def modes(self) -> tuple[str, ...]:
        return (*BASE_MODES, *self.dense)

    # -- building ------------------------------------------------------------------------------------------------
    @classmethod
    def build(cls, units: list[Unit], embedders: list[Embedder], settings: Settings, corpus_fingerprint: str,
              progress: Callable[[str], Progress | None] | None = None) -> HybridIndex:
        """Embed every unit with each encoder (reusing cached vectors) and build the indexes.

        ``progress(signal)`` gives the progress callback of one encoder's pass.
        """
        if not units:
            raise IndexStateError("the corpus has no passage to index; check `pns corpus check`")
        if not embedders and not settings.bm25:
            raise IndexStateError("no retrieval signal is configured: set embedder to at least one model, or "
                                  "bm25 = true")
        texts = [u.text for u in units]
        for embedder in embedders:
            if not embedded_rows(units, settings, embedder.signal):
                raise IndexStateError(f"no unit is of a view the {embedder.signal} encoder embeds (dense_views = "
                                      f"{settings.dense_views!r}, prose_encoders = {settings.prose_encoders!r})")
        cache = EmbeddingCache(settings.cache_path / "embeddings.sqlite")
        dense: dict[str, DenseIndex] = {}
        encoders = []
        try:
            for embedder in embedders:
                dense_texts = [units[i].text for i in embedded_rows(units, settings, embedder.signal)]
                vectors = embed_all(dense_texts, embedder, settings.embed_batch_size, settings.embed_workers,
                                    progress(embedder.signal) if progress else None, cache)
                dense[embedder.signal] = DenseIndex.build(vectors, settings.hnsw_threshold, settings.hnsw_m,
                                                          settings.hnsw_ef_search)
                encoders.append({"signal": embedder.signal, "id": embedder.id, "dim": int(vectors.shape[1]),
                                 "file": f"dense-{embedder.signal}.faiss",
                                 "kind": dense[embedder.signal].kind})
        finally:
            cache.close()
        # each document's BM25 statistics are its own (a passage id starts with its document's code)
        lexical = (LexicalIndex.build(texts, [u.language for u in units], [u.passage_id.split("-", 1)[0] for u in units])
                   if settings.bm25 else None)
        manifest = {
            "format": FORMAT_VERSION,
            "encoders": encoders,
            "bm25": lexical is not None,
            "settings": settings.index_fingerprint(),
            "corpus": corpus_fingerprint,
            "counts": {"units": len(units), "passages": len({u.passage_id for u in units})},
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        return cls(units, dense, lexical, {e.signal: e for e in embedders}, settings, manifest)

    def save(self, index_dir: Path) -> Path:
        """Write a new version folder, then switch CURRENT to it; older versions are removed afterwards.

        Raises:
            IndexStateError: the folder cannot be written (read-only, not a folder, disk full): one clear line,
                and the live index, if any, is left as it was.
        """
        name = f"v-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        tmp = index_dir / f".building-{name}"
        try:
            return self._write(index_dir, name, tmp)
        except OSError as exc:
            # A half-written .building- folder is removed by the next build, as after a kill.
            where = exc.filename or index_dir
            why = "a file is there, not a folder" if index_dir.is_file() else exc.strerror or str(exc)
            raise IndexWriteError(f"cannot write the index into {index_dir}: {why} ({where}); "
                                  "make that folder writable, or set index_dir (PNS_INDEX_DIR, --index-dir) to a "
                                  "writable folder") from None

    def _write(self, index_dir: Path, name: str, tmp: Path) -> Path:
        index_dir.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        with (tmp / "units.jsonl").open("w", encoding="utf-8") as handle:
            for unit in self.units:
                handle.write(json.dumps(asdict(unit), ensure_ascii=False) + "\n")
        for signal, dense in self.dense.items():
            dense.save(tmp / f"dense-{signal}.faiss")
        if self.lexical is not None:
            self.lexical.save(tmp / "bm25")
        manifest = {**self.manifest, "files": _files_of(tmp)}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        final = index_dir / name
        os.replace(tmp, final)
        pointer = index_dir / f".CURRENT-{os.getpid()}"
        pointer.write_text(name + "\n", encoding="utf-8")
        os.replace(pointer, index_dir / "CURRENT")
        self.manifest = manifest
        self.folder = final
        for old in index_dir.iterdir():
            # Older versions go, and unfinished builds whose process is gone; a build still running stays.
            dead_build = old.name.startswith(".building-") and not _process_alive(old.name)
            if old.is_dir() and old.name != name and (old.name.startswith("v-") or dead_build):
                shutil.rmtree(old, ignore_errors=True)
        return final

    # -- loading -------------------------------------------------------------------------------------------------
    @staticmethod
    def current_folder(index_dir: Path) -> Path:
        pointer = index_dir / "CURRENT"
        if not pointer.is_file():
            raise IndexStateError(f"no index in {index_dir}; build it with `pns index`")
        folder = index_dir / pointer.read_text(encoding="utf-8").strip()
        if not folder.is_dir() or folder.parent != index_dir:
            raise IndexStateError(f"index pointer {pointer} names a missing folder; run `pns index --rebuild`")
        return folder

    @staticmethod
    def read_manifest(folder: Path) -> dict[str, Any]:
        path = folder / "manifest.json"
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IndexStateError(f"index file {path} is missing; run `pns index --rebuild`") from None
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise IndexStateError(f"index file {path} is corrupted; run `pns index --rebuild`") from None
        if not isinstance(manifest, dict) or "files" not in manifest:
            raise IndexStateError(f"index file {path} is not an index manifest; run `pns index --rebuild`")
        return manifest

    @staticmethod
    def staleness(manifest: dict[str, Any], settings: Settings, corpus_fingerprint: str,
                  embedder_ids: list[str]) -> str | None:
        """Why the index no longer matches (format, corpus, models or settings), or None when it is current."""
        if manifest.get("format") != FORMAT_VERSION:
            return f"index format {manifest.get('format')} is not the current {FORMAT_VERSION}"
        if manifest.get("corpus") != corpus_fingerprint:
            return "the corpus changed since the index was built"
        built = [e.get("id") for e in manifest.get("encoders", []) if isinstance(e, dict)]
        if built != list(embedder_ids):
            return (f"the index was built with {', '.join(built) or 'no encoder'}, the settings name "
                    f"{', '.join(embedder_ids) or 'no encoder'}")
        if manifest.get("settings") != settings.index_fingerprint():
            return "settings that shape the index changed since it was built"
        return None

    @classmethod
    def load(cls, index_dir: Path, settings: Settings, corpus_fingerprint: str, embedders: list[Embedder],
             verify: bool = True) -> HybridIndex:
        """Load the live version; refuse a stale, corrupted or incomplete index with what to run."""
        folder = cls.current_folder(index_dir)
        manifest = cls.read_manifest(folder)
        reason = cls.staleness(manifest, settings, corpus_fingerprint, [e.id for e in embedders])
        if reason:
            raise IndexStateError(f"the index in {index_dir} is stale ({reason}); run `pns index`")
        if verify:
            for name, digest in manifest["files"].items():
                path = folder / name
                if not path.is_file():
                    raise IndexStateError(f"index file {path} is missing; run `pns index --rebuild`")
                if sha256_file(path) != digest:
                    raise IndexStateError(f"index file {path} is corrupted (checksum mismatch); "
                                          "run `pns index --rebuild`")
        try:
            units = [Unit(**json.loads(line)) for line in
                     (folder / "units.jsonl").read_text(encoding="utf-8").splitlines() if line]
            dense = {e.signal: DenseIndex.load(folder / f"dense-{e.signal}.faiss", settings.hnsw_ef_search)
                     for e in embedders}
            lexical = LexicalIndex.load(folder / "bm25") if manifest.get("bm25") else None
        except Exception as exc:  # faiss/bm25s raise many types on damaged files
            raise IndexStateError(f"the index in {folder} cannot be read ({type(exc).__name__}); "
                                  "run `pns index --rebuild`") from None
        index = cls(units, dense, lexical, {e.signal: e for e in embedders}, settings, manifest)
        index.folder = folder
        for signal, dense_index in dense.items():
            if dense_index.size != len(index.dense_rows[signal]):
                raise IndexStateError(f"index in {folder} is inconsistent ({dense_index.size} {signal} vectors, "
                                      f"{len(index.dense_rows[signal])} embedded units); run `pns index --rebuild`")
        return index

    # -- searching -----------------------------------------------------------------------------------------------
    def query_vector(self, signal: str, query: str) -> np.ndarray:
        """The query's vector in one encoder's space (read-only), from the in-memory cache when it was asked before:
        an encoder costs most of an answer, and the same questions come back."""
        size = int(getattr(self.settings, "query_cache", 0)) * max(1, len(self.embedders))  # questions × encoders
        key = (signal, query)
        if size > 0:
            with self._queries_lock:
                vector = self._queries.get(key)
                if vector is not None:
                    self._queries.move_to_end(key)
                    self.query_cache_hits += 1
                    return vector
        vector = self.embedders[signal].encode([query], kind="query")[0]
        vector.setflags(write=False)
        with self._queries_lock:
            self.query_cache_misses += 1
            if size > 0:
                self._queries[key] = vector
                while len(self._queries) > size:
                    self._queries.popitem(last=False)
        return vector

    def embed_query(self, query: str) -> dict[str, np.ndarray]:
        """The query's vector in every encoder's space."""
        return {signal: self.query_vector(signal, query) for signal in self.embedders}

    def bm25(self, query: str, k: int, language: str | None = None) -> list[tuple[str, float]]:
        """Units by BM25, the query analysed in its language first, then in the corpus' languages."""
        if self.lexical is None:
            return []
        languages = [language] if language else []
        languages += [lang for lang in self.languages if lang not in languages]
        tokens = analyse_query(query, languages, self.lexical.vocab)
        return [(self.units[row].id, score) for row, score in self.lexical.search(tokens, k)]

    def dense_search(self, signal: str, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        rows = self.dense_rows[signal]
        return [(self.units[rows[pos]].id, score) for pos, score in self.dense[signal].search(vector, k)]

    def unit_vectors(self, signal: str, unit_ids: list[str]) -> tuple[list[str], np.ndarray]:
        """The stored vectors of those units the encoder embeds (the others are left out), with their ids."""
        position = self.dense_position[signal]
        kept = [u for u in unit_ids if self.row_of[u] in position]
        return kept, self.dense[signal].vectors([position[self.row_of[u]] for u in kept])

    def unit_rankings(self, query: str, language: str | None, vectors: Mapping[str, np.ndarray],
                      signals: list[str] | None = None) -> dict[str, list[tuple[str, float]]]:
        """Each signal's ``candidates`` best units (every view of a passage), best first."""
        pool = self.settings.candidates
        return {signal: (self.bm25(query, pool, language) if signal == "bm25"
                         else self.dense_search(signal, vectors[signal], pool))
                for signal in (signals if signals is not None else self.signals)}

    def rankings(self, query: str, language: str | None, vectors: Mapping[str, np.ndarray],
                 signals: list[str] | None = None,
                 units: Mapping[str, list[tuple[str, float]]] | None = None) -> dict[str, Ranking]:
        """Each signal's passage ranking (best unit per passage) over its ``candidates`` best units (``units``:
        those of :meth:`unit_rankings`, when already at hand)."""
        units = units if units is not None else self.unit_rankings(query, language, vectors, signals)
        return {signal: best_per_passage(found, self.passage_of) for signal, found in units.items()}

    def weights(self, language: str | None) -> dict[str, float]:
        """Fusion weights of this index's signals; BM25 weighs less for a question in a language the corpus
        is not written in (few words in common)."""
        weights = self.settings.signal_weights(self.signals)
        if "bm25" in weights and language and language not in self.languages:
            weights["bm25"] *= self.settings.bm25_crosslingual_factor
        return weights

    def _mode_signals(self, mode: str) -> list[str]:
        if mode not in self.modes:
            raise UsageError(f"unknown search mode {mode!r}; use one of {', '.join(self.modes)}")
        if mode == "hybrid":
            return self.signals
        if mode == "dense":
            if not self.dense:
                raise UsageError("this index has no encoder; search with --mode bm25")
            return list(self.dense)
        if mode == "bm25" and self.lexical is None:
            raise UsageError("this index was built without BM25 (bm25 = false); use another mode")
        return [mode]

    def search(self, query: str, k: int = 10, mode: str = "hybrid", language: str | None = None,
               vectors: Mapping[str, np.ndarray] | None = None) -> list[Hit]:
        """The best ``k`` passages for ``query``, each once; every hit carries its score breakdown."""
        signals = self._mode_signals(mode)
        if k < 1:
            raise UsageError(f"k must be at least 1, got {k}")
        needed = [s for s in signals if s != "bm25"]
        if needed and (vectors is None or any(s not in vectors for s in needed)):
            vectors = {**(vectors or {}), **{s: self.query_vector(s, query)
                                             for s in needed if not vectors or s not in vectors}}
        rankings = self.rankings(query, language, vectors or {}, signals)
        if len(signals) == 1:
            return single(signals[0], rankings[signals[0]])[:k]
        weights = self.weights(language)
        return fuse(rankings, weights, self.settings.fusion, self.settings.rrf_k)[:k]
