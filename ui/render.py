"""Pure rendering for the web app: answers, sources, objective cards, the plan tree and the actor index.

Every function returns a string (Markdown for the chat, HTML for panels) and has no Gradio dependency, so it is
tested with exact values. Document text, questions and comments are always escaped: HTML panels through
``escape_html`` / ``highlight_html``, chat Markdown through ``escape_markdown`` (user text) or ``defang_markdown``
(the assistant's own Markdown, which already escapes the passages it quotes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from assistant.export import (
    defang_markdown,
    escape_html,
    escape_markdown,
    extra_notices,
    highlight_html,
    labels,
)
from assistant.wording import objective_count
from ui.i18n import DEFAULT_LANGUAGE, t

NEW_TAB = ' target="_blank" rel="noopener noreferrer"'
CATEGORY_ORDER = ("police", "justice", "administration", "international", "civil_society", "system", "legal")

CSS = """
.pns-panel { font-size: .95rem; line-height: 1.45; }
.pns-panel h3 { margin: .2rem 0 .6rem; font-size: 1.05rem; }
.pns-panel h4 { margin: 1rem 0 .4rem; font-size: .98rem; }
.pns-muted, .pns-path, .pns-meta { color: var(--body-text-color-subdued); font-size: .85rem; }
.pns-citations { list-style: none; padding-left: 0; margin: 0; }
.pns-objectives { padding-left: 1.6rem; margin: 0; }
.pns-citation, .pns-objectives > li { margin-bottom: .8rem; }
.pns-text { border-left: 3px solid var(--border-color-primary); margin: .3rem 0; padding: .1rem 0 .1rem .7rem; }
.pns-panel mark { background: #fde68a; color: #111; padding: 0 .1em; border-radius: 2px; }
.pns-id { font-family: var(--font-mono); font-size: .85rem; }
.pns-translation { margin: .2rem 0 .3rem .8rem; font-style: italic; color: var(--body-text-color-subdued); }
.pns-translation .pns-label { font-style: normal; font-weight: 600; }
.pns-card .pns-text { font-size: 1.05rem; }
.pns-card dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem .8rem; margin: .8rem 0; }
.pns-card dt { font-weight: 600; }
.pns-card dd { margin: 0; }
.pns-tree details { margin: .15rem 0 .15rem .4rem; }
.pns-tree summary { cursor: pointer; }
.pns-tree ul { list-style: none; padding-left: 1rem; margin: .2rem 0; }
.pns-notice { border-left: 3px solid #d97706; padding-left: .6rem; }
"""


# -- links -------------------------------------------------------------------------------------------------------------
def app_href(language: str | None = None, **params: str) -> str:
    """A relative link into the app (``?objective=PNS16-B5-3&lang=nl``): it works under any base path."""
    query = {k: v for k, v in params.items() if v}
    if language and language != DEFAULT_LANGUAGE:
        query["lang"] = language
    return "?" + urlencode(query)


def objective_link(objective_id: str, language: str | None = None, label: str | None = None,
                   new_tab: bool = False) -> str:
    href = escape_html(app_href(language, objective=objective_id))
    text = escape_html(label if label is not None else objective_id)
    return f'<a class="pns-id" href="{href}"{NEW_TAB if new_tab else ""}>{text}</a>'


def theme_title(corpus: Any, key: str, language: str) -> str:
    """A theme's or sub-group's title in the interface language (the glossary's names), French otherwise."""
    entry = corpus.glossary.get(key) if getattr(corpus, "glossary", None) else None
    if entry is not None and entry.names.get(language):
        return str(entry.names[language])
    return str(corpus.group_title(key))


def _colon(language: str) -> str:
    """French puts a space before a colon."""
    return " : " if language == "fr" else ": "


# -- chat messages ------------------------------------------------------------------------------------------------------
def user_message(question: str) -> str:
    """The user's question as chat Markdown: shown as typed, unable to inject HTML, links or formatting."""
    return escape_markdown(question)


def answer_message(answer: Mapping[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    """The assistant's answer as chat Markdown: its text with ``[n]`` markers (which already holds its notices and
    suggestions), then a language-model summary and any notice the text does not show yet (why a summary was
    dropped).

    The answer's Markdown is the assistant's own and already escapes the passages it quotes; any raw HTML left in
    it is made inert. A summary comes from a model and is escaped as plain text, like the notices.
    """
    text = defang_markdown(str(answer.get("answer") or "")).strip()
    parts = [text]
    summary = str(answer.get("summary") or "").strip()
    if summary and summary not in text:
        quoted = "\n".join(f"> {escape_markdown(line)}" if line.strip() else ">" for line in summary.split("\n"))
        parts.append(f"**{escape_markdown(t('summary', language))}**\n\n{quoted}")
    parts += [f"*{escape_markdown(n)}*" for n in extra_notices(answer)]
    return "\n\n".join(p for p in parts if p)


def error_message(text: str, language: str = DEFAULT_LANGUAGE) -> str:
    return f"**{escape_markdown(t('error', language))}** — {escape_markdown(text)}"


# -- sources panel ----------------------------------------------------------------------------------------------------------
def _number(value: Any, digits: int) -> str:
    try:
        return f"{float(value):.{digits}f}"
    except (TypeError, ValueError):
        return "–"


def score_breakdown(citation: Mapping[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    """"score 0.8123 · fusion 0.8123 · lexical (BM25) #1 (12.41) · sémantique (e5) #3 (0.862)", escaped."""
    scores = citation.get("scores") or {}
    parts = [f"{t('score', language)} {_number(citation.get('score'), 4)}"]
    if scores.get("source") == "catalogue":
        parts.append(t("score_catalogue", language))
    if scores.get("fused") is not None:
        parts.append(f"{t('score_fused', language)} {_number(scores['fused'], 4)}")
    for name, part in (scores.get("signals") or {}).items():
        if name == "bm25":
            label, digits = t("score_lexical", language), 2
        elif name == "route":
            label, digits = t("score_route", language), 3
        else:
            label, digits = f"{t('score_dense', language)} ({name})", 3
        rank = part.get("rank") if isinstance(part, Mapping) else None
        if rank is None:
            parts.append(f"{label} {t('not_retrieved', language)}")
        else:
            parts.append(f"{label} #{rank} ({_number(part.get('score'), digits)})")
    return escape_html(" · ".join(parts))


def translation_html(text: str | None, language: str, interface: str = DEFAULT_LANGUAGE) -> str:
    """An objective's unofficial translation beneath its French text, labelled as such (escaped); "" for none."""
    if not text:
        return ""
    label = labels(interface)["translation"]
    return (f'<p class="pns-translation" lang="{escape_html(language)}"><span class="pns-label">'
            f"{escape_html(label)}{_colon(interface)}</span>{escape_html(text)}</p>")


def citation_html(citation: Mapping[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    """One cited passage: rank, link to its objective, heading path, highlighted text, location, scores."""
    rank = int(citation.get("rank") or 0)
    objective_id = citation.get("objective_id")
    head = f"<strong>[{rank}]</strong> "
    if objective_id:
        head += objective_link(str(objective_id), language, new_tab=True)
    else:
        head += f'<span class="pns-id">{escape_html(citation.get("passage_id", ""))}</span>'
    path = " › ".join(str(p) for p in citation.get("path") or ())
    where = " · ".join(str(x) for x in (citation.get("document_title"), citation.get("location")) if x)
    translation = citation.get("translation") or {}
    return (
        f'<li class="pns-citation" id="pns-source-{rank}" value="{rank}">'
        f"<div>{head}</div>"
        + (f'<div class="pns-path">{escape_html(path)}</div>' if path else "")
        + f'<blockquote class="pns-text">{highlight_html(str(citation.get("text") or ""), citation.get("highlights"))}'
        "</blockquote>"
        + translation_html(translation.get("text"), translation.get("language", ""), language)
        + '<div class="pns-meta">'
        + (f"{escape_html(t('location', language))}{_colon(language)}{escape_html(where)}<br>" if where else "")
        + f"{score_breakdown(citation, language)}</div></li>"
    )


def sources_panel(answer: Mapping[str, Any] | None, language: str = DEFAULT_LANGUAGE) -> str:
    """The side panel beside the chat: every citation of the answer, in the answer's order."""
    title = f"<h3>{escape_html(t('sources', language))}</h3>"
    if answer is None:
        return f'<div class="pns-panel pns-sources">{title}<p class="pns-muted">' \
               f'{escape_html(t("sources_empty", language))}</p></div>'
    citations = list(answer.get("citations") or ())
    if not citations:
        return f'<div class="pns-panel pns-sources">{title}<p class="pns-muted">' \
               f'{escape_html(t("sources_none", language))}</p></div>'
    items = "".join(citation_html(c, language) for c in citations)
    return f'<div class="pns-panel pns-sources">{title}<ol class="pns-citations">{items}</ol></div>'


# -- objective card -------------------------------------------------------------------------------------------------------
def _actor_spans(corpus: Any, text: str) -> tuple[list[str], list[tuple[int, int]]]:
    found = corpus.matcher.find(text)
    spans = [span for spans in found.values() for span in spans]
    return list(found), spans


def objective_card(corpus: Any, objective_id: str | None, language: str = DEFAULT_LANGUAGE) -> str:
    """An objective's card: its text (actors marked), place in the plan, source, actors, the rest of its group."""
    if not objective_id or not objective_id.strip():
        return f'<div class="pns-panel pns-card"><p class="pns-muted">{escape_html(t("objective_empty", language))}' \
               "</p></div>"
    try:
        objective = corpus.objective(objective_id)
    except Exception:  # CorpusError: an id that names nothing
        return f'<div class="pns-panel pns-card"><p>{escape_html(t("objective_unknown", language, id=objective_id))}' \
               "</p></div>"
    data = corpus.objective_dict(objective)
    actor_ids, spans = _actor_spans(corpus, objective.text)
    document = corpus.documents_by_id.get(objective.document)
    source = " · ".join(x for x in ((document.title if document else objective.document), data["location"]) if x)
    path = " › ".join(objective.path)
    title_key = objective.group_key
    actors = ", ".join(
        f'<a href="{escape_html(app_href(language, actor=corpus.actors_by_id[a].name))}">'
        f"{escape_html(corpus.actors_by_id[a].name)}</a>" for a in actor_ids
    ) or f'<span class="pns-muted">{escape_html(t("no_actor", language))}</span>'
    permalink = escape_html(app_href(None, objective=objective.id))
    note = t("french_text", language)
    parts = [
        '<div class="pns-panel pns-card">',
        f'<h3><span class="pns-id">{escape_html(objective.id)}</span> — '
        f"{escape_html(t('objective_n', language, n=objective.number))}</h3>",
        f'<blockquote class="pns-text">{highlight_html(objective.text, spans)}</blockquote>',
        f'<p class="pns-muted">{escape_html(note)}</p>' if note else "",
        translation_html(corpus.translation(objective.id, language), language, language),
        "<dl>",
        f"<dt>{escape_html(t('heading_path', language))}</dt><dd>{escape_html(path)}</dd>",
        f"<dt>{escape_html(t('source', language))}</dt><dd>{escape_html(source)}</dd>",
        f"<dt>{escape_html(t('actors_named', language))}</dt><dd>{actors}</dd>",
        f"<dt>{escape_html(t('permalink', language))}</dt>"
        f'<dd><a class="pns-id" href="{permalink}">{escape_html(data["url"])}</a></dd>',
        "</dl>",
    ]
    if objective.corrected:
        reason = objective.corrected.split(": ", 1)[-1]
        parts.append(f'<p class="pns-notice">{escape_html(t("corrected", language, reason=reason))}</p>')
    others = [o for o in corpus.group_objectives(title_key, document=objective.document) if o.id != objective.id]
    if others:
        title = f"{title_key} {theme_title(corpus, title_key, language)}"
        parts.append(f"<h4>{escape_html(t('group_others', language, title=title))}</h4>")
        parts.append('<ol class="pns-objectives">')
        parts += [f'<li value="{o.number}">{objective_link(o.id, language)} {escape_html(o.text)}</li>'
                  for o in others]
        parts.append("</ol>")
    parts.append("</div>")
    return "".join(parts)


# -- themes ------------------------------------------------------------------------------------------------------------------
def theme_choices(corpus: Any, language: str = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    """(label, key) for every theme and sub-group, in plan order, for a dropdown."""
    out: list[tuple[str, str]] = []
    for theme in corpus.themes.values():
        out.append((f"{theme.code} — {theme_title(corpus, theme.code, language)}", theme.code))
        out += [(f"{g.key} — · {theme_title(corpus, g.key, language)}", g.key) for g in theme.groups]
    return out


def plan_tree(corpus: Any, language: str = DEFAULT_LANGUAGE) -> str:
    """Parts → themes → sub-groups → objectives, as nested collapsible lists with links."""
    parts = [f'<div class="pns-panel pns-tree"><h3>{escape_html(t("plan_tree", language))}</h3>']
    for part in ("A", "B"):
        themes = [th for th in corpus.themes.values() if th.code.startswith(part)]
        if not themes:
            continue
        parts.append(f"<h4>{escape_html(t(f'part_{part}', language))}</h4>")
        for theme in themes:
            objectives = corpus.group_objectives(theme.code, language)
            parts.append(
                f'<details><summary><a href="{escape_html(app_href(language, theme=theme.code))}">'
                f"{escape_html(theme.code)} {escape_html(theme_title(corpus, theme.code, language))}</a>"
                f' <span class="pns-muted">({escape_html(objective_count(len(objectives), language))})</span></summary>'
            )
            keys = [(None, theme.code)] + [(g, g.key) for g in theme.groups]
            parts.append("<ul>")
            for group, key in keys:
                members = [o for o in objectives if o.group_key == key]
                if group is None and not members:
                    continue
                items = "".join(f'<li>{objective_link(o.id, language, label=f"{o.number}.")} {escape_html(o.text)}'
                                "</li>" for o in members)
                if group is None:
                    parts.append(items)
                    continue
                parts.append(
                    f'<li><details><summary><a href="{escape_html(app_href(language, theme=key))}">'
                    f"{escape_html(key)} {escape_html(theme_title(corpus, key, language))}</a>"
                    f' <span class="pns-muted">({escape_html(objective_count(len(members), language))})</span></summary>'
                    f"<ul>{items}</ul></details></li>"
                )
            parts.append("</ul></details>")
    parts.append("</div>")
    return "".join(parts)


def theme_objectives(corpus: Any, key: str | None, language: str = DEFAULT_LANGUAGE) -> str:
    """All objectives of a theme or sub-group, in plan order, with links; the goal and any prose of the theme."""
    if not key:
        return f'<div class="pns-panel"><p class="pns-muted">{escape_html(t("theme_empty", language))}</p></div>'
    key = key.strip().upper()
    try:
        title = theme_title(corpus, key, language)
    except Exception:  # CorpusError: no such theme or group
        return f'<div class="pns-panel"><p>{escape_html(t("theme_unknown", language, key=key))}</p></div>'
    theme = corpus.themes[key.split(".")[0]]
    objectives = corpus.group_objectives(key, language)
    parts = ['<div class="pns-panel pns-theme">',
             f"<h3>{escape_html(key)} {escape_html(title)} "
             f'<span class="pns-muted">({escape_html(objective_count(len(objectives), language))})</span></h3>']
    french = corpus.group_title(key)
    if french != title:
        parts.append(f'<p class="pns-muted">{escape_html(french)}</p>')
    if "." not in key and theme.goal:
        parts.append(f"<p><strong>{escape_html(t('goal', language))}</strong> — {escape_html(theme.goal)}</p>")
    group_key = None
    for objective in objectives:
        if objective.group_key != group_key:
            if group_key is not None:
                parts.append("</ol>")
            group_key = objective.group_key
            if objective.group and "." not in key:
                parts.append(f"<h4>{escape_html(group_key)} "
                             f"{escape_html(theme_title(corpus, group_key, language))}</h4>")
            parts.append('<ol class="pns-objectives">')
        parts.append(f'<li value="{objective.number}">{objective_link(objective.id, language)} '
                     f"{escape_html(objective.text)}"
                     f"{translation_html(corpus.translation(objective.id, language), language, language)}</li>")
    if group_key is not None:
        parts.append("</ol>")
    prose = [p for p in corpus.passages.values() if p.theme == theme.code and p.kind == "prose"
             and ("." not in key or (len(p.path) > 1 and p.path[1] == french))]
    if prose:
        parts.append(f"<h4>{escape_html(t('other_passages', language))}</h4>")
        parts += [f'<div class="pns-path">{escape_html(" › ".join(p.path))} · {escape_html(p.location.label())}</div>'
                  f'<blockquote class="pns-text">{escape_html(p.text)}</blockquote>' for p in prose]
    parts.append("</div>")
    return "".join(parts)


# -- actors ---------------------------------------------------------------------------------------------------------------------
def actor_choices(corpus: Any) -> list[str]:
    """Actor names for the search box, by category then name."""
    order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    actors = sorted(corpus.actors, key=lambda a: (order.get(a.category, 99), a.name.lower()))
    return [a.name for a in actors]


def actor_overview(corpus: Any, language: str = DEFAULT_LANGUAGE) -> str:
    """Every actor of the index by category, with how many objectives name it."""
    index = corpus.actor_index
    parts = [f'<div class="pns-panel"><h3>{escape_html(t("actor_overview", language))}</h3>']
    for category in CATEGORY_ORDER:
        actors = sorted((a for a in corpus.actors if a.category == category), key=lambda a: a.name.lower())
        if not actors:
            continue
        parts.append(f"<h4>{escape_html(t(f'cat_{category}', language))}</h4><ul>")
        for actor in actors:
            n = sum(1 for p in index.get(actor.id, ()) if p in corpus.objectives)
            parts.append(f'<li><a href="{escape_html(app_href(language, actor=actor.name))}">'
                         f"{escape_html(actor.name)}</a> "
                         f'<span class="pns-muted">({escape_html(objective_count(n, language) if n else t("text_only", language))})'
                         '</span></li>')
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


def _grouped_by_theme(objectives: Iterable[Any]) -> list[tuple[str, list[Any]]]:
    groups: dict[str, list[Any]] = {}
    for o in objectives:
        groups.setdefault(o.theme, []).append(o)
    return list(groups.items())


def actor_results(corpus: Any, query: str | None, language: str = DEFAULT_LANGUAGE) -> str:
    """Objectives naming the actor(s) matching ``query``, grouped by theme, then prose passages naming them."""
    if not query or not query.strip():
        return actor_overview(corpus, language)
    actors = corpus.matcher.lookup(query)
    if not actors:
        return f'<div class="pns-panel"><p>{escape_html(t("actor_none", language, q=query.strip()))}</p></div>'
    index = corpus.actor_index
    parts = ['<div class="pns-panel pns-actor">']
    for actor in actors:
        ids = index.get(actor.id, [])
        objectives = [corpus.objectives[p] for p in ids if p in corpus.objectives]
        prose = [corpus.passages[p] for p in ids if p not in corpus.objectives and p in corpus.passages]
        parts.append(f"<h3>{escape_html(actor.name)} "
                     f'<span class="pns-muted">— {escape_html(t(f"cat_{actor.category}", language))}</span></h3>')
        if actor.aliases:
            parts.append(f'<p class="pns-muted">{escape_html(t("aliases", language))}{_colon(language)}'
                         f'{escape_html(", ".join(actor.aliases))}</p>')
        parts.append(f"<h4>{escape_html(t('actor_objectives', language))} "
                     f"({escape_html(objective_count(len(objectives), language))})</h4>")
        if not objectives:
            parts.append(f'<p class="pns-muted">{escape_html(t("actor_no_objective", language))}</p>')
        for theme_code, members in _grouped_by_theme(objectives):
            parts.append(f'<div class="pns-path"><a href="{escape_html(app_href(language, theme=theme_code))}">'
                         f"{escape_html(theme_code)} {escape_html(theme_title(corpus, theme_code, language))}"
                         "</a></div><ul>")
            for o in members:
                spans = corpus.matcher.find(o.text).get(actor.id, [])
                parts.append(f"<li>{objective_link(o.id, language)} {highlight_html(o.text, spans)}</li>")
            parts.append("</ul>")
        if prose:
            parts.append(f"<h4>{escape_html(t('actor_prose', language))}</h4>")
            for p in prose:
                spans = corpus.matcher.find(p.text).get(actor.id, [])
                parts.append(f'<div class="pns-path">{escape_html(" › ".join(p.path))} · '
                             f"{escape_html(p.location.label())}</div>"
                             f'<blockquote class="pns-text">{highlight_html(p.text, spans)}</blockquote>')
    parts.append("</div>")
    return "".join(parts)


# -- data for the API ----------------------------------------------------------------------------------------------------------
def objective_payload(corpus: Any, objective_id: str) -> dict[str, Any]:
    """An objective as JSON: its dict, its group (key, title, every objective) and the actors it names."""
    objective = corpus.objective(objective_id)
    members = corpus.group_objectives(objective.group_key, document=objective.document)
    return {
        "objective": corpus.objective_dict(objective),
        "group": {
            "key": objective.group_key,
            "title": corpus.group_title(objective.group_key),
            "objectives": [{"id": o.id, "number": o.number, "text": o.text,
                            "url": corpus.settings.objective_url(o.id)} for o in members],
        },
        "actors": [{"id": a, "name": corpus.actors_by_id[a].name, "category": corpus.actors_by_id[a].category,
                    "spans": [list(s) for s in spans]}
                   for a, spans in corpus.matcher.find(objective.text).items()],
    }


def actor_payload(corpus: Any, query: str) -> dict[str, Any]:
    """The actors matching ``query`` with the objectives (grouped by theme) and prose passages naming them."""
    index = corpus.actor_index
    out = []
    for actor in corpus.matcher.lookup(query or ""):
        ids = index.get(actor.id, [])
        objectives = [corpus.objectives[p] for p in ids if p in corpus.objectives]
        out.append({
            "id": actor.id, "name": actor.name, "category": actor.category, "aliases": list(actor.aliases),
            "themes": [{"theme": code, "title": corpus.group_title(code),
                        "objectives": [corpus.objective_dict(o) for o in members]}
                       for code, members in _grouped_by_theme(objectives)],
            "passages": [{"id": p, "path": list(corpus.passages[p].path), "text": corpus.passages[p].text,
                          "location": corpus.passages[p].location.label()}
                         for p in ids if p not in corpus.objectives and p in corpus.passages],
        })
    return {"query": query, "actors": out}


def strip_images(markdown: str) -> str:
    """Markdown without image lines (``![chart](file.png)``): the app shows the charts itself."""
    return "\n".join(line for line in (markdown or "").split("\n") if not line.lstrip().startswith("!["))

