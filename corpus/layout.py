"""Page layout cleaning for PDFs: what a full-length government PDF adds around its text, taken off per document.

pypdf's layout mode renders each page as a grid of characters (positions kept as columns and blank lines), from
which this module removes, with their pages recorded for the report:

- running headers and footers: lines at the top or bottom of pages that repeat, digits aside, on many pages (or
  densely over a run of pages, as a chapter title on odd pages does), and page-number lines ("— 12 —", "Page 3/40");
- contents pages: pages made of entries ending in dot leaders and a page number ("3.2 Cybercrime ........ 47");
- blank pages (nothing left once headers and footers are off).

and repairs: two-column regions are read column by column (a gutter of spaces found on the character grid);
footnotes at the foot of a page are kept apart, as one line each, and moved to the end of the paragraph they
interrupt; table rows keep their cells (tab-separated, so the cleaner shows them as "a · b"); bullets (•, –, ▪ …)
become "- "; a word hyphenated at a line end is joined when the document's own vocabulary says the joined word
is more plausible than the hyphenated pair ("crimi-|nalité" → "criminalité", "socio-|économique" kept).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from corpus.clean import SUPERSCRIPTS, fold, is_footnote

_SPACE_RUN = re.compile(r"\s{3,}")
_WIDE_GAP = re.compile(r"\S\s{5,}\S")
_PAGE_NUMBER = re.compile(
    r"^[\W_]*(?:(?:page|pagina|blz|bladzijde|seite|p)\.?\s*)?\d{1,4}(?:\s*(?:/|sur|van|of|de|von)\s*\d{1,4})?[\W_]*$",
    re.IGNORECASE)
_TOC_LINE = re.compile(r"^(?P<title>\S.*?)\s*(?:\.{3,}|…{2,}|(?:\.\s){3,}|_{3,})\s*(?P<page>\d{1,4})$")
_TOC_LOOSE = re.compile(r"^(?P<title>\S.*?)\s{3,}(?P<page>\d{1,4})$")
_TOC_TITLE = re.compile(r"^(table des mati[eè]res|sommaire|inhoud(stafel|sopgave)?|contents|table of contents|"
                        r"inhaltsverzeichnis)$", re.IGNORECASE)
_HEADING_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,2})\.?\s+(\S.*)$")
_LIST_MARK = re.compile(r"^(\d{1,2}[.)]|[a-z][.)]|[•▪◦‣●■□➢►✓–—*-])$")
_BULLET = re.compile(r"^([•▪◦‣●■□➢►✓*]|[–—-](?=\s*[^\W\d]))\s*")
_FOOTNOTE = re.compile(rf"^(?:([{SUPERSCRIPTS}]+)|(\d{{1,2}})|\((\d{{1,2}})\))\s+(\S.*)$")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_HYPHENATED_END = re.compile(r"([^\W\d_]+)-$")
_FIRST_WORD = re.compile(r"^([^\W\d_]+(?:-[^\W\d_]+)*)(.*)$")
_CONJUNCTIONS = {"et", "ou", "en", "of", "and", "or", "und", "oder"}
_ZONE = 2  # how many non-blank lines at the top and at the bottom of a page can be running lines
_TO_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Removed:
    """A line taken off a page, and where it stood."""

    page: int
    zone: str  # "header" | "footer"
    text: str


@dataclass
class LayoutReport:
    """What the layout cleaning found in one PDF, for `pns corpus check` and for the structure parser."""

    pages: int = 0
    blank_pages: list[int] = field(default_factory=list)
    contents_pages: list[int] = field(default_factory=list)
    contents_entries: list[tuple[str, str, int]] = field(default_factory=list)  # (number, title, page)
    removed: list[Removed] = field(default_factory=list)
    running_lines: list[str] = field(default_factory=list)
    two_column_pages: list[int] = field(default_factory=list)
    footnotes: int = 0
    table_rows: int = 0
    bullets: int = 0
    hyphenations_joined: int = 0
    hyphenations_kept: int = 0
    joined_words: list[str] = field(default_factory=list)

    @property
    def headers_removed(self) -> int:
        return sum(r.zone == "header" for r in self.removed)

    @property
    def footers_removed(self) -> int:
        return sum(r.zone == "footer" for r in self.removed)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["headers_removed"], data["footers_removed"] = self.headers_removed, self.footers_removed
        data["removed"] = [[r.page, r.zone, r.text] for r in self.removed]
        data["contents_entries"] = [list(e) for e in self.contents_entries]
        return data


# -- running headers and footers ---------------------------------------------------------------------------------
def _form(text: str) -> str:
    """A line's form for repetition: folded, digits as "#", spaces collapsed ("Page 12 / 130" → "page # / #")."""
    return re.sub(r"\d+", "#", " ".join(fold(text).split()))


def _zone_indices(lines: list[str]) -> tuple[list[int], list[int]]:
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    return nonblank[:_ZONE], nonblank[::-1][:_ZONE]


def _running_forms(pages: list[list[str]], chapters: set[str]) -> set[tuple[str, str]]:
    """(zone, form) of the lines repeating at the top or bottom of pages: on 30% of the pages with text, or on
    3 pages or more that stand close together (40% of the pages between the first and the last), or on 2 pages
    when the line is a chapter title of the contents (a short chapter's running header)."""
    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    with_text = 0
    for number, lines in enumerate(pages, start=1):
        top, bottom = _zone_indices(lines)
        with_text += bool(top)
        for zone, indices in (("header", top), ("footer", bottom)):
            for form in {_form(lines[i]) for i in indices}:
                seen[(zone, form)].append(number)
    running = set()
    for key, numbers in seen.items():
        if len(numbers) < 3 and not (len(numbers) == 2 and _untitled(key[1]) in chapters):
            continue
        spread = numbers[-1] - numbers[0] + 1
        if len(numbers) >= 0.3 * with_text or len(numbers) / spread >= 0.4:
            running.add(key)
    return running


def _untitled(form: str) -> str:
    """A line's form without its heading number ("#. introduction" → "introduction")."""
    return re.sub(r"^[#.\s]+", "", form)


def _strip_running(number: int, lines: list[str], running: set[tuple[str, str]],
                   report: LayoutReport) -> list[str]:
    """Take the running lines and page numbers off one page's edges, outermost first."""
    lines = list(lines)
    for zone in ("header", "footer"):
        order = range(len(lines)) if zone == "header" else range(len(lines) - 1, -1, -1)
        taken: list[str] = []
        for i in order:
            text = lines[i].strip()
            if not text:
                continue
            form = _form(text)
            # A form goes once per edge: a chapter heading printed under the same running header stays.
            if len(taken) >= _ZONE or form in taken or not ((zone, form) in running or _PAGE_NUMBER.match(text)):
                break
            report.removed.append(Removed(number, zone, " ".join(text.split())))
            lines[i] = ""
            taken.append(form)
    return lines


# -- contents pages ----------------------------------------------------------------------------------------------
def _contents_entries(lines: list[str]) -> list[tuple[str, str, int]] | None:
    """The entries of a contents page, or None when the page is not one."""
    nonblank = [" ".join(line.split()) for line in lines if line.strip()]
    if not nonblank:
        return None
    titled = bool(_TOC_TITLE.match(nonblank[0].rstrip(":")))
    pattern_lines = [m for m in (_TOC_LINE.match(line) or (_TOC_LOOSE.match(line) if titled else None)
                                 for line in nonblank) if m]
    if not ((len(pattern_lines) >= 3 and len(pattern_lines) >= 0.5 * len(nonblank))
            or (titled and pattern_lines)):
        return None
    entries = []
    for m in pattern_lines:
        title = m.group("title").rstrip(". ")
        numbered = _HEADING_NUMBER.match(title)
        number, title = (numbered.group(1), numbered.group(2)) if numbered else ("", title)
        entries.append((number, title, int(m.group("page"))))
    return entries


# -- columns, tables, footnotes ----------------------------------------------------------------------------------
def _prose_rows(body: list[str], c: int) -> int:
    """Rows split by a gap of three spaces or more around column ``c``, whose halves read as prose: no further
    wide gap in either half (a table's cells) and a left half longer than a quarter of the page (a table's first
    column is short)."""
    min_left = 0.25 * max(len(line) for line in body)
    count = 0
    for line in body:
        if len(line) <= c + 2 or line[c - 1:c + 2].strip():
            continue
        left, right = line[:c].strip(), line[c:].strip()
        if (left and right and not _SPACE_RUN.search(left) and not _SPACE_RUN.search(right)
                and len(line[:c].rstrip()) >= min_left):
            count += 1
    return count


def _gutter(lines: list[str], known: int | None = None) -> int | None:
    """The character column of a gutter between two text columns, if the page has one.

    A gutter is a column, in the middle 40% of the page, with three spaces or more around it on 4 rows or more
    that read as two columns of prose (see ``_prose_rows``); the middle of the widest such band is taken, so a
    column's ragged edge does not cross it. ``known``, the gutter found on the document's other pages, needs
    only one such row: a two-column region of a couple of lines at the top of a page.
    """
    body = [line for line in lines if line.strip()]
    if not body:
        return None
    if known is not None:
        return known if _prose_rows(body, known) >= 1 else None
    if len(body) < 6:
        return None
    width = max(len(line) for line in body)
    counts = {c: _prose_rows(body, c) for c in range(max(2, int(width * 0.3)), int(width * 0.7))}
    best = max(counts.values(), default=0)
    if best < 4:
        return None
    band = [c for c, n in counts.items() if n == best]
    first = band[0]
    run = [c for c in band if c - first == band.index(c)]  # the contiguous run where the best count starts
    return run[len(run) // 2]


def _reading_order(lines: list[str], c: int) -> list[str]:
    """Rows of a two-column region become the left column then the right one; full-width rows stay in place.

    A region runs from the first row with text right of the gutter to the last one, plus the left column's
    lines that follow it without a blank line (a left column one line longer than the right one).
    """
    def crosses(line: str) -> bool:
        return bool(line[c - 1:c + 2].strip())

    def has_right(line: str) -> bool:
        return not crosses(line) and bool(line[c + 2:].strip())

    out: list[str] = []
    i = 0
    while i < len(lines):
        if not has_right(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        j, last = i, i
        while j < len(lines) and not crosses(lines[j]):
            if has_right(lines[j]):
                last = j
            j += 1
        end = last + 1
        while end < j and lines[end].strip():
            end += 1
        left = [line[:c] for line in lines[i:end]]
        out.extend(left)
        if _ends_paragraph(left):  # a paragraph may run on from the foot of one column to the top of the next
            out.append("")
        out.extend(line[c:] for line in lines[i:end])
        i = end
    return out


def _cells(line: str) -> tuple[str, int]:
    """A line's text with table cells tab-separated; a list mark or heading number stays with its text.

    Returns the text and 1 when it is a table row (two cells or more), else 0.
    """
    stripped = line.strip()
    parts = _SPACE_RUN.split(stripped)
    if len(parts) > 1 and (_LIST_MARK.match(parts[0]) or _HEADING_NUMBER.match(f"{parts[0]} x")):
        parts = [f"{parts[0]} {parts[1]}", *parts[2:]]
    # Justified text can leave three spaces between two words: two cells need a wider gap than that.
    if len(parts) == 1 or (len(parts) == 2 and not _WIDE_GAP.search(stripped)):
        return " ".join(stripped.split()), 0
    return "\t".join(" ".join(p.split()) for p in parts), 1


def _split_footnotes(lines: list[str]) -> tuple[list[str], list[str]]:
    """(body, notes): the notes are the last block of a page, after a gap of two blank lines or more, when its
    first line starts with a note mark ("¹ ", "1 ", "(1) "); each note becomes one line starting with "¹"."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and lines[start - 1].strip():
        start -= 1
    gap = 0
    while start - gap - 1 >= 0 and not lines[start - gap - 1].strip():
        gap += 1
    block = [" ".join(line.split()) for line in lines[start:end]]
    if not block or gap < 2 or start - gap == 0 or len(block) > 12:
        return lines, []
    first = _FOOTNOTE.match(block[0])
    # A plain number ("1 Voir …") is a note mark only before a capital, in a block ending its sentence.
    if first is None or (first.group(2) and not (first.group(4)[:1].isupper() and block[-1].endswith((".", ")")))):
        return lines, []
    notes: list[str] = []
    for text in block:
        m = _FOOTNOTE.match(text)
        if m and (m.group(1) or not notes or text[:1].isdigit() or text.startswith("(")):
            mark = m.group(1) or (m.group(2) or m.group(3)).translate(_TO_SUPERSCRIPT)
            notes.append(f"{mark} {m.group(4)}")
        else:
            notes[-1] = f"{notes[-1]} {text}"
    return lines[:start - gap], notes


# -- hyphenation -------------------------------------------------------------------------------------------------
def _vocabulary(lines: list[str]) -> Counter[str]:
    """Words as the document writes them within lines (a line's hyphenated last word left out)."""
    counts: Counter[str] = Counter()
    for line in lines:
        words = _WORD.findall(line.lower())
        if line.endswith("-") and words:
            words = words[:-1]
        counts.update(words)
    return counts


def _join_hyphenations(lines: list[str | None], report: LayoutReport) -> None:
    """Join "crimi-" + "nalité" in place when the document says so; a line left empty becomes ``None``."""
    texts = [line for line in lines if line]
    vocab = _vocabulary(texts)
    for i, line in enumerate(lines):
        if not line or not line.endswith("-"):
            continue
        k = i + 1
        while k < len(lines) and lines[k] is None:
            k += 1
        nxt = lines[k] if k < len(lines) else None
        end = _HYPHENATED_END.search(line)
        first = _FIRST_WORD.match(nxt) if nxt else None
        if end is None or first is None or nxt is None:
            continue
        head, tail = end.group(1), first.group(1)
        if tail.lower() in _CONJUNCTIONS:  # "politie- en veiligheidsdiensten": a shared ending, not a break
            continue
        joined, compound = (head + tail).lower(), f"{head}-{tail}".lower()
        if vocab[joined] > vocab[compound]:
            keep = False
        elif vocab[compound] > vocab[joined] or tail[:1].isupper():
            keep = True
        else:  # neither seen: two words of the document make a compound, a fragment makes a cut word
            keep = vocab[head.lower()] > 0 and vocab[tail.lower()] > 0 and min(len(head), len(tail)) >= 2
        attached, _, remainder = first.group(2).partition(" ")
        lines[i] = (line if keep else line[:-1]) + tail + attached
        lines[k] = remainder.strip() or None  # a line left empty is gone, not a paragraph break
        if keep:
            report.hyphenations_kept += 1
        else:
            report.hyphenations_joined += 1
            report.joined_words.append(head + tail)


# -- the whole document ------------------------------------------------------------------------------------------
def _ends_paragraph(lines: list[str]) -> bool:
    """Whether the last text of a page or column ends a sentence, so what follows may start a new paragraph."""
    last = next((line.strip() for line in reversed(lines) if line.strip()), "")
    return last.endswith((".", "!", "?"))


def _place_notes(body: list[str], notes: list[str]) -> list[str]:
    """Put each note after the paragraph holding its mark on the page; return the notes left for the page's end
    (mark not found, or the paragraph goes on over the page)."""
    late = []
    for note in notes:
        mark = note.split(" ", 1)[0]
        at = next((i for i, text in enumerate(body) if mark in text[1:] and not is_footnote(text)), None)
        end = next((i for i in range(at + 1, len(body)) if not body[i]), None) if at is not None else None
        if end is None:
            late.append(note)
            continue
        body[end:end] = ["", note]
    return late


def _runs_on(text: str) -> bool:
    """Whether a page's last line is cut mid-paragraph (the paragraph goes on over the page)."""
    return bool(text) and not text.startswith("- ") and "\t" not in text and not text.endswith((".", "!", "?", ":"))


def _page_body(lines: list[str], report: LayoutReport) -> list[str]:
    """One page's lines as text: table cells, bullets; blank runs collapsed, none at the page's edges."""
    out: list[str] = []
    for line in lines:
        if not line.strip():
            if out and out[-1]:
                out.append("")
            continue
        text, is_row = _cells(line)
        report.table_rows += is_row
        bullet = _BULLET.match(text)
        if bullet and len(text) > bullet.end():
            text = "- " + text[bullet.end():]
            report.bullets += 1
        out.append(text)
    while out and not out[-1]:
        out.pop()
    return out


def clean_pages(pages: list[str]) -> tuple[list[tuple[int, str]], LayoutReport]:
    """Pages as extracted (layout mode) → (page number, line) of the body text in reading order, and a report.

    Blank lines separate paragraphs (one for a run). A page break is no paragraph break, unless the page ends a
    sentence; footnotes follow the paragraph they interrupt.
    """
    report = LayoutReport(pages=len(pages))
    grids = [[unicodedata.normalize("NFC", line.rstrip()) for line in page.split("\n")] for page in pages]
    chapters = set()
    for grid in grids:
        for number, title, _ in _contents_entries(grid) or []:
            if number and "." not in number:
                chapters.add(_untitled(_form(title)))
    running = _running_forms(grids, chapters)
    prepared: list[tuple[int, list[str], list[str]]] = []
    for number, grid in enumerate(grids, start=1):
        lines = _strip_running(number, grid, running, report)
        if not any(line.strip() for line in lines):
            report.blank_pages.append(number)
            continue
        entries = _contents_entries(lines)
        if entries is not None:
            report.contents_pages.append(number)
            report.contents_entries.extend(entries)
            continue
        lines, notes = _split_footnotes(lines)
        report.footnotes += len(notes)
        prepared.append((number, lines, notes))
    gutters = {number: _gutter(lines) for number, lines, _ in prepared}
    common = Counter(c for c in gutters.values() if c is not None).most_common(1)
    flat: list[tuple[int, str]] = []
    pending: list[tuple[int, str]] = []
    for number, lines, notes in prepared:
        c = gutters[number]
        if c is None and common:
            c = _gutter(lines, known=common[0][0])
        if c is not None:
            report.two_column_pages.append(number)
            lines = _reading_order(lines, c)
        body = _page_body(lines, report)
        if flat and body and _ends_paragraph([flat[-1][1]]):
            body.insert(0, "")
        notes = _place_notes(body, notes)
        for text in body:
            if not text and pending:  # a paragraph ends: the notes that interrupted it follow it
                flat.extend([(number, ""), *pending])
                pending = []
            flat.append((number, text))
        late = notes
        if late and body and _runs_on(body[-1]):
            pending.extend((number, note) for note in late)  # the page ends mid-paragraph
        elif late:
            flat.extend([(number, ""), *((number, note) for note in late)])
    if pending:
        flat.extend([(pending[0][0], ""), *pending])
    report.running_lines = sorted({r.text for r in report.removed if not _PAGE_NUMBER.match(r.text)})
    texts: list[str | None] = [text for _, text in flat]
    _join_hyphenations(texts, report)
    out = [(number, text) for (number, _), text in zip(flat, texts, strict=True) if text is not None]
    while out and not out[0][1]:
        out.pop(0)
    return out, report
