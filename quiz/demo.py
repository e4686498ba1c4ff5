"""Demo question bank and competition for `seed_demo` (filled in by the question-bank and competition work)."""


def seed() -> list[str]:
    """Load the demo bank and competition; returns lines to print. Idempotent."""
    return []
