"""`pns ask` through the real entry point, on the session's index (set through PNS_* environment variables)."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

from pns.cli import main

from .helpers import B3, B5, BASE_URL, CTIF

CYBER = "Quels sont les objectifs en matière de cybercriminalité ?"


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, real_settings) -> None:
    """The CLI reads the session index; no other PNS_* variable or stray ./pns.toml may interfere."""
    for key in list(os.environ):
        if key.startswith("PNS_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PNS_CORPUS_DIR", real_settings.corpus_dir)
    monkeypatch.setenv("PNS_INDEX_DIR", real_settings.index_dir)
    monkeypatch.setenv("PNS_DATA_DIR", real_settings.data_dir)
    monkeypatch.setenv("PNS_CACHE_DIR", real_settings.cache_dir)


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


@pytest.mark.usefixtures("cli_env")
def test_ask_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", CYBER, "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    data = json.loads(captured.out)
    assert set(data) == {"question", "language", "intent", "answer", "theme", "group", "citations", "notices",
                         "suggestions", "summary", "elapsed_ms", "scope"}
    assert (data["question"], data["language"], data["intent"], data["theme"], data["group"]) == (
        CYBER, "fr", "list", "B5", "B5")
    assert [c["objective_id"] for c in data["citations"]] == B5
    assert [c["rank"] for c in data["citations"]] == list(range(1, 11))
    assert [c["url"] for c in data["citations"]] == [f"{BASE_URL}/?objective={oid}" for oid in B5]
    assert data["citations"][2]["text"] == "Assurer des enquêtes de qualité."
    assert data["citations"][2]["path"] == ["B5 Cybercrime et cybersecurity"]
    assert (data["notices"], data["suggestions"], data["summary"]) == ([], [], None)
    assert "\\u00e9" not in captured.out  # UTF-8, not ASCII escapes


@pytest.mark.usefixtures("cli_env")
def test_ask_lang_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Quels objectifs impliquent la CTIF ?", "--lang", "nl", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["language"], data["intent"]) == ("nl", "actor")
    assert [c["objective_id"] for c in data["citations"]] == CTIF


@pytest.mark.usefixtures("cli_env")
def test_ask_text_output(capsys: pytest.CaptureFixture[str], real_assistant) -> None:
    assert main(["ask", "Quels objectifs impliquent la CTIF ?"]) == 0
    out = capsys.readouterr().out
    title = "Plan national de sécurité 2016-2019 — Version simplifiée"
    lines = []
    for rank, oid in enumerate(CTIF, start=1):
        where = real_assistant.corpus.passages[oid].location.label()
        lines.append(f"[{rank}] {oid} — {title}, {where} {BASE_URL}/?objective={oid}")
    assert out.startswith("2 objectifs du plan mentionnent « CTIF » :\n")
    assert out.endswith("\n\n" + "\n".join(lines) + "\n")


@pytest.mark.usefixtures("cli_env")
@pytest.mark.parametrize("question", ["  ", ""])
def test_ask_blank_question_is_one_error_line(capsys: pytest.CaptureFixture[str], question: str) -> None:
    assert main(["ask", question]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "pns: error: the question is empty; type a question about the plan\n"


@pytest.mark.usefixtures("cli_env")
def test_ask_unsupported_lang_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["ask", "Quels objectifs impliquent la CTIF ?", "--lang", "de"])
    assert exc.value.code == 2
    assert "invalid choice: 'de'" in capsys.readouterr().err


def _jsonl(out: str) -> list[dict]:
    lines = out.splitlines()
    return [json.loads(line) for line in lines]


@pytest.mark.usefixtures("cli_env")
def test_ask_stdin_conversation(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, f"{CYBER}\net pour la drogue ?\n")
    assert main(["ask", "-"]) == 0
    rows = _jsonl(capsys.readouterr().out)
    assert len(rows) == 2
    assert (rows[0]["intent"], rows[0]["group"]) == ("list", "B5")
    assert [c["objective_id"] for c in rows[0]["citations"]] == B5
    assert (rows[1]["question"], rows[1]["intent"], rows[1]["group"], rows[1]["theme"]) == (
        "et pour la drogue ?", "list", "B3", "B3")
    assert [c["objective_id"] for c in rows[1]["citations"]] == B3


@pytest.mark.usefixtures("cli_env")
def test_ask_stdin_skips_empty_lines(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, f"\n{CYBER}\n\n\net pour la drogue ?")  # no final newline either
    assert main(["ask", "-"]) == 0
    rows = _jsonl(capsys.readouterr().out)
    assert [(r["intent"], r["group"]) for r in rows] == [("list", "B5"), ("list", "B3")]


@pytest.mark.usefixtures("cli_env")
def test_ask_stdin_bad_line_gives_an_error_object(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, f"{CYBER}\n\x00\x1b\net pour la drogue ?\n")
    assert main(["ask", "-"]) == 1
    captured = capsys.readouterr()
    rows = _jsonl(captured.out)
    assert len(rows) == 3
    assert rows[1] == {"question": "\x00\x1b", "line": 2,
                       "error": "the question is empty once control characters are removed"}
    assert (rows[2]["intent"], rows[2]["group"]) == ("list", "B3")  # the conversation goes on
    assert captured.err == ""


@pytest.mark.usefixtures("cli_env")
def test_ask_stdin_blank_line_of_spaces_is_an_error(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, f"{CYBER}\n\n   \net pour la drogue ?\n")
    assert main(["ask", "-"]) == 1
    rows = _jsonl(capsys.readouterr().out)
    assert len(rows) == 3
    assert rows[1] == {"question": "   ", "line": 3,
                       "error": "the question is empty; type a question about the plan"}
    assert (rows[2]["intent"], rows[2]["group"]) == ("list", "B3")


def test_export_a_sub_group_as_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "b4.2"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "# B4.2 Fraude fiscale"
    assert [f"PNS16-B4.2-{n}" in out for n in range(1, 9)] == [True] * 8
    assert "PNS16-B4.1-1" not in out


def test_export_html_to_a_file(tmp_path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    target = tmp_path / "b5.html"
    monkeypatch.setenv("PNS_PUBLIC_URL", "https://pns.intranet.example")
    assert main(["export", "B5", "--format", "html", "--lang", "nl", "--out", str(target)]) == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    assert page.count('href="https://pns.intranet.example/?objective=PNS16-B5-') == 10
    assert capsys.readouterr().err == f"pns: B5 written to {target}\n"


def test_export_without_public_url_warns_and_carries_no_local_link(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "B5"]) == 0
    captured = capsys.readouterr()
    assert "127.0.0.1" not in captured.out and "Sans liens permanents" in captured.out
    assert captured.err.startswith("pns: warning: public_url is not set, so the export carries no permalinks")


def test_export_unknown_theme_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "Z9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pns: error: no theme or sub-group 'Z9'") and err.count("\n") == 1


@pytest.mark.usefixtures("cli_env")
def test_ask_prints_wrapped_text_or_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Quels objectifs impliquent la CTIF ?"]) == 0
    text = capsys.readouterr().out
    assert "**" not in text and "\n[1] PNS16-A4-5 Intégrer dans la formation" in text
    assert all(len(line) <= 100 for line in text.split("\n\n[1] PNS16-A4-5 —")[0].splitlines())
    assert main(["ask", "Quels objectifs impliquent la CTIF ?", "--format", "markdown"]) == 0
    assert "[1] **PNS16-A4-5** Intégrer" in capsys.readouterr().out
