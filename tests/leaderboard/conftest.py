"""Every leaderboard test gets its own Redis key prefix (the services tier shares one Redis db)."""

import pytest

from tests.support.keys import private_leaderboard_keys


@pytest.fixture(autouse=True)
def _isolated_leaderboard():
    with private_leaderboard_keys() as prefix:
        yield prefix
