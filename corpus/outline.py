"""Structure of documents numbered as an outline ("1 Introduction", "3.2 Cybercriminalité", "3.2.3 Objectifs").

Full-length plans are organised this way rather than in the simplified plan's parts and themes. The numbered
headings, to three levels, become the heading path of every passage below them; a numbered list under a heading
("1. Renforcer …") is a list of items with ids (``CODE-3.2.3-1``), as the simplified plan's objectives are, unless
a sentence ending in ":" introduces it (then it is part of the prose) under a heading that does not announce
objectives or actions ("Objectifs", "Actions", "Mesures", "Doelstellingen", "Acties" …). Prose passages are paragraphs, split on
sentences when longer than ``PASSAGE_MAX_CHARS``, and never cross a heading. Footnotes are passages of their own.

A numbered line counts as a heading only when it is shaped like one (short, no final punctuation, a capital) and
its number follows the outline (a sub-heading of the current heading, after its previous sibling); when the PDF
had a contents page, a chapter heading must also be one of its entries, so a numbered item without a final period
("4. Sensibilisation") is not taken for chapter 4.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from corpus.clean import clean_line, fold, is_footnote
from pns.types import DocumentInfo, Line, Location, Objective, Passage, Theme

_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(\S.*)$")
_ITEM = re.compile(r"^(\d{1,2})[.)]\s+(\S.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý0-9«\"(])")
_TERMINAL = (".", ";", ":", "!", "?", "…", ",")
_ITEMS_TITLE = re.compile(r"\b(objecti[fv]|action|mesure|engagement|doelstelling|actie|maatregel|verbintenis)")
HEADING_MAX_CHARS = 120
PASSAGE_MAX_CHARS = 1200
MIN_SUBHEADINGS = 3  # numbered headings of level 2 or 3 needed to read a document as an outline


def _heading_parts(text: str) -> tuple[str, str] | None:
    """(number, title) of a line shaped like a numbered heading, else None."""
    m = _HEADING.match(text)
    if m is None or len(text) > HEADING_MAX_CHARS:
        return None
    title = m.group(2).strip()
    if title.endswith(_TERMINAL) or not title[:1].isupper():
        return None
    return m.group(1), title


def is_outline(lines: list[Line]) -> bool:
    """Whether a document is numbered as an outline: three numbered sub-headings (1.1, 2.3.1 …) or more."""
    found = 0
    for line in lines:
        parts = _heading_parts(clean_line(line.raw)) if line.raw[:1].isdigit() else None
        if parts and "." in parts[0]:
            found += 1
            if found >= MIN_SUBHEADINGS:
                return True
    return False


def split_sentences_at(text: str, max_chars: int) -> list[tuple[int, int]]:
    """(start, end) offsets of the pieces of ``text``, each at most ``max_chars`` long, cut between sentences
    (a sentence longer than that is cut between words)."""
    bounds = [0, *(m.start() for m in _SENTENCE_END.finditer(text)), len(text)]
    pieces: list[tuple[int, int]] = []
    start = end = 0

    def skip(i: int) -> int:
        while i < len(text) and text[i].isspace():
            i += 1
        return i

    for a, b in itertools.pairwise(bounds):
        if end > start and b - start > max_chars:
            pieces.append((start, end))
            start = skip(a)
        end = b
        while end - start > max_chars:
            cut = text.rfind(" ", start, start + max_chars)
            cut = cut if cut > start else start + max_chars
            pieces.append((start, cut))
            start = skip(cut)
    if end > start:
        pieces.append((start, end))
    return pieces


@dataclass
class OutlineStats:
    """What the outline parser found, merged into the document's ParseReport."""

    headings: dict[str, int] = field(default_factory=lambda: {"1": 0, "2": 0, "3": 0})
    items: int = 0
    footnotes: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Block:
    kind: str  # "para" | "item"
    lines: list[Line]
    number: int = 0


def _join(lines: list[Line]) -> tuple[str, list[tuple[int, Line]]]:
    """A block's text: bullets ("- ") and table rows (" · ") on lines of their own, other lines run on.

    Returns the text and, for each line, the offset where it starts in the text (for the pages of pieces).
    """
    text = ""
    starts: list[tuple[int, Line]] = []
    for line in lines:
        piece = line.text
        if not text:
            starts.append((0, line))
            text = piece
            continue
        newline = piece.startswith("- ") or " · " in piece or " · " in text.rsplit("\n", 1)[-1]
        text += "\n" if newline else " "
        starts.append((len(text), line))
        text += piece
    return text, starts


def _span(first: Location, last: Location) -> Location:
    return Location(first.line_start, last.line_end, first.char_start, last.char_end, first.page)


class _OutlineBuilder:
    """Reads cleaned lines into headings, prose passages, footnotes and items; one instance per document."""

    def __init__(self, doc: DocumentInfo, contents: list[tuple[str, str, int]]) -> None:
        self.doc = doc
        self.contents = {(n, fold(t)): t for n, t, _ in contents if n}
        self.chapters_listed = any("." not in n for n, _ in self.contents)
        self.contents_seen: set[tuple[str, str]] = set()
        self.stack: list[tuple[str, str]] = []  # (number, title) from level 1 down
        self.block: _Block | None = None
        self.prose_list = False  # a list introduced by "…:" continues the prose passage before it
        self.passages: list[Passage] = []
        self.objectives: list[Objective] = []
        self.themes: dict[str, Theme] = {}
        self.counters: dict[str, int] = {}
        self.item_numbers: dict[str, list[int]] = {}
        self.stats = OutlineStats()

    # -- headings --------------------------------------------------------------------------------------------
    @property
    def code(self) -> str:
        return self.stack[-1][0] if self.stack else "0"

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(f"{n} {t}" for n, t in self.stack)

    def _accept_heading(self, number: str, title: str, line: Line) -> bool:
        parts = number.split(".")
        level = len(parts)
        if level > 3:
            return False
        listed = (number, fold(title)) in self.contents
        if level == 1:
            current = int(self.stack[0][0]) if self.stack else 0
            if self.chapters_listed:  # listed, or the next chapter under a title the contents cut or wrapped
                return listed or (int(number) == current + 1 and any(
                    n == number and (t.startswith(fold(title)[:20]) or fold(title).startswith(t[:20]))
                    for n, t in self.contents))
            # No contents to ask: "2. Sensibiliser les citoyens" right after item 1 is item 2, not chapter 2.
            return int(number) == current + 1 and not (self.block is not None and self.block.kind == "item"
                                                        and self.block.number == int(number) - 1)
        parent = [n for n, _ in self.stack[:level - 1]]
        if parent != [".".join(parts[:i]) for i in range(1, level)]:
            if listed:
                self.stats.warnings.append(f"{self.doc.code}: heading '{number} {title}' ({line.location.label()}) "
                                           f"does not follow '{' › '.join(self.path) or 'the start'}'")
                return True
            self._not_followed(number, title, line)
            return False
        sibling = self.stack[level - 1][0].split(".")[-1] if len(self.stack) >= level else "0"
        if int(parts[-1]) > int(sibling):
            return True
        self._not_followed(number, title, line)
        return False

    def _not_followed(self, number: str, title: str, line: Line) -> None:
        self.stats.warnings.append(f"{self.doc.code}: '{number} {title}' ({line.location.label()}) is shaped like a "
                                   f"heading but its number does not follow '{' › '.join(self.path) or 'the start'}'"
                                   f"; kept as text")

    def _heading(self, number: str, title: str, line: Line) -> None:
        self._end_block()
        level = number.count(".") + 1
        del self.stack[level - 1:]
        self.stack.append((number, title))
        self.stats.headings[str(level)] += 1
        self.contents_seen.add((number, fold(title)))
        self.prose_list = False
        if self.contents and level <= 2 and (number, fold(title)) not in self.contents and self._contents_depth(level):
            self.stats.warnings.append(f"{self.doc.code}: heading '{number} {title}' ({line.location.label()}) is "
                                       f"not in the contents")

    def _contents_depth(self, level: int) -> bool:
        return any(n.count(".") + 1 == level for n, _ in self.contents)

    # -- blocks ----------------------------------------------------------------------------------------------
    def _next_id(self, key: str) -> int:
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]

    def _end_block(self) -> None:
        block, self.block = self.block, None
        if block is None:
            return
        if block.kind == "item":
            self._item(block)
            return
        text, starts = _join(block.lines)
        prev = self.passages[-1] if self.passages else None
        if (self.prose_list and prev is not None and prev.kind == "prose" and prev.path == self.path
                and _ITEM.match(text)):
            self.passages[-1] = Passage(prev.id, prev.document, prev.kind, prev.path, f"{prev.text} {text}",
                                        _span(prev.location, block.lines[-1].location), prev.language)
            return
        self.prose_list = text.endswith(":")
        for a, b in split_sentences_at(text, PASSAGE_MAX_CHARS):
            first = max((ln for off, ln in starts if off <= a), key=lambda ln: ln.location.line_start)
            last = max((ln for off, ln in starts if off < b), key=lambda ln: ln.location.line_start)
            pid = f"{self.doc.code}-{self.code}-text-{self._next_id(self.code)}"
            self.passages.append(Passage(pid, self.doc.id, "prose", self.path, text[a:b].strip(),
                                         _span(first.location, last.location), self.doc.language))

    def _item(self, block: _Block) -> None:
        text = " ".join(line.text for line in block.lines)
        body = _ITEM.match(text)
        assert body is not None
        code, number = self.code, block.number
        numbers = self.item_numbers.setdefault(code, [])
        expected = numbers[-1] + 1 if numbers else 1
        if number != expected and number != 1:
            self.stats.warnings.append(f"{self.doc.code} {code}: item numbering skips at "
                                       f"{block.lines[0].location.label()} (expected {expected}, found {number})")
        oid = f"{self.doc.code}-{code}-{number}"
        taken = {o.id for o in self.objectives}
        if oid in taken:  # a second list under the same heading
            oid = next(f"{oid}{c}" for c in "bcdefghijklmnopqrstuvwxyz" if f"{oid}{c}" not in taken)
        numbers.append(number)
        location = _span(block.lines[0].location, block.lines[-1].location)
        title = self.stack[-1][1] if self.stack else self.doc.title
        if len(self.stack) >= 2:
            title = f"{self.stack[-2][1]} — {title}"
        self.themes.setdefault(code, Theme(code, title, ""))
        self.objectives.append(Objective(
            id=oid, document=self.doc.id, theme=code, theme_title=title, group=None, group_index=None,
            number=number, text=body.group(2).strip(), path=self.path, location=location, language=self.doc.language,
        ))
        self.passages.append(Passage(oid, self.doc.id, "objective", self.path, body.group(2).strip(), location,
                                     self.doc.language, objective_id=oid, theme=code))
        self.stats.items += 1

    def _items_heading(self) -> bool:
        """Whether the current heading announces objectives or actions: its numbered lists are items even when a
        sentence ending in ":" introduces them."""
        return bool(self.stack) and bool(_ITEMS_TITLE.search(fold(self.stack[-1][1])))

    # -- lines -----------------------------------------------------------------------------------------------
    def run(self, lines: list[Line]) -> None:
        for raw_line in lines:
            text = clean_line(raw_line.raw)
            if not text:
                if not raw_line.raw.strip():
                    self._end_block()
                continue
            line = Line(text, raw_line.raw, raw_line.location)
            if is_footnote(line.raw):
                self._end_block()
                pid = f"{self.doc.code}-{self.code}-note-{self._next_id(self.code + '-note')}"
                self.passages.append(Passage(pid, self.doc.id, "prose", self.path, text, line.location,
                                             self.doc.language))
                self.stats.footnotes += 1
                continue
            heading = _heading_parts(text)
            if heading and self.stack and heading == self.stack[0] and self.block is None:
                # The chapter's title again, inside the chapter: a running header on too few pages to be seen.
                self.stats.warnings.append(f"{self.doc.code}: '{text}' ({line.location.label()}) repeats the "
                                           f"chapter heading; dropped as a running header")
                continue
            if heading and self._accept_heading(*heading, line):
                self._heading(*heading, line)
                continue
            item = _ITEM.match(text)
            if item and (not self.prose_list or self._items_heading()):
                self._end_block()
                self.block = _Block("item", [line], int(item.group(1)))
                continue
            if self.block is None:
                self.block = _Block("para", [line])
            else:
                self.block.lines.append(line)
        self._end_block()
        for key in sorted(set(self.contents) - self.contents_seen):
            number, title = key[0], self.contents[key]
            self.stats.warnings.append(f"{self.doc.code}: contents entry '{number} {title}' has no heading in the "
                                       f"text")


def parse_outline(doc: DocumentInfo, lines: list[Line],
                  contents: list[tuple[str, str, int]]) -> tuple[list[Theme], list[Objective], list[Passage],
                                                                  OutlineStats]:
    """Themes (one per heading that holds items), items as objectives, passages, and what was found."""
    builder = _OutlineBuilder(doc, contents)
    builder.run(lines)
    return list(builder.themes.values()), builder.objectives, builder.passages, builder.stats
