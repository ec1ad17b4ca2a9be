"""`pns search`, and the progress bar of index builds (`pns index` itself is the assistant's: it also fits the
out-of-scope decision on the built index)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    search = sub.add_parser("search", help="retrieve passages for a query (no answer composition)")
    search.add_argument("query", help="the query text")
    search.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    search.add_argument("--mode", default="hybrid",
                        help="hybrid (default: every signal fused), bm25, dense (the encoders fused), or one "
                             "encoder's signal: use, e5, st")
    search.add_argument("--lang", choices=("fr", "nl", "en"), help="query language (default: detected)")
    search.add_argument("--json", action="store_true", help="machine-readable output")
    search.set_defaults(func=cmd_search)


class ProgressBar:
    """A plain progress line on stderr, only for long builds on a terminal."""

    def __init__(self, label: str, min_total: int = 200) -> None:
        self.label, self.min_total = label, min_total

    @classmethod
    def per_signal(cls, signal: str) -> ProgressBar:
        """The bar of one encoder's pass over the units."""
        return cls(f"embedding ({signal})")

    def __call__(self, done: int, total: int) -> None:
        if total < self.min_total or not sys.stderr.isatty():
            return
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def cmd_search(args: argparse.Namespace, settings: Any) -> int:
    from corpus.catalogue import Corpus
    from corpus.language import detect_language
    from indexer.build import open_index
    from pns.cli import print_json
    from pns.errors import UsageError

    query = args.query.strip()
    if not query:
        raise UsageError("the query is empty; give some words to search for")
    corpus = Corpus.load(settings, detect_languages=False)
    index = open_index(settings, corpus)
    language = args.lang or detect_language(query)
    hits = index.search(query[: settings.max_question_chars], k=args.k, mode=args.mode, language=language)
    rows = []
    for rank, hit in enumerate(hits, start=1):
        passage = corpus.passages[hit.passage_id]
        rows.append({"rank": rank, "passage": passage.id, "objective_id": passage.objective_id,
                     "unit": hit.unit_id, "path": list(passage.path), "text": passage.text, **hit.to_dict()})
    if args.json:
        print_json({"query": query, "mode": args.mode, "language": language, "fusion": settings.fusion,
                    "weights": index.weights(language), "results": rows})
        return 0
    if not rows:
        print("no result")
    for row in rows:
        scores = [f"fused {row['score']:.4f}"] if row["retriever"] == "hybrid" else []
        for name, part in row["signals"].items():
            digits = 2 if name == "bm25" else 3
            scores.append(f"{name} #{part['rank']} {part['score']:.{digits}f}")
        print(f"{row['rank']:>2}. {row['objective_id'] or row['passage']}  [{', '.join(scores)}]")
        print(f"    {' › '.join(row['path'])}")
        print(f"    {row['text'][:200]}")
    return 0
