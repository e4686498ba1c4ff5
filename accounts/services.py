"""Writes to accounts: registration, roles and scopes."""

import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.models import Industry, Organization, Region, User, validate_mainland_mobile
from accounts.selectors import county_of
from accounts.validators import validate_display_name, validate_username
from core.exceptions import ApplicationError
from core.tokens import token_is_fresh


def _field_error(field: str, message: str, code: str = "invalid") -> dict:
    return {"field": field, "message": str(message), "code": code}


@dataclass(frozen=True)
class Registration:
    """A new participant, and what the registrant should be told beside the welcome."""

    user: User
    # `[{"field", "code", "message"}]`: things accepted differently than asked (a phone not attached).
    notices: list[dict] = field(default_factory=list)


def _phone_not_attached_notice() -> dict:
    return _field_error(
        "phone",
        _(
            "Your phone number could not be attached to this account. You can take part without it; "
            "an administrator can add it later."
        ),
        "phone_not_attached",
    )


def user_register(
    *,
    username: str,
    password: str,
    display_name: str,
    region_id: int,
    organization_id: int | None = None,
    industry_code: str | None = None,
    phone: str | None = None,
) -> Registration:
    """Create a participant and its API token, or raise ApplicationError listing every bad field.

    Nothing is written unless every field is valid. A phone number already on another account is
    not attached (phones are unique) and the registration goes on with a neutral notice: an error
    naming the phone would tell anyone whether a number is registered.
    """
    errors: list[dict] = []
    notices: list[dict] = []
    # NFKC, as Django's own user model stores usernames: fullwidth ａｄｍｉｎ is admin.
    username = unicodedata.normalize("NFKC", (username or "").strip())
    phone = (phone or "").strip() or None
    display_name = (display_name or "").strip() or username

    if not username:
        errors.append(_field_error("username", _("This field is required."), "required"))
    else:
        try:
            validate_username(username)
        except DjangoValidationError as exc:
            errors.append(_field_error("username", exc.messages[0], exc.error_list[0].code or "invalid"))
        else:
            # Usernames are how people log in and, without a display name, how rankings show them:
            # the registrant has to be told to choose another (the log-in answer does not tell).
            if User.objects.filter(username__iexact=username).exists():
                errors.append(
                    _field_error("username", _("A user with that username already exists."), "unique")
                )
    try:
        validate_display_name(display_name)
    except DjangoValidationError as exc:
        errors.append(_field_error("display_name", exc.messages[0], exc.error_list[0].code or "invalid"))

    region = Region.objects.filter(pk=region_id).first() if region_id else None
    if region is None:
        errors.append(_field_error("region", _("Unknown region. Choose your county."), "unknown_region"))
    elif region.level == Region.Level.PREFECTURE:
        errors.append(
            _field_error("region", _("Choose a county-level region, not the prefecture."), "not_county")
        )

    organization = None
    if organization_id:
        organization = (
            Organization.objects.select_related("region", "industry").filter(pk=organization_id).first()
        )
        if organization is None:
            errors.append(_field_error("organization", _("Unknown organization."), "unknown_organization"))
        elif region is not None and not organization.region.path.startswith(region.path):
            errors.append(
                _field_error(
                    "organization", _("This organization is not in the chosen county."), "wrong_region"
                )
            )

    industry = None
    if industry_code:
        industry = Industry.objects.filter(code=industry_code).first()
        if industry is None:
            errors.append(_field_error("industry", _("Unknown industry."), "unknown_industry"))
    elif organization is not None:
        industry = organization.industry

    if phone is not None:
        try:
            validate_mainland_mobile(phone)
        except DjangoValidationError as exc:
            errors.append(_field_error("phone", exc.messages[0], "invalid_phone"))
        else:
            if User.objects.filter(phone=phone).exists():
                phone = None
                notices.append(_phone_not_attached_notice())

    try:
        validate_password(password or "", user=User(username=username, display_name=display_name))
    except DjangoValidationError as exc:
        for message in exc.messages:
            errors.append(_field_error("password", message, "weak_password"))

    if errors:
        raise ApplicationError(_("Please correct the highlighted fields."), code="invalid", errors=errors)

    def create(phone: str | None) -> User:
        with transaction.atomic():
            user = User(
                username=username,
                display_name=display_name,
                region=region,
                organization=organization,
                industry=industry,
                phone=phone,
                role=User.Role.PARTICIPANT,
            )
            user.set_password(password)
            user.save()
            Token.objects.create(user=user)
        return user

    try:
        try:
            user = create(phone)
        except IntegrityError:
            # Two registrations raced. For the phone, the loser registers without it, as above.
            if phone is None or User.objects.filter(username__iexact=username).exists():
                raise
            user = create(None)
            notices.append(_phone_not_attached_notice())
    except IntegrityError as exc:
        raise ApplicationError(
            _("Please correct the highlighted fields."),
            code="invalid",
            errors=[_field_error("username", _("A user with that username already exists."), "unique")],
        ) from exc
    return Registration(user=user, notices=notices)


def token_for_user(*, user: User) -> str:
    """The user's API token, a new one if it was revoked or has expired (core/tokens.py)."""
    token, _created = Token.objects.get_or_create(user=user)
    if not token_is_fresh(token=token):
        token.delete()
        token = Token.objects.create(user=user)
    return token.key


def token_revoke(*, user: User) -> int:
    """Delete the user's API token (log-out, password change, deactivation); the number deleted."""
    deleted, _per_model = Token.objects.filter(user=user).delete()
    return deleted


def user_set_role(*, user: User, role: str, scope_region_id: int | None = None) -> User:
    """Give a user a role; an organizer needs a scope region (its subtree is what it sees)."""
    if role not in User.Role.values:
        raise ApplicationError(
            _("Unknown role."), code="invalid", errors=[_field_error("role", _("Unknown role."))]
        )
    scope = None
    if role == User.Role.ORGANIZER:
        scope = Region.objects.filter(pk=scope_region_id).first() if scope_region_id else None
        if scope is None:
            raise ApplicationError(
                _("An organizer needs a scope region."),
                code="invalid",
                errors=[
                    _field_error("scope_region", _("Choose the region this organizer is responsible for."))
                ],
            )
    user.role = role
    user.scope_region = scope
    user.is_staff = role == User.Role.ADMIN or user.is_superuser
    user.save(update_fields=["role", "scope_region", "is_staff"])
    return user


def user_join_unit(*, user: User, organization_id: int) -> User:
    """Move a person to an active unit: their county becomes the unit's county; their industry
    becomes the unit's only when they had none (a stated industry is theirs to keep)."""
    organization = (
        Organization.objects.select_related("region", "industry")
        .filter(pk=organization_id, is_active=True)
        .first()
    )
    if organization is None:
        raise ApplicationError(
            _("Unknown organization."),
            code="invalid",
            errors=[_field_error("organization", _("Unknown organization."), "unknown_organization")],
        )
    user.organization = organization
    user.region = county_of(region=organization.region)
    if user.industry_id is None:
        user.industry = organization.industry
    user.save(update_fields=["organization", "region", "industry"])
    return user
