"""Register, log in, log out. The rules are accounts.services'; these views only render and route."""

import logging
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from accounts.services import user_register
from core.errors import ApplicationError
from core.throttles import RegisterThrottle
from web.forms import LoginForm, RegisterForm

logger = logging.getLogger(__name__)


def _safe_next(request: HttpRequest, fallback: str = "web:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return redirect(fallback).url


class LoginView(auth_views.LoginView):
    """Log in by username. Failed tries are limited per address (the API's `login` rate);
    successful ones are not, so a whole office behind one address can still log in at once."""

    template_name = "web/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def _failure_key(self) -> str:
        return f"web-login-failures:{self.request.META.get('REMOTE_ADDR', '')}"

    def _limit(self) -> tuple[int, int]:
        rate = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get("login") or "10/min"
        count, seconds = SimpleRateThrottle.parse_rate(None, rate)
        return count, seconds

    def _failures(self) -> int:
        try:
            return cache.get(self._failure_key(), 0)
        except Exception as exc:  # noqa: BLE001 - Redis down: log-in keeps working, unthrottled
            logger.warning("Log-in failures not counted: the cache is unavailable (%s)", exc)
            return 0

    def post(self, request, *args, **kwargs):
        allowed, seconds = self._limit()
        if self._failures() >= allowed:
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None, _("Too many failed log-ins from your network. Please wait a minute and try again.")
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(seconds)  # the failure count expires at most this long after
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        _allowed, seconds = self._limit()
        key = self._failure_key()
        try:
            if not cache.add(key, 1, timeout=seconds):
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, timeout=seconds)
        except Exception as exc:  # noqa: BLE001 - Redis down: the wrong password is still refused
            logger.warning("Log-in failure not counted: the cache is unavailable (%s)", exc)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    pass


def register(request: HttpRequest) -> HttpResponse:
    """Create a participant with county, unit and industry, log them in, and go on."""
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = RegisterForm(request.POST or None)
    status = 200
    retry_after = None
    if request.method == "POST":
        throttle = RegisterThrottle()
        if not throttle.allow_request(request, None):
            form.add_error(None, _("Too many registrations from your network. Please try again later."))
            status = 429
            retry_after = max(1, math.ceil(throttle.wait() or 1))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                user = user_register(
                    username=data["username"],
                    password=data["password"],
                    display_name=data["display_name"],
                    region_id=data["region"].pk,
                    organization_id=data["organization"].pk if data.get("organization") else None,
                    industry_code=data.get("industry") or None,
                    phone=data.get("phone") or None,
                )
            except ApplicationError as exc:
                form.add_service_errors(exc.errors)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request, _("Welcome, %(name)s! You are registered.") % {"name": user.display_name}
                )
                return redirect(_safe_next(request))
    response = render(
        request,
        "web/register.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
