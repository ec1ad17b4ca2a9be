"""Weight tuning and ablation on hand-made rankings: the grid, the choice on the development questions only, the
ablation tables."""

from __future__ import annotations

from eval.ablation import signals_markdown
from eval.run import Question
from eval.tune import Prepared, choose_weights, grid, only, score


def _q(qid: str, language: str = "fr") -> Question:
    return Question(qid, "q", language, "free", ("good",), None, None, None, "lexical", None, None)


# BM25 puts the right passage first in q1 only; e5 in q2 and q3: e5 should weigh more.
PREPARED = [
    Prepared(_q("q1"), ("good",), {"bm25": [("good", "good", 5.0), ("bad", "bad", 1.0)],
                                   "e5": [("bad", "bad", 0.9), ("good", "good", 0.85)]}, "fr"),
    Prepared(_q("q2"), ("good",), {"bm25": [("bad", "bad", 3.0), ("good", "good", 2.9)],
                                   "e5": [("good", "good", 0.9), ("bad", "bad", 0.5)]}, "fr"),
    Prepared(_q("q3", "nl"), ("good",), {"bm25": [("bad", "bad", 2.0)],
                                         "e5": [("good", "good", 0.8), ("bad", "bad", 0.7)]}, "nl"),
]


def test_grid_covers_the_simplex_with_every_signal_present() -> None:
    points = grid(["bm25", "e5"], 0.25)
    assert points == [{"bm25": 0.25, "e5": 0.75}, {"bm25": 0.5, "e5": 0.5}, {"bm25": 0.75, "e5": 0.25}]
    assert len(grid(["bm25", "use", "e5"], 0.05)) == 171  # compositions of 20 into 3 positive parts


def test_choose_weights_maximises_mrr_on_the_development_questions() -> None:
    best, factor, results = choose_weights(PREPARED, ["bm25", "e5"], "convex", 60, ["fr"], step=0.25)
    # bm25 0.25 / e5 0.75: q1 good 0.25 vs bad 0.75 → rank 2; q2 and q3 rank 1 → MRR (0.5 + 1 + 1) / 3
    assert score(PREPARED, best, "convex", 60, factor, ["fr"])["mrr@10"] == (0.5 + 1 + 1) / 3
    assert best == {"bm25": 0.25, "e5": 0.75}
    assert results[0][0] == round((0.5 + 1 + 1) / 3, 9)


def test_only_keeps_some_signals() -> None:
    alone = only(PREPARED, ["bm25"])
    assert [list(p.rankings) for p in alone] == [["bm25"]] * 3
    assert score(alone, {"bm25": 1.0}, "convex", 60, 1.0, ["fr"])["hit@1"] == 1 / 3


def test_signals_markdown_table() -> None:
    rows = [{"signals": ["bm25", "e5"], "fusion": "convex", "weights": {"bm25": 0.25, "e5": 0.75},
             "sets": {"dev.jsonl": {"all": {"hit@1": 0.5, "hit@5": 1.0}, "fr": {"hit@1": 1.0, "hit@5": 1.0}}}}]
    text = signals_markdown(rows)
    assert "| bm25 + e5 | convex | bm25 0.25, e5 0.75 | 0.500 / 1.000 | 1.000 / 1.000 | - | - |" in text
