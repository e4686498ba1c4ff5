"""The learning loop's pages (issue 18): a wrong-answer round, a topic round, my progress.

The round pages are the answering page with another start URL: the script starts or resumes the
round through the practice API, whose payload carries no answer before one is given.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from quiz.models import Attempt
from quiz.selectors import competitions as competition_selectors
from quiz.selectors import progress as progress_selectors
from web import selectors
from web.views.competitions import answer_config


@login_required
def wrong_answer_practice(request: HttpRequest) -> HttpResponse:
    """Practise my wrong answers: the answering page over a wrong-answer round."""
    config = answer_config(
        request,
        competition_id=None,
        is_practice=True,
        start_url=reverse("v1:quiz:wrong-answers-practice"),
        back_url=reverse("web:wrong-answers"),
    )
    context = {
        "config": config,
        "page_title": _("Practise my wrong answers"),
        "back_url": config["detailUrl"],
        "back_text": _("Back to the wrong-answer book"),
    }
    return render(request, "web/answer.html", context)


@login_required
def topic_practice(request: HttpRequest, competition_id: int) -> HttpResponse:
    """Practise one category of a competition's banks (`?category=`)."""
    competition = competition_selectors.competition_get(competition_id=competition_id, user=request.user)
    category = request.GET.get("category", "").strip()
    back_url = reverse("web:competition", kwargs={"competition_id": competition.pk})
    if category not in progress_selectors.topic_categories(competition=competition):
        messages.info(request, _("Choose a category of this competition."))
        return redirect(back_url)
    start = reverse("v1:quiz:topic-practice", kwargs={"competition_id": competition.pk})
    config = answer_config(
        request,
        competition_id=competition.pk,
        is_practice=True,
        start_url=f"{start}?{urlencode({'category': category})}",
        back_url=back_url,
    )
    context = {
        "config": config,
        "competition": competition,
        "page_title": _("Topic practice: %(category)s") % {"category": category},
        "back_url": back_url,
        "back_text": _("Back to the competition"),
    }
    return render(request, "web/answer.html", context)


@login_required
def progress(request: HttpRequest) -> HttpResponse:
    """My progress: correct rate per category, weakest first, with practice links; what I have mastered."""
    body = progress_selectors.user_progress(user=request.user)
    return render(
        request, "web/progress.html", {"progress": body, "rows": selectors.topic_rows(body["categories"])}
    )


def round_answer_url(attempt: Attempt) -> str:
    """Where an attempt is answered (and a finished one tried again): the competition's answering
    page, or the page of the practice round of the same kind."""
    if attempt.kind == Attempt.Kind.WRONG_ANSWERS:
        return reverse("web:wrong-answer-practice")
    if attempt.kind == Attempt.Kind.TOPIC:
        base = reverse("web:topic-practice", kwargs={"competition_id": attempt.competition_id})
        return f"{base}?{urlencode({'category': attempt.topic})}"
    return reverse("web:answer", kwargs={"competition_id": attempt.competition_id})
