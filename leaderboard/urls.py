"""Leaderboard and statistics API routes."""

from django.urls import path

from leaderboard import apis

app_name = "leaderboard"

urlpatterns = [
    path(
        "competitions/<int:competition_id>/leaderboard/",
        apis.CompetitionLeaderboardGetApi.as_view(),
        name="competition-leaderboard",
    ),
    path(
        "competitions/<int:competition_id>/stats/",
        apis.CompetitionStatsGetApi.as_view(),
        name="competition-stats",
    ),
    path(
        "competitions/<int:competition_id>/stats/timeline/",
        apis.CompetitionTimelineGetApi.as_view(),
        name="competition-timeline",
    ),
]
