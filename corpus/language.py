"""Language detection restricted to the languages the product supports, deterministic and safe on short text.

``langdetect`` alone calls "cybercrime" Welsh; here its probabilities are restricted to fr/nl/en(/de), short texts
are decided by a small list of function words first, and a fallback language is returned when unsure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

SUPPORTED = ("fr", "nl", "en", "de")
_WORD = re.compile(r"[a-zà-ÿ']+")
# Frequent function and question words: decisive on a short question where langdetect guesses.
_MARKERS = {
    "fr": {"le", "la", "les", "des", "du", "de", "et", "est", "quels", "quelles", "quel", "quelle", "qui", "que",
           "quoi", "en", "pour", "sur", "dans", "avec", "objectifs", "objectif", "matière", "une", "un", "au",
           "aux", "comment", "pourquoi", "où", "sont", "plan", "l'", "d'", "qu'est-ce", "concernant", "parle"},
    "nl": {"de", "het", "een", "en", "van", "voor", "wat", "welke", "wie", "hoe", "is", "zijn", "rond", "over",
           "met", "doelstellingen", "doelstelling", "zegt", "plan", "bij", "waarom", "werkt", "samen", "op", "te",
           "niet", "ook", "aan", "die", "dat", "meer", "betrokken"},
    "en": {"the", "a", "an", "and", "of", "for", "what", "which", "who", "how", "is", "are", "about", "on",
           "with", "objectives", "objective", "does", "say", "plan", "involved", "in", "to", "why", "tell", "me",
           "regarding", "there", "any"},
    "de": {"der", "die", "das", "und", "ist", "welche", "was", "wer", "wie", "ziele", "über", "mit", "für"},
}


@lru_cache(maxsize=4)
def _factory(allowed: tuple[str, ...]):
    """A langdetect factory holding only the allowed languages' profiles: faster to load, and restricted."""
    from pathlib import Path

    import langdetect
    from langdetect.detector_factory import DetectorFactory

    profiles = Path(langdetect.__file__).parent / "profiles"
    factory = DetectorFactory()
    factory.load_json_profile([(profiles / lang).read_text(encoding="utf-8") for lang in allowed])
    DetectorFactory.seed = 0
    return factory


def _marker_scores(text: str, allowed: Iterable[str]) -> dict[str, int]:
    words = _WORD.findall(text.lower())
    return {lang: sum(w in _MARKERS[lang] for w in words) for lang in allowed}


def detect_language(text: str, fallback: str = "fr", allowed: Iterable[str] = SUPPORTED) -> str:
    """Best supported language of ``text``; ``fallback`` when the text gives no usable signal."""
    allowed = tuple(allowed)
    words = _WORD.findall(text.lower())
    if not words:
        return fallback
    scores = _marker_scores(text, allowed)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if len(words) <= 12:
        # Short text: function words decide when one language clearly leads, else keep the fallback.
        if ranked[0][1] > 0 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            return ranked[0][0]
        if len(words) <= 3:
            return fallback
    from langdetect.lang_detect_exception import LangDetectException

    try:
        detector = _factory(allowed).create()
        detector.append(text)
        probs = [(p.lang, p.prob) for p in detector.get_probabilities()]
    except LangDetectException:
        probs = []
    if probs:
        best = max(probs, key=lambda lp: lp[1])
        if best[1] >= 0.5:
            return best[0]
    if ranked[0][1] > 0 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0]
    return fallback
