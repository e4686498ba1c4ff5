"""Writes to the live leaderboard. The quiz app calls `leaderboard_record_submission` after commit."""


def leaderboard_record_submission(*, attempt_id: int) -> None:
    """Hand a freshly submitted attempt to the live leaderboard (implemented by issue 5).

    Called by quiz services through `transaction.on_commit`, once per scored attempt.
    Must never raise into the caller: the database is the truth and the submission has succeeded.
    """
