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
    if max_chars < 1 or overlap < 0:
        raise ValueError(f"chunk_max_chars must be at least 1 and the overlap at least 0 (got {max_chars}, "
                         f"{overlap})")
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


VIEWS = ("context", "text", "names", "nl", "en", "words")


def unit_view(unit_id: str) -> str:
    """The view a unit belongs to, from its id: "context" (no suffix, chunks "#k" included), or the name after
    "@" ("text", "nl", …; "words-fr" and its siblings are all "words")."""
    view = unit_id.partition("@")[2].split("~")[0]
    if not view:
        return "context"
    return "words" if view.startswith("words-") else view


def _names_label(corpus: Corpus, passage: Passage) -> str:
    """The passage's sub-group and theme in the glossary's other languages ("Intrafamiliaal geweld / …")."""
    keys: list[str] = []
    if passage.objective_id:
        objective = corpus.objectives[passage.objective_id]
        keys = [objective.group_key, objective.theme] if objective.group_index else [objective.theme]
    names = []
    for key in keys:
        entry = corpus.glossary.get(key)
        if entry:
            names += [entry.names[lang] for lang in ("nl", "en") if lang in entry.names]
    return " / ".join(dict.fromkeys(names))


def _translated_path(corpus: Corpus, passage: Passage, language: str) -> str:
    """The objective's theme and sub-group titles in ``language`` from the views (the plan's own when missing)."""
    objective = corpus.objectives[passage.objective_id]
    keys = [objective.theme, objective.group_key] if objective.group_index else [objective.theme]
    titles = [corpus.heading_translation(k, language, passage.document) or corpus.group_title(k) for k in keys]
    return " › ".join(titles)


def _view_units(corpus: Corpus, passage: Passage, views: tuple[str, ...]) -> list[Unit]:
    """The objective's unofficial translations ("nl", "en") and everyday words ("words", one unit per language),
    each analysed in its own language; none when the objective has no current views."""
    view = corpus.view(passage.objective_id) if passage.objective_id else None
    if view is None:
        return []
    units = []
    for lang in ("nl", "en"):
        if lang in views and lang in view.translations:
            text = f"{_translated_path(corpus, passage, lang)} — {view.translations[lang]}"
            units.append(Unit(f"{passage.id}@{lang}", passage.id, text, lang))
    if "words" in views:
        for lang, words in view.words.items():
            if words:
                units.append(Unit(f"{passage.id}@words-{lang}", passage.id, ", ".join(words), lang))
    return units


def build_units(corpus: Corpus, max_chars: int, overlap: int, views: tuple[str, ...] = ("context",)) -> list[Unit]:
    """All units of the corpus, in document order.

    Every passage gets a "context" unit (heading path + text; prose split into chunks ``#k``). Objectives can
    get more views of the same passage, each a unit of its own: "text" (the objective alone, which a short
    question matches best), "names" (the text with its theme's Dutch and English names, a bridge for
    questions in those languages), and from ``corpus/views/`` "nl" and "en" (unofficial translations under
    translated headings) and "words" (everyday expressions, one unit per language). Unit ids are the passage id
    plus ``@view`` for the extra views.
    """
    unknown = set(views) - set(VIEWS)
    if unknown or "context" not in views:
        raise ValueError(f"unit views must include 'context' and come from {VIEWS}; got {views}")
    units: list[Unit] = []
    for passage in corpus.passages.values():
        number = corpus.objectives[passage.objective_id].number if passage.objective_id else None
        label = context_label(passage, number)
        chunks = [passage.text] if passage.kind != "prose" else chunk_text(passage.text, max_chars, overlap)
        for k, chunk in enumerate(chunks, start=1):
            unit_id = passage.id if len(chunks) == 1 else f"{passage.id}#{k}"
            text = f"{label} — {chunk}" if label else chunk
            units.append(Unit(unit_id, passage.id, text, passage.language, passage.kind == "prose"))
        if passage.kind != "objective":
            continue
        if "text" in views:
            units.append(Unit(f"{passage.id}@text", passage.id, passage.text, passage.language))
        names = _names_label(corpus, passage) if "names" in views else ""
        if names:
            units.append(Unit(f"{passage.id}@names", passage.id, f"{names} — {passage.text}", passage.language))
        units.extend(_view_units(corpus, passage, views))
    return units
