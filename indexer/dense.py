"""Dense index: FAISS inner product over L2-normalised vectors; exact up to a size, HNSW above it."""

from __future__ import annotations

from pathlib import Path

import numpy as np


class DenseIndex:
    """Holds a FAISS index; rows are unit positions."""

    def __init__(self, index, kind: str) -> None:
        self._index = index
        self.kind = kind

    @classmethod
    def build(cls, vectors: np.ndarray, hnsw_threshold: int, hnsw_m: int, ef_search: int) -> DenseIndex:
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if len(vectors) > hnsw_threshold:
            index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = max(40, 2 * hnsw_m)
            index.hnsw.efSearch = ef_search
            kind = "hnsw"
        else:
            index = faiss.IndexFlatIP(dim)
            kind = "flat"
        index.add(vectors)
        return cls(index, kind)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def vectors(self, rows: list[int]) -> np.ndarray:
        """Stored vectors of some rows (both index kinds keep them), for scoring a known subset exactly."""
        if not rows:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._index.reconstruct(int(r)) for r in rows])

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, self.size)
        if k <= 0:
            return []
        scores, rows = self._index.search(np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32), k)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, ef_search: int) -> DenseIndex:
        import faiss

        index = faiss.read_index(str(path))
        kind = "flat"
        if hasattr(index, "hnsw"):
            index.hnsw.efSearch = ef_search
            kind = "hnsw"
        return cls(index, kind)
