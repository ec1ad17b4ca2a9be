"""Retrieval on the shipped corpus with the default settings and the real default model (index built once)."""

from __future__ import annotations

from indexer.store import HybridIndex


def _first_passage(index: HybridIndex, query: str, mode: str = "hybrid") -> str:
    hit = index.search(query, k=5, mode=mode)[0]
    return index.units[index.row_of[hit.unit_id]].passage_id


def test_index_is_built_from_the_whole_plan(real_index: HybridIndex) -> None:
    passages = {u.passage_id for u in real_index.units}
    assert {"PNS16-B6.2-4", "PNS16-P5-1", "PNS16-A1-1", "PNS16-B4.2-1"} <= passages
    assert real_index.manifest["dense_kind"] == "flat"
    assert real_index.manifest["counts"]["units"] == len(real_index.units)


def test_viclas_finds_its_objective(real_index: HybridIndex) -> None:
    assert _first_passage(real_index, "ViCLAS") == "PNS16-B6.2-4"
    assert _first_passage(real_index, "ViCLAS", mode="bm25") == "PNS16-B6.2-4"
    hit = real_index.search("ViCLAS", k=1)[0]
    assert hit.bm25_rank == 1 and hit.dense_rank is not None


def test_follow_up_question_finds_part_5(real_index: HybridIndex) -> None:
    assert _first_passage(real_index, "Comment le plan sera-t-il suivi et évalué ?").startswith("PNS16-P5-")
