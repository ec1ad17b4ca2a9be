"""Loaders: text files become located lines; anything unreadable is a CorpusError naming the file and the fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corpus.loaders import load_document
from pns.errors import CorpusError
from pns.types import Line, Location


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_text_lines_carry_line_numbers_and_character_spans(tmp_path: Path) -> None:
    lines = load_document(_write(tmp_path, "doc.txt", b"Titre\n\nDeux lignes.\n"))
    assert lines == [
        Line("Titre", "Titre", Location(1, 1, 0, 5)),
        Line("", "", Location(2, 2, 6, 6)),
        Line("Deux lignes.", "Deux lignes.", Location(3, 3, 7, 19)),
        Line("", "", Location(4, 4, 20, 20)),
    ]


def test_character_spans_count_characters_not_bytes(tmp_path: Path) -> None:
    lines = load_document(_write(tmp_path, "doc.txt", "Élément\nœuvre\n".encode()))
    assert [(line.text, line.location.char_start, line.location.char_end) for line in lines[:2]] == [
        ("Élément", 0, 7), ("œuvre", 8, 13)]


def test_crlf_line_endings(tmp_path: Path) -> None:
    lines = load_document(_write(tmp_path, "doc.txt", b"ab\r\ncd"))
    assert [(line.text, line.location) for line in lines] == [
        ("ab", Location(1, 1, 0, 2)), ("cd", Location(2, 2, 4, 6))]


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    lines = load_document(_write(tmp_path, "doc.txt", "\ufeffTitre\n".encode()))
    assert lines[0] == Line("Titre", "Titre", Location(1, 1, 0, 5))


def test_markdown_and_upper_case_suffix_are_text(tmp_path: Path) -> None:
    assert load_document(_write(tmp_path, "notes.md", b"# Notes"))[0].text == "# Notes"
    assert load_document(_write(tmp_path, "NOTES.TXT", b"Notes"))[0].text == "Notes"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"absent\.txt: cannot be read \(No such file or directory\)"):
        load_document(tmp_path / "absent.txt")


@pytest.mark.parametrize("data", [b"", b"  \n\n\t\n"], ids=["zero-bytes", "whitespace"])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(CorpusError, match="the file is empty; put the document's text in it"):
        load_document(_write(tmp_path, "doc.txt", data))


def test_binary_data_in_a_text_file(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"binary data in a text file; give a \.txt/\.md in UTF-8 or a \.pdf"):
        load_document(_write(tmp_path, "doc.txt", b"PK\x03\x04\x14\x00\x06\x00" + os.urandom(256)))


def test_control_characters_count_as_binary(tmp_path: Path) -> None:
    # No NUL byte, but 1 control byte in 10: above the 5 % the loader tolerates.
    with pytest.raises(CorpusError, match="binary data"):
        load_document(_write(tmp_path, "doc.txt", b"abcdefghi\x01" * 10))


def test_latin1_text_is_refused_with_the_offending_byte(tmp_path: Path) -> None:
    data = "Rapport d'activité\n".encode("latin-1")
    with pytest.raises(CorpusError) as info:
        load_document(_write(tmp_path, "doc.txt", data))
    message = str(info.value)
    assert message.startswith(str(tmp_path / "doc.txt"))
    assert "not valid UTF-8 (byte 0xe9 at offset 17)" in message
    assert "iconv -f latin1 -t utf-8" in message


def test_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"unsupported file type '\.docx'; expected one of \.txt, \.md, \.pdf"):
        load_document(_write(tmp_path, "plan.docx", b"text"))
