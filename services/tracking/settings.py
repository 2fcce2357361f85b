"""Settings of the tracking service (environment prefix ``FAIRWIND_``)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from fairwind.settings import ServiceSettings


class TrackingSettings(ServiceSettings):
    service_name: str = "tracking"
    http_port: int = Field(default=8030, ge=0, le=65535)
    grpc_port: int = Field(default=50080, ge=0, le=65535)
    metrics_port: int = Field(default=9130, ge=0, le=65535)

    # As the orders service issues them (the same FAIRWIND_WAYBILL_PREFIX).
    waybill_prefix: str = Field(default="FW", pattern=r"^[A-Z]{2,4}$")
    max_batch: int = Field(default=1000, ge=1, le=10_000)
    max_body_bytes: int = Field(default=32 * 1024, ge=1024)
    max_batch_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    # Handhelds upload late (offline), but a scan from the future is a broken clock.
    max_future_skew_s: float = Field(default=300, ge=0)
    late_departure_tolerance_min: float = Field(default=60, ge=0)
    device_cache_s: float = Field(default=30, ge=0)
    max_lookup_waybills: int = Field(default=10, ge=1, le=50)
    # A scan (or route, dispatch) of a waybill tracking has not seen waits this long (wall
    # clock) for its order, then is reported unmatched; it is still applied if the order comes.
    parked_wait_s: float = Field(default=86_400, gt=0)
    parked_check_s: float = Field(default=60, gt=0)
    # phone_last4 guesses on the public lookup: so many per waybill and per client in a
    # window; one more locks that waybill or client out (the right code too) for a while.
    lookup_guesses_per_waybill: int = Field(default=5, ge=1)
    lookup_guesses_per_client: int = Field(default=20, ge=1)
    lookup_guess_window_s: float = Field(default=900, gt=0)
    lookup_lockout_s: float = Field(default=3600, gt=0)
    # Signs tracking links (``?access_token=``) that show full details; unset disables them.
    link_secret: SecretStr | None = None
