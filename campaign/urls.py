"""Campaign statistics, reminders, bulletins, unit import, item analysis API (issue 7)."""

app_name = "campaign"

urlpatterns: list = []
