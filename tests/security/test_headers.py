"""Probe: no X-Frame-Options / frame-ancestors, no nosniff, no Referrer-Policy. Now every response of `pns serve`
(the Gradio app, the REST API, /metrics, errors, refusals) and of a Gradio-launched app carries the four headers,
and the page works under the Content-Security-Policy in a real browser (no violation reported)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from pns.settings import load_settings
from tests.ui.conftest import FakeAssistant, FakeConversation, wait_until_ready
from ui.security import CSP

from .conftest import free_port

pytestmark = pytest.mark.server

EXPECTED = {"x-frame-options": "DENY", "content-security-policy": CSP, "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer"}


def server_settings(tmp_path: Path, **changes: Any) -> Any:
    values = {"data_dir": str(tmp_path / "data"), "index_dir": str(tmp_path / "index"), "host": "127.0.0.1",
              "port": free_port(), "reload_interval": 0, **changes}
    return load_settings(**values)


@contextmanager
def fake_server(tmp_path: Path, corpus: Any, **changes: Any) -> Iterator[tuple[str, Any, FakeAssistant]]:
    """`pns serve` (ui/server.py) over the tests' fake assistant: ``(url, server, assistant)``."""
    from ui.live import LiveAssistant
    from ui.server import serving

    settings = server_settings(tmp_path, **changes)
    assistant = FakeAssistant(corpus)
    with serving(settings, LiveAssistant(settings, assistant), conversation_factory=FakeConversation) as server:
        yield server.url, server, assistant


def _security_headers(response: httpx.Response) -> dict[str, str]:
    return {name: response.headers.get(name) for name in EXPECTED}


def test_the_policy_forbids_framing_and_other_origins():
    directives = dict(d.split(" ", 1) for d in CSP.split("; "))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert "http" not in CSP and "*" not in CSP  # no other origin anywhere


def test_every_response_of_pns_serve_carries_the_headers(tmp_path, real_corpus):
    with fake_server(tmp_path, real_corpus) as (url, _, _):
        responses = {
            "page": httpx.get(f"{url}/"),
            "config": httpx.get(f"{url}/config"),
            "gradio api": httpx.get(f"{url}/gradio_api/info"),
            "theme css": httpx.get(f"{url}/theme.css"),
            "healthz": httpx.get(f"{url}/api/v1/healthz"),
            "schema": httpx.get(f"{url}/api/v1/openapi.json"),
            "ask": httpx.post(f"{url}/api/v1/ask", json={"question": "drogue"}),
            "422": httpx.post(f"{url}/api/v1/ask", json={"question": 1}),
            "404": httpx.get(f"{url}/api/v1/nothing-here"),
            "metrics": httpx.get(f"{url}/metrics"),
            "wrong host": httpx.get(f"{url}/", headers={"Host": "evil.example"}),
        }
        statuses = {name: r.status_code for name, r in responses.items()}
        assert statuses == {"page": 200, "config": 200, "gradio api": 200, "theme css": 200, "healthz": 200,
                            "schema": 200, "ask": 200, "422": 422, "404": 404, "metrics": 200, "wrong host": 400}
        for name, response in responses.items():
            assert _security_headers(response) == EXPECTED, name
            # one of each, not Gradio's and ours side by side
            assert response.headers.get_list("x-frame-options") == ["DENY"], name


def test_a_login_page_and_its_refusals_carry_the_headers(tmp_path, real_corpus):
    with fake_server(tmp_path, real_corpus, auth_user="trainer", auth_password="s3cret") as (url, _, _):
        page = httpx.get(f"{url}/")
        refused = httpx.post(f"{url}/login", data={"username": "trainer", "password": "wrong"})
        api = httpx.get(f"{url}/api/v1/themes")
        assert (page.status_code, refused.status_code, api.status_code) == (200, 400, 401)
        for response in (page, refused, api):
            assert _security_headers(response) == EXPECTED


def test_a_gradio_launched_app_carries_them_too(tmp_path, real_corpus):
    """The launch options (what the app tests and a plain ``demo.launch`` use) hold the same middleware."""
    from ui.app import build_app, launch_options

    settings = server_settings(tmp_path)
    demo = build_app(FakeAssistant(real_corpus), settings, conversation_factory=FakeConversation)
    demo.queue()
    demo.launch(prevent_thread_lock=True, quiet=True, **launch_options(settings))
    url = f"http://127.0.0.1:{settings.port}"
    try:
        wait_until_ready(url)
        for path in ("/", "/config", "/gradio_api/info"):
            assert _security_headers(httpx.get(url + path)) == EXPECTED, path
        assert httpx.get(url + "/", headers={"Host": "evil.example"}).status_code == 400
    finally:
        demo.close()


@pytest.mark.browser
def test_the_page_works_under_the_policy_in_a_browser(tmp_path, real_corpus):
    """Chromium records every CSP violation from the first script on; a question is asked and answered."""
    from tests.ui.chrome import chromium, css, wait

    with fake_server(tmp_path, real_corpus) as (url, _, assistant), chromium("fr-BE", 1280, 900) as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": (
            "window.__csp = []; document.addEventListener('securitypolicyviolation', "
            "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")})
        driver.get(f"{url}/?lang=fr")
        box = wait(driver, lambda d: next(iter(css(d, "#pns-question textarea")), None))
        box.send_keys("Quoi de neuf ?")
        css(driver, "#pns-send")[0].click()
        wait(driver, lambda d: len(css(d, "#pns-chat [data-testid=bot]")) == 1)
        wait(driver, lambda d: len(css(d, "#pns-sources li.pns-citation")) == 1)
        assert assistant.calls[0][0] == "Quoi de neuf ?"
        assert driver.execute_script("return window.__csp") == []
        # the page really is under the policy: the browser refuses to let a script load from elsewhere
        driver.execute_script("const s = document.createElement('script'); s.src = 'http://127.0.0.2:9/x.js';"
                              "document.head.appendChild(s);")
        wait(driver, lambda d: d.execute_script("return window.__csp.length") == 1)
        assert driver.execute_script("return window.__csp") == ["script-src-elem http://127.0.0.2:9/x.js"]
