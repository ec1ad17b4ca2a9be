"""The out-of-scope decision: fitted by `pns index` beside the index, its verdicts on the questions the issue
names, its suggestions, and how a missing or stale model is reported."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.abstain import (
    MODEL_FILE,
    AbstentionModel,
    choose_threshold,
    fit_logistic,
    load_abstention,
    neighbours,
)
from pns.errors import IndexStateError


@pytest.mark.parametrize("question", [
    "Welke maatregelen bevat het plan tegen de COVID-19-pandemie?",
    "What is the plan's policy on body-worn cameras for patrol officers?",
    "What does the plan say about fighting forest fires?",
    "Quel temps fera-t-il demain à Liège ?",
    "Comment demander un extrait de casier judiciaire ?",
])
def test_questions_the_plan_does_not_treat_get_no_citation(real_assistant, question: str) -> None:
    answer = real_assistant.ask(question)
    assert (answer.intent, answer.citations) == ("out_of_scope", ())
    assert answer.scope["p_out"] >= answer.scope["threshold"]


@pytest.mark.parametrize(("question", "expected"), [
    ("Que fait la police contre les gens qui se domicilient à une fausse adresse pour toucher des allocations ?",
     "PNS16-A3.2-1"),
    ("Komen er nieuwe financiële speurders bij om de vertrekkende te vervangen?", "PNS16-B4.2-8"),
    ("Mon voisin fait du bruit tous les soirs, que peut faire la police ?", "PNS16-B10.1-1"),
])
def test_in_scope_questions_in_everyday_words_are_answered(real_assistant, question: str, expected: str) -> None:
    answer = real_assistant.ask(question)
    assert answer.intent == "free"
    assert expected in [c.objective_id for c in answer.citations[:3]]


def test_suggestions_only_when_they_are_worth_following(real_assistant) -> None:
    far = real_assistant.ask("Give me a recipe for pancakes")
    assert far.suggestions == ()
    assert "The plan covers 17 themes: ask “What are the objectives?” to see them." in far.answer
    scope = real_assistant.abstention
    near = real_assistant._suggest(real_assistant.retrieve("radar", "fr", real_assistant._embed("radar"), None, 5),
                                   type("S", (), {"p_out": scope.threshold, "threshold": scope.threshold})())
    assert 1 <= len(near) <= 3 and all(code in real_assistant.corpus.themes for code in near)


def test_the_model_is_stored_with_the_index_and_checked(real_assistant, tmp_path: Path) -> None:
    index = real_assistant.index
    model, references = load_abstention(index)
    assert model.names == real_assistant.abstention.names
    assert set(references) == {"out:use", "out:e5", "in:use", "in:e5"}
    assert model.meta["validation"] if "validation" in model.meta else model.meta["cv"]["validation"] == "by author"
    copy = tmp_path / index.folder.name
    shutil.copytree(index.folder, copy)
    original = index.folder
    try:
        index.folder = copy
        data = json.loads((copy / MODEL_FILE).read_text(encoding="utf-8"))
        data["meta"]["data"] = "0" * 64  # fitted on other training questions
        (copy / MODEL_FILE).write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(IndexStateError, match="was fitted on another index or other training data; run `pns "
                                                  "index`"):
            load_abstention(index)
        (copy / MODEL_FILE).write_text("{", encoding="utf-8")
        with pytest.raises(IndexStateError, match="is damaged; run `pns index`"):
            load_abstention(index)
        (copy / MODEL_FILE).unlink()
        with pytest.raises(IndexStateError, match="is missing; run `pns index`"):
            load_abstention(index)
    finally:
        index.folder = original


def test_logistic_regression_and_threshold_by_hand() -> None:
    # one feature: positives (out of scope) at +1, negatives at -1: the fitted weight is positive, bias ~0
    x = np.array([[1.0], [1.0], [-1.0], [-1.0]])
    y = np.array([1.0, 1.0, 0.0, 0.0])
    w, b = fit_logistic(x, y, l2=1.0)
    assert w[0] > 0 and abs(b) < 1e-6
    model = AbstentionModel(["f"], np.zeros(1), np.ones(1), w, b, 0.5)
    assert model.probability(np.array([1.0])) == pytest.approx(1 / (1 + math.exp(-w[0])))
    # 100 in-scope probabilities 0.00..0.99: a 2 % budget allows the two highest above the threshold
    p = np.concatenate([np.arange(100) / 100, [0.995]])
    labels = np.concatenate([np.zeros(100), [1.0]])
    threshold = choose_threshold(p, labels, target=0.02)
    assert 0.97 < threshold <= 0.98
    assert ((p >= threshold) & (labels == 0)).sum() == 2


def test_neighbours_leave_the_question_itself_out() -> None:
    refs = np.eye(3, dtype=np.float32)
    queries = refs.copy()
    best, mean = neighbours(queries, refs, np.array([True, True, True]), np.array([0, -1, -1]))
    # query 0 is reference 0: left out, so its best neighbour scores 0; query 1 finds itself (1.0)
    assert best.tolist() == [0.0, 1.0, 1.0]
    assert mean[1] == pytest.approx(1 / 3)
    best, _ = neighbours(queries, refs, np.array([False, True, True]), np.array([-1, -1, -1]))
    assert best.tolist() == [0.0, 1.0, 1.0]
