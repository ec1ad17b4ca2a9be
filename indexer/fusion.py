"""Fusion of rankings at passage level: pure functions, so their order can be asserted exactly.

Each signal (BM25, each encoder, or a ranking the assistant adds) ranks units; a passage is scored by its best
unit (its best view, or its best chunk), so one passage appears once. Two ways to merge the signals:

- ``convex``: each signal's passage scores are min-max normalised over its own candidates, then combined with the
  signals' weights. How strong a match is counts: a passage only BM25 finds, by a wide margin, stays on top.
- ``rrf``: reciprocal rank fusion, ``weight / (k + rank)``; scores are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pns.types import Hit, SignalScore

FUSIONS = ("convex", "rrf")
Ranking = Sequence[tuple[str, str, float]]  # (passage id, unit id, score), best first


def best_per_passage(ranking: Sequence[tuple[str, float]], passage_of: Mapping[str, str]) -> list[
        tuple[str, str, float]]:
    """(passage, unit, score) for each passage's best unit, in the order of the unit ranking."""
    seen: set[str] = set()
    out = []
    for unit_id, score in ranking:
        passage = passage_of[unit_id]
        if passage not in seen:
            seen.add(passage)
            out.append((passage, unit_id, score))
    return out


def normalise(ranking: Ranking) -> dict[str, float]:
    """Min-max normalised scores of a ranking: the best passage 1.0, the last 0.0 (all 1.0 when they tie)."""
    if not ranking:
        return {}
    scores = [s for _, _, s in ranking]
    high, low = max(scores), min(scores)
    span = high - low
    return {p: (s - low) / span if span > 0 else 1.0 for p, _, s in ranking}


def fuse(rankings: Mapping[str, Ranking], weights: Mapping[str, float], method: str = "convex",
         rrf_k: int = 60) -> list[Hit]:
    """Merge passage rankings of named signals into one ranking of hits, best first.

    A signal missing from ``weights`` weighs 1.0. Ties keep the order of first appearance, reading the rankings in
    the order given, so results are deterministic. Every hit records each signal's rank, raw score and best unit.
    """
    if method not in FUSIONS:
        raise ValueError(f"unknown fusion {method!r}; use one of {', '.join(FUSIONS)}")
    fused: dict[str, float] = {}
    contribution: dict[str, dict[str, float]] = {}
    detail: dict[str, dict[str, SignalScore]] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 1.0)
        norm = normalise(ranking) if method == "convex" else {}
        for rank, (passage, unit, score) in enumerate(ranking, start=1):
            part = weight * norm[passage] if method == "convex" else weight / (rrf_k + rank)
            fused[passage] = fused.get(passage, 0.0) + part
            contribution.setdefault(passage, {})[name] = part
            detail.setdefault(passage, {})[name] = SignalScore(rank, round(float(score), 6), unit)
    order = {p: i for i, p in enumerate(fused)}
    ranked = sorted(fused, key=lambda p: (-round(fused[p], 9), order[p]))
    hits = []
    for passage in ranked:
        parts = contribution[passage]
        # The unit shown for a passage is the one of the signal that contributed most to its score.
        lead = max(parts, key=lambda n: (parts[n], -list(rankings).index(n)))
        hits.append(Hit(passage, detail[passage][lead].unit, round(fused[passage], 6), "hybrid",
                        dict(detail[passage])))
    return hits


def single(name: str, ranking: Ranking) -> list[Hit]:
    """One signal's ranking as hits (its own scores, no fusion)."""
    return [Hit(p, u, round(float(s), 6), name, {name: SignalScore(rank, round(float(s), 6), u)})
            for rank, (p, u, s) in enumerate(ranking, start=1)]
