"""Issue 15: the organizer's and admin's way in: nav on every page, a landing page by role, the
admin index in the order admins use it, Django admin's own strings in Chinese."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def _nav(response) -> list[str]:
    html = response.content.decode()
    nav = html[
        html.index('<nav class="site-nav"') : html.index("</nav>", html.index('<nav class="site-nav"'))
    ]
    return [re.sub(r"\s+", " ", label).strip() for label in re.findall(r">([^<>]+)</(?:a|button)>", nav)]


@pytest.mark.parametrize("path", ["/", "/competitions/", "/dashboard/", "/campaign/"])
def test_organizer_nav_reaches_dashboard_and_campaign_from_every_page(linxia, path):
    client = Client()
    client.force_login(linxia["organizer"])

    response = client.get(path)

    assert response.status_code == 200
    assert _nav(response) == ["首页", "竞赛", "数据大屏", "活动统计", "退出登录"]
    assert 'href="/dashboard/"' in response.content.decode()
    assert 'href="/campaign/"' in response.content.decode()


def test_admin_nav_adds_the_admin_site(linxia):
    client = Client()
    client.force_login(linxia["admin"])

    assert _nav(client.get("/")) == ["首页", "竞赛", "数据大屏", "活动统计", "管理后台", "退出登录"]


def test_participant_nav_has_no_organizer_pages(participant):
    client = Client()
    client.force_login(participant)

    assert _nav(client.get("/")) == ["首页", "竞赛", "答题记录", "错题本", "退出登录"]


@pytest.mark.parametrize(
    ("username", "landing"),
    [("organizer_linxia", "/dashboard/"), ("admin", "/admin/"), ("zhangsan", "/")],
)
def test_log_in_lands_on_the_page_of_the_role(linxia, username, landing):
    response = Client().post("/accounts/login/", {"username": username, "password": "Safety@2026"})

    assert response.status_code == 302
    assert response["Location"] == landing


def test_log_in_with_next_still_goes_there(linxia):
    response = Client().post(
        "/accounts/login/?next=/competitions/", {"username": "organizer_linxia", "password": "Safety@2026"}
    )

    assert response["Location"] == "/competitions/"


def test_admin_index_lists_banks_and_competitions_first_technical_tables_last(linxia):
    client = Client()
    client.force_login(linxia["admin"])

    html = client.get("/admin/").content.decode()

    names = re.findall(r'<tr class="model-([a-z]+)', html)
    assert names[:2] == ["questionbank", "competition"]
    # Groups, tokens and log-in lockouts come after everything an admin works with.
    assert max(names.index(n) for n in ("attempt", "bulletin", "user", "organization")) < names.index("group")
    assert names.index("group") < names.index("tokenproxy") < names.index("accesslog")
    assert 'href="/dashboard/"' in html and 'href="/campaign/"' in html


def test_admin_script_catalogue_translates_the_selector_widget(linxia):
    client = Client()
    client.force_login(linxia["admin"])

    script = client.get("/admin/jsi18n/").content.decode()

    assert json.dumps("选中要添加的%s，然后点击“选择”箭头。") in script  # the catalogue escapes to ASCII
    assert json.dumps("全选%s") in script


def test_every_page_names_a_favicon_that_is_served(client, linxia):
    html = client.get("/").content.decode()

    assert '<link rel="icon" href="/static/web/favicon.svg" type="image/svg+xml">' in html
    assert finders.find("web/favicon.svg") is not None


@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_certificate_is_the_sites_friendly_404_even_with_debug(participant, settings, debug):
    settings.DEBUG = debug
    client = Client()
    client.force_login(participant)

    for path in ("/attempts/999999/certificate/", "/attempts/999999/certificate.png"):
        response = client.get(path)
        text = re.sub(r"\s+", " ", response.content.decode())
        assert response.status_code == 404
        assert '<h1 id="not-found-title">页面没有找到</h1>' in text
        assert "没有这次答题" in text
        assert 'href="/"' in text
