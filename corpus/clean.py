"""Cleaning of extraction noise, one line at a time, so every cleaned line keeps its source location.

The defects come from the PDF-to-text extraction (see docs): "Cliquez pour plus d'infos" link labels, Markdown
residue, footnote marks, stray spaces and a tab-separated table.
"""

from __future__ import annotations

import re
import unicodedata

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_NOISE_LINE = re.compile(
    r"^\s*(\[)?(cliquez (ici )?pour plus d'infos?( sur)?|klik (hier )?voor meer info(rmatie)?( over)?|"
    r"click (here )?for more info(rmation)?( on)?)\s*(\.\.\.|…)?\s*(\]\(#?[^)]*\))?\s*$",
    re.IGNORECASE,
)
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_EMPH = re.compile(r"\*\*|__")
# A footnote mark, unless it is a unit's exponent (m², km³).
_FOOTNOTE_MARK = re.compile(rf"(?<!\b[kcdm]m)(?<!\bm)[{SUPERSCRIPTS}]+")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_FOOTNOTE_LINE = re.compile(rf"^\s*[{SUPERSCRIPTS}]+\s+")
_SPACES = re.compile(r"[ \u00a0\u2009\u202f]+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,])(?=\s|$)")


def is_footnote(raw: str) -> bool:
    """A footnote line starts with a superscript mark ("³ Directeur coordonnateur …")."""
    return bool(_FOOTNOTE_LINE.match(raw))


def clean_line(raw: str) -> str:
    """Return the line without extraction noise ("" when the whole line is noise)."""
    text = unicodedata.normalize("NFC", raw).replace("\ufeff", "")
    if _NOISE_LINE.match(text):
        return ""
    text = _MD_LINK.sub(lambda m: "" if _NOISE_LINE.match(m.group(1)) else m.group(1), text)
    text = _MD_EMPH.sub("", text)
    text = _MD_HEADING.sub("", text)
    text = _FOOTNOTE_MARK.sub("", text)
    if "\t" in text:
        cells = [c.strip() for c in text.split("\t")]
        text = " · ".join(c for c in cells if c)
    text = _SPACES.sub(" ", text).strip()
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return text


def fold(text: str) -> str:
    """Lower-case and strip accents: the form used to match names and terms."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("œ", "oe").replace("’", "'")


_FOLD_ONE: dict[str, str] = {}


def fold_chars(text: str) -> str:
    """Like ``fold`` but one character for one, so spans found in the folded text hold in the original."""
    table = _FOLD_ONE
    out = []
    for c in text:
        f = table.get(c)
        if f is None:
            f = table[c] = fold(c)[:1] or c
        out.append(f)
    return "".join(out)
