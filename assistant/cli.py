"""`pns ask`: one question, or one per line from stdin with one JSON object per line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any


def register(sub: Any) -> None:
    index = sub.add_parser("index", help="build the index and fit the out-of-scope decision (only when missing "
                                         "or stale, unless --rebuild)")
    index.add_argument("--rebuild", action="store_true", help="rebuild even when the index is current")
    index.set_defaults(func=cmd_index)

    ask = sub.add_parser("ask", help="answer a question with cited passages of the plan")
    ask.add_argument("question", help="the question, or - to read one question per line from stdin (JSONL out)")
    ask.add_argument("--lang", choices=("fr", "nl", "en"), help="answer language (default: detected)")
    ask.add_argument("--json", action="store_true", help="machine-readable output")
    ask.add_argument("--format", choices=("text", "markdown"), default="text",
                     help="plain text wrapped for a terminal (default) or the answer's Markdown; URLs come last")
    ask.set_defaults(func=cmd_ask)

    exp = sub.add_parser("export", help="a theme's or sub-group's objectives for a course: Markdown or HTML")
    exp.add_argument("theme", help="a theme or sub-group code, e.g. B5 or B4.2")
    exp.add_argument("--format", choices=("md", "html"), default="md", help="Markdown (default) or printable HTML")
    exp.add_argument("--lang", choices=("fr", "nl", "en"), default="fr", help="language of the headings")
    exp.add_argument("--out", help="file to write (default: standard output)")
    exp.set_defaults(func=cmd_export)


def cmd_index(args: argparse.Namespace, settings: Any) -> int:
    from assistant.build import ensure_ready
    from indexer.cli import ProgressBar
    from indexer.store import HybridIndex

    done = ensure_ready(settings, rebuild=args.rebuild, progress=ProgressBar.per_signal)
    elapsed = done["index_seconds"]
    if done["index_built"]:
        from pathlib import Path

        folder = HybridIndex.current_folder(Path(settings.index_dir))
        manifest = HybridIndex.read_manifest(folder)
        counts = manifest["counts"]
        signals = ["BM25"] if manifest.get("bm25") else []
        signals += [f"{e['signal']} ({e['id']}, dim {e['dim']}, {e['kind']})" for e in manifest["encoders"]]
        print(f"index built in {elapsed:.2f} s: {counts['units']} units from {counts['passages']} passages; "
              f"signals: {', '.join(signals)} → {folder}")
    ranking = done.get("ranker")
    if ranking:
        if ranking["fitted"]:
            print(f"learned ranker fitted in {ranking['seconds']:.2f} s on {ranking['questions']} labelled questions")
        else:
            print(f"learned ranker not fitted ({ranking['reason']}): free questions keep the fusion order")
    fitted = done["abstention"]
    if fitted:
        print(f"out-of-scope decision fitted in {fitted['seconds']:.2f} s on {fitted['examples']} questions "
              f"({fitted['out_of_scope']} out of scope); validated {fitted['validation']}: abstains on "
              f"{fitted['cv_abstention']:.1%} of out-of-scope questions, {fitted['cv_false_abstention']:.1%} of "
              f"in-scope ones, threshold {fitted['threshold']:.3f}")
    if not done["index_built"] and not fitted and not ranking:
        print(f"index is current ({settings.index_dir}); use --rebuild to rebuild it")
    return 0


def _print_answer(answer: Any, form: str = "text") -> None:
    """The answer, then one line per citation with its location and permalink last."""
    import shutil

    from assistant.compose import plain_text

    width = max(40, min(100, shutil.get_terminal_size((100, 24)).columns))
    print(answer.answer if form == "markdown" else plain_text(answer.answer, width))
    if answer.citations:
        print()
        for c in answer.citations:
            ref = c.objective_id or c.passage_id
            link = f" {c.url}" if c.url else ""
            print(f"[{c.rank}] {ref} — {c.document_title}, {c.location}{link}")


def cmd_ask(args: argparse.Namespace, settings: Any) -> int:
    from assistant import text
    from assistant.service import Assistant, Conversation
    from pns.cli import print_json
    from pns.errors import UsageError

    if args.question != "-":
        question = text.clean_text(args.question).text
        if not question.strip():
            raise UsageError("the question is empty; type a question about the plan")
        assistant = Assistant.load(settings)
        answer = text.ask(assistant, args.question, language=args.lang)
        if args.json:
            print_json(answer.to_dict())
        else:
            _print_answer(answer, args.format)
        return 0
    assistant = Assistant.load(settings)
    conversation = Conversation()
    failures = 0
    for line_number, question in read_lines(sys.stdin):
        try:
            data = text.ask(assistant, question, language=args.lang, conversation=conversation).to_dict()
        except UsageError as exc:
            failures += 1
            data = {"question": text.clean_text(question).text, "line": line_number, "error": str(exc)}
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 1 if failures else 0


def read_lines(stream: Any) -> Iterator[tuple[int, str]]:
    """``(line number, question)`` for each non-empty line of a batch, read as bytes so that a line that is not
    UTF-8 reaches the text cleaner (and its notice) instead of stopping the batch; CR LF and LF both end a line."""
    source = getattr(stream, "buffer", stream)
    for line_number, raw in enumerate(source, start=1):
        line = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else raw
        line = line.rstrip("\n").removesuffix("\r")
        if line:  # an empty line separates nothing; a line of spaces is an empty question (an error)
            yield line_number, line


def cmd_export(args: argparse.Namespace, settings: Any) -> int:
    from pathlib import Path

    from assistant.export import group_html, group_markdown
    from corpus.catalogue import Corpus

    corpus = Corpus.load(settings, detect_languages=False)
    render = group_html if args.format == "html" else group_markdown
    text = render(corpus, args.theme, args.lang)
    if not settings.public_url:
        print("pns: warning: public_url is not set, so the export carries no permalinks (a link to this machine "
              "would not open elsewhere); set it, e.g. PNS_PUBLIC_URL=https://pns.intranet.example", file=sys.stderr)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"pns: {args.theme.upper()} written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
