"""Nothing to administer: the leaderboard has no tables (see leaderboard/models.py)."""
