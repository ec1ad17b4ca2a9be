"""Hand-written expectations shared by the assistant tests: objective ids of the shipped plan, fixed wording."""

from __future__ import annotations

from pns.types import Answer

BASE_URL = "http://127.0.0.1:7860"


def ids(prefix: str, last: int, first: int = 1) -> list[str]:
    """``ids("PNS16-B5", 3)`` → ["PNS16-B5-1", "PNS16-B5-2", "PNS16-B5-3"]."""
    return [f"{prefix}-{n}" for n in range(first, last + 1)]


B5 = ids("PNS16-B5", 10)
B9 = ids("PNS16-B9", 10)
B4_2 = ids("PNS16-B4.2", 8)
# B3 Drogues: Cannabis 7 · Synthétiques 9 · Cocaïne 5 · Hormones 1 · Marché local 5 (its item 2 repaired).
B3 = [*ids("PNS16-B3.1", 7), *ids("PNS16-B3.2", 9), *ids("PNS16-B3.3", 5), "PNS16-B3.4-1", *ids("PNS16-B3.5", 5)]
CTIF = ["PNS16-A4-5", "PNS16-A4-12"]
CHILD_FOCUS = ["PNS16-B6.3-1", "PNS16-B6.3-2", "PNS16-B6.3-3"]

OUT_OF_SCOPE = {
    "fr": "Le plan ne semble pas traiter de cette question : aucun passage n'y répond.",
    "nl": "Het plan lijkt deze vraag niet te behandelen: geen enkele passage beantwoordt ze.",
    "en": "The plan does not seem to address this question: no passage answers it.",
}
TRUNCATED = {
    "fr": "Votre question était très longue : seul son début a été pris en compte.",
    "en": "Your question was very long: only its beginning was used.",
}
CONTROL = {
    "fr": "Des caractères de contrôle ont été retirés de la question.",
    "en": "Control characters were removed from the question.",
}


def cited(answer: Answer) -> list[str]:
    """The objective ids (or passage ids for prose) an answer cites, in rank order."""
    return [c.objective_id or c.passage_id for c in answer.citations]
