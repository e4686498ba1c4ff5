"""A ranking's query parameters: the direct reading of the usual query (leaderboard/apis.py,
`leaderboard_params`) accepts and refuses exactly what the input serializer does."""

import pytest
from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from leaderboard.apis import LeaderboardGetInputSerializer, leaderboard_params
from tests.factories import competition_with_bank

QUERIES = [
    "",
    "scope=individual",
    "scope=region",
    "scope=organization",
    "scope=",
    "limit=",
    "scope=&limit=",
    "limit=1",
    "limit=20",
    "limit=200",
    "limit=0200",
    "scope=region&limit=7",
    "scope=individual&scope=region",
    "scope=county&scope=organization",
    "scope=region&scope=county",
    "limit=5&limit=9",
    "limit=5&limit=abc",
    "scope=county",
    "scope=Individual",
    "scope=%20individual",
    "limit=0",
    "limit=201",
    "limit=100000",
    "limit=-3",
    "limit=%2B5",
    "limit=abc",
    "limit=20.0",
    "limit=20.5",
    "limit=%2020",
    "limit=20%20",
    "limit=2_0",
    "limit=%D9%A1%D9%A2",  # Arabic-Indic digits: int() reads them
    "limit=%C2%B2",  # a superscript two: isdigit() but no int
    "limit=" + "1" * 1001,
    "scope=county&limit=0",
    "other=1&limit=3",
]


def _serializer(query: QueryDict):
    params = LeaderboardGetInputSerializer(data=query)
    if not params.is_valid():
        return "error", params.errors
    return "ok", (params.validated_data["scope"], params.validated_data["limit"])


def _direct(query: QueryDict):
    try:
        return "ok", leaderboard_params(query)
    except ValidationError as exc:
        return "error", exc.detail


@pytest.mark.parametrize("raw", QUERIES)
def test_the_direct_reading_matches_the_serializer(raw):
    query = QueryDict(raw)
    expected = _serializer(query)
    got = _direct(query)
    assert got == expected
    if expected[0] == "error":  # same messages, same codes
        assert {k: [e.code for e in v] for k, v in got[1].items()} == {
            k: [e.code for e in v] for k, v in expected[1].items()
        }


def test_the_usual_query_does_not_build_the_serializer(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the serializer was built")

    monkeypatch.setattr(LeaderboardGetInputSerializer, "__init__", fail)
    assert leaderboard_params(QueryDict("scope=region&limit=20")) == ("region", 20)
    assert leaderboard_params(QueryDict("")) == ("individual", 20)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["scope=county&limit=0", "limit=abc", "limit=20.5"])
def test_a_bad_query_answers_the_documented_400(linxia, make_client, query):
    competition = competition_with_bank()
    response = make_client(linxia["admin"]).get(f"/api/v1/competitions/{competition.pk}/leaderboard/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    expected = _serializer(QueryDict(query))[1]
    assert [(e["field"], e["message"], e["code"]) for e in body["errors"]] == [
        (field, str(error), error.code) for field, errors in expected.items() for error in errors
    ]
