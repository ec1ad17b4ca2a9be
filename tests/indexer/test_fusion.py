"""Reciprocal rank fusion: exact order, exact fused scores, weights, ties and each hit's score breakdown."""

from __future__ import annotations

from indexer.fusion import reciprocal_rank_fusion
from pns.types import Hit

RANKINGS = {
    "bm25": [("a", 5.0), ("b", 4.0), ("c", 3.0)],
    "dense": [("b", 0.9), ("d", 0.8), ("a", 0.7)],
}


def test_exact_order_and_scores_with_k_60() -> None:
    hits = reciprocal_rank_fusion(RANKINGS, {"bm25": 1.0, "dense": 1.0}, k=60)
    # b: 1/62 + 1/61 = 0.0325225; a: 1/61 + 1/63 = 0.0322665; d: 1/62 = 0.0161290; c: 1/63 = 0.0158730
    assert [h.unit_id for h in hits] == ["b", "a", "d", "c"]
    assert [h.score for h in hits] == [0.032522, 0.032266, 0.016129, 0.015873]
    assert hits[0].score == round(1 / 62 + 1 / 61, 6)


def test_breakdown_fields_of_each_hit() -> None:
    hits = {h.unit_id: h for h in reciprocal_rank_fusion(RANKINGS, {"bm25": 1.0, "dense": 1.0}, k=60)}
    assert hits["b"] == Hit("b", 0.032522, "hybrid", bm25_rank=2, bm25_score=4.0, dense_rank=1,
                            dense_score=0.9)
    assert hits["a"] == Hit("a", 0.032266, "hybrid", bm25_rank=1, bm25_score=5.0, dense_rank=3,
                            dense_score=0.7)
    assert hits["c"] == Hit("c", 0.015873, "hybrid", bm25_rank=3, bm25_score=3.0, dense_rank=None,
                            dense_score=None)
    assert hits["d"] == Hit("d", 0.016129, "hybrid", bm25_rank=None, bm25_score=None, dense_rank=2,
                            dense_score=0.8)
    assert hits["b"].to_dict() == {"unit_id": "b", "score": 0.032522, "retriever": "hybrid", "bm25_rank": 2,
                                   "bm25_score": 4.0, "dense_rank": 1, "dense_score": 0.9}


def test_weights_change_the_order() -> None:
    hits = reciprocal_rank_fusion(RANKINGS, {"bm25": 2.0, "dense": 1.0}, k=60)
    # a: 2/61 + 1/63 = 0.0486600; b: 2/62 + 1/61 = 0.0486516; c: 2/63 = 0.0317460; d: 1/62 = 0.0161290
    assert [h.unit_id for h in hits] == ["a", "b", "c", "d"]
    assert [h.score for h in hits] == [0.04866, 0.048652, 0.031746, 0.016129]


def test_missing_weight_counts_as_one_and_zero_weight_removes_a_retriever() -> None:
    assert reciprocal_rank_fusion(RANKINGS, {}, k=60) == reciprocal_rank_fusion(
        RANKINGS, {"bm25": 1.0, "dense": 1.0}, k=60)
    hits = reciprocal_rank_fusion(RANKINGS, {"bm25": 1.0, "dense": 0.0}, k=60)
    # only the bm25 ranks count; d (dense only) scores 0 but is still listed, with its dense breakdown
    assert [(h.unit_id, h.score) for h in hits] == [("a", 0.016393), ("b", 0.016129), ("c", 0.015873),
                                                    ("d", 0.0)]
    assert hits[-1].dense_rank == 2


def test_k_constant() -> None:
    hits = reciprocal_rank_fusion(RANKINGS, {"bm25": 1.0, "dense": 1.0}, k=1)
    # b: 1/3 + 1/2 = 0.833333; a: 1/2 + 1/4 = 0.75; d: 1/3; c: 1/4
    assert [(h.unit_id, h.score) for h in hits] == [("b", 0.833333), ("a", 0.75), ("d", 0.333333),
                                                    ("c", 0.25)]


def test_ties_keep_first_appearance_bm25_then_dense() -> None:
    # x and y both score 1/61 + 1/62: x appears first (bm25 rank 1), so it comes first.
    hits = reciprocal_rank_fusion({"bm25": [("x", 2.0), ("y", 1.0)], "dense": [("y", 0.9), ("x", 0.8)]},
                                  {"bm25": 1.0, "dense": 1.0}, k=60)
    assert [h.unit_id for h in hits] == ["x", "y"]
    assert hits[0].score == hits[1].score == round(1 / 61 + 1 / 62, 6)
    # p (bm25 only) and q (dense only) both score 1/62; p was seen first
    hits = reciprocal_rank_fusion({"bm25": [("z", 3.0), ("p", 2.0)], "dense": [("z", 0.9), ("q", 0.8)]},
                                  {"bm25": 1.0, "dense": 1.0}, k=60)
    assert [h.unit_id for h in hits] == ["z", "p", "q"]


def test_single_retriever_and_empty_input() -> None:
    hits = reciprocal_rank_fusion({"bm25": [("a", 1.0)], "dense": []}, {"bm25": 1.0, "dense": 1.0})
    assert hits == [Hit("a", round(1 / 61, 6), "hybrid", bm25_rank=1, bm25_score=1.0)]
    assert reciprocal_rank_fusion({"bm25": [], "dense": []}, {"bm25": 1.0, "dense": 1.0}) == []


def test_a_third_ranking_adds_to_the_score() -> None:
    # the assistant adds a "route" ranking (the named theme's passages) with its own weight
    rankings = {**RANKINGS, "route": [("c", 0.5), ("a", 0.4)]}
    hits = reciprocal_rank_fusion(rankings, {"bm25": 1.0, "dense": 1.0, "route": 2.0}, k=60)
    # a: 1/61 + 1/63 + 2/62 = 0.0645245; c: 1/63 + 2/61 = 0.0486599; b: 0.0325225; d: 1/62 = 0.0161290
    assert [(h.unit_id, h.score) for h in hits] == [("a", 0.064525), ("c", 0.04866), ("b", 0.032522),
                                                    ("d", 0.016129)]
    assert (hits[1].bm25_rank, hits[1].dense_rank) == (3, None)
