"""Indexer: retrievable units, embeddings, FAISS (dense) and BM25 (lexical) indexes, fusion and persistence."""
