"""Unofficial Dutch and English views of the objectives, and the everyday words officers use (corpus/views/).

One TOML file per document (``<document id>.toml``) holds, per objective id, a Dutch and an English translation
and, per language, a short list of everyday expressions; and per theme or sub-group key, its Dutch and English
title. They are data, written and reviewed by people: indexed as extra views of their objective (document
expansion) and shown beneath the French text labelled as unofficial translations, never quoted as the plan.

Each objective entry records the sha256 of the French text it was written for; when the objective's text no longer
matches, the entry is stale and is neither indexed nor shown (``pns corpus check`` lists it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from corpus.manifest import read_toml
from pns.errors import CorpusError

VIEW_LANGUAGES = ("nl", "en")
WORD_LANGUAGES = ("fr", "nl", "en")
_OBJECTIVE_KEYS = {"fr_sha256", "reviewed", *VIEW_LANGUAGES, *(f"words_{lang}" for lang in WORD_LANGUAGES)}
_HEADING_KEYS = set(VIEW_LANGUAGES)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ObjectiveView:
    """The unofficial translations and everyday words of one objective."""

    objective_id: str
    document: str
    fr_sha256: str
    reviewed: bool
    translations: dict[str, str]
    words: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Views:
    """Every document's views: objective entries by id, heading titles by (document, key)."""

    objectives: dict[str, ObjectiveView]
    headings: dict[tuple[str, str], dict[str, str]]
    files: tuple[Path, ...] = ()

    def heading(self, document: str, key: str, language: str) -> str | None:
        return self.headings.get((document, key), {}).get(language)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CorpusError(f"{where} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def load_views(folder: Path) -> Views:
    """Read every ``*.toml`` of the views folder; refuse unknown keys and wrong types, naming the entry."""
    objectives: dict[str, ObjectiveView] = {}
    headings: dict[tuple[str, str], dict[str, str]] = {}
    files = tuple(sorted(folder.glob("*.toml"))) if folder.is_dir() else ()
    for path in files:
        data = read_toml(path, "views file")
        document = data.get("document")
        if not isinstance(document, str) or not document:
            raise CorpusError(f"views file {path}: needs a top-level document = \"<document id>\"")
        unknown = set(data) - {"document", "objective", "heading"}
        if unknown:
            raise CorpusError(f"views file {path}: unknown section(s) {sorted(unknown)}; expected objective, heading")
        for key, entry in data.get("heading", {}).items():
            bad = set(entry) - _HEADING_KEYS
            if bad or not all(isinstance(entry.get(lang, ""), str) for lang in VIEW_LANGUAGES):
                raise CorpusError(f"views file {path}, heading {key}: keys must be among {sorted(_HEADING_KEYS)}, "
                                  "each a string")
            headings[(document, key)] = {lang: entry[lang].strip() for lang in VIEW_LANGUAGES if entry.get(lang)}
        for oid, entry in data.get("objective", {}).items():
            where = f"views file {path}, objective {oid}"
            bad = set(entry) - _OBJECTIVE_KEYS
            if bad:
                raise CorpusError(f"{where}: unknown key(s) {sorted(bad)}; allowed: {sorted(_OBJECTIVE_KEYS)}")
            if oid in objectives:
                raise CorpusError(f"{where}: the objective has views in two places")
            if not isinstance(entry.get("fr_sha256"), str) or not isinstance(entry.get("reviewed", False), bool):
                raise CorpusError(f"{where}: fr_sha256 must be a string and reviewed true or false")
            translations = {}
            for lang in VIEW_LANGUAGES:
                if lang in entry:
                    if not isinstance(entry[lang], str) or not entry[lang].strip():
                        raise CorpusError(f"{where}: {lang} must be a non-empty string")
                    translations[lang] = entry[lang].strip()
            words = {lang: _strings(entry[f"words_{lang}"], f"{where}: words_{lang}")
                     for lang in WORD_LANGUAGES if f"words_{lang}" in entry}
            objectives[oid] = ObjectiveView(oid, document, entry["fr_sha256"], bool(entry.get("reviewed", False)),
                                            translations, words)
    return Views(objectives, headings, files)


@dataclass(frozen=True)
class ViewReport:
    """What `pns corpus check` says about the views of the corpus."""

    with_views: int
    total: int
    missing: tuple[str, ...]
    stale: tuple[str, ...]
    orphans: tuple[str, ...]
    unreviewed: tuple[str, ...]
    duplicates: tuple[tuple[str, str, tuple[str, ...]], ...]  # (language, expression, objective ids)
    generic: tuple[tuple[str, str, int], ...]  # (language, expression, number of objectives it matches)
    language_mismatches: tuple[tuple[str, str, str], ...]  # (objective id, labelled, detected)
    collisions: tuple[tuple[str, str, int], ...] = ()  # (language, expression, everyday questions it matches)


GENERIC_LIMIT = 5  # an expression matching more objectives than this says little about any one of them
COLLISION_LIMIT = 2  # an expression found in this many out-of-scope questions collides with everyday wording


def _stems(text: str, language: str) -> frozenset[str]:
    from corpus.analysis import analyse

    return frozenset(analyse(text, language))


def expression_collisions(expressions: dict[str, set[str]], everyday: list[tuple[str, str]],
                          limit: int = COLLISION_LIMIT) -> list[tuple[str, str, int]]:
    """(language, expression, count) of expressions whose every stem stands in at least ``limit`` of the
    ``everyday`` questions (text, language) the plan does not address: they would pull those questions in."""
    questions = [(lang, _stems(text, lang)) for text, lang in everyday]
    out = []
    for lang, items in expressions.items():
        for expression in sorted(items):
            stems = _stems(expression, lang)
            if not stems:
                continue
            count = sum(1 for q_lang, q in questions if q_lang == lang and stems <= q)
            if count >= limit:
                out.append((lang, expression, count))
    return out


def check_views(corpus: object, everyday: list[tuple[str, str]] | None = None,
                generic_limit: int = GENERIC_LIMIT, detect: bool = True) -> ViewReport:
    """What `pns corpus check` reports about the views: coverage, stale and orphan entries, review state,
    expressions shared by several objectives or too generic to help, translations whose language is not their
    label, and expressions that collide with everyday out-of-scope questions."""
    from corpus.language import detect_language

    objectives = corpus.objectives  # type: ignore[attr-defined]
    views: Views = corpus.views  # type: ignore[attr-defined]
    documents = {v.document for v in views.objectives.values()}
    current = {oid: corpus.view(oid) for oid in objectives}  # type: ignore[attr-defined]
    missing = tuple(oid for oid, o in objectives.items() if o.document in documents and current[oid] is None
                    and oid not in views.objectives)
    stale = tuple(oid for oid, v in views.objectives.items() if oid in objectives and current[oid] is None)
    orphans = tuple(oid for oid in views.objectives if oid not in objectives)
    unreviewed = tuple(oid for oid, v in current.items() if v is not None and not v.reviewed)
    # Each objective's own words per language, to judge how many objectives an expression matches.
    own: dict[str, dict[str, frozenset[str]]] = {}
    users: dict[tuple[str, str], list[str]] = {}
    for oid, view in current.items():
        if view is None:
            continue
        for lang in WORD_LANGUAGES:
            text = " ".join([objectives[oid].text if lang == "fr" else view.translations.get(lang, ""),
                             *view.words.get(lang, ())])
            own.setdefault(oid, {})[lang] = _stems(text, lang)
            for expression in view.words.get(lang, ()):
                users.setdefault((lang, expression.casefold()), []).append(oid)
    duplicates = tuple((lang, expr, tuple(ids)) for (lang, expr), ids in sorted(users.items()) if len(ids) > 1)
    generic = []
    for (lang, expr), _ids in sorted(users.items()):
        stems = _stems(expr, lang)
        matched = sum(1 for words in own.values() if stems and stems <= words.get(lang, frozenset()))
        if matched > generic_limit:
            generic.append((lang, expr, matched))
    mismatches = []
    if detect:
        for oid, view in current.items():
            for lang, text in (view.translations.items() if view else ()):
                if len(text.split()) < 6:  # too short for langdetect to judge
                    continue
                found = detect_language(text, fallback=lang, allowed=("fr", "nl", "en"))
                if found != lang:
                    mismatches.append((oid, lang, found))
    expressions = {lang: {expr for (lg, expr) in users if lg == lang} for lang in WORD_LANGUAGES}
    collisions = tuple(expression_collisions(expressions, everyday)) if everyday else ()
    return ViewReport(sum(1 for v in current.values() if v is not None), len(objectives), missing, stale, orphans,
                      unreviewed, duplicates, tuple(generic), tuple(mismatches), collisions)
