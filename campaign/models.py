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


class UnitInvite(models.Model):
    """A unit's registration link code (`/r/{code}/`). Rotating retires the code instead of deleting
    it, so an old poster's link can still say "this link was replaced" rather than "unknown"."""

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="invites"
    )
    # secrets.token_urlsafe: not guessable from the unit's id, short enough for a QR code and a chat.
    code = models.CharField(_("code"), max_length=32, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one live code per unit: two racing "first" requests cannot both create one.
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(retired_at__isnull=True),
                name="uniq_live_invite_per_unit",
            )
        ]
        verbose_name = _("unit invite")
        verbose_name_plural = _("unit invites")

    def __str__(self) -> str:
        return f"{self.organization} · {self.code}"


class Draw(models.Model):
    """A prize draw: its eligible list frozen when made, its SHA-256 digest, the seed and the winners.

    Never updated once saved (`save` refuses): a draw is redone only by making another one.
    """

    competition = models.ForeignKey(
        Competition, verbose_name=_("competition"), on_delete=models.PROTECT, related_name="draws"
    )
    title = models.CharField(_("title"), max_length=200)
    seed = models.CharField(_("seed"), max_length=200)
    # [{"name": ..., "count": n}], in the order prizes are handed out.
    prizes = models.JSONField(_("prizes"))
    # {"min_best_score": n?, "min_points": n?, "region": id?}, as requested.
    eligibility = models.JSONField(_("eligibility"), default=dict)
    # [{"user": id, "name": ..., "region": ..., "organization": ...}] ordered by user id.
    eligible = models.JSONField(_("eligible people"), editable=False)
    eligible_count = models.PositiveIntegerField(_("eligible people"))
    eligible_digest = models.CharField(_("eligible list digest (SHA-256)"), max_length=64)
    # [{"prize": ..., "user": id, "name": ..., "region": ..., "organization": ...}] in draw order.
    winners = models.JSONField(_("winners"), editable=False)
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("prize draw")
        verbose_name_plural = _("prize draws")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("A draw cannot be changed once made; make another one.")
        super().save(*args, **kwargs)


class DrawWinner(models.Model):
    """One winner of a draw, a row per person, written with the draw and never changed: the index
    behind "what did I win" (one query), while `Draw.winners` stays the published record."""

    draw = models.ForeignKey(Draw, verbose_name=_("prize draw"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("winner"), on_delete=models.CASCADE, related_name="+"
    )
    prize = models.CharField(_("prize"), max_length=100)
    # The winner's place in the draw's order (0 first), as in `Draw.winners`.
    position = models.PositiveIntegerField(_("place"))

    class Meta:
        ordering = ["draw", "position"]
        constraints = [models.UniqueConstraint(fields=["draw", "user"], name="uniq_draw_winner")]
        verbose_name = _("draw winner")
        verbose_name_plural = _("draw winners")

    def __str__(self) -> str:
        return f"{self.draw} · {self.prize}"
