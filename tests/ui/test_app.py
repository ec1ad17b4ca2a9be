"""The app without a server: URL parameters, chat sessions, API handlers, launch options (fake assistant)."""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr
import pytest

from assistant.feedback import FeedbackStore
from pns.errors import ConfigError
from ui.app import App, ChatSession, StartView, auth_from_settings, build_app, launch_options

from .conftest import FakeAssistant, FakeConversation


@pytest.fixture
def app(real_corpus, settings, tmp_path):
    return App(FakeAssistant(real_corpus), settings, conversation_factory=FakeConversation,
               export_dir=tmp_path / "exports")


@pytest.mark.parametrize(("params", "header", "expected"), [
    ({}, None, StartView("fr", "chat")),
    ({}, "nl-BE,nl;q=0.9", StartView("nl", "chat")),
    ({"lang": "en"}, "nl", StartView("en", "chat")),
    ({"lang": "xx"}, "nl", StartView("fr", "chat")),
    ({"objective": " PNS16-B5-3 "}, None, StartView("fr", "objective", objective="PNS16-B5-3")),
    ({"theme": "b4.2"}, None, StartView("fr", "themes", theme="B4.2")),
    ({"theme": "Z9"}, None, StartView("fr", "chat")),
    ({"actor": "CTIF", "lang": "nl"}, None, StartView("nl", "actors", actor="CTIF")),
    ({"q": " cyber ", "objective": "PNS16-B5-3"}, "en", StartView("en", "chat", "cyber", "PNS16-B5-3")),
])
def test_start_view_from_url(app, params, header, expected):
    assert app.start_view(params, header) == expected


def test_start_view_bounds_long_values(app):
    view = app.start_view({"objective": "x" * 500, "q": "y" * 100_000}, None)
    assert len(view.objective) == 80 and len(view.question) == app.settings.max_question_chars * 2


def test_the_browsing_views_follow_the_served_corpus_after_a_live_reload(real_corpus, hostile_corpus, settings,
                                                                        tmp_path):
    """A live reload swaps the assistant behind the holder: the app's URLs, cards and exports read the new corpus."""
    holder = FakeAssistant(real_corpus)
    app = App(holder, settings, conversation_factory=FakeConversation, export_dir=tmp_path / "exports")
    assert app.start_view({"theme": "B4.2"}, None).theme == "B4.2"
    assert app.api_objective("PNS16-B5-3")["objective"]["id"] == "PNS16-B5-3"
    holder.corpus = hostile_corpus  # what LiveAssistant.corpus returns once the new index is served
    assert app.corpus is hostile_corpus
    assert app.start_view({"theme": "B4.2"}, None).theme is None  # no such theme in the new corpus
    first = next(iter(hostile_corpus.objectives))
    assert app.api_objective(first)["objective"]["id"] == first
    with pytest.raises(gr.Error):
        app.api_objective("PNS16-B5-3")


def test_chat_session_keeps_conversation_and_maps_messages_to_answers(app):
    session = app.ask(ChatSession(), "Quels objectifs <b>cyber</b> ?", "auto", "fr")
    session = app.ask(session, "et pour la drogue ?", "nl", "fr")
    assert [m["role"] for m in session.messages] == ["user", "assistant"] * 2
    assert session.messages[0]["content"] == "Quels objectifs &lt;b&gt;cyber&lt;/b&gt; ?"
    assert session.conversation.questions == ["Quels objectifs <b>cyber</b> ?", "et pour la drogue ?"]
    calls = app.assistant.calls
    assert [(q, lang) for q, lang, _ in calls] == [("Quels objectifs <b>cyber</b> ?", None), ("et pour la drogue ?", "nl")]
    assert calls[0][2] is calls[1][2] is session.conversation
    assert [r.index for r in session.records] == [1, 3]
    assert session.record_at(3) is session.last and session.record_at([1, 0]) is session.records[0]
    assert session.record_at(0) is None and session.record_at(None) is None
    assert session.records[0].answer_id != session.records[1].answer_id


def test_errors_become_chat_messages(app):
    session = app.ask(ChatSession(), "  ", "auto", "en")
    assert session.messages[-1] == {"role": "assistant", "content": "**Error** — the question is empty; type a "
                                                                    "question about the plan"}
    session = app.ask(session, "boom", "auto", "en")
    assert session.messages[-1]["content"] == ("**Error** — An unexpected error occurred; the question could not "
                                               "be answered.")
    assert session.records == []


def test_export_files_are_written_for_an_answer_and_a_group(app):
    session = app.ask(ChatSession(), "q", "auto", "fr")
    md, page = app._answer_files(session.last, "fr")
    assert md["visible"] and md["value"].endswith(".md") and page["value"].endswith(".html")
    assert Path(md["value"]).read_text(encoding="utf-8").startswith("# Question : q\n")
    md, page = app._group_files("B5", "en")
    assert Path(md["value"]).read_text(encoding="utf-8").startswith("# B5 Cybercrime et cybersecurity\n")
    assert app._group_files("Z9", "en")[0]["visible"] is False


def test_eval_view_without_and_with_a_report(app, settings):
    status, report = app.eval_view("en")
    assert "No evaluation yet." in status and report == ""
    folder = app.eval_dir
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(json.dumps({"modes": {"assistant": {"hit@1": 0.9}}}), encoding="utf-8")
    status, report = app.eval_view("fr")
    assert "Dernière évaluation ci-dessous" in status
    assert '<tr><th scope="row">Assistant complet</th><td>0.900</td>' in report
    (folder / "summary.json").write_text("{not json", encoding="utf-8")
    assert app.eval_view("en")[1] == ""


def test_api_handlers(app, settings):
    answer = app.api_ask("cyber", "en")
    assert answer["language"] == "en" and answer["citations"][0]["objective_id"] == "TNY-B1-1"
    with pytest.raises(gr.Error, match="the question is empty"):
        app.api_ask(" ", "auto")
    assert app.api_objective("PNS16-B5-3")["group"]["key"] == "B5"
    with pytest.raises(gr.Error, match="no objective 'PNS16-Z1-1'"):
        app.api_objective("PNS16-Z1-1")
    assert app.api_actor("Europol")["actors"][0]["id"] == "europol"
    assert app.api_feedback("", json.dumps(answer), "down", "manque B5-4") == {"ok": True, "id": 1}
    assert app.api_feedback("q", "texte libre", "", "commentaire") == {"ok": True, "id": 2}
    with pytest.raises(gr.Error, match="needs a rating"):
        app.api_feedback("q", "a", "", "")
    with pytest.raises(gr.Error, match="not valid JSON"):
        app.api_feedback("q", "{oops", "up", "")
    rows = list(FeedbackStore.from_settings(settings).rows())
    assert [(r["question"], r["rating"], r["source"]) for r in rows] == [("cyber", "down", "api"), ("q", None, "api")]


def test_only_the_four_api_endpoints_are_public(real_corpus, settings, tmp_path):
    demo = build_app(FakeAssistant(real_corpus), settings, conversation_factory=FakeConversation,
                     export_dir=tmp_path / "exports")
    info = demo.get_api_info()
    assert list(info["named_endpoints"]) == ["/ask", "/objective", "/actor", "/feedback"]
    assert not info.get("unnamed_endpoints")
    assert demo.analytics_enabled is False


def test_launch_options_stay_local_and_private(settings):
    options = launch_options(settings)
    assert options["server_name"] == "127.0.0.1" and options["server_port"] == 7860
    assert options["share"] is False and options["auth"] is None and options["ssr_mode"] is False
    assert options["mcp_server"] is False and options["enable_monitoring"] is False
    theme = options["theme"]
    assert theme.font.startswith("system-ui, ") and theme.font_mono.startswith("ui-monospace, ")
    # No web font: no stylesheet to fetch, no @font-face pointing anywhere.
    assert theme._stylesheets == [] and theme._font_css == []


def test_auth_from_settings(settings):
    assert auth_from_settings(settings) is None
    assert auth_from_settings(settings.replace(auth_user="u", auth_password="p")) == ("u", "p")
    with pytest.raises(ConfigError, match="must be set together"):
        auth_from_settings(settings.replace(auth_user="u"))
