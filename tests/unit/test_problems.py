"""The kit's refusal: a problem with its reason code, the same body for every service."""

from __future__ import annotations

from fairwind.problems import Problem, Rejected


def test_a_refusal_is_a_problem_named_by_its_reason() -> None:
    refused = Rejected(422, "invalid_cod", "COD must be in CNY", side="origin")
    assert isinstance(refused, Problem)
    assert (refused.status, refused.reason, refused.headers) == (422, "invalid_cod", {})
    assert refused.body() == {
        "type": "https://fairwind.dev/problems/invalid_cod",
        "title": "invalid_cod",
        "status": 422,
        "detail": "COD must be in CNY",
        "side": "origin",
    }


def test_a_refusal_may_carry_headers() -> None:
    refused = Rejected(429, "too_many_guesses", "wait", headers={"Retry-After": "7"})
    assert refused.headers == {"Retry-After": "7"}
    assert "Retry-After" not in refused.body()
