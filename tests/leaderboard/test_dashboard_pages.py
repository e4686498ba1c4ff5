"""The organizer dashboard pages (server side); the browser test drives them live."""

import json

import pytest
from django.test import Client

from tests.factories import AttemptFactory, UserFactory, competition_with_bank

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _config(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="lb-config" type="application/json">') + len(
        '<script id="lb-config" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_organizer_page_carries_its_county_figures_and_the_socket_path(linxia):
    competition = competition_with_bank(title="安全生产月知识竞赛")
    AttemptFactory(user=UserFactory(region=linxia["linxia_city"]), competition=competition, correct=3)
    AttemptFactory(user=UserFactory(region=linxia["dongxiang"]), competition=competition, correct=5)

    response = _client(linxia["organizer"]).get(f"/dashboard/competitions/{competition.pk}/")

    assert response.status_code == 200
    assert "安全生产月知识竞赛" in response.content.decode()
    config = _config(response)
    assert config["wsPath"].startswith(f"/ws/competitions/{competition.pk}/live/")
    assert (config["initial"]["participants"], config["initial"]["points"]) == (1, 30)
    assert [r["code"] for r in config["initial"]["regions"]] == ["622901"]
    assert config["timeline"]["points"][-1]["participants"] == 1
    assert "vendor/echarts/echarts.min.js" in response.content.decode()


def test_page_is_in_english_when_the_site_is(linxia):
    competition = competition_with_bank()
    client = _client(linxia["admin"])
    client.cookies["django_language"] = "en"
    response = client.get(f"/dashboard/competitions/{competition.pk}/")
    html = response.content.decode()
    assert "Participation rate by county" in html
    assert _config(response)["wsPath"].endswith("lang=en")


def test_page_is_in_chinese_by_default(linxia):
    competition = competition_with_bank()
    html = _client(linxia["admin"]).get(f"/dashboard/competitions/{competition.pk}/").content.decode()
    assert "各县区参与率" in html


def test_participants_get_403_and_anonymous_visitors_the_login_page(linxia, participant):
    competition = competition_with_bank()
    assert _client(participant).get(f"/dashboard/competitions/{competition.pk}/").status_code == 403
    anonymous = Client().get(f"/dashboard/competitions/{competition.pk}/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_unknown_competition_page_is_a_404(linxia):
    assert _client(linxia["admin"]).get("/dashboard/competitions/999999/").status_code == 404


def test_index_lists_competitions_with_links(linxia):
    competition = competition_with_bank(title="第一届竞赛")
    response = _client(linxia["organizer"]).get("/dashboard/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "第一届竞赛" in html and f"/dashboard/competitions/{competition.pk}/" in html
