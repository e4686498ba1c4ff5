"""Quiz API routes (under /api/v1/): question banks, competitions, the attempt lifecycle, my history."""

from django.urls import path

from quiz.apis import attempts, banks, competitions, history, practice

app_name = "quiz"

urlpatterns = [
    # the attempt lifecycle first: Django tries routes in order (config/urls.py)
    path(
        "competitions/<int:competition_id>/attempts/",
        attempts.AttemptStartApi.as_view(),
        name="attempt-start",
    ),
    path("attempts/<int:attempt_id>/", attempts.AttemptDetailApi.as_view(), name="attempt-detail"),
    path(
        "attempts/<int:attempt_id>/answers/<int:question_id>/",
        attempts.AttemptAnswerSaveApi.as_view(),
        name="attempt-answer",
    ),
    path("attempts/<int:attempt_id>/submit/", attempts.AttemptSubmitApi.as_view(), name="attempt-submit"),
    # question banks (admin)
    path("banks/", banks.BankCollectionApi.as_view(), name="bank-list"),
    path("banks/import-template/", banks.BankImportTemplateApi.as_view(), name="bank-import-template"),
    path("banks/<int:bank_id>/import/", banks.BankImportApi.as_view(), name="bank-import"),
    path("banks/<int:bank_id>/export/", banks.BankExportApi.as_view(), name="bank-export"),
    # competitions
    path("competitions/", competitions.CompetitionListCreateApi.as_view(), name="competitions"),
    path(
        "competitions/<int:competition_id>/",
        competitions.CompetitionDetailApi.as_view(),
        name="competition-detail",
    ),
    # my history
    path("me/attempts/", history.MyAttemptListApi.as_view(), name="my-attempts"),
    path("me/wrong-answers/", history.WrongAnswerListApi.as_view(), name="my-wrong-answers"),
    # the learning loop: practice rounds, my progress
    path(
        "me/wrong-answers/practice/",
        practice.WrongAnswerPracticeStartApi.as_view(),
        name="wrong-answers-practice",
    ),
    path(
        "competitions/<int:competition_id>/practice/",
        practice.TopicPracticeStartApi.as_view(),
        name="topic-practice",
    ),
    path("me/progress/", practice.MyProgressApi.as_view(), name="my-progress"),
]
