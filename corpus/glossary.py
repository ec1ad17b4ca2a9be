"""FR/NL/EN names of themes and sub-groups, and the words people use for them (corpus/glossary.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from corpus.manifest import read_toml
from pns.errors import CorpusError

_KEYS = {"fr", "nl", "en", "terms"}


@dataclass(frozen=True)
class GlossaryEntry:
    """Names of one theme (key "B5") or sub-group (key "B4.2")."""

    key: str
    names: dict[str, str]
    terms: tuple[str, ...]

    def all_terms(self) -> tuple[str, ...]:
        return (*self.names.values(), *self.terms)


def load_glossary(path: Path) -> dict[str, GlossaryEntry]:
    """Read the glossary; refuse unknown keys so a typo is not silently ignored."""
    data = read_toml(path, "glossary")
    unknown_top = set(data) - {"theme", "group"}
    if unknown_top:
        raise CorpusError(f"glossary {path}: unknown section(s) {sorted(unknown_top)}; expected theme, group")
    entries: dict[str, GlossaryEntry] = {}
    for section in ("theme", "group"):
        for key, entry in data.get(section, {}).items():
            unknown = set(entry) - _KEYS
            if unknown:
                raise CorpusError(f"glossary {path}, {section} {key}: unknown key(s) {sorted(unknown)}; "
                                  f"allowed: {sorted(_KEYS)}")
            names = {lang: entry[lang] for lang in ("fr", "nl", "en") if lang in entry}
            entries[key] = GlossaryEntry(key, names, tuple(entry.get("terms", ())))
    return entries
