"""Organizer pages of the leaderboard app (the live dashboard, issue 5)."""

app_name = "dashboard"

urlpatterns: list = []
