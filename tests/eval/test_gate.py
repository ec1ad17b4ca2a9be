"""The regression gate: the full assistant on the curated question set must not fall below eval/baseline.json."""

from __future__ import annotations

import json
import re

from eval.metrics import aggregate
from eval.run import BASELINE, QUESTIONS, load_questions, run_assistant

HELDOUT = QUESTIONS.with_name("heldout.jsonl")

ID = re.compile(r"^PNS16-[AB]\d+(\.\d+)?-\d+$")


def test_question_set_is_reviewed(real_assistant) -> None:
    questions = load_questions(QUESTIONS)
    corpus = real_assistant.corpus
    assert len(questions) >= 120
    languages = [q.language for q in questions]
    assert languages.count("fr") >= 70
    assert languages.count("nl") >= 25
    assert languages.count("en") >= 25
    assert sum(q.intent == "out_of_scope" for q in questions) >= 10
    assert {q.theme for q in questions if q.theme} >= set(corpus.themes)
    _check_expectations(questions, corpus)


def test_heldout_set_is_reviewed(real_assistant) -> None:
    questions = load_questions(HELDOUT)
    assert len(questions) == 60
    _check_expectations(questions, real_assistant.corpus)


def _check_expectations(questions, corpus) -> None:
    ids = {q.id for q in questions}
    for q in questions:
        for oid in q.expected:
            assert ID.match(oid) and oid in corpus.objectives, (q.id, oid)
        if q.expected_group:
            assert q.expected == tuple(o.id for o in corpus.group_objectives(q.expected_group)), q.id
        if q.followup_of:
            assert q.followup_of in ids, q.id
        if q.expected_prose:
            assert any(q.expected_prose in p.text for p in corpus.passages.values()), q.id


def test_assistant_does_not_regress(real_assistant) -> None:
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    results, _ = run_assistant(real_assistant, load_questions(QUESTIONS))
    summary = aggregate(results)
    for metric in ("hit@1", "hit@5", "list_recall", "abstention_accuracy", "citation_validity"):
        assert summary[metric] >= baseline[metric] - 1e-9, (metric, summary[metric], baseline[metric])
