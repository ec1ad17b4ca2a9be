"""ensure_index: builds only when the index is missing, stale or damaged (or when asked), and says why."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpus.catalogue import Corpus
from indexer.build import embedders_for, ensure_index, index_status, open_index
from indexer.embedders import E5Embedder, USEEmbedder
from indexer.store import HybridIndex
from pns.settings import Settings


def _current(settings: Settings) -> str:
    return (Path(settings.index_dir) / "CURRENT").read_text(encoding="utf-8")


def test_embedders_for_uses_the_data_folder_cache(settings: Settings) -> None:
    use, e5 = embedders_for(settings.replace(embedder="use-multilingual-v3,e5-small"))
    assert isinstance(use, USEEmbedder) and isinstance(e5, E5Embedder)
    assert (use.signal, e5.signal) == ("use", "e5")
    assert use._cache_dir.parent == Path(settings.cache_dir) / "model-cache"
    assert Settings(data_dir="/d").cache_path == Path("/d/cache")


def test_builds_when_missing_then_keeps_a_current_index(settings: Settings,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert ensure_index(settings) is True
    lines = capsys.readouterr().err.splitlines()
    # says what it does and how long it takes, without telling the user to run what is running
    assert lines[0] == (f"pns: building the index (no index in {settings.index_dir}); a first build embeds every "
                        "passage with each encoder, about 1-2 minutes on 2 cores, later ones reuse the cached vectors")
    assert re.fullmatch(rf"pns: index built in \d+ s \({re.escape(str(settings.index_dir))}\)", lines[1])
    assert len(lines) == 2
    first = _current(settings)

    assert ensure_index(settings) is False
    assert capsys.readouterr().err == ""
    assert _current(settings) == first
    index = open_index(settings, Corpus.load(settings, detect_languages=False))
    assert index.search("ViCLAS", k=1)[0].passage_id == "TST-B2.2-1"


def test_rebuild_on_request(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    ensure_index(settings, quiet=True)
    first = _current(settings)
    assert capsys.readouterr().err == ""  # quiet
    assert ensure_index(settings, rebuild=True) is True
    assert capsys.readouterr().err.startswith("pns: building the index (rebuild requested); a first build")
    assert _current(settings) != first


def test_rebuilds_a_stale_index(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    ensure_index(settings, quiet=True)
    changed = settings.replace(chunk_max_chars=200)
    corpus = Corpus.load(changed, detect_languages=False)
    assert index_status(changed, corpus, embedders_for(changed)) == (
        "settings that shape the index changed since it was built")
    assert ensure_index(changed) is True
    assert "settings that shape the index changed" in capsys.readouterr().err
    assert index_status(changed, corpus, embedders_for(changed)) is None
    index = open_index(changed, corpus)
    # 200 characters: the Avant-propos (70 + 79 + 97 + 69) now needs three units
    chunks = [u.id for u in index.units if u.passage_id == "TST-P1-1"]
    assert chunks == ["TST-P1-1#1", "TST-P1-1#2", "TST-P1-1#3"]


def test_rebuilds_a_corrupted_index(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    ensure_index(settings, quiet=True)
    folder = HybridIndex.current_folder(Path(settings.index_dir))
    (folder / "units.jsonl").write_text("{}\n", encoding="utf-8")
    corpus = Corpus.load(settings, detect_languages=False)
    assert index_status(settings, corpus, embedders_for(settings)) is None  # the manifest alone looks current
    assert ensure_index(settings) is True
    assert f"index file {folder / 'units.jsonl'} is corrupted" in capsys.readouterr().err
    assert open_index(settings, corpus).search("ViCLAS", k=1)[0].passage_id == "TST-B2.2-1"
