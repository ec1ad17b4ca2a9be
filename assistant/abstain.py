"""The out-of-scope decision: a small logistic model over every retrieval signal, fitted on labelled questions.

Saying "the plan does not address this" with no citation is what keeps an officer from quoting a wrong objective;
answering what the plan does treat is what makes the product useful. Neither a fixed similarity threshold nor a
margin set by hand holds on questions nobody here wrote, so the decision is learnt:

- **Features** (`features`): for each encoder, the best similarity of the question to any unit of the plan, how
  much it stands out from the tenth best, its best similarity to the background corpus of out-of-scope questions
  and the difference of the two; BM25's best score, per query word, and the share of the question's words the
  index knows; the agreement of the signals (the fused score of the best passage); whether the glossary names a
  theme, an actor is named, or a theme code is written; the question's length.
- **Training data** (`corpus/background.jsonl`): out-of-scope questions written for this purpose (everyday
  law, police careers and equipment, procedures, public health, civil protection, chit-chat…), each with a topic,
  and in-scope questions that touch a theme in passing; plus the development question sets' free questions,
  passed by the caller. A background question's similarity to the background corpus leaves the question itself out.
- **Model**: standardised features, L2-regularised logistic regression (Newton's method, numpy), classes
  balanced. The threshold on P(out of scope) is chosen on cross-validated predictions for a target rate of
  false abstentions on in-scope questions.
- **Storage**: ``abstention.json`` in the index's live version folder, with its format version, the index version
  it was fitted on and the sha256 of its training data; `pns index` refits it whenever one of them changes.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pns.errors import IndexStateError

FORMAT = 1
MODEL_FILE = "abstention.json"
BACKGROUND = Path(__file__).resolve().parent.parent / "corpus" / "background.jsonl"  # the shipped corpus's


def background_path(settings: Any) -> Path:
    """The corpus folder's ``background.jsonl``; the shipped one when that folder has none."""
    own = Path(settings.corpus_dir) / "background.jsonl"
    return own if own.is_file() else BACKGROUND
TARGET_FALSE_ABSTENTION = 0.01  # at most 1 in-scope question in 100 set aside, on cross-validated predictions
L2 = 1.0
FOLDS = 5


@dataclass(frozen=True)
class Example:
    """A labelled question for fitting: ``in_scope`` False means the assistant should abstain."""

    question: str
    language: str
    in_scope: bool
    topic: str = ""
    source: str = ""


def load_examples(path: Path = BACKGROUND) -> list[Example]:
    """The background corpus: one JSON object per line (question, language, topic, in_scope)."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            examples.append(Example(row["question"], row["language"], bool(row["in_scope"]), row.get("topic", ""),
                                    row.get("source", "")))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise IndexStateError(f"{path}:{number}: not a background question ({exc})") from None
    return examples


def data_sha256(examples: Sequence[Example]) -> str:
    digest = hashlib.sha256()
    for e in examples:
        digest.update(json.dumps([e.question, e.language, e.in_scope], ensure_ascii=False).encode())
    return digest.hexdigest()


def feature_names(dense_signals: Sequence[str], bm25: bool) -> list[str]:
    names = []
    for s in dense_signals:
        names += [f"{s}_best", f"{s}_margin", f"{s}_background", f"{s}_gap"]
    if bm25:
        names += ["bm25_best", "bm25_per_word", "vocabulary_share"]
    return [*names, "fused_best", "glossary_theme", "actor", "theme_code", "log_words"]


@dataclass
class Signals:
    """What the decision is computed from, for one question (gathered by the assistant on its answer path)."""

    dense_best: dict[str, float]
    dense_tenth: dict[str, float]
    background: dict[str, float]
    bm25_best: float
    query_terms: int
    known_terms: int
    fused_best: float
    glossary_theme: bool
    actor: bool
    theme_code: bool
    words: int

    def vector(self, names: Sequence[str]) -> np.ndarray:
        values: dict[str, float] = {}
        for s, best in self.dense_best.items():
            values[f"{s}_best"] = best
            values[f"{s}_margin"] = best - self.dense_tenth[s]
            values[f"{s}_background"] = self.background[s]
            values[f"{s}_gap"] = best - self.background[s]
        values.update({
            "bm25_best": self.bm25_best, "bm25_per_word": self.bm25_best / max(1, self.query_terms),
            "vocabulary_share": self.known_terms / max(1, self.query_terms), "fused_best": self.fused_best,
            "glossary_theme": float(self.glossary_theme), "actor": float(self.actor),
            "theme_code": float(self.theme_code), "log_words": math.log1p(self.words),
        })
        return np.array([values[n] for n in names], dtype=np.float64)


@dataclass
class AbstentionModel:
    """Standardised logistic regression: P(out of scope) = sigmoid(w · (x - mean) / std + b)."""

    names: list[str]
    mean: np.ndarray
    std: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float
    meta: dict[str, Any] = field(default_factory=dict)

    def probability(self, x: np.ndarray) -> float:
        z = float(((x - self.mean) / self.std) @ self.weights + self.bias)
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "names": self.names, "mean": self.mean.tolist(), "std": self.std.tolist(),
                "weights": self.weights.tolist(), "bias": self.bias, "threshold": self.threshold, "meta": self.meta}

    def save(self, folder: Path) -> Path:
        """Write atomically beside the index files."""
        path = folder / MODEL_FILE
        tmp = folder / f".{MODEL_FILE}.{os.getpid()}"
        tmp.write_text(json.dumps(self.to_json(), indent=2), encoding="utf-8")
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, folder: Path) -> AbstentionModel:
        path = folder / MODEL_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            model = cls(list(data["names"]), np.array(data["mean"]), np.array(data["std"]),
                        np.array(data["weights"]), float(data["bias"]), float(data["threshold"]),
                        dict(data.get("meta", {})))
        except FileNotFoundError:
            raise IndexStateError(f"the out-of-scope model {path} is missing; run `pns index`") from None
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError):
            raise IndexStateError(f"the out-of-scope model {path} is damaged; run `pns index`") from None
        if data.get("format") != FORMAT or not (len(model.names) == len(model.mean) == len(model.std)
                                                == len(model.weights)):
            raise IndexStateError(f"the out-of-scope model {path} is of another version; run `pns index`")
        return model


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = 50) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-regularised logistic regression on standardised ``x`` (y = 1: out of scope),
    classes weighted to balance them; Newton's method (a few dozen features: exact and fast)."""
    n, d = x.shape
    positives = max(1, int(y.sum()))
    sample = np.where(y == 1, n / (2 * positives), n / (2 * max(1, n - positives)))
    design = np.hstack([x, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ theta, -40, 40)))
        gradient = design.T @ (sample * (p - y)) + penalty * theta
        hessian = (design * (sample * p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return theta[:-1], float(theta[-1])


def standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std[std < 1e-9] = 1.0
    return mean, std


def cross_validated(x: np.ndarray, y: np.ndarray, folds: int = FOLDS, seed: int = 0) -> np.ndarray:
    """Out-of-fold P(out of scope) of every example (stratified folds, fixed seed)."""
    rng = np.random.default_rng(seed)
    fold_of = np.zeros(len(y), dtype=int)
    for label in (0, 1):
        rows = np.flatnonzero(y == label)
        rng.shuffle(rows)
        fold_of[rows] = np.arange(len(rows)) % folds
    out = np.zeros(len(y))
    for k in range(folds):
        train, test = fold_of != k, fold_of == k
        mean, std = standardise(x[train])
        w, b = fit_logistic((x[train] - mean) / std, y[train])
        out[test] = 1.0 / (1.0 + np.exp(-np.clip(((x[test] - mean) / std) @ w + b, -40, 40)))
    return out


def choose_threshold(p_out: np.ndarray, y: np.ndarray, target: float = TARGET_FALSE_ABSTENTION) -> float:
    """The lowest threshold whose false-abstention rate on in-scope examples stays within ``target``."""
    in_scope = np.sort(p_out[y == 0])[::-1]
    allowed = math.floor(target * len(in_scope))
    # abstain when p >= threshold: the (allowed+1)-th highest in-scope probability must stay below it
    if len(in_scope) == 0:
        return 0.5
    bound = in_scope[allowed] if allowed < len(in_scope) else 0.0
    return float(min(0.99, max(0.5, np.nextafter(bound, 1.0))))


def fit(x: np.ndarray, y: np.ndarray, names: list[str], meta: dict[str, Any]) -> tuple[AbstentionModel,
                                                                                     dict[str, Any]]:
    """The model on all examples, its threshold from cross-validated predictions, and the CV figures."""
    p_cv = cross_validated(x, y)
    threshold = choose_threshold(p_cv, y)
    mean, std = standardise(x)
    weights, bias = fit_logistic((x - mean) / std, y)
    abstain = p_cv >= threshold
    report = {
        "examples": len(y), "out_of_scope": int(y.sum()), "in_scope": int(len(y) - y.sum()),
        "threshold": threshold,
        "cv_abstention": float(abstain[y == 1].mean()) if y.sum() else None,
        "cv_false_abstention": float(abstain[y == 0].mean()) if (y == 0).any() else None,
    }
    model = AbstentionModel(names, mean, std, weights, bias, threshold, {**meta, "cv": report})
    return model, report


BACKGROUND_FILE = "abstention-background.npz"


def load_abstention(index: Any) -> tuple[AbstentionModel, dict[str, np.ndarray]]:
    """The model and background vectors stored with the index; IndexStateError (run `pns index`) when they are
    missing, damaged, or were fitted on another index version or other training data."""
    folder = index.folder
    model = AbstentionModel.load(folder)
    expected = {"index": folder.name, "data": data_sha256(load_examples(background_path(index.settings))),
                "signals": list(index.signals)}
    found = {k: model.meta.get(k) for k in expected}
    if found != expected:
        raise IndexStateError(f"the out-of-scope model in {folder} was fitted on another index or other training "
                              "data; run `pns index`")
    try:
        with np.load(folder / BACKGROUND_FILE, allow_pickle=False) as arrays:
            background = {name: np.asarray(arrays[name], dtype=np.float32) for name in arrays.files}
    except (OSError, ValueError, KeyError):
        raise IndexStateError(f"the out-of-scope vectors {folder / BACKGROUND_FILE} are missing or damaged; "
                              "run `pns index`") from None
    if set(background) != set(index.dense):
        raise IndexStateError(f"the out-of-scope vectors in {folder} do not match the index's encoders; "
                              "run `pns index`")
    return model, background


def abstention_status(index: Any) -> str | None:
    """None when the stored model is current, else why it must be refitted."""
    try:
        load_abstention(index)
    except IndexStateError as exc:
        return str(exc)
    return None


def embed_queries(index: Any, texts: list[str], cache: Any) -> dict[str, np.ndarray]:
    """Query vectors of many texts with every encoder of the index, from the embedding cache where possible."""
    out = {}
    for signal, embedder in index.embedders.items():
        found = cache.get(embedder.id, "query", texts, embedder.dim) if cache else {}
        missing = [t for i, t in enumerate(texts) if i not in found]
        todo = list(dict.fromkeys(missing))
        fresh = {}
        for start in range(0, len(todo), 64):
            chunk = todo[start:start + 64]
            fresh.update(zip(chunk, embedder.encode(chunk, kind="query"), strict=True))
        if cache and todo:
            cache.put(embedder.id, "query", todo, np.vstack([fresh[t] for t in todo]))
        out[signal] = np.vstack([found[i] if i in found else fresh[t] for i, t in enumerate(texts)]) \
            if texts else np.zeros((0, embedder.dim), dtype=np.float32)
    return out


def example_signals(assistant: Any, examples: Sequence[Example], cache: Any = None) -> list[Signals]:
    """Each example's signals through the assistant's own free-question path; a background question is compared
    with the other background questions only."""
    from assistant.understanding import clean_question, retrieval_text
    from corpus.language import detect_language

    texts = [clean_question(e.question, assistant.settings.max_question_chars)[0] for e in examples]
    vectors = embed_queries(assistant.index, [retrieval_text(t) for t in texts], cache)
    row_of_background = {}
    for i, e in enumerate(examples):
        if not e.in_scope:
            row_of_background[i] = len(row_of_background)
    out = []
    for i, text in enumerate(texts):
        language = detect_language(text, fallback="fr", allowed=("fr", "nl", "en"))
        route, actors = assistant.free_context(text)
        _, signals = assistant.free_evidence(text, language, route, actors,
                                             vectors={s: v[i] for s, v in vectors.items()},
                                             exclude=row_of_background.get(i))
        out.append(signals)
    return out


def fit_for(assistant: Any, examples: Sequence[Example] | None = None,
            cache: Any = None) -> tuple[AbstentionModel, dict[str, np.ndarray], dict[str, Any]]:
    """Fit the decision on the background corpus against this assistant's index; returns the model, the
    background vectors it compares with, and the cross-validation figures."""
    from assistant.understanding import clean_question

    examples = list(examples if examples is not None else load_examples(background_path(assistant.settings)))
    negatives = [clean_question(e.question, assistant.settings.max_question_chars)[0] for e in examples
                 if not e.in_scope]
    background = embed_queries(assistant.index, negatives, cache)
    assistant.background = background
    signals = example_signals(assistant, examples, cache)
    names = feature_names(list(assistant.index.dense), assistant.index.lexical is not None)
    x = np.vstack([s.vector(names) for s in signals])
    y = np.array([0.0 if e.in_scope else 1.0 for e in examples])
    meta = {"index": assistant.index.folder.name, "data": data_sha256(examples),
            "signals": list(assistant.index.signals)}
    model, report = fit(x, y, names, meta)
    return model, background, report


def save_abstention(index: Any, model: AbstentionModel, background: dict[str, np.ndarray]) -> None:
    folder = index.folder
    tmp = folder / f".{BACKGROUND_FILE}.{os.getpid()}.npz"
    np.savez(tmp, **background)
    os.replace(tmp, folder / BACKGROUND_FILE)
    model.save(folder)
