"""Text from outside (argv, standard input, HTTP) made safe for the assistant: one cleaner for every entry point.

Python hands invalid UTF-8 on the command line and standard input over as lone surrogates (``surrogateescape``),
and a JSON body may carry ``"\\udcff"`` escapes: such a string cannot be encoded again, so the encoders, SQLite and
the JSON writer would fail on it. Every entry point passes its text through :func:`clean_text` (and questions
through :func:`ask`), which removes what cannot be text and says so in a notice, and refuses a value that is not
text at all with a clear message instead of a traceback.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from pns.errors import UsageError

_SURROGATE = re.compile(r"[\ud800-\udfff]")

NOTICE_KEY = "invalid-text"
NOTICES = {
    "fr": "Des caractères illisibles (texte qui n'était pas de l'UTF-8 valide) ont été retirés de la question.",
    "nl": "Onleesbare tekens (tekst die geen geldige UTF-8 was) zijn uit de vraag verwijderd.",
    "en": "Unreadable characters (text that was not valid UTF-8) were removed from the question.",
}


@dataclass(frozen=True)
class CleanText:
    """The text as it can be used, and how many unreadable characters (or bytes) were removed from it."""

    text: str
    removed: int = 0


def clean_text(value: object, name: str = "question", *, optional: bool = False) -> CleanText:
    """``value`` as valid Unicode text: bytes are decoded as UTF-8, what is not UTF-8 and lone surrogates removed.

    A valid surrogate pair (an emoji split by ``surrogatepass``) is joined back into its character.

    Raises:
        UsageError: ``value`` is not text (a number, a list, a JSON object…); None is accepted as "" when
            ``optional``.
    """
    if value is None and optional:
        return CleanText("")
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", "surrogateescape")
    if not isinstance(value, str):
        raise UsageError(f"{name} must be text, got {_kind(value)}")
    if not _SURROGATE.search(value):
        return CleanText(value)
    # Join valid pairs first (UTF-16 round trip), then drop what is still a lone surrogate.
    joined = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    text, removed = _SURROGATE.subn("", joined)
    return CleanText(text, removed)


def _kind(value: object) -> str:
    """A JSON-ish name for a value's type, as an API caller would say it."""
    if value is None:
        return "null"
    names = {bool: "a boolean", int: "a number", float: "a number", list: "a list", tuple: "a list",
             dict: "an object"}
    return next((label for kind, label in names.items() if isinstance(value, kind)), type(value).__name__)


def optional_text(value: object, name: str) -> str | None:
    """None, or a text argument (a language code, an id) checked and cleaned like a question."""
    return None if value is None else clean_text(value, name).text


def ask(assistant: Any, question: object, language: object = None, conversation: Any = None, **options: Any) -> Any:
    """``assistant.ask`` on the cleaned question; when something was removed the answer carries the notice.

    Every entry point (``pns ask``, the batch reader, the web app's chat and ``/ask``) calls this rather than
    ``assistant.ask`` directly, so no entry point can pass text the encoders cannot take.
    """
    cleaned = clean_text(question)
    answer = assistant.ask(cleaned.text, language=optional_text(language, "language"), conversation=conversation,
                           **options)
    return with_notice(answer) if cleaned.removed else answer


def with_notice(answer: Any) -> Any:
    """The answer with the "unreadable characters removed" notice first, as the assistant shows its own notices."""
    if not dataclasses.is_dataclass(answer):
        return answer
    from assistant.compose import escape_markdown

    text = NOTICES.get(answer.language, NOTICES["fr"])
    return dataclasses.replace(answer, notices=(text, *answer.notices),
                               answer=f"*{escape_markdown(text)}*\n\n{answer.answer}")


def client_of(request: Any) -> str | None:
    """The address a web request came from (a Gradio or Starlette request), for per-client limits; None without
    one (a local caller)."""
    client = getattr(request, "client", None)
    host = getattr(client, "host", None)
    return str(host) if host else None
