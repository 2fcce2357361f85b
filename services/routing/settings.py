"""Settings of the routing service (environment prefix ``FAIRWIND_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from fairwind.settings import ServiceSettings
from services.routing.datafiles import DEFAULT_NETWORK, DEFAULT_PRICES


class RoutingSettings(ServiceSettings):
    service_name: str = "routing"
    http_port: int = Field(default=8020, ge=0, le=65535)
    grpc_port: int = Field(default=50070, ge=0, le=65535)
    metrics_port: int = Field(default=9120, ge=0, le=65535)

    network_file: Path = DEFAULT_NETWORK
    prices_file: Path = DEFAULT_PRICES
    # A dispatched pickup not accepted on the handheld within this time goes to another courier.
    acceptance_timeout_s: float = Field(default=300, gt=0)
    reassign_check_s: float = Field(default=5, gt=0)
    max_quote_batch: int = Field(default=1000, ge=1, le=10_000)
