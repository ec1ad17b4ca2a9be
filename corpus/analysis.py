"""Text analysis for matching words across forms: accent folding, elisions, stopwords and Snowball stems per language.

Shared by BM25, the glossary router and the corpus checks, so a word is reduced the same way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from functools import lru_cache
from pathlib import Path

from corpus.clean import fold

STEMMERS = {"fr": "french", "nl": "dutch", "en": "english", "de": "german"}
_TOKEN = re.compile(r"[a-z0-9]+(?:[-/][a-z0-9]+)*")
_ELISION = re.compile(r"\b[ldjmnstc]'|\bqu'|\bjusqu'|\blorsqu'|\bpuisqu'")


@lru_cache(maxsize=1)
def _bm25s_stopwords():
    """bm25s' stopword lists, read without importing bm25s itself (which pulls scipy into every start-up)."""
    import importlib.util

    spec = importlib.util.find_spec("bm25s")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("bm25s is not installed; run: pip install bm25s")
    path = Path(next(iter(spec.submodule_search_locations))) / "stopwords.py"
    module_spec = importlib.util.spec_from_file_location("_pns_bm25s_stopwords", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=8)
def _stopwords(lang: str) -> frozenset[str]:
    sw = _bm25s_stopwords()
    table = {"fr": sw.STOPWORDS_FRENCH, "nl": sw.STOPWORDS_DUTCH, "en": sw.STOPWORDS_EN,
             "de": sw.STOPWORDS_GERMAN}
    return frozenset(fold(w) for w in table.get(lang, ()))


@lru_cache(maxsize=8)
def _stemmer(lang: str):
    import Stemmer

    return Stemmer.Stemmer(STEMMERS.get(lang, "french"))


def _words(text: str, lang: str) -> list[str]:
    folded = _ELISION.sub(" ", fold(text))
    stop = _stopwords(lang)
    return [w for w in _TOKEN.findall(folded) if w not in stop and (len(w) > 1 or w.isdigit())]


def analyse(text: str, lang: str) -> list[str]:
    """Tokens for BM25: folded, elisions removed, stopwords dropped, stemmed in ``lang``."""
    return _stemmer(lang).stemWords(_words(text, lang))


# Languages that write compounds as one word ("wietplantages", "afvaltransporten"), and the linking letters
# allowed between their parts ("ontmanteling-s-methodologie").
COMPOUNDING = frozenset({"nl", "de"})
_LINKS = ("s", "en", "e")
MIN_PART = 3


def compound_parts(word: str, lang: str, known: Container[str]) -> tuple[str, str] | None:
    """The two parts of a compound whose stems are both ``known`` (the index's vocabulary), longest shorter part
    first: "wietplantages" → ("wiet", "plantages"). None when the word does not split so."""
    if lang not in COMPOUNDING or len(word) < 2 * MIN_PART or not word.isalpha():
        return None
    best: tuple[int, str, str] | None = None
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        tail = word[cut:]
        for head in (*(word[:cut - len(link)] for link in _LINKS if word[:cut].endswith(link)), word[:cut]):
            if len(head) < MIN_PART:
                continue
            if word_stem(head, lang) in known and word_stem(tail, lang) in known:
                shorter = min(len(head), len(tail))
                if best is None or shorter > best[0]:
                    best = (shorter, head, tail)
    return (best[1], best[2]) if best else None


def analyse_parts(text: str, lang: str, known: Container[str] | None = None) -> list[str]:
    """``analyse`` plus the stems of word parts: each part of a hyphenated word ("seksuele-agressieset"), and in
    compounding languages the two known parts of a compound. What BM25 indexes and searches, so "wietplantages"
    meets "cannabisplantages" through "plantages"; ``known`` None skips compounds."""
    stemmer = _stemmer(lang)
    stop = _stopwords(lang)
    words = _words(text, lang)
    extra: list[str] = []
    for word in words:
        pieces = [p for p in re.split(r"[-/]", word) if p] if ("-" in word or "/" in word) else [word]
        if len(pieces) > 1:
            extra += [p for p in pieces if p not in stop and len(p) > 1]
        if known is not None:
            for piece in pieces:
                parts = compound_parts(piece, lang, known)
                if parts:
                    extra += [p for p in parts if p not in stop]
    return stemmer.stemWords(words) + stemmer.stemWords(extra)


@lru_cache(maxsize=65_536)
def word_stem(word: str, lang: str) -> str | None:
    """The stem of one word (None for a stopword), remembered: highlighting stems every word of every cited
    passage, and the plan's vocabulary is small."""
    stems = analyse(word, lang)
    return stems[0] if stems else None


def analyse_query(text: str, languages: Iterable[str], known: Container[str] | None = None) -> list[str]:
    """Query tokens analysed in each given language (the question's, then the corpus'), without duplicates;
    with ``known`` (the BM25 vocabulary), word parts too (``analyse_parts``).

    The question's own stopwords are dropped before the other languages read it: the French article "un" is not
    the English "UN" (United Nations), nor "la" or "die" content words of another language's views."""
    seen: dict[str, None] = {}
    content = text
    for position, lang in enumerate(languages):
        for token in (analyse(content, lang) if known is None else analyse_parts(content, lang, known)):
            seen.setdefault(token, None)
        if position == 0:
            content = " ".join(_words(text, lang))
    return list(seen)
