"""Home, the competition list, one competition's page and the answering page's shell."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from campaign.selectors.draws import draw_list
from quiz.models import Competition, Question
from quiz.selectors import attempts as attempt_selectors
from quiz.selectors import competitions as competition_selectors
from web import selectors


def _get_competition(request: HttpRequest, competition_id: int) -> Competition:
    """A competition the visitor may see (drafts only for admins), or 404."""
    return competition_selectors.competition_get(competition_id=competition_id, user=request.user)


def home(request: HttpRequest) -> HttpResponse:
    rows = selectors.competitions_for_site(user=request.user)
    user = request.user if request.user.is_authenticated else None
    cards = []
    for competition, status in rows:
        if status != "open":
            continue
        card = {"competition": competition, "status": status}
        if user is not None:
            card["attempts_left"] = selectors.attempts_left_today(user=user, competition=competition)
            if not competition.is_practice:
                card["standing"] = selectors.participant_standing(user=user, competition=competition)
        cards.append(card)
    upcoming = [competition for competition, status in rows if status == "upcoming"]
    # "My county" is measured in the first open competition that counts, else the latest one that did.
    ranked = [(c, status) for c, status in rows if not c.is_practice and status in ("open", "closed")]
    featured = ranked[0][0] if ranked else None
    county = None
    if user is not None and featured is not None:
        county = selectors.county_standing_of(user=user, competition=featured)
    return render(
        request,
        "web/home.html",
        {"cards": cards, "upcoming": upcoming, "featured": featured, "county": county},
    )


def competition_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.competitions_for_site(user=request.user)
    groups = [
        (_("Open now"), [row for row in rows if row[1] == "open"]),
        (_("Coming soon"), [row for row in rows if row[1] == "upcoming"]),
        (_("Closed"), [row for row in rows if row[1] in ("closed", "draft")]),
    ]
    return render(request, "web/competition_list.html", {"groups": [g for g in groups if g[1]]})


def competition_detail(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = _get_competition(request, competition_id)
    context: dict = {
        "competition": competition,
        "status": competition.status,
        "draws": draw_list(competition=competition, user=request.user),
    }
    if request.user.is_authenticated:
        context.update(
            attempts_left=selectors.attempts_left_today(user=request.user, competition=competition),
            in_progress=selectors.attempt_in_progress(user=request.user, competition=competition),
            recent=attempt_selectors.attempt_list_for_user(user=request.user).filter(competition=competition)[
                :5
            ],
        )
        if not competition.is_practice:
            context["standing"] = selectors.participant_standing(user=request.user, competition=competition)
        context["topics"] = selectors.competition_topics(competition=competition)
    return render(request, "web/competition_detail.html", context)


@login_required
def competition_answer(request: HttpRequest, competition_id: int) -> HttpResponse:
    """The answering page. It holds no question: the script starts or resumes the attempt via the API,
    whose payload carries no answer or explanation, so neither can leak through the page source."""
    competition = _get_competition(request, competition_id)
    running = selectors.attempt_in_progress(user=request.user, competition=competition)
    if competition.status != "open" and running is None:
        messages.info(request, _("This competition is not open for answering."))
        return redirect("web:competition", competition_id=competition.pk)
    config = answer_config(
        request,
        competition_id=competition.pk,
        is_practice=competition.is_practice,
        start_url=f"/api/v1/competitions/{competition.pk}/attempts/",
        back_url=reverse("web:competition", kwargs={"competition_id": competition.pk}),
    )
    return render(request, "web/answer.html", {"competition": competition, "config": config})


def answer_config(
    request: HttpRequest, *, competition_id: int | None, is_practice: bool, start_url: str, back_url: str
) -> dict:
    """What the answering script needs; `start_url` starts or resumes the attempt (a competition's,
    or a practice round's: web/views/practice.py)."""
    return {
        "competition": competition_id,
        "isPractice": is_practice,
        "startUrl": start_url,
        "answerUrl": "/api/v1/attempts/{attempt}/answers/{question}/",
        "submitUrl": "/api/v1/attempts/{attempt}/submit/",
        "resultUrl": reverse("web:attempt", kwargs={"attempt_id": 0}).replace("/0/", "/{attempt}/"),
        "detailUrl": back_url,
        "loginUrl": f"{reverse('web:login')}?next={quote(request.get_full_path())}",
        "csrfToken": get_token(request),
        "text": _quiz_texts(),
    }


def _quiz_texts() -> dict[str, str]:
    """Strings the answering script composes at run time, in the request's language."""
    return {
        "question_of": _("Question %(n)s of %(total)s"),
        "unanswered_some": _("Not answered yet: questions %(list)s."),
        "unanswered_none": _("You have answered every question."),
        "list_sep": pgettext("list separator", ", "),
        "saving": _("Saving…"),
        "saved": _("Saved"),
        "offline": _("Offline, will retry"),
        "save_failed": _("Not saved, retrying"),
        "submitting": _("Submitting…"),
        "time_up": _("Time is up. Your answers are being submitted."),
        "one_minute": _("One minute left."),
        "not_open": _("This competition is not open for answering."),
        "daily_limit_reached": _("You have used all of today's attempts. Come back tomorrow."),
        "not_enough_questions": _("This competition has not enough questions yet. Please try later."),
        "start_failed": _("The quiz could not be loaded. Check your connection and try again."),
        "submit_failed": _("Submission failed, retrying…"),
        "feedback_right": pgettext("practice feedback", "Right!"),
        "feedback_wrong": pgettext("practice feedback", "Wrong."),
        "right_answer": _("Right answer: %(keys)s"),
        "go_to": _("Question %(n)s"),
        "answered": _("Answered"),
        "not_answered": _("Not answered"),
        "types": {
            Question.Type.SINGLE: pgettext("question type badge", "Single choice"),
            Question.Type.MULTIPLE: pgettext("question type badge", "Multiple choice"),
            Question.Type.JUDGE: pgettext("question type badge", "True or false"),
        },
    }
