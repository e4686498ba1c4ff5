"""Output serializers shared by the accounts APIs (and reused by other apps)."""

from rest_framework import serializers

from accounts.models import Industry, Organization, Region, User


class RegionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "name_zh", "name_en", "parent", "level"]


class RegionBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name"]


class IndustrySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Industry
        fields = ["code", "name"]


class OrganizationSerializer(serializers.ModelSerializer):
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "region", "industry", "headcount_target"]


class OrganizationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name"]


class UserSerializer(serializers.ModelSerializer):
    """A user as others see it: the phone is masked unless the viewer is its owner."""

    # Admins and organizers may have no region, unit or industry: null, as the schema says.
    region = RegionBriefSerializer(read_only=True, allow_null=True)
    organization = OrganizationBriefSerializer(read_only=True, allow_null=True)
    industry = IndustrySerializer(read_only=True, allow_null=True)
    scope_region = RegionBriefSerializer(read_only=True, allow_null=True)
    phone = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "role",
            "region",
            "organization",
            "industry",
            "scope_region",
            "phone",
            "date_joined",
        ]

    def get_phone(self, obj: User) -> str | None:
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated and request.user.pk == obj.pk:
            return obj.phone
        return obj.masked_phone
