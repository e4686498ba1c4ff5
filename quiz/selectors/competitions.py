"""Reads of competitions: what a caller may see, and how many attempts each has left today."""

from datetime import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import NotFound
from quiz.models import Attempt, Competition
from quiz.services.attempts import quota_day


def _sees_drafts(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_admin_role or user.is_staff))


def competition_list(*, user) -> QuerySet[Competition]:
    """Competitions the caller may see, newest window first: everybody sees all but drafts; admins see drafts too."""
    qs = Competition.objects.all()
    if not _sees_drafts(user):
        qs = qs.exclude(publication=Competition.Publication.DRAFT)
    return qs


def competition_get(*, competition_id: int, user) -> Competition:
    """One competition the caller may see; a draft is a 404 for everybody but admins."""
    competition = competition_list(user=user).filter(pk=competition_id).first()
    if competition is None:
        raise NotFound(_("No such competition."))
    return competition


def attempts_started_today(
    *, user, competition_ids: list[int], now: datetime | None = None
) -> dict[int, int]:
    """Attempts the user started this Asia/Shanghai day, per competition (one query)."""
    if not (user and user.is_authenticated) or not competition_ids:
        return {}
    today = quota_day(now or timezone.now())
    rows = (
        Attempt.objects.filter(
            user=user, competition_id__in=competition_ids, day=today, kind=Attempt.Kind.COMPETITION
        )
        .values("competition_id")
        .annotate(n=Count("id"))
        .values_list("competition_id", "n")
    )
    return dict(rows)


def attempts_left_today(*, competition: Competition, started_today: int) -> int:
    return max(0, competition.attempts_per_day - started_today)
