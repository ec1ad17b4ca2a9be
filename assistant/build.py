"""Everything the assistant needs on disk: the index (indexer.build) and, beside it, the fitted out-of-scope model.

`pns index`, `pns serve` and `make run` call `ensure_ready`, so a fresh clone builds both, and an index rebuilt for
any reason gets its decision refitted on it (the model records the index version it was fitted on).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pns.settings import Settings


def ensure_ready(settings: Settings, rebuild: bool = False, progress: Callable[[str], Any] | None = None,
                 quiet: bool = False) -> dict[str, Any]:
    """Build the index when needed, then (re)fit the out-of-scope model when it is missing or stale.

    Returns what was done: {"index_built": bool, "abstention": None or the cross-validation figures}.
    """
    from assistant.abstain import abstention_status, fit_for, save_abstention
    from assistant.service import Assistant
    from corpus.catalogue import Corpus
    from indexer.build import ensure_index, open_index

    previous = _stored_model(settings)
    previous_ranker = _stored_ranker(settings)
    start = time.perf_counter()
    built = ensure_index(settings, rebuild=rebuild, progress=progress, quiet=quiet)
    index_seconds = round(time.perf_counter() - start, 2)
    corpus = Corpus.load(settings, detect_languages=False)
    index = open_index(settings, corpus)
    # ranker = false: nothing reads a ranker, so none is fitted (turning it on later makes `pns index` fit one)
    ranker, ranking = (_ensure_ranker(settings, corpus, index, previous_ranker, quiet) if settings.ranker
                       else (None, None))
    if built and previous is not None:
        save_abstention(index, *previous)  # kept only if it was fitted on an identical index and the same data
    reason = abstention_status(index)
    if reason is None:
        return {"index_built": built, "index_seconds": index_seconds, "ranker": ranking, "abstention": None}
    if not quiet:
        # this is the refit the reason's own advice ("run `pns index`") asks for: say why, not what to run
        why = "for the new index" if built else f"({reason.removesuffix('; run `pns index`')})"
        print(f"pns: fitting the out-of-scope decision {why} on the labelled questions", file=sys.stderr)
    from indexer.cache import EmbeddingCache

    start = time.perf_counter()
    cache = EmbeddingCache(settings.cache_path / "embeddings.sqlite")
    try:
        model, background, report = fit_for(Assistant(settings, corpus, index, ranker=ranker), cache=cache)
    finally:
        cache.close()
    save_abstention(index, model, background)
    return {"index_built": built, "index_seconds": index_seconds, "ranker": ranking, "abstention": {**report, "seconds": round(time.perf_counter() - start, 2),
                                                 "file": str(Path(index.folder) / "abstention.json")}}


def _ensure_ranker(settings: Settings, corpus: Any, index: Any, previous: Any,
                   quiet: bool) -> tuple[Any, dict[str, Any] | None]:
    """The index's current learned ranker, fitted when it has none (an identical rebuild keeps the previous one),
    and what the fit did (None when nothing was fitted)."""
    from assistant.ranking import fit_ranker, load_ranker
    from assistant.service import Assistant
    from indexer.cache import EmbeddingCache
    from pns.errors import IndexStateError

    for kept in (None,) if previous is None else (None, previous):
        if kept is not None:
            kept.save(Path(index.folder))
        try:
            return load_ranker(index), None
        except IndexStateError:
            pass
    if not quiet:
        print("pns: fitting the learned ranker on the labelled questions", file=sys.stderr)
    start = time.perf_counter()
    cache = EmbeddingCache(settings.cache_path / "embeddings.sqlite")
    try:
        ranker = fit_ranker(Assistant(settings, corpus, index), cache=cache)
    finally:
        cache.close()
    ranker.save(Path(index.folder))
    return ranker, {"fitted": ranker.meta["fitted"], "questions": ranker.meta["questions"],
                    "reason": ranker.meta.get("reason"), "seconds": round(time.perf_counter() - start, 2)}


def _stored_ranker(settings: Settings) -> Any:
    """The learned ranker of the live index folder, read before a rebuild replaces it."""
    from indexer.ranker import Ranker
    from indexer.store import HybridIndex
    from pns.errors import IndexStateError

    try:
        return Ranker.load(HybridIndex.current_folder(Path(settings.index_dir)))
    except (IndexStateError, OSError, ValueError):
        return None


def _stored_model(settings: Settings) -> tuple[Any, Any] | None:
    """The out-of-scope model and vectors of the live index folder, read before a rebuild replaces it."""
    from assistant.abstain import AbstentionModel, read_references
    from indexer.store import HybridIndex
    from pns.errors import IndexStateError

    try:
        folder = HybridIndex.current_folder(Path(settings.index_dir))
        return AbstentionModel.load(folder), read_references(folder)
    except (IndexStateError, OSError, ValueError):
        return None
