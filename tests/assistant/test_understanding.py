"""Pure question-understanding functions, with exact values; the router runs on the shipped glossary."""

from __future__ import annotations

import pytest

from assistant.understanding import (
    GlossaryRouter,
    clean_question,
    detail_number,
    has_actor_cue,
    has_define_cue,
    has_list_cue,
    is_followup,
    mentions_objectives,
    objective_number,
    parse_objective_id,
    parse_outline_id,
    retrieval_text,
)

# -- clean_question ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "max_chars", "expected"),
    [
        ("  Quels   sont\tles\nobjectifs ?  ", 100, ("Quels sont les objectifs ?", [])),
        ("a\x00b", 100, ("a b", ["control-characters"])),
        ("abc\u202edef", 100, ("abcdef", ["control-characters"])),
        ("zero\u200bwidth", 100, ("zerowidth", ["control-characters"])),
        ("\x7fdel", 100, ("del", ["control-characters"])),
        # NFC: "e" + combining acute becomes one "é".
        ("caf\u0065\u0301", 100, ("caf\u00e9", [])),
        # Cut at the last space when it lies past half the limit.
        ("mot " * 10, 20, ("mot mot mot mot mot", ["truncated"])),
        # No usable space: a hard cut at the limit.
        ("a" * 30, 20, ("a" * 20, ["truncated"])),
        ("a\x00" + "b" * 30, 20, ("a " + "b" * 18, ["control-characters", "truncated"])),
        ("exactement vingt car", 20, ("exactement vingt car", [])),
    ],
)
def test_clean_question(raw: str, max_chars: int, expected: tuple[str, list[str]]) -> None:
    assert clean_question(raw, max_chars) == expected


def test_clean_question_removes_the_escape_character_with_a_notice() -> None:
    text, notices = clean_question("\x1b[31mrouge", 100)
    assert "\x1b" not in text and notices == ["control-characters"]


def test_clean_question_removes_whole_ansi_sequences() -> None:
    assert clean_question("\x1b[31mrouge\x1b[0m", 100) == ("rouge", ["control-characters"])


def test_clean_question_treats_crlf_as_whitespace() -> None:
    assert clean_question("Quels\r\nobjectifs ?\r\n", 100) == ("Quels objectifs ?", [])


# -- parse_objective_id ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("PNS16-B5-3", ("PNS16", "B5", None, 3, "")),
        ("Que dit pns16-b4.2-1 ?", ("PNS16", "B4", 2, 1, "")),
        ("B4.2-1", (None, "B4", 2, 1, "")),
        ("objectif B7.2-5b", (None, "B7", 2, 5, "b")),
        ("PNS16-B5-99", ("PNS16", "B5", None, 99, "")),
        ("NVP16-A5.3-6", ("NVP16", "A5", 3, 6, "")),
        ("B11-3", (None, "B11", None, 3, "")),
        ("C5-3", None),
        ("objectif 3 de la cybercriminalité", None),
        ("le plan 2016-2019", None),
    ],
)
def test_parse_objective_id(question: str, expected: tuple | None) -> None:
    assert parse_objective_id(question) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("PNSF-3.5.3-2", ("PNSF", "3.5.3", 2)),
        ("Que dit pnsf-2.1.3-12 ?", ("PNSF", "2.1.3", 12)),
        ("l'objectif 3.5.3-2", (None, "3.5.3", 2)),
        ("NCSI-4-1", ("NCSI", "4", 1)),
        ("des jeunes de 10-12 ans", None),
        ("le plan 2016-2019", None),
        ("PNS16-B5-3", None),
        ("version 1.2.3-4.5", None),
    ],
)
def test_parse_outline_id(question: str, expected: tuple | None) -> None:
    assert parse_outline_id(question) == expected


# -- objective_number ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("objectif 3 de la cybercriminalité", 3),
        ("doelstelling 2 van verkeersveiligheid", 2),
        ("objective 6 of international cooperation", 6),
        ("Objectif n° 4 de la drogue", 4),
        ("doelstelling nr. 7", 7),
        ("objective #8", 8),
        ("goal 12", 12),
        ("3e objectif", 3),
        ("le 3ème objectif", 3),
        ("2nd objective", 2),
        ("objectifs cybercriminalité", None),
        ("10 objectifs", None),
        ("objectif 123", None),
        ("Quels sont les objectifs en matière de cybercriminalité ?", None),
    ],
)
def test_objective_number(question: str, expected: int | None) -> None:
    assert objective_number(question) == expected


# -- detail_number --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("plus de détails sur le 3", 3),
        ("plus de détails sur l'objectif 3", 3),
        ("meer details over nummer 4", 4),
        ("tell me more about number 2", 2),
        ("show 12", 12),
        ("le 7", 7),
        ("7", 7),
        ("n° 3 ?", 3),
        ("#2", 2),
        # Ordinals, FR / NL / EN.
        ("développe le cinquième", 5),
        ("le premier", 1),
        ("le deuxième", 2),
        ("la troisième", 3),
        ("de derde", 3),
        ("het tweede", 2),
        ("meer over de achtste", 8),
        ("the tenth", 10),
        ("the second one", 2),
        ("the first", 1),
        # No position.
        ("détails", None),
        ("Quels sont les objectifs ?", None),
        ("le troisième objectif de la cybercriminalité et aussi la drogue en général", None),
    ],
)
def test_detail_number(question: str, expected: int | None) -> None:
    assert detail_number(question) == expected


# -- is_followup and cues -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("et pour la drogue ?", True),
        ("Et la cybercriminalité ?", True),
        ("en voor drugs?", True),
        ("Ook voor drugs?", True),
        ("and for road safety?", True),
        ("what about drugs?", True),
        ("Quels sont les objectifs en matière de cybercriminalité ?", False),
        ("et " + "x" * 80, False),  # too long to lean on the previous question
        ("entreprises", False),
        ("andere", False),
    ],
)
def test_is_followup(question: str, expected: bool) -> None:
    assert is_followup(question) is expected


def test_intent_cues() -> None:
    assert has_list_cue("Quels sont les objectifs ?") and has_list_cue("Welke doelstellingen?")
    assert has_list_cue("Which priorities?") and not has_list_cue("Que dit le plan sur le recel ?")
    assert has_actor_cue("Quels objectifs impliquent la CTIF ?") and has_actor_cue("Who works with Child Focus?")
    assert has_actor_cue("Wie werkt samen met Child Focus?") and not has_actor_cue("objectifs cybercriminalité")
    assert has_define_cue("what is BEPAD?") and has_define_cue("qu'est-ce que BEPAD ?")
    assert has_define_cue("wat is BEPAD?") and not has_define_cue("Quels objectifs impliquent la CTIF ?")


@pytest.mark.parametrize(("question", "expected"), [
    ("Quels sont les objectifs sur la drogue ?", True),
    ("List every objective under cybercrime", True),
    ("Give me all the goals on road safety", True),
    ("Geef elke doelstelling rond drugs", True),
    ("La liste pour la fraude fiscale", True),
    ("which objective covers a cannabis plantation in an attic?", False),
    ("y a-t-il un objectif sur les constats d'accident ?", False),
    ("Valt dat onder een doelstelling?", False),
    ("La maltraitance animale, c'est une priorité ?", False),
])
def test_a_list_is_asked_in_the_plural_or_for_every_objective(question: str, expected: bool) -> None:
    assert has_list_cue(question) is expected
    assert mentions_objectives(question)


@pytest.mark.parametrize(("question", "expected"), [
    ("Donne-moi toutes les actions prévues contre la traite des êtres humains", True),
    ("Welke maatregelen zijn er allemaal? Geef alle maatregelen rond wapenhandel", True),
    ("List all the measures on cybercrime", True),
    ("Quelles mesures contre la traite ?", False),
    ("Which measures does the plan take against money mules?", False),
])
def test_every_action_or_measure_asks_for_the_list(question: str, expected: bool) -> None:
    """The plan's objectives are its actions: "all the measures" asks for them all, "which measures" for the
    ones that answer."""
    assert has_list_cue(question) is expected


@pytest.mark.parametrize("question", ["Waar komt Child Focus voor in het plan?",
                                      "Where does Europol appear in the plan?", "Où apparaît la CTIF ?"])
def test_where_an_actor_appears_is_an_actor_question(question: str) -> None:
    assert has_actor_cue(question)


@pytest.mark.parametrize(("question", "actor", "expected"), [
    ("qu'est-ce que BEPAD ?", "BEPAD", True),
    ("C'est quoi la CTIF ?", "CTIF", True),
    ("BEPAD, c'est quoi ?", "BEPAD", True),
    ("Wat is de CFI precies?", "CFI", True),
    ("Manque d'enquêteurs à la PJF, qu'est-ce que le plan prévoit pour la relève ?", "PJF", False),
    ("What is the plan doing about staff shortages at the FJP?", "FJP", False),
    ("Quels objectifs impliquent la CTIF ?", "CTIF", True),
])
def test_a_what_is_cue_asks_about_the_actor_it_introduces(question: str, actor: str, expected: bool) -> None:
    start = question.index(actor)
    assert has_actor_cue(question, [(start, start + len(actor))]) is expected


# -- retrieval_text ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Que dit le plan sur le recel ?", "le recel"),
        ("What does the plan say about firearms on the darknet?", "firearms on the darknet"),
        ("Wat zegt het plan over partnergeweld?", "partnergeweld"),
        ("Qu'est-ce que le plan prévoit contre le hacking ?", "le hacking"),
        ("Le plan parle-t-il de la traite ?", "la traite"),
        ("Is there anything in the plan about drones?", "drones"),
        ("Does the plan mention drones?", "drones"),
        ("Staat er iets in het plan over drones?", "drones"),
        ("la drogue, c'est couvert ?", "la drogue"),
        # Questions about the plan itself, or without framing, are unchanged.
        ("Comment le plan sera-t-il suivi et évalué ?", "Comment le plan sera-t-il suivi et évalué ?"),
        ("Que dit le plan ?", "Que dit le plan ?"),
        ("ViCLAS", "ViCLAS"),
    ],
)
def test_retrieval_text(question: str, expected: str) -> None:
    assert retrieval_text(question) == expected


# -- GlossaryRouter on the shipped glossary -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def router(real_assistant) -> GlossaryRouter:
    return GlossaryRouter(real_assistant.corpus.glossary)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("objectifs cybercriminalité", "B5"),
        ("fraude fiscale", "B4.2"),
        ("fraude sociale et fiscale", "B4"),
        ("traite des êtres humains", "B2.1"),
        ("trafic et traite des êtres humains", "B2"),
        ("partnergeweld", "B6.1"),
        ("Wat zegt het plan over partnergeweld?", "B6.1"),
        ("personnes radicalisées", "B1"),
        ("road safety", "B9"),
        ("verkeersongevallen", "B9"),
        ("la drogue", "B3"),
        ("tax fraud", "B4.2"),
        ("human trafficking", "B2.1"),
        ("international cooperation", "A5"),
        ("hacking", "B5"),
        ("blanchiment", "A4"),
        # A sub-group's words plus another part of its theme: the theme.
        ("Tous les objectifs sur l'identité et la fraude au domicile", "A3"),
        ("fraude au domicile", "A3.2"),
        ("domiciliations fictives et fraude au domicile", "A3.2"),
        ("Quels objectifs pour le deal de rue et le marché local de la drogue ?", "B3.5"),
        ("Quels sont tous les objectifs liés aux incivilités, à l'ordre public et à la transmigration ?", "B10"),
        ("List every objective on human trafficking - exploitation, not smuggling.", "B2.1"),
        ("What are the objectives for the local drug market?", "B3.5"),
        ("Quel temps fera-t-il demain ?", None),
        ("bonjour", None),
    ],
)
def test_router_route(router: GlossaryRouter, question: str, expected: str | None) -> None:
    assert router.route(question)[0] == expected


def test_router_match_explains_the_matched_terms(router: GlossaryRouter) -> None:
    key, matches = router.route("fraude sociale et fiscale")
    assert key == "B4"
    assert [(m.key, m.terms) for m in matches] == [
        ("B4", ("Fraude sociale et fiscale", "fraude sociale")), ("B4.1", ("fraude sociale",))]
    assert router.route("bonjour") == (None, [])


def test_narrowing_terms_beyond_the_theme_name_and_within_its_vocabulary() -> None:
    from assistant.understanding import narrowing_terms
    from corpus.analysis import analyse

    covered = set(analyse("terrorisme radicalisation", "fr"))
    assert narrowing_terms("les objectifs du terrorisme", covered) == set()
    assert "financ" in narrowing_terms("les objectifs sur le financement du terrorisme", covered)
    vocabulary = set(analyse("Lutter contre le financement du terrorisme", "fr"))
    assert narrowing_terms("objectifs <script>onerror</script> du terrorisme", covered, vocabulary) == set()
    assert "financ" in narrowing_terms("objectifs du financement <b>du terrorisme</b>", covered, vocabulary)
