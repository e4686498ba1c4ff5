"""Reminders to lagging units, frozen ranking bulletins, and the admin's item-analysis entry.

Statistics themselves are not stored: they are aggregate queries over quiz.Attempt (the truth).
What is stored is what must not move afterwards: who was reminded when (with the unit's numbers
at that moment) and the rows of a bulletin as issued.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from quiz.models import Competition


class Reminder(models.Model):
    """One reminder round: an organizer picked some lagging units and asked them to catch up.

    Each addressed unit gets a Notice; a notice is shown while the unit's participation rate is
    below `threshold` and `expires_at` has not passed.
    """

    competition = models.ForeignKey(
        Competition, verbose_name=_("competition"), on_delete=models.CASCADE, related_name="reminders"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    # Participation rate (0..1) the units must reach for the notice to disappear.
    threshold = models.DecimalField(
        _("target rate"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    message = models.TextField(_("message"), blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"{self.competition} · {self.issued_at:%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """A reminder addressed to one unit, with the unit's numbers when it was reminded."""

    reminder = models.ForeignKey(
        Reminder, verbose_name=_("reminder"), on_delete=models.CASCADE, related_name="notices"
    )
    # Denormalised from the reminder: the home page looks notices up by competition and unit.
    competition = models.ForeignKey(
        Competition, verbose_name=_("competition"), on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="notices"
    )
    participants_at_issue = models.PositiveIntegerField(_("participants when reminded"))
    target_at_issue = models.PositiveIntegerField(_("headcount target when reminded"))

    class Meta:
        ordering = ["-reminder__issued_at", "organization_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "organization"], name="uniq_notice_per_unit_and_reminder"
            )
        ]
        indexes = [models.Index(fields=["organization", "competition"], name="notice_unit_idx")]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return f"{self.organization} · {self.competition}"


class Bulletin(models.Model):
    """County and unit rankings computed once, at issue time, as of a moment; never recomputed."""

    class RankedBy(models.TextChoices):
        RATE = "rate", _("Participation rate")
        PARTICIPANTS = "participants", _("Participants")
        POINTS = "points", _("Points")
        AVERAGE_SCORE = "average_score", _("Average score")

    competition = models.ForeignKey(
        Competition, verbose_name=_("competition"), on_delete=models.PROTECT, related_name="bulletins"
    )
    title = models.CharField(_("title"), max_length=200)
    # The region the rankings cover (null: everything); an organizer's bulletin covers its scope.
    region = models.ForeignKey(
        "accounts.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ranked_by = models.CharField(
        _("ranked by"), max_length=20, choices=RankedBy.choices, default=RankedBy.RATE
    )
    as_of = models.DateTimeField(_("as of"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    # {"totals": {...}, "counties": [...], "units": [...]}, exactly as computed at issue time.
    rows = models.JSONField(_("rows"), default=dict, editable=False)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")

    def __str__(self) -> str:
        return self.title


class CompetitionAnalysis(Competition):
    """The admin's entry to item analysis: a read-only view of competitions (no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("item analysis")
        verbose_name_plural = _("item analysis")
