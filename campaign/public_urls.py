"""The public page of a prize draw (anyone may read and verify it), under /draws/."""

from django.urls import path

from campaign import views

app_name = "draws"

urlpatterns = [
    path("<int:draw_id>/", views.draw_public_page, name="detail"),
]
