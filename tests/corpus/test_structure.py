"""The plan parser on small fixture texts, with every id, path, number, group and passage kind written out."""

from __future__ import annotations

from dataclasses import replace

from corpus.catalogue import load_corrections
from corpus.loaders import _lines_from_text
from corpus.structure import Correction, parse_document, smart_case
from tests.corpus.conftest import FIXTURES, doc_info, parse_text

MINI = (FIXTURES / "mini_plan.txt").read_text(encoding="utf-8")
MISORDERED = (FIXTURES / "misordered_plan.txt").read_text(encoding="utf-8")
PROSE = (FIXTURES / "report_prose.txt").read_text(encoding="utf-8")
CORRECTIONS = load_corrections(FIXTURES / "misordered_corrections.toml")

A1 = "A1 Coopération internationale"
B1 = "B1 Cybercrime et cybersecurity"
B2 = "B2 Fraude sociale et fiscale"
HEADER = "B. Phénomènes\n\n1. CYBERCRIME\n\nBut du thème.\n\n"


# -- a small plan: parts, sections, themes, numbered and plain sub-headings, objectives, prose ---------------------

def test_mini_plan_objectives() -> None:
    plan = parse_text(MINI)
    rows = [(o.id, o.number, o.group_key, o.path, o.text, o.location.label()) for o in plan.objectives]
    assert rows == [
        ("TST-A1.1-1", 1, "A1.1", (A1, "Au niveau belge"), "Sensibiliser le personnel policier.", "l. 21"),
        ("TST-A1.1-2", 2, "A1.1", (A1, "Au niveau belge"), "Actualiser les règles des canaux d'échange.", "l. 22"),
        ("TST-A1.2-3", 3, "A1.2", (A1, "Au niveau des pays voisins"),
         "Optimiser la coopération transfrontalière.", "l. 26"),
        ("TST-B1-1", 1, "B1", (B1,), "Mieux lutter contre la criminalité grâce à la prévention.", "l. 40"),
        ("TST-B1-2", 2, "B1", (B1,), "Réaliser une image performante du phénomène.", "l. 41"),
        ("TST-B2.1-1", 1, "B2.1", (B2, "Fraude sociale"), "Prévenir les acteurs-clés.", "l. 49"),
        ("TST-B2.1-2", 2, "B2.1", (B2, "Fraude sociale"), "Optimiser l'échange d'informations.", "l. 50"),
        ("TST-B2.2-1", 1, "B2.2", (B2, "Fraude fiscale"), "Établir une image de la fraude à la TVA.", "l. 54"),
    ]
    assert {o.document for o in plan.objectives} == {"test-doc"}
    assert {o.corrected for o in plan.objectives} == {""}


def test_mini_plan_themes_and_groups() -> None:
    plan = parse_text(MINI)
    assert [(t.code, t.title, t.goal) for t in plan.themes] == [
        ("A1", "Coopération internationale", "Utiliser les instruments de coopération policière internationale."),
        ("B1", "Cybercrime et cybersecurity", "Organiser des mesures coordonnées contre la cybercriminalité."),
        ("B2", "Fraude sociale et fiscale", "Contribuer à la saisie du produit des activités illicites."),
    ]
    assert [(g.key, g.index, g.title) for t in plan.themes for g in t.groups] == [
        ("A1.1", 1, "Au niveau belge"),
        ("A1.2", 2, "Au niveau des pays voisins"),
        ("A1.3", 3, "Intégration dans la pratique quotidienne"),
        ("B2.1", 1, "Fraude sociale"),
        ("B2.2", 2, "Fraude fiscale"),
    ]


def test_mini_plan_passages_in_document_order() -> None:
    plan = parse_text(MINI)
    rows = [(p.id, p.kind, p.path, p.location.label()) for p in plan.passages]
    assert rows == [
        ("TST-P1-1", "prose", ("Partie 1: Introduction", "Avant-propos"), "l. 7"),
        ("TST-A1-goal", "goal", (A1,), "l. 17"),
        ("TST-A1.1-1", "objective", (A1, "Au niveau belge"), "l. 21"),
        ("TST-A1.1-2", "objective", (A1, "Au niveau belge"), "l. 22"),
        ("TST-A1.2-3", "objective", (A1, "Au niveau des pays voisins"), "l. 26"),
        ("TST-A1-text-1", "prose", (A1, "Intégration dans la pratique quotidienne"), "l. 30"),
        ("TST-B1-goal", "goal", (B1,), "l. 38"),
        ("TST-B1-1", "objective", (B1,), "l. 40"),
        ("TST-B1-2", "objective", (B1,), "l. 41"),
        ("TST-B2-goal", "goal", (B2,), "l. 45"),
        ("TST-B2.1-1", "objective", (B2, "Fraude sociale"), "l. 49"),
        ("TST-B2.1-2", "objective", (B2, "Fraude sociale"), "l. 50"),
        ("TST-B2.2-1", "objective", (B2, "Fraude fiscale"), "l. 54"),
        ("TST-P3-1", "prose", ("Partie 3: Suivi et évaluation",), "l. 58"),
    ]
    by_id = {p.id: p for p in plan.passages}
    assert by_id["TST-P1-1"].text == "Le présent plan sert de fixture aux tests. Il contient trois parties."
    assert by_id["TST-A1-text-1"].text == (
        "Les domaines les plus visibles sont les opérations communes et l'échange d'informations.")
    assert by_id["TST-P3-1"].text == "Le suivi des objectifs est annuel."
    assert by_id["TST-B1-1"].objective_id == "TST-B1-1" and by_id["TST-B1-1"].theme == "B1"
    assert by_id["TST-P1-1"].objective_id is None and by_id["TST-P1-1"].theme is None
    assert by_id["TST-A1-text-1"].theme == "A1"


def test_mini_plan_report() -> None:
    report = parse_text(MINI).report
    assert report.document == "test-doc"
    assert report.recognised is True
    assert report.parts == ["Partie 1", "Partie 2", "Partie 3"]
    assert (report.themes, report.objectives, report.passages) == (3, 8, 14)
    assert report.repairs == [] and report.warnings == []


def test_passage_location_spans_its_source_line() -> None:
    plan = parse_text(MINI)
    lines = MINI.split("\n")
    for p in plan.passages:
        loc = p.location
        assert MINI[loc.char_start:loc.char_end] == lines[loc.line_start - 1], p.id
        assert loc.page is None


def test_theme_titles_override() -> None:
    plan = parse_document(doc_info(), _lines_from_text(MINI), [], {"B1": "Cybercriminalité"})
    assert [t.title for t in plan.themes] == ["Coopération internationale", "Cybercriminalité",
                                             "Fraude sociale et fiscale"]
    assert plan.objectives[3].path == ("B1 Cybercriminalité",)


def test_smart_case_keeps_acronyms() -> None:
    assert smart_case("INTERNET ET LES ICT COMME FACILITATEURS") == "Internet et les ICT comme facilitateurs"
    assert smart_case("FRAUDE À LA TVA (UE)") == "Fraude à la TVA (UE)"


def test_wrapped_objective_continues_on_next_line() -> None:
    # The first line is longer than a sub-heading can be (120 characters), so the next line continues it.
    first = ("1. Améliorer l'encodage dans la Banque de données nationale générale des documents d'identité et de "
             "voyage perdus ou volés et")
    assert len(first) - 3 > 120
    plan = parse_text(HEADER + first + "\nassurer leur exportation rapide.\n2. Deux.\n")
    assert [(o.id, o.text, o.location.label()) for o in plan.objectives] == [
        ("TST-B1-1", first[3:] + " assurer leur exportation rapide.", "l. 7-8"),
        ("TST-B1-2", "Deux.", "l. 9"),
    ]
    assert plan.report.warnings == []


def test_numbered_list_in_prose_stays_with_its_lead_sentence() -> None:
    plan = parse_text("Partie 1: Introduction\n\nVoici les sources suivantes:\n\n1. La loi.\n2. Les directives.\n")
    assert [(p.id, p.text) for p in plan.passages] == [
        ("TST-P1-2", "Voici les sources suivantes: 1. La loi. 2. Les directives."),
    ]
    assert plan.passages[0].location.label() == "l. 3-6"


def test_prose_cut_by_a_page_break_is_rejoined() -> None:
    first = ("Ce dernier s'applique aux phénomènes dont la connaissance est insuffisante, que les services ne "
             "maîtrisent pas encore et qui")
    assert len(first) > 120  # longer than a heading, so it is read as the start of a paragraph
    plan = parse_text(f"Partie 1: Introduction\n\n{first}\n\nnécessitent une nouvelle approche.\n")
    assert [(p.id, p.text, p.location.label()) for p in plan.passages] == [
        ("TST-P1-1", f"{first} nécessitent une nouvelle approche.", "l. 3-5"),
    ]


# -- misordered lists and explicit corrections ---------------------------------------------------------------------

def test_fixture_corrections_file_loads() -> None:
    assert [
        Correction("fiscale", "test-doc", "B1", 1, (2, 3), "Partager l'expertise", 2,
                   "Items 2-3 of 'Fraude fiscale' were printed after item 3 of 'Fraude sociale'."),
        Correction("marche", "test-doc", "B2", 1, (2, 2), "Détecter les plantations", 2,
                   "Item 2 of 'Marché local' was printed as item 2 of 'Hormones'."),
    ] == CORRECTIONS


def test_corrections_move_items_to_their_group() -> None:
    plan = parse_text(MISORDERED, CORRECTIONS)
    rows = [(o.id, o.group, o.location.label()) for o in plan.objectives]
    assert rows == [
        ("TST-B1.1-1", "Fraude sociale", "l. 11"),
        ("TST-B1.1-2", "Fraude sociale", "l. 12"),
        ("TST-B1.1-3", "Fraude sociale", "l. 13"),
        ("TST-B1.2-1", "Fraude fiscale", "l. 19"),
        ("TST-B1.2-2", "Fraude fiscale", "l. 14"),
        ("TST-B1.2-3", "Fraude fiscale", "l. 15"),
        ("TST-B2.1-1", "Hormones", "l. 27"),
        ("TST-B2.2-1", "Marché local", "l. 32"),
        ("TST-B2.2-2", "Marché local", "l. 28"),
        ("TST-B2.2-3", "Marché local", "l. 33"),
    ]
    by_id = {o.id: o for o in plan.objectives}
    assert by_id["TST-B1.2-2"].text == "Partager l'expertise avec le centre de test."
    assert by_id["TST-B1.2-2"].path == ("B1 Fraude sociale et fiscale", "Fraude fiscale")
    assert by_id["TST-B2.2-2"].text == "Détecter les plantations par la police de proximité."
    assert by_id["TST-B1.2-3"].corrected == (
        "fiscale: Items 2-3 of 'Fraude fiscale' were printed after item 3 of 'Fraude sociale'.")
    assert by_id["TST-B1.2-1"].corrected == ""
    assert plan.report.repairs == [
        "TST B1: items 2-3 printed under group 1 (l. 14) moved to group 2 'Fraude fiscale' by correction 'fiscale'",
        "TST B2: item 2 printed under group 1 (l. 28) moved to group 2 'Marché local' by correction 'marche'",
    ]
    assert plan.report.warnings == []


def test_without_corrections_anomalies_are_warned_and_kept_as_printed() -> None:
    plan = parse_text(MISORDERED, [])
    assert [o.id for o in plan.objectives] == [
        "TST-B1.1-1", "TST-B1.1-2", "TST-B1.1-3", "TST-B1.1-2b", "TST-B1.1-3b", "TST-B1.2-1",
        "TST-B2.1-1", "TST-B2.1-2", "TST-B2.2-1", "TST-B2.2-3",
    ]
    assert plan.report.repairs == []
    assert plan.report.warnings == [
        "TST B1: numbering restarts at l. 14 (expected 4, found 2: 'Partager l'expertise avec le centre de "
        "test.'); kept as printed, no correction applies",
        "TST B2: numbering skips at l. 33 (expected 2, found 3: 'Atteindre les publics-cibles par la "
        "prévention.'); kept as printed, no correction applies",
    ]


def test_non_matching_correction_is_named_in_a_warning() -> None:
    broken = [replace(CORRECTIONS[0], starts_with="Texte absent"), CORRECTIONS[1]]
    plan = parse_text(MISORDERED, broken)
    assert plan.report.warnings == [
        "TST B1: numbering restarts at l. 14 (expected 4, found 2: 'Partager l'expertise avec le centre de "
        "test.'); kept as printed, no correction applies",
        "correction 'fiscale' for B1 did not apply: no item numbered 2 starting with 'Texte absent' in group 1",
    ]
    assert plan.report.repairs == [
        "TST B2: item 2 printed under group 1 (l. 28) moved to group 2 'Marché local' by correction 'marche'",
    ]


def test_correction_for_another_document_is_ignored() -> None:
    other = [replace(c, document="autre-doc") for c in CORRECTIONS]
    plan = parse_text(MISORDERED, other)
    assert plan.report.repairs == []
    assert len(plan.report.warnings) == 2  # the two anomalies, nothing about another document's corrections
    assert not any("correction '" in w for w in plan.report.warnings)


def test_correction_matching_is_accent_and_case_insensitive() -> None:
    loose = [replace(CORRECTIONS[1], starts_with="DETECTER LES PLANTATIONS")]
    plan = parse_text(MISORDERED, loose)
    assert "TST-B2.2-2" in {o.id for o in plan.objectives}
    assert plan.report.repairs == [
        "TST B2: item 2 printed under group 1 (l. 28) moved to group 2 'Marché local' by correction 'marche'",
    ]


# -- a document that is not a plan ---------------------------------------------------------------------------------

def test_unrecognised_document_gives_heading_aware_prose() -> None:
    plan = parse_text(PROSE)
    assert plan.objectives == () and plan.themes == ()
    assert [(p.id, p.kind, p.path, p.text, p.location.label()) for p in plan.passages] == [
        ("TST-P0-1", "prose", ("Contexte",),
         "Le service a traité de nombreux dossiers cette année. La charge de travail a augmenté.", "l. 5"),
        ("TST-P0-2", "prose", ("Contexte",), "Les équipes ont été renforcées au second semestre.", "l. 7"),
        ("TST-P0-3", "prose", ("Perspectives",), "Le service prévoit de moderniser ses outils informatiques.",
         "l. 11"),
    ]
    report = plan.report
    assert report.recognised is False
    assert (report.themes, report.objectives, report.passages) == (0, 0, 3)
    assert report.warnings == [
        "TST: plan structure not recognised (no numbered objectives under themes); 3 heading-aware passages kept"
    ]


def test_document_of_blank_lines_only_does_not_raise() -> None:
    plan = parse_text("\n\n   \n")
    assert plan.passages == ()
    assert plan.report.recognised is False
    assert plan.report.warnings == [
        "TST: plan structure not recognised (no numbered objectives under themes); 0 heading-aware passages kept"
    ]


# -- regressions: defects found while writing these tests, now fixed ----------------------------------------------


def test_ids_stay_unique_when_a_list_restarts_twice() -> None:
    plan = parse_text(HEADER + "1. Un.\n2. Deux.\n1. Trois.\n2. Quatre.\n1. Cinq.\n2. Six.\n")
    ids = [o.id for o in plan.objectives]
    assert len(ids) == 6
    assert len(set(ids)) == 6, ids


def test_last_objective_without_final_period_is_kept() -> None:
    plan = parse_text(HEADER + "1. Mieux lutter contre la criminalité.\n2. Proposer des mesures de sécurisation\n")
    assert [(o.id, o.text) for o in plan.objectives] == [
        ("TST-B1-1", "Mieux lutter contre la criminalité."),
        ("TST-B1-2", "Proposer des mesures de sécurisation"),
    ]


def test_sentence_starting_with_partie_is_kept_as_prose() -> None:
    plan = parse_text("Partie 1: Introduction\n\nPartie 3 du plan traite des plans zonaux de sécurité.\n")
    assert [p.text for p in plan.passages] == ["Partie 3 du plan traite des plans zonaux de sécurité."]
    assert plan.report.parts == ["Partie 1"]


def test_markdown_heading_marks_are_not_part_of_the_path() -> None:
    plan = parse_text("# Rapport\n\n## Contexte\n\nLe service a traité des dossiers.\n")
    assert [(p.path, p.text) for p in plan.passages] == [(("Contexte",), "Le service a traité des dossiers.")]


def test_short_wrapped_objective_continues_on_next_line() -> None:
    plan = parse_text(HEADER + "1. Mieux lutter contre la criminalité\ngrâce à la prévention.\n2. Deux.\n")
    assert [(o.id, o.text, o.location.label()) for o in plan.objectives] == [
        ("TST-B1-1", "Mieux lutter contre la criminalité grâce à la prévention.", "l. 7-8"),
        ("TST-B1-2", "Deux.", "l. 9"),
    ]
