"""The assistant: a question in French, Dutch or English → the plan's own wording, cited, with permalinks.

Intents, each answered differently: a theme's or sub-group's objectives (the complete, ordered list), actors
(objectives naming an actor; what the text says it is), an objective by id or theme + number, a free question
(hybrid retrieval, routed towards the theme the question names), and out of scope (abstain, suggest themes).
Follow-ups reuse the conversation: "et pour la drogue ?" after a list, "plus de détails sur le 3".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import NamedTuple

import numpy as np

from assistant import compose
from assistant.abstain import NEIGHBOURS, AbstentionModel, Signals, load_abstention
from assistant.ranking import load_ranker
from assistant.text import clean_text
from assistant.understanding import (
    OBJECTIVE_ID,
    GlossaryRouter,
    asks_for_everything,
    clean_question,
    detail_number,
    has_actor_cue,
    has_define_cue,
    has_list_cue,
    is_followup,
    mentions_objectives,
    narrowing_terms,
    objective_number,
    parse_objective_id,
    parse_outline_id,
    retrieval_text,
    theme_code,
)
from corpus.analysis import analyse, analyse_query
from corpus.catalogue import Corpus
from corpus.clean import fold
from corpus.language import detect_language
from indexer.build import open_index
from indexer.fusion import best_per_passage, fuse
from indexer.ranker import Ranker
from indexer.ranker import features as ranker_features
from indexer.store import HybridIndex
from pns.errors import UsageError
from pns.settings import Settings
from pns.types import Actor, Answer, Citation, Hit, Objective, Passage, SignalScore

LANGUAGES = ("fr", "nl", "en")
# Up to this many words, langdetect cannot judge a question and the corpus' vocabulary does.
SHORT_QUESTION_WORDS = 6
# Named in so many passages that naming them says little about what a question is about.
GENERIC_ACTORS = frozenset({"police-integree", "police-federale", "police-locale", "autorites-judiciaires"})
INTENTS = ("list", "actor", "objective", "free", "out_of_scope", "overview")


def specific_actors(actors: list[Actor]) -> list[Actor]:
    """The actors that say what a question is about: not the police or the judicial authorities, which so many
    passages (and everyday questions) name."""
    return [a for a in actors if a.id not in GENERIC_ACTORS]


def _stems(texts: list[str]) -> set[str]:
    """Every stem of the texts, analysed in each of the three languages."""
    return {stem for text in texts for lang in LANGUAGES for stem in analyse(text, lang)}


@dataclass(frozen=True)
class Turn:
    """What a previous answer was about, for follow-ups."""

    question: str
    intent: str
    group: str | None
    passage_ids: tuple[str, ...]
    actor: str | None = None
    language: str = "fr"


@dataclass
class Conversation:
    """The turns of one chat; pass the same object to successive `ask` calls."""

    turns: list[Turn] = field(default_factory=list)

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None


class Dispatch(NamedTuple):
    """What one intent's handler found: the answer's parts, and the out-of-scope decision when one was made."""

    intent: str
    answer: str
    citations: list[Citation]
    group: str | None
    passage_ids: list[str]
    actor: str | None
    scope: Scope | None = None
    suggestions: tuple[str, ...] = ()  # theme codes worth following after an abstention


@dataclass(frozen=True)
class Scope:
    """The out-of-scope decision for one question: P(out of scope), the threshold, and the verdict."""

    p_out: float
    threshold: float

    @property
    def out_of_scope(self) -> bool:
        return self.p_out >= self.threshold


def fused_score(hit: Hit) -> float:
    """A hit's fused score, also when the learned ranker re-scored it."""
    fused = hit.signals.get("fused")
    return fused.score if fused is not None else hit.score


class Assistant:
    """Holds the corpus and the index; `ask` is cheap and thread-safe (no shared mutable state but caches)."""

    def __init__(self, settings: Settings, corpus: Corpus, index: HybridIndex,
                 abstention: AbstentionModel | None = None,
                 background: dict[str, np.ndarray] | None = None, ranker: Ranker | None = None) -> None:
        self.settings = settings
        self.corpus = corpus
        self.index = index
        # The fitted out-of-scope model and the labelled questions' vectors ("out:<signal>", "in:<signal>") it
        # compares with;
        # `pns index` fits and stores them beside the index. Without a model the assistant never abstains.
        self.abstention = abstention
        self.background = background or {}
        # The learned order of a free question's fused candidates (assistant.ranking); None: fusion order.
        self.ranker = ranker
        self.router = GlossaryRouter(corpus.glossary)
        self.unit_passage = index.passage_of
        # Theme routing and the out-of-scope margins compare similarities in one encoder's space (USE's when it
        # is configured: the thresholds were set there); with no encoder at all, only the glossary routes.
        self.route_signal = "use" if "use" in index.dense else next(iter(index.dense), None)

    @classmethod
    def load(cls, settings: Settings, warm: bool = False) -> Assistant:
        """Open the corpus and its index; ``warm`` pre-loads everything (servers), a one-shot CLI skips it."""
        corpus = Corpus.load(settings, detect_languages=False)
        index = open_index(settings, corpus)
        model, background = load_abstention(index)
        ranker = load_ranker(index) if settings.ranker else None
        assistant = cls(settings, corpus, index, model, background, ranker)
        if warm:
            assistant.warm_up()
        return assistant

    # -- routing helpers -----------------------------------------------------------------------------------------
    @cached_property
    def _route_keys(self) -> list[str]:
        keys = []
        for theme in self.corpus.themes.values():
            keys.append(theme.code)
            keys.extend(g.key for g in theme.groups if self.corpus.group_objectives(g.key))
        return keys

    @cached_property
    def _route_vectors(self) -> np.ndarray:
        """One vector per theme/sub-group: its names in FR/NL/EN and its goal sentence, embedded once."""
        texts = []
        for key in self._route_keys:
            entry = self.corpus.glossary.get(key)
            names = list(entry.names.values()) if entry else []
            title = self.corpus.group_title(key)
            goal = self.corpus.themes[key].goal if "." not in key else ""
            texts.append(" / ".join(dict.fromkeys([title, *names])) + (f". {goal}" if goal else ""))
        if self.route_signal is None:
            return np.zeros((len(texts), 1), dtype=np.float32)
        return self.index.embedders[self.route_signal].encode(texts, kind="passage")

    def _route_vector(self, vectors: dict[str, np.ndarray]) -> np.ndarray:
        """The question in the routing encoder's space (a zero vector when there is no encoder)."""
        if self.route_signal is None:
            return np.zeros(1, dtype=np.float32)
        return vectors[self.route_signal]

    def semantic_routes(self, vectors: dict[str, np.ndarray]) -> list[tuple[str, float]]:
        """Themes and sub-groups by similarity of their names to the question."""
        sims = self._route_vectors @ self._route_vector(vectors)
        order = np.argsort(-sims, kind="stable")
        return [(self._route_keys[i], float(sims[i])) for i in order]

    def title(self, key: str, language: str) -> str:
        """A theme/sub-group title in the answer's language when the glossary has it, else the plan's."""
        entry = self.corpus.glossary.get(key)
        if entry and language in entry.names and language != "fr":
            return entry.names[language]
        return self.corpus.group_title(key)

    def _group_passages(self, key: str) -> set[str]:
        return {o.id for o in self.corpus.group_objectives(key)}

    def find_actors(self, question: str) -> list[Actor]:
        found = self.corpus.matcher.find(question)
        return [self.corpus.actors_by_id[a] for a in found]

    # -- citations -------------------------------------------------------------------------------------------
    def _citation(self, rank: int, passage: Passage, query: str, language: str, hit: Hit | None = None,
                  extra_spans: tuple[tuple[int, int], ...] = ()) -> Citation:
        doc = self.corpus.documents_by_id[passage.document]
        scores: dict[str, object] = {"source": "catalogue"}
        score = 1.0
        if hit is not None:
            # Every signal of the index is listed; one that missed the passage has no rank.
            signals = {name: {"rank": hit.rank(name), "score": hit.signal_score(name)}
                       for name in [*self.index.signals, *(n for n in hit.signals if n not in self.index.signals)]}
            scores = {"fused": hit.score, "signals": signals, "source": hit.retriever}
            score = hit.score
        return Citation(
            rank=rank, passage_id=passage.id, objective_id=passage.objective_id, path=passage.path,
            document=doc.id, document_title=doc.title, location=passage.location.label(), text=passage.text,
            score=round(score, 6), url=self.settings.objective_url(passage.objective_id)
            if passage.objective_id else None,
            scores=scores, highlights=compose.highlight_spans(passage.text, query, language, doc.language,
                                                              extra_spans),
            translation=self._translation(passage, language),
        )

    def _translation(self, passage: Passage, language: str) -> dict[str, str] | None:
        """The objective's unofficial translation in the answer's language, when the plan's text is in another."""
        if not passage.objective_id or language == passage.language:
            return None
        text = self.corpus.translation(passage.objective_id, language)
        return {"language": language, "text": text} if text else None

    def _objective_lines(self, objectives: list[Objective], citations: list[Citation],
                         with_groups: bool) -> list[str]:
        lines: list[str] = []
        group = None
        for obj, cit in zip(objectives, citations, strict=True):
            if with_groups and obj.group and obj.group != group:
                group = obj.group
                lines.append(f"\n**{compose.escape_markdown(obj.group)}**\n")
            lines.append(compose.markdown_item(cit.rank, obj.text, obj.id,
                                               translation=cit.translation))
        return lines

    # -- intents ---------------------------------------------------------------------------------------------
    def _theme_stems(self, theme: str) -> set[str]:
        """Stems of every name and glossary term of a theme and its sub-groups, in the three languages."""
        cache = self.__dict__.setdefault("_theme_stem_cache", {})
        if theme not in cache:
            keys = [theme, *(g.key for g in self.corpus.themes[theme].groups)]
            texts = []
            for key in keys:
                entry = self.corpus.glossary.get(key)
                texts += [self.corpus.group_title(key), *(entry.all_terms() if entry else ())]
                texts += [self.corpus.heading_translation(key, lang) or "" for lang in ("nl", "en")]
            cache[theme] = _stems(texts)
        return cache[theme]

    def _group_vocabulary(self, objectives: list[Objective]) -> set[str]:
        """Stems of a group's objectives, their translations and everyday words, in the three languages."""
        cache = self.__dict__.setdefault("_group_vocabulary_cache", {})
        key = tuple(o.id for o in objectives)
        if key not in cache:
            texts = []
            for o in objectives:
                view = self.corpus.view(o.id)
                texts.append(o.text)
                if view:
                    texts += [*view.translations.values(), *(w for words in view.words.values() for w in words)]
            cache[key] = _stems(texts)
        return cache[key]

    def _closest(self, question: str, language: str, key: str, objectives: list[Objective]) -> list[Objective]:
        """The objectives of a list that match what the question says beyond the theme's name ("financement" in
        "les objectifs sur le financement du terrorisme"): those of the group among retrieval's three best
        passages. None for a plain list question."""
        if not narrowing_terms(question, self._theme_stems(key.split(".")[0]), self._group_vocabulary(objectives)):
            return []
        query = retrieval_text(question)
        members = {o.id: o for o in objectives}
        hits = self.retrieve(query, language, self._embed(query), key, 3)
        return [members[h.passage_id] for h in hits if h.passage_id in members]

    def _answer_list(self, question: str, language: str, key: str,
                     narrow: bool = False) -> tuple[str, list[Citation], list[str]]:
        """A group's complete list; when ``narrow``, the objectives closest to the question come first."""
        objectives = self.corpus.group_objectives(key, language)
        closest = self._closest(question, language, key, objectives) if narrow else []
        ordered = closest + [o for o in objectives if o not in closest]
        citations = [self._citation(i, self.corpus.passages[o.id], question, language)
                     for i, o in enumerate(ordered, start=1)]
        kind = "list_one" if len(objectives) == 1 else "list"
        title = self.title(key, language)
        parts = [compose.lead(kind, language, n=len(objectives), title=title)]
        if closest:
            parts.append(compose.lead("closest_one" if len(closest) == 1 else "closest_many", language))
            parts += [compose.markdown_item(c.rank, o.text, o.id,
                                            (o.group,) if o.group and "." not in key else (), c.translation)
                      for o, c in zip(closest, citations, strict=False)]
            parts.append(compose.lead("others", language, title=title))
        n = len(closest)
        parts += self._objective_lines(ordered[n:], citations[n:], with_groups="." not in key)
        return "\n\n".join(parts).replace("\n\n\n", "\n"), citations, [o.id for o in ordered]

    def _answer_objectives(self, question: str, language: str, objectives: list[Objective],
                           head: str) -> tuple[str, list[Citation]]:
        citations = [self._citation(i, self.corpus.passages[o.id], question, language)
                     for i, o in enumerate(objectives, start=1)]
        lines = [compose.markdown_item(c.rank, o.text, f"{o.id}", o.path, c.translation) for o, c in zip(objectives, citations,
                                                                                          strict=True)]
        return "\n\n".join([head, *lines]), citations

    def _answer_actor(self, question: str, language: str, actor: Actor,
                      define: bool) -> tuple[str, list[Citation]]:
        ids = self.corpus.actor_index.get(actor.id, [])
        objectives = [self.corpus.objectives[p] for p in ids if p in self.corpus.objectives]
        prose = [self.corpus.passages[p] for p in ids if p not in self.corpus.objectives]
        name = actor.name.split(" (")[0]
        spans_of = self.corpus.matcher.find
        passages: list[Passage] = []
        if define:
            # What the text says X is: passages that spell the name out come first.
            defining = [self.corpus.passages[p] for p in ids
                        if len(spans_of(self.corpus.passages[p].text).get(actor.id, [])) > 1
                        or "(" in self.corpus.passages[p].text]
            passages = defining[:2]
        ordered = passages + [self.corpus.passages[o.id] for o in objectives
                              if self.corpus.passages[o.id] not in passages]
        rest = [p for p in prose if p not in ordered]
        if not objectives:
            head = compose.lead("define" if define else "actor_none", language, name=name)
            ordered = passages + [p for p in rest if p not in passages]
            rest = []
        else:
            head = compose.lead("define" if define else "actor", language, n=len(objectives), name=name)
        citations = []
        lines = [head]
        theme = None
        for passage in [*ordered, *rest]:
            rank = len(citations) + 1
            if passage in rest and rank == len(ordered) + 1:
                lines.append(compose.lead("other_prose", language))
            spans = tuple(spans_of(passage.text).get(actor.id, []))
            citations.append(self._citation(rank, passage, question, language, extra_spans=spans))
            translation = citations[-1].translation
            if passage.objective_id and not define and passage.theme != theme:
                theme = passage.theme
                lines.append(f"**{compose.escape_markdown(self.title(theme, language))}**")
            label = passage.objective_id or ""
            lines.append(compose.markdown_item(rank, passage.text, label,
                                               passage.path if not passage.objective_id or define else (),
                                               translation))
        return "\n\n".join(lines), citations

    def scope_signals(self, text: str, language: str, vectors: dict[str, np.ndarray], hits: list[Hit],
                      route: str | None, actors: list[Actor], exclude: tuple[str, int] | None = None) -> Signals:
        """What the out-of-scope decision reads (see assistant.abstain); ``exclude`` = (kind, row) leaves one
        labelled question out of the comparison (fitting on the labelled questions themselves)."""
        best, tenth, near = {}, {}, {"out": {}, "in": {}}
        for signal, vector in vectors.items():
            found = self.index.dense_search(signal, vector, 10)
            best[signal] = found[0][1] if found else 0.0
            tenth[signal] = found[-1][1] if found else 0.0
            for kind in ("out", "in"):
                matrix = self.background.get(f"{kind}:{signal}")
                sims = matrix @ vector if matrix is not None else np.zeros(0)
                if exclude is not None and exclude[0] == kind and len(sims):
                    sims = np.delete(sims, exclude[1])
                top = np.sort(sims)[-NEIGHBOURS:] if len(sims) else np.zeros(1)
                near[kind][signal] = (float(top[-1]), float(top.mean()))
        terms = analyse_query(text, [language, *(lang for lang in self.index.languages if lang != language)])
        vocab = self.index.lexical.vocab if self.index.lexical is not None else {}
        bm25 = self.index.bm25(text, 1, language)
        code = theme_code(text)
        return Signals(best, tenth, near["out"], near["in"], bm25[0][1] if bm25 else 0.0, len(terms),
                       sum(1 for t in terms if t in vocab), max((fused_score(h) for h in hits), default=0.0), route is not None,
                       bool(actors), bool(code and self.corpus.group_objectives(code)), len(text.split()))

    def free_context(self, text: str) -> tuple[str | None, list[Actor]]:
        """The theme a free question names and the actors it names (generic ones left out when it names a
        theme), as the answer path sees them."""
        route, _ = self.router.route(text)
        actors = self.find_actors(text)
        if route is not None:
            actors = specific_actors(actors)
        return route, actors

    def free_evidence(self, text: str, language: str, route: str | None, actors: list[Actor],
                      vectors: dict[str, np.ndarray] | None = None,
                      exclude: tuple[str, int] | None = None) -> tuple[list[Hit], Signals]:
        """A free question's passages and the signals of its out-of-scope decision: the one path that both
        answering and fitting the decision take (fitting passes precomputed vectors and a background
        question to leave out)."""
        query = retrieval_text(text)
        vectors = vectors if vectors is not None else self._embed(query)
        hits = self.retrieve(query, language, vectors, route, self.settings.top_k)
        return hits, self.scope_signals(query, language, vectors, hits, route, actors, exclude)

    def scope(self, signals: Signals) -> Scope | None:
        """P(out of scope) of a question from its signals; None when no model is loaded."""
        if self.abstention is None:
            return None
        return Scope(self.abstention.probability(signals.vector(self.abstention.names)), self.abstention.threshold)

    @cached_property
    def _route_rows(self) -> dict[str, tuple[list[str], np.ndarray]]:
        """Per theme/sub-group: its units and their stored vectors (filled lazily by `_route_ranking`)."""
        return {}

    def _route_ranking(self, route: str, vectors: dict[str, np.ndarray]) -> list[tuple[str, str, float]]:
        """The passages of the named theme or sub-group, by the routing encoder's similarity to the question."""
        if self.route_signal is None:
            return []
        if route not in self._route_rows:
            theme = route.split(".")[0]
            members = self._group_passages(route)
            if "." not in route:
                members |= {p.id for p in self.corpus.passages.values() if p.theme == theme}
            units = [u.id for u in self.index.units if u.passage_id in members]
            self._route_rows[route] = self.index.unit_vectors(self.route_signal, units)
        units, unit_vectors = self._route_rows[route]
        sims = unit_vectors @ self._route_vector(vectors)
        order = np.argsort(-sims, kind="stable")
        return best_per_passage([(units[i], float(sims[i])) for i in order], self.unit_passage)

    def candidates(self, question: str, language: str, vectors: dict[str, np.ndarray],
                   route: str | None) -> tuple[list[Hit], dict[str, list[tuple[str, float]]]]:
        """Every signal fused, with the named theme's passages as one more ranking when the question names one;
        with each signal's unit ranking, which the learned ranker reads."""
        bm25_query = question
        if route:
            bm25_query = f"{question} {self.corpus.group_title(route)}"
        units = self.index.unit_rankings(bm25_query, language, vectors)
        rankings = dict(self.index.rankings(bm25_query, language, vectors, units=units))
        weights = self.index.weights(language)
        if route:
            rankings["route"] = self._route_ranking(route, vectors)
            weights["route"] = self.settings.route_weight
        hits = fuse(rankings, weights, self.settings.fusion, self.settings.rrf_k)
        # A goal sentence summarises its theme; for a free question the objectives are the specific answer.
        goal = self.settings.goal_weight
        adjusted = [replace(h, score=round(h.score * goal, 6))
                    if self.corpus.passages[h.passage_id].kind == "goal" else h for h in hits]
        return sorted(adjusted, key=lambda h: -h.score), units

    def candidate_features(self, hits: list[Hit], units: dict[str, list[tuple[str, float]]]) -> np.ndarray:
        return ranker_features([(h.passage_id, h.score) for h in hits], units, self.unit_passage)

    def retrieve(self, question: str, language: str, vectors: dict[str, np.ndarray], route: str | None,
                 k: int) -> list[Hit]:
        """The fused candidates, the objectives among the first ``ranker_depth`` re-ordered by the learned ranker
        when there is one (each hit keeps its fused score).

        The ranker learned which objective answers (its labelled questions expect objectives): a passage of the
        plan's prose keeps its fused place, and the objectives are re-ordered among the other places.
        """
        hits, units = self.candidates(question, language, vectors, route)
        if self.ranker is None or not hits:
            return hits[:k]
        head = hits[:self.settings.ranker_depth]
        share = self.ranker.shares(self.candidate_features(head, units))
        places = [i for i, h in enumerate(head) if self.corpus.passages[h.passage_id].objective_id is not None]
        order = list(range(len(head)))
        for place, i in zip(places, sorted(places, key=lambda i: (-share[i], i)), strict=True):
            order[place] = i
        # the head's places score the ranker's shares from the highest down (they sum to 1; beyond the head: 0),
        # so scores follow the order; each hit's fused score and rank stay in its breakdown ("fused"), which the
        # out-of-scope decision reads
        place_scores = sorted((float(x) for x in share), reverse=True)
        fused = {h.passage_id: SignalScore(i + 1, h.score, h.unit_id) for i, h in enumerate(hits)}
        ranked = [replace(head[i], score=round(place_scores[j], 6)) for j, i in enumerate(order)]
        ranked += [replace(h, score=0.0) for h in hits[len(head):max(k, len(head))]]
        return [replace(h, retriever="ranker", signals={**h.signals, "fused": fused[h.passage_id]})
                for h in ranked[:k]]

    def _embed(self, text: str) -> dict[str, np.ndarray]:
        """The question's vectors; one question may need them for routing, retrieval and suggestions, and the
        index keeps the recent questions' vectors (``query_cache``), so they are computed once."""
        return self.index.embed_query(text)

    def warm_up(self) -> None:
        """Load the model and the lazy tables once, so the first real question is as fast as the others."""
        self.index.embed_query("plan national de sécurité")
        _ = self._route_vectors, self.corpus.actor_index, self.corpus.word_languages
        compose.highlight_spans("sécurité", "sécurité", "fr")

    # -- the entry point -------------------------------------------------------------------------------------
    def ask(self, question: str, language: str | None = None,
            conversation: Conversation | None = None, summarize: bool | None = None) -> Answer:
        """Answer one question; record the turn in ``conversation`` when given.

        ``summarize`` asks the optional language model for a cited summary (default: when one is configured).
        """
        start = time.perf_counter()
        if isinstance(question, str):
            # a direct Python caller's lone surrogates: removed here too, as at every CLI, web and API entry point
            question = clean_text(question).text
        if not isinstance(question, str) or not question.strip():
            raise UsageError("the question is empty; type a question about the plan")
        text, notice_keys = clean_question(question, self.settings.max_question_chars)
        if not text:
            raise UsageError("the question is empty once control characters are removed")
        if language is not None and language not in LANGUAGES:
            raise UsageError(f"unsupported language {language!r}; use one of {', '.join(LANGUAGES)}")
        last = conversation.last if conversation else None
        # A short follow-up ("nummer 4") says little about its language: the conversation's is the fallback.
        fallback = last.language if last is not None else "fr"
        lang = language or detect_language(text, fallback=fallback, allowed=LANGUAGES)
        if language is None and lang == fallback:
            # in a conversation, a short follow-up keeps its language ("more details on 3": "details" is a word
            # of the French text only)
            lang = (self._glossary_language(text) or (self._vocabulary_language(text) if last is None else None)
                    or lang)
        result = self._dispatch(text, lang, last)
        intent, answer_md, citations, group, passage_ids, actor, scope, suggested = result
        notices = tuple(compose.notice(k, lang) for k in notice_keys)
        suggestions: tuple[str, ...] = ()
        if intent == "out_of_scope":
            suggestions = tuple(self.title(k, lang) for k in suggested)
            if suggestions:
                answer_md = "\n\n".join([answer_md, compose.lead("suggest", lang, themes=", ".join(suggestions))])
            else:
                answer_md = "\n\n".join([answer_md, compose.lead("overview_link", lang, n=len(self.corpus.themes))])
        if notices:
            answer_md = "\n\n".join([*(f"*{compose.escape_markdown(n)}*" for n in notices), answer_md])
        theme = group.split(".")[0] if group else None
        summary = None
        if ((summarize is None and self.settings.llm_endpoint) or summarize) and citations:
            from assistant.summary import summarise

            result = summarise(self.settings, text, lang, citations)
            summary = result.text
            if result.text is None:
                notices = (*notices, result.reason)
        if conversation is not None:
            conversation.turns.append(Turn(text, intent, group, tuple(passage_ids), actor, lang))
        answer = Answer(question=text, language=lang, intent=intent, answer=answer_md,
                        citations=tuple(citations), theme=theme, group=group, notices=notices,
                        suggestions=suggestions, summary=summary,
                        elapsed_ms=(time.perf_counter() - start) * 1000,
                        scope={"p_out": round(scope.p_out, 4), "threshold": round(scope.threshold, 4)}
                        if scope is not None else None)
        return answer

    def _glossary_language(self, text: str) -> str | None:
        """For short questions langdetect cannot judge ("road safety"), the language of the glossary words."""
        if len(text.split()) > 4:
            return None
        folded = fold(text)
        for entry in self.corpus.glossary.values():
            for lang in ("nl", "en"):
                name = entry.names.get(lang)
                if name and fold(name) in folded and fold(entry.names.get("fr", "")) not in folded:
                    return lang
        return None

    def _vocabulary_language(self, text: str) -> str | None:
        """For short questions, the language whose words the question uses and the others' do not (in the plan
        and its views); None when no language leads."""
        if len(text.split()) > SHORT_QUESTION_WORDS:
            return None
        return self.corpus.vocabulary_language(text, LANGUAGES)

    def _suggest(self, hits: list[Hit], scope: Scope) -> tuple[str, ...]:
        """After an abstention, the themes of the passages retrieval ranked best, but only for a question near the
        decision's threshold (P(out of scope) below halfway to 1): for a question clearly elsewhere, the themes
        would be arbitrary and the plan's overview is offered instead."""
        if scope.p_out >= (scope.threshold + 1.0) / 2:
            return ()
        themes = [self.corpus.passages[h.passage_id].theme for h in hits]
        return tuple(dict.fromkeys(t for t in themes if t))[:3]

    def _dispatch(self, text: str, lang: str, last: Turn | None):
        # 1. An objective id written out ("PNS16-B5-3", "B4.2-1").
        ref = parse_objective_id(text)
        if ref is not None:
            written = OBJECTIVE_ID.search(text).group(0)
            code, theme, group, number, suffix = ref
            codes = [code] if code else [d.code for d in self.corpus.documents]
            suffix_group = f".{group}" if group else ""
            for c in codes:
                oid = f"{c}-{theme}{suffix_group}-{number}{suffix}"
                if oid in self.corpus.objectives:
                    obj = self.corpus.objectives[oid]
                    head = compose.lead("objective", lang, ref=oid)
                    md, cits = self._answer_objectives(text, lang, [obj], head)
                    return Dispatch("objective", md, cits, obj.group_key, [oid], None)
            return Dispatch("objective", compose.lead("not_found", lang, ref=written), [], None, [], None)
        outline_ref = parse_outline_id(text)
        if outline_ref is not None:
            # An item of a plan numbered by its headings (a full PDF): "PNSF-3.5.3-2", or "3.5.3-2" in any document.
            code, outline, number = outline_ref
            codes = [code] if code else [d.code for d in self.corpus.documents]
            found = [f"{c}-{outline}-{number}" for c in codes if f"{c}-{outline}-{number}" in self.corpus.objectives]
            if found:
                obj = self.corpus.objectives[found[0]]
                md, cits = self._answer_objectives(text, lang, [obj], compose.lead("objective", lang, ref=obj.id))
                return Dispatch("objective", md, cits, obj.group_key, [obj.id], None)
            if code in {d.code for d in self.corpus.documents}:
                written = f"{code}-{outline}-{number}"
                return Dispatch("objective", compose.lead("not_found", lang, ref=written), [], None, [], None)

        # 2. Follow-ups on the previous list: "plus de détails sur le 3", "et pour la drogue ?".
        if last is not None and last.passage_ids:
            position = detail_number(text)
            if position is not None and 1 <= position <= len(last.passage_ids) and not has_list_cue(text):
                pid = last.passage_ids[position - 1]
                passage = self.corpus.passages[pid]
                if passage.objective_id:
                    obj = self.corpus.objectives[pid]
                    head = compose.lead("objective", lang, ref=obj.id)
                    md, cits = self._answer_objectives(text, lang, [obj], head)
                    return Dispatch("objective", md, cits, obj.group_key, [obj.id], None)
            if position is not None and position > len(last.passage_ids) and not has_list_cue(text):
                # past the end of the list: say so, and keep the list for the next follow-up
                md = compose.lead("no_item", lang, n=len(last.passage_ids), position=position)
                return Dispatch("objective", md, [], last.group, list(last.passage_ids), None)
        route, _matches = self.router.route(text)
        mentions = self.corpus.matcher.find(text)  # actor id -> spans in the question
        actors = [self.corpus.actors_by_id[a] for a in mentions]
        if last is not None and is_followup(text):
            if last.intent == "list" and route:
                md, cits, ids = self._answer_list(text, lang, route)
                return Dispatch("list", md, cits, route, ids, None)
            if last.intent == "actor" and actors:
                actor = actors[0]
                md, cits = self._answer_actor(text, lang, actor, define=False)
                return Dispatch("actor", md, cits, None, [c.passage_id for c in cits], actor.id)

        # 3. An objective by theme and number: "objectif 3 de la cybercriminalité".
        number = objective_number(text)
        code = theme_code(text)
        code = code if code and self.corpus.group_objectives(code) else None
        if number is not None:
            key = code or route or self._semantic_key(text)
            if key:
                candidates = [o for o in self.corpus.group_objectives(key, lang) if o.number == number]
                if candidates:
                    if len(candidates) == 1:
                        head = compose.lead("objective", lang, ref=candidates[0].id)
                    else:
                        head = compose.lead("objectives_numbered", lang, number=number,
                                            title=self.title(key, lang))
                    md, cits = self._answer_objectives(text, lang, candidates, head)
                    return Dispatch("objective", md, cits, key, [o.id for o in candidates], None)

        # 4. Actors: "quels objectifs impliquent la CTIF ?", "wie werkt samen met Child Focus?", "what is BEPAD?".
        if route is not None:
            # "le rôle de la police locale face à la radicalisation" is about the theme, not about the police.
            actors = specific_actors(actors)
        spans = [span for a in actors for span in mentions[a.id]]
        if actors and (has_actor_cue(text, spans) or len(fold(text).split()) <= 3
                       or (mentions_objectives(text) and route is None)):
            actor = actors[0]
            define = has_define_cue(text)
            md, cits = self._answer_actor(text, lang, actor, define)
            return Dispatch("actor", md, cits, None, [c.passage_id for c in cits], actor.id)

        # 5. A theme's or sub-group's objectives; or, when the question names none, the plan's themes.
        if has_list_cue(text):
            key = code or route
            if key is None and not actors and asks_for_everything(text):
                return Dispatch("overview", self._overview(lang), [], None, [], None)
            if key is None and not actors:
                key = self._semantic_key(text, strict=True)
            if key is not None:
                md, cits, ids = self._answer_list(text, lang, key, narrow=True)
                return Dispatch("list", md, cits, key, ids, None)

        # 6. A free question, or out of scope.
        hits, signals = self.free_evidence(text, lang, route, actors)
        scope = self.scope(signals)
        # A question naming a specific actor (the CTIF, Europol) is about the plan; one naming only the police or
        # the judicial authorities may not be ("how do I move from a local zone to the federal police?").
        if not specific_actors(actors) and scope is not None and scope.out_of_scope:
            return Dispatch("out_of_scope", compose.lead("out_of_scope", lang), [], None, [], None, scope,
                            self._suggest(hits, scope))
        citations = [self._citation(i, self.corpus.passages[hit.passage_id], text, lang, hit)
                     for i, hit in enumerate(hits, start=1)]
        lines = [compose.lead("free", lang)]
        for cit in citations:
            lines.append(compose.markdown_item(cit.rank, cit.text, cit.objective_id or "", cit.path, cit.translation))
        group = route
        return Dispatch("free", "\n\n".join(lines), citations, group, [c.passage_id for c in citations], None,
                        scope)

    def _overview(self, language: str) -> str:
        """The plan's themes with their objective counts (fixed wording and titles only: nothing is quoted)."""
        objectives = [o for o in self.corpus.objectives.values()
                      if o.document == next(iter(self.corpus.objectives.values())).document]
        lines = [compose.lead("overview", language, n=len(objectives), themes=len(self.corpus.themes))]
        for code in self.corpus.themes:
            count = len(self.corpus.group_objectives(code, language))
            lines.append(f"- **{code}** {compose.escape_markdown(self.title(code, language))} ({count})")
        return "\n".join(lines)

    def _semantic_key(self, text: str, strict: bool = False) -> str | None:
        """The theme whose names are closest to the question, when it clearly stands out."""
        routes = self.semantic_routes(self._embed(text))
        best, s1 = routes[0]
        # The runner-up that counts is another theme: a sub-group and its own theme are not rivals.
        theme = best.split(".")[0]
        s2 = next((score for key, score in routes[1:] if key.split(".")[0] != theme), 0.0)
        margin = 0.04 if strict else 0.02
        if s1 >= (0.45 if strict else 0.35) and s1 - s2 >= margin:
            return best
        return None
