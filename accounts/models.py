"""Users, the region tree (prefecture > county > township), industries and organizations (units)."""

import re

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import localized

MAINLAND_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def validate_mainland_mobile(value: str) -> None:
    if not MAINLAND_MOBILE_RE.match(value or ""):
        raise ValidationError(
            _("Enter a valid mainland China mobile number (11 digits starting with 1)."), code="invalid_phone"
        )


def mask_phone(phone: str | None) -> str | None:
    """138****5678: enough to recognise one's own number, not enough to call a stranger."""
    if not phone:
        return None
    return f"{phone[:3]}****{phone[-4:]}"


class Region(models.Model):
    """A node of the administrative tree. `code` is the stable GB/T 2260 style division code.

    `path` ("/622900/622901/") makes "this region and everything below it" one indexed
    prefix query, which is how organizer scopes are enforced.
    """

    class Level(models.TextChoices):
        PREFECTURE = "prefecture", _("Prefecture")
        COUNTY = "county", _("County")
        TOWNSHIP = "township", _("Township")

    code = models.CharField(_("code"), max_length=12, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    path = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.code}/"

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        self.path = self.compute_path()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # A moved node drags its subtree along; regions almost never move, so a loop is fine.
            for child in Region.objects.filter(parent=self):
                child.save()


class Industry(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)


class Organization(models.Model):
    """A unit (work unit, company, school, ...) whose members are counted against a headcount target."""

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="organizations"
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), on_delete=models.PROTECT, related_name="organizations"
    )
    headcount_target = models.PositiveIntegerField(_("headcount target"), default=0)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="uniq_organization_name_in_region")
        ]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        PARTICIPANT = "participant", _("Participant")
        ORGANIZER = "organizer", _("Organizer")
        ADMIN = "admin", _("Administrator")

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = models.CharField(
        _("mobile phone"),
        max_length=11,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_mainland_mobile],
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.PARTICIPANT)
    scope_region = models.ForeignKey(
        Region,
        verbose_name=_("organizer scope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizers",
        help_text=_("An organizer sees this region and every region below it."),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_admin_role(self) -> bool:
        return self.role == self.Role.ADMIN or self.is_superuser

    @property
    def is_ranked(self) -> bool:
        """Whether this user may answer ranked competitions and appears in individual rankings:
        participants only. Organizers see everybody's figures and admins hold the keys, so neither
        competes; one promoted mid-campaign leaves the rankings (and comes back if demoted).
        `ranked_users_q` is the same rule for querysets."""
        return self.role == self.Role.PARTICIPANT and not (self.is_staff or self.is_superuser)

    @property
    def is_organizer_role(self) -> bool:
        return self.role == self.Role.ORGANIZER and self.scope_region_id is not None

    @property
    def may_see_statistics(self) -> bool:
        """Admins and organizers (within their scope) see statistics, dashboards and campaign pages."""
        return self.is_admin_role or self.is_organizer_role

    @property
    def masked_phone(self) -> str | None:
        return mask_phone(self.phone)


def ranked_users_q(prefix: str = "") -> models.Q:
    """`User.is_ranked` as a filter; `prefix` reaches the user through a relation (`"user__"`)."""
    return models.Q(
        **{f"{prefix}role": User.Role.PARTICIPANT, f"{prefix}is_staff": False, f"{prefix}is_superuser": False}
    )
