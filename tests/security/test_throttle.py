"""Probe: 100 wrong passwords in 1.5 s were all checked, without delay. Now a client gets ``login_failures`` (5)
free attempts; then each attempt must wait 1 s, 2 s, 4 s… (at most ``login_backoff_max``), and one made during
the wait is answered 429 with Retry-After without the password being checked. Gradio's /login and the API's
HTTP Basic / bearer checks count into the same throttle; a correct login clears it."""

from __future__ import annotations

import base64
import math
import time

import httpx
import pytest

from ui.security import LoginThrottle

from .test_headers import fake_server

pytestmark = pytest.mark.server

LOGIN = {"auth_user": "trainer", "auth_password": "s3cret"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_wait_doubles_after_the_free_attempts_and_is_capped():
    clock = Clock()
    throttle = LoginThrottle(failures_allowed=5, backoff_max=60.0, clock=clock)
    assert [throttle.failed("a") for _ in range(12)] == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert throttle.wait("a") == 60 and throttle.wait("b") == 0  # per client
    clock.now += 59.5
    assert throttle.wait("a") == pytest.approx(0.5)
    clock.now += 0.5
    assert throttle.wait("a") == 0
    throttle.succeeded("a")
    assert throttle.failed("a") == 0  # a correct login starts the count again


def _wrong_logins(url: str, n: int) -> tuple[list[int], float]:
    statuses = []
    began = time.monotonic()
    with httpx.Client() as client:
        for _ in range(n):
            statuses.append(client.post(f"{url}/login", data={"username": "trainer", "password": "guess"}).status_code)
    return statuses, time.monotonic() - began


def test_a_hundred_wrong_passwords_are_throttled(tmp_path, real_corpus):
    with fake_server(tmp_path, real_corpus, **LOGIN) as (url, _, _):
        statuses, seconds = _wrong_logins(url, 100)
        assert statuses[:6] == [400] * 5 + [429]
        # Only the free attempts, and one more per wait that ran out during the run, had their password checked.
        assert statuses.count(400) <= 5 + math.floor(math.log2(seconds + 1)), seconds
        assert set(statuses) == {400, 429}
        refused = httpx.post(f"{url}/login", data={"username": "trainer", "password": "s3cret"})
        assert refused.status_code == 429  # even the right password waits: nothing is checked during the wait
        wait = int(refused.headers["retry-after"])
        assert 1 <= wait <= 60
        assert refused.text == f"429 Too Many Requests: too many wrong logins; try again in {wait} s\n"
        time.sleep(wait)
        assert httpx.post(f"{url}/login", data={"username": "trainer", "password": "s3cret"}).status_code == 200
        assert _wrong_logins(url, 1)[0] == [400]  # the count was cleared


def _basic(password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"trainer:{password}".encode()).decode()}


def test_the_api_and_the_login_form_share_the_throttle(tmp_path, real_corpus):
    with fake_server(tmp_path, real_corpus, **LOGIN, api_token="t0ken") as (url, _, _):
        assert _wrong_logins(url, 3)[0] == [400] * 3
        api = f"{url}/api/v1/themes"
        assert httpx.get(api, headers=_basic("guess")).status_code == 401
        assert httpx.get(api, headers={"Authorization": "Bearer guess"}).status_code == 401
        locked = httpx.get(api, headers=_basic("s3cret"))
        assert (locked.status_code, locked.headers["retry-after"]) == (429, "1")
        assert locked.json() == {"error": "too many wrong logins; try again in 1 s"}
        assert _wrong_logins(url, 1)[0] == [429]
        # No credentials at all is not a wrong login (a browser's first request): 401, and no longer wait.
        time.sleep(1.05)
        assert httpx.get(api).status_code == 401
        assert httpx.get(api, headers=_basic("s3cret")).status_code == 200


def test_clients_are_told_apart_only_through_a_trusted_proxy(tmp_path, real_corpus):
    def wrong(url: str, forwarded: str) -> int:
        return httpx.post(f"{url}/login", data={"username": "trainer", "password": "guess"},
                          headers={"X-Forwarded-For": forwarded}).status_code

    with fake_server(tmp_path, real_corpus, **LOGIN, trusted_proxies="127.0.0.1") as (url, _, _):
        assert [wrong(url, "10.0.0.1") for _ in range(6)] == [400] * 5 + [429]
        assert wrong(url, "10.0.0.2") == 400  # another client behind the proxy still has its attempts
    with fake_server(tmp_path, real_corpus, **LOGIN) as (url, _, _):
        # without a trusted proxy the header is ignored: a forged address does not buy new attempts
        assert [wrong(url, f"10.0.0.{n}") for n in range(6)] == [400] * 5 + [429]
