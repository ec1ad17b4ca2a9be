"""A running app driven by gradio_client: the four API endpoints, the login, the page's own resources."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from assistant.feedback import FeedbackStore

from .conftest import FakeAssistant

pytestmark = pytest.mark.server


def _client(url: str, auth: tuple[str, str] | None = None):
    from gradio_client import Client

    # analytics_enabled=False: gradio_client otherwise pings huggingface.co with the app's URL.
    return Client(url, auth=auth, verbose=False, download_files=False, analytics_enabled=False)


def test_api_endpoints_over_a_fake_assistant(start_app, real_corpus, settings):
    url = start_app(FakeAssistant(real_corpus))
    client = _client(url)
    answer = client.predict("Quoi <script>alert(1)</script> ?", "fr", api_name="/ask")
    assert answer["question"] == "Quoi <script>alert(1)</script> ?"  # JSON carries the text as is
    assert answer["citations"][0]["highlights"] == [[49, 60], [20, 28]]
    objective = client.predict("PNS16-B5-3", api_name="/objective")
    assert objective["objective"]["text"] == "Assurer des enquêtes de qualité."
    assert [o["id"] for o in objective["group"]["objectives"]][:2] == ["PNS16-B5-1", "PNS16-B5-2"]
    actor = client.predict("CTIF", api_name="/actor")
    assert [o["id"] for o in actor["actors"][0]["themes"][0]["objectives"]] == ["PNS16-A4-5", "PNS16-A4-12"]
    assert client.predict("", json.dumps(answer), "up", "", api_name="/feedback") == {"ok": True, "id": 1}
    row = next(FeedbackStore.from_settings(settings).rows())
    assert (row["rating"], row["source"], row["question"]) == ("up", "api", answer["question"])


def test_errors_reach_the_client(start_app, real_corpus):
    from gradio_client.exceptions import AppError

    client = _client(start_app(FakeAssistant(real_corpus)))
    with pytest.raises(AppError, match="no objective 'nope'"):
        client.predict("nope", api_name="/objective")


def test_interface_events_are_not_callable_by_clients(start_app, real_corpus):
    client = _client(start_app(FakeAssistant(real_corpus)))
    assert sorted(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == [
        "/actor", "/ask", "/feedback", "/objective"]


def test_page_and_config_name_no_other_host(start_app, real_corpus):
    url = start_app(FakeAssistant(real_corpus))
    page = httpx.get(url + "/").text
    config = httpx.get(url + "/config").json()
    assert config["analytics_enabled"] is False
    for text in (page, json.dumps(config)):
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text
    # Scripts and stylesheets of the page come from the app itself.
    for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page):
        assert not src.startswith(("http://", "https://", "//")) or src.startswith(url), src


def test_login_is_required_when_configured(start_app, real_corpus, settings):
    url = start_app(FakeAssistant(real_corpus), settings.replace(auth_user="trainer", auth_password="s3cret"))
    assert httpx.get(url + "/config").status_code == 401
    assert httpx.get(url + "/gradio_api/info").status_code == 401
    client = _client(url, auth=("trainer", "s3cret"))
    assert client.predict("PNS16-B5-3", api_name="/objective")["objective"]["id"] == "PNS16-B5-3"


def test_real_assistant_answers_a_list_question(live_app):
    url, _ = live_app
    client = _client(url)
    answer = client.predict("Quels sont les objectifs en matière de cybercriminalité ?", "auto", api_name="/ask")
    assert (answer["intent"], answer["group"]) == ("list", "B5")
    assert [c["objective_id"] for c in answer["citations"]] == [f"PNS16-B5-{n}" for n in range(1, 11)]
    answer = client.predict("Which objectives involve the CTIF?", "auto", api_name="/ask")
    assert answer["language"] == "en"
    assert [c["objective_id"] for c in answer["citations"]][:2] == ["PNS16-A4-5", "PNS16-A4-12"]
