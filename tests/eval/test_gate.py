"""The regression gate: the full assistant on the curated question set must not fall below eval/baseline.json."""

from __future__ import annotations

import json
import re

import pytest

from eval.metrics import aggregate
from eval.run import BASELINE, QUESTIONS, load_questions, run_assistant

HELDOUT = QUESTIONS.with_name("heldout.jsonl")
# Frozen held-out sets (sha256 in the README): their size and expectations are checked, never their answers.
FROZEN = {"heldout2.jsonl": 102, "heldout3.jsonl": 112, "heldout4.jsonl": 120, "heldout5.jsonl": 120,
          "heldout6.jsonl": 120, "heldout7.jsonl": 120, "heldout8.jsonl": 120,
          "heldout9.jsonl": 120, "heldout10.jsonl": 120,
          "heldout11.jsonl": 120, "heldout12.jsonl": 120,
          "heldout13.jsonl": 120}
OOS_HELDOUT = QUESTIONS.with_name("oos-heldout.jsonl")

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


@pytest.mark.parametrize("name", sorted(FROZEN))
def test_frozen_heldout_sets_are_well_formed(real_assistant, name: str) -> None:
    questions = load_questions(QUESTIONS.with_name(name))
    assert len(questions) == FROZEN[name]
    assert len({q.id for q in questions}) == len(questions)
    _check_expectations(questions, real_assistant.corpus)


def test_frozen_sets_match_the_sha256_in_the_readme() -> None:
    """A held-out set edited after it was frozen would judge nothing: its bytes must still be the README's."""
    import hashlib

    readme = QUESTIONS.parent.parent.joinpath("README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"\| `eval/([\w.-]+\.jsonl)` \|[^\n]*\| `([0-9a-f]{64})` \|", readme))
    assert set(listed) >= set(FROZEN) | {"oos-heldout.jsonl", "oos-heldout2.jsonl", "oos-heldout3.jsonl",
                                         "oos-heldout4.jsonl"}
    for name, digest in listed.items():
        assert hashlib.sha256(QUESTIONS.with_name(name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize(("name", "counts"), [("oos-heldout.jsonl", (261, 93)), ("oos-heldout2.jsonl", (180, 90))])
def test_out_of_scope_heldout_is_well_formed(real_assistant, name: str, counts: tuple[int, int]) -> None:
    rows = [json.loads(line) for line in OOS_HELDOUT.with_name(name).read_text(encoding="utf-8").splitlines()
            if line.strip()]
    negatives = [r for r in rows if not r["in_scope"]]
    positives = [r for r in rows if r["in_scope"]]
    assert (len(negatives), len(positives)) == counts
    for lang in ("fr", "nl", "en"):
        assert sum(r["language"] == lang for r in negatives) >= 40
    assert len({r["question"] for r in rows}) == len(rows)
    for row in positives:
        assert all(oid in real_assistant.corpus.objectives for oid in row["expected"]), row["id"]


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
