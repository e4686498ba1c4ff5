"""Organizer pages: statistics, lagging units and reminders, bulletins, item analysis, learning, unit import.

Thin: each view reads its input, calls a selector or service, renders. The same selectors
answer the API, so a page and the API never disagree.
"""

from collections.abc import Callable
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Region
from accounts.selectors import regions_visible_to
from campaign import selectors, services
from campaign.models import Bulletin
from campaign.selectors.draws import draw_get, draw_list, draw_payload, draw_verify
from campaign.services.draws import draw_create
from campaign.services.invites import invite_rotate, invites_ensure
from campaign.services.units import unit_import
from core.errors import ApplicationError
from quiz.models import Competition


def organizer_required(view: Callable) -> Callable:
    """Organizers and admins only: anonymous visitors go to the login page, others get a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.may_see_statistics:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _scope(request: HttpRequest) -> Region | None:
    raw = request.GET.get("region") or ""
    try:
        return selectors.campaign_scope(user=request.user, region_id=int(raw) if raw.isdigit() else None)
    except ApplicationError as error:
        if error.status_code == 404:
            raise Http404(error.message) from error
        raise PermissionDenied(error.message) from error


def _region_choices(request: HttpRequest) -> list[Region]:
    return list(regions_visible_to(user=request.user).exclude(level=Region.Level.TOWNSHIP))


def _base_context(
    request: HttpRequest, competition: Competition | None, scope: Region | None, tab: str
) -> dict:
    return {
        "competition": competition,
        "scope": scope,
        "region_choices": _region_choices(request),
        "tab": tab,
        "region_query": f"?region={scope.pk}" if scope is not None and request.GET.get("region") else "",
    }


@organizer_required
def competition_index(request: HttpRequest) -> HttpResponse:
    competitions = Competition.objects.order_by("-starts_at", "id")
    return render(request, "campaign/index.html", {"competitions": competitions, "tab": "index"})


@organizer_required
def statistics_page(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = get_object_or_404(Competition, pk=competition_id)
    scope = _scope(request)
    by = {
        name: selector(competition=competition, scope=scope)
        for name, selector in selectors.STATISTICS_BY.items()
    }
    context = _base_context(request, competition, scope, "statistics")
    context.update(
        {
            "totals": selectors.competition_statistics(competition=competition, scope=scope, by="county")[
                "totals"
            ],
            "counties": by["county"],
            "units": by["organization"],
            "industries": by["industry"],
            "days": by["day"],
            "trend_chart": {
                "labels": [row["day"][5:] for row in by["day"]],
                "bars": {
                    "name": _("New participants"),
                    "data": [row["new_participants"] for row in by["day"]],
                },
                "line": {
                    "name": _("Cumulative rate"),
                    "data": [_percent(row["cumulative_rate"]) for row in by["day"]],
                },
            },
            "county_chart": {
                "labels": [row["name"] for row in by["county"]],
                "bars": {
                    "name": _("Participation rate"),
                    "data": [_percent(row["participation_rate"]) for row in by["county"]],
                },
            },
        }
    )
    return render(request, "campaign/statistics.html", context)


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _threshold_from_percent(raw: str | None) -> Decimal | None:
    """ "60" (percent, as typed in the form) -> Decimal("0.6"); blank or nonsense -> None."""
    if not raw:
        return None
    try:
        value = Decimal(raw.strip().rstrip("%")) / 100
    except InvalidOperation:
        return None
    return value if Decimal(0) < value <= Decimal(1) else None


@organizer_required
@require_http_methods(["GET", "POST"])
def lagging_page(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = get_object_or_404(Competition, pk=competition_id)
    scope = _scope(request)
    if request.method == "POST":
        threshold = _threshold_from_percent(request.POST.get("threshold"))
        expires = parse_date(request.POST.get("expires_on") or "")
        try:
            reminder = services.reminder_issue(
                competition=competition,
                issued_by=request.user,
                organization_ids=[int(v) for v in request.POST.getlist("organizations") if v.isdigit()],
                threshold=threshold if threshold is not None else Decimal(-1),
                message=request.POST.get("message", "")[:1000],
                expires_at=timezone.make_aware(datetime.combine(expires, time(23, 59, 59)))
                if expires
                else None,
            )
        except ApplicationError as error:
            details = "; ".join(e["message"] for e in error.errors)
            messages.error(request, f"{error.message} {details}".strip())
        else:
            messages.success(
                request, _("Reminder sent to %(count)d unit(s).") % {"count": reminder.notices.count()}
            )
        return redirect(request.get_full_path())

    threshold = _threshold_from_percent(request.GET.get("threshold"))
    bottom_raw = request.GET.get("bottom") or ""
    bottom = int(bottom_raw) if bottom_raw.isdigit() and 0 < int(bottom_raw) <= 1000 else None
    if threshold is None and bottom is None and "threshold" not in request.GET:
        threshold = Decimal("0.6")
    context = _base_context(request, competition, scope, "lagging")
    context.update(
        {
            "threshold_percent": (threshold * 100).normalize() if threshold is not None else "",
            "bottom": bottom or "",
            "units": selectors.lagging_units(
                competition=competition, scope=scope, threshold=threshold, bottom=bottom
            ),
            "history": selectors.reminder_history(competition=competition, scope=scope),
            "is_open": competition.status == "open",
            "default_expiry": timezone.localdate(competition.ends_at).isoformat(),
        }
    )
    return render(request, "campaign/lagging.html", context)


@organizer_required
@require_http_methods(["GET", "POST"])
def bulletin_list_page(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = get_object_or_404(Competition, pk=competition_id)
    scope = _scope(request)
    if request.method == "POST":
        raw_as_of = request.POST.get("as_of") or ""
        as_of = parse_datetime(raw_as_of) if raw_as_of else None
        if as_of is not None and timezone.is_naive(as_of):
            as_of = timezone.make_aware(as_of)
        try:
            bulletin = services.bulletin_issue(
                competition=competition,
                issued_by=request.user,
                scope=scope,
                title=request.POST.get("title", "")[:200],
                ranked_by=request.POST.get("ranked_by") or Bulletin.RankedBy.RATE,
                as_of=as_of,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(request.get_full_path())
        messages.success(request, _("Bulletin issued."))
        return redirect("campaign_pages:bulletin", bulletin_id=bulletin.pk)
    context = _base_context(request, competition, scope, "bulletins")
    context.update(
        {
            "bulletins": selectors.bulletin_list(user=request.user, competition=competition),
            "ranked_by_choices": Bulletin.RankedBy.choices,
        }
    )
    return render(request, "campaign/bulletins.html", context)


@organizer_required
def bulletin_page(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    bulletin = get_object_or_404(selectors.bulletins_visible_to(user=request.user), pk=bulletin_id)
    context = _base_context(request, bulletin.competition, bulletin.region, "bulletins")
    context.update({"bulletin": bulletin, "rows": selectors.bulletin_rows_localized(bulletin=bulletin)})
    return render(request, "campaign/bulletin.html", context)


@organizer_required
def item_analysis_page(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = get_object_or_404(Competition, pk=competition_id)
    scope = _scope(request)
    context = _base_context(request, competition, scope, "items")
    context.update(item_analysis_context(selectors.item_analysis(competition=competition, scope=scope)))
    context.update(learning_context(selectors.learning_by_category(competition=competition, scope=scope)))
    return render(request, "campaign/items.html", context)


def learning_context(learning: dict) -> dict:
    """What campaign/_learning.html needs: the figure and its chart (share mastered per category)."""
    chart = None
    if learning["categories"]:
        chart = {
            "labels": [row["category"] or "—" for row in learning["categories"]],
            "bars": {
                "name": _("Mastered since"),
                "data": [_percent(row["mastered_share"]) for row in learning["categories"]],
            },
        }
    return {"learning": learning, "learning_chart": chart}


def item_analysis_context(analysis: dict) -> dict:
    """What campaign/_item_analysis.html needs (the page and the admin view both render it)."""
    chart = None
    if analysis["categories"]:
        chart = {
            "labels": [row["category"] or "—" for row in analysis["categories"]],
            "bars": {
                "name": _("Correct rate"),
                "data": [_percent(row["correct_rate"]) for row in analysis["categories"]],
            },
        }
    return {"analysis": analysis, "category_chart": chart}


@organizer_required
@require_http_methods(["GET", "POST"])
def unit_import_page(request: HttpRequest) -> HttpResponse:
    """Admins upload a unit list; errors are listed row by row and nothing is written until all are fixed."""
    if not request.user.is_admin_role:
        raise PermissionDenied
    context: dict = {"tab": "import", "competition": None}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Choose an .xlsx or .csv file to upload.")
        else:
            try:
                result = unit_import(
                    file=upload, filename=upload.name, dry_run=bool(request.POST.get("dry_run"))
                )
            except ApplicationError as error:
                context.update({"error": error.message, "errors": error.errors})
            else:
                context["result"] = result
    return render(request, "campaign/unit_import.html", context)


@organizer_required
@require_http_methods(["GET", "POST"])
def invites_page(request: HttpRequest, competition_id: int) -> HttpResponse:
    """Every unit of the scope with its link, poster and (admins) a button to replace the link.

    GET only reads: units get their codes when made; a unit that somehow has none shows no link
    and a "make the missing links" button (POST `action=generate`) appears."""
    competition = get_object_or_404(Competition, pk=competition_id)
    scope = _scope(request)
    units = list(selectors.invite_units(scope=scope))
    if request.method == "POST":
        if request.POST.get("action") == "generate":
            made = invites_ensure(organizations=units)
            messages.success(request, _("Links made for %(count)d unit(s).") % {"count": made})
            return redirect(request.get_full_path())
        raw = request.POST.get("organization") or ""
        unit = next((u for u in units if str(u.pk) == raw), None)
        if unit is None:
            raise Http404
        try:
            invite_rotate(organization=unit, rotated_by=request.user)
        except ApplicationError as error:
            raise PermissionDenied(error.message) from error
        messages.success(request, _("The link of %(unit)s was replaced.") % {"unit": unit.name})
        return redirect(request.get_full_path())
    codes = selectors.invite_codes(organizations=units)
    rows = [
        {"unit": unit, "url": request.build_absolute_uri(f"/r/{codes[unit.pk]}/") if unit.pk in codes else ""}
        for unit in units
    ]
    context = _base_context(request, competition, scope, "invites")
    context.update({"rows": rows, "missing": sum(1 for row in rows if not row["url"])})
    return render(request, "campaign/invites.html", context)


@organizer_required
def briefing_page(request: HttpRequest, competition_id: int) -> HttpResponse:
    """The day's briefing to copy into a chat or download as a poster, and the units to supervise."""
    competition = get_object_or_404(Competition, pk=competition_id)
    scope = _scope(request)
    briefing = selectors.briefing_build(competition=competition, scope=scope)
    context = _base_context(request, competition, scope, "briefing")
    context.update(
        {
            "briefing": briefing,
            "text": selectors.briefing_text(briefing=briefing),
            "file_query": f"&region={scope.pk}" if scope is not None else "",
        }
    )
    return render(request, "campaign/briefing.html", context)


PRIZE_ROWS = 5


def _whole_number(raw: str | None) -> int | str | None:
    """A form's number: blank -> None, digits -> int, anything else stays text (the service refuses it)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    return int(raw) if raw.isdigit() else raw


def _draw_form(post) -> dict:
    """The draw form as `draw_create` takes it; blank prize rows are skipped."""
    names, counts = post.getlist("prize_name"), post.getlist("prize_count")
    prizes = [
        {"name": name.strip()[:100], "count": _whole_number(count)}
        for name, count in zip(names, counts, strict=False)
        if name.strip() or (count or "").strip()
    ]
    return {
        "title": (post.get("title") or "")[:200],
        "seed": (post.get("seed") or "")[:200],
        "prizes": prizes,
        "eligibility": {
            "min_best_score": _whole_number(post.get("min_best_score")),
            "min_points": _whole_number(post.get("min_points")),
            "region": _whole_number(post.get("region")),
        },
    }


@organizer_required
@require_http_methods(["GET", "POST"])
def draws_page(request: HttpRequest, competition_id: int) -> HttpResponse:
    """The competition's draws with links to their public pages; admins make a draw here (the rules
    are `draw_create`'s) and get each draw's .xlsx export."""
    competition = get_object_or_404(Competition, pk=competition_id)
    form: dict = {}
    errors: list[dict] = []
    status = 200
    if request.method == "POST":
        if not request.user.is_admin_role:
            raise PermissionDenied
        form = _draw_form(request.POST)
        try:
            draw = draw_create(competition=competition, created_by=request.user, **form)
        except ApplicationError as error:
            messages.error(request, error.message)
            errors, status = error.errors, 400
        else:
            messages.success(request, _("Draw made: %(title)s.") % {"title": draw.title})
            return redirect("draws:detail", draw_id=draw.pk)
    prize_rows = [{"name": p["name"], "count": p["count"] or ""} for p in form.get("prizes", [])]
    prize_rows += [{"name": "", "count": ""}] * (PRIZE_ROWS - len(prize_rows))
    context = _base_context(request, competition, None, "draws")
    context.update(
        {
            "draws": draw_list(competition=competition, user=request.user),
            "form": form,
            "prize_rows": prize_rows,
            "field_errors": {e.get("field", "").split(".")[-1]: e["message"] for e in errors},
        }
    )
    return render(request, "campaign/draws.html", context, status=status)


def draw_public_page(request: HttpRequest, draw_id: int) -> HttpResponse:
    """A draw for anyone: masked winners, the frozen list's digest, the seed, the algorithm, and
    (with `?verify=1`) the winners recomputed from list and seed. Admins also get the .xlsx export."""
    draw = draw_get(draw_id=draw_id, user=request.user)
    context = {
        "draw": draw,
        "payload": draw_payload(draw=draw, viewer=request.user),
        "verification": draw_verify(draw=draw) if request.GET.get("verify") else None,
    }
    return render(request, "campaign/draw_public.html", context)
