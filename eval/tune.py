"""`pns eval tune`: choose the fusion weights on the development sets by a grid search, then show what they give on
the held-out sets.

Two stages, both on the development sets only: the grid is scored by retrieval alone (fast), then its best
points ("finalists") are run through the full assistant, whose routing and intents decide between them.

Every signal's passage ranking is computed once per question; the grid points are then scored together by one
matrix product per question, so a full grid over three signals takes seconds. The choice maximises MRR@10 of retrieval alone (hybrid mode) over the
development sets' single-objective questions; held-out sets are scored with the chosen weights and never
influence the choice.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eval.metrics import hit_at_k, mean, reciprocal_rank
from eval.run import Question, expected_passages, load_questions
from indexer.fusion import Ranking, fuse, normalise

DEV_SETS = ("questions.jsonl", "heldout.jsonl", "heldout3.jsonl", "heldout4.jsonl", "heldout5.jsonl",
            "heldout6.jsonl", "heldout7.jsonl")
HELDOUT_SETS = ("heldout2.jsonl", "heldout8.jsonl", "heldout9.jsonl", "heldout10.jsonl", "heldout11.jsonl",
                "heldout12.jsonl", "heldout13.jsonl")


@dataclass(frozen=True)
class Prepared:
    """One question's signal rankings, computed once."""

    question: Question
    expected: tuple[str, ...]
    rankings: dict[str, Ranking]
    language: str


def prepare(assistant: Any, questions: Iterable[Question]) -> list[Prepared]:
    """The single-objective questions of a set with every signal's passage ranking."""
    index = assistant.index
    out = []
    for q in questions:
        expected = expected_passages(assistant.corpus, q)
        if q.intent not in ("free", "objective") or not expected:
            continue
        vectors = index.embed_query(q.question)
        out.append(Prepared(q, expected, index.rankings(q.question, q.language, vectors), q.language))
    return out


def score(prepared: Sequence[Prepared], weights: dict[str, float], fusion: str, rrf_k: int,
          crosslingual: float, corpus_languages: Sequence[str]) -> dict[str, float]:
    """hit@1, hit@5 and MRR@10 of retrieval with these weights."""
    h1, h5, rr = [], [], []
    for p in prepared:
        w = dict(weights)
        if "bm25" in w and p.language not in corpus_languages:
            w["bm25"] *= crosslingual
        ranked = [h.passage_id for h in fuse(p.rankings, w, fusion, rrf_k)[:10]]
        h1.append(hit_at_k(ranked, p.expected, 1))
        h5.append(hit_at_k(ranked, p.expected, 5))
        rr.append(reciprocal_rank(ranked, p.expected, 10))
    return {"hit@1": mean(h1), "hit@5": mean(h5), "mrr@10": mean(rr), "n": len(prepared)}


def _matrix(p: Prepared, signals: Sequence[str], fusion: str, rrf_k: int) -> tuple[list[str], np.ndarray]:
    """Passages in first-appearance order and their per-signal contribution (normalised score or 1/(k+rank))."""
    order: dict[str, int] = {}
    for signal in signals:
        for passage, _, _ in p.rankings.get(signal, ()):
            order.setdefault(passage, len(order))
    matrix = np.zeros((len(order), len(signals)))
    for j, signal in enumerate(signals):
        ranking = p.rankings.get(signal, ())
        parts = normalise(ranking) if fusion == "convex" else {
            passage: 1.0 / (rrf_k + rank) for rank, (passage, _, _) in enumerate(ranking, start=1)}
        for passage, value in parts.items():
            matrix[order[passage], j] = value
    return list(order), matrix


def _grid_mrr(prepared: Sequence[Prepared], signals: Sequence[str], points: np.ndarray, fusion: str, rrf_k: int,
              crosslingual: float, corpus_languages: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """MRR@10 and hit@1 of every grid point at once (a matrix product per question)."""
    mrr = np.zeros(len(points))
    hit1 = np.zeros(len(points))
    for p in prepared:
        passages, matrix = _matrix(p, signals, fusion, rrf_k)
        if not passages:
            continue
        weights = points.copy()
        if "bm25" in signals and p.language not in corpus_languages:
            weights[:, list(signals).index("bm25")] *= crosslingual
        fused = matrix @ weights.T  # passages × points
        top = np.argsort(-np.round(fused, 9), axis=0, kind="stable")[:10]
        wanted = np.array([passage in p.expected for passage in passages])
        found = wanted[top]  # 10 × points
        first = np.where(found.any(axis=0), found.argmax(axis=0) + 1, 0)
        mrr += np.where(first > 0, 1.0 / np.maximum(first, 1), 0.0)
        hit1 += first == 1
    n = max(1, len(prepared))
    return mrr / n, hit1 / n


def grid(signals: Sequence[str], step: float) -> list[dict[str, float]]:
    """Every weighting of the signals in steps of ``step`` that sums to 1 (each signal at least one step)."""
    n = round(1 / step)
    points = []
    for combo in itertools.product(range(1, n + 1), repeat=len(signals)):
        if sum(combo) == n:
            points.append({s: round(c * step, 4) for s, c in zip(signals, combo, strict=True)})
    return points


def only(prepared: Sequence[Prepared], signals: Sequence[str]) -> list[Prepared]:
    """The same questions with the rankings of some signals only (an ablation)."""
    return [Prepared(p.question, p.expected, {s: p.rankings[s] for s in signals}, p.language) for p in prepared]


def choose_weights(dev: Sequence[Prepared], signals: Sequence[str], fusion: str, rrf_k: int,
                   languages: Sequence[str], step: float = 0.05, factor: float = 0.5,
                   ) -> tuple[dict[str, float], float, list[tuple[float, float, dict[str, float], float]]]:
    """The weights (and BM25's cross-lingual factor) with the best MRR@10 on ``dev``, hit@1 breaking ties;
    also every grid point's (MRR, hit@1, weights, factor), best first."""
    factors = (factor, 0.25, 0.5, 0.75, 1.0) if "bm25" in signals else (1.0,)
    points = grid(signals, step) if len(signals) > 1 else [{signals[0]: 1.0}]
    matrix = np.array([[w[s] for s in signals] for w in points])
    results = []
    for f in dict.fromkeys(factors):
        mrr, hit1 = _grid_mrr(dev, signals, matrix, fusion, rrf_k, f, languages)
        results += [(round(float(m), 9), round(float(h), 9), points[i], f) for i, (m, h) in
                    enumerate(zip(mrr, hit1, strict=True))]
    results.sort(key=lambda r: (-r[0], -r[1]))
    return results[0][2], results[0][3], results


def assistant_mrr(assistant: Any, questions: Sequence[Question]) -> float:
    """MRR@10 of the full assistant's citations over the single-objective questions (follow-ups in context)."""
    from eval.metrics import aggregate
    from eval.run import run_assistant

    results, _ = run_assistant(assistant, list(questions))
    return float(aggregate(results)["mrr@10"] or 0.0)


def tune(settings: Any, step: float = 0.05, folder: Path | None = None,
         finalists: int = 0) -> dict[str, Any]:
    """Grid-search the weights on the development sets; report the best and the held-out figures it gives.

    With ``finalists`` > 0 the best grid points of retrieval alone are run through the full assistant (routing,
    intents) on the development sets too, and the one with the best MRR@10 there is chosen.
    """
    from assistant.service import Assistant

    folder = folder or Path(__file__).parent
    assistant = Assistant.load(settings, warm=True)
    index = assistant.index
    signals = index.signals
    languages = index.languages
    dev = [p for name in DEV_SETS if (folder / name).is_file()
           for p in prepare(assistant, load_questions(folder / name))]
    held = {name: prepare(assistant, load_questions(folder / name)) for name in HELDOUT_SETS
            if (folder / name).is_file()}
    best, factor, results = choose_weights(dev, signals, settings.fusion, settings.rrf_k, languages, step,
                                           settings.bm25_crosslingual_factor)
    final = []
    if finalists:
        dev_questions = [q for name in DEV_SETS if (folder / name).is_file()
                         for q in load_questions(folder / name)]
        seen = []
        for _, _, weights, f in results:
            if weights in seen:
                continue
            seen.append(weights)
            text = ",".join(f"{k}={v:g}" for k, v in weights.items())
            trial = Assistant(settings.replace(fusion_weights=text, bm25_crosslingual_factor=f), assistant.corpus,
                              index, assistant.abstention, assistant.background)
            trial.index = index
            index.settings = trial.settings  # fusion weights are read from the index's settings
            final.append((assistant_mrr(trial, dev_questions), weights, f))
            if len(seen) >= finalists:
                break
        index.settings = settings
        final.sort(key=lambda r: -r[0])
        _, best, factor = final[0]
    dev_figures = score(dev, best, settings.fusion, settings.rrf_k, factor, languages)
    current = index.weights(None)
    report = {
        "signals": signals, "fusion": settings.fusion, "step": step, "points": len(results),
        "dev_questions": len(dev),
        "best": {"weights": best, "bm25_crosslingual_factor": factor, "dev": dev_figures,
                 "heldout": {name: score(p, best, settings.fusion, settings.rrf_k, factor, languages)
                             for name, p in held.items()}},
        "current": {"weights": current, "bm25_crosslingual_factor": settings.bm25_crosslingual_factor,
                    "dev": score(dev, current, settings.fusion, settings.rrf_k,
                                 settings.bm25_crosslingual_factor, languages),
                    "heldout": {name: score(p, current, settings.fusion, settings.rrf_k,
                                            settings.bm25_crosslingual_factor, languages)
                                for name, p in held.items()}},
        "runners_up": [{"weights": w, "bm25_crosslingual_factor": f, "dev_mrr@10": m, "dev_hit@1": h}
                       for m, h, w, f in results[1:6]],
        "finalists": [{"weights": w, "bm25_crosslingual_factor": f, "assistant_dev_mrr@10": m}
                      for m, w, f in final],
    }
    return report


def format_tune(report: dict[str, Any]) -> str:
    """The chosen weights, as a settings line, with dev and held-out figures."""
    def line(figures: dict[str, float]) -> str:
        return f"hit@1 {figures['hit@1']:.3f}  hit@5 {figures['hit@5']:.3f}  MRR@10 {figures['mrr@10']:.3f}  " \
               f"(n={figures['n']})"

    best, current = report["best"], report["current"]
    weights = ",".join(f"{k}={v:g}" for k, v in best["weights"].items())
    out = [f"grid over {', '.join(report['signals'])} ({report['fusion']} fusion, step {report['step']}, "
           f"{report['points']} points) on {report['dev_questions']} development questions"
           + (f"; the {len(report['finalists'])} best run through the full assistant on the development sets"
              if report.get("finalists") else ""),
           f"chosen on the development sets: fusion_weights = \"{weights}\", bm25_crosslingual_factor = "
           f"{best['bm25_crosslingual_factor']:g}",
           f"  dev          {line(best['dev'])}"]
    out += [f"  {name:<12} {line(fig)}" for name, fig in best["heldout"].items()]
    out.append("current settings: fusion_weights = \"" + ",".join(f"{k}={v:g}" for k, v in current["weights"].items())
               + "\"")
    out.append(f"  dev          {line(current['dev'])}")
    out += [f"  {name:<12} {line(fig)}" for name, fig in current["heldout"].items()]
    out.append("held-out figures are shown, never used to choose")
    return "\n".join(out)
