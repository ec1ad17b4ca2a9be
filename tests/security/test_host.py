"""Probe: ``Host: evil.example`` was accepted (DNS rebinding against a loopback server without login). Now only
the loopback names, the bound host, public_url's host and ``allowed_hosts`` are answered; anything else gets 400
before any route runs."""

from __future__ import annotations

import socket

import httpx
import pytest

from ui.security import allowed_hosts, host_name

from .test_headers import fake_server, server_settings

pytestmark = pytest.mark.server


@pytest.mark.parametrize(("header", "name"), [
    ("127.0.0.1:7860", "127.0.0.1"), ("LocalHost:80", "localhost"), ("[::1]:7860", "::1"), ("::1", "::1"),
    ("pns.intranet.example", "pns.intranet.example"), ("evil.example:7860", "evil.example"), ("", ""),
])
def test_host_name(header, name):
    assert host_name(header) == name


def test_allowed_hosts(tmp_path):
    assert allowed_hosts(server_settings(tmp_path)) == {"127.0.0.1", "localhost", "::1"}
    settings = server_settings(tmp_path, host="10.1.2.3", public_url="https://PNS.intranet.example/app",
                               allowed_hosts="pns-1.local, Proxy.Example,")
    assert allowed_hosts(settings) == {"127.0.0.1", "localhost", "::1", "10.1.2.3", "pns.intranet.example",
                                       "pns-1.local", "proxy.example"}
    # binding every address names no host: the public URL or allowed_hosts must
    assert allowed_hosts(server_settings(tmp_path, host="0.0.0.0")) == {"127.0.0.1", "localhost", "::1"}


def test_a_foreign_host_is_refused_before_the_assistant_is_asked(tmp_path, real_corpus):
    with fake_server(tmp_path, real_corpus) as (url, server, assistant):
        port = server.settings.port
        for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", "localhost.", "0.0.0.0"):
            for method, path in (("GET", "/"), ("GET", "/config"), ("POST", "/api/v1/ask")):
                response = httpx.request(method, url + path, headers={"Host": host},
                                         json={"question": "drogue"} if method == "POST" else None)
                assert response.status_code == 400, (host, path)
                assert response.text == f"400 Bad Request: this server does not answer to the host {host!r}\n"
        assert assistant.calls == []
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "LOCALHOST"):
            assert httpx.get(f"{url}/api/v1/healthz", headers={"Host": host}).status_code == 200, host
        assert httpx.post(f"{url}/api/v1/ask", json={"question": "drogue"}).status_code == 200
        assert len(assistant.calls) == 1


def test_a_request_without_host_is_refused(tmp_path, real_corpus):
    with fake_server(tmp_path, real_corpus) as (_, server, _):
        with socket.create_connection(("127.0.0.1", server.settings.port), timeout=10) as sock:
            sock.sendall(b"GET /api/v1/healthz HTTP/1.0\r\n\r\n")
            reply = b""
            while chunk := sock.recv(4096):
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 400 ")
        assert reply.endswith(b"this server does not answer to the host ''\n")


def test_public_url_and_allowed_hosts_are_answered(tmp_path, real_corpus):
    with fake_server(tmp_path, real_corpus, public_url="https://pns.intranet.example",
                     allowed_hosts="pns-2.local") as (url, _, _):
        for host in ("pns.intranet.example", "pns.intranet.example:443", "pns-2.local:8080"):
            assert httpx.get(f"{url}/api/v1/healthz", headers={"Host": host}).status_code == 200, host
        assert httpx.get(f"{url}/api/v1/healthz", headers={"Host": "pns-3.local"}).status_code == 400


def test_serving_every_address_says_which_names_it_answers(monkeypatch, capsys):
    import assistant.build
    import ui.server
    from pns.cli import main

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)  # pns serve sets it; restored after the test
    started = []
    monkeypatch.setattr(assistant.build, "ensure_ready", lambda settings: None)
    monkeypatch.setattr(ui.server, "serve", lambda settings: started.append(settings))
    assert main(["serve", "--host", "0.0.0.0", "--port", "8080"]) == 0
    assert [(s.host, s.port) for s in started] == [("0.0.0.0", 8080)]
    err = capsys.readouterr().err.splitlines()
    assert err[1] == ("pns: it answers only requests addressed to 127.0.0.1, ::1, localhost; set PNS_PUBLIC_URL or "
                      "PNS_ALLOWED_HOSTS to the name users type (others get 400)")
