"""Answer composition: the app's fixed wording in FR/NL/EN, verbatim passages with [n] markers, highlights.

Nothing here writes a sentence about the plan: the only prose is the fixed wording below (with counts and titles
filled in), and everything else is a quoted passage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from assistant.export import escape_markdown, labels, normalise_spans
from assistant.wording import count, plural
from corpus.analysis import analyse, word_stem
from corpus.clean import fold_chars

LEADS: dict[str, dict[str, str]] = {
    "list": {
        "fr": "Le plan fixe {n} objectifs pour « {title} » :",
        "nl": "Het plan bevat {n} doelstellingen voor « {title} » (tekst van het plan, in het Frans):",
        "en": "The plan sets {n} objectives for “{title}” (the plan's own wording, in French):",
    },
    "list_one": {
        "fr": "Le plan fixe 1 objectif pour « {title} » :",
        "nl": "Het plan bevat 1 doelstelling voor « {title} » (tekst van het plan, in het Frans):",
        "en": "The plan sets 1 objective for “{title}” (the plan's own wording, in French):",
    },
    "closest_one": {
        "fr": "Le plus proche de votre question :",
        "nl": "Het best passend bij uw vraag:",
        "en": "Closest to your question:",
    },
    "closest_many": {
        "fr": "Les plus proches de votre question :",
        "nl": "Het best passend bij uw vraag:",
        "en": "Closest to your question:",
    },
    "others": {
        "fr": "Les autres objectifs de « {title} », dans l'ordre du plan :",
        "nl": "De andere doelstellingen van « {title} », in de volgorde van het plan:",
        "en": "The other objectives of “{title}”, in the plan's order:",
    },
    "objective": {
        "fr": "Objectif {ref} :",
        "nl": "Doelstelling {ref} (tekst van het plan, in het Frans):",
        "en": "Objective {ref} (the plan's own wording, in French):",
    },
    "objectives_numbered": {
        "fr": "Objectifs numérotés {number} dans « {title} » :",
        "nl": "Doelstellingen met nummer {number} in « {title} » (tekst van het plan, in het Frans):",
        "en": "Objectives numbered {number} in “{title}” (the plan's own wording, in French):",
    },
    "actor": {
        "fr": "{objectives} du plan {mention} « {name} » :",
        "nl": "{objectives} van het plan {mention} « {name} » (tekst van het plan, in het Frans):",
        "en": "{objectives} of the plan {mention} “{name}” (the plan's own wording, in French):",
    },
    "actor_none": {
        "fr": "Aucun objectif ne mentionne « {name} » ; le plan le cite dans ces passages :",
        "nl": "Geen enkele doelstelling vermeldt « {name} »; het plan noemt het in deze passages:",
        "en": "No objective mentions “{name}”; the plan names it in these passages:",
    },
    "define": {
        "fr": "Ce que le plan dit de « {name} » :",
        "nl": "Wat het plan zegt over « {name} » (tekst van het plan, in het Frans):",
        "en": "What the plan says about “{name}” (the plan's own wording, in French):",
    },
    "overview": {
        "fr": "Le plan fixe {n} objectifs répartis en {themes} thèmes ; précisez un thème pour en avoir la liste :",
        "nl": "Het plan bevat {n} doelstellingen over {themes} thema's; noem een thema om de lijst te krijgen:",
        "en": "The plan sets {n} objectives across {themes} themes; name a theme to get its list:",
    },
    "free": {
        "fr": "Voici les passages du plan les plus proches de votre question :",
        "nl": "Dit zijn de passages van het plan die het best bij uw vraag passen (in het Frans):",
        "en": "These are the passages of the plan closest to your question (in French):",
    },
    "out_of_scope": {
        "fr": "Le plan ne semble pas traiter de cette question : aucun passage n'y répond.",
        "nl": "Het plan lijkt deze vraag niet te behandelen: geen enkele passage beantwoordt ze.",
        "en": "The plan does not seem to address this question: no passage answers it.",
    },
    "suggest": {
        "fr": "Thèmes les plus proches : {themes}.",
        "nl": "Dichtstbijzijnde thema's: {themes}.",
        "en": "Nearest themes: {themes}.",
    },
    "overview_link": {
        "fr": "Le plan couvre {n} thèmes : demandez « Quels sont les objectifs ? » pour les voir.",
        "nl": "Het plan behandelt {n} thema's: vraag « Welke doelstellingen zijn er? » om ze te zien.",
        "en": "The plan covers {n} themes: ask “What are the objectives?” to see them.",
    },
    "not_found": {
        "fr": "Le plan ne contient pas d'objectif {ref}.",
        "nl": "Het plan bevat geen doelstelling {ref}.",
        "en": "The plan has no objective {ref}.",
    },
    "no_item": {
        "fr": "La liste précédente compte {objectives} : elle n'a pas de numéro {position}.",
        "nl": "De vorige lijst telt {objectives}: er is geen nummer {position}.",
        "en": "The previous list has {objectives}: there is no number {position}.",
    },
    "other_prose": {
        "fr": "Le plan le cite aussi dans ces passages :",
        "nl": "Het plan noemt het ook in deze passages:",
        "en": "The plan also names it in these passages:",
    },
}

NOTICES: dict[str, dict[str, str]] = {
    "truncated": {
        "fr": "Votre question était très longue : seul son début a été pris en compte.",
        "nl": "Uw vraag was erg lang: alleen het begin is gebruikt.",
        "en": "Your question was very long: only its beginning was used.",
    },
    "control-characters": {
        "fr": "Des caractères de contrôle ont été retirés de la question.",
        "nl": "Controletekens zijn uit de vraag verwijderd.",
        "en": "Control characters were removed from the question.",
    },
}


def lead(kind: str, language: str, **values: object) -> str:
    """Fixed wording in the answer's language (French when the language is not supported). A count ``n`` also
    fills ``{objectives}`` ("2 objectifs") and ``{mention}`` (the verb agreeing with it)."""
    table = LEADS[kind]
    language = language if language in table else "fr"
    if isinstance(values.get("n"), int):
        n = values["n"]
        values = {"objectives": count(n, "objective", language), "mention": plural(n, "mention", language),
                  **values}
    return table[language].format(**values)


def notice(key: str, language: str) -> str:
    table = NOTICES[key]
    return table.get(language, table["fr"])


_WORD = re.compile(r"\w+(?:[-']\w+)*")


def highlight_spans(text: str, query: str, language: str, corpus_language: str = "fr",
                    extra: Iterable[tuple[int, int]] = ()) -> tuple[tuple[int, int], ...]:
    """Character spans of the words of ``text`` whose stem matches a stem of the query (plus ``extra`` spans)."""
    query_stems = set(analyse(query, language)) | set(analyse(query, corpus_language))
    spans = set(extra)
    if query_stems:
        folded = fold_chars(text)
        for m in _WORD.finditer(folded):
            stem = word_stem(m.group(0), corpus_language)
            if stem is not None and stem in query_stems:
                spans.add(m.span())
    return tuple(normalise_spans(spans, len(text)))


def markdown_item(rank: int, text: str, label: str, path: Sequence[str] = (),
                  translation: Mapping[str, str] | None = None) -> str:
    """One cited passage: "[n] **label** text — *path*", the passage quoted literally; an unofficial translation
    (``{"language", "text"}``) goes on its own line beneath, labelled as such, never as the plan's text."""
    where = f" — *{escape_markdown(' › '.join(path))}*" if path else ""
    head = f"**{escape_markdown(label, line_start=False)}** " if label else ""
    item = f"[{rank}] {head}{escape_markdown(text)}{where}"
    if translation:
        name = labels(translation["language"])["translation"]
        item += f"  \n*{name}:* {escape_markdown(translation['text'], line_start=False)}"
    return item


_ESCAPED = re.compile(r"\\(.)")
_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EMPHASIS = re.compile(r"(?<![\w*])\*(\S(?:.*?\S)?)\*(?![\w*])")
_MARKER = re.compile(r"^\[\d+\] ")


def plain_text(markdown: str, width: int = 100) -> str:
    """An answer's Markdown as text for a terminal: no ``**``, escapes and entities undone, each line wrapped to
    ``width`` with citation items indented under their ``[n]`` marker."""
    import html
    import textwrap

    protected: list[str] = []

    def protect(m: re.Match[str]) -> str:
        protected.append(m.group(1))
        return f"\x00{len(protected) - 1}\x00"

    text = _ESCAPED.sub(protect, markdown.replace("  \n", "\n"))
    text = _EMPHASIS.sub(r"\1", _STRONG.sub(r"\1", text))
    text = re.sub("\x00(\\d+)\x00", lambda m: protected[int(m.group(1))], text)
    text = html.unescape(text)
    lines: list[str] = []
    item_indent = ""  # a line right under a "[n]" item (its translation) stays indented with it
    for line in text.split("\n"):
        if not line.strip():
            lines.append("")
            item_indent = ""
            continue
        marker = _MARKER.match(line)
        if marker:
            item_indent = " " * marker.end()
        first = "" if marker else item_indent
        lines += textwrap.wrap(line if marker else line.strip(), width=width, initial_indent=first,
                               subsequent_indent=item_indent, break_long_words=False, break_on_hyphens=False)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
