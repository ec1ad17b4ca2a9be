"""Prometheus metrics of one server process, served at ``/metrics`` in the text format.

One registry per server (not the library's global one), so two servers in one process (tests) never share
counters. Answers are counted where both the app and the REST API pass: the live assistant's ``ask``.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

disable_created_metrics()  # no *_created series beside every counter: half the lines, nothing a dashboard uses

# Seconds: an answer costs about 10 ms in process; the tail shows queueing or a summary endpoint.
LATENCY_BUCKETS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """The counters, histogram and gauges of one server."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.answers = Counter("pns_answers", "Answers given, by intent and answer language.",
                               ["intent", "language"], registry=r)
        self.abstentions = Counter("pns_abstentions", "Questions answered as out of scope (the assistant "
                                   "abstained).", registry=r)
        self.latency = Histogram("pns_answer_seconds", "Time the assistant took to answer, in seconds.",
                                 buckets=LATENCY_BUCKETS, registry=r)
        self.errors = Counter("pns_answer_errors", "Questions refused (bad input) or failed (a bug), by kind.",
                              ["kind"], registry=r)
        self.feedback = Counter("pns_feedback", "Feedback events, by outcome (recorded, refused) and where they "
                                "came from (ui, api).", ["outcome", "source"], registry=r)
        self.index = Gauge("pns_index_info", "The index version served (value 1 on the served version).",
                           ["version"], registry=r)
        self.reloads = Gauge("pns_index_reloads", "Live index reloads done by this process since it started.",
                             registry=r)
        self.query_cache = Gauge("pns_query_cache_lookups", "Question-vector lookups of the served index since it "
                                 "was loaded, by result (hit: a question asked before skipped the encoders).",
                                 ["result"], registry=r)
        self._version: str | None = None

    def answered(self, answer: Any, seconds: float) -> None:
        """Count one answer (an ``Answer``): intent, language, abstention, duration."""
        self.answers.labels(answer.intent, answer.language).inc()
        if answer.intent == "out_of_scope":
            self.abstentions.inc()
        self.latency.observe(seconds)

    def set_index(self, version: str, reloads: int) -> None:
        """Mark ``version`` as the served index (the previous one leaves the gauge) after ``reloads`` reloads."""
        self.reloads.set(reloads)
        if version == self._version:
            return
        if self._version is not None:
            self.index.remove(self._version)
        self.index.labels(version).set(1)
        self._version = version

    def set_query_cache(self, index: Any) -> None:
        """Copy the served index's question-vector cache counts (a reloaded index starts again from 0)."""
        self.query_cache.labels("hit").set(getattr(index, "query_cache_hits", 0))
        self.query_cache.labels("miss").set(getattr(index, "query_cache_misses", 0))

    def render(self) -> bytes:
        return generate_latest(self.registry)
