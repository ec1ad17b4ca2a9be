"""`pns corpus check`, `pns objectives`, `pns actors`."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    corpus = sub.add_parser("corpus", help="check the corpus: manifest, checksums, structure, warnings")
    corpus_sub = corpus.add_subparsers(dest="corpus_command", metavar="ACTION", required=True)
    check = corpus_sub.add_parser("check", help="verify documents and report the parsed structure")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.set_defaults(func=cmd_check)

    objectives = sub.add_parser("objectives", help="list the objectives (the plan tree)")
    objectives.add_argument("--theme", help="a theme or sub-group code, e.g. B5 or B4.2")
    objectives.add_argument("--json", action="store_true", help="a JSON list of objectives")
    objectives.set_defaults(func=cmd_objectives)

    actors = sub.add_parser("actors", help="the actor index, or the objectives naming one actor")
    actors.add_argument("name", nargs="?", help="an actor name or acronym, e.g. CTIF")
    actors.add_argument("--json", action="store_true", help="machine-readable output")
    actors.add_argument("--matrix", action="store_true",
                        help="actors (rows, by category) × themes (columns): objectives naming each actor per theme")
    actors.add_argument("--format", choices=("text", "csv", "png"), default="text",
                        help="with --matrix: text table (default), CSV, or a PNG chart (needs --out)")
    actors.add_argument("--out", help="with --matrix: write to this file instead of standard output")
    actors.set_defaults(func=cmd_actors)


def _load(settings: Any, detect_languages: bool = False) -> Any:
    from corpus.catalogue import Corpus

    return Corpus.load(settings, detect_languages=detect_languages)


def cmd_check(args: argparse.Namespace, settings: Any) -> int:
    from collections import Counter

    from corpus.views import check_views, expression_collisions
    from pns.cli import print_json

    corpus = _load(settings, detect_languages=True)
    counts = Counter(o.group_key for o in corpus.objectives.values())
    unknown = corpus.unknown_actors()
    reports = corpus.reports()
    everyday = everyday_questions(settings)
    views = check_views(corpus, everyday)
    glossary_collisions = expression_collisions(glossary_expressions(corpus), everyday)
    if args.json:
        print_json({
            "fingerprint": corpus.fingerprint,
            "documents": [{"id": d.id, "file": d.file, "sha256": d.sha256, "checksum": "ok"}
                          for d in corpus.documents],
            "objectives": len(corpus.objectives),
            "groups": dict(counts),
            "reports": [vars(r) for r in reports],
            "unknown_acronyms": [{"acronym": a, "long_form": f, "passage": p} for a, f, p in unknown],
            "views": {
                "objectives_with_views": views.with_views, "objectives": views.total,
                "missing": list(views.missing), "stale": list(views.stale), "orphans": list(views.orphans),
                "unreviewed": list(views.unreviewed),
                "shared_expressions": len(views.duplicates),
                "generic_expressions": [{"language": lg, "expression": e, "objectives": n}
                                        for lg, e, n in views.generic],
                "language_mismatches": [{"objective": o, "labelled": lg, "detected": d}
                                        for o, lg, d in views.language_mismatches],
                "everyday_collisions": [{"language": lg, "expression": e, "questions": n}
                                        for lg, e, n in views.collisions],
            },
            "glossary_everyday_collisions": [{"language": lg, "term": e, "questions": n}
                                             for lg, e, n in glossary_collisions],
        })
        return 0
    print(f"corpus {settings.corpus_dir} (fingerprint {corpus.fingerprint})")
    for doc in corpus.documents:
        print(f"  {doc.id}: {doc.file} sha256 ok — {doc.title} [{doc.kind}, {doc.edition}, {doc.language}]")
    for report in reports:
        state = "recognised" if report.recognised else "NOT recognised (generic passages only)"
        print(f"{report.document}: structure {state}; {', '.join(report.parts) or 'no parts'}; "
              f"{report.themes} themes, {report.objectives} objectives, {report.passages} passages")
        for line in document_summary(report):
            print(f"  {line}")
        for repair in report.repairs:
            print(f"  repaired: {repair}")
        for warning in report.warnings:
            print(f"  WARNING: {warning}")
    print("objectives per theme / sub-group:")
    for theme in corpus.themes.values():
        keys = [g.key for g in theme.groups if counts.get(g.key)] or [theme.code]
        detail = " · ".join(f"{k} {counts.get(k, 0)}" for k in keys)
        total = sum(counts.get(k, 0) for k in keys)
        print(f"  {theme.code:<4} {total:>3}  {theme.title}  [{detail}]")
    print(f"total: {len(corpus.objectives)} objectives")
    for acronym, long_form, passage in unknown:
        print(f"  note: acronym {acronym} ('{long_form}', {passage}) is not in actors.toml")
    _print_views(views, glossary_collisions)
    return 0


def page_ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 9] → "3-5, 9": pages as a reader writes them."""
    spans: list[list[int]] = []
    for n in sorted(numbers):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"{a}-{b}" if b > a else f"{a}" for a, b in spans)


def document_summary(report: Any) -> list[str]:
    """The document-level lines of `pns corpus check` for a PDF or an outline-numbered document: pages, what the
    layout cleaning removed and repaired, headings by level (nothing for the simplified plan's text)."""
    lines = []
    layout = report.layout
    if layout:
        running = ", ".join(f"'{t}'" for t in layout["running_lines"][:4])
        more = " …" if len(layout["running_lines"]) > 4 else ""
        lines.append(
            f"layout: {layout['pages']} pages; {len(layout['blank_pages'])} blank"
            + (f" (p. {page_ranges(layout['blank_pages'])})" if layout["blank_pages"] else "")
            + f"; {len(layout['contents_pages'])} contents pages skipped"
            + (f" (p. {page_ranges(layout['contents_pages'])}, {len(layout['contents_entries'])} entries)"
               if layout["contents_pages"] else "")
            + f"; {layout['headers_removed']} header and {layout['footers_removed']} footer lines removed"
            + (f" (running: {running}{more})" if running else ""))
        lines.append(
            f"layout: {len(layout['two_column_pages'])} two-column pages"
            + (f" (p. {page_ranges(layout['two_column_pages'])})" if layout["two_column_pages"] else "")
            + f"; {layout['hyphenations_joined']} hyphenations joined, {layout['hyphenations_kept']} hyphenated "
            f"compounds kept; {layout['bullets']} bullets; {layout['table_rows']} table rows; "
            f"{layout['footnotes']} footnotes")
    if report.headings:
        by_level = " · ".join(f"level {level}: {n}" for level, n in sorted(report.headings.items()))
        lines.append(f"headings: {by_level}; {report.objectives} numbered items; {report.passages} passages")
    return lines


def everyday_questions(settings: Any) -> list[tuple[str, str]]:
    """(text, language) of the out-of-scope questions of the background corpus (corpus/background.jsonl)."""
    import json
    from pathlib import Path

    path = Path(settings.corpus_dir) / "background.jsonl"
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r["question"], r["language"]) for r in rows if not r.get("in_scope")]


def glossary_expressions(corpus: Any) -> dict[str, set[str]]:
    """Glossary names in their language and its extra terms in every language, for the collision check."""
    out: dict[str, set[str]] = {"fr": set(), "nl": set(), "en": set()}
    for entry in corpus.glossary.values():
        for lang, name in entry.names.items():
            out.setdefault(lang, set()).add(name.casefold())
        for term in entry.terms:
            for lang in out:
                out[lang].add(term.casefold())
    return out


def _print_views(views: Any, glossary_collisions: list[tuple[str, str, int]]) -> None:
    print(f"views (corpus/views/): {views.with_views} of {views.total} objectives with current translations and "
          f"everyday words; {len(views.stale)} stale, {len(views.missing)} missing, {len(views.orphans)} for "
          f"unknown objectives, {len(views.unreviewed)} not reviewed")
    for oid in views.stale:
        print(f"  WARNING: views of {oid} were written for another French text: review them and update fr_sha256")
    for oid in views.orphans:
        print(f"  WARNING: views name {oid}, which is not an objective of the corpus")
    if views.missing:
        print(f"  note: no views for {', '.join(views.missing[:10])}{' …' if len(views.missing) > 10 else ''}")
    for oid, labelled, detected in views.language_mismatches:
        print(f"  WARNING: the {labelled} translation of {oid} reads as {detected!r}")
    print(f"  {len(views.duplicates)} expressions are shared by several objectives")
    if views.generic:
        print(f"  {len(views.generic)} expressions match more than 5 objectives (too generic to tell them apart): "
              + ", ".join(f"{e} ({lg}, {n})" for lg, e, n in views.generic[:12])
              + (" …" if len(views.generic) > 12 else ""))
    for label, found in (("view expressions", views.collisions), ("glossary terms", glossary_collisions)):
        if found:
            print(f"  {len(found)} {label} stand in 2 or more everyday out-of-scope questions "
                  "(corpus/background.jsonl): " + ", ".join(f"{e} ({lg}, {n})" for lg, e, n in found[:12])
                  + (" …" if len(found) > 12 else ""))


def cmd_objectives(args: argparse.Namespace, settings: Any) -> int:
    from pns.cli import print_json

    corpus = _load(settings)
    objectives = list(corpus.objectives.values())
    key = corpus.group_key(args.theme) if args.theme else None
    if key:
        objectives = corpus.group_objectives(key)
    if args.json:
        print_json([corpus.objective_dict(o) for o in objectives])
        return 0
    theme = group = None
    for o in objectives:
        if o.theme != theme:
            theme, group = o.theme, None
            print(f"{o.theme} {o.theme_title}")
        if o.group and o.group != group:
            group = o.group
            print(f"  {o.group_key} {o.group}")
        indent = "    " if o.group else "  "
        print(f"{indent}{o.id}  {o.number}. {o.text}")
    if key and not objectives:  # a sub-group of prose only, such as A5.5
        print(f"{key} {corpus.group_title(key)}: no objectives (the plan treats it in prose only)")
    return 0


def cmd_actors(args: argparse.Namespace, settings: Any) -> int:
    from pns.cli import print_json
    from pns.errors import UsageError

    corpus = _load(settings)
    index = corpus.actor_index
    if args.matrix:
        return _actor_matrix(corpus, args)
    if not args.name:
        rows = [{"id": a.id, "name": a.name, "category": a.category, "aliases": list(a.aliases),
                 "objectives": [p for p in index[a.id] if p in corpus.objectives],
                 "passages": index[a.id]} for a in corpus.actors]
        if args.json:
            print_json(rows)
        else:
            for r in rows:
                print(f"{r['name']} [{r['category']}]: {len(r['objectives'])} objectives, "
                      f"{len(r['passages'])} passages")
        return 0
    matches = corpus.matcher.lookup(args.name)
    if not matches:
        raise UsageError(f"no actor matches {args.name!r}; run `pns actors` for the list")
    out = []
    for actor in matches:
        objectives = [corpus.objective_dict(corpus.objectives[p]) for p in index[actor.id]
                      if p in corpus.objectives]
        prose = [{"id": p, "path": list(corpus.passages[p].path), "text": corpus.passages[p].text}
                 for p in index[actor.id] if p not in corpus.objectives]
        out.append({"id": actor.id, "name": actor.name, "category": actor.category,
                    "aliases": list(actor.aliases), "objectives": objectives, "passages": prose})
    if args.json:
        print_json(out)
        return 0
    for entry in out:
        print(f"{entry['name']} [{entry['category']}] — {len(entry['objectives'])} objectives")
        theme = None
        for o in entry["objectives"]:
            if o["theme"] != theme:
                theme = o["theme"]
                print(f"  {theme} {o['theme_title']}")
            print(f"    {o['id']}  {o['text']}")
        for p in entry["passages"]:
            print(f"  (prose) {' › '.join(p['path'])}: {p['text'][:120]}…")
    return 0


def _actor_matrix(corpus: Any, args: argparse.Namespace) -> int:
    """`pns actors --matrix`: the actor × theme counts as a text table, CSV or PNG."""
    import csv
    import io
    from pathlib import Path

    from pns.errors import UsageError

    themes = list(corpus.themes)
    rows = corpus.actor_theme_matrix()
    if args.format == "png":
        if not args.out:
            raise UsageError("--format png needs --out FILE.png")
        _matrix_png(rows, themes, Path(args.out))
        print(f"pns: actor × theme map written to {args.out}", file=sys.stderr)
        return 0
    buffer = io.StringIO()
    if args.format == "csv":
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["category", "actor", *themes, "total"])
        for actor, counts in rows:
            writer.writerow([actor.category, actor.name, *(counts.get(t, 0) for t in themes), sum(counts.values())])
    else:
        width = max(len(a.name) for a, _ in rows) if rows else 5
        buffer.write(f"{'':{width}}  " + " ".join(f"{t:>3}" for t in themes) + "  total\n")
        for actor, counts in rows:
            cells = " ".join(f"{counts[t]:>3}" if counts.get(t) else "  ·" for t in themes)
            buffer.write(f"{actor.name:{width}}  {cells}  {sum(counts.values()):>5}\n")
    if args.out:
        Path(args.out).write_text(buffer.getvalue(), encoding="utf-8")
        print(f"pns: actor × theme map written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(buffer.getvalue())
    return 0


def _matrix_png(rows: list, themes: list[str], path: Any) -> None:
    """A heat map of the counts, actors named in no objective left out so the chart stays readable."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    kept = [(a, c) for a, c in rows if c]
    data = np.array([[c.get(t, 0) for t in themes] for _, c in kept], dtype=float)
    fig, ax = plt.subplots(figsize=(2 + 0.45 * len(themes), 1 + 0.28 * len(kept)))
    image = ax.imshow(data, cmap="Blues", aspect="auto")
    ax.set_xticks(range(len(themes)), themes)
    ax.set_yticks(range(len(kept)), [a.name[:40] for a, _ in kept], fontsize=7)
    for i, j in zip(*np.nonzero(data), strict=True):
        ax.text(j, i, int(data[i, j]), ha="center", va="center", fontsize=6,
                color="white" if data[i, j] > data.max() / 2 else "black")
    fig.colorbar(image, ax=ax, shrink=0.5, label="objectives")
    ax.set_title("Actors × themes: objectives naming each actor")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
