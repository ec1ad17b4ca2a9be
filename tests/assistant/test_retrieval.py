"""What the better retrieval must give a user: plain questions cite their objective first, narrow list questions
put the closest objectives first, and plain lists keep the plan's order."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("question", "expected"), [
    ("Comment la police lutte-t-elle contre les réseaux de mendicité ?", "PNS16-B2.1-4"),
    ("mendicité organisée", "PNS16-B2.1-4"),
    ("loverboys", "PNS16-B2.1-1"),
    ("tienerpooiers", "PNS16-B2.1-1"),
])
def test_plain_questions_cite_their_objective_first(real_assistant, question: str, expected: str) -> None:
    answer = real_assistant.ask(question)
    assert answer.intent == "free"
    assert answer.citations[0].objective_id == expected
    # each passage once
    assert len({c.passage_id for c in answer.citations}) == len(answer.citations)


@pytest.mark.parametrize(("question", "group", "first"), [
    ("Quels sont les objectifs sur le financement du terrorisme ?", "B1", "PNS16-B1-8"),
    ("quels objectifs concernent le darknet dans le trafic d'armes ?", "B7.2", "PNS16-B7.2-5"),
])
def test_a_narrow_list_question_puts_the_closest_objectives_first(real_assistant, question: str, group: str,
                                                                  first: str) -> None:
    answer = real_assistant.ask(question)
    assert (answer.intent, answer.group) == ("list", group)
    ids = [c.objective_id for c in answer.citations]
    assert ids[0] == first
    # still the complete list, each objective once
    assert sorted(ids) == sorted(o.id for o in real_assistant.corpus.group_objectives(group))
    assert "Les plus proches de votre question :" in answer.answer or "Le plus proche" in answer.answer
    assert "Les autres objectifs de « " in answer.answer
    # a follow-up "plus de détails sur le 1" opens the objective shown first
    from assistant.service import Conversation

    conversation = Conversation()
    real_assistant.ask(question, conversation=conversation)
    assert real_assistant.ask("plus de détails sur le 1", conversation=conversation).citations[0].objective_id \
        == first


@pytest.mark.parametrize(("question", "group"), [
    ("Quels sont les objectifs en matière de cybercriminalité ?", "B5"),
    ("Welke doelstellingen zijn er rond verkeersveiligheid?", "B9"),
    ("What are the objectives on human trafficking?", "B2.1"),
    ("quels sont les objectifs du thème B6.3", "B6.3"),
    # words that no objective of the theme uses cannot narrow it
    ('Objectifs <img src=x onerror="document.title=1"> <script>document.title=2</script> cybercriminalité ?', "B5"),
])
def test_a_plain_list_keeps_the_plan_order(real_assistant, question: str, group: str) -> None:
    answer = real_assistant.ask(question)
    assert (answer.intent, answer.group) == ("list", group)
    assert [c.objective_id for c in answer.citations] == [o.id for o in
                                                          real_assistant.corpus.group_objectives(group)]
    assert not any(lead in answer.answer for lead in ("plus proche", "plus proches", "best passend", "Closest to"))


def test_free_answer_breakdown_names_every_signal(real_assistant) -> None:
    citation = real_assistant.ask("Comment la police lutte-t-elle contre les réseaux de mendicité ?").citations[0]
    assert citation.scores["source"] == "ranker"  # the learned ranker's order over the fused candidates
    assert set(citation.scores["signals"]) >= {"bm25", "use", "e5", "fused"}
    assert citation.scores["signals"]["bm25"]["rank"] == 1


def test_the_learned_ranker_is_fitted_with_the_index_and_reorders_only_the_fused_head(real_assistant) -> None:
    from assistant.ranking import ranker_status
    from assistant.service import Assistant

    ranker = real_assistant.ranker
    assert ranker is not None and ranker.meta["fitted"] is True
    assert ranker_status(real_assistant.index) is None
    assert ranker.meta["questions"] == 605  # corpus/relevance.jsonl: each has an expected objective among its candidates
    question = "Wat doet de politie tegen mensen die met valse documenten een uitkering krijgen?"
    vectors = real_assistant.index.embed_query(question)
    fused, _ = real_assistant.candidates(question, "nl", vectors, None)
    ranked = real_assistant.retrieve(question, "nl", vectors, None, len(fused))
    depth = real_assistant.settings.ranker_depth
    # the same candidates; each scores its share of the ranker's softmax, best first, and keeps its fused score
    assert sorted(h.passage_id for h in ranked[:depth]) == sorted(h.passage_id for h in fused[:depth])
    assert [h.passage_id for h in ranked[depth:]] == [h.passage_id for h in fused[depth:]]
    scores = [h.score for h in ranked]
    assert scores == sorted(scores, reverse=True) and abs(sum(scores[:depth]) - 1.0) < 1e-4
    assert set(scores[depth:]) == {0.0}
    assert {h.passage_id: h.signals["fused"].score for h in ranked} == {h.passage_id: h.score for h in fused}
    assert {h.retriever for h in ranked} == {"ranker"}
    # the setting off: the fusion order
    plain = Assistant(real_assistant.settings.replace(ranker=False), real_assistant.corpus, real_assistant.index)
    assert plain.retrieve(question, "nl", vectors, None, 10) == fused[:10]


def test_the_ranker_reorders_objectives_only_and_prose_keeps_its_fused_place(real_assistant) -> None:
    """The ranker learned on questions that expect objectives: the plan's prose stays where fusion put it."""
    question = "Who does the overall evaluation of how the police runs and implements the plan?"
    vectors = real_assistant.index.embed_query(question)
    fused, _ = real_assistant.candidates(question, "en", vectors, None)
    depth = real_assistant.settings.ranker_depth
    ranked = real_assistant.retrieve(question, "en", vectors, None, depth)
    passages = real_assistant.corpus.passages

    def prose(hits: list) -> list[tuple[int, str]]:
        return [(i, h.passage_id) for i, h in enumerate(hits) if passages[h.passage_id].objective_id is None]

    assert prose(ranked) == prose(fused[:depth]) and [p for _, p in prose(ranked)][:3] == [
        "PNS16-P5-9", "PNS16-P5-5", "PNS16-P5-3"]
    assert sorted(h.passage_id for h in ranked) == sorted(h.passage_id for h in fused[:depth])
    objectives = [h.passage_id for h in ranked if passages[h.passage_id].objective_id is not None]
    assert objectives != [h.passage_id for h in fused[:depth] if passages[h.passage_id].objective_id is not None]
    scores = [h.score for h in ranked]
    assert scores == sorted(scores, reverse=True) and abs(sum(scores) - 1.0) < 1e-4


def test_a_changed_ranker_setting_makes_the_stored_ranker_stale(real_assistant) -> None:
    from types import SimpleNamespace

    from assistant.ranking import ranker_status

    index = real_assistant.index
    other = SimpleNamespace(folder=index.folder, manifest=index.manifest, signals=index.signals,
                            settings=index.settings.replace(ranker_l2=1.0))
    assert ranker_status(other) == (f"the learned ranker in {index.folder} was fitted on another index, other "
                                    "labelled questions or other ranker settings; run `pns index`")
