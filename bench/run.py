"""`pns bench`: figures for the speed and memory targets, printed with their targets, never asserted.

Measures, on this machine: a cold build of the shipped corpus' index (empty embedding cache, seconds, units/s) and
a warm re-index (unchanged text: every vector from the cache), in-process query latency of each signal alone, of
hybrid search and of the full assistant over the question set (p50/p95/max), a fresh `pns search` and `pns ask`
process (wall time), peak RSS, and whether torch was imported. ``--scale N`` replicates the corpus synthetically
to N units (vectors jittered around the real ones, texts tagged per copy) to show how search cost grows.
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

# (figure, target, unit): what each measure must meet; the report marks the ones that miss.
TARGETS = {
    "cold_build_s": (40.0, "s"),
    "warm_build_s": (5.0, "s"),
    "search_p95_ms": (40.0, "ms"),  # both encoders embed the query (e5 about 20 ms on these cores)
    "ask_p95_ms": (40.0, "ms"),
    "fresh_ask_s": (1.2, "s"),
    "fresh_search_s": (1.5, "s"),
    "peak_rss_mb": (700.0, "MB"),
    "scale_hybrid_p95_ms": (60.0, "ms"),
}


def verdict(name: str, value: float | None) -> str:
    """"(target ≤ 5 s)" when met, "MISSES target ≤ 5 s" when not; empty for a figure without target."""
    if name not in TARGETS or value is None:
        return ""
    target, unit = TARGETS[name]
    return f"(target ≤ {target:g} {unit})" if value <= target else f"MISSES target ≤ {target:g} {unit}"


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
    """Search cost at N units: the real units replicated with jittered vectors (synthetic), indexed, queried."""
    from indexer.dense import DenseIndex
    from indexer.lexical import LexicalIndex
    from indexer.store import HybridIndex
    from pns.types import Unit

    index = assistant.index
    copies = -(-n_units // len(index.units))
    rng = np.random.default_rng(0)
    units = [Unit(f"{u.id}~{c}", f"{u.passage_id}~{c}", f"{u.text} copie{c}", u.language, u.prose)
             for c in range(copies) for u in index.units][:n_units]
    start = time.perf_counter()
    dense = {}
    for signal, real in index.dense.items():
        # each copy takes the vector of the unit it copies, in the encoder's own order of embedded units
        own = index.dense_position[signal]
        positions = [own[index.row_of[u.id.split("~")[0]]] for u in units if index.row_of[u.id.split("~")[0]] in own]
        base = real.vectors(list(range(real.size)))[positions]
        jitter = base + rng.normal(0, 0.03, size=base.shape).astype(np.float32)
        dense[signal] = DenseIndex.build(jitter / np.linalg.norm(jitter, axis=1, keepdims=True),
                                         settings.hnsw_threshold, settings.hnsw_m, settings.hnsw_ef_search)
    dense_s = time.perf_counter() - start
    start = time.perf_counter()
    lexical = LexicalIndex.build([u.text for u in units], [u.language for u in units])
    bm25_s = time.perf_counter() - start
    scaled = HybridIndex(units, dense, lexical, index.embedders, settings, dict(index.manifest))
    vec_cache = {q: index.embed_query(q) for q in queries}
    kinds = sorted({d.kind for d in dense.values()})
    return {
        "units": len(units), "synthetic": True, "dense_kind": ", ".join(kinds), "dense_build_s": round(dense_s, 2),
        "bm25_build_s": round(bm25_s, 2),
        "bm25": _time_queries(lambda q: scaled.search(q, 10, "bm25"), queries, repeat),
        "dense": _time_queries(lambda q: scaled.search(q, 10, "dense", vectors=vec_cache[q]), queries, repeat),
        "hybrid": _time_queries(lambda q: scaled.search(q, 10, "hybrid", vectors=vec_cache[q]), queries, repeat),
        "hybrid_with_query_embedding": _time_queries(lambda q: scaled.search(q, 10, "hybrid"), queries, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def _build(settings: Settings, rebuild: bool) -> tuple[Any, float]:
    """Index and out-of-scope decision, as `pns index` builds them; the index and the seconds it took."""
    from assistant.build import ensure_ready
    from corpus.catalogue import Corpus
    from indexer.build import open_index

    start = time.perf_counter()
    ensure_ready(settings, rebuild=rebuild, quiet=True)
    elapsed = time.perf_counter() - start
    return open_index(settings, Corpus.load(settings, detect_languages=False)), elapsed


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.service import Assistant
    from eval.run import load_questions
    from pns.cli import print_json

    questions = [q.question for q in load_questions()]
    report: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    with tempfile.TemporaryDirectory(prefix="pns-bench-") as tmp:
        # A data folder of its own: the first build finds no embedding cache (cold), the second finds every
        # vector there (warm re-index of unchanged text). The question-vector cache keeps only the last question
        # (what one answer reuses): the timings repeat the question list, and they measure the encoders.
        bench_settings = settings.replace(index_dir=str(Path(tmp) / "index"), data_dir=str(Path(tmp) / "data"),
                                         query_cache=1)
        index, cold_s = _build(bench_settings, rebuild=False)
        _, warm_s = _build(bench_settings, rebuild=True)
        report["index_build"] = {"cold_s": round(cold_s, 2), "warm_s": round(warm_s, 2), "units": len(index.units),
                                 "units_per_s_cold": round(len(index.units) / cold_s, 1),
                                 "signals": index.signals,
                                 "encoders": [e.id for e in index.embedders.values()],
                                 "dense_kind": sorted({d.kind for d in index.dense.values()})}
        assistant = Assistant.load(bench_settings, warm=True)
        idx = assistant.index
        report["search_in_process"] = {
            mode: _time_queries(lambda q, m=mode: idx.search(q, 10, m), questions, args.repeat)
            for mode in ["bm25", *idx.dense, "hybrid"] if mode in idx.modes and (mode != "bm25" or idx.lexical)
        }
        report["ask_in_process"] = _time_queries(lambda q: assistant.ask(q), questions, args.repeat)
        report["peak_rss_mb"] = round(_peak_rss_mb(), 1)
        report["torch_imported"] = "torch" in sys.modules
        report["sentence_transformers_imported"] = "sentence_transformers" in sys.modules
        env = {**os.environ, "PNS_INDEX_DIR": bench_settings.index_dir, "PNS_DATA_DIR": bench_settings.data_dir,
               "PNS_CORPUS_DIR": settings.corpus_dir}
        env.pop("PNS_CONFIG", None)
        report["fresh_process"] = {
            "pns search": _fresh_process(["search", "cybercriminalité", "-k", "5"], env),
            "pns ask": _fresh_process(["ask", "Quels sont les objectifs en matière de cybercriminalité ?"], env),
        }
        if args.scale:
            report["scale"] = bench_scale(settings, assistant, args.scale, questions[:50], 1)
    report["targets"] = _verdicts(report)
    if args.json:
        print_json(report)
        return 0
    _print_report(report)
    return 0


def _verdicts(r: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each measured figure against its target: {"value", "target", "met"}."""
    fresh = r["fresh_process"]
    values = {
        "cold_build_s": r["index_build"]["cold_s"], "warm_build_s": r["index_build"]["warm_s"],
        "search_p95_ms": r["search_in_process"].get("hybrid", {}).get("p95_ms"),
        "ask_p95_ms": r["ask_in_process"]["p95_ms"],
        "fresh_ask_s": fresh["pns ask"].get("wall_s_median"), "fresh_search_s": fresh["pns search"].get("wall_s_median"),
        "peak_rss_mb": max([r["peak_rss_mb"], *(v.get("peak_rss_mb", 0) for v in fresh.values())]),
    }
    if "scale" in r:
        values["scale_hybrid_p95_ms"] = r["scale"]["hybrid_with_query_embedding"]["p95_ms"]
    return {name: {"value": v, "target": TARGETS[name][0], "met": v is not None and v <= TARGETS[name][0]}
            for name, v in values.items()}


def _print_report(r: dict[str, Any]) -> None:
    b, targets = r["index_build"], r["targets"]

    def mark(name: str) -> str:
        return verdict(name, targets.get(name, {}).get("value"))

    print(f"machine: {r['machine']['cpus']} CPUs, Python {r['machine']['python']}")
    print(f"signals: {', '.join(b['signals'])} ({', '.join(b['encoders']) or 'no encoder'}; "
          f"{', '.join(b['dense_kind']) or 'no'} dense index)")
    print(f"index build and out-of-scope fit, cold (empty embedding cache): {b['cold_s']} s for {b['units']} units "
          f"({b['units_per_s_cold']} units/s) {mark('cold_build_s')}")
    print(f"index re-build, warm (unchanged text, vectors from the cache): {b['warm_s']} s {mark('warm_build_s')}")
    print("in-process latency (ms)        p50      p95      max     n")
    rows = {f"search {m}": v for m, v in r["search_in_process"].items()}
    rows["ask (full assistant)"] = r["ask_in_process"]
    for name, v in rows.items():
        note = mark("search_p95_ms") if name == "search hybrid" else mark("ask_p95_ms") if name.startswith("ask") \
            else ""
        print(f"  {name:<26} {v['p50_ms']:>7.2f}  {v['p95_ms']:>7.2f}  {v['max_ms']:>7.2f}  {v['n']:>4}  {note}")
    for name, v in r["fresh_process"].items():
        key = "fresh_ask_s" if name == "pns ask" else "fresh_search_s"
        if "error" in v:
            print(f"fresh `{name}`: failed: {v['error']}")
        else:
            print(f"fresh `{name}` process: {v['wall_s_median']} s wall (median of 3, max {v['wall_s_max']} s) "
                  f"{mark(key)}")
    fresh = max(v.get("peak_rss_mb", 0) for v in r["fresh_process"].values())
    print(f"peak RSS: {r['peak_rss_mb']} MB (this benchmark process, both builds included); "
          f"a fresh `pns` process: {fresh} MB {mark('peak_rss_mb')}")
    print(f"torch imported: {r['torch_imported']}; sentence-transformers imported: "
          f"{r['sentence_transformers_imported']}")
    if "scale" in r:
        s = r["scale"]
        print(f"at {s['units']} units (synthetic: the real units replicated, vectors jittered; {s['dense_kind']} "
              f"dense, built in {s['dense_build_s']} s, BM25 in {s['bm25_build_s']} s):")
        for mode in ("bm25", "dense", "hybrid", "hybrid_with_query_embedding"):
            v = s[mode]
            note = mark("scale_hybrid_p95_ms") if mode == "hybrid_with_query_embedding" else ""
            print(f"  {mode:<28} p50 {v['p50_ms']:.2f} ms  p95 {v['p95_ms']:.2f} ms  max {v['max_ms']:.2f} ms {note}")
        print(f"  peak RSS {s['peak_rss_mb']} MB")
    missed = [name for name, v in targets.items() if not v["met"]]
    print(f"targets: {len(targets) - len(missed)} of {len(targets)} met" +
          (f"; missed: {', '.join(missed)}" if missed else ""))
