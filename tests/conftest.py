"""Shared fixtures: settings isolated in temporary folders, and the real shipped corpus indexed once per session."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from pns.settings import REPO_ROOT, Settings, load_settings


def clear_pns_env(mp: pytest.MonkeyPatch) -> None:
    """Remove every PNS_* variable, so the developer's own settings never change what a test sees."""
    for key in list(os.environ):
        if key.startswith("PNS_"):
            mp.delenv(key)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No PNS_* variable and no stray ./pns.toml may change what a test sees."""
    clear_pns_env(monkeypatch)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def real_corpus(tmp_path_factory: pytest.TempPathFactory):  # -> corpus.catalogue.Corpus
    """The shipped corpus, loaded once, exactly as the product loads it (environment restored afterwards)."""
    from corpus.catalogue import Corpus

    with pytest.MonkeyPatch.context() as mp:
        clear_pns_env(mp)
        mp.chdir(tmp_path_factory.mktemp("cwd"))
        return Corpus.load(load_settings())


# One cache folder for the whole test session (USE's start-up files and the embedding cache), so the shipped
# corpus is embedded once however many fixtures index it. Tests of the caches themselves use folders of their own.
# PNS_TEST_CACHE (read here, before the PNS_* variables are cleared) keeps it between runs for a quick local loop.
if os.environ.get("PNS_TEST_CACHE"):
    SESSION_CACHE = Path(os.environ["PNS_TEST_CACHE"])
    SESSION_CACHE.mkdir(parents=True, exist_ok=True)
else:
    SESSION_CACHE = Path(tempfile.mkdtemp(prefix="pns-test-cache-"))
    atexit.register(shutil.rmtree, SESSION_CACHE, True)


@pytest.fixture(scope="session")
def session_cache_dir() -> Path:
    return SESSION_CACHE


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings on the shipped corpus with the default models, the index built once into a temporary folder."""
    from assistant.build import ensure_ready

    base = tmp_path_factory.mktemp("real-index")
    settings = Settings(corpus_dir=str(REPO_ROOT / "corpus"), index_dir=str(base / "index"),
                        data_dir=str(base / "data"), cache_dir=str(SESSION_CACHE))
    ensure_ready(settings, quiet=True)
    return settings


@pytest.fixture(scope="session")
def real_assistant(real_settings: Settings):  # -> assistant.service.Assistant (imported lazily)
    from assistant.service import Assistant

    return Assistant.load(real_settings, warm=True)


@pytest.fixture()
def repo_root() -> Path:
    return REPO_ROOT
