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
