"""Metrics on tiny hand-computed inputs."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from eval.metrics import (
    QuestionResult,
    aggregate,
    breakdown,
    hit_at_k,
    mean,
    ndcg_at_k,
    percentile,
    recall_at_k,
    reciprocal_rank,
    set_precision_recall,
)

ABC = ["a", "b", "c"]


def test_one_relevant_at_rank_two():
    assert hit_at_k(ABC, {"b"}, 1) == 0.0
    assert hit_at_k(ABC, {"b"}, 3) == 1.0
    assert reciprocal_rank(ABC, {"b"}) == 0.5
    assert recall_at_k(ABC, {"b"}, 1) == 0.0
    assert recall_at_k(ABC, {"b"}, 2) == 1.0
    # DCG = 1/log2(3), ideal DCG = 1.
    assert ndcg_at_k(ABC, {"b"}) == pytest.approx(0.6309297535714575)


def test_two_relevant():
    ranked = ["a", "b", "c", "d"]
    assert recall_at_k(ranked, {"a", "c"}, 2) == 0.5
    assert recall_at_k(ranked, {"a", "c"}, 3) == 1.0
    assert reciprocal_rank(ranked, {"c", "d"}) == pytest.approx(1 / 3)
    # DCG = 1 + 1/log2(4) = 1.5; ideal = 1 + 1/log2(3) = 1.6309...
    assert ndcg_at_k(ranked, {"a", "c"}) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    assert ndcg_at_k(ranked, {"a", "c"}) == pytest.approx(0.9197207891481876)
    # Ideal is min(k, |relevant|) = 1 one, so the top hit alone is perfect at k=1.
    assert ndcg_at_k(ranked, {"a", "c"}, k=1) == 1.0
    # One relevant id never retrieved still counts in the ideal: 0.5 / 1.6309...
    assert ndcg_at_k(ABC, {"c", "x"}) == pytest.approx(0.5 / (1 + 1 / math.log2(3)))


def test_empty_ranked_and_empty_relevant():
    for relevant in ({"a"}, set()):
        assert hit_at_k([], relevant, 5) == 0.0
        assert reciprocal_rank([], relevant) == 0.0
        assert recall_at_k([], relevant, 5) == 0.0
        assert ndcg_at_k([], relevant) == 0.0
    assert recall_at_k(ABC, set(), 3) == 0.0
    assert ndcg_at_k(ABC, set()) == 0.0


def test_k_larger_than_list_and_cut_off():
    assert hit_at_k(ABC, {"c"}, 100) == 1.0
    assert reciprocal_rank(ABC, {"c"}, k=100) == pytest.approx(1 / 3)
    assert reciprocal_rank(ABC, {"c"}, k=2) == 0.0
    assert hit_at_k(ABC, {"c"}, 2) == 0.0


def test_duplicate_ids_count_once():
    assert ndcg_at_k(["b", "b"], {"b"}) == 1.0
    assert recall_at_k(["b", "b"], {"b", "c"}, 2) == 0.5


def test_k_below_one_is_refused():
    with pytest.raises(ValueError, match="k must be at least 1, got 0"):
        hit_at_k(ABC, {"a"}, 0)


def test_set_precision_recall():
    assert set_precision_recall(["a", "b", "c"], ["b", "c", "d", "e"]) == (2 / 3, 0.5)
    assert set_precision_recall([], []) == (1.0, 1.0)
    assert set_precision_recall([], ["a"]) == (0.0, 0.0)
    assert set_precision_recall(["a"], []) == (0.0, 1.0)
    assert set_precision_recall(["a", "a"], ["a"]) == (1.0, 1.0)


def test_mean_and_percentile():
    assert mean([]) == 0.0
    assert mean([1.0, 2.0, 6.0]) == 3.0
    assert mean(x for x in (1.0, 2.0)) == 1.5
    assert percentile([], 50) == 0.0
    assert percentile([7.0], 95) == 7.0
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 2.5
    assert percentile(values, 95) == pytest.approx(3.85)  # position 3 * 0.95 = 2.85 -> 3 + 0.85
    assert percentile(values, 100) == 4.0
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile(values, 101)


def _result(qid: str, **changes: object) -> QuestionResult:
    base = QuestionResult(
        question_id=qid,
        language="fr",
        intent="free",
        difficulty="easy",
        theme="B5",
        mode="assistant",
        ranked=(),
        cited=(),
        expected=(),
        expected_group=None,
        abstained=False,
        expect_abstain=False,
        citations_valid=True,
        latency_ms=0.0,
    )
    return replace(base, **changes)


# Six questions: three single-objective (q1, q2, q5), two list (q3, q6), one out of scope (q4).
RESULTS = [
    # Relevant at rank 2: hit@1 0, hit@3 1, RR 0.5, nDCG 1/log2(3), recall 1.
    _result("q1", language="en", ranked=("o1", "o2", "o3"), cited=("o2",), expected=("o2",), latency_ms=10.0),
    # Relevant at rank 1: everything 1.
    _result(
        "q2",
        intent="objective",
        difficulty="hard",
        ranked=("o5", "o9"),
        cited=("o5",),
        expected=("o5",),
        latency_ms=20.0,
    ),
    # List: 2 of 3 cited are expected, both expected cited -> P 2/3, R 1.
    _result(
        "q3",
        intent="list",
        theme="B4",
        expected_group="B4.2",
        ranked=("o7", "o8", "o6"),
        cited=("o7", "o8", "o6"),
        expected=("o6", "o7"),
        latency_ms=30.0,
    ),
    # Out of scope, rightly abstained.
    _result("q4", language="nl", theme="", abstained=True, expect_abstain=True, latency_ms=40.0),
    # In scope but abstained: a miss and a false abstention; its citations are flagged invalid.
    _result(
        "q5",
        language="en",
        theme="B4",
        ranked=("o1", "o2"),
        expected=("o4",),
        abstained=True,
        citations_valid=False,
        latency_ms=50.0,
    ),
    # Follow-up about a group: 1 cited, 1 of 2 expected -> P 1, R 0.5.
    _result(
        "q6",
        language="en",
        intent="followup",
        expected_group="B5",
        ranked=("o1",),
        cited=("o1",),
        expected=("o1", "o2"),
        latency_ms=60.0,
    ),
]


def test_aggregate_by_hand():
    assert aggregate(RESULTS) == pytest.approx(
        {
            "n": 6,
            "n_single": 3,
            "n_list": 2,
            "n_out_of_scope": 1,
            "n_in_scope": 5,
            "hit@1": 1 / 3,  # q2 only
            "hit@3": 2 / 3,  # q1, q2
            "hit@5": 2 / 3,
            "mrr@10": (0.5 + 1 + 0) / 3,  # 0.5
            "ndcg@10": (1 / math.log2(3) + 1 + 0) / 3,  # 0.5436...
            "recall@10": 2 / 3,
            "list_precision": (2 / 3 + 1) / 2,  # 5/6
            "list_recall": (1 + 0.5) / 2,  # 0.75
            "abstention_accuracy": 1.0,  # q4
            "false_abstention_rate": 1 / 5,  # q5 of five in scope
            "citation_validity": 5 / 6,
            "latency_p50_ms": 35.0,  # between 30 and 40
            "latency_p95_ms": 57.5,  # position 5 * 0.95 = 4.75 -> 50 + 0.75 * 10
            "latency_max_ms": 60.0,
        }
    )
    assert aggregate(RESULTS)["mrr@10"] == 0.5


def test_aggregate_of_nothing_is_counts_and_none():
    summary = aggregate([])
    assert summary["n"] == 0
    assert summary["hit@1"] is None
    assert summary["latency_p95_ms"] is None
    assert summary["citation_validity"] is None


def test_followup_without_group_is_single_and_out_of_scope_is_not_a_list():
    # "plus de détails sur le 3" asks for one objective: it is ranked like an objective question.
    results = [
        _result("f", intent="followup", ranked=("b", "a"), cited=("a",), expected=("a",)),
        _result("l", intent="list", expected=("a",), expect_abstain=True, abstained=False),
    ]
    summary = aggregate(results)
    assert summary["n_list"] == 0
    assert summary["n_single"] == 1
    assert summary["hit@1"] == 0.0
    assert summary["hit@3"] == 1.0
    assert summary["abstention_accuracy"] == 0.0
    assert summary["false_abstention_rate"] == 0.0


def test_breakdown_by_language():
    by_language = breakdown(RESULTS, "language")
    assert list(by_language) == ["en", "fr", "nl"]
    en, fr, nl = by_language["en"], by_language["fr"], by_language["nl"]
    assert (en["n"], en["n_single"], en["n_list"]) == (3, 2, 1)  # q1, q5 single; q6 list
    assert en["hit@1"] == 0.0
    assert en["hit@3"] == 0.5
    assert en["list_precision"] == 1.0
    assert en["false_abstention_rate"] == pytest.approx(1 / 3)
    assert (fr["n"], fr["hit@1"], fr["list_recall"]) == (2, 1.0, 1.0)
    assert (nl["n"], nl["hit@1"], nl["abstention_accuracy"]) == (1, None, 1.0)


def test_breakdown_by_theme_keeps_empty_value_and_refuses_unknown_key():
    assert list(breakdown(RESULTS, "theme")) == ["", "B4", "B5"]
    assert breakdown([], "mode") == {}
    with pytest.raises(ValueError, match="cannot break results down by 'colour'"):
        breakdown(RESULTS, "colour")
