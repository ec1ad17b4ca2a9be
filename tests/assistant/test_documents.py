"""Two editions of the plan side by side (French and Dutch, same theme codes): a list never mixes them."""

from __future__ import annotations

from corpus.catalogue import Corpus
from corpus.glossary import load_glossary
from corpus.loaders import _lines_from_text
from corpus.structure import parse_document
from pns.settings import REPO_ROOT, Settings
from pns.types import DocumentInfo

FR = """Partie 2: Phénomènes

B. Phénomènes de sécurité

5. CYBERCRIME ET CYBERSECURITY

Organiser des mesures coordonnées.

1. Mieux lutter contre la criminalité grâce à la prévention.
2. Assurer des enquêtes de qualité.
"""
NL = """Deel 2: Fenomenen

B. Veiligheidsfenomenen

5. CYBERCRIME EN CYBERSECURITY

Gecoördineerde maatregelen organiseren.

1. De criminaliteit beter bestrijden door preventie.
2. Kwaliteitsvolle onderzoeken verzekeren.
"""


def _doc(code: str, language: str) -> DocumentInfo:
    return DocumentInfo(id=f"{code.lower()}-doc", code=code, title=f"Plan {code}", kind="PNS", edition="simplified",
                        language=language, period="2016-2019", file=f"{code}.txt", sha256="0" * 64)


def _corpus() -> Corpus:
    docs = [_doc("PNS16", "fr"), _doc("NVP16", "nl")]
    plans = [parse_document(docs[0], _lines_from_text(FR)), parse_document(docs[1], _lines_from_text(NL))]
    corpus = Corpus(Settings(), docs, plans, load_glossary(REPO_ROOT / "corpus" / "glossary.toml"), [], "test")
    corpus.passages.update({p.id: p for plan in plans for p in plan.passages})
    return corpus


def test_a_theme_list_comes_from_one_edition() -> None:
    corpus = _corpus()
    assert [o.id for o in corpus.group_objectives("B5")] == ["PNS16-B5-1", "PNS16-B5-2"]
    assert [o.id for o in corpus.group_objectives("B5", "nl")] == ["NVP16-B5-1", "NVP16-B5-2"]
    assert [o.id for o in corpus.group_objectives("B5", "en")] == ["PNS16-B5-1", "PNS16-B5-2"]
    assert [o.id for o in corpus.group_objectives("B5", "fr", document="nvp16-doc")] == ["NVP16-B5-1",
                                                                                         "NVP16-B5-2"]


def test_the_assistant_lists_the_edition_of_the_question_language(real_assistant) -> None:
    from assistant.service import Assistant

    assistant = Assistant(real_assistant.settings, _corpus(), real_assistant.index, real_assistant.abstention,
                          real_assistant.background)
    dutch = assistant._answer_list("Welke doelstellingen rond cybercrime?", "nl", "B5")
    french = assistant._answer_list("Quels objectifs en matière de cybercriminalité ?", "fr", "B5")
    assert dutch[2] == ["NVP16-B5-1", "NVP16-B5-2"]
    assert french[2] == ["PNS16-B5-1", "PNS16-B5-2"]


FULL = """1 Introduction

Le plan décrit la méthode.

1.1 Contexte

Le contexte est décrit ici.

2 Phénomènes

2.1 Cybercriminalité

La cybercriminalité progresse.

2.1.1 Objectifs

La police poursuit les objectifs suivants :

1. Renforcer la capacité de la police en matière d'enquêtes numériques.
2. Sensibiliser les entreprises aux rançongiciels.
"""


def test_an_item_id_of_a_full_plan_is_answered(real_assistant) -> None:
    """Ids numbered by headings ("PNSF-2.1.1-2", or "2.1.1-2" alone) open their item; a known code with an unknown
    number says so; the simplified plan's ids still work beside them."""
    from assistant.service import Assistant

    full = DocumentInfo(id="pnsf-doc", code="PNSF", title="Plan national de sécurité (complet)", kind="PNS",
                        edition="full", language="fr", period="2016-2019", file="PNSF.txt", sha256="0" * 64)
    base = real_assistant.corpus
    plan = parse_document(full, _lines_from_text(FULL))
    corpus = Corpus(Settings(), [*base.documents, full], [*base.plans, plan], base.glossary, base.actors, "test")
    corpus.passages.update({p.id: p for p in [*base.passages.values(), *plan.passages]})
    assistant = Assistant(real_assistant.settings, corpus, real_assistant.index, real_assistant.abstention,
                          real_assistant.background)
    for question in ["PNSF-2.1.1-2", "Que dit l'objectif 2.1.1-2 ?"]:
        answer = assistant.ask(question)
        assert (answer.intent, [c.passage_id for c in answer.citations]) == ("objective", ["PNSF-2.1.1-2"])
        assert answer.citations[0].text == "Sensibiliser les entreprises aux rançongiciels."
    missing = assistant.ask("PNSF-2.1.1-9")
    assert (missing.intent, missing.citations) == ("objective", ())
    assert "PNSF-2.1.1-9" in missing.answer
    assert [c.passage_id for c in assistant.ask("PNS16-B5-3").citations] == ["PNS16-B5-3"]
