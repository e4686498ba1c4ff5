"""Reads of competitions: what a caller may see, and how many attempts each has left today."""

from datetime import datetime
from functools import cache

from django.db import connection
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
    competition = _competition_by_id(competition_id)
    if competition is None or (
        competition.publication == Competition.Publication.DRAFT and not _sees_drafts(user)
    ):
        raise NotFound(_("No such competition."))
    return competition


@cache
def _competition_select() -> tuple[str, list[str], list]:
    """The raw SELECT of one competition by id, its fields' names, and the fields that convert what
    the database returns (JSONField.from_db_value)."""
    fields = Competition._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = f"SELECT {columns} FROM {connection.ops.quote_name(Competition._meta.db_table)} WHERE id = %s"  # noqa: S608
    return (
        sql,
        [field.attname for field in fields],
        [getattr(field, "from_db_value", None) for field in fields],
    )


def _competition_by_id(competition_id: int) -> Competition | None:
    """The competition, loaded as the ORM loads it. On PostgreSQL one raw SELECT: building the ORM's
    query cost the start of an attempt (the hottest caller) more than the query itself, measured."""
    if connection.vendor != "postgresql":
        return Competition.objects.filter(pk=competition_id).first()
    if not 0 < competition_id < 2**63:  # no such id (as the ORM answers), rather than a bigint error
        return None
    sql, names, converters = _competition_select()
    with connection.cursor() as cursor:
        cursor.execute(sql, [competition_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = [
        value if convert is None or value is None else convert(value, None, connection)
        for value, convert in zip(row, converters, strict=True)
    ]
    return Competition.from_db(connection.alias, names, values)


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
