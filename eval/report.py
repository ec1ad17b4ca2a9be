"""Evaluation report: a Markdown file, the raw summary as JSON and a few PNG charts, plus a terminal table.

``summary`` is ``{"modes": {mode: aggregate}, "by": {mode: {dimension: {value: aggregate}}}, "meta": {...}}``
where each aggregate is a dict from ``eval.metrics.aggregate``. Any part may be missing or empty: a report of
nothing is still written, so a failed or partial run can be inspected.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# (aggregate key, column label) of the Markdown tables.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("n", "n"),
    ("n_single", "single"),
    ("hit@1", "hit@1"),
    ("hit@3", "hit@3"),
    ("hit@5", "hit@5"),
    ("mrr@10", "MRR@10"),
    ("ndcg@10", "nDCG@10"),
    ("recall@10", "R@10"),
    ("n_list", "lists"),
    ("list_precision", "list P"),
    ("list_recall", "list R"),
    ("n_out_of_scope", "out of scope"),
    ("abstention_accuracy", "abstain acc"),
    ("false_abstention_rate", "false abstain"),
    ("citation_validity", "citations ok"),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p95_ms", "p95 ms"),
    ("latency_max_ms", "max ms"),
)
# The narrower set shown in the terminal.
TERMINAL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("n", "n"),
    ("hit@1", "hit@1"),
    ("hit@5", "hit@5"),
    ("mrr@10", "MRR@10"),
    ("ndcg@10", "nDCG@10"),
    ("list_precision", "listP"),
    ("list_recall", "listR"),
    ("abstention_accuracy", "abst"),
    ("false_abstention_rate", "falseAbst"),
    ("citation_validity", "citOK"),
    ("latency_p50_ms", "p50ms"),
    ("latency_p95_ms", "p95ms"),
)
DIMENSIONS = ("language", "theme", "intent", "difficulty")
PNG_NAMES = {"modes": "hit_by_mode.png", "language": "hit1_by_language.png", "theme": "hit1_by_theme.png"}


def format_value(value: Any) -> str:
    """Counts as integers, other numbers to 3 decimals, missing as "-"."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _cell(value: Any) -> str:
    """A Markdown table cell: pipes escaped and newlines flattened so a value cannot break the table."""
    return format_value(value).replace("|", "\\|").replace("\n", " ")


def _markdown_table(first: str, rows: Mapping[str, Mapping[str, Any]]) -> str:
    header = [first, *(label for _, label in COLUMNS)]
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    for name, metrics in rows.items():
        cells = [_cell(name), *(_cell(metrics.get(key)) for key, _ in COLUMNS)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _ordered_modes(modes: Mapping[str, Any]) -> list[str]:
    """The assistant first (it is what users get), then the retrievers in the order they were run."""
    return sorted(modes, key=lambda mode: mode != "assistant")


def _dimensions(by_mode: Mapping[str, Any]) -> list[str]:
    extra = sorted(d for d in by_mode if d not in DIMENSIONS)
    return [d for d in DIMENSIONS if by_mode.get(d)] + [d for d in extra if by_mode.get(d)]


def format_table(summary: Mapping[str, Any]) -> str:
    """A compact plain-text table, one row per mode, for the end of a terminal run."""
    modes = summary.get("modes") or {}
    if not modes:
        return "no results"
    header = ["mode", *(label for _, label in TERMINAL_COLUMNS)]
    rows = [
        [mode, *(format_value(modes[mode].get(key)) for key, _ in TERMINAL_COLUMNS)]
        for mode in _ordered_modes(modes)
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        first = row[0].ljust(widths[0])
        lines.append(
            "  ".join([first, *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))])
        )
    return "\n".join(lines)


def _bar_chart(path: Path, title: str, categories: list[str], series: dict[str, list[float | None]]) -> None:
    """Grouped bars, one group per category and one bar per series; a missing value leaves a gap."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # A bare Figure on the Agg canvas leaves pyplot's global state (and any caller's backend) untouched.
    figure = Figure(figsize=(max(5.0, 0.6 * len(categories) * max(1, len(series)) + 2), 3.5))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    width = 0.8 / max(1, len(series))
    for index, (name, values) in enumerate(series.items()):
        xs = [i + (index - (len(series) - 1) / 2) * width for i in range(len(categories))]
        heights = [float("nan") if v is None else v for v in values]
        axes.bar(xs, heights, width=width, label=name)
    axes.set_xticks(range(len(categories)), categories, rotation=45 if len(categories) > 6 else 0)
    axes.set_ylim(0, 1)
    axes.set_title(title)
    if len(series) > 1:
        axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, format="png", dpi=100)


def _write_charts(summary: Mapping[str, Any], out_dir: Path) -> dict[str, Path]:
    """Charts for the parts of the summary that exist; returns what was written, by chart name."""
    modes = summary.get("modes") or {}
    by = summary.get("by") or {}
    order = _ordered_modes(modes)
    written: dict[str, Path] = {}
    if order:
        path = out_dir / PNG_NAMES["modes"]
        _bar_chart(
            path,
            "hit@1 and hit@5 per mode",
            order,
            {k: [modes[m].get(k) for m in order] for k in ("hit@1", "hit@5")},
        )
        written["modes"] = path
    with_language = [m for m in _ordered_modes(by) if (by[m] or {}).get("language")]
    languages = sorted({lang for m in with_language for lang in by[m]["language"]})
    if languages:
        path = out_dir / PNG_NAMES["language"]
        series = {
            m: [by[m]["language"].get(lang, {}).get("hit@1") for lang in languages] for m in with_language
        }
        _bar_chart(path, "hit@1 per language", languages, series)
        written["language"] = path
    themes = (by.get("assistant") or {}).get("theme") or {}
    if themes:
        path = out_dir / PNG_NAMES["theme"]
        names = list(themes)
        _bar_chart(
            path, "hit@1 per theme (assistant)", names, {"assistant": [themes[t].get("hit@1") for t in names]}
        )
        written["theme"] = path
    return written


def write_report(summary: Mapping[str, Any], out_dir: Path) -> Path:
    """Write ``report.md``, ``summary.json`` and the charts into ``out_dir``; return the report's path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    modes = summary.get("modes") or {}
    by = summary.get("by") or {}
    meta = summary.get("meta") or {}

    # default=str keeps dates and paths in the meta from failing the dump.
    (out_dir / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    charts = _write_charts(summary, out_dir)

    parts = ["# PNS Assistant: evaluation report", ""]
    if meta:
        parts += ["## Run", "", "| key | value |", "|---|---|"]
        parts += [f"| {_cell(key)} | {_cell(value)} |" for key, value in meta.items()]
        parts.append("")
    parts += ["## Headline metrics", ""]
    if modes:
        parts += [_markdown_table("mode", {m: modes[m] for m in _ordered_modes(modes)}), ""]
        parts += [
            'Ranking metrics are over single-objective questions; "-" means no question of that kind.',
            "",
        ]
    else:
        parts += ["No results.", ""]
    parts += [f"![{name}]({path.name})\n" for name, path in charts.items()]
    for mode in _ordered_modes(by):
        for dimension in _dimensions(by[mode] or {}):
            parts += [f"## {_cell(mode)} by {_cell(dimension)}", ""]
            parts += [_markdown_table(dimension, by[mode][dimension]), ""]

    report = out_dir / "report.md"
    report.write_text("\n".join(parts), encoding="utf-8")
    return report
