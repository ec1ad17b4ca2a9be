"""`pns index`, `pns search`, `pns bench`."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    index = sub.add_parser("index", help="build the index (only when missing or stale, unless --rebuild)")
    index.add_argument("--rebuild", action="store_true", help="rebuild even when the index is current")
    index.set_defaults(func=cmd_index)

    search = sub.add_parser("search", help="retrieve passages for a query (no answer composition)")
    search.add_argument("query", help="the query text")
    search.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    search.add_argument("--mode", choices=("hybrid", "bm25", "dense"), default="hybrid")
    search.add_argument("--lang", choices=("fr", "nl", "en"), help="query language (default: detected)")
    search.add_argument("--json", action="store_true", help="machine-readable output")
    search.set_defaults(func=cmd_search)

    bench = sub.add_parser("bench", help="measure index build, query latency and memory")
    bench.add_argument("--json", action="store_true", help="machine-readable output")
    bench.add_argument("--scale", type=int, default=0,
                       help="also replicate the corpus synthetically to N units and measure again")
    bench.add_argument("--repeat", type=int, default=5, help="passes over the question list (default 5)")
    bench.set_defaults(func=cmd_bench)


class ProgressBar:
    """A plain progress line on stderr, only for long builds on a terminal."""

    def __init__(self, label: str, min_total: int = 500) -> None:
        self.label, self.min_total = label, min_total

    def __call__(self, done: int, total: int) -> None:
        if total < self.min_total or not sys.stderr.isatty():
            return
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def cmd_index(args: argparse.Namespace, settings: Any) -> int:
    import time

    from indexer.build import ensure_index

    start = time.perf_counter()
    built = ensure_index(settings, rebuild=args.rebuild, progress=ProgressBar("embedding"))
    elapsed = time.perf_counter() - start
    if built:
        from indexer.store import HybridIndex

        folder = HybridIndex.current_folder(__import__("pathlib").Path(settings.index_dir))
        manifest = HybridIndex.read_manifest(folder)
        counts = manifest["counts"]
        print(f"index built in {elapsed:.2f} s: {counts['units']} units from {counts['passages']} passages, "
              f"{manifest['dense_kind']} dense index ({manifest['embedder']}, dim {manifest['dim']}) → {folder}")
    else:
        print(f"index is current ({settings.index_dir}); use --rebuild to rebuild it")
    return 0


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
        unit = index.units[index.row_of[hit.unit_id]]
        passage = corpus.passages[unit.passage_id]
        rows.append({"rank": rank, "unit": unit.id, "passage": passage.id, "objective_id": passage.objective_id,
                     "path": list(passage.path), "text": passage.text, **hit.to_dict()})
    if args.json:
        print_json({"query": query, "mode": args.mode, "language": language, "results": rows})
        return 0
    if not rows:
        print("no result")
    for row in rows:
        scores = [f"fused {row['score']:.4f}"] if args.mode == "hybrid" else []
        if row["bm25_rank"]:
            scores.append(f"bm25 #{row['bm25_rank']} {row['bm25_score']:.2f}")
        if row["dense_rank"]:
            scores.append(f"dense #{row['dense_rank']} {row['dense_score']:.3f}")
        print(f"{row['rank']:>2}. {row['objective_id'] or row['passage']}  [{', '.join(scores)}]")
        print(f"    {' › '.join(row['path'])}")
        print(f"    {row['text'][:200]}")
    return 0


def cmd_bench(args: argparse.Namespace, settings: Any) -> int:
    from indexer.bench import run_bench

    return run_bench(args, settings)
