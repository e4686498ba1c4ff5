"""Production settings refuse to start without real secrets and pass `check --deploy`."""

import os
import subprocess
import sys

from tests.support.settings import GOOD_KEY, ROOT


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", ALLOWED_HOSTS="quiz.example.cn")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_dev_secret_key():
    result = _manage(
        "check", SECRET_KEY="dev-only-insecure-key-change-me-for-production-0123456789", ALLOWED_HOSTS="a.cn"
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", SECRET_KEY=GOOD_KEY)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must list" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="quiz.example.cn"
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_time_zone_is_shanghai():
    from django.conf import settings

    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def test_no_channel_layer_is_configured():
    """The live dashboard polls the leaderboard store and joins no group: no layer, no channels_redis."""
    from channels.layers import get_channel_layer

    assert get_channel_layer() is None


def test_the_bench_baseline_is_routed_only_when_asked(settings):
    import importlib

    from django.urls import clear_url_caches

    from config import urls

    settings.BENCH_ROUTES = False
    try:
        paths = [str(p.pattern) for p in importlib.reload(urls).api_v1]
        assert "bench/baseline/" not in paths
    finally:
        settings.BENCH_ROUTES = True
        importlib.reload(urls)
        clear_url_caches()
    assert "bench/baseline/" in [str(p.pattern) for p in urls.api_v1]
