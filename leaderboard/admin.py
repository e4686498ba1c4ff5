from django.contrib import admin

from leaderboard.models import RebuildRequest


@admin.register(RebuildRequest)
class RebuildRequestAdmin(admin.ModelAdmin):
    """Competitions whose live figures missed submissions while Redis was down (rebuilt automatically)."""

    list_display = ("competition", "requested_at", "reason")
    readonly_fields = ("competition", "requested_at", "reason")

    def has_add_permission(self, request) -> bool:
        return False
