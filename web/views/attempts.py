"""After answering: the result with its review, the certificate, my history and my wrong answers."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from quiz.models import Attempt
from quiz.selectors import attempts as attempt_selectors
from quiz.selectors import progress as progress_selectors
from quiz.services import finalising
from web import certificate, selectors
from web.views import practice


def _owned_attempt(request: HttpRequest, attempt_id: int) -> Attempt:
    attempt = selectors.attempt_get_owned(user=request.user, attempt_id=attempt_id)
    if attempt is None:
        raise Http404(_("No such attempt."))
    return attempt


@login_required
def attempt_detail(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Score, correct count, time and rank; then every question with the right answer and explanation."""
    attempt = finalising.attempt_finalise_if_overdue(attempt=_owned_attempt(request, attempt_id))
    if attempt.status != Attempt.Status.SUBMITTED:
        # Still running: its answers and explanations stay hidden; go back to answering.
        return redirect(practice.round_answer_url(attempt))
    competition = attempt.competition
    rates = progress_selectors.category_rates(user=request.user, competition_id=competition.pk)
    return render(
        request,
        "web/attempt_detail.html",
        {
            "attempt": attempt,
            "competition": competition,
            "items": selectors.attempt_items(attempt=attempt),
            "standing": None
            if attempt.is_practice
            else selectors.participant_standing(user=request.user, competition=competition),
            "passed": bool(attempt.passed),
            "attempts_left": selectors.attempts_left_today(user=request.user, competition=competition),
            "is_open": competition.status == "open",
            "again_url": practice.round_answer_url(attempt),
            "weak_topics": selectors.topic_rows(rates),
        },
    )


def _certificate_attempt(request: HttpRequest, attempt_id: int) -> Attempt | HttpResponse:
    """The attempt whose certificate the caller may see (their own, at or above the pass mark), or
    the site's own 404 page, rendered here rather than raised: a link to a certificate is shared
    and bookmarked, and with DEBUG on a raised Http404 shows Django's technical page instead."""
    attempt = selectors.attempt_get_owned(user=request.user, attempt_id=attempt_id)
    if attempt is not None and attempt.passed:
        return attempt
    message = _("No such attempt.") if attempt is None else _("This attempt did not reach the pass mark.")
    return render(request, "404.html", {"message": message}, status=404)


def _certificate_unavailable(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    """No CJK font on this server: say so (503) rather than draw empty boxes."""
    return render(request, "web/certificate_unavailable.html", {"attempt": attempt}, status=503)


@login_required
def attempt_certificate(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The certificate page: the image (long-press to save on a phone) and a download link."""
    attempt = _certificate_attempt(request, attempt_id)
    if isinstance(attempt, HttpResponse):
        return attempt
    try:
        certificate.find_cjk_font()
    except certificate.FontMissing:
        return _certificate_unavailable(request, attempt)
    return render(request, "web/certificate.html", {"attempt": attempt, "competition": attempt.competition})


@login_required
def attempt_certificate_image(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The certificate as a PNG; `?download=1` makes the browser save it as a file."""
    attempt = _certificate_attempt(request, attempt_id)
    if isinstance(attempt, HttpResponse):
        return attempt
    try:
        png = certificate.render_certificate(attempt=attempt)
    except certificate.FontMissing:
        return _certificate_unavailable(request, attempt)
    response = HttpResponse(png, content_type="image/png")
    filename = f"certificate-{attempt.pk}.png"
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def history(request: HttpRequest) -> HttpResponse:
    page = Paginator(attempt_selectors.attempt_list_for_user(user=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "web/history.html", {"page": page, "now": timezone.now()})


@login_required
def wrong_answers(request: HttpRequest) -> HttpResponse:
    """The wrong-answer book: still to learn (with the practice button), or `?status=mastered`."""
    mastered = request.GET.get("status") == "mastered"
    page = Paginator(attempt_selectors.wrong_answer_list(user=request.user, mastered=mastered), 20).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "mastered": mastered,
        "progress": progress_selectors.user_progress_counts(user=request.user),
    }
    return render(request, "web/wrong_answers.html", context)
