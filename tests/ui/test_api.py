"""The REST API v1 through a real `pns serve` server (uvicorn on 127.0.0.1, the real assistant and index): every
endpoint, its errors, the login, the metrics and the OpenAPI schema. No connection leaves 127.0.0.1."""

from __future__ import annotations

import base64
import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.feedback import FeedbackStore
from indexer.store import HybridIndex
from pns.settings import Settings

from .conftest import free_port

pytestmark = pytest.mark.server

CYBER = "Quels sont les objectifs en matière de cybercriminalité ?"
B5 = [f"PNS16-B5-{n}" for n in range(1, 11)]
LOOPBACK = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every socket connection made by this process during a test (server threads included) goes to 127.0.0.1."""
    foreign: list[object] = []
    original = socket.socket.connect

    def connect(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOOPBACK:  # type: ignore[index]
            foreign.append(address)
            raise OSError(f"test refused a connection to {address!r}")
        original(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield foreign
    assert foreign == []


class Tracebacks(logging.Handler):
    """Log records carrying an exception (a traceback in the server's log)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or "Traceback" in record.getMessage():
            self.records.append(record)


@pytest.fixture(scope="module")
def api_server(real_settings: Settings, real_assistant, tmp_path_factory: pytest.TempPathFactory):
    """`pns serve` over the session's real assistant, with its own feedback folder: ``(url, settings, server)``."""
    from ui.live import LiveAssistant
    from ui.server import serving

    data = tmp_path_factory.mktemp("api-data")
    settings = real_settings.replace(data_dir=str(data), host="127.0.0.1", port=free_port(), reload_interval=0)
    handler = Tracebacks()
    loggers = [logging.getLogger(), logging.getLogger("uvicorn.error"), logging.getLogger("ui.api")]
    for logger in loggers:
        logger.addHandler(handler)
    with serving(settings, LiveAssistant(settings, real_assistant)) as server:
        server.tracebacks = handler  # type: ignore[attr-defined]
        yield server.url, settings, server
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture
def client(api_server) -> Iterator[httpx.Client]:
    url, _, _ = api_server
    with httpx.Client(base_url=f"{url}/api/v1", timeout=30) as c:
        yield c


def _same(answer: dict, expected: dict) -> None:
    """Equal but for the time it took."""
    assert {k: v for k, v in answer.items() if k != "elapsed_ms"} == \
        {k: v for k, v in expected.items() if k != "elapsed_ms"}
    assert list(answer) == list(expected)


def test_the_server_is_bound_to_loopback(api_server):
    url, settings, _ = api_server
    assert url == f"http://127.0.0.1:{settings.port}"


def test_ask_gives_the_json_of_pns_ask(client, real_assistant):
    response = client.post("/ask", json={"question": CYBER})
    assert response.status_code == 200
    answer = response.json()
    _same(answer, real_assistant.ask(CYBER).to_dict())
    assert (answer["intent"], answer["group"], answer["language"]) == ("list", "B5", "fr")
    assert [c["objective_id"] for c in answer["citations"]] == B5


def test_ask_in_a_given_language_and_in_a_conversation(client, real_assistant):
    answer = client.post("/ask", json={"question": "Which objectives involve the CTIF?", "language": "en"}).json()
    assert answer["language"] == "en"
    assert [c["objective_id"] for c in answer["citations"]][:2] == ["PNS16-A4-5", "PNS16-A4-12"]
    first = client.post("/ask", json={"question": CYBER, "conversation_id": "trainer-1"}).json()
    assert first["intent"] == "list"
    follow = client.post("/ask", json={"question": "plus de détails sur le 3", "conversation_id": "trainer-1"})
    assert follow.status_code == 200
    assert [c["objective_id"] for c in follow.json()["citations"]] == ["PNS16-B5-3"]
    assert follow.json()["intent"] == "objective"
    # Another id is another conversation: the same words are no follow-up there.
    alone = client.post("/ask", json={"question": "plus de détails sur le 3", "conversation_id": "trainer-2"})
    assert [c["objective_id"] for c in alone.json()["citations"]] != ["PNS16-B5-3"]


@pytest.mark.parametrize(("body", "message"), [
    ({"question": 12}, "question: Input should be a valid string"),
    ({"question": ["a"]}, "question: Input should be a valid string"),
    ({}, "question: Field required"),
    ({"question": "drogue", "language": "de"}, "language: Input should be 'fr', 'nl' or 'en'"),
    ({"question": "drogue", "conversation_id": "a b"}, "conversation_id: String should match pattern "
                                                       "'^[A-Za-z0-9_.:-]{1,64}$'"),
    ({"question": "drogue", "top_k": 3}, "top_k: Extra inputs are not permitted"),
    ([1, 2], "body: Input should be a valid dictionary or object to extract fields from"),
])
def test_wrong_json_types_get_422_with_one_clear_message(client, api_server, body, message):
    _, _, server = api_server
    before = len(server.tracebacks.records)
    response = client.post("/ask", json=body)
    assert (response.status_code, response.json()) == (422, {"error": message})
    assert len(server.tracebacks.records) == before  # no traceback in the log


def test_a_body_that_is_not_json_gets_422(client):
    response = client.post("/ask", content=b'{"question": ', headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (
        422, {"error": "the body is not valid JSON (character 13): Expecting value"})


def test_bad_values_get_400_and_lone_surrogates_are_removed(client):
    response = client.post("/ask", json={"question": "   "})
    assert (response.status_code, response.json()) == (
        400, {"error": "the question is empty; type a question about the plan"})
    raw = b'{"question": "cyber\\udcff crim"}'  # a JSON escape that is no character
    response = client.post("/ask", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["question"] == "cyber crim"
    assert answer["notices"][0] == ("Des caractères illisibles (texte qui n'était pas de l'UTF-8 valide) ont été "
                                    "retirés de la question.")


def test_objective_by_id(client, real_assistant):
    data = client.get("/objectives/PNS16-A4-12").json()
    assert data["objective"]["text"] == ("Intensifier l'utilisation des informations que la CTIF transmet à la "
                                         "police intégrée.")
    # Permalinks are those of the settings the assistant was loaded with.
    assert data["objective"]["url"] == real_assistant.settings.objective_url("PNS16-A4-12")
    assert (data["group"]["key"], data["group"]["title"]) == ("A4", "Approche axée sur le butin")
    assert [a["name"] for a in data["actors"]] == ["CTIF (Cellule de traitement de l'information financière)",
                                                  "Police intégrée"]
    missing = client.get("/objectives/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": "no objective 'nope'; ids look like PNS16-B5-3 (see `pns objectives`)"}


def test_objectives_of_a_theme_and_all(client, real_assistant):
    corpus = real_assistant.corpus
    b5 = client.get("/objectives", params={"theme": "b5"}).json()
    assert [o["id"] for o in b5] == B5
    assert b5[2] == corpus.objective_dict(corpus.objectives["PNS16-B5-3"])
    assert [o["id"] for o in client.get("/objectives", params={"theme": "B6.3"}).json()] == [
        f"PNS16-B6.3-{n}" for n in range(1, 9)]
    assert len(client.get("/objectives").json()) == len(corpus.objectives)
    unknown = client.get("/objectives", params={"theme": "Z9"})
    assert unknown.status_code == 404 and unknown.json()["error"].startswith("no theme or sub-group 'Z9'")


def test_themes(client, real_assistant):
    themes = client.get("/themes").json()
    corpus = real_assistant.corpus
    assert [t["code"] for t in themes] == list(corpus.themes)
    b5 = next(t for t in themes if t["code"] == "B5")
    assert (b5["title"], b5["objectives"], b5["groups"]) == (corpus.themes["B5"].title, 10, [])
    b6 = next(t for t in themes if t["code"] == "B6")
    assert {"key": "B6.3", "title": "Abus sexuels sur des mineurs", "objectives": 8} in b6["groups"]


def test_actors_and_one_actor(client, real_assistant):
    actors = client.get("/actors").json()
    assert [a["id"] for a in actors] == [a.id for a in real_assistant.corpus.actors]
    ctif = next(a for a in actors if a["id"] == "ctif")
    assert ctif["objectives"][:2] == ["PNS16-A4-5", "PNS16-A4-12"]
    data = client.get("/actors/Child Focus").json()
    assert [a["name"] for a in data["actors"]] == ["Child Focus"]
    assert [o["id"] for o in data["actors"][0]["themes"][0]["objectives"]] == [
        "PNS16-B6.3-1", "PNS16-B6.3-2", "PNS16-B6.3-3"]
    missing = client.get("/actors/Zorglub")
    assert (missing.status_code, missing.json()) == (
        404, {"error": "no actor matches 'Zorglub'; GET /api/v1/actors lists them"})


def test_feedback_is_stored_and_its_limits_refuse(client, api_server):
    _, settings, _ = api_server
    answer = client.post("/ask", json={"question": "Qu'est-ce que BEPAD ?"}).json()
    response = client.post("/feedback", json={"answer": answer, "rating": "down", "comment": "Il manque <b>A4</b>",
                                              "answer_id": "a-1"})
    assert response.status_code == 200
    row_id = response.json()["id"]
    row = next(r for r in FeedbackStore.from_settings(settings).rows() if r["id"] == row_id)
    assert (row["question"], row["rating"], row["comment"], row["source"], row["answer_id"]) == (
        "Qu'est-ce que BEPAD ?", "down", "Il manque <b>A4</b>", "api", "a-1")
    assert [c["objective_id"] for c in row["citations"]] == [c["objective_id"] for c in answer["citations"]]
    wrong = client.post("/feedback", json={"answer": answer, "rating": "sideways"})
    assert (wrong.status_code, wrong.json()) == (422, {"error": "rating: Input should be 'up', 'down' or "
                                                                "'withdrawn'"})
    empty = client.post("/feedback", json={"answer": "plain text"})
    assert empty.status_code == 400 and "rating" in empty.json()["error"]
    huge = client.post("/feedback", json={"answer": "plain text", "comment": "x" * 200_000})
    assert huge.status_code == 413 and "comment" in huge.json()["error"]


def test_health_and_readiness(client, api_server):
    _, settings, _ = api_server
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["ready"] is True
    assert ready["index_version"] == HybridIndex.current_folder(Path(settings.index_dir)).name
    assert (ready["reloads"], ready["last_reload_error"]) == (0, None)


def _samples(text: str) -> dict[str, float]:
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in text.splitlines() if line and not line.startswith("#")}


def test_metrics_count_answers_abstentions_feedback_and_name_the_index(api_server, client):
    url, settings, _ = api_server
    before = _samples(httpx.get(f"{url}/metrics").text)
    client.post("/ask", json={"question": CYBER})
    client.post("/ask", json={"question": "Quelle est la recette de la tarte aux pommes ?"})
    for _ in range(2):  # asked nowhere else: embedded once by each encoder, then found in the cache
        client.post("/ask", json={"question": "Comment réussir une pâte feuilletée ?"})
    client.post("/feedback", json={"answer": "plain text", "rating": "up"})
    client.post("/feedback", json={"answer": "plain text", "comment": "x" * 200_000})
    response = httpx.get(f"{url}/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=")
    after = _samples(response.text)

    def delta(name: str) -> float:
        return after.get(name, 0.0) - before.get(name, 0.0)

    assert delta('pns_answers_total{intent="list",language="fr"}') == 1
    assert delta('pns_answers_total{intent="out_of_scope",language="fr"}') == 3
    assert delta("pns_abstentions_total") == 3
    assert delta("pns_answer_seconds_count") == 4
    assert (delta('pns_query_cache_lookups{result="miss"}'), delta('pns_query_cache_lookups{result="hit"}')) == (4, 2)
    assert delta('pns_feedback_total{outcome="recorded",source="api"}') == 1
    assert delta('pns_feedback_total{outcome="refused",source="api"}') == 1
    version = HybridIndex.current_folder(Path(settings.index_dir)).name
    assert after[f'pns_index_info{{version="{version}"}}'] == 1
    assert after["pns_index_reloads"] == 0


def test_openapi_schema_is_valid_and_lists_every_route(client):
    from openapi_spec_validator import validate

    spec = client.get("/openapi.json").json()
    validate(spec)
    assert sorted(spec["paths"]) == ["/actors", "/actors/{name}", "/ask", "/feedback", "/healthz", "/objectives",
                                     "/objectives/{objective_id}", "/readyz", "/themes"]
    ask = spec["paths"]["/ask"]["post"]
    assert ask["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/AskRequest"}
    assert ask["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AnswerModel"}
    # Every route says what it answers, with a model.
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            assert "$ref" in json.dumps(operation["responses"]["200"]), (method, path)


def test_no_interactive_docs_and_nothing_from_a_cdn(api_server):
    url, _, _ = api_server
    for path in ("/api/v1/docs", "/api/v1/redoc", "/docs", "/redoc", "/openapi.json"):
        response = httpx.get(url + path)
        assert "swagger" not in response.text.lower() and "cdn.jsdelivr" not in response.text, path
    assert httpx.get(url + "/api/v1/docs").status_code == 404
    assert httpx.get(url + "/api/v1/redoc").status_code == 404


def test_the_app_is_served_beside_the_api(api_server):
    from gradio_client import Client

    url, _, _ = api_server
    client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
    try:
        answer = client.predict(CYBER, "auto", api_name="/ask")
    finally:
        client.close()
    assert [c["objective_id"] for c in answer["citations"]] == B5
    assert httpx.get(url + "/config").json()["analytics_enabled"] is False


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_the_same_login_as_the_app_or_a_bearer_token(real_settings, real_assistant, tmp_path):
    from ui.live import LiveAssistant
    from ui.server import serving

    settings = real_settings.replace(data_dir=str(tmp_path), host="127.0.0.1", port=free_port(), reload_interval=0,
                                     auth_user="trainer", auth_password="s3cret", api_token="t0ken-t0ken")
    with serving(settings, LiveAssistant(settings, real_assistant)) as server:
        api = f"{server.url}/api/v1"
        refused = httpx.get(f"{api}/themes")
        assert (refused.status_code, refused.headers["www-authenticate"]) == (401, 'Basic realm="pns", charset="UTF-8"')
        assert refused.json() == {"error": "login required: HTTP Basic with the app's user and password, or "
                                           "Authorization: Bearer <api_token>"}
        assert httpx.get(f"{api}/themes", headers=_basic("trainer", "s3cret")).status_code == 200
        assert httpx.get(f"{api}/themes", headers={"Authorization": "Bearer t0ken-t0ken"}).status_code == 200
        assert httpx.get(f"{api}/themes", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert httpx.get(f"{api}/themes", headers=_basic("trainer", "wrong")).status_code == 401
        assert httpx.post(f"{api}/ask", json={"question": CYBER}).status_code == 401
        assert httpx.post(f"{api}/ask", json={"question": CYBER}, headers=_basic("trainer", "s3cret")).status_code == 200
        assert httpx.get(f"{server.url}/metrics").status_code == 401
        assert httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer t0ken-t0ken"}).status_code == 200
        # Health checks stay open for a load balancer; the app keeps its own login wall.
        assert httpx.get(f"{api}/healthz").status_code == 200
        assert httpx.get(f"{api}/readyz").status_code == 200
        assert httpx.get(f"{server.url}/config").status_code == 401
