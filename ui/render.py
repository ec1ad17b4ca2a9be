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
    heat_style,
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
/* Chat and sources side by side, each as tall as the window with its own scroll: the page itself does not grow
   with a long answer, and the question box stays in view. */
#pns-chat-col { gap: .5rem; }
#pns-sources { height: calc(100vh - 175px); min-height: 320px; overflow-y: auto !important; padding-right: .3rem; }
.pns-citation summary { cursor: pointer; }
.pns-citation summary .pns-path { display: block; }
.pns-first { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; margin: .15rem 0 0; }
.pns-citation details[open] > summary .pns-first { display: none; }
.pns-citation details > *:not(summary) { margin-left: 1rem; }
/* Evaluation: tables scroll sideways rather than break a number; bar charts in HTML. */
.pns-table-wrap { overflow-x: auto; margin: .3rem 0 .8rem; }
.pns-eval-table { border-collapse: collapse; font-size: .85rem; }
.pns-eval-table th, .pns-eval-table td { white-space: nowrap; padding: .2rem .55rem;
  border-bottom: 1px solid var(--border-color-primary); }
.pns-eval-table td { text-align: right; font-variant-numeric: tabular-nums; }
.pns-eval-table thead th { text-align: right; cursor: help; }
.pns-eval-table th[scope=row], .pns-eval-table thead th:first-child { text-align: left; }
.pns-eval dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .8rem; font-size: .9rem; }
.pns-eval dt { font-weight: 600; }
.pns-eval dd { margin: 0; overflow-wrap: anywhere; }
.pns-chart { margin: .4rem 0 1rem; max-width: 900px; }
.pns-chart figcaption { font-weight: 600; margin-bottom: .3rem; }
.pns-chart-row { display: grid; grid-template-columns: 11rem 1fr; gap: .5rem; align-items: center;
  margin: .15rem 0; }
.pns-chart-bars { display: grid; gap: 2px; }
.pns-bar { position: relative; display: block; height: 1.15rem; background: var(--background-fill-secondary);
  border-radius: 2px; }
.pns-bar-fill { position: absolute; inset: 0 auto 0 0; background: #93c5fd; border-radius: 2px; }
.pns-bar-hit5 .pns-bar-fill { background: #60a5fa; }
.pns-bar-value { position: relative; padding-left: .35rem; font-size: .78rem; line-height: 1.15rem;
  white-space: nowrap; color: #111; }
.pns-matrix-wrap { overflow: auto; max-height: calc(100vh - 330px); margin-bottom: 1rem; }
.pns-matrix { border-collapse: separate; border-spacing: 0; font-size: .8rem; }
.pns-matrix th, .pns-matrix td { padding: .15rem .3rem; border-bottom: 1px solid var(--border-color-primary);
  white-space: nowrap; }
.pns-matrix td { text-align: center; min-width: 2rem; }
.pns-matrix td a { display: block; color: inherit; text-decoration: none; font-weight: 600; }
.pns-matrix thead th { position: sticky; top: 0; background: var(--background-fill-primary); z-index: 1; }
.pns-matrix tbody th[scope=row] { position: sticky; left: 0; background: var(--background-fill-primary);
  text-align: left; font-weight: 500; }
.pns-matrix-group th { text-align: left; background: var(--background-fill-secondary); font-weight: 700; }
.pns-eval-status progress { width: 14rem; vertical-align: middle; }
"""


# -- links -------------------------------------------------------------------------------------------------------------
def app_href(language: str | None = None, **params: str) -> str:
    """A relative link into the app (``?objective=PNS16-B5-3&lang=nl``): it works under any base path, and keeps
    the interface language even where the browser prefers another (French included)."""
    query = {k: v for k, v in params.items() if v}
    if language:
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
    """One cited passage, collapsed to its heading and first line (a ``<details>`` the reader opens for the whole
    quote, its translation, location and scores): the panel stays short enough to scan beside the chat."""
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
    quote = highlight_html(str(citation.get("text") or ""), citation.get("highlights"))
    return (
        f'<li class="pns-citation" id="pns-source-{rank}" value="{rank}"><details>'
        f'<summary><span class="pns-head">{head}</span>'
        + (f' <span class="pns-path">{escape_html(path)}</span>' if path else "")
        + f'<span class="pns-first" aria-hidden="true">{quote}</span></summary>'
        f'<blockquote class="pns-text">{quote}</blockquote>'
        + translation_html(translation.get("text"), translation.get("language", ""), language)
        + '<div class="pns-meta">'
        + (f"{escape_html(t('location', language))}{_colon(language)}{escape_html(where)}<br>" if where else "")
        + f"{score_breakdown(citation, language)}</div></details></li>"
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
    theme = corpus.theme_of(key)
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
    parts = [f'<div class="pns-panel">{actor_matrix(corpus, language)}'
             f'<h3>{escape_html(t("actor_overview", language))}</h3>']
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


def actor_matrix(corpus: Any, language: str = DEFAULT_LANGUAGE) -> str:
    """Who is involved where: actors (rows, by category) against themes (columns), each cell the number of
    objectives naming that actor in that theme, on one colour scale, linked to those objectives. Actors and
    themes with no objective at all are left out (the overview below lists every actor)."""
    rows = [(actor, counts) for actor, counts in corpus.actor_theme_matrix() if counts]
    if not rows:
        return ""
    used = {code for _, counts in rows for code in counts}
    themes = [code for code in corpus.themes if code in used]
    most = max(n for _, counts in rows for n in counts.values())
    titles = {code: theme_title(corpus, code, language) for code in themes}
    head = "".join(f'<th scope="col" title="{escape_html(titles[code])}">{escape_html(code)}</th>' for code in themes)
    parts = [f'<h3 id="pns-matrix-title">{escape_html(t("matrix_title", language))}</h3>'
             f'<p class="pns-muted">{escape_html(t("matrix_help", language))}</p>'
             '<div class="pns-matrix-wrap"><table class="pns-matrix" aria-labelledby="pns-matrix-title"><thead>'
             f'<tr><th scope="col">{escape_html(t("matrix_actor", language))}</th>{head}</tr></thead>']
    category = None
    for actor, counts in rows:
        if actor.category != category:
            if category is not None:
                parts.append("</tbody>")
            category = actor.category
            parts.append(f'<tbody><tr class="pns-matrix-group"><th scope="rowgroup" colspan="{len(themes) + 1}">'
                         f"{escape_html(t(f'cat_{category}', language))}</th></tr>")
        cells = []
        for code in themes:
            n = counts.get(code, 0)
            if not n:
                cells.append("<td></td>")
                continue
            label = f"{actor.name} · {code} {titles[code]}: {objective_count(n, language)}"
            href = app_href(language, actor=actor.name, theme=code)
            cells.append(f'<td style="{heat_style(n, most)}"><a href="{escape_html(href)}" '
                         f'title="{escape_html(label)}" aria-label="{escape_html(label)}">{n}</a></td>')
        parts.append(f'<tr><th scope="row">{escape_html(actor.name)}</th>{"".join(cells)}</tr>')
    parts.append("</tbody></table></div>")
    return "".join(parts)


def _grouped_by_theme(objectives: Iterable[Any]) -> list[tuple[str, list[Any]]]:
    groups: dict[str, list[Any]] = {}
    for o in objectives:
        groups.setdefault(o.theme, []).append(o)
    return list(groups.items())


def actor_results(corpus: Any, query: str | None, language: str = DEFAULT_LANGUAGE,
                  theme: str | None = None) -> str:
    """Objectives naming the actor(s) matching ``query``, grouped by theme, then prose passages naming them;
    with ``theme`` (a cell of the actor × theme map), only that theme's objectives, and a link to all of them."""
    if not query or not query.strip():
        return actor_overview(corpus, language)
    actors = corpus.matcher.lookup(query)
    if not actors:
        return f'<div class="pns-panel"><p>{escape_html(t("actor_none", language, q=query.strip()))}</p></div>'
    if theme:
        return _actor_in_theme(corpus, actors, theme, language)
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
                parts.append(_actor_item(corpus, actor, o, language))
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


def _actor_item(corpus: Any, actor: Any, objective: Any, language: str) -> str:
    """One objective naming ``actor``: its link, and its text with the actor's names marked."""
    spans = corpus.matcher.find(objective.text).get(actor.id, [])
    return f"<li>{objective_link(objective.id, language)} {highlight_html(objective.text, spans)}</li>"


def _actor_in_theme(corpus: Any, actors: list[Any], theme: str, language: str) -> str:
    parts = ['<div class="pns-panel pns-actor">']
    for actor in actors:
        objectives = [corpus.objectives[p] for p in corpus.actor_index.get(actor.id, ())
                      if p in corpus.objectives and corpus.objectives[p].theme == theme]
        parts.append(f"<h3>{escape_html(actor.name)} · {escape_html(theme)} "
                     f"{escape_html(theme_title(corpus, theme, language))}</h3>"
                     f"<h4>{escape_html(t('actor_objectives', language))} "
                     f"({escape_html(objective_count(len(objectives), language))})</h4><ul>")
        for o in objectives:
            parts.append(_actor_item(corpus, actor, o, language))
        parts.append(f'</ul><p><a href="{escape_html(app_href(language, actor=actor.name))}">'
                     f"{escape_html(t('actor_all_themes', language, name=actor.name))}</a></p>")
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


# -- evaluation report ----------------------------------------------------------------------------------------------------------
EVAL_COLUMNS = ("hit@1", "hit@5", "mrr@10", "ndcg@10", "list_precision", "list_recall", "abstention_accuracy",
                "false_abstention_rate", "citation_validity", "latency_p50_ms", "latency_p95_ms")
EVAL_MODES = ("assistant", "hybrid", "dense", "bm25")
ABSTENTION_METRICS = ("abstention_accuracy", "false_abstention_rate")


def _eval_number(key: str, value: Any) -> str:
    """Rates to 3 decimals, milliseconds to whole numbers, missing as a dash."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return "–"
    return f"{value:.0f}" if key.endswith("_ms") else f"{value:.3f}"


def _eval_modes(modes: Mapping[str, Any]) -> list[str]:
    return sorted(modes, key=lambda m: (EVAL_MODES.index(m) if m in EVAL_MODES else len(EVAL_MODES), m))


def _mode_name(mode: str, language: str) -> str:
    key = f"eval_mode_{mode}"
    name = t(key, language)
    return mode if name == key else name


def _eval_table(first: str, rows: list[tuple[str, Mapping[str, Any]]], columns: Iterable[str],
                language: str) -> str:
    columns = list(columns)
    head = "".join(f'<th scope="col" title="{escape_html(t("metric_" + c.replace("@", "_"), language))}">'
                   f"{escape_html(t('metric_short_' + c.replace('@', '_'), language))}</th>" for c in columns)
    body = "".join(
        f'<tr><th scope="row">{escape_html(name)}</th>'
        + "".join(f"<td>{_eval_number(c, metrics.get(c))}</td>" for c in columns) + "</tr>"
        for name, metrics in rows)
    return (f'<div class="pns-table-wrap"><table class="pns-eval-table"><thead><tr><th scope="col">'
            f"{escape_html(first)}</th>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def _bars(title: str, rows: list[tuple[str, list[tuple[str, Any]]]], language: str) -> str:
    """A bar chart in HTML (rates from 0 to 1): whole at any width, in the interface language, read aloud as
    its values; no image to crop."""
    parts = [f'<figure class="pns-chart"><figcaption>{escape_html(title)}</figcaption>']
    for label, values in rows:
        parts.append(f'<div class="pns-chart-row"><span class="pns-chart-label">{escape_html(label)}</span>'
                     '<span class="pns-chart-bars">')
        for series, value in values:
            text = _eval_number("", value)
            width = 0.0 if text == "–" else max(0.0, min(1.0, float(value))) * 100
            kind = f" pns-bar-{series.replace('@', '')}" if series in ("hit@1", "hit@5") else ""
            parts.append(f'<span class="pns-bar{kind}" role="img" '
                         f'aria-label="{escape_html(f"{label} {series} {text}")}">'
                         f'<span class="pns-bar-fill" style="width:{width:.1f}%"></span>'
                         f'<span class="pns-bar-value">{escape_html(series)} {text}</span></span>')
        parts.append("</span></div>")
    parts.append("</figure>")
    return "".join(parts)


def eval_report(summary: Mapping[str, Any] | None, language: str = DEFAULT_LANGUAGE) -> str:
    """The latest `pns eval` run (its summary.json) in the interface language: the run, the headline metrics per
    mode, hit@1 per language and per theme, as tables and bar charts. Model names are plain text."""
    if not summary or not summary.get("modes"):
        return ""
    modes, by, meta = summary["modes"], summary.get("by") or {}, summary.get("meta") or {}
    order = _eval_modes(modes)
    parts = ['<div class="pns-panel pns-eval">', f"<h3>{escape_html(t('eval_run', language))}</h3><dl>"]
    weights = meta.get("weights") or {}
    date = str(meta.get("date") or "")
    date = date.replace("T", " ")[:16] + " UTC" if date.endswith("+00:00") else date
    facts = (("eval_date", date), ("eval_questions", meta.get("questions")),
             ("eval_encoders", meta.get("embedder")),
             ("eval_fusion", " · ".join(filter(None, [str(meta.get("fusion") or ""), ", ".join(
                 f"{k} {v}" for k, v in weights.items())])) if meta.get("fusion") else None),
             ("eval_units", meta.get("index_units")))
    parts += [f"<dt>{escape_html(t(key, language))}</dt><dd>{escape_html(value)}</dd>" for key, value in facts
              if value not in (None, "")]
    parts.append(f"</dl><h3>{escape_html(t('eval_metrics', language))}</h3>")
    # Only the assistant decides to abstain: a retriever's abstention figures would read as failures.
    rows = [(_mode_name(m, language), modes[m] if m == "assistant" else
             {k: v for k, v in modes[m].items() if k not in ABSTENTION_METRICS}) for m in order]
    parts.append(_eval_table(t("eval_mode", language), rows, EVAL_COLUMNS, language))
    parts.append(_bars(t("eval_chart_modes", language),
                       [(_mode_name(m, language), [(k, modes[m].get(k)) for k in ("hit@1", "hit@5")])
                        for m in order], language))
    with_language = [m for m in order if (by.get(m) or {}).get("language")]
    languages = sorted({code for m in with_language for code in by[m]["language"]})
    if languages:
        parts.append(f"<h3>{escape_html(t('eval_by_language', language))}</h3>")
        assistant = (by.get("assistant") or {}).get("language") or {}
        if assistant:
            parts.append(_eval_table(t("eval_language", language),
                                     [(code.upper(), assistant[code]) for code in languages if code in assistant],
                                     ("hit@1", "hit@5", "mrr@10", "list_recall", "abstention_accuracy"), language))
        parts.append(_bars(t("eval_chart_languages", language),
                           [(code.upper(), [(_mode_name(m, language), by[m]["language"].get(code, {}).get("hit@1"))
                                            for m in with_language]) for code in languages], language))
    themes = (by.get("assistant") or {}).get("theme") or {}
    named = [(code, themes[code]) for code in sorted(themes) if code]
    if named:
        parts.append(f"<h3>{escape_html(t('eval_by_theme', language))}</h3>")
        parts.append(_bars(t("eval_chart_themes", language),
                           [(code, [("hit@1", m.get("hit@1"))]) for code, m in named], language))
    parts.append("</div>")
    return "".join(parts)


def eval_status(state: str, language: str = DEFAULT_LANGUAGE, *, done: int = 0, total: int = 0, mode: str = "",
                seconds: float = 0.0, message: str = "") -> str:
    """The line above the report: what the tab offers before any run, a run's progress, or how it ended."""
    if state == "running":
        bar = f'<progress max="{max(total, 1)}" value="{min(done, max(total, 1))}"></progress>'
        text = t("eval_running", language, done=done, total=total or "?", mode=_mode_name(mode, language),
                 seconds=f"{seconds:.0f}")
        return f'<div class="pns-panel pns-eval-status" role="status">{bar} {escape_html(text)}</div>'
    if state == "failed":
        return (f'<div class="pns-panel pns-eval-status pns-notice" role="status">'
                f'{escape_html(t("eval_failed", language, message=message or "?"))}</div>')
    key = {"done": "eval_done", "none": "eval_none"}.get(state, "eval_idle")
    return (f'<div class="pns-panel pns-eval-status" role="status">'
            f"{escape_html(t(key, language, seconds=f'{seconds:.0f}'))}</div>")
