"""The citizen's mobile site (issue 6)."""

from django.urls import path

from web.views import accounts, attempts, competitions, leaderboards, practice

app_name = "web"

urlpatterns = [
    path("", competitions.home, name="home"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/register/", accounts.register, name="register"),
    path("r/<str:code>/", accounts.invite, name="invite"),
    path("competitions/", competitions.competition_list, name="competitions"),
    path("competitions/<int:competition_id>/", competitions.competition_detail, name="competition"),
    path("competitions/<int:competition_id>/answer/", competitions.competition_answer, name="answer"),
    path("competitions/<int:competition_id>/leaderboard/", leaderboards.leaderboard, name="leaderboard"),
    path("attempts/<int:attempt_id>/", attempts.attempt_detail, name="attempt"),
    path("attempts/<int:attempt_id>/certificate/", attempts.attempt_certificate, name="certificate"),
    path(
        "attempts/<int:attempt_id>/certificate.png",
        attempts.attempt_certificate_image,
        name="certificate-image",
    ),
    path("me/attempts/", attempts.history, name="history"),
    path("me/wrong-answers/", attempts.wrong_answers, name="wrong-answers"),
    path("me/wrong-answers/practice/", practice.wrong_answer_practice, name="wrong-answer-practice"),
    path("competitions/<int:competition_id>/practice/", practice.topic_practice, name="topic-practice"),
    path("me/progress/", practice.progress, name="progress"),
]
