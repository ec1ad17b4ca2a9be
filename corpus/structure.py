"""Structure parser: cleaned lines → the plan tree (parts → themes → sub-groups → numbered objectives).

The parser is deliberately conservative. It recognises the plan's layout (``Partie N:``, section ``A.``/``B.``,
upper-case numbered theme headings, a goal sentence, sub-headings, numbered objectives); numbered sub-headings are
told apart from objectives by their shape (short, no final period) and by the numbering around them. Numbering
that restarts or skips is never silently fixed: it is either repaired by an explicit entry of ``corrections.toml``
or reported as a warning. A document whose layout is not recognised still yields heading-aware prose passages.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

from corpus.clean import clean_line, fold, is_footnote
from corpus.layout import LayoutReport
from corpus.outline import is_outline, parse_outline
from pns.types import DocumentInfo, Group, Line, Location, Objective, Passage, Theme

_PART = re.compile(r"^(partie|deel|part|teil)\s+(\d+)\s*(?:[:.–-]\s*(.*)|$)", re.IGNORECASE)
_SECTION = re.compile(r"^([A-H])\.\s+(\S.{2,120})$")
_NUMBERED = re.compile(r"^(\d{1,2})[.)]\s+(\S.*)$")
_TERMINAL = (".", ";", ":", "!", "?", "…")
_HEADING_MAX = 120
_ACRONYMS = {"ict", "tic", "pns", "ncsi", "nvp", "kiv", "tva", "btw", "ue", "eu"}


@dataclass(frozen=True)
class Correction:
    """One reviewed repair of a misordered list (see corpus/corrections.toml)."""

    id: str
    document: str
    theme: str
    from_group: int
    numbers: tuple[int, int]
    starts_with: str
    to_group: int
    reason: str


@dataclass
class ParseReport:
    """What the parser recognised, repaired and doubted, for `pns corpus check` and for reviewers."""

    document: str
    recognised: bool = False
    parts: list[str] = field(default_factory=list)
    themes: int = 0
    objectives: int = 0
    passages: int = 0
    repairs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Outline-numbered documents (full plans): headings found per level; PDFs: what the layout cleaning did.
    headings: dict[str, int] = field(default_factory=dict)
    layout: dict[str, object] | None = None


@dataclass(frozen=True)
class Plan:
    """The parsed structure of one document."""

    document: DocumentInfo
    themes: tuple[Theme, ...]
    objectives: tuple[Objective, ...]
    passages: tuple[Passage, ...]
    report: ParseReport


@dataclass
class _Item:
    number: int
    text: str
    location: Location
    group: int | None
    corrected: str = ""


@dataclass
class _ThemeDraft:
    code: str
    raw_title: str
    location: Location
    goal: str = ""
    goal_location: Location | None = None
    groups: list[tuple[int, str]] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(_TERMINAL)


def _looks_like_heading(text: str) -> bool:
    """Short, no final punctuation: how sub-headings look in the plan."""
    return len(text) <= _HEADING_MAX and not _ends_sentence(text)


def _is_upper_heading(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) >= 0.8


def smart_case(title: str) -> str:
    """"CYBERCRIME ET CYBERSECURITY" → "Cybercrime et cybersecurity", keeping known acronyms."""
    words = title.lower().split()
    out = [w.upper() if fold(w).strip("(),") in _ACRONYMS else w for w in words]
    text = " ".join(out)
    return text[:1].upper() + text[1:]


def _span(first: Location, last: Location) -> Location:
    return Location(first.line_start, last.line_end, first.char_start, last.char_end, first.page)


def _merge_lines(lines: list[Line]) -> tuple[str, Location]:
    """Join a paragraph's lines; a line broken mid-word by the extraction ("inter-\\nnational") is rejoined."""
    parts: list[str] = []
    for line in lines:
        if parts and parts[-1].endswith("-") and line.text[:1].islower():
            parts[-1] = parts[-1][:-1] + line.text
        else:
            parts.append(line.text)
    joiner = "\n" if any(" · " in p for p in parts) or any(p.startswith("- ") for p in parts[1:]) else " "
    return joiner.join(parts), _span(lines[0].location, lines[-1].location)


class _Builder:
    """Turns cleaned lines into passages, themes and objectives; one instance per document."""

    def __init__(self, doc: DocumentInfo, lines: list[Line]) -> None:
        self.doc = doc
        self.lines = lines
        self.report = ParseReport(document=doc.id)
        self.passages: list[Passage] = []
        self.themes: list[_ThemeDraft] = []
        self.part: tuple[int, str] | None = None
        self.section: tuple[str, str] | None = None
        self.heading: str | None = None
        self.theme: _ThemeDraft | None = None
        self.group: int | None = None
        self.expect_goal = False
        self.heading_open = False
        self._pending_part_title = False
        self.paragraph: list[Line] = []
        self.prose_counter: dict[str, int] = {}

    # -- paths and prose -------------------------------------------------------------------------------------
    def _path(self) -> tuple[str, ...]:
        path: list[str] = []
        if self.theme is not None:
            path.append(f"{self.theme.code} {smart_case(self.theme.raw_title)}")
            if self.group is not None:
                path.append(dict(self.theme.groups)[self.group])
            return tuple(path)
        if self.part is not None:
            path.append(f"Partie {self.part[0]}: {self.part[1]}" if self.part[1] else f"Partie {self.part[0]}")
        if self.section is not None:
            path.append(f"{self.section[0]}. {self.section[1]}")
        if self.heading:
            path.append(self.heading)
        return tuple(path)

    def _flush(self) -> None:
        if not self.paragraph:
            return
        lines, self.paragraph = self.paragraph, []
        text, loc = _merge_lines(lines)
        prev = self.passages[-1] if self.passages else None
        # A paragraph cut by a page break ("… et qui" / "nécessitent …") continues the previous prose passage.
        if (prev is not None and prev.kind == "prose" and prev.path == self._path()
                and not _ends_sentence(prev.text) and text[:1].islower()):
            self.passages[-1] = replace(prev, text=f"{prev.text} {text}", location=_span(prev.location, loc))
            return
        key = f"P{self.part[0]}" if self.part else "P0"
        if self.theme is not None:
            key = f"{self.theme.code}-text"
        self.prose_counter[key] = self.prose_counter.get(key, 0) + 1
        pid = f"{self.doc.code}-{key}-{self.prose_counter[key]}"
        self.passages.append(Passage(
            id=pid, document=self.doc.id, kind="prose", path=self._path(), text=text, location=loc,
            language=self.doc.language, theme=self.theme.code if self.theme else None,
        ))

    # -- main loop -------------------------------------------------------------------------------------------
    def run(self) -> None:
        cleaned = [replace(line, text=clean_line(line.raw)) for line in self.lines]
        nonblank = [i for i, line in enumerate(cleaned) if line.text]
        next_of = {a: b for a, b in itertools.pairwise(nonblank)}
        prev_blank = True
        for i, line in enumerate(cleaned):
            text = line.text
            if not text:
                if not line.raw.strip():  # a truly blank line ends a paragraph; a noise-only line does not
                    self._flush()
                prev_blank = True
                continue
            nxt = cleaned[next_of[i]] if i in next_of else None
            self._line(line, nxt, prev_blank)
            prev_blank = False
        self._flush()

    def _line(self, line: Line, nxt: Line | None, prev_blank: bool) -> None:
        text = line.text
        part = _PART.match(text)
        if part and _looks_like_heading(text.rstrip(":")):
            self._flush()
            title = (part.group(3) or "").strip()  # when empty, the next line is the title (see below)
            self.part = (int(part.group(2)), title)
            self.report.parts.append(f"{part.group(1).capitalize()} {part.group(2)}")
            self.section, self.heading, self.theme, self.group = None, None, None, None
            self._pending_part_title = not title
            return
        if self._pending_part_title and self.part is not None:
            self._pending_part_title = False
            if _looks_like_heading(text):
                self.part = (self.part[0], text)
                return
        if is_footnote(line.raw):
            self._flush()
            self.paragraph.append(line)
            self._flush()
            return
        section = _SECTION.match(text)
        if section and _looks_like_heading(text.rstrip("*")):
            self._flush()
            self.section = (section.group(1), section.group(2).rstrip("* "))
            self.theme, self.group, self.heading = None, None, None
            return
        numbered = _NUMBERED.match(text)
        if numbered and self.section is not None and _is_upper_heading(numbered.group(2)):
            self._flush()
            self.theme = _ThemeDraft(f"{self.section[0]}{int(numbered.group(1))}", numbered.group(2).strip(),
                                     line.location)
            self.themes.append(self.theme)
            self.group = None
            self.expect_goal = True
            return
        if self.theme is not None:
            self._theme_line(line, nxt, numbered, prev_blank)
            return
        self._prose_line(line, nxt, numbered, prev_blank)

    def _prose_line(self, line: Line, nxt: Line | None, numbered: re.Match[str] | None,
                    prev_blank: bool) -> None:
        text = line.text
        heading_like = not numbered and _looks_like_heading(text) and not text.startswith(("- ", "* "))
        if heading_like and not prev_blank and self.heading_open and self.heading:
            self.heading = f"{self.heading} · {text.rstrip(':')}"  # a menu of several short headings
            return
        self.heading_open = False
        if prev_blank and heading_like and nxt is not None:
            self._flush()
            self.heading = text.rstrip(":")
            self.heading_open = True
            return
        if prev_blank and numbered and not self.paragraph and self.passages:
            # A numbered list introduced by "… la liste suivante:" belongs with its lead sentence.
            prev = self.passages[-1]
            if prev.kind == "prose" and prev.text.endswith(":") and prev.path == self._path():
                self.passages.pop()
                lead = Line(prev.text, prev.text, prev.location)
                self.paragraph = [lead]
        if prev_blank and not numbered and not text.startswith(("- ", "* ")):
            self._flush()
        self.paragraph.append(line)

    def _theme_line(self, line: Line, nxt: Line | None, numbered: re.Match[str] | None,
                    prev_blank: bool) -> None:
        theme = self.theme
        assert theme is not None
        text = line.text
        if self.expect_goal and not numbered:
            theme.goal, theme.goal_location = text, line.location
            self.expect_goal = False
            return
        self.expect_goal = False
        if numbered:
            number, body = int(numbered.group(1)), numbered.group(2).strip()
            if self._is_numbered_heading(number, body, nxt):
                self._new_group(body)
                return
            self._flush()
            theme.items.append(_Item(number, body, line.location, self.group))
            return
        if not prev_blank and theme.items and not self.paragraph and text[:1].islower():
            item = theme.items[-1]  # a wrapped objective continues on the next line (PDF layouts)
            item.text = f"{item.text} {text}"
            item.location = _span(item.location, line.location)
            return
        starts_list = nxt is not None and bool(re.match(r"^1[.)]\s", nxt.text))
        if ((prev_blank or starts_list) and _looks_like_heading(text) and nxt is not None
                and not text.startswith("* ")):
            self._new_group(text)
            return
        if prev_blank:
            self._flush()
        self.paragraph.append(line)

    def _is_numbered_heading(self, number: int, body: str, nxt: Line | None) -> bool:
        """A numbered line is a sub-heading when it is shaped like one and the numbering around it says so.

        Shaped like one: short, no final punctuation. Said so: it breaks the objectives' numbering, or the next
        numbered line starts a new count ("1. Au niveau belge" / "1. Sensibiliser …"), or it is followed by
        prose that starts a sentence. The last objective of a list, or one wrapped onto a lower-case line,
        stays an objective.
        """
        theme = self.theme
        assert theme is not None
        if not _looks_like_heading(body):
            return False
        expected = theme.items[-1].number + 1 if theme.items else 1
        if number != expected:
            return True
        if nxt is None:
            return False
        nxt_numbered = _NUMBERED.match(nxt.text)
        if nxt_numbered is not None:
            return int(nxt_numbered.group(1)) <= number
        return nxt.text[:1].isupper() and _ends_sentence(nxt.text) and len(nxt.text) > _HEADING_MAX

    def _new_group(self, title: str) -> None:
        theme = self.theme
        assert theme is not None
        self._flush()
        index = len(theme.groups) + 1
        theme.groups.append((index, title.rstrip(":")))
        self.group = index


def _numbering_anomalies(theme: _ThemeDraft) -> list[tuple[int, _Item, int]]:
    """(position, item, expected number) where the printed numbering restarts or skips."""
    out = []
    previous: _Item | None = None
    for pos, item in enumerate(theme.items):
        if previous is None or previous.group != item.group:
            continuous = previous is not None and item.number == previous.number + 1
            expected = item.number if continuous else 1
        else:
            expected = previous.number + 1
        if item.number != expected:
            out.append((pos, item, expected))
        previous = item
    return out


def _apply_corrections(doc: DocumentInfo, theme: _ThemeDraft, corrections: list[Correction],
                       report: ParseReport, used: set[str]) -> None:
    anomalies = _numbering_anomalies(theme)
    for corr in corrections:
        if corr.document != doc.id or corr.theme != theme.code:
            continue
        start = next((i for i, it in enumerate(theme.items)
                      if it.group == corr.from_group and it.number == corr.numbers[0]
                      and fold(it.text).startswith(fold(corr.starts_with))), None)
        if corr.to_group not in dict(theme.groups):
            report.warnings.append(f"correction '{corr.id}' for {corr.theme}: target group {corr.to_group} does "
                                   f"not exist (the theme has {len(theme.groups)} sub-groups)")
            used.add(corr.id)
            continue
        if start is None:
            continue
        moved = []
        for item in theme.items[start:]:
            if item.group != corr.from_group or not corr.numbers[0] <= item.number <= corr.numbers[1]:
                break
            if moved and item.number != moved[-1].number + 1:
                break
            moved.append(item)
        for item in moved:
            item.group = corr.to_group
            item.corrected = f"{corr.id}: {corr.reason}"
        used.add(corr.id)
        first, last = moved[0], moved[-1]
        span = f"items {first.number}-{last.number}" if len(moved) > 1 else f"item {first.number}"
        report.repairs.append(
            f"{doc.code} {theme.code}: {span} printed under group "
            f"{corr.from_group} ({first.location.label()}) moved to group {corr.to_group} "
            f"'{dict(theme.groups)[corr.to_group]}' by correction '{corr.id}'"
        )
    if not used & {c.id for c in corrections if c.theme == theme.code and c.document == doc.id}:
        for _pos, item, expected in anomalies:
            kind = "restarts" if item.number < expected else "skips"
            report.warnings.append(
                f"{doc.code} {theme.code}: numbering {kind} at {item.location.label()} (expected {expected}, "
                f"found {item.number}: '{item.text[:50]}'); kept as printed, no correction applies"
            )
        return
    # Repaired: objectives are listed by group, then number; the result must now number cleanly.
    order = {g: i for i, (g, _) in enumerate(theme.groups)}
    theme.items.sort(key=lambda it: (order.get(it.group, -1) if it.group else -1, it.number))
    for _pos, item, expected in _numbering_anomalies(theme):
        report.warnings.append(f"{doc.code} {theme.code}: after repairs, numbering is still irregular at "
                               f"{item.location.label()} (expected {expected}, found {item.number})")


def parse_document(doc: DocumentInfo, lines: list[Line], corrections: list[Correction] | None = None,
                   theme_titles: dict[str, str] | None = None, layout: LayoutReport | None = None) -> Plan:
    """Parse one document's lines into a Plan, applying the corrections that concern it.

    A document numbered as an outline (1 / 1.1 / 1.1.1, as full plans are) is read by corpus/outline.py;
    ``layout`` is what the PDF's layout cleaning found (its contents entries check the headings).
    """
    if is_outline(lines):
        return _parse_outline(doc, lines, layout)
    builder = _Builder(doc, lines)
    builder.run()
    report = builder.report
    used: set[str] = set()
    themes: list[Theme] = []
    objectives: list[Objective] = []
    passages = list(builder.passages)
    for draft in builder.themes:
        _apply_corrections(doc, draft, corrections or [], report, used)
        title = (theme_titles or {}).get(draft.code) or smart_case(draft.raw_title)
        theme_label = f"{draft.code} {title}"
        groups = tuple(Group(f"{draft.code}.{i}", i, t) for i, t in draft.groups)
        themes.append(Theme(draft.code, title, draft.goal, groups))
        if draft.goal and draft.goal_location is not None:
            passages.append(Passage(f"{doc.code}-{draft.code}-goal", doc.id, "goal", (theme_label,), draft.goal,
                                    draft.goal_location, doc.language, theme=draft.code))
        seen: set[str] = set()
        for item in draft.items:
            group_title = dict(draft.groups).get(item.group) if item.group else None
            suffix = f".{item.group}" if item.group else ""
            oid = f"{doc.code}-{draft.code}{suffix}-{item.number}"
            if oid in seen:  # only when a restart was kept as printed (already warned above)
                base = oid
                oid = next(f"{base}{c}" for c in "bcdefghijklmnopqrstuvwxyz" if f"{base}{c}" not in seen)
            seen.add(oid)
            path = (theme_label, group_title) if group_title else (theme_label,)
            objectives.append(Objective(
                id=oid, document=doc.id, theme=draft.code, theme_title=title, group=group_title,
                group_index=item.group, number=item.number, text=item.text, path=path,
                location=item.location, language=doc.language, corrected=item.corrected,
            ))
            passages.append(Passage(oid, doc.id, "objective", path, item.text, item.location, doc.language,
                                    objective_id=oid, theme=draft.code))
    for corr in corrections or []:
        if corr.document == doc.id and corr.id not in used:
            report.warnings.append(f"correction '{corr.id}' for {corr.theme} did not apply: no item numbered "
                                   f"{corr.numbers[0]} starting with '{corr.starts_with}' in group {corr.from_group}")
    report.recognised = bool(objectives)
    report.themes = len(themes)
    report.objectives = len(objectives)
    report.passages = len(passages)
    if not report.recognised:
        report.warnings.append(f"{doc.code}: plan structure not recognised (no numbered objectives under "
                               f"themes); {len(passages)} heading-aware passages kept")
    passages.sort(key=lambda p: (p.location.char_start, p.kind != "goal"))
    if layout is not None:
        report.layout = layout.to_dict()
    return Plan(doc, tuple(themes), tuple(objectives), tuple(passages), report)


def _parse_outline(doc: DocumentInfo, lines: list[Line], layout: LayoutReport | None) -> Plan:
    themes, objectives, passages, stats = parse_outline(doc, lines, layout.contents_entries if layout else [])
    report = ParseReport(document=doc.id, recognised=True, themes=len(themes), objectives=len(objectives),
                         passages=len(passages), warnings=stats.warnings, headings=stats.headings,
                         layout=layout.to_dict() if layout else None)
    return Plan(doc, tuple(themes), tuple(objectives), tuple(passages), report)
