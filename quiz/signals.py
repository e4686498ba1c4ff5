"""Receivers that keep the draw candidates' cache (quiz/selectors/draw.py) honest: any save or
delete of a question or a bank, and any change of a competition's banks, drops it everywhere.
Bulk writes send no signal; `quiz.services.banks.bank_import` invalidates it itself."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from quiz.models import Competition, Question, QuestionBank
from quiz.selectors.draw import draw_candidates_changed


@receiver(post_save, sender=Question, dispatch_uid="quiz.draw.question_saved")
@receiver(post_delete, sender=Question, dispatch_uid="quiz.draw.question_deleted")
@receiver(post_save, sender=QuestionBank, dispatch_uid="quiz.draw.bank_saved")
@receiver(post_delete, sender=QuestionBank, dispatch_uid="quiz.draw.bank_deleted")
def _questions_changed(sender, **kwargs) -> None:
    draw_candidates_changed()


@receiver(m2m_changed, sender=Competition.banks.through, dispatch_uid="quiz.draw.competition_banks")
def _competition_banks_changed(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        draw_candidates_changed()
