"""`pns corpus check`, `pns objectives`, `pns actors`, and how the CLI reports errors: one line, no traceback."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fpdf import FPDF

from pns.cli import main
from pns.settings import REPO_ROOT
from tests.corpus.conftest import FIXTURES, manifest_entry

OBJECTIVE_KEYS = {"id", "document", "path", "theme", "number", "text", "url"}


def _single_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("pns: error: ")
    assert "Traceback" not in err
    return lines[0]


# -- the shipped corpus --------------------------------------------------------------------------------------------

def test_objectives_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["objectives", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 225
    assert len({o["id"] for o in data}) == 225
    for o in data:
        assert set(o) >= OBJECTIVE_KEYS, o["id"]
        assert o["url"] == f"http://127.0.0.1:7860/?objective={o['id']}"
        assert o["document"] == "pns-2016-2019-simplifie-fr"
    first = data[0]
    assert (first["id"], first["path"], first["theme"], first["number"]) == (
        "PNS16-A1-1", ["A1 Approche administrative et échange d'informations"], "A1", 1)
    assert first["text"] == ("Mieux comprendre l'approche administrative de la criminalité organisée et continuer à "
                             "développer une expertise en la matière.")


def test_objectives_json_port_from_environment(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PNS_PORT", "8000")
    assert main(["objectives", "--theme", "B5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[2]["url"] == "http://127.0.0.1:8000/?objective=PNS16-B5-3"


def test_objectives_of_a_theme(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["objectives", "--theme", "B5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [o["id"] for o in data] == [f"PNS16-B5-{n}" for n in range(1, 11)]


def test_objectives_of_a_group_in_lower_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["objectives", "--theme", "b4.2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [o["id"] for o in data] == [f"PNS16-B4.2-{n}" for n in range(1, 9)]
    assert {o["group_key"] for o in data} == {"B4.2"}
    assert data[1]["corrected"].startswith("fraude-fiscale: ")
    assert data[0]["corrected"] is None


def test_objectives_text_listing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["objectives", "--theme", "A3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "A3 Détermination de l'identité, fraude à l'identité et fraude au domicile"
    assert out[1] == "  A3.1 Détermination de l'identité et fraude à l'identité"
    assert out[2].startswith("    PNS16-A3.1-1  1. Adopter une définition policière uniforme")
    assert out[-2] == "  A3.2 Fraude au domicile"
    assert len(out) == 1 + 2 + 11


def test_unknown_theme_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["objectives", "--theme", "ZZ"]) == 2
    captured = capsys.readouterr()
    line = _single_error_line(captured.err)
    assert line.startswith("pns: error: no theme or sub-group 'ZZ'; use a code such as B5, A3 or B4.2")
    assert captured.out == ""


def test_a_sub_group_of_prose_only_is_accepted_like_in_the_export(capsys: pytest.CaptureFixture[str]) -> None:
    """The same codes as `pns export` and the web dropdown: one parser (Corpus.group_key)."""
    assert main(["objectives", "--theme", " a5.5"]) == 0
    assert capsys.readouterr().out == ("A5.5 Intégration de la coopération internationale dans la pratique policière "
                                       "quotidienne: no objectives (the plan treats it in prose only)\n")
    assert main(["objectives", "--theme", "b4.2", "--json"]) == 0
    assert len(__import__("json").loads(capsys.readouterr().out)) == 8


def test_actors_ctif_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actors", "CTIF", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [a["id"] for a in data] == ["ctif"]
    assert data[0]["category"] == "administration"
    assert [o["id"] for o in data[0]["objectives"]] == ["PNS16-A4-5", "PNS16-A4-12"]
    assert data[0]["objectives"][0]["actors"] == [
        "Police intégrée", "CTIF (Cellule de traitement de l'information financière)"]
    assert data[0]["passages"] == []


def test_actors_by_long_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actors", "child focus", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(a["id"], [o["id"] for o in a["objectives"]]) for a in data] == [
        ("child-focus", ["PNS16-B6.3-1", "PNS16-B6.3-2", "PNS16-B6.3-3"])]


def test_unknown_actor_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actors", "Comité Zeta"]) == 2
    line = _single_error_line(capsys.readouterr().err)
    assert line == "pns: error: no actor matches 'Comité Zeta'; run `pns actors` for the list"


def test_corpus_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus", "check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "total: 225 objectives" in out
    assert ("pns-2016-2019-simplifie-fr: structure recognised; Partie 1, Partie 2, Partie 3, Partie 4, Partie 5; "
            "17 themes, 225 objectives, 285 passages") in out
    assert "  B4    17  Fraude sociale et fiscale  [B4.1 9 · B4.2 8]" in out
    assert "  A5    10  Coopération internationale  [A5.1 3 · A5.2 2 · A5.3 3 · A5.4 2]" in out
    assert sum(line.startswith("  repaired: ") for line in out) == 3
    assert not any("WARNING" in line for line in out)


def test_corpus_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus", "check", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["objectives"] == 225
    assert data["groups"]["B7.2"] == 13
    assert data["reports"][0]["warnings"] == []
    assert [d["id"] for d in data["documents"]] == ["pns-2016-2019-simplifie-fr"]


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: pns" in capsys.readouterr().out


# -- a temporary corpus: recognised or not, never a traceback --------------------------------------------------------

def test_unrecognised_document_is_checked_not_refused(make_corpus: Callable[..., Path],
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = make_corpus("rapport.txt", (FIXTURES / "report_prose.txt").read_bytes())
    monkeypatch.setenv("PNS_CORPUS_DIR", str(root))
    assert main(["corpus", "check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert ("test-doc: structure NOT recognised (generic passages only); no parts; 0 themes, 0 objectives, "
            "3 passages") in out
    assert ("  WARNING: TST: plan structure not recognised (no numbered objectives under themes); 3 heading-aware "
            "passages kept") in out
    assert "total: 0 objectives" in out


def _encrypted_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.cell(0, 8, "Texte confidentiel.")
    return bytes(pdf.output())


BAD_DOCUMENTS = {
    "binary": ("doc.txt", b"\x00\x01\x02PK" * 64, "binary data in a text file"),
    "latin-1": ("doc.txt", "Rapport d'activité\n".encode("latin-1"), "not valid UTF-8 (byte 0xe9 at offset 17)"),
    "empty": ("doc.txt", b"", "the file is empty"),
    "corrupt-pdf": ("doc.pdf", bytes(range(256)) * 8, "unreadable PDF"),
    "encrypted-pdf": ("doc.pdf", _encrypted_pdf(), "the PDF is encrypted"),
}


@pytest.mark.parametrize("case", list(BAD_DOCUMENTS))
def test_bad_document_is_one_error_line(case: str, make_corpus: Callable[..., Path],
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    name, data, phrase = BAD_DOCUMENTS[case]
    monkeypatch.setenv("PNS_CORPUS_DIR", str(make_corpus(name, data)))
    assert main(["corpus", "check"]) == 1
    captured = capsys.readouterr()
    line = _single_error_line(captured.err)
    assert phrase in line
    assert name in line
    assert captured.out == ""


def test_missing_document_file(make_corpus: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    root = make_corpus("absent.txt", None)
    monkeypatch.setenv("PNS_CORPUS_DIR", str(root))
    assert main(["objectives"]) == 1
    line = _single_error_line(capsys.readouterr().err)
    assert line == (f"pns: error: document test-doc: file {root / 'documents' / 'absent.txt'} not found; "
                    "put it there or fix the manifest entry")


def test_checksum_mismatch(make_corpus: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PNS_CORPUS_DIR", str(make_corpus("doc.txt", b"Texte.\n", sha256="0" * 64)))
    assert main(["corpus", "check"]) == 1
    line = _single_error_line(capsys.readouterr().err)
    actual = hashlib.sha256(b"Texte.\n").hexdigest()
    assert line == (f"pns: error: document test-doc: checksum mismatch for doc.txt (manifest 000000000000…, "
                    f"file {actual[:12]}…); restore the original file or update sha256 in manifest.toml")


def test_manifest_with_unknown_key(make_corpus: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    data = b"Texte.\n"
    manifest = manifest_entry("doc.txt", hashlib.sha256(data).hexdigest(), colour="blue")
    monkeypatch.setenv("PNS_CORPUS_DIR", str(make_corpus("doc.txt", data, manifest=manifest)))
    assert main(["corpus", "check"]) == 1
    line = _single_error_line(capsys.readouterr().err)
    assert "document #1: unknown key(s) colour; allowed: " in line


def test_missing_corpus_dir_in_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "pns.toml"
    config.write_text(f'corpus_dir = "{tmp_path / "nowhere"}"\n', encoding="utf-8")
    assert main(["--config", str(config), "objectives"]) == 1
    line = _single_error_line(capsys.readouterr().err)
    assert "manifest.toml not found" in line


def test_unknown_setting_in_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "pns.toml"
    config.write_text('colour = "blue"\n', encoding="utf-8")
    assert main(["--config", str(config), "corpus", "check"]) == 2
    line = _single_error_line(capsys.readouterr().err)
    assert line.startswith(f"pns: error: unknown setting(s) colour in {config}; known settings: ")


def test_unknown_environment_variable(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PNS_FOO", "1")
    assert main(["objectives"]) == 2
    line = _single_error_line(capsys.readouterr().err)
    assert line.startswith("pns: error: unknown setting(s) foo in environment variable PNS_FOO")


def test_corrupt_pdf_in_a_real_process_prints_one_line(make_corpus: Callable[..., Path], tmp_path: Path) -> None:
    # In-process, pytest's log capture swallows library warnings; a child process shows what a user sees.
    root = make_corpus("doc.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PNS_")}
    env.update(PNS_CORPUS_DIR=str(root), PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run([sys.executable, "-m", "pns.cli", "corpus", "check"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 1
    _single_error_line(result.stderr)


def test_actor_matrix_csv_matches_each_actors_own_listing(capsys: pytest.CaptureFixture[str]) -> None:
    """`pns actors --matrix --format csv` counts, per actor and theme, what `pns actors NAME --json` lists."""
    import csv
    import io
    import json

    assert main(["actors", "--matrix", "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    themes = [k for k in table[0] if k not in ("category", "actor", "total")]
    assert themes[:2] == ["A1", "A2"] and themes[-1] == "B10" and len(themes) == 17
    assert main(["actors", "--json"]) == 0
    listing = {a["name"]: a for a in json.loads(capsys.readouterr().out)}
    assert [r["actor"] for r in table] and {r["actor"] for r in table} == set(listing)
    for row in table:
        assert main(["actors", row["actor"], "--json"]) == 0
        entry = next(e for e in json.loads(capsys.readouterr().out) if e["name"] == row["actor"])
        per_theme = {t: sum(1 for o in entry["objectives"] if o["theme"] == t) for t in themes}
        assert {t: int(row[t]) for t in themes} == per_theme, row["actor"]
        assert int(row["total"]) == len(entry["objectives"]) == len(listing[row["actor"]]["objectives"])
    ctif = next(r for r in table if r["actor"].startswith("CTIF"))
    assert (ctif["category"], ctif["A4"], ctif["total"]) == ("administration", "2", "2")


def test_actor_matrix_png_needs_a_file(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actors", "--matrix", "--format", "png"]) == 2
    assert _single_error_line(capsys.readouterr().err) == "pns: error: --format png needs --out FILE.png"
    target = tmp_path / "map.png"
    assert main(["actors", "--matrix", "--format", "png", "--out", str(target)]) == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"



def _break_objectives(monkeypatch: pytest.MonkeyPatch) -> None:
    import corpus.cli

    def broken(args, settings):
        raise RuntimeError("a bug")

    monkeypatch.setattr(corpus.cli, "cmd_objectives", broken)


def test_an_internal_error_is_one_line_naming_the_debug_switches(monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _break_objectives(monkeypatch)
    assert main(["objectives"]) == 70
    assert capsys.readouterr().err == ("pns: internal error: RuntimeError: a bug (run with --debug or PNS_DEBUG=1 "
                                       "for the traceback)\n")


@pytest.mark.parametrize("switch", ["env", "flag"])
def test_the_debug_switch_the_error_points_to_works(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str], switch: str) -> None:
    """PNS_DEBUG=1 is a known setting (not "unknown setting(s) debug") and, like --debug, shows the traceback."""
    if switch == "env":
        monkeypatch.setenv("PNS_DEBUG", "1")
    argv = ["objectives"] if switch == "env" else ["--debug", "objectives"]
    assert main([*argv, "--theme", "B9"]) == 0
    capsys.readouterr()
    _break_objectives(monkeypatch)
    assert main(argv) == 70
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and err.rstrip().endswith("RuntimeError: a bug")
