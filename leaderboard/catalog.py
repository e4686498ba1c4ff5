"""The region tree with headcount targets, cached in the process.

Regions and units change a few times a campaign, while the live side needs them on every
submission and every broadcast. Keeping the tree in memory lets the leaderboard reads and the
per-dashboard scoping run without SQL. The cache is dropped when a region or unit is saved in
this process (signals in apps.py) and otherwise lives `CATALOG_TTL_SECONDS`, so edits made by
another process show within a minute.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.db.models import Sum

from accounts.models import Organization, Region
from core.i18n import localized

CATALOG_TTL_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class RegionInfo:
    id: int
    code: str
    name_zh: str
    name_en: str
    level: str
    parent_id: int | None
    path: str
    # Sum of the headcount targets of the active units in this region and every region below it.
    headcount_target: int

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)


@dataclass(frozen=True)
class RegionCatalog:
    regions: dict[int, RegionInfo]
    loaded_at: float = field(default_factory=time.monotonic)

    def ancestors(self, region_id: int) -> tuple[int, ...]:
        """The region and every region above it, root first; empty for an unknown id."""
        chain: list[int] = []
        node = self.regions.get(region_id)
        while node is not None:
            chain.append(node.id)
            node = self.regions.get(node.parent_id) if node.parent_id else None
        return tuple(reversed(chain))

    def county_of(self, region_id: int) -> int | None:
        """The county-level region at or above `region_id` (what the region ranking ranks)."""
        for rid in reversed(self.ancestors(region_id)):
            if self.regions[rid].level == "county":
                return rid
        return None

    def subtree(self, region_id: int) -> list[RegionInfo]:
        root = self.regions.get(region_id)
        if root is None:
            return []
        return [r for r in self.regions.values() if r.path.startswith(root.path)]

    def counties(self) -> list[RegionInfo]:
        return sorted((r for r in self.regions.values() if r.level == "county"), key=lambda r: r.path)


_lock = threading.Lock()
_cached: RegionCatalog | None = None


def _load() -> RegionCatalog:
    rows = list(
        Region.objects.values("id", "code", "name_zh", "name_en", "level", "parent_id", "path", "sort_order")
    )
    own_target = {
        row["region_id"]: row["total"] or 0
        for row in Organization.objects.filter(is_active=True)
        .values("region_id")
        .annotate(total=Sum("headcount_target"))
    }
    by_path = {row["path"]: row for row in rows}
    subtree_target = {row["id"]: 0 for row in rows}
    for row in rows:
        target = own_target.get(row["id"], 0)
        if not target:
            continue
        # Add the unit targets to the region and to every ancestor (found by path prefix).
        parts = [p for p in row["path"].split("/") if p]
        for depth in range(1, len(parts) + 1):
            ancestor = by_path.get("/" + "/".join(parts[:depth]) + "/")
            if ancestor is not None:
                subtree_target[ancestor["id"]] += target
    regions = {
        row["id"]: RegionInfo(
            id=row["id"],
            code=row["code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            level=row["level"],
            parent_id=row["parent_id"],
            path=row["path"],
            headcount_target=subtree_target[row["id"]],
        )
        for row in sorted(rows, key=lambda r: (r["path"], r["sort_order"]))
    }
    return RegionCatalog(regions=regions)


def region_catalog(*, require: int | None = None) -> RegionCatalog:
    """The cached catalog, reloaded when stale or when it lacks region `require` (just created)."""
    global _cached
    catalog = _cached
    fresh = catalog is not None and time.monotonic() - catalog.loaded_at < CATALOG_TTL_SECONDS
    if fresh and (require is None or require in catalog.regions):
        return catalog
    with _lock:
        catalog = _load()
        _cached = catalog
        return catalog


def cached_region_catalog() -> RegionCatalog | None:
    """The catalog if one is loaded, however old, without touching the database."""
    return _cached


def invalidate_region_catalog(**_kwargs) -> None:
    global _cached
    _cached = None
