"""Quiz API routes: question banks (quiz/apis/banks.py) and competitions and attempts."""

from django.urls import include, path

app_name = "quiz"

urlpatterns = [
    path("", include("quiz.apis.banks")),
    path("", include("quiz.apis.competitions")),
]
