"""Units: sentence splitting, chunking with overlap and a hard length limit; the fixture corpus' units."""

from __future__ import annotations

import pytest

from corpus.catalogue import Corpus
from indexer.units import build_units, chunk_text, context_label, split_sentences
from pns.types import Unit

from .conftest import fixture_settings

S1 = "Aaaa aaaa."
S2 = "Bbbb bbbb."
S3 = "Cccc cccc."
S4 = "Dddd dddd."
FOUR = f"{S1} {S2} {S3} {S4}"  # 4 sentences of 10 characters, 43 in all


def test_split_sentences_on_end_punctuation_before_a_capital_and_on_lines() -> None:
    text = "Voici la liste:\n- Un point; Deux points.\nTrois ? quatre. (Cinq) « Six »"
    # no split before a lower-case word ("? quatre"), a split before "(" and on each line
    assert split_sentences(text) == ["Voici la liste:", "- Un point;", "Deux points.", "Trois ? quatre.",
                                     "(Cinq) « Six »"]


def test_short_text_is_one_chunk_unchanged() -> None:
    assert chunk_text("Ligne un.\nLigne deux.", 100, 1) == ["Ligne un.\nLigne deux."]
    assert chunk_text(FOUR, 43, 1) == [FOUR]


def test_chunks_with_one_sentence_overlap() -> None:
    # S1 S2 = 21 chars; adding S3 would make 32 > 25, so a new chunk starts with S2 repeated
    assert chunk_text(FOUR, 25, 1) == [f"{S1} {S2}", f"{S2} {S3}", f"{S3} {S4}"]


def test_chunks_without_overlap() -> None:
    assert chunk_text(FOUR, 25, 0) == [f"{S1} {S2}", f"{S3} {S4}"]


def test_chunks_with_two_sentence_overlap() -> None:
    # S1 S2 S3 = 32 fits exactly; the next chunk repeats S2 S3 and S2 S3 S4 fits exactly too
    assert chunk_text(FOUR, 32, 2) == [f"{S1} {S2} {S3}", f"{S2} {S3} {S4}"]


def test_overlap_is_dropped_when_it_would_not_fit() -> None:
    # S2 + S3 fit in 21 but repeating S2 before S3 with max 15 would not: no overlap then
    assert chunk_text(FOUR, 15, 1) == [S1, S2, S3, S4]


def test_long_sentence_is_cut_on_word_boundaries() -> None:
    text = "un deux trois quatre cinq six sept huit neuf dix onze douze"  # 59 characters, one sentence
    # cuts at the last space before 20: 13, then 15 and 18 characters; the pieces are too long to overlap
    assert chunk_text(text, 20, 1) == ["un deux trois", "quatre cinq six", "sept huit neuf dix", "onze douze"]


def test_long_sentence_between_short_ones() -> None:
    text = "Premier point. Deuxième point plus long que la fenêtre autorisée ici. Fin."
    # the 55-character sentence is cut after "que" (28); its second piece (25) and "Fin." (4) fit in 30
    assert chunk_text(text, 30, 1) == ["Premier point.", "Deuxième point plus long que",
                                       "la fenêtre autorisée ici. Fin."]


def test_word_longer_than_the_window_is_cut_hard() -> None:
    assert chunk_text("x" * 50, 20, 1) == ["x" * 20, "x" * 20, "x" * 10]


@pytest.mark.parametrize("max_chars", [12, 20, 33, 60, 120])
@pytest.mark.parametrize("overlap", [0, 1, 3])
def test_no_chunk_exceeds_the_window(max_chars: int, overlap: int) -> None:
    text = ("La police intégrée agit. " * 3 + "Une phrase nettement plus longue que la fenêtre, sans point "
            "final avant longtemps, avec des mots ordinaires et un "
            "identifiant-tres-long-sans-espace-du-tout. Fin.")
    chunks = chunk_text(text, max_chars, overlap)
    assert len(chunks) > 1
    assert max(len(c) for c in chunks) <= max_chars
    assert all(c == c.strip() and c for c in chunks)
    # every word of the text is kept in order (overlap only repeats)
    assert set(" ".join(chunks).split()) >= {w for w in text.split() if len(w) <= max_chars // 2}


def test_context_label(fixture_corpus: Corpus) -> None:
    passages = fixture_corpus.passages
    group = "B2 Violence sexuelle et intrafamiliale › Violence sexuelle"
    assert context_label(passages["TST-B2.2-1"], 1) == f"{group} › objectif 1"
    assert context_label(passages["TST-B2.2-1"]) == group
    # prose has no number
    assert context_label(passages["TST-P1-1"], 4) == "Partie 1: Introduction › Avant-propos"


AVANT_PROPOS = [
    "Le présent plan de test reprend la forme du Plan national de sécurité.",  # 70
    "Il compte des parties, des thèmes, des sous-groupes et des objectifs numérotés.",  # 79
    "Chaque objectif porte un identifiant stable que les formateurs peuvent écrire sur un transparent.",  # 97
    "Les chapitres suivants présentent les phénomènes de sécurité retenus.",  # 69
]


def test_build_units_ids_and_order(fixture_corpus: Corpus) -> None:
    units = build_units(fixture_corpus, 300, 1)
    assert [u.id for u in units] == [
        "TST-P1-1#1", "TST-P1-1#2", "TST-P1-2",
        "TST-B1-goal", "TST-B1-1", "TST-B1-2", "TST-B1-3",
        "TST-B2-goal", "TST-B2.1-1", "TST-B2.1-2", "TST-B2.2-1", "TST-B2.2-2",
        "TST-P5-1",
    ]
    assert [u.passage_id for u in units][:3] == ["TST-P1-1", "TST-P1-1", "TST-P1-2"]
    assert all(u.passage_id == u.id for u in units[2:])


def test_build_units_text_carries_heading_path_and_objective_number(fixture_corpus: Corpus) -> None:
    units = {u.id: u for u in build_units(fixture_corpus, 300, 1)}
    assert units["TST-B2.2-1"].text == (
        "B2 Violence sexuelle et intrafamiliale › Violence sexuelle › objectif 1 — Continuer à renforcer "
        "l'efficacité de ViCLAS (Violent Crime Linkage Analysis System).")
    assert units["TST-B1-3"].text == ("B1 Cybercrime et cybersécurité › objectif 3 — Organiser des "
                                      "formations pour les enquêteurs spécialisés en informatique.")
    assert units["TST-B1-goal"].text == ("B1 Cybercrime et cybersécurité — Organiser des mesures coordonnées "
                                         "contre la cybercriminalité.")
    # the 318-character Avant-propos: 70 + 79 + 97 (+2 spaces) = 248 fit in 300, the 4th does not; overlap 1
    label = "Partie 1: Introduction › Avant-propos — "
    assert units["TST-P1-1#1"].text == label + " ".join(AVANT_PROPOS[:3])
    assert units["TST-P1-1#2"].text == label + " ".join(AVANT_PROPOS[2:])
    assert units["TST-P5-1"].text == ("Partie 5: Suivi et évaluation — Le suivi des objectifs est annuel. "
                                      "Le Conseil fédéral de police évalue l'exécution du plan à la fin "
                                      "de la période.")


def test_build_units_languages(fixture_corpus: Corpus) -> None:
    languages = {u.id: u.language for u in build_units(fixture_corpus, 300, 1)}
    assert languages["TST-P1-2"] == "nl"  # the Dutch "Samenvatting" paragraph, detected at load
    assert {lang for uid, lang in languages.items() if uid != "TST-P1-2"} == {"fr"}


def test_build_units_chunking_follows_settings(fixture_corpus: Corpus) -> None:
    assert [u.id for u in build_units(fixture_corpus, 318, 1)][:2] == ["TST-P1-1", "TST-P1-2"]
    no_overlap = [u for u in build_units(fixture_corpus, 300, 0) if u.passage_id == "TST-P1-1"]
    assert [u.text.split(" — ", 1)[1] for u in no_overlap] == [" ".join(AVANT_PROPOS[:3]), AVANT_PROPOS[3]]
    # objectives and goals are never chunked, even when longer than the window
    units = {u.id: u for u in build_units(fixture_corpus, 40, 0)}
    assert units["TST-B2.2-1"].text.endswith("(Violent Crime Linkage Analysis System).")
    assert "TST-B2.2-1#1" not in units


VICLAS = "Continuer à renforcer l'efficacité de ViCLAS (Violent Crime Linkage Analysis System)."


def test_extra_views_of_objectives(fixture_corpus: Corpus) -> None:
    units = build_units(fixture_corpus, 300, 1, ("context", "text", "names"))
    objectives = ["TST-B1-1", "TST-B1-2", "TST-B1-3", "TST-B2.1-1", "TST-B2.1-2", "TST-B2.2-1", "TST-B2.2-2"]
    expected = ["TST-P1-1#1", "TST-P1-1#2", "TST-P1-2", "TST-B1-goal",
                *[f"{o}{view}" for o in objectives[:3] for view in ("", "@text", "@names")], "TST-B2-goal",
                *[f"{o}{view}" for o in objectives[3:] for view in ("", "@text", "@names")], "TST-P5-1"]
    assert [u.id for u in units] == expected
    by_id = {u.id: u for u in units}
    assert by_id["TST-B2.2-1@text"] == Unit("TST-B2.2-1@text", "TST-B2.2-1", VICLAS, "fr")
    # sub-group names first, then the theme's, Dutch then English (from the fixture glossary)
    assert by_id["TST-B2.2-1@names"] == Unit(
        "TST-B2.2-1@names", "TST-B2.2-1",
        "Seksueel geweld / Sexual violence / Seksueel en intrafamiliaal geweld / Sexual and intra-family "
        f"violence — {VICLAS}", "fr")
    assert by_id["TST-B1-1@names"].text == ("Cybercrime en cyberveiligheid / Cybercrime and cybersecurity — Mieux "
                                            "lutter contre la cybercriminalité grâce à la prévention.")


def test_views_can_be_chosen(fixture_corpus: Corpus) -> None:
    ids = [u.id for u in build_units(fixture_corpus, 300, 1, ("context", "text"))]
    assert len(ids) == 20 and "TST-B1-1@text" in ids and not any(i.endswith("@names") for i in ids)
    ids = [u.id for u in build_units(fixture_corpus, 300, 1, ("context", "names"))]
    assert len(ids) == 20 and "TST-B1-1@names" in ids and not any(i.endswith("@text") for i in ids)


def test_no_names_view_without_glossary_names(corpus_dir) -> None:
    glossary = corpus_dir / "glossary.toml"
    glossary.write_text(glossary.read_text(encoding="utf-8").split("[theme.B2]")[0].split("[theme.B1]")[0]
                        + "[theme.B2]\nfr = \"Violence sexuelle et intrafamiliale\"\n", encoding="utf-8")
    corpus = Corpus.load(fixture_settings(corpus_dir / "unused", corpus_dir / "unused", corpus_dir))
    ids = [u.id for u in build_units(corpus, 300, 1, ("context", "names"))]
    assert not any(i.endswith("@names") for i in ids)  # no Dutch or English name to add
    assert "TST-B1-1" in ids


@pytest.mark.parametrize("views", [("text",), ("names", "text"), ("context", "summary"), ()])
def test_unknown_or_incomplete_views_are_refused(fixture_corpus: Corpus, views: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="unit views must include 'context'"):
        build_units(fixture_corpus, 300, 1, views)
