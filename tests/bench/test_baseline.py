"""The benchmark's floor H: bare Django JSON at /api/v1/bench/baseline/, no SQL."""

import pytest


@pytest.mark.django_db
def test_baseline_answers_a_tiny_json_body_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/api/v1/bench/baseline/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_baseline_refuses_writes(client):
    response = client.post("/api/v1/bench/baseline/")

    assert response.status_code == 405


def test_database_pool_is_bounded_when_asked_and_off_by_default(monkeypatch, tmp_path):
    from config.env import database_from_env

    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x")
    monkeypatch.delenv("DB_POOL_MAX_SIZE", raising=False)
    assert "pool" not in database_from_env(tmp_path).get("OPTIONS", {})

    monkeypatch.setenv("DB_POOL_MAX_SIZE", "8")
    monkeypatch.setenv("DB_CONN_MAX_AGE", "60")
    config = database_from_env(tmp_path)

    assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 8, "timeout": 20}
    assert config["CONN_MAX_AGE"] == 0
