"""Organizer pages of the leaderboard app: the live dashboard."""

from django.urls import path

from leaderboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard_index, name="index"),
    path("competitions/<int:competition_id>/", views.dashboard_competition, name="competition"),
]
