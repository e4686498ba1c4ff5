"""Register, log in, log out. The rules are accounts.services'; these views only render and route."""

import logging
import math

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.login_limits import lockout_message, lockout_retry_after_seconds, login_locked_out
from accounts.services import user_register
from campaign.selectors import invite_lookup
from campaign.services.invites import invite_join
from core.errors import ApplicationError
from core.throttles import LoginThrottle, RegisterThrottle
from web.forms import LoginForm, RegisterForm

logger = logging.getLogger(__name__)


def _safe_next(request: HttpRequest, fallback: str = "web:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return redirect(fallback).url


def landing_url(user) -> str:
    """Where a log-in without `next` goes: organizers to their live dashboard, admins to the admin
    site (banks and competitions), everyone else to the home page."""
    if user.is_admin_role and user.is_staff:
        return reverse("admin:index")
    if user.may_see_statistics:
        return reverse("dashboard:index")
    return reverse("web:home")


class LoginView(auth_views.LoginView):
    """Log in by username. Wrong passwords are limited per account (django-axes: the form's
    authenticate() refuses a locked account); every try counts against the per-address ceiling
    (the API's `login` rate), high enough for a whole office behind one address."""

    template_name = "web/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)

    def _refuse(self, message: str, retry_after: int, form=None):
        # Never validate a form here: that would call authenticate() again and count a failure twice.
        if form is None:
            form = self.form_class(self.request, initial={"username": self.request.POST.get("username", "")})
            form.full_clean()  # an unbound form: no authenticate(), just an empty error list
            form.cleaned_data = {}
        form.errors.clear()
        form.add_error(None, message)
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        response["Retry-After"] = str(retry_after)
        return response

    def post(self, request, *args, **kwargs):
        throttle = LoginThrottle()
        if not throttle.allow_request(request, None):
            return self._refuse(
                _("Too many log-ins from your network. Please try again later."),
                max(1, math.ceil(throttle.wait() or 1)),
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if login_locked_out(request=self.request):
            return self._refuse(lockout_message(), lockout_retry_after_seconds(), form)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    pass


def register(request: HttpRequest, *, initial: dict | None = None, invite_unit=None) -> HttpResponse:
    """Create a participant with county, unit and industry, log them in, and go on.

    `initial` preselects county, unit and industry (an invite link's unit, `invite_unit`); the form
    still posts here, so a link's registration obeys every rule of a plain one.
    """
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = RegisterForm(request.POST or None, initial=initial)
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
                registration = user_register(
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
                user = registration.user
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request, _("Welcome, %(name)s! You are registered.") % {"name": user.display_name}
                )
                for notice in registration.notices:
                    messages.info(request, notice["message"])
                return redirect(_safe_next(request))
    response = render(
        request,
        "web/register.html",
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "invite_unit": invite_unit,
        },
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, code: str) -> HttpResponse:
    """`/r/{code}/`: a unit's invite link.

    Visitors get the registration page with the unit's county and unit chosen. A logged-in person
    of another unit (or of none) is asked first and moved only on POST; an unknown or replaced code
    opens the plain page (or home) with a notice.
    """
    found = invite_lookup(code=code)
    if found.state != "live":
        notice = (
            _("This invite link has been replaced. Ask your unit for the new one.")
            if found.state == "retired"
            else _("This invite link is not known. Choose your county and unit yourself.")
        )
        messages.warning(request, notice)
        return redirect("web:home" if request.user.is_authenticated else "web:register")
    unit = found.organization
    if not request.user.is_authenticated:
        initial = {"region": found.county.pk, "organization": unit.pk, "industry": unit.industry.code}
        return register(request, initial=initial, invite_unit=unit)
    user = request.user
    if user.organization_id == unit.pk:
        messages.info(request, _("You are already registered with %(unit)s.") % {"unit": unit.name})
        return redirect("web:home")
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        invite_join(user=user, invite=found.invite)
        messages.success(request, _("You now belong to %(unit)s.") % {"unit": unit.name})
        return redirect("web:home")
    if request.method == "POST":
        return redirect("web:home")
    return render(
        request,
        "web/invite_confirm.html",
        {"unit": unit, "county": found.county, "current": user.organization},
    )
