"""Retrieval on the shipped corpus with the default settings and the real default encoders (index built once)."""

from __future__ import annotations

import pytest

from eval.run import load_questions
from indexer.store import HybridIndex


def _first_passage(index: HybridIndex, query: str, mode: str = "hybrid", language: str | None = None) -> str:
    return index.search(query, k=5, mode=mode, language=language)[0].passage_id


def test_index_is_built_from_the_whole_plan(real_index: HybridIndex) -> None:
    passages = {u.passage_id for u in real_index.units}
    assert {"PNS16-B6.2-4", "PNS16-P5-1", "PNS16-A1-1", "PNS16-B4.2-1"} <= passages
    assert [e["kind"] for e in real_index.manifest["encoders"]] == ["flat", "flat"]
    assert real_index.manifest["counts"]["units"] == len(real_index.units)
    # every objective has its Dutch and English translation and its words in three languages
    views = {u.id.partition("@")[2] for u in real_index.units if "@" in u.id}
    assert views == {"text", "nl", "en", "words-fr", "words-nl", "words-en"}
    assert sum(u.id.endswith("@nl") for u in real_index.units) == 225


def test_viclas_finds_its_objective(real_index: HybridIndex) -> None:
    assert _first_passage(real_index, "ViCLAS") == "PNS16-B6.2-4"
    assert _first_passage(real_index, "ViCLAS", mode="bm25") == "PNS16-B6.2-4"
    hit = real_index.search("ViCLAS", k=1)[0]
    assert hit.rank("bm25") == 1 and hit.rank("e5") is not None and hit.rank("use") is not None


@pytest.mark.parametrize(("query", "language", "expected"), [
    # BM25 finds the only objective with "mendicité" by a wide margin; score-aware fusion keeps it first
    ("Comment la police lutte-t-elle contre les réseaux de mendicité ?", "fr", "PNS16-B2.1-4"),
    ("mendicité organisée", "fr", "PNS16-B2.1-4"),
    # everyday words from the objective's views
    ("loverboys", "nl", "PNS16-B2.1-1"),
    ("tienerpooiers", "nl", "PNS16-B2.1-1"),
])
def test_plain_questions_find_their_objective_first(real_index: HybridIndex, query: str, language: str,
                                                    expected: str) -> None:
    assert _first_passage(real_index, query, language=language) == expected


def test_follow_up_question_finds_part_5(real_index: HybridIndex) -> None:
    assert _first_passage(real_index, "Comment le plan sera-t-il suivi et évalué ?").startswith("PNS16-P5-")


def test_no_passage_is_repeated_in_any_top_10(real_index: HybridIndex) -> None:
    for q in load_questions():
        for mode in real_index.modes:
            ranked = [h.passage_id for h in real_index.search(q.question, k=10, mode=mode, language=q.language)]
            assert len(ranked) == len(set(ranked)), (q.id, mode)
