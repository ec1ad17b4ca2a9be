"""`pns bench`: figures for the speed and memory targets, printed, never asserted.

Measures, on this machine: building the shipped corpus' index (seconds, units/s), in-process query latency of
bm25, dense and hybrid search and of the full assistant over the question set (p50/p95/max), a fresh `pns search`
and `pns ask` process (wall time), peak RSS, and whether torch was imported. ``--scale N`` replicates the corpus
synthetically to N units (vectors jittered around the real ones, texts tagged per copy) to show how search cost
grows.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from pns.settings import Settings


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _percentiles(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float)
    return {"p50_ms": round(float(np.percentile(arr, 50)), 3), "p95_ms": round(float(np.percentile(arr, 95)), 3),
            "max_ms": round(float(arr.max()), 3), "n": len(values)}


def _time_queries(fn: Any, queries: list[str], repeat: int) -> dict[str, float]:
    fn(queries[0])  # warm
    times = []
    for _ in range(repeat):
        for q in queries:
            start = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - start) * 1000)
    return _percentiles(times)


# Runs `pns` and reports its own peak RSS on the last line of stderr (the parent's view of a child's RSS would
# include the memory it had at fork time).
# (ru_maxrss survives exec on Linux, so the child reads its own high-water mark, VmHWM, instead.)
_CHILD = ("import runpy, sys\n"
          "sys.argv = ['pns', *sys.argv[1:]]\n"
          "try:\n    runpy.run_module('pns.cli', run_name='__main__')\n"
          "except SystemExit as exc:\n    code = exc.code\nelse:\n    code = 0\n"
          "hwm = [line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM:')]\n"
          "print(hwm[0] if hwm else 0, file=sys.stderr)\n"
          "sys.exit(code)\n")


def _fresh_process(argv: list[str], env: dict[str, str], runs: int = 3) -> dict[str, float]:
    """Wall time of a new `pns` process (the median of a few runs) and its own peak RSS."""
    times, rss = [], []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _CHILD, *argv], env=env, capture_output=True, text=True,
                              check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            return {"error": done.stderr.strip()[-300:]}
        rss.append(int(done.stderr.strip().splitlines()[-1]) / 1024)
    return {"wall_s_median": round(float(np.median(times)), 3), "wall_s_max": round(max(times), 3),
            "peak_rss_mb": round(max(rss), 1)}


def bench_scale(settings: Settings, assistant: Any, n_units: int, queries: list[str], repeat: int) -> dict:
    """Search cost at N units: the real units replicated with jittered vectors, indexed, and queried."""
    from indexer.dense import DenseIndex
    from indexer.lexical import LexicalIndex
    from indexer.store import HybridIndex
    from pns.types import Unit

    index = assistant.index
    base_vectors = index.dense.vectors(list(range(len(index.units))))
    copies = -(-n_units // len(index.units))
    rng = np.random.default_rng(0)
    units, vectors = [], []
    for c in range(copies):
        for u in index.units:
            if len(units) >= n_units:
                break
            units.append(Unit(f"{u.id}~{c}", u.passage_id, f"{u.text} copie{c}", u.language))
        take = min(len(index.units), n_units - len(vectors))
        jitter = base_vectors[:take] + rng.normal(0, 0.03, size=(take, base_vectors.shape[1])).astype(np.float32)
        vectors.extend(jitter / np.linalg.norm(jitter, axis=1, keepdims=True))
    start = time.perf_counter()
    dense = DenseIndex.build(np.asarray(vectors, dtype=np.float32), settings.hnsw_threshold, settings.hnsw_m,
                             settings.hnsw_ef_search)
    dense_s = time.perf_counter() - start
    start = time.perf_counter()
    lexical = LexicalIndex.build([u.text for u in units], [u.language for u in units])
    bm25_s = time.perf_counter() - start
    scaled = HybridIndex(units, dense, lexical, index.embedder, settings, dict(index.manifest))
    vec_cache = {q: index.embed_query(q) for q in queries}
    return {
        "units": len(units), "dense_kind": dense.kind, "dense_build_s": round(dense_s, 2),
        "bm25_build_s": round(bm25_s, 2),
        "bm25": _time_queries(lambda q: scaled.search(q, 10, "bm25"), queries, repeat),
        "dense": _time_queries(lambda q: scaled.search(q, 10, "dense", vector=vec_cache[q]), queries, repeat),
        "hybrid": _time_queries(lambda q: scaled.search(q, 10, "hybrid", vector=vec_cache[q]), queries, repeat),
        "hybrid_with_query_embedding": _time_queries(lambda q: scaled.search(q, 10, "hybrid"), queries, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.service import Assistant
    from eval.run import load_questions
    from indexer.build import build_index
    from pns.cli import print_json

    questions = [q.question for q in load_questions()]
    report: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    with tempfile.TemporaryDirectory(prefix="pns-bench-") as tmp:
        bench_settings = settings.replace(index_dir=str(Path(tmp) / "index"))
        start = time.perf_counter()
        index = build_index(bench_settings)
        build_s = time.perf_counter() - start
        report["index_build"] = {"seconds": round(build_s, 2), "units": len(index.units),
                                 "units_per_s": round(len(index.units) / build_s, 1),
                                 "embedder": index.embedder.id, "dense_kind": index.dense.kind}
        assistant = Assistant.load(bench_settings, warm=True)
        idx = assistant.index
        report["search_in_process"] = {
            mode: _time_queries(lambda q, m=mode: idx.search(q, 10, m), questions, args.repeat)
            for mode in ("bm25", "dense", "hybrid")
        }
        report["ask_in_process"] = _time_queries(lambda q: assistant.ask(q), questions, args.repeat)
        report["peak_rss_mb"] = round(_peak_rss_mb(), 1)
        report["torch_imported"] = "torch" in sys.modules
        report["sentence_transformers_imported"] = "sentence_transformers" in sys.modules
        env = {**os.environ, "PNS_INDEX_DIR": bench_settings.index_dir, "PNS_DATA_DIR": settings.data_dir,
               "PNS_CORPUS_DIR": settings.corpus_dir}
        env.pop("PNS_CONFIG", None)
        report["fresh_process"] = {
            "pns search": _fresh_process(["search", "cybercriminalité", "-k", "5"], env),
            "pns ask": _fresh_process(["ask", "Quels sont les objectifs en matière de cybercriminalité ?"], env),
        }
        if args.scale:
            report["scale"] = bench_scale(settings, assistant, args.scale, questions[:50], 1)
    if args.json:
        print_json(report)
        return 0
    _print_report(report)
    return 0


def _print_report(r: dict[str, Any]) -> None:
    b = r["index_build"]
    print(f"machine: {r['machine']['cpus']} CPUs, Python {r['machine']['python']}")
    print(f"index build: {b['seconds']} s for {b['units']} units ({b['units_per_s']} units/s), "
          f"{b['dense_kind']} dense index, {b['embedder']}")
    print("in-process latency (ms)        p50      p95      max     n")
    rows = {f"search {m}": v for m, v in r["search_in_process"].items()}
    rows["ask (full assistant)"] = r["ask_in_process"]
    for name, v in rows.items():
        print(f"  {name:<26} {v['p50_ms']:>7.2f}  {v['p95_ms']:>7.2f}  {v['max_ms']:>7.2f}  {v['n']:>4}")
    for name, v in r["fresh_process"].items():
        if "error" in v:
            print(f"fresh `{name}`: failed: {v['error']}")
        else:
            print(f"fresh `{name}` process: {v['wall_s_median']} s wall (median of 3, max {v['wall_s_max']} s)")
    fresh = max(v.get("peak_rss_mb", 0) for v in r["fresh_process"].values())
    print(f"peak RSS: {r['peak_rss_mb']} MB (this benchmark process, index build included); "
          f"a fresh `pns` process: {fresh} MB")
    print(f"torch imported: {r['torch_imported']}; sentence-transformers imported: "
          f"{r['sentence_transformers_imported']}")
    if "scale" in r:
        s = r["scale"]
        print(f"at {s['units']} units ({s['dense_kind']} dense; built in {s['dense_build_s']} s, "
              f"BM25 in {s['bm25_build_s']} s):")
        for mode in ("bm25", "dense", "hybrid", "hybrid_with_query_embedding"):
            v = s[mode]
            print(f"  {mode:<28} p50 {v['p50_ms']:.2f} ms  p95 {v['p95_ms']:.2f} ms  max {v['max_ms']:.2f} ms")
        print(f"  peak RSS {s['peak_rss_mb']} MB")
