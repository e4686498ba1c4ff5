"""Assertions in the shared helpers report their values like the tests' own."""

import pytest

pytest.register_assert_rewrite("tests.reliability.helpers")
