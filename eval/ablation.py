"""`pns eval ablation`: what each retrieval signal and each kind of objective view contributes, per set and language.

- **Signals**: every non-empty subset of the index's signals (BM25, USE, e5), with convex fusion and with RRF,
  retrieval alone. The weights of each subset are chosen on the development sets (the grid of `pns eval tune`),
  never on a held-out set.
- **Views** (``--views``): the index rebuilt (in a temporary folder; the embedding cache makes it quick) without
  views, with the translations only, with the everyday expressions only, and with both; retrieval alone and the
  full assistant, with the configured weights, each with its own out-of-scope model fitted as `pns index` does.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.run import QUESTIONS, load_questions
from eval.tune import DEV_SETS, Prepared, choose_weights, only, prepare, score

SETS = ("questions.jsonl", "heldout.jsonl", "heldout2.jsonl", "heldout3.jsonl")
LANGUAGES = ("fr", "nl", "en")
VIEW_VARIANTS = {
    "no views": "context,text",
    "translations only": "context,text,nl,en",
    "expressions only": "context,text,words",
    "translations and expressions": "context,text,nl,en,words",
}


def _by_language(prepared: Sequence[Prepared], weights: Mapping[str, float], fusion: str, rrf_k: int,
                 factor: float, languages: Sequence[str]) -> dict[str, dict[str, float]]:
    out = {"all": score(prepared, weights, fusion, rrf_k, factor, languages)}
    for lang in LANGUAGES:
        part = [p for p in prepared if p.language == lang]
        if part:
            out[lang] = score(part, weights, fusion, rrf_k, factor, languages)
    return out


def signal_ablation(settings: Any, folder: Path | None = None) -> list[dict[str, Any]]:
    """Each subset of signals and fusion: its dev-chosen weights and hit@1/hit@5/MRR per set and language."""
    from assistant.service import Assistant

    folder = folder or QUESTIONS.parent
    assistant = Assistant.load(settings, warm=True)
    index = assistant.index
    sets = {name: prepare(assistant, load_questions(folder / name)) for name in SETS if (folder / name).is_file()}
    # the weights are chosen on every development set, reported or not
    dev = [p for name in DEV_SETS if (folder / name).is_file()
           for p in (sets[name] if name in sets else prepare(assistant, load_questions(folder / name)))]
    rows = []
    signals = index.signals
    for size in range(1, len(signals) + 1):
        for subset in itertools.combinations(signals, size):
            for fusion in ("convex", "rrf") if size > 1 else ("convex",):
                weights, factor, _ = choose_weights(only(dev, subset), list(subset), fusion, settings.rrf_k,
                                                    index.languages, 0.05, settings.bm25_crosslingual_factor)
                rows.append({
                    "signals": list(subset), "fusion": fusion if size > 1 else "-", "weights": weights,
                    "sets": {name: _by_language(only(p, subset), weights, fusion, settings.rrf_k, factor,
                                                index.languages) for name, p in sets.items()},
                })
    return rows


def views_ablation(settings: Any, folder: Path | None = None) -> list[dict[str, Any]]:
    """Each views variant: retrieval alone and the full assistant, per set and language."""
    from assistant.build import ensure_ready
    from assistant.service import Assistant
    from eval.metrics import aggregate, breakdown
    from eval.run import run_assistant

    folder = folder or QUESTIONS.parent
    rows = []
    with tempfile.TemporaryDirectory(prefix="pns-ablation-") as tmp:
        for name, views in VIEW_VARIANTS.items():
            variant = settings.replace(unit_views=views, index_dir=str(Path(tmp) / name.replace(" ", "-")))
            ensure_ready(variant, quiet=True)
            assistant = Assistant.load(variant, warm=True)
            weights = assistant.index.weights(None)
            row: dict[str, Any] = {"variant": name, "unit_views": views, "units": len(assistant.index.units),
                                   "retrieval": {}, "assistant": {}}
            for set_name in SETS:
                if not (folder / set_name).is_file():
                    continue
                questions = load_questions(folder / set_name)
                prepared = prepare(assistant, questions)
                row["retrieval"][set_name] = _by_language(prepared, weights, variant.fusion, variant.rrf_k,
                                                          variant.bm25_crosslingual_factor, assistant.index.languages)
                results, _ = run_assistant(assistant, questions)
                row["assistant"][set_name] = {"all": aggregate(results), **breakdown(results, "language")}
            rows.append(row)
    return rows


def _f(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}"


def _cell(figures: Mapping[str, Any] | None) -> str:
    if not figures:
        return "-"
    return f"{_f(figures.get('hit@1'))} / {_f(figures.get('hit@5'))}"


def signals_markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    """One table per set: each subset and fusion, hit@1 / hit@5 overall and per language."""
    sets = list(rows[0]["sets"]) if rows else []
    lines = ["# Ablation: retrieval signals (retrieval alone, hit@1 / hit@5)", "",
             f"Weights of each combination chosen on the development sets ({', '.join(DEV_SETS)}).", ""]
    for set_name in sets:
        lines += [f"## {set_name}", "", "| signals | fusion | weights | all | fr | nl | en |",
                  "|---|---|---|---|---|---|---|"]
        for r in rows:
            table = r["sets"][set_name]
            weights = ", ".join(f"{k} {v:g}" for k, v in r["weights"].items())
            lines.append(f"| {' + '.join(r['signals'])} | {r['fusion']} | {weights} | {_cell(table['all'])} | "
                         f"{_cell(table.get('fr'))} | {_cell(table.get('nl'))} | {_cell(table.get('en'))} |")
        lines.append("")
    return "\n".join(lines)


def views_markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    sets = list(rows[0]["assistant"]) if rows else []
    lines = ["# Ablation: objective views (hit@1 / hit@5)", ""]
    for kind, title in (("retrieval", "retrieval alone"), ("assistant", "full assistant")):
        for set_name in sets:
            lines += [f"## {set_name}, {title}", "", "| views | units | all | fr | nl | en |",
                      "|---|---|---|---|---|---|"]
            for r in rows:
                table = r[kind][set_name]
                lines.append(f"| {r['variant']} | {r['units']} | {_cell(table['all'])} | {_cell(table.get('fr'))} | "
                             f"{_cell(table.get('nl'))} | {_cell(table.get('en'))} |")
            lines.append("")
    return "\n".join(lines)
