"""Shared fixtures for the corpus tests: an isolated environment, the real corpus, temporary corpora."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from corpus.loaders import _lines_from_text
from corpus.structure import Correction, Plan, parse_document
from pns.settings import REPO_ROOT
from pns.types import DocumentInfo

FIXTURES = Path(__file__).parent / "fixtures"
REAL_CORPUS = REPO_ROOT / "corpus"
SEED_FILE = REAL_CORPUS / "documents" / "pns-2016-2019-simplifie.fr.txt"


def doc_info(id: str = "test-doc", code: str = "TST", file: str = "doc.txt", sha256: str = "0" * 64,
             language: str = "fr") -> DocumentInfo:
    return DocumentInfo(id=id, code=code, title="Document de test", kind="PNS", edition="other",
                        language=language, period="2030", file=file, sha256=sha256)


def parse_text(text: str, corrections: list[Correction] | None = None, **doc: str) -> Plan:
    """Parse a text as if it had been loaded from a .txt file."""
    return parse_document(doc_info(**doc), _lines_from_text(text), corrections or [])


def manifest_entry(file: str, sha256: str, **extra: str) -> str:
    fields = {"id": "test-doc", "code": "TST", "title": "Document de test", "kind": "PNS", "edition": "other",
              "language": "fr", "period": "2030", "file": file, "sha256": sha256, **extra}
    body = "\n".join(f'{key} = "{value}"' for key, value in fields.items())
    return f"[[document]]\n{body}\n"


@pytest.fixture
def make_corpus(tmp_path: Path) -> Callable[..., Path]:
    """A temporary corpus folder: one document with the given bytes, the real actors and glossary.

    ``sha256`` defaults to the document's true checksum; ``manifest`` replaces the whole manifest text.
    """

    def make(name: str = "doc.txt", data: bytes | None = None, *, sha256: str | None = None,
             manifest: str | None = None, corrections: str | None = None) -> Path:
        root = tmp_path / "corpus"
        (root / "documents").mkdir(parents=True)
        for data_file in ("actors.toml", "glossary.toml"):
            shutil.copyfile(REAL_CORPUS / data_file, root / data_file)
        if data is not None:
            (root / "documents" / name).write_bytes(data)
        if sha256 is None:
            sha256 = hashlib.sha256(data or b"").hexdigest()
        (root / "manifest.toml").write_text(manifest if manifest is not None else manifest_entry(name, sha256),
                                            encoding="utf-8")
        if corrections is not None:
            (root / "corrections.toml").write_text(corrections, encoding="utf-8")
        return root

    return make
