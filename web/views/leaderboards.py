"""Leaderboards of one competition: individuals, counties, units, with the viewer's own row marked."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import pgettext

from web import selectors
from web.views.competitions import _get_competition

SCOPES = ("individual", "region", "organization")
SHOWN = 50


def leaderboard(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = _get_competition(request, competition_id)
    scope = request.GET.get("scope") if request.GET.get("scope") in SCOPES else "individual"
    user = request.user if request.user.is_authenticated else None
    board = selectors.ranking(competition=competition, scope=scope, limit=SHOWN, user=user)
    tabs = [
        ("individual", pgettext("leaderboard tab", "Individuals")),
        ("region", pgettext("leaderboard tab", "Counties")),
        ("organization", pgettext("leaderboard tab", "Units")),
    ]
    return render(
        request,
        "web/leaderboard.html",
        {"competition": competition, "scope": scope, "tabs": tabs, "board": board},
    )
