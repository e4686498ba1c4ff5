"""The client address comes only from trusted proxy hops (core.net.client_ip): a forged
X-Forwarded-For neither gives a client a fresh identity nor lets it pose as someone else."""

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from core.net import client_ip

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@override_settings(TRUSTED_PROXIES=[])
def test_without_trusted_proxies_a_forwarded_header_is_ignored():
    assert client_ip(_request("198.51.100.9", "203.0.113.1")) == "198.51.100.9"


@override_settings(TRUSTED_PROXIES=["127.0.0.1/32"])
def test_behind_a_trusted_proxy_the_hop_it_appended_is_the_client():
    # The client sent "6.6.6.6"; nginx appended the address it saw.
    assert client_ip(_request("127.0.0.1", "6.6.6.6, 203.0.113.7")) == "203.0.113.7"


@override_settings(TRUSTED_PROXIES=["127.0.0.1/32", "10.0.0.0/8"])
def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    assert client_ip(_request("127.0.0.1", "6.6.6.6, 203.0.113.7, 10.2.3.4")) == "203.0.113.7"


@override_settings(TRUSTED_PROXIES=["127.0.0.1/32"])
def test_a_client_reaching_the_server_directly_cannot_forward_for_anyone():
    assert client_ip(_request("198.51.100.9", "203.0.113.7")) == "198.51.100.9"


@override_settings(TRUSTED_PROXIES=["127.0.0.1/32"])
def test_a_hop_that_is_no_address_stops_at_the_last_trusted_one():
    assert client_ip(_request("127.0.0.1", "203.0.113.7, not-an-ip")) == "127.0.0.1"
    assert client_ip(_request("127.0.0.1")) == "127.0.0.1"


@override_settings(TRUSTED_PROXIES=["::1/128"])
def test_ipv6_proxies_and_ipv4_mapped_clients():
    assert client_ip(_request("::1", "::ffff:203.0.113.7")) == "203.0.113.7"


def _rates(login: str) -> dict:
    return {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"login": login, "register": "1000/hour"}}


@pytest.mark.parametrize("trusted", [[], ["127.0.0.1/32"]])
def test_forged_forwarded_headers_do_not_escape_the_per_address_ceiling(linxia, trusted):
    client = APIClient(REMOTE_ADDR="198.51.100.9")
    with override_settings(TRUSTED_PROXIES=trusted, REST_FRAMEWORK=_rates("3/min")):
        statuses = [
            client.post(
                TOKEN,
                {"username": "zhangsan", "password": "Safety@2026"},
                format="json",
                HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
            ).status_code
            for n in range(5)
        ]

    assert statuses == [200, 200, 200, 429, 429]


def test_clients_behind_a_trusted_proxy_are_counted_apart(linxia):
    proxy = APIClient(REMOTE_ADDR="127.0.0.1")
    with override_settings(TRUSTED_PROXIES=["127.0.0.1/32"], REST_FRAMEWORK=_rates("2/min")):
        first = [
            proxy.post(
                TOKEN,
                {"username": "zhangsan", "password": "Safety@2026"},
                format="json",
                HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.1",
            ).status_code
            for _ in range(3)
        ]
        other = proxy.post(
            TOKEN,
            {"username": "zhangsan", "password": "Safety@2026"},
            format="json",
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.2",
        ).status_code

    assert (first, other) == ([200, 200, 429], 200)


@override_settings(TRUSTED_PROXIES=[])
def test_the_log_in_limiter_records_the_client_address_not_the_forged_one(linxia):
    from axes.models import AccessAttempt

    APIClient(REMOTE_ADDR="198.51.100.9").post(
        TOKEN,
        {"username": "zhangsan", "password": "wrong-pass"},
        format="json",
        HTTP_X_FORWARDED_FOR="6.6.6.6",
    )

    assert list(AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start")) == [
        ("zhangsan", "198.51.100.9", 1)
    ]
