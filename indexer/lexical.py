"""BM25 over units with language-aware analysis: accent folding, stopwords and Snowball stemming per language."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

from corpus.clean import fold

STEMMERS = {"fr": "french", "nl": "dutch", "en": "english", "de": "german"}
_TOKEN = re.compile(r"[a-z0-9]+(?:[-/][a-z0-9]+)*")
_ELISION = re.compile(r"\b[ldjmnstc]'|\bqu'|\bjusqu'|\blorsqu'|\bpuisqu'")


@lru_cache(maxsize=8)
def _stopwords(lang: str) -> frozenset[str]:
    from bm25s import stopwords as sw

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


def analyse_query(text: str, languages: Iterable[str]) -> list[str]:
    """Query tokens analysed in each given language (the question's, then the corpus'), without duplicates."""
    seen: dict[str, None] = {}
    for lang in languages:
        for token in analyse(text, lang):
            seen.setdefault(token, None)
    return list(seen)


class LexicalIndex:
    """A bm25s index over pre-analysed units."""

    def __init__(self, retriever) -> None:
        self._bm25 = retriever

    @classmethod
    def build(cls, texts: list[str], languages: list[str]) -> LexicalIndex:
        import bm25s

        tokens = [analyse(text, lang) or [""] for text, lang in zip(texts, languages, strict=True)]
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        return cls(retriever)

    def search(self, tokens: list[str], k: int) -> list[tuple[int, float]]:
        """(row, score) of the best ``k`` rows with a positive score."""
        known = [t for t in tokens if t in self._bm25.vocab_dict and t]
        if not known:
            return []
        scores = np.asarray(self._bm25.get_scores(known), dtype=np.float32)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(folder)))
