"""The out-of-scope decision: a small logistic model over every retrieval signal, fitted on labelled questions.

Saying "the plan does not address this" with no citation is what keeps an officer from quoting a wrong objective;
answering what the plan does treat is what makes the product useful. Neither a fixed similarity threshold nor a
margin set by hand holds on questions nobody here wrote, so the decision is learnt:

- **Features** (`feature_names`): for each encoder, the best similarity of the question to any unit of the plan
  and how much it stands out from the tenth best; its similarity to the labelled questions — the best and the mean
  of the five best among the out-of-scope ones and among the in-scope ones, and their differences (a
  nearest-neighbour vote, which is what carries over to questions written by someone else); BM25's best score, per query word, and the share of the question's words the
  index knows; the agreement of the signals (the fused score of the best passage); whether the glossary names a
  theme, an actor is named, or a theme code is written; the question's length.
- **Training data** (`corpus/background.jsonl`): out-of-scope questions written for this purpose (everyday
  law, police careers and equipment, procedures, public health, civil protection, chit-chat…), each with a topic,
  and in-scope questions that touch a theme in passing; plus the development question sets' free questions,
  A labelled question's similarity to the labelled questions leaves the question itself out.
- **Model**: standardised features, L2-regularised logistic regression (Newton's method, numpy), classes
  balanced. The threshold on P(out of scope) is chosen on cross-validated predictions for a target rate of
  false abstentions on in-scope questions.
- **Storage**: ``abstention.json`` in the index's live version folder, with its format version, a key of the index
  it was fitted on (corpus, shaping settings, models) and the sha256 of its training data; `pns index` refits it
  whenever one of them changes, and carries it over to an identical rebuild.
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

from pns.errors import IndexStateError, stale_reason
from pns.jsonl import jsonl_records

FORMAT = 2
MODEL_FILE = "abstention.json"
BACKGROUND = Path(__file__).resolve().parent.parent / "corpus" / "background.jsonl"  # the shipped corpus's


def corpus_data(settings: Any, shipped: Path) -> Path:
    """The corpus folder's own copy of a labelled-questions file (by ``shipped``'s name); the shipped one when that
    folder has none."""
    own = Path(settings.corpus_dir) / shipped.name
    return own if own.is_file() else shipped


def background_path(settings: Any) -> Path:
    """The corpus folder's ``background.jsonl``; the shipped one when that folder has none."""
    return corpus_data(settings, BACKGROUND)
TARGET_FALSE_ABSTENTION = 0.02  # at most 2 in-scope questions in 100 set aside, judged on questions by another author
L2 = 1.0
FOLDS = 5
NEIGHBOURS = 5
# What shapes a fitted model besides its data: a change refits it at the next `pns index`.
METHOD = {"target_false_abstention": TARGET_FALSE_ABSTENTION, "l2": L2, "neighbours": NEIGHBOURS, "folds": FOLDS}


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
    def parse(row: Any) -> Example:
        return Example(row["question"], row["language"], bool(row["in_scope"]), row.get("topic", ""),
                       row.get("source", ""))

    return [example for _, example in jsonl_records(path, parse, IndexStateError, "a background question")]


def data_sha256(examples: Sequence[Example]) -> str:
    digest = hashlib.sha256()
    for e in examples:
        digest.update(json.dumps([e.question, e.language, e.in_scope], ensure_ascii=False).encode())
    return digest.hexdigest()


def feature_names(dense_signals: Sequence[str], bm25: bool) -> list[str]:
    names = []
    for s in dense_signals:
        names += [f"{s}_best", f"{s}_margin", f"{s}_out", f"{s}_out_gap", f"{s}_out_mean", f"{s}_in",
                  f"{s}_in_minus_out", f"{s}_in_mean", f"{s}_mean_in_minus_out"]
    if bm25:
        names += ["bm25_best", "bm25_per_word", "vocabulary_share"]
    return [*names, "fused_best", "glossary_theme", "actor", "theme_code", "log_words"]


@dataclass
class Signals:
    """What the decision is computed from, for one question (gathered by the assistant on its answer path)."""

    dense_best: dict[str, float]
    dense_tenth: dict[str, float]
    # per encoder: (best, mean of the NEIGHBOURS best) similarity to the out-of-scope / in-scope labelled questions
    outside: dict[str, tuple[float, float]]
    inside: dict[str, tuple[float, float]]
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
            (out_best, out_mean), (in_best, in_mean) = self.outside[s], self.inside[s]
            values.update({f"{s}_out": out_best, f"{s}_out_gap": best - out_best, f"{s}_out_mean": out_mean,
                           f"{s}_in": in_best, f"{s}_in_minus_out": in_best - out_best, f"{s}_in_mean": in_mean,
                           f"{s}_mean_in_minus_out": in_mean - out_mean})
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
        p = sigmoid(design @ theta)
        gradient = design.T @ (sample * (p - y)) + penalty * theta
        hessian = (design * (sample * p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return theta[:-1], float(theta[-1])


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def predict_held_out(x: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """P(out of scope) of the ``test`` rows from a model standardised and fitted on the ``train`` rows only."""
    mean, std = standardise(x[train])
    w, b = fit_logistic((x[train] - mean) / std, y[train])
    return sigmoid(((x[test] - mean) / std) @ w + b)


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
        out[test] = predict_held_out(x, y, train, test)
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


def fit(x: np.ndarray, y: np.ndarray, names: list[str], meta: dict[str, Any],
        grouped: np.ndarray | None = None) -> tuple[AbstentionModel, dict[str, Any]]:
    """The model on all examples and its threshold, chosen on the out-of-group predictions when there are several
    authors (else on cross-validated ones), with the figures of both."""
    p_cv = grouped if grouped is not None else cross_validated(x, y)
    threshold = choose_threshold(p_cv, y)
    mean, std = standardise(x)
    weights, bias = fit_logistic((x - mean) / std, y)
    abstain = p_cv >= threshold
    report = {
        "examples": len(y), "out_of_scope": int(y.sum()), "in_scope": int(len(y) - y.sum()),
        "threshold": threshold, "validation": "by author" if grouped is not None else "5-fold",
        "cv_abstention": float(abstain[y == 1].mean()) if y.sum() else None,
        "cv_false_abstention": float(abstain[y == 0].mean()) if (y == 0).any() else None,
    }
    model = AbstentionModel(names, mean, std, weights, bias, threshold, {**meta, "cv": report})
    return model, report


BACKGROUND_FILE = "abstention-references.npz"
KINDS = ("out", "in")  # the labelled questions' vectors: out of scope, in scope


def index_key(index: Any) -> str:
    """What the model depends on in an index: its format, corpus, shaping settings and models (not its folder, so
    an identical rebuild keeps the model)."""
    manifest = index.manifest
    parts = [manifest.get("format"), manifest.get("corpus"), manifest.get("settings"), manifest.get("bm25"),
             [e.get("id") for e in manifest.get("encoders", [])]]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def read_references(folder: Path) -> dict[str, np.ndarray]:
    """The labelled questions' vectors stored in an index folder; IndexStateError when missing or damaged."""
    try:
        with np.load(folder / BACKGROUND_FILE, allow_pickle=False) as arrays:
            return {name: np.asarray(arrays[name], dtype=np.float32) for name in arrays.files}
    except (OSError, ValueError, KeyError):
        raise IndexStateError(f"the out-of-scope vectors {folder / BACKGROUND_FILE} are missing or damaged; "
                              "run `pns index`") from None


def load_abstention(index: Any) -> tuple[AbstentionModel, dict[str, np.ndarray]]:
    """The model and the labelled questions' vectors (keys "out:<signal>", "in:<signal>") stored with the index; IndexStateError (run `pns index`) when they are
    missing, damaged, or were fitted on another index or other training data."""
    folder = index.folder
    model = AbstentionModel.load(folder)
    expected = {"index": index_key(index), "data": data_sha256(load_examples(background_path(index.settings))),
                "signals": list(index.signals), "method": METHOD, "ranker": _ranker_of(index)}
    found = {k: model.meta.get(k) for k in expected}
    if found != expected:
        raise IndexStateError(f"the out-of-scope model in {folder} was fitted on another index or other training "
                              "data; run `pns index`")
    background = read_references(folder)
    if set(background) != {f"{kind}:{s}" for kind in KINDS for s in index.dense}:
        raise IndexStateError(f"the out-of-scope vectors in {folder} do not match the index's encoders; "
                              "run `pns index`")
    return model, background


def _ranker_of(index: Any) -> str | None:
    """The learned ranker the decision's signals went through (the one stored with the index when the setting is
    on): a refitted ranker refits the decision."""
    from indexer.ranker import fingerprint

    return fingerprint(Path(index.folder)) if index.settings.ranker else None


def abstention_status(index: Any) -> str | None:
    """None when the stored model is current, else why it must be refitted."""
    return stale_reason(lambda: load_abstention(index))


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


def example_signals(assistant: Any, examples: Sequence[Example],
                    cache: Any = None) -> tuple[list[Signals], dict[str, np.ndarray]]:
    """Each example's signals through the assistant's own free-question path (a labelled question is compared with
    the other labelled questions only), and the examples' query vectors per encoder."""
    from assistant.understanding import clean_question, retrieval_text
    from corpus.language import detect_language

    texts = [clean_question(e.question, assistant.settings.max_question_chars)[0] for e in examples]
    vectors = embed_queries(assistant.index, [retrieval_text(t) for t in texts], cache)
    row_in_kind: dict[int, tuple[str, int]] = {}
    counts = {"out": 0, "in": 0}
    for i, e in enumerate(examples):
        kind = "in" if e.in_scope else "out"
        row_in_kind[i] = (kind, counts[kind])
        counts[kind] += 1
    out = []
    for i, text in enumerate(texts):
        language = detect_language(text, fallback="fr", allowed=("fr", "nl", "en"))
        route, actors = assistant.free_context(text)
        _, signals = assistant.free_evidence(text, language, route, actors,
                                             vectors={s: v[i] for s, v in vectors.items()},
                                             exclude=row_in_kind[i])
        out.append(signals)
    return out, vectors


def neighbours(queries: np.ndarray, references: np.ndarray, allowed: np.ndarray,
               self_row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best and mean-of-NEIGHBOURS-best similarity of each query to the allowed references, its own row
    (``self_row``, -1 for none) left out."""
    sims = queries @ references[allowed].T
    positions = np.cumsum(allowed) - 1  # reference row -> column among the allowed ones
    for i, row in enumerate(self_row):
        if row >= 0 and allowed[row]:
            sims[i, positions[row]] = -np.inf
    if sims.shape[1] == 0:
        return np.zeros(len(queries)), np.zeros(len(queries))
    top = np.sort(sims, axis=1)[:, -NEIGHBOURS:]
    top = np.where(np.isfinite(top), top, np.nan)
    return np.nan_to_num(np.nanmax(top, axis=1)), np.nan_to_num(np.nanmean(top, axis=1))


def grouped_predictions(examples: Sequence[Example], signals: list[Signals], vectors: dict[str, np.ndarray],
                        background: dict[str, np.ndarray], names: list[str], y: np.ndarray) -> np.ndarray | None:
    """Out-of-group P(out of scope): each author's questions (``source`` before any ':') predicted by a model fitted
    on the others, their neighbours taken among the others only. This is how a question nobody here wrote is
    judged, so the threshold is chosen on it; None with a single source."""
    import dataclasses

    groups = np.array([e.source.split(":")[0] or "-" for e in examples])
    if len(set(groups)) < 2:
        return None
    kinds = np.array(["in" if e.in_scope else "out" for e in examples])
    rows = {kind: np.flatnonzero(kinds == kind) for kind in KINDS}
    self_rows = {kind: np.full(len(examples), -1) for kind in KINDS}
    for kind in KINDS:
        self_rows[kind][rows[kind]] = np.arange(len(rows[kind]))
    out = np.zeros(len(examples))
    for group in sorted(set(groups)):
        train = groups != group
        near: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {kind: {} for kind in KINDS}
        for signal, queries in vectors.items():
            for kind in KINDS:
                allowed = train[rows[kind]]
                near[kind][signal] = neighbours(queries, background[f"{kind}:{signal}"], allowed, self_rows[kind])
        x = np.vstack([dataclasses.replace(
            sig, outside={s: (float(near["out"][s][0][i]), float(near["out"][s][1][i])) for s in vectors},
            inside={s: (float(near["in"][s][0][i]), float(near["in"][s][1][i])) for s in vectors}).vector(names)
            for i, sig in enumerate(signals)])
        out[~train] = predict_held_out(x, y, train, ~train)
    return out


def fit_for(assistant: Any, examples: Sequence[Example] | None = None,
            cache: Any = None) -> tuple[AbstentionModel, dict[str, np.ndarray], dict[str, Any]]:
    """Fit the decision on the background corpus against this assistant's index; returns the model, the
    background vectors it compares with, and the cross-validation figures."""
    from assistant.understanding import clean_question

    examples = list(examples if examples is not None else load_examples(background_path(assistant.settings)))
    background: dict[str, np.ndarray] = {}
    for kind in KINDS:
        texts = [clean_question(e.question, assistant.settings.max_question_chars)[0] for e in examples
                 if e.in_scope == (kind == "in")]
        for signal, vectors in embed_queries(assistant.index, texts, cache).items():
            background[f"{kind}:{signal}"] = vectors
    assistant.background = background
    signals, vectors = example_signals(assistant, examples, cache)
    names = feature_names(list(assistant.index.dense), assistant.index.lexical is not None)
    x = np.vstack([s.vector(names) for s in signals])
    y = np.array([0.0 if e.in_scope else 1.0 for e in examples])
    meta = {"index": index_key(assistant.index), "data": data_sha256(examples),
            "signals": list(assistant.index.signals), "method": METHOD, "ranker": _ranker_of(assistant.index)}
    grouped = grouped_predictions(examples, signals, vectors, background, names, y) if vectors else None
    model, report = fit(x, y, names, meta, grouped)
    return model, background, report


def save_abstention(index: Any, model: AbstentionModel, background: dict[str, np.ndarray]) -> None:
    folder = index.folder
    tmp = folder / f".{BACKGROUND_FILE}.{os.getpid()}.npz"
    np.savez(tmp, **background)
    os.replace(tmp, folder / BACKGROUND_FILE)
    model.save(folder)
