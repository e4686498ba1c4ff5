"""Hardening: throttles answer 429 with Retry-After, CSRF guards session writes and every form, secure
cookies and headers, size limits, password rules, no user enumeration, masked phones."""

import re

import pytest
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _rates(**rates: str) -> dict:
    return {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK_RATES, **rates}}


REST_FRAMEWORK_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]


@pytest.fixture
def tight_login_rate():
    # The throttles read the rates at every request (core/throttles.py).
    with override_settings(REST_FRAMEWORK=_rates(login="3/min", register="2/min")):
        yield


def test_token_login_is_throttled_with_retry_after(api_client, linxia, tight_login_rate):
    # The per-address ceiling counts every try, successes included (wrong passwords are limited per account).
    statuses = [
        api_client.post(
            "/api/v1/auth/token/", {"username": "zhangsan", "password": password}, format="json"
        ).status_code
        for password in ("wrong-pass-1", "Safety@2026", "wrong-pass-1")
    ]
    throttled = api_client.post(
        "/api/v1/auth/token/", {"username": "zhangsan", "password": "Safety@2026"}, format="json"
    )

    assert statuses == [400, 200, 400]
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert 1 <= int(throttled["Retry-After"]) <= 60


def test_registration_is_throttled(api_client, linxia, tight_login_rate):
    for _ in range(2):
        api_client.post("/api/v1/auth/register/", {}, format="json")

    response = api_client.post("/api/v1/auth/register/", {}, format="json")

    assert response.status_code == 429
    assert "Retry-After" in response


def test_session_authenticated_api_write_needs_csrf(linxia):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(linxia["admin"])

    response = client.patch(
        f"/api/v1/users/{linxia['organizer'].pk}/", {"role": "participant"}, format="json"
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_login_form_needs_csrf(linxia):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "zhangsan", "password": "Safety@2026"})

    assert response.status_code == 403


@override_settings(
    SECURE_CONTENT_TYPE_NOSNIFF=True,
    SECURE_REFERRER_POLICY="same-origin",
    X_FRAME_OPTIONS="DENY",
    SECURE_HSTS_SECONDS=31536000,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_security_headers_are_sent(client):
    response = client.get("/api/v1/health/", HTTP_X_FORWARDED_PROTO="https")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


# --- throttles: attempt start and the site's own forms --------------------------------------------


@pytest.fixture
def open_competition():
    from tests.factories import CompetitionFactory, make_bank

    return CompetitionFactory(banks=[make_bank(singles=6)], questions_per_attempt=3, attempts_per_day=1)


@override_settings(REST_FRAMEWORK=_rates(attempt_start="2/min"))
def test_attempt_start_is_throttled_with_retry_after(participant, open_competition, make_client):
    client = make_client(participant)
    url = f"/api/v1/competitions/{open_competition.pk}/attempts/"

    statuses = [client.post(url).status_code for _ in range(2)]  # a start, then its resume
    throttled = client.post(url)

    assert statuses == [201, 200]
    assert (throttled.status_code, throttled.json()["code"]) == (429, "throttled")
    assert 1 <= int(throttled["Retry-After"]) <= 60
    assert throttled.json()["retry_after"] == int(throttled["Retry-After"])


def test_the_daily_quota_keeps_its_own_429_code(participant, open_competition, make_client):
    client = make_client(participant)
    url = f"/api/v1/competitions/{open_competition.pk}/attempts/"
    attempt = client.post(url).json()
    client.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": []}, format="json")

    refused = client.post(url)

    assert (refused.status_code, refused.json()["code"]) == (429, "daily_limit_reached")


def test_site_login_failures_lock_the_account_with_retry_after(linxia):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "zhangsan", "password": "wrong-password"})

    throttled = client.post("/accounts/login/", {"username": "zhangsan", "password": "Safety@2026"})

    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) == settings.LOGIN_LOCKOUT_MINUTES * 60
    assert "_auth_user_id" not in client.session  # the right password does not get through either


@override_settings(REST_FRAMEWORK=_rates(login="2/min"))
def test_site_login_has_a_per_address_ceiling_with_retry_after(linxia):
    client = Client()
    for _ in range(2):
        client.post("/accounts/login/", {"username": "zhangsan", "password": "Safety@2026"})
        client.logout()

    throttled = client.post("/accounts/login/", {"username": "zhangsan", "password": "Safety@2026"})

    assert throttled.status_code == 429
    assert 1 <= int(throttled["Retry-After"]) <= 60
    assert "_auth_user_id" not in client.session


def test_site_registration_is_throttled_with_retry_after(linxia, tight_login_rate):
    client = Client()
    for _ in range(2):
        client.post("/accounts/register/", {"username": ""})

    throttled = client.post("/accounts/register/", {"username": ""})

    assert throttled.status_code == 429
    assert 1 <= int(throttled["Retry-After"]) <= 3600


# --- CSRF: every session-authenticated API write and every form of the site --------------------


def _schema_writes() -> list[tuple[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"post", "put", "patch", "delete"} and {} not in operation.get("security", [])
    ]


def test_every_session_authenticated_api_write_needs_csrf(linxia):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(linxia["admin"])
    writes = _schema_writes()
    answers = {}
    for method, path in writes:
        url = re.sub(r"\{\w+\}", "1", path)  # ids do not matter: the CSRF check comes first
        response = client.generic(method, url, data="{}", content_type="application/json")
        answers[f"{method} {path}"] = (response.status_code, "CSRF" in response.json().get("detail", ""))

    assert len(writes) >= 10
    assert answers == {name: (403, True) for name in answers}


SITE_FORMS = [
    # (role, page): every <form method="post"> on the page must carry a CSRF token and refuse a post without one
    (None, "/accounts/login/"),
    (None, "/accounts/register/"),
    ("participant", "/"),  # language switch and log-out in the header
    ("organizer", "/campaign/competitions/{competition}/lagging/?threshold=90"),
    ("organizer", "/campaign/competitions/{competition}/bulletins/"),
    ("admin", "/campaign/units/import/"),
]


def _post_forms(html: str) -> list[tuple[str | None, bool]]:
    """(action, has a csrfmiddlewaretoken input) of each POST form of a page."""
    from html.parser import HTMLParser

    forms: list[list] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                forms.append([attrs.get("action"), (attrs.get("method") or "get").lower() == "post", False])
            elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken" and forms:
                forms[-1][2] = True

    Parser().feed(html)
    return [(action, has_token) for action, is_post, has_token in forms if is_post]


def test_every_site_form_carries_a_csrf_token_and_refuses_a_post_without_it(
    linxia, participant, open_competition
):
    from django.contrib.auth.models import AnonymousUser

    users = {
        "participant": participant,
        "organizer": linxia["organizer"],
        "admin": linxia["admin"],
        None: AnonymousUser(),
    }
    seen = []
    for role, template in SITE_FORMS:
        page = template.format(competition=open_competition.pk)
        client = Client(enforce_csrf_checks=True)
        if role is not None:
            client.force_login(users[role])
        response = client.get(page)
        assert response.status_code == 200, page
        forms = _post_forms(response.content.decode())
        assert forms, f"{page} has no POST form"
        for action, has_token in forms:
            target = action or page
            refused = client.post(target, {"language": "en", "next": "/"})
            seen.append((page, target, has_token, refused.status_code))

    assert all(has_token for _page, _target, has_token, _status in seen), seen
    assert all(status == 403 for *_rest, status in seen), seen
    assert len(seen) >= 8


# --- cookies and headers under the production settings ---------------------------------------------

PRODUCTION_SECURITY = {
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_CONTENT_TYPE_NOSNIFF": True,
    "SECURE_REFERRER_POLICY": "same-origin",
    "X_FRAME_OPTIONS": "DENY",
}


def test_production_settings_turn_every_protection_on():
    """The values the two tests below run with are the production module's own (check --deploy,
    tests/test_settings.py, holds them to it too)."""
    import json
    import subprocess
    import sys

    from tests.support.settings import GOOD_KEY, ROOT

    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {sorted(PRODUCTION_SECURITY)!r}}}))"
    )
    env = {
        **{k: v for k, v in __import__("os").environ.items() if k not in {"DEBUG"}},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "quiz.example.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])

    assert values == {k: list(v) if isinstance(v, tuple) else v for k, v in PRODUCTION_SECURITY.items()}


@override_settings(**PRODUCTION_SECURITY)
def test_session_and_csrf_cookies_are_secure_and_the_session_one_http_only(linxia, participant):
    client = Client(enforce_csrf_checks=True, HTTP_X_FORWARDED_PROTO="https")
    page = client.get("/accounts/login/", secure=True)
    token = page.cookies["csrftoken"].value

    response = client.post(
        "/accounts/login/",
        {"username": participant.username, "password": "Safety@2026", "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_REFERER="https://testserver/accounts/login/",  # HTTPS posts need a same-site Referer
    )

    assert response.status_code == 302
    session, csrf = response.cookies["sessionid"], page.cookies["csrftoken"]
    assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")
    assert (csrf["secure"], csrf["samesite"]) == (True, "Lax")


@override_settings(**PRODUCTION_SECURITY)
def test_security_headers_are_sent_on_site_pages(client):
    response = client.get("/accounts/login/", secure=True)

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


# --- sizes of uploads and bodies ---------------------------------------------------------------------


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


@override_settings(IMPORT_MAX_FILE_BYTES=2048)
def test_a_bank_file_over_the_size_limit_is_refused_and_nothing_is_written(linxia, make_client):
    from quiz.models import Question
    from quiz.services.banks import bank_create

    bank = bank_create(name="size test")
    rows = "".join(f"单选,第{n}题：火警电话是？,110,119,B\n" for n in range(200))
    content = ("题型,题干,选项A,选项B,答案\n" + rows).encode()
    assert len(content) > 2048

    response = make_client(linxia["admin"]).post(
        f"/api/v1/banks/{bank.pk}/import/", {"file": _upload("bank.csv", content)}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert "2 KB" in response.json()["detail"]
    assert Question.objects.filter(bank=bank).count() == 0


@override_settings(IMPORT_MAX_FILE_BYTES=2048)
def test_a_unit_file_over_the_size_limit_is_refused_and_nothing_is_written(linxia, make_client):
    from accounts.models import Organization

    before = Organization.objects.count()
    rows = "".join(f"临夏市第{n}中学,临夏市,教育,30\n" for n in range(200))
    content = ("单位名称,县区,行业,目标人数\n" + rows).encode()

    response = make_client(linxia["admin"]).post(
        "/api/v1/organizations/import/", {"file": _upload("units.csv", content)}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert Organization.objects.count() == before


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=4096)
def test_a_request_body_over_the_memory_limit_is_a_json_400(linxia, make_client):
    from quiz.models import QuestionBank

    response = make_client(linxia["admin"]).post(
        "/api/v1/banks/", {"name": "x" * 5000}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request is larger than the server accepts (4.0\xa0KB at most).",
        "code": "request_too_large",
    }
    assert not QuestionBank.objects.exists()


def test_a_path_that_matches_no_route_under_the_api_answers_json(client):
    response = client.get("/api/v1/competitions/not-a-number/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


# --- passwords, log-in errors, phones -------------------------------------------------------------


@pytest.mark.parametrize("password", ["short1!", "12345678", "password123", "zhangsan2026", "qwertyuiop"])
def test_weak_passwords_are_refused_at_registration(linxia, api_client, password):
    from accounts.models import User

    body = {"username": "zhangsan2026", "password": password, "region": linxia["linxia_city"].pk}

    response = api_client.post("/api/v1/auth/register/", body, format="json")

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] and all(
        e["field"] == "password" for e in response.json()["errors"]
    )
    assert not User.objects.filter(username="zhangsan2026").exists()


def test_the_site_registration_form_refuses_a_weak_password(linxia):
    from accounts.models import User

    response = Client().post(
        "/accounts/register/",
        {
            "display_name": "新人",
            "username": "newcomer",
            "region": linxia["linxia_city"].pk,
            "password": "12345678",
            "password_confirm": "12345678",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors.get("password")
    assert not User.objects.filter(username="newcomer").exists()


def test_token_errors_do_not_tell_unknown_users_from_wrong_passwords(linxia, api_client):
    from accounts.models import User

    User.objects.filter(username="lisi").update(is_active=False)

    answers = [
        api_client.post(
            "/api/v1/auth/token/",
            {"username": username, "password": password},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        for username, password in (
            ("nobody-here", "Safety@2026"),
            ("zhangsan", "wrong-pass"),
            ("lisi", "Safety@2026"),
        )
    ]

    assert {(a.status_code, a.content) for a in answers} == {
        (400, b'{"detail":"Wrong username or password.","code":"invalid_credentials"}')
    }


def test_site_login_errors_do_not_tell_unknown_users_from_wrong_passwords(linxia):
    from accounts.models import User

    User.objects.filter(username="lisi").update(is_active=False)

    def errors(username: str, password: str) -> list[str]:
        response = Client().post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code == 200
        return response.context["form"].non_field_errors()

    unknown, wrong, inactive = (
        errors("nobody-here", "Safety@2026"),
        errors("zhangsan", "x"),
        errors("lisi", "Safety@2026"),
    )

    assert unknown == wrong == inactive
    assert len(unknown) == 1


def test_a_phone_is_shown_to_its_owner_only(linxia, make_client):
    from tests.factories import UserFactory

    phone = "13912345678"
    owner = UserFactory(region=linxia["linxia_city"], phone=phone)

    mine = make_client(owner).get("/api/v1/me/").json()["phone"]
    listed = make_client(linxia["admin"]).get("/api/v1/users/", {"search": owner.username}).json()["results"]

    assert mine == phone
    assert [row["phone"] for row in listed] == ["139****5678"]


@pytest.mark.parametrize("moment", ["1800-06-01T08:00:00+08:00", "2300-06-01T08:00:00+08:00"])
def test_implausible_dates_are_refused_instead_of_echoed_unparseable(linxia, make_client, moment):
    """Before 1901 Asia/Shanghai has a +08:05:43 offset that RFC 3339 clients cannot read back."""
    from quiz.models import Competition
    from tests.factories import make_bank

    admin = make_client(linxia["admin"])
    body = {
        "title": "x",
        "banks": [make_bank(singles=3).pk],
        "starts_at": moment,
        "ends_at": "2030-01-01T00:00:00+08:00",
    }

    created = admin.post("/api/v1/competitions/", body, format="json")
    competition = Competition.objects.create(
        title="y", starts_at="2026-06-01T00:00:00+08:00", ends_at="2026-07-01T00:00:00+08:00"
    )
    bulletin = admin.post(
        f"/api/v1/competitions/{competition.pk}/bulletins/", {"as_of": moment}, format="json"
    )
    statistics = admin.get(f"/api/v1/competitions/{competition.pk}/statistics/", {"as_of": moment})

    assert [r.status_code for r in (created, bulletin, statistics)] == [400, 400, 400]
    assert created.json()["errors"][0]["field"] == "starts_at"
    assert not Competition.objects.filter(title="x").exists()


def test_the_admin_sees_a_members_phone_masked_and_can_still_replace_it(linxia):
    from accounts.admin import MaskedPhoneUserChangeForm
    from tests.factories import UserFactory

    owner = UserFactory(region=linxia["linxia_city"], phone="13912345678")
    client = Client()
    client.force_login(linxia["admin"])

    page = client.get(f"/admin/accounts/user/{owner.pk}/change/").content.decode()
    listing = client.get("/admin/accounts/user/").content.decode()
    form = MaskedPhoneUserChangeForm(instance=owner)
    form.cleaned_data = {"phone": "139****5678"}
    kept = form.clean_phone()
    form.cleaned_data = {"phone": "13800001111"}
    replaced = form.clean_phone()

    assert "13912345678" not in page and 'value="139****5678"' in page
    assert owner.username in listing and "13912345678" not in listing
    assert (kept, replaced) == ("13912345678", "13800001111")
