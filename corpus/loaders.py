"""Loaders: turn a document file into raw lines that remember where they came from.

Text and Markdown are read as strict UTF-8; PDFs go through pypdf page by page so a citation can say "p. 12".
Anything that cannot be read as it is raises a CorpusError naming the file and what to do.
"""

from __future__ import annotations

from pathlib import Path

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


def load_pdf(path: Path) -> list[Line]:
    """Load a PDF page by page with pypdf, keeping page numbers (1-based)."""
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
        pages = [page.extract_text() or "" for page in reader.pages]
    except CorpusError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CorpusError(f"{path}: unreadable PDF ({type(exc).__name__}: {exc}); check the file is a valid PDF") from None
    except Exception as exc:  # pypdf raises many internal types on damaged files
        raise CorpusError(f"{path}: unreadable PDF ({type(exc).__name__}); check the file is a valid PDF") from None
    if not any(p.strip() for p in pages):
        raise CorpusError(f"{path}: the PDF has no extractable text (scanned?); OCR it first")
    lines: list[Line] = []
    char_offset = 0
    for number, text in enumerate(pages, start=1):
        page_lines = _lines_from_text(text, page=number, line_offset=len(lines), char_offset=char_offset)
        lines.extend(page_lines)
        char_offset += len(text) + 1
    return lines


def load_document(path: Path) -> list[Line]:
    """Dispatch on the file suffix."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return load_text(path)
    if suffix in PDF_SUFFIXES:
        return load_pdf(path)
    raise CorpusError(f"{path}: unsupported file type {suffix!r}; expected one of .txt, .md, .pdf")
