"""Full-length plan PDFs: the synthetic 123-page French plan and a 23-page Dutch one (tests/corpus/fullpdf.py),
read through the loader, the layout cleaning and the outline parser, compared with what the generator wrote.

The generator's record (headings, paragraphs, items, hyphenations, pages) is the expected value; a few values are
also written out here by hand (heading paths, ids, counts) so a change in the generator cannot hide a regression.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from corpus.layout import (
    LayoutReport,
    Removed,
    _cells,
    _join_hyphenations,
    _reading_order,
    _split_footnotes,
    clean_pages,
)
from corpus.loaders import read_pdf
from corpus.outline import PASSAGE_MAX_CHARS, split_sentences_at
from corpus.structure import Plan, parse_document
from pns.cli import main
from tests.corpus.conftest import doc_info, manifest_entry, parse_text
from tests.corpus.fullpdf import FullDoc, build_full_pdf


@dataclass
class Parsed:
    doc: FullDoc
    plan: Plan
    layout: LayoutReport


def _parse(path: Path, language: str, scale: int) -> Parsed:
    doc = build_full_pdf(path, language, scale=scale)
    lines, layout = read_pdf(path)
    plan = parse_document(doc_info(code="FULL", file=path.name, language=language), lines, [], None, layout)
    return Parsed(doc, plan, layout)


@pytest.fixture(scope="session")
def full_fr(tmp_path_factory: pytest.TempPathFactory) -> Parsed:
    """Generated once per session: about 2 s to write, 3 s to read."""
    return _parse(tmp_path_factory.mktemp("full") / "plan-integral.fr.pdf", "fr", 11)


@pytest.fixture(scope="session")
def full_nl(tmp_path_factory: pytest.TempPathFactory) -> Parsed:
    return _parse(tmp_path_factory.mktemp("full") / "plan-volledig.nl.pdf", "nl", 3)


@pytest.fixture(params=["fr", "nl"])
def parsed(request: pytest.FixtureRequest) -> Parsed:
    return request.getfixturevalue(f"full_{request.param}")


def _norm(text: str) -> str:
    return " ".join(re.sub("[¹²³⁴⁵⁶⁷⁸⁹]", "", text).split())


def _body(plan: Plan) -> list:
    return [p for p in plan.passages if p.kind == "prose" and "-note-" not in p.id]


# -- the document as generated -------------------------------------------------------------------------------------
def test_generated_documents_have_the_defects(full_fr: Parsed, full_nl: Parsed) -> None:
    fr, nl = full_fr.doc, full_nl.doc
    assert (fr.pages, nl.pages) == (123, 23)
    assert (fr.blank_pages, fr.contents_pages) == ([2, 5, 123], [3, 4])
    assert (len(fr.hyphenated), len(fr.compounds), len(fr.two_column_pages)) == (472, 43, 78)
    assert (len(nl.hyphenated), len(nl.compounds), len(nl.two_column_pages)) == (58, 3, 11)
    # The columns are interleaved row by row in the content stream: plain extraction mixes them up.
    page = fr.two_column_pages[1]
    plain = PdfReader(str(fr.path)).pages[page - 1].extract_text()
    findings = next(s for s in fr.sections if s.two_column and s.page <= page)
    assert _norm(findings.paragraphs[0])[:60] not in _norm(plain)


# -- headings -----------------------------------------------------------------------------------------------------
def test_heading_paths_are_exact(full_fr: Parsed) -> None:
    plan = full_fr.plan
    assert plan.report.headings == {"1": 4, "2": 19, "3": 45}
    paths = {p.path for p in plan.passages}
    assert ("1 Introduction", "1.2 Méthode d'élaboration") in paths
    assert ("3 Phénomènes de sécurité", "3.5 Cybercriminalité et cybersécurité", "3.5.1 Constats") in paths
    assert ("2 Thèmes transversaux", "2.3 Échange d'informations", "2.3.3 Objectifs") in paths
    expected = {full_fr.doc.path_of(s.number) for s in full_fr.doc.sections if s.paragraphs or s.items}
    assert paths == expected | {()}
    # Before the first heading: the cover's lines (its title, the running header's text, is taken off).
    assert [(p.id, p.text, p.location.label()) for p in plan.passages if not p.path] == [
        ("FULL-0-text-1", "Version intégrale — document synthétique de test", "p. 1"),
        ("FULL-0-text-2", "Texte inventé pour les tests : il ne reproduit aucun plan officiel.", "p. 1")]


def test_dutch_heading_paths_are_exact(full_nl: Parsed) -> None:
    plan = full_nl.plan
    assert plan.report.headings == {"1": 4, "2": 7, "3": 15}
    assert sorted({p.path for p in plan.objectives}) == [
        ("2 Transversale thema's", "2.1 Bestuurlijke aanpak", "2.1.3 Doelstellingen"),
        ("2 Transversale thema's", "2.2 Informatie-uitwisseling", "2.2.3 Doelstellingen"),
        ("3 Veiligheidsfenomenen", "3.1 Drugs", "3.1.3 Doelstellingen"),
        ("3 Veiligheidsfenomenen", "3.2 Cybercriminaliteit en cyberveiligheid", "3.2.3 Doelstellingen"),
        ("3 Veiligheidsfenomenen", "3.3 Sociale en fiscale fraude", "3.3.3 Doelstellingen"),
    ]
    assert {p.language for p in plan.passages} == {"nl"}


def test_text_under_every_heading_is_the_text_written_there(parsed: Parsed) -> None:
    """Headers, footers, contents and footnotes out, hyphenations joined, columns in reading order: the prose
    under each heading is exactly the paragraphs the generator wrote under it, in their order."""
    for section in parsed.doc.sections:
        path = parsed.doc.path_of(section.number)
        got = " ".join(p.text for p in _body(parsed.plan) if p.path == path)
        assert _norm(got) == _norm(" ".join(section.paragraphs)), section.number


def test_passages_never_cross_a_heading_and_are_bounded(full_fr: Parsed) -> None:
    headings = {f"{s.number} {s.title}" for s in full_fr.doc.sections}
    for passage in full_fr.plan.passages:
        assert len(passage.text) <= PASSAGE_MAX_CHARS
        assert not any(line in headings for line in passage.text.split("\n")), passage.id
        assert not re.search(r"(^|\s)\d\.\d(\.\d)? [A-ZÉ]", passage.text), passage.id
    assert len(full_fr.plan.passages) == 770


def test_sentence_pieces_of_a_long_paragraph() -> None:
    text = "Une phrase courte. Une deuxième phrase un peu plus longue. Trois."
    assert split_sentences_at(text, 40) == [(0, 18), (19, 58), (59, 65)]
    assert split_sentences_at(text, 60) == [(0, 58), (59, 65)]
    assert split_sentences_at("mot " * 5 + "fin", 10) == [(0, 7), (8, 15), (16, 23)]


# -- what must not be in any passage ------------------------------------------------------------------------------
def test_no_running_header_footer_or_contents_text_in_passages(parsed: Parsed) -> None:
    running = set(parsed.doc.running)
    for passage in parsed.plan.passages:
        for line in passage.text.split("\n"):
            assert line not in running, passage.id
        assert not re.search(r"— \d+ —", passage.text), passage.id
        assert "...." not in passage.text and "Table des matières" not in passage.text, passage.id
        assert "Inhoudstafel" not in passage.text, passage.id
    layout = parsed.layout
    assert layout.blank_pages == parsed.doc.blank_pages
    assert layout.contents_pages == parsed.doc.contents_pages
    assert len(layout.contents_entries) == sum(s.level <= 2 for s in parsed.doc.sections)


def test_layout_report_of_the_french_plan(full_fr: Parsed) -> None:
    layout = full_fr.layout
    assert layout.running_lines == ["1. Introduction", "2. Thèmes transversaux", "3. Phénomènes de sécurité",
                                    "Plan national de sécurité 2016-2019"]
    assert (layout.headers_removed, layout.footers_removed) == (119, 119)
    assert layout.removed[:3] == [Removed(1, "header", "Plan national de sécurité 2016-2019"),
                                  Removed(3, "footer", "— 3 —"),
                                  Removed(4, "header", "Plan national de sécurité 2016-2019")]
    assert layout.contents_entries[:3] == [("1", "Introduction", 6), ("1.1", "Contexte général", 6),
                                           ("1.2", "Méthode d'élaboration", 9)]
    assert layout.contents_entries == [(s.number, s.title, s.page) for s in full_fr.doc.sections if s.level <= 2]
    assert layout.two_column_pages == full_fr.doc.two_column_pages
    assert (layout.footnotes, layout.table_rows, layout.bullets) == (10, 5, 60)
    assert full_fr.plan.report.warnings == []


def test_hyphenated_words_are_joined_and_compounds_kept(parsed: Parsed) -> None:
    text = "\n".join(p.text for p in parsed.plan.passages)
    assert parsed.layout.hyphenations_joined == len(parsed.doc.hyphenated)
    assert parsed.layout.hyphenations_kept == len(parsed.doc.compounds)
    for _page, printed, word in parsed.doc.hyphenated:
        head, tail = printed.split("|")
        assert f"{head}{tail}" not in text and f"{head} " not in text, printed
        assert word in text
    for _page, compound in parsed.doc.compounds:
        assert compound in text


def test_hyphenation_follows_the_documents_vocabulary() -> None:
    lines: list[str | None] = ["La crimi-", "nalité augmente.", "La criminalité baisse; le socio-",
                               "économique compte, comme le socio-économique.", "Les politie-",
                               "en veiligheidsdiensten, le bien-", "être et la Nord-", "Sud. Le bien-être."]
    report = LayoutReport()
    _join_hyphenations(lines, report)
    assert lines == ["La criminalité", "augmente.", "La criminalité baisse; le socio-économique",
                     "compte, comme le socio-économique.", "Les politie-", "en veiligheidsdiensten, le bien-être",
                     "et la Nord-Sud.", "Le bien-être."]
    assert (report.hyphenations_joined, report.hyphenations_kept, report.joined_words) == (1, 3, ["criminalité"])


# -- two columns ---------------------------------------------------------------------------------------------------
def test_two_column_rows_read_left_column_then_right() -> None:
    rows = ["Titre sur toute la largeur de la page, qui traverse la gouttière",
            "",
            "gauche un, la suite            droite un, la suite",
            "gauche deux, encore            droite deux, encore",
            "gauche trois.                  droite trois.",
            "",
            "Pied de bloc sur toute la largeur, qui traverse aussi la gouttière"]
    assert [line.strip() for line in _reading_order(rows, 28)] == [
        "Titre sur toute la largeur de la page, qui traverse la gouttière", "",
        "gauche un, la suite", "gauche deux, encore", "gauche trois.", "",
        "droite un, la suite", "droite deux, encore", "droite trois.", "",
        "Pied de bloc sur toute la largeur, qui traverse aussi la gouttière"]


def test_two_column_sections_in_reading_order(full_fr: Parsed) -> None:
    section = next(s for s in full_fr.doc.sections if s.number == "3.5.1")
    assert section.two_column
    got = _norm(" ".join(p.text for p in _body(full_fr.plan) if p.path == full_fr.doc.path_of("3.5.1")))
    positions = [got.index(_norm(paragraph)) for paragraph in section.paragraphs]
    assert positions == sorted(positions) and len(positions) == 23


# -- items, footnotes, tables, pages -------------------------------------------------------------------------------
def test_numbered_objectives_are_items_with_ids_and_pages(parsed: Parsed) -> None:
    for section in parsed.doc.sections:
        path = parsed.doc.path_of(section.number)
        got = [(o.text, o.location.page) for o in parsed.plan.objectives if o.path == path]
        assert got == section.items, section.number
        assert [o.id for o in parsed.plan.objectives if o.path == path] == [
            f"FULL-{section.number}-{n}" for n in range(1, len(section.items) + 1)]
    # The list after "Le plan poursuit trois ambitions :" is part of the prose, not items.
    assert not [o for o in parsed.plan.objectives if o.path[-1].startswith("1.")]


def test_french_items_by_hand(full_fr: Parsed) -> None:
    plan = full_fr.plan
    assert len(plan.objectives) == 122
    first = plan.objectives[0]
    assert (first.id, first.theme, first.number, first.location.label()) == ("FULL-2.1.3-1", "2.1.3", 1, "p. 24")
    assert first.theme_title == "Approche administrative — Objectifs"
    assert [t.code for t in plan.themes][:3] == ["2.1.3", "2.2.3", "2.3.3"]


def test_footnotes_are_passages_of_their_own(parsed: Parsed) -> None:
    for section in parsed.doc.sections:
        path = parsed.doc.path_of(section.number)
        notes = [p.text for p in parsed.plan.passages if p.path == path and "-note-" in p.id]
        assert notes == [n.split(" ", 1)[1] for n in section.footnotes], section.number
    body = " ".join(p.text for p in _body(parsed.plan))
    assert "Source synthétique" not in body and "Synthetische bron" not in body


def test_table_is_kept_as_rows(full_fr: Parsed) -> None:
    table = [p.text for p in full_fr.plan.passages if p.text.startswith("Indicateur")]
    assert table == ["Indicateur · Source · Fréquence\nFaits enregistrés · Banque de données · Annuelle\n"
                     "Dossiers clôturés · Parquets · Semestrielle\nVictimes orientées · Services d'aide · Annuelle\n"
                     "Formations suivies · Académies · Trimestrielle"]


def test_table_cells_list_marks_and_justified_gaps() -> None:
    assert _cells("Indicateur      Source      Fréquence") == ("Indicateur\tSource\tFréquence", 1)
    assert _cells("Faits enregistrés        Annuelle") == ("Faits enregistrés\tAnnuelle", 1)
    assert _cells("1.    Renforcer l'échange") == ("1. Renforcer l'échange", 0)
    assert _cells(" •    la prévention") == ("• la prévention", 0)
    assert _cells("3.2     Cybercriminalité") == ("3.2 Cybercriminalité", 0)
    # Three spaces left by justification between two words are no table.
    assert _cells("des   phrases  plausibles") == ("des phrases plausibles", 0)


def test_footnotes_are_told_from_a_last_paragraph() -> None:
    body = ["Le texte du corps de la page.", "", "", ""]
    assert _split_footnotes([*body, "¹ Source : rapport.", "suite de la note."]) == (
        body[:1], ["¹ Source : rapport. suite de la note."])
    assert _split_footnotes([*body, "2 Voir le rapport annuel.", "(3) Idem."]) == (body[:1], ["² Voir le rapport annuel.",
                                                                                            "³ Idem."])
    last = [*body, "2 millions d'euros ont été saisis."]
    assert _split_footnotes(last) == (last, [])
    near = ["Le texte.", "", "¹ Pas une note : un seul blanc avant."]
    assert _split_footnotes(near) == (near, [])


def test_bullets_are_normalised(full_fr: Parsed) -> None:
    bullets = [p.text for p in full_fr.plan.passages if p.text.startswith("- ")]
    assert len(bullets) == 15
    assert bullets[0].split("\n")[:2] == ["- la prévention et la sensibilisation", "- la détection et l'enquête"]
    assert all(not re.search(r"[•▪–]", b) for b in bullets)


def test_citation_pages_are_where_the_text_is_printed(parsed: Parsed) -> None:
    for section in parsed.doc.sections:
        passages = [p for p in _body(parsed.plan) if p.path == parsed.doc.path_of(section.number)]
        if passages:
            assert passages[0].location.page == section.text_page, section.number
            assert passages[0].location.label() == f"p. {section.text_page}"


OUTLINE_TEXT = """1 Introduction

Le plan décrit la méthode.

1.1 Contexte

Le contexte est décrit ici.

1.2 Objectifs

La police poursuit les objectifs suivants :

1. Renforcer l'échange d'informations.
2. Sensibiliser les citoyens
3. Former les enquêteurs
spécialisés.

1.1 Retour en arrière

2 Phénomènes

2.1 Drogues

Les priorités sont les suivantes :

1. Une approche intégrée.
2. Une approche locale.

3.1 Orphelin

¹ Une note de bas de page.
"""


def test_outline_of_a_text_document_without_contents() -> None:
    """Items under "Objectifs" even after a lead ending in ":" (item 2 has no final period and is no chapter);
    elsewhere such a list stays in the prose; numbers that do not follow the outline are text, with a warning."""
    plan = parse_text(OUTLINE_TEXT)
    assert [(p.id, p.kind, p.path, p.text, p.location.label()) for p in plan.passages] == [
        ("TST-1-text-1", "prose", ("1 Introduction",), "Le plan décrit la méthode.", "l. 3"),
        ("TST-1.1-text-1", "prose", ("1 Introduction", "1.1 Contexte"), "Le contexte est décrit ici.", "l. 7"),
        ("TST-1.2-text-1", "prose", ("1 Introduction", "1.2 Objectifs"), "La police poursuit les objectifs suivants :",
         "l. 11"),
        ("TST-1.2-1", "objective", ("1 Introduction", "1.2 Objectifs"), "Renforcer l'échange d'informations.", "l. 13"),
        ("TST-1.2-2", "objective", ("1 Introduction", "1.2 Objectifs"), "Sensibiliser les citoyens", "l. 14"),
        ("TST-1.2-3", "objective", ("1 Introduction", "1.2 Objectifs"), "Former les enquêteurs spécialisés.",
         "l. 15-16"),
        ("TST-1.2-text-2", "prose", ("1 Introduction", "1.2 Objectifs"), "1.1 Retour en arrière", "l. 18"),
        ("TST-2.1-text-1", "prose", ("2 Phénomènes", "2.1 Drogues"),
         "Les priorités sont les suivantes : 1. Une approche intégrée. 2. Une approche locale.", "l. 24-27"),
        ("TST-2.1-text-2", "prose", ("2 Phénomènes", "2.1 Drogues"), "3.1 Orphelin", "l. 29"),
        ("TST-2.1-note-1", "prose", ("2 Phénomènes", "2.1 Drogues"), "Une note de bas de page.", "l. 31"),
    ]
    assert plan.report.headings == {"1": 2, "2": 3, "3": 0}
    assert plan.report.warnings == [
        "TST: '1.1 Retour en arrière' (l. 18) is shaped like a heading but its number does not follow "
        "'1 Introduction › 1.2 Objectifs'; kept as text",
        "TST: '3.1 Orphelin' (l. 29) is shaped like a heading but its number does not follow "
        "'2 Phénomènes › 2.1 Drogues'; kept as text"]
    assert [(t.code, t.title) for t in plan.themes] == [("1.2", "Introduction — Objectifs")]


# -- contents pages as a unit --------------------------------------------------------------------------------------
def test_contents_page_is_recognised_and_kept_out() -> None:
    pages = ["Table des matières\n\n1 Introduction ........ 3\n1.1 Contexte ...... 3\n2 Suivi ....... 4",
             "1 Introduction\n\nLe texte commence ici.", "2 Suivi\n\nLe suivi est annuel."]
    body, report = clean_pages(pages)
    assert report.contents_pages == [1]
    assert report.contents_entries == [("1", "Introduction", 3), ("1.1", "Contexte", 3), ("2", "Suivi", 4)]
    assert [text for _, text in body] == ["1 Introduction", "", "Le texte commence ici.", "", "2 Suivi", "",
                                          "Le suivi est annuel."]


def test_running_lines_come_off_each_edge_once() -> None:
    pages = ["1 Introduction\n\n1 Introduction\n\nTexte un.\n\n— 1 —",
             "1 Introduction\n\nTexte deux.\n\n— 2 —", "1 Introduction\n\nTexte trois.\n\nPage 3 / 3"]
    body, report = clean_pages(pages)
    # The running header has the chapter heading's text: under it on page 1, the heading itself stays.
    assert [text for _, text in body] == ["1 Introduction", "", "Texte un.", "", "Texte deux.", "", "Texte trois."]
    assert report.removed == [Removed(1, "header", "1 Introduction"), Removed(1, "footer", "— 1 —"),
                              Removed(2, "header", "1 Introduction"), Removed(2, "footer", "— 2 —"),
                              Removed(3, "header", "1 Introduction"), Removed(3, "footer", "Page 3 / 3")]
    assert report.running_lines == ["1 Introduction"]


# -- pns corpus check ----------------------------------------------------------------------------------------------
def test_corpus_check_reports_the_pdf(full_nl: Parsed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "corpus"
    (root / "documents").mkdir(parents=True)
    data = full_nl.doc.path.read_bytes()
    (root / "documents" / "plan.nl.pdf").write_bytes(data)
    (root / "manifest.toml").write_text(
        manifest_entry("plan.nl.pdf", hashlib.sha256(data).hexdigest(), language="nl", code="NVPF"),
        encoding="utf-8")
    for name in ("actors.toml", "glossary.toml"):
        (root / name).write_text((Path(__file__).parents[2] / "corpus" / name).read_text(encoding="utf-8"),
                                 encoding="utf-8")
    monkeypatch.setenv("PNS_CORPUS_DIR", str(root))
    assert main(["corpus", "check"]) == 0
    out = capsys.readouterr().out.splitlines()
    start = out.index("test-doc: structure recognised; no parts; 5 themes, 42 objectives, 127 passages")
    assert out[start + 1:start + 5] == [
        "  layout: 23 pages; 3 blank (p. 2, 5, 23); 2 contents pages skipped (p. 3-4, 11 entries); 18 header and "
        "19 footer lines removed (running: '2. Transversale thema's', '3. Veiligheidsfenomenen', "
        "'Nationaal Veiligheidsplan 2016-2019')",
        "  layout: 11 two-column pages (p. 8-9, 11-12, 14-20); 58 hyphenations joined, 3 hyphenated compounds "
        "kept; 20 bullets; 4 table rows; 4 footnotes",
        "  headings: level 1: 4 · level 2: 7 · level 3: 15; 42 numbered items; 127 passages",
        "  WARNING: NVPF: '1. Inleiding' (p. 7) repeats the chapter heading; dropped as a running header",
    ]
    assert main(["corpus", "check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["reports"][0]
    assert report["headings"] == {"1": 4, "2": 7, "3": 15}
    assert report["layout"]["contents_pages"] == [3, 4]
    assert report["layout"]["removed"][:2] == [[1, "header", "Nationaal Veiligheidsplan 2016-2019"],
                                               [3, "footer", "— 3 —"]]
