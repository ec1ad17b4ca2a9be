"""Building and opening the index for a given corpus and settings: the one place that wires the pieces."""

from __future__ import annotations

import sys
from pathlib import Path

from corpus.catalogue import Corpus
from indexer.embedders import Embedder, make_embedder
from indexer.store import HybridIndex, Progress
from indexer.units import build_units
from pns.errors import ConfigError, IndexStateError
from pns.settings import Settings


def embedder_for(settings: Settings) -> Embedder:
    """The configured embedder, with its start-up cache under the data folder; a model not on disk stops here."""
    embedder = make_embedder(settings.embedder, cache_dir=Path(settings.data_dir) / "model-cache")
    check = getattr(embedder, "check", None)
    if check is not None:
        check()
    return embedder


def build_index(settings: Settings, corpus: Corpus | None = None, embedder: Embedder | None = None,
                progress: Progress | None = None) -> HybridIndex:
    """Build the index from the corpus and save it atomically."""
    corpus = corpus or Corpus.load(settings, detect_languages=True)
    embedder = embedder or embedder_for(settings)
    try:
        units = build_units(corpus, settings.chunk_max_chars, settings.chunk_overlap_sentences, settings.views)
    except ValueError as exc:
        name = "unit_views" if "views" in str(exc) else "chunk_max_chars / chunk_overlap_sentences"
        raise ConfigError(f"setting {name}: {exc}") from None
    index = HybridIndex.build(units, embedder, settings, corpus.fingerprint, progress)
    index.save(Path(settings.index_dir))
    return index


def index_status(settings: Settings, corpus: Corpus, embedder: Embedder) -> str | None:
    """None when the saved index is current, else why it must be (re)built."""
    try:
        folder = HybridIndex.current_folder(Path(settings.index_dir))
        manifest = HybridIndex.read_manifest(folder)
    except IndexStateError as exc:
        return str(exc)
    return HybridIndex.staleness(manifest, settings, corpus.fingerprint, embedder.id)


def ensure_index(settings: Settings, rebuild: bool = False, progress: Progress | None = None,
                 quiet: bool = False) -> bool:
    """Build the index when it is missing, stale or corrupted (or when asked); True when it was built."""
    corpus = Corpus.load(settings, detect_languages=False)
    embedder = embedder_for(settings)
    reason = "rebuild requested" if rebuild else index_status(settings, corpus, embedder)
    if reason is None:
        try:
            HybridIndex.load(Path(settings.index_dir), settings, corpus.fingerprint, embedder)
            return False
        except IndexStateError as exc:
            reason = str(exc)
    if not quiet:
        print(f"pns: building the index ({reason})", file=sys.stderr)
    build_index(settings, Corpus.load(settings, detect_languages=True), embedder, progress)
    return True


def open_index(settings: Settings, corpus: Corpus) -> HybridIndex:
    """Load the current index for this corpus; IndexStateError with what to run when it is not usable."""
    return HybridIndex.load(Path(settings.index_dir), settings, corpus.fingerprint, embedder_for(settings))
