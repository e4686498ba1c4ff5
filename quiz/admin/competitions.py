"""Admin for competitions (saved through the competition services) and attempts (read-only)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from core.errors import ApplicationError
from quiz.models import Attempt, AttemptItem, Competition
from quiz.services.competitions import (
    competition_create,
    competition_update,
    practice_bank_check,
    validate_draw_rules,
)

FORM_FIELDS = [
    "title",
    "description",
    "starts_at",
    "ends_at",
    "banks",
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
    "publication",
]


class CompetitionAdminForm(forms.ModelForm):
    class Meta:
        model = Competition
        fields = FORM_FIELDS
        help_texts = {
            "draw_rules": _(
                'Optional, e.g. [{"count": 3, "category": "消防安全"}, {"count": 2, "type": "judge"}]; '
                "types: single, multiple, judge. The rest of the questions is drawn freely."
            ),
            "speed_bonus_max_points": _(
                "0 = none. Bonus = max × time left / time limit × correct answers / questions, rounded down."
            ),
            "scoring_mode": _(
                "Partial credit: a multiple-choice answer with only correct options scores points × chosen / "
                "correct (rounded down); any wrong option scores 0."
            ),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "draw_rules" in data and "questions_per_attempt" in data:
            try:
                data["draw_rules"] = validate_draw_rules(
                    draw_rules=data["draw_rules"], questions_per_attempt=data["questions_per_attempt"]
                )
            except ApplicationError as exc:
                raise ValidationError(
                    {"draw_rules": [e["message"] for e in exc.errors] or [exc.message]}
                ) from exc
        if data.get("is_practice") and data.get("banks") is not None and "questions_per_attempt" in data:
            candidate = Competition(
                is_practice=True,
                questions_per_attempt=data["questions_per_attempt"],
                publication=data.get("publication", Competition.Publication.PUBLISHED),
            )
            try:
                self.practice_overlap = practice_bank_check(
                    competition=candidate, bank_ids=[b.pk for b in data["banks"]], now=timezone.now()
                )
            except ApplicationError as exc:
                raise ValidationError({"banks": [exc.message]}) from exc
        return data


@admin.register(Competition)
class CompetitionAdmin(admin.ModelAdmin):
    form = CompetitionAdminForm
    list_display = [
        "title",
        "starts_at",
        "ends_at",
        "status_badge",
        "publication",
        "is_practice",
        "attempt_count",
    ]
    list_filter = ["publication", "is_practice", "scoring_mode"]
    search_fields = ["title", "description"]
    filter_horizontal = ["banks"]
    date_hierarchy = "starts_at"
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "description", "publication", "is_practice"]}),
        (_("Window"), {"fields": ["starts_at", "ends_at"]}),
        (_("Questions"), {"fields": ["banks", "questions_per_attempt", "draw_rules", "shuffle_options"]}),
        (
            _("Rules and scoring"),
            {
                "fields": [
                    "time_limit_seconds",
                    "attempts_per_day",
                    "points_per_correct",
                    "scoring_mode",
                    "speed_bonus_max_points",
                    "pass_mark",
                ]
            },
        ),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("status"))
    def status_badge(self, obj: Competition) -> str:
        return obj.status_at(timezone.now())

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(n_attempts=Count("attempts"))

    @admin.display(description=_("attempts"), ordering="n_attempts")
    def attempt_count(self, obj: Competition) -> int:
        return obj.n_attempts

    def save_model(self, request: HttpRequest, obj: Competition, form: forms.ModelForm, change: bool) -> None:
        """Save through the services so the admin and the API keep one set of rules."""
        data = {name: form.cleaned_data[name] for name in FORM_FIELDS if name in form.cleaned_data}
        banks = list(data.pop("banks", []))
        # Publication values are the service's status words: draft, published, closed.
        status = data.pop("publication", Competition.Publication.PUBLISHED)
        try:
            if change:
                stored = Competition.objects.get(pk=obj.pk)
                competition_update(competition=stored, data=data, banks=banks, status=status)
            else:
                stored = competition_create(banks=banks, status=status, **data)
        except ApplicationError as exc:  # form validation runs the same checks first; this is a backstop
            raise ValidationError(exc.message) from exc
        obj.pk = stored.pk
        obj._state.adding = False
        obj.refresh_from_db()
        overlap = getattr(form, "practice_overlap", None)
        if overlap and overlap["held_back"]:
            messages.warning(
                request,
                _(
                    "%(held)d of the %(active)d active questions of this practice competition's banks belong "
                    "to ranked competitions that are not over (%(ranked)s); practice does not draw them "
                    "until those close. A separate practice bank avoids this."
                )
                % {
                    "held": overlap["held_back"],
                    "active": overlap["active"],
                    "ranked": pgettext("list separator", ", ").join(overlap["ranked"]),
                },
            )


class AttemptItemInline(admin.TabularInline):
    model = AttemptItem
    extra = 0
    can_delete = False
    fields = [
        "position",
        "type",
        "stem",
        "shown_options",
        "correct",
        "selected",
        "is_correct",
        "points",
        "question",
    ]
    readonly_fields = fields
    ordering = ["position"]

    @admin.display(description=_("options"))
    def shown_options(self, obj: AttemptItem) -> str:
        options = obj.shown_options  # a true/false item's labels in the admin's language
        return (
            format_html("<br>".join(["{}"] * len(options)), *[f"{o['key']}. {o['text']}" for o in options])
            if options
            else "-"
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    """Read-only: attempts are written only by the attempt services (scores feed the rankings)."""

    list_display = [
        "id",
        "user",
        "competition",
        "status",
        "score",
        "correct_count",
        "question_count",
        "started_at",
        "submitted_at",
        "region",
    ]
    list_filter = ["status", "is_practice", "competition", "day"]
    search_fields = ["user__username", "user__display_name", "competition__title"]
    list_select_related = ["user", "competition", "region"]
    date_hierarchy = "started_at"
    inlines = [AttemptItemInline]
    readonly_fields = [
        "user",
        "competition",
        "status",
        "started_at",
        "deadline",
        "submitted_at",
        "day",
        "score",
        "correct_count",
        "question_count",
        "duration_seconds",
        "region",
        "organization",
        "industry",
        "is_practice",
    ]
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
