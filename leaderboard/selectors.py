"""Reads of the live leaderboard: rankings, statistics scoped to the viewer, the timeline.

With Redis, rankings run no SQL (the caller's role comes from the already-authenticated user,
names are stored beside the figures). Statistics need the region tree with headcount targets,
which is cached in the process (leaderboard/catalog.py). If Redis does not answer, reads fall
back to the database store: slower, still exact.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, NotFound
from core.i18n import is_english, localized
from leaderboard.catalog import RegionCatalog, region_catalog
from leaderboard.store import (
    Counts,
    DatabaseStore,
    GroupKind,
    IndividualEntry,
    LeaderboardStore,
    LiveNumbers,
    StoreNotBuilt,
    StoreUnavailable,
    get_store,
)
from leaderboard.store.base import cumulative_timeline
from quiz.models import Competition

logger = logging.getLogger(__name__)

T = TypeVar("T")

SCOPES = ("individual", "region", "organization")
DEFAULT_LIMIT = 20
MAX_LIMIT = 200

_fallback_store = DatabaseStore()


def _not_found() -> ApplicationError:
    return NotFound(_("No such competition."))


def _read(competition_id: int, read: Callable[[LeaderboardStore], T]) -> T:
    """Run `read` on the store; on the database store if Redis does not hold the competition or is down.

    Reads never write: building the competition in Redis is the services' job (on the next
    recorded submission, or `leaderboard_catch_up` within seconds); meanwhile the database
    store answers, slower and exact.
    """
    store = get_store()
    if not store.reads_use_database:
        try:
            return read(store)
        except StoreNotBuilt:
            logger.info("Competition %s is not in the live store yet; reading the database", competition_id)
        except StoreUnavailable as exc:
            logger.warning(
                "Leaderboard store unavailable, reading competition %s from the database: %s",
                competition_id,
                exc,
            )
        store = _fallback_store
    if not Competition.objects.filter(pk=competition_id).exists():
        raise _not_found()
    return read(store)


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _individual_entry(rank: int, e: IndividualEntry) -> dict:
    """One row of the individual ranking, as the list and the viewer's own `me` show it."""
    return {
        "rank": rank,
        "id": e.user_id,
        "name": e.name,
        "points": e.points,
        "best_score": e.best_score,
        "attempts": e.attempts,
    }


def leaderboard_prefetch(*, competition_id: int, scope: str, limit: int) -> list:
    """The Redis read of a ranking, to send with the caller's token (core/tokens.py): one round trip
    for the request. None for the individual scope (the viewer's own line needs the viewer, known
    only then: its read is already one script) or without the Redis store."""
    store = get_store()
    if store.reads_use_database or scope == "individual":
        return []
    return [store.group_top_call(competition_id, _group_kind(scope), _clamped(limit))]


def _group_kind(scope: str) -> GroupKind:
    return "region" if scope == "region" else "organization"


def _clamped(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


def _first(prefetched: list | None):
    return prefetched[0] if prefetched else None


def leaderboard_get(
    *,
    competition_id: int,
    scope: str,
    limit: int,
    viewer_id: int | None = None,
    prefetched: list | None = None,
) -> dict:
    """The API body of a ranking: `{scope, updated_at, entries:[{rank, id, name, points, ...}]}`.

    For the individual scope, `me` is the viewer's own rank and figures (null if they have none).
    `prefetched`: the replies of `leaderboard_prefetch`'s reads for the same arguments.
    """
    limit = _clamped(limit)
    if scope == "individual":
        entries, updated, mine = _read(
            competition_id, lambda store: store.individual_board(competition_id, limit, viewer_id)
        )
        body = {
            "scope": scope,
            "updated_at": _iso(updated),
            "entries": [_individual_entry(rank, e) for rank, e in enumerate(entries, start=1)],
            "me": _individual_entry(*mine) if mine is not None else None,
        }
        return body

    kind = _group_kind(scope)
    groups, updated = _read(
        competition_id,
        lambda store: store.group_top(competition_id, kind, limit, prefetched=_first(prefetched)),
    )
    english = is_english()
    return {
        "scope": scope,
        "updated_at": _iso(updated),
        "entries": [
            {
                "rank": rank,
                "id": g.id,
                "name": localized(g.name_zh, g.name_en, english=english),
                "points": g.points,
                "participants": g.participants,
                "attempts": g.attempts,
            }
            for rank, g in enumerate(groups, start=1)
        ],
    }


# --- statistics, scoped to the viewer ------------------------------------------------------------


@dataclass(frozen=True)
class ViewerScope:
    """What part of the figures a viewer sees.

    `root_id` is the region whose subtree totals are shown (None: the whole competition, for
    admins); `listed_ids` are the regions broken down in `regions` (the counties in the subtree,
    or the scope region itself when it lies below county level).
    """

    root_id: int | None
    listed_ids: tuple[int, ...]

    @property
    def key(self) -> str:
        return f"{self.root_id}:{','.join(map(str, self.listed_ids))}"


def viewer_scope(*, user, catalog: RegionCatalog) -> ViewerScope | None:
    """The viewer's scope, or None when the viewer may not see statistics (participants).

    Uses only the authenticated user's own columns and the cached catalog: no SQL.
    """
    if not user or not user.is_authenticated:
        return None
    if user.is_admin_role:
        return ViewerScope(root_id=None, listed_ids=tuple(r.id for r in catalog.counties()))
    if user.is_organizer_role:
        root = catalog.regions.get(user.scope_region_id)
        if root is None:
            catalog = region_catalog(require=user.scope_region_id)
            root = catalog.regions.get(user.scope_region_id)
            if root is None:
                return ViewerScope(root_id=user.scope_region_id, listed_ids=())
        counties = [r.id for r in catalog.counties() if r.path.startswith(root.path)]
        return ViewerScope(root_id=root.id, listed_ids=tuple(counties) or (root.id,))
    return None


def statistics_scope(*, user, catalog: RegionCatalog) -> ViewerScope:
    """The viewer's scope for statistics; 403 `permission_denied` for anyone who may not see them."""
    scope = viewer_scope(user=user, catalog=catalog)
    if scope is None:
        raise ApplicationError(
            _("Only organizers and administrators see statistics."), code="permission_denied"
        )
    return scope


def _rate(participants: int, target: int) -> float | None:
    return round(participants / target, 4) if target else None


def stats_body(*, numbers: LiveNumbers, scope: ViewerScope, catalog: RegionCatalog) -> dict:
    """The `stats/` body (and the WebSocket's `stats` message) for one viewer: only its subtree.

    Region names are in the active language.
    """
    if scope.root_id is None:
        updated_at = numbers.updated_at
        totals = numbers.totals
        target = sum(
            catalog.regions[rid].headcount_target for rid in scope.listed_ids if rid in catalog.regions
        )
    else:
        # The scope's own last submission: another county's answers are not news to this viewer.
        updated_at = numbers.region_updated.get(scope.root_id)
        totals = numbers.regions.get(scope.root_id, Counts())
        root = catalog.regions.get(scope.root_id)
        target = root.headcount_target if root else 0
    regions = []
    english = is_english()
    for rid in scope.listed_ids:
        info = catalog.regions.get(rid)
        if info is None:
            continue
        counts = numbers.regions.get(rid, Counts())
        regions.append(
            {
                "id": rid,
                "code": info.code,
                "name": localized(info.name_zh, info.name_en, english=english),
                **counts.as_dict(),
                "headcount_target": info.headcount_target,
                "participation_rate": _rate(counts.participants, info.headcount_target),
            }
        )
    return {
        "competition": numbers.competition_id,
        "version": numbers.version,
        **totals.as_dict(),
        "headcount_target": target,
        "participation_rate": _rate(totals.participants, target),
        "updated_at": _iso(updated_at),
        "regions": regions,
    }


def live_numbers_get(*, competition_id: int, prefetched: list | None = None) -> LiveNumbers:
    """Every region's figures for one competition (scoping comes after, per viewer).

    `prefetched`: the replies of `stats_prefetch`'s reads."""
    return _read(
        competition_id, lambda store: store.live_numbers(competition_id, prefetched=_first(prefetched))
    )


def stats_prefetch(*, competition_id: int) -> list:
    """The Redis read of the statistics, to send with the caller's token (as `leaderboard_prefetch`)."""
    store = get_store()
    return [] if store.reads_use_database else [store.live_numbers_call(competition_id)]


def competition_stats_get(*, competition_id: int, user, prefetched: list | None = None) -> dict:
    """The API body of `stats/` for an organizer (its subtree) or an admin (everything).

    `prefetched`: the replies of `stats_prefetch`'s reads."""
    catalog = region_catalog()
    scope = statistics_scope(user=user, catalog=catalog)
    numbers = live_numbers_get(competition_id=competition_id, prefetched=prefetched)
    return stats_body(numbers=numbers, scope=scope, catalog=catalog)


def competition_timeline_get(*, competition_id: int, user) -> dict:
    """Participants and attempts over time, cumulative, for the viewer's subtree."""
    catalog = region_catalog()
    scope = statistics_scope(user=user, catalog=catalog)
    width = settings.LIVE_TIMELINE_BUCKET_SECONDS
    buckets = _read(competition_id, lambda store: store.timeline(competition_id, scope.root_id, width))
    points = cumulative_timeline(buckets, width)
    return {
        "bucket_seconds": width,
        "points": [
            {
                "at": _iso(datetime.fromtimestamp(p["t"], tz=UTC)),
                "participants": p["participants"],
                "attempts": p["attempts"],
            }
            for p in points
        ],
    }


@dataclass(frozen=True)
class LiveView:
    """What a dashboard socket needs to know about its viewer, computed once at connect."""

    competition_id: int
    scope: ViewerScope
    language: str


def live_view_get(*, competition_id: int, user, language: str) -> LiveView:
    """Check the competition exists and compute the viewer's scope (raises ApplicationError 404/403)."""
    if not Competition.objects.filter(pk=competition_id).exists():
        raise _not_found()
    scope = statistics_scope(user=user, catalog=region_catalog())
    return LiveView(competition_id=competition_id, scope=scope, language=language)


def dashboard_competition_list() -> list:
    """Competitions an organizer can watch: every non-practice one, the running ones first."""
    competitions = list(Competition.objects.filter(is_practice=False).order_by("-starts_at", "id"))
    order = {"open": 0, "upcoming": 1, "closed": 2, "draft": 3}
    return sorted(competitions, key=lambda c: order.get(c.status, 4))
