"""The organizer dashboard pages: /dashboard/ (competitions) and /dashboard/competitions/<id>/ (live)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from leaderboard import selectors
from quiz.models import Competition


def _require_organizer(request: HttpRequest) -> None:
    user = request.user
    if not user.may_see_statistics:
        raise PermissionDenied(_("Only organizers and administrators see the dashboard."))


def _scope_label(user) -> str:
    if user.is_admin_role:
        return _("All regions")
    return str(user.scope_region)


@login_required
def dashboard_index(request: HttpRequest) -> HttpResponse:
    _require_organizer(request)
    return render(
        request,
        "leaderboard/dashboard_index.html",
        {"competitions": selectors.dashboard_competition_list(), "scope_label": _scope_label(request.user)},
    )


@login_required
def dashboard_competition(request: HttpRequest, competition_id: int) -> HttpResponse:
    _require_organizer(request)
    competition = Competition.objects.filter(pk=competition_id).first()
    if competition is None:
        raise Http404
    try:
        stats = selectors.competition_stats_get(competition_id=competition_id, user=request.user)
        timeline = selectors.competition_timeline_get(competition_id=competition_id, user=request.user)
    except ApplicationError as exc:
        raise Http404 from exc
    config = {
        "competitionId": competition.pk,
        "wsPath": f"/ws/competitions/{competition.pk}/live/?lang={get_language()}",
        "statsUrl": reverse("v1:leaderboard:competition-stats", args=[competition.pk]),
        "timelineUrl": reverse("v1:leaderboard:competition-timeline", args=[competition.pk]),
        "language": get_language(),
        "initial": stats,
        "timeline": timeline,
        "text": {
            "live": _("Live"),
            "connecting": _("Connecting…"),
            "reconnecting": _("Reconnecting…"),
            "paused": _("Live updates paused"),
            "refused": _("Live updates unavailable"),
            "participants": _("Participants"),
            "attempts": _("Attempts"),
            "points": _("Points"),
            "rate": _("Participation rate"),
            "updated": _("Updated"),
            "noTarget": _("no target"),
        },
    }
    return render(
        request,
        "leaderboard/dashboard.html",
        {
            "competition": competition,
            "stats": stats,
            "config": config,
            "scope_label": _scope_label(request.user),
        },
    )
