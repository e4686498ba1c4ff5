from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaderboardConfig(AppConfig):
    name = "leaderboard"
    verbose_name = _("Leaderboards")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from accounts.models import Organization, Region, User
        from leaderboard.catalog import invalidate_region_catalog
        from leaderboard.services import (
            leaderboard_record_submission_receiver,
            leaderboard_user_saved_receiver,
        )
        from quiz.events import attempt_scored

        # Quiz publishes, the leaderboard subscribes: quiz never imports the leaderboard.
        attempt_scored.connect(leaderboard_record_submission_receiver, dispatch_uid="lb-attempt-scored")
        # Rankings list people ranked now: a role change lists or unlists them (User.is_ranked).
        post_save.connect(leaderboard_user_saved_receiver, sender=User, dispatch_uid="lb-user-ranked")

        # The cached region tree (names, headcount targets) follows edits made in this process.
        for model in (Region, Organization):
            post_save.connect(
                invalidate_region_catalog, sender=model, dispatch_uid=f"lb-catalog-save-{model.__name__}"
            )
            post_delete.connect(
                invalidate_region_catalog, sender=model, dispatch_uid=f"lb-catalog-delete-{model.__name__}"
            )
