"""Seed the benchmark's scratch database quickly: bulk inserts, one password hash for everyone.

Run by bench/run.py with the production settings and the scratch DATABASE_URL:
`python -m bench.seed --users 20000 --questions 300 --admins 20 --out tokens.json`.
Writes {"competition": id, "participants": [token...], "admins": [token...]} to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.demo import seed_industries, seed_regions, seed_units  # noqa: E402
from accounts.models import Industry, Organization, Region, User  # noqa: E402
from quiz.models import Competition, Question, QuestionBank  # noqa: E402

BATCH = 5000
CATEGORIES = ["消防安全", "交通安全", "危险化学品", "建筑施工", "用电安全", "应急避险"]


def _questions(bank: QuestionBank, count: int, rng: random.Random) -> list[Question]:
    questions = []
    for number in range(count):
        kind = ("single", "single", "multiple", "judge")[number % 4]
        if kind == "judge":
            options, answer = [], rng.choice("AB")
        else:
            options = [f"第{number}题选项{letter}：安全生产相关表述{letter}" for letter in "ABCD"]
            answer = "".join(sorted(rng.sample("ABCD", 2))) if kind == "multiple" else rng.choice("ABCD")
        stem = f"第{number}题：根据《安全生产法》，下列关于生产经营单位安全管理的说法，正确的是（ ）。"
        question = Question(
            bank=bank,
            type=kind,
            stem=stem,
            options=options,
            answer=answer,
            explanation=f"第{number}题解析：依据相关法规条款。",
            category=CATEGORIES[number % len(CATEGORIES)],
            difficulty=1 + number % 5,
        )
        # bulk_create does not call save(), which computes the identity.
        question.fingerprint = Question.compute_fingerprint(stem, options)
        questions.append(question)
    return questions


def _bulk_users(
    prefix: str, count: int, role: str, password_hash: str, units: list[Organization], rng
) -> list[str]:
    """Create `count` users and their tokens in batches; returns the token keys in creation order."""
    keys: list[str] = []
    for start in range(0, count, BATCH):
        batch = []
        for number in range(start, min(start + BATCH, count)):
            unit = rng.choice(units)
            is_admin = role == User.Role.ADMIN
            batch.append(
                User(
                    username=f"{prefix}{number:06d}",
                    password=password_hash,
                    display_name=f"压测{prefix}{number}",
                    role=role,
                    is_staff=is_admin,
                    region_id=None if is_admin else unit.region_id,
                    organization_id=None if is_admin else unit.pk,
                    industry_id=None if is_admin else unit.industry_id,
                )
            )
        created = User.objects.bulk_create(batch, batch_size=BATCH)
        tokens = [Token(key=secrets.token_hex(20), user_id=user.pk) for user in created]
        Token.objects.bulk_create(tokens, batch_size=BATCH)
        keys.extend(token.key for token in tokens)
    return keys


@transaction.atomic
def seed(*, users: int, questions: int, admins: int, units_per_county: int, seed_value: int = 8) -> dict:
    """Regions, units, users with tokens, one bank and one open competition."""
    rng = random.Random(seed_value)
    counties = seed_regions()
    seed_industries()
    seed_units(counties)
    industries = list(Industry.objects.all())
    extra_units = [
        Organization(
            name=f"{county.name_zh}压测单位{number:03d}",
            region=county,
            industry=industries[number % len(industries)],
            headcount_target=rng.randint(20, 400),
        )
        for county in counties
        for number in range(units_per_county)
    ]
    Organization.objects.bulk_create(extra_units, batch_size=BATCH, ignore_conflicts=True)
    units = list(Organization.objects.filter(region__in=counties))

    password_hash = make_password(secrets.token_urlsafe(16))
    participant_tokens = _bulk_users("bench_u", users, User.Role.PARTICIPANT, password_hash, units, rng)
    admin_tokens = _bulk_users("bench_admin", admins, User.Role.ADMIN, password_hash, units, rng)

    bank = QuestionBank.objects.create(name=f"压测题库 {timezone.now():%Y%m%d%H%M%S}")
    Question.objects.bulk_create(_questions(bank, questions, rng), batch_size=BATCH)
    now = timezone.now()
    competition = Competition.objects.create(
        title="压测竞赛 (benchmark)",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=2),
        questions_per_attempt=10,
        time_limit_seconds=900,
        # The harness cycles every user several times in a run; the quota is not what is measured.
        attempts_per_day=1000,
        points_per_correct=10,
    )
    competition.banks.set([bank])
    return {
        "competition": competition.pk,
        "participants": participant_tokens,
        "admins": admin_tokens,
        "counties": [county.pk for county in counties],
        "regions": Region.objects.count(),
        "units": len(units),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--admins", type=int, default=20)
    parser.add_argument("--units-per-county", type=int, default=25)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    data = seed(
        users=args.users, questions=args.questions, admins=args.admins, units_per_county=args.units_per_county
    )
    Path(args.out).write_text(json.dumps(data), encoding="utf-8")
    print(
        f"seeded {args.users} users, {args.admins} admins, {args.questions} questions, {data['units']} units "
        f"in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
