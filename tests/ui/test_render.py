"""Rendering with exact values: escaping, <mark> insertion at offsets, sources, cards, the tree, actors."""

from __future__ import annotations

import re

from assistant import export
from assistant.export import defang_markdown, escape_markdown, highlight_html, normalise_spans
from ui import render

from .conftest import hostile_answer

# -- marks at offsets -----------------------------------------------------------------------------------------------------


def test_marks_are_placed_by_offsets_of_the_unescaped_text():
    # "a<b>&c": span (1, 4) is "<b>"; escaping first would have shifted it to "&lt;".
    assert highlight_html("a<b>&c", [(1, 4)]) == "a<mark>&lt;b&gt;</mark>&amp;c"


def test_marks_after_escaped_characters_stay_on_their_word():
    text = '<script>"x"</script> CTIF & Europol'
    start = text.index("CTIF")
    assert highlight_html(text, [(start, start + 4), (text.index("Europol"), len(text))]) == (
        "&lt;script&gt;&quot;x&quot;&lt;/script&gt; <mark>CTIF</mark> &amp; <mark>Europol</mark>"
    )


def test_spans_are_sorted_clipped_merged_and_empty_or_malformed_ones_dropped():
    spans = [(5, 100), (0, 2), (1, 3), (4, 4), (-3, 1), ("x", 2), (7,), None]
    assert normalise_spans(spans, 8) == [(0, 3), (5, 8)]
    assert highlight_html("abcdefgh", spans) == "<mark>abc</mark>de<mark>fgh</mark>"


def test_no_spans_means_escaped_text_only():
    assert highlight_html("<i>x</i>", None) == "&lt;i&gt;x&lt;/i&gt;"
    assert highlight_html("", [(0, 3)]) == ""


# -- chat Markdown ---------------------------------------------------------------------------------------------------------------


def test_user_question_is_shown_as_typed_without_html_links_or_structure():
    question = "<script>alert('x')</script> **gras** [lien](javascript:alert(1)) a&b\n- point\n> cite\n12. non"
    assert render.user_message(question) == (
        "&lt;script&gt;alert('x')&lt;/script&gt; \\*\\*gras\\*\\* \\[lien\\](javascript:alert(1)) a&amp;b\n"
        "\\- point\n"
        "&gt; cite\n"
        "12\\. non"
    )


def test_escape_markdown_of_nothing_is_empty():
    assert escape_markdown(None) == ""


def test_assistant_markdown_keeps_its_entities_and_loses_raw_html():
    # The assistant already escapes passages ("&lt;script&gt;"); a raw tag left over is made inert, once.
    assert defang_markdown("a &lt;script&gt; <b>x</b>") == "a &lt;script&gt; &lt;b>x&lt;/b>"
    answer = hostile_answer("q").to_dict()
    assert render.answer_message(answer) == (
        "Voici les passages :\n\n[1] **TNY-B1-1** Mieux lutter contre &lt;script&gt; &lt;b>x&lt;/b>"
    )


def test_a_model_summary_is_quoted_as_text_after_the_answer():
    answer = {"answer": "Texte [1]", "summary": "Résumé <img src=x onerror=alert(1)> [a](http://evil)"}
    assert render.answer_message(answer, "en") == (
        "Texte [1]\n\n**Summary by a language model (check it against the quoted passages)**\n\n"
        "> Résumé &lt;img src=x onerror=alert(1)&gt; \\[a\\](http://evil)"
    )
    assert render.answer_message({"answer": "Texte. Résumé.", "summary": "Résumé."}) == "Texte. Résumé."


def test_notices_not_yet_in_the_answer_are_added_once():
    answer = {"answer": "*Votre question était très longue.*\n\nTexte [1]",
              "notices": ["Votre question était très longue.", "Résumé écarté : une phrase <sans> citation."]}
    assert render.answer_message(answer) == (
        "*Votre question était très longue.*\n\nTexte [1]\n\n*Résumé écarté : une phrase &lt;sans&gt; citation.*"
    )


def test_error_message():
    assert render.error_message("the question is <empty>", "en") == "**Error** — the question is &lt;empty&gt;"


# -- sources panel -----------------------------------------------------------------------------------------------------------------


def test_citation_html_exact():
    """Collapsed to heading and first line; the whole quote, location and scores open beneath it."""
    citation = hostile_answer("q").to_dict()["citations"][0]
    quote = ("Mieux lutter contre <mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt; la "
             "<mark>criminalité</mark>.")
    assert render.citation_html(citation, "fr") == (
        '<li class="pns-citation" id="pns-source-1" value="1"><details><summary>'
        '<span class="pns-head"><strong>[1]</strong> '
        '<a class="pns-id" href="?objective=TNY-B1-1&amp;lang=fr" target="_blank" rel="noopener noreferrer">TNY-B1-1</a></span>'
        ' <span class="pns-path">B1 Cybercrime &lt;script&gt;x&lt;/script&gt;</span>'
        f'<span class="pns-first" aria-hidden="true">{quote}</span></summary>'
        f'<blockquote class="pns-text">{quote}</blockquote>'
        '<div class="pns-meta">Emplacement : Plan &lt;test&gt; &amp; &quot;co&quot; · l. 9<br>'
        "Score 0.5000 · fusion 0.5000 · lexical (BM25) #1 (3.25) · sémantique (e5) non trouvé</div></details></li>"
    )


def test_citation_link_attributes_cannot_be_broken_out_of():
    citation = {"rank": 2, "objective_id": 'x" onmouseover="alert(1)', "text": "t", "path": []}
    html = render.citation_html(citation, "en")
    assert 'href="?objective=x%22+onmouseover%3D%22alert%281%29&amp;lang=en"' in html
    assert '>x&quot; onmouseover=&quot;alert(1)</a>' in html
    assert "onmouseover=\"" not in html


def test_prose_citation_has_no_objective_link():
    html = render.citation_html({"rank": 3, "objective_id": None, "passage_id": "PNS16-P5-2", "text": "x"}, "en")
    assert '<span class="pns-id">PNS16-P5-2</span>' in html and "href" not in html


def test_score_breakdown_for_catalogue_and_retrieval():
    assert render.score_breakdown({"score": 1.0, "scores": {"source": "catalogue"}}, "en") == (
        "Score 1.0000 · taken from the catalogue of objectives"
    )
    scores = {"fused": 0.8123, "signals": {"bm25": {"rank": None, "score": None},
                                           "e5": {"rank": 3, "score": 0.86234}, "route": {"rank": 1, "score": 0.5}}}
    assert render.score_breakdown({"score": 0.8123, "scores": scores}, "nl") == (
        "Score 0.8123 · fusie 0.8123 · lexicaal (BM25) niet gevonden · semantisch (e5) #3 (0.862) · "
        "genoemd thema #1 (0.500)"
    )


def test_sources_panel_states():
    assert render.sources_panel(None, "en") == (
        '<div class="pns-panel pns-sources"><h3>Sources</h3><p class="pns-muted">'
        "The passages the answer quotes will appear here.</p></div>"
    )
    assert "This answer quotes no passage." in render.sources_panel({"citations": []}, "en")
    panel = render.sources_panel(hostile_answer("q").to_dict(), "fr")
    assert panel.count('<li class="pns-citation"') == 1
    assert "<script" not in panel


# -- links ------------------------------------------------------------------------------------------------------------------------------


def test_app_links_are_relative_and_encoded():
    assert render.app_href("nl", objective="PNS16-B4.2-1") == "?objective=PNS16-B4.2-1&lang=nl"
    assert render.app_href("fr", actor="Banc d'épreuves & co") == "?actor=Banc+d%27%C3%A9preuves+%26+co&lang=fr"
    assert render.app_href(None, objective="") == "?"


# -- objective card, themes, actors (real corpus) ---------------------------------------------------------------------------


def test_objective_card_of_a_real_objective(real_corpus):
    html = render.objective_card(real_corpus, "pns16-a4-12", "en")  # ids are case-insensitive
    assert '<span class="pns-id">PNS16-A4-12</span> — Objective 12' in html
    # The actors it names are marked in the text and linked to the actor lookup.
    assert ("Intensifier l&#x27;utilisation des informations que la <mark>CTIF</mark> transmet à la "
            "<mark>police intégrée</mark>.") in html
    assert '<a href="?actor=CTIF+%28Cellule+de+traitement' in html
    assert "<dt>Source</dt><dd>Plan national de sécurité 2016-2019 — Version simplifiée · l. " in html
    assert "The plan&#x27;s own wording, in French." in html
    # The other 16 objectives of A4, each linked, the card's own objective not repeated.
    assert "The other objectives of “A4 Proceeds-oriented approach (asset recovery)”" in html
    others = re.findall(r'href="\?objective=(PNS16-A4-\d+)&amp;lang=en"', html)
    assert len(others) == 16 and "PNS16-A4-12" not in others


def test_objective_card_notes_a_reviewed_correction(real_corpus):
    html = render.objective_card(real_corpus, "PNS16-B3.5-2", "fr")
    assert "Place rétablie par une correction relue du texte source : Item 2 of" in html


def test_objective_card_for_nothing_or_an_unknown_id(real_corpus):
    assert "Saisissez un identifiant" in render.objective_card(real_corpus, None, "fr")
    html = render.objective_card(real_corpus, "<script>alert(1)</script>", "fr")
    assert "Aucun objectif « &lt;script&gt;alert(1)&lt;/script&gt; »" in html


def test_plan_tree_lists_parts_themes_groups_and_every_objective(real_corpus):
    html = render.plan_tree(real_corpus, "fr")
    assert "<h4>A. Thèmes transversaux</h4>" in html and "<h4>B. Phénomènes de sécurité</h4>" in html
    assert len(re.findall(r'<details><summary><a href="\?theme=[AB]\d+&amp;lang=fr"', html)) == 17
    assert len(re.findall(r'href="\?objective=PNS16-', html)) == 225
    assert '<a href="?theme=B4.2&amp;lang=fr">B4.2 Fraude fiscale</a> <span class="pns-muted">(8 objectifs)</span>' in html
    assert '<a href="?theme=A5.5&amp;lang=fr">' in html and "(aucun objectif)" in html


def test_theme_choices_in_plan_order_with_translated_titles(real_corpus):
    choices = render.theme_choices(real_corpus, "nl")
    keys = [key for _, key in choices]
    assert keys[:3] == ["A1", "A2", "A3"] and keys.index("B4.1") == keys.index("B4") + 1
    assert ("B9 — Verkeersveiligheid", "B9") in choices


def test_theme_objectives_of_a_theme_with_groups(real_corpus):
    html = render.theme_objectives(real_corpus, "b4", "fr")
    assert html.startswith('<div class="pns-panel pns-theme"><h3>B4 Fraude sociale et fiscale '
                           '<span class="pns-muted">(17 objectifs)</span></h3>')
    assert html.count("<h4>") == 2 and "<h4>B4.2 Fraude fiscale</h4>" in html
    numbers = re.findall(r'<li value="(\d+)"><a class="pns-id" href="\?objective=PNS16-B4\.2-', html)
    assert numbers == [str(n) for n in range(1, 9)]
    assert "<strong>But</strong> — Contribuer à la saisie" in html


def test_theme_objectives_unknown_or_empty(real_corpus):
    assert "Choisissez un thème" in render.theme_objectives(real_corpus, None, "fr")
    assert render.theme_objectives(real_corpus, "<b>", "en") == (
        '<div class="pns-panel"><p>No theme or sub-group “&lt;B&gt;”; codes look like B5, A3 or B4.2.</p></div>'
    )


def test_actor_results_grouped_by_theme_with_marks(real_corpus):
    html = render.actor_results(real_corpus, "ctif", "fr")
    assert re.findall(r'href="\?objective=(PNS16-[^"&]+)&amp;lang=fr"', html) == ["PNS16-A4-5", "PNS16-A4-12"]
    assert '<a href="?theme=A4&amp;lang=fr">A4 Approche axée sur le butin</a>' in html
    assert "que la <mark>CTIF</mark> transmet" in html
    assert "<h4>Objectifs qui le citent (2 objectifs)</h4>" in html


def test_actor_results_for_no_match_and_empty_query(real_corpus):
    assert render.actor_results(real_corpus, "<b>Zorro</b>", "en") == (
        '<div class="pns-panel"><p>No actor of the index matches “&lt;b&gt;Zorro&lt;/b&gt;”.</p></div>'
    )
    assert "Index of actors and systems" in render.actor_results(real_corpus, "  ", "en")


def test_actor_choices_cover_the_index(real_corpus):
    choices = render.actor_choices(real_corpus)
    assert len(choices) == len(real_corpus.actors) and choices[0] in {a.name for a in real_corpus.actors}


# -- a corpus whose text holds HTML ---------------------------------------------------------------------------------------------


def test_hostile_corpus_is_escaped_everywhere(hostile_corpus):
    views = [
        render.objective_card(hostile_corpus, "TNY-B1-1", "fr"),
        render.plan_tree(hostile_corpus, "fr"),
        render.theme_objectives(hostile_corpus, "B1", "fr"),
        render.theme_objectives(hostile_corpus, "B1.1", "fr"),
        render.actor_results(hostile_corpus, "CTIF", "fr"),
        render.actor_overview(hostile_corpus, "fr"),
    ]
    for html in views:
        assert not re.search(r"<(script|img|b|i)[\s>]", html, re.IGNORECASE), html
    assert "Mieux lutter contre &lt;script&gt;alert(1)&lt;/script&gt; la criminalité." in views[0]
    assert "Le niveau local &lt;img src=x onerror=alert(1)&gt; est essentiel." in views[3]
    assert "Assurer des enquêtes de qualité avec la <mark>CTIF</mark> &amp; Europol." in views[4]


def test_api_payloads(real_corpus):
    payload = render.objective_payload(real_corpus, "PNS16-A4-12")
    assert payload["objective"]["id"] == "PNS16-A4-12"
    assert payload["group"]["key"] == "A4" and len(payload["group"]["objectives"]) == 17
    assert [a["id"] for a in payload["actors"]] == ["ctif", "police-integree"]
    actors = render.actor_payload(real_corpus, "CTIF")
    assert actors["actors"][0]["name"].startswith("CTIF")
    assert [o["id"] for t in actors["actors"][0]["themes"] for o in t["objectives"]] == ["PNS16-A4-5", "PNS16-A4-12"]
    assert render.actor_payload(real_corpus, "nobody at all") == {"query": "nobody at all", "actors": []}


EVAL_SUMMARY = {
    "meta": {"date": "2026-12-02T18:45:27+00:00", "questions": 3, "embedder": "e5@x <b>", "fusion": "convex",
             "weights": {"bm25": 0.4, "e5": 0.6}, "index_units": 12},
    "modes": {"bm25": {"hit@1": 0.5, "hit@5": 1.0, "abstention_accuracy": 0.0, "latency_p50_ms": 0.63},
              "assistant": {"hit@1": 0.8171, "hit@5": 1.0, "abstention_accuracy": 1.0, "latency_p95_ms": 46.19}},
    "by": {"assistant": {"language": {"nl": {"hit@1": 0.75}, "fr": {"hit@1": 1.0}},
                         "theme": {"": {"hit@1": 0.0}, "B5": {"hit@1": 1.0}}},
           "bm25": {"language": {"fr": {"hit@1": 0.5}}}},
}


def test_eval_report_in_the_interface_language():
    html = render.eval_report(EVAL_SUMMARY, "nl")
    assert "<dt>Datum</dt><dd>2026-12-02 18:45 UTC</dd>" in html
    assert "<dd>e5@x &lt;b&gt;</dd>" in html and "mailto" not in html and "<b>" not in html
    assert "<dd>convex · bm25 0.4, e5 0.6</dd>" in html
    # assistant first; numbers whole in their cells; a retriever shows no abstention figure
    assert html.index("Volledige assistent") < html.index("Alleen lexicaal (BM25)")
    assert ('<tr><th scope="row">Volledige assistent</th><td>0.817</td><td>1.000</td><td>–</td><td>–</td>'
            "<td>–</td><td>–</td><td>1.000</td><td>–</td><td>–</td><td>–</td><td>46</td></tr>") in html
    assert ('<tr><th scope="row">Alleen lexicaal (BM25)</th><td>0.500</td><td>1.000</td><td>–</td><td>–</td>'
            "<td>–</td><td>–</td><td>–</td><td>–</td><td>–</td><td>1</td><td>–</td></tr>") in html
    assert '<span class="pns-bar pns-bar-hit1" role="img" aria-label="Volledige assistent hit@1 0.817">' \
           '<span class="pns-bar-fill" style="width:81.7%"></span>' in html
    # per language: FR and NL rows; per theme: only named themes
    assert '<th scope="row">FR</th>' in html and '<th scope="row">NL</th>' in html
    assert 'aria-label="B5 hit@1 1.000"' in html and 'aria-label=" hit@1' not in html
    assert render.eval_report(None, "fr") == "" and render.eval_report({"modes": {}}, "fr") == ""


def test_eval_status_lines():
    assert "« Lancer l&#x27;évaluation »" in render.eval_status("none", "fr")
    running = render.eval_status("running", "en", done=150, total=800, mode="dense", seconds=12.4)
    assert running == ('<div class="pns-panel pns-eval-status" role="status"><progress max="800" value="150">'
                       "</progress> Evaluation running: 150 / 800 (Semantic only, 12 s)…</div>")
    assert "De evaluatie is mislukt: pns: no index &lt;x&gt;" in render.eval_status(
        "failed", "nl", message="pns: no index <x>")
    assert render.eval_status("done", "fr", seconds=61).endswith("Évaluation terminée en 61 s.</div>")


def test_translations_are_labelled_and_escaped(real_corpus):
    assert render.translation_html("Tekst <b>&</b>", "nl", "fr") == (
        '<p class="pns-translation" lang="nl"><span class="pns-label">Traduction non officielle : </span>'
        "Tekst &lt;b&gt;&amp;&lt;/b&gt;</p>")
    assert render.translation_html(None, "nl", "nl") == ""
    citation = {"rank": 1, "objective_id": "PNS16-B5-1", "text": "Mieux lutter",
                "translation": {"language": "nl", "text": "Beter bestrijden"}}
    assert render.translation_html("Beter bestrijden", "nl", "en") in render.citation_html(citation, "en")
    dutch = real_corpus.translation("PNS16-A4-12", "nl")
    card = render.objective_card(real_corpus, "PNS16-A4-12", "nl")
    assert render.translation_html(dutch, "nl", "nl") in card
    assert "pns-translation" not in render.objective_card(real_corpus, "PNS16-A4-12", "fr")
    assert render.translation_html(dutch, "nl", "nl") in render.theme_objectives(real_corpus, "A4", "nl")


def test_actor_matrix_counts_link_to_those_objectives(real_corpus):
    """Each cell of the actor × theme map counts what the actor's own view lists for that theme, and links there."""
    import re

    html = render.actor_matrix(real_corpus, "fr")
    cells = re.findall(r'<a href="\?actor=([^&"]+)&amp;theme=([A-B]\d+)&amp;lang=fr" title="[^"]*" '
                       r'aria-label="[^"]*">(\d+)</a>', html)
    assert len(cells) > 40
    from urllib.parse import unquote_plus

    for name, theme, count in cells:
        view = render.actor_results(real_corpus, unquote_plus(name), "fr", theme=theme)
        assert view.count('<li><a class="pns-id"') == int(count), (name, theme)
    assert '<th scope="rowgroup" colspan="14">Police</th>' in html
    assert ('<a href="?actor=CTIF+%28Cellule+de+traitement+de+l%27information+financi%C3%A8re%29&amp;theme=A4&amp;'
            'lang=fr"') in html
    assert "&amp;theme=A4&amp;lang=nl" in render.actor_matrix(real_corpus, "nl")
    assert "Tous les objectifs qui nomment CTIF" in render.actor_results(real_corpus, "CTIF", "fr", theme="A4")


def test_a_theme_of_an_outline_document_renders_and_exports(settings):
    """A full-length plan's themes are its numbered headings ("1.2"): the theme view and the trainer's export
    find them like the simplified plan's B4.2, dots and all."""
    from corpus.actors import load_actors
    from corpus.catalogue import Corpus
    from pns.settings import REPO_ROOT
    from tests.corpus.conftest import parse_text
    from tests.corpus.test_full_pdf import OUTLINE_TEXT

    plan = parse_text(OUTLINE_TEXT)
    corpus = Corpus(settings, [plan.document], [plan], {}, load_actors(REPO_ROOT / "corpus" / "actors.toml"),
                    "test", {p.id: p for p in plan.passages})
    assert corpus.group_key("1.2") == "1.2" and corpus.theme_of("1.2").code == "1.2"
    html = render.theme_objectives(corpus, "1.2", "fr")
    assert "<h3>1.2 Introduction — Objectifs" in html and html.count('<li value="') == 3
    markdown = export.group_markdown(corpus, "1.2", "fr")
    assert markdown.startswith("# 1\\.2 Introduction — Objectifs\n")  # escaped: "1." opens no list
    assert "1. Renforcer l'échange d'informations." in markdown
