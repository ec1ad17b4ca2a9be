"""Dense index: exact (flat) or HNSW by size, exact top-1 on orthogonal vectors, stored vectors, save/load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.dense import DenseIndex

BASIS = np.eye(5, 8, dtype=np.float32)  # 5 orthonormal vectors in 8 dimensions


@pytest.mark.parametrize(("threshold", "kind"), [(2, "hnsw"), (4, "hnsw"), (5, "flat"), (50_000, "flat")])
def test_kind_follows_the_threshold(threshold: int, kind: str) -> None:
    index = DenseIndex.build(BASIS, hnsw_threshold=threshold, hnsw_m=8, ef_search=16)
    assert index.kind == kind  # HNSW only above the threshold: 5 vectors > 4
    assert (index.size, index.dim) == (5, 8)


@pytest.mark.parametrize("threshold", [2, 50_000])
def test_exact_top1_on_orthogonal_vectors(threshold: int) -> None:
    index = DenseIndex.build(BASIS, hnsw_threshold=threshold, hnsw_m=8, ef_search=16)
    for row in range(5):
        hits = index.search(BASIS[row], k=1)
        assert [r for r, _ in hits] == [row]
        assert hits[0][1] == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("threshold", [2, 50_000])
def test_inner_product_order(threshold: int) -> None:
    index = DenseIndex.build(BASIS, hnsw_threshold=threshold, hnsw_m=8, ef_search=16)
    query = np.zeros(8, dtype=np.float32)
    query[[0, 1, 2]] = [0.2, 0.8, 0.5]
    hits = index.search(query, k=5)
    assert [r for r, _ in hits][:3] == [1, 2, 0]
    assert [round(s, 4) for _, s in hits] == [0.8, 0.5, 0.2, 0.0, 0.0]
    assert sorted(r for r, _ in hits) == [0, 1, 2, 3, 4]


def test_k_is_capped_and_zero_gives_nothing() -> None:
    index = DenseIndex.build(BASIS, hnsw_threshold=50_000, hnsw_m=8, ef_search=16)
    assert len(index.search(BASIS[0], k=50)) == 5
    assert index.search(BASIS[0], k=0) == []


@pytest.mark.parametrize("threshold", [2, 50_000])
def test_stored_vectors_are_returned(threshold: int) -> None:
    index = DenseIndex.build(BASIS, hnsw_threshold=threshold, hnsw_m=8, ef_search=16)
    np.testing.assert_array_equal(index.vectors([3, 1]), BASIS[[3, 1]])
    empty = index.vectors([])
    assert empty.shape == (0, 8) and empty.dtype == np.float32


def test_float64_input_is_accepted() -> None:
    index = DenseIndex.build(BASIS.astype(np.float64), hnsw_threshold=50_000, hnsw_m=8, ef_search=16)
    assert [r for r, _ in index.search(BASIS[2].astype(np.float64), k=1)] == [2]


@pytest.mark.parametrize(("threshold", "kind"), [(2, "hnsw"), (50_000, "flat")])
def test_save_load_round_trip(tmp_path: Path, threshold: int, kind: str) -> None:
    index = DenseIndex.build(BASIS, hnsw_threshold=threshold, hnsw_m=8, ef_search=16)
    index.save(tmp_path / "dense.faiss")
    loaded = DenseIndex.load(tmp_path / "dense.faiss", ef_search=24)
    assert loaded.kind == kind
    assert (loaded.size, loaded.dim) == (5, 8)
    if kind == "hnsw":
        assert loaded._index.hnsw.efSearch == 24  # the search breadth is a load-time setting
    for row in range(5):
        assert loaded.search(BASIS[row], k=1) == index.search(BASIS[row], k=1)
    np.testing.assert_array_equal(loaded.vectors([0, 4]), BASIS[[0, 4]])
