"""Auditable prize draws: freeze the eligible list, publish its digest, draw winners from list and seed.

The algorithm and its check (`draw_verify`) are reads and live in `campaign.selectors.draws`.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from campaign.models import Draw, DrawWinner
from campaign.selectors.draws import draw_winners, eligible_digest, eligible_people
from core.exceptions import ApplicationError
from quiz.models import Competition

MAX_WINNERS = 10_000


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
    region = eligibility.get("region")
    if region is not None and (not isinstance(region, int) or region < 1):
        errors.append({"field": "eligibility.region", "message": _("No such region.")})
    return errors


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
        draw = Draw.objects.create(
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
        DrawWinner.objects.bulk_create(
            DrawWinner(draw=draw, user_id=winner["user"], prize=winner["prize"], position=position)
            for position, winner in enumerate(winners)
        )
        return draw
