"""Report writing into a temporary folder, and the terminal table."""

from __future__ import annotations

import json
from dataclasses import replace

from eval.metrics import aggregate, breakdown
from eval.report import format_table, write_report

from .test_metrics import RESULTS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DIMENSIONS = ("language", "theme", "intent", "difficulty")


def _summary() -> dict:
    """The six hand-checked results as the assistant, and q1/q2 only as bm25 with a theme name holding a pipe."""
    runs = {
        "bm25": [replace(r, mode="bm25", theme="B5|drugs") for r in RESULTS[:2]],
        "assistant": list(RESULTS),
    }
    return {
        "modes": {mode: aggregate(results) for mode, results in runs.items()},
        "by": {mode: {d: breakdown(results, d) for d in DIMENSIONS} for mode, results in runs.items()},
        "meta": {"date": "2024-05-01", "embedder": "use|multilingual", "questions": 6},
    }


def test_write_report_files_and_numbers(tmp_path):
    summary = _summary()
    report = write_report(summary, tmp_path / "out")
    assert report == tmp_path / "out" / "report.md"
    for name in ("hit_by_mode.png", "hit1_by_language.png", "hit1_by_theme.png"):
        assert (tmp_path / "out" / name).read_bytes().startswith(PNG_SIGNATURE)
    assert json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8")) == summary

    text = report.read_text(encoding="utf-8")
    # Assistant row: n 6, single 3, hit@1 1/3, hit@3 and hit@5 2/3, MRR 0.5, nDCG 0.5436, recall 2/3,
    # lists 2, P 5/6, R 0.75, out of scope 1, abstain 1, false abstain 0.2, citations 5/6, latency 35/57.5/60.
    assert (
        "| assistant | 6 | 3 | 0.333 | 0.667 | 0.667 | 0.500 | 0.544 | 0.667 | 2 | 0.833 | 0.750 | 1 | 1.000 "
        "| 0.200 | 0.833 | 35.000 | 57.500 | 60.000 |"
    ) in text
    # bm25 on q1 and q2: no list or out-of-scope question, so those metrics are "-".
    assert (
        "| bm25 | 2 | 2 | 0.500 | 1.000 | 1.000 | 0.750 | 0.815 | 1.000 | 0 | - | - | 0 | - | 0.000 |" in text
    )
    assert text.index("| assistant |") < text.index("| bm25 |")  # the assistant leads
    assert "| embedder | use\\|multilingual |" in text
    assert "| B5\\|drugs | 2 |" in text
    assert "| nl | 1 | 0 | - |" in text
    for heading in (
        "## assistant by language",
        "## assistant by theme",
        "## assistant by intent",
        "## assistant by difficulty",
        "## bm25 by language",
    ):
        assert heading in text
    assert "![modes](hit_by_mode.png)" in text


def test_write_report_of_nothing_does_not_crash(tmp_path):
    for summary in ({}, {"modes": {}, "by": {"assistant": {"language": {}}}, "meta": {}}):
        report = write_report(summary, tmp_path)
        assert "No results." in report.read_text(encoding="utf-8")
        assert not list(tmp_path.glob("*.png"))


def test_write_report_without_assistant_skips_theme_chart(tmp_path):
    results = [replace(r, mode="dense") for r in RESULTS]
    summary = {
        "modes": {"dense": aggregate(results)},
        "by": {"dense": {"theme": breakdown(results, "theme")}},
    }
    text = write_report(summary, tmp_path).read_text(encoding="utf-8")
    assert (tmp_path / "hit_by_mode.png").exists()
    assert not (tmp_path / "hit1_by_theme.png").exists()
    assert not (tmp_path / "hit1_by_language.png").exists()
    assert "## dense by theme" in text
    assert "## dense by language" not in text


def test_format_table():
    assert format_table(_summary()) == (
        "mode       n  hit@1  hit@5  MRR@10  nDCG@10  listP  listR   abst  falseAbst  citOK   p50ms   p95ms\n"
        "assistant  6  0.333  0.667   0.500    0.544  0.833  0.750  1.000      0.200  0.833  35.000  57.500\n"
        "bm25       2  0.500  1.000   0.750    0.815      -      -      -      0.000  1.000  15.000  19.500"
    )
    assert format_table({}) == "no results"
