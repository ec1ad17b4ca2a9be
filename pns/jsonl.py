"""Reading the project's JSON Lines data files (question sets, labelled questions), one object per line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def jsonl_records(path: Path, parse: Callable[[Any], T], error: Callable[[str], Exception],
                  what: str) -> Iterator[tuple[int, T]]:
    """(line number, ``parse(object)``) for every non-blank line; a line that is not JSON, lacks a key or has the
    wrong type raises ``error`` naming the file and line ("…:3: not a labelled question (…)")."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = parse(json.loads(line))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise error(f"{path}:{number}: not {what} ({exc})") from None
        yield number, record
