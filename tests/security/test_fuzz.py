"""Property-based fuzzing (hypothesis) of the text cleaner, the question cleaner, the ``pns ask -`` batch reader
and the app's API handlers; and a fuzz run of 2,000 generated inputs through a real ``pns ask -`` process and the
real app's ``/ask`` over HTTP, counting internal errors (there must be none)."""

from __future__ import annotations

import io
import json
import os
import random
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.cli import read_lines
from assistant.text import NOTICES, clean_text
from assistant.understanding import clean_question
from pns.settings import REPO_ROOT

from .conftest import call_api, free_port, pns_process, settings_env

# Every code point, lone surrogates included (hypothesis leaves them out of text() unless asked).
ANY_CHAR = st.characters(codec=None, exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=300)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
                    max_leaves=8)
SURROGATE = re.compile(r"[\ud800-\udfff]")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _lone_surrogates(text: str) -> int:
    """How many surrogates are not half of a valid pair (counted by hand, pair by pair)."""
    n, i = 0, 0
    while i < len(text):
        if "\ud800" <= text[i] <= "\udbff" and i + 1 < len(text) and "\udc00" <= text[i + 1] <= "\udfff":
            i += 2
            continue
        n += "\ud800" <= text[i] <= "\udfff"
        i += 1
    return n


# -- the cleaners ------------------------------------------------------------------------------------------------
@FUZZ
@given(ANY_TEXT)
def test_clean_text_always_gives_encodable_text(text: str) -> None:
    cleaned = clean_text(text)
    cleaned.text.encode("utf-8")  # never raises
    assert not SURROGATE.search(cleaned.text)
    assert cleaned.removed == _lone_surrogates(text)
    assert clean_text(cleaned.text) == type(cleaned)(cleaned.text, 0)  # idempotent
    if not SURROGATE.search(text):
        assert cleaned.text == text


@FUZZ
@given(st.binary(max_size=300))
def test_clean_text_of_bytes(raw: bytes) -> None:
    cleaned = clean_text(raw)
    cleaned.text.encode("utf-8")
    try:
        assert (cleaned.text, cleaned.removed) == (raw.decode("utf-8"), 0)
    except UnicodeDecodeError:
        assert cleaned.removed > 0


@FUZZ
@given(JSON)
def test_clean_text_refuses_what_is_not_text_with_a_message(value: Any) -> None:
    from pns.errors import UsageError

    if isinstance(value, str):
        clean_text(value).text.encode("utf-8")
        return
    with pytest.raises(UsageError, match=r"^question must be text, got (null|a boolean|a number|a list|an object)$"):
        clean_text(value)


@FUZZ
@given(ANY_TEXT, st.integers(min_value=20, max_value=400))
def test_the_question_cleaner_after_the_text_cleaner(text: str, max_chars: int) -> None:
    question, notices = clean_question(clean_text(text).text, max_chars)
    question.encode("utf-8")
    assert len(question) <= max_chars
    assert question == question.strip()
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", question)
    assert set(notices) <= {"control-characters", "truncated"}


# -- the batch reader -----------------------------------------------------------------------------------------------
@FUZZ
@given(st.lists(st.binary(max_size=80).map(lambda b: b.replace(b"\n", b"")), max_size=20),
       st.sampled_from([b"\n", b"\r\n"]))
def test_the_batch_reader_yields_every_non_empty_line_in_order(lines: list[bytes], end: bytes) -> None:
    stream = io.TextIOWrapper(io.BytesIO(b"".join(line + end for line in lines)), encoding="utf-8")
    got = [(n, text.encode("utf-8", "surrogateescape")) for n, text in read_lines(stream)]
    # a line ends at LF, and a CR before it goes too; an empty line is skipped, its number kept by the next ones
    bodies = [(i, (raw + end)[:-1].removesuffix(b"\r")) for i, raw in enumerate(lines, start=1)]
    assert got == [(i, body) for i, body in bodies if body]


# -- the app's handlers ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app(real_assistant: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from ui.app import App

    settings = real_assistant.settings.replace(data_dir=str(tmp_path_factory.mktemp("fuzz-data")),
                                               feedback_per_minute=100_000)
    return App(real_assistant, settings)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=JSON, language=st.sampled_from(["auto", "fr", "nl", "en", "", None, "de", 5, ["fr"]]))
def test_api_ask_answers_or_refuses_with_a_message(app: Any, question: Any, language: Any) -> None:
    import gradio as gr

    try:
        answer = app.api_ask(question, language)
    except gr.Error as exc:
        assert str(exc.message).strip()
        return
    json.dumps(answer, ensure_ascii=False).encode("utf-8")
    assert answer["question"] == clean_question(clean_text(question).text, app.settings.max_question_chars)[0]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=JSON, answer=JSON | st.builds(json.dumps, JSON), rating=JSON, comment=JSON)
def test_api_feedback_records_or_refuses_with_a_message(app: Any, question: Any, answer: Any, rating: Any,
                                                       comment: Any) -> None:
    import gradio as gr

    try:
        result = app.api_feedback(question, answer, rating, comment)
    except gr.Error as exc:
        assert str(exc.message).strip()
        return
    assert result["ok"] is True and result["id"] >= 1


# -- the fuzz run -----------------------------------------------------------------------------------------------------
WORDS = ["cybercriminalité", "drogue", "stups", "CTIF", "Child Focus", "objectifs", "B5", "PNS16-B5-3", "et la",
         "partnergeweld", "terrorism", "radicalisation", "numéro 3", "Qu'est-ce que BEPAD ?", "wie is", "?", "!!"]
ODD = ["\xff", "\xfe\xfe", "\xed\xa0\x80", "\xc3", "\x00", "\x1b[31m", "\u202e", "\u200b", "\ufeff", "😀", "𝕏",
       "<script>alert(1)</script>", "' OR 1=1 --", "%s%n", "{{7*7}}", "\\u0000", "\t", "\r", "\x7f", "\u2028"]


def fuzz_inputs(n: int, seed: int = 12) -> list[bytes]:
    """``n`` generated questions as bytes, none with a newline: words of the plan's questions mixed with invalid
    UTF-8, encoded surrogates, control and invisible characters, markup, random bytes and very long lines."""
    rng = random.Random(seed)
    out: list[bytes] = []
    for _ in range(n):
        parts: list[bytes] = []
        for _ in range(rng.randint(1, 8)):
            kind = rng.random()
            if kind < 0.45:
                parts.append(rng.choice(WORDS).encode("utf-8"))
            elif kind < 0.8:
                odd = rng.choice(ODD)  # "\xff" as the raw byte (invalid UTF-8) or as its UTF-8 encoding
                raw = all(ord(c) < 256 for c in odd) and rng.random() < 0.5
                parts.append(odd.encode("latin-1") if raw else odd.encode("utf-8"))
            elif kind < 0.98:
                parts.append(bytes(rng.randrange(256) for _ in range(rng.randint(1, 12))))
            else:  # a long line (a long question costs the encoders most: kept to a few hundred characters)
                parts.append(rng.choice(WORDS).encode("utf-8") * rng.randint(10, 40))
        line = b" ".join(parts).replace(b"\n", b" ").replace(b"\r", b" ")
        out.append(line if line.strip() else b"?")
    return out


N_FUZZ = 2000
# One e5 thread: on a shared machine OpenMP's spinning threads make each query 7 times slower (measured: 100
# inputs in 70 s against 10 s), and the run is about correctness; the answers are the same.
ONE_THREAD = {"OMP_NUM_THREADS": "1"}
EMPTY = {"the question is empty; type a question about the plan",
         "the question is empty once control characters are removed"}


@pytest.mark.slow
def test_fuzz_run_through_pns_ask_batch(real_settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = fuzz_inputs(N_FUZZ)
    start = time.monotonic()
    result = pns_process(["ask", "-"], stdin=b"".join(line + b"\n" for line in inputs),
                         env={**settings_env(real_settings), **ONE_THREAD}, timeout=3000)
    elapsed = time.monotonic() - start
    assert b"internal error" not in result.stderr and b"Traceback" not in result.stderr, result.stderr[-2000:]
    # JSON Lines end at LF only: str.splitlines would also cut at U+2028 or \x1c inside an echoed question
    lines = [json.loads(line) for line in result.stdout.decode("utf-8").split("\n") if line]
    assert len(lines) == N_FUZZ  # one answer or error object per input, in order
    errors = [line for line in lines if "error" in line]
    assert {e["error"] for e in errors} <= EMPTY
    assert result.returncode == (1 if errors else 0)
    noticed = sum(any(n in a.get("notices", []) for n in NOTICES.values()) for a in lines)
    with capsys.disabled():
        print(f"\n[fuzz pns ask -] {N_FUZZ} inputs in {elapsed:.0f} s: {N_FUZZ - len(errors)} answered, "
              f"{len(errors)} per-line errors (empty once cleaned), {noticed} with the unreadable-text notice, "
              "0 internal errors", file=sys.stderr)


@pytest.mark.slow
@pytest.mark.server
def test_fuzz_run_through_the_app_ask(real_settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.ui.conftest import wait_until_ready

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "pns.cli", "serve", "--port", str(port)], cwd=REPO_ROOT,
                              env={**os.environ, **settings_env(real_settings), **ONE_THREAD,
                                   "PNS_HOST": "127.0.0.1"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    # Over HTTP the same inputs travel as JSON text: invalid bytes become lone surrogates (surrogateescape).
    questions = [line.decode("utf-8", "surrogateescape") for line in fuzz_inputs(N_FUZZ, seed=13)]
    try:
        wait_until_ready(url, timeout=180)
        start = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda q: call_api(url, "ask", q, "auto"), questions))
        elapsed = time.monotonic() - start
    finally:
        server.terminate()
        log = server.communicate(timeout=60)[1].decode("utf-8", "replace")
    internal = [(q, r) for q, r in zip(questions, results, strict=True) if r[0] != "complete" and not r[1]]
    refused = [r for r in results if r[0] == "error" and r[1]]
    assert internal == []
    assert {r[1] for r in refused} <= EMPTY
    answered = sum(r[0] == "complete" for r in results)
    assert answered + len(refused) == N_FUZZ
    assert "the assistant failed" not in log
    with capsys.disabled():
        print(f"\n[fuzz /ask] {N_FUZZ} inputs over HTTP in {elapsed:.0f} s: {answered} answered, {len(refused)} "
              "refused with a message, 0 internal errors", file=sys.stderr)
