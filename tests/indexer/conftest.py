"""Shared fixtures for the indexer tests: an isolated environment, a tiny plan-shaped corpus, built indexes.

Everything runs the real default encoders (USE multilingual v3 and multilingual-e5-small). USE's start-up cache
lives in one session folder, so each new embedder instance loads in a fraction of a second; the cache's tests use
other folders.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.catalogue import Corpus
from indexer.build import build_index
from indexer.embedders import DEFAULT_EMBEDDER, Embedder, make_embedder, make_embedders
from indexer.store import HybridIndex
from pns.settings import REPO_ROOT, Settings
from tests.conftest import SESSION_CACHE

FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "corpus"
FIXTURE_DOCUMENT = FIXTURE_CORPUS / "documents" / "plan-test.fr.txt"
REAL_CORPUS = REPO_ROOT / "corpus"
# The fixture index has prose units of at most 300 characters, so the Avant-propos (318) is split in two, and
# one unit per passage (the "context" view), so that hand-computed BM25 figures stay small; the other views have
# tests of their own.
FIXTURE_CHUNK_MAX = 300
FIXTURE_VIEWS = "context"


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder for the indexer tests' session."""
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def embedder(session_cache_dir: Path) -> Embedder:
    """The real USE embedder, loaded once (its cache is the one `embedders_for` uses for data_dir)."""
    return make_embedder(DEFAULT_EMBEDDER, cache_dir=session_cache_dir / "model-cache")


@pytest.fixture(scope="session")
def embedders(session_cache_dir: Path) -> list[Embedder]:
    """The default encoders (USE and e5), loaded once."""
    return make_embedders(Settings().embedder, cache_dir=session_cache_dir / "model-cache")


def fixture_settings(index_dir: Path, data_dir: Path, corpus_dir: Path = FIXTURE_CORPUS,
                     **changes) -> Settings:
    """Settings for the fixture corpus (caches in the session's cache folder); ``changes`` override fields."""
    return Settings(corpus_dir=str(corpus_dir), index_dir=str(index_dir), data_dir=str(data_dir),
                    cache_dir=str(SESSION_CACHE),
                    chunk_max_chars=FIXTURE_CHUNK_MAX, unit_views=FIXTURE_VIEWS).replace(**changes)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A private copy of the fixture corpus, for tests that change it."""
    target = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, target)
    for path in target.rglob("*"):
        path.chmod(0o644 if path.is_file() else 0o755)
    return target


@pytest.fixture
def settings(tmp_path: Path, data_dir: Path, corpus_dir: Path) -> Settings:
    """Settings with a private corpus copy and an empty private index folder."""
    return fixture_settings(tmp_path / "index", data_dir, corpus_dir)


@pytest.fixture(scope="session")
def fixture_corpus() -> Corpus:
    return Corpus.load(fixture_settings(Path("/nonexistent-index"), Path("/nonexistent-data")))


@pytest.fixture(scope="session")
def fixture_index(tmp_path_factory: pytest.TempPathFactory, data_dir: Path,
                  embedders: list[Embedder]) -> HybridIndex:
    """The fixture corpus indexed once, saved, and opened again from disk (read-only for the tests)."""
    settings = fixture_settings(tmp_path_factory.mktemp("fixture-index"), data_dir)
    build_index(settings, embedders=embedders)
    corpus = Corpus.load(settings, detect_languages=False)
    return HybridIndex.load(Path(settings.index_dir), settings, corpus.fingerprint, embedders)


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory, data_dir: Path,
               embedders: list[Embedder]) -> Iterator[HybridIndex]:
    """The shipped corpus with the default settings, indexed once per session into a temporary folder."""
    settings = Settings(corpus_dir=str(REAL_CORPUS), index_dir=str(tmp_path_factory.mktemp("real-index")),
                        data_dir=str(data_dir), cache_dir=str(SESSION_CACHE))
    build_index(settings, embedders=embedders)
    corpus = Corpus.load(settings, detect_languages=False)
    yield HybridIndex.load(Path(settings.index_dir), settings, corpus.fingerprint, embedders)
