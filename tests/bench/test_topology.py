"""Files and settings the benchmark's topology depends on: nginx's config, the run's options, the DB pool."""

import shutil

import pytest

from bench.run import parse_args
from bench.topology import CpuCgroup, HostSet, Nginx, read_proc_stat


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


def test_a_plain_run_leaves_the_scale_phase_out_and_several_hosts_bring_it_in():
    plain = parse_args([])
    hosts = parse_args(["--hosts", "3", "--host-cpu", "0.4"])

    assert "scale" not in plain.phases and plain.processes >= 1
    assert hosts.phases[-1] == "scale"
    assert hosts.processes == 1  # one HTTP process per simulated host unless asked
    assert parse_args(["--hosts", "2", "--processes", "2"]).processes == 2


def test_each_host_has_its_own_ports_and_nginx_can_be_narrowed_to_the_first_hosts(tmp_path):
    from bench.run import Bench

    bench = Bench(parse_args(["--hosts", "3", "--processes", "2", "--base-port", "9101", "--no-write"]))
    try:
        assert bench.host_ports == [[9101, 9102], [9201, 9202], [9301, 9302]]
        hosts = HostSet("hybrid", bench.host_ports, [9151], {}, tmp_path, cpu=0.4)
        assert hosts.host_http_ports(2) == [9101, 9102, 9201, 9202]
        assert hosts.ws_ports == [9151]  # /ws/ is host 1's
        assert "3 application hosts, each capped at 0.4 cores" in hosts.describe()
    finally:
        shutil.rmtree(bench.workdir, ignore_errors=True)


def test_cpu_cgroup_names_carry_the_bench_pid_so_a_killed_run_is_swept(tmp_path, monkeypatch):
    import os

    monkeypatch.setattr(CpuCgroup, "ROOT", tmp_path)
    (tmp_path / "cgroup.procs").write_text("")
    dead = tmp_path / f"{CpuCgroup.PREFIX}999999999-host1"
    mine = tmp_path / f"{CpuCgroup.PREFIX}{os.getpid()}-host1"
    for path in (dead, mine):
        path.mkdir()
        (path / "cgroup.procs").write_text("")
    # A real cgroup directory removes its files itself; here rmdir needs them gone.
    monkeypatch.setattr(
        CpuCgroup, "_empty_and_remove", classmethod(lambda cls, path: path.rename(path.with_suffix(".gone")))
    )

    assert CpuCgroup.sweep() == [dead.name]
    assert CpuCgroup("host1", 0.4).name == mine.name
