"""Question banks, questions, competitions, attempts and what each attempt drew.

What an attempt drew is frozen in AttemptItem at draw time (stem, options as shown, correct
keys, explanation), so editing or deactivating a question never changes a running or
finished attempt.
"""

import hashlib
import re
import unicodedata
from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

OPTION_KEYS = "ABCDEF"
JUDGE_KEYS = "AB"  # a true/false question: A is true, B is false


def judge_option_label(letter: str) -> str:
    """A true/false option in the reader's language (A true, B false; "" for any other letter).

    The one home of these labels: the API, the site, the admin and item analysis all call it.
    """
    if letter == "A":
        return pgettext("judge option", "True")
    if letter == "B":
        return pgettext("judge option", "False")
    return ""


_SPACES_RE = re.compile(r"\s+")


def normalize_text(value: str) -> str:
    """Text as compared for identity: NFKC (full-width to half-width), inner spaces folded."""
    return _SPACES_RE.sub(" ", unicodedata.normalize("NFKC", value or "")).strip()


class QuestionBank(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    class Type(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        JUDGE = "judge", _("True or false")

    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("bank"), on_delete=models.CASCADE, related_name="questions"
    )
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    stem = models.TextField(_("stem"))
    # Option texts in order A, B, C...; empty for a judge question (shown as A true / B false).
    options = models.JSONField(_("options"), default=list, blank=True)
    # Correct option letters, sorted ("B", "ACD"); a judge question is "A" (true) or "B" (false).
    answer = models.CharField(_("answer"), max_length=6)
    explanation = models.TextField(_("explanation"), blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Identity within the bank: stem and options together (generic stems recur with other options).
    fingerprint = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["bank_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "fingerprint"], name="uniq_question_identity_in_bank"),
            models.CheckConstraint(
                condition=models.Q(difficulty__gte=1, difficulty__lte=5), name="question_difficulty_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["bank", "is_active", "type", "category"], name="question_draw_idx")]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.stem[:60]

    @property
    def answer_display(self) -> str:
        """The answer as a reader sees it: the letters, or True/False for a true/false question."""
        if self.type == self.Type.JUDGE:
            return judge_option_label(self.answer)
        return self.answer

    @staticmethod
    def compute_fingerprint(stem: str, options: list[str]) -> str:
        normalized = "\x1f".join([normalize_text(stem), *(normalize_text(o) for o in options)])
        return hashlib.sha256(normalized.encode("utf-8")).hexdigest()

    def save(self, *args, **kwargs) -> None:
        self.fingerprint = self.compute_fingerprint(self.stem, self.options)
        super().save(*args, **kwargs)


class Competition(models.Model):
    class Publication(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        # "Closed" alone is a competition past its window (已结束) elsewhere; this is the admin closing it.
        CLOSED = "closed", pgettext_lazy("publication", "Closed")

    class ScoringMode(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
        PARTIAL = "partial", _("Partial credit for multiple choice")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("opens at"))
    ends_at = models.DateTimeField(_("closes at"))
    banks = models.ManyToManyField(
        QuestionBank, verbose_name=_("question banks"), related_name="competitions"
    )
    questions_per_attempt = models.PositiveSmallIntegerField(_("questions per attempt"), default=10)
    # Optional: [{"count": 3, "category": "fire"}, {"count": 2, "type": "judge"}]; the rest is drawn freely.
    draw_rules = models.JSONField(_("draw rules"), default=list, blank=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=False)
    time_limit_seconds = models.PositiveIntegerField(_("time limit (seconds)"), default=600)
    attempts_per_day = models.PositiveSmallIntegerField(_("attempts per day"), default=3)
    points_per_correct = models.PositiveSmallIntegerField(_("points per correct answer"), default=10)
    scoring_mode = models.CharField(
        _("scoring mode"), max_length=20, choices=ScoringMode.choices, default=ScoringMode.ALL_OR_NOTHING
    )
    # Up to this many extra points for finishing fast (0 = no bonus); see quiz scoring.
    speed_bonus_max_points = models.PositiveSmallIntegerField(_("speed bonus (max points)"), default=0)
    pass_mark = models.PositiveIntegerField(_("pass mark"), null=True, blank=True)
    is_practice = models.BooleanField(_("practice"), default=False)
    publication = models.CharField(
        _("publication"), max_length=10, choices=Publication.choices, default=Publication.PUBLISHED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="competition_window_valid"
            )
        ]
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")

    def __str__(self) -> str:
        return self.title

    def status_at(self, moment: datetime) -> str:
        """draft, upcoming, open or closed (the API's `status`)."""
        if self.publication == self.Publication.DRAFT:
            return "draft"
        if self.publication == self.Publication.CLOSED or moment >= self.ends_at:
            return "closed"
        if moment < self.starts_at:
            return "upcoming"
        return "open"

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())


class Participation(models.Model):
    """One row per person and competition: the database truth behind rankings.

    Also the row locked (SELECT ... FOR UPDATE) when an attempt starts, so the daily quota
    holds when many starts race.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="participations")
    region = models.ForeignKey(
        "accounts.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    points = models.PositiveIntegerField(default=0)
    best_score = models.PositiveIntegerField(default=0)
    submitted_attempts = models.PositiveIntegerField(default=0)
    # When `points` last rose: the tie-breaker "who got there first".
    points_reached_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "competition"], name="uniq_participation")]
        indexes = [models.Index(fields=["competition", "-points"], name="participation_rank_idx")]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    class Kind(models.TextChoices):
        """What started it. Only `competition` attempts are the competition's own (quota, resume);
        the learning rounds (quiz/services/practice.py) are practice attached to a competition."""

        COMPETITION = "competition", _("Competition attempt")
        WRONG_ANSWERS = "wrong_answers", _("Wrong-answer practice")
        TOPIC = "topic", _("Topic practice")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="attempts")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The calendar day in Asia/Shanghai on which it started: what the daily quota counts.
    day = models.DateField()
    score = models.PositiveIntegerField(default=0)
    correct_count = models.PositiveSmallIntegerField(default=0)
    question_count = models.PositiveSmallIntegerField(default=0)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Snapshots of who the participant was when it started, for statistics by county and unit.
    region = models.ForeignKey(
        "accounts.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    industry = models.ForeignKey(
        "accounts.Industry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_practice = models.BooleanField(default=False)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.COMPETITION)
    # The category of a topic round ("" otherwise).
    topic = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["competition", "user", "day"], name="attempt_quota_idx"),
            models.Index(fields=["competition", "status", "submitted_at"], name="attempt_stats_idx"),
            models.Index(fields=["user", "-started_at"], name="attempt_history_idx"),
        ]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self) -> str:
        return f"#{self.pk} {self.user} / {self.competition}"

    @property
    def passed(self) -> bool | None:
        """The pass rule: submitted with a score of at least the competition's pass mark.

        None while it runs or when the competition has no pass mark.
        """
        pass_mark = self.competition.pass_mark
        if pass_mark is None or self.status != self.Status.SUBMITTED or self.kind != self.Kind.COMPETITION:
            return None  # a practice round (quiz/services/practice.py) neither passes nor fails
        return self.score >= pass_mark


class AttemptItem(models.Model):
    """One drawn question of an attempt, frozen as shown (after any option shuffling)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="attempt_items")
    position = models.PositiveSmallIntegerField()
    type = models.CharField(max_length=10, choices=Question.Type.choices)
    stem = models.TextField()
    # As shown: [{"key": "A", "text": "..."}]; keys re-lettered when options are shuffled.
    options = models.JSONField(default=list)
    # Correct keys in the shown lettering, sorted.
    correct = models.JSONField(default=list)
    # Shown key -> the question's own key, for item analysis across shuffles.
    key_map = models.JSONField(default=dict)
    explanation = models.TextField(blank=True)
    category = models.CharField(max_length=100, blank=True)
    selected = models.JSONField(null=True, blank=True)  # shown keys; null = not answered
    answered_at = models.DateTimeField(null=True, blank=True)
    is_correct = models.BooleanField(null=True)
    points = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attempt_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="uniq_attempt_question"),
            models.UniqueConstraint(fields=["attempt", "position"], name="uniq_attempt_position"),
        ]
        verbose_name = _("attempt question")
        verbose_name_plural = _("attempt questions")

    @property
    def shown_options(self) -> list[dict[str, str]]:
        """The options as the attempt shows them; a true/false question's in the reader's language
        (its frozen options hold the keys only; items frozen before that also a Chinese text, unused)."""
        if self.type == Question.Type.JUDGE:
            return [{"key": key, "text": judge_option_label(key)} for key in JUDGE_KEYS]
        return self.options


class AttemptScoredOutbox(models.Model):
    """The outbox of the `attempt_scored` event (quiz/events.py): one row per counted attempt.

    Written in the submission's own transaction, so a scored attempt and its hand-over to the
    leaderboard commit together or not at all. The subscriber (leaderboard.services) puts the
    attempt on the live figures; every server process, every few seconds, deletes the rows of
    attempts the live figures hold and records the others (the process died after the commit,
    Redis did not answer): leaderboard.services.leaderboard_outbox_drain.
    """

    attempt = models.OneToOneField(
        Attempt, primary_key=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("attempt")
    )
    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="+", verbose_name=_("competition")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("scored attempt awaiting the leaderboard")
        verbose_name_plural = _("scored attempts awaiting the leaderboard")

    def __str__(self) -> str:
        return f"attempt {self.attempt_id} @ {self.created_at:%Y-%m-%d %H:%M:%S}"
