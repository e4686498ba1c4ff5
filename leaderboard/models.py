"""The one table of the leaderboard app: competitions whose live store missed a submission.

When Redis does not answer, a submission still commits (the database is the truth) and its hook
leaves a row here. As soon as a process reaches Redis again it rebuilds those competitions from
the database and deletes the rows (see services.leaderboard_rebuild_pending).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RebuildRequest(models.Model):
    competition = models.OneToOneField(
        "quiz.Competition", on_delete=models.CASCADE, related_name="+", verbose_name=_("competition")
    )
    requested_at = models.DateTimeField(_("requested at"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("leaderboard rebuild request")
        verbose_name_plural = _("leaderboard rebuild requests")

    def __str__(self) -> str:
        return f"{self.competition_id} @ {self.requested_at:%Y-%m-%d %H:%M:%S}"
