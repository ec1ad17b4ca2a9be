"""The hybrid index: units, a dense FAISS index and a BM25 index, saved atomically with a manifest.

Layout of the index folder::

    CURRENT            name of the live version folder (replaced atomically)
    v-<stamp>/         manifest.json, units.jsonl, dense.faiss, bm25/

A build writes a new version folder and only then points CURRENT at it, so an interrupted build leaves the
previous index serving. Loading checks the manifest against the corpus, the settings and the embedder (stale) and
every file against its recorded sha256 (corrupted or missing), and says which file and what to run.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from corpus.manifest import sha256_file
from indexer.dense import DenseIndex
from indexer.embedders import Embedder
from indexer.fusion import reciprocal_rank_fusion
from indexer.lexical import LexicalIndex, analyse_query
from pns.errors import IndexStateError, UsageError
from pns.settings import Settings
from pns.types import Hit, Unit

FORMAT_VERSION = 2
MODES = ("hybrid", "bm25", "dense")
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
              progress: Progress | None = None) -> np.ndarray:
    """Embed texts in batches, on ``workers`` threads (numpy releases the GIL in its matrix products).

    BLAS is held to one thread per worker for the whole run, so the workers do not fight over the cores.
    """
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    batch = max(1, batch)
    batches = [texts[i:i + batch] for i in range(0, len(texts), batch)]
    parts: list[np.ndarray] = []
    with threadpool_limits(1), ThreadPoolExecutor(max(1, workers)) as pool:
        for part in pool.map(lambda chunk: embedder.encode(chunk, kind="passage"), batches):
            parts.append(part)
            if progress:
                progress(sum(len(p) for p in parts), len(texts))
    return np.vstack(parts)


class HybridIndex:
    """Search over units by BM25, by dense similarity, or both fused by reciprocal rank fusion."""

    def __init__(self, units: list[Unit], dense: DenseIndex, lexical: LexicalIndex, embedder: Embedder,
                 settings: Settings, manifest: dict[str, Any]) -> None:
        self.units = units
        self.dense = dense
        self.lexical = lexical
        self.embedder = embedder
        self.settings = settings
        self.manifest = manifest
        self.row_of = {u.id: i for i, u in enumerate(units)}
        self.languages = sorted({u.language for u in units}) or ["fr"]

    # -- building ------------------------------------------------------------------------------------------------
    @classmethod
    def build(cls, units: list[Unit], embedder: Embedder, settings: Settings, corpus_fingerprint: str,
              progress: Progress | None = None) -> HybridIndex:
        """Embed every unit (in batches, reporting progress) and build both indexes."""
        if not units:
            raise IndexStateError("the corpus has no passage to index; check `pns corpus check`")
        texts = [u.text for u in units]
        vectors = embed_all(texts, embedder, settings.embed_batch_size,
                            settings.embed_workers, progress)
        dense = DenseIndex.build(vectors, settings.hnsw_threshold, settings.hnsw_m, settings.hnsw_ef_search)
        lexical = LexicalIndex.build(texts, [u.language for u in units])
        manifest = {
            "format": FORMAT_VERSION,
            "embedder": embedder.id,
            "dim": int(vectors.shape[1]),
            "settings": settings.index_fingerprint(),
            "corpus": corpus_fingerprint,
            "counts": {"units": len(units), "passages": len({u.passage_id for u in units})},
            "dense_kind": dense.kind,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        return cls(units, dense, lexical, embedder, settings, manifest)

    def save(self, index_dir: Path) -> Path:
        """Write a new version folder, then switch CURRENT to it; older versions are removed afterwards."""
        index_dir.mkdir(parents=True, exist_ok=True)
        name = f"v-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        tmp = index_dir / f".building-{name}"
        tmp.mkdir()
        with (tmp / "units.jsonl").open("w", encoding="utf-8") as handle:
            for unit in self.units:
                handle.write(json.dumps(asdict(unit), ensure_ascii=False) + "\n")
        self.dense.save(tmp / "dense.faiss")
        self.lexical.save(tmp / "bm25")
        manifest = {**self.manifest, "files": _files_of(tmp)}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        final = index_dir / name
        os.replace(tmp, final)
        pointer = index_dir / f".CURRENT-{os.getpid()}"
        pointer.write_text(name + "\n", encoding="utf-8")
        os.replace(pointer, index_dir / "CURRENT")
        self.manifest = manifest
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
                  embedder_id: str) -> str | None:
        """Why the index no longer matches (format, corpus, settings or model), or None when it is current."""
        if manifest.get("format") != FORMAT_VERSION:
            return f"index format {manifest.get('format')} is not the current {FORMAT_VERSION}"
        if manifest.get("corpus") != corpus_fingerprint:
            return "the corpus changed since the index was built"
        if manifest.get("embedder") != embedder_id:
            return f"the index was built with {manifest.get('embedder')}, the settings name {embedder_id}"
        if manifest.get("settings") != settings.index_fingerprint():
            return "settings that shape the index changed since it was built"
        return None

    @classmethod
    def load(cls, index_dir: Path, settings: Settings, corpus_fingerprint: str, embedder: Embedder,
             verify: bool = True) -> HybridIndex:
        """Load the live version; refuse a stale, corrupted or incomplete index with what to run."""
        folder = cls.current_folder(index_dir)
        manifest = cls.read_manifest(folder)
        reason = cls.staleness(manifest, settings, corpus_fingerprint, embedder.id)
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
            dense = DenseIndex.load(folder / "dense.faiss", settings.hnsw_ef_search)
            lexical = LexicalIndex.load(folder / "bm25")
        except Exception as exc:  # faiss/bm25s raise many types on damaged files
            raise IndexStateError(f"the index in {folder} cannot be read ({type(exc).__name__}); "
                                  "run `pns index --rebuild`") from None
        if dense.size != len(units):
            raise IndexStateError(f"index in {folder} is inconsistent ({dense.size} vectors, {len(units)} units); "
                                  "run `pns index --rebuild`")
        return cls(units, dense, lexical, embedder, settings, manifest)

    # -- searching -----------------------------------------------------------------------------------------------
    def embed_query(self, query: str) -> np.ndarray:
        return self.embedder.encode([query], kind="query")[0]

    def bm25(self, query: str, k: int, language: str | None = None) -> list[tuple[str, float]]:
        languages = [language] if language else []
        languages += [lang for lang in self.languages if lang not in languages]
        tokens = analyse_query(query, languages)
        return [(self.units[row].id, score) for row, score in self.lexical.search(tokens, k)]

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        return [(self.units[row].id, score) for row, score in self.dense.search(vector, k)]

    def search(self, query: str, k: int = 10, mode: str = "hybrid", language: str | None = None,
               vector: np.ndarray | None = None) -> list[Hit]:
        """The best ``k`` units for ``query``; every hit carries its score breakdown."""
        if mode not in MODES:
            raise UsageError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        if k < 1:
            raise UsageError(f"k must be at least 1, got {k}")
        pool = max(k, self.settings.candidates)
        if mode == "bm25":
            return [Hit(uid, round(s, 6), "bm25", bm25_rank=i, bm25_score=s)
                    for i, (uid, s) in enumerate(self.bm25(query, k, language), start=1)]
        if vector is None:
            vector = self.embed_query(query)
        if mode == "dense":
            return [Hit(uid, round(s, 6), "dense", dense_rank=i, dense_score=s)
                    for i, (uid, s) in enumerate(self.dense_search(vector, k), start=1)]
        rankings = {"bm25": self.bm25(query, pool, language), "dense": self.dense_search(vector, pool)}
        weights = {"bm25": self.settings.bm25_weight, "dense": self.settings.dense_weight}
        return reciprocal_rank_fusion(rankings, weights, self.settings.rrf_k)[:k]
