"""Read models of the SLA worker: compliance rows from the counters, the hourly snapshot
event, and the at-risk list from the shipments table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from fairwind.v1 import sla_pb2
from services.sla.domain import Clock, Shipment
from services.sla.processing import DIMENSIONS, SLA_CODES
from services.sla.stored import as_shipment


def aggregate(
    counts: Iterable[tuple[str, int]], sla: str, by: str, window_hours: int, now: datetime
) -> dict[str, dict[str, Any]]:
    """Met, breached and compliance per value of ``by`` over the last ``window_hours``.

    Hours after ``now`` count too: an event clock can stand behind counts already made (a
    restarted worker re-reading older events), and hiding those would lose results."""
    newest = int(now.timestamp()) // 3600
    position = 4 + DIMENSIONS.index(by)
    rows: dict[str, dict[str, Any]] = {}
    for key, count in counts:
        fields = key.split("|")
        if len(fields) != 4 + len(DIMENSIONS) or fields[2] != sla:
            continue
        if int(fields[1]) <= newest - window_hours:
            continue
        row = rows.setdefault(fields[position], {"met": 0, "breached": 0})
        if fields[3] == "unbreached":
            row["breached"] -= count
        else:
            row[fields[3]] += count
    for row in rows.values():
        total = row["met"] + row["breached"]
        row["compliance"] = row["met"] / total if total else None
    return rows


def with_objectives(
    rows: dict[str, dict[str, Any]], objectives: dict[str, float]
) -> dict[str, dict[str, Any]]:
    """Rows per customer tier with the tier's objective (the share of clocks to meet) and
    how much of its error budget is left: 1 - breached share / (1 - objective); 1.0 is
    untouched, 0 spent, below 0 overspent. A tier without an objective gets neither."""
    for tier, row in rows.items():
        objective = objectives.get(tier)
        total = row["met"] + row["breached"]
        row["objective"] = objective
        row["error_budget_left"] = (
            round(1 - (row["breached"] / total) / (1 - objective), 4)
            if objective is not None and total and objective < 1
            else None
        )
    return rows


def compliance_snapshot(
    counts: Iterable[tuple[str, int]], now: datetime, generated_at: datetime
) -> sla_pb2.ComplianceSnapshot:
    """The current hour's rows for every SLA and dimension."""
    counts = list(counts)
    snapshot = sla_pb2.ComplianceSnapshot()
    snapshot.window_start.FromDatetime(now.replace(minute=0, second=0, microsecond=0))
    snapshot.window_end.FromDatetime(now)
    snapshot.generated_at.FromDatetime(generated_at)
    for sla, code in SLA_CODES.items():
        for dimension in DIMENSIONS:
            for value, row in aggregate(counts, sla, dimension, 1, now).items():
                snapshot.rows.add(
                    sla=code,
                    dimension=sla_pb2.ComplianceDimension.Value(
                        f"COMPLIANCE_DIMENSION_{dimension.upper()}"
                    ),
                    dimension_value=value,
                    met=row["met"],
                    breached=row["breached"],
                    compliance_ratio=row["compliance"] or 0.0,
                )
    return snapshot


def at_risk(
    shipments: Iterable[tuple[str, Shipment | dict[str, Any] | list[Any] | None]],
    now: datetime,
) -> list[dict[str, Any]]:
    """Open clocks past the at-risk fraction, closest to breach first."""
    rows: list[dict[str, Any]] = [
        {
            "waybill": waybill,
            "sla": clock.sla,
            "deadline": clock.deadline.isoformat(),
            "minutes_left": round((clock.deadline - now).total_seconds() / 60, 1),
        }
        for waybill, state in shipments
        for clock in _clocks(state)
        if clock.state == "open" and clock.warned
    ]
    rows.sort(key=lambda row: row["minutes_left"])
    return rows


def _clocks(state: Shipment | dict[str, Any] | list[Any] | None) -> Iterable[Clock]:
    """A stored shipment's clocks: the worker's own object, or one recovered from the
    changelog (early events alone have none)."""
    shipment = as_shipment(state)
    return shipment.clocks.values() if shipment is not None else ()
