"""`pns eval` (ablations and report) and `pns eval import-feedback FILE` (feedback → candidate questions)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    ev = sub.add_parser("eval", help="evaluate retrieval and answers on the curated question set")
    ev.add_argument("action", nargs="?", choices=("run", "import-feedback", "tune", "abstention", "ablation", "relevance"),
                    default="run",
                    help="run (default), tune (choose fusion weights on the development sets), abstention (the "
                         "out-of-scope decision on its held-out set and every question set), ablation (each signal "
                         "and, with --views, each kind of objective view), relevance (write the learned ranker's training "
                         "data, CORPUS_DIR/relevance.jsonl, from the development sets) or import-feedback FILE")
    ev.add_argument("file", nargs="?", help="with import-feedback: a JSONL file from `pns feedback export`")
    ev.add_argument("--json", action="store_true", help="print the summary as JSON")
    ev.add_argument("--out", help="report folder (default DATA_DIR/eval)")
    ev.add_argument("--questions", help="question set (default eval/questions.jsonl)")
    ev.add_argument("--progress-file", help="with run: keep this file updated with the run's progress (JSON)")
    ev.add_argument("--views", action="store_true", help="with ablation: also rebuild the index per views variant")
    ev.add_argument("--step", type=float, default=0.05, help="with tune: grid step of the weights (default 0.05)")
    ev.add_argument("--finalists", type=int, default=12,
                    help="with tune: how many of the best grid points the full assistant decides between (default "
                         "12; 0: retrieval alone decides)")
    ev.add_argument("--modes", default="bm25,dense,hybrid,assistant",
                    help="comma-separated modes (default: all four; an encoder's signal such as use or e5 "
                         "evaluates it alone)")
    ev.set_defaults(func=cmd_eval)


def cmd_eval(args: argparse.Namespace, settings: Any) -> int:
    from pns.errors import UsageError

    if args.action == "import-feedback":
        if not args.file:
            raise UsageError("import-feedback needs a file: pns eval import-feedback feedback.jsonl")
        return import_feedback(Path(args.file), Path(args.out) if args.out else None)
    if args.file:
        raise UsageError(f"unexpected argument {args.file!r}; did you mean `pns eval import-feedback FILE`?")
    if args.action == "abstention":
        from assistant.service import Assistant
        from eval.abstention import format_summary, run_abstention
        from pns.cli import print_json

        out = Path(args.out) if args.out else Path(settings.data_dir) / "eval"
        summary = run_abstention(Assistant.load(settings, warm=True), out)
        if args.json:
            print_json(summary)
        else:
            print(format_summary(summary))
            print(f"report: {out / 'abstention.md'}")
        return 0
    if args.action == "relevance":
        return write_relevance_file(settings)
    if args.action == "ablation":
        import json as _json

        from eval.ablation import signal_ablation, signals_markdown, views_ablation, views_markdown

        out = Path(args.out) if args.out else Path(settings.data_dir) / "eval"
        out.mkdir(parents=True, exist_ok=True)
        data: dict[str, Any] = {"signals": signal_ablation(settings)}
        text = signals_markdown(data["signals"])
        if args.views:
            data["views"] = views_ablation(settings)
            text += "\n" + views_markdown(data["views"])
        (out / "ablation.md").write_text(text, encoding="utf-8")
        (out / "ablation.json").write_text(_json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        print(text)
        print(f"report: {out / 'ablation.md'}")
        return 0
    if args.action == "tune":
        from eval.tune import format_tune, tune
        from pns.cli import print_json

        if not 0.01 <= args.step <= 0.5:
            raise UsageError(f"--step must be between 0.01 and 0.5, got {args.step}")
        report = tune(settings, args.step, finalists=max(0, args.finalists))
        if args.json:
            print_json(report)
        else:
            print(format_tune(report))
        return 0
    from eval.report import format_table, write_report
    from eval.run import MODES, QUESTIONS, run_all
    from pns.cli import print_json

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes:
        raise UsageError(f"no mode given; use some of {', '.join(MODES)} or an encoder's signal (use, e5)")
    questions = Path(args.questions) if args.questions else QUESTIONS
    if not questions.is_file():
        raise UsageError(f"question set {questions} not found")
    summary, answers = run_all(settings, modes, questions,
                               progress_file=Path(args.progress_file) if args.progress_file else None)
    out = Path(args.out) if args.out else Path(settings.data_dir) / "eval"
    report = write_report(summary, out)
    (out / "answers.jsonl").write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers), encoding="utf-8")
    if args.json:
        print_json({**summary, "report": str(report)})
    else:
        print(format_table(summary))
        print(f"report: {report}")
    return 0


def write_relevance_file(settings: Any) -> int:
    """Write the ranker's training data from the development sets into the corpus folder; `pns index` refits."""
    from collections import Counter

    from eval.relevance import relevance_rows, write_relevance
    from eval.run import QUESTIONS

    rows = relevance_rows(QUESTIONS.parent)
    path = Path(settings.corpus_dir) / "relevance.jsonl"
    try:
        write_relevance(rows, path)
    except OSError as exc:
        from pns.errors import UsageError

        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    counts = Counter(str(r["source"]).removeprefix("dev:") for r in rows)
    print(f"wrote {len(rows)} labelled questions to {path} ({', '.join(f'{n} {k}' for k, n in counts.items())}); "
          "run `pns index` to refit the ranker")
    return 0


def import_feedback(path: Path, out: Path | None) -> int:
    """Reviewed feedback → candidate questions (JSONL): what a curator checks before adding them to the set."""
    from pns.errors import UsageError

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read feedback file {path}: {exc}") from None
    candidates = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            question, rating = item["question"], item["rating"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise UsageError(f"{path}:{number}: not a feedback record (expected question and rating)") from None
        if rating not in ("up", "down", 1, -1):
            continue  # withdrawn thumbs and comments without a rating propose nothing
        citations = item.get("citations") or []
        cited = [c.get("objective_id") or c.get("passage_id") for c in citations if isinstance(c, dict)]
        candidates.append({
            "id": f"fb{number:04d}", "question": question, "language": item.get("language") or "fr",
            "intent": item.get("intent") or "free",
            # A thumbs-up proposes the cited passages as the answer; a thumbs-down needs a curator's answer.
            "expected": [c for c in cited if c][:3] if rating == "up" or rating == 1 else [],
            "expected_group": None, "expected_actor": None, "expected_prose": None,
            "difficulty": "paraphrase", "theme": None, "followup_of": None,
            "note": f"from feedback ({'up' if rating in ('up', 1) else 'down'}): {item.get('comment') or ''}"
                    .strip(),
            "review": "needed",
        })
    text = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in candidates)
    if out:
        target = out if out.suffix else out / "candidates.jsonl"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"{len(candidates)} candidate questions → {target}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
