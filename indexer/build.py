"""Building and opening the index for a given corpus and settings: the one place that wires the pieces."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from corpus.catalogue import Corpus
from indexer.embedders import Embedder, make_embedders
from indexer.store import HybridIndex, Progress
from indexer.units import build_units
from pns.errors import ConfigError, IndexStateError
from pns.settings import Settings


def embedders_for(settings: Settings) -> list[Embedder]:
    """The configured encoders, with their start-up caches in the cache folder; a model not on disk stops here."""
    embedders = make_embedders(settings.embedder, cache_dir=settings.cache_path / "model-cache")
    for embedder in embedders:
        check = getattr(embedder, "check", None)
        if check is not None:
            check()
    if not embedders and not settings.bm25:
        raise ConfigError("no retrieval signal is configured: set embedder to at least one model, or bm25 = true")
    return embedders


def build_index(settings: Settings, corpus: Corpus | None = None, embedders: list[Embedder] | None = None,
                progress: Callable[[str], Progress | None] | None = None) -> HybridIndex:
    """Build the index from the corpus and save it atomically."""
    corpus = corpus or Corpus.load(settings, detect_languages=True)
    embedders = embedders if embedders is not None else embedders_for(settings)
    try:
        units = build_units(corpus, settings.chunk_max_chars, settings.chunk_overlap_sentences, settings.views)
    except ValueError as exc:
        name = "unit_views" if "views" in str(exc) else "chunk_max_chars / chunk_overlap_sentences"
        raise ConfigError(f"setting {name}: {exc}") from None
    index = HybridIndex.build(units, embedders, settings, corpus.fingerprint, progress)
    index.save(Path(settings.index_dir))
    return index


def index_status(settings: Settings, corpus: Corpus, embedders: list[Embedder]) -> str | None:
    """None when the saved index is current, else why it must be (re)built."""
    try:
        folder = HybridIndex.current_folder(Path(settings.index_dir))
        manifest = HybridIndex.read_manifest(folder)
    except IndexStateError as exc:
        return str(exc)
    return HybridIndex.staleness(manifest, settings, corpus.fingerprint, [e.id for e in embedders])


def ensure_index(settings: Settings, rebuild: bool = False,
                 progress: Callable[[str], Progress | None] | None = None, quiet: bool = False) -> bool:
    """Build the index when it is missing, stale or corrupted (or when asked); True when it was built."""
    corpus = Corpus.load(settings, detect_languages=False)
    embedders = embedders_for(settings)
    reason = "rebuild requested" if rebuild else index_status(settings, corpus, embedders)
    if reason is None:
        try:
            HybridIndex.load(Path(settings.index_dir), settings, corpus.fingerprint, embedders)
            return False
        except IndexStateError as exc:
            reason = str(exc)
    if not quiet:
        # The reason's own advice ("build it with `pns index`") is what is being done: drop it.
        reason = re.sub(r";\s*(build it with|run) `pns index[^`]*`$", "", reason)
        print(f"pns: building the index ({reason}); a first build embeds every passage with each encoder, about "
              "1-2 minutes on 2 cores, later ones reuse the cached vectors", file=sys.stderr)
    start = time.perf_counter()
    build_index(settings, Corpus.load(settings, detect_languages=True), embedders, progress)
    if not quiet:
        print(f"pns: index built in {time.perf_counter() - start:.0f} s ({settings.index_dir})", file=sys.stderr)
    return True


def open_index(settings: Settings, corpus: Corpus) -> HybridIndex:
    """Load the current index for this corpus; IndexStateError with what to run when it is not usable."""
    return HybridIndex.load(Path(settings.index_dir), settings, corpus.fingerprint, embedders_for(settings))
