"""Which SQL statements each benchmarked request runs, captured in-process on the scratch database.

Run by bench/run.py with the servers' environment after seeding: after one untraced warm-up cycle,
a participant's first start, one saved answer, one submit, the three ranking reads and the statistics read, through Django's test client with
CaptureQueriesContext (real PostgreSQL, real Redis, production settings). Prints JSON:
{"<request>": {"status": 200, "queries": n, "sql": ["SELECT ...", ...]}}.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("BENCH_ROUTES", "1")  # it measures the baseline route too

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from bench.loadgen import answers_for  # noqa: E402


def capture(client: APIClient, method: str, path: str, body=None) -> tuple[dict, object]:
    with CaptureQueriesContext(connection) as captured:
        response = (
            getattr(client, method)(path, body, format="json")
            if body is not None
            else getattr(client, method)(path)
        )
    sql = [query["sql"] for query in captured.captured_queries]
    payload = response.json() if response.get("Content-Type", "").startswith("application/json") else None
    return {"status": response.status_code, "queries": len(sql), "sql": [s[:300] for s in sql]}, payload


def warm_up(token: str, competition: int) -> None:
    """One untraced start and submit by another user: per-process caches (region catalog, the
    leaderboard's pending-rebuild check) fill here, so the traced requests show the steady state."""
    client = APIClient(HTTP_HOST="127.0.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    attempt = client.post(f"/api/v1/competitions/{competition}/attempts/").json()
    if attempt.get("questions"):
        client.post(
            f"/api/v1/attempts/{attempt['id']}/submit/",
            {"answers": answers_for(attempt["questions"])},
            format="json",
        )


def main() -> None:
    tokens = json.loads(Path(sys.argv[1]).read_text())
    competition = tokens["competition"]
    warm_up(tokens["participants"][-3], competition)
    participant = APIClient(HTTP_HOST="127.0.0.1")
    participant.credentials(HTTP_AUTHORIZATION=f"Token {tokens['participants'][-2]}")
    admin = APIClient(HTTP_HOST="127.0.0.1")
    admin.credentials(HTTP_AUTHORIZATION=f"Token {tokens['admins'][-1]}")
    out: dict = {}
    out["start"], attempt = capture(participant, "post", f"/api/v1/competitions/{competition}/attempts/")
    if attempt and attempt.get("questions"):
        answers = answers_for(attempt["questions"])
        first = answers[0]
        out["save one answer"], _ = capture(
            participant,
            "put",
            f"/api/v1/attempts/{attempt['id']}/answers/{first['question']}/",
            {"selected": first["selected"]},
        )
        out["submit"], _ = capture(
            participant, "post", f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": answers}
        )
    for scope in ("individual", "region", "organization"):
        out[f"ranking read, {scope}"], _ = capture(
            participant, "get", f"/api/v1/competitions/{competition}/leaderboard/?scope={scope}&limit=20"
        )
    out["statistics read (admin)"], _ = capture(admin, "get", f"/api/v1/competitions/{competition}/stats/")
    out["baseline H"], _ = capture(APIClient(HTTP_HOST="127.0.0.1"), "get", "/api/v1/bench/baseline/")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
