"""Cleaning of extraction noise, one line at a time."""

from __future__ import annotations

import pytest

from corpus.clean import clean_line, fold, fold_chars, is_footnote


@pytest.mark.parametrize("raw", [
    "Cliquez pour plus d'infos",
    "Cliquez pour plus d'infos sur...",
    "[Cliquez pour plus d'infos](#)",
    "  cliquez ici pour plus d'info …  ",
    "Klik voor meer info",
    "Click here for more information",
])
def test_link_labels_are_noise(raw: str) -> None:
    assert clean_line(raw) == ""


@pytest.mark.parametrize(("raw", "expected"), [
    ("Le PNS est le **plan de politique stratégique**.", "Le PNS est le plan de politique stratégique."),
    ("Voir [la note](https://example.org) ici.", "Voir la note ici."),
    ("Texte [Cliquez pour plus d'infos](#) suite.", "Texte suite."),
    ("les prochaines années¹. Le PNS", "les prochaines années. Le PNS"),
    ("THÈMES TRANSVERSAUX ²", "THÈMES TRANSVERSAUX"),
    ("une image performante du phénomène .", "une image performante du phénomène."),
    ("  deux   espaces\u00a0insécables  ", "deux espaces insécables"),
    ("1\tRadicalisation\t\tTerrorisme\t", "1 · Radicalisation · Terrorisme"),
    ("__souligné__", "souligné"),
])
def test_clean_line(raw: str, expected: str) -> None:
    assert clean_line(raw) == expected


def test_clean_line_normalises_to_nfc() -> None:
    assert clean_line("fe\u0301de\u0301rale") == "fédérale"


def test_footnote_lines() -> None:
    assert is_footnote("³ Directeur coordonnateur administratif")
    assert is_footnote("²¹ Les thèmes transversaux")
    assert not is_footnote("Le PNS² est")
    assert not is_footnote("3 Directeur")


def test_fold() -> None:
    assert fold("Cellule de traitement de l’information FINANCIÈRE") == (
        "cellule de traitement de l'information financiere")
    assert fold("Œuvre") == "oeuvre"


def test_fold_chars_keeps_one_character_for_one() -> None:
    text = "Œuvre, Élément’s"
    assert fold_chars(text) == "ouvre, element's"
    assert len(fold_chars(text)) == len(text)


def test_unit_exponents_are_not_footnote_marks() -> None:
    assert clean_line("Une surface de 50 m² et 3 km³.") == "Une surface de 50 m² et 3 km³."
