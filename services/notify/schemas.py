"""The partner API's request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from services.notify.domain.partners import EventType

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _webhook_url(url: str) -> str:
    """HTTPS, or plain HTTP to this machine (a partner's local receiver while testing)."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS):
        return url
    raise ValueError("webhook URLs must be https:// (plain http only to 127.0.0.1 or localhost)")


WebhookUrl = Annotated[
    str,
    Field(min_length=10, max_length=2000, pattern=r"^https?://[^\s#]+$"),
    AfterValidator(_webhook_url),
]


# Who is told by e-mail when the endpoint is disabled for failing (the partner's on-call).
AlertEmail = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: WebhookUrl
    event_types: list[EventType] = Field(default_factory=list, max_length=20)
    description: str = Field(default="", max_length=200)
    alert_email: AlertEmail | None = None
    alert_language: Literal["zh", "en"] = "zh"
    rate_per_s: float = Field(default=50.0, ge=0.1, le=1000)
    max_in_flight: int = Field(default=8, ge=1, le=64)


class EndpointPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: WebhookUrl | None = None
    event_types: list[EventType] | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=200)
    alert_email: AlertEmail | None = None
    alert_language: Literal["zh", "en"] | None = None
    rate_per_s: float | None = Field(default=None, ge=0.1, le=1000)
    max_in_flight: int | None = Field(default=None, ge=1, le=64)
    status: Literal["enabled", "disabled"] | None = None


class RotateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # How long the old secret keeps signing beside the new one: the receiver's switch-over.
    keep_old_for_s: int = Field(default=24 * 3600, ge=0, le=7 * 24 * 3600)


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: AwareDatetime
    until: AwareDatetime | None = None


class SecretOut(BaseModel):
    created_at: datetime
    expires_at: datetime | None


class EndpointOut(BaseModel):
    id: str
    url: str
    description: str
    event_types: list[str]
    status: str
    rate_per_s: float
    max_in_flight: int
    failing_since: datetime | None
    last_error: str
    alert_email: str | None = None
    alert_language: str = "zh"
    created_at: datetime
    updated_at: datetime
    secrets: list[SecretOut]
    # Only when the endpoint is created or its secret rotated: shown this once.
    secret: str | None = None


class AttemptOut(BaseModel):
    webhook_id: str
    delivery_id: str
    type: str
    waybill: str
    attempt: int
    at: datetime
    status: int | None
    latency_ms: float
    error: str
    outcome: str


class PingOut(BaseModel):
    status: int | None
    latency_ms: float
    error: str


class ReplayOut(BaseModel):
    id: str
    status: str
    since: datetime
    until: datetime
    made: int
