"""The learned ranker: its features on a tiny ranking, a fit that learns which feature matters, storage."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indexer.ranker import RANKER_FILE, Ranker, feature_names, features, fingerprint, fit, load_relevance
from pns.errors import IndexStateError

PASSAGE_OF = {"A": "A", "A@text": "A", "A@nl": "A", "B": "B", "B@words-fr": "B", "C": "C", "D": "D"}


def test_feature_names_cover_every_view_of_every_signal() -> None:
    assert feature_names(["bm25"]) == ["fused", "bm25:best", "bm25:gap", "bm25:context", "bm25:text", "bm25:names",
                                       "bm25:nl", "bm25:en", "bm25:words", "bm25:views"]


def test_features_read_each_views_normalised_score() -> None:
    units = {"e5": [("B@words-fr", 0.9), ("A@nl", 0.8), ("A@text", 0.7), ("C", 0.5)]}
    x = features([("A", 0.6), ("B", 0.4), ("D", 0.1)], units, PASSAGE_OF)
    names = feature_names(["e5"])
    row = dict(zip(names, x[0].round(6), strict=True))
    assert row == {"fused": 0.6, "e5:best": 0.75, "e5:gap": -0.1, "e5:context": 0.0, "e5:text": 0.5,
                   "e5:names": 0.0, "e5:nl": 0.75, "e5:en": 0.0, "e5:words": 0.0, "e5:views": 2.0}
    assert dict(zip(names, x[1].round(6), strict=True))["e5:words"] == 1.0
    # a passage the signal did not find: its lowest score, no view
    assert dict(zip(names, x[2].round(6), strict=True))["e5:best"] == 0.0
    assert dict(zip(names, x[2].round(6), strict=True))["e5:views"] == 0.0


def test_fit_learns_to_put_the_expected_passage_first() -> None:
    # fused order is wrong in every question; the words view says which passage is expected
    rng = np.random.default_rng(0)
    names = ["fused", "words"]
    groups = []
    for _ in range(40):
        x = np.column_stack([[0.9, 0.8, 0.7], rng.permutation([1.0, 0.2, 0.1])])
        groups.append((x, (x[:, 1] == 1.0).astype(float)))
    ranker = fit(groups, names, l2=1.0, meta={"index": "k"})
    assert ranker.weights[1] > 0
    shares = ranker.shares(np.array([[0.9, 0.1], [0.8, 1.0], [0.7, 0.2]]))
    assert np.argsort(-shares, kind="stable").tolist() == [1, 2, 0]
    assert ranker.meta == {"index": "k", "questions": 40, "l2": 1.0}


def test_fit_without_any_expected_candidate_says_so() -> None:
    with pytest.raises(ValueError, match="no labelled question"):
        fit([(np.ones((2, 1)), np.zeros(2))], ["fused"], 1.0, {})


def test_a_stored_ranker_reads_back_and_a_damaged_one_is_an_index_error(tmp_path: Path) -> None:
    ranker = Ranker(("fused",), np.array([2.0]), np.array([0.5]), np.array([1.0]), {"fitted": True})
    assert fingerprint(tmp_path) is None
    ranker.save(tmp_path)
    back = Ranker.load(tmp_path)
    assert back.names == ("fused",) and back.weights.tolist() == [2.0] and back.meta == {"fitted": True}
    assert len(fingerprint(tmp_path) or "") == 16
    (tmp_path / RANKER_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexStateError, match=r"cannot be read .*run `pns index`"):
        Ranker.load(tmp_path)
    (tmp_path / RANKER_FILE).unlink()
    with pytest.raises(IndexStateError, match="no learned ranker; run `pns index`"):
        Ranker.load(tmp_path)


def test_labelled_questions_are_checked_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "relevance.jsonl"
    good = {"question": "stups ?", "language": "fr", "expected": ["X-1"]}
    path.write_text(json.dumps(good) + "\n\n" + json.dumps({"question": "q", "language": "fr"}) + "\n",
                    encoding="utf-8")
    with pytest.raises(IndexStateError, match=r"relevance.jsonl:3: not a labelled question"):
        load_relevance(path)
    path.write_text(json.dumps(good) + "\n", encoding="utf-8")
    assert load_relevance(path) == [good]
