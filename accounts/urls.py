from django.urls import path

from accounts import apis

app_name = "accounts"

urlpatterns = [
    path("auth/register/", apis.RegisterApi.as_view(), name="register"),
    path("auth/token/", apis.TokenObtainApi.as_view(), name="token"),
    path("auth/logout/", apis.LogoutApi.as_view(), name="logout"),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("regions/", apis.RegionListApi.as_view(), name="regions"),
    path("organizations/", apis.OrganizationListApi.as_view(), name="organizations"),
    path("industries/", apis.IndustryListApi.as_view(), name="industries"),
    path("users/", apis.UserListApi.as_view(), name="users"),
    path("users/<int:user_id>/", apis.UserUpdateApi.as_view(), name="user-update"),
]
