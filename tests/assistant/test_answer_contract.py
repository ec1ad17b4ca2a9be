"""The answer contract: JSON fields, verbatim citations, highlight spans, Markdown that escapes HTML."""

from __future__ import annotations

import json

import pytest

from assistant import compose
from corpus.clean import fold

from .helpers import BASE_URL

ANSWER_KEYS = {"question", "language", "intent", "answer", "theme", "group", "citations", "notices",
               "suggestions", "summary", "elapsed_ms", "scope"}
CITATION_KEYS = {"rank", "passage_id", "objective_id", "path", "document", "document_title", "location", "text",
                 "score", "url", "scores", "highlights", "translation"}
QUESTIONS = [
    "Quels sont les objectifs en matière de cybercriminalité ?",  # list
    "Who works with Child Focus?",  # actor
    "objectif 3 de la cybercriminalité",  # objective
    "Comment le plan sera-t-il suivi et évalué ?",  # free, prose
    "Wat zegt het plan over partnergeweld?",  # free, objectives
    "Give me a recipe for pancakes",  # out of scope
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_to_dict_is_json_with_every_field(real_assistant, question: str) -> None:
    answer = real_assistant.ask(question)
    data = json.loads(json.dumps(answer.to_dict(), ensure_ascii=False))
    assert set(data) == ANSWER_KEYS
    assert data["question"] == question
    assert (data["language"], data["intent"], data["theme"], data["group"]) == (
        answer.language, answer.intent, answer.theme, answer.group)
    assert data["answer"] == answer.answer and data["summary"] is None
    assert isinstance(data["elapsed_ms"], float) and data["elapsed_ms"] >= 0
    # the out-of-scope decision is made (and shown) for free questions only
    if data["intent"] in ("free", "out_of_scope"):
        assert set(data["scope"]) == {"p_out", "threshold"}
        assert (data["scope"]["p_out"] >= data["scope"]["threshold"]) is (data["intent"] == "out_of_scope")
    else:
        assert data["scope"] is None
    assert len(data["citations"]) == len(answer.citations)
    for rank, (item, citation) in enumerate(zip(data["citations"], answer.citations, strict=True), start=1):
        assert set(item) == CITATION_KEYS
        assert item["rank"] == rank
        assert item["path"] == list(citation.path) and isinstance(item["path"], list)
        assert item["highlights"] == [list(h) for h in citation.highlights]
        assert item["objective_id"] == citation.objective_id
        assert item["url"] == (f"{BASE_URL}/?objective={citation.objective_id}" if citation.objective_id
                               else None)
        assert isinstance(item["score"], float)
        # a Dutch or English answer shows each objective's unofficial translation; the citation stays French
        if answer.language != "fr" and citation.objective_id:
            assert item["translation"]["language"] == answer.language and item["translation"]["text"]
            assert item["translation"]["text"] != item["text"]
        else:
            assert item["translation"] is None


@pytest.mark.parametrize("question", QUESTIONS)
def test_citations_are_verbatim_passages_of_the_corpus(real_assistant, question: str) -> None:
    corpus = real_assistant.corpus
    for citation in real_assistant.ask(question).citations:
        passage = corpus.passages[citation.passage_id]
        assert citation.text == passage.text
        assert citation.objective_id == passage.objective_id
        assert citation.path == passage.path
        assert citation.location == passage.location.label()
        assert citation.document == passage.document
        assert citation.document_title == corpus.documents_by_id[passage.document].title


def test_prose_citations_have_no_objective_and_no_link(real_assistant) -> None:
    answer = real_assistant.ask("Comment le plan sera-t-il suivi et évalué ?")
    prose = [c for c in answer.citations if c.passage_id.startswith("PNS16-P5-")]
    assert prose and all(c.objective_id is None and c.url is None for c in prose)
    assert all(c.to_dict()["objective_id"] is None for c in prose)


@pytest.mark.parametrize("question", QUESTIONS)
def test_highlights_are_word_spans_inside_the_text(real_assistant, question: str) -> None:
    for citation in real_assistant.ask(question).citations:
        previous_end = -1
        for start, end in citation.highlights:
            assert 0 <= start < end <= len(citation.text)
            assert start > previous_end  # sorted, disjoint
            previous_end = end
            before = citation.text[start - 1] if start else " "
            after = citation.text[end] if end < len(citation.text) else " "
            assert not before.isalnum() and not after.isalnum()  # whole words


def test_highlights_of_a_list_cover_the_query_word(real_assistant) -> None:
    answer = real_assistant.ask("Quels sont les objectifs en matière de cybercriminalité ?")
    marked = {c.objective_id: [c.text[s:e] for s, e in c.highlights] for c in answer.citations if c.highlights}
    assert marked == {"PNS16-B5-4": ["cybercriminalité"], "PNS16-B5-8": ["cybercriminalité"]}
    b5_4 = next(c for c in answer.citations if c.objective_id == "PNS16-B5-4")
    assert b5_4.highlights == ((156, 172),)


def test_highlights_of_a_free_question(real_assistant) -> None:
    answer = real_assistant.ask("prévention cybercriminalité")
    assert answer.intent == "free"
    marked = {c.objective_id: [c.text[s:e] for s, e in c.highlights] for c in answer.citations}
    assert marked["PNS16-B5-1"] == ["prévention"]
    assert marked["PNS16-B5-8"] == ["cybercriminalité"]
    words = {"prevention", "cybercriminalite"}
    for spans in marked.values():
        assert all(fold(text) in words for text in spans)


def test_highlights_follow_stems_not_only_exact_words(real_assistant) -> None:
    answer = real_assistant.ask("Que dit le plan sur le recel ?")
    first = answer.citations[0]
    assert (answer.intent, first.objective_id) == ("free", "PNS16-B7.1-4")
    assert [first.text[s:e] for s, e in first.highlights] == ["recel"]


SCRIPT = "<script>alert(1)</script>"


@pytest.mark.parametrize("question", [
    f"Quels sont les objectifs en matière de cybercriminalité {SCRIPT} ?",
    f"{SCRIPT} cybercriminalité",
    SCRIPT,
    "<b>ViCLAS</b>",
])
def test_markdown_answer_escapes_html(real_assistant, question: str) -> None:
    answer = real_assistant.ask(question)
    assert answer.question == question  # kept as plain text
    assert answer.to_dict()["question"] == question
    assert "<script" not in answer.answer and "<b>" not in answer.answer
    assert "<" not in answer.answer and ">" not in answer.answer


def test_markdown_answer_quotes_passages_literally(real_assistant) -> None:
    # PNS16-B1-text-2 starts with "*", which Markdown would read as a list bullet or emphasis.
    passage = real_assistant.corpus.passages["PNS16-B1-text-2"]
    assert passage.text.startswith("* Des couleurs")
    item = compose.markdown_item(1, passage.text, "", passage.path)
    assert item.startswith("[1] \\* Des couleurs")


def test_escape_markdown() -> None:
    assert compose.escape_markdown("<b>*x*</b> [a](b) & `c` _d_ #e |f \\") == (
        "&lt;b&gt;\\*x\\*&lt;/b&gt; \\[a\\](b) &amp; \\`c\\` \\_d\\_ \\#e \\|f \\\\")


def test_markdown_item() -> None:
    assert compose.markdown_item(2, "Texte *gras*", "PNS16-B5-1", ("B5 Cyber", "Sous")) == (
        "[2] **PNS16-B5-1** Texte \\*gras\\* — *B5 Cyber › Sous*")
    assert compose.markdown_item(3, "<i>x</i>", "") == "[3] &lt;i&gt;x&lt;/i&gt;"


def test_lead_falls_back_to_french() -> None:
    assert compose.lead("not_found", "de", ref="B5-99") == "Le plan ne contient pas d'objectif B5-99."
    assert compose.lead("list", "en", n=3, title="X") == (
        "The plan sets 3 objectives for “X” (the plan's own wording, in French):")


def test_highlight_spans() -> None:
    assert compose.highlight_spans("La prévention de la cybercriminalité.", "prévention", "fr") == ((3, 13),)
    # Extra spans are merged with overlapping word spans.
    assert compose.highlight_spans("La prévention de la cybercriminalité.", "prévention", "fr",
                                   extra=((0, 5),)) == ((0, 13),)
    assert compose.highlight_spans("Rien ici.", "", "fr") == ()


def test_a_dutch_answer_quotes_the_french_and_shows_the_translation_beneath(real_assistant) -> None:
    answer = real_assistant.ask("Wat zegt het plan over partnergeweld?")
    first = answer.citations[0]
    translation = real_assistant.corpus.translation(first.objective_id, "nl")
    assert first.text == real_assistant.corpus.objectives[first.objective_id].text  # the plan's French text
    assert first.translation == {"language": "nl", "text": translation}
    item = answer.answer.split("\n\n")[1]
    assert item.startswith(f"[1] **{first.objective_id}** {compose.escape_markdown(first.text)}")
    assert item.endswith(f"  \n*Niet-officiële vertaling:* {compose.escape_markdown(translation, line_start=False)}")
    english = real_assistant.ask("Quels sont les objectifs en matière de cybercriminalité ?", language="en")
    assert english.citations[0].translation == {
        "language": "en", "text": real_assistant.corpus.translation("PNS16-B5-1", "en")}
    assert "*Unofficial translation:*" in english.answer
    french = real_assistant.ask("Quels sont les objectifs en matière de cybercriminalité ?")
    assert all(c.translation is None for c in french.citations) and "traduction" not in french.answer.lower()
