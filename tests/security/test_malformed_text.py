"""Issue 12's malformed-text probes: invalid UTF-8 and lone surrogates on the command line, on standard input and
over HTTP, and values of the wrong JSON type sent to the app's API. Never an internal error, never a traceback."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant.text import NOTICES

from .conftest import call_api, gradio_client, pns_process, settings_env

CYBER_NOTICE = NOTICES["fr"]


@pytest.fixture(scope="module")
def env(real_settings: Any) -> dict[str, str]:
    return settings_env(real_settings)


def _lines(stdout: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.decode("utf-8").splitlines()]


def test_batch_with_invalid_utf8_answers_all_three_lines(env: dict[str, str]) -> None:
    result = pns_process(["ask", "-"], stdin=b"stups\ncyber\xff crim\ndrogue\n", env=env)
    assert result.returncode == 0, result.stderr.decode()
    answers = _lines(result.stdout)
    assert [a["question"] for a in answers] == ["stups", "cyber crim", "drogue"]
    assert [a["notices"][:1] for a in answers] == [[], [CYBER_NOTICE], []]
    assert all(a["citations"] for a in answers)
    assert b"internal error" not in result.stderr


def test_a_line_with_nothing_readable_is_an_error_object_and_the_batch_goes_on(env: dict[str, str]) -> None:
    result = pns_process(["ask", "-"], stdin=b"stups\r\n\xff\xfe\xed\xa0\x80\r\ndrogue\r\n", env=env)
    assert result.returncode == 1  # one line failed
    answers = _lines(result.stdout)
    assert answers[1] == {"question": "", "line": 2,
                          "error": "the question is empty; type a question about the plan"}
    assert [a["question"] for a in (answers[0], answers[2])] == ["stups", "drogue"]
    assert result.stderr == b""


def test_argv_with_invalid_utf8(env: dict[str, str]) -> None:
    result = pns_process(["ask", "--json", b"cyber\xff crim"], env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr.decode() == ("pns: notice: argument 3 was not valid UTF-8; what could not be read was "
                                      "removed: 'cyber crim'\n")
    answer = json.loads(result.stdout)
    assert answer["question"] == "cyber crim" and answer["citations"]


def test_argv_with_invalid_utf8_in_plain_text(env: dict[str, str]) -> None:
    result = pns_process(["ask", b"cyber\xff crim"], env=env)
    assert result.returncode == 0
    assert result.stdout.decode("utf-8").startswith("Voici les passages du plan")


@pytest.mark.server
def test_lone_surrogate_to_ask_over_http(start_app: Any) -> None:
    url, _, _ = start_app()
    event, data = call_api(url, "ask", "cyber\udcff crim", "auto")
    assert event == "complete"
    (answer,) = data
    assert answer["question"] == "cyber crim"
    assert answer["notices"][0] == CYBER_NOTICE
    assert answer["answer"].startswith(f"*{CYBER_NOTICE}*")
    assert answer["citations"]


@pytest.mark.server
def test_lone_surrogate_to_feedback_over_http(start_app: Any) -> None:
    url, _, app = start_app()
    event, data = call_api(url, "feedback", "q\ud800", json.dumps({"answer": "a"}), "up", "bien\udcff vu")
    assert event == "complete"
    assert data == [{"ok": True, "id": 1, "notices": [
        "unreadable characters (not valid UTF-8) were removed from the question",
        "unreadable characters (not valid UTF-8) were removed from the comment"]}]
    (row,) = app.feedback.rows()
    assert (row["question"], row["comment"]) == ("q", "bien vu")


@pytest.mark.server
def test_wrong_json_types_get_a_clear_message_and_no_traceback(start_app: Any,
                                                             capfd: pytest.CaptureFixture[str]) -> None:
    url, _, _ = start_app()
    client = gradio_client(url)

    def refusal(*args: Any, api_name: str) -> str:
        with pytest.raises(Exception) as exc:  # gradio_client's AppError carries the server's message
            client.predict(*args, api_name=api_name)
        return str(exc.value)

    capfd.readouterr()
    assert refusal(123, "auto", api_name="/ask") == "question must be text, got a number"
    assert refusal(["cyber"], "auto", api_name="/ask") == "question must be text, got a list"
    assert refusal(None, "auto", api_name="/ask") == "question must be text, got null"
    assert refusal("cyber", ["fr"], api_name="/ask") == "language must be text, got a list"
    assert refusal("cyber", "de", api_name="/ask") == "unsupported language 'de'; use one of fr, nl, en"
    assert refusal("q", 123, "up", "", api_name="/feedback") == "answer must be text, got a number"
    assert refusal("q", '{"answer": 5}', "up", "", api_name="/feedback") == (
        "feedback answer must be text, got a number")
    assert refusal("q", "{not json", "up", "", api_name="/feedback").startswith("answer is not valid JSON: ")
    assert refusal(5, "a", "up", "", api_name="/feedback") == "feedback question must be text, got a number"
    assert refusal("q", "a", {"a": 1}, "", api_name="/feedback") == (
        "rating {'a': 1} is not understood; use 'up', 'down' or 'withdrawn' (or leave it empty)")
    assert refusal("q", "a", "", 5, api_name="/feedback") == "feedback comment must be text, got a number"
    assert refusal("q", json.dumps({"answer": "a", "citations": {"x": 1}}), "up", "", api_name="/feedback") == (
        "feedback citations must be a list, got dict")
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
