"""Webhook signatures against the Standard Webhooks spec's own test vector, and what a
receiver refuses."""

from __future__ import annotations

import pytest

from services.notify.domain.webhooks import (
    SignatureError,
    WebhookSecret,
    signature,
    signed_headers,
    verify,
)

# From the spec's reference libraries (standard-webhooks/standard-webhooks).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIME = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_spec_vector_signs_as_the_spec_says() -> None:
    secret = WebhookSecret.parse(SPEC_SECRET)
    assert signature(secret, SPEC_ID, SPEC_TIME, SPEC_BODY) == SPEC_SIGNATURE
    assert WebhookSecret.parse(SPEC_SECRET.removeprefix("whsec_")) == secret
    assert str(secret) == SPEC_SECRET
    assert "MfKQ" not in repr(secret)


def test_a_receiver_accepts_the_spec_vector_within_five_minutes() -> None:
    secret = WebhookSecret.parse(SPEC_SECRET)
    headers = signed_headers([secret], SPEC_ID, SPEC_TIME, SPEC_BODY)
    assert headers["webhook-signature"] == SPEC_SIGNATURE
    for now in (SPEC_TIME - 300, SPEC_TIME, SPEC_TIME + 300):
        verify(secret, headers, SPEC_BODY, now)
    for now in (SPEC_TIME - 301, SPEC_TIME + 301):
        with pytest.raises(SignatureError, match="too far"):
            verify(secret, headers, SPEC_BODY, now)


def test_during_a_rotation_either_secret_verifies() -> None:
    old, new = WebhookSecret.generate(), WebhookSecret.generate()
    headers = signed_headers([new, old], "msg_1", 1000, b"{}")
    assert len(headers["webhook-signature"].split()) == 2
    verify(old, headers, b"{}", 1000)
    verify(new, headers, b"{}", 1000)
    with pytest.raises(SignatureError, match="no signature"):
        verify(WebhookSecret.generate(), headers, b"{}", 1000)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="}, "no signature"),
        ({"webhook-signature": "v2," + SPEC_SIGNATURE[3:]}, "no signature"),
        ({"webhook-timestamp": "hello"}, "Unix seconds"),
        ({"webhook-id": None}, "missing header webhook-id"),
        ({"webhook-signature": None}, "missing header webhook-signature"),
    ],
)
def test_a_receiver_refuses_what_we_did_not_sign(
    change: dict[str, str | None], problem: str
) -> None:
    secret = WebhookSecret.parse(SPEC_SECRET)
    headers: dict[str, str] = signed_headers([secret], SPEC_ID, SPEC_TIME, SPEC_BODY)
    for name, value in change.items():
        if value is None:
            del headers[name]
        else:
            headers[name] = value
    with pytest.raises(SignatureError, match=problem):
        verify(secret, headers, SPEC_BODY, SPEC_TIME)


def test_a_changed_body_or_id_fails_and_header_case_does_not_matter() -> None:
    secret = WebhookSecret.parse(SPEC_SECRET)
    headers = signed_headers([secret], SPEC_ID, SPEC_TIME, SPEC_BODY)
    with pytest.raises(SignatureError):
        verify(secret, headers, b'{"test": 2432232315}', SPEC_TIME)
    with pytest.raises(SignatureError):
        verify(secret, headers | {"webhook-id": "msg_other"}, SPEC_BODY, SPEC_TIME)
    verify(secret, {k.title(): v for k, v in headers.items()}, SPEC_BODY, SPEC_TIME)


@pytest.mark.parametrize("text", ["whsec_not base64!", "whsec_" + "QUFB", ""])
def test_a_secret_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(SignatureError):
        WebhookSecret.parse(text)


def test_an_endpoint_has_a_secret_to_sign_with() -> None:
    with pytest.raises(SignatureError, match="at least one"):
        signed_headers([], "msg_1", 1, b"")
