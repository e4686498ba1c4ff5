"""Reminders to lagging units, their history, and the notices a person sees."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign import selectors, services
from campaign.apis.scope import competition_and_scope
from campaign.serializers import CampaignNoticeSerializer, CampaignReminderHistorySerializer
from core.permissions import IsOrganizerOrAdmin
from quiz.models import Competition


class ReminderApi(APIView):
    """GET: the reminder history; POST: remind units. Two operations on one collection path,
    each with its own serializers and schema."""

    permission_classes = [IsOrganizerOrAdmin]

    class ReminderHistoryQuerySerializer(serializers.Serializer):
        region = serializers.IntegerField(required=False, min_value=1)

    class ReminderIssueInputSerializer(serializers.Serializer):
        organizations = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=1000)
        threshold = serializers.DecimalField(
            max_digits=5, decimal_places=4, help_text="Participation rate (0..1] the units must reach."
        )
        message = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
        expires_at = serializers.DateTimeField(required=False, allow_null=True)

    class ReminderIssueOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        issued_at = serializers.DateTimeField()
        threshold = serializers.FloatField()
        expires_at = serializers.DateTimeField()
        notices = serializers.IntegerField()

    @extend_schema(
        parameters=[ReminderHistoryQuerySerializer],
        responses={200: CampaignReminderHistorySerializer(many=True)},
        operation_id="competition_reminder_history",
        description="Every unit reminded (newest first) with participants then and now.",
    )
    def get(self, request, competition_id: int):
        query = self.ReminderHistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        competition, scope = competition_and_scope(
            request=request, competition_id=competition_id, region_id=query.validated_data.get("region")
        )
        history = selectors.reminder_history(competition=competition, scope=scope)
        return Response(CampaignReminderHistorySerializer(history, many=True).data)

    @extend_schema(
        request=ReminderIssueInputSerializer,
        responses={201: ReminderIssueOutputSerializer},
        operation_id="competition_reminder_issue",
        description="Remind units (inside the caller's scope) to reach a participation rate.",
    )
    def post(self, request, competition_id: int):
        data = self.ReminderIssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        competition = get_object_or_404(Competition, pk=competition_id)
        reminder = services.reminder_issue(
            competition=competition,
            issued_by=request.user,
            organization_ids=data.validated_data["organizations"],
            threshold=data.validated_data["threshold"],
            message=data.validated_data.get("message", ""),
            expires_at=data.validated_data.get("expires_at"),
        )
        body = {
            "id": reminder.pk,
            "issued_at": reminder.issued_at,
            "threshold": float(reminder.threshold),
            "expires_at": reminder.expires_at,
            "notices": reminder.notices.count(),
        }
        return Response(self.ReminderIssueOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class NoticeListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: CampaignNoticeSerializer(many=True)},
        operation_id="me_notices",
        description="Reminders addressed to the caller's unit that still apply.",
    )
    def get(self, request):
        return Response(
            CampaignNoticeSerializer(selectors.notices_for_user(user=request.user), many=True).data
        )
