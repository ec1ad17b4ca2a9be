"""The actor index: mentions with exact spans, word boundaries, folded names, and acronyms the data file lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.actors import ActorMatcher, build_actor_index, load_actors, unknown_acronyms
from corpus.catalogue import Corpus
from pns.errors import CorpusError
from pns.types import Location, Passage
from tests.corpus.conftest import REAL_CORPUS

ACTORS = load_actors(REAL_CORPUS / "actors.toml")
MATCHER = ActorMatcher(ACTORS)


def _passage(pid: str, text: str) -> Passage:
    return Passage(pid, "test-doc", "prose", ("Partie 1",), text, Location(1, 1, 0, len(text)))


def test_acronym_span() -> None:
    assert MATCHER.find("La CTIF aide.") == {"ctif": [(3, 7)]}


def test_long_form_and_acronym_spans() -> None:
    text = "Transmettre à la Cellule de traitement de l'information financière (CTIF)."
    found = MATCHER.find(text)
    assert list(found) == ["ctif"]
    assert sorted(found["ctif"]) == [(17, 66), (68, 72)]
    assert text[17:66] == "Cellule de traitement de l'information financière"


@pytest.mark.parametrize("text", [
    "cellule de traitement de l'information financiere",
    "CELLULE DE TRAITEMENT DE L'INFORMATION FINANCIÈRE",
    "Cellule de traitement de l’information financière",
])
def test_names_match_without_case_or_accents(text: str) -> None:
    assert MATCHER.find(text) == {"ctif": [(0, 49)]}


def test_acronym_is_not_found_inside_a_word() -> None:
    assert MATCHER.find("Saisie d'ECSTASY.") == {}
    assert MATCHER.find("Saisie d'ECSTASY et déploiement de l'ECS.") == {"ecs": [(37, 40)]}


def test_acronyms_are_case_sensitive() -> None:
    assert MATCHER.find("les ecs et la ctif") == {}


def test_name_is_not_found_inside_a_word() -> None:
    assert MATCHER.find("L'agence Unian rapporte.") == {}
    assert MATCHER.find("L'agence Unian et Unia.") == {"unia": [(18, 22)]}


def test_actors_in_order_of_first_mention() -> None:
    found = MATCHER.find("Avec Child Focus, Europol et la CTIF.")
    assert list(found.items()) == [("child-focus", [(5, 16)]), ("europol", [(18, 25)]), ("ctif", [(32, 36)])]


def test_lookup() -> None:
    assert [a.id for a in MATCHER.lookup("CTIF")] == ["ctif"]
    assert [a.id for a in MATCHER.lookup("cellule de traitement de l'information financiere")] == ["ctif"]
    assert [a.id for a in MATCHER.lookup("traitement de l'information fin")] == ["ctif"]
    assert MATCHER.lookup("  ") == []
    assert MATCHER.lookup("Comité Zeta") == []


def test_actor_index_on_passages() -> None:
    passages = [_passage("TST-1", "La CTIF transmet."), _passage("TST-2", "Rien ici."),
                _passage("TST-3", "Avec Child Focus et la Cellule de traitement de l'information financière.")]
    index = build_actor_index(MATCHER, passages)
    assert index["ctif"] == ["TST-1", "TST-3"]
    assert index["child-focus"] == ["TST-3"]
    assert {k for k, v in index.items() if v} == {"ctif", "child-focus"}
    assert set(index) == {a.id for a in ACTORS}


def test_actor_index_on_the_shipped_corpus(real_corpus: Corpus) -> None:
    assert real_corpus.actor_index["ctif"] == ["PNS16-A4-5", "PNS16-A4-12"]
    assert real_corpus.actor_index["child-focus"] == ["PNS16-B6.3-1", "PNS16-B6.3-2", "PNS16-B6.3-3"]
    assert real_corpus.actor_index["unia"] == ["PNS16-B6.4-2", "PNS16-B6.4-3"]
    # Named in three objectives of B6; without its own entry "Family Justice Centres" matched the judicial
    # authorities through the word "justice".
    assert real_corpus.actor_index["family-justice-centers"] == ["PNS16-B6.1-5", "PNS16-B6.2-7", "PNS16-B6.3-8"]


def test_unknown_acronym_is_detected() -> None:
    passages = [
        _passage("TST-P0-1", "Le Comité Zeta de Test (CZT) coordonne les travaux avec la Cellule de traitement de "
                             "l'information financière (CTIF)."),
        _passage("TST-P0-2", "Le Comité Zeta de Test (CZT) se réunit encore."),
    ]
    assert unknown_acronyms(MATCHER, passages) == [("CZT", "Le Comité Zeta de Test", "TST-P0-1")]


def test_unknown_acronyms_of_the_shipped_corpus(real_corpus: Corpus) -> None:
    assert real_corpus.unknown_actors() == [
        ("PNS", "Le Plan national de sécurité", "PNS16-P1-1"),
        ("NCSI", "Note-cadre de sécurité intégrale", "PNS16-P1-8"),
    ]


# -- actors.toml validation ----------------------------------------------------------------------------------------

def _actors_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "actors.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_actor_file(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"actor file .*actors\.toml not found"):
        load_actors(tmp_path / "actors.toml")


def test_actor_with_unknown_key(tmp_path: Path) -> None:
    path = _actors_file(tmp_path, '[[actor]]\nid = "x"\nname = "X"\ncategory = "police"\nwebsite = "x.be"\n')
    with pytest.raises(CorpusError, match=r"actor #1: keys must be \['aliases', 'category', 'id', 'name'\], got "
                                          r"\['category', 'id', 'name', 'website'\]"):
        load_actors(path)


def test_actor_with_unknown_category(tmp_path: Path) -> None:
    path = _actors_file(tmp_path, '[[actor]]\nid = "x"\nname = "X"\ncategory = "media"\n')
    with pytest.raises(CorpusError, match=r"actor 'x': unknown category 'media'"):
        load_actors(path)


def test_duplicate_actor_id(tmp_path: Path) -> None:
    one = '[[actor]]\nid = "x"\nname = "X"\ncategory = "police"\n'
    with pytest.raises(CorpusError, match=r"actor 'x': .* or duplicate id"):
        load_actors(_actors_file(tmp_path, one + one))
