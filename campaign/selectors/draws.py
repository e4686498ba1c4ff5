"""Reads of prize draws: the public (masked) and the admin (full) view, and a person's prizes."""

from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from campaign.models import Draw
from quiz.models import Competition


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


def draw_list(*, competition: Competition) -> QuerySet[Draw]:
    return Draw.objects.filter(competition=competition).select_related("competition")


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


def prizes_for_user(*, user: User) -> list[dict[str, Any]]:
    """The prizes a person won, newest draw first (for their home page)."""
    if not user or not user.is_authenticated:
        return []
    won = []
    for draw in Draw.objects.select_related("competition").order_by("-created_at", "-id"):
        for winner in draw.winners:
            if winner["user"] == user.pk:
                won.append(
                    {
                        "draw": draw.pk,
                        "title": draw.title,
                        "competition": draw.competition.title,
                        "prize": winner["prize"],
                    }
                )
    return won
