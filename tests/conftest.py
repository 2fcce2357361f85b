"""Shared fixtures: real infrastructure once per run (see fairwind.infra.pytest_plugin)."""

pytest_plugins = ["fairwind.infra.pytest_plugin"]
