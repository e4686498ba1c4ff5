"""Reads for the citizen site's pages, built on the quiz and leaderboard selectors.

Everything here is read-only and scoped to the asking user. Rankings come from the leaderboard
app, so a page never disagrees with the leaderboard (or the API) it links to.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode

from accounts.models import Region, User
from accounts.selectors import county_of
from leaderboard.selectors import MAX_LIMIT, leaderboard_get
from quiz.models import Attempt, AttemptItem, Competition, Participation
from quiz.selectors import competitions as competition_selectors
from quiz.selectors import progress as progress_selectors


def competitions_for_site(*, user: User, now: datetime | None = None) -> list[tuple[Competition, str]]:
    """(competition, status) for every competition the user may see: open ones first (closing soonest
    first), then upcoming (opening soonest first), then closed (most recently closed first)."""
    now = now or timezone.now()
    rows = [(c, c.status_at(now)) for c in competition_selectors.competition_list(user=user)]

    def key(row: tuple[Competition, str]) -> tuple:
        competition, status = row
        if status == "open":
            return (0, competition.ends_at.timestamp(), competition.pk)
        if status == "upcoming":
            return (1, competition.starts_at.timestamp(), competition.pk)
        return (2 if status == "closed" else 3, -competition.ends_at.timestamp(), competition.pk)

    return sorted(rows, key=key)


def attempts_left_today(*, user: User, competition: Competition) -> int:
    """How many more attempts the daily quota allows the user today (Asia/Shanghai day)."""
    started = competition_selectors.attempts_started_today(user=user, competition_ids=[competition.pk])
    return competition_selectors.attempts_left_today(
        competition=competition, started_today=started.get(competition.pk, 0)
    )


def attempt_in_progress(
    *, user: User, competition: Competition, now: datetime | None = None
) -> Attempt | None:
    """The user's running attempt in the competition whose deadline has not passed, if any."""
    now = now or timezone.now()
    return (
        Attempt.objects.filter(
            user=user,
            competition=competition,
            kind=Attempt.Kind.COMPETITION,
            status=Attempt.Status.IN_PROGRESS,
            deadline__gt=now,
        )
        .order_by("-started_at")
        .first()
    )


def attempt_get_owned(*, user: User, attempt_id: int) -> Attempt | None:
    """One of the user's own attempts (with its competition), or None: nobody reads another's attempt here."""
    return (
        Attempt.objects.select_related("competition", "region", "user")
        .filter(pk=attempt_id, user=user)
        .first()
    )


def attempt_items(*, attempt: Attempt) -> QuerySet[AttemptItem]:
    """The questions of an attempt in the order shown."""
    return attempt.items.order_by("position")


@dataclass(frozen=True)
class Standing:
    """Where one participant stands in a competition (figures of the individual leaderboard)."""

    points: int
    best_score: int
    submitted_attempts: int
    rank: int | None
    participants: int


def participant_standing(*, user: User, competition: Competition) -> Standing:
    """The user's points, best score and rank (the leaderboard's rule: points, best score, who first)."""
    board = leaderboard_get(competition_id=competition.pk, scope="individual", limit=1, viewer_id=user.pk)
    participants = Participation.objects.filter(competition=competition, submitted_attempts__gt=0).count()
    me = board.get("me")
    if not me:
        return Standing(points=0, best_score=0, submitted_attempts=0, rank=None, participants=participants)
    return Standing(
        points=me["points"],
        best_score=me["best_score"],
        submitted_attempts=me["attempts"],
        rank=me["rank"],
        participants=participants,
    )


@dataclass(frozen=True)
class CountyStanding:
    name: str
    rank: int | None  # None: nobody of the county has answered yet
    counties: int
    points: int
    participants: int


def county_standing_of(*, user: User, competition: Competition) -> CountyStanding | None:
    """Where the user's county stands among all counties, or None for a user without a county."""
    if user.region_id is None:
        return None
    county = county_of(region=user.region)
    counties = Region.objects.filter(level=Region.Level.COUNTY).count()
    entries = leaderboard_get(competition_id=competition.pk, scope="region", limit=MAX_LIMIT)["entries"]
    mine = next((e for e in entries if e["id"] == county.pk), None)
    if mine is None:
        return CountyStanding(name=county.name, rank=None, counties=counties, points=0, participants=0)
    return CountyStanding(
        name=mine["name"],
        rank=mine["rank"],
        counties=counties,
        points=mine["points"],
        participants=mine["participants"],
    )


def _my_group_id(*, user: User | None, scope: str) -> int | None:
    if user is None:
        return None
    if scope == "individual":
        return user.pk
    if scope == "region":
        return county_of(region=user.region).pk if user.region_id else None
    return user.organization_id


def ranking(*, competition: Competition, scope: str, limit: int, user: User | None) -> dict:
    """One ranking for the page: the first `limit` entries with the viewer's own marked `is_me`,
    and the viewer's own entry (`mine`) even when it lies below them."""
    mine_id = _my_group_id(user=user, scope=scope)
    if scope == "individual":
        board = leaderboard_get(competition_id=competition.pk, scope=scope, limit=limit, viewer_id=mine_id)
        entries, mine = board["entries"], board.get("me")
    else:
        board = leaderboard_get(competition_id=competition.pk, scope=scope, limit=MAX_LIMIT)
        mine = next((e for e in board["entries"] if e["id"] == mine_id), None) if mine_id else None
        entries = board["entries"][:limit]
    for entry in entries:
        entry["is_me"] = mine_id is not None and entry["id"] == mine_id
    updated = parse_datetime(board["updated_at"]) if board.get("updated_at") else None
    return {
        "entries": entries,
        "mine": mine,
        "mine_listed": any(e["is_me"] for e in entries),
        "updated_at": updated,
    }


def topic_rows(categories: list[dict]) -> list[dict]:
    """Category rows with the link that practises each (the latest competition that asked it)."""
    rows = []
    for row in categories:
        link = None
        if row["category"] and row["competition"]:
            base = reverse("web:topic-practice", kwargs={"competition_id": row["competition"]})
            link = f"{base}?{urlencode({'category': row['category']})}"
        rows.append({**row, "percent": round((row["correct_rate"] or 0) * 100), "link": link})
    return rows


def competition_topics(*, competition) -> list[dict]:
    """The topics a competition's page offers to practise now, each with its link."""
    base = reverse("web:topic-practice", kwargs={"competition_id": competition.pk})
    return [
        {"category": category, "link": f"{base}?{urlencode({'category': category})}"}
        for category in progress_selectors.practisable_topics(competition=competition, now=timezone.now())
    ]
