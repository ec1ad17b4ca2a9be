"""Interface wording: fallbacks, complete translations, the browser's preferred language."""

from __future__ import annotations

import string

import pytest

from ui import i18n
from ui.i18n import TEXTS, from_accept_language, normalise_language, t


def test_wording_in_each_language():
    assert t("send", "fr") == "Envoyer"
    assert t("send", "nl") == "Versturen"
    assert t("send", "en") == "Send"


def test_unknown_or_regional_language_falls_back():
    assert t("send", "de") == "Envoyer"
    assert t("send", None) == "Envoyer"
    assert t("send", "nl-BE") == "Versturen"
    assert t("send", "EN_gb") == "Send"


def test_missing_translation_falls_back_to_french_then_to_the_key(monkeypatch):
    monkeypatch.setitem(TEXTS, "only_fr", {"fr": "Seulement en français"})
    assert t("only_fr", "nl") == "Seulement en français"
    # An empty translation is a deliberate blank (the "text is in French" note says nothing in French).
    monkeypatch.setitem(TEXTS, "empty_nl", {"fr": "Vide", "nl": ""})
    assert t("empty_nl", "nl") == ""
    assert t("french_text", "fr") == ""
    assert t("french_text", "nl") == "Tekst van het plan, in het Frans."
    assert t("no_such_key", "en") == "no_such_key"


def test_placeholders_are_filled_even_when_named_like_the_parameters():
    assert t("objective_n", "en", n=3) == "Objective 3"
    assert t("theme_unknown", "fr", key="Z9") == "Aucun thème ou sous-groupe « Z9 » ; les codes ressemblent à B5, A3 ou B4.2."


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_exists_in_the_three_languages_with_the_same_placeholders(key):
    entry = TEXTS[key]
    assert set(entry) == set(i18n.LANGUAGES), key
    fields = {lang: {f for _, f, _, _ in string.Formatter().parse(text) if f} for lang, text in entry.items()}
    assert fields["nl"] == fields["fr"] == fields["en"], key
    assert entry["fr"] or key == "french_text", key  # only the "text is in French" note is empty in French


@pytest.mark.parametrize(("header", "expected"), [
    ("nl-BE,nl;q=0.9,en;q=0.8", "nl"),
    ("de-DE,de;q=0.9,en;q=0.5,fr;q=0.4", "en"),
    ("en;q=0.2, nl;q=0.7", "nl"),          # quality wins over order
    ("fr;q=0.5, nl;q=0.5", "fr"),          # a tie keeps the header's order
    ("en;q=0, nl;q=0.1", "nl"),            # q=0 means "not acceptable"
    ("en;q=abc, nl", "nl"),                # a malformed quality counts as 0
    ("de, it", "fr"),
    ("*", "fr"),
    ("", "fr"),
    (None, "fr"),
])
def test_language_from_accept_language(header, expected):
    assert from_accept_language(header) == expected


def test_normalise_language():
    assert normalise_language(" NL ") == "nl"
    assert normalise_language("pt-BR") == "fr"
