"""The corpus manifest: which documents exist, and checks that each file is the one described."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import fields
from pathlib import Path

from pns.errors import CorpusError
from pns.types import DocumentInfo

KINDS = {"PNS", "NCSI", "PZS", "other"}
EDITIONS = {"simplified", "full", "other"}
LANGUAGES = {"fr", "nl", "en", "de"}
_REQUIRED = {f.name for f in fields(DocumentInfo) if f.name != "source_url"}
_ALLOWED = {f.name for f in fields(DocumentInfo)}


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def read_toml(path: Path, what: str) -> dict:
    """A corpus data file as a dict, or a CorpusError naming the file and what is wrong with it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusError(f"{what} {path} not found; create or restore it (see the same file in the repository)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{what} {path} is not valid TOML: {exc}") from None


def load_manifest(corpus_dir: Path) -> list[DocumentInfo]:
    """Read and validate ``manifest.toml``; refuse unknown keys and duplicate ids or codes."""
    path = corpus_dir / "manifest.toml"
    data = read_toml(path, "corpus manifest")
    unknown_top = set(data) - {"document"}
    if unknown_top:
        raise CorpusError(f"corpus manifest {path}: unknown key(s) {', '.join(sorted(unknown_top))}; "
                          "expected only [[document]] tables")
    docs: list[DocumentInfo] = []
    seen_ids: set[str] = set()
    seen_codes: set[str] = set()
    for i, entry in enumerate(data.get("document", []), start=1):
        where = f"corpus manifest {path}, document #{i}"
        unknown = set(entry) - _ALLOWED
        if unknown:
            raise CorpusError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                              f"allowed: {', '.join(sorted(_ALLOWED))}")
        missing = _REQUIRED - set(entry)
        if missing:
            raise CorpusError(f"{where}: missing key(s) {', '.join(sorted(missing))}")
        bad = [k for k in _ALLOWED & set(entry) if not isinstance(entry[k], str)]
        if bad:
            raise CorpusError(f"{where}: key(s) {', '.join(sorted(bad))} must be strings")
        doc = DocumentInfo(**entry)
        for value, allowed, name in ((doc.kind, KINDS, "kind"), (doc.edition, EDITIONS, "edition"),
                                     (doc.language, LANGUAGES, "language")):
            if value not in allowed:
                raise CorpusError(f"{where}: {name} {value!r} is not one of {', '.join(sorted(allowed))}")
        if doc.id in seen_ids or doc.code in seen_codes:
            raise CorpusError(f"{where}: id {doc.id!r} or code {doc.code!r} is used twice")
        seen_ids.add(doc.id)
        seen_codes.add(doc.code)
        docs.append(doc)
    if not docs:
        raise CorpusError(f"corpus manifest {path} lists no document")
    return docs


def document_path(corpus_dir: Path, doc: DocumentInfo) -> Path:
    """The file of a document, refusing paths that leave the documents folder."""
    base = (corpus_dir / "documents").resolve()
    path = (base / doc.file).resolve()
    if base not in path.parents:
        raise CorpusError(f"document {doc.id}: file {doc.file!r} is outside {base}")
    return path


def verify_document(corpus_dir: Path, doc: DocumentInfo) -> Path:
    """Check that the file exists and matches its recorded sha256."""
    path = document_path(corpus_dir, doc)
    if not path.is_file():
        raise CorpusError(f"document {doc.id}: file {path} not found; put it there or fix the manifest entry")
    actual = sha256_file(path)
    if actual != doc.sha256.lower():
        raise CorpusError(
            f"document {doc.id}: checksum mismatch for {path.name} (manifest {doc.sha256[:12]}…, "
            f"file {actual[:12]}…); restore the original file or update sha256 in manifest.toml"
        )
    return path
