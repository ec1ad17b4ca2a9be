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

    built = ensure_index(settings, rebuild=rebuild, progress=progress, quiet=quiet)
    corpus = Corpus.load(settings, detect_languages=False)
    index = open_index(settings, corpus)
    reason = "the index was rebuilt" if built else abstention_status(index)
    if reason is None:
        return {"index_built": built, "abstention": None}
    if not quiet:
        print(f"pns: fitting the out-of-scope decision ({reason})", file=sys.stderr)
    from indexer.cache import EmbeddingCache

    start = time.perf_counter()
    cache = EmbeddingCache(settings.cache_path / "embeddings.sqlite")
    try:
        model, background, report = fit_for(Assistant(settings, corpus, index), cache=cache)
    finally:
        cache.close()
    save_abstention(index, model, background)
    return {"index_built": built, "abstention": {**report, "seconds": round(time.perf_counter() - start, 2),
                                                 "file": str(Path(index.folder) / "abstention.json")}}
