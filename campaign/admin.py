"""Admin of the campaign app: reminders and notices, bulletins (with export links), item analysis.

All read-only: reminders and bulletins are records of what happened and are issued from the
organizer pages through the services; nothing here edits them.
"""

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaign import selectors
from campaign.models import Bulletin, CompetitionAnalysis, Notice, Reminder
from campaign.views import item_analysis_context
from quiz.models import Attempt


class ReadOnlyForAdminRole(admin.ModelAdmin):
    """Viewable by the platform's administrators (role admin or superuser), changeable by nobody."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff and request.user.is_admin_role

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def _participants_now():
    """Participants of the notice's unit in its competition, now (a subquery: no query per row)."""
    attempts = (
        Attempt.objects.filter(
            competition=OuterRef("competition"),
            organization=OuterRef("organization"),
            status=Attempt.Status.SUBMITTED,
            is_practice=False,
        )
        .order_by()
        .values("organization")
        .annotate(n=Count("user", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(attempts, output_field=IntegerField()), 0)


class NoticeInline(admin.TabularInline):
    model = Notice
    fields = ["organization", "participants_at_issue", "target_at_issue"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_admin_role


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyForAdminRole):
    list_display = ["issued_at", "competition", "issued_by", "threshold_percent", "expires_at", "unit_count"]
    list_filter = ["competition"]
    list_select_related = ["competition", "issued_by"]
    date_hierarchy = "issued_at"
    inlines = [NoticeInline]
    fields = ["competition", "issued_by", "issued_at", "threshold", "expires_at", "message"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(unit_count=Count("notices"))

    @admin.display(description=_("target rate"), ordering="threshold")
    def threshold_percent(self, reminder: Reminder) -> str:
        return f"{float(reminder.threshold) * 100:.1f}%"

    @admin.display(description=_("units"), ordering="unit_count")
    def unit_count(self, reminder: Reminder) -> int:
        return reminder.unit_count


@admin.register(Notice)
class NoticeAdmin(ReadOnlyForAdminRole):
    list_display = [
        "organization",
        "competition",
        "issued_at",
        "issued_by",
        "participants_at_issue",
        "participants_now",
        "target_at_issue",
    ]
    list_filter = ["competition", "organization__region"]
    search_fields = ["organization__name"]
    list_select_related = ["organization", "competition", "reminder", "reminder__issued_by"]
    fields = ["reminder", "competition", "organization", "participants_at_issue", "target_at_issue"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(now_participants=_participants_now())

    @admin.display(description=_("issued at"), ordering="reminder__issued_at")
    def issued_at(self, notice: Notice):
        return notice.reminder.issued_at

    @admin.display(description=_("issued by"))
    def issued_by(self, notice: Notice):
        return notice.reminder.issued_by

    @admin.display(description=_("participants now"), ordering="now_participants")
    def participants_now(self, notice: Notice) -> int:
        return notice.now_participants


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyForAdminRole):
    list_display = [
        "title",
        "competition",
        "region",
        "ranked_by",
        "as_of",
        "issued_by",
        "issued_at",
        "export_links",
    ]
    list_filter = ["competition", "ranked_by"]
    list_select_related = ["competition", "region", "issued_by"]
    search_fields = ["title"]
    # The page of one bulletin: what the list shows, then its county table.
    fields = [*list_display, "county_table"]
    readonly_fields = fields

    @admin.display(description=_("export"))
    def export_links(self, bulletin: Bulletin) -> str:
        url = reverse("v1:campaign:bulletin-export", args=[bulletin.pk])
        return format_html('<a href="{}?format=xlsx">Excel</a> · <a href="{}?format=csv">CSV</a>', url, url)

    @admin.display(description=_("county ranking"))
    def county_table(self, bulletin: Bulletin) -> str:
        rows = selectors.bulletin_rows_localized(bulletin=bulletin)["counties"]
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    r["rank"],
                    r["name"],
                    r["participants"],
                    r["headcount_target"],
                    "—" if r["participation_rate"] is None else f"{r['participation_rate'] * 100:.1f}%",
                    r["points"],
                )
                for r in rows
            ),
        )
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("Rank"),
            _("County"),
            _("Participants"),
            _("Headcount target"),
            _("Participation rate"),
            _("Points"),
        )
        return format_html("<table>{}{}</table>", head, body)


@admin.register(CompetitionAnalysis)
class CompetitionAnalysisAdmin(ReadOnlyForAdminRole):
    """Item analysis in the admin: pick a competition, see its questions and categories."""

    list_display = ["title", "starts_at", "ends_at", "analysis_link"]
    search_fields = ["title"]

    @admin.display(description=_("item analysis"))
    def analysis_link(self, competition: CompetitionAnalysis) -> str:
        url = reverse("admin:campaign_competitionanalysis_change", args=[competition.pk])
        return format_html('<a href="{}">{}</a>', url, pgettext_lazy("link", "Open"))

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        competition = self.get_object(request, object_id)
        if competition is None or not self.has_view_permission(request, competition):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        analysis = selectors.item_analysis(competition=competition, scope=None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Item analysis: %(title)s") % {"title": competition.title},
            "original": competition,
            **item_analysis_context(analysis),
        }
        return TemplateResponse(request, "campaign/admin_item_analysis.html", context)
