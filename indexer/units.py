"""Retrievable units: each objective with its context, goal sentences, and prose split on sentences."""

from __future__ import annotations

import re

from corpus.catalogue import Corpus
from pns.types import Passage, Unit

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[A-ZÀ-Ý0-9«\"(-])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a prose passage (list items and table rows count as sentences)."""
    parts: list[str] = []
    for line in text.split("\n"):
        parts.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return parts


def chunk_text(text: str, max_chars: int, overlap: int) -> list[str]:
    """Pack sentences into chunks of at most ``max_chars``, repeating ``overlap`` sentences between chunks.

    A single sentence longer than ``max_chars`` is cut on word boundaries, so no unit exceeds the window.
    """
    if len(text) <= max_chars:
        return [text]
    sentences: list[str] = []
    for sentence in split_sentences(text):
        while len(sentence) > max_chars:
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > max_chars // 2 else max_chars
            sentences.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            sentences.append(sentence)
    chunks: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        if current and len(" ".join([*current, sentence])) > max_chars:
            chunks.append(" ".join(current))
            kept = current[-overlap:] if overlap else []
            while kept and len(" ".join([*kept, sentence])) > max_chars:
                kept = kept[1:]
            current = kept
        current.append(sentence)
    if current:
        chunks.append(" ".join(current))
    return chunks


def context_label(passage: Passage, number: int | None = None) -> str:
    """"Cybercrime et cybersecurity › objectif 3": the heading path a unit carries into the index."""
    path = " › ".join(passage.path)
    if passage.kind == "objective" and number is not None:
        return f"{path} › objectif {number}"
    return path


def build_units(corpus: Corpus, max_chars: int, overlap: int) -> list[Unit]:
    """All units of the corpus, in document order; ids are passage ids, with ``#k`` for prose chunks."""
    units: list[Unit] = []
    for passage in corpus.passages.values():
        number = corpus.objectives[passage.objective_id].number if passage.objective_id else None
        label = context_label(passage, number)
        chunks = [passage.text] if passage.kind != "prose" else chunk_text(passage.text, max_chars, overlap)
        for k, chunk in enumerate(chunks, start=1):
            unit_id = passage.id if len(chunks) == 1 else f"{passage.id}#{k}"
            text = f"{label} — {chunk}" if label else chunk
            units.append(Unit(unit_id, passage.id, text, passage.language))
    return units
