"""Files and settings the benchmark's topology depends on: nginx's config, the run's options, the DB pool."""

import pytest

from bench.run import parse_args
from bench.topology import Nginx, read_proc_stat


def test_nginx_config_balances_over_every_process_and_upgrades_websockets(tmp_path):
    conf = Nginx("nginx", 8090, [8101, 8102], tmp_path).render().read_text()

    ws_block = conf.split("upstream ws {", 1)[1].split("}", 1)[0]
    assert "server 127.0.0.1:8101 max_fails=0;" in conf and "server 127.0.0.1:8102 max_fails=0;" in conf
    assert "8101" in ws_block and "8102" in ws_block  # one ASGI server for both: same processes
    assert "listen 127.0.0.1:8090" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert "@@" not in conf


def test_nginx_sends_websockets_to_the_asgi_processes_of_a_hybrid_topology(tmp_path):
    conf = Nginx("nginx", 8090, [8101, 8102], tmp_path, ws_ports=[8151]).render().read_text()

    http_block = conf.split("upstream app {", 1)[1].split("}", 1)[0]
    ws_block = conf.split("upstream ws {", 1)[1].split("}", 1)[0]
    assert "8101" in http_block and "8102" in http_block and "8151" not in http_block
    assert "8151" in ws_block and "8101" not in ws_block
    assert "proxy_pass http://ws;" in conf.split("location /ws/", 1)[1].split("}", 1)[0]


def test_quick_run_is_small_and_seeds_enough_users_for_the_crowd():
    args = parse_args(["--quick", "--participants", "5000"])

    assert args.dashboards == 100 and args.duration == 5.0
    assert args.users >= 5100
    assert args.output.endswith("bench/out/quick.md")


def test_only_and_skip_choose_the_phases_in_run_order():
    args = parse_args(["--only", "ws,baseline,cycle", "--skip", "cycle"])

    assert args.phases == ["baseline", "ws"]


def test_proc_stat_reads_this_process_memory_and_cpu():
    import os

    cpu, rss_kib = read_proc_stat(os.getpid())

    assert cpu > 0 and rss_kib > 10_000


@pytest.mark.django_db
def test_the_wsgi_entry_point_serves_the_same_application():
    from wsgiref.util import setup_testing_defaults

    from django.core import signals
    from django.db import close_old_connections

    from config import wsgi

    environ = {"PATH_INFO": "/api/v1/bench/baseline/", "REQUEST_METHOD": "GET", "HTTP_HOST": "localhost"}
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers):
        answer["status"] = status

    # As Django's test client does: the test's transaction must survive the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(wsgi.application(environ, start_response))
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)

    assert answer["status"] == "200 OK"
    assert body == b'{"status": "ok"}'
