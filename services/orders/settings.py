"""Settings of the orders service (environment prefix ``FAIRWIND_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator

from fairwind.settings import ServiceSettings
from services.orders.datafiles import DEFAULT_RULES


class OrdersSettings(ServiceSettings):
    service_name: str = "orders"
    http_port: int = Field(default=8010, ge=0, le=65535)
    grpc_port: int = Field(default=50060, ge=0, le=65535)
    metrics_port: int = Field(default=9110, ge=0, le=65535)

    waybill_prefix: str = Field(default="FW", pattern=r"^[A-Z]{2,4}$")
    # Serials are reserved from MongoDB this many at a time per process.
    waybill_block: int = Field(default=200, ge=1, le=100_000)

    routing_target: str = "127.0.0.1:50070"
    crm_target: str = "127.0.0.1:50110"
    # Intake must stay fast when a dependency is slow: past this, routing counts as down.
    rpc_deadline_s: float = Field(default=0.3, gt=0, le=10)
    default_customer_tier: str = Field(default="Q3", pattern=r"^Q[1-5]$")
    tier_cache_s: float = Field(default=300, ge=0)
    # A customer CRM does not know yet (not imported yet) gets the default tier this long.
    tier_unknown_cache_s: float = Field(default=30, ge=0)
    coverage_cache_s: float = Field(default=300, ge=0)

    rate_limit_per_s: float = Field(default=50, gt=0)
    rate_limit_burst: int = Field(default=100, ge=1)
    api_key_cache_s: float = Field(default=30, ge=0)

    max_parcels: int = Field(default=50, ge=1, le=1000)
    max_batch: int = Field(default=1000, ge=1, le=10_000)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_batch_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    idempotency_retention_h: float = Field(default=24, gt=0)
    max_pickup_days_ahead: int = Field(default=14, ge=1, le=90)
    origin_country: str = Field(default="CN", pattern=r"^[A-Z]{2}$")
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")

    commodity_rules_file: Path = DEFAULT_RULES
    # The tracking service's public address, where a partner's tracking link points: the
    # page's URL (``.../v1/track/``) or just the base (``http://host:port``, which gets the
    # /v1/track/ path). The waybill and access_token are appended.
    public_tracking_url: str = Field(
        default="http://127.0.0.1:8030/v1/track/", pattern=r"^https?://[^\s/?#]+[^\s?#]*$"
    )
    # Shared with the tracking service (the same FAIRWIND_LINK_SECRET for both): tracking
    # links then carry a proof of ownership (``access_token``) that shows the partner full
    # details. Unset: plain links, which show the masked view.
    link_secret: SecretStr | None = None

    @field_validator("public_tracking_url")
    @classmethod
    def _tracking_page(cls, value: str) -> str:
        scheme, _, rest = value.partition("://")
        host, _, path = rest.partition("/")
        if not path.strip("/"):
            return f"{scheme}://{host}/v1/track/"
        return value if value.endswith("/") else value + "/"
