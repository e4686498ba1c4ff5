"""Unit invite links and posters (docs/api.md "Mobilisation", docs/campaign.md): the link, its QR code, posters, rotation."""

import base64
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization, User
from accounts.selectors import county_of, user_can_see_region
from campaign import images, selectors
from campaign.models import UnitInvite
from campaign.services.invites import invite_for_unit, invite_rotate
from core.errors import ApplicationError, NotFound
from core.negotiation import FileDownloadNegotiation
from core.permissions import IsAdminRole, IsOrganizerOrAdmin


def invite_url(*, request: HttpRequest, invite: UnitInvite) -> str:
    """The absolute link a poster prints: `/r/{code}/` on the host the organizer used."""
    return request.build_absolute_uri(f"/r/{invite.code}/")


def poster_unit(*, request: HttpRequest, organization: Organization, user: User | None) -> images.PosterUnit:
    invite = invite_for_unit(organization=organization, created_by=user)
    return images.PosterUnit(
        name=organization.name,
        county=county_of(region=organization.region).name,
        url=invite_url(request=request, invite=invite),
    )


def unit_in_scope(*, user: User, organization_id: int) -> Organization:
    """The unit, if the caller's scope holds it: 404 unknown, 403 `out_of_scope` elsewhere."""
    organization = get_object_or_404(Organization.objects.select_related("region"), pk=organization_id)
    if not user_can_see_region(user=user, region=organization.region):
        raise ApplicationError(
            _("This unit is outside your scope."), code="out_of_scope", status_code=status.HTTP_403_FORBIDDEN
        )
    return organization


def poster_title(*, competition_id: int | None) -> str:
    competition = selectors.poster_competition(competition_id=competition_id)
    if competition_id and competition is None:
        raise NotFound(_("No such competition."))
    return competition.title if competition is not None else _("Safety knowledge competition")


def _png_response(content: bytes, filename: str, *, download: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="image/png")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


class InviteOutputSerializer(serializers.Serializer):
    organization = serializers.DictField()
    code = serializers.CharField()
    url = serializers.URLField()
    qr_png = serializers.CharField(help_text="data:image/png;base64,... the QR code with the unit's name")


def _invite_body(*, request: HttpRequest, organization: Organization, invite: UnitInvite) -> dict:
    url = invite_url(request=request, invite=invite)
    png = images.invite_qr_png(url=url, unit_name=organization.name)
    county = county_of(region=organization.region)
    return {
        "organization": {
            "id": organization.pk,
            "name": organization.name,
            "county": {"id": county.pk, "code": county.code, "name": county.name},
        },
        "code": invite.code,
        "url": url,
        "qr_png": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
    }


class OrganizationInviteApi(APIView):
    permission_classes = [IsOrganizerOrAdmin]

    @extend_schema(responses={200: InviteOutputSerializer}, operation_id="organization_invite")
    def get(self, request, organization_id: int):
        organization = unit_in_scope(user=request.user, organization_id=organization_id)
        invite = invite_for_unit(organization=organization, created_by=request.user)
        return Response(_invite_body(request=request, organization=organization, invite=invite))


class OrganizationInviteRotateApi(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(
        request=None,
        responses={200: InviteOutputSerializer},
        operation_id="organization_invite_rotate",
        description="Replace the unit's link; the old one then opens registration with a notice.",
    )
    def post(self, request, organization_id: int):
        organization = unit_in_scope(user=request.user, organization_id=organization_id)
        invite = invite_rotate(organization=organization, rotated_by=request.user)
        return Response(_invite_body(request=request, organization=organization, invite=invite))


class PosterQuerySerializer(serializers.Serializer):
    competition = serializers.IntegerField(required=False, min_value=1)
    region = serializers.IntegerField(required=False, min_value=1)


class OrganizationInvitePosterApi(APIView):
    permission_classes = [IsOrganizerOrAdmin]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(
        parameters=[PosterQuerySerializer],
        responses={(200, "image/png"): OpenApiTypes.BINARY},
        operation_id="organization_invite_poster",
        description="The unit's printable poster (PNG): competition title, unit, QR code, instructions.",
    )
    def get(self, request, organization_id: int):
        query = PosterQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organization = unit_in_scope(user=request.user, organization_id=organization_id)
        title = poster_title(competition_id=query.validated_data.get("competition"))
        unit = poster_unit(request=request, organization=organization, user=request.user)
        png = images.invite_poster_png(title=title, unit=unit)
        return _png_response(png, f"poster-{organization.pk}.png", download=True)


class InvitePostersZipApi(APIView):
    permission_classes = [IsOrganizerOrAdmin]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(
        parameters=[PosterQuerySerializer],
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
        operation_id="organization_invite_posters",
        description="A .zip with one poster per active unit of the region (default: the caller's scope).",
    )
    def get(self, request):
        query = PosterQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope = selectors.campaign_scope(user=request.user, region_id=query.validated_data.get("region"))
        title = poster_title(competition_id=query.validated_data.get("competition"))
        units = [
            poster_unit(request=request, organization=unit, user=request.user)
            for unit in selectors.invite_units(scope=scope)
        ]
        content = images.invite_posters_zip(title=title, units=units)
        stamp: datetime = timezone.localtime()
        response = HttpResponse(content, content_type="application/zip")
        name = f"posters-{scope.code if scope else 'all'}-{stamp:%Y%m%d}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
