"""`pns eval relevance`: the learned ranker's training data, written from the development sets by a visible rule."""

from __future__ import annotations

import json
from pathlib import Path

from eval.relevance import relevance_rows, write_relevance
from eval.tune import DEV_SETS


def _line(qid: str, question: str, intent: str, expected: list[str], language: str = "fr") -> str:
    return json.dumps({"id": qid, "question": question, "language": language, "intent": intent,
                       "expected": expected, "difficulty": "lexical", "theme": None}, ensure_ascii=False)


def test_only_free_questions_with_objectives_of_the_named_sets(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text("\n".join([
        _line("a1", "Que fait-on contre la mendicité ?", "free", ["PNS16-B2.1-4"]),
        _line("a2", "Tous les objectifs drogue", "list", ["PNS16-B3.1-1"]),
        _line("a3", "Quel temps fera-t-il ?", "out_of_scope", []),
        _line("a4", "Wat zegt de inleiding?", "free", [], "nl"),  # answered by prose
    ]) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(_line("b1", "loverboys", "free", ["PNS16-B2.1-1"], "en") + "\n",
                                      encoding="utf-8")
    rows = relevance_rows(tmp_path, ("a.jsonl", "b.jsonl"))
    assert rows == [
        {"id": "a:a1", "question": "Que fait-on contre la mendicité ?", "language": "fr",
         "expected": ["PNS16-B2.1-4"], "source": "dev:a.jsonl"},
        {"id": "b:b1", "question": "loverboys", "language": "en", "expected": ["PNS16-B2.1-1"],
         "source": "dev:b.jsonl"},
    ]
    out = tmp_path / "relevance.jsonl"
    write_relevance(rows, out)
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith('{"id": "a:a1", "question": "Que fait-on')
    assert not out.with_suffix(".jsonl.tmp").exists()


def test_the_shipped_file_is_what_the_development_sets_give() -> None:
    """corpus/relevance.jsonl is generated, never edited by hand: regenerating it changes nothing."""
    root = Path(__file__).resolve().parents[2]
    rows = relevance_rows(root / "eval", DEV_SETS)
    shipped = (root / "corpus" / "relevance.jsonl").read_text(encoding="utf-8")
    assert shipped == "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    from eval.tune import HELDOUT_SETS

    assert not set(HELDOUT_SETS) & {str(r["source"]).removeprefix("dev:") for r in rows}
    assert HELDOUT_SETS == ("heldout2.jsonl", "heldout8.jsonl", "heldout9.jsonl", "heldout10.jsonl",
                            "heldout11.jsonl", "heldout12.jsonl", "heldout13.jsonl")


def test_cli_writes_into_the_corpus_folder(tmp_path: Path, monkeypatch, capsys) -> None:
    from pns.cli import main

    monkeypatch.setenv("PNS_CORPUS_DIR", str(tmp_path))
    assert main(["eval", "relevance"]) == 0
    written = (tmp_path / "relevance.jsonl").read_text(encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    assert written == (root / "corpus" / "relevance.jsonl").read_text(encoding="utf-8")
    out = capsys.readouterr().out
    assert out.startswith(f"wrote 605 labelled questions to {tmp_path / 'relevance.jsonl'} (116 questions.jsonl, "
                          "36 heldout.jsonl, 100 heldout3.jsonl, 89 heldout4.jsonl, 90 heldout5.jsonl, "
                          "87 heldout6.jsonl, 87 heldout7.jsonl)")


def test_cli_unwritable_corpus_folder_is_a_clear_error(tmp_path: Path, monkeypatch, capsys) -> None:
    from pns.cli import main

    monkeypatch.setenv("PNS_CORPUS_DIR", str(tmp_path / "missing"))
    assert main(["eval", "relevance"]) == 2
    assert "cannot write" in capsys.readouterr().err
