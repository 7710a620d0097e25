"""`cursor-builder catalog serve` over real loopback HTTP (a child process; its banner says when it is up)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def test_serve_answers_ports_api_on_loopback(tmp_path):
    db = tmp_path / "catalog.db"
    process = subprocess.Popen([sys.executable, "-m", "builder", "catalog", "serve", "--port", "0", "--db", str(db)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        first = process.stdout.readline()  # blocks until uvicorn is listening: no sleeping
        second = process.stdout.readline()
        assert first.startswith("Port-compatible catalog at http://127.0.0.1:") and str(db) in first
        assert "client id: local-catalog" in second and "client secret: local-catalog-secret" in second
        url = first.split(" at ", 1)[1].split(" ", 1)[0]
        with httpx.Client(base_url=url, trust_env=False) as client:
            token = client.post("/v1/auth/access_token",
                                json={"clientId": "local-catalog", "clientSecret": "local-catalog-secret"})
            assert token.status_code == 200 and token.headers["x-trace-id"]
            headers = {"Authorization": f"Bearer {token.json()['accessToken']}"}
            created = client.post("/v1/blueprints", headers=headers,
                                  json={"identifier": "svc", "title": "S", "schema": {"properties": {}}})
            assert created.status_code == 201
            bulk = client.post("/v1/blueprints/svc/entities/bulk", params={"upsert": "true"}, headers=headers,
                               json={"entities": [{"identifier": "a"}, {"identifier": "b b"}]})
            assert bulk.status_code == 207
    finally:
        process.terminate()
        process.wait(timeout=10)
    # uvicorn shuts down cleanly, then re-raises SIGTERM on itself (so the status is -15, not 0).
    assert process.returncode in (0, -15)
    assert "Traceback" not in process.stderr.read()
