"""Reads of prize draws: the algorithm and its check, who may win, the public (masked) and the admin
(full) view, and a person's prizes.

The algorithm (also in docs/campaign.md), so that anyone holding the list and the seed can redo it:
1. The eligible list is the user ids of everyone with at least one submitted, non-practice attempt
   meeting the eligibility (best score, total points, region of the attempts), ascending.
2. Its digest is SHA-256 over the ids written in decimal, one per line, each line ending in "\n"
   (UTF-8): `sha256("17\n42\n108\n")`.
3. Every id gets the key HMAC-SHA256(key = seed as UTF-8, message = the id in decimal), in hex; people
   are ranked by key (then id, for the astronomically unlikely tie).
4. Prizes are handed out in the order given, `count` each, to the ranked people in order; one prize
   per person, so the first `sum(count)` people of the ranking win.
`campaign.services.draws.draw_create` freezes (1) and stores (2)-(4); `draw_verify` redoes (2)-(4).
"""

import hashlib
import hmac
from typing import Any

from django.db.models import Max, QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.models import Region, User
from accounts.selectors import county_of
from campaign.models import Draw, DrawWinner
from campaign.selectors.statistics import submitted_attempts
from core.exceptions import ApplicationError, NotFound
from quiz.models import Competition


def eligible_digest(user_ids: list[int]) -> str:
    """SHA-256 (hex) of the ids, one per line, each line ending in a newline."""
    return hashlib.sha256("".join(f"{uid}\n" for uid in user_ids).encode("utf-8")).hexdigest()


def draw_key(*, seed: str, user_id: int) -> str:
    """HMAC-SHA256(seed, user id in decimal), hex: a person's place in the draw's ranking."""
    return hmac.new(seed.encode("utf-8"), str(user_id).encode("ascii"), hashlib.sha256).hexdigest()


def draw_ranking(*, seed: str, user_ids: list[int]) -> list[int]:
    """The eligible people in draw order."""
    return sorted(user_ids, key=lambda uid: (draw_key(seed=seed, user_id=uid), uid))


def draw_winners(*, seed: str, user_ids: list[int], prizes: list[dict]) -> list[tuple[str, int]]:
    """(prize name, user id) pairs: prizes in the order given, each to the next ranked person."""
    ranking = iter(draw_ranking(seed=seed, user_ids=user_ids))
    winners = []
    for prize in prizes:
        for _n in range(prize["count"]):
            user_id = next(ranking, None)
            if user_id is None:
                return winners
            winners.append((prize["name"], user_id))
    return winners


def eligible_people(*, competition: Competition, eligibility: dict) -> list[dict[str, Any]]:
    """Who may win, ordered by user id, with what the public list shows of them (name, county, unit)."""
    region = None
    if eligibility.get("region"):
        region = Region.objects.filter(pk=eligibility["region"]).first()
        if region is None:
            raise ApplicationError(
                _("No such region."),
                errors=[{"field": "eligibility.region", "message": _("No such region.")}],
            )
    rows = (
        submitted_attempts(competition=competition, region=region)
        .values("user")
        .annotate(best=Max("score"), points=Sum("score"))
    )
    if eligibility.get("min_best_score") is not None:
        rows = rows.filter(best__gte=eligibility["min_best_score"])
    if eligibility.get("min_points") is not None:
        rows = rows.filter(points__gte=eligibility["min_points"])
    ids = sorted(row["user"] for row in rows)
    users = User.objects.select_related("region", "organization").in_bulk(ids)
    people = []
    for uid in ids:
        user = users[uid]
        people.append(
            {
                "user": uid,
                "name": user.display_name or user.username,
                "region": county_of(region=user.region).name if user.region_id else "",
                "organization": user.organization.name if user.organization_id else "",
            }
        )
    return people


def draw_verify(*, draw: Draw) -> dict[str, Any]:
    """Recompute digest and winners from the stored list and seed; `matches` when both agree."""
    ids = [person["user"] for person in draw.eligible]
    digest = eligible_digest(ids)
    winners = [uid for _prize, uid in draw_winners(seed=draw.seed, user_ids=ids, prizes=draw.prizes)]
    digest_ok = digest == draw.eligible_digest and ids == sorted(ids) and len(ids) == draw.eligible_count
    winners_ok = winners == [winner["user"] for winner in draw.winners]
    return {"matches": digest_ok and winners_ok, "digest_matches": digest_ok, "winners_match": winners_ok}


def mask_name(name: str) -> str:
    """张三丰 -> 张*丰, 张三 -> 张*, 王 -> *: enough for a winner to recognise, not to identify a stranger."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_unit(name: str) -> str:
    """临夏县应急管理局 -> 临夏**理局: the first two and last two characters of a long unit name."""
    if len(name) <= 4:
        return mask_name(name)
    return name[:2] + "*" * (len(name) - 4) + name[-2:]


def _sees_drafts(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_admin_role)


def draws_visible_to(*, user: User | None) -> QuerySet[Draw]:
    """Every draw for admins; for anyone else only draws of competitions that are not drafts
    (a draft competition is a 404 for them, so are its draws)."""
    draws = Draw.objects.select_related("competition")
    if not _sees_drafts(user):
        draws = draws.exclude(competition__publication=Competition.Publication.DRAFT)
    return draws


def draw_list(*, competition: Competition, user: User | None) -> QuerySet[Draw]:
    """The competition's draws the caller may see, newest first."""
    return draws_visible_to(user=user).filter(competition=competition)


def draw_get(*, draw_id: int, user: User | None) -> Draw:
    """One draw the caller may see, or 404."""
    draw = draws_visible_to(user=user).filter(pk=draw_id).first()
    if draw is None:
        raise NotFound(_("No such draw."))
    return draw


def draw_payload(*, draw: Draw, viewer: User | None) -> dict[str, Any]:
    """A draw as docs/api.md shows it: names and units masked for anyone but admins."""
    full = bool(viewer and viewer.is_authenticated and viewer.is_admin_role)
    winners = [
        {
            "prize": winner["prize"],
            "user": winner["user"],
            "name": winner["name"] if full else mask_name(winner["name"]),
            "region": winner["region"],
            "organization": winner["organization"] if full else mask_unit(winner["organization"]),
        }
        for winner in draw.winners
    ]
    return {
        "id": draw.pk,
        "competition": {"id": draw.competition_id, "title": draw.competition.title},
        "title": draw.title,
        "seed": draw.seed,
        "prizes": draw.prizes,
        "eligibility": draw.eligibility,
        "eligible_count": draw.eligible_count,
        "eligible_digest": draw.eligible_digest,
        "created_at": draw.created_at,
        "winners": winners,
    }


def prizes_for_user(*, user: User | None) -> list[dict[str, Any]]:
    """The prizes a person won, newest draw first (for their home page): one query."""
    if not user or not user.is_authenticated:
        return []
    rows = DrawWinner.objects.filter(user=user).select_related("draw__competition")
    if not _sees_drafts(user):
        rows = rows.exclude(draw__competition__publication=Competition.Publication.DRAFT)
    return [
        {
            "draw": row.draw_id,
            "title": row.draw.title,
            "competition": row.draw.competition.title,
            "prize": row.prize,
        }
        for row in rows.order_by("-draw__created_at", "-draw_id")
    ]
