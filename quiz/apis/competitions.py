"""Placeholder until its issue lands: the URL patterns of this part of the quiz API."""

urlpatterns: list = []
