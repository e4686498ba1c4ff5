"""Admin for question banks and questions (issue 3)."""
