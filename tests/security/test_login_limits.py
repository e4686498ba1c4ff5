"""One office, one address: a hall of people registers and logs in from one address, while
guessing one account's password is stopped after a handful of tries (django-axes, per account
and per account + address; core.net.client_ip for the address)."""

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts.models import User
from config.settings import base

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
REGISTER = "/api/v1/auth/register/"
OFFICE = "198.51.100.20"
PASSWORD = "Qx7!safety-June"
# The production rates, not test.py's lenient ones.
real_limits = override_settings(REST_FRAMEWORK=base.REST_FRAMEWORK, TRUSTED_PROXIES=[])


def _token_login(username: str, password: str, address: str = OFFICE, **extra):
    return APIClient(REMOTE_ADDR=address).post(
        TOKEN, {"username": username, "password": password}, format="json", **extra
    )


def _site_login(username: str, password: str, address: str = OFFICE, **extra):
    return Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": username, "password": password}, **extra
    )


@real_limits
def test_a_hall_of_300_registers_and_logs_in_from_one_address(linxia):
    county = linxia["linxia_city"].pk
    registered = []
    for n in range(300):
        if n % 2:
            response = APIClient(REMOTE_ADDR=OFFICE).post(
                REGISTER,
                {"username": f"hall{n}", "password": PASSWORD, "display_name": f"员工{n}", "region": county},
                format="json",
            )
        else:
            response = Client(REMOTE_ADDR=OFFICE).post(
                "/accounts/register/",
                {
                    "display_name": f"员工{n}",
                    "username": f"hall{n}",
                    "region": county,
                    "password": PASSWORD,
                    "password_confirm": PASSWORD,
                },
            )
        registered.append(response.status_code)
    logged_in = [
        (_token_login if n % 2 else _site_login)(f"hall{n}", PASSWORD).status_code for n in range(300)
    ]

    assert (registered.count(201), registered.count(302)) == (150, 150)
    assert (logged_in.count(200), logged_in.count(302)) == (150, 150)
    assert User.objects.filter(username__startswith="hall").count() == 300


@real_limits
@pytest.mark.parametrize("forged", [False, True])
def test_guessing_one_accounts_password_over_the_api_is_stopped_after_five_tries(linxia, forged):
    def attempt(password: str, n: int):
        extra = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"} if forged else {}
        return _token_login("zhangsan", password, **extra)

    guesses = [attempt(f"guess-{n}", n) for n in range(6)]
    right = attempt("Safety@2026", 99)

    assert [g.status_code for g in guesses] == [400, 400, 400, 400, 429, 429]
    assert guesses[4].json()["code"] == "locked_out"
    assert (right.status_code, right.json()["code"]) == (429, "locked_out")
    assert right["Retry-After"] == "900"


@real_limits
def test_guessing_one_accounts_password_on_the_site_is_stopped_after_five_tries(linxia):
    guesses = [_site_login("zhangsan", f"guess-{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(5)]
    right = _site_login("zhangsan", "Safety@2026", HTTP_ACCEPT_LANGUAGE="en")

    assert [g.status_code for g in guesses] == [200, 200, 200, 200, 429]
    assert right.status_code == 429
    assert right["Retry-After"] == "900"
    assert right.context["form"].non_field_errors() == [
        "Too many failed log-ins for this account. Please try again in 15 minutes."
    ]


@real_limits
def test_guessing_from_many_addresses_is_stopped_per_account(linxia):
    statuses = [
        _token_login("zhangsan", f"guess-{n}", address=f"203.0.113.{n}").status_code for n in range(21)
    ]
    owner = _token_login("zhangsan", "Safety@2026", address="192.0.2.1")

    assert statuses == [400] * 19 + [429, 429]
    assert owner.status_code == 429


@real_limits
def test_one_users_typos_do_not_lock_out_colleagues_at_the_same_address(linxia):
    from tests.factories import UserFactory

    colleague = UserFactory(region=linxia["linxia_city"], username="colleague")
    colleague.set_password(PASSWORD)
    colleague.save()
    for n in range(8):
        _site_login("zhangsan", f"typo-{n}")
        _token_login("zhangsan", f"typo-{n}")

    assert _site_login("colleague", PASSWORD).status_code == 302
    assert _token_login("colleague", PASSWORD).status_code == 200
    # The typist's own account is locked from this address, not from the owner's phone elsewhere.
    assert _token_login("zhangsan", "Safety@2026").status_code == 429
    assert _token_login("zhangsan", "Safety@2026", address="192.0.2.1").status_code == 200


@real_limits
def test_a_successful_site_log_in_clears_the_accounts_earlier_typos(linxia):
    for n in range(4):
        _site_login("zhangsan", f"typo-{n}")
    assert _site_login("zhangsan", "Safety@2026").status_code == 302

    after = [_site_login("zhangsan", f"typo-{n}").status_code for n in range(5)]

    assert after == [200, 200, 200, 200, 429]
