"""WebSocket URL routes of every app, gathered in one place for config/asgi.py."""

from leaderboard.routing import websocket_urlpatterns as leaderboard_ws

websocket_urlpatterns = [*leaderboard_ws]
