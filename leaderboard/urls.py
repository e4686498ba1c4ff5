"""Leaderboard and statistics API routes (issue 5)."""

app_name = "leaderboard"

urlpatterns: list = []
