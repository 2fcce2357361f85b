"""Settings of the crm service (environment prefix ``FAIRWIND_``)."""

from __future__ import annotations

from pydantic import Field

from fairwind.settings import ServiceSettings


class CrmSettings(ServiceSettings):
    service_name: str = "crm"
    http_port: int = Field(default=8060, ge=0, le=65535)
    grpc_port: int = Field(default=50110, ge=0, le=65535)
    metrics_port: int = Field(default=9160, ge=0, le=65535)

    # Re-rank every customer this often in business time (a compressed simulation clock
    # makes it shorter on the wall clock), but never more often than the wall-clock floor.
    rerank_interval_s: float = Field(default=3600, gt=0)
    rerank_min_wall_s: float = Field(default=1.0, gt=0)
    # Customers written per transaction while re-ranking.
    rerank_chunk: int = Field(default=500, ge=1, le=10_000)

    # National numbers (no "+" or "00") get this country code.
    default_country_code: str = Field(default="86", pattern=r"^[1-9][0-9]{0,2}$")
    # Revenue counts in this currency; orders priced in another count as shipments only.
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    # Phones learned from orders are added up to this many per customer.
    max_phones: int = Field(default=20, ge=1, le=100)
    max_import_customers: int = Field(default=100_000, ge=1)
    max_import_line_bytes: int = Field(default=16 * 1024, ge=256)
    max_list_limit: int = Field(default=500, ge=1, le=5_000)
    max_body_bytes: int = Field(default=16 * 1024, ge=1024)
