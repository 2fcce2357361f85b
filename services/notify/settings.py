"""Settings of the notify service (environment prefix ``FAIRWIND_``)."""

from __future__ import annotations

from pydantic import Field

from fairwind.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    service_name: str = "notify"
    http_port: int = Field(default=8050, ge=0, le=65535)
    grpc_port: int = Field(default=50100, ge=0, le=65535)
    metrics_port: int = Field(default=9150, ge=0, le=65535)
    # At most this many messages about one parcel to one person (see domain/rules.py).
    frequency_cap: int = Field(default=8, ge=1, le=100)
    # Platform quiet hours for SMS, HH:MM in the recipient's zone (a person's own replace them).
    quiet_start: str = Field(default="21:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    quiet_end: str = Field(default="08:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
