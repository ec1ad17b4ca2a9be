"""Issue 13's two replicas, one store: two real ``pns serve`` processes on two ports over the same index folder and
one PostgreSQL database; feedback sent to both through the app is found once each in ``pns feedback export``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from pns.settings import REPO_ROOT

from .conftest import PG_PASSWORD, free_port, gradio_client, pns_process, settings_env

pytestmark = [pytest.mark.server, pytest.mark.postgres]


def test_two_replicas_share_one_postgresql_store(real_settings: Any, postgres: Any) -> None:
    from tests.ui.conftest import wait_until_ready

    url = postgres.new_database()
    env = {**settings_env(real_settings), "PNS_FEEDBACK_URL": url, "PNS_HOST": "127.0.0.1"}
    ports = [free_port(), free_port()]
    processes = [subprocess.Popen([sys.executable, "-m", "pns.cli", "serve", "--port", str(port)], cwd=REPO_ROOT,
                                  env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
                 for port in ports]
    try:
        apps = [f"http://127.0.0.1:{port}" for port in ports]
        for app in apps:
            wait_until_ready(app, timeout=180)
        clients = [gradio_client(app) for app in apps]
        answer = json.dumps(clients[0].predict("Quels objectifs impliquent la CTIF ?", "auto", api_name="/ask"))

        def send(i: int) -> int:
            replica = i % 2
            return int(clients[replica].predict(f"replica {replica} question {i}", answer, "up" if i % 3 else "down",
                                                f"comment {i}", api_name="/feedback")["id"])

        with ThreadPoolExecutor(4) as pool:
            ids = list(pool.map(send, range(40)))
    finally:
        for process in processes:
            process.terminate()
        logs = [process.communicate(timeout=60)[1].decode("utf-8", "replace") for process in processes]
    assert len(set(ids)) == 40
    result = pns_process(["feedback", "export"], env=env)
    assert result.returncode == 0, result.stderr.decode()
    rows = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(ids)
    assert sorted(r["question"] for r in rows) == sorted(f"replica {i % 2} question {i}" for i in range(40))
    assert {r["comment"] for r in rows} == {f"comment {i}" for i in range(40)}
    assert all(r["source"] == "api" for r in rows)
    assert all(PG_PASSWORD not in log for log in logs)
