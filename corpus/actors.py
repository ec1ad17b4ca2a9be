"""The actor index: which passages and objectives name an actor or system, and acronyms the data file lacks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from corpus.clean import fold, fold_chars
from corpus.manifest import read_toml
from pns.errors import CorpusError
from pns.types import Actor, Passage

CATEGORIES = ("police", "justice", "administration", "international", "civil_society", "system", "legal")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z]{0,1}[A-Z]{1,4}$")
_LONG_FORM = re.compile(r"([A-ZÀ-Ý][\w'’\-]+(?: [\w'’\-]+){1,9}) \(([A-Z][A-Za-z]{1,3}[A-Z]{1,5})\)")
_ALLOWED_KEYS = {"id", "name", "category", "aliases"}


def load_actors(path: Path) -> list[Actor]:
    """Read the actor data file, refusing unknown keys and categories."""
    data = read_toml(path, "actor file")
    actors = []
    seen: set[str] = set()
    for i, entry in enumerate(data.get("actor", []), start=1):
        unknown = set(entry) - _ALLOWED_KEYS
        if unknown or not {"id", "name", "category"} <= set(entry):
            raise CorpusError(f"actor file {path}, actor #{i}: keys must be {sorted(_ALLOWED_KEYS)}, "
                              f"got {sorted(entry)}")
        if entry["category"] not in CATEGORIES or entry["id"] in seen:
            raise CorpusError(f"actor file {path}, actor {entry['id']!r}: unknown category "
                              f"{entry['category']!r} (allowed: {', '.join(CATEGORIES)}) or duplicate id")
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
            raise CorpusError(f"actor file {path}, actor {entry['id']!r}: aliases must be a list of names")
        seen.add(entry["id"])
        actors.append(Actor(entry["id"], entry["name"], entry["category"], tuple(entry.get("aliases", ()))))
    return actors


def _is_acronym(alias: str) -> bool:
    return bool(_ACRONYM.match(alias))


def _alternation(aliases: Iterable[str]) -> re.Pattern[str]:
    """One regex for many aliases, longest first, on word boundaries: a single pass over the text."""
    ordered = sorted(set(aliases), key=lambda a: (-len(a), a))
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(a) for a in ordered) + r")(?![\w-])")


@dataclass
class ActorMatcher:
    """Finds actor mentions in text, with spans, using each actor's aliases.

    Acronyms (2-5 capitals) match case-sensitively on the text; names match on the folded text (lower case, no
    accents), so "cellule de traitement de l'information financiere" finds the CTIF.
    """

    actors: list[Actor]

    def __post_init__(self) -> None:
        self._acronyms: dict[str, list[str]] = {}
        self._names: dict[str, list[str]] = {}
        for actor in self.actors:
            # A display name such as "CTIF (Cellule de …)" is not how the text writes it: only aliases match.
            for alias in ((() if "(" in actor.name else (actor.name,)) + actor.aliases):
                table, key = (self._acronyms, alias) if _is_acronym(alias) else (self._names, fold_chars(alias))
                ids = table.setdefault(key, [])
                if actor.id not in ids:
                    ids.append(actor.id)
        self._acronym_re = _alternation(self._acronyms) if self._acronyms else None
        self._name_re = _alternation(self._names) if self._names else None

    def find(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """Actor id → character spans in ``text``, in order of first mention."""
        found: dict[str, list[tuple[int, int]]] = {}
        for pattern, table, target in ((self._acronym_re, self._acronyms, text),
                                       (self._name_re, self._names, fold_chars(text))):
            if pattern is None:
                continue
            for m in pattern.finditer(target):
                for actor_id in table[m.group(1)]:
                    spans = found.setdefault(actor_id, [])
                    if m.span() not in spans:
                        spans.append(m.span())
        return {k: sorted(v) for k, v in sorted(found.items(), key=lambda kv: min(kv[1]))}

    def lookup(self, query: str) -> list[Actor]:
        """Actors whose name or an alias matches the query (exact alias first, then substring)."""
        q = fold(query).strip()
        if not q:
            return []
        exact = [a for a in self.actors if q in {fold(x) for x in (a.id, a.name, *a.aliases)}]
        if exact:
            return exact
        return [a for a in self.actors if any(q in fold(x) for x in (a.name, *a.aliases))]


def build_actor_index(matcher: ActorMatcher, passages: Iterable[Passage]) -> dict[str, list[str]]:
    """Actor id → ids of the passages naming it, in document order."""
    index: dict[str, list[str]] = {a.id: [] for a in matcher.actors}
    for passage in passages:
        for actor_id in matcher.find(passage.text):
            index[actor_id].append(passage.id)
    return index


def unknown_acronyms(matcher: ActorMatcher, passages: Iterable[Passage]) -> list[tuple[str, str, str]]:
    """"Long name (ACRONYM)" patterns whose acronym the actor file does not know: (acronym, long form, passage)."""
    known = {alias for a in matcher.actors for alias in a.aliases}
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for passage in passages:
        for m in _LONG_FORM.finditer(passage.text):
            acronym = m.group(2)
            if acronym not in known and acronym not in seen:
                seen.add(acronym)
                out.append((acronym, m.group(1), passage.id))
    return out
