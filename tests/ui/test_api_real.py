"""The four API endpoints of the real app (real assistant, real index) through gradio_client, and feedback given
through the API coming out of `pns feedback export`."""

from __future__ import annotations

import json
import uuid

import pytest

from pns.cli import main

pytestmark = pytest.mark.server

CYBER = "Quels sont les objectifs en matière de cybercriminalité ?"


@pytest.fixture(scope="module")
def client(live_app):
    from gradio_client import Client

    url, _ = live_app
    client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
    yield client
    client.close()


def test_ask_lists_the_cybercrime_objectives(client, live_app):
    _, settings = live_app
    answer = client.predict(CYBER, "auto", api_name="/ask")
    assert (answer["question"], answer["intent"], answer["language"]) == (CYBER, "list", "fr")
    ids = [f"PNS16-B5-{n}" for n in range(1, 11)]
    assert [c["objective_id"] for c in answer["citations"]] == ids
    assert [c["rank"] for c in answer["citations"]] == list(range(1, 11))
    assert [c["url"] for c in answer["citations"]] == [settings.objective_url(i) for i in ids]
    json.dumps(answer)  # plain JSON all the way down


def test_objective_gives_its_text_group_and_actors(client, live_app):
    _, settings = live_app
    data = client.predict("PNS16-A4-12", api_name="/objective")
    objective = data["objective"]
    assert (objective["id"], objective["theme"], objective["number"]) == ("PNS16-A4-12", "A4", 12)
    assert objective["text"] == "Intensifier l'utilisation des informations que la CTIF transmet à la police intégrée."
    assert objective["url"] == settings.objective_url("PNS16-A4-12")
    assert (data["group"]["key"], data["group"]["title"]) == ("A4", "Approche axée sur le butin")
    members = [o["id"] for o in data["group"]["objectives"]]
    assert members[:5] == [f"PNS16-A4-{n}" for n in range(1, 6)]
    assert "PNS16-A4-12" in members and len(members) == len(set(members))
    assert [o["number"] for o in data["group"]["objectives"]] == list(range(1, len(members) + 1))
    names = [a["name"] for a in data["actors"]]
    assert names == ["CTIF (Cellule de traitement de l'information financière)", "Police intégrée"]
    ctif = data["actors"][0]
    start, end = ctif["spans"][0]
    assert objective["text"][start:end] == "CTIF"


def test_actor_child_focus_names_the_three_b6_3_objectives(client):
    data = client.predict("Child Focus", api_name="/actor")
    assert data["query"] == "Child Focus"
    assert [a["name"] for a in data["actors"]] == ["Child Focus"]
    themes = data["actors"][0]["themes"]
    assert [t["theme"] for t in themes] == ["B6"]
    objectives = themes[0]["objectives"]
    assert [o["id"] for o in objectives] == ["PNS16-B6.3-1", "PNS16-B6.3-2", "PNS16-B6.3-3"]
    assert all("Child Focus" in o["text"] and o["group_key"] == "B6.3" for o in objectives)


def test_feedback_through_the_api_is_exported(client, live_app, monkeypatch, tmp_path, capsys):
    _, settings = live_app
    question = f"Quels objectifs impliquent la CTIF ? ({uuid.uuid4().hex[:8]})"
    answer = client.predict(question, "auto", api_name="/ask")
    comment = "Il manque <b>A4-5</b> & « B5 »"
    result = client.predict(question, json.dumps(answer, ensure_ascii=False), "down", comment,
                            api_name="/feedback")
    assert result["ok"] is True and isinstance(result["id"], int)

    monkeypatch.setenv("PNS_DATA_DIR", str(settings.data_dir))
    out = tmp_path / "feedback.jsonl"
    assert main(["feedback", "export", "--out", str(out)]) == 0
    assert f"written to {out}" in capsys.readouterr().err
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    row = next(r for r in rows if r["id"] == result["id"])
    assert (row["question"], row["rating"], row["comment"], row["source"]) == (question, "down", comment, "api")
    assert row["intent"] == answer["intent"]
    assert [c["objective_id"] for c in row["citations"]] == [c["objective_id"] for c in answer["citations"]]
