"""Admin for competitions and attempts (issue 4)."""
