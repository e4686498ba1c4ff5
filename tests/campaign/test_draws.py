"""Prize draws: frozen list and digest, winners from list and seed alone, one prize each, verify, masking."""

import hashlib
import hmac
import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from campaign.models import Draw

pytestmark = pytest.mark.django_db

SEED = "2026-06-30 福利彩票 3D 第170期 518"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def make(campaign, **overrides):
    body = {
        "title": "安全生产月抽奖",
        "prizes": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 2}],
        "eligibility": {},
        "seed": SEED,
        **overrides,
    }
    return api(campaign.admin).post(
        f"/api/v1/competitions/{campaign.competition.pk}/draws/", body, format="json"
    )


def expected_order(seed: str, ids: list[int]) -> list[int]:
    """The algorithm of docs/campaign.md written again, independently of the service."""
    key = lambda uid: hmac.new(seed.encode(), str(uid).encode(), hashlib.sha256).hexdigest()  # noqa: E731
    return sorted(ids, key=lambda uid: (key(uid), uid))


def test_a_draw_freezes_the_list_publishes_its_digest_and_follows_from_the_seed(campaign):
    people = campaign.people
    ids = sorted(u.pk for u in (people.u1, people.u2, people.u3, people.u4, people.u5))

    response = make(campaign)

    assert response.status_code == 201
    body = response.json()
    assert body["eligible_count"] == 5
    assert body["eligible_digest"] == hashlib.sha256("".join(f"{i}\n" for i in ids).encode()).hexdigest()
    order = expected_order(SEED, ids)
    assert [(w["prize"], w["user"]) for w in body["winners"]] == [
        ("一等奖", order[0]),
        ("二等奖", order[1]),
        ("二等奖", order[2]),
    ]
    again = make(campaign, title="重抽").json()
    assert [w["user"] for w in again["winners"]] == order[:3]
    assert api().get(f"/api/v1/draws/{body['id']}/verify/").json() == {
        "matches": True,
        "digest_matches": True,
        "winners_match": True,
    }


def test_one_prize_per_person_even_with_more_prizes_than_people(campaign):
    body = make(campaign, prizes=[{"name": "A", "count": 4}, {"name": "B", "count": 4}]).json()

    users = [w["user"] for w in body["winners"]]
    assert len(users) == 5 and len(set(users)) == 5
    assert [w["prize"] for w in body["winners"]] == ["A", "A", "A", "A", "B"]


def test_eligibility_by_best_score_points_and_region(campaign):
    people = campaign.people
    assert make(campaign, eligibility={"min_best_score": 30}).json()["eligible_count"] == 1  # u1's a1
    body = make(campaign, eligibility={"min_points": 20}, prizes=[{"name": "A", "count": 9}]).json()
    assert sorted(w["user"] for w in body["winners"]) == sorted(
        u.pk for u in (people.u1, people.u2, people.u4, people.u5)
    )
    body = make(
        campaign, eligibility={"region": campaign.county_b.pk}, prizes=[{"name": "A", "count": 9}]
    ).json()
    assert sorted(w["user"] for w in body["winners"]) == sorted([people.u4.pk, people.u5.pk])


def test_public_pages_mask_names_and_units_admins_see_them(campaign):
    people = campaign.people
    for user, name in [
        (people.u1, "张三丰"),
        (people.u2, "李四"),
        (people.u3, "王"),
        (people.u4, "赵钱孙"),
        (people.u5, "周吴郑"),
    ]:
        user.display_name = name
        user.save()
    draw_id = make(campaign, prizes=[{"name": "A", "count": 5}]).json()["id"]

    public = api().get(f"/api/v1/draws/{draw_id}/").json()
    full = api(campaign.admin).get(f"/api/v1/draws/{draw_id}/").json()

    masked = {w["user"]: (w["name"], w["organization"]) for w in public["winners"]}
    assert masked[people.u1.pk] == ("张*丰", "A ****ol")  # "A School"
    assert masked[people.u2.pk][0] == "李*"
    assert masked[people.u3.pk] == ("*", "A **te")  # "A Site"
    assert {w["user"]: w["name"] for w in full["winners"]}[people.u1.pk] == "张三丰"
    listed = api(people.u1).get(f"/api/v1/competitions/{campaign.competition.pk}/draws/").json()
    assert [d["id"] for d in listed] == [draw_id]
    assert "张三丰" not in str(listed)


def test_the_exported_list_has_the_published_digest_and_text_stays_text(campaign):
    campaign.people.u2.display_name = '=HYPERLINK("http://x")'
    campaign.people.u2.save()
    draw_id = make(campaign).json()["id"]
    draw = Draw.objects.get(pk=draw_id)

    response = api(campaign.admin).get(f"/api/v1/draws/{draw_id}/export/")

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert hashlib.sha256("".join(f"{i}\n" for i in ids).encode()).hexdigest() == draw.eligible_digest
    names = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert names[campaign.people.u2.pk].data_type == "s"
    assert names[campaign.people.u2.pk].value == '=HYPERLINK("http://x")'
    assert api(campaign.organizer_a).get(f"/api/v1/draws/{draw_id}/export/").status_code == 403


def test_verify_detects_a_changed_list_and_a_draw_cannot_be_edited(campaign):
    draw = Draw.objects.get(pk=make(campaign).json()["id"])

    with pytest.raises(ValueError):
        draw.save()
    Draw.objects.filter(pk=draw.pk).update(eligible=draw.eligible[:-1])

    assert api().get(f"/api/v1/draws/{draw.pk}/verify/").json()["matches"] is False


def test_only_admins_make_draws_and_bad_bodies_are_400(campaign):
    url = f"/api/v1/competitions/{campaign.competition.pk}/draws/"
    body = {"title": "x", "prizes": [{"name": "A", "count": 1}], "seed": "1"}

    assert api(campaign.organizer_a).post(url, body, format="json").status_code == 403
    assert api().post(url, body, format="json").status_code == 401
    assert make(campaign, prizes=[{"name": "A", "count": 0}]).status_code == 400
    assert make(campaign, prizes=[{"name": "A", "count": 1}, {"name": "A", "count": 1}]).status_code == 400
    assert make(campaign, seed="").status_code == 400
    assert Draw.objects.count() == 0


def test_a_winner_sees_the_prize_on_the_home_page(campaign, client):
    body = make(campaign, prizes=[{"name": "一等奖", "count": 1}]).json()
    winner = next(u for u in vars(campaign.people).values() if u.pk == body["winners"][0]["user"])
    loser = next(u for u in vars(campaign.people).values() if u.pk != winner.pk)

    client.force_login(winner)
    assert (
        "恭喜！您在“Safety Month quiz”的抽奖“安全生产月抽奖”中获得一等奖。"
        in client.get("/").content.decode()
    )
    client.force_login(loser)
    assert "我的中奖信息" not in client.get("/").content.decode()


def page_client(user=None):
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_an_admin_makes_a_draw_on_the_campaign_page_and_lands_on_its_public_page(campaign):
    people = campaign.people
    url = f"/campaign/competitions/{campaign.competition.pk}/draws/"
    form = {
        "title": "页面抽奖",
        "seed": SEED,
        "prize_name": ["一等奖", "二等奖", "", "", ""],
        "prize_count": ["1", "2", "", "", ""],
        "min_best_score": "",
        "min_points": "20",
        "region": "",
    }

    response = page_client(campaign.admin).post(url, form)

    draw = Draw.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/draws/{draw.pk}/"
    assert (draw.title, draw.seed, draw.prizes, draw.eligibility) == (
        "页面抽奖",
        SEED,
        [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 2}],
        {"min_points": 20},
    )
    order = expected_order(SEED, sorted(u.pk for u in (people.u1, people.u2, people.u4, people.u5)))
    assert [(w["prize"], w["user"]) for w in draw.winners] == [
        ("一等奖", order[0]),
        ("二等奖", order[1]),
        ("二等奖", order[2]),
    ]
    listing = page_client(campaign.admin).get(url).content.decode()
    assert f'href="/draws/{draw.pk}/"' in listing
    assert f'href="/api/v1/draws/{draw.pk}/export/"' in listing


def test_the_draw_form_refuses_organizers_and_shows_the_services_errors(campaign):
    url = f"/campaign/competitions/{campaign.competition.pk}/draws/"
    form = {"title": "x", "seed": "1", "prize_name": ["A"], "prize_count": ["0"]}

    assert page_client(campaign.organizer_a).post(url, form).status_code == 403
    assert 'id="draw-form"' not in page_client(campaign.organizer_a).get(url).content.decode()
    refused = page_client(campaign.admin).post(url, form)

    assert refused.status_code == 400
    assert "每个奖项的数量至少为 1。" in refused.content.decode()
    assert 'value="x"' in refused.content.decode()  # what was typed stays
    nonsense = {**form, "prize_count": ["1"], "region": "abc", "min_points": "-1"}
    refused = page_client(campaign.admin).post(url, nonsense).content.decode()
    assert "地区不存在。" in refused
    assert "请输入 0 或以上的整数。" in refused
    assert Draw.objects.count() == 0


def test_the_public_page_shows_masked_winners_digest_seed_and_verifies(campaign):
    campaign.people.u1.display_name = "张三丰"
    campaign.people.u1.save()
    draw_id = make(campaign, prizes=[{"name": "A", "count": 5}]).json()["id"]
    draw = Draw.objects.get(pk=draw_id)

    html = page_client().get(f"/draws/{draw_id}/").content.decode()
    verified = page_client(campaign.people.u2).get(f"/draws/{draw_id}/?verify=1").content.decode()

    assert "<td>张*丰</td>" in html and "张三丰" not in html
    assert f'<code class="draw-digest" id="draw-digest">{draw.eligible_digest}</code>' in html
    assert f'<code id="draw-seed">{SEED}</code>' in html
    assert 'id="verify-result"' not in html and "draw-export" not in html
    assert 'data-matches="true"' in verified
    assert "一致：用冻结的名单和种子重新计算，得到的正是公布的中奖者。" in verified
    assert (
        f'href="/api/v1/draws/{draw_id}/export/"'
        in page_client(campaign.admin).get(f"/draws/{draw_id}/").content.decode()
    )
    Draw.objects.filter(pk=draw_id).update(eligible=draw.eligible[:-1])
    tampered = page_client().get(f"/draws/{draw_id}/?verify=1").content.decode()
    assert 'data-matches="false"' in tampered


def test_the_competition_page_and_the_winners_home_page_link_to_the_public_page(campaign):
    body = make(campaign, prizes=[{"name": "一等奖", "count": 1}]).json()
    winner = next(u for u in vars(campaign.people).values() if u.pk == body["winners"][0]["user"])

    competition_page = page_client().get(f"/competitions/{campaign.competition.pk}/").content.decode()
    home = page_client(winner).get("/").content.decode()

    assert f'<a href="/draws/{body["id"]}/">安全生产月抽奖</a>' in competition_page
    assert f'href="/draws/{body["id"]}/"' in home
    assert "/api/v1/draws/" not in home


def test_draws_of_a_draft_competition_are_only_for_admins(campaign):
    from campaign.selectors.draws import prizes_for_user
    from quiz.models import Competition

    body = make(campaign, prizes=[{"name": "A", "count": 1}]).json()
    winner = next(u for u in vars(campaign.people).values() if u.pk == body["winners"][0]["user"])
    Competition.objects.filter(pk=campaign.competition.pk).update(publication=Competition.Publication.DRAFT)
    draws_url = f"/api/v1/competitions/{campaign.competition.pk}/draws/"

    assert api(winner).get(draws_url).status_code == 404
    assert api().get(f"/api/v1/draws/{body['id']}/").status_code == 404
    assert api().get(f"/api/v1/draws/{body['id']}/verify/").status_code == 404
    assert page_client(winner).get(f"/draws/{body['id']}/").status_code == 404
    assert prizes_for_user(user=winner) == []
    assert [d["id"] for d in api(campaign.admin).get(draws_url).json()] == [body["id"]]
    assert page_client(campaign.admin).get(f"/draws/{body['id']}/").status_code == 200


def test_a_persons_prizes_are_read_in_one_query(campaign, django_assert_num_queries):
    from campaign.selectors.draws import prizes_for_user

    first = make(campaign, title="第一次", prizes=[{"name": "A", "count": 5}]).json()
    second = make(campaign, title="第二次", prizes=[{"name": "B", "count": 5}]).json()
    user = campaign.people.u3

    with django_assert_num_queries(1):
        prizes = prizes_for_user(user=user)

    assert prizes == [
        {"draw": second["id"], "title": "第二次", "competition": "Safety Month quiz", "prize": "B"},
        {"draw": first["id"], "title": "第一次", "competition": "Safety Month quiz", "prize": "A"},
    ]
