"""A load benchmark of the real app: 20 concurrent clients × 50 questions of the evaluation set through ``/ask``.

It asserts that every question is answered and prints the figures (``pytest -s`` shows them); speed is reported,
not asserted. The refusals of `pns loadtest` are checked without any server.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from pns.cli import main
from pns.errors import UsageError
from ui.load import LoadReport, check_local_url, run_load

CLIENTS, QUESTIONS = 20, 50


@pytest.mark.slow
@pytest.mark.server
def test_twenty_clients_fifty_questions_each(live_app):
    url, _ = live_app
    began = time.monotonic()
    report = run_load(url, CLIENTS, QUESTIONS)
    print(f"\n{report.summary()}\n(test took {time.monotonic() - began:.1f} s)")
    assert report.error_samples == ()
    assert (report.requests, report.answers, report.errors) == (1000, 1000, 0)
    assert not report.stopped_early and report.ok
    assert 0 < report.percentile(50) <= report.percentile(95) <= max(report.latencies_ms)
    assert report.throughput > 0


@pytest.mark.server
def test_the_run_stops_at_its_time_limit(live_app):
    url, _ = live_app
    began = time.monotonic()
    report = run_load(url, 2, 10_000, questions=["Qu'est-ce que BEPAD ?"], max_seconds=3.0)
    assert time.monotonic() - began < 10
    assert report.stopped_early and not report.ok
    assert 0 < report.answers < report.planned
    assert report.requests < report.planned


def test_only_this_machine_is_loaded():
    assert check_local_url("http://127.0.0.1:7860/") == "http://127.0.0.1:7860"
    assert check_local_url("http://localhost:7860") == "http://localhost:7860"
    assert check_local_url("http://[::1]:7860") == "http://[::1]:7860"
    for url in ("http://example.org:7860", "http://127.0.0.1.example.org/", "http://127.0.0.1@example.org/",
                "ftp://127.0.0.1/", "127.0.0.1:7860", ""):
        with pytest.raises(UsageError, match="on this machine"):
            check_local_url(url)


def test_cli_refuses_another_host_in_one_line(capsys):
    assert main(["loadtest", "--url", "http://example.org:7860"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pns: error: --url must be an http URL on this machine")


def test_cli_refuses_counts_out_of_range(capsys):
    assert main(["loadtest", "--url", "http://127.0.0.1:1", "--clients", "0"]) == 2
    assert main(["loadtest", "--url", "http://127.0.0.1:1", "--questions", "0"]) == 2
    assert capsys.readouterr().err.count("pns: error: --") == 2


def test_an_unreachable_app_is_an_error(capsys):
    assert main(["loadtest", "--url", "http://127.0.0.1:1", "--clients", "2", "--questions", "3", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["planned"], data["requests"], data["answers"], data["errors"]) == (6, 6, 0, 6)
    assert data["error_samples"][0].startswith("connect: ")


def test_report_figures():
    report = LoadReport("http://127.0.0.1:1", 2, 2, 2.0, (100.0, 300.0, 200.0, 400.0), 0)
    assert (report.requests, report.answers, report.throughput) == (4, 4, 2.0)
    assert (report.percentile(50), report.percentile(95), report.percentile(100)) == (200.0, 400.0, 400.0)
    assert report.ok
    assert report.to_dict()["latency_ms"] == {"p50": 200.0, "p95": 400.0, "max": 400.0}
    assert not LoadReport("http://127.0.0.1:1", 2, 2, 2.0, (100.0, 300.0, 200.0), 1).ok
    assert not LoadReport("http://127.0.0.1:1", 2, 2, 2.0, (100.0, 300.0, 200.0), 0, stopped_early=True).ok


# -- the REST path and the child server ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rest_server(real_settings, real_assistant, tmp_path_factory):
    from ui.live import LiveAssistant
    from ui.server import serving

    from .conftest import free_port

    settings = real_settings.replace(data_dir=str(tmp_path_factory.mktemp("load-data")), host="127.0.0.1",
                                     port=free_port(), reload_interval=0)
    with serving(settings, LiveAssistant(settings, real_assistant)) as server:
        yield server.url


@pytest.mark.slow
@pytest.mark.server
def test_twenty_clients_fifty_questions_each_through_the_rest_api(rest_server):
    began = time.monotonic()
    report = run_load(rest_server, CLIENTS, QUESTIONS, target="rest")
    print(f"\n{report.summary()}\n(test took {time.monotonic() - began:.1f} s; server and clients share this "
          "process: `pns loadtest --target rest` measures them apart)")
    assert report.error_samples == ()
    assert (report.requests, report.answers, report.errors, report.target) == (1000, 1000, 0, "rest")
    assert report.ok and 0 < report.percentile(50) <= report.percentile(95)
    # the 200 questions of the evaluation set, each asked five times: repeats find their vectors in the cache
    assert report.distinct_questions == 200
    assert report.cache_lookups is not None and report.cache_lookups["hit"] > 0


@pytest.mark.server
def test_rest_refusals_are_errors_with_their_message(rest_server):
    report = run_load(rest_server, 2, 2, target="rest", questions=["   "])
    assert (report.answers, report.errors) == (0, 4)
    assert report.error_samples == (
        "RuntimeError: HTTP 400: {\"error\":\"the question is empty; type a question about the plan\"} ('   ')",)


def test_an_unreachable_rest_api_is_an_error(capsys):
    assert main(["loadtest", "--target", "rest", "--url", "http://127.0.0.1:1", "--clients", "2", "--questions", "3",
                 "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["target"], data["planned"], data["answers"], data["errors"]) == ("rest", 6, 0, 6)
    assert data["error_samples"][0].startswith("connect: ConnectionRefusedError")


def test_an_unknown_target_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["loadtest", "--target", "ftp"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'ftp'" in capsys.readouterr().err
    with pytest.raises(UsageError, match="--target must be one of rest, app, got 'ftp'"):
        run_load("http://127.0.0.1:1", 1, 1, target="ftp", questions=["q"])


def test_the_child_server_gets_exactly_these_settings(monkeypatch, tmp_path):
    from pns.settings import child_environment, load_settings

    settings = load_settings(data_dir=str(tmp_path), top_k=7, bm25=False, llm_timeout=2.5, auth_user="u",
                             auth_password="p w", allowed_hosts="a.example,b.example")
    monkeypatch.setenv("PNS_TOP_K", "3")  # the parent's own variables do not leak through
    env = child_environment(settings)
    assert env["PNS_TOP_K"] == "7"
    for key in [k for k in os.environ if k.startswith("PNS_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("PNS_"):
            monkeypatch.setenv(key, value)
    assert load_settings() == settings


@pytest.mark.server
def test_loadtest_starts_its_own_server_as_a_child_process(real_settings, capsys):
    from ui.load import loadtest

    assert loadtest(real_settings, clients=2, questions=3, as_json=True, target="rest") == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["target"], data["answers"], data["errors"]) == ("rest", 6, 0)
    assert data["url"].startswith("http://127.0.0.1:")


@pytest.mark.server
def test_both_targets_log_in_when_the_server_requires_it(real_corpus, settings):
    from ui.live import LiveAssistant
    from ui.server import serving

    from .conftest import FakeAssistant, FakeConversation, free_port

    secured = settings.replace(host="127.0.0.1", port=free_port(), reload_interval=0, auth_user="trainer",
                               auth_password="s3cret", api_token="t0ken")
    fake = FakeAssistant(real_corpus)
    fake.index = SimpleNamespace(folder=Path("v-fake"))  # what /readyz reports
    live = LiveAssistant(secured, fake)
    with serving(secured, live, conversation_factory=FakeConversation) as server:
        for target, login in (("app", {"auth": ("trainer", "s3cret")}), ("rest", {"auth": ("trainer", "s3cret")}),
                              ("rest", {"token": "t0ken"})):
            report = run_load(server.url, 2, 2, target=target, questions=["Quoi ?"], **login)
            assert (report.answers, report.errors) == (4, 0), (target, report.error_samples)
        refused = run_load(server.url, 1, 2, target="rest", questions=["Quoi ?"], token="wrong")
        assert refused.error_samples == ('RuntimeError: HTTP 401: {"error":"login required: HTTP Basic with the '
                                         "app's user and password, or Authorization: Bearer <api_token>\"} "
                                         "('Quoi ?')",)
        assert refused.errors == 2
