"""The loaded corpus: documents, plan trees, the objective catalogue, passages, glossary and actor index.

This is the one object the later stages read. It is built from the files in ``corpus/`` and carries a fingerprint
of all of them, so an index built from another state of the corpus is detected as stale.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from corpus.actors import CATEGORIES, ActorMatcher, build_actor_index, load_actors, unknown_acronyms
from corpus.clean import fold
from corpus.glossary import GlossaryEntry, load_glossary
from corpus.language import detect_language
from corpus.loaders import read_document
from corpus.manifest import load_manifest, read_toml, sha256_file, verify_document
from corpus.structure import Correction, ParseReport, Plan, parse_document
from corpus.views import ObjectiveView, Views, load_views, text_sha256
from pns.errors import CorpusError, UsageError
from pns.settings import Settings
from pns.types import Actor, DocumentInfo, Objective, Passage, Theme

_WORDS = re.compile(r"[a-z0-9]+")

_CORRECTION_KEYS = {"id", "document", "theme", "from_group", "numbers", "starts_with", "to_group", "reason"}
DATA_FILES = ("manifest.toml", "corrections.toml", "actors.toml", "glossary.toml")
VIEWS_DIR = "views"


def load_corrections(path: Path) -> list[Correction]:
    """Read the reviewed repairs; refuse unknown keys."""
    if not path.is_file():
        return []
    data = read_toml(path, "corrections file")
    out = []
    for i, entry in enumerate(data.get("move", []), start=1):
        if set(entry) != _CORRECTION_KEYS:
            raise CorpusError(f"corrections file {path}, move #{i}: keys must be exactly "
                              f"{sorted(_CORRECTION_KEYS)}; got {sorted(entry)}")
        numbers = tuple(entry["numbers"]) if isinstance(entry["numbers"], list) else ()
        if (len(numbers) != 2 or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers)
                or numbers[0] > numbers[1]):
            raise CorpusError(f"corrections file {path}, move {entry['id']!r}: numbers must be [first, last]")
        out.append(Correction(**{**entry, "numbers": numbers}))
    return out


def corpus_fingerprint(corpus_dir: Path, documents: list[DocumentInfo], views: Views | None = None) -> str:
    """Hash of the data files, the views files and the documents' checksums: what an index was built from."""
    digest = hashlib.sha256()
    for name in DATA_FILES:
        path = corpus_dir / name
        digest.update(name.encode())
        digest.update(sha256_file(path).encode() if path.is_file() else b"-")
    for path in views.files if views else ():
        digest.update(f"{VIEWS_DIR}/{path.name}".encode())
        digest.update(sha256_file(path).encode())
    for doc in documents:
        digest.update(doc.sha256.encode())
    return digest.hexdigest()[:16]


@dataclass
class Corpus:
    """Everything known about the documents, ready for indexing and answering."""

    settings: Settings
    documents: list[DocumentInfo]
    plans: list[Plan]
    glossary: dict[str, GlossaryEntry]
    actors: list[Actor]
    fingerprint: str
    passages: dict[str, Passage] = field(default_factory=dict)
    views: Views = field(default_factory=lambda: Views({}, {}))

    @classmethod
    def load(cls, settings: Settings, detect_languages: bool = True) -> Corpus:
        """Load and check every document of the manifest, then parse and index actors."""
        corpus_dir = Path(settings.corpus_dir)
        documents = load_manifest(corpus_dir)
        glossary = load_glossary(corpus_dir / "glossary.toml")
        corrections = load_corrections(corpus_dir / "corrections.toml")
        titles = {k: e.names["fr"] for k, e in glossary.items() if "fr" in e.names and "." not in k}
        plans = []
        for doc in documents:
            lines, layout = read_document(verify_document(corpus_dir, doc))
            plan = parse_document(doc, lines, corrections, titles if doc.language == "fr" else None, layout)
            plans.append(plan)
        actors = load_actors(corpus_dir / "actors.toml")
        views = load_views(corpus_dir / VIEWS_DIR)
        corpus = cls(settings, documents, plans, glossary, actors, corpus_fingerprint(corpus_dir, documents, views),
                     views=views)
        for plan in plans:
            if detect_languages:
                sample = " ".join(p.text for p in plan.passages[:60])
                detected = detect_language(sample, fallback=plan.document.language)
                if detected != plan.document.language:
                    plan.report.warnings.append(
                        f"{plan.document.code}: the text reads as {detected!r} but the manifest says "
                        f"{plan.document.language!r}; check the language of {plan.document.file}")
            for passage in plan.passages:
                lang = passage.language
                if detect_languages and passage.kind == "prose" and len(passage.text) > 40:
                    lang = detect_language(passage.text, fallback=plan.document.language)
                corpus.passages[passage.id] = replace(passage, language=lang)
        return corpus

    # -- lookups ---------------------------------------------------------------------------------------------
    @cached_property
    def objectives(self) -> dict[str, Objective]:
        return {o.id: o for plan in self.plans for o in plan.objectives}

    @cached_property
    def themes(self) -> dict[str, Theme]:
        """Theme code → theme, from the first document that defines it."""
        out: dict[str, Theme] = {}
        for plan in self.plans:
            for theme in plan.themes:
                out.setdefault(theme.code, theme)
        return out

    @cached_property
    def documents_by_id(self) -> dict[str, DocumentInfo]:
        return {d.id: d for d in self.documents}

    @cached_property
    def matcher(self) -> ActorMatcher:
        return ActorMatcher(self.actors)

    @cached_property
    def actor_index(self) -> dict[str, list[str]]:
        """Actor id → passage ids naming it (objectives and prose)."""
        return build_actor_index(self.matcher, self.passages.values())

    @cached_property
    def actors_by_id(self) -> dict[str, Actor]:
        return {a.id: a for a in self.actors}

    @cached_property
    def word_languages(self) -> dict[str, frozenset[str]]:
        """Folded word → the languages the corpus writes it in: the plan's text in its own, the views'
        translations, headings and everyday words in theirs. Judges a short question langdetect cannot
        ("verbindingsofficieren", "new psychoactive substances") by the words the plan and its views use."""
        seen: dict[str, set[str]] = {}

        def add(text: str, lang: str) -> None:
            for word in _WORDS.findall(fold(text)):
                seen.setdefault(word, set()).add(lang)

        for passage in self.passages.values():
            add(passage.text, passage.language)
        for view in self.views.objectives.values():
            for lang, text in view.translations.items():
                add(text, lang)
            for lang, words in view.words.items():
                add(" ".join(words), lang)
        for titles in self.views.headings.values():
            for lang, text in titles.items():
                add(text, lang)
        return {word: frozenset(langs) for word, langs in seen.items()}

    def vocabulary_language(self, text: str, allowed: tuple[str, ...]) -> str | None:
        """The allowed language most of ``text``'s words belong to alone (``word_languages``); None on a tie or
        when no word is a single language's."""
        singles = (self.word_languages.get(word, frozenset()) for word in _WORDS.findall(fold(text)))
        votes = Counter(lang for langs in singles if len(langs) == 1 for lang in langs if lang in allowed)
        ranked = votes.most_common(2)
        if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            return ranked[0][0]
        return None

    def view(self, objective_id: str) -> ObjectiveView | None:
        """The objective's unofficial views, when they exist and were written for its current French text."""
        view = self.views.objectives.get(objective_id)
        objective = self.objectives.get(objective_id)
        if view is None or objective is None or view.document != objective.document:
            return None
        return view if view.fr_sha256 == text_sha256(objective.text) else None

    def translation(self, objective_id: str, language: str) -> str | None:
        """The unofficial translation of an objective in ``language`` (None for French or when there is none)."""
        view = self.view(objective_id)
        return view.translations.get(language) if view else None

    def heading_translation(self, key: str, language: str, document: str | None = None) -> str | None:
        """A theme or sub-group title in ``language`` from the views of ``document`` (default: the first)."""
        document = document or (self.documents[0].id if self.documents else "")
        return self.views.heading(document, key, language)

    def reports(self) -> list[ParseReport]:
        return [plan.report for plan in self.plans]

    def unknown_actors(self) -> list[tuple[str, str, str]]:
        """Acronyms introduced in the text ("Long name (ACR)") that actors.toml does not list."""
        return unknown_acronyms(self.matcher, self.passages.values())

    def group_objectives(self, key: str, language: str | None = None,
                         document: str | None = None) -> list[Objective]:
        """The objectives of a theme ("B3") or sub-group ("B3.5"), in plan order, from one document.

        When several documents share the plan's theme codes (the French and the Dutch edition, say), a list must
        not mix them: ``document`` names the one to use; otherwise the edition in ``language`` if there is one,
        else the first in the manifest.
        """
        if "." in key and key not in self.themes:
            found = [o for o in self.objectives.values() if o.group_key == key]
        else:
            found = [o for o in self.objectives.values() if o.theme == key]
        documents = list(dict.fromkeys(o.document for o in found))
        if document is None and len(documents) > 1:
            by_language = [d for d in documents if self.documents_by_id[d].language == language]
            document = (by_language or documents)[0]
        return [o for o in found if o.document == document] if document else found

    def group_key(self, code: str) -> str:
        """The theme or sub-group a code names ("b4.2 " → "B4.2"), the one parser behind every command and screen.

        Raises:
            UsageError: the code names no theme or sub-group of the corpus.
        """
        key = (code or "").strip().upper()
        if key in self.themes:  # an outline heading's code ("3.2.3") names a theme, dots and all
            return key
        theme = self.themes.get(key.split(".")[0])
        if theme is None or ("." in key and key not in {g.key for g in theme.groups}):
            known = ", ".join(self.themes) or "none"
            raise UsageError(f"no theme or sub-group {key!r}; use a code such as B5, A3 or B4.2 (themes: {known})")
        return key

    def theme_of(self, key: str) -> Theme:
        """The theme a group key (from :meth:`group_key`) belongs to: itself for an outline heading's code
        ("3.5.3"), the part before the dot for a sub-group ("B4.2")."""
        return self.themes.get(key) or self.themes[key.split(".")[0]]

    def actor_theme_matrix(self) -> list[tuple[Actor, dict[str, int]]]:
        """Who is involved where: every actor (by category, then name) with, per theme code, the number of
        objectives naming it (themes with none left out of the dict)."""
        order = {c: i for i, c in enumerate(CATEGORIES)}
        rows = []
        for actor in sorted(self.actors, key=lambda a: (order.get(a.category, len(order)), a.name.lower())):
            counts: dict[str, int] = {}
            for passage_id in self.actor_index.get(actor.id, ()):
                objective = self.objectives.get(passage_id)
                if objective is not None:
                    counts[objective.theme] = counts.get(objective.theme, 0) + 1
            rows.append((actor, counts))
        return rows

    def group_title(self, key: str) -> str:
        if key in self.themes:
            return self.themes[key].title
        theme = self.themes.get(key.split(".")[0])
        if theme is None:
            raise CorpusError(f"unknown theme or group {key!r}")
        if "." in key:
            for group in theme.groups:
                if group.key == key:
                    return group.title
            raise CorpusError(f"unknown group {key!r}")
        return theme.title

    def objective(self, objective_id: str) -> Objective:
        """The objective with this id (case-insensitive); a clear error otherwise."""
        found = self.objectives.get(objective_id) or next(
            (o for oid, o in self.objectives.items() if oid.lower() == objective_id.strip().lower()), None)
        if found is None:
            raise CorpusError(f"no objective {objective_id!r}; ids look like PNS16-B5-3 (see `pns objectives`)")
        return found

    def objective_dict(self, objective: Objective) -> dict[str, object]:
        """The JSON form shared by the CLI, the app and exports."""
        return {
            "id": objective.id,
            "document": objective.document,
            "path": list(objective.path),
            "theme": objective.theme,
            "theme_title": objective.theme_title,
            "group": objective.group,
            "group_key": objective.group_key,
            "number": objective.number,
            "text": objective.text,
            "location": objective.location.label(),
            "url": self.settings.objective_url(objective.id),
            "corrected": objective.corrected or None,
            "actors": [self.actors_by_id[a].name for a in self.matcher.find(objective.text)],
        }
