"""Evaluation metrics: pure functions over ranked and cited ids, and their aggregation per question set.

Everything here is plain Python so the metrics can be checked by hand on tiny inputs. Ids are compared as
strings; a relevant id counts once, at its first position in a ranking, so a duplicated hit cannot push a
score above 1.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

SINGLE_INTENTS = frozenset({"free", "objective"})
LIST_INTENTS = frozenset({"list", "actor"})


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}; pass the rank cut-off, e.g. k=10")


def _first_hits(ranked: Sequence[str], relevant: Collection[str], k: int) -> list[int]:
    """1-based positions, within the top k, of the first occurrence of each relevant id."""
    _check_k(k)
    wanted = set(relevant)
    seen: set[str] = set()
    positions = []
    for position, item in enumerate(ranked[:k], start=1):
        if item in wanted and item not in seen:
            seen.add(item)
            positions.append(position)
    return positions


def hit_at_k(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """1.0 if any relevant id is in the top k, else 0.0."""
    return 1.0 if _first_hits(ranked, relevant, k) else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: Collection[str], k: int = 10) -> float:
    """1 / rank of the first relevant id within the top k, 0.0 if there is none."""
    positions = _first_hits(ranked, relevant, k)
    return 1.0 / positions[0] if positions else 0.0


def recall_at_k(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Share of the distinct relevant ids found in the top k; 0.0 when nothing is relevant."""
    positions = _first_hits(ranked, relevant, k)
    wanted = set(relevant)
    return len(positions) / len(wanted) if wanted else 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: Collection[str], k: int = 10) -> float:
    """Normalised DCG with binary gains and a log2(rank + 1) discount.

    The ideal ranking puts min(k, |relevant|) relevant ids first, so finding all of a long list is not
    required for a perfect score when k is smaller than the list. 0.0 when nothing is relevant.
    """
    positions = _first_hits(ranked, relevant, k)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, len(set(relevant))) + 1))
    if ideal == 0.0:
        return 0.0
    return sum(1.0 / math.log2(rank + 1) for rank in positions) / ideal


def set_precision_recall(cited: Collection[str], expected: Collection[str]) -> tuple[float, float]:
    """Precision and recall of the cited ids against the expected ones, as sets.

    Both are 1.0 when nothing was expected and nothing cited (the right answer is an empty list). Citing
    nothing when something was expected gives (0.0, 0.0); citing something when nothing was expected gives
    precision 0.0 and recall 1.0 (nothing was missed).
    """
    cited_set, expected_set = set(cited), set(expected)
    if not cited_set and not expected_set:
        return 1.0, 1.0
    found = len(cited_set & expected_set)
    precision = found / len(cited_set) if cited_set else 0.0
    recall = found / len(expected_set) if expected_set else 1.0
    return precision, recall


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean; 0.0 for no values, so an empty slice of the question set never crashes a run."""
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (q in 0-100) with linear interpolation between ranks, as numpy's default; 0.0 if empty."""
    if not 0 <= q <= 100:
        raise ValueError(f"q must be between 0 and 100, got {q}")
    items = sorted(values)
    if not items:
        return 0.0
    position = (len(items) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(items) - 1)
    return items[low] + (items[high] - items[low]) * (position - low)


@dataclass(frozen=True)
class QuestionResult:
    """One question as run in one mode: what was ranked and cited, what was expected, and how long it took.

    ``ranked`` drives the ranking metrics, ``cited`` the list precision/recall; for the retrievers alone
    ("bm25", "dense", "hybrid") the caller may pass the same ids for both.
    """

    question_id: str
    language: str
    intent: str
    difficulty: str
    theme: str
    mode: str
    ranked: tuple[str, ...]
    cited: tuple[str, ...]
    expected: tuple[str, ...]
    expected_group: str | None
    abstained: bool
    expect_abstain: bool
    citations_valid: bool
    latency_ms: float


def is_single_objective(result: QuestionResult) -> bool:
    """A free or objective question with a known answer: the one the ranking metrics are defined for."""
    if result.expect_abstain or not result.expected:
        return False
    # A follow-up such as "plus de détails sur le 3" asks for one objective, like an objective question.
    return result.intent in SINGLE_INTENTS or (result.intent == "followup" and not result.expected_group)


def is_list_question(result: QuestionResult) -> bool:
    """A question whose answer is a set of ids: a list, an actor, or a follow-up about a group."""
    if result.expect_abstain:
        return False
    return result.intent in LIST_INTENTS or (result.intent == "followup" and bool(result.expected_group))


def _mean_or_none(values: list[float]) -> float | None:
    """None rather than 0.0 when a slice holds no question of the kind, so "none asked" never reads as "all wrong"."""
    return mean(values) if values else None


def aggregate(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """Headline metrics of a set of results; each metric is None when no question of its kind is present.

    Ranking metrics are over single-objective questions, list precision/recall over list questions,
    abstention accuracy over out-of-scope questions (``expect_abstain``) and the false-abstention rate over
    the others; citation validity and latency are over all.
    """
    single = [r for r in results if is_single_objective(r)]
    lists = [set_precision_recall(r.cited, r.expected) for r in results if is_list_question(r)]
    out_of_scope = [r for r in results if r.expect_abstain]
    in_scope = [r for r in results if not r.expect_abstain]
    latencies = [r.latency_ms for r in results]
    return {
        "n": len(results),
        "n_single": len(single),
        "n_list": len(lists),
        "n_out_of_scope": len(out_of_scope),
        "n_in_scope": len(in_scope),
        "hit@1": _mean_or_none([hit_at_k(r.ranked, r.expected, 1) for r in single]),
        "hit@3": _mean_or_none([hit_at_k(r.ranked, r.expected, 3) for r in single]),
        "hit@5": _mean_or_none([hit_at_k(r.ranked, r.expected, 5) for r in single]),
        "mrr@10": _mean_or_none([reciprocal_rank(r.ranked, r.expected, 10) for r in single]),
        "ndcg@10": _mean_or_none([ndcg_at_k(r.ranked, r.expected, 10) for r in single]),
        "recall@10": _mean_or_none([recall_at_k(r.ranked, r.expected, 10) for r in single]),
        "list_precision": _mean_or_none([p for p, _ in lists]),
        "list_recall": _mean_or_none([rec for _, rec in lists]),
        "abstention_accuracy": _mean_or_none([1.0 if r.abstained else 0.0 for r in out_of_scope]),
        "false_abstention_rate": _mean_or_none([1.0 if r.abstained else 0.0 for r in in_scope]),
        "citation_validity": _mean_or_none([1.0 if r.citations_valid else 0.0 for r in results]),
        "latency_p50_ms": percentile(latencies, 50) if latencies else None,
        "latency_p95_ms": percentile(latencies, 95) if latencies else None,
        "latency_max_ms": max(latencies) if latencies else None,
    }


_FIELDS = frozenset(f.name for f in fields(QuestionResult))


def breakdown(results: Sequence[QuestionResult], key: str) -> dict[str, dict[str, Any]]:
    """``aggregate`` per value of one attribute (language, theme, intent, difficulty, mode), values sorted."""
    if key not in _FIELDS:
        raise ValueError(f"cannot break results down by {key!r}; expected one of {sorted(_FIELDS)}")
    groups: dict[str, list[QuestionResult]] = {}
    for result in results:
        value = getattr(result, key)
        groups.setdefault("" if value is None else str(value), []).append(result)
    return {value: aggregate(groups[value]) for value in sorted(groups)}
