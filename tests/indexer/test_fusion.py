"""Fusion at passage level: best view per passage, min-max normalisation, convex combination and RRF, exact values."""

from __future__ import annotations

import pytest

from indexer.fusion import best_per_passage, fuse, normalise, single
from pns.types import Hit, SignalScore

# (passage, unit, score), best first; "a" is found by BM25 through its "@text" view.
RANKINGS = {
    "bm25": [("a", "a@text", 5.0), ("b", "b", 4.0), ("c", "c", 3.0)],
    "e5": [("b", "b", 0.9), ("d", "d", 0.8), ("a", "a", 0.7)],
}


def test_best_per_passage_keeps_each_passage_once_by_its_best_unit() -> None:
    ranking = [("p1@text", 0.9), ("p2", 0.8), ("p1", 0.7), ("p3#2", 0.6), ("p3#1", 0.5)]
    passage_of = {"p1@text": "p1", "p1": "p1", "p2": "p2", "p3#1": "p3", "p3#2": "p3"}
    assert best_per_passage(ranking, passage_of) == [("p1", "p1@text", 0.9), ("p2", "p2", 0.8),
                                                     ("p3", "p3#2", 0.6)]
    assert best_per_passage([], passage_of) == []


def test_normalise_is_min_max_over_the_ranking() -> None:
    assert normalise(RANKINGS["bm25"]) == {"a": 1.0, "b": 0.5, "c": 0.0}
    assert normalise([("x", "x", 2.0)]) == {"x": 1.0}
    assert normalise([("x", "x", 2.0), ("y", "y", 2.0)]) == {"x": 1.0, "y": 1.0}
    assert normalise([]) == {}


def test_convex_exact_order_and_scores() -> None:
    hits = fuse(RANKINGS, {"bm25": 0.4, "e5": 0.6})
    # b: 0.4*0.5 + 0.6*1.0 = 0.8; a: 0.4*1.0 + 0.6*0.0 = 0.4; d: 0.6*0.5 = 0.3; c: 0.4*0.0 = 0.0
    assert [(h.passage_id, h.score) for h in hits] == [("b", 0.8), ("a", 0.4), ("d", 0.3), ("c", 0.0)]


def test_breakdown_and_shown_unit_of_each_hit() -> None:
    hits = {h.passage_id: h for h in fuse(RANKINGS, {"bm25": 0.4, "e5": 0.6})}
    assert hits["a"] == Hit("a", "a@text", 0.4, "hybrid", {"bm25": SignalScore(1, 5.0, "a@text"),
                                                           "e5": SignalScore(3, 0.7, "a")})
    assert hits["d"] == Hit("d", "d", 0.3, "hybrid", {"e5": SignalScore(2, 0.8, "d")})
    assert (hits["d"].rank("bm25"), hits["d"].signal_score("bm25"), hits["d"].rank("e5")) == (None, None, 2)
    assert hits["b"].to_dict() == {
        "passage_id": "b", "unit_id": "b", "score": 0.8, "retriever": "hybrid",
        "signals": {"bm25": {"rank": 2, "score": 4.0, "unit": "b"}, "e5": {"rank": 1, "score": 0.9, "unit": "b"}}}


def test_a_strong_lexical_match_wins_with_scores_and_loses_with_ranks() -> None:
    # "mendicité": only BM25 finds passage m, by a wide margin; the encoders prefer x a little.
    rankings = {"bm25": [("m", "m", 3.5), ("x", "x", 1.3), ("y", "y", 1.2)],
                "e5": [("x", "x", 0.85), ("y", "y", 0.84), ("m", "m", 0.80)]}
    convex = fuse(rankings, {"bm25": 0.5, "e5": 0.5})
    # normalised: bm25 m 1, x 0.1/2.3 = 0.043478, y 0; e5 x 1, y 0.8, m 0
    # m: 0.5*1 = 0.5; x: 0.5*0.043478 + 0.5*1 = 0.521739; y: 0.5*0.8 = 0.4
    assert [(h.passage_id, h.score) for h in convex] == [("x", 0.521739), ("m", 0.5), ("y", 0.4)]
    weighted = fuse(rankings, {"bm25": 0.6, "e5": 0.4})
    # m: 0.6; x: 0.6*0.043478 + 0.4 = 0.426087; y: 0.4*0.8 = 0.32
    assert [(h.passage_id, h.score) for h in weighted] == [("m", 0.6), ("x", 0.426087), ("y", 0.32)]
    rrf = fuse(rankings, {"bm25": 0.6, "e5": 0.4}, method="rrf")
    # x: 0.6/62 + 0.4/61 = 0.016235; m: 0.6/61 + 0.4/63 = 0.016185; y: 0.6/63 + 0.4/62 = 0.015975
    assert [h.passage_id for h in rrf] == ["x", "m", "y"]


def test_rrf_exact_scores_with_k_60_and_k_1() -> None:
    hits = fuse(RANKINGS, {"bm25": 1.0, "e5": 1.0}, method="rrf", rrf_k=60)
    # b: 1/62 + 1/61 = 0.0325225; a: 1/61 + 1/63 = 0.0322665; d: 1/62 = 0.0161290; c: 1/63 = 0.0158730
    assert [(h.passage_id, h.score) for h in hits] == [("b", 0.032522), ("a", 0.032266), ("d", 0.016129),
                                                       ("c", 0.015873)]
    hits = fuse(RANKINGS, {"bm25": 1.0, "e5": 1.0}, method="rrf", rrf_k=1)
    assert [(h.passage_id, h.score) for h in hits] == [("b", 0.833333), ("a", 0.75), ("d", 0.333333),
                                                       ("c", 0.25)]


def test_missing_weight_counts_as_one_and_zero_weight_keeps_the_breakdown() -> None:
    assert fuse(RANKINGS, {}) == fuse(RANKINGS, {"bm25": 1.0, "e5": 1.0})
    hits = fuse(RANKINGS, {"bm25": 1.0, "e5": 0.0})
    assert [(h.passage_id, h.score) for h in hits] == [("a", 1.0), ("b", 0.5), ("c", 0.0), ("d", 0.0)]
    assert hits[-1].rank("e5") == 2


def test_ties_keep_first_appearance() -> None:
    # x and y both score 0.5 (each first for one signal): x appears first, in the first ranking.
    hits = fuse({"bm25": [("x", "x", 2.0), ("y", "y", 1.0)], "e5": [("y", "y", 0.9), ("x", "x", 0.8)]},
                {"bm25": 0.5, "e5": 0.5})
    assert [(h.passage_id, h.score) for h in hits] == [("x", 0.5), ("y", 0.5)]


def test_a_third_ranking_adds_to_the_score() -> None:
    # the assistant adds a "route" ranking (the named theme's passages) with its own weight
    rankings = {**RANKINGS, "route": [("c", "c", 0.5), ("a", "a", 0.4)]}
    hits = fuse(rankings, {"bm25": 0.4, "e5": 0.6, "route": 0.5})
    # b 0.8; c: 0 + 0.5*1 = 0.5; a: 0.4 + 0 = 0.4; d 0.3
    assert [(h.passage_id, h.score) for h in hits] == [("b", 0.8), ("c", 0.5), ("a", 0.4), ("d", 0.3)]
    assert hits[1].unit_id == "c" and hits[1].rank("route") == 1


def test_single_signal_and_empty_input_and_unknown_method() -> None:
    assert single("bm25", RANKINGS["bm25"][:1]) == [Hit("a", "a@text", 5.0, "bm25",
                                                        {"bm25": SignalScore(1, 5.0, "a@text")})]
    assert fuse({"bm25": [], "e5": []}, {"bm25": 1.0, "e5": 1.0}) == []
    with pytest.raises(ValueError, match="unknown fusion 'max'"):
        fuse(RANKINGS, {}, method="max")
