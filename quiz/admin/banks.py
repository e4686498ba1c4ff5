"""Admin for question banks and questions, with the "Import questions" page of a bank.

The import page goes upload -> preview (a dry run of `bank_import`) or the list of problems ->
confirm, which runs the same `bank_import` for real. Between the two steps the uploaded file
waits in the cache (shared by all server processes when REDIS_URL is set) for an hour.
"""

import secrets
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.errors import ApplicationError
from quiz.importing.values import (
    CellError,
    clean_stem,
    options_from_columns,
    parse_choice_answer,
    parse_judge_answer,
    question_problems,
)
from quiz.models import OPTION_KEYS, Question, QuestionBank, judge_option_label
from quiz.services.bank_export import bank_export, bank_import_template
from quiz.services.banks import BankImportResult, bank_import, questions_set_active

STAGE_SECONDS = 3600
PREVIEW_ROWS = 500


def preview_rows(result: BankImportResult) -> dict[str, Any]:
    """The preview's rows: each question as it will be shown (stem, lettered options), with the
    warnings of its row. The first PREVIEW_ROWS rows, and every row with a warning after them,
    so that no questionable split goes unseen."""
    notes: dict[int, list[str]] = {}
    for warning in result.warnings:
        if warning.get("row") is not None:
            notes.setdefault(warning["row"], []).append(warning["message"])
    rows = [
        {
            "item": item,
            # As the phone shows it: lettered options, or the two true/false labels.
            "options": list(zip(OPTION_KEYS, item.question.options, strict=False))
            if item.question.type != Question.Type.JUDGE
            else [("", judge_option_label("A")), ("", judge_option_label("B"))],
            "notes": notes.get(item.row, []),
        }
        for index, item in enumerate(result.items)
        if index < PREVIEW_ROWS or item.row in notes
    ]
    return {
        "preview": rows,
        "preview_truncated": len(rows) < len(result.items),
        "flagged_count": sum(1 for row in rows if row["notes"]),
    }


class BankImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy(".xlsx or .csv, at most 10 MB and 20,000 rows.")
    )
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Skip invalid rows"),
        required=False,
        help_text=gettext_lazy("Import the valid rows and list the others, instead of importing nothing."),
    )


@admin.register(QuestionBank)
class QuestionBankAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "question_count", "active_count", "updated_at", "import_link"]
    list_filter = ["language"]
    search_fields = ["name", "description"]
    readonly_fields = ["created_at", "updated_at"]
    change_form_template = "admin/quiz/questionbank/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                question_count=Count("questions"),
                active_count=Count("questions", filter=Q(questions__is_active=True)),
            )
        )

    @admin.display(description=gettext_lazy("questions"), ordering="question_count")
    def question_count(self, obj: QuestionBank) -> int:
        return obj.question_count

    @admin.display(description=gettext_lazy("active"), ordering="active_count")
    def active_count(self, obj: QuestionBank) -> int:
        return obj.active_count

    @admin.display(description=gettext_lazy("import"))
    def import_link(self, obj: QuestionBank) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:quiz_questionbank_import", args=[obj.pk]),
            _("Import questions"),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:bank_id>/import/", view(self.import_view), name="quiz_questionbank_import"),
            path("<int:bank_id>/export/<str:fmt>/", view(self.export_view), name="quiz_questionbank_export"),
            path("import-template/<str:fmt>/", view(self.template_view), name="quiz_questionbank_template"),
            *super().get_urls(),
        ]

    # --- export and template --------------------------------------------------------------

    def export_view(self, request: HttpRequest, bank_id: int, fmt: str) -> HttpResponse:
        bank = self._bank_or_404(request, bank_id, change=False)
        return self._download(request, lambda: bank_export(bank=bank, fmt=fmt), bank_id)

    def template_view(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._download(request, lambda: bank_import_template(fmt=fmt), None)

    def _download(self, request, make, bank_id) -> HttpResponse:
        try:
            exported = make()
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return (
                redirect("admin:quiz_questionbank_change", bank_id)
                if bank_id
                else redirect("admin:quiz_questionbank_changelist")
            )
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=exported.filename
        )
        return response

    # --- import ---------------------------------------------------------------------------------

    def _bank_or_404(self, request: HttpRequest, bank_id: int, *, change: bool = True) -> QuestionBank:
        bank = get_object_or_404(QuestionBank, pk=bank_id)
        allowed = (
            self.has_change_permission(request, bank) if change else self.has_view_permission(request, bank)
        )
        if not allowed:
            raise PermissionDenied
        return bank

    def import_view(self, request: HttpRequest, bank_id: int) -> HttpResponse:
        """Upload -> preview or problems -> confirm (see the module docstring)."""
        bank = self._bank_or_404(request, bank_id)
        context: dict[str, Any] = {"bank": bank, "form": BankImportUploadForm()}
        if request.method == "POST":
            step = request.POST.get("step", "upload")
            if step == "upload":
                form = BankImportUploadForm(request.POST, request.FILES)
                context["form"] = form
                if form.is_valid():
                    upload = form.cleaned_data["file"]
                    token = self._stage(request, bank, upload.name, upload.read())
                    return self._run(
                        request,
                        bank,
                        token,
                        skip_invalid=form.cleaned_data["skip_invalid"],
                        dry_run=True,
                        context=context,
                    )
            elif step in ("preview", "confirm"):
                token = request.POST.get("token", "")
                skip_invalid = request.POST.get("skip_invalid") == "1"
                return self._run(
                    request,
                    bank,
                    token,
                    skip_invalid=skip_invalid,
                    dry_run=step == "preview",
                    context=context,
                )
        return self._render(request, context)

    def _stage_key(self, token: str) -> str:
        return f"quiz:bank-import:{token}"

    def _stage(self, request: HttpRequest, bank: QuestionBank, filename: str, content: bytes) -> str:
        token = secrets.token_urlsafe(24)
        cache.set(
            self._stage_key(token),
            {"user": request.user.pk, "bank": bank.pk, "filename": filename, "content": content},
            STAGE_SECONDS,
        )
        return token

    def _run(
        self, request, bank, token: str, *, skip_invalid: bool, dry_run: bool, context: dict
    ) -> HttpResponse:
        staged = cache.get(self._stage_key(token)) if token else None
        if not staged or staged["user"] != request.user.pk or staged["bank"] != bank.pk:
            self.message_user(
                request, _("The uploaded file has expired; please upload it again."), messages.WARNING
            )
            return redirect("admin:quiz_questionbank_import", bank.pk)
        context.update(token=token, filename=staged["filename"], skip_invalid=skip_invalid)
        try:
            result = bank_import(
                bank=bank,
                file=staged["content"],
                filename=staged["filename"],
                dry_run=dry_run,
                skip_invalid=skip_invalid,
            )
        except ApplicationError as exc:
            context.update(
                failure=exc.message,
                failure_code=exc.code,
                errors=exc.errors,
                warnings=exc.extra.get("warnings", []),
                can_skip=exc.code == "invalid_rows",
            )
            return self._render(request, context)
        if dry_run:
            context.update(preview_rows(result), result=result, warnings=result.warnings)
            return self._render(request, context)
        cache.delete(self._stage_key(token))
        self.message_user(
            request,
            _(
                "Imported “%(file)s”: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(skipped)d rows skipped."
            )
            % {
                "file": staged["filename"],
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": len({s["row"] for s in result.skipped}),
            },
            messages.SUCCESS,
        )
        return redirect(reverse("admin:quiz_question_changelist") + f"?bank__id__exact={bank.pk}")

    def _render(self, request: HttpRequest, context: dict) -> TemplateResponse:
        bank = context["bank"]
        return TemplateResponse(
            request,
            "admin/quiz/questionbank/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": bank,
                "title": _("Import questions into “%(bank)s”") % {"bank": bank.name},
                "option_keys": OPTION_KEYS,
                **context,
            },
        )


class QuestionAdminForm(forms.ModelForm):
    """Options as six text fields A..F; the same rules as the import (quiz.importing.values)."""

    option_a = forms.CharField(label="A", required=False)
    option_b = forms.CharField(label="B", required=False)
    option_c = forms.CharField(label="C", required=False)
    option_d = forms.CharField(label="D", required=False)
    option_e = forms.CharField(label="E", required=False)
    option_f = forms.CharField(label="F", required=False)

    class Meta:
        model = Question
        fields = ["bank", "type", "stem", "answer", "explanation", "category", "difficulty", "is_active"]
        help_texts = {
            "answer": gettext_lazy(
                "Option letters such as B or ACD; for true or false: A (true) or B (false)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for letter, text in zip(OPTION_KEYS, self.instance.options or [], strict=False):
            self.fields[f"option_{letter.lower()}"].initial = text

    def clean(self):
        cleaned = super().clean()
        qtype, stem, answer = cleaned.get("type"), cleaned.get("stem"), cleaned.get("answer", "")
        try:
            options = options_from_columns({k: cleaned.get(f"option_{k.lower()}", "") for k in OPTION_KEYS})
        except CellError as exc:
            self.add_error("option_a", str(exc))
            return cleaned
        if stem:
            try:
                stem = cleaned["stem"] = clean_stem(stem)
            except CellError as exc:
                self.add_error("stem", str(exc))
        if not qtype:
            return cleaned
        try:
            if qtype == Question.Type.JUDGE:
                answer = parse_judge_answer(answer, options=[])
            else:
                answer = parse_choice_answer(answer, options=options)
        except CellError as exc:
            self.add_error("answer", str(exc))
            return cleaned
        cleaned["answer"] = answer
        for field_name, message in question_problems(type=qtype, options=options, answer=answer):
            self.add_error("option_a" if field_name == "options" else "answer", message)
        self.instance.options = options
        bank = cleaned.get("bank")
        if bank and stem:
            fingerprint = Question.compute_fingerprint(stem, options)
            if (
                Question.objects.filter(bank=bank, fingerprint=fingerprint)
                .exclude(pk=self.instance.pk)
                .exists()
            ):
                raise forms.ValidationError(
                    _("This bank already has a question with the same stem and options.")
                )
        return cleaned


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    list_display = [
        "short_stem",
        "bank",
        "type",
        "category",
        "difficulty",
        "answer",
        "is_active",
        "updated_at",
    ]
    list_filter = ["bank", "type", "category", "difficulty", "is_active"]
    search_fields = ["stem", "explanation", "category"]
    list_select_related = ["bank"]
    list_per_page = 50
    actions = ["activate", "deactivate"]
    fieldsets = (
        (None, {"fields": ("bank", "type", "stem")}),
        (
            gettext_lazy("Options"),
            {"fields": ("option_a", "option_b", "option_c", "option_d", "option_e", "option_f")},
        ),
        (None, {"fields": ("answer", "explanation", "category", "difficulty", "is_active")}),
    )

    @admin.display(description=gettext_lazy("stem"), ordering="stem")
    def short_stem(self, obj: Question) -> str:
        return obj.stem if len(obj.stem) <= 60 else obj.stem[:59] + "…"

    @admin.action(description=gettext_lazy("Activate the selected questions"))
    def activate(self, request, queryset):
        count = questions_set_active(question_ids=queryset.values_list("pk", flat=True), active=True)
        self.message_user(
            request,
            ngettext("%(count)d question activated.", "%(count)d questions activated.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Deactivate the selected questions (no longer drawn)"))
    def deactivate(self, request, queryset):
        count = questions_set_active(question_ids=queryset.values_list("pk", flat=True), active=False)
        self.message_user(
            request,
            ngettext("%(count)d question deactivated.", "%(count)d questions deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )
