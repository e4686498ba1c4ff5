"""WebSocket routes of the leaderboard app."""

from django.urls import path

from leaderboard.consumers import CompetitionLiveConsumer

websocket_urlpatterns = [
    path("ws/competitions/<int:competition_id>/live/", CompetitionLiveConsumer.as_asgi()),
]
