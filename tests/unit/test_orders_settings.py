"""Orders settings: where tracking links point."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.orders.settings import OrdersSettings


@pytest.mark.parametrize(
    ("configured", "link_prefix"),
    [
        ("http://127.0.0.1:8130", "http://127.0.0.1:8130/v1/track/"),
        ("http://127.0.0.1:8130/", "http://127.0.0.1:8130/v1/track/"),
        ("https://track.example/v1/track", "https://track.example/v1/track/"),
        ("https://example.com/parcels/", "https://example.com/parcels/"),
    ],
)
def test_the_tracking_address_becomes_a_link_prefix(configured: str, link_prefix: str) -> None:
    settings = OrdersSettings(public_tracking_url=configured)
    assert settings.public_tracking_url == link_prefix


@pytest.mark.parametrize(
    "configured", ["127.0.0.1:8030/v1/track/", "ftp://host/track/", "http://host/track?x=1"]
)
def test_a_tracking_address_that_is_no_http_url_is_refused(configured: str) -> None:
    with pytest.raises(ValidationError):
        OrdersSettings(public_tracking_url=configured)


def test_the_tracking_address_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAIRWIND_PUBLIC_TRACKING_URL", "http://127.0.0.1:8130/v1/track/")
    monkeypatch.setenv("FAIRWIND_LINK_SECRET", "s3cret")
    settings = OrdersSettings()
    assert settings.public_tracking_url == "http://127.0.0.1:8130/v1/track/"
    assert settings.link_secret is not None
    assert settings.link_secret.get_secret_value() == "s3cret"
