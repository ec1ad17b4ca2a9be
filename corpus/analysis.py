"""Text analysis for matching words across forms: accent folding, elisions, stopwords and Snowball stems per language.

Shared by BM25, the glossary router and the corpus checks, so a word is reduced the same way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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


def analyse(text: str, lang: str) -> list[str]:
    """Tokens for BM25: folded, elisions removed, stopwords dropped, stemmed in ``lang``."""
    folded = _ELISION.sub(" ", fold(text))
    stop = _stopwords(lang)
    words = [w for w in _TOKEN.findall(folded) if w not in stop and (len(w) > 1 or w.isdigit())]
    return _stemmer(lang).stemWords(words)


@lru_cache(maxsize=65_536)
def word_stem(word: str, lang: str) -> str | None:
    """The stem of one word (None for a stopword), remembered: highlighting stems every word of every cited
    passage, and the plan's vocabulary is small."""
    stems = analyse(word, lang)
    return stems[0] if stems else None


def analyse_query(text: str, languages: Iterable[str]) -> list[str]:
    """Query tokens analysed in each given language (the question's, then the corpus'), without duplicates."""
    seen: dict[str, None] = {}
    for lang in languages:
        for token in analyse(text, lang):
            seen.setdefault(token, None)
    return list(seen)
