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
    # Customers written per transaction while re-ranking. 500 at 100,000 customers fills
    # WiredTiger's cache before commit (the index updates of a chunk) and the transaction
    # is refused (bench crm); 100 passes.
    rerank_chunk: int = Field(default=100, ge=1, le=10_000)

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

    # Churn risk (services/crm/churn.py): the tiers scored once a business day, the risk
    # that raises ChurnRiskRaised, and the risk below which an account is armed again.
    churn_tiers: list[str] = Field(default=["Q1"], min_length=1)
    churn_threshold: float = Field(default=0.5, gt=0, lt=1)
    churn_rearm_below: float = Field(default=0.35, gt=0, lt=1)
    # A key account's manager hears of its late parcels at most this often (business hours).
    breach_alert_every_h: float = Field(default=4.0, ge=0)

    # Account managers (services/crm/accounts/): key accounts move
    # between managers only when one's assigned revenue exceeds the mean by more than this
    # percentage; key accounts are due a visit this many days after the last one.
    manager_balance_tolerance_pct: int = Field(default=25, ge=0, le=1000)
    visit_interval_days: int = Field(default=30, ge=1, le=366)
    max_import_managers: int = Field(default=10_000, ge=1)

    # Caller ID by name and company, complaints (services/crm/callers.py,
    # services/crm/complaints.py): the score a match needs, how many customers sharing a
    # company gram are scored per lookup, the oldest open complaints the backlog lists.
    caller_match_threshold: float = Field(default=0.6, gt=0, le=1)
    caller_candidates: int = Field(default=50, ge=1, le=500)
    complaints_report_oldest: int = Field(default=10, ge=1, le=500)

    # Surveys and reports (services/crm/surveys.py, services/crm/api/reports.py):
    # comments kept up to this many characters (longer ones are cut); customers whose
    # 90-day figure has an answer that aged out are re-computed this often in business
    # time (never more often than rerank_min_wall_s), this many per transaction.
    survey_max_comment: int = Field(default=1000, ge=1, le=10_000)
    satisfaction_refresh_interval_s: float = Field(default=3600, gt=0)
    satisfaction_refresh_chunk: int = Field(default=500, ge=1, le=10_000)

    # Archive (services/crm/api/archive.py): evaluations of us against
    # competitors kept per customer as history (the latest is also the current one).
    evaluation_history: int = Field(default=20, ge=1, le=200)
