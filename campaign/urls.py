"""Campaign statistics, reminders, bulletins, unit import, item analysis API (issue 7)."""

from django.urls import path

from campaign.apis import briefings, bulletins, draws, invites, reminders, statistics, units

app_name = "campaign"

urlpatterns = [
    path(
        "competitions/<int:competition_id>/statistics/",
        statistics.CompetitionStatisticsApi.as_view(),
        name="statistics",
    ),
    path(
        "competitions/<int:competition_id>/lagging-units/",
        statistics.LaggingUnitListApi.as_view(),
        name="lagging-units",
    ),
    path(
        "competitions/<int:competition_id>/item-analysis/",
        statistics.ItemAnalysisApi.as_view(),
        name="item-analysis",
    ),
    path(
        "competitions/<int:competition_id>/learning/",
        statistics.CompetitionLearningApi.as_view(),
        name="learning",
    ),
    path("competitions/<int:competition_id>/briefing/", briefings.BriefingApi.as_view(), name="briefing"),
    path(
        "competitions/<int:competition_id>/supervision/",
        briefings.SupervisionListApi.as_view(),
        name="supervision",
    ),
    path("competitions/<int:competition_id>/reminders/", reminders.ReminderApi.as_view(), name="reminders"),
    path("competitions/<int:competition_id>/bulletins/", bulletins.BulletinApi.as_view(), name="bulletins"),
    path("bulletins/<int:bulletin_id>/", bulletins.BulletinDetailApi.as_view(), name="bulletin-detail"),
    path(
        "bulletins/<int:bulletin_id>/export/", bulletins.BulletinExportApi.as_view(), name="bulletin-export"
    ),
    path("competitions/<int:competition_id>/draws/", draws.CompetitionDrawApi.as_view(), name="draws"),
    path("draws/<int:draw_id>/", draws.DrawDetailApi.as_view(), name="draw-detail"),
    path("draws/<int:draw_id>/verify/", draws.DrawVerifyApi.as_view(), name="draw-verify"),
    path("draws/<int:draw_id>/export/", draws.DrawExportApi.as_view(), name="draw-export"),
    path("me/notices/", reminders.NoticeListApi.as_view(), name="notices"),
    path(
        "organizations/<int:organization_id>/invite/",
        invites.OrganizationInviteApi.as_view(),
        name="organization-invite",
    ),
    path(
        "organizations/<int:organization_id>/invite/rotate/",
        invites.OrganizationInviteRotateApi.as_view(),
        name="organization-invite-rotate",
    ),
    path(
        "organizations/<int:organization_id>/invite/poster/",
        invites.OrganizationInvitePosterApi.as_view(),
        name="organization-invite-poster",
    ),
    path("organizations/invite-posters/", invites.InvitePostersZipApi.as_view(), name="invite-posters"),
    path("organizations/import/", units.UnitImportApi.as_view(), name="unit-import"),
    path(
        "organizations/import-template/", units.UnitImportTemplateApi.as_view(), name="unit-import-template"
    ),
]
