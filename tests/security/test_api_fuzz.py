"""Schemathesis over every operation of /api/schema/, as a participant and as an admin (services tier).

Each operation is fuzzed with schema-valid data at path ids schemathesis makes up and at ids of
real objects (so the cases reach the code behind the 404), and with schema-violating data at real
ids (tests/security/world.py builds them). Checks: no 5xx, the status code is documented, the content type and
the body conform to the schema. (Schemathesis's `negative_data_rejection` is left out: the API
is lenient on purpose where no harm follows: `format=XLSX`, `as_of=2026-06-01` without a time, an
empty body where every field has a default.)

FUZZ_MAX_EXAMPLES (default 3) sets the examples per operation, role and run: the default sends
~550 requests in 25 to 60 s on a busy 2-core machine; FUZZ_MAX_EXAMPLES=25 sends ~4,200. The count
is printed (`pytest -s`).
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks as oas_checks

from tests.factories import UserFactory
from tests.security.world import build_world

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "3"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    oas_checks.status_code_conformance,
    oas_checks.content_type_conformance,
    oas_checks.response_schema_conformance,
]


# Operations that revoke the caller's token.
REVOKING = {"POST /api/v1/auth/logout/"}


def _throwaway_token(world, role: str) -> str:
    """A token log-out may revoke: DRF keeps one token per user, so it belongs to another user of
    the same role and region (the factory gives every user one)."""
    original = world.users[role]
    copy = UserFactory(role=original.role, region=original.region, is_staff=original.is_staff)
    return Token.objects.get(user=copy).key


def _real_ids(world) -> dict[str, int]:
    """Path ids of objects that exist (the running attempt and one of its questions, ...)."""
    return {
        "competition_id": world.competition.pk,
        "attempt_id": world.running_attempt.pk,
        "question_id": world.question_id,
        "bank_id": world.bank.pk,
        "bulletin_id": world.bulletin_near.pk,
        "user_id": world.users["other_participant"].pk,
    }


def _fuzz(operation, *, headers: dict, mode: GenerationMode, path_parameters: dict | None, counter: Counter):
    wanted = {
        name: value
        for name, value in (path_parameters or {}).items()
        if name in {p.name for p in operation.path_parameters}
    }
    # JSON where the operation takes it (form encodings cannot carry a JSON type mutation, so
    # schemathesis would call a body it could not send "accepted invalid data"); uploads as they are.
    media_types = {alternative.media_type for alternative in operation.body}
    media_type = "application/json" if "application/json" in media_types else None
    strategy = operation.as_strategy(
        generation_mode=mode, path_parameters=wanted or None, media_type=media_type
    )

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        counter[operation.label] += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def _summary(exc: BaseException) -> str:
    found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
    lines = []
    for failure in found:
        title = getattr(failure, "title", type(failure).__name__)
        message = str(getattr(failure, "message", failure)).strip().splitlines()
        lines.append(f"{title}: {' | '.join(message[:6])[:400]}")
    return "; ".join(lines)


def test_every_api_operation_survives_fuzzing_as_participant_and_admin(linxia):
    world = build_world(linxia)
    real = _real_ids(world)
    # Valid data at made-up and at real ids; invalid data at real ids (made-up ones stop at the 404).
    runs = [(GenerationMode.POSITIVE, None), (GenerationMode.POSITIVE, real), (GenerationMode.NEGATIVE, real)]
    application = get_wsgi_application()  # (sets logging up again)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # thousands of expected 4xx lines
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    counter: Counter = Counter()
    started = time.monotonic()
    failures = []
    for role in ("participant", "admin"):
        for operation in operations:
            # Log-out revokes the token it is called with: it gets a throwaway one of the same user, or
            # every operation fuzzed after it would only meet 401 (as it did when log-out landed).
            key = _throwaway_token(world, role) if operation.label in REVOKING else world.token(role)
            headers = {"Authorization": f"Token {key}"}
            for mode, ids in runs:
                try:
                    _fuzz(operation, headers=headers, mode=mode, path_parameters=ids, counter=counter)
                except Unsatisfiable:
                    pass  # nothing in this operation can be made invalid (no parameters, no body)
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - gathered: one run lists every finding
                    failures.append(f"{role} {mode.value} {operation.label}: {_summary(exc)}")
    elapsed = time.monotonic() - started
    print(f"\nfuzz: {sum(counter.values())} cases over {len(operations)} operations in {elapsed:.1f} s")
    assert not failures, "\n\n".join(failures)
    assert all(Token.objects.filter(key=world.token(role)).exists() for role in ("participant", "admin"))
    assert len(operations) >= 40
    assert set(counter) == {operation.label for operation in operations}
