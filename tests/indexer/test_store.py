"""The hybrid index on the fixture corpus with the real default model: search modes, persistence, stale and
damaged indexes, and an interrupted build that leaves the previous index serving."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from corpus.catalogue import Corpus
from indexer.build import build_index, open_index
from indexer.dense import DenseIndex
from indexer.embedders import Embedder, USEEmbedder
from indexer.lexical import LexicalIndex
from indexer.store import FORMAT_VERSION, HybridIndex
from pns.errors import ConfigError, IndexStateError, UsageError
from pns.settings import Settings
from pns.types import Hit

from .conftest import FIXTURE_DOCUMENT, fixture_settings

UNIT_IDS = [
    "TST-P1-1#1", "TST-P1-1#2", "TST-P1-2", "TST-B1-goal", "TST-B1-1", "TST-B1-2", "TST-B1-3",
    "TST-B2-goal", "TST-B2.1-1", "TST-B2.1-2", "TST-B2.2-1", "TST-B2.2-2", "TST-P5-1",
]


def _copy_index(index: HybridIndex, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of a built index folder; returns it and its live version folder."""
    target = tmp_path / "index-copy"
    shutil.copytree(index.settings.index_dir, target)
    return target, HybridIndex.current_folder(target)


def _load(index_dir: Path, model: Embedder, verify: bool = True, **changes) -> HybridIndex:
    settings = fixture_settings(index_dir, Path("/unused-data"), **changes)
    corpus = Corpus.load(settings, detect_languages=False)
    return HybridIndex.load(index_dir, settings, corpus.fingerprint, model, verify=verify)


def _open(settings: Settings, model: Embedder) -> HybridIndex:
    """Like open_index, with the session's already loaded embedder."""
    corpus = Corpus.load(settings, detect_languages=False)
    return HybridIndex.load(Path(settings.index_dir), settings, corpus.fingerprint, model)


def _bm25_file(index: HybridIndex) -> str:
    """One of the files the lexical index saved (their names belong to LexicalIndex)."""
    return sorted(name for name in index.manifest["files"] if name.startswith("bm25/"))[0]


# -- what a build writes ----------------------------------------------------------------------------------
def test_layout_and_manifest(fixture_index: HybridIndex) -> None:
    index_dir = Path(fixture_index.settings.index_dir)
    folder = HybridIndex.current_folder(index_dir)
    assert sorted(p.name for p in index_dir.iterdir()) == ["CURRENT", folder.name]
    assert folder.name.startswith("v-")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == fixture_index.manifest
    assert manifest["format"] == FORMAT_VERSION
    assert manifest["embedder"] == fixture_index.embedder.id
    assert manifest["dim"] == 512
    assert manifest["counts"] == {"units": 13, "passages": 12}
    assert manifest["dense_kind"] == "flat"
    assert manifest["settings"] == fixture_index.settings.index_fingerprint()
    # every file of the version (but the manifest) is listed with its checksum
    on_disk = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert sorted([*manifest["files"], "manifest.json"]) == on_disk
    assert {"dense.faiss", "units.jsonl"} <= set(manifest["files"])
    assert any(name.startswith("bm25/") for name in manifest["files"])
    assert [u.id for u in fixture_index.units] == UNIT_IDS
    assert fixture_index.languages == ["fr", "nl"]


# -- searching --------------------------------------------------------------------------------------------
def test_bm25_mode_exact_hit(fixture_index: HybridIndex) -> None:
    hits = fixture_index.search("ViCLAS", k=5, mode="bm25")
    # Only TST-B2.2-1 has "vicl". N = 13 units, 176 tokens in all, this unit 17:
    # ln(1 + 12.5 / 1.5) / (1 + 1.5 * (0.25 + 0.75 * 17 * 13 / 176)) = 2.233592 / 2.787642 = 0.8012
    assert [(h.unit_id, h.retriever, h.bm25_rank, h.dense_rank, h.dense_score) for h in hits] == [
        ("TST-B2.2-1", "bm25", 1, None, None)]
    assert round(hits[0].bm25_score, 4) == 0.8012
    assert hits[0].score == round(hits[0].bm25_score, 6)


def test_bm25_mode_dutch_unit(fixture_index: HybridIndex) -> None:
    for language in (None, "nl"):
        hits = fixture_index.search("geïntegreerde politie", k=5, mode="bm25", language=language)
        assert [h.unit_id for h in hits] == ["TST-P1-2"]
    assert fixture_index.search("radar vitesse", k=5, mode="bm25") == []


def test_dense_mode_finds_a_unit_from_its_own_text(fixture_index: HybridIndex) -> None:
    unit = fixture_index.units[fixture_index.row_of["TST-B1-3"]]
    hits = fixture_index.search(unit.text, k=13, mode="dense")
    assert hits[0].unit_id == "TST-B1-3"
    assert hits[0].dense_score == pytest.approx(1.0, abs=1e-5)
    assert sorted(h.unit_id for h in hits) == sorted(UNIT_IDS)
    assert [h.dense_rank for h in hits] == list(range(1, 14))
    assert all(h.retriever == "dense" and h.bm25_rank is None and h.bm25_score is None for h in hits)
    assert all(h.score == round(h.dense_score, 6) for h in hits)
    assert [h.dense_score for h in hits] == sorted((h.dense_score for h in hits), reverse=True)


def test_hybrid_mode_fuses_both_rankings(fixture_index: HybridIndex) -> None:
    hits = fixture_index.search("ViCLAS", k=20, mode="hybrid")
    # the pool (50 candidates) holds every unit, so all 13 come back; the only BM25 match scores
    # 1/61 + 1/(60 + its dense rank), more than any dense-only unit can (at most 1/61)
    assert len(hits) == 13 and {h.unit_id for h in hits} == set(UNIT_IDS)
    first = hits[0]
    assert (first.unit_id, first.retriever, first.bm25_rank) == ("TST-B2.2-1", "hybrid", 1)
    assert first.dense_rank is not None and first.dense_score is not None
    for hit in hits:
        expected = (1 / (60 + hit.bm25_rank) if hit.bm25_rank else 0.0) + 1 / (60 + hit.dense_rank)
        assert hit.score == round(expected, 6)
    assert sorted(h.dense_rank for h in hits) == list(range(1, 14))
    assert fixture_index.search("ViCLAS", k=3) == hits[:3]


def test_a_given_query_vector_replaces_the_query_embedding(fixture_index: HybridIndex,
                                                           embedder: Embedder) -> None:
    unit = fixture_index.units[fixture_index.row_of["TST-B1-3"]]
    vector = embedder.encode([unit.text], kind="query")[0]
    # the words find nothing; the vector, computed elsewhere (the assistant embeds once), decides
    hits = fixture_index.search("radar vitesse", k=3, mode="dense", vector=vector)
    assert hits[0].unit_id == "TST-B1-3" and hits[0].dense_score == pytest.approx(1.0, abs=1e-5)
    hybrid = fixture_index.search("radar vitesse", k=3, vector=vector)
    assert hybrid[0].unit_id == "TST-B1-3" and hybrid[0].bm25_rank is None


def test_search_refuses_bad_mode_and_k(fixture_index: HybridIndex) -> None:
    with pytest.raises(UsageError, match="unknown search mode 'fuzzy'; use one of hybrid, bm25, dense"):
        fixture_index.search("x", mode="fuzzy")
    with pytest.raises(UsageError, match="k must be at least 1, got 0"):
        fixture_index.search("x", k=0)


def test_default_views_index_objectives_three_times(settings: Settings, embedder: Embedder) -> None:
    settings = settings.replace(unit_views=Settings().unit_views)  # the product's default views
    build_index(settings, embedder=embedder)
    index = _open(settings, embedder)
    assert index.manifest["counts"] == {"units": 27, "passages": 12}
    assert {u.id for u in index.units if u.passage_id == "TST-B2.2-1"} == {
        "TST-B2.2-1", "TST-B2.2-1@text", "TST-B2.2-1@names"}
    hits = index.search("ViCLAS", k=5, mode="bm25")
    assert sorted(h.unit_id for h in hits) == ["TST-B2.2-1", "TST-B2.2-1@names", "TST-B2.2-1@text"]
    # the shortest unit holding the word ranks first (BM25 length normalisation)
    assert hits[0].unit_id == "TST-B2.2-1@text"
    first = index.search("ViCLAS", k=1)[0]
    assert index.units[index.row_of[first.unit_id]].passage_id == "TST-B2.2-1"


def test_bad_views_setting_is_a_config_error(settings: Settings, embedder: Embedder) -> None:
    with pytest.raises(ConfigError, match="setting unit_views: unit views must include 'context'"):
        build_index(settings.replace(unit_views="text,names"), embedder=embedder)
    assert not Path(settings.index_dir).exists()


def test_hnsw_index_above_the_threshold(settings: Settings, embedder: Embedder) -> None:
    settings = settings.replace(hnsw_threshold=2)
    build_index(settings, embedder=embedder)
    index = _open(settings, embedder)
    assert index.manifest["dense_kind"] == index.dense.kind == "hnsw"
    unit = index.units[index.row_of["TST-B2.1-2"]]
    assert index.search(unit.text, k=1, mode="dense")[0].unit_id == "TST-B2.1-2"
    assert index.search("ViCLAS", k=1)[0].unit_id == "TST-B2.2-1"


# -- stale indexes ----------------------------------------------------------------------------------------
def test_changed_index_setting_makes_the_index_stale(fixture_index: HybridIndex, tmp_path: Path,
                                                     embedder: Embedder) -> None:
    index_dir, _ = _copy_index(fixture_index, tmp_path)
    for change in ({"chunk_max_chars": 250}, {"chunk_overlap_sentences": 0}, {"hnsw_threshold": 10},
                   {"unit_views": "context,text"}, {"embedder": "use"}):
        with pytest.raises(IndexStateError) as caught:
            _load(index_dir, embedder, **change)
        assert str(caught.value) == (f"the index in {index_dir} is stale (settings that shape the index "
                                     "changed since it was built); run `pns index`")


def test_settings_that_do_not_shape_the_index_keep_it_current(fixture_index: HybridIndex, tmp_path: Path,
                                                              embedder: Embedder) -> None:
    index_dir, _ = _copy_index(fixture_index, tmp_path)
    index = _load(index_dir, embedder, rrf_k=10, candidates=5, top_k=2, bm25_weight=3.0, hnsw_ef_search=8)
    assert [u.id for u in index.units] == UNIT_IDS


def test_changed_document_makes_the_index_stale(settings: Settings, embedder: Embedder) -> None:
    build_index(settings, embedder=embedder)
    corpus_dir = Path(settings.corpus_dir)
    document = corpus_dir / "documents" / FIXTURE_DOCUMENT.name
    old_sha = Corpus.load(settings, detect_languages=False).documents[0].sha256
    document.write_text(FIXTURE_DOCUMENT.read_text(encoding="utf-8").replace(
        "3. Organiser des formations", "3. Organiser chaque année des formations"), encoding="utf-8")
    new_sha = hashlib.sha256(document.read_bytes()).hexdigest()
    manifest = corpus_dir / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(old_sha, new_sha), encoding="utf-8")
    corpus = Corpus.load(settings, detect_languages=False)  # the corpus itself is valid
    with pytest.raises(IndexStateError, match=r"is stale \(the corpus changed since the index was built\); "
                                              r"run `pns index`"):
        open_index(settings, corpus)


def test_changed_data_file_makes_the_index_stale(settings: Settings, embedder: Embedder) -> None:
    build_index(settings, embedder=embedder)
    glossary = Path(settings.corpus_dir) / "glossary.toml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace('"piratage"', '"piratage", "hacking"'),
                        encoding="utf-8")
    with pytest.raises(IndexStateError, match="the corpus changed"):
        open_index(settings, Corpus.load(settings, detect_languages=False))


def test_staleness_reasons(fixture_index: HybridIndex) -> None:
    manifest, settings = fixture_index.manifest, fixture_index.settings
    fingerprint, model = manifest["corpus"], manifest["embedder"]
    assert HybridIndex.staleness(manifest, settings, fingerprint, model) is None
    assert HybridIndex.staleness({**manifest, "format": 0}, settings, fingerprint, model) == (
        f"index format 0 is not the current {FORMAT_VERSION}")
    assert HybridIndex.staleness(manifest, settings, "0" * 16, model) == (
        "the corpus changed since the index was built")
    assert HybridIndex.staleness(manifest, settings, fingerprint, "other@2") == (
        f"the index was built with {model}, the settings name other@2")


# -- damaged and missing indexes --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["dense.faiss", "units.jsonl", "bm25"])
def test_corrupted_file_is_named(fixture_index: HybridIndex, tmp_path: Path, embedder: Embedder,
                                 name: str) -> None:
    index_dir, folder = _copy_index(fixture_index, tmp_path)
    path = folder / (_bm25_file(fixture_index) if name == "bm25" else name)
    with path.open("r+b") as handle:
        handle.seek(40)
        handle.write(b"\x00garbage\x00")
    with pytest.raises(IndexStateError) as caught:
        _load(index_dir, embedder)
    assert str(caught.value) == (f"index file {path} is corrupted (checksum mismatch); "
                                 "run `pns index --rebuild`")


@pytest.mark.parametrize("name", ["dense.faiss", "units.jsonl", "bm25"])
def test_missing_file_is_named(fixture_index: HybridIndex, tmp_path: Path, embedder: Embedder,
                               name: str) -> None:
    index_dir, folder = _copy_index(fixture_index, tmp_path)
    path = folder / (_bm25_file(fixture_index) if name == "bm25" else name)
    path.unlink()
    with pytest.raises(IndexStateError) as caught:
        _load(index_dir, embedder)
    assert str(caught.value) == f"index file {path} is missing; run `pns index --rebuild`"


def test_damaged_or_missing_manifest(fixture_index: HybridIndex, tmp_path: Path, embedder: Embedder) -> None:
    index_dir, folder = _copy_index(fixture_index, tmp_path)
    manifest = folder / "manifest.json"
    manifest.write_text('{"format": 1, "files": ', encoding="utf-8")
    with pytest.raises(IndexStateError, match=r"manifest.json is corrupted; run `pns index --rebuild`"):
        _load(index_dir, embedder)
    manifest.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(IndexStateError, match=r"manifest.json is not an index manifest; run `pns index"):
        _load(index_dir, embedder)
    manifest.unlink()
    with pytest.raises(IndexStateError, match=r"manifest.json is missing; run `pns index --rebuild`"):
        _load(index_dir, embedder)


def test_unreadable_files_without_verification(fixture_index: HybridIndex, tmp_path: Path,
                                               embedder: Embedder) -> None:
    index_dir, folder = _copy_index(fixture_index, tmp_path)
    units = folder / "units.jsonl"
    lines = units.read_text(encoding="utf-8").splitlines(keepends=True)
    units.write_text("".join(lines[:-1]), encoding="utf-8")  # one unit fewer than vectors
    with pytest.raises(IndexStateError) as caught:
        _load(index_dir, embedder, verify=False)
    assert str(caught.value) == (f"index in {folder} is inconsistent (13 vectors, 12 units); "
                                 "run `pns index --rebuild`")
    (folder / "dense.faiss").write_bytes(b"not a faiss index")
    with pytest.raises(IndexStateError, match=r"cannot be read \(RuntimeError\); run `pns index --rebuild`"):
        _load(index_dir, embedder, verify=False)


def test_no_index_and_dangling_pointer(tmp_path: Path, embedder: Embedder) -> None:
    index_dir = tmp_path / "nothing-here"
    with pytest.raises(IndexStateError) as caught:
        _load(index_dir, embedder)
    assert str(caught.value) == f"no index in {index_dir}; build it with `pns index`"
    index_dir.mkdir()
    (index_dir / "CURRENT").write_text("v-gone\n", encoding="utf-8")
    with pytest.raises(IndexStateError, match=r"names a missing folder; run `pns index --rebuild`"):
        _load(index_dir, embedder)
    (tmp_path / "v-outside").mkdir()
    (index_dir / "CURRENT").write_text("../v-outside\n", encoding="utf-8")
    with pytest.raises(IndexStateError, match="names a missing folder"):
        _load(index_dir, embedder)


# -- rebuilding -------------------------------------------------------------------------------------------
def _snapshot(index: HybridIndex) -> list[list[dict]]:
    return [[h.to_dict() for h in index.search(q, k=5, mode=mode)]
            for q in ("ViCLAS", "formation des enquêteurs", "suivi annuel du plan")
            for mode in ("hybrid", "bm25", "dense")]


@pytest.mark.parametrize("broken", [(LexicalIndex, "save"), (DenseIndex, "save")])
def test_interrupted_build_leaves_the_previous_index_serving(settings: Settings, embedder: Embedder,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             broken: tuple[type, str]) -> None:
    index_dir = Path(settings.index_dir)
    build_index(settings, embedder=embedder)
    current = (index_dir / "CURRENT").read_text(encoding="utf-8")
    before = _snapshot(_open(settings, embedder))

    def fail(*args, **kwargs) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(*broken, fail)
    with pytest.raises(OSError, match="No space left"):
        build_index(settings.replace(chunk_max_chars=200), embedder=embedder)
    monkeypatch.undo()

    assert (index_dir / "CURRENT").read_text(encoding="utf-8") == current
    assert [p.name.startswith(".building-") for p in index_dir.iterdir() if p.is_dir()].count(True) == 1
    assert _snapshot(_open(settings, embedder)) == before  # verified again, and searches identically

    # the next complete build switches CURRENT and removes both the old version and the leftover
    build_index(settings, embedder=embedder)
    new = (index_dir / "CURRENT").read_text(encoding="utf-8")
    assert new != current
    assert sorted(p.name for p in index_dir.iterdir()) == ["CURRENT", new.strip()]
    assert _snapshot(_open(settings, embedder)) == before


def test_loaded_index_searches_like_the_built_one(settings: Settings, embedder: Embedder) -> None:
    built = build_index(settings, embedder=embedder)
    loaded = open_index(settings, Corpus.load(settings, detect_languages=False))
    assert loaded.embedder.id == embedder.id
    loaded.embedder = embedder  # the same model, already loaded
    assert loaded.units == built.units
    assert _snapshot(loaded) == _snapshot(built)


def test_empty_unit_list_is_refused(settings: Settings, embedder: Embedder) -> None:
    with pytest.raises(IndexStateError, match="the corpus has no passage to index"):
        HybridIndex.build([], embedder, settings, "fingerprint")


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_is_reported_per_batch(settings: Settings, embedder: Embedder, workers: int) -> None:
    calls: list[tuple[int, int]] = []
    built = build_index(settings.replace(embed_batch_size=5, embed_workers=workers), embedder=embedder,
                        progress=lambda done, total: calls.append((done, total)))
    assert calls == [(5, 13), (10, 13), (13, 13)]
    # batches come back in order: each unit's vector is its own text's
    for unit_id in ("TST-P1-1#1", "TST-B2.2-1", "TST-P5-1"):
        row = built.row_of[unit_id]
        np.testing.assert_allclose(built.dense.vectors([row])[0], embedder.encode([built.units[row].text])[0],
                                   atol=1e-5)


def test_parallel_build_loads_the_model_once(settings: Settings, embedder: Embedder,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    embedder.encode(["x"])  # the session cache exists: a load is a cache load
    loads: list[int] = []
    original = USEEmbedder._load_cache

    def spy(self: USEEmbedder, use: object) -> bool:
        loads.append(1)
        time.sleep(0.2)  # widen the window the way a cold start (3 s) does
        return original(self, use)

    monkeypatch.setattr(USEEmbedder, "_load_cache", spy)
    build_index(settings.replace(embed_batch_size=5, embed_workers=2))  # its own, fresh embedder
    assert len(loads) == 1


def test_hit_round_trips_through_json(fixture_index: HybridIndex) -> None:
    hit = fixture_index.search("ViCLAS", k=1)[0]
    assert Hit(**json.loads(json.dumps(hit.to_dict()))) == hit
