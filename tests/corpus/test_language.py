"""Language detection restricted to the supported languages, with a fallback on texts too short to judge."""

from __future__ import annotations

import pytest

from corpus.catalogue import Corpus
from corpus.language import detect_language

FR = ("La police fédérale développera et appliquera un système de monitoring uniforme pour le suivi et "
      "l'évaluation des objectifs du plan qui tombent sous sa responsabilité. Ce système de suivi sert de base "
      "pour rendre des comptes au conseil fédéral de police et aux autorités.")
NL = ("De federale politie zal een uniform monitoringsysteem ontwikkelen en toepassen voor de opvolging en de "
      "evaluatie van de doelstellingen van het plan die onder haar verantwoordelijkheid vallen. Dit "
      "opvolgingssysteem dient als basis om verantwoording af te leggen aan de federale politieraad.")
EN = ("The federal police will develop and apply a uniform monitoring system for the follow-up and evaluation "
      "of the objectives of the plan that fall under its responsibility. This system serves as a basis for "
      "reporting to the federal police council and to the authorities.")


def test_cybercrime_is_not_welsh() -> None:
    assert detect_language("cybercrime") == "fr"  # one word: no signal, so the fallback
    assert detect_language("Cybercrime", fallback="nl") == "nl"


@pytest.mark.parametrize(("question", "expected"), [
    ("Quels sont les objectifs en matière de cybercriminalité ?", "fr"),
    ("Qui est impliqué dans la lutte contre le blanchiment ?", "fr"),
    ("Wat zegt het plan over partnergeweld?", "nl"),
    ("Welke doelstellingen gaan over drugs?", "nl"),
    ("What does the plan say about firearms on the darknet?", "en"),
    ("Which objectives involve the CTIF?", "en"),
])
def test_questions(question: str, expected: str) -> None:
    assert detect_language(question) == expected
    assert detect_language(question, fallback="de") == expected


@pytest.mark.parametrize(("text", "expected"), [(FR, "fr"), (NL, "nl"), (EN, "en")], ids=["fr", "nl", "en"])
def test_long_paragraphs(text: str, expected: str) -> None:
    assert detect_language(text) == expected
    assert detect_language(text, fallback="de") == expected


@pytest.mark.parametrize("text", ["", "   ", "123 456", "?!"])
def test_no_words_gives_the_fallback(text: str) -> None:
    assert detect_language(text) == "fr"
    assert detect_language(text, fallback="en") == "en"


def test_allowed_languages_restrict_the_answer() -> None:
    assert detect_language(NL, allowed=("fr", "en")) in {"fr", "en"}
    assert detect_language(EN, allowed=("en",)) == "en"


def test_shipped_prose_passages_are_french(real_corpus: Corpus) -> None:
    languages = {p.language for p in real_corpus.passages.values()}
    assert languages == {"fr"}


def test_a_document_whose_text_is_not_in_the_manifest_language_is_reported(make_corpus) -> None:
    import hashlib

    from corpus.catalogue import Corpus
    from pns.settings import Settings

    from .conftest import FIXTURES, manifest_entry

    data = (FIXTURES / "mini_plan.txt").read_bytes()
    root = make_corpus("doc.txt", data, manifest=manifest_entry("doc.txt", hashlib.sha256(data).hexdigest(),
                                                                language="nl"))
    corpus = Corpus.load(Settings(corpus_dir=str(root)))
    assert corpus.reports()[0].warnings[-1] == (
        "TST: the text reads as 'fr' but the manifest says 'nl'; check the language of doc.txt")
    assert Corpus.load(Settings(corpus_dir=str(root)), detect_languages=False).reports()[0].warnings == []
