"""Auditable prize draws: freeze the eligible list, publish its digest, draw winners from list and seed.

The algorithm (also in docs/campaign.md), so that anyone holding the list and the seed can redo it:
1. The eligible list is the user ids of everyone with at least one submitted, non-practice attempt
   meeting the eligibility (best score, total points, region of the attempts), ascending.
2. Its digest is SHA-256 over the ids written in decimal, one per line, each line ending in "\n"
   (UTF-8): `sha256("17\n42\n108\n")`.
3. Every id gets the key HMAC-SHA256(key = seed as UTF-8, message = the id in decimal), in hex; people
   are ranked by key (then id, for the astronomically unlikely tie).
4. Prizes are handed out in the order given, `count` each, to the ranked people in order; one prize
   per person, so the first `sum(count)` people of the ranking win.
"""

import hashlib
import hmac
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from accounts.models import Region, User
from accounts.selectors import county_of
from campaign.models import Draw
from campaign.selectors.statistics import submitted_attempts
from core.exceptions import ApplicationError
from quiz.models import Competition

MAX_WINNERS = 10_000


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


def _validate(*, title: str, seed: str, prizes: list[dict], eligibility: dict) -> list[dict]:
    errors = []
    if not (title or "").strip():
        errors.append({"field": "title", "message": _("This field is required.")})
    if not (seed or "").strip():
        errors.append({"field": "seed", "message": _("This field is required.")})
    names = [str(prize.get("name", "")).strip() for prize in prizes]
    counts = [prize.get("count") for prize in prizes]
    if not prizes or any(not name for name in names) or len(set(names)) != len(names):
        errors.append({"field": "prizes", "message": _("Name each prize once.")})
    if (
        any(not isinstance(count, int) or count < 1 for count in counts)
        or sum(c for c in counts if isinstance(c, int)) > MAX_WINNERS
    ):
        errors.append({"field": "prizes", "message": _("Each prize needs a count of at least 1.")})
    for field in ("min_best_score", "min_points"):
        value = eligibility.get(field)
        if value is not None and (not isinstance(value, int) or value < 0):
            errors.append({"field": f"eligibility.{field}", "message": _("Enter a whole number, 0 or more.")})
    return errors


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


def draw_create(
    *,
    competition: Competition,
    created_by: User,
    title: str,
    seed: str,
    prizes: list[dict],
    eligibility: dict,
) -> Draw:
    """Make a draw: freeze the eligible list, publish its digest, and pick the winners. Admins only."""
    if not created_by.is_admin_role:
        raise ApplicationError(
            _("Only administrators may make a draw."),
            code="permission_denied",
        )
    eligibility = {k: v for k, v in (eligibility or {}).items() if v is not None}
    errors = _validate(title=title, seed=seed, prizes=prizes, eligibility=eligibility)
    if errors:
        raise ApplicationError(_("Please correct the highlighted fields."), errors=errors)
    prizes = [{"name": str(p["name"]).strip(), "count": p["count"]} for p in prizes]
    with transaction.atomic():
        people = eligible_people(competition=competition, eligibility=eligibility)
        ids = [person["user"] for person in people]
        by_id = {person["user"]: person for person in people}
        winners = [
            {"prize": prize, **by_id[uid]}
            for prize, uid in draw_winners(seed=seed, user_ids=ids, prizes=prizes)
        ]
        return Draw.objects.create(
            competition=competition,
            title=title.strip(),
            seed=seed,
            prizes=prizes,
            eligibility=eligibility,
            eligible=people,
            eligible_count=len(people),
            eligible_digest=eligible_digest(ids),
            winners=winners,
            created_by=created_by,
        )


def draw_verify(*, draw: Draw) -> dict[str, Any]:
    """Recompute digest and winners from the stored list and seed; `matches` when both agree."""
    ids = [person["user"] for person in draw.eligible]
    digest = eligible_digest(ids)
    winners = [uid for _prize, uid in draw_winners(seed=draw.seed, user_ids=ids, prizes=draw.prizes)]
    digest_ok = digest == draw.eligible_digest and ids == sorted(ids) and len(ids) == draw.eligible_count
    winners_ok = winners == [winner["user"] for winner in draw.winners]
    return {"matches": digest_ok and winners_ok, "digest_matches": digest_ok, "winners_match": winners_ok}
