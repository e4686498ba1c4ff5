"""The Redis leaderboard store: one competition's figures in a handful of keys.

Keys, under `<LEADERBOARD_KEY_PREFIX>:<competition id>:`
- `meta`   hash: `stamp` (which competition this is; test databases reuse ids), `built_at`.
           Missing means "not built": the next access rebuilds from the database.
- `ver`    integer bumped by every change: dashboards poll it (see leaderboard/live.py).
- `seen`   set of counted attempt ids: recording the same attempt twice changes nothing.
- `ind`    sorted set of participants. Score `-(points * 2**20 + best_score)`, member
           `<points_reached_at in ms, 13 digits>:<user id, 12 digits>`. Redis orders equal scores by
           member, so ZRANGE (ascending) is the ranking: points, best score, who got there first.
- `users`  hash user id -> JSON {m: member in `ind`, v: submitted attempts, n: name, p, b, r}: everybody
           with a counted attempt (it decides who is new in `tot`). `r` = 0: not ranked now (an
           organizer or admin, accounts.models.User.is_ranked): counted everywhere, absent from `ind`.
- `tot`    hash n (participants), a (attempts), p (points), u (last submission, epoch ms).
- `reg`    hash "<region id>:n|a|p|u" for every region node (a county and the prefecture above it);
          u = its last submission (epoch ms).
- `regz`   sorted set of county ids by points * 2**20 + participants (the region ranking).
- `ru`     set "<region id>:<user id>": who already counts as a participant of a region.
- `org`, `orgz`, `ou`: the same for units.
- `names`  hash "r:<id>" -> JSON [zh, en], "o:<id>" -> name: rankings read without SQL.
- `rk`     hash user id -> '1' / '0': a role change (`set_ranked`) of someone not in `users` yet.
           Their first recording takes it instead of its own `ranked` (read when the attempt was
           scored, perhaps before the change) and deletes it. For someone in `users` a recording
           keeps `r`: only `set_ranked` changes it.
- `tl:<node>` hash "<bucket start>:a|n" (attempts, new participants) per region node, 0 = all.

Recording a submission is ONE call of a Lua script (atomic, one round trip): the script checks the
stamp, SADDs the attempt id to `seen` (stop if already there), moves the participant in `ind`
(only forward: a late hook carrying an older Participation state is ignored; left out of it when
the person is not ranked now), increments the counters of the competition, of each region node and
of the unit, and bumps `ver`. A role change moves a person in or out of `ind` (`set_ranked`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.conf import settings

from core import redis as redis_client
from leaderboard.store.base import (
    PACK_BITS,
    PACK_MAX,
    CompetitionSnapshot,
    Counts,
    GroupEntry,
    GroupKind,
    IndividualEntry,
    LiveNumbers,
    StoreNotBuilt,
    StoreUnavailable,
    SubmissionRecord,
    bucket_of,
    reached_ms,
)

T = TypeVar("T")

_RECORD = """
local meta, seen, ver, ind, users, tot, reg, regz, ru, org, orgz, ou, names, rk =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13],
  KEYS[14]
if redis.call('HGET', meta, 'stamp') ~= ARGV[1] then return -1 end
if redis.call('SADD', seen, ARGV[2]) == 0 then return 0 end
local uid, name, score = ARGV[3], ARGV[4], tonumber(ARGV[5])
local ind_score, member, version = ARGV[6], ARGV[7], tonumber(ARGV[8])
local points, best, bucket, at_ms = tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11], tonumber(ARGV[12])
local county, org_id, org_name, nreg = ARGV[13], ARGV[14], ARGV[15], tonumber(ARGV[16])
local ranked = ARGV[#ARGV] == '1'
local pack = __PACK__
local function packed(p, n) return string.format('%.0f', p * pack + math.min(n, pack - 1)) end

local prev = redis.call('HGET', users, uid)
local newcomer = not prev
local apply = true
if prev then
  local p = cjson.decode(prev)
  -- Whether a known person is ranked changes through set_ranked only: `ranked` was read when the
  -- attempt was scored, and a role change committed since then has already been applied here.
  ranked = p.r ~= 0
  if tonumber(p.v) > version then apply = false elseif p.m ~= member or not ranked then redis.call('ZREM', ind, p.m) end
else
  local mark = redis.call('HGET', rk, uid)
  if mark then
    ranked = mark == '1'
    redis.call('HDEL', rk, uid)
  end
end
if apply then
  if ranked then redis.call('ZADD', ind, ind_score, member) end
  redis.call('HSET', users, uid, cjson.encode({m = member, v = version, n = name, p = points, b = best, r = ranked and 1 or 0}))
end

redis.call('HINCRBY', tot, 'a', 1)
redis.call('HINCRBY', tot, 'p', score)
if newcomer then redis.call('HINCRBY', tot, 'n', 1) end
if tonumber(redis.call('HGET', tot, 'u') or '0') < at_ms then redis.call('HSET', tot, 'u', at_ms) end
redis.call('HINCRBY', KEYS[15], bucket .. ':a', 1)
if newcomer then redis.call('HINCRBY', KEYS[15], bucket .. ':n', 1) end

for i = 1, nreg do
  local rid = ARGV[16 + i]
  redis.call('HINCRBY', reg, rid .. ':a', 1)
  redis.call('HINCRBY', reg, rid .. ':p', score)
  if tonumber(redis.call('HGET', reg, rid .. ':u') or '0') < at_ms then redis.call('HSET', reg, rid .. ':u', at_ms) end
  redis.call('HINCRBY', KEYS[15 + i], bucket .. ':a', 1)
  if redis.call('SADD', ru, rid .. ':' .. uid) == 1 then
    redis.call('HINCRBY', reg, rid .. ':n', 1)
    redis.call('HINCRBY', KEYS[15 + i], bucket .. ':n', 1)
  end
  redis.call('HSET', names, 'r:' .. rid, ARGV[16 + nreg + i])
end
if county ~= '' then
  local p = tonumber(redis.call('HGET', reg, county .. ':p') or '0')
  local n = tonumber(redis.call('HGET', reg, county .. ':n') or '0')
  redis.call('ZADD', regz, packed(p, n), county)
end
if org_id ~= '' then
  redis.call('HINCRBY', org, org_id .. ':a', 1)
  local p = redis.call('HINCRBY', org, org_id .. ':p', score)
  if redis.call('SADD', ou, org_id .. ':' .. uid) == 1 then redis.call('HINCRBY', org, org_id .. ':n', 1) end
  local n = tonumber(redis.call('HGET', org, org_id .. ':n') or '0')
  redis.call('ZADD', orgz, packed(p, n), org_id)
  redis.call('HSET', names, 'o:' .. org_id, org_name)
end
redis.call('INCR', ver)
return 1
""".replace("__PACK__", str(1 << PACK_BITS))

# KEYS meta, ind, users, ver, rk; ARGV user id, '1' ranked / '0' not. Returns -1 not built, 1 changed, 0 not.
# Someone not in `users` yet may have an attempt scored before the change and recorded after it:
# the mark in `rk` decides for that recording (_RECORD).
_SET_RANKED = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local prev = redis.call('HGET', KEYS[3], ARGV[1])
if not prev then
  redis.call('HSET', KEYS[5], ARGV[1], ARGV[2])
  return 0
end
local p = cjson.decode(prev)
local ranked = ARGV[2] == '1'
if (p.r ~= 0) == ranked then return 0 end
if ranked then
  local pack = __PACK__
  redis.call('ZADD', KEYS[2], '-' .. string.format('%.0f', p.p * pack + math.min(p.b, pack - 1)), p.m)
else
  redis.call('ZREM', KEYS[2], p.m)
end
p.r = ranked and 1 or 0
redis.call('HSET', KEYS[3], ARGV[1], cjson.encode(p))
redis.call('INCR', KEYS[4])
return 1
""".replace("__PACK__", str(1 << PACK_BITS))

# KEYS meta, seen; ARGV stamp, attempt ids: a flag per attempt id (none when another competition is built).
_RECORDED = """
if redis.call('HGET', KEYS[1], 'stamp') ~= ARGV[1] then return {} end
return redis.call('SMISMEMBER', KEYS[2], unpack(ARGV, 2))
"""

# The first ARGV[1] participants and, when ARGV[2] names one, that participant's rank and record:
# one round trip for a ranking read (the top and the viewer's own line).
_INDIVIDUAL_BOARD = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local updated = redis.call('HGET', KEYS[4], 'u') or '0'
local members = redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1)
local raws = {}
if #members > 0 then
  local ids = {}
  for i, m in ipairs(members) do ids[i] = tostring(tonumber(string.match(m, ':(%d+)$'))) end
  raws = redis.call('HMGET', KEYS[3], unpack(ids))
end
local mine = {}
if ARGV[2] ~= '' then
  local raw = redis.call('HGET', KEYS[3], ARGV[2])
  if raw then
    local rank = redis.call('ZRANK', KEYS[2], cjson.decode(raw).m)
    if rank then mine = {rank, raw} end
  end
end
return {updated, raws, mine}
"""

_POSITION = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local raw = redis.call('HGET', KEYS[3], ARGV[1])
if not raw then return {} end
local rank = redis.call('ZRANK', KEYS[2], cjson.decode(raw).m)
if not rank then return {} end
return {rank, raw}
"""

_GROUP_TOP = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local updated = redis.call('HGET', KEYS[5], 'u') or '0'
local ids = redis.call('ZREVRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1)
if #ids == 0 then return {updated, {}, {}, {}} end
local fields, labels = {}, {}
for i, id in ipairs(ids) do
  fields[#fields + 1] = id .. ':p'
  fields[#fields + 1] = id .. ':n'
  fields[#fields + 1] = id .. ':a'
  labels[i] = ARGV[2] .. id
end
return {updated, ids, redis.call('HMGET', KEYS[3], unpack(fields)), redis.call('HMGET', KEYS[4], unpack(labels))}
"""

_LIVE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return {redis.call('GET', KEYS[2]) or '0', redis.call('HGETALL', KEYS[3]), redis.call('HGETALL', KEYS[4])}
"""

_FIXED_KEYS = (
    "meta",
    "seen",
    "ver",
    "ind",
    "users",
    "tot",
    "reg",
    "regz",
    "ru",
    "org",
    "orgz",
    "ou",
    "names",
    "rk",
)


def _base(competition_id: int) -> str:
    return f"{settings.LEADERBOARD_KEY_PREFIX}:{competition_id}"


def keys_for(competition_id: int) -> dict[str, str]:
    base = _base(competition_id)
    return {name: f"{base}:{name}" for name in _FIXED_KEYS}


def _timeline_key(competition_id: int, node: int) -> str:
    return f"{_base(competition_id)}:tl:{node}"


def _member(reached_at: datetime | None, user_id: int) -> str:
    return f"{reached_ms(reached_at):013d}:{user_id:012d}"


def _individual_score(points: int, best_score: int) -> str:
    return str(-((points << PACK_BITS) + min(best_score, PACK_MAX)))


def _group_score(points: int, participants: int) -> str:
    return str((points << PACK_BITS) + min(participants, PACK_MAX))


def _call(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except redis_client.RedisError as exc:
        raise StoreUnavailable(str(exc)) from exc


def _reply(prefetched: Any) -> Any:
    """A script's reply read ahead (with the caller's token): a failure there is a failure here."""
    if isinstance(prefetched, redis_client.RedisError):
        raise StoreUnavailable(str(prefetched))
    return prefetched


def _from_ms(value: Any) -> datetime | None:
    if not value or value == "0":
        return None
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def _pairs(flat: list[str]) -> dict[str, str]:
    return dict(zip(flat[0::2], flat[1::2], strict=True))


class RedisStore:
    """Shared by every server process; reads run no SQL."""

    reads_use_database = False

    # --- writes -----------------------------------------------------------------------------------

    def record_submission(self, record: SubmissionRecord) -> bool:
        keys = keys_for(record.competition_id)
        cid = record.competition_id
        bucket = bucket_of(record.submitted_at, settings.LIVE_TIMELINE_BUCKET_SECONDS)
        args: list[Any] = [
            record.competition_stamp,
            record.attempt_id,
            record.user_id,
            record.user_name,
            record.score,
            _individual_score(record.points, record.best_score),
            _member(record.points_reached_at, record.user_id),
            record.submitted_attempts,
            record.points,
            record.best_score,
            bucket,
            int(record.submitted_at.timestamp() * 1000),
            record.county_id or "",
            record.organization_id or "",
            record.organization_name,
            len(record.region_ids),
            *record.region_ids,
            *(json.dumps(list(names), ensure_ascii=False) for names in record.region_names),
            "1" if record.ranked else "0",  # the script reads it as its last argument
        ]
        all_keys = [
            *(keys[name] for name in _FIXED_KEYS),
            _timeline_key(cid, 0),
            *(_timeline_key(cid, rid) for rid in record.region_ids),
        ]
        result = _call(lambda: redis_client.script(_RECORD)(keys=all_keys, args=args))
        if result == -1:
            raise StoreNotBuilt(cid)
        return result == 1

    def set_ranked(self, competition_id: int, user_id: int, ranked: bool) -> bool:
        """List or unlist one person with a counted attempt in the individual ranking (a role
        change); their attempts keep counting everywhere. False when nothing changed or the
        competition is not built (its rebuild reads the roles from the database)."""
        keys = keys_for(competition_id)
        result = _call(
            lambda: redis_client.script(_SET_RANKED)(
                keys=[keys["meta"], keys["ind"], keys["users"], keys["ver"], keys["rk"]],
                args=[user_id, "1" if ranked else "0"],
            )
        )
        return result == 1

    def recorded_attempts(self, competition_stamp: str, attempt_ids: list[int]) -> set[int]:
        """Which of these attempts the competition's figures hold (its `seen` set; none when it
        is not built, or built for another competition with the same id)."""
        if not attempt_ids:
            return set()
        keys = keys_for(int(competition_stamp.split(":", 1)[0]))
        flags = _call(
            lambda: redis_client.script(_RECORDED)(
                keys=[keys["meta"], keys["seen"]], args=[competition_stamp, *attempt_ids]
            )
        )
        return {attempt_id for attempt_id, flag in zip(attempt_ids, flags or [], strict=False) if flag}

    def replace(self, snapshot: CompetitionSnapshot) -> None:
        """Swap in the snapshot atomically (MULTI/EXEC): readers see the old or the new, never half."""
        cid = snapshot.competition_id
        keys = keys_for(cid)

        def run() -> None:
            client = redis_client.get_client()
            existing = list(client.scan_iter(match=f"{_base(cid)}:*", count=1000))
            old_version = int(client.get(keys["ver"]) or 0)
            pipe = client.pipeline(transaction=True)
            if existing:
                pipe.delete(*existing)
            self._write_snapshot(pipe, snapshot, keys)
            # Always a new value, also after Redis lost everything: dashboards then resend.
            pipe.set(keys["ver"], max(old_version + 1, int(time.time() * 1000)))
            pipe.hset(
                keys["meta"], mapping={"stamp": snapshot.competition_stamp, "built_at": int(time.time())}
            )
            pipe.execute()

        _call(run)

    @staticmethod
    def _write_snapshot(pipe, snapshot: CompetitionSnapshot, keys: dict[str, str]) -> None:
        chunk = 5000
        cid = snapshot.competition_id
        for start in range(0, len(snapshot.attempt_ids), chunk):
            pipe.sadd(keys["seen"], *snapshot.attempt_ids[start : start + chunk])
        for start in range(0, len(snapshot.individuals), chunk):
            rows = snapshot.individuals[start : start + chunk]
            ranked = {
                _member(r.points_reached_at, r.user_id): int(_individual_score(r.points, r.best_score))
                for r in rows
                if r.ranked
            }
            if ranked:
                pipe.zadd(keys["ind"], ranked)
            pipe.hset(
                keys["users"],
                mapping={
                    str(r.user_id): json.dumps(
                        {
                            "m": _member(r.points_reached_at, r.user_id),
                            "v": r.attempts,
                            "n": r.name,
                            "p": r.points,
                            "b": r.best_score,
                            "r": int(r.ranked),
                        },
                        ensure_ascii=False,
                    )
                    for r in rows
                },
            )
        totals = snapshot.totals
        tot = {"n": totals.participants, "a": totals.attempts, "p": totals.points}
        if snapshot.updated_at:
            tot["u"] = int(snapshot.updated_at.timestamp() * 1000)
        pipe.hset(keys["tot"], mapping=tot)
        names: dict[str, str] = {}
        if snapshot.regions:
            pipe.hset(
                keys["reg"],
                mapping={
                    **_group_fields(snapshot.regions),
                    **{f"{rid}:u": int(at.timestamp() * 1000) for rid, at in snapshot.region_updated.items()},
                },
            )
            names.update(
                {
                    f"r:{rid}": json.dumps(list(pair), ensure_ascii=False)
                    for rid, pair in snapshot.region_names.items()
                }
            )
        county_scores = {
            str(rid): int(_group_score(snapshot.regions[rid].points, snapshot.regions[rid].participants))
            for rid in snapshot.county_ids
            if rid in snapshot.regions
        }
        if county_scores:
            pipe.zadd(keys["regz"], county_scores)
        if snapshot.organizations:
            pipe.hset(keys["org"], mapping=_group_fields(snapshot.organizations))
            pipe.zadd(
                keys["orgz"],
                {
                    str(oid): int(_group_score(c.points, c.participants))
                    for oid, c in snapshot.organizations.items()
                },
            )
            names.update({f"o:{oid}": name for oid, name in snapshot.organization_names.items()})
        if names:
            pipe.hset(keys["names"], mapping=names)
        for key, pairs in (("ru", snapshot.region_users), ("ou", snapshot.organization_users)):
            members = [f"{gid}:{uid}" for gid, uid in pairs]
            for start in range(0, len(members), chunk):
                pipe.sadd(keys[key], *members[start : start + chunk])
        for node, buckets in snapshot.timeline.items():
            fields: dict[str, int] = {}
            for bucket, (attempts, newcomers) in buckets.items():
                fields[f"{bucket}:a"] = attempts
                if newcomers:
                    fields[f"{bucket}:n"] = newcomers
            if fields:
                pipe.hset(_timeline_key(cid, node), mapping=fields)

    # --- reads (no SQL) ---------------------------------------------------------------------------

    def version(self, competition_id: int) -> int | None:
        value = _call(lambda: redis_client.get_client().get(keys_for(competition_id)["ver"]))
        return None if value is None else int(value)

    def live_numbers_call(self, competition_id: int) -> redis_client.ScriptCall:
        """The read of `live_numbers`, to send ahead with other commands (core/redis.py get_with)."""
        keys = keys_for(competition_id)
        return redis_client.ScriptCall(_LIVE, (keys["meta"], keys["ver"], keys["tot"], keys["reg"]))

    def live_numbers(self, competition_id: int, prefetched: Any = None) -> LiveNumbers:
        if prefetched is not None:
            result = _reply(prefetched)
        else:
            result = _call(self.live_numbers_call(competition_id).run)
        if result == -1:
            raise StoreNotBuilt(competition_id)
        version, tot_flat, reg_flat = result
        tot = _pairs(tot_flat)
        regions: dict[int, list[int]] = {}
        region_updated: dict[int, datetime] = {}
        for field_name, value in _pairs(reg_flat).items():
            rid, _sep, kind = field_name.partition(":")
            if kind == "u":
                region_updated[int(rid)] = _from_ms(value)
                continue
            counts = regions.setdefault(int(rid), [0, 0, 0])
            counts["nap".index(kind)] = int(value)
        return LiveNumbers(
            competition_id=competition_id,
            version=int(version),
            updated_at=_from_ms(tot.get("u")),
            totals=Counts(int(tot.get("n", 0)), int(tot.get("a", 0)), int(tot.get("p", 0))),
            regions={rid: Counts(*c) for rid, c in regions.items()},
            region_updated=region_updated,
        )

    def individual_top(
        self, competition_id: int, limit: int
    ) -> tuple[list[IndividualEntry], datetime | None]:
        entries, updated, _mine = self.individual_board(competition_id, limit, None)
        return entries, updated

    def individual_board(
        self, competition_id: int, limit: int, viewer_id: int | None
    ) -> tuple[list[IndividualEntry], datetime | None, tuple[int, IndividualEntry] | None]:
        keys = keys_for(competition_id)
        result = _call(
            lambda: redis_client.script(_INDIVIDUAL_BOARD)(
                keys=[keys["meta"], keys["ind"], keys["users"], keys["tot"]],
                args=[max(1, limit), viewer_id or ""],
            )
        )
        if result == -1:
            raise StoreNotBuilt(competition_id)
        updated, raws, mine = result
        position = (int(mine[0]) + 1, _individual(mine[1])) if mine else None
        return _individuals(raws), _from_ms(updated), position

    def individual_position(self, competition_id: int, user_id: int) -> tuple[int, IndividualEntry] | None:
        keys = keys_for(competition_id)
        result = _call(
            lambda: redis_client.script(_POSITION)(
                keys=[keys["meta"], keys["ind"], keys["users"]], args=[user_id]
            )
        )
        if result == -1:
            raise StoreNotBuilt(competition_id)
        if not result:
            return None
        rank, raw = result
        return int(rank) + 1, _individual(raw)

    def group_top_call(self, competition_id: int, kind: GroupKind, limit: int) -> redis_client.ScriptCall:
        """The read of `group_top`, to send ahead with other commands (core/redis.py get_with)."""
        keys = keys_for(competition_id)
        zkey, hkey, label = ("regz", "reg", "r:") if kind == "region" else ("orgz", "org", "o:")
        return redis_client.ScriptCall(
            _GROUP_TOP,
            (keys["meta"], keys[zkey], keys[hkey], keys["names"], keys["tot"]),
            (max(1, limit), label),
        )

    def group_top(
        self, competition_id: int, kind: GroupKind, limit: int, prefetched: Any = None
    ) -> tuple[list[GroupEntry], datetime | None]:
        if prefetched is not None:
            result = _reply(prefetched)
        else:
            result = _call(self.group_top_call(competition_id, kind, limit).run)
        if result == -1:
            raise StoreNotBuilt(competition_id)
        updated, ids, values, labels = result
        entries = []
        for index, gid in enumerate(ids):
            points, participants, attempts = (int(v or 0) for v in values[3 * index : 3 * index + 3])
            raw_name = labels[index] or ""
            if kind == "region" and raw_name.startswith("["):
                name_zh, name_en = json.loads(raw_name)
            else:
                name_zh, name_en = raw_name, ""
            entries.append(
                GroupEntry(
                    id=int(gid),
                    name_zh=name_zh,
                    name_en=name_en,
                    points=points,
                    participants=participants,
                    attempts=attempts,
                )
            )
        return entries, _from_ms(updated)

    def timeline(
        self, competition_id: int, region_id: int | None, bucket_seconds: int
    ) -> list[tuple[int, int, int]]:
        def run() -> list:
            # With the `meta` check like every other read: after Redis lost its data the timeline is
            # rebuilt, not answered empty.
            pipe = redis_client.get_client().pipeline()
            pipe.exists(keys_for(competition_id)["meta"])
            pipe.hgetall(_timeline_key(competition_id, region_id or 0))
            return pipe.execute()

        built, flat = _call(run)
        if not built:
            raise StoreNotBuilt(competition_id)
        buckets: dict[int, list[int]] = {}
        for field_name, value in flat.items():
            start, _sep, kind = field_name.partition(":")
            pair = buckets.setdefault(int(start), [0, 0])
            pair[0 if kind == "a" else 1] = int(value)
        return [(start, pair[0], pair[1]) for start, pair in buckets.items()]

    def forget(self, competition_id: int) -> None:
        """Drop every key of a competition (tests, and a deleted competition)."""

        def run() -> None:
            client = redis_client.get_client()
            existing = list(client.scan_iter(match=f"{_base(competition_id)}:*", count=1000))
            if existing:
                client.delete(*existing)

        _call(run)


def _group_fields(groups: dict[int, Counts]) -> dict[str, int]:
    fields: dict[str, int] = {}
    for gid, counts in groups.items():
        fields[f"{gid}:n"] = counts.participants
        fields[f"{gid}:a"] = counts.attempts
        fields[f"{gid}:p"] = counts.points
    return fields


def _individuals(raws: list[str | None]) -> list[IndividualEntry]:
    """The records of a ranking's members, decoded in one `json.loads` for the whole list: one call
    per record was a tenth of an individual ranking read's CPU (BENCHMARKS.md, issue 16)."""
    present = [raw for raw in raws if raw]
    if not present:
        return []
    return [_entry(data) for data in json.loads("[" + ",".join(present) + "]")]


def _individual(raw: str) -> IndividualEntry:
    return _entry(json.loads(raw))


def _entry(data: dict) -> IndividualEntry:
    user_id = int(data["m"].rsplit(":", 1)[1])
    return IndividualEntry(
        user_id=user_id,
        name=data.get("n", ""),
        points=int(data["p"]),
        best_score=int(data["b"]),
        attempts=int(data["v"]),
    )
