"""The shipped corpus, loaded as the product loads it: the catalogue of 225 objectives and its repairs.

Expected values come from docs/domain.md and from reading corpus/documents/pns-2016-2019-simplifie.fr.txt.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from corpus.catalogue import Corpus, load_corrections
from corpus.clean import SUPERSCRIPTS, clean_line
from corpus.loaders import load_document
from corpus.manifest import load_manifest, verify_document
from corpus.structure import parse_document
from pns.settings import load_settings
from tests.corpus.conftest import REAL_CORPUS, SEED_FILE

SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")
SEED_LINES = SEED_TEXT.split("\n")

# docs/domain.md, "Structure of the simplified PNS 2016-2019".
EXPECTED_GROUP_COUNTS = {
    "A1": 11, "A2": 6, "A3.1": 10, "A3.2": 1, "A4": 17, "A5.1": 3, "A5.2": 2, "A5.3": 3, "A5.4": 2, "A6": 2,
    "A7": 3, "B1": 13, "B2.1": 8, "B2.2": 11, "B3.1": 7, "B3.2": 9, "B3.3": 5, "B3.4": 1, "B3.5": 5,
    "B4.1": 9, "B4.2": 8, "B5": 10, "B6.1": 5, "B6.2": 8, "B6.3": 8, "B6.4": 4, "B7.1": 13, "B7.2": 13,
    "B8": 5, "B9": 10, "B10.1": 2, "B10.2": 3, "B10.3": 3, "B10.4": 2, "B10.5": 3,
}


def _numbers(corpus: Corpus, key: str) -> list[int]:
    return [o.number for o in corpus.group_objectives(key)]


def test_exactly_225_objectives(real_corpus: Corpus) -> None:
    assert len(real_corpus.objectives) == 225
    assert real_corpus.reports()[0].objectives == 225


def test_objectives_per_group_match_the_domain_table(real_corpus: Corpus) -> None:
    counts = Counter(o.group_key for o in real_corpus.objectives.values())
    assert dict(counts) == EXPECTED_GROUP_COUNTS
    assert sum(EXPECTED_GROUP_COUNTS.values()) == 225


def test_seventeen_themes_in_plan_order(real_corpus: Corpus) -> None:
    assert list(real_corpus.themes) == [*(f"A{i}" for i in range(1, 8)), *(f"B{i}" for i in range(1, 11))]


def test_shipped_corpus_parses_without_warnings(real_corpus: Corpus) -> None:
    report = real_corpus.reports()[0]
    assert report.recognised is True
    assert report.warnings == []
    assert report.parts == ["Partie 1", "Partie 2", "Partie 3", "Partie 4", "Partie 5"]
    assert report.themes == 17


def test_the_three_repairs_are_reported(real_corpus: Corpus) -> None:
    assert real_corpus.reports()[0].repairs == [
        "PNS16 B3: item 2 printed under group 4 (l. 380) moved to group 5 'Marché local des stupéfiants' "
        "by correction 'marche-local'",
        "PNS16 B4: items 2-8 printed under group 1 (l. 408) moved to group 2 'Fraude fiscale' "
        "by correction 'fraude-fiscale'",
        "PNS16 B7: items 3-13 printed under group 1 (l. 511) moved to group 2 'Trafic illégal d'armes' "
        "by correction 'trafic-armes'",
    ]


def test_fraude_fiscale_repaired(real_corpus: Corpus) -> None:
    fiscale = real_corpus.group_objectives("B4.2")
    assert [o.id for o in fiscale] == [f"PNS16-B4.2-{n}" for n in range(1, 9)]
    assert [o.number for o in fiscale] == list(range(1, 9))
    assert {o.group for o in fiscale} == {"Fraude fiscale"}
    assert fiscale[0].text.startswith("Établir une image sur la fraude organisée à la TVA")
    assert fiscale[0].corrected == ""  # item 1 was printed under its own heading
    assert fiscale[1].text.startswith("Partager l'expertise")
    assert fiscale[1].corrected.startswith("fraude-fiscale: ")
    assert _numbers(real_corpus, "B4.1") == list(range(1, 10))


def test_trafic_armes_repaired(real_corpus: Corpus) -> None:
    armes = real_corpus.group_objectives("B7.2")
    assert [o.number for o in armes] == list(range(1, 14))
    assert armes[0].id == "PNS16-B7.2-1"
    assert armes[0].text.startswith("Contribuer à l'amélioration de la déclaration")
    assert armes[2].id == "PNS16-B7.2-3"
    assert armes[2].text.startswith("Contribuer à une politique de recherche renforcée")
    assert _numbers(real_corpus, "B7.1") == list(range(1, 14))


def test_marche_local_repaired(real_corpus: Corpus) -> None:
    assert _numbers(real_corpus, "B3.5") == [1, 2, 3, 4, 5]
    moved = real_corpus.objectives["PNS16-B3.5-2"]
    assert moved.text == "Détecter les plantations de drogues par la police de proximité."
    assert moved.group == "Marché local des stupéfiants"
    assert moved.corrected.startswith("marche-local: ")
    assert moved.location.label() == "l. 380"  # where it was printed, under "Hormones"
    hormones = real_corpus.group_objectives("B3.4")
    assert [(o.id, o.number) for o in hormones] == [("PNS16-B3.4-1", 1)]


def test_numbered_subheadings_of_a3_are_groups(real_corpus: Corpus) -> None:
    theme = real_corpus.themes["A3"]
    assert [(g.key, g.title) for g in theme.groups] == [
        ("A3.1", "Détermination de l'identité et fraude à l'identité"),
        ("A3.2", "Fraude au domicile"),
    ]
    assert _numbers(real_corpus, "A3.1") == list(range(1, 11))
    assert [o.text for o in real_corpus.group_objectives("A3.2")] == [
        "Exécuter les dispositions légales relatives à la lutte contre la fraude sociale dans le cadre des "
        "domiciliations fictives."
    ]
    texts = {o.text for o in real_corpus.objectives.values()}
    assert "Détermination de l'identité et fraude à l'identité" not in texts
    assert "Fraude au domicile" not in texts


def test_a5_objectives_numbered_1_to_10_across_levels(real_corpus: Corpus) -> None:
    a5 = real_corpus.group_objectives("A5")
    assert [o.id for o in a5] == [
        "PNS16-A5.1-1", "PNS16-A5.1-2", "PNS16-A5.1-3", "PNS16-A5.2-4", "PNS16-A5.2-5",
        "PNS16-A5.3-6", "PNS16-A5.3-7", "PNS16-A5.3-8", "PNS16-A5.4-9", "PNS16-A5.4-10",
    ]
    assert [o.number for o in a5] == list(range(1, 11))


def test_a5_groups_and_the_integration_prose(real_corpus: Corpus) -> None:
    groups = real_corpus.themes["A5"].groups
    assert [g.key for g in groups] == ["A5.1", "A5.2", "A5.3", "A5.4", "A5.5"]
    assert [g.title for g in groups[:4]] == [
        "Au niveau belge", "Au niveau des pays voisins",
        "Au niveau de l'Union européenne et de l'espace Schengen", "Au niveau des pays tiers",
    ]
    assert groups[4].title.startswith("Intégration")
    assert real_corpus.group_objectives("A5.5") == []
    prose = real_corpus.passages["PNS16-A5-text-1"]
    assert prose.kind == "prose"
    assert prose.path == ("A5 Coopération internationale", groups[4].title)
    assert prose.text.startswith("Les trois domaines les plus visibles")
    assert prose.location.label() == "l. 244"


def test_ids_are_unique_and_stable_across_loads(real_corpus: Corpus) -> None:
    objective_ids = [o.id for plan in real_corpus.plans for o in plan.objectives]
    passage_ids = [p.id for plan in real_corpus.plans for p in plan.passages]
    assert len(set(objective_ids)) == 225
    assert len(set(passage_ids)) == len(passage_ids) == 285
    again = Corpus.load(load_settings(), detect_languages=False)
    assert [o.id for plan in again.plans for o in plan.objectives] == objective_ids
    assert [p.id for plan in again.plans for p in plan.passages] == passage_ids
    assert again.fingerprint == real_corpus.fingerprint


def test_objective_ids_follow_document_theme_group_number(real_corpus: Corpus) -> None:
    for oid, o in real_corpus.objectives.items():
        suffix = f".{o.group_index}" if o.group_index else ""
        assert oid == f"PNS16-{o.theme}{suffix}-{o.number}"
        assert o.document == "pns-2016-2019-simplifie-fr"


def test_objective_text_is_verbatim_in_the_source(real_corpus: Corpus) -> None:
    not_verbatim = {o.id for o in real_corpus.objectives.values() if o.text not in SEED_TEXT}
    # The only difference cleaning makes to an objective: the space the extraction left before a final period.
    assert not_verbatim == {"PNS16-B5-6"}
    assert SEED_LINES[real_corpus.objectives["PNS16-B5-6"].location.line_start - 1] == (
        "6. Réaliser une image performante du phénomène .")
    assert real_corpus.objectives["PNS16-B5-6"].text == "Réaliser une image performante du phénomène."


def test_every_objective_location_points_at_its_own_line(real_corpus: Corpus) -> None:
    for o in real_corpus.objectives.values():
        loc = o.location
        assert loc.line_start == loc.line_end, o.id
        raw = SEED_LINES[loc.line_start - 1]
        assert SEED_TEXT[loc.char_start:loc.char_end] == raw, o.id
        assert clean_line(raw) == f"{o.number}. {o.text}", o.id


def test_location_label_of_b5_3(real_corpus: Corpus) -> None:
    o = real_corpus.objectives["PNS16-B5-3"]
    assert o.text == "Assurer des enquêtes de qualité."
    assert o.location.label() == "l. 430"
    assert SEED_LINES[429] == "3. Assurer des enquêtes de qualité."


def test_part5_prose_passage(real_corpus: Corpus) -> None:
    matches = [p for p in real_corpus.passages.values() if "système de monitoring uniforme" in p.text]
    assert [p.id for p in matches] == ["PNS16-P5-4"]
    assert matches[0].kind == "prose"
    assert matches[0].path == ("Partie 5: Suivi et évaluation",)
    assert matches[0].text.startswith("La police fédérale développera et appliquera un système de monitoring")
    assert matches[0].location.label() == "l. 650"


def test_goal_passages_one_per_theme(real_corpus: Corpus) -> None:
    goals = [p for p in real_corpus.passages.values() if p.kind == "goal"]
    assert [p.id for p in goals] == [f"PNS16-{code}-goal" for code in real_corpus.themes]
    assert real_corpus.passages["PNS16-B5-goal"].text.startswith(
        "Organiser des mesures coordonnées dans l'approche de la cybercriminalité")


def test_cleaning_removed_noise_from_every_passage(real_corpus: Corpus) -> None:
    # The source does hold the noise, so this test is not vacuous.
    assert "Cliquez pour plus d'infos" in SEED_TEXT and "**" in SEED_TEXT and "¹" in SEED_TEXT
    for p in real_corpus.passages.values():
        assert "Cliquez" not in p.text, p.id
        assert "**" not in p.text, p.id
        assert "](#)" not in p.text, p.id
        assert not set(SUPERSCRIPTS) & set(p.text), p.id
        assert p.text == p.text.strip() and "  " not in p.text, p.id
    for heading in (h for p in real_corpus.passages.values() for h in p.path):
        assert "Cliquez" not in heading and "**" not in heading


def test_theme_titles_come_from_the_glossary(real_corpus: Corpus) -> None:
    assert real_corpus.themes["B3"].title == "Drogues"
    assert real_corpus.objectives["PNS16-B3.1-1"].path == ("B3 Drogues", "Cannabis")
    assert real_corpus.group_title("B4.2") == "Fraude fiscale"


def test_parse_without_corrections_reports_three_anomalies_and_keeps_print_order() -> None:
    doc = load_manifest(REAL_CORPUS)[0]
    lines = load_document(verify_document(REAL_CORPUS, doc))
    plan = parse_document(doc, lines, [])
    assert plan.report.repairs == []
    assert plan.report.warnings == [
        "PNS16 B3: numbering skips at l. 385 (expected 2, found 3: 'Atteindre les publics-cibles par la "
        "prévention.'); kept as printed, no correction applies",
        "PNS16 B4: numbering restarts at l. 408 (expected 10, found 2: 'Partager l'expertise de la police "
        "judiciaire fédér'); kept as printed, no correction applies",
        "PNS16 B7: numbering restarts at l. 511 (expected 14, found 3: 'Contribuer à une politique de recherche "
        "renforcée '); kept as printed, no correction applies",
    ]
    counts = Counter(o.group_key for o in plan.objectives)
    assert (counts["B4.1"], counts["B4.2"]) == (16, 1)
    assert (counts["B7.1"], counts["B7.2"]) == (24, 2)
    assert (counts["B3.4"], counts["B3.5"]) == (2, 4)
    b4 = [o.id for o in plan.objectives if o.theme == "B4"]
    assert b4 == [*(f"PNS16-B4.1-{n}" for n in range(1, 10)), *(f"PNS16-B4.1-{n}b" for n in range(2, 9)),
                  "PNS16-B4.2-1"]


def test_correction_that_does_not_match_is_reported_by_name() -> None:
    doc = load_manifest(REAL_CORPUS)[0]
    lines = load_document(verify_document(REAL_CORPUS, doc))
    corrections = load_corrections(REAL_CORPUS / "corrections.toml")
    assert [c.id for c in corrections] == ["fraude-fiscale", "trafic-armes", "marche-local"]
    broken = [replace(corrections[0], starts_with="Texte qui n'existe pas"), *corrections[1:]]
    plan = parse_document(doc, lines, broken)
    assert plan.report.warnings == [
        "PNS16 B4: numbering restarts at l. 408 (expected 10, found 2: 'Partager l'expertise de la police "
        "judiciaire fédér'); kept as printed, no correction applies",
        "correction 'fraude-fiscale' for B4 did not apply: no item numbered 2 starting with 'Texte qui "
        "n'existe pas' in group 1",
    ]
    assert len(plan.report.repairs) == 2
