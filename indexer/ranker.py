"""A learned order for the fused candidates: a linear model over every signal's score for every view of a passage.

Fusion scores a passage by its best unit, with hand-set weights per signal. Which view matched, and how well each
encoder rated each view, say more: a question in officers' words matches the everyday expressions, a Dutch one the
translation, and an objective only BM25 finds stands far above the rest. The ranker reads, for each of the fused
ranking's ``ranker_depth`` best passages, per signal: its best unit's normalised score, its distance to that signal's
top score, its normalised score on each view (0 when the view is not among the signal's candidates) and how many of
its views the signal found; plus the fused score. A linear score over those features, fitted listwise (softmax over
a question's candidates, the expected objectives as targets, L2) on labelled questions, re-orders the candidates.

Pure numpy; the model is a small JSON file in the index folder, with the index and data it was fitted on.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from indexer.units import VIEWS, unit_view
from pns.errors import IndexStateError
from pns.jsonl import jsonl_records

RANKER_FILE = "ranker.json"
RANKER_VERSION = 1


def feature_names(signals: Sequence[str]) -> list[str]:
    """The features, in the model's order, for an index with these signals."""
    names = ["fused"]
    for signal in signals:
        names += [f"{signal}:best", f"{signal}:gap", *(f"{signal}:{v}" for v in VIEWS), f"{signal}:views"]
    return names


def features(candidates: Sequence[tuple[str, float]], units: Mapping[str, Sequence[tuple[str, float]]],
             passage_of: Mapping[str, str]) -> np.ndarray:
    """One row per candidate passage (id, fused score), the columns of :func:`feature_names` for ``units``' signals
    (each signal's unit ranking, best first)."""
    columns = [np.array([score for _, score in candidates], dtype=np.float64)]
    for ranking in units.values():
        scores = [s for _, s in ranking]
        high, low = (max(scores), min(scores)) if scores else (0.0, 0.0)
        span = high - low if high > low else 1.0
        per: dict[str, dict[str, float]] = {}
        for unit, score in ranking:
            views = per.setdefault(passage_of[unit], {})
            view = unit_view(unit)
            views[view] = max(views.get(view, score), score)
        best, gap, views_found = [], [], []
        by_view: dict[str, list[float]] = {v: [] for v in VIEWS}
        for passage, _ in candidates:
            found = per.get(passage, {})
            top = max(found.values()) if found else low
            best.append((top - low) / span)
            gap.append(top - high)
            views_found.append(float(len(found)))
            for view in VIEWS:
                by_view[view].append((found[view] - low) / span if view in found else 0.0)
        columns += [np.array(best), np.array(gap), *(np.array(by_view[v]) for v in VIEWS),
                    np.array(views_found)]
    return np.column_stack(columns)


@dataclass(frozen=True)
class Ranker:
    """A fitted linear ranker: standardised features times weights."""

    names: tuple[str, ...]
    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    meta: dict[str, Any]

    def scores(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights

    def shares(self, x: np.ndarray) -> np.ndarray:
        """Each candidate's share of the softmax over the candidates' scores (sums to 1): the model's confidence."""
        s = self.scores(x)
        p = np.exp(s - s.max()) if len(s) else s
        return p / p.sum() if len(s) else p

    def save(self, folder: Path) -> None:
        body = {"version": RANKER_VERSION, "names": list(self.names), "weights": self.weights.tolist(),
                "mean": self.mean.tolist(), "scale": self.scale.tolist(), "meta": self.meta}
        tmp = folder / f".{RANKER_FILE}.{os.getpid()}"
        tmp.write_text(json.dumps(body, indent=1), encoding="utf-8")
        os.replace(tmp, folder / RANKER_FILE)

    @classmethod
    def load(cls, folder: Path) -> Ranker:
        """The ranker stored in an index folder; IndexStateError (run `pns index`) when missing or damaged."""
        path = folder / RANKER_FILE
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            if body.get("version") != RANKER_VERSION:
                raise ValueError(f"version {body.get('version')!r}")
            ranker = cls(tuple(body["names"]), np.array(body["weights"], dtype=np.float64),
                         np.array(body["mean"], dtype=np.float64), np.array(body["scale"], dtype=np.float64),
                         dict(body["meta"]))
            if not len(ranker.names) == len(ranker.weights) == len(ranker.mean) == len(ranker.scale):
                raise ValueError("sizes differ")
        except FileNotFoundError:
            raise IndexStateError(f"the index in {folder} has no learned ranker; run `pns index`") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexStateError(f"the learned ranker in {folder} cannot be read ({exc}); run `pns index`") from None
        return ranker


def fingerprint(folder: Path) -> str | None:
    """A short digest of the ranker stored in ``folder`` (None without one): what a model fitted on its ranking
    (the out-of-scope decision) depends on."""
    try:
        return hashlib.sha256((folder / RANKER_FILE).read_bytes()).hexdigest()[:16]
    except OSError:
        return None


def fit(groups: Sequence[tuple[np.ndarray, np.ndarray]], names: Sequence[str], l2: float,
        meta: dict[str, Any], iterations: int = 2000) -> Ranker:
    """Fit the weights listwise: for each question (its candidates' features, 1 for an expected passage), the
    softmax of the scores should put the expected passages first. Adam from zero weights: deterministic."""
    usable = [(x, y) for x, y in groups if len(y) and y.sum() > 0]
    if not usable:
        raise ValueError("no labelled question has an expected passage among its candidates")
    stacked = np.vstack([x for x, _ in usable])
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0) + 1e-6
    # every question's candidates in one matrix, the softmax taken per question (segments start at `starts`):
    # one matrix product per step instead of one per question
    x_all = (stacked - mean) / scale
    target = np.concatenate([y / y.sum() for _, y in usable])
    sizes = np.array([len(y) for _, y in usable])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    w = np.zeros(len(names))
    m, v = np.zeros_like(w), np.zeros_like(w)
    rate, beta1, beta2 = 0.1, 0.9, 0.999
    for step in range(1, iterations + 1):
        s = x_all @ w
        p = np.exp(s - np.repeat(np.maximum.reduceat(s, starts), sizes))
        p /= np.repeat(np.add.reduceat(p, starts), sizes)
        grad = l2 * w / len(usable) + x_all.T @ (p - target) / len(usable)
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        w -= rate * (m / (1 - beta1 ** step)) / (np.sqrt(v / (1 - beta2 ** step)) + 1e-8)
    return Ranker(tuple(names), w, mean, scale, {**meta, "questions": len(usable), "l2": l2})


def data_sha256(rows: Sequence[Mapping[str, Any]]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps([row["question"], row["language"], sorted(row["expected"])],
                                 ensure_ascii=False).encode())
    return digest.hexdigest()


def load_relevance(path: Path) -> list[dict[str, Any]]:
    """Labelled questions (question, language, expected passage ids), one JSON object per line."""
    def parse(row: Any) -> dict[str, Any]:
        if not isinstance(row["question"], str) or not isinstance(row["language"], str) \
                or not isinstance(row["expected"], list):
            raise TypeError("question, language and expected must be text, text and a list")
        return row

    return [row for _, row in jsonl_records(path, parse, IndexStateError, "a labelled question")]
