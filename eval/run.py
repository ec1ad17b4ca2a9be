"""Running the question set: the retrievers alone (bm25, dense, hybrid) and the full assistant.

Every run is keyed by passage id (an objective's passage id is its objective id), so objectives and prose
passages are judged the same way. Follow-up questions run in the conversation of the question they follow.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpus.catalogue import Corpus
from corpus.clean import clean_line
from corpus.loaders import load_document
from corpus.manifest import document_path
from eval.metrics import QuestionResult, aggregate, breakdown
from pns.errors import UsageError
from pns.jsonl import jsonl_records
from pns.types import Citation

QUESTIONS = Path(__file__).with_name("questions.jsonl")
BASELINE = Path(__file__).with_name("baseline.json")
MODES = ("bm25", "dense", "hybrid", "assistant")  # plus each encoder's own signal ("use", "e5")
DIMENSIONS = ("language", "theme", "intent", "difficulty")
_INTENTS = {"free", "list", "actor", "objective", "followup", "out_of_scope"}
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Question:
    """One curated question (see eval/README.md for the format)."""

    id: str
    question: str
    language: str
    intent: str
    expected: tuple[str, ...]
    expected_group: str | None
    expected_actor: str | None
    expected_prose: str | None
    difficulty: str
    theme: str | None
    followup_of: str | None


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    """Read the JSONL question set; a malformed line is an error naming the line."""
    def parse(data: Any) -> Question:
        return Question(data["id"], data["question"], data["language"], data["intent"],
                        tuple(data.get("expected") or ()), data.get("expected_group"),
                        data.get("expected_actor"), data.get("expected_prose"), data["difficulty"],
                        data.get("theme"), data.get("followup_of"))

    questions = []
    for number, q in jsonl_records(path, parse, UsageError, "a valid question"):
        if q.intent not in _INTENTS:
            raise UsageError(f"{path}:{number}: unknown intent {q.intent!r}")
        questions.append(q)
    return questions


def _normalise(text: str) -> str:
    return _WS.sub(" ", text).strip()


def expected_passages(corpus: Corpus, question: Question) -> tuple[str, ...]:
    """The ids a question expects: its objective ids, or the passages holding its prose snippet."""
    if question.expected or not question.expected_prose:
        return question.expected
    snippet = _normalise(question.expected_prose)
    return tuple(p.id for p in corpus.passages.values() if snippet in _normalise(p.text))


class CitationChecker:
    """Checks that a cited passage exists and that its text stands verbatim in the source document."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus

    @lru_cache(maxsize=16)  # noqa: B019 - one checker per run, few documents
    def _lines(self, document_id: str) -> list[str]:
        doc = self.corpus.documents_by_id[document_id]
        return [clean_line(line.raw) for line in load_document(document_path(Path(self.corpus.settings.corpus_dir),
                                                                               doc))]

    def valid(self, citation: Citation) -> bool:
        passage = self.corpus.passages.get(citation.passage_id)
        if passage is None or citation.text != passage.text:
            return False
        if citation.objective_id is not None and citation.objective_id not in self.corpus.objectives:
            return False
        lines = self._lines(passage.document)
        source = _normalise(" ".join(lines[passage.location.line_start - 1: passage.location.line_end]))
        text = _normalise(citation.text)
        return text in source or text.replace(" ", "") in source.replace(" ", "")


def _result(q: Question, mode: str, ranked: Iterable[str], cited: Iterable[str], expected: tuple[str, ...],
            abstained: bool, valid: bool, latency_ms: float) -> QuestionResult:
    return QuestionResult(
        question_id=q.id, language=q.language, intent=q.intent, difficulty=q.difficulty, theme=q.theme or "",
        mode=mode, ranked=tuple(dict.fromkeys(ranked)), cited=tuple(dict.fromkeys(cited)), expected=expected,
        expected_group=q.expected_group, abstained=abstained, expect_abstain=q.intent == "out_of_scope",
        citations_valid=valid, latency_ms=latency_ms,
    )


def run_retriever(assistant: Any, questions: list[Question], mode: str, k: int = 10,
                  progress: Callable[[str], None] | None = None) -> list[QuestionResult]:
    """One retriever alone: ranked passages for each question, no intent handling, never abstains."""
    index, corpus = assistant.index, assistant.corpus
    results = []
    for q in questions:
        start = time.perf_counter()
        hits = index.search(q.question, k=k, mode=mode, language=q.language)
        ranked = [h.passage_id for h in hits]
        elapsed = (time.perf_counter() - start) * 1000
        results.append(_result(q, mode, ranked, ranked, expected_passages(corpus, q), False, True, elapsed))
        if progress:
            progress(mode)
    return results


def run_assistant(assistant: Any, questions: list[Question],
                  progress: Callable[[str], None] | None = None) -> tuple[list[QuestionResult], list[dict]]:
    """The full assistant, follow-ups in their conversation; also returns each answer for the report."""
    from assistant.service import Conversation

    checker = CitationChecker(assistant.corpus)
    conversations: dict[str, Any] = {}
    results, answers = [], []
    for q in questions:
        conversation = conversations.get(q.followup_of) if q.followup_of else None
        if conversation is None:
            conversation = Conversation()
        conversations[q.id] = conversation
        start = time.perf_counter()
        answer = assistant.ask(q.question, conversation=conversation)
        elapsed = (time.perf_counter() - start) * 1000
        ids = [c.passage_id for c in answer.citations]
        valid = all(checker.valid(c) for c in answer.citations)
        results.append(_result(q, "assistant", ids, ids, expected_passages(assistant.corpus, q),
                               answer.intent == "out_of_scope", valid, elapsed))
        answers.append({"id": q.id, "question": q.question, "intent": answer.intent, "group": answer.group,
                        "cited": ids[:12], "expected": list(expected_passages(assistant.corpus, q))[:12]})
        if progress:
            progress("assistant")
    return results, answers


def summarise(results_by_mode: dict[str, list[QuestionResult]], meta: dict[str, Any]) -> dict[str, Any]:
    """The summary shape `eval.report.write_report` takes."""
    return {
        "modes": {mode: aggregate(results) for mode, results in results_by_mode.items()},
        "by": {mode: {dim: breakdown(results, dim) for dim in DIMENSIONS}
               for mode, results in results_by_mode.items()},
        "meta": meta,
    }


def write_progress(path: Path, done: int, total: int, mode: str) -> None:
    """Progress for another process to read (the web app's Evaluation tab): replaced whole, never half-written."""
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps({"done": done, "total": total, "mode": mode}), encoding="utf-8")
    os.replace(partial, path)


def run_all(settings: Any, modes: Iterable[str] = MODES, questions_path: Path = QUESTIONS,
            show_progress: bool = True, progress_file: Path | None = None) -> tuple[dict[str, Any], list[dict]]:
    """Every mode over the question set; returns the summary and the assistant's answers. ``progress_file``
    receives ``{"done", "total", "mode"}`` as the run goes."""
    from assistant.service import Assistant

    questions = load_questions(questions_path)
    assistant = Assistant.load(settings, warm=True)
    modes = list(modes)
    unknown = [m for m in modes if m != "assistant" and m not in assistant.index.modes]
    if unknown:
        raise UsageError(f"unknown mode(s) {', '.join(unknown)}; use {', '.join([*assistant.index.modes, 'assistant'])}")
    total, done = len(questions) * len(modes), [0]
    if progress_file is not None:
        write_progress(progress_file, 0, total, modes[0] if modes else "")

    def progress(mode: str) -> None:
        done[0] += 1
        if progress_file is not None:
            write_progress(progress_file, done[0], total, mode)
        if show_progress and sys.stderr.isatty():
            sys.stderr.write(f"\reval {mode:<9} {done[0]}/{total}")
            sys.stderr.flush()

    by_mode: dict[str, list[QuestionResult]] = {}
    answers: list[dict] = []
    for mode in modes:
        if mode == "assistant":
            by_mode[mode], answers = run_assistant(assistant, questions, progress)
        else:
            by_mode[mode] = run_retriever(assistant, questions, mode, progress=progress)
    if show_progress and sys.stderr.isatty():
        sys.stderr.write("\n")
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "questions": len(questions),
        "corpus": assistant.corpus.fingerprint,
        "embedder": ", ".join(e.id for e in assistant.index.embedders.values()) or "none",
        "signals": assistant.index.signals,
        "fusion": settings.fusion,
        "weights": assistant.index.weights(None),
        "index_units": len(assistant.index.units),
    }
    return summarise(by_mode, meta), answers
