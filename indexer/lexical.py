"""BM25 over units with language-aware analysis (corpus.analysis: accent folding, stopwords, Snowball stems)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from corpus.analysis import analyse, analyse_parts


def _bm25(texts: list[str], languages: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, int]]:
    """bm25s's precomputed score matrix (one column per term: rows and scores) and vocabulary for ``texts``."""
    import bm25s

    # Two passes: the plain stems of every text are the vocabulary that word parts are checked against.
    plain = [analyse(text, lang) for text, lang in zip(texts, languages, strict=True)]
    known = {token for row in plain for token in row}
    tokens = [analyse_parts(text, lang, known) or [""] for text, lang in zip(texts, languages, strict=True)]
    retriever = bm25s.BM25(method="lucene", idf_method="lucene")
    retriever.index(tokens, show_progress=False)
    scores = retriever.scores
    vocab = {t: i for t, i in retriever.vocab_dict.items() if t and i < len(scores["indptr"]) - 1}
    return (np.asarray(scores["data"], dtype=np.float32), np.asarray(scores["indices"], dtype=np.int32),
            np.asarray(scores["indptr"], dtype=np.int64), vocab)


class LexicalIndex:
    """BM25 (Lucene variant) over pre-analysed units.

    bm25s computes the score matrix at build time; searching needs only that sparse matrix (one column of
    precomputed scores per term), so it is kept as three numpy arrays and a vocabulary, and a query sums the
    columns of its terms. This keeps bm25s and scipy out of the start-up path of a search.
    """

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, vocab: dict[str, int],
                 num_docs: int) -> None:
        self.data, self.indices, self.indptr = data, indices, indptr
        self.vocab = vocab
        self.num_docs = num_docs

    @classmethod
    def build(cls, texts: list[str], languages: list[str], documents: list[str] | None = None) -> LexicalIndex:
        """BM25 over ``texts``; with ``documents`` (each text's document), each document keeps its own statistics
        (document frequencies, mean length), so adding a 120-page plan to the corpus leaves the scores of another
        plan's passages as they were: its long prose does not make the other plan's words common or its units
        short. A query still sums one column per term, across every document."""
        if len(languages) != len(texts) or (documents is not None and len(documents) != len(texts)):
            raise ValueError("one language (and document) per text is needed")
        groups: dict[str, list[int]] = {}
        for row, document in enumerate(documents if documents is not None else [""] * len(texts)):
            groups.setdefault(document, []).append(row)
        columns: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        for rows in groups.values():
            data, indices, indptr, vocab = _bm25([texts[i] for i in rows], [languages[i] for i in rows])
            where = np.asarray(rows, dtype=np.int32)
            for term, column in vocab.items():
                start, end = indptr[column], indptr[column + 1]
                columns.setdefault(term, []).append((where[indices[start:end]], data[start:end]))
        merged_data, merged_indices, merged_indptr = [], [], [0]
        for parts in columns.values():
            rows = np.concatenate([r for r, _ in parts])
            order = np.argsort(rows, kind="stable")
            merged_indices.append(rows[order])
            merged_data.append(np.concatenate([d for _, d in parts])[order])
            merged_indptr.append(merged_indptr[-1] + len(rows))
        empty = np.zeros(0)
        return cls(np.concatenate(merged_data or [empty]).astype(np.float32),
                   np.concatenate(merged_indices or [empty]).astype(np.int32),
                   np.asarray(merged_indptr, dtype=np.int64), {t: i for i, t in enumerate(columns)}, len(texts))

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every row for the query tokens (each distinct token counted once)."""
        out = np.zeros(self.num_docs, dtype=np.float32)
        for token in dict.fromkeys(tokens):
            column = self.vocab.get(token)
            if column is None or not token:
                continue
            start, end = self.indptr[column], self.indptr[column + 1]
            out[self.indices[start:end]] += self.data[start:end]
        return out

    def search(self, tokens: list[str], k: int) -> list[tuple[int, float]]:
        """(row, score) of the best ``k`` rows with a positive score, best first (ties by row)."""
        scores = self.scores(tokens)
        positive = np.flatnonzero(scores > 0)
        if positive.size == 0:
            return []
        order = positive[np.lexsort((positive, -scores[positive]))][:k]
        return [(int(i), float(scores[i])) for i in order]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / "matrix.npz", data=self.data, indices=self.indices, indptr=self.indptr,
                 num_docs=np.array(self.num_docs))
        (folder / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        with np.load(folder / "matrix.npz", allow_pickle=False) as arrays:
            data, indices, indptr = arrays["data"], arrays["indices"], arrays["indptr"]
            num_docs = int(arrays["num_docs"])
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        if (vocab and max(vocab.values()) >= len(indptr) - 1) or len(data) != len(indices):
            raise ValueError("inconsistent BM25 matrix")
        return cls(data, indices, indptr, vocab, num_docs)
