"""Output shapes of the campaign API (names prefixed `Campaign` to stay unique in the OpenAPI schema).

Selectors return plain dicts; the views pass them through these serializers so the schema and
the answers cannot drift apart. Fields absent from a row kind are simply left out.
"""

from rest_framework import serializers


class CampaignRegionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class CampaignCompetitionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class CampaignIndustryRefSerializer(serializers.Serializer):
    code = serializers.CharField(allow_null=True)
    name = serializers.CharField()


class CampaignFiguresSerializer(serializers.Serializer):
    participants = serializers.IntegerField()
    attempts = serializers.IntegerField()
    points = serializers.IntegerField()
    average_score = serializers.FloatField(allow_null=True)
    best_score = serializers.IntegerField()
    headcount_target = serializers.IntegerField(required=False)
    participation_rate = serializers.FloatField(allow_null=True, required=False)


class CampaignTotalsSerializer(CampaignFiguresSerializer):
    units = serializers.IntegerField()


class CampaignStatisticsRowSerializer(CampaignFiguresSerializer):
    """A county (id, code, name, units), a unit (id, name, county, region, industry), an industry
    (code, name) or a day (day, new_participants, cumulative_participants, cumulative_rate)."""

    id = serializers.IntegerField(required=False)
    code = serializers.CharField(required=False, allow_null=True)
    name = serializers.CharField(required=False)
    units = serializers.IntegerField(required=False)
    county = CampaignRegionRefSerializer(required=False)
    region = CampaignRegionRefSerializer(required=False)
    industry = CampaignIndustryRefSerializer(required=False)
    day = serializers.DateField(required=False)
    new_participants = serializers.IntegerField(required=False)
    cumulative_participants = serializers.IntegerField(required=False)
    cumulative_rate = serializers.FloatField(required=False, allow_null=True)


class CampaignStatisticsSerializer(serializers.Serializer):
    competition = CampaignCompetitionRefSerializer()
    region = CampaignRegionRefSerializer(allow_null=True)
    by = serializers.ChoiceField(choices=["county", "organization", "industry", "day"])
    as_of = serializers.DateTimeField(allow_null=True)
    totals = CampaignTotalsSerializer()
    rows = CampaignStatisticsRowSerializer(many=True)


class CampaignLaggingUnitSerializer(CampaignFiguresSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    county = CampaignRegionRefSerializer()
    region = CampaignRegionRefSerializer()
    industry = CampaignIndustryRefSerializer()
    county_place = serializers.IntegerField(help_text="Place in its county by rate, 1 = lowest.")
    county_units = serializers.IntegerField()
    below_threshold = serializers.BooleanField()
    in_bottom = serializers.BooleanField()
    reminded_at = serializers.DateTimeField(allow_null=True)


class CampaignUnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    region = serializers.CharField(required=False)


class CampaignUserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CampaignReminderHistorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reminder = serializers.IntegerField()
    organization = CampaignUnitRefSerializer()
    issued_at = serializers.DateTimeField()
    issued_by = CampaignUserRefSerializer()
    threshold = serializers.FloatField()
    expires_at = serializers.DateTimeField()
    message = serializers.CharField(allow_blank=True)
    participants_at_issue = serializers.IntegerField()
    rate_at_issue = serializers.FloatField(allow_null=True)
    participants_now = serializers.IntegerField()
    rate_now = serializers.FloatField(allow_null=True)
    gained = serializers.IntegerField()
    caught_up = serializers.BooleanField()
    active = serializers.BooleanField()


class CampaignNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    competition = CampaignCompetitionRefSerializer()
    organization = CampaignUnitRefSerializer()
    message = serializers.CharField(allow_blank=True)
    threshold = serializers.FloatField()
    participants = serializers.IntegerField()
    headcount_target = serializers.IntegerField()
    participation_rate = serializers.FloatField(allow_null=True)
    needed = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class CampaignBulletinSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    competition = serializers.IntegerField(source="competition_id")
    title = serializers.CharField()
    region = serializers.SerializerMethodField()
    ranked_by = serializers.CharField()
    as_of = serializers.DateTimeField()
    issued_at = serializers.DateTimeField()
    issued_by = serializers.SerializerMethodField()
    export_xlsx = serializers.SerializerMethodField()
    export_csv = serializers.SerializerMethodField()

    def get_region(self, bulletin) -> dict | None:
        region = bulletin.region
        return {"id": region.pk, "code": region.code, "name": region.name} if region else None

    def get_issued_by(self, bulletin) -> dict:
        return {"id": bulletin.issued_by_id, "name": str(bulletin.issued_by)}

    def _export(self, bulletin, fmt: str) -> str:
        from django.urls import reverse

        return f"{reverse('v1:campaign:bulletin-export', args=[bulletin.pk])}?format={fmt}"

    def get_export_xlsx(self, bulletin) -> str:
        return self._export(bulletin, "xlsx")

    def get_export_csv(self, bulletin) -> str:
        return self._export(bulletin, "csv")


class CampaignBulletinRankingRowSerializer(CampaignStatisticsRowSerializer):
    rank = serializers.IntegerField()
    rank_participants = serializers.IntegerField()
    rank_rate = serializers.IntegerField()
    rank_points = serializers.IntegerField()
    rank_average_score = serializers.IntegerField()


class CampaignBulletinRowsSerializer(serializers.Serializer):
    totals = CampaignTotalsSerializer()
    counties = CampaignBulletinRankingRowSerializer(many=True)
    units = CampaignBulletinRankingRowSerializer(many=True)


class CampaignBulletinDetailSerializer(CampaignBulletinSerializer):
    rows = CampaignBulletinRowsSerializer()


class CampaignWrongOptionSerializer(serializers.Serializer):
    option = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    count = serializers.IntegerField()


class CampaignItemRowSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    type = serializers.CharField()
    stem = serializers.CharField()
    category = serializers.CharField(allow_blank=True)
    answer = serializers.CharField(
        allow_null=True,
        help_text="null until the competition closes (and for questions a running ranked one holds)",
    )
    drawn = serializers.IntegerField()
    answered = serializers.IntegerField()
    correct = serializers.IntegerField()
    correct_rate = serializers.FloatField(allow_null=True)
    upper_drawn = serializers.IntegerField()
    upper_correct = serializers.IntegerField()
    lower_drawn = serializers.IntegerField()
    lower_correct = serializers.IntegerField()
    p_upper = serializers.FloatField(allow_null=True)
    p_lower = serializers.FloatField(allow_null=True)
    discrimination = serializers.FloatField(allow_null=True)
    most_chosen_wrong = CampaignWrongOptionSerializer(
        allow_null=True, help_text="null when there is none, or when `answer` is hidden"
    )


class CampaignCategoryRowSerializer(serializers.Serializer):
    category = serializers.CharField(allow_blank=True)
    drawn = serializers.IntegerField()
    correct = serializers.IntegerField()
    correct_rate = serializers.FloatField(allow_null=True)


class CampaignItemAnalysisSerializer(serializers.Serializer):
    competition = CampaignCompetitionRefSerializer()
    region = CampaignRegionRefSerializer(allow_null=True)
    attempts = serializers.IntegerField()
    group_size = serializers.IntegerField()
    keys_hidden = serializers.BooleanField(help_text="some answer letters are withheld (see `answer`)")
    questions = CampaignItemRowSerializer(many=True)
    categories = CampaignCategoryRowSerializer(many=True)


class CampaignLearningRowSerializer(serializers.Serializer):
    category = serializers.CharField(allow_blank=True)
    wrong_questions = serializers.IntegerField(help_text="(person, question) pairs answered wrong")
    mastered = serializers.IntegerField(help_text="of those, mastered now")
    mastered_share = serializers.FloatField(allow_null=True)


class CampaignLearningSerializer(serializers.Serializer):
    competition = CampaignCompetitionRefSerializer()
    region = CampaignRegionRefSerializer(allow_null=True)
    wrong_questions = serializers.IntegerField()
    mastered = serializers.IntegerField()
    mastered_share = serializers.FloatField(allow_null=True)
    categories = CampaignLearningRowSerializer(many=True)
