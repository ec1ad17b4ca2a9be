"""The web app: a Gradio Blocks interface over the assistant, plus its API endpoints.

Tabs: questions (chat with a sources panel), objective card, theme browser, actor lookup, evaluation report. URLs
open the app in a given state: ``?objective=PNS16-B5-3``, ``?q=…``, ``?theme=B4.2``, ``?actor=CTIF``, with an
optional ``lang=fr|nl|en`` for the interface (else the browser's Accept-Language, else French).

API endpoints for ``gradio_client``: ``/ask``, ``/objective``, ``/actor``, ``/feedback``; the interface's own
events are private. Nothing here contacts another host: no telemetry, no share link, system fonts only.
"""

from __future__ import annotations

import atexit
import json
import logging
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr  # ui/__init__.py has already switched Gradio's telemetry off

from assistant import export
from assistant import text as safe_text
from assistant.feedback import FeedbackStore
from pns.errors import ConfigError, PNSError
from ui import render
from ui.evaluation import EvaluationRunner, RunStatus
from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, from_accept_language, normalise_language, t

log = logging.getLogger(__name__)

SYSTEM_FONTS = ("system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "Noto Sans",
                "Liberation Sans", "sans-serif")
MONO_FONTS = ("ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace")
# In the interface's language, so that every string of the page is (questions in any language are answered).
EXAMPLES = {
    "fr": ("Quels sont les objectifs en matière de cybercriminalité ?",
           "Que dit le plan sur la violence entre partenaires ?", "Quels objectifs mentionnent la CTIF ?",
           "Qu'est-ce que BEPAD ?"),
    "nl": ("Welke doelstellingen gaan over cybercriminaliteit?", "Wat zegt het plan over partnergeweld?",
           "Welke doelstellingen vermelden de CFI?", "Wat is BEPAD?"),
    "en": ("Which objectives concern cybercrime?", "What does the plan say about domestic violence?",
           "Which objectives involve the CTIF?", "What is BEPAD?"),
}
MAX_COMMENT_CHARS = 2000
TOAST_SECONDS = 2  # short: the toasts sit over the interface language switch
ASK_CONCURRENCY = 4  # Assistant.ask is thread-safe; a few questions may be answered at once
# The window height less the header, the tabs, the question box and the rows beneath the chat (measured at
# 1400 × 1000 in French and Dutch: the page then fits the window).
CHAT_HEIGHT = "calc(100vh - 430px)"
# The page's own language and Gradio's built-in strings ("Copy message", "Clear"…) follow the interface language,
# not only the browser's: html@lang, then Gradio's own locale switch (its front-end module, found by the address
# it was loaded from). The strings Gradio leaves untranslated come with the page (ui/server.py, i18n).
SET_LOCALE_JS = """(lang) => {
  document.documentElement.lang = lang;
  document.body.dataset.pnsLang = lang;  // also tells a test that the page's load event is done
  const core = performance.getEntriesByType('resource').map(e => e.name)
    .find(n => /\\/assets\\/core-[^\\/]+\\.js$/.test(n));
  if (core) import(core).then(m => { if (m.changeLocale) m.changeLocale(lang); }).catch(() => {});
  return [];
}"""
# After an answer: scroll the conversation so that the last question sits at its top (the answer's lead sentence
# right beneath it, however long the list), and the sources panel back to its start.
SHOW_ANSWER_JS = """() => { setTimeout(() => {
  const wrap = document.querySelector('#pns-chat .bubble-wrap');
  const asked = wrap ? wrap.querySelectorAll('.message-row.user-row') : [];
  if (asked.length) {
    const last = asked[asked.length - 1];
    wrap.scrollTop += last.getBoundingClientRect().top - wrap.getBoundingClientRect().top - 8;
  }
  const sources = document.querySelector('#pns-sources');
  if (sources) sources.scrollTop = 0;
}, 60); }"""


def theme() -> Any:
    """Gradio's default look with the system's own fonts: no web font is downloaded."""
    return gr.themes.Default(font=list(SYSTEM_FONTS), font_mono=list(MONO_FONTS))


def auth_from_settings(settings: Any) -> tuple[str, str] | None:
    """``(user, password)`` when both are set, None when neither is; a clear error when only one is."""
    user, password = settings.auth_user, settings.auth_password
    if bool(user) != bool(password):
        raise ConfigError("auth_user and auth_password must be set together (PNS_AUTH_USER and "
                          "PNS_AUTH_PASSWORD); set both to require a login, or neither")
    return (user, password) if user else None


def _merge(updates: dict[Any, Any], component: Any, **props: Any) -> None:
    """Add properties to a component's pending update (a label change and a new value in one update)."""
    current = updates.get(component)
    if isinstance(current, dict):
        current.update({k: v for k, v in props.items() if k != "__type__"})
    else:
        updates[component] = gr.update(**{k: v for k, v in props.items() if k != "__type__"})


@dataclass(frozen=True)
class StartView:
    """The state a URL opens the page in."""

    language: str
    tab: str
    question: str | None = None
    objective: str | None = None
    theme: str | None = None
    actor: str | None = None


@dataclass
class ChatRecord:
    """One answer shown in the chat: where its message is, an id for feedback, the answer's dict."""

    index: int
    answer_id: str
    answer: dict[str, Any]


@dataclass
class ChatSession:
    """What one browser session holds: the chat messages, the assistant's conversation, the answers shown."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    conversation: Any = None
    records: list[ChatRecord] = field(default_factory=list)

    def record_at(self, index: Any) -> ChatRecord | None:
        """The answer whose message is at ``index`` (an int, or [row, column] from some events)."""
        if isinstance(index, list | tuple):
            index = index[0] if index else None
        for record in reversed(self.records):
            if record.index == index:
                return record
        return None

    @property
    def last(self) -> ChatRecord | None:
        return self.records[-1] if self.records else None


class App:
    """Builds the Blocks and holds what the handlers share: the assistant, the settings, the feedback store."""

    def __init__(self, assistant: Any, settings: Any, *, conversation_factory: Callable[[], Any] | None = None,
                 feedback_store: FeedbackStore | None = None, export_dir: str | Path | None = None,
                 eval_questions: str | Path | None = None) -> None:
        self.assistant = assistant
        self.settings = settings
        if conversation_factory is None:
            from assistant.service import Conversation

            conversation_factory = Conversation
        self.new_conversation = conversation_factory
        self.feedback = feedback_store or FeedbackStore.from_settings(settings)
        if export_dir is None:
            export_dir = tempfile.mkdtemp(prefix="pns-exports-")
            atexit.register(shutil.rmtree, export_dir, ignore_errors=True)
        self.export_dir = Path(export_dir)
        self.export_dir.mkdir(parents=True, exist_ok=True)
        self.eval_dir = Path(settings.data_dir) / "eval"
        self.eval_runner = EvaluationRunner(settings, self.eval_dir, Path(eval_questions) if eval_questions else None)
        atexit.register(self.eval_runner.stop)
        self._labels: list[tuple[Any, dict[str, str]]] = []

    @property
    def corpus(self) -> Any:
        """The served corpus, read through the assistant on every call: after a live reload (``ui/live.py``) the
        browsing tabs, the exports and the API show the new index's corpus, as the chat does."""
        return self.assistant.corpus

    # -- helpers ----------------------------------------------------------------------------------------------------
    def _label(self, component: Any, **keys: str) -> Any:
        """Register a component's translatable properties (label=…, placeholder=…, value=…, info=…)."""
        self._labels.append((component, keys))
        return component

    def _relabel(self, language: str) -> dict[Any, Any]:
        return {c: gr.update(**{prop: t(key, language) for prop, key in keys.items()}) for c, keys in self._labels}

    def _write(self, name: str, extension: str, text: str) -> str:
        folder = self.export_dir / uuid.uuid4().hex
        folder.mkdir(parents=True)
        path = folder / export.export_filename(name, extension)
        path.write_text(text, encoding="utf-8")
        return str(path)

    def _answer_files(self, record: ChatRecord | None, language: str) -> tuple[Any, Any]:
        if record is None:
            return gr.update(value=None, visible=False), gr.update(value=None, visible=False)
        name = f"pns-answer-{record.answer_id[:8]}"
        links = export.shareable_links(self.corpus)
        md = self._write(name, "md", export.answer_markdown(record.answer, language, links))
        page = self._write(name, "html", export.answer_html(record.answer, language, links))
        return gr.update(value=md, visible=True), gr.update(value=page, visible=True)

    def _group_files(self, key: str | None, language: str) -> tuple[Any, Any]:
        if not key:
            return gr.update(value=None, visible=False), gr.update(value=None, visible=False)
        try:
            md = self._write(f"PNS16-{key}", "md", export.group_markdown(self.corpus, key, language))
            page = self._write(f"PNS16-{key}", "html", export.group_html(self.corpus, key, language))
        except PNSError:
            return gr.update(value=None, visible=False), gr.update(value=None, visible=False)
        return gr.update(value=md, visible=True), gr.update(value=page, visible=True)

    def eval_summary(self) -> dict[str, Any] | None:
        """The latest evaluation's summary.json, None when there is none (or it is unreadable)."""
        try:
            data = json.loads((self.eval_dir / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def eval_view(self, language: str, status: RunStatus | None = None, *, report: bool = True) -> tuple[str, Any]:
        """The Evaluation tab: its status line (an explanation before any run, a run's progress, its end) and the
        latest report, in the interface language; without ``report`` (a tick during a run) the report is left as
        shown and summary.json is not read."""
        status = status or self.eval_runner.status()
        summary = self.eval_summary() if report or status.state == "idle" else None
        if status.state == "idle":
            line = render.eval_status("idle" if summary else "none", language)
        else:
            line = render.eval_status(status.state, language, done=status.done, total=status.total,
                                      mode=status.mode, seconds=status.seconds, message=status.message)
        return line, render.eval_report(summary, language) if report else gr.update()

    def start_view(self, params: dict[str, str], accept_language: str | None) -> StartView:
        """What a URL asks the page to open: interface language, tab, and the question, objective, theme or actor.

        ``lang`` wins over the browser's Accept-Language; a question (``q``) wins over the other parameters. Values
        are trimmed and bounded; an unknown theme key is dropped, an unknown objective id shows a "no such
        objective" card.
        """
        lang = (normalise_language(params["lang"]) if params.get("lang")
                else from_accept_language(accept_language))
        oid = (params.get("objective") or "").strip()[:80] or None
        key = (params.get("theme") or "").strip().upper()[:12] or None
        if key is not None and key not in {k for _, k in render.theme_choices(self.corpus, DEFAULT_LANGUAGE)}:
            key = None
        actor = (params.get("actor") or "").strip()[:120] or None
        question = (params.get("q") or "").strip()[: self.settings.max_question_chars * 2] or None
        # an actor with a theme is a cell of the actor × theme map: the Actors tab, that theme's objectives
        tab = ("chat" if question else "objective" if oid else "actors" if actor else "themes" if key
               else "chat")
        return StartView(lang, tab, question, oid, key, actor)

    # -- the assistant -------------------------------------------------------------------------------------------------
    def ask(self, session: ChatSession, question: str, question_language: str, language: str) -> ChatSession:
        """Ask one question in this session; the answer (or the error) is appended to the session's messages."""
        if session.conversation is None:
            session.conversation = self.new_conversation()
        session.messages.append({"role": "user", "content": render.user_message(question)})
        lang = None if question_language in (None, "", "auto") else question_language
        try:
            answer = safe_text.ask(self.assistant, question, lang, session.conversation)
        except PNSError as exc:
            session.messages.append({"role": "assistant", "content": render.error_message(str(exc), language)})
            return session
        except Exception:
            log.exception("the assistant failed on a question")
            session.messages.append({"role": "assistant",
                                     "content": render.error_message(t("error_unexpected", language), language)})
            return session
        data = answer.to_dict() if hasattr(answer, "to_dict") else dict(answer)
        session.messages.append({"role": "assistant", "content": render.answer_message(data, language)})
        session.records.append(ChatRecord(len(session.messages) - 1, uuid.uuid4().hex, data))
        return session

    # -- API endpoints (gradio_client) ----------------------------------------------------------------------------------
    def api_ask(self, question: str, language: str = "auto") -> dict[str, Any]:
        """Answer one question (no conversation memory between calls); the Answer as a JSON dict."""
        lang = None if language in (None, "", "auto") else language
        try:
            answer = safe_text.ask(self.assistant, question, lang, self.new_conversation())
        except PNSError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        return answer.to_dict() if hasattr(answer, "to_dict") else dict(answer)

    def api_objective(self, objective_id: str) -> dict[str, Any]:
        """One objective by id (e.g. PNS16-B5-3): its dict, its group's objectives and the actors it names."""
        try:
            return render.objective_payload(self.corpus, objective_id)
        except PNSError as exc:
            raise gr.Error(str(exc)) from None

    def api_actor(self, name: str) -> dict[str, Any]:
        """The actors matching a name or acronym, with the objectives (by theme) and passages naming them."""
        return render.actor_payload(self.corpus, name)

    def api_feedback(self, question: str, answer: str, rating: str = "", comment: str = "",
                     request: gr.Request = None) -> dict[str, Any]:
        """Record feedback: ``answer`` is the answer's JSON (as returned by /ask) or its text; ``rating`` is
        up, down or empty; ``comment`` is optional when there is a rating."""
        try:
            answer = safe_text.clean_text(answer, "answer", optional=True).text
            data = json.loads(answer) if answer and answer.lstrip().startswith("{") else {"answer": answer}
        except (json.JSONDecodeError, PNSError) as exc:
            raise gr.Error(f"answer is not valid JSON: {exc}" if isinstance(exc, ValueError) else str(exc),
                           print_exception=False) from None
        if not isinstance(data, dict):
            raise gr.Error("answer must be a JSON object (the dict returned by /ask) or plain text",
                           print_exception=False)
        if question:
            data["question"] = question
        try:
            row = self.feedback.add_answer(data, rating=rating, comment=comment, source="api",
                                           client=safe_text.client_of(request))
        except PNSError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        return {"ok": True, "id": int(row), **({"notices": list(row.notices)} if row.notices else {})}

    # -- the interface ----------------------------------------------------------------------------------------------------
    def build(self) -> gr.Blocks:
        """Lay out the page, then wire its events and the API endpoints."""
        self._labels = []
        c = SimpleNamespace()
        with gr.Blocks(title=t("app_title", DEFAULT_LANGUAGE), analytics_enabled=False,
                       delete_cache=(3600, 86400)) as demo:
            c.session = gr.State(None)
            with gr.Row(equal_height=True):
                c.header = gr.Markdown(self._header(DEFAULT_LANGUAGE))
                # The question's language sits up here with the interface's: the question box gets the width.
                with gr.Column(scale=0, min_width=190):
                    c.question_lang = gr.Dropdown(
                        choices=self._question_languages(DEFAULT_LANGUAGE), value="auto",
                        label=t("question_language", DEFAULT_LANGUAGE), elem_id="pns-question-lang")
                with gr.Column(scale=0, min_width=190):
                    c.ui_lang = self._label(gr.Dropdown(
                        choices=[(v, k) for k, v in LANGUAGES.items()], value=DEFAULT_LANGUAGE, interactive=True,
                        elem_id="pns-ui-lang"), label="ui_language")
            tabs = (("chat", self._layout_chat), ("objective", self._layout_objective),
                    ("themes", self._layout_themes), ("actors", self._layout_actors), ("eval", self._layout_eval))
            with gr.Tabs(selected="chat") as c.tabs:
                for tab_id, layout in tabs:
                    with gr.Tab(id=tab_id) as tab:
                        self._label(tab, label=f"tab_{tab_id}")
                        layout(c)
            self._apply_labels(DEFAULT_LANGUAGE)
            self._wire_chat(c)
            self._wire_browse(c)
            self._wire_views(demo, c)
            # The chat, the page load (?q=) and /ask share one concurrency group over the assistant.
            gr.api(self.api_ask, api_name="ask", concurrency_id="ask", concurrency_limit=ASK_CONCURRENCY)
            gr.api(self.api_objective, api_name="objective")
            gr.api(self.api_actor, api_name="actor")
            gr.api(self.api_feedback, api_name="feedback")
        return demo

    @staticmethod
    def _header(language: str) -> str:
        return f"## {t('app_title', language)}\n\n{t('app_intro', language)}"

    def _apply_labels(self, language: str) -> None:
        """Set the registered wording on the components before the first render."""
        for component, keys in self._labels:
            for prop, key in keys.items():
                if prop == "value":
                    component.value = t(key, language)
                else:
                    setattr(component, prop, t(key, language))

    def _layout_chat(self, c: SimpleNamespace) -> None:
        with gr.Row():
            with gr.Column(scale=3, elem_id="pns-chat-col"):
                # As tall as the window minus the question box and the rows under it (CHAT_HEIGHT); no autoscroll:
                # SHOW_ANSWER_JS brings the new question and the first line of its answer into view instead.
                c.chatbot = self._label(gr.Chatbot(
                    height=CHAT_HEIGHT, min_height=300, autoscroll=False, sanitize_html=True, render_markdown=True,
                    allow_tags=False, line_breaks=True, feedback_options=("Like", "Dislike"), buttons=["copy"],
                    elem_id="pns-chat",
                ), label="chat_label", placeholder="chat_placeholder")
                with gr.Row(equal_height=True):
                    c.question = self._label(gr.Textbox(
                        lines=1, max_lines=6, scale=5, autofocus=True, elem_id="pns-question",
                        max_length=self.settings.max_question_chars * 2,
                    ), label="question_label", placeholder="question_placeholder")
                    c.send = self._label(gr.Button(variant="primary", scale=0, min_width=100, elem_id="pns-send"),
                                         value="send")
                examples = gr.Examples(examples=[[e] for e in EXAMPLES[DEFAULT_LANGUAGE]], inputs=[c.question],
                                       label=t("examples", DEFAULT_LANGUAGE))
                c.examples = examples.dataset
                with gr.Row(equal_height=True):
                    c.new_chat = self._label(gr.Button(size="sm", scale=0, min_width=160, elem_id="pns-new-chat"),
                                             value="new_conversation")
                    c.answer_md = self._label(gr.DownloadButton(visible=False, size="sm", scale=0, min_width=160,
                                                                elem_id="pns-answer-md"), label="export_answer_md")
                    c.answer_html = self._label(gr.DownloadButton(visible=False, size="sm", scale=0, min_width=160,
                                                                  elem_id="pns-answer-html"),
                                                label="export_answer_html")
                with self._label(gr.Accordion(open=False, elem_id="pns-comment-box"), label="comment_label"), \
                        gr.Row(equal_height=True):
                    c.comment = self._label(gr.Textbox(
                        lines=1, max_lines=4, scale=4, max_length=MAX_COMMENT_CHARS, show_label=False,
                        elem_id="pns-comment",
                    ), label="comment_label", placeholder="comment_placeholder")
                    c.comment_send = self._label(gr.Button(scale=0, min_width=140, elem_id="pns-comment-send"),
                                                 value="comment_send")
            with gr.Column(scale=2):
                c.sources = gr.HTML(render.sources_panel(None, DEFAULT_LANGUAGE), elem_id="pns-sources")

    def _layout_objective(self, c: SimpleNamespace) -> None:
        with gr.Row(equal_height=True):
            c.objective_id = self._label(gr.Textbox(scale=4, max_length=80, elem_id="pns-objective-id"),
                                         label="objective_id", placeholder="objective_id_placeholder")
            c.objective_open = self._label(gr.Button(scale=0, min_width=100, elem_id="pns-objective-open"),
                                           value="open")
        c.card = gr.HTML(render.objective_card(self.corpus, None, DEFAULT_LANGUAGE), elem_id="pns-card")

    def _layout_themes(self, c: SimpleNamespace) -> None:
        with gr.Row():
            with gr.Column(scale=3):
                c.theme_select = gr.Dropdown(choices=render.theme_choices(self.corpus, DEFAULT_LANGUAGE),
                                             value=None, label=t("theme_select", DEFAULT_LANGUAGE),
                                             elem_id="pns-theme")
                with gr.Row():
                    c.group_md = self._label(gr.DownloadButton(visible=False, size="sm", elem_id="pns-group-md"),
                                             label="export_group_md")
                    c.group_html = self._label(gr.DownloadButton(visible=False, size="sm",
                                                                 elem_id="pns-group-html"),
                                               label="export_group_html")
                c.theme_view = gr.HTML(render.theme_objectives(self.corpus, None, DEFAULT_LANGUAGE),
                                       elem_id="pns-theme-view")
            with gr.Column(scale=2):
                c.tree = gr.HTML(render.plan_tree(self.corpus, DEFAULT_LANGUAGE), elem_id="pns-tree")

    def _layout_actors(self, c: SimpleNamespace) -> None:
        with gr.Row(equal_height=True):
            c.actor_box = self._label(gr.Dropdown(
                choices=render.actor_choices(self.corpus), value=None, allow_custom_value=True, filterable=True,
                scale=4, elem_id="pns-actor"), label="actor_label", info="actor_info")
            c.actor_go = self._label(gr.Button(scale=0, min_width=100, elem_id="pns-actor-go"), value="actor_search")
        c.actor_view = gr.HTML(render.actor_overview(self.corpus, DEFAULT_LANGUAGE), elem_id="pns-actor-view")

    def _layout_eval(self, c: SimpleNamespace) -> None:
        status, report = self.eval_view(DEFAULT_LANGUAGE)
        with gr.Row(equal_height=True):
            c.eval_status = gr.HTML(status, elem_id="pns-eval-status")
            c.eval_start = self._label(gr.Button(variant="primary", scale=0, min_width=200, elem_id="pns-eval-run"),
                                       value="eval_start")
            c.eval_refresh = self._label(gr.Button(scale=0, min_width=120, elem_id="pns-eval-refresh"),
                                         value="eval_refresh")
        c.eval_report = gr.HTML(report, elem_id="pns-eval")
        c.eval_timer = gr.Timer(1.0, active=False)

    # -- events -------------------------------------------------------------------------------------------------------------
    def _wire_chat(self, c: SimpleNamespace) -> None:
        outputs = [c.question, c.chatbot, c.session, c.sources, c.answer_md, c.answer_html]

        def on_ask(text: str, qlang: str, lang: str, state: ChatSession | None) -> dict[Any, Any]:
            state = state or ChatSession()
            text = (text or "").strip()
            if not text:
                return {c.question: gr.update()}
            state = self.ask(state, text, qlang, lang)
            last = state.last if state.last and state.last.index == len(state.messages) - 1 else None
            md, page = self._answer_files(last, lang)
            return {c.question: "", c.chatbot: state.messages, c.session: state,
                    c.sources: render.sources_panel(last.answer, lang) if last else gr.update(),
                    c.answer_md: md, c.answer_html: page}

        ask = {"fn": on_ask, "inputs": [c.question, c.question_lang, c.ui_lang, c.session], "outputs": outputs,
               "api_visibility": "private", "concurrency_id": "ask",
               "concurrency_limit": ASK_CONCURRENCY}
        for event in (c.send.click, c.question.submit):
            event(**ask).then(None, js=SHOW_ANSWER_JS, api_visibility="private")

        def on_new_chat(lang: str) -> dict[Any, Any]:
            md, page = self._answer_files(None, lang)
            return {c.chatbot: [], c.session: ChatSession(), c.sources: render.sources_panel(None, lang),
                    c.answer_md: md, c.answer_html: page, c.question: ""}

        c.new_chat.click(on_new_chat, inputs=[c.ui_lang], outputs=outputs, api_visibility="private")
        c.chatbot.clear(on_new_chat, inputs=[c.ui_lang], outputs=outputs, api_visibility="private")

        def on_select(lang: str, state: ChatSession | None, evt: gr.SelectData) -> Any:
            record = state.record_at(evt.index) if state else None
            return render.sources_panel(record.answer, lang) if record else gr.update()

        c.chatbot.select(on_select, inputs=[c.ui_lang, c.session], outputs=[c.sources], api_visibility="private")

        def on_like(lang: str, state: ChatSession | None, evt: gr.LikeData, request: gr.Request) -> None:
            record = state.record_at(evt.index) if state else None
            if record is None:
                return
            # Gradio sends True / False, or "" when the same thumb is clicked again to take the rating back.
            rating = evt.liked if evt.liked in (True, False) else "withdrawn"
            try:
                self.feedback.add_answer(record.answer, rating=rating, answer_id=record.answer_id, source="ui",
                                         client=safe_text.client_of(request))
            except PNSError as exc:
                gr.Warning(str(exc), duration=TOAST_SECONDS * 3)
                return
            gr.Info(t("feedback_thanks", lang), duration=TOAST_SECONDS)

        c.chatbot.like(on_like, inputs=[c.ui_lang, c.session], outputs=None, api_visibility="private")

        def on_comment(text: str, lang: str, state: ChatSession | None, request: gr.Request) -> Any:
            record = state.last if state else None
            if record is None:
                gr.Warning(t("feedback_no_answer", lang), duration=TOAST_SECONDS)
                return gr.update()
            if not (text or "").strip():
                gr.Warning(t("feedback_empty", lang), duration=TOAST_SECONDS)
                return gr.update()
            try:
                self.feedback.add_answer(record.answer, comment=text[:MAX_COMMENT_CHARS],
                                         answer_id=record.answer_id, source="ui", client=safe_text.client_of(request))
            except PNSError as exc:
                gr.Warning(str(exc), duration=TOAST_SECONDS * 3)
                return gr.update()
            gr.Info(t("feedback_thanks", lang), duration=TOAST_SECONDS)
            return ""

        for event in (c.comment_send.click, c.comment.submit):
            event(on_comment, inputs=[c.comment, c.ui_lang, c.session], outputs=[c.comment],
                  api_visibility="private")

    def _wire_browse(self, c: SimpleNamespace) -> None:
        def on_objective(value: str, lang: str) -> str:
            return render.objective_card(self.corpus, (value or "").strip(), lang)

        for event in (c.objective_open.click, c.objective_id.submit):
            event(on_objective, [c.objective_id, c.ui_lang], [c.card], api_visibility="private")

        def on_theme(key: str | None, lang: str) -> tuple[Any, Any, Any]:
            md, page = self._group_files(key, lang)
            return render.theme_objectives(self.corpus, key, lang), md, page

        c.theme_select.change(on_theme, [c.theme_select, c.ui_lang], [c.theme_view, c.group_md, c.group_html],
                              api_visibility="private")

        def on_actor(value: str | None, lang: str) -> str:
            return render.actor_results(self.corpus, value, lang)

        # the user's own choices only (``input``): a value set by a URL keeps the view it opened
        for event in (c.actor_box.input, c.actor_go.click):
            event(on_actor, [c.actor_box, c.ui_lang], [c.actor_view], api_visibility="private")

        def on_eval_start(lang: str) -> tuple[Any, Any, Any]:
            if not self.eval_runner.start():
                gr.Warning(t("eval_busy", lang), duration=TOAST_SECONDS)
            line, report = self.eval_view(lang)
            return line, report, gr.Timer(active=True)

        def on_eval_tick(lang: str) -> tuple[Any, Any, Any]:
            status = self.eval_runner.status()
            line, report = self.eval_view(lang, status, report=not status.running)
            return line, report, gr.Timer(active=status.running)

        eval_outputs = [c.eval_status, c.eval_report, c.eval_timer]
        c.eval_start.click(on_eval_start, [c.ui_lang], eval_outputs, api_visibility="private")
        c.eval_timer.tick(on_eval_tick, [c.ui_lang], eval_outputs, api_visibility="private")
        c.eval_refresh.click(on_eval_tick, [c.ui_lang], eval_outputs, api_visibility="private")

    def _wire_views(self, demo: gr.Blocks, c: SimpleNamespace) -> None:
        """The interface language switch, and opening the app in the state a URL asks for."""

        def views(lang: str, state: ChatSession | None, oid: str | None, key: str | None,
                  actor: str | None) -> dict[Any, Any]:
            """Everything whose wording depends on the interface language (one corpus for the whole update)."""
            corpus = self.corpus
            updates = self._relabel(lang)
            updates[c.header] = self._header(lang)
            updates[c.examples] = gr.update(samples=[[e] for e in EXAMPLES[lang]], label=t("examples", lang))
            updates[c.question_lang] = gr.update(choices=self._question_languages(lang),
                                                 label=t("question_language", lang))
            updates[c.theme_select] = gr.update(choices=render.theme_choices(corpus, lang),
                                                label=t("theme_select", lang))
            record = state.last if state else None
            updates[c.sources] = render.sources_panel(record.answer if record else None, lang)
            updates[c.card] = render.objective_card(corpus, oid, lang)
            updates[c.theme_view] = render.theme_objectives(corpus, key, lang)
            updates[c.tree] = render.plan_tree(corpus, lang)
            updates[c.actor_view] = render.actor_results(corpus, actor, lang)
            _merge(updates, c.actor_box, choices=render.actor_choices(corpus))  # a reloaded index may name others
            updates[c.eval_status], updates[c.eval_report] = self.eval_view(lang)
            return updates

        view_outputs = list(dict.fromkeys(
            [component for component, _ in self._labels]
            + [c.header, c.examples, c.question_lang, c.theme_select, c.sources, c.card, c.theme_view, c.tree, c.actor_view,
               c.eval_status, c.eval_report]))
        c.ui_lang.input(views, [c.ui_lang, c.session, c.objective_id, c.theme_select, c.actor_box], view_outputs,
                        api_visibility="private")
        c.ui_lang.input(None, [c.ui_lang], None, js=SET_LOCALE_JS, api_visibility="private")

        def on_load(request: gr.Request) -> dict[Any, Any]:
            start = self.start_view(dict(request.query_params) if request else {},
                                    request.headers.get("accept-language") if request else None)
            lang, oid, key, actor = start.language, start.objective, start.theme, start.actor
            state = ChatSession()
            if start.question:
                state = self.ask(state, start.question, "auto", lang)
            updates = views(lang, state, oid, key, actor)
            corpus = self.corpus
            _merge(updates, c.ui_lang, value=lang)
            updates[c.tabs] = gr.Tabs(selected=start.tab)
            updates[c.session] = state
            _merge(updates, c.chatbot, value=state.messages)
            md, page = self._answer_files(state.last, lang)
            _merge(updates, c.answer_md, **md)
            _merge(updates, c.answer_html, **page)
            if oid:
                _merge(updates, c.objective_id, value=oid)
            if key and not actor:
                # setting the value fires theme_select.change, which renders the list and the export files
                updates[c.theme_select] = gr.update(choices=render.theme_choices(corpus, lang), value=key,
                                                    label=t("theme_select", lang))
            if actor:
                # set without an event (the box listens to the user's own choices only): the view stays filtered
                _merge(updates, c.actor_box, value=actor)
                updates[c.actor_view] = render.actor_results(corpus, actor, lang, theme=key)
            return updates

        load_outputs = list(dict.fromkeys([*view_outputs, c.ui_lang, c.tabs, c.session, c.chatbot, c.objective_id,
                                           c.theme_select, c.actor_box, c.answer_md, c.answer_html]))
        demo.load(on_load, inputs=None, outputs=load_outputs, api_visibility="private", concurrency_id="ask",
                  concurrency_limit=ASK_CONCURRENCY).then(
            None, [c.ui_lang], None, js=SET_LOCALE_JS, api_visibility="private").then(
            None, js=SHOW_ANSWER_JS, api_visibility="private")

    @staticmethod
    def _question_languages(language: str) -> list[tuple[str, str]]:
        return [(t("lang_auto", language), "auto"), *((name, code) for code, name in LANGUAGES.items())]


def build_app(assistant: Any, settings: Any, **options: Any) -> gr.Blocks:
    """The Blocks for this assistant (anything with ``.corpus`` and ``.ask(question, language, conversation)``)."""
    return App(assistant, settings, **options).build()


def launch_options(settings: Any) -> dict[str, Any]:
    """``launch()`` arguments: bound to settings.host/port, optional login, no share link, nothing remote, the
    security middleware (kept here for callers of ui.app; defined in ui/server.py)."""
    from ui.server import launch_options as options

    return options(settings)


def serve(settings: Any, *, block: bool = True) -> Any:
    """`pns serve` (ui/server.py): the app and the REST API; with ``block`` False, return once the server is up."""
    from ui.server import serve as run

    return run(settings, block=block)
