"""Creating and changing competitions (the admin API and the Django admin both call these)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.exceptions import ApplicationError
from quiz.models import Competition, Question, QuestionBank
from quiz.selectors import answer_keys

# What the API's `status` may be set to: `open`/`upcoming` follow from the window.
PUBLICATION_BY_STATUS = {
    "draft": Competition.Publication.DRAFT,
    "published": Competition.Publication.PUBLISHED,
    "closed": Competition.Publication.CLOSED,
}

UPDATABLE_FIELDS = {
    "title",
    "description",
    "starts_at",
    "ends_at",
    "questions_per_attempt",
    "draw_rules",
    "shuffle_options",
    "time_limit_seconds",
    "attempts_per_day",
    "points_per_correct",
    "scoring_mode",
    "speed_bonus_max_points",
    "pass_mark",
    "is_practice",
}


def validate_draw_rules(*, draw_rules: Any, questions_per_attempt: int) -> list[dict[str, Any]]:
    """Check and normalise draw rules: `[{"count": n, "category"?: str, "type"?: str}]`.

    Each rule names a category, a type or both; the counts together may not exceed the
    questions per attempt (the remainder is drawn freely). Raises ApplicationError
    (code `invalid_draw_rules`) listing every problem.
    """
    if draw_rules in (None, ""):
        return []
    if not isinstance(draw_rules, list):
        raise ApplicationError(_("Draw rules must be a list."), code="invalid_draw_rules")
    errors: list[dict[str, str]] = []
    rules: list[dict[str, Any]] = []
    types = set(Question.Type.values)
    for index, rule in enumerate(draw_rules):
        field = f"draw_rules[{index}]"
        if not isinstance(rule, dict):
            errors.append({"field": field, "message": _("A draw rule must be an object.")})
            continue
        unknown = set(rule) - {"count", "category", "type"}
        if unknown:
            errors.append({"field": field, "message": _("Unknown keys: %s.") % ", ".join(sorted(unknown))})
        count = rule.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            errors.append(
                {"field": f"{field}.count", "message": _("count must be a whole number of at least 1.")}
            )
        clean: dict[str, Any] = {"count": count}
        category = rule.get("category")
        if category is not None:
            if not isinstance(category, str) or not category.strip():
                errors.append(
                    {"field": f"{field}.category", "message": _("category must be a non-empty text.")}
                )
            else:
                clean["category"] = category.strip()
        qtype = rule.get("type")
        if qtype is not None:
            if qtype not in types:
                errors.append(
                    {
                        "field": f"{field}.type",
                        "message": _("type must be one of %s.") % ", ".join(sorted(types)),
                    }
                )
            else:
                clean["type"] = qtype
        if category is None and qtype is None:
            errors.append({"field": field, "message": _("A draw rule needs a category, a type or both.")})
        rules.append(clean)
    if not errors:
        total = sum(rule["count"] for rule in rules)
        if total > questions_per_attempt:
            errors.append(
                {
                    "field": "draw_rules",
                    "message": _("The rules draw %(total)d questions but an attempt has only %(n)d.")
                    % {"total": total, "n": questions_per_attempt},
                }
            )
    if errors:
        raise ApplicationError(_("The draw rules are not valid."), code="invalid_draw_rules", errors=errors)
    return rules


def _validate(competition: Competition) -> None:
    errors: list[dict[str, str]] = []
    if competition.ends_at <= competition.starts_at:
        errors.append({"field": "ends_at", "message": _("The competition must close after it opens.")})
    if competition.questions_per_attempt < 1:
        errors.append({"field": "questions_per_attempt", "message": _("At least one question per attempt.")})
    if competition.time_limit_seconds < 10:
        errors.append(
            {"field": "time_limit_seconds", "message": _("The time limit must be at least 10 seconds.")}
        )
    if competition.attempts_per_day < 1:
        errors.append({"field": "attempts_per_day", "message": _("At least one attempt per day.")})
    if competition.scoring_mode not in Competition.ScoringMode.values:
        errors.append({"field": "scoring_mode", "message": _("Unknown scoring mode.")})
    if not competition.title.strip():
        errors.append({"field": "title", "message": _("The title may not be blank.")})
    if errors:
        raise ApplicationError(
            "; ".join(e["message"] for e in errors), code="invalid_competition", errors=errors
        )
    competition.draw_rules = validate_draw_rules(
        draw_rules=competition.draw_rules, questions_per_attempt=competition.questions_per_attempt
    )


def _resolve_banks(banks: Iterable[QuestionBank | int]) -> list[QuestionBank]:
    ids = [bank.pk if isinstance(bank, QuestionBank) else bank for bank in banks]
    found = list(QuestionBank.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {bank.pk for bank in found})
    if missing:
        raise ApplicationError(
            _("Unknown question banks: %s.") % ", ".join(map(str, missing)),
            code="unknown_bank",
            errors=[{"field": "banks", "message": _("Unknown question bank %s.") % pk} for pk in missing],
        )
    if not found:
        raise ApplicationError(
            _("A competition needs at least one question bank."),
            code="invalid_competition",
            errors=[{"field": "banks", "message": _("A competition needs at least one question bank.")}],
        )
    return found


def practice_bank_check(*, competition: Competition, bank_ids: list[int], now: datetime) -> dict[str, Any]:
    """Refuse to publish a practice competition that could not fill one attempt because ranked
    competitions not over yet hold its questions (a practice never draws them: see
    `quiz.selectors.answer_keys`). Returns the figures (`active`, `held_back`, `ranked`) so the
    admin can be told about a partial overlap. Raises ApplicationError 400
    `practice_shares_ranked_bank`."""
    if not competition.is_practice:
        return {"active": 0, "held_back": 0, "ranked": []}
    figures = answer_keys.practice_held_back(bank_ids=bank_ids, now=now)
    drawable = figures["active"] - figures["held_back"]
    if (
        figures["held_back"]
        and drawable < competition.questions_per_attempt
        and competition.publication == Competition.Publication.PUBLISHED
    ):
        message = _(
            "A practice competition shows the answers, so it never draws the questions of a ranked "
            "competition that is not over (%(ranked)s): %(held)d of the %(active)d active questions of "
            "these banks are held back, %(left)d remain for %(n)d per attempt. Use a separate practice bank."
        ) % {
            "ranked": pgettext("list separator", ", ").join(figures["ranked"]),
            "held": figures["held_back"],
            "active": figures["active"],
            "left": drawable,
            "n": competition.questions_per_attempt,
        }
        raise ApplicationError(
            message,
            code="practice_shares_ranked_bank",
            errors=[{"field": "banks", "message": message}],
            extra={k: figures[k] for k in ("active", "held_back", "ranked")},
        )
    return figures


def _publication(status: str) -> str:
    if status not in PUBLICATION_BY_STATUS:
        raise ApplicationError(
            _("status must be one of draft, published, closed."),
            code="invalid_status",
            errors=[{"field": "status", "message": _("status must be one of draft, published, closed.")}],
        )
    return PUBLICATION_BY_STATUS[status]


@transaction.atomic
def competition_create(
    *,
    title: str,
    banks: Iterable[QuestionBank | int],
    starts_at: datetime,
    ends_at: datetime,
    questions_per_attempt: int = 10,
    time_limit_seconds: int = 600,
    attempts_per_day: int = 3,
    points_per_correct: int = 10,
    description: str = "",
    draw_rules: list[dict[str, Any]] | None = None,
    shuffle_options: bool = False,
    scoring_mode: str = Competition.ScoringMode.ALL_OR_NOTHING,
    speed_bonus_max_points: int = 0,
    pass_mark: int | None = None,
    is_practice: bool = False,
    status: str = "published",
) -> Competition:
    """Create a competition drawing from `banks`; `status` is `draft`, `published` or `closed`.

    Raises ApplicationError (400) for an empty window, unknown banks, bad draw rules, or a published
    practice competition that could not fill an attempt because ranked competitions hold its questions
    (`practice_shares_ranked_bank`).
    """
    competition = Competition(
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        questions_per_attempt=questions_per_attempt,
        draw_rules=draw_rules or [],
        shuffle_options=shuffle_options,
        time_limit_seconds=time_limit_seconds,
        attempts_per_day=attempts_per_day,
        points_per_correct=points_per_correct,
        scoring_mode=scoring_mode,
        speed_bonus_max_points=speed_bonus_max_points,
        pass_mark=pass_mark,
        is_practice=is_practice,
        publication=_publication(status),
    )
    _validate(competition)
    bank_objects = _resolve_banks(banks)
    practice_bank_check(competition=competition, bank_ids=[b.pk for b in bank_objects], now=timezone.now())
    competition.save()
    competition.banks.set(bank_objects)
    return competition


@transaction.atomic
def competition_update(
    *,
    competition: Competition,
    data: dict[str, Any],
    banks: Iterable[QuestionBank | int] | None = None,
    status: str | None = None,
) -> Competition:
    """Change some fields of a competition (`data` holds only what changes), its banks, its status.

    `status: "closed"` closes it at once; attempts already running may still be submitted.
    Attempts already drawn keep their questions whatever changes here.
    """
    unknown = set(data) - UPDATABLE_FIELDS
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %s.") % ", ".join(sorted(unknown)), code="invalid"
        )
    for field, value in data.items():
        setattr(competition, field, value)
    if status is not None:
        competition.publication = _publication(status)
    _validate(competition)
    bank_objects = _resolve_banks(banks) if banks is not None else None
    bank_ids = (
        [b.pk for b in bank_objects]
        if bank_objects is not None
        else list(competition.banks.values_list("pk", flat=True))
    )
    practice_bank_check(competition=competition, bank_ids=bank_ids, now=timezone.now())
    competition.save()
    if bank_objects is not None:
        competition.banks.set(bank_objects)
    return competition
