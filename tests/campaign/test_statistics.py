"""Participation statistics on the fixture campaign (tests/campaign/conftest.py), worked out by hand."""

import pytest

from campaign.selectors import competition_statistics

pytestmark = pytest.mark.django_db

FIGURES = (
    "participants",
    "attempts",
    "points",
    "average_score",
    "best_score",
    "headcount_target",
    "participation_rate",
)


def figures(row: dict) -> tuple:
    return tuple(row[f] for f in FIGURES)


def stats(campaign, by: str, scope=None) -> dict:
    return competition_statistics(competition=campaign.competition, scope=scope, by=by)


def test_totals_count_submitted_non_practice_attempts_only(campaign):
    totals = stats(campaign, "county")["totals"]

    # people u1..u5 = 5; attempts a1..a6 = 6 (practice and unfinished left out);
    # points 30+10+20+0+20+20 = 100; average 100/6 = 16.67; best 30;
    # target 4+5+11+2+3 = 25; rate 5/25 = 0.2; 5 active units.
    assert figures(totals) == (5, 6, 100, 16.67, 30, 25, 0.2)
    assert totals["units"] == 5


def test_by_county_rolls_townships_up_and_sums_unit_targets(campaign):
    rows = stats(campaign, "county")["rows"]

    assert [r["name"] for r in rows] == ["甲县", "乙县"]
    a, b = rows
    # A: u1, u2, u3 (u3 registered in A town, below A) = 3; a1..a4 = 4 attempts;
    # points 30+10+20+0 = 60; average 60/4 = 15.0; best 30; target 4+5+11 = 20; rate 3/20 = 0.15.
    assert figures(a) == (3, 4, 60, 15.0, 30, 20, 0.15)
    assert a["units"] == 3
    # B: u4, u5 = 2; a5, a6 = 2; points 20+20 = 40; average 20.0; best 20; target 2+3 = 5; 2/5 = 0.4.
    assert figures(b) == (2, 2, 40, 20.0, 20, 5, 0.4)


def test_by_organization_lists_every_unit_with_its_rate(campaign):
    rows = {r["name"]: r for r in stats(campaign, "organization")["rows"]}

    # A School: u1, u2; a1, a2, a3; 30+10+20 = 60; 60/3 = 20.0; best 30; 2/4 = 0.5.
    assert figures(rows["A School"]) == (2, 3, 60, 20.0, 30, 4, 0.5)
    # A Site: u3; a4 scored 0; 1/5 = 0.2. Its county is A although it sits in A town.
    assert figures(rows["A Site"]) == (1, 1, 0, 0.0, 0, 5, 0.2)
    assert rows["A Site"]["county"]["name"] == "甲县"
    # Nobody from A Office or B Depot answered: zeros, no average, rate 0.
    assert figures(rows["A Office"]) == (0, 0, 0, None, 0, 11, 0.0)
    assert figures(rows["B Depot"]) == (0, 0, 0, None, 0, 3, 0.0)
    # B School: u4, u5; a5, a6; 20+20 = 40; 20.0; best 20; 2/2 = 1.0.
    assert figures(rows["B School"]) == (2, 2, 40, 20.0, 20, 2, 1.0)


def test_by_industry_uses_the_attempts_industry_and_unit_targets(campaign):
    rows = {r["code"]: r for r in stats(campaign, "industry")["rows"]}

    # education attempts: a1, a2, a3 (u1, u2), a5 (u4) -> 3 people, 4 attempts, 30+10+20+20 = 80,
    # 80/4 = 20.0, best 30; target of education units 4 + 11 + 2 = 17; 3/17 = 0.17647 -> 0.1765.
    assert figures(rows["edu"]) == (3, 4, 80, 20.0, 30, 17, 0.1765)
    # construction: a4 (u3), a6 (u5, whose own industry is construction though B School is education)
    # -> 2 people, 2 attempts, 0+20 = 20, 10.0, best 20; target A Site 5 + B Depot 3 = 8; 2/8 = 0.25.
    assert figures(rows["build"]) == (2, 2, 20, 10.0, 20, 8, 0.25)


def test_by_day_gives_the_trend_with_new_and_cumulative_participants(campaign):
    rows = stats(campaign, "day")["rows"]
    d0, d1, d2, today = campaign.days

    assert [r["day"] for r in rows] == [d.isoformat() for d in (d0, d1, d2, today)]
    trend = [
        (
            r["participants"],
            r["new_participants"],
            r["cumulative_participants"],
            r["cumulative_rate"],
            r["attempts"],
            r["points"],
            r["average_score"],
        )
        for r in rows
    ]
    assert trend == [
        # d0: a1 (u1) 30, a5 (u4) 20 -> 2 people, both new; cumulative 2/25 = 0.08; average 50/2 = 25.0
        (2, 2, 2, 0.08, 2, 50, 25.0),
        # d1: a2 (u1 again) 10, a3 (u2, new) 20 -> 1 new; cumulative 3/25 = 0.12; average 15.0
        (2, 1, 3, 0.12, 2, 30, 15.0),
        # d2: a4 (u3) 0, a6 (u5) 20 -> 2 new; cumulative 5/25 = 0.2; average 10.0
        (2, 2, 5, 0.2, 2, 20, 10.0),
        # today: nothing yet; the running total stays
        (0, 0, 5, 0.2, 0, 0, None),
    ]


def test_organizer_scope_limits_every_grouping_to_its_county(campaign):
    body = stats(campaign, "organization", scope=campaign.county_a)

    assert [r["name"] for r in body["rows"]] == ["A Office", "A School", "A Site"]
    # A only: 3 people, 4 attempts, 60 points, target 20, 3/20 = 0.15.
    assert figures(body["totals"]) == (3, 4, 60, 15.0, 30, 20, 0.15)
    assert [r["name"] for r in stats(campaign, "county", scope=campaign.county_a)["rows"]] == ["甲县"]
    # by day in B: d0 a5 (u4), d2 a6 (u5); cumulative over B's target 5.
    days = stats(campaign, "day", scope=campaign.county_b)["rows"]
    assert [(r["participants"], r["cumulative_participants"], r["cumulative_rate"]) for r in days] == [
        (1, 1, 0.2),
        (0, 1, 0.2),
        (1, 2, 0.4),
        (0, 2, 0.4),
    ]


def test_statistics_take_a_handful_of_queries_whatever_the_rows(campaign, django_assert_max_num_queries):
    for by in ("county", "organization", "industry", "day"):
        with django_assert_max_num_queries(6):
            stats(campaign, by)
