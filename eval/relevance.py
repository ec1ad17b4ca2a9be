"""The learned ranker's training data (``corpus/relevance.jsonl``), written from the development question sets.

The ranker is fitted by ``pns index`` from that file; writing it from the sets keeps it reproducible and makes the
rule visible: free questions of the development sets (``eval.tune.DEV_SETS``) with the objectives they expect —
never a held-out set, never a question answered by prose.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from eval.run import load_questions
from eval.tune import DEV_SETS


def relevance_rows(folder: Path, names: Iterable[str] = DEV_SETS) -> list[dict[str, object]]:
    """One row per free development question that expects objectives, in set and file order."""
    rows: list[dict[str, object]] = []
    for name in names:
        stem = Path(name).stem
        for q in load_questions(folder / name):
            if q.intent == "free" and q.expected:
                rows.append({"id": f"{stem}:{q.id}", "question": q.question, "language": q.language,
                             "expected": list(q.expected), "source": f"dev:{name}"})
    return rows


def write_relevance(rows: list[dict[str, object]], path: Path) -> None:
    """JSON Lines, non-ASCII as is, written atomically so a running build never reads half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    tmp.replace(path)
