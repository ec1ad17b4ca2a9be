"""Reciprocal rank fusion: a pure function, so its order can be asserted exactly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pns.types import Hit


def reciprocal_rank_fusion(rankings: Mapping[str, Sequence[tuple[str, float]]], weights: Mapping[str, float],
                           k: int = 60) -> list[Hit]:
    """Fuse ranked lists of (id, score) from named retrievers ("bm25", "dense").

    score(id) = sum over retrievers of weight / (k + rank), rank 1-based. Ties keep the order of first appearance,
    reading the rankings in the order given, so results are deterministic. The breakdown of each hit records the
    bm25 and dense ranks and scores; other rankings (such as the assistant's theme ranking) add to the score only.
    """
    fused: dict[str, float] = {}
    detail: dict[str, dict[str, float | int]] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 1.0)
        for rank, (unit_id, score) in enumerate(ranking, start=1):
            fused[unit_id] = fused.get(unit_id, 0.0) + weight / (k + rank)
            detail.setdefault(unit_id, {})[f"{name}_rank"] = rank
            detail[unit_id][f"{name}_score"] = score
    order = {uid: i for i, uid in enumerate(fused)}
    ranked = sorted(fused, key=lambda uid: (-fused[uid], order[uid]))
    return [Hit(uid, round(fused[uid], 6), "hybrid",
                bm25_rank=detail[uid].get("bm25_rank"), bm25_score=detail[uid].get("bm25_score"),
                dense_rank=detail[uid].get("dense_rank"), dense_score=detail[uid].get("dense_score"))
            for uid in ranked]
