"""Issue 12's probes on settings, replayed through a real ``pns`` process: the debug switch that error messages
point to is a known setting, and out-of-range numbers are refused in one line with exit 2 (they were accepted)."""

from __future__ import annotations

import pytest

from .conftest import pns_process


def test_pns_debug_is_a_known_setting() -> None:
    result = pns_process(["objectives", "--theme", "B5"], env={"PNS_DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert b"unknown setting" not in result.stderr
    assert result.stdout.decode().splitlines()[0] == "B5 Cybercrime et cybersecurity"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PNS_TOP_K", "0", "setting top_k must be between 1 and 50, got 0"),
    ("PNS_TOP_K", "-5", "setting top_k must be between 1 and 50, got -5"),
    ("PNS_MAX_QUESTION_CHARS", "0", "setting max_question_chars must be between"),
])
def test_out_of_range_numbers_are_refused_in_one_line(name: str, value: str, message: str) -> None:
    result = pns_process(["objectives", "--theme", "B5"], env={name: value})
    assert result.returncode == 2
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"pns: error: {message}"), lines
    assert result.stdout == b""
