"""Shared fixtures: settings isolated in temporary folders, and the real shipped corpus indexed once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from pns.settings import REPO_ROOT, Settings


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings on the shipped corpus with the default model, the index built once into a temporary folder."""
    from indexer.build import build_index

    base = tmp_path_factory.mktemp("real-index")
    settings = Settings(corpus_dir=str(REPO_ROOT / "corpus"), index_dir=str(base / "index"),
                        data_dir=str(base / "data"))
    build_index(settings)
    return settings


@pytest.fixture(scope="session")
def real_assistant(real_settings: Settings):  # -> assistant.service.Assistant (imported lazily)
    from assistant.service import Assistant

    return Assistant.load(real_settings, warm=True)


@pytest.fixture()
def repo_root() -> Path:
    return REPO_ROOT
