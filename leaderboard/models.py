"""The leaderboard app keeps no tables of its own: the live figures live in the store (Redis), and
what it has yet to record is quiz's outbox (quiz.models.AttemptScoredOutbox)."""
