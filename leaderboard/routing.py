"""WebSocket routes of the leaderboard app (the live dashboard socket lands with issue 5)."""

websocket_urlpatterns: list = []
