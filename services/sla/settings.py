"""Settings of the SLA stream processors (environment prefix ``FAIRWIND_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from fairwind.settings import ServiceSettings


class SlaSettings(ServiceSettings):
    service_name: str = "sla"
    http_port: int = Field(default=8040, ge=0, le=65535)  # the worker's web port
    # The plan's numbers (deploy/ports.toml), though the worker serves neither: no gRPC API,
    # and /metrics on its web port.
    grpc_port: int = Field(default=50090, ge=0, le=65535)
    metrics_port: int = Field(default=9140, ge=0, le=65535)
    # "wall": timers follow the wall clock (production). "event": they follow the newest
    # event time seen, so a replay or a time-compressed simulation gives the same figures.
    clock: Literal["wall", "event"] = "wall"
    # Event clock only: the timers run this far behind the newest event time, so a closing
    # scan a little behind in another topic (or partition) still beats the timer.
    event_lateness_s: float = Field(default=0, ge=0)
    # Events handled per step: a batch closes when full or after ``batch_within_s``, and
    # what it changed is written once, at its end.
    batch_max: int = Field(default=1000, ge=1)
    batch_within_s: float = Field(default=0.05, gt=0)
    tick_interval_s: float = Field(default=1.0, gt=0)
    snapshot_interval_s: float = Field(default=60.0, gt=0)
    pickup_min: float = Field(default=60, gt=0)
    outlet_delivery_min: float = Field(default=120, gt=0)
    at_risk_fraction: float = Field(default=0.8, gt=0, lt=1)
    # Each customer tier's objective (share of clocks met), shown beside its compliance
    # with the error budget left: key accounts are promised more.
    tier_objectives: dict[str, float] = Field(
        default_factory=lambda: {"Q1": 0.99, "Q2": 0.98, "Q3": 0.95, "Q4": 0.95, "Q5": 0.95}
    )
    max_clock_skew_s: float = Field(default=86_400, gt=0)
    # Processing time an early event (a scan read before its order) waits for its order at
    # least, beyond the hour of event time: see PENDING_GRACE in processing.py.
    pending_wait_s: float = Field(default=600, ge=0)
    store: str = "memory://"
    # Faust's working files (one folder per app id); kept out of the working directory.
    state_dir: Path = Path(".fairwind/sla")
