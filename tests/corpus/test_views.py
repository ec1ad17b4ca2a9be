"""Objective views (corpus/views/): loading, staleness by the French text's sha256, and the checks of
`pns corpus check`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corpus.catalogue import Corpus
from corpus.views import check_views, expression_collisions, load_views, text_sha256
from pns.errors import CorpusError
from pns.settings import REPO_ROOT, Settings

FIXTURE = REPO_ROOT / "tests" / "indexer" / "fixtures" / "corpus"


def _corpus(corpus_dir: Path = FIXTURE) -> Corpus:
    return Corpus.load(Settings(corpus_dir=str(corpus_dir)), detect_languages=False)


def test_current_stale_and_missing_views() -> None:
    corpus = _corpus()
    assert corpus.translation("TST-B2.2-1", "nl") == "De doeltreffendheid van ViCLAS blijven versterken."
    assert corpus.translation("TST-B2.2-1", "fr") is None
    assert corpus.view("TST-B1-2") is None  # written for another French text: stale, never shown
    assert corpus.views.objectives["TST-B1-2"].fr_sha256 == "0" * 64
    assert corpus.heading_translation("B2.2", "en") == "Sexual violence"
    report = check_views(corpus, detect=False)
    assert (report.with_views, report.total) == (2, 7)
    assert report.stale == ("TST-B1-2",)
    assert report.missing == ("TST-B1-3", "TST-B2.1-1", "TST-B2.1-2", "TST-B2.2-2")
    assert report.unreviewed == ("TST-B1-1",)
    assert report.orphans == ()
    # "phishing" is an expression of one objective in two languages only: not shared within a language
    assert report.duplicates == ()


def test_a_changed_objective_makes_its_views_stale(tmp_path: Path) -> None:
    target = tmp_path / "corpus"
    shutil.copytree(FIXTURE, target)
    views = target / "views" / "plan-test-fr.toml"
    text = "Continuer à renforcer l'efficacité de ViCLAS (Violent Crime Linkage Analysis System)."
    assert text_sha256(text) in views.read_text(encoding="utf-8")
    views.write_text(views.read_text(encoding="utf-8").replace(text_sha256(text), text_sha256(text + " ")),
                     encoding="utf-8")
    corpus = _corpus(target)
    assert corpus.view("TST-B2.2-1") is None
    assert check_views(corpus, detect=False).stale == ("TST-B2.2-1", "TST-B1-2")  # in the file's order


@pytest.mark.parametrize(("entry", "message"), [
    ('[objective."X-1"]\nfr_sha256 = "a"\nnl = "x"\ncolour = "red"\n', r"unknown key\(s\) \['colour'\]"),
    ('[objective."X-1"]\nfr_sha256 = "a"\nwords_fr = "one"\n', "words_fr must be a list of non-empty strings"),
    ('[objective."X-1"]\nfr_sha256 = "a"\nreviewed = "yes"\n', "reviewed true or false"),
    ('[objective."X-1"]\nfr_sha256 = "a"\nnl = ""\n', "nl must be a non-empty string"),
    ('[headings]\n', r"unknown section\(s\) \['headings'\]"),
])
def test_bad_views_files_name_the_entry(tmp_path: Path, entry: str, message: str) -> None:
    (tmp_path / "doc.toml").write_text(f'document = "doc"\n{entry}', encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        load_views(tmp_path)
    (tmp_path / "doc.toml").write_text('[objective."X-1"]\nfr_sha256 = "a"\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="needs a top-level document"):
        load_views(tmp_path)


def test_generic_and_colliding_expressions() -> None:
    everyday = [("Comment contester une amende de stationnement ?", "fr"), ("Une amende reçue hier", "fr"),
                ("Where do I pay a parking fine?", "en")]
    found = expression_collisions({"fr": {"amende", "amende de stationnement", "cannabis"}, "en": {"fine"}},
                                  everyday)
    # "amende" stands in two French questions; "fine" in one English question only (below the limit of 2)
    assert found == [("fr", "amende", 2)]
    corpus = _corpus()
    report = check_views(corpus, everyday, generic_limit=0, detect=False)
    # with a limit of 0, every expression matching at least one objective is reported
    assert ("nl", "daderprofiel", 1) in report.generic


def test_the_shipped_views_cover_every_objective(real_corpus) -> None:
    report = check_views(real_corpus, detect=True)
    assert (report.with_views, report.total) == (225, 225)
    assert (report.stale, report.missing, report.orphans, report.unreviewed) == ((), (), (), ())
    assert report.language_mismatches == ()
