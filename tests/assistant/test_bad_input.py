"""Bad input: empty questions, unsupported languages, very long questions, control characters."""

from __future__ import annotations

import pytest

from pns.errors import UsageError

from .helpers import B5, CONTROL, CTIF, TRUNCATED, cited


@pytest.mark.parametrize("question", ["", "   ", "\n\t  \r\n", None])
def test_empty_question_is_a_usage_error(real_assistant, question) -> None:
    with pytest.raises(UsageError, match=r"^the question is empty; type a question about the plan$"):
        real_assistant.ask(question)


def test_question_of_only_control_characters_is_a_usage_error(real_assistant) -> None:
    with pytest.raises(UsageError, match=r"^the question is empty once control characters are removed$"):
        real_assistant.ask("\x00\x1b\u202e")


def test_usage_error_exit_code() -> None:
    assert UsageError("x").exit_code == 2


@pytest.mark.parametrize("language", ["de", "FR", ""])
def test_unsupported_language_is_a_usage_error(real_assistant, language: str) -> None:
    with pytest.raises(UsageError, match=r"^unsupported language .+; use one of fr, nl, en$"):
        real_assistant.ask("Quels objectifs impliquent la CTIF ?", language=language)


def test_language_can_be_forced(real_assistant) -> None:
    answer = real_assistant.ask("Quels objectifs impliquent la CTIF ?", language="en")
    assert (answer.language, answer.intent, cited(answer)) == ("en", "actor", CTIF)
    assert answer.answer.split("\n")[0] == (
        "2 objectives of the plan mention “CTIF” (the plan's own wording, in French):")


def test_very_long_question_is_truncated_with_a_notice(real_assistant) -> None:
    question = ("Quels sont les objectifs en matière de cybercriminalité ? " * 2000)[:100_000]
    assert len(question) == 100_000
    answer = real_assistant.ask(question)
    limit = real_assistant.settings.max_question_chars
    assert limit == 2000
    assert len(answer.question) <= limit
    assert question.startswith(answer.question)
    assert answer.notices == (TRUNCATED["fr"],)
    assert answer.answer.startswith(f"*{TRUNCATED['fr']}*\n\n")
    assert (answer.intent, cited(answer)) == ("list", B5)


def test_very_long_question_without_spaces(real_assistant) -> None:
    answer = real_assistant.ask("x" * 100_000, language="en")
    assert answer.question == "x" * 2000
    assert answer.notices == (TRUNCATED["en"],)


@pytest.mark.parametrize(
    "question",
    ["Quels objectifs impliquent la CTIF ?\x00", "Quels objectifs\u202e impliquent la CTIF ?",
     "\x1b[31mQuels objectifs impliquent la CTIF ?", "Quels\x07 objectifs impliquent\x1b la CTIF ?\x00\u202e"],
)
def test_control_characters_are_removed_with_a_notice(real_assistant, question: str) -> None:
    answer = real_assistant.ask(question)
    for char in ("\x00", "\x07", "\x1b", "\u202e"):
        assert char not in answer.question and char not in answer.answer
    assert answer.notices == (CONTROL["fr"],)
    assert answer.answer.startswith(f"*{CONTROL['fr']}*\n\n")
    assert (answer.intent, cited(answer)) == ("actor", CTIF)


def test_trailing_control_character_leaves_a_clean_question(real_assistant) -> None:
    answer = real_assistant.ask("Quels objectifs impliquent la CTIF ?\x00")
    assert answer.question == "Quels objectifs impliquent la CTIF ?"


def test_ansi_colour_codes_do_not_change_the_answer(real_assistant) -> None:
    answer = real_assistant.ask("Quels sont les objectifs en matière de \x1b[31mcybercriminalité\x1b[0m ?")
    assert answer.question == "Quels sont les objectifs en matière de cybercriminalité ?"
    assert (answer.intent, cited(answer)) == ("list", B5)


def test_soft_hyphen_is_removed(real_assistant) -> None:
    answer = real_assistant.ask("Quels sont les objectifs en matière de cyber\xadcriminalité ?")
    assert "\xad" not in answer.question
    assert (answer.intent, cited(answer)) == ("list", B5)


def test_a_lone_surrogate_from_a_python_caller_is_removed(real_assistant) -> None:
    """Assistant.ask called directly (not through the CLI, app or API cleaners) never crashes on one."""
    answer = real_assistant.ask("Quels objectifs impliquent la CTIF \udcff?")
    assert answer.question == "Quels objectifs impliquent la CTIF ?"
    assert [c.objective_id for c in answer.citations] == ["PNS16-A4-5", "PNS16-A4-12"]
    answer.to_dict()  # serialisable: nothing unencodable left
    with pytest.raises(UsageError, match="the question is empty"):
        real_assistant.ask("\udcff\ud800")
