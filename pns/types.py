"""The domain's types, in one place: small frozen dataclasses passed along the pipeline.

Ids are meant for people: an objective id such as ``PNS16-B5-3`` (document code, theme B5, objective 3) or
``PNS16-B4.2-1`` (theme B4, second sub-group, objective 1) can be written on a slide and typed back in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

PassageKind = Literal["objective", "goal", "prose", "heading"]


@dataclass(frozen=True)
class DocumentInfo:
    """One entry of the corpus manifest."""

    id: str
    code: str
    title: str
    kind: str
    edition: str
    language: str
    period: str
    file: str
    sha256: str
    source_url: str = ""


@dataclass(frozen=True)
class Location:
    """Where a passage stands in its source: 1-based lines, 0-based character offsets, page if known."""

    line_start: int
    line_end: int
    char_start: int
    char_end: int
    page: int | None = None

    def label(self) -> str:
        """Human wording: "p. 12" for PDFs, "l. 140" (or "l. 140-142") for text."""
        if self.page is not None:
            return f"p. {self.page}"
        if self.line_end > self.line_start:
            return f"l. {self.line_start}-{self.line_end}"
        return f"l. {self.line_start}"


@dataclass(frozen=True)
class Line:
    """A cleaned line of a document with the place it came from."""

    text: str
    raw: str
    location: Location


@dataclass(frozen=True)
class Passage:
    """A retrievable piece of the plan: an objective, a theme's goal sentence, or prose."""

    id: str
    document: str
    kind: PassageKind
    path: tuple[str, ...]
    text: str
    location: Location
    language: str = "fr"
    objective_id: str | None = None
    theme: str | None = None


@dataclass(frozen=True)
class Objective:
    """A numbered objective of the plan."""

    id: str
    document: str
    theme: str
    theme_title: str
    group: str | None
    group_index: int | None
    number: int
    text: str
    path: tuple[str, ...]
    location: Location
    language: str = "fr"
    corrected: str = ""

    @property
    def group_key(self) -> str:
        """The theme or sub-group this objective is listed under, e.g. ``B4.2`` or ``B5``."""
        return f"{self.theme}.{self.group_index}" if self.group_index else self.theme


@dataclass(frozen=True)
class Group:
    """A sub-group of a theme (e.g. "Fraude fiscale" in B4)."""

    key: str
    index: int
    title: str


@dataclass(frozen=True)
class Theme:
    """A theme of Part 2 (A1-A7 transversal, B1-B10 phenomena)."""

    code: str
    title: str
    goal: str
    groups: tuple[Group, ...] = ()


@dataclass(frozen=True)
class Actor:
    """An actor or system of the actor index."""

    id: str
    name: str
    category: str
    aliases: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Unit:
    """What the index stores: a passage with the context text that is embedded and matched."""

    id: str
    passage_id: str
    text: str
    language: str
    prose: bool = False  # a chunk of running text (not an objective or a goal): see the setting prose_encoders


@dataclass(frozen=True)
class SignalScore:
    """What one signal (BM25, an encoder) said of a passage: its 1-based rank, raw score and best unit."""

    rank: int
    score: float
    unit: str


@dataclass(frozen=True)
class Hit:
    """A retrieved passage (once, by its best unit) with its score breakdown per signal.

    ``signals`` maps a signal name ("bm25", "use", "e5", …) to what it said; a signal that missed the passage is
    absent.
    """

    passage_id: str
    unit_id: str
    score: float
    retriever: str
    signals: dict[str, SignalScore] = field(default_factory=dict)

    def rank(self, signal: str) -> int | None:
        found = self.signals.get(signal)
        return found.rank if found else None

    def signal_score(self, signal: str) -> float | None:
        found = self.signals.get(signal)
        return found.score if found else None

    def breakdown(self) -> dict[str, dict[str, Any]]:
        """{signal: {"rank", "score", "unit"}} for JSON and the sources panel."""
        return {name: asdict(s) for name, s in self.signals.items()}

    def to_dict(self) -> dict[str, Any]:
        return {"passage_id": self.passage_id, "unit_id": self.unit_id, "score": self.score,
                "retriever": self.retriever, "signals": self.breakdown()}


@dataclass(frozen=True)
class Citation:
    """One cited passage of an answer: verbatim text, where it comes from and how to open it."""

    rank: int
    passage_id: str
    objective_id: str | None
    path: tuple[str, ...]
    document: str
    document_title: str
    location: str
    text: str
    score: float
    url: str | None
    scores: dict[str, Any] = field(default_factory=dict)
    highlights: tuple[tuple[int, int], ...] = ()
    # An unofficial translation shown beneath the quote ({"language", "text"}); never part of the citation.
    translation: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = list(self.path)
        data["highlights"] = [list(h) for h in self.highlights]
        return data


@dataclass(frozen=True)
class Answer:
    """What the assistant returns: fixed lead wording plus verbatim cited passages."""

    question: str
    language: str
    intent: str
    answer: str
    citations: tuple[Citation, ...]
    theme: str | None = None
    group: str | None = None
    notices: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    summary: str | None = None
    elapsed_ms: float = 0.0
    # The out-of-scope decision of a free question: P(out of scope) and the threshold it was compared with.
    scope: dict[str, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "language": self.language,
            "intent": self.intent,
            "answer": self.answer,
            "theme": self.theme,
            "group": self.group,
            "citations": [c.to_dict() for c in self.citations],
            "notices": list(self.notices),
            "suggestions": list(self.suggestions),
            "summary": self.summary,
            "scope": self.scope,
            "elapsed_ms": round(self.elapsed_ms, 2),
        }
