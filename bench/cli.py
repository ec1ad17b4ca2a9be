"""`pns bench`: build time, query latency, fresh-process time and memory, printed against their targets."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    bench = sub.add_parser("bench", help="measure index build, query latency and memory")
    bench.add_argument("--json", action="store_true", help="machine-readable output")
    bench.add_argument("--scale", type=int, default=0,
                       help="also replicate the corpus synthetically to N units and measure again")
    bench.add_argument("--repeat", type=int, default=5, help="passes over the question list (default 5)")
    bench.set_defaults(func=cmd_bench)


def cmd_bench(args: argparse.Namespace, settings: Any) -> int:
    from bench.run import run_bench

    return run_bench(args, settings)
