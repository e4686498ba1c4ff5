"""Organizer pages of the campaign app (issue 7), under /campaign/."""

from django.urls import path

from campaign import views

app_name = "campaign_pages"

urlpatterns = [
    path("", views.competition_index, name="index"),
    path("competitions/<int:competition_id>/", views.statistics_page, name="statistics"),
    path("competitions/<int:competition_id>/lagging/", views.lagging_page, name="lagging"),
    path("competitions/<int:competition_id>/bulletins/", views.bulletin_list_page, name="bulletins"),
    path("competitions/<int:competition_id>/items/", views.item_analysis_page, name="items"),
    path("competitions/<int:competition_id>/invites/", views.invites_page, name="invites"),
    path("competitions/<int:competition_id>/briefing/", views.briefing_page, name="briefing"),
    path("competitions/<int:competition_id>/draws/", views.draws_page, name="draws"),
    path("bulletins/<int:bulletin_id>/", views.bulletin_page, name="bulletin"),
    path("units/import/", views.unit_import_page, name="unit-import"),
]
