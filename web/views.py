"""Server-rendered pages. The full citizen site lands with issue 6; this is its skeleton."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render


def home(request):
    return render(request, "web/home.html")


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"


class LogoutView(auth_views.LogoutView):
    pass
