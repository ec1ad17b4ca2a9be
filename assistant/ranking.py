"""Fitting the learned ranker (indexer.ranker) on the assistant's own free-question path, and loading it.

Training data: ``corpus/relevance.jsonl``, questions of the development sets with the objectives they expect (never
a held-out set). Each question goes through the same routing, fusion and goal weighting as an answer, so the
features the model learns on are the ones it sees at answer time. `pns index` fits it after the index and before
the out-of-scope decision, which reads the ranking it produces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from indexer.ranker import Ranker, data_sha256, feature_names, fit, load_relevance
from pns.errors import IndexStateError, stale_reason

RELEVANCE = Path(__file__).resolve().parent.parent / "corpus" / "relevance.jsonl"  # the shipped corpus's


def relevance_path(settings: Any) -> Path:
    """The corpus folder's ``relevance.jsonl``; the shipped one when that folder has none."""
    from assistant.abstain import corpus_data

    return corpus_data(settings, RELEVANCE)


def _expected_meta(index: Any) -> dict[str, Any]:
    from assistant.abstain import index_key

    return {"index": index_key(index), "data": data_sha256(load_relevance(relevance_path(index.settings))),
            "depth": index.settings.ranker_depth, "l2": index.settings.ranker_l2}


def load_ranker(index: Any) -> Ranker:
    """The ranker stored with the index; IndexStateError (run `pns index`) when missing, damaged or fitted on
    another index, other data or other fitting settings."""
    ranker = Ranker.load(Path(index.folder))
    expected = _expected_meta(index)
    if {k: ranker.meta.get(k) for k in expected} != expected \
            or list(ranker.names) != feature_names(index.signals):
        raise IndexStateError(f"the learned ranker in {index.folder} was fitted on another index, other labelled "
                              "questions or other ranker settings; run `pns index`")
    return ranker


def ranker_status(index: Any) -> str | None:
    """None when the stored ranker is current, else why it must be refitted."""
    return stale_reason(lambda: load_ranker(index))


def fit_ranker(assistant: Any, cache: Any = None) -> Ranker:
    """Fit the ranker on the labelled questions through ``assistant`` (whose own ranker is not applied).

    When no labelled question expects a passage of this corpus, the stored ranker has zero weights (fusion order)
    and says so in its meta ("fitted": false), which `pns index` reports.
    """
    from assistant.abstain import embed_queries
    from assistant.understanding import clean_question, retrieval_text
    from corpus.language import detect_language

    index, settings = assistant.index, assistant.settings
    rows = load_relevance(relevance_path(settings))
    texts = [clean_question(r["question"], settings.max_question_chars)[0] for r in rows]
    queries = [retrieval_text(t) for t in texts]
    vectors = embed_queries(index, queries, cache)
    groups = []
    for i, (row, text) in enumerate(zip(rows, texts, strict=True)):
        language = detect_language(text, fallback="fr", allowed=("fr", "nl", "en"))
        route, _ = assistant.free_context(text)
        hits, units = assistant.candidates(queries[i], language, {s: v[i] for s, v in vectors.items()}, route)
        head = hits[:settings.ranker_depth]
        expected = set(row["expected"])
        y = np.array([1.0 if h.passage_id in expected else 0.0 for h in head])
        groups.append((assistant.candidate_features(head, units), y))
    names = feature_names(index.signals)
    meta = {**_expected_meta(index), "fitted": True}
    try:
        return fit(groups, names, settings.ranker_l2, meta)
    except ValueError as exc:
        zeros = np.zeros(len(names))
        return Ranker(tuple(names), zeros, zeros, np.ones(len(names)),
                      {**meta, "fitted": False, "reason": str(exc), "questions": 0})
