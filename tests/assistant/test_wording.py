"""Singular and plural wording: no "(s)" anywhere, French 0 and 1 singular, Dutch and English only 1."""

from __future__ import annotations

import pytest

from assistant.compose import lead
from assistant.wording import count, objective_count, plural


@pytest.mark.parametrize(("n", "language", "expected"), [
    (0, "fr", "0 objectif"), (1, "fr", "1 objectif"), (2, "fr", "2 objectifs"),
    (0, "nl", "0 doelstellingen"), (1, "nl", "1 doelstelling"), (7, "nl", "7 doelstellingen"),
    (0, "en", "0 objectives"), (1, "en", "1 objective"), (3, "en", "3 objectives"),
    (2, "de", "2 objectifs"),  # an unsupported language reads French
])
def test_count(n: int, language: str, expected: str) -> None:
    assert count(n, "objective", language) == expected


def test_objective_count_says_none_in_words() -> None:
    assert [objective_count(0, lang) for lang in ("fr", "nl", "en")] == [
        "aucun objectif", "geen doelstellingen", "no objectives"]
    assert objective_count(12, "fr") == "12 objectifs"


@pytest.mark.parametrize(("n", "language", "expected"), [
    (1, "fr", "1 objectif du plan mentionne « CTIF » :"),
    (2, "fr", "2 objectifs du plan mentionnent « CTIF » :"),
    (1, "nl", "1 doelstelling van het plan vermeldt « CTIF » (tekst van het plan, in het Frans):"),
    (3, "nl", "3 doelstellingen van het plan vermelden « CTIF » (tekst van het plan, in het Frans):"),
    (1, "en", "1 objective of the plan mentions “CTIF” (the plan's own wording, in French):"),
    (2, "en", "2 objectives of the plan mention “CTIF” (the plan's own wording, in French):"),
])
def test_the_actor_lead_agrees_with_its_count(n: int, language: str, expected: str) -> None:
    assert lead("actor", language, n=n, name="CTIF") == expected


def test_no_fixed_wording_hedges_a_plural() -> None:
    from assistant.compose import LEADS, NOTICES

    texts = [text for table in (LEADS, NOTICES) for by_language in table.values() for text in by_language.values()]
    assert not [text for text in texts if "(s)" in text or "(en) " in text]
    assert plural(1, "mention", "en") == "mentions"


def test_a_list_has_one_marker_per_objective(real_assistant) -> None:
    import re

    answer = real_assistant.ask("Quels sont les objectifs en matière de cybercriminalité ?")
    assert answer.answer.splitlines()[0] == "Le plan fixe 10 objectifs pour « Cybercrime et cybersecurity » :"
    assert re.search(r"\[\d+\] \d+\.", answer.answer) is None
    assert "[1] **PNS16-B5-1** " in answer.answer
    assert "(s)" not in real_assistant.ask("Quels objectifs impliquent la CTIF ?").answer


def test_no_interface_text_hedges_a_plural() -> None:
    from ui.i18n import TEXTS

    assert not [key for key, by_language in TEXTS.items() for text in by_language.values()
                if "(s)" in text or "(en) " in text]


def test_plain_text_for_a_terminal() -> None:
    from assistant.compose import markdown_item, plain_text

    item = markdown_item(1, "Lutter contre la *fraude* <b> et " + "les faux documents " * 4, "PNS16-B4-1",
                         translation={"language": "nl", "text": "De fraude bestrijden."})
    text = plain_text("Le plan fixe 1 objectif pour « B4 » :\n\n**Fraude**\n\n" + item, width=50)
    assert text.splitlines() == [
        "Le plan fixe 1 objectif pour « B4 » :",
        "",
        "Fraude",
        "",
        "[1] PNS16-B4-1 Lutter contre la *fraude* <b> et",
        "    les faux documents les faux documents les faux",
        "    documents les faux documents",
        "    Niet-officiële vertaling: De fraude",
        "    bestrijden.",
    ]

