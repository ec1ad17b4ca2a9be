"""Issue 12's summary-client probes: a loopback endpoint answering a redirect to another address or port, and
credentials in the endpoint URL or the key, which no notice may repeat. Real HTTP servers on 127.0.0.x."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from assistant.service import Assistant

CTIF_Q = "Quels objectifs impliquent la CTIF ?"
KEY = "sk-test-key-123456"


def _assistant(real_assistant: Any, **changes: Any) -> Assistant:
    return Assistant(real_assistant.settings.replace(**changes), real_assistant.corpus, real_assistant.index,
                     real_assistant.abstention, real_assistant.background)


@pytest.mark.parametrize(("code", "target_host"), [(302, "127.0.0.2"), (307, "127.0.0.1"), (308, "127.0.0.2")])
def test_a_redirect_is_not_followed_and_the_key_goes_nowhere_else(real_assistant: Any, http_server: Any,
                                                                 code: int, target_host: str) -> None:
    elsewhere, other = http_server(target_host)  # another address, or another port of this one
    other.body = json.dumps({"choices": [{"message": {"content": "Texte [1]."}}]}).encode()
    endpoint, first = http_server()
    first.status, first.headers = code, {"Location": f"{elsewhere}/v1/chat/completions"}
    answer = _assistant(real_assistant, llm_endpoint=f"{endpoint}/v1", llm_api_key=KEY).ask(CTIF_Q)
    assert answer.summary is None
    assert answer.notices == (f"summary unavailable (the endpoint answered a redirect, HTTP {code}, which is never "
                              "followed)",)
    assert [r["headers"]["Authorization"] for r in first.requests] == [f"Bearer {KEY}"]
    assert other.requests == []  # nothing reached the other address: no question, no key
    assert answer.citations  # the extractive answer stands


def test_user_and_password_in_the_endpoint_are_sent_there_only_and_never_shown(real_assistant: Any,
                                                                              http_server: Any) -> None:
    endpoint, server = http_server()
    server.status, server.body = 500, b"{}"
    url = endpoint.replace("http://", "http://bob:pw-s3cret@") + "/v1"
    answer = _assistant(real_assistant, llm_endpoint=url).ask(CTIF_Q)
    assert answer.notices == ("summary unavailable (HTTPError)",)
    (request,) = server.requests
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"bob:pw-s3cret").decode()
    assert request["path"] == "/v1/chat/completions"
    assert "s3cret" not in json.dumps(answer.to_dict())


def test_a_refused_endpoint_is_shown_without_its_credentials(real_assistant: Any) -> None:
    answer = _assistant(real_assistant, llm_endpoint="http://bob:pw-s3cret@10.1.2.3/v1?api_key=k-999",
                        llm_api_key=KEY).ask(CTIF_Q)
    assert answer.notices == ("summary not requested: llm_endpoint 'http://***@10.1.2.3/v1?***' is not on this "
                              "machine; questions must not leave it. Use a local server, or set llm_allow_remote = "
                              "true if policy allows it",)
    text = json.dumps(answer.to_dict())
    assert "s3cret" not in text and "k-999" not in text and KEY not in text


def test_an_unresolvable_endpoint_with_credentials(real_assistant: Any) -> None:
    answer = _assistant(real_assistant, llm_endpoint="ftp://bob:pw-s3cret@127.0.0.1/v1").ask(CTIF_Q)
    assert answer.notices == ("summary not requested: llm_endpoint 'ftp://***@127.0.0.1/v1' is not an http(s) URL "
                              "such as http://127.0.0.1:8080/v1",)
