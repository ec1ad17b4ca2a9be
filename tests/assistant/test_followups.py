"""Follow-ups in a Conversation: another theme after a list, details of the n-th item, no previous turn."""

from __future__ import annotations

import pytest

from assistant.service import Conversation

from .helpers import B3, B4_2, B5, B9, cited


def _ask_all(assistant, *questions: str):
    conversation = Conversation()
    answers = [assistant.ask(q, conversation=conversation) for q in questions]
    return answers, conversation


@pytest.mark.parametrize(
    ("first", "first_ids", "follow", "language", "group", "expected"),
    [
        ("Quels sont les objectifs en matière de cybercriminalité ?", B5, "et pour la drogue ?", "fr", "B3", B3),
        ("Welke doelstellingen zijn er rond verkeersveiligheid?", B9, "en voor drugs?", "nl", "B3", B3),
        ("What are the objectives on tax fraud?", B4_2, "and for road safety?", "en", "B9", B9),
    ],
)
def test_another_theme_after_a_list(real_assistant, first: str, first_ids: list[str], follow: str,
                                    language: str, group: str, expected: list[str]) -> None:
    (a1, a2), conversation = _ask_all(real_assistant, first, follow)
    assert cited(a1) == first_ids
    assert (a2.intent, a2.language, a2.group) == ("list", language, group)
    assert cited(a2) == expected
    assert [(t.intent, t.group) for t in conversation.turns] == [("list", a1.group), ("list", group)]
    assert conversation.turns[1].passage_ids == tuple(expected)


def test_details_of_the_third_after_a_follow_up_list(real_assistant) -> None:
    answers, _ = _ask_all(real_assistant, "Quels sont les objectifs en matière de cybercriminalité ?",
                          "et pour la drogue ?", "plus de détails sur le 3")
    third = answers[2]
    assert (third.intent, third.language, third.group) == ("objective", "fr", "B3.1")
    assert cited(third) == [B3[2]] == ["PNS16-B3.1-3"]
    assert third.answer.split("\n")[0] == "Objectif PNS16-B3.1-3 :"


@pytest.mark.parametrize(
    ("first", "detail", "language", "expected"),
    [
        ("Quels sont les objectifs en matière de cybercriminalité ?", "plus de détails sur le 3", "fr",
         "PNS16-B5-3"),
        ("Welke doelstellingen zijn er rond verkeersveiligheid?", "meer details over nummer 4", "nl",
         "PNS16-B9-4"),
        ("What are the objectives on tax fraud?", "tell me more about number 2", "en", "PNS16-B4.2-2"),
        ("Quels sont les objectifs en matière de cybercriminalité ?", "développe le cinquième", "fr",
         "PNS16-B5-5"),
        ("Quels sont les objectifs en matière de drogues ?", "développe le huitième", "fr", "PNS16-B3.2-1"),
        ("Welke doelstellingen zijn er rond verkeersveiligheid?", "meer over de derde", "nl", "PNS16-B9-3"),
        ("Who works with Child Focus?", "more details on 3", "en", "PNS16-B6.3-3"),
    ],
)
def test_details_of_the_nth_item(real_assistant, first: str, detail: str, language: str, expected: str) -> None:
    (_, answer), conversation = _ask_all(real_assistant, first, detail)
    assert (answer.intent, answer.language) == ("objective", language)
    assert cited(answer) == [expected]
    assert conversation.turns[-1].passage_ids == (expected,)


def test_details_beyond_the_list_are_not_taken_from_it(real_assistant) -> None:
    (listed, answer, again), _ = _ask_all(real_assistant, "Quels sont les objectifs en matière de cybercriminalité ?",
                                          "plus de détails sur le 12", "plus de détails sur le 3")
    # not an item of the list: said so, nothing cited, and the list stays the context of the next follow-up
    assert (answer.intent, cited(answer)) == ("objective", [])
    assert answer.answer == "La liste précédente compte 10 objectifs : elle n'a pas de numéro 12."
    assert cited(again) == [cited(listed)[2]]


@pytest.mark.parametrize(("question", "intent"), [
    ("et pour la drogue ?", "free"), ("en voor drugs?", "free"), ("and for road safety?", "free"),
    # names nothing of the plan: the out-of-scope decision sets it aside, as it does the question alone
    ("plus de détails sur le 3", "out_of_scope"),
])
def test_follow_up_cue_without_a_previous_turn_is_a_normal_question(real_assistant, question: str,
                                                                   intent: str) -> None:
    alone = real_assistant.ask(question)
    conversation = Conversation()
    answer = real_assistant.ask(question, conversation=conversation)
    assert answer.intent == alone.intent == intent
    assert (answer.group, cited(answer)) == (alone.group, cited(alone))
    assert len(conversation.turns) == 1


def test_follow_up_cue_without_a_previous_turn_routes_to_the_named_theme(real_assistant) -> None:
    answer = real_assistant.ask("et pour la drogue ?", conversation=Conversation())
    assert (answer.intent, answer.group) == ("free", "B3")
    assert all(oid.startswith("PNS16-B3") for oid in cited(answer))


def test_actor_follow_up(real_assistant) -> None:
    (_, answer), _ = _ask_all(real_assistant, "Who works with Child Focus?", "and what about the CTIF?")
    assert (answer.intent, answer.language) == ("actor", "en")
    assert cited(answer) == ["PNS16-A4-5", "PNS16-A4-12"]


def test_an_unrelated_question_with_an_ordinal_is_not_a_follow_up(real_assistant) -> None:
    alone = real_assistant.ask("Qui est le premier ministre ?")
    assert alone.intent == "out_of_scope"
    (_, answer), _ = _ask_all(real_assistant, "Quels sont les objectifs en matière de cybercriminalité ?",
                              "Qui est le premier ministre ?")
    assert (answer.intent, answer.citations) == ("out_of_scope", ())


def test_short_follow_up_keeps_the_conversation_language(real_assistant) -> None:
    (_, answer), _ = _ask_all(real_assistant, "Welke doelstellingen zijn er rond verkeersveiligheid?", "nummer 4")
    assert cited(answer) == ["PNS16-B9-4"]
    assert answer.language == "nl"
    assert answer.answer.split("\n")[0] == "Doelstelling PNS16-B9-4 (tekst van het plan, in het Frans):"
