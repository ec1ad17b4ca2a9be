"""Exports for trainers: a theme's or sub-group's objectives, or one answer, as Markdown and as standalone HTML.

Pure functions over the corpus and answer dictionaries, shared by the web app and the command line. The HTML is a
single print-friendly page: inline CSS, no script, no external resource (a Content-Security-Policy says so to the
browser too), and every piece of document or user text escaped. The plan's wording is quoted verbatim.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from assistant.wording import objective_count

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "objectives": "Objectifs", "goal": "But", "other_passages": "Autres passages", "permalink": "lien permanent",
        "question": "Question", "answer": "Réponse", "sources": "Sources",
        "summary": "Résumé par un modèle de langue (à vérifier dans les passages cités)",
        "corrected": "place rétablie par une correction relue", "footer": "Exporté de PNS Assistant.",
        "french": "", "translation": "Traduction non officielle",
        "involved": "Qui intervient", "actor": "Acteur", "named_in": "Objectifs qui le nomment",
        "no_links": "Sans liens permanents : l'adresse de l'application n'est pas réglée (réglage public_url, par exemple PNS_PUBLIC_URL=https://pns.intranet.example). Chaque objectif se retrouve par son identifiant.",
    },
    "nl": {
        "objectives": "Doelstellingen", "goal": "Doel", "other_passages": "Andere passages", "permalink": "vaste link",
        "question": "Vraag", "answer": "Antwoord", "sources": "Bronnen",
        "summary": "Samenvatting door een taalmodel (controleer in de geciteerde passages)",
        "corrected": "plaats hersteld door een nagelezen correctie", "footer": "Geëxporteerd uit PNS Assistant.",
        "french": "De tekst van het plan is in het Frans.", "translation": "Niet-officiële vertaling",
        "involved": "Wie is betrokken", "actor": "Actor", "named_in": "Doelstellingen die hem noemen",
        "no_links": "Zonder vaste links: het adres van de toepassing is niet ingesteld (instelling public_url, bijvoorbeeld PNS_PUBLIC_URL=https://pns.intranet.example). Elke doelstelling is terug te vinden via haar code.",
    },
    "en": {
        "objectives": "Objectives", "goal": "Goal", "other_passages": "Other passages", "permalink": "permalink",
        "question": "Question", "answer": "Answer", "sources": "Sources",
        "summary": "Summary by a language model (check it against the quoted passages)",
        "corrected": "place restored by a reviewed correction", "footer": "Exported from PNS Assistant.",
        "french": "The plan's text is in French.", "translation": "Unofficial translation",
        "involved": "Who is involved", "actor": "Actor", "named_in": "Objectives naming it",
        "no_links": "No permalinks: the app's address is not set (setting public_url, e.g. PNS_PUBLIC_URL=https://pns.intranet.example). Find each objective by its id.",
    },
}

CSS = """
@page { margin: 2cm; }
body { font-family: Georgia, "Times New Roman", serif; color: #111; background: #fff; line-height: 1.45;
  margin: 0 auto; max-width: 46rem; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .3rem; } h2 { font-size: 1.2rem; margin: 1.6rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.meta, .ref { color: #555; font-size: .85rem; } .ref code { font-size: .85rem; }
blockquote { border-left: 3px solid #999; margin: .4rem 0 .8rem; padding: .1rem 0 .1rem .8rem; }
ol.objectives > li, ol.sources > li { margin-bottom: .7rem; }
mark { background: #fff0a0; color: inherit; }
.translation { color: #444; font-style: italic; } .translation strong { font-style: normal; }
a { color: #1a4f8b; }
table.involved { border-collapse: collapse; font-size: .9rem; }
table.involved th, table.involved td { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid #ddd;
  vertical-align: top; }
table.involved .count { display: inline-block; min-width: 1.6rem; text-align: center; border-radius: 3px; }
footer { margin-top: 2rem; border-top: 1px solid #ccc; color: #555; font-size: .8rem; padding-top: .4rem; }
@media print { a { color: #111; text-decoration: none; } .ref a::after { content: " <" attr(href) ">"; }
  li, blockquote { break-inside: avoid; } }
""".strip()

_URL_SAFE = ":/?#@!$&'()*+,;=%-._~"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
_MD_LINE_START = re.compile(r"^(\s*)(?:(\d+)([.)])|([-+=]))", re.MULTILINE)


def labels(language: str | None) -> dict[str, str]:
    """Export wording in ``language`` (French when unsupported)."""
    return LABELS.get((language or "fr").split("-")[0].lower(), LABELS["fr"])


def heat_style(count: int, most: int) -> str:
    """A cell's colour on one blue scale, from pale (one objective) to dark (the most), with a readable text
    colour: the actor × theme map and the exports' "who is involved" share it."""
    if count <= 0 or most <= 0:
        return ""
    share = (count - 1) / max(1, most - 1) if most > 1 else 1.0
    lightness = round(92 - 52 * share)
    return f"background:hsl(214,70%,{lightness}%);color:{'#fff' if lightness < 62 else '#111'}"


# -- escaping -------------------------------------------------------------------------------------------------------
def escape_html(text: object) -> str:
    """HTML-escape any value, quotes included, so it is safe in element content and in attribute values."""
    return html.escape("" if text is None else str(text), quote=True)


def escape_markdown(text: object, line_start: bool = True) -> str:
    """Quote text literally in Markdown: ``& < >`` become entities and the characters that would start emphasis,
    code, links, headings, tables or list items are backslash-escaped, so a passage can neither inject HTML nor
    change the document's structure."""
    value = "" if text is None else str(text)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MD_SPECIAL.sub(r"\\\1", value)
    if not line_start:  # the text goes after other text on its line ("[1] **…**"): no line can start here
        return value
    # a line that starts like a list item or a heading underline ("1. ", "- ", "===") stays text
    return _MD_LINE_START.sub(lambda m: f"{m[1]}{m[2]}\\{m[3]}" if m[2] else f"{m[1]}\\{m[4]}", value)


def defang_markdown(markdown: str) -> str:
    """Markdown written by the app (already escaped where it quotes passages) with any raw HTML made inert.

    Only ``<`` is replaced: entities the text already holds (``&lt;``) are left as they are, so an escaped passage
    is not escaped twice, while no tag, comment or autolink can be formed.
    """
    return (markdown or "").replace("<", "&lt;")


def normalise_spans(spans: Iterable[Sequence[int]] | None, length: int) -> list[tuple[int, int]]:
    """Clip ``(start, end)`` character spans to ``[0, length]``, drop empty or malformed ones, merge overlaps."""
    clean: list[tuple[int, int]] = []
    for span in spans or ():
        try:
            start, end = int(span[0]), int(span[1])
        except (TypeError, ValueError, IndexError):
            continue
        start, end = max(0, start), min(length, end)
        if start < end:
            clean.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(clean):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight_html(text: str, spans: Iterable[Sequence[int]] | None = ()) -> str:
    """``text`` HTML-escaped, with the character spans (offsets into the *unescaped* text) wrapped in ``<mark>``.

    Offsets refer to the original text, so the text is cut at the span boundaries first and each piece is escaped
    on its own; escaping first and inserting marks afterwards would shift every offset after a ``<`` or ``&``.
    """
    text = text or ""
    out: list[str] = []
    position = 0
    for start, end in normalise_spans(spans, len(text)):
        out.append(escape_html(text[position:start]))
        out.append(f"<mark>{escape_html(text[start:end])}</mark>")
        position = end
    out.append(escape_html(text[position:]))
    return "".join(out)


def markdown_to_html(markdown: str) -> str:
    """Render the app's Markdown to HTML: raw HTML shown as text, images left as text, unsafe links refused."""
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # markdown-it-py comes with gradio; without it, keep the text, escaped, line by line
        paragraphs = [p for p in re.split(r"\n\s*\n", markdown or "") if p.strip()]
        return "".join(f"<p>{escape_html(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    # No raw HTML, and no images: an image is a request to another host when the page is opened.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image").render(markdown or "")


def export_filename(name: str, extension: str) -> str:
    """A safe file name: ``PNS16-B4.2`` + ``md`` → ``PNS16-B4.2.md``; anything unusual becomes ``-``."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "export"
    return f"{stem[:80]}.{extension.lstrip('.')}"


def _page(title: str, body: str, language: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape_html(language)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape_html(title)}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n"
        f"{body}</body>\n</html>\n"
    )


def _link(url: str | None, text: str) -> str:
    if not url or not re.match(r"^https?://", url):
        return ""
    return f'<a href="{escape_html(url)}">{escape_html(text)}</a>'


def _md_link(url: str | None, text: str) -> str:
    if not url or not re.match(r"^https?://", url):
        return ""
    return f"[{escape_markdown(text)}](<{quote(url, safe=_URL_SAFE)}>)"


def _quote_markdown(text: str) -> str:
    return "\n".join(f"> {escape_markdown(line)}" if line.strip() else ">" for line in (text or "").split("\n"))


# -- a theme's or sub-group's objectives ------------------------------------------------------------------------------
@dataclass
class GroupSection:
    """Objectives listed under one heading: the theme itself (``title`` None) or one of its sub-groups."""

    key: str
    title: str | None
    objectives: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class GroupExport:
    """What a group export holds, before it is written as Markdown or HTML."""

    key: str
    title: str
    theme_code: str
    translated_title: str | None
    document_title: str
    goal: str
    sections: list[GroupSection]
    passages: list[dict[str, Any]]
    # who is involved: (actor name, ids of this group's objectives naming it), most named first
    actors: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(s.objectives) for s in self.sections)


def group_export(corpus: Any, key: str, language: str = "fr") -> GroupExport:
    """Collect a theme's (``B4``) or sub-group's (``B4.2``) objectives in plan order, its goal and its prose.

    Raises:
        UsageError: the key names no theme or sub-group of the corpus.
    """
    key = corpus.group_key(key)
    theme = corpus.theme_of(key)
    group_titles = {g.key: g.title for g in theme.groups}
    title = group_titles.get(key, theme.title)
    entry = corpus.glossary.get(key) if getattr(corpus, "glossary", None) else None
    translated = None
    if language != "fr":
        views_title = corpus.heading_translation(key, language) if hasattr(corpus, "heading_translation") else None
        translated = views_title or (entry.names.get(language) if entry is not None else None)
    sections: list[GroupSection] = []
    documents = set()
    for objective in corpus.group_objectives(key, language):
        documents.add(objective.document)
        if not sections or sections[-1].key != objective.group_key:
            heading = objective.group if (objective.group and "." not in key) else None
            sections.append(GroupSection(objective.group_key, heading))
        item = corpus.objective_dict(objective)
        # An unofficial translation in the export's language, shown beneath the plan's French text.
        translation = corpus.translation(objective.id, language) if hasattr(corpus, "translation") else None
        item["translation"] = translation if language != objective.language else None
        sections[-1].objectives.append(item)
    passages = []
    for passage in corpus.passages.values():
        if passage.theme != theme.code or passage.kind != "prose":
            continue
        if "." in key and (len(passage.path) < 2 or passage.path[1] != title):
            continue
        documents.add(passage.document)
        passages.append({"id": passage.id, "path": list(passage.path), "text": passage.text,
                         "location": passage.location.label()})
    by_id = getattr(corpus, "documents_by_id", {})
    document_title = " · ".join(by_id[d].title for d in sorted(documents) if d in by_id)
    return GroupExport(key, title, theme.code, translated if translated and translated != title else None,
                       document_title, theme.goal if "." not in key else "", sections, passages,
                       involved(corpus, [o["id"] for s in sections for o in s.objectives]))


def involved(corpus: Any, objective_ids: Sequence[str]) -> list[tuple[str, list[str]]]:
    """The actors these objectives name, each with the ids naming it (plan order), most named first."""
    order = {oid: i for i, oid in enumerate(objective_ids)}
    found = []
    for actor in getattr(corpus, "actors", ()):
        ids = sorted((p for p in corpus.actor_index.get(actor.id, ()) if p in order), key=order.__getitem__)
        if ids:
            found.append((actor.name, ids))
    return sorted(found, key=lambda item: (-len(item[1]), item[0].lower()))


def shareable_links(corpus: Any) -> bool:
    """Whether exports may carry permalinks: only when ``public_url`` says where colleagues reach the app (a link to
    127.0.0.1 is useless on a trainee's machine)."""
    return bool(getattr(getattr(corpus, "settings", None), "public_url", ""))


def group_markdown(corpus: Any, key: str, language: str = "fr", links: bool | None = None) -> str:
    """A theme's or sub-group's objectives as Markdown, each with its id, location and (``links``, by default when
    ``public_url`` is set) permalink; without links, a note says how to get them."""
    data = group_export(corpus, key, language)
    words = labels(language)
    links = shareable_links(corpus) if links is None else links
    lines = [f"# {escape_markdown(data.key)} {escape_markdown(data.title)}", ""]
    if data.translated_title:
        lines += [f"*{escape_markdown(data.translated_title)}*", ""]
    meta = [escape_markdown(data.document_title)] if data.document_title else []
    meta.append(objective_count(data.count, language))
    if words["french"]:
        meta.append(words["french"])
    lines += [" · ".join(meta), ""]
    if data.goal:
        lines += [f"**{words['goal']}** : {escape_markdown(data.goal)}" if language == "fr"
                  else f"**{words['goal']}:** {escape_markdown(data.goal)}", ""]
    for section in data.sections:
        heading = section.title or words["objectives"]
        lines += [f"## {escape_markdown(section.key) + ' ' if section.title else ''}{escape_markdown(heading)}", ""]
        for o in section.objectives:
            text = escape_markdown(o["text"]).replace("\n", "\n   ")
            lines.append(f"{o['number']}. {text}")
            if o.get("translation"):
                lines.append(f"   *{words['translation']} :* {escape_markdown(o['translation'], line_start=False)}"
                             if language == "fr" else
                             f"   *{words['translation']}:* {escape_markdown(o['translation'], line_start=False)}")
            ref = [f"`{o['id']}`", escape_markdown(o["location"])]
            link = _md_link(o.get("url"), words["permalink"]) if links else ""
            if link:
                ref.append(link)
            if o.get("corrected"):
                ref.append(f"*{words['corrected']}*")
            lines += [f"   {' · '.join(ref)}", ""]
    if data.actors:
        lines += [f"## {words['involved']}", "", f"| {words['actor']} | {words['named_in']} |", "|---|---|"]
        lines += [f"| {escape_markdown(name, line_start=False).replace('|', '&#124;')} | "
                  f"{len(ids)} · {', '.join(f'`{i}`' for i in ids)} |" for name, ids in data.actors]
        lines.append("")
    if data.passages:
        lines += [f"## {words['other_passages']}", ""]
        for p in data.passages:
            lines += [f"*{escape_markdown(' › '.join(p['path']))}* · {escape_markdown(p['location'])}", "",
                      _quote_markdown(p["text"]), ""]
    if not links:
        lines += [f"*{escape_markdown(words['no_links'])}*", ""]
    lines += ["---", "", f"*{words['footer']}*", ""]
    return "\n".join(lines)


def group_html(corpus: Any, key: str, language: str = "fr", links: bool | None = None) -> str:
    """A theme's or sub-group's objectives as a standalone, print-friendly HTML page (links as in
    :func:`group_markdown`)."""
    data = group_export(corpus, key, language)
    words = labels(language)
    links = shareable_links(corpus) if links is None else links
    title = f"{data.key} {data.title}"
    parts = ["<main>\n", f"<h1>{escape_html(title)}</h1>\n"]
    if data.translated_title:
        parts.append(f'<p class="meta"><em>{escape_html(data.translated_title)}</em></p>\n')
    meta = [escape_html(data.document_title)] if data.document_title else []
    meta.append(escape_html(objective_count(data.count, language)))
    if words["french"]:
        meta.append(escape_html(words["french"]))
    parts.append(f'<p class="meta">{" · ".join(meta)}</p>\n')
    if data.goal:
        parts.append(f"<p><strong>{escape_html(words['goal'])}</strong> — {escape_html(data.goal)}</p>\n")
    for section in data.sections:
        heading = f"{section.key} {section.title}" if section.title else words["objectives"]
        parts.append(f"<h2>{escape_html(heading)}</h2>\n<ol class=\"objectives\">\n")
        for o in section.objectives:
            ref = [f"<code>{escape_html(o['id'])}</code>", escape_html(o["location"])]
            link = _link(o.get("url"), words["permalink"]) if links else ""
            if link:
                ref.append(link)
            if o.get("corrected"):
                ref.append(f"<em>{escape_html(words['corrected'])}</em>")
            translation = (f'<br><span class="translation" lang="{escape_html(language)}"><strong>'
                           f"{escape_html(words['translation'])}:</strong> {escape_html(o['translation'])}</span>"
                           if o.get("translation") else "")
            parts.append(f'<li value="{int(o["number"])}">{escape_html(o["text"])}{translation}<br>'
                         f'<span class="ref">{" · ".join(ref)}</span></li>\n')
        parts.append("</ol>\n")
    if data.actors:
        most = len(data.actors[0][1])
        parts.append(f"<h2>{escape_html(words['involved'])}</h2>\n<table class=\"involved\"><thead><tr>"
                     f"<th scope=\"col\">{escape_html(words['actor'])}</th>"
                     f"<th scope=\"col\">{escape_html(words['named_in'])}</th></tr></thead><tbody>\n")
        for name, ids in data.actors:
            parts.append(f'<tr><th scope="row">{escape_html(name)}</th><td>'
                         f'<span class="count" style="{heat_style(len(ids), most)}">{len(ids)}</span> '
                         f'{", ".join(f"<code>{escape_html(i)}</code>" for i in ids)}</td></tr>\n')
        parts.append("</tbody></table>\n")
    if data.passages:
        parts.append(f"<h2>{escape_html(words['other_passages'])}</h2>\n")
        for p in data.passages:
            parts.append(f'<p class="ref"><em>{escape_html(" › ".join(p["path"]))}</em> · '
                         f'{escape_html(p["location"])}</p>\n'
                         f"<blockquote>{escape_html(p['text']).replace(chr(10), '<br>')}</blockquote>\n")
    if not links:
        parts.append(f'<p class="meta note">{escape_html(words["no_links"])}</p>\n')
    parts.append(f"<footer>{escape_html(words['footer'])}</footer>\n</main>\n")
    return _page(title, "".join(parts), language)


# -- one answer ---------------------------------------------------------------------------------------------------------
def _answer_dict(answer: Any) -> dict[str, Any]:
    data = answer.to_dict() if hasattr(answer, "to_dict") else dict(answer)
    data.setdefault("citations", [])
    return data


def extra_notices(answer: Mapping[str, Any]) -> list[str]:
    """The answer's notices that its Markdown does not already show (e.g. why a summary was dropped)."""
    text = str(answer.get("answer") or "")
    return [str(n) for n in answer.get("notices") or () if n and str(n) not in text
            and escape_markdown(n) not in text]


def _citation_head(c: Mapping[str, Any]) -> tuple[str, str]:
    """(label, where) for a citation: its objective id or passage id; heading path, document and location."""
    label = c.get("objective_id") or c.get("passage_id") or ""
    where = [" › ".join(c.get("path") or ())] if c.get("path") else []
    where += [x for x in (c.get("document_title"), c.get("location")) if x]
    return str(label), " — ".join(str(w) for w in where)


def answer_markdown(answer: Any, language: str | None = None, links: bool = True) -> str:
    """One answer as Markdown: the question, the answer with its ``[n]`` markers (and the notices it holds), then
    every cited passage with its location and, with ``links``, its permalink (else a note on ``public_url``)."""
    data = _answer_dict(answer)
    lang = language or data.get("language") or "fr"
    words = labels(lang)
    lines = [f"# {words['question']} : {escape_markdown(data.get('question', ''))}" if lang == "fr"
             else f"# {words['question']}: {escape_markdown(data.get('question', ''))}", ""]
    lines += [defang_markdown(data.get("answer", "")).rstrip(), ""]
    if data.get("summary") and str(data["summary"]) not in str(data.get("answer", "")):
        lines += [f"**{words['summary']}**", "", _quote_markdown(str(data["summary"])), ""]
    notes = extra_notices(data)
    if notes:
        lines += [f"*{escape_markdown(n)}*" for n in notes] + [""]
    if data["citations"]:
        lines += [f"## {words['sources']}", ""]
        for c in data["citations"]:
            label, where = _citation_head(c)
            head = f"**[{int(c.get('rank', 0))}] {escape_markdown(label)}**"
            if where:
                head += f" — {escape_markdown(where)}"
            lines += [head, "", _quote_markdown(str(c.get("text", "")))]
            if c.get("translation"):
                lines += ["", f"*{labels(c['translation'].get('language'))['translation']}:* "
                              f"{escape_markdown(str(c['translation'].get('text', '')), line_start=False)}"]
            link = _md_link(c.get("url"), words["permalink"]) if links else ""
            lines += ["", link, ""] if link else [""]
    if not links:
        lines += [f"*{escape_markdown(words['no_links'])}*", ""]
    lines += ["---", "", f"*{words['footer']}*", ""]
    return "\n".join(lines)


def _translation_html(translation: Mapping[str, str] | None) -> str:
    if not translation:
        return ""
    language = str(translation.get("language", ""))
    return (f'<p class="translation" lang="{escape_html(language)}"><strong>'
            f"{escape_html(labels(language)['translation'])}:</strong> {escape_html(translation.get('text', ''))}"
            "</p>")


def answer_html(answer: Any, language: str | None = None, links: bool = True) -> str:
    """One answer as a standalone, print-friendly HTML page, with the highlighted passages it cites (links as in
    :func:`answer_markdown`)."""
    data = _answer_dict(answer)
    lang = language or data.get("language") or "fr"
    words = labels(lang)
    question = str(data.get("question", ""))
    heading = f"{words['question']}{' : ' if lang == 'fr' else ': '}{question}"
    parts = ["<main>\n", f"<h1>{escape_html(heading)}</h1>\n"]
    parts.append(f'<section class="answer">\n{markdown_to_html(data.get("answer", ""))}</section>\n')
    if data.get("summary") and str(data["summary"]) not in str(data.get("answer", "")):
        parts.append(f"<h2>{escape_html(words['summary'])}</h2>\n"
                     f"<blockquote>{escape_html(data['summary'])}</blockquote>\n")
    parts += [f'<p class="meta"><em>{escape_html(n)}</em></p>\n' for n in extra_notices(data)]
    if data["citations"]:
        parts.append(f"<h2>{escape_html(words['sources'])}</h2>\n<ol class=\"sources\">\n")
        for c in data["citations"]:
            label, where = _citation_head(c)
            link = _link(c.get("url"), words["permalink"]) if links else ""
            ref = " · ".join(x for x in (escape_html(where), link) if x)
            parts.append(f'<li value="{int(c.get("rank", 0))}"><strong>{escape_html(label)}</strong>'
                         f'<br><span class="ref">{ref}</span>\n'
                         f"<blockquote>{highlight_html(str(c.get('text', '')), c.get('highlights'))}"
                         "</blockquote>" + _translation_html(c.get("translation")) + "</li>\n")
        parts.append("</ol>\n")
    if not links:
        parts.append(f'<p class="meta note">{escape_html(words["no_links"])}</p>\n')
    parts.append(f"<footer>{escape_html(words['footer'])}</footer>\n</main>\n")
    return _page(heading[:200], "".join(parts), lang)
