"""Singular and plural wording in French, Dutch and English, so no screen or export ever shows "objectif(s)".

French treats 0 and 1 as singular ("0 objectif", "1 objectif"); Dutch and English only 1.
"""

from __future__ import annotations

FORMS: dict[str, dict[str, tuple[str, str]]] = {
    "objective": {"fr": ("objectif", "objectifs"), "nl": ("doelstelling", "doelstellingen"),
                  "en": ("objective", "objectives")},
    "mention": {"fr": ("mentionne", "mentionnent"), "nl": ("vermeldt", "vermelden"), "en": ("mentions", "mention")},
    "theme": {"fr": ("thème", "thèmes"), "nl": ("thema", "thema's"), "en": ("theme", "themes")},
    "passage": {"fr": ("passage", "passages"), "nl": ("passage", "passages"), "en": ("passage", "passages")},
    "actor": {"fr": ("acteur", "acteurs"), "nl": ("actor", "actoren"), "en": ("actor", "actors")},
}


def is_singular(n: int, language: str) -> bool:
    return n in (0, 1) if language == "fr" else n == 1


def plural(n: int, word: str, language: str) -> str:
    """The form of ``word`` ("objective", "mention"…) that agrees with ``n`` in ``language`` (French if unknown)."""
    forms = FORMS[word]
    one, many = forms.get(language, forms["fr"])
    return one if is_singular(n, language) else many


def count(n: int, word: str, language: str) -> str:
    """ "3 objectifs", "1 doelstelling", "0 objectives"."""
    return f"{n} {plural(n, word, language)}"


NONE = {"fr": "aucun objectif", "nl": "geen doelstellingen", "en": "no objectives"}


def objective_count(n: int, language: str) -> str:
    """ "aucun objectif", "1 objectif", "12 objectifs" (and the same in Dutch and English)."""
    if n == 0:
        return NONE.get(language, NONE["fr"])
    return count(n, "objective", language)
