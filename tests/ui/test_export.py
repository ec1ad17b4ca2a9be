"""Trainer exports: exact Markdown for a real group, escaping and self-containment of the HTML pages."""

from __future__ import annotations

import dataclasses
import re

import pytest

from assistant import export
from pns.errors import UsageError

from .conftest import hostile_answer

# A6 as printed in the seed text, l. 251-256 (two objectives); public_url is unset, so no permalinks but a note.
A6_MARKDOWN = """# A6 Management de la recherche

Plan national de sécurité 2016-2019 — Version simplifiée · 2 objectifs

**But** : Étendre le concept de management de la recherche, entre autres aux services de recherche de la police locale, et ce en collaboration avec les autorités judiciaires.

## Objectifs

1. Stimuler l'intégration de la notion du management de la recherche. Le management de la recherche doit se développer à trois niveaux (stratégie, gestion et dans le cadre d'affaires).
   `PNS16-A6-1` · l. 255

2. Sensibiliser et aider les services de recherche de la police locale afin qu'ils s'inscrivent dans ce concept, et veiller à réaliser les synergies nécessaires avec les autorités judiciaires.
   `PNS16-A6-2` · l. 256

## Qui intervient

| Acteur | Objectifs qui le nomment |
|---|---|
| Autorités judiciaires | 1 · `PNS16-A6-2` |
| Police locale | 1 · `PNS16-A6-2` |

*Sans liens permanents : l'adresse de l'application n'est pas réglée (réglage public\\_url, par exemple PNS\\_PUBLIC\\_URL=https://pns.intranet.example). Chaque objectif se retrouve par son identifiant.*

---

*Exporté de PNS Assistant.*
"""

# What would make a page run code or fetch something when opened: script, external resources, src attributes.
EXTERNAL = re.compile(r"<(script|link|img|iframe|object|embed|base)\b|@import|url\(|<[a-z][^>]*\ssrc=", re.IGNORECASE)


def _public(corpus):
    """The corpus as served at an address colleagues can reach."""
    return dataclasses.replace(corpus, settings=dataclasses.replace(corpus.settings,
                                                                    public_url="https://pns.intranet.example/"))


def test_group_markdown_exact(real_corpus):
    assert export.group_markdown(real_corpus, "a6", "fr") == A6_MARKDOWN
    assert "127.0.0.1" not in export.group_html(real_corpus, "a6", "fr")


def test_exports_link_to_the_public_url_when_it_is_set(real_corpus):
    text = export.group_markdown(_public(real_corpus), "a6", "fr")
    assert "   `PNS16-A6-1` · l. 255 · [lien permanent](<https://pns.intranet.example/?objective=PNS16-A6-1>)" in text
    assert "Sans liens permanents" not in text and "127.0.0.1" not in text


def test_group_markdown_with_sub_groups_keeps_plan_order_and_numbers(real_corpus):
    text = export.group_markdown(_public(real_corpus), "B4", "nl")
    assert text.startswith("# B4 Fraude sociale et fiscale\n\n*Sociale en fiscale fraude*\n\n")
    assert "· 17 doelstellingen · De tekst van het plan is in het Frans." in text
    assert text.index("## B4.1 Fraude sociale") < text.index("## B4.2 Fraude fiscale")
    fiscal = text[text.index("## B4.2 Fraude fiscale"):]
    assert re.findall(r"^(\d+)\. ", fiscal, re.MULTILINE) == [str(n) for n in range(1, 9)]
    # Items moved by a reviewed correction say so.
    assert "`PNS16-B4.2-2` · l. 408 · [vaste link](<https://pns.intranet.example/?objective=PNS16-B4.2-2>) · " \
           "*plaats hersteld door een nagelezen correctie*" in fiscal


def test_group_exports_say_who_is_involved(real_corpus):
    """The trainer's "who is involved": the actors the group's objectives name, most named first, with the ids,
    matching the actor × theme map; in HTML on the same colour scale."""
    data = export.group_export(real_corpus, "A4", "nl")
    matrix = {actor.name: counts.get("A4", 0) for actor, counts in real_corpus.actor_theme_matrix()}
    assert {name: len(ids) for name, ids in data.actors} == {k: v for k, v in matrix.items() if v}
    assert data.actors == [
        ("Police intégrée", ["PNS16-A4-2", "PNS16-A4-5", "PNS16-A4-12"]),
        ("CTIF (Cellule de traitement de l'information financière)", ["PNS16-A4-5", "PNS16-A4-12"]),
        ("BNG (Banque de données nationale générale)", ["PNS16-A4-16"]),
        ("Casier judiciaire central", ["PNS16-A4-16"]), ("Cours et tribunaux", ["PNS16-A4-14"]),
        ("Régions", ["PNS16-A4-11"])]
    page = export.group_html(real_corpus, "A4", "nl")
    assert "<h2>Wie is betrokken</h2>" in page
    assert ('<tr><th scope="row">CTIF (Cellule de traitement de l&#x27;information financière)</th><td>'
            f'<span class="count" style="{export.heat_style(2, 3)}">2</span> '
            "<code>PNS16-A4-5</code>, <code>PNS16-A4-12</code></td></tr>") in page
    assert export.heat_style(1, 3) == "background:hsl(214,70%,92%);color:#111"
    assert export.heat_style(3, 3) == "background:hsl(214,70%,40%);color:#fff"
    assert export.heat_style(0, 3) == ""


def test_group_of_prose_only_exports_its_passages(real_corpus):
    text = export.group_markdown(real_corpus, "A5.5", "en")
    assert "· no objectives · The plan's text is in French." in text
    assert "## Other passages" in text and "> Les trois domaines les plus visibles" in text


def test_unknown_group_is_a_usage_error(real_corpus):
    with pytest.raises(UsageError, match=r"no theme or sub-group 'B99'; use a code such as B5"):
        export.group_markdown(real_corpus, "B99")
    with pytest.raises(UsageError, match=r"'B4\.7'"):
        export.group_html(real_corpus, "B4.7")


def test_group_html_is_standalone_and_lists_every_objective(real_corpus):
    page = export.group_html(_public(real_corpus), "B4.2", "fr")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"fr\">")
    assert "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';" in page
    assert not EXTERNAL.search(page)
    assert re.findall(r'<li value="(\d+)">', page) == [str(n) for n in range(1, 9)]
    assert '<a href="https://pns.intranet.example/?objective=PNS16-B4.2-1">lien permanent</a>' in page


def test_hostile_group_is_escaped_in_markdown_and_html(hostile_corpus):
    text = export.group_markdown(hostile_corpus, "B1", "fr")
    assert "# B1 Cybercrime &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "1. Mieux lutter contre &lt;script&gt;alert(1)&lt;/script&gt; la criminalité." in text
    assert "**But** : Organiser des mesures &lt;b&gt;coordonnées&lt;/b&gt; &amp; \"fortes\"." in text
    assert "> Le niveau local &lt;img src=x onerror=alert(1)&gt; est essentiel." in text
    assert "<" not in text.replace("(<http", "")  # the only '<' is a permalink's Markdown angle bracket
    page = export.group_html(hostile_corpus, "B1", "fr")
    assert not EXTERNAL.search(page)
    assert not re.search(r"<(b|i)>", page)
    assert "<h1>B1 Cybercrime &lt;script&gt;alert(1)&lt;/script&gt;</h1>" in page
    assert "<blockquote>Le niveau local &lt;img src=x onerror=alert(1)&gt; est essentiel.</blockquote>" in page


def test_answer_markdown_exact():
    answer = hostile_answer("Quoi <script>alert(1)</script> ?")
    assert export.answer_markdown(answer) == (
        "# Question : Quoi &lt;script&gt;alert(1)&lt;/script&gt; ?\n\n"
        "Voici les passages :\n\n[1] **TNY-B1-1** Mieux lutter contre &lt;script&gt; &lt;b>x&lt;/b>\n\n"
        "## Sources\n\n"
        "**[1] TNY-B1-1** — B1 Cybercrime &lt;script&gt;x&lt;/script&gt; — Plan &lt;test&gt; &amp; \"co\" — l. 9\n\n"
        "> Mieux lutter contre &lt;script&gt;alert(1)&lt;/script&gt; la criminalité.\n\n"
        "[lien permanent](<http://127.0.0.1:7860/?objective=TNY-B1-1>)\n\n"
        "---\n\n*Exporté de PNS Assistant.*\n"
    )
    assert export.answer_markdown(answer.to_dict(), "en").startswith("# Question: Quoi")


def test_answer_html_escapes_everything_and_marks_highlights():
    page = export.answer_html(hostile_answer("Quoi <script>alert(1)</script> ?"))
    assert not EXTERNAL.search(page)
    assert "<title>Question : Quoi &lt;script&gt;alert(1)&lt;/script&gt; ?</title>" in page
    # The answer's Markdown is rendered with raw HTML shown as text.
    assert "<p>[1] <strong>TNY-B1-1</strong> Mieux lutter contre &lt;script&gt; &lt;b&gt;x&lt;/b&gt;</p>" in page
    assert ("<blockquote>Mieux lutter contre <mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt; la "
            "<mark>criminalité</mark>.</blockquote>") in page
    assert 'Plan &lt;test&gt; &amp; &quot;co&quot; — l. 9 · <a href="http://127.0.0.1:7860/?objective=TNY-B1-1">' \
           in page


def test_only_web_permalinks_become_links():
    answer = hostile_answer("q").to_dict()
    answer["citations"][0]["url"] = "javascript:alert(1)"
    assert "javascript" not in export.answer_html(answer)
    assert "javascript" not in export.answer_markdown(answer)


def test_markdown_links_in_an_answer_cannot_run_script():
    page = export.answer_html({"question": "q", "answer": "[x](javascript:alert(1)) ![i](http://evil/i.png)"})
    # The script link stays text; the image becomes a plain link (following it is the reader's choice).
    assert '<p>[x](javascript:alert(1)) !<a href="http://evil/i.png">i</a></p>' in page
    assert not EXTERNAL.search(page)


def test_export_filename():
    assert export.export_filename("PNS16-B4.2", "md") == "PNS16-B4.2.md"
    assert export.export_filename("../../etc/passwd <x>", ".html") == "etc-passwd-x.html"
    assert export.export_filename("", "md") == "export.md"


def test_a_notice_the_answer_does_not_show_is_exported():
    answer = hostile_answer("q").to_dict() | {"notices": ["Résumé écarté <raison>."], "summary": None}
    assert "\n*Résumé écarté &lt;raison&gt;.*\n\n## Sources" in export.answer_markdown(answer)
    assert '<p class="meta"><em>Résumé écarté &lt;raison&gt;.</em></p>' in export.answer_html(answer)


def test_a_dutch_export_shows_each_translation_beneath_the_french(real_corpus):
    text = export.group_markdown(real_corpus, "A6", "nl")
    french = real_corpus.objectives["PNS16-A6-1"].text
    dutch = real_corpus.translation("PNS16-A6-1", "nl")
    assert f"1. {export.escape_markdown(french)}\n   *Niet-officiële vertaling:* " \
           f"{export.escape_markdown(dutch, line_start=False)}\n" in text
    assert f"*{real_corpus.heading_translation('A6', 'nl')}*" in text
    html = export.group_html(real_corpus, "A6", "en")
    english = real_corpus.translation("PNS16-A6-1", "en")
    assert (f'<span class="translation" lang="en"><strong>Unofficial translation:</strong> '
            f"{export.escape_html(english)}</span>") in html
    assert "Unofficial translation" not in export.group_html(real_corpus, "A6", "fr")
    assert "Traduction" not in export.group_markdown(real_corpus, "A6", "fr")
