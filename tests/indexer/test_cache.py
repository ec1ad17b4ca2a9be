"""The embedding cache: keyed by model, kind and text; a damaged file is set aside, never a failed build."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.cache import EmbeddingCache, text_key


def test_vectors_round_trip_by_model_kind_and_text(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "sub" / "embeddings.sqlite")
    vectors = np.arange(6, dtype=np.float32).reshape(2, 3)
    cache.put("model@1", "passage", ["a", "b"], vectors)
    found = cache.get("model@1", "passage", ["b", "x", "a", "b"], 3)
    assert sorted(found) == [0, 2, 3]
    np.testing.assert_array_equal(found[0], vectors[1])
    np.testing.assert_array_equal(found[2], vectors[0])
    assert cache.get("model@2", "passage", ["a"], 3) == {}  # another model or version: nothing
    assert cache.get("model@1", "query", ["a"], 3) == {}  # queries and passages are embedded differently
    assert cache.get("model@1", "passage", ["a"], 4) == {}  # another dimension: not reused
    cache.close()
    reopened = EmbeddingCache(tmp_path / "sub" / "embeddings.sqlite")
    np.testing.assert_array_equal(reopened.get("model@1", "passage", ["a"], 3)[0], vectors[0])
    assert text_key("a") == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"


def test_a_damaged_cache_is_set_aside_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "embeddings.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    cache = EmbeddingCache(path)
    assert cache.get("m", "passage", ["a"], 3) == {}
    cache.put("m", "passage", ["a"], np.zeros((1, 3), dtype=np.float32))  # ignored, no exception
    assert cache.disabled
    err = capsys.readouterr().err
    assert err.startswith(f"pns: warning: embedding cache {path} is not usable (DatabaseError")
    assert err.rstrip().endswith("embedding without it")
