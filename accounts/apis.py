"""Accounts and reference-data endpoints of docs/api.md."""

from django.contrib.auth import authenticate, logout
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.login_limits import lockout_message, lockout_retry_after_seconds, login_locked_out
from accounts.models import User
from accounts.serializers import IndustrySerializer, OrganizationSerializer, RegionSerializer, UserSerializer
from core.errors import ApplicationError, NotFound
from core.pagination import PagePagination
from core.permissions import IsAdminRole
from core.throttles import LoginThrottle, RegisterThrottle


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [RegisterThrottle]

    class RegisterInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, write_only=True)
        display_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
        region = serializers.IntegerField()
        organization = serializers.IntegerField(required=False, allow_null=True)
        industry = serializers.CharField(max_length=40, required=False, allow_blank=True, allow_null=True)
        phone = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)

    class RegisterOutputSerializer(serializers.Serializer):
        class NoticeSerializer(serializers.Serializer):
            field = serializers.CharField()
            code = serializers.CharField()
            message = serializers.CharField()

        id = serializers.IntegerField()
        username = serializers.CharField()
        token = serializers.CharField()
        # Present only when something was accepted differently than asked (a phone not attached).
        notices = NoticeSerializer(many=True, required=False)

    @extend_schema(
        request=RegisterInputSerializer,
        responses={201: RegisterOutputSerializer},
        operation_id="auth_register",
    )
    def post(self, request):
        data = self.RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        registration = services.user_register(
            username=v["username"],
            password=v["password"],
            display_name=v.get("display_name", ""),
            region_id=v["region"],
            organization_id=v.get("organization"),
            industry_code=v.get("industry") or None,
            phone=v.get("phone") or None,
        )
        user = registration.user
        body = {"id": user.pk, "username": user.username, "token": services.token_for_user(user=user)}
        if registration.notices:
            body["notices"] = registration.notices
        return Response(body, status=status.HTTP_201_CREATED)


class TokenObtainApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [LoginThrottle]

    class TokenObtainInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, write_only=True)

    @extend_schema(
        request=TokenObtainInputSerializer,
        responses={200: inline_serializer("TokenOutput", {"token": serializers.CharField()})},
        operation_id="auth_token",
    )
    def post(self, request):
        data = self.TokenObtainInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if user is None and login_locked_out(request=request):
            raise ApplicationError(
                lockout_message(),
                code="locked_out",
                status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(lockout_retry_after_seconds())},
            )
        if user is None:
            # One message for an unknown user and a wrong password: no user enumeration.
            raise ApplicationError(
                _("Wrong username or password."),
                code="invalid_credentials",
                status_code=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"token": services.token_for_user(user=user)})


class LogoutApi(APIView):
    """Revoke the caller's API token (every client holding it is logged out); a session ends too."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, operation_id="auth_logout")
    def post(self, request):
        services.token_revoke(user=request.user)
        if request.session.get("_auth_user_id"):
            logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserSerializer}, operation_id="me_retrieve")
    def get(self, request):
        return Response(UserSerializer(request.user, context={"request": request}).data)


class RegionListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: RegionSerializer(many=True)})
    def get(self, request):
        level = request.query_params.get("level") or None
        parent = request.query_params.get("parent")
        parent_id = int(parent) if parent and parent.isdigit() else None
        regions = selectors.region_list(level=level, parent_id=parent_id)
        return Response(RegionSerializer(regions, many=True).data)


class OrganizationListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OrganizationSerializer(many=True)})
    def get(self, request):
        region = request.query_params.get("region")
        if region is not None and not region.isdigit():
            raise ApplicationError(_("region must be a region id."), code="invalid")
        organizations = selectors.organization_list(region_id=int(region) if region else None)
        return Response(OrganizationSerializer(organizations, many=True).data)


class IndustryListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: IndustrySerializer(many=True)})
    def get(self, request):
        return Response(IndustrySerializer(selectors.industry_list(), many=True).data)


class UserPagination(PagePagination):
    page_size = 50
    max_page_size = 500


class UserListApi(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(
        responses={
            200: inline_serializer(
                "PaginatedUserList",
                {
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": UserSerializer(many=True),
                },
            )
        }
    )
    def get(self, request):
        region = request.query_params.get("region")
        users = selectors.user_list(
            viewer=request.user,
            role=request.query_params.get("role") or None,
            region_id=int(region) if region and region.isdigit() else None,
            search=request.query_params.get("search") or None,
        )
        paginator = UserPagination()
        page = paginator.paginate_queryset(users, request, view=self)
        return paginator.get_paginated_response(
            UserSerializer(page, many=True, context={"request": request}).data
        )


class UserUpdateApi(APIView):
    permission_classes = [IsAdminRole]

    class UserUpdateInputSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=User.Role.choices)
        scope_region = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(request=UserUpdateInputSerializer, responses={200: UserSerializer})
    def patch(self, request, user_id: int):
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise NotFound(_("User not found."))
        data = self.UserUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_set_role(
            user=user,
            role=data.validated_data["role"],
            scope_region_id=data.validated_data.get("scope_region"),
        )
        return Response(UserSerializer(user, context={"request": request}).data)
