"""The manifest and the other data files: validated strictly, with messages that say what to fix."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from corpus.catalogue import corpus_fingerprint, load_corrections
from corpus.manifest import document_path, load_manifest, sha256_file, verify_document
from pns.errors import CorpusError
from pns.types import DocumentInfo
from tests.corpus.conftest import REAL_CORPUS, SEED_FILE, manifest_entry


def _manifest(tmp_path: Path, text: str) -> Path:
    (tmp_path / "manifest.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_shipped_manifest() -> None:
    assert load_manifest(REAL_CORPUS) == [DocumentInfo(
        id="pns-2016-2019-simplifie-fr", code="PNS16",
        title="Plan national de sécurité 2016-2019 — Version simplifiée", kind="PNS", edition="simplified",
        language="fr", period="2016-2019", file="pns-2016-2019-simplifie.fr.txt",
        sha256="fd30b4b5348953fac7fa218b45af32c976c5c0ca3c378942ad5bef8988263c32",
    )]


def test_shipped_document_matches_its_checksum() -> None:
    doc = load_manifest(REAL_CORPUS)[0]
    assert verify_document(REAL_CORPUS, doc) == SEED_FILE.resolve()
    assert sha256_file(SEED_FILE) == doc.sha256


def test_sha256_file(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"abc")
    assert sha256_file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"corpus manifest .*manifest\.toml not found; create or restore it"):
        load_manifest(tmp_path)


def test_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"manifest\.toml is not valid TOML"):
        load_manifest(_manifest(tmp_path, "[[document]\nid = 1\n"))


def test_unknown_top_level_key(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"unknown key\(s\) documents; expected only \[\[document\]\] tables"):
        load_manifest(_manifest(tmp_path, manifest_entry("a.txt", "0" * 64).replace("[[document]]",
                                                                                      "[[documents]]")))


def test_unknown_document_key(tmp_path: Path) -> None:
    with pytest.raises(CorpusError) as info:
        load_manifest(_manifest(tmp_path, manifest_entry("a.txt", "0" * 64, colour="blue")))
    assert "document #1: unknown key(s) colour; allowed: code, edition, file, id, kind, language, period, " \
           "sha256, source_url, title" in str(info.value)


def test_missing_document_key(tmp_path: Path) -> None:
    text = manifest_entry("a.txt", "0" * 64).replace('sha256 = "' + "0" * 64 + '"\n', "")
    with pytest.raises(CorpusError, match=r"document #1: missing key\(s\) sha256$"):
        load_manifest(_manifest(tmp_path, text))


def test_non_string_value(tmp_path: Path) -> None:
    text = manifest_entry("a.txt", "0" * 64).replace('period = "2030"', "period = 2030")
    with pytest.raises(CorpusError, match=r"document #1: key\(s\) period must be strings"):
        load_manifest(_manifest(tmp_path, text))


@pytest.mark.parametrize(("key", "value", "allowed"), [
    ("kind", "Plan", "NCSI, PNS, PZS, other"),
    ("edition", "draft", "full, other, simplified"),
    ("language", "es", "de, en, fr, nl"),
])
def test_values_outside_the_vocabulary(tmp_path: Path, key: str, value: str, allowed: str) -> None:
    with pytest.raises(CorpusError) as info:
        load_manifest(_manifest(tmp_path, manifest_entry("a.txt", "0" * 64, **{key: value})))
    assert str(info.value).endswith(f"document #1: {key} '{value}' is not one of {allowed}")


def test_duplicate_id(tmp_path: Path) -> None:
    text = manifest_entry("a.txt", "0" * 64) + manifest_entry("b.txt", "0" * 64, code="OTHER")
    with pytest.raises(CorpusError, match=r"document #2: id 'test-doc' or code 'OTHER' is used twice"):
        load_manifest(_manifest(tmp_path, text))


def test_manifest_without_documents(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="lists no document"):
        load_manifest(_manifest(tmp_path, "# nothing yet\n"))


def test_document_outside_the_documents_folder(tmp_path: Path) -> None:
    doc = load_manifest(_manifest(tmp_path, manifest_entry("../secrets.txt", "0" * 64)))[0]
    with pytest.raises(CorpusError, match=r"document test-doc: file '\.\./secrets\.txt' is outside .*documents"):
        document_path(tmp_path, doc)


def test_missing_document_file(tmp_path: Path) -> None:
    doc = load_manifest(_manifest(tmp_path, manifest_entry("absent.txt", "0" * 64)))[0]
    with pytest.raises(CorpusError, match=r"document test-doc: file .*absent\.txt not found; put it there or fix"):
        verify_document(tmp_path, doc)


def test_checksum_mismatch(tmp_path: Path) -> None:
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "a.txt").write_bytes(b"abc")
    doc = load_manifest(_manifest(tmp_path, manifest_entry("a.txt", "f" * 64)))[0]
    with pytest.raises(CorpusError) as info:
        verify_document(tmp_path, doc)
    assert str(info.value) == (
        "document test-doc: checksum mismatch for a.txt (manifest ffffffffffff…, file ba7816bf8f01…); "
        "restore the original file or update sha256 in manifest.toml")


def test_checksum_is_case_insensitive(tmp_path: Path) -> None:
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "a.txt").write_bytes(b"abc")
    upper = hashlib.sha256(b"abc").hexdigest().upper()
    doc = load_manifest(_manifest(tmp_path, manifest_entry("a.txt", upper)))[0]
    assert verify_document(tmp_path, doc) == (tmp_path / "documents" / "a.txt").resolve()


# -- corrections.toml ----------------------------------------------------------------------------------------------

def test_missing_corrections_file_means_no_corrections(tmp_path: Path) -> None:
    assert load_corrections(tmp_path / "corrections.toml") == []


def test_correction_with_unknown_key(tmp_path: Path) -> None:
    path = tmp_path / "corrections.toml"
    text = (REAL_CORPUS / "corrections.toml").read_text(encoding="utf-8").replace(
        'id = "fraude-fiscale"', 'id = "fraude-fiscale"\nreviewer = "moi"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match=r"move #1: keys must be exactly \[.*\]; got \[.*'reviewer'.*\]"):
        load_corrections(path)


def test_correction_with_reversed_numbers(tmp_path: Path) -> None:
    path = tmp_path / "corrections.toml"
    text = (REAL_CORPUS / "corrections.toml").read_text(encoding="utf-8").replace(
        "numbers = [2, 8]", "numbers = [8, 2]")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match=r"move 'fraude-fiscale': numbers must be \[first, last\]"):
        load_corrections(path)


def test_correction_with_a_single_number_is_a_corpus_error(tmp_path: Path) -> None:
    path = tmp_path / "corrections.toml"
    text = (REAL_CORPUS / "corrections.toml").read_text(encoding="utf-8").replace(
        "numbers = [2, 8]", "numbers = 2")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match="numbers must be"):
        load_corrections(path)


# -- the fingerprint of the corpus ---------------------------------------------------------------------------------

def test_fingerprint_changes_with_the_corrections(tmp_path: Path) -> None:
    docs = load_manifest(REAL_CORPUS)
    copy = tmp_path / "corpus"
    shutil.copytree(REAL_CORPUS, copy, ignore=shutil.ignore_patterns("documents", "*.py", "__pycache__"))
    assert corpus_fingerprint(copy, docs) == corpus_fingerprint(REAL_CORPUS, docs)
    with (copy / "corrections.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n# reviewed again\n")
    assert corpus_fingerprint(copy, docs) != corpus_fingerprint(REAL_CORPUS, docs)
    assert len(corpus_fingerprint(copy, docs)) == 16
