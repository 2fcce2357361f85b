"""Checking an HTTP refusal: a problem+json body (RFC 9457) that says what went wrong, with
the reason code that names its ``type``, not only a status code."""

from __future__ import annotations

from typing import Any

from fairwind.problems import PROBLEM_JSON, problem_type


def assert_problem(response: Any, status: int, reason: str) -> dict[str, Any]:
    """The response is a ``status`` problem with reason code ``reason``; its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert (body["status"], body["title"], body["type"]) == (status, reason, problem_type(reason))
    assert body.get("detail")
    return body
