"""Shared fixtures: real infrastructure once per run (see fairwind.infra.pytest_plugin)."""

import pytest

pytest_plugins = ["fairwind.infra.pytest_plugin"]
# Shared assertion helpers report like asserts in the tests themselves.
pytest.register_assert_rewrite("tests.problems")
