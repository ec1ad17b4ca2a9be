"""Each intent in French, Dutch and English on the shipped plan, with exact objective ids."""

from __future__ import annotations

import pytest

from .helpers import B3, B4_2, B5, B9, BASE_URL, CHILD_FOCUS, CTIF, OUT_OF_SCOPE, cited

# -- list -------------------------------------------------------------------------------------------------------

LISTS = [
    ("Quels sont les objectifs en matière de cybercriminalité ?", "fr", "B5", B5,
     "Le plan fixe 10 objectifs pour « Cybercrime et cybersecurity » :"),
    ("Welke doelstellingen zijn er rond cybercrime?", "nl", "B5", B5,
     "Het plan bevat 10 doelstellingen voor « Cybercrime en cybersecurity » (tekst van het plan, in het Frans):"),
    ("What are the objectives on cybercrime?", "en", "B5", B5,
     "The plan sets 10 objectives for “Cybercrime and cybersecurity” (the plan's own wording, in French):"),
    ("Welke doelstellingen zijn er rond verkeersveiligheid?", "nl", "B9", B9,
     "Het plan bevat 10 doelstellingen voor « Verkeersveiligheid » (tekst van het plan, in het Frans):"),
    ("Quels sont les objectifs en matière de sécurité routière ?", "fr", "B9", B9,
     "Le plan fixe 10 objectifs pour « Sécurité routière » :"),
    ("What are the objectives on road safety?", "en", "B9", B9,
     "The plan sets 10 objectives for “Road safety” (the plan's own wording, in French):"),
    ("What are the objectives on tax fraud?", "en", "B4.2", B4_2,
     "The plan sets 8 objectives for “Tax fraud” (the plan's own wording, in French):"),
    ("Quels sont les objectifs en matière de fraude fiscale ?", "fr", "B4.2", B4_2,
     "Le plan fixe 8 objectifs pour « Fraude fiscale » :"),
    ("Welke doelstellingen zijn er rond fiscale fraude?", "nl", "B4.2", B4_2,
     "Het plan bevat 8 doelstellingen voor « Fiscale fraude » (tekst van het plan, in het Frans):"),
    ("Quels sont les objectifs en matière de drogues ?", "fr", "B3", B3,
     "Le plan fixe 27 objectifs pour « Drogues » :"),
    ("Welke doelstellingen zijn er rond drugs?", "nl", "B3", B3, None),
    ("What are the objectives on drugs?", "en", "B3", B3, None),
]


@pytest.mark.parametrize(("question", "language", "group", "expected", "head"), LISTS,
                         ids=[q for q, *_ in LISTS])
def test_list(real_assistant, question: str, language: str, group: str, expected: list[str],
              head: str | None) -> None:
    answer = real_assistant.ask(question)
    assert (answer.intent, answer.language, answer.group, answer.theme) == (
        "list", language, group, group.split(".")[0])
    assert cited(answer) == expected
    assert [c.rank for c in answer.citations] == list(range(1, len(expected) + 1))
    assert [c.passage_id for c in answer.citations] == expected
    assert [c.url for c in answer.citations] == [f"{BASE_URL}/?objective={oid}" for oid in expected]
    assert answer.suggestions == () and answer.notices == ()
    if head is not None:
        assert answer.answer.split("\n")[0] == head
    for oid in expected:  # every objective is listed in the Markdown with its id
        assert f"**{oid}**" in answer.answer


def test_list_of_tax_fraud_puts_the_repaired_items_in_plan_order(real_assistant) -> None:
    answer = real_assistant.ask("What are the objectives on tax fraud?")
    objectives = real_assistant.corpus.objectives
    # Item 1 stood under the "Fraude fiscale" heading; items 2-8 were printed under "Fraude sociale".
    assert answer.citations[0].text.startswith("Établir une image sur la fraude organisée à la TVA")
    assert [bool(objectives[oid].corrected) for oid in cited(answer)] == [False] + [True] * 7
    assert {c.path for c in answer.citations} == {("B4 Fraude sociale et fiscale", "Fraude fiscale")}


def test_list_of_a_whole_theme_shows_its_subgroups_in_order(real_assistant) -> None:
    answer = real_assistant.ask("Quels sont les objectifs en matière de drogues ?")
    groups = [real_assistant.corpus.objectives[oid].group_key for oid in cited(answer)]
    assert groups == ["B3.1"] * 7 + ["B3.2"] * 9 + ["B3.3"] * 5 + ["B3.4"] + ["B3.5"] * 5
    # The Markdown names each sub-group once, before its first objective.
    titles = [real_assistant.corpus.group_title(g) for g in ("B3.1", "B3.2", "B3.3", "B3.4", "B3.5")]
    positions = [answer.answer.index(f"**{t}**") for t in titles]
    assert positions == sorted(positions)
    assert positions[0] < answer.answer.index("**PNS16-B3.1-1**") < positions[1]
    assert positions[4] < answer.answer.index("**PNS16-B3.5-1**")
    # Marché local item 2 was repaired into its own sub-group.
    assert real_assistant.corpus.objectives["PNS16-B3.5-2"].corrected


# -- actor ------------------------------------------------------------------------------------------------------

ACTORS = [
    ("Quels objectifs impliquent la CTIF ?", "fr", CTIF, "2 objectifs du plan mentionnent « CTIF » :"),
    ("Which objectives involve the CTIF?", "en", CTIF,
     "2 objectives of the plan mention “CTIF” (the plan's own wording, in French):"),
    ("Bij welke doelstellingen is de CTIF betrokken?", "nl", CTIF,
     "2 doelstellingen van het plan vermelden « CTIF » (tekst van het plan, in het Frans):"),
    ("Wie werkt samen met Child Focus?", "nl", CHILD_FOCUS,
     "3 doelstellingen van het plan vermelden « Child Focus » (tekst van het plan, in het Frans):"),
    ("Who works with Child Focus?", "en", CHILD_FOCUS,
     "3 objectives of the plan mention “Child Focus” (the plan's own wording, in French):"),
    ("Avec qui travaille Child Focus ?", "fr", CHILD_FOCUS,
     "3 objectifs du plan mentionnent « Child Focus » :"),
    ("what is BEPAD?", "en", ["PNS16-B10.3-1"],
     "What the plan says about “BEPAD” (the plan's own wording, in French):"),
    ("qu'est-ce que BEPAD ?", "fr", ["PNS16-B10.3-1"], "Ce que le plan dit de « BEPAD » :"),
    ("wat is BEPAD?", "nl", ["PNS16-B10.3-1"],
     "Wat het plan zegt over « BEPAD » (tekst van het plan, in het Frans):"),
]


@pytest.mark.parametrize(("question", "language", "expected", "head"), ACTORS, ids=[q for q, *_ in ACTORS])
def test_actor(real_assistant, question: str, language: str, expected: list[str], head: str) -> None:
    answer = real_assistant.ask(question)
    assert (answer.intent, answer.language, answer.group, answer.theme) == ("actor", language, None, None)
    assert cited(answer) == expected
    assert [c.rank for c in answer.citations] == list(range(1, len(expected) + 1))
    assert answer.answer.split("\n")[0] == head


def test_actor_citations_highlight_the_actor_name(real_assistant) -> None:
    answer = real_assistant.ask("Quels objectifs impliquent la CTIF ?")
    spans = {c.objective_id: [c.text[s:e] for s, e in c.highlights] for c in answer.citations}
    assert spans == {"PNS16-A4-5": ["Cellule de traitement de l'information financière", "CTIF"],
                     "PNS16-A4-12": ["CTIF"]}


def test_actor_dutch_verb_betrekken(real_assistant) -> None:
    answer = real_assistant.ask("Welke doelstellingen betrekken de CTIF?")
    assert (answer.intent, answer.language) == ("actor", "nl")
    assert cited(answer) == CTIF


# -- objective by id, by theme + number -----------------------------------------------------------------------------

OBJECTIVES = [
    ("PNS16-B9-4", "fr", "B9", "PNS16-B9-4", "Objectif PNS16-B9-4 :"),
    ("pns16-b9-4", "fr", "B9", "PNS16-B9-4", "Objectif PNS16-B9-4 :"),
    ("B4.2-1", "fr", "B4.2", "PNS16-B4.2-1", "Objectif PNS16-B4.2-1 :"),
    ("objectif 3 de la cybercriminalité", "fr", "B5", "PNS16-B5-3", "Objectif PNS16-B5-3 :"),
    ("doelstelling 2 van verkeersveiligheid", "nl", "B9", "PNS16-B9-2",
     "Doelstelling PNS16-B9-2 (tekst van het plan, in het Frans):"),
    ("objective 6 of international cooperation", "en", "A5", "PNS16-A5.3-6",
     "Objective PNS16-A5.3-6 (the plan's own wording, in French):"),
]


@pytest.mark.parametrize(("question", "language", "group", "expected", "head"), OBJECTIVES,
                         ids=[q for q, *_ in OBJECTIVES])
def test_objective(real_assistant, question: str, language: str, group: str, expected: str, head: str) -> None:
    answer = real_assistant.ask(question)
    assert (answer.intent, answer.language, answer.group) == ("objective", language, group)
    assert cited(answer) == [expected]
    citation = answer.citations[0]
    assert (citation.rank, citation.url) == (1, f"{BASE_URL}/?objective={expected}")
    assert citation.text == real_assistant.corpus.objectives[expected].text
    assert answer.answer.split("\n")[0] == head


@pytest.mark.parametrize(
    ("language", "wording"),
    [(None, "Le plan ne contient pas d'objectif PNS16-B5-99."), ("fr", "Le plan ne contient pas d'objectif PNS16-B5-99."),
     ("nl", "Het plan bevat geen doelstelling PNS16-B5-99."), ("en", "The plan has no objective PNS16-B5-99.")],
)
def test_unknown_objective_id(real_assistant, language: str | None, wording: str) -> None:
    answer = real_assistant.ask("PNS16-B5-99", language=language)
    assert (answer.intent, answer.language, answer.group, answer.theme) == (
        "objective", language or "fr", None, None)
    assert answer.citations == ()
    assert answer.answer == wording


def test_unknown_suffixed_id_does_not_deny_an_existing_objective(real_assistant) -> None:
    assert "PNS16-B7.2-5" in real_assistant.corpus.objectives
    answer = real_assistant.ask("PNS16-B7.2-5b")
    assert (answer.intent, answer.citations) == ("objective", ())
    assert "B7.2-5b" in answer.answer


def test_unknown_document_code_does_not_deny_an_existing_objective(real_assistant) -> None:
    answer = real_assistant.ask("NVP16-B5-3", language="nl")
    assert answer.answer != "Het plan bevat geen doelstelling B5-3."


# -- free questions -------------------------------------------------------------------------------------------------


def test_free_viclas_cites_its_objective_first(real_assistant) -> None:
    answer = real_assistant.ask("ViCLAS")
    # A bare system name is answered through the actor index, with the objective that names it.
    assert (answer.intent, answer.language) == ("actor", "fr")
    assert cited(answer) == ["PNS16-B6.2-4"]


@pytest.mark.parametrize(("question", "language"), [
    ("which objective covers a cannabis plantation found in an attic?", "en"),
    ("Y a-t-il un objectif sur les plantations de cannabis dans les greniers ?", "fr"),
])
def test_one_objective_asked_for_is_a_free_question_not_the_theme_list(real_assistant, question: str,
                                                                      language: str) -> None:
    answer = real_assistant.ask(question)
    assert (answer.intent, answer.language) == ("free", language)
    assert len(answer.citations) == real_assistant.settings.top_k


def test_what_is_after_an_actor_name_does_not_make_an_actor_question(real_assistant) -> None:
    answer = real_assistant.ask("Manque d'enquêteurs ecofin à la PJF, qu'est-ce que le plan prévoit pour la relève ?")
    assert (answer.intent, answer.language) == ("free", "fr")
    assert len(answer.citations) == real_assistant.settings.top_k
    assert real_assistant.ask("BEPAD, c'est quoi ?").intent == "actor"


def test_free_follow_up_and_evaluation_cites_part_5(real_assistant) -> None:
    answer = real_assistant.ask("Comment le plan sera-t-il suivi et évalué ?")
    assert (answer.intent, answer.language, answer.group) == ("free", "fr", None)
    assert len(answer.citations) == real_assistant.settings.top_k == 5
    first = answer.citations[0]
    assert first.objective_id is None and first.url is None
    assert first.passage_id.startswith("PNS16-P5-")
    assert answer.answer.split("\n")[0] == "Voici les passages du plan les plus proches de votre question :"


def test_free_partnergeweld_cites_domestic_violence(real_assistant) -> None:
    answer = real_assistant.ask("Wat zegt het plan over partnergeweld?")
    assert (answer.intent, answer.language, answer.group, answer.theme) == ("free", "nl", "B6.1", "B6")
    first = answer.citations[0].objective_id
    assert first is not None and real_assistant.corpus.objectives[first].group_key == "B6.1"
    assert answer.answer.split("\n")[0] == (
        "Dit zijn de passages van het plan die het best bij uw vraag passen (in het Frans):")


def test_free_firearms_on_the_darknet(real_assistant) -> None:
    answer = real_assistant.ask("what does the plan say about firearms on the darknet?")
    assert (answer.intent, answer.language) == ("free", "en")
    assert "PNS16-B7.2-5" in cited(answer)[:3]
    assert [c.rank for c in answer.citations] == [1, 2, 3, 4, 5]
    scores = [c.score for c in answer.citations]
    assert scores == sorted(scores, reverse=True)


# -- out of scope ---------------------------------------------------------------------------------------------------

OUT = [("Quel temps fera-t-il demain ?", "fr"), ("Wie won de wedstrijd gisteren?", "nl"),
       ("Give me a recipe for pancakes", "en")]
OVERVIEW = {"fr": "Le plan couvre 17 thèmes : demandez « Quels sont les objectifs ? » pour les voir.",
            "nl": "Het plan behandelt 17 thema's: vraag « Welke doelstellingen zijn er? » om ze te zien.",
            "en": "The plan covers 17 themes: ask “What are the objectives?” to see them."}


@pytest.mark.parametrize(("question", "language"), OUT, ids=[q for q, _ in OUT])
def test_out_of_scope(real_assistant, question: str, language: str) -> None:
    """Far from every theme: no citation, no arbitrary "nearest themes", a way into the plan instead."""
    answer = real_assistant.ask(question)
    assert (answer.intent, answer.language, answer.group, answer.theme) == ("out_of_scope", language, None, None)
    assert answer.citations == ()
    assert answer.suggestions == ()
    assert answer.scope is not None and answer.scope["p_out"] >= (answer.scope["threshold"] + 1) / 2
    assert answer.answer == f"{OUT_OF_SCOPE[language]}\n\n{OVERVIEW[language]}"


@pytest.mark.parametrize("question", [
    "Comment passer de la police locale à la police fédérale quand on est inspecteur ?",
    "Krijgen de politiezones elektrische combi's?",
    "Is the federal police getting new uniforms next year?",
])
def test_naming_only_the_police_does_not_bring_a_question_into_scope(real_assistant, question: str) -> None:
    """Careers and equipment name the police without being in the plan: only a specific actor (the CTIF,
    Europol) overrides the decision, not the police or the judicial authorities every question may name."""
    answer = real_assistant.ask(question)
    assert (answer.intent, answer.citations) == ("out_of_scope", ())
    assert answer.scope is not None and answer.scope["p_out"] > 0.99


def test_a_specific_actor_keeps_a_question_in_scope(real_assistant) -> None:
    answer = real_assistant.ask("Que fait la police avec Child Focus ?")
    assert answer.intent in {"actor", "free"} and answer.citations
    assert any(c.objective_id == "PNS16-B6.3-3" for c in answer.citations)


@pytest.mark.parametrize(("question", "language", "lead"), [
    ("Quels sont les objectifs ?", "fr",
     "Le plan fixe 225 objectifs répartis en 17 thèmes ; précisez un thème pour en avoir la liste :"),
    ("Welke doelstellingen zijn er?", "nl",
     "Het plan bevat 225 doelstellingen over 17 thema's; noem een thema om de lijst te krijgen:"),
    ("What are the objectives?", "en", "The plan sets 225 objectives across 17 themes; name a theme to get its list:"),
])
def test_a_list_question_naming_nothing_gets_the_themes(real_assistant, question: str, language: str,
                                                        lead: str) -> None:
    answer = real_assistant.ask(question)
    lines = answer.answer.splitlines()
    assert (answer.intent, answer.language, answer.citations) == ("overview", language, ())
    assert lines[0] == lead
    assert len(lines) == 18 and lines[1].startswith("- **A1** ") and lines[1].endswith(" (11)")
    assert lines[-1].startswith("- **B10** ") and lines[-1].endswith(" (13)")


@pytest.mark.parametrize(("question", "expected"), [
    ("quels sont les objectifs du thème B6.3", [f"PNS16-B6.3-{n}" for n in range(1, 9)]),
    ("objectives of b9", [f"PNS16-B9-{n}" for n in range(1, 11)]),
    ("objectif 2 du B4.2", ["PNS16-B4.2-2"]),
])
def test_a_theme_code_in_the_question(real_assistant, question: str, expected: list[str]) -> None:
    answer = real_assistant.ask(question)
    assert [c.objective_id for c in answer.citations] == expected


# -- the language of a short question -------------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "language"), [
    ("verbindingsofficieren", "nl"), ("afvalfraude", "nl"), ("gemeentelijke administratieve sancties", "nl"),
    ("new psychoactive substances", "en"), ("investigation management concept", "en"),
    ("fraude sociale", "fr"),
])
def test_a_short_question_takes_the_language_of_the_words_the_plan_and_its_views_use(
        real_assistant, question: str, language: str) -> None:
    """langdetect cannot judge two words: the words only one language's text uses (the plan, the views) do."""
    assert real_assistant.ask(question).language == language


def test_word_languages_come_from_the_plan_and_its_views(real_assistant) -> None:
    words = real_assistant.corpus.word_languages
    assert words["verbindingsofficieren"] == frozenset({"nl"})
    assert words["cybercriminalite"] == frozenset({"fr"})
    assert "nl" in words["cybercrime"] and "en" in words["cybercrime"]
