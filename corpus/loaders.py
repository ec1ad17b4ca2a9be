"""Loaders: turn a document file into raw lines that remember where they came from.

Text and Markdown are read as strict UTF-8; PDFs go through pypdf page by page so a citation can say "p. 12".
Anything that cannot be read as it is raises a CorpusError naming the file and what to do.
"""

from __future__ import annotations

from pathlib import Path

from corpus.layout import LayoutReport, clean_pages
from pns.errors import CorpusError
from pns.types import Line, Location

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
PDF_SUFFIXES = {".pdf"}


def _lines_from_text(text: str, page: int | None = None, line_offset: int = 0,
                     char_offset: int = 0) -> list[Line]:
    """Split text into Line objects with 1-based line numbers and character spans."""
    lines: list[Line] = []
    pos = 0
    for i, raw in enumerate(text.split("\n"), start=1):
        start = char_offset + pos
        raw_clean = raw.rstrip("\r")
        lines.append(Line(text=raw_clean, raw=raw_clean,
                          location=Location(line_offset + i, line_offset + i, start,
                                            start + len(raw_clean), page)))
        pos += len(raw) + 1
    return lines


def decode_text(data: bytes, path: Path) -> str:
    """Strict UTF-8 decoding with errors that say what is wrong with the file."""
    if not data.strip():
        raise CorpusError(f"{path}: the file is empty; put the document's text in it or remove its manifest entry")
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if b"\x00" in sample or controls > len(sample) * 0.05:
        raise CorpusError(f"{path}: binary data in a text file; give a .txt/.md in UTF-8 or a .pdf instead")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"{path}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"convert it, e.g. iconv -f latin1 -t utf-8"
        ) from None
    return text.removeprefix("\ufeff")


def load_text(path: Path) -> list[Line]:
    """Load a UTF-8 text or Markdown file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read ({exc.strerror})") from None
    return _lines_from_text(decode_text(data, path))


def pdf_pages(path: Path) -> list[str]:
    """The text of every page in pypdf's layout mode (a character grid that keeps columns and vertical gaps);
    a page that layout mode cannot render falls back to plain extraction."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise CorpusError("pypdf is not installed; run: pip install pypdf") from None
    import logging

    # pypdf logs its repairs ("EOF marker not found"); the error below says what matters, in one line.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorpusError(f"{path}: the PDF is encrypted; provide a decrypted copy (e.g. qpdf --decrypt)")
        pages = []
        for page in reader.pages:
            try:
                pages.append(page.extract_text(extraction_mode="layout") or "")
            except (ValueError, KeyError, TypeError, ZeroDivisionError, IndexError):
                pages.append(page.extract_text() or "")
    except CorpusError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CorpusError(f"{path}: unreadable PDF ({type(exc).__name__}: {exc}); check the file is a valid PDF") from None
    except Exception as exc:  # pypdf raises many internal types on damaged files
        raise CorpusError(f"{path}: unreadable PDF ({type(exc).__name__}); check the file is a valid PDF") from None
    if not any(p.strip() for p in pages):
        raise CorpusError(f"{path}: the PDF has no extractable text (scanned?); OCR it first")
    return pages


def read_pdf(path: Path) -> tuple[list[Line], LayoutReport]:
    """A PDF's body lines, page numbers kept (1-based), with running headers and footers, contents and blank
    pages taken off and columns, hyphenation, bullets, footnotes and tables repaired (see corpus/layout.py)."""
    body, report = clean_pages(pdf_pages(path))
    by_page: dict[int, list[str]] = {}
    for number, text in body:
        by_page.setdefault(number, []).append(text)
    lines: list[Line] = []
    char_offset = 0
    for number, texts in by_page.items():
        text = "\n".join(texts)
        lines.extend(_lines_from_text(text, page=number, line_offset=len(lines), char_offset=char_offset))
        char_offset += len(text) + 1
    return lines, report


def load_pdf(path: Path) -> list[Line]:
    """Load a PDF's body lines (see ``read_pdf``)."""
    return read_pdf(path)[0]


def read_document(path: Path) -> tuple[list[Line], LayoutReport | None]:
    """The document's lines, and for a PDF what the layout cleaning found."""
    if path.suffix.lower() in PDF_SUFFIXES:
        return read_pdf(path)
    return load_document(path), None


def load_document(path: Path) -> list[Line]:
    """Dispatch on the file suffix."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return load_text(path)
    if suffix in PDF_SUFFIXES:
        return load_pdf(path)
    raise CorpusError(f"{path}: unsupported file type {suffix!r}; expected one of .txt, .md, .pdf")
