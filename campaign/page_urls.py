"""Organizer pages of the campaign app (issue 7)."""

app_name = "campaign_pages"

urlpatterns: list = []
