"""Question understanding: clean input, language, intent cues, references to objectives, themes and actors.

Pure functions over the question text and the corpus' glossary; retrieval-based routing lives in the service.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from corpus.clean import fold, fold_chars
from corpus.glossary import GlossaryEntry

# Terminal colour codes and invisible format characters (soft hyphen, zero-width and direction marks) are
# deleted; other control characters become spaces. Tabs, CR and LF are plain white space.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]")
_WS = re.compile(r"\s+")

# Cue words, folded (lower case, no accents). Kept short and explicit so a reviewer can see what triggers what.
LIST_CUES = re.compile(
    r"\b(objectifs|priorites|liste|lijst|doelstellingen|doelen|prioriteiten|objectives|goals|priorities|targets|"
    r"aims)\b")
# One objective, named in the singular, asks for a list only with a word for "every": "list every objective on
# cybercrime" is a list, "which objective covers this?" or "y a-t-il un objectif là-dessus ?" asks for the one
# that answers. Any of these words with an actor makes an actor question ("apparaît-il dans un objectif ?").
OBJECTIVE_WORDS = re.compile(
    r"\b(objectifs?|priorites?|liste|lijst|doelstellingen|doelstelling|doelen|doel|prioriteiten|prioriteit|"
    r"objectives?|goals?|priorit(y|ies)|targets|aims)\b")
_EVERY = re.compile(r"\b(every|each|all|tous|toutes|chaque|alle|elke|iedere?)\b")
# The plan's objectives are its actions: "toutes les actions prévues contre la traite" asks for the list too.
_ACTIONS = re.compile(r"\b(actions|mesures|initiatives|acties|maatregelen|measures|steps)\b")
ACTOR_CUES = re.compile(
    r"\b(impliqu\w*|mentionn\w*|nomm\w*|citent|cite|avec qui|"
    r"partenaires? de|collabor\w* avec|travaill\w* avec|(font|fait|faire) intervenir|intervien\w*|betrokk\w*|vermeld\w*|noem\w*|samenwerk\w*|"
    r"werkt samen|werken samen|betrek\w*|involv\w*|mention\w*|nam(e|es|ing)|work(s|ing)? with|"
    r"cooperat\w* with|collaborat\w* with|partners? of|role|rol|appear\w*|apparai\w*|waar komt|waar staat)\b")
# "What is …" cues make an actor question only about the actor they introduce ("qu'est-ce que BEPAD ?", "wie is
# de CFI?", "BEPAD, c'est quoi ?"), not in "… à la PJF, qu'est-ce que le plan prévoit pour la relève ?".
_WHAT_IS = re.compile(r"\b(qui est|qui sont|qu'?est[- ]ce que|c'est quoi|wie is|wie zijn|wat is|who is|"
                      r"who are|what is|what's)\b")
_WHAT_IS_END = re.compile(r"^\W*(\w+\W*){0,2}$")  # "c'est quoi ?", "what is it?", "wat is dat?"
DEFINE_CUES = re.compile(r"\b(qu'?est[- ]ce que|c'est quoi|qui est|que signifie|wat is|wie is|wat betekent|"
                         r"what is|what's|who is|what does .+ stand for|what does .+ mean)\b")
FOLLOWUP_CUES = re.compile(
    r"^\s*(et|en|and|ook|aussi|also|idem)\b.{0,40}$|^\s*(et pour|et en ce qui concerne|et concernant|et la|"
    r"et le|et les|en voor|en wat met|en wat over|en over|en rond|and for|and what about|what about|how about|"
    r"and on|and the|idem pour|pareil pour|meme chose pour|zelfde voor|same for)\b")
DETAIL_CUES = re.compile(
    r"\b(plus de details?|details?|detail|developpe|meer (uitleg|details?|info)|more (details?|on|about)|"
    r"tell me more|zoom|ouvre|open|toon|show)\b.*?\b(n[°o]\s*)?(\d{1,2})\b|^\s*(le|la|l'|nummer|number|no\.?|"
    r"n°|#)\s*(\d{1,2})\s*\??\s*$|^\s*(\d{1,2})\s*\??\s*$")
OBJECTIVE_NUMBER = re.compile(
    r"\b(objectif|doelstelling|objective|goal|doel)\s*(n[°o]\s*|nr\.?\s*|no\.?\s*|#\s*)?(\d{1,2})\b|"
    r"\b(\d{1,2})(e|eme|er|ste|de|th|st|nd|rd)?\s+(objectif|doelstelling|objective|goal)\b")
OBJECTIVE_ID = re.compile(r"\b(?:([A-Z][A-Z0-9]{1,9})-)?([AB]\d{1,2})(?:\.(\d{1,2}))?-(\d{1,2})(b?)\b",
                          re.IGNORECASE)

# An item of a plan numbered by its headings, as a full PDF's are ("PNSF-3.5.3-2", "3.5.3-2"): without a document
# code the heading number must have a dot, so "10-12 ans" stays words.
OUTLINE_ID = re.compile(r"(?<![\w.])(?:([A-Z][A-Z0-9]{1,9})-)?(\d{1,2}(?:\.\d{1,2}){0,3})-(\d{1,3})(?![\w.-])",
                        re.IGNORECASE)


def clean_question(text: str, max_chars: int) -> tuple[str, list[str]]:
    """Plain text of a question, and notices about what was changed (control characters, truncation)."""
    notices: list[str] = []
    text = unicodedata.normalize("NFC", text)
    cleaned = _CONTROL.sub(" ", _INVISIBLE.sub("", _ANSI.sub("", text)))
    if cleaned != text:
        notices.append("control-characters")
    cleaned = _WS.sub(" ", cleaned).strip()
    if len(cleaned) > max_chars:
        cut = cleaned.rfind(" ", 0, max_chars)
        cleaned = cleaned[: cut if cut > max_chars // 2 else max_chars].rstrip()
        notices.append("truncated")
    return cleaned, notices


@dataclass(frozen=True)
class ThemeMatch:
    """A theme or sub-group named in a question, with the matched words (for explanation)."""

    key: str
    terms: tuple[str, ...]
    score: float


def _term_pattern(term: str) -> re.Pattern[str]:
    folded = re.escape(fold(term))
    return re.compile(rf"(?<![\w]){folded}(s|x|en|e|es)?(?![\w])")


_ROUTE_LANGUAGES = ("fr", "nl", "en")


def _same_stem(word: str, term: str) -> bool:
    """Equal stems, or a long term stem that begins the word's (Snowball: "radicalis" / "radicalise")."""
    return word == term or (len(term) >= 6 and word.startswith(term))


def _contains(seq: list[str], sub: tuple[str, ...]) -> bool:
    n = len(sub)
    return any(all(_same_stem(w, t) for w, t in zip(seq[i:i + n], sub, strict=True))
               for i in range(len(seq) - n + 1))


class GlossaryRouter:
    """Finds the themes and sub-groups a question names, through the FR/NL/EN glossary.

    A term matches as written (case and accents aside) or by its stems in one of the three languages, so
    "personnes radicalisées" finds "radicalisation" and "verkeersongevallen" stays distinct from "verkeer".
    """

    def __init__(self, glossary: dict[str, GlossaryEntry]) -> None:
        from corpus.analysis import analyse

        self._analyse = analyse
        self.entries = glossary
        self._patterns = [(key, term, _term_pattern(term)) for key, entry in glossary.items()
                          for term in entry.all_terms() if len(term) >= 2]
        # Term stems indexed by (language, first stem) so a question only checks the terms it could start.
        self._stems: dict[tuple[str, str], list[tuple[str, str, tuple[str, ...]]]] = {}
        for key, term, _ in self._patterns:
            for lang in _ROUTE_LANGUAGES:
                stems = tuple(analyse(term, lang))
                if stems:
                    self._stems.setdefault((lang, stems[0]), []).append((key, term, stems))

    def match(self, question: str) -> list[ThemeMatch]:
        """Matched keys, best first: longer matched words score higher."""
        folded = fold(question)
        hits: dict[str, set[str]] = {}
        for key, term, pattern in self._patterns:
            if pattern.search(folded):
                hits.setdefault(key, set()).add(term)
        for lang in _ROUTE_LANGUAGES:
            words = self._analyse(question, lang)
            for i, word in enumerate(words):
                firsts = {word} | {word[:n] for n in range(6, len(word))}
                for first in firsts:
                    for key, term, term_stems in self._stems.get((lang, first), ()):
                        if term not in hits.get(key, ()) and _contains(words[i:i + len(term_stems)], term_stems):
                            hits.setdefault(key, set()).add(term)
        matches = [ThemeMatch(k, tuple(sorted(v)), float(max(len(t) for t in v))) for k, v in hits.items()]
        return sorted(matches, key=lambda m: (-m.score, m.key))

    def route(self, question: str) -> tuple[str | None, list[ThemeMatch]]:
        """The one theme or sub-group the question names, or None when it names none or is ambiguous."""
        matches = self.match(question)
        if not matches:
            return None, matches
        groups = [m for m in matches if "." in m.key]
        themes = {m.key.split(".")[0] for m in matches}
        if len(themes) > 1:
            # Several themes: keep the one whose words cover most of the question, if it clearly leads.
            by_theme: dict[str, float] = {}
            for m in matches:
                theme = m.key.split(".")[0]
                by_theme[theme] = max(by_theme.get(theme, 0.0), m.score)
            ranked = sorted(by_theme.items(), key=lambda kv: -kv[1])
            if ranked[0][1] < 1.5 * ranked[1][1]:
                return None, matches
            theme = ranked[0][0]
            groups = [m for m in groups if m.key.startswith(theme + ".")]
            themes = {theme}
        theme = next(iter(themes))
        best_theme = max((m.score for m in matches if m.key == theme), default=0.0)
        best_group = max((m.score for m in groups), default=0.0)
        group_keys = sorted({m.key for m in groups if m.score >= best_group})
        # One sub-group named at least as precisely as the theme itself, and no other sub-group of it named at
        # all → that sub-group; else the theme ("incivilités, ordre public et transmigration" names B10.1 and
        # B10.5: B10).
        if len(group_keys) == 1 and best_group >= best_theme and len({m.key for m in groups}) == 1:
            return group_keys[0], matches
        return theme, matches


def parse_objective_id(question: str) -> tuple[str | None, str, int | None, int, str] | None:
    """(document code, theme, group, number, suffix) of an id written in the question ("PNS16-B5-3", "b4.2-1")."""
    m = OBJECTIVE_ID.search(question)
    if not m:
        return None
    code, theme, group, number, suffix = m.groups()
    return (code.upper() if code else None, theme.upper(), int(group) if group else None, int(number),
            suffix or "")


def parse_outline_id(question: str) -> tuple[str | None, str, int] | None:
    """(document code, heading number, item number) of a full plan's item id in the question ("PNSF-3.5.3-2")."""
    for m in OUTLINE_ID.finditer(question):
        code, outline, number = m.groups()
        if code or "." in outline:
            return code.upper() if code else None, outline, int(number)
    return None


def objective_number(question: str) -> int | None:
    """The number in "objectif 3 …", "doelstelling 2 van …", "3rd objective"; None otherwise."""
    m = OBJECTIVE_NUMBER.search(fold(question))
    if not m:
        return None
    return int(m.group(3) or m.group(4))


ORDINALS = {
    "premier": 1, "premiere": 1, "deuxieme": 2, "second": 2, "seconde": 2, "troisieme": 3, "quatrieme": 4,
    "cinquieme": 5, "sixieme": 6, "septieme": 7, "huitieme": 8, "neuvieme": 9, "dixieme": 10,
    "eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6, "zevende": 7, "achtste": 8,
    "negende": 9, "tiende": 10, "first": 1, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}
_ORDINAL = re.compile(r"\b(" + "|".join(ORDINALS) + r")\b")


def detail_number(question: str) -> int | None:
    """The position in "plus de détails sur le 3", "développe le cinquième", "number 3"; None otherwise."""
    folded = fold(question)
    m = DETAIL_CUES.search(folded)
    if not m:
        # "développe le cinquième", "de derde": an ordinal alone in a very short request.
        ordinal = _ORDINAL.search(folded)
        short = len(folded.split()) <= 4 and not DEFINE_CUES.search(folded)
        return ORDINALS[ordinal.group(1)] if ordinal and short else None
    for value in reversed(m.groups()):
        if value and value.isdigit():
            return int(value)
    return None


def is_followup(question: str) -> bool:
    """Short questions that lean on the previous one ("et pour la drogue ?", "en voor drugs?")."""
    folded = fold(question)
    return len(folded) <= 80 and bool(FOLLOWUP_CUES.search(folded))


def has_list_cue(question: str) -> bool:
    """Asks for objectives in the plural, or for every objective of something."""
    folded = fold(question)
    return bool(LIST_CUES.search(folded)
                or ((OBJECTIVE_WORDS.search(folded) or _ACTIONS.search(folded)) and _EVERY.search(folded)))


def mentions_objectives(question: str) -> bool:
    """Names objectives or priorities at all, singular or plural."""
    return bool(OBJECTIVE_WORDS.search(fold(question)))


def has_actor_cue(question: str, actor_spans: Iterable[tuple[int, int]] = ()) -> bool:
    """Asks who is involved, works with or is named; or what an actor is, when ``actor_spans`` (its mentions, as
    offsets in the question) say the "what is" is about it: the actor within a few words after the cue, or the cue
    ending the question."""
    folded = fold(question)
    if ACTOR_CUES.search(folded):
        return True
    starts = [start for start, _ in actor_spans]
    same = fold_chars(question)  # one character for one: the actor spans hold in it
    for cue in _WHAT_IS.finditer(same):
        if any(0 <= start - cue.end() <= 25 for start in starts) or (starts and _WHAT_IS_END.match(same[cue.end():])):
            return True
    return False


def has_define_cue(question: str) -> bool:
    return bool(DEFINE_CUES.search(fold(question)))


# Framing that says "in the plan" without saying what about: it pulls retrieval towards prose about the plan
# itself, so it is removed from the text used for retrieval (never from the question shown).
_FRAMING = re.compile(
    r"^\s*(qu'?est[- ]ce que |que |qu')?(dit|prevoit|contient|fait|propose) (le plan|le pns|l'?on)\s*"
    r"(sur|a propos d[eu]s?|concernant|au sujet d[eu]s?|pour|contre|de|du|des|en matiere de)?\s*|"
    r"^\s*(qu'?est[- ]ce que|que) (le plan|le pns) (dit|prevoit|contient|propose|fait)\s*"
    r"(sur|a propos d[eu]s?|concernant|au sujet d[eu]s?|pour|contre|de|du|des|en matiere de)?\s*|"
    r"^\s*le (plan|pns) (parle|prevoit|dit|traite)[- ]t[- ]il (quelque chose )?(de |du |des |d')?\s*|"
    r"^\s*(y a[- ]t[- ]il|existe[- ]t[- ]il) (quelque chose|des objectifs|un objectif|qqch)?\s*"
    r"(dans le plan )?(sur|concernant|pour|a propos d[eu]s?|de|du|des)?\s*|"
    r"^\s*(wat|hoe) (zegt|staat er( iets)?( in)?|voorziet) (het plan|het nvp|er)( in het plan)?\s*"
    r"(over|rond|voor|tegen|van)?\s*|^\s*staat er (iets )?(in het plan )?(over|rond)\s*|"
    r"^\s*(what|how) (does|do|will) (the plan|the pns|it) (say|do|plan|propose|provide|mention)s?\s*"
    r"(about|on|for|against|regarding)?\s*|^\s*is there (anything|something) (in the plan )?"
    r"(about|on|regarding)?\s*|^\s*does the plan (say anything about|mention|cover|address)\s*|"
    r"\s*[:,-]?\s*(c'est|est-ce|est-il|est-elle|sont-ils)?\s*(couvert|aborde|prevu|dans le plan)e?s?\s*\?*\s*$|"
    r"\s*[:,-]?\s*(wat staat er in het plan|staat dat in het plan|is that in the plan|is it covered)\s*\?*\s*$",
)


def retrieval_text(question: str) -> str:
    """The question without its framing ("que dit le plan sur …", "wat zegt het plan over …")."""
    folded = fold(question)
    stripped = folded
    for _ in range(2):
        stripped = _FRAMING.sub(" ", stripped).strip(" ?!.:")
    if len(stripped.split()) < 1 or stripped == folded.strip(" ?!.:"):
        return question
    # Map the stripped folded span back onto the original (fold keeps one character for one).
    chars = fold_chars(question)
    start = chars.find(stripped)
    return question[start:start + len(stripped)] if start >= 0 else stripped


_THEME_CODE = re.compile(r"(?<![\w-])([AB]\d{1,2})(?:\.(\d{1,2}))?(?![\w-])", re.IGNORECASE)
_CONTENT_FREE = re.compile(
    r"^\W*(quels?|quelles?|sont|les|des|du|de|le|la|plan|pns|nvp|tous|toutes|all|the|what|which|are|of|in|"
    r"welke|wat|zijn|alle|de|het|van|objectifs?|doelstellingen|objectives?|goals?|liste|list|lijst|priorites?|"
    r"prioriteiten|priorities|geef|donne|moi|me|give|show|toon|montre|er|there|is|y|a|t|il|existe\w*|"
    r"bestaan|exist\w*|\W)*$")


# Words that frame a list question without narrowing it ("quels sont les objectifs concernant …").
_LIST_FRAMING = (
    "quel quels quelle quelles sont est existe existent voudrais voudrait aimerais souhaite donne donner moi "
    "montre montrer liste complète complet entière tous toutes objectif objectifs priorité priorités concernant "
    "concerne concernent concerner relatif relatifs relatives matière domaine thème thématique sujet porte portent "
    "vise visent prévoit prévus fixe fixés dit parle traite mentionne énumère retient prépare préparer plan pns "
    "nvp police "
    "policière lutte lutter contre cadre cours "
    "welke wat zijn is gaan gaat geef toon lijst alle volledige doelstelling doelstellingen doelen prioriteit "
    "prioriteiten rond over inzake betreffende aangaande thema gebied bevat voorziet vermeldt staat staan heeft "
    "plan politie strijd bestrijding aanpak cursus "
    "what which are is does do set sets out deal deals give me show list all full complete objective objectives "
    "goal goals priority priorities regarding concerning about on theme area field plan plans police fight "
    "against tackle tackling contain contains cover covers say says mention mentions course")


def narrowing_terms(question: str, covered: set[str], vocabulary: set[str] | None = None,
                    languages: tuple[str, ...] = ("fr", "nl", "en")) -> set[str]:
    """Stems of a list question that go beyond naming its theme: "financement" in "les objectifs sur le
    financement du terrorisme", nothing in "les objectifs de la cybercriminalité".

    ``covered`` holds the stems of every name and glossary term of the theme; framing words of list questions
    never count. A word counts when none of its stems, in any of the three languages, is covered or framing,
    and, when ``vocabulary`` is given (the stems of the group's objectives), one of them is in it: a word none of
    the objectives uses ("script", "onerror") cannot tell them apart.
    """
    from corpus.analysis import analyse

    framing = {stem for lang in languages for stem in analyse(_LIST_FRAMING, lang)}
    known = covered | framing
    extra: set[str] = set()
    for word in set(re.findall(r"\w+", question.replace("'", " "))):
        per_language = [analyse(word, lang) for lang in languages]
        if not all(per_language) or any(c.isdigit() for c in word):  # a stopword somewhere, a code or number
            continue
        stems = {stem for found in per_language for stem in found}
        if vocabulary is not None and not stems & vocabulary:
            continue
        if not any(_same_stem(stem, term) for stem in stems for term in known):
            extra |= stems
    return extra


def theme_code(question: str) -> str | None:
    """A theme or sub-group code written in the question ("B5", "thème b6.3"), upper-cased; None otherwise."""
    m = _THEME_CODE.search(question)
    if not m:
        return None
    return f"{m.group(1).upper()}.{m.group(2)}" if m.group(2) else m.group(1).upper()


def asks_for_everything(question: str) -> bool:
    """"Quels sont les objectifs ?", "What are the objectives?": a list question that names nothing."""
    return bool(_CONTENT_FREE.match(fold(question)))
