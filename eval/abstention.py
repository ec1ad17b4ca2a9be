"""How well the assistant abstains: confusion matrix, precision and recall of abstention per language, and a
histogram of the decision score for in-scope and out-of-scope questions.

`pns eval abstention` runs the full assistant over the held-out set of the out-of-scope decision
(``eval/oos-heldout.jsonl``: out-of-scope and in-scope questions by an author who never saw the training data)
and over the in-scope and out-of-scope questions of every question set, each reported on its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.run import QUESTIONS, load_questions

OOS_HELDOUT = QUESTIONS.with_name("oos-heldout.jsonl")
# Written after the decision's method was chosen (its first set had been looked at while comparing methods).
OOS_HELDOUT_2 = QUESTIONS.with_name("oos-heldout2.jsonl")
# The third, by another author who saw neither the training data nor the other sets (its results only in aggregate).
OOS_HELDOUT_3 = QUESTIONS.with_name("oos-heldout3.jsonl")
# The fourth, by another author on the same terms (near-domain: careers, procedures, everyday law, public health).
OOS_HELDOUT_4 = QUESTIONS.with_name("oos-heldout4.jsonl")
QUESTION_SETS = ("questions.jsonl", "heldout.jsonl", "heldout2.jsonl", "heldout3.jsonl", "heldout4.jsonl",
                 "heldout5.jsonl", "heldout6.jsonl", "heldout7.jsonl", "heldout8.jsonl",
                 "heldout9.jsonl")


@dataclass(frozen=True)
class Judged:
    """One question: should it be set aside, was it, and the decision's P(out of scope) when one was made."""

    question: str
    language: str
    out_of_scope: bool
    abstained: bool
    p_out: float | None


def confusion(items: Iterable[Judged]) -> dict[str, Any]:
    """Counts and rates: tp = out of scope and abstained, fp = in scope but abstained, and so on."""
    items = list(items)
    tp = sum(1 for i in items if i.out_of_scope and i.abstained)
    fn = sum(1 for i in items if i.out_of_scope and not i.abstained)
    fp = sum(1 for i in items if not i.out_of_scope and i.abstained)
    tn = sum(1 for i in items if not i.out_of_scope and not i.abstained)
    return {
        "n": len(items), "tp": tp, "fn": fn, "fp": fp, "tn": tn,
        "abstention": tp / (tp + fn) if tp + fn else None,  # recall of abstention on out-of-scope questions
        "false_abstention": fp / (fp + tn) if fp + tn else None,
        "precision": tp / (tp + fp) if tp + fp else None,
    }


def by_language(items: Sequence[Judged]) -> dict[str, dict[str, Any]]:
    languages = sorted({i.language for i in items})
    return {"all": confusion(items), **{lang: confusion(i for i in items if i.language == lang)
                                        for lang in languages}}


def load_oos_heldout(path: Path = OOS_HELDOUT) -> list[tuple[str, str, bool]]:
    """(question, language, out of scope) of the decision's held-out set."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r["question"], r["language"], not r["in_scope"]) for r in rows]


def questions_of_set(path: Path) -> list[tuple[str, str, bool]]:
    """(question, language, out of scope) of a question set; follow-ups need their conversation and are left out."""
    return [(q.question, q.language, q.intent == "out_of_scope") for q in load_questions(path)
            if q.intent != "followup"]


def judge(assistant: Any, rows: Sequence[tuple[str, str, bool]]) -> list[Judged]:
    """Each question through the full assistant, as a user would ask it (language detected)."""
    out = []
    for question, language, out_of_scope in rows:
        answer = assistant.ask(question)
        p_out = answer.scope["p_out"] if answer.scope else None
        out.append(Judged(question, language, out_of_scope, answer.intent == "out_of_scope", p_out))
    return out


def histogram(path: Path, items: Sequence[Judged], threshold: float | None, title: str) -> Path | None:
    """P(out of scope) of in-scope and out-of-scope questions (free questions only: others skip the decision)."""
    in_scope = [i.p_out for i in items if not i.out_of_scope and i.p_out is not None]
    outside = [i.p_out for i in items if i.out_of_scope and i.p_out is not None]
    if not in_scope and not outside:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=110)
    bins = [i / 20 for i in range(21)]
    ax.hist(in_scope, bins=bins, alpha=0.65, label=f"in scope ({len(in_scope)})", color="#2b6cb0")
    ax.hist(outside, bins=bins, alpha=0.65, label=f"out of scope ({len(outside)})", color="#c05621")
    if threshold is not None:
        ax.axvline(threshold, color="#222", linestyle="--", linewidth=1, label=f"threshold {threshold:.2f}")
    ax.set_xlabel("P(out of scope)")
    ax.set_ylabel("questions")
    ax.set_title(title)
    ax.legend(loc="upper center")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _row(name: str, c: Mapping[str, Any]) -> str:
    def f(v: Any) -> str:
        return "-" if v is None else f"{v:.3f}"

    return (f"| {name} | {c['n']} | {c['tp']} | {c['fn']} | {c['fp']} | {c['tn']} | {f(c['abstention'])} | "
            f"{f(c['false_abstention'])} | {f(c['precision'])} |")


def markdown(results: Mapping[str, Mapping[str, Any]], threshold: float | None) -> str:
    """One table per set: all questions and each language."""
    lines = ["# Out-of-scope decision", "",
             f"Threshold on P(out of scope): {threshold:.3f}" if threshold is not None else "No model loaded.", "",
             "tp: out of scope and set aside · fn: out of scope but answered · fp: in scope but set aside · "
             "tn: in scope and answered. Abstention = tp / (tp + fn); false abstention = fp / (fp + tn); "
             "precision = tp / (tp + fp).", ""]
    for name, table in results.items():
        lines += [f"## {name}", "", "| | n | tp | fn | fp | tn | abstention | false abstention | precision |",
                  "|---|---|---|---|---|---|---|---|---|"]
        lines += [_row(lang, c) for lang, c in table.items()]
        lines.append("")
    return "\n".join(lines)


def run_abstention(assistant: Any, out: Path, folder: Path | None = None) -> dict[str, Any]:
    """Every set judged; ``abstention.md``, ``abstention.json`` and one histogram per set written to ``out``."""
    folder = folder or QUESTIONS.parent
    sets: dict[str, list[tuple[str, str, bool]]] = {}
    for held in (OOS_HELDOUT_4, OOS_HELDOUT_3, OOS_HELDOUT_2, OOS_HELDOUT):
        if (folder / held.name).is_file():
            sets[held.name] = load_oos_heldout(folder / held.name)
    for name in QUESTION_SETS:
        if (folder / name).is_file():
            sets[name] = questions_of_set(folder / name)
    threshold = assistant.abstention.threshold if assistant.abstention else None
    out.mkdir(parents=True, exist_ok=True)
    results, charts = {}, {}
    for name, rows in sets.items():
        judged = judge(assistant, rows)
        results[name] = by_language(judged)
        chart = histogram(out / f"abstention_{Path(name).stem}.png", judged, threshold, f"P(out of scope): {name}")
        if chart:
            charts[name] = str(chart)
    in_scope_all = [c for table in results.values() for c in [table["all"]]]
    fp = sum(c["fp"] for c in in_scope_all)
    negatives_in = sum(c["fp"] + c["tn"] for c in in_scope_all)
    summary = {"threshold": threshold, "sets": results, "charts": charts,
               "false_abstention_all_sets": fp / negatives_in if negatives_in else None}
    (out / "abstention.md").write_text(markdown(results, threshold), encoding="utf-8")
    (out / "abstention.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def format_summary(summary: Mapping[str, Any]) -> str:
    """The terminal view: abstention and false abstention per set and language."""
    lines = [f"threshold on P(out of scope): {summary['threshold']}"]
    for name, table in summary["sets"].items():
        parts = []
        for lang, c in table.items():
            a = "-" if c["abstention"] is None else f"{c['abstention']:.3f}"
            f = "-" if c["false_abstention"] is None else f"{c['false_abstention']:.3f}"
            parts.append(f"{lang}: abstain {a} ({c['tp']}/{c['tp'] + c['fn']}), false {f} ({c['fp']}/"
                         f"{c['fp'] + c['tn']})")
        lines.append(f"{name}\n  " + "\n  ".join(parts))
    fa = summary["false_abstention_all_sets"]
    lines.append(f"false abstention over every in-scope question of every set: "
                 f"{'-' if fa is None else f'{fa:.4f}'}")
    return "\n".join(lines)
