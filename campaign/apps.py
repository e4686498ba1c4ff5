from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = _("Campaign statistics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from campaign import handlers  # noqa: F401  (connects the receivers)
