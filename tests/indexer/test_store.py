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
from indexer.embedders import E5Embedder, Embedder, USEEmbedder
from indexer.lexical import LexicalIndex
from indexer.store import FORMAT_VERSION, HybridIndex
from pns.errors import ConfigError, IndexStateError, UsageError
from pns.settings import Settings
from pns.types import Hit, SignalScore

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


def _load(index_dir: Path, models: list[Embedder], verify: bool = True, **changes) -> HybridIndex:
    settings = fixture_settings(index_dir, Path("/unused-data"), **changes)
    corpus = Corpus.load(settings, detect_languages=False)
    return HybridIndex.load(index_dir, settings, corpus.fingerprint, models, verify=verify)


def _open(settings: Settings, models: list[Embedder]) -> HybridIndex:
    """Like open_index, with the session's already loaded encoders."""
    corpus = Corpus.load(settings, detect_languages=False)
    return HybridIndex.load(Path(settings.index_dir), settings, corpus.fingerprint, models)


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
    assert manifest["encoders"] == [
        {"signal": "use", "id": fixture_index.embedders["use"].id, "dim": 512, "file": "dense-use.faiss",
         "kind": "flat"},
        {"signal": "e5", "id": fixture_index.embedders["e5"].id, "dim": 384, "file": "dense-e5.faiss",
         "kind": "flat"}]
    assert manifest["bm25"] is True
    assert manifest["counts"] == {"units": 13, "passages": 12}
    assert manifest["settings"] == fixture_index.settings.index_fingerprint()
    # every file of the version (but the manifest) is listed with its checksum
    on_disk = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert sorted([*manifest["files"], "manifest.json"]) == on_disk
    assert {"dense-use.faiss", "dense-e5.faiss", "units.jsonl"} <= set(manifest["files"])
    assert any(name.startswith("bm25/") for name in manifest["files"])
    assert [u.id for u in fixture_index.units] == UNIT_IDS
    assert fixture_index.languages == ["fr", "nl"]
    assert fixture_index.signals == ["bm25", "use", "e5"]
    assert fixture_index.modes == ("hybrid", "bm25", "dense", "use", "e5")


# -- searching --------------------------------------------------------------------------------------------
def test_bm25_mode_exact_hit(fixture_index: HybridIndex) -> None:
    hits = fixture_index.search("ViCLAS", k=5, mode="bm25")
    # Only TST-B2.2-1 has "vicl". N = 13 units, 184 tokens in all (the pieces of "avant-propos" and
    # "sous-groupe" included), this unit 17:
    # ln(1 + 12.5 / 1.5) / (1 + 1.5 * (0.25 + 0.75 * 17 * 13 / 184)) = 2.233592 / 2.726223 = 0.8193
    assert [(h.passage_id, h.unit_id, h.retriever, list(h.signals)) for h in hits] == [
        ("TST-B2.2-1", "TST-B2.2-1", "bm25", ["bm25"])]
    assert round(hits[0].signal_score("bm25"), 4) == 0.8193
    assert hits[0].score == hits[0].signal_score("bm25")


def test_bm25_mode_dutch_unit(fixture_index: HybridIndex) -> None:
    for language in (None, "nl"):
        hits = fixture_index.search("geïntegreerde politie", k=5, mode="bm25", language=language)
        assert [h.unit_id for h in hits] == ["TST-P1-2"]
    assert fixture_index.search("radar vitesse", k=5, mode="bm25") == []


@pytest.mark.parametrize("signal", ["use", "e5"])
def test_each_encoder_finds_a_unit_from_its_own_text(fixture_index: HybridIndex, signal: str) -> None:
    unit = fixture_index.units[fixture_index.row_of["TST-B1-3"]]
    hits = fixture_index.search(unit.text, k=13, mode=signal)
    assert hits[0].passage_id == "TST-B1-3"
    # USE embeds queries and passages alike; e5 prefixes them differently ("query: " / "passage: ")
    assert (hits[0].signal_score(signal) == pytest.approx(1.0, abs=1e-5)) is (signal == "use")
    # 12 passages, each once (the Avant-propos by its better chunk), ranked by that encoder alone
    assert len(hits) == 12 and len({h.passage_id for h in hits}) == 12
    assert [h.rank(signal) for h in hits] == list(range(1, 13))
    assert all(h.retriever == signal and list(h.signals) == [signal] for h in hits)
    assert all(h.score == h.signal_score(signal) for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_dense_mode_fuses_the_encoders(fixture_index: HybridIndex) -> None:
    hits = fixture_index.search("formation des enquêteurs", k=12, mode="dense")
    assert all(h.retriever == "hybrid" and set(h.signals) == {"use", "e5"} for h in hits)
    use = {h.passage_id: h.score for h in fixture_index.search("formation des enquêteurs", k=12, mode="use")}
    e5 = {h.passage_id: h.score for h in fixture_index.search("formation des enquêteurs", k=12, mode="e5")}
    weights = fixture_index.weights(None)
    total = weights["use"] + weights["e5"]
    for hit in hits:  # each encoder's score min-max normalised over the 12 passages, then weighted
        expected = sum(weights[name] * (scores[hit.passage_id] - min(scores.values()))
                       / (max(scores.values()) - min(scores.values())) for name, scores in (("use", use), ("e5", e5)))
        assert hit.score == pytest.approx(expected, abs=1e-4)
        assert 0.0 <= hit.score <= total + 1e-9


def test_hybrid_mode_lists_each_passage_once_with_every_signal(fixture_index: HybridIndex) -> None:
    hits = fixture_index.search("ViCLAS", k=20, mode="hybrid")
    # 200 candidates hold every unit: all 12 passages come back once; the only BM25 match leads
    assert len(hits) == 12 and {h.passage_id for h in hits} == {u.passage_id for u in fixture_index.units}
    first = hits[0]
    assert (first.passage_id, first.retriever, first.rank("bm25")) == ("TST-B2.2-1", "hybrid", 1)
    assert first.rank("use") is not None and first.rank("e5") is not None
    assert all(h.rank("bm25") is None for h in hits[1:])
    assert sorted(h.rank("e5") for h in hits) == list(range(1, 13))
    assert fixture_index.search("ViCLAS", k=3) == hits[:3]


def test_rrf_fusion_is_a_setting(fixture_index: HybridIndex, tmp_path: Path, embedders: list[Embedder]) -> None:
    index_dir, _ = _copy_index(fixture_index, tmp_path)
    rrf = _load(index_dir, embedders, fusion="rrf")
    hits = rrf.search("ViCLAS", k=12)
    weights = rrf.weights(None)
    for hit in hits:
        expected = sum(weights[name] / (60 + part.rank) for name, part in hit.signals.items())
        assert hit.score == round(expected, 6)


def test_given_query_vectors_replace_the_query_embedding(fixture_index: HybridIndex,
                                                         embedders: list[Embedder]) -> None:
    unit = fixture_index.units[fixture_index.row_of["TST-B1-3"]]
    vectors = {e.signal: e.encode([unit.text], kind="passage")[0] for e in embedders}
    # the words find nothing; the vectors, computed elsewhere (the assistant embeds once), decide
    hits = fixture_index.search("radar vitesse", k=3, mode="dense", vectors=vectors)
    assert hits[0].passage_id == "TST-B1-3" and hits[0].signal_score("e5") == pytest.approx(1.0, abs=1e-5)
    hybrid = fixture_index.search("radar vitesse", k=3, vectors=vectors)
    assert hybrid[0].passage_id == "TST-B1-3" and hybrid[0].rank("bm25") is None
    assert fixture_index.embed_query(unit.text).keys() == {"use", "e5"}


class _Counting:
    """An encoder that counts the texts it embeds (wrapping a real one)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.signal, self.dim, self.id, self.texts = inner, inner.signal, inner.dim, inner.id, []

    def encode(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        self.texts += texts
        return self.inner.encode(texts, kind=kind)


def _counting_index(index: HybridIndex, size: int) -> tuple[HybridIndex, dict[str, _Counting]]:
    counting = {signal: _Counting(e) for signal, e in index.embedders.items()}
    copy = HybridIndex(index.units, index.dense, index.lexical, counting, index.settings.replace(query_cache=size),
                       index.manifest)
    return copy, counting


def test_a_question_asked_again_skips_the_encoders(fixture_index: HybridIndex) -> None:
    index, counting = _counting_index(fixture_index, size=2)
    first = index.search("contrôles de vitesse", k=3)
    again = index.search("contrôles de vitesse", k=3)
    assert [h.to_dict() for h in again] == [h.to_dict() for h in first]
    assert {s: c.texts for s, c in counting.items()} == {"use": ["contrôles de vitesse"], "e5": ["contrôles de vitesse"]}
    assert (index.query_cache_hits, index.query_cache_misses) == (2, 2)
    vector = index.query_vector("e5", "contrôles de vitesse")
    assert not vector.flags.writeable  # a caller cannot change what the next one gets
    # least recently used goes first: two questions fit, a third evicts the oldest
    index.embed_query("radar")
    index.embed_query("drogue")
    index.embed_query("contrôles de vitesse")
    assert counting["e5"].texts == ["contrôles de vitesse", "radar", "drogue", "contrôles de vitesse"]


def test_query_cache_of_one_keeps_only_the_last_question(fixture_index: HybridIndex) -> None:
    index, counting = _counting_index(fixture_index, size=1)
    for question in ["radar", "radar", "drogue", "radar"]:
        index.embed_query(question)
    assert counting["use"].texts == ["radar", "drogue", "radar"] and index.query_cache_hits == 2


def test_search_refuses_bad_mode_and_k(fixture_index: HybridIndex) -> None:
    with pytest.raises(UsageError, match="unknown search mode 'fuzzy'; use one of hybrid, bm25, dense, use, e5"):
        fixture_index.search("x", mode="fuzzy")
    with pytest.raises(UsageError, match="k must be at least 1, got 0"):
        fixture_index.search("x", k=0)


def test_default_views_index_objectives_with_their_translations_and_words(settings: Settings,
                                                                         embedders: list[Embedder]) -> None:
    settings = settings.replace(unit_views=Settings().unit_views)  # the product's default views
    build_index(settings, embedders=embedders)
    index = _open(settings, embedders)
    # 13 context units, 7 "text" views, and 5 view units for each of the 2 objectives with current views
    # (TST-B1-2's views are stale: written for another text, they are left out)
    assert index.manifest["counts"] == {"units": 30, "passages": 12}
    units = {u.id: u for u in index.units if u.passage_id == "TST-B2.2-1"}
    assert sorted(units) == ["TST-B2.2-1", "TST-B2.2-1@en", "TST-B2.2-1@nl", "TST-B2.2-1@text",
                             "TST-B2.2-1@words-en", "TST-B2.2-1@words-fr", "TST-B2.2-1@words-nl"]
    assert units["TST-B2.2-1@nl"].text == ("Seksueel en intrafamiliaal geweld › Seksueel geweld — De "
                                           "doeltreffendheid van ViCLAS blijven versterken.")
    assert (units["TST-B2.2-1@nl"].language, units["TST-B2.2-1@words-en"].language) == ("nl", "en")
    assert units["TST-B2.2-1@words-nl"].text == "seriële verkrachter, daderprofiel"
    assert not [u for u in index.units if u.passage_id == "TST-B1-2" and "@" in u.id and u.id != "TST-B1-2@text"]
    hits = index.search("ViCLAS", k=5, mode="bm25")
    assert [h.passage_id for h in hits] == ["TST-B2.2-1"]  # one passage, by its best unit
    # the unit with the fewest analysed tokens holding the word shows (BM25 length normalisation)
    assert hits[0].unit_id == "TST-B2.2-1@nl"
    # a Dutch everyday word finds the objective through its Dutch words, stemmed in Dutch
    assert index.search("verkrachters", k=1, mode="bm25", language="nl")[0].unit_id == "TST-B2.2-1@words-nl"
    assert index.search("serial rapists", k=1)[0].passage_id == "TST-B2.2-1"


def test_bad_views_setting_is_a_config_error(settings: Settings, embedders: list[Embedder]) -> None:
    with pytest.raises(ConfigError, match="setting unit_views: unit views must include 'context'"):
        build_index(settings.replace(unit_views="text,names"), embedders=embedders)
    assert not Path(settings.index_dir).exists()


def test_hnsw_index_above_the_threshold(settings: Settings, embedders: list[Embedder]) -> None:
    settings = settings.replace(hnsw_threshold=2)
    build_index(settings, embedders=embedders)
    index = _open(settings, embedders)
    assert [e["kind"] for e in index.manifest["encoders"]] == ["hnsw", "hnsw"]
    assert {d.kind for d in index.dense.values()} == {"hnsw"}
    unit = index.units[index.row_of["TST-B2.1-2"]]
    assert index.search(unit.text, k=1, mode="e5")[0].passage_id == "TST-B2.1-2"
    assert index.search("ViCLAS", k=1)[0].passage_id == "TST-B2.2-1"


def test_signals_can_be_switched_off(settings: Settings, embedder: Embedder) -> None:
    bm25_only = settings.replace(embedder="")
    index = build_index(bm25_only, embedders=[])
    assert (index.signals, index.manifest["encoders"]) == (["bm25"], [])
    assert index.search("ViCLAS", k=3)[0].retriever == "bm25"
    with pytest.raises(UsageError, match="this index has no encoder; search with --mode bm25"):
        index.search("ViCLAS", mode="dense")
    use_only = settings.replace(embedder="use", bm25=False)
    index = build_index(use_only, embedders=[embedder])
    assert index.signals == ["use"] and index.lexical is None
    assert not any(name.startswith("bm25/") for name in index.manifest["files"])
    with pytest.raises(UsageError, match=r"built without BM25 \(bm25 = false\)"):
        index.search("ViCLAS", mode="bm25")
    assert index.search("ViCLAS", k=1)[0].retriever == "use"
    with pytest.raises(ConfigError, match="no retrieval signal is configured"):
        build_index(settings.replace(embedder="", bm25=False))


# -- stale indexes ----------------------------------------------------------------------------------------
def test_changed_index_setting_makes_the_index_stale(fixture_index: HybridIndex, tmp_path: Path,
                                                     embedders: list[Embedder]) -> None:
    index_dir, _ = _copy_index(fixture_index, tmp_path)
    for change in ({"chunk_max_chars": 250}, {"chunk_overlap_sentences": 0}, {"hnsw_threshold": 10},
                   {"unit_views": "context,text"}, {"embedder": "use,e5"}, {"bm25": False}):
        with pytest.raises(IndexStateError) as caught:
            _load(index_dir, embedders, **change)
        assert str(caught.value) == (f"the index in {index_dir} is stale (settings that shape the index "
                                     "changed since it was built); run `pns index`")


def test_settings_that_do_not_shape_the_index_keep_it_current(fixture_index: HybridIndex, tmp_path: Path,
                                                              embedders: list[Embedder]) -> None:
    index_dir, _ = _copy_index(fixture_index, tmp_path)
    index = _load(index_dir, embedders, rrf_k=10, candidates=5, top_k=2, fusion_weights="bm25=3", fusion="rrf",
                  hnsw_ef_search=8)
    assert [u.id for u in index.units] == UNIT_IDS


def test_changed_document_makes_the_index_stale(settings: Settings, embedders: list[Embedder]) -> None:
    build_index(settings, embedders=embedders)
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


def test_changed_data_file_makes_the_index_stale(settings: Settings, embedders: list[Embedder]) -> None:
    build_index(settings, embedders=embedders)
    glossary = Path(settings.corpus_dir) / "glossary.toml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace('"piratage"', '"piratage", "hacking"'),
                        encoding="utf-8")
    with pytest.raises(IndexStateError, match="the corpus changed"):
        open_index(settings, Corpus.load(settings, detect_languages=False))
    build_index(settings, embedders=embedders)
    views = Path(settings.corpus_dir) / "views" / "plan-test-fr.toml"
    views.write_text(views.read_text(encoding="utf-8").replace('"daderprofiel"', '"daderprofielen"'),
                     encoding="utf-8")
    with pytest.raises(IndexStateError, match="the corpus changed"):
        open_index(settings, Corpus.load(settings, detect_languages=False))


def test_staleness_reasons(fixture_index: HybridIndex) -> None:
    manifest, settings = fixture_index.manifest, fixture_index.settings
    fingerprint = manifest["corpus"]
    models = [e["id"] for e in manifest["encoders"]]
    assert HybridIndex.staleness(manifest, settings, fingerprint, models) is None
    assert HybridIndex.staleness({**manifest, "format": 0}, settings, fingerprint, models) == (
        f"index format 0 is not the current {FORMAT_VERSION}")
    assert HybridIndex.staleness(manifest, settings, "0" * 16, models) == (
        "the corpus changed since the index was built")
    assert HybridIndex.staleness(manifest, settings, fingerprint, [models[0], "other@2"]) == (
        f"the index was built with {models[0]}, {models[1]}, the settings name {models[0]}, other@2")
    assert HybridIndex.staleness(manifest, settings, fingerprint, []) == (
        f"the index was built with {models[0]}, {models[1]}, the settings name no encoder")


# -- damaged and missing indexes --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["dense-use.faiss", "dense-e5.faiss", "units.jsonl", "bm25"])
def test_corrupted_file_is_named(fixture_index: HybridIndex, tmp_path: Path, embedders: list[Embedder],
                                 name: str) -> None:
    index_dir, folder = _copy_index(fixture_index, tmp_path)
    path = folder / (_bm25_file(fixture_index) if name == "bm25" else name)
    with path.open("r+b") as handle:
        handle.seek(40)
        handle.write(b"\x00garbage\x00")
    with pytest.raises(IndexStateError) as caught:
        _load(index_dir, embedders)
    assert str(caught.value) == (f"index file {path} is corrupted (checksum mismatch); "
                                 "run `pns index --rebuild`")


@pytest.mark.parametrize("name", ["dense-use.faiss", "dense-e5.faiss", "units.jsonl", "bm25"])
def test_missing_file_is_named(fixture_index: HybridIndex, tmp_path: Path, embedders: list[Embedder],
                               name: str) -> None:
    index_dir, folder = _copy_index(fixture_index, tmp_path)
    path = folder / (_bm25_file(fixture_index) if name == "bm25" else name)
    path.unlink()
    with pytest.raises(IndexStateError) as caught:
        _load(index_dir, embedders)
    assert str(caught.value) == f"index file {path} is missing; run `pns index --rebuild`"


def test_damaged_or_missing_manifest(fixture_index: HybridIndex, tmp_path: Path,
                                     embedders: list[Embedder]) -> None:
    index_dir, folder = _copy_index(fixture_index, tmp_path)
    manifest = folder / "manifest.json"
    manifest.write_text('{"format": 1, "files": ', encoding="utf-8")
    with pytest.raises(IndexStateError, match=r"manifest.json is corrupted; run `pns index --rebuild`"):
        _load(index_dir, embedders)
    manifest.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(IndexStateError, match=r"manifest.json is not an index manifest; run `pns index"):
        _load(index_dir, embedders)
    manifest.unlink()
    with pytest.raises(IndexStateError, match=r"manifest.json is missing; run `pns index --rebuild`"):
        _load(index_dir, embedders)


def test_unreadable_files_without_verification(fixture_index: HybridIndex, tmp_path: Path,
                                               embedders: list[Embedder]) -> None:
    index_dir, folder = _copy_index(fixture_index, tmp_path)
    units = folder / "units.jsonl"
    lines = units.read_text(encoding="utf-8").splitlines(keepends=True)
    units.write_text("".join(lines[:-1]), encoding="utf-8")  # one unit fewer than vectors
    with pytest.raises(IndexStateError) as caught:
        _load(index_dir, embedders, verify=False)
    assert str(caught.value) == (f"index in {folder} is inconsistent (13 use vectors, 12 embedded units); "
                                 "run `pns index --rebuild`")
    (folder / "dense-e5.faiss").write_bytes(b"not a faiss index")
    with pytest.raises(IndexStateError, match=r"cannot be read \(RuntimeError\); run `pns index --rebuild`"):
        _load(index_dir, embedders, verify=False)


def test_no_index_and_dangling_pointer(tmp_path: Path, embedders: list[Embedder]) -> None:
    index_dir = tmp_path / "nothing-here"
    with pytest.raises(IndexStateError) as caught:
        _load(index_dir, embedders)
    assert str(caught.value) == f"no index in {index_dir}; build it with `pns index`"
    index_dir.mkdir()
    (index_dir / "CURRENT").write_text("v-gone\n", encoding="utf-8")
    with pytest.raises(IndexStateError, match=r"names a missing folder; run `pns index --rebuild`"):
        _load(index_dir, embedders)
    (tmp_path / "v-outside").mkdir()
    (index_dir / "CURRENT").write_text("../v-outside\n", encoding="utf-8")
    with pytest.raises(IndexStateError, match="names a missing folder"):
        _load(index_dir, embedders)


# -- rebuilding -------------------------------------------------------------------------------------------
def _snapshot(index: HybridIndex) -> list[list[dict]]:
    return [[h.to_dict() for h in index.search(q, k=5, mode=mode)]
            for q in ("ViCLAS", "formation des enquêteurs", "suivi annuel du plan")
            for mode in ("hybrid", "bm25", "dense", "use", "e5")]


@pytest.mark.parametrize("broken", [(LexicalIndex, "save"), (DenseIndex, "save")])
def test_interrupted_build_leaves_the_previous_index_serving(settings: Settings, embedders: list[Embedder],
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             broken: tuple[type, str]) -> None:
    index_dir = Path(settings.index_dir)
    build_index(settings, embedders=embedders)
    current = (index_dir / "CURRENT").read_text(encoding="utf-8")
    before = _snapshot(_open(settings, embedders))

    def fail(*args, **kwargs) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(*broken, fail)
    with pytest.raises(OSError, match="No space left"):
        build_index(settings.replace(chunk_max_chars=200), embedders=embedders)
    monkeypatch.undo()

    assert (index_dir / "CURRENT").read_text(encoding="utf-8") == current
    assert [p.name.startswith(".building-") for p in index_dir.iterdir() if p.is_dir()].count(True) == 1
    assert _snapshot(_open(settings, embedders)) == before  # verified again, and searches identically

    # the next complete build switches CURRENT and removes both the old version and the leftover
    build_index(settings, embedders=embedders)
    new = (index_dir / "CURRENT").read_text(encoding="utf-8")
    assert new != current
    assert sorted(p.name for p in index_dir.iterdir()) == ["CURRENT", new.strip()]
    assert _snapshot(_open(settings, embedders)) == before


def test_loaded_index_searches_like_the_built_one(settings: Settings, embedders: list[Embedder]) -> None:
    built = build_index(settings, embedders=embedders)
    loaded = open_index(settings, Corpus.load(settings, detect_languages=False))
    assert [e.id for e in loaded.embedders.values()] == [e.id for e in embedders]
    loaded.embedders = {e.signal: e for e in embedders}  # the same models, already loaded
    assert loaded.units == built.units
    assert _snapshot(loaded) == _snapshot(built)


def test_empty_unit_list_is_refused(settings: Settings, embedders: list[Embedder]) -> None:
    with pytest.raises(IndexStateError, match="the corpus has no passage to index"):
        HybridIndex.build([], embedders, settings, "fingerprint")


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_is_reported_per_batch(tmp_path: Path, settings: Settings, embedders: list[Embedder],
                                        workers: int) -> None:
    calls: list[tuple[str, int, int]] = []

    def progress(signal: str):
        return lambda done, total: calls.append((signal, done, total))

    cold = settings.replace(embed_batch_size=5, embed_workers=workers, cache_dir=str(tmp_path / "fresh-cache"))
    built = build_index(cold, embedders=embedders, progress=progress)
    assert calls == [("use", 5, 13), ("use", 10, 13), ("use", 13, 13), ("e5", 5, 13), ("e5", 10, 13),
                     ("e5", 13, 13)]
    # batches come back in order: each unit's vector is its own text's
    for embedder in embedders:
        for unit_id in ("TST-P1-1#1", "TST-B2.2-1", "TST-P5-1"):
            row = built.row_of[unit_id]
            np.testing.assert_allclose(built.dense[embedder.signal].vectors([row])[0],
                                       embedder.encode([built.units[row].text])[0], atol=1e-5)


def test_unchanged_text_is_not_embedded_again(tmp_path: Path, settings: Settings, embedders: list[Embedder],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    cold = settings.replace(cache_dir=str(tmp_path / "fresh-cache"))
    first = build_index(cold, embedders=embedders)
    embedded: list[int] = []
    for cls in (USEEmbedder, E5Embedder):
        original = cls.encode
        monkeypatch.setattr(cls, "encode", lambda self, texts, kind="passage", _o=original: (
            embedded.append(len(texts)) if kind == "passage" else None, _o(self, texts, kind))[1])
    calls: list[tuple[str, int, int]] = []
    again = build_index(cold, embedders=embedders, progress=lambda s: lambda d, t: calls.append((s, d, t)))
    assert embedded == []  # every vector came from the cache
    assert calls == [("use", 13, 13), ("e5", 13, 13)]
    for signal in ("use", "e5"):
        np.testing.assert_array_equal(again.dense[signal].vectors(list(range(13))),
                                      first.dense[signal].vectors(list(range(13))))
    # a changed chunk size changes some texts: only those are embedded, by each encoder
    build_index(cold.replace(chunk_max_chars=200), embedders=embedders)
    assert embedded == [2, 2]  # the Avant-propos, now in three chunks, one of them a text seen before


def test_parallel_build_loads_the_model_once(tmp_path: Path, settings: Settings, embedder: Embedder,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    embedder.encode(["x"])  # the session cache exists: a load is a cache load
    loads: list[int] = []
    original = USEEmbedder._load_cache

    def spy(self: USEEmbedder, use: object) -> bool:
        loads.append(1)
        time.sleep(0.2)  # widen the window the way a cold start (3 s) does
        return original(self, use)

    monkeypatch.setattr(USEEmbedder, "_load_cache", spy)
    # its own, fresh embedder; an empty embedding cache, so the model is needed
    build_index(settings.replace(embed_batch_size=5, embed_workers=2, embedder="use",
                                 cache_dir=str(tmp_path / "fresh-cache")))
    assert len(loads) == 1


def test_hit_round_trips_through_json(fixture_index: HybridIndex) -> None:
    hit = fixture_index.search("ViCLAS", k=1)[0]
    data = json.loads(json.dumps(hit.to_dict()))
    signals = {name: SignalScore(**part) for name, part in data.pop("signals").items()}
    assert Hit(**data, signals=signals) == hit


def test_prose_encoders_choose_which_encoders_embed_the_running_text(settings: Settings,
                                                                     embedders: list[Embedder]) -> None:
    build_index(settings, embedders=embedders)
    both = _open(settings, embedders)
    prose = [u.id for u in both.units if u.prose]
    assert prose == ["TST-P1-1#1", "TST-P1-1#2", "TST-P1-2", "TST-P5-1"]  # the Avant-propos in two chunks, …
    assert both.dense["use"].size == both.dense["e5"].size == len(both.units)
    use_only = settings.replace(prose_encoders="use", index_dir=str(Path(settings.index_dir) / "use-prose"))
    build_index(use_only, embedders=embedders)
    index = _open(use_only, embedders)  # loads: each encoder's vectors match the units it embeds
    assert (index.dense["use"].size, index.dense["e5"].size) == (len(index.units), len(index.units) - len(prose))
    unit = index.units[index.row_of["TST-P1-2"]]
    assert index.search(unit.text, k=1, mode="use")[0].unit_id == "TST-P1-2"
    assert "TST-P1-2" not in {h.passage_id for h in index.search(unit.text, k=20, mode="e5")}
    hit = next(h for h in index.search(unit.text, k=5) if h.passage_id == "TST-P1-2")
    assert sorted(hit.signals) == ["bm25", "use"]  # found by BM25 and USE only
