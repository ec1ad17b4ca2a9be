"""The `pns` command line: one entry point, a subcommand per job, each importing only what it needs.

Errors a person can act on (PNSError) become one line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from pns import __version__
from pns.errors import PNSError

# Each stage owns its subcommands in a light `cli` module with a `register(subparsers)` function.
STAGES = ("corpus.cli", "indexer.cli", "assistant.cli", "ui.cli", "eval.cli", "bench.cli")


def print_json(data: Any) -> None:
    """JSON for machines: UTF-8, no ASCII escapes, one document."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def clean_argv(argv: Sequence[str]) -> list[str]:
    """The arguments with what is not UTF-8 removed (a notice on stderr for each), so no command meets text it
    cannot print or encode; the same cleaner as every other entry point (assistant.text)."""
    from assistant.text import clean_text

    cleaned = []
    for position, value in enumerate(argv, start=1):
        result = clean_text(value, f"argument {position}")
        if result.removed:
            print(f"pns: notice: argument {position} was not valid UTF-8; what could not be read was removed: "
                  f"{result.text!r}", file=sys.stderr)
        cleaned.append(result.text)
    return cleaned


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pns", description="PNS Assistant: cited answers from the Plan national de sécurité 2016-2019.")
    parser.add_argument("--version", action="version", version=f"pns {__version__}")
    parser.add_argument("--config", help="settings file (TOML); default ./pns.toml if present, or $PNS_CONFIG")
    parser.add_argument("--embedder", help="encoders, comma-separated (default use-multilingual-v3,e5-small)")
    parser.add_argument("--index-dir", help="index folder (default .index in the repo)")
    parser.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in STAGES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Nothing this program runs may call home: Gradio's and Hugging Face's telemetry are off before any import.
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    parser = build_parser()
    args = parser.parse_args(clean_argv(sys.argv[1:] if argv is None else argv))
    func: Callable[[argparse.Namespace, Any], int | None] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    settings = None
    try:
        from pns.settings import load_settings

        settings = load_settings(args.config, embedder=args.embedder, index_dir=args.index_dir)
        return int(func(args, settings) or 0)
    except PNSError as exc:
        print(f"pns: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("pns: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug, not bad input: one line, the traceback on request
        from pns.settings import is_true

        # settings.debug when the settings loaded; the variable itself when loading them was what failed
        if args.debug or (settings.debug if settings else is_true(os.environ.get("PNS_DEBUG", ""))):
            import traceback

            traceback.print_exc()
        else:
            print(f"pns: internal error: {type(exc).__name__}: {exc} (run with --debug or PNS_DEBUG=1 for the "
                  "traceback)", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
