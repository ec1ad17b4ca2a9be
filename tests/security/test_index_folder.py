"""Issue 12's read-only index folder probe: a rebuild that cannot write its folder is one clear line and a
non-zero exit, never ``internal error: PermissionError``.

We run as root, for whom chmod does not stop a write, so the folder is made unwritable in two other ways: a
regular file where the index folder must be (a real OS error, through a real ``pns`` process), and a real
PermissionError raised by ``os.mkdir`` itself (monkeypatched at the OS boundary, as a read-only mount would).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from pns.cli import main
from pns.settings import REPO_ROOT

from .conftest import pns_process

FIXTURE_CORPUS = REPO_ROOT / "tests" / "indexer" / "fixtures" / "corpus"
ADVICE = "make that folder writable, or set index_dir (PNS_INDEX_DIR, --index-dir) to a writable folder"


def _env(tmp_path: Path, index_dir: Path) -> dict[str, str]:
    """A small corpus with BM25 alone: the build is quick and reaches the write."""
    return {"PNS_CORPUS_DIR": str(FIXTURE_CORPUS), "PNS_EMBEDDER": "", "PNS_DATA_DIR": str(tmp_path / "data"),
            "PNS_INDEX_DIR": str(index_dir)}


def test_a_file_where_the_index_folder_must_be(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    index_dir.write_text("not a folder", encoding="utf-8")
    result = pns_process(["index", "--rebuild"], env=_env(tmp_path, index_dir))
    assert result.returncode == 1
    assert result.stderr.decode().splitlines()[-1] == (
        f"pns: error: cannot write the index into {index_dir}: a file is there, not a folder ({index_dir}); "
        f"{ADVICE}")
    assert b"internal error" not in result.stderr and b"Traceback" not in result.stderr
    assert index_dir.read_text(encoding="utf-8") == "not a folder"


def test_permission_denied_by_the_os(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = tmp_path / "index"
    for key, value in _env(tmp_path, index_dir).items():
        monkeypatch.setenv(key, value)
    real_mkdir = os.mkdir

    def read_only(path: os.PathLike[str] | str, *args: object, **kwargs: object) -> None:
        if Path(path).is_relative_to(index_dir):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", read_only)
    assert main(["index", "--rebuild"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == f"pns: error: cannot write the index into {index_dir}: Permission denied ({index_dir}); {ADVICE}"
    assert not index_dir.exists()
